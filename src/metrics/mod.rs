//! The harness's metrics engine: everything tidegauge does with a target's `/metrics`
//! exposition and JSON snapshot (metrics.md §7): the exposition parser and scrapes with
//! series selectors (used by the conformance steps); the contract, checks, snapshot
//! reconciliation and deltas of issue 4 arrive beside them.
//!
//! It must not depend on `crate::server`: the reference target is one target among others,
//! and the harness reads it only through HTTP, like any other.

pub mod checks;
pub mod contract;
pub mod exposition;
pub mod findings;
pub mod protection;
pub mod run;
pub mod scrape;
pub mod snapshot;
pub mod traffic;
