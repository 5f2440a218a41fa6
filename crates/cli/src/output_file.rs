//! The one way a `sakke` command writes a file (README "Output files").
//!
//! Results and key files hold secrets, so every file goes through [`OutputFile`]:
//!
//! - checks first: no writing onto the command's own input, a directory, a link or a
//!   device, a key store's directory, or a key file of another kind; no replacing an
//!   existing file without `--force`;
//! - an exclusive lock on the target (`.<name>.lock` beside it), so a second command
//!   writing the same file fails at once instead of interleaving with the first;
//! - the data goes to a temporary file beside the target, created 0600, and is moved into
//!   place only once it is complete and on disk: a run that is killed, runs out of space
//!   or fails leaves the previous file (or none), never a partial one;
//! - the data passes through a buffer that is wiped ([`SecretBufWriter`]).

use std::ffi::OsString;
use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

use thiserror::Error;
use zeroize::Zeroizing;

use crate::private_file::FILE_MODE;
use crate::secret_io::SecretBufWriter;

/// The file that marks a key store directory (README "Key store").
const KEY_STORE_MARKER: &str = "kms.json";
/// Format names of the key store's files all start with this.
const KEY_FILE_FORMAT_PREFIX: &str = "sakke-engine/";

/// Why an output file was refused or could not be written. Each names the file.
#[derive(Debug, Error)]
pub enum OutputError {
    #[error("{} already exists (pass --force to replace it)", path.display())]
    Exists { path: PathBuf },
    #[error("{} is also an input of this command: write the output to another file", path.display())]
    IsInput { path: PathBuf },
    #[error("{} is inside the key store {}: only `sakke kms` writes there", path.display(), store.display())]
    InKeyStore { path: PathBuf, store: PathBuf },
    #[error("{} is a key file ({format}): this command never replaces it", path.display())]
    KeyFile { path: PathBuf, format: String },
    #[error("{} is a directory; name a file", path.display())]
    Directory { path: PathBuf },
    #[error("{} is a symbolic link; name the file it points to", path.display())]
    Symlink { path: PathBuf },
    #[error("{} is not a regular file; to discard the output use `--out -` and redirect it", path.display())]
    NotRegular { path: PathBuf },
    #[error("another sakke command is writing {}; try again when it has finished", path.display())]
    Busy { path: PathBuf },
    #[error("{what} {}: {source}", path.display())]
    Io {
        what: &'static str,
        path: PathBuf,
        #[source]
        source: io::Error,
    },
}

impl OutputError {
    fn io<'a>(what: &'static str, path: &'a Path) -> impl FnOnce(io::Error) -> OutputError + 'a {
        move |source| OutputError::Io {
            what,
            path: path.to_path_buf(),
            source,
        }
    }
}

/// What a command may do to the file it is about to write.
#[derive(Debug, Clone, Copy, Default)]
pub struct OutputRules<'a> {
    /// Replace an existing file (`--force`).
    pub force: bool,
    /// The files the command reads: never written over, `--force` or not.
    pub inputs: &'a [&'a Path],
    /// The key-file format this output is, if it is one: an existing file of the same
    /// format may be replaced with `force`; key files of any other format never.
    pub key_format: Option<&'static str>,
    /// Set only by the key store itself, the one writer allowed inside a key store.
    pub key_store_writer: bool,
}

/// An advisory lock on `path`'s `.<name>.lock` sibling, released (and the lock file
/// removed) on drop. A process that dies loses its lock with it.
pub struct FileLock {
    lock_path: PathBuf,
    _file: File,
}

impl FileLock {
    /// Takes the lock on `lock_path` without waiting; `Busy { path: what }` when another
    /// process holds it.
    pub fn acquire(lock_path: &Path, what: &Path) -> Result<FileLock, OutputError> {
        // The holder removes the lock file before it lets go, so a lock taken on a file
        // that is no longer at `lock_path` protects nothing: check, and try again.
        for _ in 0..8 {
            let file = create_mode_0600(OpenOptions::new().read(true).write(true).create(true))
                .open(lock_path)
                .map_err(OutputError::io("creating the lock file", lock_path))?;
            match file.try_lock() {
                Ok(()) => {}
                Err(fs::TryLockError::WouldBlock) => {
                    return Err(OutputError::Busy {
                        path: what.to_path_buf(),
                    })
                }
                Err(fs::TryLockError::Error(e)) => {
                    return Err(OutputError::io("locking", lock_path)(e));
                }
            }
            if same_file(&file, lock_path) {
                return Ok(FileLock {
                    lock_path: lock_path.to_path_buf(),
                    _file: file,
                });
            }
        }
        Err(OutputError::Busy {
            path: what.to_path_buf(),
        })
    }

    /// The lock for writing `target`: `.<name>.lock` in the same directory.
    fn for_target(target: &Path) -> Result<FileLock, OutputError> {
        FileLock::acquire(&sibling(target, ".lock"), target)
    }
}

impl Drop for FileLock {
    fn drop(&mut self) {
        // Remove first, unlock (close) second: see `acquire`.
        let _ = fs::remove_file(&self.lock_path);
    }
}

/// A file being written. Nothing appears at the target until [`OutputFile::finish`];
/// dropped unfinished, it leaves the target as it was.
pub struct OutputFile {
    target: PathBuf,
    tmp: PathBuf,
    writer: SecretBufWriter<File>,
    force: bool,
    replaced_mode: Option<u32>,
    published: bool,
    _lock: FileLock,
}

/// What [`OutputFile::finish`] did to the file it replaced, for the command to report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Published {
    /// The permission bits of a replaced file that others could read: the new file is
    /// 0600, and the command says so.
    pub tightened_from: Option<u32>,
}

impl OutputFile {
    /// Checks `target` against `rules`, locks it and opens a temporary file beside it.
    pub fn create(target: &Path, rules: &OutputRules<'_>) -> Result<OutputFile, OutputError> {
        check_target(target, rules)?;
        let lock = FileLock::for_target(target)?;
        // Checked again under the lock: another command may have just finished it.
        let existing = check_target(target, rules)?;
        remove_stale_temporaries(target);
        let tmp = temporary_name(target);
        let file = create_mode_0600(OpenOptions::new().write(true).create_new(true))
            .open(&tmp)
            .map_err(OutputError::io("creating a temporary file for", target))?;
        Ok(OutputFile {
            target: target.to_path_buf(),
            tmp,
            writer: SecretBufWriter::new(file),
            force: rules.force,
            replaced_mode: existing.and_then(|mode| (mode & 0o077 != 0).then_some(mode)),
            published: false,
            _lock: lock,
        })
    }

    /// Writes all of `contents` to a new file at `target` under `rules`.
    pub fn write_all_to(
        target: &Path,
        rules: &OutputRules<'_>,
        contents: &[u8],
    ) -> Result<Published, OutputError> {
        let mut file = OutputFile::create(target, rules)?;
        file.write_all(contents)
            .map_err(OutputError::io("writing", target))?;
        file.finish()
    }

    pub fn target(&self) -> &Path {
        &self.target
    }

    /// Flushes, syncs and moves the file into place (replacing the old one only under
    /// `force`), then syncs the directory so the new name survives a crash.
    pub fn finish(mut self) -> Result<Published, OutputError> {
        let target = self.target.clone();
        self.writer
            .flush()
            .map_err(OutputError::io("writing", &target))?;
        self.writer
            .get_ref()
            .sync_all()
            .map_err(OutputError::io("writing", &target))?;
        if self.force {
            fs::rename(&self.tmp, &target).map_err(OutputError::io("replacing", &target))?;
        } else {
            publish_new(&self.tmp, &target)?;
        }
        self.published = true;
        if let Ok(dir) = File::open(parent_dir(&target)) {
            let _ = dir.sync_all();
        }
        Ok(Published {
            tightened_from: self.replaced_mode,
        })
    }
}

impl Write for OutputFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.writer.write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.writer.flush()
    }
}

impl Drop for OutputFile {
    fn drop(&mut self) {
        if !self.published {
            let _ = fs::remove_file(&self.tmp);
        }
    }
}

/// Links `tmp` to `target` so that an existing target is never replaced, even by a
/// file that appeared a moment ago; then drops the temporary name.
fn publish_new(tmp: &Path, target: &Path) -> Result<(), OutputError> {
    let linked = match fs::hard_link(tmp, target) {
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
            return Err(OutputError::Exists {
                path: target.to_path_buf(),
            })
        }
        // File systems without hard links: under our lock, check then rename.
        Err(_) if fs::symlink_metadata(target).is_err() => fs::rename(tmp, target),
        other => other,
    };
    linked.map_err(OutputError::io("creating", target))?;
    let _ = fs::remove_file(tmp);
    Ok(())
}

/// Refuses what `rules` forbid; returns the permission bits of an existing target.
fn check_target(target: &Path, rules: &OutputRules<'_>) -> Result<Option<u32>, OutputError> {
    let path = || target.to_path_buf();
    if !rules.key_store_writer {
        if let Some(store) = key_store_containing(target) {
            return Err(OutputError::InKeyStore {
                path: path(),
                store,
            });
        }
    }
    let meta = match fs::symlink_metadata(target) {
        Ok(meta) => meta,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(OutputError::io("examining", target)(e)),
    };
    let kind = meta.file_type();
    if kind.is_dir() {
        return Err(OutputError::Directory { path: path() });
    }
    if kind.is_symlink() {
        return Err(OutputError::Symlink { path: path() });
    }
    if !kind.is_file() {
        return Err(OutputError::NotRegular { path: path() });
    }
    if rules.inputs.iter().any(|input| is_same_file(target, input)) {
        return Err(OutputError::IsInput { path: path() });
    }
    if let Some(format) = key_file_format(target) {
        if rules.key_format != Some(format.as_str()) {
            return Err(OutputError::KeyFile {
                path: path(),
                format,
            });
        }
    }
    if !rules.force {
        return Err(OutputError::Exists { path: path() });
    }
    Ok(Some(mode_bits(&meta)))
}

/// The key store directory `path` would be written into: its own directory or, for
/// `users/`, the one above, when that holds a kms.json.
pub fn key_store_containing(path: &Path) -> Option<PathBuf> {
    let dir = fs::canonicalize(parent_dir(path)).ok()?;
    let in_users = dir.file_name() == Some(crate::keystore::USERS_DIR.as_ref());
    let users_parent = if in_users { dir.parent() } else { None };
    let store = [Some(dir.as_path()), users_parent]
        .into_iter()
        .flatten()
        .find(|d| d.join(KEY_STORE_MARKER).is_file())
        .map(Path::to_path_buf);
    store
}

/// The `format` of a key store file at `path`, if it is one (read into a buffer wiped
/// afterwards: it may hold secrets).
fn key_file_format(path: &Path) -> Option<String> {
    #[derive(serde::Deserialize)]
    struct Header {
        format: String,
    }
    let mut bytes = Zeroizing::new(Vec::with_capacity(8 << 10));
    File::open(path)
        .ok()?
        .take(64 << 10)
        .read_to_end(&mut bytes)
        .ok()?;
    let header: Header = serde_json::from_slice(&bytes).ok()?;
    header
        .format
        .starts_with(KEY_FILE_FORMAT_PREFIX)
        .then_some(header.format)
}

/// Whether two paths name the same file (same device and inode).
pub fn is_same_file(a: &Path, b: &Path) -> bool {
    match (fs::metadata(a), fs::metadata(b)) {
        (Ok(a), Ok(b)) => file_id(&a) == file_id(&b),
        _ => false,
    }
}

fn same_file(file: &File, path: &Path) -> bool {
    match (file.metadata(), fs::metadata(path)) {
        (Ok(a), Ok(b)) => file_id(&a) == file_id(&b),
        _ => false,
    }
}

#[cfg(unix)]
fn file_id(meta: &fs::Metadata) -> (u64, u64) {
    use std::os::unix::fs::MetadataExt;
    (meta.dev(), meta.ino())
}

#[cfg(not(unix))]
fn file_id(meta: &fs::Metadata) -> (u64, u64) {
    (meta.len(), 0)
}

#[cfg(unix)]
fn mode_bits(meta: &fs::Metadata) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    meta.permissions().mode() & 0o7777
}

#[cfg(not(unix))]
fn mode_bits(_: &fs::Metadata) -> u32 {
    FILE_MODE
}

fn create_mode_0600(options: &mut OpenOptions) -> &mut OpenOptions {
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(FILE_MODE);
    }
    options
}

fn parent_dir(path: &Path) -> &Path {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

/// `.<name><suffix>` in the directory of `path`.
fn sibling(path: &Path, suffix: &str) -> PathBuf {
    let mut name = OsString::from(".");
    name.push(path.file_name().unwrap_or_default());
    name.push(suffix);
    parent_dir(path).join(name)
}

/// `.<name>.tmp-<pid>-<n>`: unique to this process and call.
fn temporary_name(target: &Path) -> PathBuf {
    use std::sync::atomic::{AtomicU64, Ordering};
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    sibling(target, &format!(".tmp-{}-{n}", std::process::id()))
}

/// Removes temporary files a killed run left for `target`. Safe under the target's
/// lock: a run still writing one would hold that lock.
fn remove_stale_temporaries(target: &Path) {
    let prefix = sibling(target, ".tmp-");
    let Some(prefix) = prefix.file_name().and_then(|p| p.to_str()) else {
        return;
    };
    let Ok(entries) = fs::read_dir(parent_dir(target)) else {
        return;
    };
    for entry in entries.flatten() {
        if entry
            .file_name()
            .to_str()
            .is_some_and(|n| n.starts_with(prefix))
        {
            let _ = fs::remove_file(entry.path());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Dir(PathBuf);

    impl Dir {
        fn new(name: &str) -> Dir {
            let dir = std::env::temp_dir().join(format!(
                "sakke-output-{name}-{}-{:?}",
                std::process::id(),
                std::thread::current().id()
            ));
            let _ = fs::remove_dir_all(&dir);
            fs::create_dir_all(&dir).unwrap();
            Dir(dir)
        }
    }

    impl Drop for Dir {
        fn drop(&mut self) {
            let _ = fs::remove_dir_all(&self.0);
        }
    }

    fn entries(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    const RULES: OutputRules<'static> = OutputRules {
        force: false,
        inputs: &[],
        key_format: None,
        key_store_writer: false,
    };
    const FORCE: OutputRules<'static> = OutputRules {
        force: true,
        ..RULES
    };

    #[test]
    fn nothing_appears_until_finished_and_an_unfinished_file_leaves_no_trace() {
        let dir = Dir::new("finish");
        let target = dir.0.join("out.jsonl");
        let mut file = OutputFile::create(&target, &RULES).unwrap();
        file.write_all(b"line\n").unwrap();
        assert!(!target.exists());
        drop(file);
        assert_eq!(entries(&dir.0), Vec::<String>::new());

        let mut file = OutputFile::create(&target, &RULES).unwrap();
        file.write_all(b"done\n").unwrap();
        assert_eq!(file.finish().unwrap().tightened_from, None);
        assert_eq!(fs::read(&target).unwrap(), b"done\n");
        assert_eq!(entries(&dir.0), ["out.jsonl"]);
    }

    #[test]
    fn an_existing_file_needs_force_and_stays_intact_when_a_replacement_fails() {
        let dir = Dir::new("force");
        let target = dir.0.join("out");
        fs::write(&target, b"old").unwrap();
        assert!(matches!(
            OutputFile::create(&target, &RULES),
            Err(OutputError::Exists { .. })
        ));
        let mut file = OutputFile::create(&target, &FORCE).unwrap();
        file.write_all(b"half").unwrap();
        drop(file); // a failed run
        assert_eq!(fs::read(&target).unwrap(), b"old");
        OutputFile::write_all_to(&target, &FORCE, b"new").unwrap();
        assert_eq!(fs::read(&target).unwrap(), b"new");
    }

    #[cfg(unix)]
    #[test]
    fn a_readable_file_is_replaced_by_a_private_one_and_reported() {
        use std::os::unix::fs::PermissionsExt;
        let dir = Dir::new("mode");
        let target = dir.0.join("out");
        fs::write(&target, b"old").unwrap();
        fs::set_permissions(&target, fs::Permissions::from_mode(0o644)).unwrap();
        let published = OutputFile::write_all_to(&target, &FORCE, b"new").unwrap();
        assert_eq!(published.tightened_from, Some(0o644));
        let mode = fs::metadata(&target).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
    }

    #[test]
    fn inputs_directories_links_and_key_files_are_refused_even_with_force() {
        let dir = Dir::new("refuse");
        let input = dir.0.join("in");
        fs::write(&input, b"requests").unwrap();
        let inputs: [&Path; 1] = [&input];
        let rules = OutputRules {
            inputs: &inputs,
            ..FORCE
        };
        assert!(matches!(
            OutputFile::create(&input, &rules),
            Err(OutputError::IsInput { .. })
        ));
        assert!(matches!(
            OutputFile::create(&dir.0, &rules),
            Err(OutputError::Directory { .. })
        ));
        #[cfg(unix)]
        {
            let link = dir.0.join("link");
            std::os::unix::fs::symlink(&input, &link).unwrap();
            assert!(matches!(
                OutputFile::create(&link, &rules),
                Err(OutputError::Symlink { .. })
            ));
            assert!(matches!(
                OutputFile::create(Path::new("/dev/null"), &rules),
                Err(OutputError::NotRegular { .. })
            ));
        }
        let key = dir.0.join("alice.json");
        fs::write(
            &key,
            br#"{"format": "sakke-engine/user-keys", "version": 1}"#,
        )
        .unwrap();
        assert!(matches!(
            OutputFile::create(&key, &rules),
            Err(OutputError::KeyFile { .. })
        ));
        let same_format = OutputRules {
            key_format: Some("sakke-engine/user-keys"),
            ..rules
        };
        assert!(OutputFile::create(&key, &same_format).is_ok());
        assert_eq!(fs::read(&input).unwrap(), b"requests");
    }

    #[test]
    fn a_key_store_directory_is_off_limits_to_everyone_but_the_key_store() {
        let dir = Dir::new("store");
        fs::create_dir_all(dir.0.join("users")).unwrap();
        fs::write(dir.0.join("kms.json"), b"{}").unwrap();
        for target in [dir.0.join("results.jsonl"), dir.0.join("users/x.json")] {
            assert!(matches!(
                OutputFile::create(&target, &FORCE),
                Err(OutputError::InKeyStore { .. })
            ));
            let store = OutputRules {
                key_store_writer: true,
                ..FORCE
            };
            assert!(OutputFile::create(&target, &store).is_ok());
        }
    }

    #[test]
    fn a_second_writer_of_the_same_file_is_busy_until_the_first_is_done() {
        let dir = Dir::new("lock");
        let target = dir.0.join("out");
        let first = OutputFile::create(&target, &RULES).unwrap();
        assert!(matches!(
            OutputFile::create(&target, &FORCE),
            Err(OutputError::Busy { .. })
        ));
        first.finish().unwrap();
        assert_eq!(entries(&dir.0), ["out"]);
        assert!(OutputFile::create(&target, &FORCE).is_ok());
    }

    #[test]
    fn temporaries_left_by_a_killed_run_are_removed_by_the_next() {
        let dir = Dir::new("stale");
        let target = dir.0.join("out");
        fs::write(dir.0.join(".out.tmp-999999-0"), b"partial").unwrap();
        fs::write(dir.0.join(".other.tmp-999999-0"), b"not ours").unwrap();
        OutputFile::write_all_to(&target, &RULES, b"x").unwrap();
        assert_eq!(entries(&dir.0), [".other.tmp-999999-0", "out"]);
    }
}
