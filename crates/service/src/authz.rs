//! Who may act for which users: the authorisation file, and the check every request
//! passes before any key is touched.
//!
//! ```toml
//! # One entry per client certificate, matched by the SHA-256 fingerprint of its DER
//! # and/or its subject CN (an entry naming both needs both to match).
//! [[client]]
//! fingerprint = "5f1c...e0"          # hex, colons allowed
//! users = ["tel:+447700900123", "tel:+447700900456"]
//!
//! [[client]]
//! cn = "ops-admin"
//! users = ["*"]                      # every user
//! ```

use std::collections::BTreeSet;

use serde::Deserialize;
use sha2::{Digest, Sha256};
use thiserror::Error;

#[derive(Debug, Error)]
pub enum AuthzError {
    #[error("authorisation file: {0}")]
    Toml(#[from] toml::de::Error),
    #[error("authorisation entry {0}: give a fingerprint, a cn, or both")]
    Unmatchable(usize),
    #[error("authorisation entry {0}: fingerprint must be 64 hex digits (SHA-256)")]
    BadFingerprint(usize),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(default)]
    client: Vec<Entry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    fingerprint: Option<String>,
    cn: Option<String>,
    users: Vec<String>,
}

/// One client certificate as the server saw it in the handshake.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientIdentity {
    /// SHA-256 of the certificate's DER, lower-case hex.
    pub fingerprint: String,
    /// Subject common name, if the certificate has one.
    pub cn: Option<String>,
}

impl ClientIdentity {
    /// Reads the identity of a DER certificate.
    pub fn from_der(der: &[u8]) -> ClientIdentity {
        let cn = x509_parser::parse_x509_certificate(der)
            .ok()
            .and_then(|(_, cert)| {
                cert.subject()
                    .iter_common_name()
                    .next()
                    .and_then(|cn| cn.as_str().ok().map(str::to_string))
            });
        ClientIdentity {
            fingerprint: fingerprint(der),
            cn,
        }
    }
}

/// SHA-256 fingerprint of a DER certificate, lower-case hex, as the authorisation file
/// names it.
pub fn fingerprint(der: &[u8]) -> String {
    hex::encode(Sha256::digest(der))
}

/// Which users a client may act for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Grant {
    All,
    Users(BTreeSet<String>),
}

impl Grant {
    pub fn allows(&self, uri: &str) -> bool {
        match self {
            Grant::All => true,
            Grant::Users(users) => users.contains(uri),
        }
    }
}

struct Rule {
    fingerprint: Option<String>,
    cn: Option<String>,
    users: Vec<String>,
}

impl Rule {
    fn matches(&self, client: &ClientIdentity) -> bool {
        self.fingerprint
            .as_ref()
            .is_none_or(|f| *f == client.fingerprint)
            && self
                .cn
                .as_ref()
                .is_none_or(|cn| Some(cn) == client.cn.as_ref())
    }
}

/// The parsed authorisation file.
pub struct Authorisation {
    rules: Vec<Rule>,
}

impl Authorisation {
    pub fn parse(text: &str) -> Result<Authorisation, AuthzError> {
        let file: File = toml::from_str(text)?;
        let mut rules = Vec::with_capacity(file.client.len());
        for (i, entry) in file.client.into_iter().enumerate() {
            let n = i + 1;
            if entry.fingerprint.is_none() && entry.cn.is_none() {
                return Err(AuthzError::Unmatchable(n));
            }
            let fingerprint = match entry.fingerprint {
                Some(f) => {
                    let f = f.replace(':', "").to_ascii_lowercase();
                    if f.len() != 64 || hex::decode(&f).is_err() {
                        return Err(AuthzError::BadFingerprint(n));
                    }
                    Some(f)
                }
                None => None,
            };
            rules.push(Rule {
                fingerprint,
                cn: entry.cn,
                users: entry.users,
            });
        }
        Ok(Authorisation { rules })
    }

    /// Everything the matching entries grant together; nothing for an unknown client.
    pub fn grant(&self, client: &ClientIdentity) -> Grant {
        let mut users = BTreeSet::new();
        for rule in self.rules.iter().filter(|r| r.matches(client)) {
            for user in &rule.users {
                if user == "*" {
                    return Grant::All;
                }
                users.insert(user.clone());
            }
        }
        Grant::Users(users)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn client(fingerprint: &str, cn: Option<&str>) -> ClientIdentity {
        ClientIdentity {
            fingerprint: fingerprint.into(),
            cn: cn.map(str::to_string),
        }
    }

    const F1: &str = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";

    #[test]
    fn entries_match_by_fingerprint_cn_or_both() {
        let authz = Authorisation::parse(&format!(
            r#"
            [[client]]
            fingerprint = "{}"
            users = ["tel:+1"]
            [[client]]
            cn = "gw"
            users = ["tel:+2"]
            [[client]]
            fingerprint = "{F1}"
            cn = "admin"
            users = ["*"]
            "#,
            F1.to_uppercase()
        ))
        .unwrap();
        let g = authz.grant(&client(F1, Some("gw")));
        assert!(g.allows("tel:+1") && g.allows("tel:+2") && !g.allows("tel:+3"));
        assert_eq!(authz.grant(&client(F1, Some("admin"))), Grant::All);
        let stranger = authz.grant(&client(&"1".repeat(64), Some("admin")));
        assert!(!stranger.allows("tel:+1"));
    }

    #[test]
    fn bad_entries_are_refused() {
        assert!(matches!(
            Authorisation::parse("[[client]]\nusers = [\"*\"]"),
            Err(AuthzError::Unmatchable(1))
        ));
        assert!(matches!(
            Authorisation::parse("[[client]]\nfingerprint = \"abc\"\nusers = []"),
            Err(AuthzError::BadFingerprint(1))
        ));
        assert!(Authorisation::parse("[[client]]\ncn = \"x\"\nusers = []\nextra = 1").is_err());
    }
}
