//! Turning one wire request into one engine job: authorisation first (before any key is
//! looked up, so a client cannot even learn which users exist), then the user's keys,
//! then the job; and the engine's answer back into a wire response.

mod remote;

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

use engine::scheduler::{Answer, OpenRequest, ReplayCheck};
use engine::{Engine, Job, Priority, SubmitOptions, Ticket};
use mikey::{IMessage, KeyLengths, Message, OpenedIMessage, PartyId, ReplayCache, ReplayKey};
use sakke::{EncapsulatedData, Identifier, RecipientKey, Ssv};
use tonic::Status;

use crate::authz::Grant;
use crate::deadline::sooner;
use crate::keyring::KeyRing;
use crate::nats::wire::Opened;
use crate::nats::{Forwarder, RemoteTicket};
use crate::proto;
use crate::status::{bad_request, from_engine, unauthorised, unknown_user};

/// What every request handler needs.
pub struct Context {
    pub engine: Engine,
    pub keys: Arc<KeyRing>,
    /// Largest accepted difference between an I_MESSAGE's timestamp and the clock.
    pub max_skew: Duration,
    /// Set with `--nats`: requests go to the workers instead of `engine`.
    pub remote: Option<Arc<Forwarder>>,
    /// I_MESSAGEs workers opened for this gateway: one cache that every answer passes,
    /// since a message may reach any worker (the engine keeps its own for local ones).
    pub replay: Mutex<ReplayCache>,
}

/// A decapsulation under way, here or on a worker.
pub enum Started {
    Local(Ticket),
    Remote(RemoteTicket),
}

/// Priority and deadline of a request: `wire_timeout` is the gRPC deadline the client's
/// library sent (`grpc-timeout`), if any; the sooner of it and `timeout_ms` applies.
pub fn options(
    scheduling: Option<&proto::Scheduling>,
    wire_timeout: Option<Duration>,
) -> SubmitOptions {
    let priority = match scheduling.map(proto::Scheduling::priority) {
        Some(proto::Priority::Emergency) => Priority::Emergency,
        Some(proto::Priority::Bulk) => Priority::Bulk,
        _ => Priority::Normal,
    };
    let own = scheduling
        .and_then(|s| s.timeout_ms)
        .map(|ms| Duration::from_millis(ms.into()));
    SubmitOptions {
        priority,
        deadline: sooner(own, wire_timeout).map(|t| Instant::now() + t),
    }
}

/// "YYYY-MM" with a month 01-12, as RFC 6509 identifiers spell key periods.
pub(crate) fn check_period(period: &str) -> Result<(), Status> {
    let b = period.as_bytes();
    let digits = |r: std::ops::Range<usize>| b[r].iter().all(u8::is_ascii_digit);
    let month = period.get(5..).and_then(|m| m.parse::<u8>().ok());
    if b.len() == 7
        && b[4] == b'-'
        && digits(0..4)
        && digits(5..7)
        && (1..=12).contains(&month.unwrap_or(0))
    {
        Ok(())
    } else {
        Err(bad_request(format!("key period {period:?} is not YYYY-MM")))
    }
}

impl Context {
    /// Queues a decapsulation, here or for the workers; it resolves to the SSV. A
    /// forwarded request is checked here (authorisation, key period, the Encapsulated
    /// Data's form) and finds its user's keys on the worker.
    pub fn start_decapsulate(
        &self,
        grant: &Grant,
        req: &proto::DecapsulateRequest,
        wire_timeout: Option<Duration>,
    ) -> Result<Started, Status> {
        if !grant.allows(&req.user_uri) {
            return Err(unauthorised(&req.user_uri));
        }
        let options = options(req.scheduling.as_ref(), wire_timeout);
        if let Some(remote) = &self.remote {
            return remote::decapsulate(remote, req, options).map(Started::Remote);
        }
        let user = self
            .keys
            .get(&req.user_uri, &req.key_period)
            .ok_or_else(|| unknown_user(&req.user_uri, &req.key_period))?;
        let encapsulated = encapsulated_data(&req.encapsulated)?;
        let job = Job::Decapsulate {
            key: user.receiver.clone(),
            encapsulated,
        };
        Ok(Started::Local(self.engine.submit(job, options)))
    }

    pub async fn decapsulate(
        &self,
        grant: &Grant,
        req: &proto::DecapsulateRequest,
        wire_timeout: Option<Duration>,
    ) -> Result<proto::DecapsulateResponse, Status> {
        let ticket = self.start_decapsulate(grant, req, wire_timeout)?;
        finish_decapsulate(ticket).await
    }

    /// Needs public keys only, so any authenticated client may encapsulate.
    pub async fn encapsulate(
        &self,
        req: &proto::EncapsulateRequest,
        wire_timeout: Option<Duration>,
    ) -> Result<proto::EncapsulateResponse, Status> {
        check_period(&req.key_period)?;
        Identifier::rfc6509(&req.key_period, &req.recipient_uri)
            .map_err(|e| bad_request(format!("recipient identifier: {e}")))?;
        let ssv = match &req.ssv {
            Some(bytes) => Ssv::from_bytes(bytes).map_err(|e| bad_request(format!("ssv: {e}")))?,
            None => Ssv::random(),
        };
        let options = options(req.scheduling.as_ref(), wire_timeout);
        let encapsulated = match &self.remote {
            Some(remote) => remote::encapsulate(remote, req, &ssv, options).await?,
            None => {
                let job = Job::Encapsulate {
                    to: recipient(&self.keys, &req.recipient_uri, &req.key_period)?,
                    ssv: ssv.clone(),
                };
                match self.engine.submit(job, options).await {
                    Ok(Answer::Encapsulated(ed)) => ed,
                    Ok(other) => return Err(wrong_answer(&other)),
                    Err(e) => return Err(from_engine(&e)),
                }
            }
        };
        Ok(proto::EncapsulateResponse {
            ssv: ssv.as_bytes().to_vec(),
            encapsulated: encapsulated.to_bytes().to_vec(),
        })
    }

    /// The message's own timestamp picks the key period (RFC 6509 identifiers use the
    /// month of T), so the client names only the responder.
    pub async fn open_i_message(
        &self,
        grant: &Grant,
        req: &proto::OpenIMessageRequest,
        wire_timeout: Option<Duration>,
    ) -> Result<proto::OpenIMessageResponse, Status> {
        if !grant.allows(&req.responder_uri) {
            return Err(unauthorised(&req.responder_uri));
        }
        let (period, replay_key) = message_period(&req.i_message)?;
        let options = options(req.scheduling.as_ref(), wire_timeout);
        if let Some(remote) = &self.remote {
            return remote::open(self, remote, req, period, replay_key, options).await;
        }
        let user = self
            .keys
            .get(&req.responder_uri, &period)
            .ok_or_else(|| unknown_user(&req.responder_uri, &period))?;
        let job = Job::OpenIMessage(Box::new(OpenRequest {
            bytes: req.i_message.clone(),
            responder: PartyId::Uri(req.responder_uri.clone()),
            expected_initiator: req.expected_initiator_uri.clone().map(PartyId::Uri),
            key: user.receiver.clone(),
            initiator_kpak: *self.keys.kpak(),
            max_skew: self.max_skew,
            now: SystemTime::now(),
            replay: ReplayCheck::Engine,
        }));
        match self.engine.submit(job, options).await {
            Ok(Answer::Opened(opened)) => Ok(open_response(opened_keys(&opened), period)),
            Ok(other) => Err(wrong_answer(&other)),
            Err(e) => Err(from_engine(&e)),
        }
    }
}

/// What encapsulating to a user needs (the ring remembers it).
pub(crate) fn recipient(
    keys: &KeyRing,
    uri: &str,
    period: &str,
) -> Result<Arc<RecipientKey>, Status> {
    keys.recipient(uri, period)
        .map_err(|e| bad_request(format!("recipient key: {e}")))
}

pub(crate) fn encapsulated_data(bytes: &[u8]) -> Result<EncapsulatedData, Status> {
    EncapsulatedData::from_bytes(bytes)
        .map_err(|e| crate::status::status(tonic::Code::InvalidArgument, "bad_encapsulated", e))
}

/// The key period an I_MESSAGE is opened in (the month of its own timestamp: RFC 6509
/// identifiers use it), and what the replay cache knows it by.
pub(crate) fn message_period(bytes: &[u8]) -> Result<(String, ReplayKey), Status> {
    let malformed = |e: mikey::MikeyError| {
        crate::status::status(tonic::Code::InvalidArgument, "malformed_message", e)
    };
    let message = Message::parse(bytes).map_err(malformed)?;
    let im = IMessage::new(&message).map_err(malformed)?;
    let date = im.time.utc_date();
    let key = ReplayKey::new(message.hdr.csb_id, im.time, im.rand);
    Ok((format!("{:04}-{:02}", date.year, date.month), key))
}

/// What a client gets of an opened I_MESSAGE (a worker sends the same to its gateway).
pub(crate) fn opened_keys(opened: &OpenedIMessage) -> Opened {
    let traffic = opened.keys.traffic_keys(0, KeyLengths::default());
    Opened {
        tgk: opened.keys.tgk().to_vec(),
        tek: traffic.tek.to_vec(),
        salt: traffic.salt.to_vec(),
        csb_id: opened.keys.csb_id(),
        initiator_uri: opened.initiator.uri().unwrap_or_default().to_string(),
    }
}

fn open_response(opened: Opened, key_period: String) -> proto::OpenIMessageResponse {
    proto::OpenIMessageResponse {
        tgk: opened.tgk,
        tek: opened.tek,
        salt: opened.salt,
        initiator_uri: opened.initiator_uri,
        csb_id: opened.csb_id,
        key_period,
    }
}

pub async fn finish_decapsulate(started: Started) -> Result<proto::DecapsulateResponse, Status> {
    let ticket = match started {
        Started::Local(ticket) => ticket,
        Started::Remote(remote) => {
            return remote
                .finish()
                .await
                .map(|ssv| proto::DecapsulateResponse { ssv })
        }
    };
    match ticket.await.map_err(|e| from_engine(&e))? {
        Answer::Ssv(ssv) => Ok(proto::DecapsulateResponse {
            ssv: ssv.as_bytes().to_vec(),
        }),
        other => Err(wrong_answer(&other)),
    }
}

pub(crate) fn wrong_answer(answer: &Answer) -> Status {
    let kind = match answer {
        Answer::Ssv(_) => "an SSV",
        Answer::Encapsulated(_) => "encapsulated data",
        Answer::Opened(_) => "an opened message",
        Answer::Product(_) => "a product",
    };
    Status::internal(format!("internal: the engine answered with {kind}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periods_must_be_year_dash_month() {
        assert!(check_period("2026-11").is_ok());
        for bad in [
            "2026-13", "2026-00", "2026-1", "26-11-01", "2026/11", "abcd-ef",
        ] {
            assert!(check_period(bad).is_err(), "{bad}");
        }
    }
}
