//! The harness's HTTP side: `ApiClient` (requests to the target with one credential, bounded
//! in time and size, retried only where it is safe), `Exchange` (one recorded, redacted
//! request/response pair, what reports and failing steps show) and `redact`.

pub mod client;
pub mod redact;

pub use client::{
    ApiClient, Auth, ClientOptions, Exchange, RequestBody, Retry, RetryLog, TransportError,
    TransportKind,
};
pub use redact::{Redactor, Secret};
