//! HMAC (RFC 2104) on SHA-1 and SHA-256 that wipes everything derived from its key.
//!
//! The PRF keys HMAC with the TGK (the SSV). `hmac::Hmac` keeps the hash states after the
//! key's inner and outer pads, which are enough to compute every key the PRF derives, in
//! memory it never wipes; sha1's and sha2's hashers do the same with their state and
//! their buffered block. Here the chaining state, the block buffer and the key pads are
//! arrays wiped on drop, around the crates' compression functions.

use sha2::digest::generic_array::GenericArray;
use zeroize::{Zeroize, Zeroizing};

/// Block size of SHA-1 and SHA-256, in bytes.
const BLOCK: usize = 64;
/// The longest output: SHA-256's.
pub const MAX_OUTPUT: usize = 32;

/// A hash with 64-byte blocks, padded with 0x80, zeros and the 64-bit big-endian bit
/// length: SHA-1 and SHA-256.
pub trait BlockHash {
    /// The chaining value: big-endian 32-bit words.
    type State: AsRef<[u32]> + Copy + Zeroize;
    const INITIAL: Self::State;
    /// Output length in bytes.
    const OUTPUT: usize;
    fn compress(state: &mut Self::State, block: &[u8; BLOCK]);
}

pub enum Sha1 {}

impl BlockHash for Sha1 {
    type State = [u32; 5];
    const INITIAL: [u32; 5] = [
        0x6745_2301,
        0xefcd_ab89,
        0x98ba_dcfe,
        0x1032_5476,
        0xc3d2_e1f0,
    ];
    const OUTPUT: usize = 20;

    fn compress(state: &mut [u32; 5], block: &[u8; BLOCK]) {
        sha1::compress(
            state,
            core::slice::from_ref(GenericArray::from_slice(block)),
        );
    }
}

pub enum Sha256 {}

impl BlockHash for Sha256 {
    type State = [u32; 8];
    const INITIAL: [u32; 8] = [
        0x6a09_e667,
        0xbb67_ae85,
        0x3c6e_f372,
        0xa54f_f53a,
        0x510e_527f,
        0x9b05_688c,
        0x1f83_d9ab,
        0x5be0_cd19,
    ];
    const OUTPUT: usize = 32;

    fn compress(state: &mut [u32; 8], block: &[u8; BLOCK]) {
        sha2::compress256(
            state,
            core::slice::from_ref(GenericArray::from_slice(block)),
        );
    }
}

/// A running hash whose state and buffered block are wiped on drop.
struct Hasher<H: BlockHash> {
    state: H::State,
    block: [u8; BLOCK],
    filled: usize,
    bytes: u64,
}

impl<H: BlockHash> Hasher<H> {
    fn new() -> Self {
        Hasher {
            state: H::INITIAL,
            block: [0; BLOCK],
            filled: 0,
            bytes: 0,
        }
    }

    fn update(&mut self, mut data: &[u8]) {
        self.bytes += data.len() as u64;
        while !data.is_empty() {
            let n = (BLOCK - self.filled).min(data.len());
            self.block[self.filled..self.filled + n].copy_from_slice(&data[..n]);
            self.filled += n;
            data = &data[n..];
            if self.filled == BLOCK {
                H::compress(&mut self.state, &self.block);
                self.filled = 0;
            }
        }
    }

    /// Pads, and writes the first `out.len()` (at most `H::OUTPUT`) bytes of the digest.
    fn finish_into(mut self, out: &mut [u8]) {
        let bits = self.bytes.wrapping_mul(8);
        self.block[self.filled] = 0x80;
        self.block[self.filled + 1..].fill(0);
        if self.filled + 1 > BLOCK - 8 {
            H::compress(&mut self.state, &self.block);
            self.block.fill(0);
        }
        self.block[BLOCK - 8..].copy_from_slice(&bits.to_be_bytes());
        H::compress(&mut self.state, &self.block);
        for (bytes, word) in out.chunks_mut(4).zip(self.state.as_ref()) {
            bytes.copy_from_slice(&word.to_be_bytes()[..bytes.len()]);
        }
    }
}

impl<H: BlockHash> Clone for Hasher<H> {
    fn clone(&self) -> Self {
        Hasher {
            state: self.state,
            block: self.block,
            filled: self.filled,
            bytes: self.bytes,
        }
    }
}

impl<H: BlockHash> Drop for Hasher<H> {
    fn drop(&mut self) {
        self.state.zeroize();
        self.block.zeroize();
    }
}

/// HMAC keyed once, for many messages: the hash states after the inner and outer pads.
pub struct Hmac<H: BlockHash> {
    inner: Hasher<H>,
    outer: Hasher<H>,
}

impl<H: BlockHash> Hmac<H> {
    pub fn new(key: &[u8]) -> Self {
        let mut padded = Zeroizing::new([0u8; BLOCK]);
        if key.len() > BLOCK {
            let mut hasher = Hasher::<H>::new();
            hasher.update(key);
            hasher.finish_into(&mut padded[..H::OUTPUT]);
        } else {
            padded[..key.len()].copy_from_slice(key);
        }
        let keyed = |pad: u8| {
            let mut block = Zeroizing::new([0u8; BLOCK]);
            for (b, k) in block.iter_mut().zip(padded.iter()) {
                *b = k ^ pad;
            }
            let mut hasher = Hasher::<H>::new();
            hasher.update(&block[..]);
            hasher
        };
        Hmac {
            inner: keyed(0x36),
            outer: keyed(0x5c),
        }
    }

    /// HMAC of the concatenated `parts`, into `out` (`H::OUTPUT` bytes, or fewer for a
    /// truncated MAC).
    pub fn mac_into(&self, parts: &[&[u8]], out: &mut [u8]) {
        let mut inner = self.inner.clone();
        for part in parts {
            inner.update(part);
        }
        let mut digest = Zeroizing::new([0u8; MAX_OUTPUT]);
        inner.finish_into(&mut digest[..H::OUTPUT]);
        let mut outer = self.outer.clone();
        outer.update(&digest[..H::OUTPUT]);
        outer.finish_into(out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hmac::Mac;
    use proptest::prelude::*;

    fn ours<H: BlockHash>(key: &[u8], parts: &[&[u8]]) -> Vec<u8> {
        let mut out = vec![0u8; H::OUTPUT];
        Hmac::<H>::new(key).mac_into(parts, &mut out);
        out
    }

    fn theirs<M: Mac + hmac::digest::KeyInit>(key: &[u8], parts: &[&[u8]]) -> Vec<u8> {
        let mut mac = <M as hmac::digest::KeyInit>::new_from_slice(key).unwrap();
        for part in parts {
            mac.update(part);
        }
        mac.finalize().into_bytes().to_vec()
    }

    #[test]
    fn rfc_4231_test_case_2() {
        let mac = ours::<Sha256>(b"Jefe", &[b"what do ya want ", b"for nothing?"]);
        assert_eq!(
            hex::encode(mac),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn rfc_2202_test_case_2() {
        let mac = ours::<Sha1>(b"Jefe", &[b"what do ya want for nothing?"]);
        assert_eq!(hex::encode(mac), "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79");
    }

    proptest! {
        /// Every key length (short, a block, longer, hashed first) and every message
        /// length across the padding boundaries, against the `hmac` crate.
        #[test]
        fn agrees_with_the_hmac_crate(
            key in proptest::collection::vec(any::<u8>(), 0..150),
            message in proptest::collection::vec(any::<u8>(), 0..200),
            split in 0usize..200,
        ) {
            let (a, b) = message.split_at(split.min(message.len()));
            prop_assert_eq!(
                ours::<Sha1>(&key, &[a, b]),
                theirs::<hmac::Hmac<sha1::Sha1>>(&key, &[a, b])
            );
            prop_assert_eq!(
                ours::<Sha256>(&key, &[a, b]),
                theirs::<hmac::Hmac<sha2::Sha256>>(&key, &[a, b])
            );
        }
    }
}
