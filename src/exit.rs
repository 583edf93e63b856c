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

/// The exit code of a run from the codes its phases ask for: an interruption wins (the run is
/// incomplete), then test verdicts in the order 1 → 4 → 5 → 6, then a phase's configuration
/// error (2), then a harness error or unreachable target (3); 0 when all passed. A verdict beats
/// an error because what was measured stands (the report says which phase could not run).
pub fn combine(codes: &[u8]) -> u8 {
    const PRECEDENCE: [u8; 8] = [
        TERMINATED,
        INTERRUPTED,
        CONFORMANCE_FAILED,
        METRICS_FAILED,
        LOAD_THRESHOLDS_BREACHED,
        LOAD_INVALID,
        USAGE,
        HARNESS,
    ];
    if let Some(code) = PRECEDENCE.iter().find(|code| codes.contains(code)) {
        return *code;
    }
    // A code outside the table is a defect of the harness, never a pass.
    if codes.iter().any(|&code| code != PASSED) {
        HARNESS
    } else {
        PASSED
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_code_in_precedence_order_wins() {
        let table: [(&[u8], u8); 11] = [
            (&[], PASSED),
            (&[PASSED, PASSED, PASSED], PASSED),
            (&[METRICS_FAILED, CONFORMANCE_FAILED], CONFORMANCE_FAILED),
            (&[LOAD_INVALID, METRICS_FAILED], METRICS_FAILED),
            (
                &[LOAD_INVALID, LOAD_THRESHOLDS_BREACHED],
                LOAD_THRESHOLDS_BREACHED,
            ),
            (&[PASSED, LOAD_INVALID], LOAD_INVALID),
            (&[HARNESS, METRICS_FAILED], METRICS_FAILED),
            (&[HARNESS, USAGE], USAGE),
            (&[HARNESS, PASSED], HARNESS),
            (&[CONFORMANCE_FAILED, INTERRUPTED], INTERRUPTED),
            (&[PASSED, 42], HARNESS),
        ];
        for (codes, expected) in table {
            assert_eq!(combine(codes), expected, "{codes:?}");
        }
        assert_eq!(combine(&[INTERRUPTED, TERMINATED]), TERMINATED);
    }
}
