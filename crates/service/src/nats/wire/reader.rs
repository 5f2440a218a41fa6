//! A cursor over received bytes: every read is bounds-checked and says what it read.

use super::{WireError, MAX_ITEMS};

pub(super) struct Reader<'a>(pub &'a [u8]);

impl<'a> Reader<'a> {
    pub fn take(&mut self, n: usize, what: &'static str) -> Result<&'a [u8], WireError> {
        if self.0.len() < n {
            return Err(WireError::Truncated(what));
        }
        let (head, rest) = self.0.split_at(n);
        self.0 = rest;
        Ok(head)
    }

    pub fn u8(&mut self, what: &'static str) -> Result<u8, WireError> {
        Ok(self.take(1, what)?[0])
    }

    pub fn u16(&mut self, what: &'static str) -> Result<u16, WireError> {
        let b = self.take(2, what)?;
        Ok(u16::from_be_bytes([b[0], b[1]]))
    }

    pub fn u32(&mut self, what: &'static str) -> Result<u32, WireError> {
        let b = self.take(4, what)?;
        Ok(u32::from_be_bytes(b.try_into().expect("4 bytes")))
    }

    pub fn u64(&mut self, what: &'static str) -> Result<u64, WireError> {
        let b = self.take(8, what)?;
        Ok(u64::from_be_bytes(b.try_into().expect("8 bytes")))
    }

    /// Bytes after their length (one byte wide, or two when `wide`), at most `max`.
    pub fn bytes(
        &mut self,
        what: &'static str,
        max: usize,
        wide: bool,
    ) -> Result<&'a [u8], WireError> {
        let len = if wide {
            self.u16(what)? as usize
        } else {
            self.u8(what)? as usize
        };
        if len > max {
            return Err(WireError::TooLong {
                field: what,
                len,
                max,
            });
        }
        self.take(len, what)
    }

    pub fn text(
        &mut self,
        what: &'static str,
        max: usize,
        wide: bool,
    ) -> Result<String, WireError> {
        let b = self.bytes(what, max, wide)?;
        String::from_utf8(b.to_vec()).map_err(|_| WireError::NotUtf8(what))
    }

    /// The magic and a version, which must be one of `versions`.
    pub fn header(
        &mut self,
        magic: &[u8; 3],
        what: &'static str,
        versions: &[u8],
    ) -> Result<u8, WireError> {
        if self.take(3, what)? != magic {
            return Err(WireError::BadMagic(what));
        }
        match self.u8("version")? {
            v if versions.contains(&v) => Ok(v),
            v => Err(WireError::UnsupportedVersion(v)),
        }
    }

    pub fn count(&mut self) -> Result<usize, WireError> {
        let n = self.u16("item count")? as usize;
        if n == 0 || n > MAX_ITEMS {
            return Err(WireError::BadCount(n));
        }
        Ok(n)
    }

    pub fn end(&self) -> Result<(), WireError> {
        match self.0.len() {
            0 => Ok(()),
            n => Err(WireError::Trailing(n)),
        }
    }
}
