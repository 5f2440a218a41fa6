//! Turning one wire request into one engine job: authorisation first (before any key is
//! looked up, so a client cannot even learn which users exist), then the user's keys,
//! then the job; and the engine's answer back into a wire response.

use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use engine::scheduler::{Answer, OpenRequest};
use engine::{Engine, Job, Priority, SubmitOptions, Ticket};
use mikey::{IMessage, KeyLengths, Message, PartyId};
use sakke::{EncapsulatedData, Identifier, RecipientKey, Ssv};
use tonic::Status;

use crate::authz::Grant;
use crate::deadline::sooner;
use crate::keyring::KeyRing;
use crate::nats::{Forwarder, RemoteTicket};
use crate::proto;
use crate::status::{bad_request, from_engine, unauthorised, unknown_user};

/// What every request handler needs.
pub struct Context {
    pub engine: Engine,
    pub keys: Arc<KeyRing>,
    /// Largest accepted difference between an I_MESSAGE's timestamp and the clock.
    pub max_skew: Duration,
    /// Set with `--nats`: decapsulations go to the workers instead of `engine`.
    pub remote: Option<Arc<Forwarder>>,
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
fn check_period(period: &str) -> Result<(), Status> {
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
        if let Some(remote) = &self.remote {
            check_period(&req.key_period)?;
            EncapsulatedData::from_bytes(&req.encapsulated).map_err(|e| {
                crate::status::status(tonic::Code::InvalidArgument, "bad_encapsulated", e)
            })?;
            let options = options(req.scheduling.as_ref(), wire_timeout);
            return remote
                .submit(
                    &req.user_uri,
                    &req.key_period,
                    &req.encapsulated,
                    options.priority,
                    options.deadline,
                )
                .map(Started::Remote);
        }
        let user = self
            .keys
            .get(&req.user_uri, &req.key_period)
            .ok_or_else(|| unknown_user(&req.user_uri, &req.key_period))?;
        let encapsulated = EncapsulatedData::from_bytes(&req.encapsulated).map_err(|e| {
            crate::status::status(tonic::Code::InvalidArgument, "bad_encapsulated", e)
        })?;
        let job = Job::Decapsulate {
            key: user.receiver.clone(),
            encapsulated,
        };
        Ok(Started::Local(self.engine.submit(
            job,
            options(req.scheduling.as_ref(), wire_timeout),
        )))
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
        let id = Identifier::rfc6509(&req.key_period, &req.recipient_uri)
            .map_err(|e| bad_request(format!("recipient identifier: {e}")))?;
        let to = RecipientKey::new(&id, self.keys.sakke_public_key())
            .map_err(|e| bad_request(format!("recipient key: {e}")))?;
        let ssv = match &req.ssv {
            Some(bytes) => Ssv::from_bytes(bytes).map_err(|e| bad_request(format!("ssv: {e}")))?,
            None => Ssv::random(),
        };
        let job = Job::Encapsulate {
            to: Arc::new(to),
            ssv: ssv.clone(),
        };
        let ticket = self
            .engine
            .submit(job, options(req.scheduling.as_ref(), wire_timeout));
        match ticket.await.map_err(|e| from_engine(&e))? {
            Answer::Encapsulated(ed) => Ok(proto::EncapsulateResponse {
                ssv: ssv.as_bytes().to_vec(),
                encapsulated: ed.to_bytes().to_vec(),
            }),
            other => Err(wrong_answer(&other)),
        }
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
        let malformed = |e: mikey::MikeyError| {
            crate::status::status(tonic::Code::InvalidArgument, "malformed_message", e)
        };
        let message = Message::parse(&req.i_message).map_err(malformed)?;
        let date = IMessage::new(&message).map_err(malformed)?.time.utc_date();
        let period = format!("{:04}-{:02}", date.year, date.month);
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
        }));
        let ticket = self
            .engine
            .submit(job, options(req.scheduling.as_ref(), wire_timeout));
        match ticket.await.map_err(|e| from_engine(&e))? {
            Answer::Opened(opened) => {
                let traffic = opened.keys.traffic_keys(0, KeyLengths::default());
                Ok(proto::OpenIMessageResponse {
                    tgk: opened.keys.tgk().to_vec(),
                    tek: traffic.tek.to_vec(),
                    salt: traffic.salt.to_vec(),
                    initiator_uri: opened.initiator.uri().unwrap_or_default().to_string(),
                    csb_id: opened.keys.csb_id(),
                    key_period: period,
                })
            }
            other => Err(wrong_answer(&other)),
        }
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

fn wrong_answer(answer: &Answer) -> Status {
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
