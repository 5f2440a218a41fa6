//! Encapsulation (RFC 6508 section 6.2.1) and decapsulation (section 6.2.2).

use pairing::{pairing, JacobianPoint, PfValue, Scalar};
use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

use crate::hash::{hash_to_scalar, pairing_mask};
use crate::ssv::SSV_BYTES;
use crate::{
    EncapsulatedData, Identifier, KmsPublicKey, ReceiverKey, RecipientKey, Rsk, SakkeError, Ssv,
};

/// r = HashToIntegerRange(SSV || b, q, SHA-256).
pub fn derive_r(ssv: &Ssv, id: &Identifier) -> Zeroizing<Scalar> {
    let mut input = Zeroizing::new(Vec::with_capacity(SSV_BYTES + id.as_bytes().len()));
    input.extend_from_slice(ssv.as_bytes());
    input.extend_from_slice(id.as_bytes());
    Zeroizing::new(hash_to_scalar(&input))
}

fn xor(a: &[u8; SSV_BYTES], b: &[u8; SSV_BYTES]) -> [u8; SSV_BYTES] {
    core::array::from_fn(|i| a[i] ^ b[i])
}

/// Encapsulates `ssv` to a recipient: R = [r]([b]P + Z), H = SSV xor mask(g^r).
/// Constant time in the SSV and r.
pub fn encapsulate_to(ssv: &Ssv, to: &RecipientKey) -> EncapsulatedData {
    let r = derive_r(ssv, &to.id);
    let big_r = JacobianPoint::from(to.base).mul(&r).to_affine();
    let g_r = Zeroizing::new(PfValue::generator().pow(&r));
    let mask = pairing_mask(&g_r);
    EncapsulatedData::new(big_r, xor(ssv.as_bytes(), &mask))
}

/// [`encapsulate_to`] for callers holding the identifier and KMS key separately.
pub fn encapsulate(
    ssv: &Ssv,
    id: &Identifier,
    kms: &KmsPublicKey,
) -> Result<EncapsulatedData, SakkeError> {
    Ok(encapsulate_to(ssv, &RecipientKey::new(id, kms)?))
}

/// Decapsulates with a validated receiver key: w = <R, K_b>, SSV = H xor mask(w), then
/// TEST: [r]([b]P + Z) must equal R, or no SSV is returned.
pub fn decapsulate_with(ed: &EncapsulatedData, key: &ReceiverKey) -> Result<Ssv, SakkeError> {
    let w = Zeroizing::new(pairing(&ed.r, key.rsk.point()));
    finish_decapsulation(ed, key.recipient(), &w)
}

/// The steps after the pairing: unmask, re-derive r, TEST. Shared with batched
/// decapsulation, whose pairings may come from an accelerator: a wrong w fails TEST.
pub fn finish_decapsulation(
    ed: &EncapsulatedData,
    to: &RecipientKey,
    w: &PfValue,
) -> Result<Ssv, SakkeError> {
    let ssv = Ssv::from(xor(&ed.h, &pairing_mask(w)));
    let r = derive_r(&ssv, &to.id);
    let test = JacobianPoint::from(to.base).mul(&r);
    // Declassified: TEST's verdict is the result (an SSV or an error).
    if ctgrind::public_verdict(test.ct_eq(&JacobianPoint::from(ed.r))) {
        return Ok(ssv);
    }
    // R is public, so classifying the failure leaks nothing about the SSV.
    if !bool::from(ed.r.is_torsion_free()) {
        return Err(SakkeError::NotInSubgroup);
    }
    Err(SakkeError::TestFailed)
}

/// Decapsulation for callers holding the parts separately: validates the RSK first
/// (one extra pairing); hold a [`ReceiverKey`] to avoid repeating that.
pub fn decapsulate(
    ed: &EncapsulatedData,
    id: &Identifier,
    kms: &KmsPublicKey,
    rsk: &Rsk,
) -> Result<Ssv, SakkeError> {
    let key = ReceiverKey::new(id, kms, rsk.clone())?;
    decapsulate_with(ed, &key)
}
