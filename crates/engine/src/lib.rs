//! The batching engine. For now: the registry of pairing backends.

pub mod registry;

pub use registry::{available, open, BackendInfo, BackendOptions, RegistryError};
