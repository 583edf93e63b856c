//! The load engine (`tidegauge load`): plans from `load/*.toml` (`plan`), seeding and
//! identities minted before the clock starts (`provision`), the hot-path scenarios and their
//! response validation (`scenario`), the closed model on goose (`closed`) and the open model
//! with coordinated omission corrected (`open`, on the `generator` thread, whose ceiling
//! `calibrate` measures), HDR recording (`recorder`), thresholds as gates (`threshold`), the
//! server's own view after the run (`server_side`), baseline comparison (`baseline`), and
//! the outcome and its reports (`outcome`, `report`). `run` here ties them together.

pub mod baseline;
pub mod calibrate;
pub mod closed;
pub mod exchange;
pub mod generator;
pub mod open;
pub mod outcome;
pub mod plan;
pub mod provision;
pub mod recorder;
pub mod report;
pub mod scenario;
pub mod server_side;
pub mod threshold;

use crate::console::Console;
use crate::error::Error;
use crate::http::{ApiClient, ClientOptions, Redactor, Secret};
use crate::server::faults::FaultSet;
use crate::server::{ServerConfig, spawn};
use calibrate::Calibration;
use exchange::VirtualUser;
use outcome::{LatencyStats, LoadOutcome, LoadVerdict, ScheduleStats};
use plan::{Model, Plan};
use recorder::Recorder;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

/// Everything `tidegauge load` needs, validated.
pub struct LoadConfig {
    /// `None`: start the embedded reference target (a load instance, limits off).
    pub base_url: Option<String>,
    pub metrics_key: Option<Secret>,
    pub reference_faults: FaultSet,
    pub plan: Plan,
    /// Goose's own flags (closed model); its values beat the plan's.
    pub goose: goose::config::GooseConfiguration,
    pub baseline: Option<PathBuf>,
    pub reports: PathBuf,
    /// For provisioning, scrapes and teardown; its timeout and body cap also bound every
    /// measured request.
    pub client: ClientOptions,
    /// Largest exposition read by the scrapes around the run.
    pub max_exposition_bytes: usize,
    /// Deadline of the preparation (provisioning and seeding) and of the teardown; the
    /// measured phase is bounded by the plan.
    pub phase_timeout: Duration,
    /// A calibration file for the open model; without it one is measured first.
    pub calibration: Option<PathBuf>,
    pub allow_load: bool,
    pub allow_rate_limit_probing: bool,
}

/// The spec README's safety rule for a target tidegauge did not start: load needs
/// `--allow-load`, and load on rate-limited endpoints also `--allow-rate-limit-probing`.
/// Returns why `plan` may not run (`None`: it may). `tidegauge load` refuses with it (exit 2);
/// `tidegauge run` reports its load phase as skipped with it.
pub fn refusal(
    plan: &Plan,
    own_target: bool,
    allow_load: bool,
    allow_rate_limit_probing: bool,
) -> Option<String> {
    if own_target {
        return None;
    }
    if !allow_load {
        return Some(
            "load on a target tidegauge did not start needs --allow-load (others may use it)"
                .into(),
        );
    }
    let limited: Vec<&str> = plan
        .scenarios
        .iter()
        .filter(|(kind, _)| kind.rate_limited())
        .map(|(kind, _)| kind.name())
        .collect();
    (!limited.is_empty() && !allow_rate_limit_probing).then(|| {
        format!(
            "plan {} loads rate-limited endpoints ({}): against a target tidegauge did not \
             start that needs --allow-rate-limit-probing",
            plan.name,
            limited.join(", ")
        )
    })
}

/// The open model's calibration: the given file, or a quick measurement now.
async fn calibration(config: &LoadConfig, notes: &mut Vec<String>) -> Result<Calibration, Error> {
    match &config.calibration {
        Some(path) => Calibration::load(path).map_err(Error::Usage),
        None => {
            let measured = calibrate::measure(Duration::from_secs(2))
                .await
                .map_err(|e| Error::Harness(anyhow::anyhow!("calibration: {e}")))?;
            notes.push(format!(
                "calibrated the generator first: ceiling {:.0} req/s (run `tidegauge calibrate` \
                 and pass --calibration to skip this)",
                measured.ceiling_rps
            ));
            Ok(measured)
        }
    }
}

/// The target could not be talked to (as opposed to answering wrongly).
#[derive(Debug)]
struct Unreachable(String);

impl std::fmt::Display for Unreachable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Unreachable {}

/// True when a preparation error means the target could not be talked to (exit 3); false
/// when it answered, wrongly (a load failure of the target, exit 5).
fn is_unreachable(error: &anyhow::Error) -> bool {
    error.downcast_ref::<Unreachable>().is_some()
        || crate::http::client::TransportError::find(error).is_some_and(|t| t.unreachable())
}

/// What the measured phase produced, whatever the model.
struct Measured {
    seconds: f64,
    schedule: Option<ScheduleStats>,
    invalid: Vec<String>,
}

/// Runs one load plan against the target. Once the run has its reports folder, `load.json`
/// is written whatever happens: an error still leaves a report naming its cause.
pub async fn run(config: LoadConfig, console: &Console) -> Result<LoadOutcome, Error> {
    if let Some(why) = refusal(
        &config.plan,
        config.base_url.is_none(),
        config.allow_load,
        config.allow_rate_limit_probing,
    ) {
        return Err(Error::Usage(why));
    }
    let redactor = Redactor::new();
    let run_id = crate::server::secrets::random_hex(3);
    let report_dir = config.reports.join(&run_id);
    std::fs::create_dir_all(&report_dir).map_err(|e| {
        Error::Usage(format!(
            "cannot create the reports folder {}: {e}",
            report_dir.display()
        ))
    })?;
    let mut outcome = LoadOutcome::empty(&run_id, &config.plan.name, config.plan.model.name());
    outcome.redactor = redactor.clone();
    match run_in(&config, console, &redactor, &report_dir, outcome).await {
        Ok(outcome) => Ok(outcome),
        Err(error) => {
            let mut failed =
                LoadOutcome::empty(&run_id, &config.plan.name, config.plan.model.name());
            failed.verdict = LoadVerdict::Error;
            failed.notes.push(error.to_string());
            // The error is what the caller must see; a report that cannot be written on top
            // of it is said on the console.
            if let Err(write_error) = report::write(&failed, &report_dir, &redactor) {
                console.progress(&format!("{write_error}\n"));
            }
            Err(error)
        }
    }
}

async fn run_in(
    config: &LoadConfig,
    console: &Console,
    redactor: &Redactor,
    report_dir: &std::path::Path,
    mut outcome: LoadOutcome,
) -> Result<LoadOutcome, Error> {
    let run_id = outcome.run_id.clone();
    let mut notes = Vec::new();
    let baseline = config
        .baseline
        .as_deref()
        .map(baseline::load)
        .transpose()
        .map_err(Error::Usage)?;
    let mut ceiling = None;
    if let Model::Open(open) = &config.plan.model {
        let calibration = calibration(config, &mut notes).await?;
        if open.rate > calibration.allowed_rate() {
            outcome.verdict = LoadVerdict::Invalid;
            outcome.invalid_reasons.push(format!(
                "the requested rate {:.0}/s is above {:.0}% of this machine's calibrated \
                 generator ceiling ({:.0} req/s): the generator could not keep the schedule",
                open.rate,
                calibrate::MAX_CEILING_SHARE * 100.0,
                calibration.ceiling_rps
            ));
            outcome.schedule = Some(ScheduleStats {
                max_late_share: open.max_late_share,
                calibrated_ceiling: Some(calibration.ceiling_rps),
                ..ScheduleStats::default()
            });
            outcome.notes = notes;
            report::write(&outcome, report_dir, redactor)?;
            return Ok(outcome);
        }
        ceiling = Some(calibration.ceiling_rps);
    }

    let (base_url, server, key) = match &config.base_url {
        Some(url) => (url.clone(), None, config.metrics_key.clone()),
        None => {
            let secret = Secret::new(crate::server::secrets::random_hex(16));
            let mut server_config = ServerConfig::for_harness(secret.expose());
            server_config.test_controls = false;
            server_config.no_rate_limits = true;
            server_config.faults = config.reference_faults.clone();
            let server = spawn(server_config).await?;
            (server.url.clone(), Some(server), Some(secret))
        }
    };
    if let Some(key) = &key {
        redactor.add_secret(key);
    }
    let own = server.is_some();
    let client = ApiClient::new(&base_url, config.client.clone(), redactor.clone())?;
    let provisioner = provision::Provisioner::new(
        &run_id,
        redactor,
        config.max_exposition_bytes,
        config.phase_timeout,
    );
    console.progress(&format!(
        "load: preparing {} ({} messages seeded, {} identities)\n",
        config.plan.name,
        config.plan.seed_messages,
        config.plan.model.identities()
    ));
    let preparation = async {
        crate::conform::runner::check_reachable(&client)
            .await
            .map_err(|stop| match stop {
                crate::conform::Stop::Unreachable(cause) => anyhow::Error::new(Unreachable(cause)),
                crate::conform::Stop::Failed(cause) => anyhow::anyhow!(cause),
            })?;
        provisioner
            .prepare(&client, &config.plan, own, &console.interrupt)
            .await
    };
    let preparation = tokio::select! {
        done = tokio::time::timeout(config.phase_timeout, preparation) => done.map_err(|_| {
            format!(
                "the load phase exceeded --phase-timeout ({} s) while preparing; stopped, \
                 report written",
                config.phase_timeout.as_secs_f64()
            )
        }),
        () = console.interrupt.requested() => Err("interrupted while preparing".to_owned()),
    };
    let prepared = match preparation {
        Ok(Ok(prepared)) => prepared,
        Err(stopped) => {
            let leftovers = provisioner.teardown(&client).await;
            if let Some(server) = server {
                let _ = server.shutdown().await;
            }
            outcome.notes = vec![stopped.clone()];
            outcome.notes.extend(
                leftovers
                    .iter()
                    .map(|l| format!("left on the target: {l:?}")),
            );
            if console.interrupt.is_requested() {
                outcome.verdict = LoadVerdict::Interrupted;
                report::write(&outcome, report_dir, redactor)?;
                return Ok(outcome);
            }
            return Err(Error::Harness(anyhow::anyhow!(stopped)));
        }
        Ok(Err(error)) => {
            let leftovers = provisioner.teardown(&client).await;
            let left = match leftovers.len() {
                0 => String::new(),
                n => format!(" ({n} objects left over)"),
            };
            if let Some(server) = server {
                let _ = server.shutdown().await;
            }
            if is_unreachable(&error) {
                return Err(Error::Harness(error.context(format!(
                    "cannot prepare the load run on {base_url}{left}"
                ))));
            }
            // The target answered, wrongly: the load phase fails on the target, not on the
            // harness.
            outcome.verdict = LoadVerdict::TargetFailed;
            outcome.notes = vec![format!(
                "the target answered wrongly while the load run was prepared: {error:#}{left}"
            )];
            report::write(&outcome, report_dir, redactor)?;
            return Ok(outcome);
        }
    };
    notes.extend(prepared.notes.iter().cloned());
    let before = match server_side::scrape(&client, key.as_ref()).await {
        Ok(scrape) => Some(scrape),
        Err(e) => {
            notes.push(format!("no reconciliation with the server's counters: {e}"));
            None
        }
    };
    let recorder = Arc::new(Recorder::new());
    let users: Vec<Arc<VirtualUser>> = prepared
        .vus
        .iter()
        .map(|identity| Arc::new(VirtualUser::new(identity.clone())))
        .collect();
    console.progress(&format!(
        "load: {} model, plan {}\n",
        config.plan.model.name(),
        config.plan.name
    ));
    let measured = measure(
        config,
        &base_url,
        users,
        &prepared.shared,
        &recorder,
        report_dir,
        console,
    )
    .await;
    let measured = match measured {
        Ok(measured) => measured,
        Err(error) => {
            provisioner.teardown(&client).await;
            return Err(error);
        }
    };
    outcome.duration_s = measured.seconds;
    outcome.schedule = measured.schedule.map(|schedule| ScheduleStats {
        calibrated_ceiling: ceiling,
        ..schedule
    });
    outcome.invalid_reasons = measured.invalid;
    let (total, requests, scenarios, timeline) = recorder.summarise(measured.seconds);
    let mut server_error_rate = None;
    if let Some(before) = &before {
        match server_side::scrape(&client, key.as_ref()).await {
            Ok(after) => {
                let view = server_side::reconcile(
                    &recorder.sent(),
                    recorder.unanswered(),
                    before,
                    &after,
                    own,
                );
                outcome.reconciliation = view.rows;
                outcome.server_findings = view.findings;
                server_error_rate = view.server_error_rate;
            }
            Err(e) => notes.push(format!("no scrape after the run: {e}")),
        }
        match server_side::snapshot(&client, key.as_ref(), own).await {
            Ok(findings) => outcome.server_findings.extend(findings),
            Err(e) => notes.push(format!("no snapshot reconciliation: {e}")),
        }
    }
    let nothing_measured = LatencyStats::default();
    outcome.thresholds = config
        .plan
        .thresholds
        .iter()
        .map(|threshold| {
            let stats = match &threshold.name {
                None => &total,
                Some(name) => requests
                    .iter()
                    .chain(&scenarios)
                    .find(|s| &s.name == name)
                    .unwrap_or(&nothing_measured),
            };
            threshold.evaluate(stats, server_error_rate)
        })
        .collect();
    if let Some(baseline) = &baseline {
        outcome.baseline =
            baseline::compare(baseline, &total, &requests, config.plan.baseline_tolerance);
    }
    outcome.total = total;
    outcome.requests = requests;
    outcome.scenarios = scenarios;
    outcome.timeline = timeline;
    let leftovers = provisioner.teardown(&client).await;
    for leftover in &leftovers {
        notes.push(format!("left on the target: {leftover:?}"));
    }
    if let Some(server) = server {
        // The instance ends with the run; failing to stop it changes no verdict.
        let _ = server.shutdown().await;
    }
    outcome.notes = notes;
    outcome.verdict = verdict(&outcome, console.interrupt.is_requested());
    report::write(&outcome, report_dir, redactor)?;
    Ok(outcome)
}

fn verdict(outcome: &LoadOutcome, interrupted: bool) -> LoadVerdict {
    if interrupted {
        LoadVerdict::Interrupted
    } else if outcome.thresholds.iter().any(|t| !t.passed) {
        LoadVerdict::ThresholdsBreached
    } else if !outcome.invalid_reasons.is_empty() {
        LoadVerdict::Invalid
    } else {
        LoadVerdict::Passed
    }
}

async fn measure(
    config: &LoadConfig,
    base_url: &str,
    users: Vec<Arc<VirtualUser>>,
    shared: &scenario::SharedTarget,
    recorder: &Arc<Recorder>,
    report_dir: &std::path::Path,
    console: &Console,
) -> Result<Measured, Error> {
    match &config.plan.model {
        Model::Closed(model) => {
            let seconds = closed::run(
                model,
                &config.plan,
                base_url,
                users,
                shared.clone(),
                recorder.clone(),
                config.goose.clone(),
                report_dir,
                config.client.max_body_bytes,
                &console.interrupt,
            )
            .await
            .map_err(|e| Error::Harness(anyhow::anyhow!(e)))?;
            Ok(Measured {
                seconds,
                schedule: None,
                invalid: Vec::new(),
            })
        }
        Model::Open(model) => {
            let setup = open::OpenSetup {
                model: model.clone(),
                users,
                shared: shared.clone(),
                recorder: recorder.clone(),
                base_url: base_url.to_owned(),
                request_timeout: config.client.timeout,
                max_body_bytes: config.client.max_body_bytes,
            };
            let run = open::run(setup, &config.plan, &console.interrupt)
                .await
                .map_err(|e| Error::Harness(anyhow::anyhow!(e)))?;
            let invalid = open::invalid_reasons(&run.schedule);
            Ok(Measured {
                seconds: run.measured_seconds,
                schedule: Some(run.schedule),
                invalid,
            })
        }
    }
}
