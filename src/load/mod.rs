//! The load engine (`tidegauge load`): plans from `load/*.toml`, seeding and identities minted
//! before the clock starts, the closed model (goose users) and the open model (arrival rate
//! with coordinated omission corrected), thresholds as gates, reconciliation with the server's
//! counters, baseline comparison and the load reports.

pub mod outcome;
pub mod plan;
pub mod scenario;
pub mod threshold;
