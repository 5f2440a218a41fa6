//! Reads the Streamwide interop vectors (tests/data/streamwide-test-vectors-v5.md).

#![allow(dead_code)]

use base64::Engine;

const TEXT: &str = include_str!("../data/streamwide-test-vectors-v5.md");

/// One provisioned user.
pub struct User {
    pub uri: String,
    pub uid: [u8; 32],
    pub rsk: Vec<u8>,
    pub ssk: Vec<u8>,
    pub pvt: Vec<u8>,
}

/// One test message.
pub struct Vector {
    pub name: String,
    pub key: Vec<u8>,
    pub key_id: u32,
    pub rand: Vec<u8>,
    pub initiator: String,
    pub responder: String,
    pub message: Vec<u8>,
}

fn value<'a>(line: &'a str, field: &str) -> Option<&'a str> {
    let rest = line.trim().strip_prefix("* ")?.strip_prefix(field)?;
    Some(rest.trim_start().strip_prefix(':')?.trim())
}

fn hex(s: &str) -> Vec<u8> {
    hex::decode(s).expect("hex")
}

/// SAKKE KMS public key Z (257 bytes).
pub fn pub_enc_key() -> Vec<u8> {
    TEXT.lines()
        .find_map(|l| value(l, "PubEncKey"))
        .map(hex)
        .expect("PubEncKey")
}

/// ECCSI KPAK (65 bytes).
pub fn pub_auth_key() -> Vec<u8> {
    TEXT.lines()
        .find_map(|l| value(l, "PubAuthKey"))
        .map(hex)
        .expect("PubAuthKey")
}

/// All users.
pub fn users() -> Vec<User> {
    let lines: Vec<&str> = TEXT.lines().collect();
    let mut users = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        if let Some(uri) = value(line, "UserUri") {
            let field = |name: &str| {
                lines[i..]
                    .iter()
                    .find_map(|l| value(l, name))
                    .map(hex)
                    .unwrap_or_else(|| panic!("{name} for {uri}"))
            };
            users.push(User {
                uri: uri.to_string(),
                uid: field("UserID").try_into().expect("32-byte UID"),
                rsk: field("UserDecryptKey"),
                ssk: field("UserSigningKeySSK"),
                pvt: field("UserPubTokenPVT"),
            });
        }
    }
    users
}

/// The user with this URI.
pub fn user(uri: &str) -> User {
    users().into_iter().find(|u| u.uri == uri).expect("user")
}

/// The four I_MESSAGE vectors.
pub fn vectors() -> Vec<Vector> {
    let lines: Vec<&str> = TEXT.lines().collect();
    let mut out = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let Some(name) = line.strip_prefix("### Test ") else {
            continue;
        };
        let section: Vec<&str> = lines[i + 1..]
            .iter()
            .take_while(|l| !l.starts_with("###"))
            .copied()
            .collect();
        let find = |key: &str| {
            section.iter().find_map(|l| {
                let (k, v) = l.trim().strip_prefix("* ")?.split_once(':')?;
                (k.trim() == key).then(|| v.trim().to_string())
            })
        };
        // "1: GMK" -> "GMK": the key kind names the key, its ID and its RAND.
        let kind = name
            .split(": ")
            .nth(1)
            .and_then(|k| k.split_whitespace().next())
            .unwrap_or_default();
        let Some(msg) = find("I-MESSAGE") else {
            continue; // the UID tests
        };
        let b64 = msg.strip_prefix("mikey ").expect("mikey prefix");
        out.push(Vector {
            name: name.to_string(),
            key: hex(&find(kind).expect("key")),
            key_id: u32::from_str_radix(&find(&format!("{kind}-ID")).expect("key id"), 16)
                .expect("id"),
            rand: hex(&find(&format!("{kind}-RAND")).expect("rand")),
            initiator: find("Initiator URI").expect("initiator"),
            responder: find("Responder URI").expect("responder"),
            message: base64::engine::general_purpose::STANDARD
                .decode(b64)
                .expect("base64"),
        });
    }
    out
}
