//! SHA-256 whose chaining state and buffered block are wiped on drop, for the secrets
//! HashToIntegerRange hashes: the pairing value w (SHA-256(w) is enough to rebuild the
//! mask, and with it the SSV) and SSV || b. sha2's hasher leaves both in memory it never
//! wipes; this one runs sha2's compression function on arrays it wipes.

use sha2::digest::generic_array::GenericArray;
use zeroize::{Zeroize, Zeroizing};

const BLOCK: usize = 64;
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

/// SHA-256 of the concatenated `parts`.
pub fn sha256(parts: &[&[u8]]) -> Zeroizing<[u8; 32]> {
    let mut hasher = Sha256 {
        state: INITIAL,
        block: [0; BLOCK],
        filled: 0,
        bytes: 0,
    };
    for part in parts {
        hasher.update(part);
    }
    hasher.finish()
}

struct Sha256 {
    state: [u32; 8],
    block: [u8; BLOCK],
    filled: usize,
    bytes: u64,
}

impl Sha256 {
    fn compress(&mut self) {
        let block = GenericArray::from_slice(&self.block);
        sha2::compress256(&mut self.state, core::slice::from_ref(block));
    }

    fn update(&mut self, mut data: &[u8]) {
        self.bytes += data.len() as u64;
        while !data.is_empty() {
            let n = (BLOCK - self.filled).min(data.len());
            self.block[self.filled..self.filled + n].copy_from_slice(&data[..n]);
            self.filled += n;
            data = &data[n..];
            if self.filled == BLOCK {
                self.compress();
                self.filled = 0;
            }
        }
    }

    /// Pads with 0x80, zeros and the 64-bit big-endian bit length.
    fn finish(mut self) -> Zeroizing<[u8; 32]> {
        let bits = self.bytes.wrapping_mul(8);
        self.block[self.filled] = 0x80;
        self.block[self.filled + 1..].fill(0);
        if self.filled + 1 > BLOCK - 8 {
            self.compress();
            self.block.fill(0);
        }
        self.block[BLOCK - 8..].copy_from_slice(&bits.to_be_bytes());
        self.compress();
        let mut out = Zeroizing::new([0u8; 32]);
        for (bytes, word) in out.chunks_mut(4).zip(&self.state) {
            bytes.copy_from_slice(&word.to_be_bytes());
        }
        out
    }
}

impl Drop for Sha256 {
    fn drop(&mut self) {
        self.state.zeroize();
        self.block.zeroize();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sha2::Digest;

    #[test]
    fn agrees_with_sha2_across_the_padding_boundaries() {
        let data: Vec<u8> = (0..300u32).map(|i| (i * 7 + 3) as u8).collect();
        for len in [0, 1, 55, 56, 63, 64, 65, 119, 120, 128, 300] {
            let (a, b) = data[..len].split_at(len / 3);
            assert_eq!(
                sha256(&[a, b])[..],
                sha2::Sha256::digest(&data[..len])[..],
                "length {len}"
            );
        }
    }
}
