//! SAKKE (RFC 6508) with the RFC 6509 parameter set 1.
//!
//! - [`Kms`] holds the master secret and issues validated [`Rsk`]s;
//! - [`RecipientKey`] (identifier + KMS public key + [b]P + Z) is what a sender needs;
//! - [`ReceiverKey`] adds an RSK that has passed validation, and is what a receiver needs;
//! - [`encapsulate_to`] / [`decapsulate_with`] are the key exchange; [`encapsulate`] and
//!   [`decapsulate`] take the parts separately.
//!
//! Secrets (master key, RSK, SSV, r) are wiped on drop, never printed, and only handled
//! by constant-time code.

mod batch;
mod encapsulated;
mod error;
pub mod hash;
mod identifier;
mod kem;
mod keys;
mod ssv;
mod wiped_sha256;

pub use batch::{
    decapsulate_batch, encapsulate_batch, try_decapsulate_batch, try_encapsulate_batch,
    BatchOutcome, DecapItem, EncapItem,
};
pub use encapsulated::{EncapsulatedData, ENCAPSULATED_BYTES};
pub use error::SakkeError;
pub use identifier::Identifier;
pub use kem::{
    decapsulate, decapsulate_with, derive_r, encapsulate, encapsulate_to, finish_decapsulation,
};
pub use keys::{receiver_key_digest, Kms, KmsPublicKey, ReceiverKey, RecipientKey, Rsk};
pub use pairing::backend::{CpuBackend, CpuConfig, PairingBackend};
pub use pairing::POINT_BYTES;
pub use ssv::{Ssv, SSV_BYTES};
