//! What a worker computes for each request of a job, on its own engine with its own
//! key store, and the body of the answer (see [`wire`](super::wire)). Every request is
//! checked again here: a worker trusts no job more than the gateway trusted the client.

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use engine::scheduler::{Answer, OpenRequest, ReplayCheck};
use engine::{Engine, Job, SubmitOptions, Ticket};
use mikey::PartyId;
use tonic::Status;

use super::wire::{JobItem, Request};
use crate::keyring::KeyRing;
use crate::requests::{
    check_period, encapsulated_data, message_period, opened_keys, recipient, wrong_answer,
};
use crate::status::{from_engine, unknown_user};

/// The engine deadline for a Unix-milliseconds deadline; one already past answers
/// deadline-exceeded at once.
fn deadline(unix_ms: u64) -> Option<Instant> {
    if unix_ms == 0 {
        return None;
    }
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64);
    Some(Instant::now() + Duration::from_millis(unix_ms.saturating_sub(now)))
}

/// Submits one request to the engine (so that a job's requests batch together).
pub fn start(engine: &Engine, keys: &KeyRing, item: &JobItem) -> Result<Ticket, Status> {
    let job = match &item.request {
        Request::Decapsulate {
            user_uri,
            key_period,
            encapsulated,
        } => Job::Decapsulate {
            key: keys
                .get(user_uri, key_period)
                .ok_or_else(|| unknown_user(user_uri, key_period))?
                .receiver
                .clone(),
            encapsulated: encapsulated_data(encapsulated)?,
        },
        Request::Encapsulate {
            recipient_uri,
            key_period,
            ssv,
        } => {
            check_period(key_period)?;
            Job::Encapsulate {
                to: recipient(keys, recipient_uri, key_period)?,
                ssv: ssv.clone(),
            }
        }
        Request::OpenIMessage {
            responder_uri,
            expected_initiator_uri,
            received_unix_ms,
            max_skew_ms,
            i_message,
        } => {
            let (period, _) = message_period(i_message)?;
            let user = keys
                .get(responder_uri, &period)
                .ok_or_else(|| unknown_user(responder_uri, &period))?;
            Job::OpenIMessage(Box::new(OpenRequest {
                bytes: i_message.clone(),
                responder: PartyId::Uri(responder_uri.clone()),
                expected_initiator: expected_initiator_uri.clone().map(PartyId::Uri),
                key: user.receiver.clone(),
                initiator_kpak: *keys.kpak(),
                max_skew: Duration::from_millis((*max_skew_ms).into()),
                now: UNIX_EPOCH + Duration::from_millis(*received_unix_ms),
                replay: ReplayCheck::Caller,
            }))
        }
    };
    let options = SubmitOptions {
        priority: item.priority,
        deadline: deadline(item.deadline_unix_ms),
    };
    Ok(engine.submit(job, options))
}

/// The body of a successful answer.
pub async fn finish(ticket: Ticket) -> Result<Vec<u8>, Status> {
    match ticket.await.map_err(|e| from_engine(&e))? {
        Answer::Ssv(ssv) => Ok(ssv.as_bytes().to_vec()),
        Answer::Encapsulated(ed) => Ok(ed.to_bytes().to_vec()),
        Answer::Opened(opened) => opened_keys(&opened)
            .encode()
            .map_err(|e| Status::internal(format!("internal: {e}"))),
        other => Err(wrong_answer(&other)),
    }
}
