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

/// The exit code of a load run: server-side (reconciliation) failures are metrics failures
/// (4), then breached thresholds (5), then an invalid run (6) — the order of DEVELOPERS.md.
pub fn for_load(outcome: &crate::load::outcome::LoadOutcome) -> u8 {
    use crate::load::outcome::LoadVerdict;
    let server_failed = outcome
        .server_findings
        .iter()
        .any(|f| f.severity == crate::metrics::findings::Severity::Failure);
    match outcome.verdict {
        LoadVerdict::Interrupted => INTERRUPTED,
        LoadVerdict::Error => HARNESS,
        _ if server_failed => METRICS_FAILED,
        LoadVerdict::ThresholdsBreached | LoadVerdict::TargetFailed => LOAD_THRESHOLDS_BREACHED,
        LoadVerdict::Invalid => LOAD_INVALID,
        LoadVerdict::Passed => PASSED,
    }
}
