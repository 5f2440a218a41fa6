//! Shared helpers for the integration tests.

pub mod mcx_world;
pub mod provision;
pub mod streamwide;
