//! The caller's side of one request: wait for its answer, blocking or in async code.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use tokio::sync::oneshot;

use super::job::{EngineError, Outcome};

/// Resolves to the request's one answer.
pub struct Ticket(oneshot::Receiver<Outcome>);

impl Ticket {
    pub(crate) fn new(rx: oneshot::Receiver<Outcome>) -> Ticket {
        Ticket(rx)
    }

    /// Blocks the calling thread until the answer arrives. Not for async code (await
    /// the ticket there).
    pub fn wait(self) -> Outcome {
        self.0.blocking_recv().unwrap_or_else(|_| Err(lost()))
    }
}

fn lost() -> EngineError {
    EngineError::Internal("the engine dropped the request without answering".into())
}

impl Future for Ticket {
    type Output = Outcome;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Outcome> {
        Pin::new(&mut self.0)
            .poll(cx)
            .map(|r| r.unwrap_or_else(|_| Err(lost())))
    }
}
