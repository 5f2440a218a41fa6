//! The bytes of a job (gateway -> worker, over the JetStream work queue) and of an answer
//! (worker -> gateway, on the gateway's own answer subject).
//!
//! Both are versioned, every length is bounded, and a decode error says what was wrong.
//! A job holds no long-term secret: user URIs, key periods, Encapsulated Data, I_MESSAGEs
//! and, for an encapsulation, the SSV the gateway chose (so that a redelivered job gives
//! the same answer); the worker uses its own key store. A job holds 1 to [`MAX_ITEMS`]
//! requests, as many as fit under the server's max payload ([`JobWriter`]).
//!
//! Job, big-endian: `"SKJ"`, version 2, reply subject (u8 length), item count (u16), then
//! per item: request id (u64), priority (u8: 0 emergency, 1 normal, 2 bulk), deadline
//! (u64 Unix milliseconds, 0 none), kind (u8), and by kind:
//! - 0 decapsulate: user URI (u16 length), key period (u8 length), Encapsulated Data
//!   (u16 length);
//! - 1 encapsulate: recipient URI (u16 length), key period (u8 length), SSV (u8 length);
//! - 2 open an I_MESSAGE: responder URI (u16 length), expected initiator URI (u16
//!   length, empty for anyone), the gateway's clock at receipt (u64 Unix milliseconds:
//!   the timestamp window is checked against it, so a redelivery is judged alike), the
//!   largest clock skew accepted (u32 milliseconds), the I_MESSAGE (u16 length).
//!
//! Version 1 jobs (decapsulations only: no kind byte) still decode, so that workers can
//! be upgraded before gateways.
//!
//! Answer: `"SKA"`, version 1, item count (u16), then per item: request id (u64), code
//! (u8: 0 ok, else the gRPC code), body (u16 length): when ok the SSV (decapsulate), the
//! Encapsulated Data (encapsulate) or an [`Opened`] (open), else the error message
//! ("kind: detail").

mod answer;
mod job;
mod reader;

use thiserror::Error;

pub use answer::{answer_body, decode_answers, encode_answers, AnswerItem, Opened};
pub use job::{decode_job, Job, JobItem, JobWriter, Request};

/// The job format this build writes; it reads this one and version 1.
pub const VERSION: u8 = 2;
/// The answer format (unchanged since version 1).
pub const ANSWER_VERSION: u8 = 1;
/// Requests in one job or answer at most.
pub const MAX_ITEMS: usize = 256;
pub const MAX_SUBJECT: usize = 255;
pub const MAX_URI: usize = 1024;
pub const MAX_PERIOD: usize = 16;
/// Encapsulated Data is 273 octets for the RFC 6509 parameters; room for others.
pub const MAX_ENCAPSULATED: usize = 4096;
/// An MCPTT I_MESSAGE with every 3GPP extension is well under 2 KiB.
pub const MAX_I_MESSAGE: usize = 16 * 1024;
pub const MAX_BODY: usize = 4096;

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum WireError {
    #[error("truncated: {0} needs more bytes than are left")]
    Truncated(&'static str),
    #[error("not a sakke {0} (bad magic)")]
    BadMagic(&'static str),
    #[error("version {0} is not supported (this build speaks 1 and {VERSION})")]
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
    #[error("request kind {0} is not 0 (decapsulate), 1 (encapsulate) or 2 (open)")]
    BadKind(u8),
    #[error("the SSV is {0} bytes, not {len}", len = sakke::SSV_BYTES)]
    BadSsv(usize),
    #[error("{0} is not UTF-8")]
    NotUtf8(&'static str),
    #[error("{0} bytes after the last item")]
    Trailing(usize),
}

/// Appends `bytes` after its length, one byte wide or two.
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
