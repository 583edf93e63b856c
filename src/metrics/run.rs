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
use crate::http::{ApiClient, Auth, ClientOptions, Redactor, RequestBody, Secret};
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
    pub client: ClientOptions,
    pub reference_faults: FaultSet,
}

#[derive(Debug, Serialize)]
pub struct MetricsOutcome {
    pub run_id: String,
    pub findings: Vec<Finding>,
    pub scrape_millis: u128,
    pub scrape_bytes: usize,
    pub series: usize,
    pub report_dir: PathBuf,
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
        self.failures().next().is_none()
    }

    /// The console summary: every finding above information, then counts.
    pub fn summary(&self) -> String {
        let mut out = String::new();
        for finding in self.findings.iter().filter(|f| f.severity < Severity::Info) {
            out.push_str(&format!("{finding}\n"));
        }
        let count = |s: Severity| self.findings.iter().filter(|f| f.severity == s).count();
        out.push_str(&format!(
            "metrics: {} failures, {} assumptions not met, {} warnings; scrape {} ms, {} bytes, {} series; report in {}\n",
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

pub async fn run(config: MetricsConfig, console: &Console) -> Result<MetricsOutcome, Error> {
    let redactor = Redactor::new();
    let run_id = crate::server::secrets::random_hex(3);
    let (own, base_url, server, key) = match &config.base_url {
        Some(url) => (false, url.clone(), None, config.metrics_key.clone()),
        None => {
            let secret = Secret::new(crate::server::secrets::random_hex(16));
            let mut server_config = ServerConfig::for_harness(secret.expose());
            server_config.faults = config.reference_faults.clone();
            let server = spawn(server_config).await?;
            (true, server.url.clone(), Some(server), Some(secret))
        }
    };
    if let Some(key) = &key {
        redactor.add_secret(key);
    }
    let strict = config.profile.unwrap_or(if own {
        Profile::Strict
    } else {
        Profile::Default
    }) == Profile::Strict;
    let client = ApiClient::new(&base_url, config.client.clone(), redactor.clone())?;
    let report_dir = config.reports.join(&run_id);
    std::fs::create_dir_all(&report_dir).map_err(|e| {
        Error::Usage(format!(
            "cannot create the reports folder {}: {e}",
            report_dir.display()
        ))
    })?;
    console.progress(&format!(
        "metrics: checking {}\n",
        redactor.redact(&base_url)
    ));

    let mut findings = Vec::new();
    let started = Instant::now();
    let (status, _, text) = fetch_text(&client, "/metrics", key.as_ref()).await?;
    let scrape_millis = started.elapsed().as_millis();
    let scrape_bytes = text.len();
    let mut series = 0;
    if matches!(status, 401 | 403) && key.is_none() {
        findings.push(Finding::new(Severity::Info, "(endpoint)", "not-run", "/metrics is protected and no key is configured (--metrics-key): every metrics check is not run"));
    } else if status != 200 {
        findings.push(Finding::failure(
            "(endpoint)",
            "scrape",
            format!("GET /metrics answered {status}"),
        ));
    } else {
        for path in ["/metrics", config.snapshot_path.as_str()] {
            let checked = protection::check(&client, path, key.as_ref().map(Secret::expose)).await;
            findings.extend(checked.map_err(|e| Error::Harness(anyhow::anyhow!(e)))?);
        }
        let (movements, after_traffic) = check_traffic(&client, key.as_ref(), own, &run_id).await?;
        findings.extend(movements);
        // The exposition is judged once it holds the series the traffic made.
        let (_, content_type, text) = fetch_text(&client, "/metrics", key.as_ref()).await?;
        let parsed = exposition::parse_with_content_type(text.as_bytes(), content_type.as_deref());
        series = parsed.sample_count();
        findings.extend(checks::check(&config.contract, &parsed, own));
        // Nothing happened since the traffic's last scrape: no counter may have gone down.
        if let Ok(last) = Scrape::from_text(text.as_bytes(), content_type.as_deref()) {
            findings.extend(checks::counter_resets(
                &config.contract,
                &after_traffic,
                &last,
            ));
        }
        findings.extend(
            check_snapshot(
                &config.contract,
                &config.snapshot_path,
                &client,
                key.as_ref(),
                own,
            )
            .await?,
        );
    }
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
        redactor,
    };
    let text = serde_json::to_string_pretty(&outcome).map_err(|e| Error::Harness(e.into()))?;
    let path = outcome.report_dir.join("metrics.json");
    std::fs::write(&path, outcome.redactor.redact(&text))
        .map_err(|e| Error::Harness(anyhow::anyhow!("cannot write {}: {e}", path.display())))?;
    Ok(outcome)
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

async fn check_traffic(
    client: &ApiClient,
    key: Option<&Secret>,
    own: bool,
    run_id: &str,
) -> Result<(Vec<Finding>, Scrape), Error> {
    let harness = |e: String| Error::Harness(anyhow::anyhow!(e));
    let before = scrape(client, key).await.map_err(harness)?;
    let after = || async {
        if own {
            // The cached gauges refresh once their 30 s lifetime has passed on the server clock.
            let body = RequestBody::Json(json!({"seconds": 31}));
            client
                .send(
                    "POST",
                    "/__reference/clock/advance",
                    &Auth::None,
                    Some(&body),
                    &[],
                )
                .await
                .map_err(|e| e.to_string())?;
        }
        scrape(client, key).await
    };
    traffic::check_movements(client, own, run_id, &before, after)
        .await
        .map_err(harness)
}
