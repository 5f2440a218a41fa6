//! Bounds-checked big-endian reader: every read names the payload and field, so a short
//! input becomes a precise [`MikeyError::Truncated`] instead of a panic.

use crate::error::{MikeyError, PayloadKind, Result};

pub(crate) struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    pub(crate) fn new(buf: &'a [u8]) -> Self {
        Reader { buf, pos: 0 }
    }

    pub(crate) fn remaining(&self) -> usize {
        self.buf.len().saturating_sub(self.pos)
    }

    pub(crate) fn bytes(
        &mut self,
        len: usize,
        payload: PayloadKind,
        field: &'static str,
    ) -> Result<&'a [u8]> {
        let end = self
            .pos
            .checked_add(len)
            .filter(|&end| end <= self.buf.len())
            .ok_or(MikeyError::Truncated { payload, field })?;
        let out = &self.buf[self.pos..end];
        self.pos = end;
        Ok(out)
    }

    pub(crate) fn array<const N: usize>(
        &mut self,
        payload: PayloadKind,
        field: &'static str,
    ) -> Result<[u8; N]> {
        let mut out = [0u8; N];
        out.copy_from_slice(self.bytes(N, payload, field)?);
        Ok(out)
    }

    pub(crate) fn u8(&mut self, payload: PayloadKind, field: &'static str) -> Result<u8> {
        Ok(self.array::<1>(payload, field)?[0])
    }

    pub(crate) fn u16(&mut self, payload: PayloadKind, field: &'static str) -> Result<u16> {
        Ok(u16::from_be_bytes(self.array(payload, field)?))
    }

    pub(crate) fn u32(&mut self, payload: PayloadKind, field: &'static str) -> Result<u32> {
        Ok(u32::from_be_bytes(self.array(payload, field)?))
    }

    pub(crate) fn u64(&mut self, payload: PayloadKind, field: &'static str) -> Result<u64> {
        Ok(u64::from_be_bytes(self.array(payload, field)?))
    }
}

/// Length of a variable field as the `u8` its length prefix holds, or a typed error.
pub(crate) fn len_u8(len: usize, payload: PayloadKind, field: &'static str) -> Result<u8> {
    u8::try_from(len).map_err(|_| MikeyError::BadLength {
        payload,
        field,
        len,
    })
}

/// Length of a variable field as the `u16` its length prefix holds, or a typed error.
pub(crate) fn len_u16(len: usize, payload: PayloadKind, field: &'static str) -> Result<u16> {
    u16::try_from(len).map_err(|_| MikeyError::BadLength {
        payload,
        field,
        len,
    })
}
