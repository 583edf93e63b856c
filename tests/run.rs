//! `tidegauge run` end to end: one full passing run against the embedded reference target is
//! shared by the tests that read its output (exit 0, report.json against its schema and equal
//! to `--json`'s output, junit.xml against the Jenkins JUnit schema with one testcase per
//! scenario, report.html rendered by headless Chromium, the leak sweep); then one small run per
//! exit code 1, 2, 3 and 4; then the report writers on hand-made outcomes (a load phase with
//! breached thresholds, hostile names).
//!
//! xmllint (Debian `libxml2-utils`) and Chromium (Debian `chromium`) are installed by .ci/run;
//! outside CI a test that needs a missing one says so and returns, under CI=true it fails.

use clap::Parser;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;
use std::time::{Duration, Instant};
use tidegauge::cli::{Cli, Command as Sub};
use tidegauge::console::Console;
use tidegauge::load::outcome::{
    BaselineDelta, LatencyStats, LoadOutcome, LoadVerdict, ReconcileRow, ThresholdResult,
    TimelinePoint,
};
use tidegauge::report::{self, Phase, RunReport};
use tidegauge::run::{RunOutcome, execute, load_phase_from};

/// A secret given on the command line of the shared run: warned about, never written.
const CLI_KEY: &str = "cli-metrics-key-Zq9/+&x";

fn temp_reports(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "tidegauge-run-{name}-{}-{}",
        std::process::id(),
        tidegauge::server::secrets::random_hex(3)
    ));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

struct Finished {
    outcome: RunOutcome,
    stdout: String,
    stderr: String,
}

/// Runs `tidegauge run <args>` in-process with a captured console and no environment.
async fn run(args: &[&str]) -> Result<Finished, tidegauge::error::Error> {
    let mut argv = vec!["tidegauge", "run"];
    argv.extend(args);
    let Sub::Run(run_args) = Cli::try_parse_from(argv).unwrap().command else {
        unreachable!("argv names the run command")
    };
    let plan = run_args
        .to_plan(&|_| None)
        .map_err(tidegauge::error::Error::Usage)?;
    let (console, captured) = Console::capture();
    let outcome = execute(plan, &console).await?;
    Ok(Finished {
        outcome,
        stdout: captured.stdout(),
        stderr: captured.stderr(),
    })
}

/// The full passing run, made once for every test that reads it (its own runtime: each test
/// has its own, and the run must outlive none of them).
fn full_run() -> &'static Finished {
    static RUN: OnceLock<Finished> = OnceLock::new();
    RUN.get_or_init(|| {
        std::thread::spawn(|| {
            let reports = temp_reports("full");
            let reports = reports.to_str().unwrap().to_owned();
            tokio::runtime::Runtime::new()
                .unwrap()
                .block_on(run(&[
                    "--reports",
                    &reports,
                    "--json",
                    "--metrics-key",
                    CLI_KEY,
                ]))
                .expect("the run completes")
        })
        .join()
        .expect("the full run does not panic")
    })
}

/// A tool the test needs: `None` (skip, said on stderr) outside CI, a failure under CI=true.
fn tool(program: &str, package: &str) -> Option<String> {
    let found = Command::new(program)
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !found {
        assert_ne!(
            std::env::var("CI").as_deref(),
            Ok("true"),
            "{program} must be installed in CI (.ci/run installs Debian's {package})"
        );
        eprintln!("skipped: {program} is not installed (apt-get install {package})");
        return None;
    }
    Some(program.to_owned())
}

/// Runs `command` to completion, killing it (and failing) past `limit`: a browser that hangs
/// must not hang the suite.
fn output_within(command: &mut Command, limit: Duration) -> std::process::Output {
    use std::process::Stdio;
    let mut child = command
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the program starts");
    let read = |mut pipe: Box<dyn std::io::Read + Send>| {
        std::thread::spawn(move || {
            let mut bytes = Vec::new();
            let _ = pipe.read_to_end(&mut bytes);
            bytes
        })
    };
    let stdout = read(Box::new(child.stdout.take().unwrap()));
    let stderr = read(Box::new(child.stderr.take().unwrap()));
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{command:?} did not finish within {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    std::process::Output {
        status,
        stdout: stdout.join().unwrap(),
        stderr: stderr.join().unwrap(),
    }
}

fn xmllint_validates(path: &Path) -> Option<Result<(), String>> {
    let xmllint = tool("xmllint", "libxml2-utils")?;
    let schema = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/junit-10.xsd");
    let output = output_within(
        Command::new(xmllint)
            .args(["--noout", "--schema", schema])
            .arg(path),
        Duration::from_secs(60),
    );
    Some(if output.status.success() {
        Ok(())
    } else {
        Err(String::from_utf8_lossy(&output.stderr).into_owned())
    })
}

/// Every `<testcase .../>` opening tag of a JUnit file, as (classname, name).
fn testcases(xml: &str) -> Vec<(String, String)> {
    let attribute = |tag: &str, name: &str| {
        let start = tag.find(&format!(" {name}=\""))? + name.len() + 3;
        let end = tag[start..].find('"')? + start;
        Some(tag[start..end].to_owned())
    };
    xml.split("<testcase ")
        .skip(1)
        .map(|tag| {
            let tag = format!(" {}", &tag[..tag.find('>').unwrap_or(tag.len())]);
            (
                attribute(&tag, "classname").unwrap_or_default(),
                attribute(&tag, "name").unwrap_or_default(),
            )
        })
        .collect()
}

/// Whether the run's junit.xml has a testcase named `name` (XML-escaped) that failed.
fn testcase_failed(run_dir: &Path, name: &str) -> bool {
    let xml = std::fs::read_to_string(run_dir.join("junit.xml")).unwrap();
    let case = xml
        .find(&format!("name=\"{name}\""))
        .unwrap_or_else(|| panic!("no testcase {name}"));
    xml[case..]
        .split("</testcase>")
        .next()
        .is_some_and(|body| body.contains("<failure"))
}

fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() && !path.is_symlink() {
            out.extend(files_under(&path));
        } else if path.is_file() {
            out.push(path);
        }
    }
    out
}

#[test]
fn a_passing_run_exits_0_and_writes_every_report() {
    let finished = full_run();
    let report = &finished.outcome.report;
    assert_eq!(report.exit_code, 0, "{}", finished.stderr);
    assert_eq!(report.phases.load.status, report::PhaseStatus::Passed);
    let dir = &finished.outcome.dir;
    for name in report::FILES {
        assert!(dir.join(name).is_file(), "{name} is written");
    }
    for name in [
        "conform/junit.xml",
        "conform/conform.json",
        "metrics/metrics.json",
        "load/load.json",
        "load/goose.html",
    ] {
        assert!(dir.join(name).is_file(), "{name} is kept in the run folder");
    }
    let reports = dir.parent().unwrap();
    assert_eq!(report::latest(reports).as_deref(), Some(dir.as_path()));

    // --json prints report.json (and only it) on standard output.
    let written: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("report.json")).unwrap()).unwrap();
    let printed: Value = serde_json::from_str(&finished.stdout).expect("stdout is JSON");
    assert_eq!(written, printed);
    assert!(
        finished.stderr.contains("PASSED: exit code 0"),
        "the summary goes to stderr"
    );

    // report.json validates against the published schema.
    let mut schemas = boon::Schemas::new();
    let mut compiler = boon::Compiler::new();
    let schema_path = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/report.schema.json");
    let index = compiler
        .compile(schema_path, &mut schemas)
        .expect("the schema compiles");
    if let Err(error) = schemas.validate(&written, index) {
        panic!("report.json does not match fixtures/report.schema.json: {error:#}");
    }
    assert_eq!(written["schema_version"], report::SCHEMA_VERSION);
    let load = written["phases"]["load"].clone();
    assert_eq!(load["status"], "passed");
    assert_eq!(load["details"]["plan"], "smoke");
}

#[test]
fn junit_validates_against_the_jenkins_schema_with_one_testcase_per_scenario() {
    let finished = full_run();
    let path = finished.outcome.dir.join("junit.xml");
    if let Some(result) = xmllint_validates(&path) {
        result.expect("junit.xml validates against fixtures/junit-10.xsd");
    }
    let xml = std::fs::read_to_string(&path).unwrap();
    let cases = testcases(&xml);
    let scenarios = &finished
        .outcome
        .report
        .phases
        .conform
        .details
        .as_ref()
        .unwrap()
        .scenarios;
    let conform_cases: Vec<_> = cases
        .iter()
        .filter(|(class, _)| class.starts_with("conformance.") && class != "conformance.run")
        .collect();
    assert_eq!(
        conform_cases.len(),
        scenarios.len(),
        "one testcase per scenario"
    );
    let mut unique = conform_cases.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(
        unique.len(),
        conform_cases.len(),
        "testcases are told apart"
    );
    // cucumber's own JUnit for the phase counts the same scenarios and example rows.
    let cucumber = std::fs::read_to_string(finished.outcome.dir.join("conform/junit.xml")).unwrap();
    assert_eq!(cucumber.matches("<testcase").count(), scenarios.len());
    // One testcase per contract family of the metrics phase; load skipped.
    let families = finished
        .outcome
        .report
        .phases
        .metrics
        .details
        .as_ref()
        .unwrap()
        .contract
        .len();
    assert_eq!(
        cases
            .iter()
            .filter(|(class, _)| class == "metrics.contract")
            .count(),
        families
    );
    // One testcase per threshold of the load plan (load/smoke.toml has four).
    let thresholds = cases
        .iter()
        .filter(|(class, _)| class == "load.thresholds")
        .count();
    assert_eq!(thresholds, 4, "{cases:?}");
}

/// A load outcome with two requests, a timeline, a breached threshold and a reconciliation.
fn sample_load() -> LoadOutcome {
    let stats = |name: &str, scale: f64| LatencyStats {
        name: name.into(),
        ok: 4800,
        errors: 12,
        rate_limited: 3,
        error_rate: 12.0 / 4812.0,
        rps: 480.0,
        p50_ms: 2.0 * scale,
        p90_ms: 5.0 * scale,
        p95_ms: 7.0 * scale,
        p99_ms: 14.0 * scale,
        p999_ms: 30.0 * scale,
        max_ms: 41.0 * scale,
        mean_ms: 3.1 * scale,
        buckets: [0.5, 1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0]
            .iter()
            .zip([40, 400, 2100, 1500, 600, 120, 40, 12])
            .map(|(bound, count)| (bound * scale, count))
            .collect(),
        sample_errors: vec!["GET /api/agencies/{id}/messages answered 500".into()],
    };
    LoadOutcome {
        run_id: "abc123".into(),
        plan: "smoke".into(),
        model: "open".into(),
        verdict: LoadVerdict::ThresholdsBreached,
        invalid_reasons: vec![],
        duration_s: 10.0,
        total: stats("all requests", 1.0),
        requests: vec![stats("history", 1.0), stats("agent-auth", 2.5)],
        scenarios: vec![],
        timeline: (0..10)
            .map(|s| TimelinePoint {
                second: s,
                requests: 900 + u64::from(s) * 13,
                errors: u64::from(s % 3),
                p50_ms: 2.0,
                p95_ms: 7.0 + f64::from(s),
                p99_ms: 14.0 + 2.0 * f64::from(s),
            })
            .collect(),
        thresholds: vec![
            ThresholdResult {
                expression: "p95(history) < 200ms".into(),
                metric: "p95 of history".into(),
                measured: 7.0,
                limit: 200.0,
                unit: "ms".into(),
                passed: true,
            },
            ThresholdResult {
                expression: "p99(agent-auth) < 20ms".into(),
                metric: "p99 of agent-auth".into(),
                measured: 35.0,
                limit: 20.0,
                unit: "ms".into(),
                passed: false,
            },
        ],
        schedule: None,
        reconciliation: vec![ReconcileRow {
            method: "GET".into(),
            route: "/api/agencies/:id/messages".into(),
            status: "200".into(),
            sent: 4800,
            counted: 4800.0,
            ok: true,
        }],
        server_findings: vec![],
        baseline: vec![BaselineDelta {
            name: "history".into(),
            statistic: "p95_ms".into(),
            baseline: 6.0,
            current: 7.0,
            change: 1.0 / 6.0,
            regression: false,
        }],
        notes: vec!["a note".into()],
        redactor: Default::default(),
    }
}

/// The shared run's report with a load phase added (the load engine plugs in later).
fn with_load(report: &RunReport, load: LoadOutcome) -> RunReport {
    let mut report = report.clone();
    report.phases.load = load_phase_from(Ok(load));
    report.decide(false);
    report
}

#[test]
fn report_html_renders_in_chromium_with_the_matrix_and_the_charts() {
    let finished = full_run();
    let report = with_load(&finished.outcome.report, sample_load());
    let html = report::html::render(&report).unwrap();
    for external in ["src=", "href=", "url(", "@import", "<script", "<link"] {
        assert!(
            !html.contains(external),
            "self-contained: no {external} in the page"
        );
    }
    let Some(chromium) = tool("chromium", "chromium") else {
        return;
    };
    let out = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/reports"));
    let page = out.join("report-with-load.html");
    std::fs::write(&page, &html).unwrap();
    let profile = temp_reports("chromium-profile");
    let screenshot = out.join("report-screenshot.png");
    let _ = std::fs::remove_file(&screenshot);
    let chromium_with = |extra: &[String]| {
        let mut command = Command::new(&chromium);
        command
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--window-size=1280,2000",
            ])
            .arg(format!("--user-data-dir={}", profile.display()))
            .args(extra)
            .arg(format!("file://{}", page.display()));
        let output = output_within(&mut command, Duration::from_secs(120));
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8_lossy(&output.stdout).into_owned()
    };
    let dom = chromium_with(&["--dump-dom".to_owned()]);
    let section = |id: &str| {
        let start = dom
            .find(&format!("id=\"{id}\""))
            .unwrap_or_else(|| panic!("the rendered page has #{id}"));
        &dom[start..]
    };
    let matrix = section("matrix");
    let matrix = &matrix[..matrix.find("</table>").unwrap()];
    let rows = report
        .phases
        .conform
        .details
        .as_ref()
        .unwrap()
        .matrix
        .rows
        .len();
    assert_eq!(
        matrix.matches("<tr>").count(),
        rows + 1,
        "a header and one row per endpoint"
    );
    assert!(matrix.matches("class=\"cell passed\"").count() > rows);
    let charts = section("charts");
    let charts = &charts[..charts.find("</div>").unwrap()];
    // Two histograms (one per request) and the two timeline charts.
    assert_eq!(
        charts.matches("<svg").count(),
        4,
        "every chart is an inline svg"
    );
    assert!(charts.contains("<rect") && (charts.contains("<polyline") || charts.contains("<path")));
    for table in [
        "contract",
        "thresholds",
        "reconciliation",
        "baseline",
        "latency",
    ] {
        section(table);
    }
    assert!(dom.contains("breached"), "the breached threshold shows");
    assert!(
        dom.contains("FAILED: exit code 5"),
        "the banner reads the load verdict"
    );

    chromium_with(&[format!("--screenshot={}", screenshot.display())]);
    let png = std::fs::read(&screenshot).expect("the screenshot is written");
    assert!(
        png.starts_with(b"\x89PNG") && png.len() > 10_000,
        "a real PNG"
    );
}

#[test]
fn no_secret_reaches_any_report_or_the_console() {
    let finished = full_run();
    let redaction = &finished.outcome.redaction;
    assert!(
        redaction.leaks(CLI_KEY),
        "the command-line key is a known secret"
    );
    assert!(
        finished
            .stderr
            .contains("--metrics-key on the command line"),
        "warned"
    );
    let mut texts = vec![
        ("stdout".to_owned(), finished.stdout.clone()),
        ("stderr".to_owned(), finished.stderr.clone()),
    ];
    for file in files_under(&finished.outcome.dir) {
        texts.push((
            file.display().to_string(),
            std::fs::read_to_string(&file).unwrap(),
        ));
    }
    assert!(texts.len() >= 8);
    for (name, text) in texts {
        assert!(!redaction.leaks(&text), "a secret leaks into {name}");
        assert!(
            !text.contains("Zq9"),
            "a part of the command-line key is in {name}"
        );
    }
}

#[tokio::test]
async fn a_failing_scenario_exits_1_and_stops_the_rest_with_fail_fast() {
    let reports = temp_reports("exit1");
    let finished = run(&[
        "--reports",
        reports.to_str().unwrap(),
        "--tags",
        "@messages",
        "--reference-fault",
        "history-order-reversed",
        "--skip",
        "metrics",
        "--fail-fast",
        "--quiet",
    ])
    .await
    .unwrap();
    let report = &finished.outcome.report;
    assert_eq!(report.exit_code, 1, "{}", finished.stdout);
    assert_eq!(report.verdict, report::Verdict::Failed);
    assert_eq!(report.phases.conform.status, report::PhaseStatus::Failed);
    let load = report.phases.load.message.as_deref().unwrap_or_default();
    assert!(load.contains("--fail-fast"), "{load}");
    // --quiet prints no progress: standard error holds only the one line naming the cause.
    let lines: Vec<&str> = finished.stderr.lines().collect();
    assert!(
        matches!(lines.as_slice(), [line] if line.starts_with("tidegauge: conformance: ")),
        "{lines:?}"
    );
    assert!(finished.stdout.contains("FAILED: exit code 1"));
    let details = report.phases.conform.details.as_ref().unwrap();
    assert!(details.matrix.failed > 0, "failing cells are coloured");
    let xml = std::fs::read_to_string(finished.outcome.dir.join("junit.xml")).unwrap();
    assert!(xml.contains("<failure type=\"assertion\""));
    if let Some(result) = xmllint_validates(&finished.outcome.dir.join("junit.xml")) {
        result.unwrap();
    }
    let html = std::fs::read_to_string(finished.outcome.dir.join("report.html")).unwrap();
    assert!(html.contains("class=\"cell failed\"") && html.contains("class=\"failure\""));
    assert!(
        html.contains("request: GET"),
        "the failing step shows its request"
    );
}

#[tokio::test]
async fn a_metrics_fault_exits_4_naming_the_family() {
    let reports = temp_reports("exit4");
    let finished = run(&[
        "--reports",
        reports.to_str().unwrap(),
        "--skip",
        "conform",
        "--skip",
        "load",
        "--reference-fault",
        "histogram-without-count",
    ])
    .await
    .unwrap();
    let report = &finished.outcome.report;
    assert_eq!(report.exit_code, 4, "{}", finished.stdout);
    let details = report.phases.metrics.details.as_ref().unwrap();
    let row = details
        .contract
        .iter()
        .find(|r| r.family == "http_request_duration_seconds")
        .unwrap();
    assert_eq!(row.status, "failed");
    assert!(testcase_failed(
        &finished.outcome.dir,
        "http_request_duration_seconds"
    ));
    assert!(
        finished
            .stdout
            .contains("http_request_duration_seconds [histogram-count]")
    );
}

#[tokio::test]
async fn an_unreachable_target_exits_3_with_every_report_written() {
    // A privileged port nobody listens on (a released ephemeral port could be taken again).
    let url = "http://127.0.0.1:1".to_owned();
    let reports = temp_reports("exit3");
    let finished = run(&[
        "--reports",
        reports.to_str().unwrap(),
        "--base-url",
        &url,
        "--request-timeout",
        "5",
    ])
    .await
    .unwrap();
    let report = &finished.outcome.report;
    assert_eq!(report.exit_code, 3, "{}", finished.stdout);
    assert_eq!(report.verdict, report::Verdict::Error);
    assert_eq!(report.phases.conform.status, report::PhaseStatus::Error);
    assert_eq!(report.phases.metrics.status, report::PhaseStatus::Error);
    // Load is off by default against a target tidegauge did not start.
    assert_eq!(report.phases.load.status, report::PhaseStatus::Skipped);
    let message = report.phases.conform.message.as_deref().unwrap();
    assert!(message.contains("unreachable"), "{message}");
    for name in report::FILES {
        assert!(
            finished.outcome.dir.join(name).is_file(),
            "{name} is written"
        );
    }
    if let Some(result) = xmllint_validates(&finished.outcome.dir.join("junit.xml")) {
        result.unwrap();
    }
}

#[tokio::test]
async fn configuration_errors_exit_2() {
    // In a phase: a features folder that does not exist.
    let reports = temp_reports("exit2");
    let finished = run(&[
        "--reports",
        reports.to_str().unwrap(),
        "--features",
        "/nonexistent/features",
        "--skip",
        "metrics",
    ])
    .await
    .unwrap();
    assert_eq!(finished.outcome.report.exit_code, 2);
    // Before any phase: the reports folder cannot be created.
    let file = reports.join("a-file");
    std::fs::write(&file, "").unwrap();
    let error = run(&["--reports", file.to_str().unwrap()])
        .await
        .err()
        .unwrap();
    assert_eq!(error.exit_code(), 2, "{error}");

    // The binary: a configuration file with a typo, and a secret in it.
    let config = reports.join("tidegauge.toml");
    for (text, needle) in [
        ("base_ulr = \"http://127.0.0.1:1\"\n", "base_ulr"),
        ("metrics_key = \"in-the-file-123\"\n", "metrics_key_file"),
    ] {
        std::fs::write(&config, text).unwrap();
        let mut command = Command::new(env!("CARGO_BIN_EXE_tidegauge"));
        command.args(["run", "--config"]).arg(&config);
        for (name, _) in std::env::vars().filter(|(n, _)| n.starts_with("TIDEGAUGE_")) {
            command.env_remove(name);
        }
        let output = output_within(&mut command, Duration::from_secs(120));
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{stderr}");
        assert!(
            stderr.contains(needle) && stderr.contains("tidegauge.toml"),
            "{stderr}"
        );
        assert!(!stderr.contains("in-the-file-123"), "{stderr}");
    }
}

#[test]
fn the_load_phase_maps_to_exit_codes_5_6_and_3() {
    let breached = load_phase_from(Ok(sample_load()));
    assert_eq!(breached.exit_code, 5);
    let invalid = load_phase_from(Ok(LoadOutcome {
        verdict: LoadVerdict::Invalid,
        invalid_reasons: vec!["the generator fell 40% behind its schedule".into()],
        ..sample_load()
    }));
    assert_eq!(invalid.exit_code, 6);
    let passed = load_phase_from(Ok(LoadOutcome {
        verdict: LoadVerdict::Passed,
        ..sample_load()
    }));
    assert_eq!(
        (passed.exit_code, passed.status),
        (0, report::PhaseStatus::Passed)
    );
    let error = load_phase_from(Ok(LoadOutcome {
        verdict: LoadVerdict::Error,
        notes: vec!["target unreachable: connection refused".into()],
        ..sample_load()
    }));
    assert_eq!(
        (error.exit_code, error.status),
        (3, report::PhaseStatus::Error)
    );
    assert!(error.message.unwrap().contains("unreachable"));
    let failed: Phase<LoadOutcome> = load_phase_from(Err(tidegauge::error::Error::Usage(
        "load/nope.toml does not exist".into(),
    )));
    assert_eq!(
        (failed.exit_code, failed.status),
        (2, report::PhaseStatus::Error)
    );
}

/// A plan file in a fresh temporary folder.
fn plan_file(name: &str, text: &str) -> PathBuf {
    let dir = temp_reports(name);
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(format!("{name}.toml"));
    std::fs::write(&path, text).unwrap();
    path
}

#[tokio::test]
async fn a_breached_load_threshold_exits_5_through_run() {
    let hot_paths = std::fs::read_to_string("load/hot-paths.toml").unwrap();
    let short = hot_paths.replace("run_time = \"30s\"", "run_time = \"3s\"");
    assert_ne!(
        hot_paths, short,
        "the hot-path plan has the run time this test shortens"
    );
    let plan = plan_file("short-hot-paths", &short);
    let reports = temp_reports("exit5");
    let finished = run(&[
        "--skip",
        "conform",
        "--skip",
        "metrics",
        "--plan",
        plan.to_str().unwrap(),
        "--reference-fault",
        "every-100th-500",
        "--reports",
        reports.to_str().unwrap(),
    ])
    .await
    .unwrap();
    let report = &finished.outcome.report;
    assert_eq!(report.exit_code, 5, "{}", finished.stderr);
    assert!(testcase_failed(
        &finished.outcome.dir,
        "error_rate &lt; 0.1%"
    ));
    assert!(finished.outcome.dir.join("load/load.json").is_file());
}

#[tokio::test]
async fn an_invalid_load_run_exits_6_through_run() {
    let calibration = temp_reports("calibration").join("calibration.json");
    tidegauge::load::calibrate::measure(Duration::from_secs(1))
        .await
        .unwrap()
        .save(&calibration)
        .unwrap();
    let plan = plan_file(
        "too-fast",
        "[model]\nkind = \"open\"\nrate = 100000000\nduration = \"2s\"\n\
         [[scenarios]]\nname = \"explore\"\n",
    );
    let reports = temp_reports("exit6");
    let finished = run(&[
        "--skip",
        "conform",
        "--skip",
        "metrics",
        "--plan",
        plan.to_str().unwrap(),
        "--calibration",
        calibration.to_str().unwrap(),
        "--reports",
        reports.to_str().unwrap(),
    ])
    .await
    .unwrap();
    assert_eq!(finished.outcome.report.exit_code, 6, "{}", finished.stderr);
}

#[test]
fn writers_escape_hostile_names_and_report_load_failures() {
    let finished = full_run();
    let mut report = with_load(
        &finished.outcome.report,
        LoadOutcome {
            verdict: LoadVerdict::Invalid,
            invalid_reasons: vec!["late <b>sends</b> & drops".into()],
            ..sample_load()
        },
    );
    let conform = report.phases.conform.details.as_mut().unwrap();
    let hostile = "<script>alert(1)</script> \"quoted\" & \u{1b}[31m";
    conform.scenarios[0].scenario = hostile.into();
    conform.scenarios[0].outcome = "failed";
    conform.scenarios[0].detail = Some(format!("{hostile}\nrequest: GET /x"));
    conform.coverage.unknown_paths = vec!["GET /api/<img src=x onerror=alert(2)>".into()];
    let html = report::html::render(&report).unwrap();
    assert!(html.contains("Requests to paths not in the spec"));
    assert!(!html.contains("<img"), "paths are escaped");
    assert!(
        !html.contains("<script>alert"),
        "target text is escaped in HTML"
    );
    assert!(html.contains("&lt;script&gt;alert(1)&lt;"));
    assert!(!html.contains("<b>sends</b>"));

    let xml = report::junit::render(&report);
    assert!(!xml.contains("<script>") && !xml.contains('\u{1b}'));
    assert!(
        xml.contains("<failure type=\"invalid\""),
        "an invalid load run is a failure"
    );
    let cases = testcases(&xml);
    let thresholds: Vec<_> = cases
        .iter()
        .filter(|(c, _)| c == "load.thresholds")
        .collect();
    assert_eq!(thresholds.len(), 2, "one testcase per threshold");
    assert!(xml.contains("p99 of agent-auth: measured 35 ms, limit 20 ms"));
    let dir = temp_reports("hostile");
    let path = dir.join("junit.xml");
    std::fs::write(&path, &xml).unwrap();
    if let Some(result) = xmllint_validates(&path) {
        result.expect("hostile text still validates");
    }
}
