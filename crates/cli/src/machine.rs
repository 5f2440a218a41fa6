//! What the figures were measured on and built from, read best-effort: a field that
//! cannot be read says "unknown" rather than failing the benchmark.

use std::process::Command;

use serde::Serialize;

const UNKNOWN: &str = "unknown";

#[derive(Debug, Clone, Serialize)]
pub struct Machine {
    pub host: String,
    pub cpu_model: String,
    /// Logical cores this process may use.
    pub cores: usize,
    pub os: String,
    pub kernel: String,
    pub arch: &'static str,
    /// 1, 5 and 15 minute load averages when the run started and ended: other work on
    /// the machine shows up here.
    pub load_average_start: Option<[f64; 3]>,
    pub load_average_end: Option<[f64; 3]>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Build {
    pub sakke_version: &'static str,
    pub git_revision: String,
    pub rustc: String,
    /// True for a debug or test build, whose figures are not representative.
    pub debug_assertions: bool,
}

impl Machine {
    pub fn probe() -> Machine {
        Machine {
            host: host(),
            cpu_model: cpu_model(),
            cores: cores(),
            os: os(),
            kernel: read_trimmed("/proc/sys/kernel/osrelease").unwrap_or_else(|| UNKNOWN.into()),
            arch: std::env::consts::ARCH,
            load_average_start: load_average(),
            load_average_end: None,
        }
    }
}

impl Build {
    pub fn probe() -> Build {
        let git = command_output("git", &["rev-parse", "--short", "HEAD"]);
        let dirty = command_output("git", &["status", "--porcelain", "--untracked-files=no"])
            .is_some_and(|s| !s.is_empty());
        Build {
            sakke_version: env!("CARGO_PKG_VERSION"),
            git_revision: match git {
                Some(rev) if dirty => format!("{rev}-dirty"),
                Some(rev) => rev,
                None => UNKNOWN.into(),
            },
            rustc: command_output("rustc", &["--version"]).unwrap_or_else(|| UNKNOWN.into()),
            debug_assertions: cfg!(debug_assertions),
        }
    }
}

pub fn cores() -> usize {
    std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
}

fn read_trimmed(path: &str) -> Option<String> {
    let s = std::fs::read_to_string(path).ok()?;
    let s = s.trim();
    (!s.is_empty()).then(|| s.to_string())
}

/// Trimmed stdout of a command that succeeded with some output.
fn command_output(program: &str, args: &[&str]) -> Option<String> {
    let out = Command::new(program).args(args).output().ok()?;
    if !out.status.success() {
        return None;
    }
    Some(String::from_utf8_lossy(&out.stdout).trim().to_string())
}

fn host() -> String {
    read_trimmed("/proc/sys/kernel/hostname")
        .or_else(|| std::env::var("HOSTNAME").ok().filter(|h| !h.is_empty()))
        .or_else(|| command_output("hostname", &[]).filter(|h| !h.is_empty()))
        .unwrap_or_else(|| UNKNOWN.into())
}

/// The first "model name" in /proc/cpuinfo.
fn cpu_model() -> String {
    std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|info| {
            info.lines().find_map(|line| {
                let (key, value) = line.split_once(':')?;
                (key.trim() == "model name").then(|| value.trim().to_string())
            })
        })
        .unwrap_or_else(|| UNKNOWN.into())
}

/// PRETTY_NAME from /etc/os-release, else the target OS.
fn os() -> String {
    std::fs::read_to_string("/etc/os-release")
        .ok()
        .and_then(|release| {
            release.lines().find_map(|line| {
                let value = line.strip_prefix("PRETTY_NAME=")?;
                Some(value.trim_matches('"').to_string())
            })
        })
        .unwrap_or_else(|| std::env::consts::OS.to_string())
}

pub fn load_average() -> Option<[f64; 3]> {
    let s = std::fs::read_to_string("/proc/loadavg").ok()?;
    let mut it = s.split_whitespace().map(|v| v.parse::<f64>().ok());
    Some([it.next()??, it.next()??, it.next()??])
}

/// CPU seconds (user + system) used so far by this process, all threads together, from
/// /proc/self/stat in clock ticks of 1/100 s (USER_HZ, fixed by the Linux ABI).
pub fn process_cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    parse_cpu_ticks(&stat).map(|ticks| ticks as f64 / 100.0)
}

/// utime + stime of a /proc/<pid>/stat line: fields 14 and 15, counted after the command
/// name, which is in parentheses and may itself hold spaces or parentheses.
fn parse_cpu_ticks(stat: &str) -> Option<u64> {
    let (_, rest) = stat.rsplit_once(')')?;
    let mut fields = rest.split_whitespace().skip(11);
    let utime: u64 = fields.next()?.parse().ok()?;
    let stime: u64 = fields.next()?.parse().ok()?;
    Some(utime + stime)
}

/// `text` with anything but ASCII letters, digits, '.', '-' and '_' replaced by '_', for
/// use in a file name.
pub fn file_name_safe(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// What every results document begins with: its schema, when it ran, the command that
/// reproduces it, the notes, and the machine and build it ran on.
#[derive(Debug, Clone, Serialize)]
pub struct RunHeader {
    /// Bumped when a field changes meaning or is removed.
    pub schema: &'static str,
    /// When the run started, RFC 3339 UTC.
    pub timestamp: String,
    /// The command line, to reproduce the run.
    pub command: String,
    pub notes: Vec<String>,
    pub machine: Machine,
    pub build: Build,
    #[serde(skip)]
    started: crate::time::UtcTime,
}

impl RunHeader {
    /// Probes the machine and the build as the run starts.
    pub fn start(schema: &'static str, notes: Vec<String>) -> RunHeader {
        let started = crate::time::UtcTime::now();
        RunHeader {
            schema,
            timestamp: started.to_string(),
            command: command_line(),
            notes,
            machine: Machine::probe(),
            build: Build::probe(),
            started,
        }
    }

    /// Records the load averages as the run ends.
    pub fn finish(&mut self) {
        self.machine.load_average_end = load_average();
    }

    /// "<date>-<host>-<what>", the name its results files are written under.
    pub fn file_base(&self, what: &str) -> String {
        format!(
            "{}-{}-{what}",
            self.started.day(),
            file_name_safe(&self.machine.host)
        )
    }

    /// "YYYY-MM-DD", for plot titles.
    pub fn day(&self) -> String {
        self.started.day()
    }
}

/// This process's command line as `sakke ARGS`, each argument a POSIX shell word, so the
/// run can be repeated.
pub fn command_line() -> String {
    let mut command = vec!["sakke".to_string()];
    command.extend(std::env::args().skip(1).map(|a| shell_quote(&a)));
    command.join(" ")
}

/// `arg` as a POSIX shell word: unchanged when it is plain, else single-quoted.
fn shell_quote(arg: &str) -> String {
    let plain = !arg.is_empty()
        && arg
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.,/=:+@%".contains(c));
    if plain {
        arg.to_string()
    } else {
        format!("'{}'", arg.replace('\'', r"'\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cpu_ticks_from_proc_stat() {
        let line = "4242 (sakke (x) y) R 1 2 3 4 5 6 7 8 9 10 250 31 0 0 20 0 3 0 99";
        assert_eq!(parse_cpu_ticks(line), Some(281));
        assert_eq!(parse_cpu_ticks("4242 (sakke) R 1 2"), None);
        assert!(process_cpu_seconds().is_some_and(|s| s >= 0.0));
    }

    #[test]
    fn file_names_keep_only_safe_characters() {
        assert_eq!(file_name_safe("build-01.lab"), "build-01.lab");
        assert_eq!(file_name_safe("a/b c\u{e9}"), "a_b_c_");
    }

    #[test]
    fn words_are_quoted_only_when_needed() {
        assert_eq!(shell_quote("--sizes=1,16"), "--sizes=1,16");
        assert_eq!(shell_quote("two words"), "'two words'");
        assert_eq!(shell_quote("it's"), r"'it'\''s'");
        assert_eq!(shell_quote(""), "''");
    }
}
