//! A verifier prepared for one signer key: HS = hash(G, KPAK, ID, PVT) and a fixed-base
//! table for Y = \[HS\]PVT + KPAK, everything that stays the same for a sender within a key
//! period. Verifying through it costs two table walks (G and Y) and no doublings.

use core::fmt;

use crate::error::{EccsiError, Result};
use crate::generator;
use crate::hash::Hs;
use crate::jacobian::Jacobian;
use crate::point::{Kpak, Pvt};
use crate::sig::Signature;
use crate::table::{VartimeTable, Y_WIDTH};
use crate::verify;

/// Verification state for one (ID, PVT, KPAK): build once (about the cost of one cold
/// verification), then verify that signer's signatures roughly five times faster. Holds
/// public data only (about 33 KB), and verifies in variable time.
#[derive(Clone)]
pub struct PreparedVerifier {
    id: Vec<u8>,
    pvt: Pvt,
    kpak: Kpak,
    hs: Hs,
    /// None only if the table could not be built (never, by construction): then the cold
    /// path verifies.
    y_table: Option<VartimeTable>,
}

impl PreparedVerifier {
    /// Precomputes HS, Y and Y's table for signatures by `id` carrying `pvt`, under `kpak`.
    pub fn new(id: &[u8], pvt: Pvt, kpak: Kpak) -> Self {
        let hs = Hs::compute(id, &pvt, &kpak);
        let y = verify::signer_public_key(&hs, &pvt, &kpak);
        Self {
            id: id.to_vec(),
            pvt,
            kpak,
            hs,
            y_table: VartimeTable::new(&y, Y_WIDTH),
        }
    }

    /// The signer identifier this verifier was built for.
    pub fn id(&self) -> &[u8] {
        &self.id
    }

    /// The PVT this verifier was built for; signatures carrying another are refused.
    pub fn pvt(&self) -> &Pvt {
        &self.pvt
    }

    /// The KMS root of trust.
    pub fn kpak(&self) -> &Kpak {
        &self.kpak
    }

    /// HS = hash(G || KPAK || ID || PVT).
    pub fn hs(&self) -> &Hs {
        &self.hs
    }

    /// Whether this verifier was built for exactly this key material.
    pub fn is_for(&self, id: &[u8], pvt: &Pvt, kpak: &Kpak) -> bool {
        self.id == id && self.pvt == *pvt && self.kpak == *kpak
    }

    /// Verifies `sig` over `msg` as [`crate::VerifyingKey::verify`] would for this ID and
    /// KPAK, with J = \[s HE\]G + \[s r\]Y from the two tables. A signature carrying another
    /// PVT is refused with [`EccsiError::PvtMismatch`]: its Y is not the one tabulated here.
    pub fn verify(&self, msg: &[u8], sig: &Signature) -> Result<()> {
        if *sig.pvt() != self.pvt {
            return Err(EccsiError::PvtMismatch);
        }
        let Some(y_table) = &self.y_table else {
            return verify::check_j(&verify::recover_j(&self.id, &self.kpak, msg, sig), sig);
        };
        let (u1, u2) = verify::verify_scalars(&self.hs, msg, sig);
        let j = y_table.add_mul(&Jacobian::IDENTITY, &u2);
        verify::check_j(&generator::add_mul_g_vartime(&j, &u1), sig)
    }
}

impl fmt::Debug for PreparedVerifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PreparedVerifier")
            .field("id", &self.id)
            .field("pvt", &self.pvt)
            .field("kpak", &self.kpak)
            .finish_non_exhaustive()
    }
}

impl signature::Verifier<Signature> for PreparedVerifier {
    fn verify(&self, msg: &[u8], sig: &Signature) -> core::result::Result<(), signature::Error> {
        PreparedVerifier::verify(self, msg, sig).map_err(signature::Error::from)
    }
}
