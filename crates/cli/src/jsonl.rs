//! JSON Lines plumbing for the batch commands: reading lines with a length cap (a
//! runaway line must cost one error result, not all memory), `-` for stdin / stdout,
//! and result files written through [`OutputFile`] because they hold secrets. Requests
//! hold RSKs and results SSVs: every buffer they pass through is wiped.

use std::fs::File;
use std::io::{self, BufRead, Read, Stdout, Write};
use std::path::Path;

use anyhow::{bail, Context, Result};
use zeroize::Zeroizing;

use crate::output_file::{OutputFile, OutputRules, Published};
use crate::secret_buf::SecretBuf;
use crate::secret_io::{SecretBufReader, SecretBufWriter};

/// Longest accepted line; a request is about 1.2 KB.
pub const MAX_LINE_BYTES: usize = 1 << 20;

/// Why an input line cannot be text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unreadable {
    NotUtf8,
    TooLong(usize),
}

/// One input line, wiped on drop.
pub type Line = Result<Zeroizing<String>, Unreadable>;

/// Reads '\n'-terminated lines (a trailing '\r' is dropped), capping their length.
pub struct LineReader<R> {
    inner: R,
    done: bool,
}

impl<R: BufRead> LineReader<R> {
    pub fn new(inner: R) -> Self {
        LineReader { inner, done: false }
    }

    /// The next line; `None` at end of input. A final line without '\n' counts.
    pub fn next_line(&mut self) -> io::Result<Option<Line>> {
        if self.done {
            return Ok(None);
        }
        let mut buf = SecretBuf::default();
        let mut len = 0usize;
        let mut saw_any = false;
        loop {
            let available = match self.inner.fill_buf() {
                Ok(b) => b,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            if available.is_empty() {
                self.done = true;
                if !saw_any {
                    return Ok(None);
                }
                break;
            }
            saw_any = true;
            let (chunk, consumed, end) = match available.iter().position(|&b| b == b'\n') {
                Some(i) => (&available[..i], i + 1, true),
                None => (available, available.len(), false),
            };
            len += chunk.len();
            if len <= MAX_LINE_BYTES {
                buf.extend_from_slice(chunk);
            }
            self.inner.consume(consumed);
            if end {
                break;
            }
        }
        if len > MAX_LINE_BYTES {
            return Ok(Some(Err(Unreadable::TooLong(len))));
        }
        if buf.last() == Some(&b'\r') {
            buf.truncate(buf.len() - 1);
        }
        Ok(Some(buf.into_string().ok_or(Unreadable::NotUtf8)))
    }

    /// Up to `max_lines` lines or about `max_bytes` of them, whichever comes first.
    pub fn next_chunk(&mut self, max_lines: usize, max_bytes: usize) -> io::Result<Vec<Line>> {
        let mut lines = Vec::new();
        let mut bytes = 0;
        while lines.len() < max_lines && bytes < max_bytes {
            match self.next_line()? {
                Some(line) => {
                    bytes += line.as_ref().map_or(0, |text| text.len());
                    lines.push(line);
                }
                None => break,
            }
        }
        Ok(lines)
    }
}

/// `-` is stdin; anything else a file, which must not be a directory.
pub fn open_input(path: &Path) -> Result<Box<dyn BufRead>> {
    if path == Path::new("-") {
        return Ok(Box::new(SecretBufReader::new(io::stdin())));
    }
    let file = File::open(path).with_context(|| format!("opening {}", path.display()))?;
    if file.metadata().is_ok_and(|m| m.is_dir()) {
        bail!("{} is a directory; name a file of requests", path.display());
    }
    Ok(Box::new(SecretBufReader::new(file)))
}

/// Where results go: stdout, streamed as they come, or a file that appears, complete,
/// only when the run succeeds.
pub enum ResultSink {
    Stdout(SecretBufWriter<Stdout>),
    File(OutputFile),
}

impl ResultSink {
    /// `-` is stdout; anything else an [`OutputFile`] under `rules`.
    pub fn open(path: &Path, rules: &OutputRules<'_>) -> Result<ResultSink> {
        if path == Path::new("-") {
            return Ok(ResultSink::Stdout(SecretBufWriter::new(io::stdout())));
        }
        Ok(ResultSink::File(OutputFile::create(path, rules)?))
    }

    /// Flushes stdout, or moves the finished file into place.
    pub fn finish(self) -> Result<Option<Published>> {
        match self {
            ResultSink::Stdout(mut out) => {
                out.flush().context("writing standard output")?;
                Ok(None)
            }
            ResultSink::File(file) => Ok(Some(file.finish()?)),
        }
    }
}

impl Write for ResultSink {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            ResultSink::Stdout(out) => out.write(buf),
            ResultSink::File(file) => file.write(buf),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match self {
            ResultSink::Stdout(out) => out.flush(),
            ResultSink::File(file) => file.flush(),
        }
    }
}

/// The number of lines in a regular file, for the progress bar; `None` for stdin.
pub fn count_lines(path: &Path) -> Option<u64> {
    if path == Path::new("-") {
        return None;
    }
    let mut file = File::open(path).ok()?;
    let mut buf = Zeroizing::new(vec![0u8; 1 << 16]);
    let (mut lines, mut last) = (0u64, b'\n');
    loop {
        let n = file.read(&mut buf).ok()?;
        if n == 0 {
            break;
        }
        lines += buf[..n].iter().filter(|&&b| b == b'\n').count() as u64;
        last = buf[n - 1];
    }
    Some(lines + u64::from(last != b'\n'))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_all(input: &[u8]) -> Vec<Line> {
        let mut reader = LineReader::new(input);
        let mut out = Vec::new();
        while let Some(line) = reader.next_line().unwrap() {
            out.push(line);
        }
        out
    }

    #[test]
    fn splits_lines_and_flags_bad_ones() {
        let t = |s: &str| Ok(Zeroizing::new(s.to_string()));
        assert_eq!(read_all(b""), []);
        assert_eq!(read_all(b"a\n"), [t("a")]);
        assert_eq!(read_all(b"a\r\n\nb"), [t("a"), t(""), t("b")]);
        assert_eq!(read_all(b"\xff\nc\n"), [Err(Unreadable::NotUtf8), t("c")]);
        let mut long = vec![b'x'; MAX_LINE_BYTES + 5];
        long.extend_from_slice(b"\nok\n");
        assert_eq!(
            read_all(&long),
            [Err(Unreadable::TooLong(MAX_LINE_BYTES + 5)), t("ok")]
        );
    }
}
