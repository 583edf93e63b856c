//! The one-screen summary `tidegauge run` prints at the end: the verdict and exit code, one
//! line per phase, the first failures of each phase (at most `SHOWN` each, then a count),
//! and where the reports are. Derived from `RunReport` only; the caller redacts it.

use super::{PhaseStatus, RunReport};
use crate::metrics::findings::Severity;
use std::fmt::Write as _;
use std::path::Path;

/// Failures listed per phase; the rest are counted and are in the reports.
const SHOWN: usize = 5;

fn status_word(status: PhaseStatus) -> &'static str {
    match status {
        PhaseStatus::Passed => "passed",
        PhaseStatus::Failed => "FAILED",
        PhaseStatus::Error => "ERROR",
        PhaseStatus::Skipped => "skipped",
        PhaseStatus::Interrupted => "interrupted",
    }
}

fn list(out: &mut String, items: &[String]) {
    for item in items.iter().take(SHOWN) {
        let _ = writeln!(out, "      - {item}");
    }
    if items.len() > SHOWN {
        let _ = writeln!(out, "      … and {} more", items.len() - SHOWN);
    }
}

pub fn summary(report: &RunReport, dir: &Path) -> String {
    let mut out = String::new();
    let phases = &report.phases;
    let _ = writeln!(out);
    let phase_line =
        |out: &mut String, name: &str, status, detail: String, message: &Option<String>| {
            let _ = write!(out, "  {name:<12} {:<11} {detail}", status_word(status));
            if let Some(message) = message {
                let _ = write!(
                    out,
                    "{}{message}",
                    if detail.is_empty() { "" } else { "; " }
                );
            }
            out.push('\n');
        };

    let conform_detail = phases
        .conform
        .details
        .as_ref()
        .map(|d| {
            let c = &d.counts;
            format!(
                "{} scenarios: {} passed, {} failed, {} not run; {} assumptions not met; matrix {}/{} cells",
                c.scenarios,
                c.passed,
                c.failed,
                c.not_run,
                c.assumptions_not_met,
                d.matrix.passed,
                d.matrix.passed + d.matrix.failed + d.matrix.missing
            )
        })
        .unwrap_or_default();
    phase_line(
        &mut out,
        "conformance",
        phases.conform.status,
        conform_detail,
        &phases.conform.message,
    );
    if let Some(details) = &phases.conform.details {
        let failed: Vec<String> = details
            .scenarios
            .iter()
            .filter(|s| s.outcome == "failed")
            .map(|s| {
                let first = s.detail.as_deref().unwrap_or_default();
                let first = first.lines().next().unwrap_or_default();
                format!("{} / {} (line {}): {first}", s.feature, s.scenario, s.line)
            })
            .collect();
        list(&mut out, &failed);
    }

    let metrics_detail = phases
        .metrics
        .details
        .as_ref()
        .map(|d| {
            format!(
                "{} failures, {} assumptions not met, {} warnings over {} families",
                d.counts.failures,
                d.counts.assumptions_not_met,
                d.counts.warnings,
                d.contract.len()
            )
        })
        .unwrap_or_default();
    phase_line(
        &mut out,
        "metrics",
        phases.metrics.status,
        metrics_detail,
        &phases.metrics.message,
    );
    if let Some(details) = &phases.metrics.details {
        let failed: Vec<String> = details
            .findings
            .iter()
            .filter(|f| f.severity == Severity::Failure)
            .map(|f| format!("{} [{}]: {}", f.family, f.rule, f.message))
            .collect();
        list(&mut out, &failed);
    }

    let load_detail = phases
        .load
        .details
        .as_ref()
        .map(|l| {
            let breached = l.thresholds.iter().filter(|t| !t.passed).count();
            format!(
                "plan {}: {:.0} req/s, p95 {:.1} ms, p99 {:.1} ms, error rate {:.2}%; {}/{} thresholds breached",
                l.plan,
                l.total.rps,
                l.total.p95_ms,
                l.total.p99_ms,
                l.total.error_rate * 100.0,
                breached,
                l.thresholds.len()
            )
        })
        .unwrap_or_default();
    phase_line(
        &mut out,
        "load",
        phases.load.status,
        load_detail,
        &phases.load.message,
    );
    if let Some(load) = &phases.load.details {
        let mut failed: Vec<String> = load.invalid_reasons.clone();
        failed.extend(
            load.thresholds
                .iter()
                .filter(|t| !t.passed)
                .map(|t| format!("{}: measured {} {}", t.expression, t.measured, t.unit)),
        );
        list(&mut out, &failed);
    }

    for warning in &report.warnings {
        let _ = writeln!(out, "  warning: {warning}");
    }
    let _ = writeln!(
        out,
        "\n{}: exit code {} · run {} in {:.1} s · reports in {}",
        match report.verdict {
            super::Verdict::Passed => "PASSED",
            super::Verdict::Failed => "FAILED",
            super::Verdict::Error => "ERROR",
            super::Verdict::Interrupted => "INTERRUPTED",
        },
        report.exit_code,
        report.run_id,
        report.duration_s,
        dir.display()
    );
    let _ = writeln!(
        out,
        "  open {} · CI: {}",
        dir.join("report.html").display(),
        dir.join("junit.xml").display()
    );
    out
}
