//! `tidegauge metrics` against the reference target: it passes on a clean instance and, for
//! each metrics fault, fails naming the family and the rule that caught it.

mod common;

use clap::Parser;
use tidegauge::cli::{Cli, Command};
use tidegauge::console::Console;
use tidegauge::metrics::findings::Severity;
use tidegauge::metrics::run::{MetricsOutcome, run};
use tidegauge::server::faults::Fault;

async fn metrics_run(extra: &[&str]) -> MetricsOutcome {
    let reports = std::env::temp_dir().join(format!("tidegauge-metrics-{}", common::unique("r")));
    let reports = reports.display().to_string();
    let mut argv = vec!["tidegauge", "metrics", "--reports", &reports];
    argv.extend(extra);
    let Cli {
        command: Command::Metrics(args),
    } = Cli::try_parse_from(argv).unwrap()
    else {
        unreachable!()
    };
    let (console, _) = Console::capture();
    run(args.to_config().unwrap(), &console)
        .await
        .expect("the metrics run completes")
}

#[tokio::test]
async fn a_clean_reference_target_passes() {
    let outcome = metrics_run(&[]).await;
    let failures: Vec<String> = outcome.failures().map(ToString::to_string).collect();
    assert!(outcome.passed(), "{failures:#?}");
    assert!(outcome.report_dir.join("metrics.json").is_file());
    // The only warnings are the naming lints the documented names force.
    let warnings: Vec<_> = outcome
        .findings
        .iter()
        .filter(|f| f.severity == Severity::Warning)
        .collect();
    assert!(warnings.iter().all(|f| f.rule == "naming"), "{warnings:#?}");
    assert_eq!(warnings.len(), 5);
}

/// Each metrics fault and the (family, rule) that must report it.
const CAUGHT: [(&str, &str, &str); 7] = [
    (
        "counter-never-incremented",
        "agent_registrations_total",
        "movement",
    ),
    ("raw-path-label", "http_requests_total", "raw-id"),
    ("stale-gauges", "crustocean_users_total", "movement"),
    (
        "histogram-without-count",
        "http_request_duration_seconds",
        "histogram-count",
    ),
    ("counter-reset", "http_requests_total", "counter-reset"),
    (
        "snapshot-disagrees",
        "http_requests_total",
        "snapshot-reconcile",
    ),
    ("metrics-open", "(endpoint)", "protection"),
];

#[tokio::test]
async fn every_metrics_fault_fails_naming_the_family_and_the_rule() {
    let covered: Vec<&str> = CAUGHT.iter().map(|(fault, ..)| *fault).collect();
    for fault in Fault::ALL.iter().filter(|f| f.area() == "metrics") {
        assert!(
            covered.contains(&fault.name()),
            "{fault} has no expectation in CAUGHT"
        );
    }
    for (fault, family, rule) in CAUGHT {
        let outcome = metrics_run(&["--reference-fault", fault]).await;
        let failures: Vec<String> = outcome.failures().map(ToString::to_string).collect();
        assert!(!outcome.passed(), "metrics passed against {fault}");
        assert!(
            outcome
                .failures()
                .any(|f| f.family == family && f.rule == rule),
            "against {fault} no failure of {family} [{rule}]: {failures:#?}"
        );
    }
}

#[tokio::test]
async fn a_protected_target_without_a_key_is_not_checked_and_a_bad_contract_is_a_usage_error() {
    let server = common::start().await;
    let outcome = metrics_run(&["--base-url", &server.url]).await;
    assert!(
        outcome.findings.iter().any(|f| f.rule == "not-run"),
        "{:#?}",
        outcome.findings
    );
    let dir = std::env::temp_dir().join(common::unique("contract"));
    std::fs::write(&dir, "[[family]]\nname = 1\n").unwrap();
    let path = dir.display().to_string();
    let Cli {
        command: Command::Metrics(args),
    } = Cli::try_parse_from(["tidegauge", "metrics", "--contract", &path]).unwrap()
    else {
        unreachable!()
    };
    let error = args
        .to_config()
        .err()
        .expect("a broken contract is refused");
    assert!(error.contains(&path), "{error}");
}
