//! The bytes of a job (gateway -> worker, over the JetStream work queue) and of an answer
//! (worker -> gateway, on the gateway's own answer subject).
//!
//! Both are versioned, every length is bounded, and a decode error says what was wrong.
//! A job holds no long-term secret: a user URI, a key period and the Encapsulated Data;
//! the worker decapsulates with its own key store. A job holds 1 to [`MAX_ITEMS`]
//! requests, as many as fit under the server's max payload ([`JobWriter`]).
//!
//! Job, big-endian: `"SKJ"`, version 1, reply subject (u8 length), item count (u16), then
//! per item: request id (u64), priority (u8: 0 emergency, 1 normal, 2 bulk), deadline
//! (u64 Unix milliseconds, 0 none), user URI (u16 length), key period (u8 length),
//! Encapsulated Data (u16 length).
//!
//! Answer: `"SKA"`, version 1, item count (u16), then per item: request id (u64), code
//! (u8: 0 ok, else the gRPC code), body (u16 length): the SSV when ok, else the error
//! message ("kind: detail").

use engine::Priority;
use thiserror::Error;

pub const VERSION: u8 = 1;
const JOB_MAGIC: &[u8; 3] = b"SKJ";
const ANSWER_MAGIC: &[u8; 3] = b"SKA";
/// Requests in one job or answer at most.
pub const MAX_ITEMS: usize = 256;
pub const MAX_SUBJECT: usize = 255;
pub const MAX_URI: usize = 1024;
pub const MAX_PERIOD: usize = 16;
/// Encapsulated Data is 273 octets for the RFC 6509 parameters; room for others.
pub const MAX_ENCAPSULATED: usize = 4096;
pub const MAX_BODY: usize = 4096;

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum WireError {
    #[error("truncated: {0} needs more bytes than are left")]
    Truncated(&'static str),
    #[error("not a sakke {0} (bad magic)")]
    BadMagic(&'static str),
    #[error("version {0} is not supported (this build speaks {VERSION})")]
    UnsupportedVersion(u8),
    #[error("{field} is {len} bytes, more than its maximum {max}")]
    TooLong {
        field: &'static str,
        len: usize,
        max: usize,
    },
    #[error("{0} items: a message holds 1 to {MAX_ITEMS}")]
    BadCount(usize),
    #[error("priority {0} is not 0, 1 or 2")]
    BadPriority(u8),
    #[error("{0} is not UTF-8")]
    NotUtf8(&'static str),
    #[error("{0} bytes after the last item")]
    Trailing(usize),
}

/// One decapsulation request as it travels.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobItem {
    /// The gateway's own id for the request; the answer carries it back.
    pub id: u64,
    pub priority: Priority,
    /// Unix milliseconds after which the answer is useless; 0 for none.
    pub deadline_unix_ms: u64,
    pub user_uri: String,
    pub key_period: String,
    pub encapsulated: Vec<u8>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Job {
    /// Where the worker publishes the answer.
    pub reply: String,
    pub items: Vec<JobItem>,
}

/// One request's answer: the SSV, or a gRPC code and its message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnswerItem {
    pub id: u64,
    pub result: Result<Vec<u8>, (u8, String)>,
}

fn priority_byte(p: Priority) -> u8 {
    p.index() as u8
}

fn put_bytes(out: &mut Vec<u8>, field: &'static str, bytes: &[u8], max: usize, wide: bool) {
    // Callers check lengths first ([`JobItem::check`], [`answer_body`]): a panic here is
    // a bug, never a peer's doing.
    assert!(bytes.len() <= max, "{field} over its maximum");
    if wide {
        out.extend_from_slice(&(bytes.len() as u16).to_be_bytes());
    } else {
        out.push(bytes.len() as u8);
    }
    out.extend_from_slice(bytes);
}

impl JobItem {
    /// Whether every field is within its bound, before it is queued for a job.
    pub fn check(&self) -> Result<(), WireError> {
        for (field, len, max) in [
            ("user URI", self.user_uri.len(), MAX_URI),
            ("key period", self.key_period.len(), MAX_PERIOD),
            (
                "encapsulated data",
                self.encapsulated.len(),
                MAX_ENCAPSULATED,
            ),
        ] {
            if len > max {
                return Err(WireError::TooLong { field, len, max });
            }
        }
        Ok(())
    }

    /// Bytes this item adds to a job.
    pub fn encoded_len(&self) -> usize {
        8 + 1
            + 8
            + 2
            + self.user_uri.len()
            + 1
            + self.key_period.len()
            + 2
            + self.encapsulated.len()
    }

    fn encode(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.id.to_be_bytes());
        out.push(priority_byte(self.priority));
        out.extend_from_slice(&self.deadline_unix_ms.to_be_bytes());
        put_bytes(out, "user URI", self.user_uri.as_bytes(), MAX_URI, true);
        put_bytes(
            out,
            "key period",
            self.key_period.as_bytes(),
            MAX_PERIOD,
            false,
        );
        put_bytes(
            out,
            "encapsulated",
            &self.encapsulated,
            MAX_ENCAPSULATED,
            true,
        );
    }
}

/// Builds one job from requests while it stays under a payload limit.
pub struct JobWriter {
    out: Vec<u8>,
    count: usize,
    limit: usize,
}

impl JobWriter {
    /// `limit`: the server's max payload (the job must not exceed it).
    pub fn new(reply: &str, limit: usize) -> JobWriter {
        assert!(reply.len() <= MAX_SUBJECT, "reply subject too long");
        let mut out = Vec::with_capacity(limit.min(64 * 1024));
        out.extend_from_slice(JOB_MAGIC);
        out.push(VERSION);
        put_bytes(&mut out, "reply", reply.as_bytes(), MAX_SUBJECT, false);
        out.extend_from_slice(&0u16.to_be_bytes());
        JobWriter {
            out,
            count: 0,
            limit,
        }
    }

    /// Whether `item` fits (by size and count); the first item always fits a limit of
    /// at least a few KiB, which every NATS server allows.
    pub fn fits(&self, item: &JobItem) -> bool {
        self.count < MAX_ITEMS && self.out.len() + item.encoded_len() <= self.limit
    }

    pub fn push(&mut self, item: &JobItem) {
        item.encode(&mut self.out);
        self.count += 1;
    }

    pub fn len(&self) -> usize {
        self.count
    }

    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    pub fn finish(mut self) -> Vec<u8> {
        let at = JOB_MAGIC.len() + 1 + 1 + self.out[JOB_MAGIC.len() + 1] as usize;
        self.out[at..at + 2].copy_from_slice(&(self.count as u16).to_be_bytes());
        self.out
    }
}

/// A cursor over received bytes; every read is bounds-checked.
struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize, what: &'static str) -> Result<&'a [u8], WireError> {
        if self.0.len() < n {
            return Err(WireError::Truncated(what));
        }
        let (head, rest) = self.0.split_at(n);
        self.0 = rest;
        Ok(head)
    }

    fn u8(&mut self, what: &'static str) -> Result<u8, WireError> {
        Ok(self.take(1, what)?[0])
    }

    fn u16(&mut self, what: &'static str) -> Result<u16, WireError> {
        let b = self.take(2, what)?;
        Ok(u16::from_be_bytes([b[0], b[1]]))
    }

    fn u64(&mut self, what: &'static str) -> Result<u64, WireError> {
        let b = self.take(8, what)?;
        Ok(u64::from_be_bytes(b.try_into().expect("8 bytes")))
    }

    fn bytes(&mut self, what: &'static str, max: usize, wide: bool) -> Result<&'a [u8], WireError> {
        let len = if wide {
            self.u16(what)? as usize
        } else {
            self.u8(what)? as usize
        };
        if len > max {
            return Err(WireError::TooLong {
                field: what,
                len,
                max,
            });
        }
        self.take(len, what)
    }

    fn text(&mut self, what: &'static str, max: usize, wide: bool) -> Result<String, WireError> {
        let b = self.bytes(what, max, wide)?;
        String::from_utf8(b.to_vec()).map_err(|_| WireError::NotUtf8(what))
    }

    fn header(&mut self, magic: &[u8; 3], what: &'static str) -> Result<(), WireError> {
        if self.take(3, what)? != magic {
            return Err(WireError::BadMagic(what));
        }
        match self.u8("version")? {
            VERSION => Ok(()),
            v => Err(WireError::UnsupportedVersion(v)),
        }
    }

    fn count(&mut self) -> Result<usize, WireError> {
        let n = self.u16("item count")? as usize;
        if n == 0 || n > MAX_ITEMS {
            return Err(WireError::BadCount(n));
        }
        Ok(n)
    }

    fn end(&self) -> Result<(), WireError> {
        match self.0.len() {
            0 => Ok(()),
            n => Err(WireError::Trailing(n)),
        }
    }
}

pub fn decode_job(bytes: &[u8]) -> Result<Job, WireError> {
    let mut r = Reader(bytes);
    r.header(JOB_MAGIC, "job")?;
    let reply = r.text("reply subject", MAX_SUBJECT, false)?;
    let n = r.count()?;
    let mut items = Vec::with_capacity(n);
    for _ in 0..n {
        let id = r.u64("request id")?;
        let priority = match r.u8("priority")? {
            0 => Priority::Emergency,
            1 => Priority::Normal,
            2 => Priority::Bulk,
            p => return Err(WireError::BadPriority(p)),
        };
        items.push(JobItem {
            id,
            priority,
            deadline_unix_ms: r.u64("deadline")?,
            user_uri: r.text("user URI", MAX_URI, true)?,
            key_period: r.text("key period", MAX_PERIOD, false)?,
            encapsulated: r
                .bytes("encapsulated data", MAX_ENCAPSULATED, true)?
                .to_vec(),
        });
    }
    r.end()?;
    Ok(Job { reply, items })
}

/// Cuts a message to [`MAX_BODY`] bytes at a character boundary.
pub fn answer_body(message: &str) -> &str {
    let mut end = message.len().min(MAX_BODY);
    while !message.is_char_boundary(end) {
        end -= 1;
    }
    &message[..end]
}

/// Answers, as few messages as fit under `limit` each.
pub fn encode_answers(items: &[AnswerItem], limit: usize) -> Vec<Vec<u8>> {
    let header = || {
        let mut out = ANSWER_MAGIC.to_vec();
        out.push(VERSION);
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
            Ok(ssv) => (0, ssv.as_slice()),
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
    r.header(ANSWER_MAGIC, "answer")?;
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

    fn item(id: u64) -> JobItem {
        JobItem {
            id,
            priority: Priority::Bulk,
            deadline_unix_ms: 1_800_000_000_000 + id,
            user_uri: format!("tel:+44770090{id:04}"),
            key_period: "2026-12".into(),
            encapsulated: vec![id as u8; 273],
        }
    }

    #[test]
    fn a_job_round_trips_and_stays_under_its_limit() {
        let limit = 4096;
        let mut w = JobWriter::new("sakke.answers.abc", limit);
        let mut pushed = Vec::new();
        for id in 0.. {
            let it = item(id);
            if !w.fits(&it) {
                break;
            }
            w.push(&it);
            pushed.push(it);
        }
        assert!(pushed.len() > 1 && pushed.len() < 20, "{}", pushed.len());
        let bytes = w.finish();
        assert!(bytes.len() <= limit);
        let job = decode_job(&bytes).unwrap();
        assert_eq!(job.reply, "sakke.answers.abc");
        assert_eq!(job.items, pushed);
    }

    #[test]
    fn bad_jobs_give_typed_errors() {
        let mut w = JobWriter::new("r", 1 << 20);
        w.push(&item(7));
        let good = w.finish();
        assert_eq!(
            decode_job(&good[..good.len() - 1]),
            Err(WireError::Truncated("encapsulated data"))
        );
        let mut v2 = good.clone();
        v2[3] = 2;
        assert_eq!(decode_job(&v2), Err(WireError::UnsupportedVersion(2)));
        assert_eq!(decode_job(b"XYZ\x01"), Err(WireError::BadMagic("job")));
        let mut extra = good.clone();
        extra.push(0);
        assert_eq!(decode_job(&extra), Err(WireError::Trailing(1)));
        let empty = JobWriter::new("r", 100).finish();
        assert_eq!(decode_job(&empty), Err(WireError::BadCount(0)));
        let mut prio = good.clone();
        prio[4 + 2 + 2 + 8] = 9;
        assert_eq!(decode_job(&prio), Err(WireError::BadPriority(9)));
        let long = JobItem {
            user_uri: "x".repeat(MAX_URI + 1),
            ..item(1)
        };
        assert!(matches!(long.check(), Err(WireError::TooLong { .. })));
    }

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
    }
}
