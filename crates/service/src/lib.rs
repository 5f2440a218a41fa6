//! The gateway service behind `sakke serve`: the `sakke.v1.Sakke` gRPC service
//! (`proto/sakke/v1/sakke.proto`) over mutual TLS, in front of the batching engine.
//!
//! The keys stay here: clients name a user and a key period, and the server decapsulates
//! or opens with that user's keys if the client's certificate is authorised for the user
//! ([`authz`]). Beside the gRPC port: `grpc.health.v1` (NOT_SERVING once draining) and a
//! plain-HTTP `GET /metrics` for Prometheus. The caller loads and validates the keys
//! ([`KeyRing`]), builds the [`engine::Engine`], and runs [`Gateway::serve`]. [`load`] is
//! the other side: a checked load generator (`sakke load`).

// tonic's `Status` (176 bytes) is the error of every gRPC handler and what they return.
#![allow(clippy::result_large_err)]

pub mod authz;
pub mod client;
pub mod config;
mod counters;
mod deadline;
pub mod dev_certs;
mod grpc;
pub mod keyring;
pub mod load;
mod metrics_http;
pub mod nats;
mod requests;
mod server;
pub mod status;

/// The generated messages, client and server of `sakke.v1`.
pub mod proto {
    tonic::include_proto!("sakke.v1");
}

pub use authz::{Authorisation, ClientIdentity, Grant};
pub use config::{NatsSettings, ServiceConfig};
pub use keyring::{KeyRing, UserKeys};
pub use server::{Gateway, RemoteSettings, ServeError, TlsPem};

/// Where the .proto files are, for clients that generate code or use reflection-less
/// tools such as `grpcurl -import-path`.
pub const PROTO_DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/proto");
