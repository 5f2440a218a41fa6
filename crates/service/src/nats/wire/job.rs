//! Jobs: what a gateway asks the workers to do, in the layout of the module docs.

use engine::Priority;
use sakke::{Ssv, SSV_BYTES};

use super::reader::Reader;
use super::{
    put_bytes, WireError, MAX_ENCAPSULATED, MAX_ITEMS, MAX_I_MESSAGE, MAX_PERIOD, MAX_SUBJECT,
    MAX_URI, VERSION,
};

const MAGIC: &[u8; 3] = b"SKJ";

/// One request as it travels: what the worker computes, and with what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Request {
    /// The worker holds the user's RSK for the period.
    Decapsulate {
        user_uri: String,
        key_period: String,
        encapsulated: Vec<u8>,
    },
    /// Public keys only; the SSV is the gateway's choice, so every answer is the same.
    Encapsulate {
        recipient_uri: String,
        key_period: String,
        ssv: Ssv,
    },
    /// Every RFC 6509 check but the replay cache, which the gateway keeps.
    OpenIMessage {
        responder_uri: String,
        expected_initiator_uri: Option<String>,
        /// The gateway's clock when the request came, Unix milliseconds.
        received_unix_ms: u64,
        max_skew_ms: u32,
        i_message: Vec<u8>,
    },
}

/// One field of a request as it is written.
enum Field<'a> {
    /// Bytes after their length, one byte wide or (`wide`) two.
    Bytes {
        name: &'static str,
        bytes: &'a [u8],
        max: usize,
        wide: bool,
    },
    U32(u32),
    U64(u64),
}

impl<'a> Field<'a> {
    fn wide(name: &'static str, bytes: &'a [u8], max: usize) -> Field<'a> {
        Field::Bytes {
            name,
            bytes,
            max,
            wide: true,
        }
    }

    fn narrow(name: &'static str, bytes: &'a [u8], max: usize) -> Field<'a> {
        Field::Bytes {
            name,
            bytes,
            max,
            wide: false,
        }
    }

    fn encoded_len(&self) -> usize {
        match self {
            Field::Bytes { bytes, wide, .. } => usize::from(*wide) + 1 + bytes.len(),
            Field::U32(_) => 4,
            Field::U64(_) => 8,
        }
    }

    fn check(&self) -> Result<(), WireError> {
        match self {
            Field::Bytes {
                name, bytes, max, ..
            } if bytes.len() > *max => Err(WireError::TooLong {
                field: name,
                len: bytes.len(),
                max: *max,
            }),
            _ => Ok(()),
        }
    }

    fn encode(&self, out: &mut Vec<u8>) {
        match self {
            Field::Bytes {
                name,
                bytes,
                max,
                wide,
            } => put_bytes(out, name, bytes, *max, *wide),
            Field::U32(v) => out.extend_from_slice(&v.to_be_bytes()),
            Field::U64(v) => out.extend_from_slice(&v.to_be_bytes()),
        }
    }
}

impl Request {
    fn kind(&self) -> u8 {
        match self {
            Request::Decapsulate { .. } => 0,
            Request::Encapsulate { .. } => 1,
            Request::OpenIMessage { .. } => 2,
        }
    }

    fn fields(&self) -> Vec<Field<'_>> {
        match self {
            Request::Decapsulate {
                user_uri,
                key_period,
                encapsulated,
            } => vec![
                Field::wide("user URI", user_uri.as_bytes(), MAX_URI),
                Field::narrow("key period", key_period.as_bytes(), MAX_PERIOD),
                Field::wide("encapsulated data", encapsulated, MAX_ENCAPSULATED),
            ],
            Request::Encapsulate {
                recipient_uri,
                key_period,
                ssv,
            } => vec![
                Field::wide("recipient URI", recipient_uri.as_bytes(), MAX_URI),
                Field::narrow("key period", key_period.as_bytes(), MAX_PERIOD),
                Field::narrow("SSV", ssv.as_bytes(), SSV_BYTES),
            ],
            Request::OpenIMessage {
                responder_uri,
                expected_initiator_uri,
                received_unix_ms,
                max_skew_ms,
                i_message,
            } => vec![
                Field::wide("responder URI", responder_uri.as_bytes(), MAX_URI),
                Field::wide(
                    "expected initiator URI",
                    expected_initiator_uri.as_deref().unwrap_or("").as_bytes(),
                    MAX_URI,
                ),
                Field::U64(*received_unix_ms),
                Field::U32(*max_skew_ms),
                Field::wide("I_MESSAGE", i_message, MAX_I_MESSAGE),
            ],
        }
    }

    fn decode(r: &mut Reader<'_>, kind: u8) -> Result<Request, WireError> {
        Ok(match kind {
            0 => Request::Decapsulate {
                user_uri: r.text("user URI", MAX_URI, true)?,
                key_period: r.text("key period", MAX_PERIOD, false)?,
                encapsulated: r
                    .bytes("encapsulated data", MAX_ENCAPSULATED, true)?
                    .to_vec(),
            },
            1 => Request::Encapsulate {
                recipient_uri: r.text("recipient URI", MAX_URI, true)?,
                key_period: r.text("key period", MAX_PERIOD, false)?,
                ssv: {
                    let b = r.bytes("SSV", SSV_BYTES, false)?;
                    Ssv::from_bytes(b).map_err(|_| WireError::BadSsv(b.len()))?
                },
            },
            2 => Request::OpenIMessage {
                responder_uri: r.text("responder URI", MAX_URI, true)?,
                expected_initiator_uri: Some(r.text("expected initiator URI", MAX_URI, true)?)
                    .filter(|uri| !uri.is_empty()),
                received_unix_ms: r.u64("receipt time")?,
                max_skew_ms: r.u32("max skew")?,
                i_message: r.bytes("I_MESSAGE", MAX_I_MESSAGE, true)?.to_vec(),
            },
            k => return Err(WireError::BadKind(k)),
        })
    }
}

/// One request with what every request carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobItem {
    /// The gateway's own id for the request; the answer carries it back.
    pub id: u64,
    pub priority: Priority,
    /// Unix milliseconds after which the answer is useless; 0 for none.
    pub deadline_unix_ms: u64,
    pub request: Request,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Job {
    /// Where the worker publishes the answer.
    pub reply: String,
    pub items: Vec<JobItem>,
}

impl JobItem {
    /// Whether every field is within its bound, before it is queued for a job.
    pub fn check(&self) -> Result<(), WireError> {
        self.request.fields().iter().try_for_each(Field::check)
    }

    /// Bytes this item adds to a job.
    pub fn encoded_len(&self) -> usize {
        let fields: usize = self.request.fields().iter().map(Field::encoded_len).sum();
        8 + 1 + 8 + 1 + fields
    }

    fn encode(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.id.to_be_bytes());
        out.push(self.priority.index() as u8);
        out.extend_from_slice(&self.deadline_unix_ms.to_be_bytes());
        out.push(self.request.kind());
        for field in self.request.fields() {
            field.encode(out);
        }
    }
}

/// Builds one job from requests while it stays under a payload limit.
pub struct JobWriter {
    out: Vec<u8>,
    count: usize,
    limit: usize,
    max_items: usize,
}

impl JobWriter {
    /// `limit`: the server's max payload (the job must not exceed it).
    pub fn new(reply: &str, limit: usize) -> JobWriter {
        assert!(reply.len() <= MAX_SUBJECT, "reply subject too long");
        let mut out = Vec::with_capacity(limit.min(64 * 1024));
        out.extend_from_slice(MAGIC);
        out.push(VERSION);
        put_bytes(&mut out, "reply", reply.as_bytes(), MAX_SUBJECT, false);
        out.extend_from_slice(&0u16.to_be_bytes());
        JobWriter {
            out,
            count: 0,
            limit,
            max_items: MAX_ITEMS,
        }
    }

    /// At most `n` requests (and never more than [`MAX_ITEMS`]).
    pub fn with_max_items(mut self, n: usize) -> JobWriter {
        self.max_items = n.clamp(1, MAX_ITEMS);
        self
    }

    /// Whether `item` fits (by size and count); the first item always fits a limit of
    /// at least 32 KiB, which every NATS server allows.
    pub fn fits(&self, item: &JobItem) -> bool {
        self.count < self.max_items && self.out.len() + item.encoded_len() <= self.limit
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
        let at = MAGIC.len() + 1 + 1 + self.out[MAGIC.len() + 1] as usize;
        self.out[at..at + 2].copy_from_slice(&(self.count as u16).to_be_bytes());
        self.out
    }
}

pub fn decode_job(bytes: &[u8]) -> Result<Job, WireError> {
    let mut r = Reader(bytes);
    let version = r.header(MAGIC, "job", &[1, VERSION])?;
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
        let deadline_unix_ms = r.u64("deadline")?;
        let kind = if version == 1 { 0 } else { r.u8("kind")? };
        items.push(JobItem {
            id,
            priority,
            deadline_unix_ms,
            request: Request::decode(&mut r, kind)?,
        });
    }
    r.end()?;
    Ok(Job { reply, items })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(id: u64) -> JobItem {
        let request = match id % 3 {
            0 => Request::Decapsulate {
                user_uri: format!("tel:+44770090{id:04}"),
                key_period: "2026-12".into(),
                encapsulated: vec![id as u8; 273],
            },
            1 => Request::Encapsulate {
                recipient_uri: format!("sip:user{id}@example.org"),
                key_period: "2026-12".into(),
                ssv: Ssv::from([id as u8; SSV_BYTES]),
            },
            _ => Request::OpenIMessage {
                responder_uri: format!("tel:+44770090{id:04}"),
                expected_initiator_uri: id.is_multiple_of(2).then(|| "tel:+447700900123".into()),
                received_unix_ms: 1_800_000_000_000 + id,
                max_skew_ms: 300_000,
                i_message: vec![id as u8; 700],
            },
        };
        JobItem {
            id,
            priority: Priority::Bulk,
            deadline_unix_ms: 1_800_000_000_000 + id,
            request,
        }
    }

    fn job_of(items: &[JobItem]) -> Vec<u8> {
        let mut w = JobWriter::new("r", 1 << 20);
        for it in items {
            w.push(it);
        }
        w.finish()
    }

    #[test]
    fn a_job_of_every_kind_round_trips_and_stays_under_its_limit() {
        let limit = 8192;
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
        assert!(pushed.len() > 3 && pushed.len() < 30, "{}", pushed.len());
        let bytes = w.finish();
        assert!(bytes.len() <= limit);
        assert!(bytes.len() + item(pushed.len() as u64).encoded_len() > limit);
        let mut small = JobWriter::new("r", limit).with_max_items(2);
        small.push(&item(0));
        assert!(small.fits(&item(1)));
        small.push(&item(1));
        assert!(!small.fits(&item(2)));
        let job = decode_job(&bytes).unwrap();
        assert_eq!(job.reply, "sakke.answers.abc");
        assert_eq!(job.items, pushed);
    }

    #[test]
    fn a_version_1_job_decodes_as_decapsulations() {
        // A gateway of the previous release: no kind byte.
        let mut v1 = b"SKJ\x01\x01r\x00\x01".to_vec();
        v1.extend_from_slice(&9u64.to_be_bytes());
        v1.push(0);
        v1.extend_from_slice(&0u64.to_be_bytes());
        v1.extend_from_slice(b"\x00\x05tel:1\x072026-12\x00\x03abc");
        let job = decode_job(&v1).unwrap();
        assert_eq!(
            job.items,
            [JobItem {
                id: 9,
                priority: Priority::Emergency,
                deadline_unix_ms: 0,
                request: Request::Decapsulate {
                    user_uri: "tel:1".into(),
                    key_period: "2026-12".into(),
                    encapsulated: b"abc".to_vec(),
                },
            }]
        );
    }

    #[test]
    fn bad_jobs_give_typed_errors() {
        let good = job_of(&[item(3)]);
        assert_eq!(
            decode_job(&good[..good.len() - 1]),
            Err(WireError::Truncated("encapsulated data"))
        );
        let mut v3 = good.clone();
        v3[3] = 3;
        assert_eq!(decode_job(&v3), Err(WireError::UnsupportedVersion(3)));
        assert_eq!(decode_job(b"XYZ\x02"), Err(WireError::BadMagic("job")));
        let mut extra = good.clone();
        extra.push(0);
        assert_eq!(decode_job(&extra), Err(WireError::Trailing(1)));
        let empty = JobWriter::new("r", 100).finish();
        assert_eq!(decode_job(&empty), Err(WireError::BadCount(0)));
        // Header 4, reply 2, count 2; then id 8, priority, deadline 8, kind.
        let priority_at = 4 + 2 + 2 + 8;
        let mut prio = good.clone();
        prio[priority_at] = 9;
        assert_eq!(decode_job(&prio), Err(WireError::BadPriority(9)));
        let mut kind = good.clone();
        kind[priority_at + 1 + 8] = 7;
        assert_eq!(decode_job(&kind), Err(WireError::BadKind(7)));
        // An encapsulation whose SSV is a byte short.
        let mut short = job_of(&[item(1)]);
        let ssv_len_at = short.len() - SSV_BYTES - 1;
        short[ssv_len_at] -= 1;
        short.pop();
        assert_eq!(decode_job(&short), Err(WireError::BadSsv(SSV_BYTES - 1)));
        let long = JobItem {
            request: Request::Decapsulate {
                user_uri: "x".repeat(MAX_URI + 1),
                key_period: "2026-12".into(),
                encapsulated: vec![],
            },
            ..item(1)
        };
        assert!(matches!(
            long.check(),
            Err(WireError::TooLong {
                field: "user URI",
                ..
            })
        ));
        let huge = JobItem {
            request: Request::OpenIMessage {
                responder_uri: "tel:1".into(),
                expected_initiator_uri: None,
                received_unix_ms: 0,
                max_skew_ms: 0,
                i_message: vec![0; MAX_I_MESSAGE + 1],
            },
            ..item(2)
        };
        assert!(matches!(
            huge.check(),
            Err(WireError::TooLong {
                field: "I_MESSAGE",
                ..
            })
        ));
        assert!(item(2).check().is_ok());
    }
}
