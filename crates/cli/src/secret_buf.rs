//! A byte buffer for secrets that leaves no copy behind: wiped on drop, and when it must
//! grow it moves to a larger buffer itself and wipes the old one. A `Vec` that grows
//! hands its old buffer back to the allocator as it was, secrets and all.

use std::io;
use std::ops::Deref;

use serde::Serialize;
use zeroize::{Zeroize, Zeroizing};

/// Bytes wiped on drop and whenever they move.
#[derive(Default)]
pub struct SecretBuf(Zeroizing<Vec<u8>>);

impl SecretBuf {
    pub fn with_capacity(capacity: usize) -> SecretBuf {
        SecretBuf(Zeroizing::new(Vec::with_capacity(capacity)))
    }

    pub fn extend_from_slice(&mut self, bytes: &[u8]) {
        let needed = self.0.len() + bytes.len();
        if needed > self.0.capacity() {
            let capacity = needed.max(2 * self.0.capacity()).max(64);
            let mut larger = Zeroizing::new(Vec::with_capacity(capacity));
            larger.extend_from_slice(&self.0);
            self.0 = larger; // the old buffer is wiped as it drops
        }
        self.0.extend_from_slice(bytes);
    }

    /// Shortens the contents; what is cut off is wiped.
    pub fn truncate(&mut self, len: usize) {
        if len < self.0.len() {
            self.0[len..].zeroize();
            self.0.truncate(len);
        }
    }

    pub fn into_bytes(self) -> Zeroizing<Vec<u8>> {
        self.0
    }

    /// The contents as text, or `None` (and wiped) if they are not UTF-8.
    pub fn into_string(mut self) -> Option<Zeroizing<String>> {
        let bytes = std::mem::take(&mut *self.0);
        match String::from_utf8(bytes) {
            Ok(text) => Some(Zeroizing::new(text)),
            Err(err) => {
                drop(Zeroizing::new(err.into_bytes()));
                None
            }
        }
    }
}

impl Deref for SecretBuf {
    type Target = [u8];

    fn deref(&self) -> &[u8] {
        &self.0
    }
}

impl io::Write for SecretBuf {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        self.extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// `value` as pretty JSON and a final newline, in a buffer that leaves no copies (what
/// `serde_json::to_vec_pretty` grows through is freed unwiped).
pub fn to_json_pretty<T: Serialize>(value: &T) -> serde_json::Result<Zeroizing<Vec<u8>>> {
    let mut out = SecretBuf::with_capacity(1024);
    serde_json::to_writer_pretty(&mut out, value)?;
    out.extend_from_slice(b"\n");
    Ok(out.into_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grows_keeps_contents_and_cuts_off() {
        let mut buf = SecretBuf::default();
        for i in 0..200u8 {
            buf.extend_from_slice(&[i]);
        }
        assert_eq!(&buf[..], (0..200u8).collect::<Vec<_>>());
        buf.truncate(3);
        assert_eq!(&buf[..], [0, 1, 2]);
        assert_eq!(
            buf.into_string().as_deref().map(String::as_str),
            Some("\0\u{1}\u{2}")
        );
        let mut bad = SecretBuf::default();
        bad.extend_from_slice(b"\xff");
        assert!(bad.into_string().is_none());
    }

    #[test]
    fn json_ends_with_a_newline() {
        let json = to_json_pretty(&serde_json::json!({ "a": 1 })).unwrap();
        assert_eq!(&json[..], b"{\n  \"a\": 1\n}\n");
    }
}
