//! The job queues as the NATS server sees them, one per priority: jobs waiting for a
//! worker, jobs delivered and not yet acked, redeliveries, and the consumer's limits.
//! `sakke workers` shows them beside the workers' own answers.

use std::time::Duration;

use async_nats::jetstream::{self, consumer};
use engine::Priority;
use serde::Serialize;

use super::{consumer_name, js_error, priority_name, NatsError, STREAM};

/// One priority's shared consumer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct QueueStatus {
    pub priority: &'static str,
    /// Jobs stored that no worker has taken yet.
    pub waiting: u64,
    /// Jobs delivered to a worker and not yet acked: being computed, or held by a worker
    /// that died until `ack_wait` passes.
    pub unacked: usize,
    /// Jobs delivered more than once so far (a worker died or could not answer).
    pub redelivered: usize,
    /// At most this many jobs are delivered and unacked at once, over all workers.
    pub max_ack_pending: i64,
    pub ack_wait_ms: u64,
}

/// The queues that exist (none before the first gateway or worker made them).
pub async fn queues(js: &jetstream::Context) -> Result<Vec<QueueStatus>, NatsError> {
    use jetstream::context::GetStreamErrorKind;
    use jetstream::ErrorCode;
    let stream = match js.get_stream(STREAM).await {
        Ok(stream) => stream,
        Err(e) => match e.kind() {
            GetStreamErrorKind::JetStream(j) if j.error_code() == ErrorCode::STREAM_NOT_FOUND => {
                return Ok(Vec::new())
            }
            _ => return Err(js_error("stream")(e.to_string())),
        },
    };
    let mut out = Vec::new();
    for priority in Priority::ALL {
        let name = consumer_name(priority);
        let Ok(mut consumer) = stream.get_consumer::<consumer::pull::Config>(&name).await else {
            continue;
        };
        let info = consumer
            .info()
            .await
            .map_err(|e| js_error("consumer info")(e.to_string()))?;
        out.push(QueueStatus {
            priority: priority_name(priority),
            waiting: info.num_pending,
            unacked: info.num_ack_pending,
            redelivered: info.num_redelivered,
            max_ack_pending: info.config.max_ack_pending,
            ack_wait_ms: duration_ms(info.config.ack_wait),
        });
    }
    Ok(out)
}

fn duration_ms(d: Duration) -> u64 {
    d.as_millis().try_into().unwrap_or(u64::MAX)
}
