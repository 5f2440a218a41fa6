//! The batching engine: the registry of pairing backends, and the scheduler that turns
//! single requests into backend batches.

pub mod registry;
pub mod scheduler;

pub use pairing::backend::TablePolicy;
pub use registry::{available, checked, open, BackendInfo, BackendOptions, RegistryError};
pub use scheduler::{Engine, EngineConfig, EngineError, Job, Priority, SubmitOptions, Ticket};
