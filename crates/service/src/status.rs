//! Every failure as a gRPC status: the code a client branches on, and a message that
//! starts with a stable kind ("test_failed: ...") for logs and finer handling.

use engine::EngineError;
use mikey::MikeyError;
use sakke::SakkeError;
use tonic::{Code, Status};

/// A status whose message is "kind: detail".
pub fn status(code: Code, kind: &str, detail: impl std::fmt::Display) -> Status {
    Status::new(code, format!("{kind}: {detail}"))
}

pub fn unauthorised(uri: &str) -> Status {
    status(
        Code::PermissionDenied,
        "unauthorised",
        format!("this client certificate may not act for {uri}"),
    )
}

pub fn unknown_user(uri: &str, period: &str) -> Status {
    status(
        Code::NotFound,
        "unknown_user",
        format!("no keys for {uri} in key period {period}"),
    )
}

pub fn bad_request(detail: impl std::fmt::Display) -> Status {
    status(Code::InvalidArgument, "bad_request", detail)
}

/// The status for an engine answer that is not a result.
pub fn from_engine(error: &EngineError) -> Status {
    let (code, kind) = match error {
        EngineError::Busy { .. } => (Code::ResourceExhausted, "busy"),
        EngineError::DeadlineExceeded => (Code::DeadlineExceeded, "deadline_exceeded"),
        EngineError::Cancelled => (Code::Cancelled, "cancelled"),
        EngineError::ShuttingDown => (Code::Unavailable, "shutting_down"),
        EngineError::Sakke(e) => (Code::InvalidArgument, sakke_kind(e)),
        EngineError::Mikey(e) => (Code::InvalidArgument, mikey_kind(e)),
        EngineError::WrongKey => (Code::InvalidArgument, "wrong_key"),
        EngineError::Internal(_) => (Code::Internal, "internal"),
    };
    status(code, kind, error)
}

/// Stable names of the SAKKE failures a request can cause.
pub fn sakke_kind(error: &SakkeError) -> &'static str {
    match error {
        SakkeError::TestFailed => "test_failed",
        SakkeError::NotInSubgroup => "not_in_subgroup",
        SakkeError::Point { .. } | SakkeError::WrongLength { .. } => "bad_encapsulated",
        SakkeError::IdentifierOutOfRange { .. } | SakkeError::DegenerateIdentifier => {
            "bad_identifier"
        }
        SakkeError::RskInvalid | SakkeError::MasterSecretOutOfRange => "bad_key",
    }
}

/// Stable names of the I_MESSAGE checks that can fail.
pub fn mikey_kind(error: &MikeyError) -> &'static str {
    match error {
        MikeyError::BadSignature(_) => "bad_signature",
        MikeyError::Decapsulation(e) => sakke_kind(e),
        MikeyError::Replay | MikeyError::BeyondReplayHorizon => "replay",
        MikeyError::TimestampOutOfWindow { .. } => "timestamp_out_of_window",
        MikeyError::WrongResponder => "wrong_responder",
        MikeyError::WrongInitiator => "wrong_initiator",
        MikeyError::SigningKeyMismatch => "signing_key_mismatch",
        _ => "malformed_message",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn engine_errors_map_to_their_codes_with_the_kind_first() {
        let busy = from_engine(&EngineError::Busy { max_queue: 4 });
        assert_eq!(busy.code(), Code::ResourceExhausted);
        assert!(busy.message().starts_with("busy: "), "{}", busy.message());
        let test = from_engine(&EngineError::Sakke(SakkeError::TestFailed));
        assert_eq!(test.code(), Code::InvalidArgument);
        assert!(test.message().starts_with("test_failed: "));
        let replay = from_engine(&EngineError::Mikey(MikeyError::Replay));
        assert!(replay.message().starts_with("replay: "));
        assert_eq!(
            from_engine(&EngineError::DeadlineExceeded).code(),
            Code::DeadlineExceeded
        );
        assert_eq!(unauthorised("tel:+1").code(), Code::PermissionDenied);
        assert_eq!(unknown_user("tel:+1", "2026-11").code(), Code::NotFound);
    }
}
