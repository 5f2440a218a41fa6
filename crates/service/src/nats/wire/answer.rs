//! Answers: what a worker sends back for each request of a job.

use std::fmt;

use super::reader::Reader;
use super::{put_bytes, WireError, ANSWER_VERSION, MAX_BODY, MAX_ITEMS, MAX_URI};

const MAGIC: &[u8; 3] = b"SKA";

/// One request's answer: its body (see the module docs), or a gRPC code and its message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnswerItem {
    pub id: u64,
    pub result: Result<Vec<u8>, (u8, String)>,
}

/// An opened I_MESSAGE's keys, the body of its answer: TGK (u8 length), TEK (u8
/// length), salt (u8 length), CSB ID (u32), initiator URI (u16 length). The gateway
/// knows the rest (the key period is the month of the message's own timestamp).
#[derive(Clone, PartialEq, Eq)]
pub struct Opened {
    pub tgk: Vec<u8>,
    pub tek: Vec<u8>,
    pub salt: Vec<u8>,
    pub csb_id: u32,
    pub initiator_uri: String,
}

impl fmt::Debug for Opened {
    /// The keys are secrets: never printed.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Opened")
            .field("csb_id", &self.csb_id)
            .field("initiator_uri", &self.initiator_uri)
            .finish_non_exhaustive()
    }
}

impl Opened {
    pub fn encode(&self) -> Result<Vec<u8>, WireError> {
        let keys = [("TGK", &self.tgk), ("TEK", &self.tek), ("salt", &self.salt)];
        for (field, len, max) in keys
            .iter()
            .map(|(f, k)| (*f, k.len(), u8::MAX as usize))
            .chain([("initiator URI", self.initiator_uri.len(), MAX_URI)])
        {
            if len > max {
                return Err(WireError::TooLong { field, len, max });
            }
        }
        let mut out = Vec::new();
        for (field, key) in keys {
            put_bytes(&mut out, field, key, u8::MAX as usize, false);
        }
        out.extend_from_slice(&self.csb_id.to_be_bytes());
        put_bytes(
            &mut out,
            "initiator URI",
            self.initiator_uri.as_bytes(),
            MAX_URI,
            true,
        );
        Ok(out)
    }

    pub fn decode(bytes: &[u8]) -> Result<Opened, WireError> {
        let mut r = Reader(bytes);
        let mut key = |what| r.bytes(what, u8::MAX as usize, false).map(<[u8]>::to_vec);
        let (tgk, tek, salt) = (key("TGK")?, key("TEK")?, key("salt")?);
        let opened = Opened {
            tgk,
            tek,
            salt,
            csb_id: r.u32("CSB ID")?,
            initiator_uri: r.text("initiator URI", MAX_URI, true)?,
        };
        r.end()?;
        Ok(opened)
    }
}

/// Cuts a message to [`MAX_BODY`] bytes at a character boundary.
pub fn answer_body(message: &str) -> &str {
    let mut end = message.len().min(MAX_BODY);
    while !message.is_char_boundary(end) {
        end -= 1;
    }
    &message[..end]
}

/// Answers, as few messages as fit under `limit` each. A body over [`MAX_BODY`] is a
/// worker's bug; it is answered as an internal error rather than sent.
pub fn encode_answers(items: &[AnswerItem], limit: usize) -> Vec<Vec<u8>> {
    let header = || {
        let mut out = MAGIC.to_vec();
        out.push(ANSWER_VERSION);
        out.extend_from_slice(&0u16.to_be_bytes());
        out
    };
    let finish = |mut out: Vec<u8>, n: usize| {
        out[4..6].copy_from_slice(&(n as u16).to_be_bytes());
        out
    };
    let mut messages = Vec::new();
    let (mut out, mut n) = (header(), 0);
    for item in items {
        let (code, body) = match &item.result {
            Ok(body) if body.len() <= MAX_BODY => (0, body.as_slice()),
            Ok(_) => (13, "internal: the answer is too long".as_bytes()),
            Err((code, message)) => (*code, answer_body(message).as_bytes()),
        };
        if n > 0 && (n == MAX_ITEMS || out.len() + 11 + body.len() > limit) {
            messages.push(finish(std::mem::replace(&mut out, header()), n));
            n = 0;
        }
        out.extend_from_slice(&item.id.to_be_bytes());
        out.push(code);
        put_bytes(&mut out, "answer body", body, MAX_BODY, true);
        n += 1;
    }
    if n > 0 {
        messages.push(finish(out, n));
    }
    messages
}

pub fn decode_answers(bytes: &[u8]) -> Result<Vec<AnswerItem>, WireError> {
    let mut r = Reader(bytes);
    r.header(MAGIC, "answer", &[ANSWER_VERSION])?;
    let n = r.count()?;
    let mut items = Vec::with_capacity(n);
    for _ in 0..n {
        let id = r.u64("request id")?;
        let code = r.u8("code")?;
        let body = r.bytes("answer body", MAX_BODY, true)?;
        let result = match code {
            0 => Ok(body.to_vec()),
            c => Err((c, String::from_utf8_lossy(body).into_owned())),
        };
        items.push(AnswerItem { id, result });
    }
    r.end()?;
    Ok(items)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_round_trip_in_chunks() {
        let items: Vec<AnswerItem> = (0..600)
            .map(|id| AnswerItem {
                id,
                result: if id % 3 == 0 {
                    Err((4, "deadline_exceeded: late".into()))
                } else {
                    Ok(vec![id as u8; 16])
                },
            })
            .collect();
        let messages = encode_answers(&items, 2048);
        assert!(messages.len() > 3);
        let mut back = Vec::new();
        for m in &messages {
            assert!(m.len() <= 2048);
            back.extend(decode_answers(m).unwrap());
        }
        assert_eq!(back, items);
        assert_eq!(
            decode_answers(b"SKJ\x01\x00\x01"),
            Err(WireError::BadMagic("answer"))
        );
        assert_eq!(answer_body(&"é".repeat(MAX_BODY)).len(), MAX_BODY);
        let too_long = [AnswerItem {
            id: 1,
            result: Ok(vec![0; MAX_BODY + 1]),
        }];
        let back = decode_answers(&encode_answers(&too_long, 1 << 20)[0]).unwrap();
        assert_eq!(
            back[0].result,
            Err((13, "internal: the answer is too long".into()))
        );
    }

    #[test]
    fn an_opened_message_round_trips_and_is_never_printed() {
        let opened = Opened {
            tgk: vec![0xA1; 16],
            tek: vec![0xB2; 16],
            salt: vec![0xC3; 14],
            csb_id: 0xDEAD_BEEF,
            initiator_uri: "tel:+447700900123".into(),
        };
        let bytes = opened.encode().unwrap();
        assert_eq!(bytes.len(), 1 + 16 + 1 + 16 + 1 + 14 + 4 + 2 + 17);
        assert_eq!(Opened::decode(&bytes).unwrap(), opened);
        assert_eq!(
            Opened::decode(&bytes[..bytes.len() - 1]),
            Err(WireError::Truncated("initiator URI"))
        );
        let mut longer = bytes.clone();
        longer.push(0);
        assert_eq!(Opened::decode(&longer), Err(WireError::Trailing(1)));
        let shown = format!("{opened:?}");
        assert!(
            !shown.contains("161") && !shown.to_lowercase().contains("a1"),
            "{shown}"
        );
        let huge = Opened {
            initiator_uri: "x".repeat(MAX_URI + 1),
            ..opened
        };
        assert!(matches!(huge.encode(), Err(WireError::TooLong { .. })));
    }
}
