//! `tidegauge load` against the reference target: the smoke plan passes and reconciles with
//! the server's counters; the hot-path plan catches the performance faults by naming the
//! breached threshold; a threshold naming nothing measured is a usage error; the open model
//! sees a stalling target that the closed model hides; and a rate beyond the calibrated
//! ceiling is an invalid run, never a pass.

use clap::Parser;
use serde_json::Value;
use std::path::{Path, PathBuf};
use tidegauge::cli::Cli;
use tidegauge::console::Console;
use tidegauge::error::Error;

mod common;

struct Ran {
    code: Result<u8, Error>,
    stdout: String,
    reports: PathBuf,
}

impl Ran {
    fn code(&self) -> u8 {
        match &self.code {
            Ok(code) => *code,
            Err(e) => panic!("the load run ended without a verdict: {e}\n{}", self.stdout),
        }
    }

    /// The run's load.json (one run per reports folder).
    fn report(&self) -> Value {
        let run = std::fs::read_dir(&self.reports)
            .expect("the reports folder exists")
            .filter_map(Result::ok)
            .find(|entry| entry.path().join("load.json").is_file())
            .expect("a run folder with load.json");
        let text = std::fs::read_to_string(run.path().join("load.json")).unwrap();
        serde_json::from_str(&text).unwrap()
    }
}

fn reports_dir() -> PathBuf {
    std::env::temp_dir().join(format!("tidegauge-load-{}", common::unique("r")))
}

async fn load(args: &[&str]) -> Ran {
    let reports = reports_dir();
    let reports_arg = reports.display().to_string();
    let mut argv = vec!["tidegauge", "load", "--reports", &reports_arg];
    argv.extend(args);
    let cli = Cli::try_parse_from(&argv).expect("the arguments parse");
    let (console, captured) = Console::capture();
    let code = tidegauge::run_with(cli, console).await;
    Ran {
        code,
        stdout: captured.stdout(),
        reports,
    }
}

/// A plan file in a fresh temporary folder.
fn plan_file(name: &str, text: &str) -> PathBuf {
    let dir = reports_dir();
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(format!("{name}.toml"));
    std::fs::write(&path, text).unwrap();
    path
}

/// A calibration measured once per test that needs one (1 s).
async fn calibration() -> PathBuf {
    let path = reports_dir().join("calibration.json");
    let measured = tidegauge::load::calibrate::measure(std::time::Duration::from_secs(1))
        .await
        .expect("calibration against the canned responder");
    assert!(measured.ceiling_rps > 100.0, "{measured:?}");
    measured.save(&path).unwrap();
    path
}

fn stat(report: &Value, name: &str, field: &str) -> f64 {
    report["requests"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == name)
        .unwrap_or_else(|| panic!("no request {name} in {report:#}"))[field]
        .as_f64()
        .unwrap()
}

#[tokio::test]
async fn the_smoke_plan_passes_and_reconciles_with_the_server() {
    let ran = load(&["--plan", "load/smoke.toml"]).await;
    assert_eq!(ran.code(), 0, "{}", ran.stdout);
    let report = ran.report();
    assert_eq!(report["verdict"], "passed");
    for name in [
        "history",
        "agent-auth",
        "login",
        "explore",
        "hook-post",
        "me",
        "agencies",
    ] {
        assert!(
            stat(&report, name, "ok") > 0.0,
            "{name} never ran: {}",
            ran.stdout
        );
        assert_eq!(stat(&report, name, "errors"), 0.0, "{}", ran.stdout);
    }
    let rows = report["reconciliation"].as_array().unwrap();
    assert!(rows.len() >= 7, "{rows:#?}");
    assert!(rows.iter().all(|r| r["ok"] == true), "{rows:#?}");
    assert!(
        report["server_findings"].as_array().unwrap().is_empty(),
        "{report:#}"
    );
    let run_dir = ran.reports.join(report["run_id"].as_str().unwrap());
    assert!(run_dir.join("goose.html").is_file());
    // The report is a baseline for the next run.
    let (total, requests) = tidegauge::load::baseline::load(&run_dir.join("load.json")).unwrap();
    assert_eq!(total.ok, report["total"]["ok"].as_u64().unwrap());
    assert_eq!(requests.len(), 7);
    assert!(
        ran.stdout
            .contains("reconciliation with http_requests_total")
    );
}

/// The hot-path plan, shortened to 3 s, against the reference target with `fault`.
async fn hot_paths_with(fault: &str) -> Ran {
    let plan = ["--plan", "load/hot-paths.toml", "--run-time", "3s"];
    load(&[&plan[..], &["--reference-fault", fault]].concat()).await
}

#[tokio::test]
async fn slow_history_breaches_the_history_latency_threshold() {
    let ran = hot_paths_with("slow-history").await;
    assert_eq!(ran.code(), 5, "{}", ran.stdout);
    assert!(
        ran.stdout
            .contains("BREACH  threshold `p95(history) < 100ms`: p95 of history measured"),
        "{}",
        ran.stdout
    );
    assert!(stat(&ran.report(), "history", "p95_ms") >= 100.0);
}

#[tokio::test]
async fn every_100th_500_breaches_the_error_rate_threshold() {
    let ran = hot_paths_with("every-100th-500").await;
    assert_eq!(ran.code(), 5, "{}", ran.stdout);
    assert!(
        ran.stdout.contains("BREACH  threshold `error_rate < 0.1%`"),
        "{}",
        ran.stdout
    );
    assert!(
        ran.stdout
            .contains("BREACH  threshold `server_error_rate < 0.1%`")
    );
    // The server counted the 500s the harness saw: reconciliation still holds.
    let report = ran.report();
    let rows = report["reconciliation"].as_array().unwrap();
    assert!(rows.iter().any(|r| r["status"] == "500"), "{rows:#?}");
    assert!(rows.iter().all(|r| r["ok"] == true), "{rows:#?}");
}

#[tokio::test]
async fn a_threshold_naming_an_unknown_request_is_a_usage_error() {
    let smoke = std::fs::read_to_string("load/smoke.toml").unwrap();
    let typo = smoke.replace("p95(history) < 200ms", "p95(histroy) < 200ms");
    assert_ne!(
        smoke, typo,
        "the smoke plan has the threshold this test edits"
    );
    let plan = plan_file("typo", &typo);
    let ran = load(&["--plan", plan.to_str().unwrap()]).await;
    match &ran.code {
        Err(Error::Usage(message)) => {
            assert!(
                message.contains("histroy") && message.contains("typo.toml"),
                "{message}"
            );
        }
        other => panic!("expected a usage error, got {other:?}"),
    }
    assert_eq!(tidegauge::exit::USAGE, 2);
}

const STALL_PLAN: &str = r#"
    thresholds = ["p99(explore) < 60s"]
    [model]
    kind = "closed"
    users = 4
    run_time = "6s"
    [seed]
    messages = 0
    [[scenarios]]
    name = "explore"
"#;

#[tokio::test]
async fn the_open_model_shows_stalls_that_the_closed_model_hides() {
    let plan = plan_file("stall", STALL_PLAN);
    let plan = plan.to_str().unwrap();
    let calibration = calibration().await;
    let closed = load(&["--plan", plan, "--reference-fault", "periodic-stall"]).await;
    assert_eq!(closed.code(), 0, "{}", closed.stdout);
    let open = load(&[
        "--plan",
        plan,
        "--reference-fault",
        "periodic-stall",
        "--rate",
        "100/s",
        "--duration",
        "6s",
        "--calibration",
        calibration.to_str().unwrap(),
    ])
    .await;
    assert_eq!(open.code(), 0, "{}", open.stdout);
    let closed_p99 = stat(&closed.report(), "explore", "p99_ms");
    let open_p99 = stat(&open.report(), "explore", "p99_ms");
    println!(
        "target stalling 1 s every 5 s: closed-model p99 {closed_p99:.1} ms, open-model p99 {open_p99:.1} ms"
    );
    assert!(
        open_p99 >= 500.0,
        "the open model must see the stalls: p99 {open_p99} ms"
    );
    assert!(
        closed_p99 < open_p99 / 4.0,
        "the closed model hides them (coordinated omission): closed p99 {closed_p99} ms, open {open_p99} ms"
    );
    let schedule = &open.report()["schedule"];
    assert_eq!(schedule["late"], 0, "{schedule:#}");
}

#[tokio::test]
async fn a_rate_beyond_the_calibrated_ceiling_is_invalid() {
    let calibration = calibration().await;
    let ran = load(&[
        "--plan",
        "load/smoke.toml",
        "--rate",
        "100000000/s",
        "--calibration",
        calibration.to_str().unwrap(),
    ])
    .await;
    assert_eq!(ran.code(), 6, "{}", ran.stdout);
    assert!(
        ran.stdout
            .contains("INVALID  the requested rate 100000000/s"),
        "{}",
        ran.stdout
    );
    let report = ran.report();
    assert_eq!(report["verdict"], "invalid");
    assert!(report["schedule"]["calibrated_ceiling"].as_f64().unwrap() > 0.0);
}

#[tokio::test]
async fn a_target_tidegauge_did_not_start_needs_the_safety_options() {
    let base = [
        "--base-url",
        "http://127.0.0.1:9",
        "--plan",
        "load/smoke.toml",
    ];
    let ran = load(&base).await;
    assert!(
        matches!(&ran.code, Err(Error::Usage(m)) if m.contains("--allow-load")),
        "{:?}",
        ran.code
    );
    let ran = load(&[&base[..], &["--allow-load"]].concat()).await;
    assert!(
        matches!(&ran.code, Err(Error::Usage(m)) if m.contains("--allow-rate-limit-probing") && m.contains("agent-auth")),
        "{:?}",
        ran.code
    );
}

#[test]
fn goose_flags_are_part_of_the_load_command() {
    let cli = Cli::try_parse_from([
        "tidegauge",
        "load",
        "-u",
        "3",
        "-r",
        "3",
        "-t",
        "2s",
        "--throttle-requests",
        "50",
    ])
    .expect("goose's flags parse under tidegauge load");
    let tidegauge::cli::Command::Load(args) = cli.command else {
        panic!("load command expected")
    };
    assert_eq!(args.goose.users, Some(3));
    assert_eq!(args.goose.throttle_requests, Some(50));
    assert!(Path::new("load/README.md").is_file());
}

#[tokio::test]
async fn an_interrupted_load_exits_130_writes_its_report_and_cleans_up() {
    let server = common::start_with(common::unlimited()).await;
    let reports = reports_dir();
    let child = std::process::Command::new(env!("CARGO_BIN_EXE_tidegauge"))
        .args([
            "load",
            "--allow-load",
            "--allow-rate-limit-probing",
            "--base-url",
            &server.url,
            "--plan",
            "load/smoke.toml",
            "--run-time",
            "30s",
            "--reports",
        ])
        .arg(&reports)
        .env("TIDEGAUGE_METRICS_KEY", common::METRICS_KEY)
        .env_remove("TIDEGAUGE_BASE_URL")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Interrupt once the measured phase runs: Explore is read only by the load itself.
    let started = std::time::Instant::now();
    loop {
        let text = reqwest::Client::new()
            .get(format!("{}/metrics", server.url))
            .header("x-metrics-key", common::METRICS_KEY)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        if text.contains("path=\"/api/explore/agencies\"") {
            break;
        }
        assert!(
            started.elapsed() < std::time::Duration::from_secs(60),
            "the load never started"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let pid = child.id().to_string();
    let signalled = std::process::Command::new("kill")
        .args(["-INT", &pid])
        .status()
        .unwrap();
    assert!(signalled.success());
    let output = tokio::task::spawn_blocking(move || child.wait_with_output())
        .await
        .unwrap()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(
        output.status.code(),
        Some(130),
        "{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        started.elapsed() < std::time::Duration::from_secs(30),
        "it stopped at once"
    );
    let ran = Ran {
        code: Ok(130),
        stdout: stdout.into_owned(),
        reports,
    };
    assert_eq!(ran.report()["verdict"], "interrupted");
    common::assert_target_is_clean(&server);
}

#[tokio::test]
async fn a_dead_target_is_a_harness_error_with_a_report() {
    // Port 1 (tcpmux): privileged and unused. A port bound and released here could be
    // taken at once by a server another test starts on 127.0.0.1:0.
    let url = "http://127.0.0.1:1".to_owned();
    let ran = load(&[
        "--base-url",
        &url,
        "--allow-load",
        "--allow-rate-limit-probing",
        "--plan",
        "load/smoke.toml",
        "--request-timeout",
        "2",
    ])
    .await;
    match &ran.code {
        Err(error) => {
            assert_eq!(error.exit_code(), 3);
            assert!(error.to_string().contains("unreachable"), "{error}");
        }
        Ok(code) => panic!("a dead target gave exit {code}"),
    }
    let report = ran.report();
    assert_eq!(report["verdict"], "error");
    assert!(report["notes"][0].as_str().unwrap().contains("unreachable"));
}
