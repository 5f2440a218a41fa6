//! Files that hold secrets: created 0600 in directories created 0700, written to a
//! temporary name first and moved into place, so that a crash never leaves a half-written
//! key file and no other user can ever read one, even for a moment.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// Permission bits for secret files and key store directories.
pub const FILE_MODE: u32 = 0o600;
pub const DIR_MODE: u32 = 0o700;

/// Creates `dir` (and missing parents) and sets it to 0700.
pub fn create_private_dir(dir: &Path) -> io::Result<()> {
    fs::create_dir_all(dir)?;
    set_mode(dir, DIR_MODE)
}

/// Writes `contents` to `path` with mode 0600. Fails with `AlreadyExists` if `path`
/// exists and `overwrite` is false (checked atomically: the file is linked into place).
pub fn write_private(path: &Path, contents: &[u8], overwrite: bool) -> io::Result<()> {
    let tmp = temp_path(path);
    let result = write_new(&tmp, contents).and_then(|()| {
        if overwrite {
            return fs::rename(&tmp, path);
        }
        match fs::hard_link(&tmp, path) {
            // Some file systems have no hard links: check, then rename (not atomic).
            Err(e) if e.kind() != io::ErrorKind::AlreadyExists && !path.exists() => {
                fs::rename(&tmp, path)
            }
            other => other,
        }
    });
    // After a rename the temporary name is gone; after a link (or a failure) it is not.
    let _ = fs::remove_file(&tmp);
    result
}

/// Creates `path` as a new file: 0600 for secrets on Unix.
pub fn create_private(path: &Path) -> io::Result<File> {
    let mut options = OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(FILE_MODE);
    }
    options.open(path)
}

/// The permission bits of `path` (None where the platform has none).
pub fn mode(path: &Path) -> io::Result<Option<u32>> {
    let meta = fs::metadata(path)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        Ok(Some(meta.permissions().mode() & 0o7777))
    }
    #[cfg(not(unix))]
    {
        let _ = meta;
        Ok(None)
    }
}

fn write_new(path: &Path, contents: &[u8]) -> io::Result<()> {
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(FILE_MODE);
    }
    let mut file = options.open(path)?;
    file.write_all(contents)?;
    file.sync_all()
}

fn set_mode(path: &Path, mode: u32) -> io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(path, fs::Permissions::from_mode(mode))
    }
    #[cfg(not(unix))]
    {
        let _ = (path, mode);
        Ok(())
    }
}

/// A sibling of `path` that no other writer uses: ".<name>.tmp-<pid>-<counter>".
fn temp_path(path: &Path) -> PathBuf {
    use std::sync::atomic::{AtomicU64, Ordering};
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    path.with_file_name(format!(".{name}.tmp-{}-{n}", std::process::id()))
}
