//! The conformance reports written into `reports/<run id>/`: cucumber's own `junit.xml` (one
//! testcase per scenario and per example row) and `cucumber.json`, written during the run, and
//! `conform.json` (every outcome with its reason, assumptions not met, leftovers, coverage).
//! Every file is passed through the redactor once more before the run ends. A run stopped
//! before cucumber started (unreachable target, failed provisioning, phase timeout) still
//! leaves all three: `junit.xml` then holds one `(setup)` testcase with the cause and
//! `cucumber.json` an empty list.

use super::ConformOutcome;
use super::context::Records;
use crate::error::Error;
use crate::http::Redactor;
use serde_json::json;

pub fn write(
    outcome: &ConformOutcome,
    redactor: &Redactor,
    records: &Records,
) -> Result<(), Error> {
    let document = json!({
        "run_id": outcome.run_id,
        "profile": records.profile,
        "interrupted": outcome.interrupted,
        "aborted": outcome.aborted,
        "retries": outcome.retries,
        "summary": counts(outcome),
        "scenarios": outcome.results,
        "leftovers": outcome.leftovers,
        "coverage": outcome.coverage,
    });
    let path = outcome.report_dir.join("conform.json");
    let text = serde_json::to_string_pretty(&document).map_err(|e| Error::Harness(e.into()))?;
    std::fs::write(&path, text)
        .map_err(|e| Error::Harness(anyhow::anyhow!("cannot write {}: {e}", path.display())))?;
    write_if_missing(outcome, "cucumber.json", "[]\n".to_owned())?;
    write_if_missing(outcome, "junit.xml", setup_junit(outcome))?;
    for name in ["junit.xml", "cucumber.json", "conform.json"] {
        let file = outcome.report_dir.join(name);
        if let Ok(text) = std::fs::read_to_string(&file)
            && redactor.leaks(&text)
        {
            std::fs::write(&file, redactor.redact(&text)).map_err(|e| {
                Error::Harness(anyhow::anyhow!("cannot rewrite {}: {e}", file.display()))
            })?;
        }
    }
    Ok(())
}

fn write_if_missing(outcome: &ConformOutcome, name: &str, text: String) -> Result<(), Error> {
    let path = outcome.report_dir.join(name);
    if path.exists() {
        return Ok(());
    }
    std::fs::write(&path, text)
        .map_err(|e| Error::Harness(anyhow::anyhow!("cannot write {}: {e}", path.display())))
}

/// The JUnit report of a run that stopped before its scenarios: one testcase, an `<error>`
/// for an aborted run (the target could not be talked to) or a `<failure>` for a failed setup.
fn setup_junit(outcome: &ConformOutcome) -> String {
    let setup_failure = outcome
        .results
        .iter()
        .find(|r| r.feature == "(setup)")
        .and_then(|r| r.detail.clone());
    let (element, message) = match (&outcome.aborted, setup_failure) {
        (Some(cause), _) => ("error", cause.clone()),
        (None, Some(detail)) => ("failure", detail),
        (None, None) => ("error", "the run stopped before its scenarios".to_owned()),
    };
    let message = xml_escape(&message);
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites>\n  <testsuite name=\"(setup)\" tests=\"1\" failures=\"{}\" errors=\"{}\">\n    <testcase name=\"reach the target and provision test identities\">\n      <{element} message=\"{message}\"/>\n    </testcase>\n  </testsuite>\n</testsuites>\n",
        usize::from(element == "failure"),
        usize::from(element == "error"),
    )
}

fn xml_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

fn counts(outcome: &ConformOutcome) -> serde_json::Value {
    let count = |o: &str| outcome.results.iter().filter(|r| r.outcome == o).count();
    let warnings: usize = outcome.results.iter().map(|r| r.warnings.len()).sum();
    json!({
        "scenarios": outcome.results.len(),
        "passed": count("passed"),
        "failed": count("failed"),
        "not_run": count("not run"),
        "assumptions_not_met": warnings,
        "leftovers": outcome.leftovers.len(),
    })
}

/// The console summary: counts, then each failure and each assumption not met, one block each.
pub fn summary(outcome: &ConformOutcome) -> String {
    let mut out = String::new();
    for result in &outcome.results {
        if result.outcome == "failed" {
            out.push_str(&format!(
                "FAILED  {} / {} (line {})\n",
                result.feature, result.scenario, result.line
            ));
            if let Some(detail) = &result.detail {
                for line in detail.lines() {
                    out.push_str(&format!("        {line}\n"));
                }
            }
        }
    }
    for result in &outcome.results {
        for warning in &result.warnings {
            let first = warning.lines().next().unwrap_or_default();
            out.push_str(&format!(
                "ASSUMPTION NOT MET  {} / {}: {first}\n",
                result.feature, result.scenario
            ));
        }
    }
    for left in &outcome.leftovers {
        out.push_str(&format!(
            "LEFT OVER  {} {}: {}\n",
            left.kind, left.id, left.reason
        ));
    }
    let c = counts(outcome);
    // The cause of a stopped run is the one `tidegauge: ` line on stderr; this only marks it.
    let stopped = if outcome.interrupted || outcome.aborted.is_some() {
        " (stopped early)"
    } else {
        ""
    };
    out.push_str(&format!(
        "{} scenarios{stopped}: {} passed, {} failed, {} not run; {} assumptions not met; {} objects left over; reports in {}\n",
        c["scenarios"], c["passed"], c["failed"], c["not_run"], c["assumptions_not_met"], c["leftovers"],
        outcome.report_dir.display()
    ));
    out
}
