//! The exit codes of DEVELOPERS.md, in one table: 0 all passed · 1 conformance failures ·
//! 2 bad usage/config · 3 target unreachable or harness error · 4 metrics/snapshot failures ·
//! 5 load thresholds breached · 6 load run invalid. Phase verdicts map to codes here only.

pub const PASSED: u8 = 0;
pub const CONFORMANCE_FAILED: u8 = 1;
pub const USAGE: u8 = 2;
pub const HARNESS: u8 = 3;
pub const METRICS_FAILED: u8 = 4;
pub const LOAD_THRESHOLDS_BREACHED: u8 = 5;
pub const LOAD_INVALID: u8 = 6;
/// A run stopped by Ctrl-C (128 + SIGINT).
pub const INTERRUPTED: u8 = 130;
/// A run stopped by SIGTERM (128 + SIGTERM).
pub const TERMINATED: u8 = 143;
