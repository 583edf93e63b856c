//! The run report: `RunReport` is the one result model of `tidegauge run` (every phase's
//! status, exit code and details), and this module writes it into `reports/<run id>/` as
//! `report.json` (`json`), `junit.xml` (`junit`) and `report.html` (`html`, with `charts`),
//! then points `reports/latest` at the folder. `console` is the one-screen summary.
//!
//! Invariants: every writer derives its own view from `RunReport` and nothing else; every
//! file passes through the run's redaction (`Redaction`) before it is written; all three files
//! are written whatever the verdict, and a writer that fails does not stop the others (the
//! first error is returned after all were tried). The model holds no secret: details come
//! from the engines already redacted, and the writers redact once more.

pub mod charts;
pub mod console;
pub mod html;
pub mod json;
pub mod junit;
pub mod matrix;

use crate::conform::context::ScenarioResult;
use crate::conform::coverage::Coverage;
use crate::conform::ledger::Leftover;
use crate::http::Redactor;
use crate::load::outcome::LoadOutcome;
use crate::metrics::findings::Finding;
use serde::Serialize;
use std::path::{Path, PathBuf};

/// The version of `report.json`'s layout (fixtures/report.schema.json): raised on any change
/// a reader could notice (a field removed, renamed or retyped); additions keep it.
pub const SCHEMA_VERSION: u32 = 1;

/// Everything one `tidegauge run` found.
#[derive(Clone, Debug, Serialize)]
pub struct RunReport {
    pub schema_version: u32,
    pub run_id: String,
    pub tidegauge_version: String,
    /// RFC 3339, UTC.
    pub started_at: String,
    pub duration_s: f64,
    pub target: TargetInfo,
    pub verdict: Verdict,
    /// The process exit code the run ends with (src/exit.rs).
    pub exit_code: u8,
    pub phases: Phases,
    /// Notices about the run itself (e.g. a secret given on the command line).
    pub warnings: Vec<String>,
}

impl RunReport {
    /// Sets `exit_code` and `verdict` from the phases' codes (`exit::combine`); `interrupted`:
    /// the run was asked to stop (Ctrl-C, SIGTERM), whichever phase was running then.
    pub fn decide(&mut self, interrupted: bool) {
        let phases = &self.phases;
        let interruption = if interrupted {
            crate::exit::INTERRUPTED
        } else {
            crate::exit::PASSED
        };
        self.exit_code = crate::exit::combine(&[
            phases.conform.exit_code,
            phases.metrics.exit_code,
            phases.load.exit_code,
            interruption,
        ]);
        self.verdict = Verdict::of(self.exit_code);
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct TargetInfo {
    /// The base URL, or `None` for the embedded reference target.
    pub base_url: Option<String>,
    pub embedded: bool,
    /// Faults the embedded reference target was started with.
    pub reference_faults: Vec<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    Passed,
    Failed,
    Error,
    Interrupted,
}

impl Verdict {
    /// The verdict an exit code stands for.
    pub fn of(exit_code: u8) -> Verdict {
        use crate::exit::*;
        match exit_code {
            PASSED => Verdict::Passed,
            INTERRUPTED | TERMINATED => Verdict::Interrupted,
            CONFORMANCE_FAILED | METRICS_FAILED | LOAD_THRESHOLDS_BREACHED | LOAD_INVALID => {
                Verdict::Failed
            }
            _ => Verdict::Error,
        }
    }
}

/// The phases in the order they run.
#[derive(Clone, Debug, Serialize)]
pub struct Phases {
    pub conform: Phase<ConformDetails>,
    pub metrics: Phase<MetricsDetails>,
    pub load: Phase<LoadOutcome>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum PhaseStatus {
    Passed,
    /// The target failed the phase's checks (exit 1, 4, 5 or 6).
    Failed,
    /// The phase could not give a verdict: target unreachable, bad configuration, harness fault.
    Error,
    Skipped,
    Interrupted,
}

/// One phase: how it ended, the exit code it asks for, and what it found.
#[derive(Clone, Debug, Serialize)]
pub struct Phase<T> {
    pub status: PhaseStatus,
    pub exit_code: u8,
    /// Why it was skipped, or the error that stopped it (one line, redacted).
    pub message: Option<String>,
    pub duration_s: f64,
    /// Absent when the phase was skipped or stopped by an error.
    pub details: Option<T>,
}

impl<T> Phase<T> {
    pub fn skipped(reason: impl Into<String>) -> Self {
        Phase {
            status: PhaseStatus::Skipped,
            exit_code: crate::exit::PASSED,
            message: Some(reason.into()),
            duration_s: 0.0,
            details: None,
        }
    }

    pub fn error(error: &crate::error::Error, duration_s: f64) -> Self {
        Phase {
            status: PhaseStatus::Error,
            exit_code: error.exit_code(),
            message: Some(error.to_string()),
            duration_s,
            details: None,
        }
    }

    /// Failed or stopped by an error: what `--fail-fast` stops on.
    pub fn stops_fail_fast(&self) -> bool {
        matches!(
            self.status,
            PhaseStatus::Failed | PhaseStatus::Error | PhaseStatus::Interrupted
        )
    }
}

/// The conformance phase's findings, as `conform.json` has them plus the coloured matrix.
#[derive(Clone, Debug, Serialize)]
pub struct ConformDetails {
    pub counts: ConformCounts,
    pub scenarios: Vec<ScenarioResult>,
    pub leftovers: Vec<Leftover>,
    pub coverage: Coverage,
    pub matrix: matrix::Matrix,
    /// The phase's own reports, relative to the run folder.
    pub files: Vec<String>,
}

#[derive(Clone, Debug, Default, Serialize)]
pub struct ConformCounts {
    pub scenarios: usize,
    pub passed: usize,
    pub failed: usize,
    pub not_run: usize,
    pub assumptions_not_met: usize,
    pub leftovers: usize,
}

impl ConformCounts {
    pub fn of(scenarios: &[ScenarioResult], leftovers: usize) -> Self {
        let count = |o: &str| scenarios.iter().filter(|r| r.outcome == o).count();
        ConformCounts {
            scenarios: scenarios.len(),
            passed: count("passed"),
            failed: count("failed"),
            not_run: count("not run"),
            assumptions_not_met: scenarios.iter().map(|r| r.warnings.len()).sum(),
            leftovers,
        }
    }
}

/// The metrics phase's findings and the contract table.
#[derive(Clone, Debug, Serialize)]
pub struct MetricsDetails {
    pub counts: MetricsCounts,
    pub scrape_millis: u128,
    pub scrape_bytes: usize,
    pub series: usize,
    /// One row per family of the contract, with how the checks judged it.
    pub contract: Vec<ContractRow>,
    pub findings: Vec<Finding>,
    pub files: Vec<String>,
}

#[derive(Clone, Debug, Default, Serialize)]
pub struct MetricsCounts {
    pub failures: usize,
    pub assumptions_not_met: usize,
    pub warnings: usize,
    pub info: usize,
}

#[derive(Clone, Debug, Serialize)]
pub struct ContractRow {
    pub family: String,
    /// `counter`, `gauge` or `histogram`.
    pub kind: String,
    pub labels: Vec<String>,
    /// `passed`, `failed` or `warning` (warnings and assumptions not met only).
    pub status: String,
    /// `rule: message` of every finding above information naming this family.
    pub findings: Vec<String>,
}

/// Every redactor of a run (the run's own secrets, each engine's): text passes through all.
#[derive(Clone, Debug, Default)]
pub struct Redaction {
    redactors: Vec<Redactor>,
}

impl Redaction {
    pub fn add(&mut self, redactor: Redactor) {
        self.redactors.push(redactor);
    }

    pub fn redact(&self, text: &str) -> String {
        self.redactors
            .iter()
            .fold(text.to_owned(), |text, r| r.redact(&text))
    }

    /// True when `text` holds any form of any secret (leak sweeps).
    pub fn leaks(&self, text: &str) -> bool {
        self.redactors.iter().any(|r| r.leaks(text))
    }
}

/// The files `write` produces in the run folder.
pub const FILES: [&str; 3] = ["report.json", "junit.xml", "report.html"];

/// Writes report.json, junit.xml and report.html into `dir`, each redacted; tries all three
/// and returns the first error. Then points `latest` (beside `dir`) at it.
pub fn write(report: &RunReport, dir: &Path, redaction: &Redaction) -> anyhow::Result<()> {
    let rendered: [(&str, anyhow::Result<String>); 3] = [
        ("report.json", json::render(report)),
        ("junit.xml", Ok(junit::render(report))),
        ("report.html", html::render(report)),
    ];
    let mut first_error = None;
    for (name, text) in rendered {
        let path = dir.join(name);
        let result = text.and_then(|text| {
            std::fs::write(&path, redaction.redact(&text))
                .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", path.display()))
        });
        if let Err(error) = result {
            first_error.get_or_insert(error.context(format!("writing {name}")));
        }
    }
    if let Err(error) = point_latest(dir) {
        first_error.get_or_insert(error);
    }
    first_error.map_or(Ok(()), Err)
}

/// `reports/latest`: a symbolic link to the newest run folder (replaced atomically), or on
/// systems without them a file holding the folder's name.
pub fn point_latest(dir: &Path) -> anyhow::Result<()> {
    let parent = dir.parent().unwrap_or(Path::new("."));
    let name = dir
        .file_name()
        .ok_or_else(|| anyhow::anyhow!("the run folder {} has no name", dir.display()))?;
    let latest = parent.join("latest");
    let staging = parent.join(format!(".latest-{}", name.to_string_lossy()));
    let _ = std::fs::remove_file(&staging);
    #[cfg(unix)]
    std::os::unix::fs::symlink(name, &staging)
        .map_err(|e| anyhow::anyhow!("cannot create {}: {e}", staging.display()))?;
    #[cfg(not(unix))]
    std::fs::write(&staging, name.to_string_lossy().as_bytes())
        .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", staging.display()))?;
    std::fs::rename(&staging, &latest)
        .map_err(|e| anyhow::anyhow!("cannot replace {}: {e}", latest.display()))
}

/// The run folder `latest` points to, if any.
pub fn latest(reports: &Path) -> Option<PathBuf> {
    let latest = reports.join("latest");
    let target = std::fs::read_link(&latest)
        .ok()
        .or_else(|| std::fs::read_to_string(&latest).ok().map(PathBuf::from))?;
    Some(reports.join(target))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn skipped_run() -> RunReport {
        RunReport {
            schema_version: SCHEMA_VERSION,
            run_id: "20261204T000000Z-0000".into(),
            tidegauge_version: "0".into(),
            started_at: "2026-12-04T00:00:00Z".into(),
            duration_s: 0.0,
            target: TargetInfo {
                base_url: None,
                embedded: true,
                reference_faults: vec![],
            },
            verdict: Verdict::Error,
            exit_code: crate::exit::HARNESS,
            phases: Phases {
                conform: Phase::skipped("--skip conform"),
                metrics: Phase::skipped("--skip metrics"),
                load: Phase::skipped("--skip load"),
            },
            warnings: vec![],
        }
    }

    #[test]
    fn the_verdict_follows_the_phases_and_an_interruption_wins() {
        let mut report = skipped_run();
        report.decide(false);
        assert_eq!((report.exit_code, report.verdict), (0, Verdict::Passed));
        report.phases.metrics.exit_code = crate::exit::METRICS_FAILED;
        report.decide(false);
        assert_eq!((report.exit_code, report.verdict), (4, Verdict::Failed));
        report.decide(true);
        assert_eq!(
            (report.exit_code, report.verdict),
            (130, Verdict::Interrupted)
        );
        let error = crate::error::Error::Harness(anyhow::anyhow!("target unreachable"));
        report.phases.metrics = Phase::error(&error, 1.0);
        report.decide(false);
        assert_eq!((report.exit_code, report.verdict), (3, Verdict::Error));
    }

    #[test]
    fn every_file_is_written_even_for_a_run_without_details() {
        let dir = std::env::temp_dir().join(format!(
            "tidegauge-report-{}",
            crate::server::secrets::random_hex(4)
        ));
        let run = dir.join("20261204T000000Z-0000");
        std::fs::create_dir_all(&run).unwrap();
        let mut report = skipped_run();
        report.decide(false);
        write(&report, &run, &Redaction::default()).unwrap();
        for name in FILES {
            assert!(run.join(name).is_file(), "{name}");
        }
        assert_eq!(latest(&dir), Some(run.clone()));
        // A folder that cannot be written is an error, not a panic, and names the file.
        let error = write(&report, &dir.join("missing/run"), &Redaction::default()).unwrap_err();
        assert!(format!("{error:#}").contains("report.json"), "{error:#}");
    }
}
