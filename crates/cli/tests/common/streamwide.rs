//! The Streamwide sw_mikey_sakke v5 vectors (the mikey crate's copy): `* Field : value`
//! lines and the four 3GPP MCX I_MESSAGEs.

#![allow(dead_code)]

const VECTORS: &str = include_str!("../../../mikey/tests/data/streamwide-test-vectors-v5.md");

/// `* Field : value` lines of the vectors file, from line `from` on.
pub fn field(from: usize, name: &str) -> String {
    VECTORS
        .lines()
        .skip(from)
        .find_map(|l| {
            let (k, v) = l.trim().strip_prefix("* ")?.split_once(':')?;
            (k.trim() == name).then(|| v.trim().to_string())
        })
        .unwrap_or_else(|| panic!("{name}"))
}

/// The first line holding `text`.
pub fn line_of(text: &str) -> usize {
    VECTORS.lines().position(|l| l.contains(text)).expect(text)
}

/// One of the four I_MESSAGEs, with the key it carries.
pub struct Message {
    pub kind: &'static str,
    pub key: String,
    pub key_id: String,
    pub initiator: String,
    pub responder: String,
    pub text: String,
}

pub fn messages() -> Vec<Message> {
    [
        ("### Test 1: GMK", "GMK"),
        ("### Test 2: CSK", "CSK"),
        ("### Test 3: PCK", "PCK"),
        ("### Test 4: GMK", "GMK"),
    ]
    .into_iter()
    .map(|(head, kind)| {
        let at = line_of(head);
        Message {
            kind,
            key: field(at, kind),
            key_id: field(at, &format!("{kind}-ID")),
            initiator: field(at, "Initiator URI"),
            responder: field(at, "Responder URI"),
            text: field(at, "I-MESSAGE"),
        }
    })
    .collect()
}
