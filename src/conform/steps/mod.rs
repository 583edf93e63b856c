//! The step library (documented with an example each in features/README.md). Steps are
//! generic: requests, credentials, assertions on status, headers and JSON, capture, lists,
//! object shapes, eventual checks, the delivery sink and metric movements. Every assertion
//! may end in `(assumed)`: a mismatch is then an "assumption not met" in the default profile
//! and a failure in the strict one.

pub mod agents;
pub mod assertions;
pub mod auth;
pub mod credentials;
pub mod json;
pub mod messages;
pub mod request;
pub mod sink;
