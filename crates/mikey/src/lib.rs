//! MIKEY-SAKKE (RFC 6509): the I_MESSAGE that carries a SAKKE-encapsulated shared
//! secret (RFC 6508) signed with ECCSI (RFC 6507), on the MIKEY framework of RFC 3830
//! with the RFC 6043 additions (IDR payload, PRF-HMAC-SHA-256, GENERIC-ID map).
//!
//! * Codecs: [`Message::parse`] / [`Message::to_bytes`] round-trip byte-exactly,
//!   including 3GPP MCX messages with SP and General Extension payloads.
//! * Key derivation: [`prf()`], [`SessionKeys`] (TGK = SSV, RFC 3830 4.1.3).
//! * Identifiers: [`rfc6509_identifier`] (`"YYYY-MM\0uri\0"` from the T month), [`PartyId`].
//! * 3GPP MCX (TS 33.180): [`mcx_uid`] (the F.2.1 UID), [`KeyPeriods`] (UserKeyPeriod /
//!   UserKeyOffset), [`McxIdentity`] (URI + KMS, UID per key period, [`PartyId::Mcx`]),
//!   [`KeyPurpose`] and the GUK-ID ([`guk_id`], [`gmk_id_from_guk_id`]), the key
//!   parameters extension ([`KeyParameters`]) and SAKKE-to-self ([`open_own_i_message`]).
//! * Replay protection: [`ReplayCache`], owned by the caller.
//! * Initiator: [`build_i_message`]; responder: [`open_i_message`].
//!
//! ```
//! use std::time::Duration;
//! use mikey::eccsi::{rand_core::OsRng, SigningKey};
//! use mikey::sakke::Identifier;
//! use mikey::{build_i_message, open_i_message, IMessageParams, KeyLengths, NtpTimestamp};
//! use mikey::{PartyId, ReplayCache, ResponderParams};
//!
//! // One KMS for SAKKE, one for ECCSI; keys for February 2011.
//! let (sakke_kms, eccsi_kms) = (mikey::sakke::Kms::generate(), mikey::eccsi::Kms::generate(&mut OsRng));
//! let t = NtpTimestamp::from_unix(1_297_771_200, 0).unwrap();
//! let alice = PartyId::Uri("tel:+447700900123".into());
//! let bob = PartyId::Uri("tel:+447700900456".into());
//! let alice_id = alice.identifier(t)?; // "2011-02\0tel:+447700900123\0"
//! let keys = eccsi_kms.issue(&alice_id, &mut OsRng)?;
//! let signer = SigningKey::new(&alice_id, keys.ssk, keys.pvt, eccsi_kms.kpak())?;
//! let bob_rsk = sakke_kms.issue_rsk(&Identifier::new(bob.identifier(t)?)?)?;
//! let z = sakke_kms.public_key();
//!
//! let mut params = IMessageParams::new(&alice, &bob, &signer, &z);
//! params.time = Some(t);
//! let sent = build_i_message(&params, &mut OsRng)?;
//!
//! let kpak = eccsi_kms.kpak();
//! let responder = ResponderParams {
//!     responder: &bob,
//!     expected_initiator: Some(&alice),
//!     rsk: &bob_rsk,
//!     responder_kms: &z,
//!     initiator_kpak: &kpak,
//!     max_skew: Duration::from_secs(300),
//!     verifiers: None,
//! };
//! let mut cache = ReplayCache::new(1024);
//! let got = open_i_message(&sent.bytes, &responder, &mut cache, t.to_system_time().unwrap())?;
//! assert_eq!(got.ssv, sent.ssv);
//! assert_eq!(
//!     got.keys.traffic_keys(0, KeyLengths::default()),
//!     sent.keys.traffic_keys(0, KeyLengths::default())
//! );
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod civil;
mod error;
mod general_extension;
mod hdr;
mod i_message;
mod identifier;
mod idr;
mod initiator;
mod key_id;
mod key_parameters;
mod key_period;
mod keys;
mod mcx;
mod message;
mod prf;
mod rand_payload;
mod reader;
mod replay;
mod responder;
mod sakke_payload;
mod security_policy;
mod sign;
mod timestamp;
mod uid;
mod wiped_hmac;

/// The ECCSI crate this one is built on (signing key and KPAK types in the API).
pub use eccsi;
/// The SAKKE crate this one is built on (key and SSV types in the API).
pub use sakke;

pub use error::{MikeyError, NextPayload, PayloadKind, Result};
pub use general_extension::{GeneralExtension, EXT_SAKKE_TO_SELF};
pub use hdr::{CsIdMap, DataType, GenericIdEntry, Hdr, PrfFunc, SrtpIdEntry, MIKEY_VERSION};
pub use i_message::{IMessage, MIN_RAND_LEN};
pub use identifier::{rfc6509_identifier, rfc6509_identifier_for_month, PartyId, UID_LEN};
pub use idr::{IdRole, IdType, Idr};
pub use initiator::{build_i_message, BuiltIMessage, IMessageParams};
pub use key_id::{gmk_id_from_guk_id, guk_id, received_key_id, KeyPurpose};
pub use key_parameters::{KeyParameters, KeyParametersForm, ParameterTime, EXT_KEY_PARAMETERS};
pub use key_period::KeyPeriods;
pub use keys::{
    derive_from_envelope, derive_from_tgk, envelope_label, tgk_label, EnvelopeKeyKind, KeyLengths,
    SessionKeys, TgkKeyKind, TrafficKeys,
};
pub use mcx::{McxIdentity, McxKms};
pub use message::{Message, Payload};
pub use prf::prf;
pub use rand_payload::RandPayload;
pub use replay::{ReplayCache, ReplayKey};
pub use responder::{
    open_i_message, open_i_message_with, open_own_i_message, verify_i_message, OpenedIMessage,
    OwnParams, ResponderParams, VerifiedIMessage, VerifyParams,
};
pub use sakke_payload::{IdScheme, SakkePayload, SAKKE_DATA_LEN, SAKKE_PARAMS_1};
pub use security_policy::{PolicyParam, SecurityPolicy};
pub use sign::{Sign, SignatureType, ECCSI_SIGNATURE_LEN, SIGN_HEADER_LEN};
pub use timestamp::{NtpTimestamp, Timestamp, NTP_UNIX_OFFSET};
pub use uid::mcx_uid;
