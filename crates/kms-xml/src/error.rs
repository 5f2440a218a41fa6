//! Why a KMS document was refused. One variant per cause, so that callers (and tests)
//! tell a truncated file from a wrong key from a signed document without parsing text.
//! No variant ever carries a secret key's value.

use thiserror::Error;

use crate::NAMESPACE;

#[derive(Debug, Error)]
pub enum KmsXmlError {
    #[error("the document is {len} bytes; a KMS response is at most {max}")]
    TooLarge { len: usize, max: usize },
    #[error("the document is not UTF-8 text")]
    NotUtf8,
    #[error("not well-formed XML: {0}")]
    Malformed(String),
    #[error("the document ends inside <{open}>: truncated?")]
    Truncated { open: String },
    #[error("the document nests elements deeper than {max}")]
    TooDeep { max: usize },
    #[error(
        "the document has a <!DOCTYPE> (a DTD): refused outright, so that no entity is ever \
         declared or expanded; KMS responses have no DTD"
    )]
    Doctype,
    #[error(
        "reference &{0}; is not one of the five XML entities or a character reference \
         (documents with a DTD are refused, so no other entity exists)"
    )]
    UnknownEntity(String),
    #[error("the root element is {found}, expected KmsResponse in namespace {NAMESPACE}")]
    WrongRoot { found: String },
    #[error("element {element} is in namespace {found:?}, expected {NAMESPACE}")]
    WrongNamespace {
        element: String,
        found: Option<String>,
    },
    #[error(
        "the document is signed ({element}): XML-DSig signature checking is not built, so a \
         signed KMS response cannot be checked and is refused; ask the KMS for unsigned \
         responses on a trusted channel"
    )]
    Signed { element: String },
    #[error(
        "{element} holds a key encrypted under a transport key (EncKeyContentType / \
         xenc:EncryptedKey): decrypting TrK-wrapped keys is not built; ask the KMS for \
         plain KeyContentType keys"
    )]
    EncryptedKey { element: String },
    #[error("{parent} has no {field}")]
    Missing {
        parent: &'static str,
        field: &'static str,
    },
    #[error("{parent} has more than one {field}")]
    Repeated {
        parent: &'static str,
        field: &'static str,
    },
    #[error("{parent} has an unexpected element {element}")]
    Unexpected {
        parent: &'static str,
        element: String,
    },
    #[error("{parent}: {element} is out of order (the schema's sequence puts it before {before})")]
    OutOfOrder {
        parent: &'static str,
        element: &'static str,
        before: &'static str,
    },
    #[error("{element} has text where only elements belong")]
    UnexpectedText { element: &'static str },
    #[error("{element}: attribute {attribute} is {value:?}: {reason}")]
    BadAttribute {
        element: &'static str,
        attribute: &'static str,
        value: String,
        reason: &'static str,
    },
    #[error("{field}: {value:?} is not a non-negative integer that fits 64 bits")]
    BadNumber { field: &'static str, value: String },
    #[error("{field}: {value:?} is not a boolean (true, false, 1 or 0)")]
    BadBoolean { field: &'static str, value: String },
    #[error("{field}: {value:?} is not an xsd:dateTime (YYYY-MM-DDTHH:MM:SS, optional fraction and zone)")]
    BadTime { field: &'static str, value: String },
    #[error("{field} is empty")]
    Empty { field: &'static str },
    #[error("{field}: neither hex digits nor base64")]
    BadEncoding { field: &'static str },
    #[error("{field}: must be {expected} bytes, got {got}")]
    WrongLength {
        field: &'static str,
        expected: usize,
        got: usize,
    },
    #[error("{field} ({what}) is not a valid key: {reason}")]
    BadKey {
        field: &'static str,
        what: &'static str,
        reason: String,
    },
    #[error(
        "UserIdFormat {0:?} is not supported: only 2, the TS 33.180 F.2.1 UID (SHA-256 of the \
         URI, KMS URI and key period), is built"
    )]
    UserIdFormat(String),
    #[error("UserKeyPeriod is 0: the KMS would have no key periods")]
    ZeroKeyPeriod,
    #[error("{what} is marked Revoked: refused")]
    Revoked { what: String },
    #[error("{what}: KmsUri is {found:?}, but the KMS certificate is for {expected:?}")]
    OtherKms {
        what: String,
        found: String,
        expected: String,
    },
    #[error(
        "UserID of {uri} is the UID for key period {uid_period}, but KeyPeriodNo says \
         {key_period_no}"
    )]
    KeyPeriodMismatch {
        uri: String,
        key_period_no: u64,
        uid_period: u64,
    },
    #[error("KeyPeriodNo {key_period_no} of {uri} starts beyond 2^64 seconds")]
    KeyPeriodOutOfRange { uri: String, key_period_no: u64 },
    #[error(
        "UserID of {uri} for key period {key_period_no} is {found}, but the UID derived from \
         UserUri, KmsUri, UserKeyPeriod, UserKeyOffset and KeyPeriodNo is {derived}"
    )]
    WrongUserId {
        uri: String,
        key_period_no: u64,
        found: String,
        derived: String,
    },
    #[error("the key set of {uri} for key period {key_period_no} appears more than once")]
    DuplicateKeySet { uri: String, key_period_no: u64 },
    #[error("the response carries {found}, expected {expected}")]
    WrongMessage {
        found: &'static str,
        expected: &'static str,
    },
    #[error("the KMS answered with error {code}: {message}")]
    KmsError { code: String, message: String },
}

pub type Result<T> = std::result::Result<T, KmsXmlError>;
