//! ECCSI (RFC 6507): identity-based signatures on NIST P-256 with SHA-256, as used by
//! MIKEY-SAKKE (RFC 6509) to sign I_MESSAGEs.
//!
//! A KMS holds a secret KSAK and publishes KPAK = \[KSAK\]G. It issues each identifier (ID,
//! raw bytes in the community's format) a secret SSK and a public PVT. A signer validates
//! its SSK once ([`validate_ssk`], done by [`SigningKey::new`]); anyone holding the KPAK
//! verifies a signature from the signer's ID alone ([`VerifyingKey`]).
//!
//! A responder that hears from the same senders within a key period keeps a
//! [`VerifierCache`] (or one [`PreparedVerifier`] per sender): HS and a fixed-base table for
//! Y = \[HS\]PVT + KPAK, keyed by the full key material, make each later verification a
//! few times cheaper than a cold one.
//!
//! Speed without leaving RustCrypto's field arithmetic: \[k\]G comes from a process-wide
//! fixed-base table (p256 0.13 has none of its own), read in constant time for secrets (j,
//! SSK, v, KSAK) and directly for public scalars; verification, on public data only, runs
//! in variable time in Jacobian coordinates, as one linear combination
//! \[s HE\]G + \[s r HS\]PVT + \[s r\]KPAK.
//!
//! ```
//! use eccsi::{Kms, SigningKey, VerifyingKey};
//! use eccsi::rand_core::OsRng;
//!
//! let kms = Kms::generate(&mut OsRng);
//! let id = b"2011-02\0tel:+447700900123\0";
//! let keys = kms.issue(id, &mut OsRng)?;
//! let signer = SigningKey::new(id, keys.ssk, keys.pvt, kms.kpak())?;
//! let sig = signer.sign(b"message", &mut OsRng);
//! VerifyingKey::new(id, kms.kpak()).verify(b"message", &sig)?;
//!
//! let cache = eccsi::VerifierCache::new(1024);
//! cache.verify(id, &kms.kpak(), b"message", &sig)?;
//! # Ok::<(), eccsi::EccsiError>(())
//! ```

#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod cache;
mod ct_table;
mod error;
mod generator;
mod hash;
pub mod hazmat;
mod jacobian;
mod keys;
mod kms;
mod mont256;
mod point;
mod prepared;
mod scalar;
mod sig;
mod sign;
mod straus;
mod table;
mod verify;

pub use cache::{CacheStats, VerifierCache};
pub use error::{EccsiError, Result};
pub use hash::Hs;
pub use keys::{validate_ssk, Ssk};
pub use kms::{Kms, Ksak, UserKeys};
pub use point::{Kpak, Pvt, POINT_LEN};
pub use prepared::PreparedVerifier;
pub use scalar::SCALAR_LEN;
pub use sig::{Signature, SIGNATURE_LEN};
pub use sign::SigningKey;
pub use verify::VerifyingKey;

/// Re-exported so callers can name the RNG and trait types this crate's API uses.
pub use rand_core;
/// Re-exported so callers can use the `Signer` / `Verifier` traits without a version clash.
pub use signature;
