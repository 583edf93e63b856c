//! The harness's metrics engine: everything tidegauge does with a target's `/metrics`
//! exposition and JSON snapshot (metrics.md §7) — the exposition parser, scrapes with series
//! selectors (the conformance steps' metric movements), the contract and its checks,
//! protection, snapshot reconciliation, the phase's own traffic and movements, and deltas with
//! the reconciliation of the harness's request counts (for the load engine). `run` is
//! `tidegauge metrics`.

pub mod checks;
pub mod contract;
pub mod delta;
pub mod exposition;
pub mod findings;
pub mod protection;
pub mod run;
pub mod scrape;
pub mod snapshot;
pub mod traffic;
