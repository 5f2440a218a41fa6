//! What a caller submits and what comes back.

use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use mikey::eccsi::Kpak;
use mikey::{MikeyError, OpenedIMessage, PartyId};
use pairing::Fp;
use sakke::{EncapsulatedData, ReceiverKey, RecipientKey, SakkeError, Ssv};
use thiserror::Error;

/// Priority levels, most urgent first. A batch is filled from the most urgent level
/// down, so an emergency request never waits behind bulk work that has not started.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Priority {
    /// Emergency calls: dispatched at once, without the batching delay.
    Emergency = 0,
    Normal = 1,
    /// Bulk work (pre-provisioning, replays of logs): whatever capacity is left.
    Bulk = 2,
}

impl Priority {
    pub const ALL: [Priority; 3] = [Priority::Emergency, Priority::Normal, Priority::Bulk];

    pub fn index(self) -> usize {
        self as usize
    }

    pub fn name(self) -> &'static str {
        match self {
            Priority::Emergency => "emergency",
            Priority::Normal => "normal",
            Priority::Bulk => "bulk",
        }
    }
}

/// How one request is to be treated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SubmitOptions {
    pub priority: Priority,
    /// When the answer stops being useful: a request still queued then is answered
    /// [`EngineError::DeadlineExceeded`] without being computed.
    pub deadline: Option<Instant>,
}

impl SubmitOptions {
    pub fn new(priority: Priority) -> SubmitOptions {
        SubmitOptions {
            priority,
            deadline: None,
        }
    }

    /// A deadline `after` from now.
    pub fn within(self, after: Duration) -> SubmitOptions {
        SubmitOptions {
            deadline: Some(Instant::now() + after),
            ..self
        }
    }
}

impl Default for SubmitOptions {
    fn default() -> Self {
        SubmitOptions::new(Priority::Normal)
    }
}

/// An I_MESSAGE to open for a responder whose receiver key the caller holds (validated:
/// a [`ReceiverKey`] can only be made from an RSK that passed RFC 6508 6.1.2).
#[derive(Debug, Clone)]
pub struct OpenRequest {
    pub bytes: Vec<u8>,
    pub responder: PartyId,
    pub expected_initiator: Option<PartyId>,
    /// The responder's key for the message's key period.
    pub key: Arc<ReceiverKey>,
    /// ECCSI KPAK of the initiator's KMS.
    pub initiator_kpak: Kpak,
    pub max_skew: Duration,
    /// The local clock the timestamp is checked against.
    pub now: SystemTime,
    /// Whose replay cache refuses a message seen before.
    pub replay: ReplayCheck,
}

/// Who remembers accepted I_MESSAGEs (RFC 3830 5.4).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReplayCheck {
    /// The engine's own cache: one engine answers the client.
    Engine,
    /// The caller's: a gateway in front of several workers keeps the one cache every
    /// answer passes, and a worker must answer a redelivered job as it did the first
    /// time, so its engine records nothing.
    Caller,
}

/// One unit of work.
#[derive(Debug, Clone)]
pub enum Job {
    /// RFC 6508 decapsulation with a validated receiver key, TEST included.
    Decapsulate {
        key: Arc<ReceiverKey>,
        encapsulated: EncapsulatedData,
    },
    /// RFC 6508 encapsulation of `ssv` to a recipient.
    Encapsulate { to: Arc<RecipientKey>, ssv: Ssv },
    /// Every RFC 6509 check, then the decapsulation, then the replay cache.
    OpenIMessage(Box<OpenRequest>),
    /// a * b mod p: the researchers' primitive, and a cheap job for measuring the engine.
    ModMul { a: Fp, b: Fp },
}

/// Which backend operation a job needs: a batch holds one kind only.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    /// Pairings and TEST: decapsulations and opened I_MESSAGEs.
    Decap = 0,
    Encap = 1,
    ModMul = 2,
}

impl Kind {
    pub const COUNT: usize = 3;

    pub fn index(self) -> usize {
        self as usize
    }
}

impl Job {
    pub fn kind(&self) -> Kind {
        match self {
            Job::Decapsulate { .. } | Job::OpenIMessage(_) => Kind::Decap,
            Job::Encapsulate { .. } => Kind::Encap,
            Job::ModMul { .. } => Kind::ModMul,
        }
    }
}

/// A computed answer, of the job's own kind.
#[derive(Debug)]
pub enum Answer {
    Ssv(Ssv),
    Encapsulated(EncapsulatedData),
    Opened(Box<OpenedIMessage>),
    Product(Fp),
}

/// Why a request got no result. Each request gets exactly one answer: a result or one
/// of these.
#[derive(Debug, Error)]
pub enum EngineError {
    #[error("busy: the queue holds its maximum of {max_queue} requests")]
    Busy { max_queue: usize },
    #[error("deadline exceeded before the request was computed")]
    DeadlineExceeded,
    /// The caller dropped its ticket before the request was computed; the answer is
    /// given (and counted) but read by nobody.
    #[error("the caller stopped waiting before the request was computed")]
    Cancelled,
    #[error("the engine is shutting down and accepts no new requests")]
    ShuttingDown,
    #[error(transparent)]
    Sakke(#[from] SakkeError),
    #[error(transparent)]
    Mikey(#[from] MikeyError),
    #[error("the receiver key is not the responder's for the message's key period")]
    WrongKey,
    #[error("internal error: {0}")]
    Internal(String),
}

impl EngineError {
    /// A short stable name, for metrics and wire errors.
    pub fn kind(&self) -> &'static str {
        match self {
            EngineError::Busy { .. } => "busy",
            EngineError::DeadlineExceeded => "deadline_exceeded",
            EngineError::Cancelled => "cancelled",
            EngineError::ShuttingDown => "shutting_down",
            EngineError::Sakke(_) => "sakke",
            EngineError::Mikey(_) => "mikey",
            EngineError::WrongKey => "wrong_key",
            EngineError::Internal(_) => "internal",
        }
    }
}

/// What the engine answers a request with.
pub type Outcome = Result<Answer, EngineError>;
