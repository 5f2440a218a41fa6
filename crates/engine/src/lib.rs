//! The batching engine. For now: the registry of pairing backends.

pub mod registry;

pub use pairing::backend::TablePolicy;
pub use registry::{available, open, BackendInfo, BackendOptions, RegistryError};
