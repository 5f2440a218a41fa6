//! Key material: the KMS master secret and public key, receiver secret keys (RSKs), and
//! the per-recipient base point [b]P + Z that encapsulation and TEST multiply.

use core::fmt;

use pairing::{pairing, AffinePoint, JacobianPoint, PfValue, Scalar, TableKey, POINT_BYTES};
use rand_core::{CryptoRngCore, OsRng};
use subtle::ConstantTimeEq;
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

use crate::wiped_sha256::sha256;
use crate::{Identifier, SakkeError};

/// The KMS public key Z = [z]P: a point of order q.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct KmsPublicKey(AffinePoint);

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

/// Encodes a point known not to be the identity (every key point has order q).
fn encode(p: &AffinePoint) -> [u8; POINT_BYTES] {
    p.to_bytes().unwrap_or([0u8; POINT_BYTES])
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
        let z = Scalar::from_be_bytes(bytes)
            .and_then(Option::<Scalar>::from)
            .ok_or(SakkeError::MasterSecretOutOfRange)?;
        if bool::from(z.ct_eq(&Scalar::ZERO) | z.ct_eq(&Scalar::from_u64(1))) {
            return Err(SakkeError::MasterSecretOutOfRange);
        }
        let public = KmsPublicKey(
            JacobianPoint::from(AffinePoint::generator())
                .mul(&z)
                .to_affine(),
        );
        Ok(Kms { z, public })
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
        if bool::from(sum.is_zero()) {
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
        f.write_str("Rsk(<secret>)")
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
        if bool::from(pairing(&base.base, &self.0).ct_eq(&PfValue::generator())) {
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
        if !bool::from(pairing(&recipient.base, &rsk.0).ct_eq(&PfValue::generator())) {
            return Err(SakkeError::RskInvalid);
        }
        // The key names the table without revealing the RSK: a hash, domain separated.
        let line_table = table_key(
            b"sakke rsk lines",
            &[id.as_bytes(), &kms.to_bytes(), &rsk.to_bytes()[..]],
        );
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
