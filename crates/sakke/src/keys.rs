//! Key material: the KMS master secret and public key, receiver secret keys (RSKs), and
//! the per-recipient base point [b]P + Z that encapsulation and TEST multiply.

use core::fmt;

use pairing::{
    pairing, AffinePoint, JacobianPoint, PfValue, Scalar, TableKey, FP_BYTES, POINT_BYTES,
};
use rand_core::{CryptoRngCore, OsRng};
use subtle::{Choice, ConditionallySelectable, ConstantTimeEq};
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

use crate::wiped_sha256::sha256;
use crate::{Identifier, SakkeError};

/// The KMS public key Z = [z]P: a point of order q. Debug prints its encoding.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct KmsPublicKey(AffinePoint);

impl fmt::Debug for KmsPublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "KmsPublicKey({})", hex(&self.to_bytes()))
    }
}

/// Lower-case hexadecimal, for printing public values.
pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

impl KmsPublicKey {
    /// Decodes 0x04 || x || y and checks that the point has order q.
    pub fn from_bytes(bytes: &[u8]) -> Result<KmsPublicKey, SakkeError> {
        AffinePoint::from_bytes_in_subgroup(bytes)
            .map(KmsPublicKey)
            .map_err(SakkeError::point("KMS public key"))
    }

    pub fn to_bytes(&self) -> [u8; POINT_BYTES] {
        encode(&self.0)
    }

    pub fn point(&self) -> &AffinePoint {
        &self.0
    }
}

/// SHA-256(domain || len-prefixed parts), as a table name. A part may be an RSK, so the
/// hash runs in wiped memory.
fn table_key(domain: &[u8], parts: &[&[u8]]) -> TableKey {
    let lengths: Vec<[u8; 8]> = parts
        .iter()
        .map(|p| (p.len() as u64).to_be_bytes())
        .collect();
    let mut input: Vec<&[u8]> = vec![domain];
    for (length, part) in lengths.iter().zip(parts) {
        input.extend([&length[..], part]);
    }
    TableKey(*sha256(&input))
}

/// A name for the bytes a receiver key is made from (Z, identifier and RSK as received),
/// safe to hash and compare in variable time: a cache keyed by it never compares RSK
/// bytes, whose early-exit comparison would leak how much two RSKs share.
pub fn receiver_key_digest(kms_public_key: &[u8], identifier: &[u8], rsk: &[u8]) -> [u8; 32] {
    let digest = table_key(b"sakke receiver key", &[kms_public_key, identifier, rsk]);
    // Declassified: SHA-256 hides the RSK; the digest is only a cache key.
    ctgrind::declassify(&digest);
    digest.0
}

/// Encodes a point known not to be the identity (every key point has order q), without
/// branching on it: the point may be an RSK. The identity would give zeros.
fn encode(p: &AffinePoint) -> [u8; POINT_BYTES] {
    let mut out = [0u8; POINT_BYTES];
    out[0] = 0x04;
    out[1..1 + FP_BYTES].copy_from_slice(&p.x().to_bytes());
    out[1 + FP_BYTES..].copy_from_slice(&p.y().to_bytes());
    let keep = !p.is_identity();
    for byte in out.iter_mut() {
        *byte = u8::conditional_select(&0, byte, keep);
    }
    out
}

/// The KMS master secret z in [2, q-1]. Wiped on drop; never printed.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct Kms {
    z: Scalar,
    #[zeroize(skip)]
    public: KmsPublicKey,
}

impl fmt::Debug for Kms {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Kms")
            .field("public", &self.public)
            .finish_non_exhaustive()
    }
}

impl Kms {
    /// A new master secret from the operating system's generator.
    pub fn generate() -> Kms {
        Kms::generate_from(&mut OsRng)
    }

    /// Draws z uniformly from [2, q-1] by rejection sampling 1022-bit candidates.
    pub fn generate_from(rng: &mut impl CryptoRngCore) -> Kms {
        loop {
            let mut bytes = Zeroizing::new([0u8; 128]);
            rng.fill_bytes(&mut bytes[..]);
            bytes[0] &= 0x3f; // 1022 bits
            if let Ok(kms) = Kms::from_secret_bytes(&bytes[..]) {
                return kms;
            }
        }
    }

    /// A master secret from its big-endian encoding (at most 128 bytes).
    pub fn from_secret_bytes(bytes: &[u8]) -> Result<Kms, SakkeError> {
        let z = Scalar::from_be_bytes(bytes).ok_or(SakkeError::MasterSecretOutOfRange)?;
        let small = z.map(|z| z.ct_eq(&Scalar::ZERO) | z.ct_eq(&Scalar::from_u64(1)));
        // Declassified: whether the key loads is what the caller is told.
        let in_range = z.is_some() & !small.unwrap_or(Choice::from(1));
        if !ctgrind::public_verdict(in_range) {
            return Err(SakkeError::MasterSecretOutOfRange);
        }
        let z = z.unwrap_or(Scalar::ZERO);
        let public = JacobianPoint::from(AffinePoint::generator())
            .mul(&z)
            .to_affine();
        // Declassified: Z = [z]P is the KMS public key, published to every user.
        ctgrind::declassify(&public);
        Ok(Kms {
            z,
            public: KmsPublicKey(public),
        })
    }

    /// The 128-byte big-endian master secret, for the KMS's own key store.
    pub fn secret_bytes(&self) -> Zeroizing<[u8; 128]> {
        Zeroizing::new(self.z.to_be_bytes())
    }

    pub fn public_key(&self) -> KmsPublicKey {
        self.public
    }

    /// K_a = [(a + z)^-1]P (RFC 6508 section 6.1.1), validated before it is returned.
    pub fn issue_rsk(&self, id: &Identifier) -> Result<Rsk, SakkeError> {
        let sum = Zeroizing::new(id.value().add(&self.z));
        // Declassified: a refused identifier is reported to the caller (and only an
        // identifier equal to -z mod q is refused, which nobody can choose without z).
        if ctgrind::public_verdict(sum.is_zero()) {
            return Err(SakkeError::DegenerateIdentifier);
        }
        let inv = Zeroizing::new(sum.invert());
        let k = JacobianPoint::from(AffinePoint::generator())
            .mul(&inv)
            .to_affine();
        let rsk = Rsk(k);
        rsk.validate(id, &self.public)?;
        Ok(rsk)
    }
}

/// A receiver secret key K_(b,S): a point of order q. Wiped on drop; never printed.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct Rsk(AffinePoint);

impl fmt::Debug for Rsk {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Rsk(<redacted>)")
    }
}

impl Rsk {
    /// Decodes 0x04 || x || y and checks that the point has order q. Call
    /// [`Rsk::validate`] (or build a [`ReceiverKey`]) before using it.
    pub fn from_bytes(bytes: &[u8]) -> Result<Rsk, SakkeError> {
        AffinePoint::from_bytes_in_subgroup(bytes)
            .map(Rsk)
            .map_err(SakkeError::point("RSK"))
    }

    pub fn to_bytes(&self) -> Zeroizing<[u8; POINT_BYTES]> {
        Zeroizing::new(encode(&self.0))
    }

    /// RFC 6508 section 6.1.2: < [a]P + Z, K_a > == g.
    pub fn validate(&self, id: &Identifier, kms: &KmsPublicKey) -> Result<(), SakkeError> {
        let base = RecipientKey::new(id, kms)?;
        // Declassified: the verdict of validation is the result.
        if ctgrind::public_verdict(pairing(&base.base, &self.0).ct_eq(&PfValue::generator())) {
            Ok(())
        } else {
            Err(SakkeError::RskInvalid)
        }
    }

    pub(crate) fn point(&self) -> &AffinePoint {
        &self.0
    }
}

/// What a sender needs to encapsulate to one user: the identifier, and the base point
/// [b]P + Z computed once (the multiplication by the public b is variable time).
#[derive(Clone, Debug)]
pub struct RecipientKey {
    pub(crate) id: Identifier,
    pub(crate) kms: KmsPublicKey,
    pub(crate) base: AffinePoint,
    pub(crate) base_table: TableKey,
}

impl RecipientKey {
    /// Fails with [`SakkeError::DegenerateIdentifier`] if [b]P + Z is the identity.
    pub fn new(id: &Identifier, kms: &KmsPublicKey) -> Result<RecipientKey, SakkeError> {
        let bp = JacobianPoint::from(AffinePoint::generator()).mul_vartime(&id.value().to_limbs());
        let base = bp.add_mixed(kms.point()).to_affine();
        if bool::from(base.is_identity()) {
            return Err(SakkeError::DegenerateIdentifier);
        }
        let base_table = table_key(b"sakke base [b]P+Z", &[id.as_bytes(), &kms.to_bytes()]);
        Ok(RecipientKey {
            id: id.clone(),
            kms: *kms,
            base,
            base_table,
        })
    }

    /// Names the fixed-base table of [b]P + Z on a backend.
    pub fn base_table_key(&self) -> TableKey {
        self.base_table
    }

    pub fn identifier(&self) -> &Identifier {
        &self.id
    }

    pub fn kms_public_key(&self) -> &KmsPublicKey {
        &self.kms
    }

    /// [b]P + Z.
    pub fn base_point(&self) -> &AffinePoint {
        &self.base
    }
}

/// What a receiver needs to decapsulate: its recipient data and an RSK that has passed
/// validation against them. Constructing one is the only way to get a usable RSK.
#[derive(Clone, Debug)]
pub struct ReceiverKey {
    pub(crate) recipient: RecipientKey,
    pub(crate) rsk: Rsk,
    pub(crate) line_table: TableKey,
}

impl ReceiverKey {
    /// Validates the RSK (RFC 6508 section 6.1.2) and keeps it with [b]P + Z.
    pub fn new(id: &Identifier, kms: &KmsPublicKey, rsk: Rsk) -> Result<ReceiverKey, SakkeError> {
        let recipient = RecipientKey::new(id, kms)?;
        // Declassified: the verdict of validation is the result.
        let valid = pairing(&recipient.base, &rsk.0).ct_eq(&PfValue::generator());
        if !ctgrind::public_verdict(valid) {
            return Err(SakkeError::RskInvalid);
        }
        // The key names the table without revealing the RSK: a hash, domain separated.
        let line_table = table_key(
            b"sakke rsk lines",
            &[id.as_bytes(), &kms.to_bytes(), &rsk.to_bytes()[..]],
        );
        // Declassified: SHA-256 hides the RSK, and backends look tables up by this name.
        ctgrind::declassify(&line_table);
        Ok(ReceiverKey {
            recipient,
            rsk,
            line_table,
        })
    }

    /// Names the precomputed Miller-loop lines of the RSK on a backend.
    pub fn line_table_key(&self) -> TableKey {
        self.line_table
    }

    pub fn recipient(&self) -> &RecipientKey {
        &self.recipient
    }

    pub fn rsk(&self) -> &Rsk {
        &self.rsk
    }

    /// The RSK point, for handing to a backend's table builder.
    pub fn rsk_point(&self) -> &AffinePoint {
        self.rsk.point()
    }
}

#[cfg(test)]
mod tests {
    use super::receiver_key_digest;

    #[test]
    fn receiver_key_digests_separate_every_part() {
        let base = receiver_key_digest(b"z", b"id", b"rsk");
        assert_eq!(base, receiver_key_digest(b"z", b"id", b"rsk"));
        for other in [
            receiver_key_digest(b"z", b"id", b"rsl"),
            receiver_key_digest(b"y", b"id", b"rsk"),
            receiver_key_digest(b"z", b"i", b"drsk"),
            receiver_key_digest(b"zi", b"d", b"rsk"),
        ] {
            assert_ne!(base, other);
        }
    }
}
