//! The engine's settings, named as Triton's dynamic batcher names them.

use std::time::Duration;

use thiserror::Error;

/// How requests become batches, and how much may wait.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EngineConfig {
    /// Largest batch handed to a backend at once.
    pub max_batch: usize,
    /// Batch sizes worth dispatching at once, without waiting for more requests: the
    /// largest that can be formed is sent (Triton's `preferred_batch_size`).
    pub preferred_batch_sizes: Vec<usize>,
    /// How long the oldest request of a batch that is neither full nor of a preferred
    /// size may wait for company (emergency requests never wait).
    pub max_queue_delay: Duration,
    /// Requests queued at most; past it a request is answered busy at once.
    pub max_queue: usize,
    /// Batches at least this large go to an accelerator when one is idle and healthy;
    /// smaller ones, latency-bound, stay on the CPU.
    pub offload_min_batch: usize,
    /// How long a backend that failed a batch stays out of rotation; doubled on each
    /// further failure up to `max_backoff`, reset by a success.
    pub backoff: Duration,
    pub max_backoff: Duration,
    /// I_MESSAGEs remembered against replay (RFC 3830 5.4).
    pub replay_cache_capacity: usize,
    /// Senders whose prepared ECCSI verifiers are kept (about 33 KB each), least
    /// recently used first out; 0 verifies every I_MESSAGE cold.
    pub verifier_cache_capacity: usize,
}

impl Default for EngineConfig {
    fn default() -> Self {
        EngineConfig {
            max_batch: 256,
            preferred_batch_sizes: vec![64, 256],
            max_queue_delay: Duration::from_millis(5),
            max_queue: 8192,
            offload_min_batch: 64,
            backoff: Duration::from_millis(500),
            max_backoff: Duration::from_secs(30),
            replay_cache_capacity: 1 << 17,
            verifier_cache_capacity: 1024,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ConfigError {
    #[error("max_batch must be at least 1")]
    ZeroBatch,
    #[error("max_queue must be at least 1")]
    ZeroQueue,
    #[error("preferred batch size {0} is not in 1..=max_batch ({1})")]
    Preferred(usize, usize),
}

impl EngineConfig {
    pub fn validate(&self) -> Result<(), ConfigError> {
        if self.max_batch == 0 {
            return Err(ConfigError::ZeroBatch);
        }
        if self.max_queue == 0 {
            return Err(ConfigError::ZeroQueue);
        }
        if let Some(&bad) = self
            .preferred_batch_sizes
            .iter()
            .find(|&&p| p == 0 || p > self.max_batch)
        {
            return Err(ConfigError::Preferred(bad, self.max_batch));
        }
        Ok(())
    }
}
