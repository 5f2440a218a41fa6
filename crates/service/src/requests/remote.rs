//! The requests of a gateway started with `--nats`: checked here (authorisation is
//! already done, then the form of what can be checked without keys), computed by a
//! worker with its own key store, and the worker's answer checked again on the way back.
//! I_MESSAGEs pass this gateway's replay cache twice: before they are forwarded (a known
//! replay costs no worker anything) and when the answer comes (two copies in flight at
//! once: the first answer wins, the other is a replay).

use std::time::{SystemTime, UNIX_EPOCH};

use engine::{EngineError, SubmitOptions};
use mikey::ReplayKey;
use sakke::{EncapsulatedData, Ssv};
use tonic::Status;

use super::{check_period, encapsulated_data, open_response, Context};
use crate::nats::wire::{Opened, Request};
use crate::nats::{Forwarder, RemoteTicket};
use crate::proto;
use crate::status::from_engine;

/// A worker's answer this gateway cannot use: never passed on as a result.
fn bad_answer(what: &str, detail: impl std::fmt::Display) -> Status {
    Status::internal(format!(
        "internal: a worker's {what} does not decode: {detail}"
    ))
}

pub fn decapsulate(
    remote: &Forwarder,
    req: &proto::DecapsulateRequest,
    options: SubmitOptions,
) -> Result<RemoteTicket, Status> {
    check_period(&req.key_period)?;
    encapsulated_data(&req.encapsulated)?;
    let request = Request::Decapsulate {
        user_uri: req.user_uri.clone(),
        key_period: req.key_period.clone(),
        encapsulated: req.encapsulated.clone(),
    };
    remote.submit(request, options.priority, options.deadline)
}

/// The answer is checked to be Encapsulated Data on the curve: a worker that sends
/// anything else gives an internal error, not a message no one can open.
pub async fn encapsulate(
    remote: &Forwarder,
    req: &proto::EncapsulateRequest,
    ssv: &Ssv,
    options: SubmitOptions,
) -> Result<EncapsulatedData, Status> {
    let request = Request::Encapsulate {
        recipient_uri: req.recipient_uri.clone(),
        key_period: req.key_period.clone(),
        ssv: ssv.clone(),
    };
    let body = remote
        .submit(request, options.priority, options.deadline)?
        .finish()
        .await?;
    EncapsulatedData::from_bytes(&body).map_err(|e| bad_answer("Encapsulated Data", e))
}

pub async fn open(
    ctx: &Context,
    remote: &Forwarder,
    req: &proto::OpenIMessageRequest,
    period: String,
    replay_key: ReplayKey,
    options: SubmitOptions,
) -> Result<proto::OpenIMessageResponse, Status> {
    let replay = || ctx.replay.lock().unwrap_or_else(|e| e.into_inner());
    let refused = |e| from_engine(&EngineError::Mikey(e));
    replay().check(&replay_key).map_err(refused)?;
    let received_unix_ms = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64);
    let request = Request::OpenIMessage {
        responder_uri: req.responder_uri.clone(),
        expected_initiator_uri: req.expected_initiator_uri.clone(),
        received_unix_ms,
        max_skew_ms: ctx.max_skew.as_millis().min(u32::MAX.into()) as u32,
        i_message: req.i_message.clone(),
    };
    let body = remote
        .submit(request, options.priority, options.deadline)?
        .finish()
        .await?;
    let opened = Opened::decode(&body).map_err(|e| bad_answer("opened message", e))?;
    replay().insert(replay_key).map_err(refused)?;
    Ok(open_response(opened, period))
}
