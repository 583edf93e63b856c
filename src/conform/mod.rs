//! The conformance engine: Gherkin features (features/) run by cucumber against a target —
//! the embedded reference target when no base URL is given — with identities provisioned once
//! per run, every created object torn down afterwards (also after failures and Ctrl-C), and
//! outcomes weighed by evidence level (`context::Profile`).
//!
//! `run` owns the order: start or reach the target, provision, run the features (`runner`),
//! tear down, write the reports (`report`). Steps live in `steps/` and `metrics_steps`.

pub mod context;
pub mod coverage;
pub mod identities;
pub mod ledger;
pub mod matcher;
pub mod metrics_steps;
pub mod report;
pub mod runner;
pub mod sink;
pub mod steps;
pub mod world;

use self::context::{Profile, Records, SafetyOptions, ScenarioResult, Target};
use self::identities::Preprovisioned;
use self::ledger::Leftover;
use crate::error::Error;
use crate::http::{ApiClient, ClientOptions, Redactor, RetryLog, Secret, TransportError};
use crate::server::{ServerConfig, spawn};
use std::path::PathBuf;
use std::sync::Arc;

/// cucumber's own command-line options, flattened into `tidegauge conform`.
pub type CucumberOptions = cucumber::cli::Opts<
    cucumber::parser::basic::Cli,
    cucumber::runner::basic::Cli,
    cucumber::cli::Compose<cucumber::writer::junit::Cli, cucumber::cli::Empty>,
>;

/// A validated conformance run.
pub struct ConformConfig {
    /// `None`: start the embedded reference target.
    pub base_url: Option<String>,
    pub metrics_key: Option<Secret>,
    pub features: PathBuf,
    pub reports: PathBuf,
    /// `None`: strict against the embedded target, default elsewhere.
    pub profile: Option<Profile>,
    pub safety: SafetyOptions,
    pub client: ClientOptions,
    /// The cap of `/metrics` answers in metric steps (`--max-exposition-bytes`).
    pub max_exposition_bytes: usize,
    pub placeholder_base: Option<String>,
    pub preprovisioned: Preprovisioned,
    /// Faults the embedded reference target (shared and fresh instances) is started with:
    /// how the harness's own tests prove it catches each of them.
    pub reference_faults: crate::server::faults::FaultSet,
    pub cucumber: CucumberOptions,
    /// One scenario's deadline (`--scenario-timeout`).
    pub scenario_timeout: std::time::Duration,
    /// The whole phase's deadline (`--phase-timeout`).
    pub phase_timeout: std::time::Duration,
    /// The teardown's own budget, after the scenarios (`--teardown-timeout`).
    pub teardown_timeout: std::time::Duration,
}

/// What a run found.
pub struct ConformOutcome {
    pub run_id: String,
    pub results: Vec<ScenarioResult>,
    pub leftovers: Vec<Leftover>,
    pub coverage: coverage::Coverage,
    pub report_dir: PathBuf,
    pub interrupted: bool,
    /// Why the run stopped without a verdict (unreachable or unavailable target, phase
    /// timeout): one line, exit 3. The reports are written all the same.
    pub aborted: Option<String>,
    /// Every retry of an idempotent request the run made.
    pub retries: RetryLog,
    /// Every secret the run used (for leak sweeps of reports and console output).
    pub redactor: Redactor,
}

impl ConformOutcome {
    pub fn failed(&self) -> usize {
        self.results
            .iter()
            .filter(|r| r.outcome == "failed")
            .count()
    }

    pub fn passed(&self) -> bool {
        self.failed() == 0
            && !self.interrupted
            && self.aborted.is_none()
            && self.coverage.unknown_paths.is_empty()
    }

    /// One line naming why the run did not pass (`None` when it passed).
    pub fn cause(&self) -> Option<String> {
        if let Some(aborted) = &self.aborted {
            return Some(aborted.clone());
        }
        if self.interrupted {
            return Some(
                "conform: interrupted (Ctrl-C or SIGTERM); created objects were torn down".into(),
            );
        }
        let first = self.results.iter().find(|r| r.outcome == "failed");
        match first {
            Some(result) => Some(format!(
                "conform: {} failed; first: {} / {}: {}",
                match self.failed() {
                    1 => "1 scenario".to_owned(),
                    n => format!("{n} scenarios"),
                },
                result.feature,
                result.scenario,
                result
                    .detail
                    .as_deref()
                    .and_then(|d| d.lines().next())
                    .unwrap_or("failed")
            )),
            None if !self.coverage.unknown_paths.is_empty() => Some(format!(
                "conform: features sent requests to paths the spec does not have: {}",
                self.coverage.unknown_paths.join(", ")
            )),
            None => None,
        }
    }
}

/// Why the run cannot reach its scenarios.
pub enum Stop {
    /// The target cannot be talked to, or is unavailable: exit 3.
    Unreachable(String),
    /// The target answered, wrongly (e.g. provisioning got a 500 or no JSON): exit 1.
    Failed(String),
}

/// Starts or reaches the target, provisions, runs the features, tears down, writes reports —
/// all within `--phase-timeout`. Whatever the target does, the reports are written: a target
/// that cannot be reached ends the run with `aborted` set, one that answers wrongly while the
/// identities are provisioned with a failed `(setup)` result.
pub async fn run(
    config: ConformConfig,
    console: &crate::console::Console,
) -> Result<ConformOutcome, Error> {
    if !config.features.is_dir() {
        return Err(Error::Usage(format!(
            "--features {} is not a directory of .feature files",
            config.features.display()
        )));
    }
    runner::check_features_parse(&config.features)?;
    let redactor = Redactor::new();
    let run_id = crate::server::secrets::random_hex(3);
    let embedded = config.base_url.is_none();
    let profile = config.profile.unwrap_or(if embedded {
        Profile::Strict
    } else {
        Profile::Default
    });
    let records = Arc::new(Records::new(
        profile,
        config.safety.clone(),
        run_id.clone(),
        redactor.clone(),
        config.max_exposition_bytes,
    ));
    let report_dir = config.reports.join(&records.run_id);
    std::fs::create_dir_all(&report_dir).map_err(|e| {
        Error::Usage(format!(
            "cannot create the reports folder {}: {e}",
            report_dir.display()
        ))
    })?;
    let deadline = tokio::time::Instant::now() + config.phase_timeout;
    let over_time = || {
        format!(
            "the conform phase exceeded --phase-timeout ({} s); stopped, tore down, reports written",
            config.phase_timeout.as_secs_f64()
        )
    };
    let mut aborted = None;
    let mut interrupted = false;
    // What set-up made so far lives here, so that an interruption or the phase deadline in
    // the middle of it still tears down what it created.
    let mut partial = Partial::default();
    let set_up_ended = tokio::select! {
        done = tokio::time::timeout_at(deadline, set_up(&config, &records, &mut partial)) => {
            done.map_err(|_| runner::Ended::PhaseTimeout)
        }
        _ = console.interrupt.requested() => Err(runner::Ended::Interrupted),
    };
    let Partial {
        client,
        server,
        ledger,
    } = partial;
    let (leftovers, retries) = match (set_up_ended, client) {
        (Ok(Ok(ready)), Some(client)) => {
            let target = Arc::new(Target {
                client,
                embedded: ready.embedded,
                fresh: false,
                ids: ready.ids,
                ledger,
                sink: ready.sink,
                metrics_key: ready.metrics_key,
                server: parking_lot::Mutex::new(server),
            });
            let ended =
                runner::run_features(&config, &records, &target, &report_dir, console, deadline)
                    .await?;
            interrupted = ended == runner::Ended::Interrupted;
            if ended == runner::Ended::PhaseTimeout {
                aborted = Some(over_time());
            }
            let claimer = target.embedded.then(|| target.ids.owner.session.clone());
            let leftovers = target
                .ledger
                .teardown(&target.client, claimer.as_ref(), config.teardown_timeout)
                .await;
            if let Some(server) = target.server.lock().take() {
                // The instance ends with the run; a failure to stop it changes no verdict.
                drop(server);
            }
            (leftovers, target.client.retry_log())
        }
        (ended, client) => {
            let leftovers = match &client {
                Some(client) => ledger.teardown(client, None, config.teardown_timeout).await,
                None => Vec::new(),
            };
            let left = match leftovers.len() {
                0 => String::new(),
                n => format!(" ({n} objects left over)"),
            };
            match ended {
                Ok(Ok(_)) => aborted = Some("set-up ended without an HTTP client".into()),
                Ok(Err(Stop::Unreachable(cause))) => aborted = Some(format!("{cause}{left}")),
                Ok(Err(Stop::Failed(cause))) => records.results.lock().push(ScenarioResult {
                    feature: "(setup)".into(),
                    scenario: "reach the target and provision test identities".into(),
                    line: 0,
                    tags: Vec::new(),
                    outcome: "failed",
                    detail: Some(redactor.redact(&format!("{cause}{left}"))),
                    warnings: Vec::new(),
                    rate_limited: 0,
                }),
                Err(runner::Ended::Interrupted) => interrupted = true,
                Err(_) => aborted = Some(over_time()),
            }
            (leftovers, client.map(|c| c.retry_log()).unwrap_or_default())
        }
    };
    // Collected before the outcome is built: `collect` locks the results itself, and a guard
    // taken in the same expression would still be held (parking_lot locks do not re-enter).
    let coverage = coverage::Coverage::collect(&records);
    let results = records.results.lock().clone();
    let outcome = ConformOutcome {
        run_id,
        results,
        leftovers,
        coverage,
        report_dir,
        interrupted,
        aborted: aborted.map(|a| redactor.redact(&a)),
        retries,
        redactor: redactor.clone(),
    };
    report::write(&outcome, &redactor, &records)?;
    Ok(outcome)
}

/// What `set_up` has made so far: kept by the caller, so that whatever stops set-up (an
/// error, Ctrl-C, the phase deadline) the created objects can still be torn down.
#[derive(Default)]
struct Partial {
    client: Option<ApiClient>,
    server: Option<crate::server::RunningServer>,
    ledger: ledger::Ledger,
}

/// What a finished set-up hands to the scenarios (with `Partial`'s client, server, ledger).
struct Ready {
    embedded: bool,
    ids: identities::Identities,
    sink: Option<sink::Sink>,
    metrics_key: Option<Secret>,
}

/// Starts or reaches the target and provisions the identities.
async fn set_up(
    config: &ConformConfig,
    records: &Records,
    partial: &mut Partial,
) -> Result<Ready, Stop> {
    let redactor = &records.redactor;
    let harness = |error: anyhow::Error| Stop::Unreachable(format!("{error:#}"));
    let (embedded, base_url, server) = match &config.base_url {
        Some(url) => (false, url.clone(), None),
        None => {
            let secret = crate::server::secrets::random_hex(16);
            let mut server_config = ServerConfig::for_harness(&secret);
            server_config.faults = config.reference_faults.clone();
            let server = spawn(server_config).await.map_err(harness)?;
            redactor.add(&secret);
            (
                true,
                server.url.clone(),
                Some((server, Secret::new(secret))),
            )
        }
    };
    let metrics_key = match &server {
        Some((_, secret)) => Some(secret.clone()),
        None => config.metrics_key.clone(),
    };
    if let Some(key) = &metrics_key {
        redactor.add_secret(key);
    }
    partial.server = server.map(|(server, _)| server);
    let client =
        ApiClient::new(&base_url, config.client.clone(), redactor.clone()).map_err(harness)?;
    partial.client = Some(client.clone());
    runner::check_reachable(&client).await?;
    let sink = if embedded {
        Some(
            sink::Sink::start(([127, 0, 0, 1], 0).into())
                .await
                .map_err(harness)?,
        )
    } else {
        None
    };
    let placeholder_base = match (&config.placeholder_base, &sink) {
        (Some(base), _) => base.clone(),
        (None, Some(sink)) => sink.base_url.clone(),
        (None, None) => "https://example.com".to_owned(),
    };
    let ids = identities::provision(
        &client,
        records,
        &partial.ledger,
        &config.preprovisioned,
        &placeholder_base,
    )
    .await
    .map_err(|error| {
        let cause = format!("cannot provision test identities: {error:#}");
        // A target that could not be talked to is unreachable; one that answered wrongly
        // fails the run like a failed scenario.
        match TransportError::find(&error) {
            Some(transport) if transport.unreachable() => Stop::Unreachable(cause),
            _ => Stop::Failed(cause),
        }
    })?;
    Ok(Ready {
        embedded,
        ids,
        sink,
        metrics_key,
    })
}
