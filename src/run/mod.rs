//! `tidegauge run`, the one-verdict job: conformance, then metrics, then load (whose outcome
//! carries the reconciliation with the server's counters and the baseline deltas), against
//! one target — the embedded reference target when no base URL is configured. A failing
//! phase does not stop the next ones unless `--fail-fast`; an interruption stops them. Every
//! phase's engine writes its own reports into `reports/<run id>/<phase>/`, and the run writes
//! `report.json`, `junit.xml` and `report.html` beside them (`crate::report`), whatever the
//! verdict. The exit code comes from the phases' codes through `exit::combine`.
//!
//! `config` owns the layering of the configuration; `progress` the spinners.

pub mod config;
pub mod progress;

use crate::conform::{self, ConformConfig, CucumberOptions};
use crate::console::Console;
use crate::error::Error;
use crate::exit;
use crate::http::Redactor;
use crate::load::outcome::{LoadOutcome, LoadVerdict};
use crate::metrics::contract::{Contract, Kind};
use crate::metrics::findings::Severity;
use crate::metrics::run::{MetricsConfig, MetricsOutcome};
use crate::report::{
    self, ConformCounts, ConformDetails, ContractRow, MetricsCounts, MetricsDetails, Phase,
    PhaseStatus, Phases, Redaction, RunReport, TargetInfo, Verdict,
};
pub use config::{PhaseName, RunFlags, RunPlan};
use progress::PhaseProgress;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// What a finished run produced.
pub struct RunOutcome {
    pub report: RunReport,
    /// `reports/<run id>/`.
    pub dir: PathBuf,
    /// Every secret of the run (the configuration's and each engine's), for leak sweeps.
    pub redaction: Redaction,
}

/// Runs every phase the plan does not skip, writes the reports, prints the summary (or
/// report.json with `--json`). `Err` only when no report could be written at all.
pub async fn execute(plan: RunPlan, console: &Console) -> Result<RunOutcome, Error> {
    let started = Instant::now();
    let started_at = chrono::Utc::now();
    let run_id = format!(
        "{}-{}",
        started_at.format("%Y%m%dT%H%M%SZ"),
        crate::server::secrets::random_hex(2)
    );
    let dir = plan.reports.join(&run_id);
    std::fs::create_dir_all(&dir).map_err(|e| {
        Error::Usage(format!(
            "cannot create the reports folder {}: {e} (--reports)",
            dir.display()
        ))
    })?;
    let own = Redactor::new();
    for secret in &plan.secrets {
        own.add_secret(secret);
    }
    let mut redaction = Redaction::default();
    redaction.add(own.clone());
    for warning in &plan.warnings {
        console.progress(&format!("tidegauge: warning: {}\n", own.redact(warning)));
    }

    let mut stop: Option<String> = None;
    let conform = match skip_reason(&plan, PhaseName::Conform, &stop) {
        Some(reason) => Phase::skipped(reason),
        None => {
            timed(&plan, console, PhaseName::Conform, |c| {
                conform_phase(&plan, &dir, c, &mut redaction)
            })
            .await
        }
    };
    note_stop(&plan, console, "conformance", &conform, &mut stop);
    let metrics = match skip_reason(&plan, PhaseName::Metrics, &stop) {
        Some(reason) => Phase::skipped(reason),
        None => {
            timed(&plan, console, PhaseName::Metrics, |c| {
                metrics_phase(&plan, &dir, c, &mut redaction)
            })
            .await
        }
    };
    note_stop(&plan, console, "metrics", &metrics, &mut stop);
    let load = match skip_reason(&plan, PhaseName::Load, &stop) {
        Some(reason) => Phase::skipped(reason),
        None => {
            timed(&plan, console, PhaseName::Load, |c| {
                load_phase(&plan, &dir, c, &mut redaction)
            })
            .await
        }
    };

    let mut report = RunReport {
        schema_version: report::SCHEMA_VERSION,
        run_id,
        tidegauge_version: env!("CARGO_PKG_VERSION").to_owned(),
        started_at: started_at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        duration_s: started.elapsed().as_secs_f64(),
        target: TargetInfo {
            base_url: plan.base_url.as_deref().map(|u| own.redact(u)),
            embedded: plan.base_url.is_none(),
            reference_faults: plan
                .reference_faults
                .iter()
                .map(|f| f.name().to_owned())
                .collect(),
        },
        verdict: Verdict::Error,
        exit_code: exit::HARNESS,
        phases: Phases {
            conform,
            metrics,
            load,
        },
        warnings: plan.warnings.iter().map(|w| own.redact(w)).collect(),
    };
    report.decide(console.interrupt.is_requested());
    if let Some(cause) = deciding_cause(&report) {
        console.progress(&redaction.redact(&format!("tidegauge: {cause}\n")));
    }
    let written = report::write(&report, &dir, &redaction);
    let summary = redaction.redact(&report::console::summary(&report, &dir));
    if plan.json {
        match report::json::render(&report) {
            Ok(text) => console.print(&redaction.redact(&text)),
            Err(error) => console.progress(&format!("tidegauge: {error:#}\n")),
        }
        if !plan.quiet {
            console.progress(&summary);
        }
    } else {
        console.print(&summary);
    }
    written.map_err(|e| Error::Harness(e.context("writing the run's reports")))?;
    Ok(RunOutcome {
        report,
        dir,
        redaction,
    })
}

/// Why a phase does not run: skipped by the configuration, or stopped by an earlier phase.
fn skip_reason(plan: &RunPlan, phase: PhaseName, stop: &Option<String>) -> Option<String> {
    if plan.skip.contains(&phase) {
        return Some(format!(
            "skipped by configuration (--skip {})",
            phase.name()
        ));
    }
    stop.clone()
}

/// After a phase: with `--fail-fast` a failure or error stops the rest; an interruption
/// (Ctrl-C, SIGTERM) always does.
fn note_stop<T>(
    plan: &RunPlan,
    console: &Console,
    name: &str,
    phase: &Phase<T>,
    stop: &mut Option<String>,
) {
    if stop.is_some() {
        return;
    }
    if phase.status == PhaseStatus::Interrupted || console.interrupt.is_requested() {
        *stop = Some("not run: the run was interrupted".into());
    } else if plan.fail_fast && phase.stops_fail_fast() {
        *stop = Some(format!("not run: --fail-fast after the {name} phase"));
    }
}

/// Runs one phase under its progress display and stamps its duration.
async fn timed<T, F, Fut>(plan: &RunPlan, console: &Console, name: PhaseName, phase: F) -> Phase<T>
where
    F: FnOnce(Console) -> Fut,
    Fut: std::future::Future<Output = Phase<T>>,
{
    let label = match name {
        PhaseName::Conform => "conformance",
        PhaseName::Metrics => "metrics",
        PhaseName::Load => "load",
    };
    let (progress, phase_console) = PhaseProgress::start(console, label, plan.quiet);
    let started = Instant::now();
    let mut result = phase(phase_console).await;
    result.duration_s = started.elapsed().as_secs_f64();
    let status = match result.status {
        PhaseStatus::Passed => "passed",
        PhaseStatus::Failed => "FAILED",
        PhaseStatus::Error => "ERROR",
        PhaseStatus::Skipped => "skipped",
        PhaseStatus::Interrupted => "interrupted",
    };
    progress.finish(status, result.duration_s);
    result
}

/// Moves an engine's report folder (`<run dir>/<engine run id>`) to `<run dir>/<name>`;
/// returns the folder the files are in and their paths relative to the run folder.
fn adopt(dir: &Path, engine_dir: &Path, name: &str, files: &[&str]) -> Vec<String> {
    let target = dir.join(name);
    let folder = if std::fs::rename(engine_dir, &target).is_ok() {
        target
    } else {
        engine_dir.to_path_buf()
    };
    let relative = folder.strip_prefix(dir).unwrap_or(&folder).to_path_buf();
    files
        .iter()
        .filter(|f| folder.join(f).is_file())
        .map(|f| relative.join(f).display().to_string())
        .collect()
}

/// The conformance limits `tidegauge run` leaves at `tidegauge conform`'s defaults: one
/// scenario's deadline and the teardown's budget.
const SCENARIO_TIMEOUT: Duration = Duration::from_secs(120);
const TEARDOWN_TIMEOUT: Duration = Duration::from_secs(120);

/// How an engine's run ended, as a phase: interrupted, stopped (aborted: deadline, target
/// gone), passed, or failed with the exit code of its kind.
/// The one line that says why the run did not pass: the cause given by the phase whose exit
/// code decided the run (the first such phase in run order).
fn deciding_cause(report: &RunReport) -> Option<String> {
    if report.exit_code == exit::PASSED {
        return None;
    }
    let phases = &report.phases;
    [
        (
            "conformance",
            phases.conform.exit_code,
            &phases.conform.message,
        ),
        ("metrics", phases.metrics.exit_code, &phases.metrics.message),
        ("load", phases.load.exit_code, &phases.load.message),
    ]
    .into_iter()
    .find(|(_, code, message)| *code == report.exit_code && message.is_some())
    .and_then(|(name, _, message)| message.as_ref().map(|m| format!("{name}: {m}")))
}

fn ended(
    console: &Console,
    interrupted: bool,
    aborted: bool,
    passed: bool,
    failed_code: u8,
    cause: Option<String>,
) -> (PhaseStatus, u8, Option<String>) {
    if interrupted {
        (
            PhaseStatus::Interrupted,
            console.interrupt.exit_code(),
            cause,
        )
    } else if aborted {
        (PhaseStatus::Error, exit::HARNESS, cause)
    } else if passed {
        (PhaseStatus::Passed, exit::PASSED, None)
    } else {
        (PhaseStatus::Failed, failed_code, cause)
    }
}

async fn conform_phase(
    plan: &RunPlan,
    dir: &Path,
    console: Console,
    redaction: &mut Redaction,
) -> Phase<ConformDetails> {
    let mut argv = vec!["conform".to_owned()];
    if let Some(tags) = &plan.tags {
        argv.extend(["--tags".to_owned(), tags.clone()]);
    }
    if plan.fail_fast {
        argv.push("--fail-fast".to_owned());
    }
    let cucumber = match <CucumberOptions as clap::Parser>::try_parse_from(&argv) {
        Ok(options) => options,
        Err(error) => {
            let error = Error::Usage(format!(
                "the conformance options {:?} are not valid: {}",
                &argv[1..],
                error.to_string().lines().next().unwrap_or_default()
            ));
            return Phase::error(&error, 0.0);
        }
    };
    let config = ConformConfig {
        base_url: plan.base_url.clone(),
        metrics_key: plan.metrics_key.clone(),
        features: plan.features.clone(),
        reports: dir.to_path_buf(),
        profile: plan.profile,
        safety: Default::default(),
        client: plan.limits.api.clone(),
        max_exposition_bytes: plan.limits.exposition.max_body_bytes,
        placeholder_base: None,
        preprovisioned: plan.preprovisioned.clone(),
        reference_faults: plan.reference_faults.clone(),
        cucumber,
        scenario_timeout: SCENARIO_TIMEOUT,
        phase_timeout: plan.limits.phase_timeout,
        teardown_timeout: TEARDOWN_TIMEOUT,
    };
    match conform::run(config, &console).await {
        Err(error) => Phase::error(&error, 0.0),
        Ok(outcome) => {
            redaction.add(outcome.redactor.clone());
            let files = adopt(
                dir,
                &outcome.report_dir,
                "conform",
                &["junit.xml", "cucumber.json", "conform.json"],
            );
            let (status, exit_code, message) = ended(
                &console,
                outcome.interrupted,
                outcome.aborted.is_some(),
                outcome.passed(),
                exit::CONFORMANCE_FAILED,
                outcome.cause(),
            );
            let matrix = report::matrix::Matrix::from_coverage(&outcome.coverage);
            Phase {
                status,
                exit_code,
                message,
                duration_s: 0.0,
                details: Some(ConformDetails {
                    counts: ConformCounts::of(&outcome.results, outcome.leftovers.len()),
                    scenarios: outcome.results,
                    leftovers: outcome.leftovers,
                    coverage: outcome.coverage,
                    matrix,
                    files,
                }),
            }
        }
    }
}

async fn metrics_phase(
    plan: &RunPlan,
    dir: &Path,
    console: Console,
    redaction: &mut Redaction,
) -> Phase<MetricsDetails> {
    let contract = Contract::built_in();
    let config = MetricsConfig {
        base_url: plan.base_url.clone(),
        metrics_key: plan.metrics_key.clone(),
        snapshot_path: "/metrics/json".into(),
        contract: contract.clone(),
        profile: plan.profile,
        reports: dir.to_path_buf(),
        client: plan.limits.api.clone(),
        max_exposition_bytes: plan.limits.exposition.max_body_bytes,
        reference_faults: plan.reference_faults.clone(),
        phase_timeout: plan.limits.phase_timeout,
    };
    match crate::metrics::run::run(config, &console).await {
        Err(error) => Phase::error(&error, 0.0),
        Ok(outcome) => {
            redaction.add(outcome.redactor.clone());
            let files = adopt(dir, &outcome.report_dir, "metrics", &["metrics.json"]);
            let (status, exit_code, message) = ended(
                &console,
                outcome.interrupted,
                outcome.aborted.is_some(),
                outcome.passed(),
                exit::METRICS_FAILED,
                outcome.cause(),
            );
            Phase {
                status,
                exit_code,
                message,
                duration_s: 0.0,
                details: Some(metrics_details(&contract, outcome, files)),
            }
        }
    }
}

/// The metrics phase as the report shows it: counts, the contract table, the findings.
pub fn metrics_details(
    contract: &Contract,
    outcome: MetricsOutcome,
    files: Vec<String>,
) -> MetricsDetails {
    let count = |s: Severity| outcome.findings.iter().filter(|f| f.severity == s).count();
    let counts = MetricsCounts {
        failures: count(Severity::Failure),
        assumptions_not_met: count(Severity::AssumptionNotMet),
        warnings: count(Severity::Warning),
        info: count(Severity::Info),
    };
    let rows = contract
        .family
        .iter()
        .map(|family| {
            let named: Vec<_> = outcome
                .findings
                .iter()
                .filter(|f| f.family == family.name && f.severity < Severity::Info)
                .collect();
            let status = if named.iter().any(|f| f.severity == Severity::Failure) {
                "failed"
            } else if named.is_empty() {
                "passed"
            } else {
                "warning"
            };
            ContractRow {
                family: family.name.clone(),
                kind: match family.kind {
                    Kind::Counter => "counter",
                    Kind::Gauge => "gauge",
                    Kind::Histogram => "histogram",
                }
                .to_owned(),
                labels: family.labels.clone(),
                status: status.to_owned(),
                findings: named
                    .iter()
                    .map(|f| format!("{}: {}", f.rule, f.message))
                    .collect(),
            }
        })
        .collect();
    MetricsDetails {
        counts,
        scrape_millis: outcome.scrape_millis,
        scrape_bytes: outcome.scrape_bytes,
        series: outcome.series,
        contract: rows,
        findings: outcome.findings,
        files,
    }
}

/// The load phase: the run's load plan (`--plan`, default `load/smoke.toml`) through the load
/// engine, with the run's target, limits and safety settings; its report folder is adopted
/// into the run's as `load/`.
async fn load_phase(
    plan: &RunPlan,
    dir: &Path,
    console: Console,
    redaction: &mut Redaction,
) -> Phase<LoadOutcome> {
    let load_plan = match crate::load::plan::Plan::load(&plan.load_plan) {
        Ok(load_plan) => load_plan,
        Err(message) => return Phase::error(&Error::Usage(message), 0.0),
    };
    // spec README: off by default against a target tidegauge did not start — not run, and
    // not a configuration error either.
    if let Some(why) = crate::load::refusal(
        &load_plan,
        plan.base_url.is_none(),
        plan.allow_load,
        plan.allow_rate_limit_probing,
    ) {
        return Phase::skipped(format!(
            "{why} (or TIDEGAUGE_ALLOW_LOAD / TIDEGAUGE_ALLOW_RATE_LIMIT_PROBING, or the same keys \
             in tidegauge.toml)"
        ));
    }
    let config = crate::load::LoadConfig {
        base_url: plan.base_url.clone(),
        metrics_key: plan.metrics_key.clone(),
        reference_faults: plan.reference_faults.clone(),
        plan: load_plan,
        goose: Default::default(),
        baseline: plan.baseline.clone(),
        reports: dir.to_path_buf(),
        client: plan.limits.api.clone(),
        max_exposition_bytes: plan.limits.exposition.max_body_bytes,
        phase_timeout: plan.limits.phase_timeout,
        calibration: plan.calibration.clone(),
        allow_load: plan.allow_load,
        allow_rate_limit_probing: plan.allow_rate_limit_probing,
    };
    let result = crate::load::run(config, &console).await;
    if let Ok(outcome) = &result {
        redaction.add(outcome.redactor.clone());
        adopt(
            dir,
            &dir.join(&outcome.run_id),
            "load",
            &["load.json", "goose.html"],
        );
    }
    load_phase_from(result)
}

/// A finished load run as the load phase: its exit code is `exit::for_load`'s (server-side
/// failures 4, breached thresholds 5, invalid 6); a run that could not complete (verdict
/// `error`, its cause in the notes) or stopped by an error before it had an outcome is an
/// error phase, an interrupted one is interrupted.
pub fn load_phase_from(result: Result<LoadOutcome, Error>) -> Phase<LoadOutcome> {
    let outcome = match result {
        Ok(outcome) => outcome,
        Err(error) => return Phase::error(&error, 0.0),
    };
    let exit_code = exit::for_load(&outcome);
    let status = match outcome.verdict {
        LoadVerdict::Interrupted => PhaseStatus::Interrupted,
        LoadVerdict::Error => PhaseStatus::Error,
        _ if exit_code == exit::PASSED => PhaseStatus::Passed,
        _ => PhaseStatus::Failed,
    };
    let message = matches!(
        outcome.verdict,
        LoadVerdict::Error | LoadVerdict::TargetFailed
    )
    .then(|| outcome.notes.join("; "));
    Phase {
        status,
        exit_code,
        message,
        duration_s: outcome.duration_s,
        details: Some(outcome),
    }
}
