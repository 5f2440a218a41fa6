//! ECCSI (RFC 6507) on P-256: loading the KSAK, issuing an SSK, validating it, and
//! signing with a secret ephemeral j. [j]G and the scalar inversions run on eccsi's
//! own 256-bit Montgomery code (`mont256`, `ct_table`) and pairing's safegcd; the rest
//! is RustCrypto's `p256`. This checks all of it, and whatever of p256 it calls.

use eccsi::{Kms, SigningKey, VerifyingKey};

use crate::secret::{bytes128, output, secret};

const ID: &[u8] = b"2026-11\0tel:+447700900123\0";

/// 32 secret bytes below the group order (top byte cleared).
fn secret32(label: &str) -> [u8; 32] {
    let mut bytes = [0u8; 32];
    bytes.copy_from_slice(&bytes128(label)[..32]);
    bytes[0] &= 0x7f;
    secret(bytes)
}

/// KPAK = [KSAK]G, SSK = KSAK + HS v with PVT = [v]G, SSK validation, and a signature
/// s = (HE + r SSK)^-1 j with J = [j]G.
pub fn sign() {
    let kms = Kms::from_ksak_bytes(&secret32("eccsi ksak")).expect("KSAK in range");
    let keys = kms.issue_with_v(ID, &secret32("eccsi v")).expect("issued");
    let signer = SigningKey::new(ID, keys.ssk, keys.pvt, kms.kpak()).expect("valid SSK");
    let sig = signer
        .sign_with_j(b"message", &secret32("eccsi j"))
        .expect("signature");
    output(&sig.to_bytes());
    VerifyingKey::new(ID, kms.kpak())
        .verify(b"message", &sig)
        .expect("verifies");
}
