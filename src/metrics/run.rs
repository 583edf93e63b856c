//! `tidegauge metrics`: the checks of metrics.md §7 against one target, in order —
//! protection of both endpoints, the exposition against the contract, the snapshot and its
//! reconciliation, the traffic the phase makes and the movements it must cause, and counter
//! resets between the last two scrapes — with scrape latency and size reported. Against the
//! embedded target a fresh metrics instance is started that nothing else uses (strict).

use super::checks;
use super::contract::Contract;
use super::exposition;
use super::findings::{Finding, Severity};
use super::protection;
use super::scrape::Scrape;
use super::snapshot;
use super::traffic;
use crate::conform::context::Profile;
use crate::console::Console;
use crate::error::Error;
use crate::http::{ApiClient, Auth, ClientOptions, Redactor, RequestBody, RetryLog, Secret};
use crate::server::{ServerConfig, faults::FaultSet, spawn};
use serde::Serialize;
use serde_json::{Value, json};
use std::path::PathBuf;
use std::time::Instant;

pub struct MetricsConfig {
    pub base_url: Option<String>,
    pub metrics_key: Option<Secret>,
    pub snapshot_path: String,
    pub contract: Contract,
    pub profile: Option<Profile>,
    pub reports: PathBuf,
    /// Requests to the API (the phase's traffic): `--max-body-bytes`.
    pub client: ClientOptions,
    /// The cap of `/metrics` and the snapshot (`--max-exposition-bytes`).
    pub max_exposition_bytes: usize,
    pub reference_faults: FaultSet,
    /// The whole phase's deadline (`--phase-timeout`).
    pub phase_timeout: std::time::Duration,
}

#[derive(Debug, Serialize)]
pub struct MetricsOutcome {
    pub run_id: String,
    pub findings: Vec<Finding>,
    pub scrape_millis: u128,
    pub scrape_bytes: usize,
    pub series: usize,
    pub report_dir: PathBuf,
    /// Why the phase stopped without a verdict (unreachable or unavailable target, phase
    /// timeout): one line, exit 3. The report is written all the same.
    pub aborted: Option<String>,
    /// Stopped by Ctrl-C or SIGTERM (`aborted` says so too).
    pub interrupted: bool,
    /// Every retry of an idempotent request the phase made.
    pub retries: RetryLog,
    #[serde(skip)]
    pub redactor: Redactor,
}

impl MetricsOutcome {
    pub fn failures(&self) -> impl Iterator<Item = &Finding> {
        self.findings
            .iter()
            .filter(|f| f.severity == Severity::Failure)
    }

    pub fn passed(&self) -> bool {
        self.failures().next().is_none() && self.aborted.is_none()
    }

    /// One line naming why the phase did not pass (`None` when it passed): the abort cause,
    /// or the rules that failed (and those whose assumptions were not met) and the first
    /// failure about the exposition, endpoint or snapshot itself (else the first failure).
    pub fn cause(&self) -> Option<String> {
        if let Some(aborted) = &self.aborted {
            return Some(aborted.clone());
        }
        let first = self
            .failures()
            .find(|f| f.family.starts_with('('))
            .or_else(|| self.failures().next())?;
        let rules = |severity: Severity| {
            let mut rules: Vec<&str> = Vec::new();
            for finding in self.findings.iter().filter(|f| f.severity == severity) {
                if !rules.contains(&finding.rule) {
                    rules.push(finding.rule);
                }
            }
            rules.join(", ")
        };
        let assumptions = self
            .findings
            .iter()
            .filter(|f| f.severity == Severity::AssumptionNotMet)
            .count();
        let assumptions = match assumptions {
            0 => String::new(),
            n => format!(
                ", {n} assumptions not met ({})",
                rules(Severity::AssumptionNotMet)
            ),
        };
        Some(format!(
            "metrics: {} ({}){assumptions}; first: {} [{}]: {}",
            match self.failures().count() {
                1 => "1 failure".to_owned(),
                n => format!("{n} failures"),
            },
            rules(Severity::Failure),
            first.family,
            first.rule,
            first.message.lines().next().unwrap_or_default()
        ))
    }

    /// The console summary: every finding above information, then counts.
    pub fn summary(&self) -> String {
        let mut out = String::new();
        for finding in self.findings.iter().filter(|f| f.severity < Severity::Info) {
            out.push_str(&format!("{finding}\n"));
        }
        let count = |s: Severity| self.findings.iter().filter(|f| f.severity == s).count();
        // The cause of a stopped phase is the one `tidegauge: ` line on stderr; this marks it.
        let stopped = if self.aborted.is_some() {
            " (stopped early)"
        } else {
            ""
        };
        out.push_str(&format!(
            "metrics{stopped}: {} failures, {} assumptions not met, {} warnings; scrape {} ms, {} bytes, {} series; report in {}\n",
            count(Severity::Failure),
            count(Severity::AssumptionNotMet),
            count(Severity::Warning),
            self.scrape_millis,
            self.scrape_bytes,
            self.series,
            self.report_dir.display()
        ));
        out
    }
}

async fn fetch_text(
    client: &ApiClient,
    path: &str,
    key: Option<&Secret>,
) -> Result<(u16, Option<String>, String), Error> {
    let auth = key
        .map(|k| Auth::MetricsKey(k.expose().to_owned()))
        .unwrap_or_default();
    let exchange = client
        .send("GET", path, &auth, None, &[])
        .await
        .map_err(|e| Error::Harness(anyhow::anyhow!("{e}")))?;
    Ok((
        exchange.status,
        exchange.header("content-type").map(str::to_owned),
        exchange.body,
    ))
}

async fn scrape(client: &ApiClient, key: Option<&Secret>) -> Result<Scrape, String> {
    Scrape::fetch(client, key.map(|k| k.expose())).await
}

async fn snapshot_value(
    client: &ApiClient,
    path: &str,
    key: Option<&Secret>,
) -> Result<Option<Value>, Error> {
    let (status, _, body) = fetch_text(client, path, key).await?;
    Ok(match status {
        404 => None,
        _ => Some(serde_json::from_str(&body).unwrap_or(Value::String(body))),
    })
}

/// What the checks gathered, kept outside their future so that a phase timeout or an
/// unreachable target still leaves everything found so far for the report.
#[derive(Default)]
struct Gathered {
    findings: Vec<Finding>,
    scrape_millis: u128,
    scrape_bytes: usize,
    series: usize,
    strict: bool,
    client: Option<ApiClient>,
    server: Option<crate::server::RunningServer>,
}

/// Runs every check within `--phase-timeout` and writes `metrics.json`, whatever the target
/// does: a target that cannot be reached ends the phase with `aborted` set (exit 3), one that
/// answers wrongly with failures (exit 4).
pub async fn run(config: MetricsConfig, console: &Console) -> Result<MetricsOutcome, Error> {
    let redactor = Redactor::new();
    let run_id = crate::server::secrets::random_hex(3);
    let report_dir = config.reports.join(&run_id);
    std::fs::create_dir_all(&report_dir).map_err(|e| {
        Error::Usage(format!(
            "cannot create the reports folder {}: {e}",
            report_dir.display()
        ))
    })?;
    let deadline = tokio::time::Instant::now() + config.phase_timeout;
    let mut gathered = Gathered::default();
    let checked = tokio::select! {
        checked = tokio::time::timeout_at(
            deadline,
            check_all(&config, &redactor, &run_id, console, &mut gathered),
        ) => Some(checked),
        _ = console.interrupt.requested() => None,
    };
    let interrupted = checked.is_none();
    let aborted = match checked {
        Some(Ok(Ok(()))) => None,
        Some(Ok(Err(cause))) => Some(cause),
        Some(Err(_)) => Some(format!(
            "the metrics phase exceeded --phase-timeout ({} s); stopped, report written",
            config.phase_timeout.as_secs_f64()
        )),
        None => {
            Some("metrics: interrupted (Ctrl-C or SIGTERM); stopped, report written".to_owned())
        }
    };
    let Gathered {
        mut findings,
        scrape_millis,
        scrape_bytes,
        series,
        strict,
        client,
        server,
    } = gathered;
    findings.push(Finding::new(
        Severity::Info,
        "(endpoint)",
        "scrape",
        format!("{scrape_millis} ms, {scrape_bytes} bytes, {series} samples"),
    ));
    if strict {
        for finding in &mut findings {
            if finding.severity == Severity::AssumptionNotMet {
                finding.severity = Severity::Failure;
            }
        }
    }
    findings.sort_by_key(|f| f.severity);
    for finding in &mut findings {
        finding.message = redactor.redact(&finding.message);
    }
    if let Some(server) = server {
        let _ = server.shutdown().await;
    }
    let outcome = MetricsOutcome {
        run_id,
        findings,
        scrape_millis,
        scrape_bytes,
        series,
        report_dir,
        aborted: aborted.map(|a| redactor.redact(&a)),
        interrupted,
        retries: client.map(|c| c.retry_log()).unwrap_or_default(),
        redactor,
    };
    let text = serde_json::to_string_pretty(&outcome).map_err(|e| Error::Harness(e.into()))?;
    let path = outcome.report_dir.join("metrics.json");
    std::fs::write(&path, outcome.redactor.redact(&text))
        .map_err(|e| Error::Harness(anyhow::anyhow!("cannot write {}: {e}", path.display())))?;
    Ok(outcome)
}

/// The checks in order: the first scrape (which decides whether the target can be talked to),
/// its parse, protection, traffic and movements, the contract on the last exposition, counter
/// resets, the snapshot. `Err` is the one-line cause of an aborted phase.
async fn check_all(
    config: &MetricsConfig,
    redactor: &Redactor,
    run_id: &str,
    console: &Console,
    gathered: &mut Gathered,
) -> Result<(), String> {
    let cause = |e: Error| e.to_string();
    let (own, base_url, key) = match &config.base_url {
        Some(url) => (false, url.clone(), config.metrics_key.clone()),
        None => {
            let secret = Secret::new(crate::server::secrets::random_hex(16));
            let mut server_config = ServerConfig::for_harness(secret.expose());
            server_config.faults = config.reference_faults.clone();
            let server = spawn(server_config)
                .await
                .map_err(|e| format!("cannot start the reference target: {e:#}"))?;
            let url = server.url.clone();
            gathered.server = Some(server);
            (true, url, Some(secret))
        }
    };
    if let Some(key) = &key {
        redactor.add_secret(key);
    }
    gathered.strict = config.profile.unwrap_or(if own {
        Profile::Strict
    } else {
        Profile::Default
    }) == Profile::Strict;
    let api = ApiClient::new(&base_url, config.client.clone(), redactor.clone())
        .map_err(|e| format!("cannot build the HTTP client: {e:#}"))?;
    // `/metrics` and the snapshot are read with their own cap; the same connections and
    // retry log.
    let client = api.with_body_cap(config.max_exposition_bytes, "--max-exposition-bytes");
    gathered.client = Some(api.clone());
    console.progress(&format!(
        "metrics: checking {}\n",
        redactor.redact(&base_url)
    ));
    let findings = &mut gathered.findings;
    let started = Instant::now();
    let auth = key
        .as_ref()
        .map(|k| Auth::MetricsKey(k.expose().to_owned()))
        .unwrap_or_default();
    let first = client.send("GET", "/metrics", &auth, None, &[]).await;
    gathered.scrape_millis = started.elapsed().as_millis();
    let exchange = match first {
        Ok(exchange) if matches!(exchange.status, 502..=504) => {
            return Err(format!(
                "target unavailable: GET /metrics still answered {} ({})",
                exchange.status,
                crate::http::client::after_retries(exchange.retries)
            ));
        }
        Ok(exchange) => exchange,
        Err(error) if error.unreachable() => return Err(format!("target unreachable: {error}")),
        Err(error) => {
            findings.push(Finding::failure(
                "(endpoint)",
                "scrape-size",
                error.to_string(),
            ));
            return Ok(());
        }
    };
    gathered.scrape_bytes = exchange.body.len();
    if matches!(exchange.status, 401 | 403) && key.is_none() {
        findings.push(Finding::new(Severity::Info, "(endpoint)", "not-run", "/metrics is protected and no key is configured (--metrics-key): every metrics check is not run"));
        return Ok(());
    }
    if exchange.status != 200 {
        let redirect = match exchange.header("location") {
            Some(location) if (300..400).contains(&exchange.status) => {
                format!(" (a redirect to {location}, not followed)")
            }
            _ => String::new(),
        };
        findings.push(Finding::failure(
            "(endpoint)",
            "scrape",
            format!("GET /metrics answered {}{redirect}", exchange.status),
        ));
        return Ok(());
    }
    {
        // An exposition that does not parse stops the phase here: traffic movements and the
        // snapshot reconciliation need series to compare.
        let content_type = exchange.header("content-type");
        let parsed = exposition::parse_with_content_type(exchange.body.as_bytes(), content_type);
        if parsed.has_errors() {
            gathered.series = parsed.sample_count();
            findings.extend(checks::check(&config.contract, &parsed, own));
            return Ok(());
        }
    }
    drop(exchange);
    for path in ["/metrics", config.snapshot_path.as_str()] {
        let checked = protection::check(&client, path, key.as_ref().map(Secret::expose)).await;
        findings.extend(checked?);
    }
    let (movements, after_traffic) = check_traffic(&api, &client, key.as_ref(), own, run_id)
        .await
        .map_err(cause)?;
    findings.extend(movements);
    // The exposition is judged once it holds the series the traffic made.
    let (_, content_type, text) = fetch_text(&client, "/metrics", key.as_ref())
        .await
        .map_err(cause)?;
    let parsed = exposition::parse_with_content_type(text.as_bytes(), content_type.as_deref());
    gathered.series = parsed.sample_count();
    findings.extend(checks::check(&config.contract, &parsed, own));
    // Nothing happened since the traffic's last scrape: no counter may have gone down.
    if let Ok(last) = Scrape::from_text(text.as_bytes(), content_type.as_deref()) {
        findings.extend(checks::counter_resets(
            &config.contract,
            &after_traffic,
            &last,
        ));
    }
    drop(parsed);
    drop(text);
    findings.extend(
        check_snapshot(
            &config.contract,
            &config.snapshot_path,
            &client,
            key.as_ref(),
            own,
        )
        .await
        .map_err(cause)?,
    );
    Ok(())
}

/// The snapshot's shape and its reconciliation with the exposition (metrics.md §7.2); also
/// used after a load run.
pub async fn check_snapshot(
    contract: &Contract,
    snapshot_path: &str,
    client: &ApiClient,
    key: Option<&Secret>,
    own: bool,
) -> Result<Vec<Finding>, Error> {
    let Some(first) = snapshot_value(client, snapshot_path, key).await? else {
        let severity = if own {
            Severity::Failure
        } else {
            Severity::Info
        };
        return Ok(vec![Finding::new(
            severity,
            "(snapshot)",
            "snapshot-present",
            format!("{snapshot_path} answers 404 (not present)"),
        )]);
    };
    let exposition = scrape(client, key)
        .await
        .map_err(|e| Error::Harness(anyhow::anyhow!(e)))?;
    let second = snapshot_value(client, snapshot_path, key)
        .await?
        .unwrap_or(Value::Null);
    Ok(snapshot::reconcile(
        contract,
        &first,
        &exposition,
        &second,
        own,
        own,
    ))
}

/// The phase's traffic (sent with `api`, the API's body cap) and the movements it causes
/// between two scrapes (read with `expositions`, the exposition's cap).
async fn check_traffic(
    api: &ApiClient,
    expositions: &ApiClient,
    key: Option<&Secret>,
    own: bool,
    run_id: &str,
) -> Result<(Vec<Finding>, Scrape), Error> {
    let harness = |e: String| Error::Harness(anyhow::anyhow!(e));
    let before = scrape(expositions, key).await.map_err(harness)?;
    let after = || async {
        if own {
            // The cached gauges refresh once their 30 s lifetime has passed on the server clock.
            let body = RequestBody::Json(json!({"seconds": 31}));
            api.send(
                "POST",
                "/__reference/clock/advance",
                &Auth::None,
                Some(&body),
                &[],
            )
            .await
            .map_err(|e| e.to_string())?;
        }
        scrape(expositions, key).await
    };
    traffic::check_movements(api, own, run_id, &before, after)
        .await
        .map_err(harness)
}
