//! The harness's metrics engine: everything tidegauge does with a target's `/metrics`
//! exposition and JSON snapshot (metrics.md §7). For now it holds only the exposition parser;
//! the contract, checks, snapshot reconciliation and deltas of issue 4 arrive beside it.
//!
//! It must not depend on `crate::server`: the reference target is one target among others,
//! and the harness reads it only through HTTP, like any other.

pub mod exposition;
