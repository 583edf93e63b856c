//! The cucumber run itself: the writers (JUnit and cucumber JSON into the report folder), the
//! before hook that binds each scenario to its target — the shared one, or a fresh instance of
//! the reference target for `@clock`, `@metrics-exact`, `@rate-limit` and `@ssrf-default`
//! (endpoints.md §27.3) —, the after hook that records outcomes and prints progress, the
//! filter that reports scenarios this target cannot run as "not run", and Ctrl-C.

use super::ConformConfig;
use super::context::{Records, ScenarioResult, Target};
use super::identities;
use super::ledger::Ledger;
use super::world::ApiWorld;
use crate::console::Console;
use crate::error::Error;
use crate::http::{ApiClient, Secret};
use crate::server::{ServerConfig, spawn};
use cucumber::tag::Ext as _;
use cucumber::{World as _, WriterExt as _, event, gherkin, writer};
use futures::FutureExt as _;
use std::path::Path;
use std::sync::Arc;

/// Every `.feature` file under `dir` must parse: a feature that does not is an error of the
/// suite (exit 2) naming the file and the line, never a run that silently skips it.
pub fn check_features_parse(dir: &Path) -> Result<usize, Error> {
    let mut count = 0;
    let mut stack = vec![dir.to_path_buf()];
    while let Some(folder) = stack.pop() {
        let entries = std::fs::read_dir(&folder).map_err(|e| {
            Error::Usage(format!(
                "cannot read the features folder {}: {e}",
                folder.display()
            ))
        })?;
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|x| x == "feature") {
                gherkin::Feature::parse_path(&path, gherkin::GherkinEnv::default())
                    .map_err(|e| Error::Usage(format!("{} does not parse: {e}", path.display())))?;
                count += 1;
            }
        }
    }
    if count == 0 {
        return Err(Error::Usage(format!(
            "no .feature file under {}",
            dir.display()
        )));
    }
    Ok(count)
}

/// Asks the target's `/health`: `Err` when the run cannot go on — the target cannot be
/// talked to, or still answers 502/503/504 after the retries (unavailable; exit 3), or its
/// answer is over the body cap (a failure; exit 1). Any other answer lets the run go on: the
/// scenarios judge it.
pub async fn check_reachable(client: &ApiClient) -> Result<(), super::Stop> {
    match client
        .send("GET", "/health", &crate::http::Auth::None, None, &[])
        .await
    {
        Ok(exchange) if matches!(exchange.status, 502..=504) => {
            let retries = match exchange.retries {
                0 => String::new(),
                n => format!(" {}", crate::http::client::after_retries(n)),
            };
            Err(super::Stop::Unreachable(format!(
                "target unavailable: GET /health still answered {}{retries}",
                exchange.status
            )))
        }
        Ok(_) => Ok(()),
        Err(error) if error.unreachable() => Err(super::Stop::Unreachable(format!(
            "target unreachable: {error}"
        ))),
        Err(error) => Err(super::Stop::Failed(error.to_string())),
    }
}

/// How the features' run ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ended {
    Finished,
    /// Ctrl-C or SIGTERM.
    Interrupted,
    /// `--phase-timeout` passed.
    PhaseTimeout,
}

fn tags(
    feature: &gherkin::Feature,
    rule: Option<&gherkin::Rule>,
    scenario: &gherkin::Scenario,
) -> Vec<String> {
    let mut all: Vec<String> = feature
        .tags
        .iter()
        .chain(rule.map(|r| r.tags.iter()).into_iter().flatten())
        .chain(&scenario.tags)
        .cloned()
        .collect();
    all.sort();
    all.dedup();
    all
}

/// Tags that need a fresh instance of the reference target of their own.
const FRESH_TAGS: [&str; 4] = ["clock", "metrics-exact", "rate-limit", "ssrf-default"];

/// Why a scenario cannot run against this target, if it cannot (spec README and §27.3).
fn not_run_reason(
    records: &Records,
    embedded: bool,
    has_sink: bool,
    tags: &[String],
) -> Option<String> {
    let has = |t: &str| tags.iter().any(|tag| tag == t);
    if !embedded && (has("clock") || has("outbox") || has("dns")) {
        return Some("needs the reference target's test controls (clock, outbox or DNS); runs only against an instance tidegauge started".into());
    }
    if !embedded && has("rate-limit") && !records.safety.allow_rate_limit_probing {
        return Some(
            "drives an endpoint into its rate limit; needs --allow-rate-limit-probing".into(),
        );
    }
    if !embedded && has("unowned-agent") && !records.safety.allow_unowned_agents {
        return Some("creates a self-registered agent that no endpoint can delete; needs --allow-unowned-agents".into());
    }
    if !embedded && has("claim-email") && records.safety.claim_email.is_none() {
        return Some("sends a real claim e-mail; needs --claim-email <address>".into());
    }
    if has("sink") && !has_sink {
        return Some(
            "needs a receiver the target can reach; give --sink-url (and --sink-listen)".into(),
        );
    }
    None
}

/// A fresh instance of the reference target for one scenario, provisioned like the shared one.
async fn fresh_target(
    records: &Records,
    shared: &Target,
    tags: &[String],
    faults: &crate::server::faults::FaultSet,
) -> anyhow::Result<Target> {
    let secret = crate::server::secrets::random_hex(16);
    records.redactor.add(&secret);
    let mut config = ServerConfig::for_harness(&secret);
    config.faults = faults.clone();
    if tags.iter().any(|t| t == "ssrf-default") {
        config.allow_private_webhook_urls = false;
    }
    let server = spawn(config).await?;
    let client = ApiClient::new(&server.url, Default::default(), records.redactor.clone())?;
    let ledger = Ledger::default();
    let placeholder = if tags.iter().any(|t| t == "ssrf-default") {
        "https://example.com".to_owned()
    } else {
        shared
            .sink
            .as_ref()
            .map(|s| s.base_url.clone())
            .unwrap_or_else(|| "https://example.com".into())
    };
    let ids =
        identities::provision(&client, records, &ledger, &Default::default(), &placeholder).await?;
    Ok(Target {
        client,
        embedded: true,
        fresh: true,
        ids,
        ledger,
        sink: shared.sink.clone(),
        metrics_key: Some(Secret::new(secret)),
        server: parking_lot::Mutex::new(Some(server)),
    })
}

/// The message of a failed step or hook, redacted.
fn failure_text(finished: &event::ScenarioFinished, records: &Records) -> Option<String> {
    let text = match finished {
        event::ScenarioFinished::StepPassed => return None,
        event::ScenarioFinished::StepSkipped => {
            "a step matches no step definition (see features/README.md)".to_owned()
        }
        event::ScenarioFinished::BeforeHookFailed(info) => {
            format!("setting up the scenario failed: {}", panic_text(info))
        }
        event::ScenarioFinished::StepFailed(_, _, error) => match error {
            event::StepError::Panic(info) => panic_text(info),
            other => other.to_string(),
        },
    };
    Some(records.redactor.redact(&text))
}

fn panic_text(info: &event::Info) -> String {
    info.downcast_ref::<String>()
        .cloned()
        .or_else(|| info.downcast_ref::<&str>().map(|s| (*s).to_owned()))
        .unwrap_or_else(|| "panicked".into())
}

/// Runs every feature until they are done, the run is interrupted (Ctrl-C, SIGTERM) or the
/// phase `deadline` passes; says which.
pub async fn run_features(
    config: &ConformConfig,
    records: &Arc<Records>,
    target: &Arc<Target>,
    report_dir: &Path,
    console: &Console,
    deadline: tokio::time::Instant,
) -> Result<Ended, Error> {
    let create = |name: &str| {
        std::fs::File::create(report_dir.join(name)).map_err(|e| {
            Error::Harness(anyhow::anyhow!(
                "cannot write {}: {e}",
                report_dir.join(name).display()
            ))
        })
    };
    let junit = create("junit.xml")?;
    let json = create("cucumber.json")?;
    let writer = writer::JUnit::for_tee(junit, 0)
        .tee::<ApiWorld, _>(writer::Json::for_tee(json))
        .normalized();

    // cucumber replaces a custom filter by its --name / --tags filter; both must apply, so
    // the user's filter is taken out of its options and applied before the safety filter.
    let mut options = config.cucumber.clone();
    let name_filter = options.re_filter.take();
    let tag_filter = options.tags_filter.take();
    let faults = config.reference_faults.clone();
    let after_console = console.clone();
    let before_records = Arc::clone(records);
    let before_target = Arc::clone(target);
    let after_records = Arc::clone(records);
    let filter_records = Arc::clone(records);
    let embedded = target.embedded;
    let has_sink = target.sink.is_some();
    let scenario_timeout = config.scenario_timeout;

    let cucumber = ApiWorld::cucumber()
        .with_writer(writer)
        .with_cli(options)
        .before(move |feature, rule, scenario, world| {
            let records = Arc::clone(&before_records);
            let shared = Arc::clone(&before_target);
            let tags = tags(feature, rule, scenario);
            let faults = faults.clone();
            let key = super::context::scenario_key(&feature.name, scenario.position.line);
            async move {
                world.records = Some(Arc::clone(&records));
                world.tags = tags.clone();
                world.scenario_key = key;
                world.deadline = Some((
                    tokio::time::Instant::now() + scenario_timeout,
                    scenario_timeout,
                ));
                let needs_fresh =
                    shared.embedded && tags.iter().any(|t| FRESH_TAGS.contains(&t.as_str()));
                if needs_fresh {
                    match fresh_target(&records, &shared, &tags, &faults).await {
                        Ok(fresh) => world.target = Some(Arc::new(fresh)),
                        Err(error) => panic!(
                            "{}",
                            records.redactor.redact(&format!(
                                "cannot start a fresh reference target: {error:#}"
                            ))
                        ),
                    }
                } else {
                    world.target = Some(shared);
                }
            }
            .boxed_local()
        })
        .after(move |feature, rule, scenario, finished, world| {
            let records = Arc::clone(&after_records);
            let tags = tags(feature, rule, scenario);
            let detail = failure_text(finished, &records);
            let warnings = world
                .as_ref()
                .map(|w| w.warnings.clone())
                .unwrap_or_default();
            let fresh = world
                .as_ref()
                .and_then(|w| w.target.clone())
                .filter(|t| t.fresh);
            let rate_limited = world.as_ref().map_or(0, |w| w.rate_limited);
            let not_run = world.as_ref().and_then(|w| w.not_run.clone());
            let console = after_console.clone();
            let result = ScenarioResult {
                feature: feature.name.clone(),
                scenario: scenario.name.clone(),
                line: scenario.position.line,
                tags,
                outcome: match (&not_run, &detail) {
                    (Some(_), _) => "not run",
                    (None, Some(_)) => "failed",
                    (None, None) => "passed",
                },
                detail: not_run.or(detail),
                warnings,
                rate_limited,
            };
            async move {
                console.progress(match (result.outcome, result.warnings.is_empty()) {
                    ("failed", _) => "F",
                    ("not run", _) => "s",
                    (_, true) => ".",
                    (_, false) => "w",
                });
                records.results.lock().push(result);
                if let Some(fresh) = fresh {
                    let server = fresh.server.lock().take();
                    if let Some(server) = server {
                        let _ = server.shutdown().await;
                    }
                }
            }
            .boxed_local()
        });

    let run = cucumber.filter_run(config.features.clone(), move |feature, rule, scenario| {
        let chosen = match (&name_filter, &tag_filter) {
            (Some(name), _) => name.is_match(&scenario.name),
            (None, Some(expression)) => expression.eval(
                feature
                    .tags
                    .iter()
                    .chain(rule.iter().flat_map(|r| &r.tags))
                    .chain(scenario.tags.iter()),
            ),
            (None, None) => true,
        };
        if !chosen {
            return false;
        }
        let tags = tags(feature, rule, scenario);
        match not_run_reason(&filter_records, embedded, has_sink, &tags) {
            None => true,
            Some(reason) => {
                filter_records.results.lock().push(ScenarioResult {
                    feature: feature.name.clone(),
                    scenario: scenario.name.clone(),
                    line: scenario.position.line,
                    tags,
                    outcome: "not run",
                    detail: Some(reason),
                    warnings: Vec::new(),
                    rate_limited: 0,
                });
                false
            }
        }
    });
    let ended = tokio::select! {
        _ = run => Ended::Finished,
        _ = console.interrupt.requested() => Ended::Interrupted,
        _ = tokio::time::sleep_until(deadline) => Ended::PhaseTimeout,
    };
    console.progress("\n");
    Ok(ended)
}
