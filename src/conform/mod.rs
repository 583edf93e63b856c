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
use crate::http::{ApiClient, ClientOptions, Redactor, Secret};
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
    pub placeholder_base: Option<String>,
    pub preprovisioned: Preprovisioned,
    /// Faults the embedded reference target (shared and fresh instances) is started with:
    /// how the harness's own tests prove it catches each of them.
    pub reference_faults: crate::server::faults::FaultSet,
    pub cucumber: CucumberOptions,
}

/// What a run found.
pub struct ConformOutcome {
    pub run_id: String,
    pub results: Vec<ScenarioResult>,
    pub leftovers: Vec<Leftover>,
    pub coverage: coverage::Coverage,
    pub report_dir: PathBuf,
    pub interrupted: bool,
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
        self.failed() == 0 && !self.interrupted && self.coverage.unknown_paths.is_empty()
    }
}

/// Starts or reaches the target, provisions, runs the features, tears down, writes reports.
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
    let (embedded, base_url, server) = match &config.base_url {
        Some(url) => (false, url.clone(), None),
        None => {
            let secret = crate::server::secrets::random_hex(16);
            let mut server_config = ServerConfig::for_harness(&secret);
            server_config.faults = config.reference_faults.clone();
            let server = spawn(server_config).await?;
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
    ));
    let client = ApiClient::new(&base_url, config.client.clone(), redactor.clone())?;
    runner::check_reachable(&client).await?;
    let sink = if embedded {
        Some(sink::Sink::start(([127, 0, 0, 1], 0).into()).await?)
    } else {
        None
    };
    let placeholder_base = match (&config.placeholder_base, &sink) {
        (Some(base), _) => base.clone(),
        (None, Some(sink)) => sink.base_url.clone(),
        (None, None) => "https://example.com".to_owned(),
    };
    let ledger = ledger::Ledger::default();
    let provisioned = identities::provision(
        &client,
        &records,
        &ledger,
        &config.preprovisioned,
        &placeholder_base,
    )
    .await;
    let ids = match provisioned {
        Ok(ids) => ids,
        Err(error) => {
            let leftovers = ledger.teardown(&client, None).await;
            let note = if leftovers.is_empty() {
                String::new()
            } else {
                format!(" ({} objects left over)", leftovers.len())
            };
            return Err(Error::Harness(error.context(format!(
                "cannot provision test identities on {base_url}{note}"
            ))));
        }
    };
    let target = Arc::new(Target {
        client,
        embedded,
        fresh: false,
        ids,
        ledger,
        sink,
        metrics_key,
        server: parking_lot::Mutex::new(server.map(|(s, _)| s)),
    });
    let report_dir = config.reports.join(&records.run_id);
    std::fs::create_dir_all(&report_dir).map_err(|e| {
        Error::Usage(format!(
            "cannot create the reports folder {}: {e}",
            report_dir.display()
        ))
    })?;
    let interrupted =
        runner::run_features(&config, &records, &target, &report_dir, console).await?;
    let claimer = embedded.then(|| target.ids.owner.session.clone());
    let leftovers = target
        .ledger
        .teardown(&target.client, claimer.as_ref())
        .await;
    if let Some(server) = target.server.lock().take() {
        // The instance ends with the run; a failure to stop it changes no verdict.
        drop(server);
    }
    // Collected before the outcome is built: `collect` locks the results itself.
    let coverage = coverage::Coverage::collect(&records);
    let results = records.results.lock().clone();
    let outcome = ConformOutcome {
        run_id,
        results,
        leftovers,
        coverage,
        report_dir,
        interrupted,
        redactor: redactor.clone(),
    };
    report::write(&outcome, &redactor, &records)?;
    Ok(outcome)
}
