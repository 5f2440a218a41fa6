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

use hmac::digest::KeyInit;
use hmac::{Hmac, Mac};
use sha1::Sha1;
use sha2::Sha256;
use zeroize::Zeroizing;

use crate::hdr::PrfFunc;

/// inkey block size in bytes: 256 bits, half the 512-bit block of SHA-1 and SHA-256.
const INKEY_BLOCK: usize = 32;

/// Fill `out` with PRF(inkey, label) for the given PRF func.
///
/// An empty `inkey` is treated as a single empty block (RFC 3830 would give n = 0 and an
/// all-zero output, which is never a useful key).
pub fn prf(func: PrfFunc, inkey: &[u8], label: &[u8], out: &mut [u8]) {
    match func {
        PrfFunc::MikeyHmacSha1 => prf_with::<Hmac<Sha1>>(inkey, label, out),
        PrfFunc::HmacSha256 => prf_with::<Hmac<Sha256>>(inkey, label, out),
    }
}

fn prf_with<M: Mac + KeyInit + Clone>(inkey: &[u8], label: &[u8], out: &mut [u8]) {
    out.fill(0);
    if inkey.is_empty() {
        p_xor::<M>(&[], label, out);
    }
    for block in inkey.chunks(INKEY_BLOCK) {
        p_xor::<M>(block, label, out);
    }
}

/// XOR P(s, label, m) into `out`, with m just large enough to cover `out`.
fn p_xor<M: Mac + KeyInit + Clone>(s: &[u8], label: &[u8], out: &mut [u8]) {
    // HMAC accepts keys of any length, so new_from_slice cannot fail here.
    let Ok(keyed) = <M as KeyInit>::new_from_slice(s) else {
        return;
    };
    // A_0 = label
    let mut a: Zeroizing<Vec<u8>> = Zeroizing::new(label.to_vec());
    for chunk in out.chunks_mut(<M as hmac::digest::OutputSizeUser>::output_size()) {
        // A_i = HMAC(s, A_(i-1))
        let mut mac = keyed.clone();
        mac.update(&a);
        *a = mac.finalize().into_bytes().to_vec();
        // HMAC(s, A_i || label)
        let mut mac = keyed.clone();
        mac.update(&a);
        mac.update(label);
        let block = Zeroizing::new(mac.finalize().into_bytes().to_vec());
        for (o, b) in chunk.iter_mut().zip(block.iter()) {
            *o ^= b;
        }
    }
}
