//! The documents' typed form: a KmsResponse head around one KmsInit (the KMS certificate)
//! or one KmsKeyProv (user key sets), as TS 33.180 Annex D / the 3GPP schema lay them out.
//! Keys are held decoded (bytes), whatever encoding the document used; secret keys in
//! buffers wiped on drop, and never shown by `Debug`.

use std::fmt;

use zeroize::Zeroizing;

/// Length of a UserID (a UID, SHA-256).
pub const USER_ID_LEN: usize = 32;

/// The KmsResponse element: who asked, which KMS answered, when, and the answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KmsResponse {
    /// The `Version` attribute (1.0.0 in the schema).
    pub version: String,
    /// UserUri: the user the request was made for.
    pub user_uri: String,
    /// KmsUri of the answering KMS.
    pub kms_uri: String,
    /// Time, an xsd:dateTime kept as written (some KMSs send no zone).
    pub time: String,
    /// KmsId, if sent.
    pub kms_id: Option<String>,
    /// ClientReqUrl: the request's URL.
    pub client_req_url: String,
    /// The KmsMessage.
    pub message: KmsMessage,
}

/// What a response carries (KmsCertCache and KmsError are refused when parsing).
// One per document: the size difference costs nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KmsMessage {
    Init(KmsInit),
    KeyProv(KmsKeyProv),
}

impl KmsMessage {
    pub fn name(&self) -> &'static str {
        match self {
            KmsMessage::Init(_) => "KmsInit",
            KmsMessage::KeyProv(_) => "KmsKeyProv",
        }
    }
}

/// KmsInit: the (root) KMS certificate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KmsInit {
    pub version: String,
    pub certificate: KmsCertificate,
}

/// KmsKeyProv: zero or more user key sets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KmsKeyProv {
    pub version: String,
    pub key_sets: Vec<KmsKeySet>,
}

/// KmsCertificate: the KMS's public keys and key period grid.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KmsCertificate {
    /// The `Version` attribute.
    pub version: String,
    /// The `Role` attribute: Root or External.
    pub role: String,
    /// The `IsSecurityGateway` attribute, if present.
    pub is_security_gateway: Option<bool>,
    pub cert_uri: Option<String>,
    pub kms_uri: String,
    pub issuer: Option<String>,
    pub valid_from: Option<String>,
    pub valid_to: Option<String>,
    pub revoked: Option<bool>,
    /// UserIdFormat as written; only "2" validates.
    pub user_id_format: String,
    /// UserKeyPeriod, seconds.
    pub user_key_period: u64,
    /// UserKeyOffset, seconds after 1900-01-01.
    pub user_key_offset: u64,
    /// PubEncKey: the SAKKE public key Z, 04 || x || y (257 bytes).
    pub pub_enc_key: Vec<u8>,
    /// PubAuthKey: the ECCSI KPAK, 04 || x || y (65 bytes).
    pub pub_auth_key: Vec<u8>,
    pub parameter_set: Option<u64>,
}

impl KmsCertificate {
    /// A Root certificate, Version 1.1.0, UserIdFormat 2, without the optional fields:
    /// what `sakke kms export-3gpp` writes.
    pub fn root(
        kms_uri: &str,
        user_key_period: u64,
        user_key_offset: u64,
        pub_enc_key: Vec<u8>,
        pub_auth_key: Vec<u8>,
    ) -> KmsCertificate {
        KmsCertificate {
            version: "1.1.0".into(),
            role: "Root".into(),
            is_security_gateway: None,
            cert_uri: None,
            kms_uri: kms_uri.into(),
            issuer: None,
            valid_from: None,
            valid_to: None,
            revoked: None,
            user_id_format: "2".into(),
            user_key_period,
            user_key_offset,
            pub_enc_key,
            pub_auth_key,
            parameter_set: None,
        }
    }
}

/// KmsKeySet: one user's keys for one key period.
#[derive(Clone, PartialEq, Eq)]
pub struct KmsKeySet {
    /// The `Version` attribute (1.1.0 in the schema).
    pub version: String,
    pub kms_uri: String,
    pub cert_uri: Option<String>,
    pub issuer: Option<String>,
    pub user_uri: String,
    /// UserID: the UID the keys are for.
    pub user_id: [u8; USER_ID_LEN],
    pub valid_from: Option<String>,
    pub valid_to: Option<String>,
    pub key_period_no: u64,
    pub revoked: Option<bool>,
    /// UserDecryptKey: the SAKKE RSK (257 bytes). Secret.
    pub user_decrypt_key: Zeroizing<Vec<u8>>,
    /// UserSigningKeySSK: the ECCSI SSK (32 bytes). Secret.
    pub user_signing_key_ssk: Zeroizing<Vec<u8>>,
    /// UserPubTokenPVT: the ECCSI PVT (65 bytes).
    pub user_pub_token_pvt: Vec<u8>,
}

impl KmsKeySet {
    /// A key set, Version 1.1.0, without the optional fields.
    pub fn new(
        kms_uri: &str,
        user_uri: &str,
        user_id: [u8; USER_ID_LEN],
        key_period_no: u64,
        rsk: Zeroizing<Vec<u8>>,
        ssk: Zeroizing<Vec<u8>>,
        pvt: Vec<u8>,
    ) -> KmsKeySet {
        KmsKeySet {
            version: "1.1.0".into(),
            kms_uri: kms_uri.into(),
            cert_uri: None,
            issuer: None,
            user_uri: user_uri.into(),
            user_id,
            valid_from: None,
            valid_to: None,
            key_period_no,
            revoked: None,
            user_decrypt_key: rsk,
            user_signing_key_ssk: ssk,
            user_pub_token_pvt: pvt,
        }
    }
}

impl fmt::Debug for KmsKeySet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KmsKeySet")
            .field("version", &self.version)
            .field("kms_uri", &self.kms_uri)
            .field("cert_uri", &self.cert_uri)
            .field("issuer", &self.issuer)
            .field("user_uri", &self.user_uri)
            .field("user_id", &hex::encode(self.user_id))
            .field("valid_from", &self.valid_from)
            .field("valid_to", &self.valid_to)
            .field("key_period_no", &self.key_period_no)
            .field("revoked", &self.revoked)
            .field("user_decrypt_key", &"<redacted>")
            .field("user_signing_key_ssk", &"<redacted>")
            .field("user_pub_token_pvt", &hex::encode(&self.user_pub_token_pvt))
            .finish()
    }
}
