//! The MIKEY key-derivation PRF (RFC 3830 4.1.2), on HMAC-SHA-1 (PRF func 0, MIKEY-1)
//! or HMAC-SHA-256 (PRF func 1, RFC 6043 6.1: same construction, 256-bit output blocks).
//!
//! ```text
//! P(s, label, m) = HMAC(s, A_1 || label) || ... || HMAC(s, A_m || label),
//!     A_0 = label, A_i = HMAC(s, A_(i-1))
//! PRF(inkey, label) = P(s_1, label, m) XOR ... XOR P(s_n, label, m)
//! ```
//! where inkey is split into 256-bit blocks s_1..s_n (the last may be shorter) and m is
//! the number of hash outputs needed to cover outkey_len; the output is the leading
//! outkey_len bits.

use zeroize::Zeroizing;

use crate::hdr::PrfFunc;
use crate::wiped_hmac::{BlockHash, Hmac, Sha1, Sha256, MAX_OUTPUT};

/// inkey block size in bytes: 256 bits, half the 512-bit block of SHA-1 and SHA-256.
const INKEY_BLOCK: usize = 32;

/// Fill `out` with PRF(inkey, label) for the given PRF func.
///
/// An empty `inkey` is treated as a single empty block (RFC 3830 would give n = 0 and an
/// all-zero output, which is never a useful key).
pub fn prf(func: PrfFunc, inkey: &[u8], label: &[u8], out: &mut [u8]) {
    match func {
        PrfFunc::MikeyHmacSha1 => prf_with::<Sha1>(inkey, label, out),
        PrfFunc::HmacSha256 => prf_with::<Sha256>(inkey, label, out),
    }
}

fn prf_with<H: BlockHash>(inkey: &[u8], label: &[u8], out: &mut [u8]) {
    out.fill(0);
    if inkey.is_empty() {
        p_xor::<H>(&[], label, out);
    }
    for block in inkey.chunks(INKEY_BLOCK) {
        p_xor::<H>(block, label, out);
    }
}

/// XOR P(s, label, m) into `out`, with m just large enough to cover `out`. The HMAC
/// state keyed by s and every A_i and output block are wiped when done.
fn p_xor<H: BlockHash>(s: &[u8], label: &[u8], out: &mut [u8]) {
    let mac = Hmac::<H>::new(s);
    let n = H::OUTPUT;
    let mut a = Zeroizing::new([0u8; MAX_OUTPUT]);
    let mut next = Zeroizing::new([0u8; MAX_OUTPUT]);
    let mut block = Zeroizing::new([0u8; MAX_OUTPUT]);
    for (i, chunk) in out.chunks_mut(n).enumerate() {
        // A_i = HMAC(s, A_(i-1)), A_0 = label
        let previous: &[u8] = if i == 0 { label } else { &a[..n] };
        mac.mac_into(&[previous], &mut next[..n]);
        a[..n].copy_from_slice(&next[..n]);
        // HMAC(s, A_i || label)
        mac.mac_into(&[&a[..n], label], &mut block[..n]);
        for (o, b) in chunk.iter_mut().zip(block.iter()) {
            *o ^= b;
        }
    }
}
