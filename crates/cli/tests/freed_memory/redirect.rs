//! Points this process's standard input, output and error at files while an operation
//! runs in process: its output (which may carry keys by design, as `imessage open`'s
//! does) stays out of the test log and can be read back, and a batch can read stdin.

use std::fs::File;
use std::io::Write;
use std::os::fd::{AsRawFd, RawFd};
use std::path::Path;

/// Restores the original descriptors on [`Redirect::restore`].
pub struct Redirect {
    saved: Vec<(RawFd, RawFd)>,
}

impl Redirect {
    /// Standard output and error to new files; standard input from `stdin` if given.
    pub fn to(stdout: &Path, stderr: &Path, stdin: Option<&Path>) -> Redirect {
        flush_std();
        let mut redirect = Redirect { saved: Vec::new() };
        redirect.swap(
            libc::STDOUT_FILENO,
            &File::create(stdout).expect("stdout file"),
        );
        redirect.swap(
            libc::STDERR_FILENO,
            &File::create(stderr).expect("stderr file"),
        );
        if let Some(path) = stdin {
            redirect.swap(libc::STDIN_FILENO, &File::open(path).expect("stdin file"));
        }
        redirect
    }

    fn swap(&mut self, fd: RawFd, file: &File) {
        // Plain descriptor juggling on descriptors this process owns.
        let saved = unsafe { libc::dup(fd) };
        assert!(saved >= 0, "dup({fd}) failed");
        assert!(
            unsafe { libc::dup2(file.as_raw_fd(), fd) } >= 0,
            "dup2 failed"
        );
        self.saved.push((fd, saved));
    }

    pub fn restore(self) {
        flush_std();
        for (fd, saved) in self.saved {
            unsafe {
                libc::dup2(saved, fd);
                libc::close(saved);
            }
        }
    }
}

fn flush_std() {
    let _ = std::io::stdout().flush();
    let _ = std::io::stderr().flush();
}
