//! Buffered reading and writing of data that holds secrets (request files with RSKs,
//! result files with SSVs, key files): one buffer, allocated once, never grown and wiped
//! on drop. std's `BufReader` and `BufWriter` free their buffers as they are.

use std::io::{self, BufRead, Read, Write};

use zeroize::Zeroizing;

/// Room for a few dozen batch lines.
pub const BUFFER_BYTES: usize = 64 << 10;

/// A `BufReader` whose buffer is wiped on drop.
pub struct SecretBufReader<R> {
    inner: R,
    buf: Zeroizing<Vec<u8>>,
    pos: usize,
    filled: usize,
}

impl<R: Read> SecretBufReader<R> {
    pub fn new(inner: R) -> Self {
        SecretBufReader {
            inner,
            buf: Zeroizing::new(vec![0u8; BUFFER_BYTES]),
            pos: 0,
            filled: 0,
        }
    }
}

impl<R: Read> Read for SecretBufReader<R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        let available = self.fill_buf()?;
        let n = available.len().min(out.len());
        out[..n].copy_from_slice(&available[..n]);
        self.consume(n);
        Ok(n)
    }
}

impl<R: Read> BufRead for SecretBufReader<R> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        if self.pos == self.filled {
            self.filled = self.inner.read(&mut self.buf)?;
            self.pos = 0;
        }
        Ok(&self.buf[self.pos..self.filled])
    }

    fn consume(&mut self, n: usize) {
        self.pos = (self.pos + n).min(self.filled);
    }
}

/// A `BufWriter` whose buffer never grows and is wiped on drop. Like `BufWriter`, it
/// writes what it holds when dropped (errors ignored): call `flush` to see them.
pub struct SecretBufWriter<W: Write> {
    inner: W,
    buf: Zeroizing<Vec<u8>>,
}

impl<W: Write> SecretBufWriter<W> {
    pub fn new(inner: W) -> Self {
        SecretBufWriter {
            inner,
            buf: Zeroizing::new(Vec::with_capacity(BUFFER_BYTES)),
        }
    }

    pub fn get_ref(&self) -> &W {
        &self.inner
    }

    fn write_buffered(&mut self) -> io::Result<()> {
        let result = self.inner.write_all(&self.buf);
        self.buf.clear(); // the bytes stay until overwritten or dropped, both wiped
        result
    }
}

impl<W: Write> Write for SecretBufWriter<W> {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        if self.buf.len() + data.len() > self.buf.capacity() {
            self.write_buffered()?;
        }
        if data.len() >= self.buf.capacity() {
            return self.inner.write(data);
        }
        self.buf.extend_from_slice(data);
        Ok(data.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.write_buffered()?;
        self.inner.flush()
    }
}

impl<W: Write> Drop for SecretBufWriter<W> {
    fn drop(&mut self) {
        if !std::thread::panicking() {
            let _ = self.write_buffered();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_through_a_small_buffer_in_order() {
        let data: Vec<u8> = (0..3 * BUFFER_BYTES + 5).map(|i| i as u8).collect();
        let mut reader = SecretBufReader::new(&data[..]);
        let mut out = Vec::new();
        reader.read_to_end(&mut out).unwrap();
        assert_eq!(out, data);
    }

    #[test]
    fn writes_everything_in_order_without_growing() {
        let mut out = SecretBufWriter::new(Vec::new());
        let capacity = out.buf.capacity();
        let mut expected = Vec::new();
        for len in [10, BUFFER_BYTES - 3, 7, 2 * BUFFER_BYTES, 1] {
            let piece: Vec<u8> = (0..len).map(|i| (i + len) as u8).collect();
            out.write_all(&piece).unwrap();
            expected.extend_from_slice(&piece);
            assert_eq!(out.buf.capacity(), capacity);
        }
        out.flush().unwrap();
        assert_eq!(out.get_ref(), &expected);
    }
}
