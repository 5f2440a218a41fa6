//! 3GPP MCX KMS provisioning documents (TS 33.180 Annex D; schema namespace
//! `urn:3gpp:ns:mcsecKMSInterface:1.0`): the KmsInit response that carries a KMS's
//! certificate (KmsUri, UserIdFormat, UserKeyPeriod, UserKeyOffset, PubEncKey,
//! PubAuthKey) and the KmsKeyProv response that carries user key sets (UserUri, UserID,
//! KeyPeriodNo, UserDecryptKey, UserSigningKeySSK, UserPubTokenPVT).
//!
//! - [`parse_response`] reads a document: structure, order and encodings (keys as hex or
//!   base64, `xsi:type` optional). It refuses any DTD outright (no entity is ever
//!   expanded), signed documents (XML-DSig checking is not built) and keys encrypted
//!   under a transport key (not built), each with its own [`KmsXmlError`].
//! - [`KmsCertificate::validate`] and [`KmsKeySet::validate`] check the keys: Z and KPAK
//!   are valid points, the UserID is the UID of the URI, KMS and key period (UserIdFormat
//!   2, TS 33.180 F.2.1), the RSK and SSK/PVT validate for that UID.
//! - [`write_response`] writes a document the same way (hex keys, lower case).
//!
//! Secret keys live in buffers wiped on drop and are never shown by `Debug`.

mod document;
mod error;
mod parse;
mod tree;
mod validate;
mod write;

pub use document::{
    KmsCertificate, KmsInit, KmsKeyProv, KmsKeySet, KmsMessage, KmsResponse, USER_ID_LEN,
};
pub use error::{KmsXmlError, Result};
pub use parse::parse_response;
pub use tree::MAX_DOCUMENT_BYTES;
pub use validate::{KmsParams, UserKeySet};
pub use write::write_response;

/// The 3GPP KMS interface namespace.
pub const NAMESPACE: &str = "urn:3gpp:ns:mcsecKMSInterface:1.0";
/// XML Schema instance (`xsi:type`).
pub const XSI_NAMESPACE: &str = "http://www.w3.org/2001/XMLSchema-instance";
/// XML-DSig: a `ds:Signature` marks a signed document.
pub const XMLDSIG_NAMESPACE: &str = "http://www.w3.org/2000/09/xmldsig#";
/// XML-Enc: an `xenc:EncryptedKey` is a key wrapped under a transport key.
pub const XMLENC_NAMESPACE: &str = "http://www.w3.org/2001/04/xmlenc#";

#[cfg(test)]
mod tests;
