//! The load phase's reports in `reports/<run id>/`: `load.json` (the whole `LoadOutcome`,
//! redacted) beside goose's own `goose.html` (closed model), and the console summary: the
//! verdict, one line per request name, and every breached threshold with its measured value
//! and limit.

use super::outcome::{LoadOutcome, LoadVerdict};
use crate::error::Error;
use crate::http::Redactor;
use std::path::Path;

pub fn write(outcome: &LoadOutcome, report_dir: &Path, redactor: &Redactor) -> Result<(), Error> {
    let text = serde_json::to_string_pretty(outcome).map_err(|e| Error::Harness(e.into()))?;
    let path = report_dir.join("load.json");
    std::fs::write(&path, redactor.redact(&text))
        .map_err(|e| Error::Harness(anyhow::anyhow!("cannot write {}: {e}", path.display())))?;
    let goose = report_dir.join("goose.html");
    if let Ok(html) = std::fs::read_to_string(&goose)
        && redactor.leaks(&html)
    {
        std::fs::write(&goose, redactor.redact(&html)).map_err(|e| {
            Error::Harness(anyhow::anyhow!("cannot rewrite {}: {e}", goose.display()))
        })?;
    }
    Ok(())
}

fn format_value(value: f64, unit: &str) -> String {
    match unit {
        "ms" => format!("{value:.1}ms"),
        "ratio" => format!("{:.3}%", value * 100.0),
        _ => format!("{value:.1}/s"),
    }
}

pub fn summary(outcome: &LoadOutcome) -> String {
    let mut out = String::new();
    let verdict = match outcome.verdict {
        LoadVerdict::Passed => "PASSED",
        LoadVerdict::ThresholdsBreached => "THRESHOLDS BREACHED",
        LoadVerdict::Invalid => "INVALID",
        LoadVerdict::Interrupted => "INTERRUPTED",
        LoadVerdict::Error => "ERROR",
        LoadVerdict::TargetFailed => "FAILED",
    };
    out.push_str(&format!(
        "load {} ({} model): {verdict} in {:.1}s\n",
        outcome.plan, outcome.model, outcome.duration_s
    ));
    out.push_str(&format!(
        "  {:<14} {:>8} {:>6} {:>6} {:>9} {:>9} {:>9} {:>9}\n",
        "request", "ok", "errors", "429", "rps", "p50", "p95", "p99"
    ));
    for stats in outcome
        .requests
        .iter()
        .chain(std::iter::once(&outcome.total))
    {
        out.push_str(&format!(
            "  {:<14} {:>8} {:>6} {:>6} {:>9.1} {:>8.1}ms {:>7.1}ms {:>7.1}ms\n",
            stats.name,
            stats.ok,
            stats.errors,
            stats.rate_limited,
            stats.rps,
            stats.p50_ms,
            stats.p95_ms,
            stats.p99_ms
        ));
        for error in &stats.sample_errors {
            out.push_str(&format!("      error: {error}\n"));
        }
    }
    if let Some(schedule) = &outcome.schedule {
        out.push_str(&format!(
            "  schedule: {} intended, {} late, {} dropped; generator CPU {:.0}%\n",
            schedule.intended,
            schedule.late,
            schedule.dropped,
            schedule.generator_cpu * 100.0
        ));
    }
    for reason in &outcome.invalid_reasons {
        out.push_str(&format!("INVALID  {reason}\n"));
    }
    for threshold in &outcome.thresholds {
        let mark = if threshold.passed { "ok    " } else { "BREACH" };
        out.push_str(&format!(
            "{mark}  threshold `{}`: {} measured {} (limit {})\n",
            threshold.expression,
            threshold.metric,
            format_value(threshold.measured, &threshold.unit),
            format_value(threshold.limit, &threshold.unit)
        ));
    }
    let mismatches = outcome.reconciliation.iter().filter(|r| !r.ok).count();
    if !outcome.reconciliation.is_empty() {
        out.push_str(&format!(
            "  reconciliation with http_requests_total: {} series, {mismatches} mismatched\n",
            outcome.reconciliation.len()
        ));
    }
    for finding in &outcome.server_findings {
        out.push_str(&format!("{finding}\n"));
    }
    for delta in outcome.baseline.iter().filter(|d| d.regression) {
        out.push_str(&format!(
            "REGRESSION  {} {}: {:.2} -> {:.2} ({:+.0}%)\n",
            delta.name,
            delta.statistic,
            delta.baseline,
            delta.current,
            delta.change * 100.0
        ));
    }
    for note in &outcome.notes {
        out.push_str(&format!("  note: {note}\n"));
    }
    out.push_str(&format!(
        "  reports: load.json, goose.html in run {}\n",
        outcome.run_id
    ));
    out
}
