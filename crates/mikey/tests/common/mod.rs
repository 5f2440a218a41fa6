//! Shared helpers for the integration tests.

pub mod provision;
pub mod streamwide;
