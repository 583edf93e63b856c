//! Hostile targets (issue #7): every phase ends with a clear verdict whatever the target does.
//!
//! `TABLE` is the documentation (the README links it): one row per misbehaviour of the chaos
//! responder (`support/chaos.rs`), one column per phase (`PHASES`). Each cell says what the
//! phase must do against that target: the exit code, and a word the one-line cause on stderr
//! (`tidegauge: ...`) must contain. Every cell also checks that the run ends within the
//! configured bounds (`cell_bound`: one request with its retries) and leaves its reports. The binary runs as a child process, so
//! the real exit status and stderr are checked.
//!
//! To add a phase (`load`, `run`): write its `Phase` (how to build its arguments for a base URL
//! and a reports folder, and the report files it leaves), add it to `PHASES`, and add one
//! `Expect` per row.
//!
//! `peak_memory_stays_bounded_on_huge_answers` measures the peak RSS of `metrics` against a
//! 200 MB exposition and of `conform` against a 100 MB body (with `wait4`, which returns the
//! rusage of that one child), against the same phase's run on a target that answers 500.

#[path = "support/chaos.rs"]
mod chaos;

use chaos::Behaviour;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Bounds every cell runs with: short, so that the whole table takes seconds.
const REQUEST_TIMEOUT_S: u64 = 2;
const RETRIES: u32 = 1;
const PHASE_TIMEOUT_S: u64 = 20;

/// The longest a cell may take: one request with all its retries and backoffs (200 ms,
/// doubling) — every hostile behaviour shows at the first request — plus 3 s to start the
/// binary and write the reports. Well inside `--phase-timeout`.
fn cell_bound() -> Duration {
    let backoffs: u64 = (0..RETRIES).map(|n| 200 * 2u64.pow(n)).sum();
    Duration::from_secs(REQUEST_TIMEOUT_S * u64::from(RETRIES + 1))
        + Duration::from_millis(backoffs)
        + Duration::from_secs(3)
}

fn limits() -> Vec<String> {
    vec![
        "--request-timeout".into(),
        REQUEST_TIMEOUT_S.to_string(),
        "--retries".into(),
        RETRIES.to_string(),
        "--phase-timeout".into(),
        PHASE_TIMEOUT_S.to_string(),
    ]
}

/// One phase of the binary, as a column of the table.
struct Phase {
    name: &'static str,
    /// The command line (without the binary) against `base_url`, reporting into `reports`.
    args: fn(base_url: &str, reports: &Path) -> Vec<String>,
    /// The files every run of the phase leaves in `reports/<run id>/`.
    reports: &'static [&'static str],
    /// How many phases the command runs one after the other (`run`: three), each within
    /// the bounds of one.
    phases: u32,
}

const FEATURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/features");
const SMOKE_PLAN: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/load/smoke.toml");

/// `tidegauge <command> --base-url URL <options> --reports DIR <limits>`.
fn command_line(command: &str, base_url: &str, reports: &Path, options: &[&str]) -> Vec<String> {
    let mut args = vec![command.to_owned(), "--base-url".into(), base_url.into()];
    args.extend(options.iter().map(|o| (*o).to_owned()));
    args.extend(["--reports".into(), reports.display().to_string()]);
    args.extend(limits());
    args
}

fn conform_args(base_url: &str, reports: &Path) -> Vec<String> {
    command_line("conform", base_url, reports, &["--features", FEATURES])
}

fn metrics_args(base_url: &str, reports: &Path) -> Vec<String> {
    command_line("metrics", base_url, reports, &[])
}

/// Load (and run) against a target tidegauge did not start needs the safety switches.
const LOAD_SWITCHES: [&str; 4] = [
    "--allow-load",
    "--allow-rate-limit-probing",
    "--plan",
    SMOKE_PLAN,
];

fn load_args(base_url: &str, reports: &Path) -> Vec<String> {
    command_line("load", base_url, reports, &LOAD_SWITCHES)
}

fn run_args(base_url: &str, reports: &Path) -> Vec<String> {
    let options = [&LOAD_SWITCHES[..], &["--features", FEATURES]].concat();
    command_line("run", base_url, reports, &options)
}

static PHASES: [Phase; 4] = [
    Phase {
        name: "conform",
        args: conform_args,
        reports: &["junit.xml", "cucumber.json", "conform.json"],
        phases: 1,
    },
    Phase {
        name: "metrics",
        args: metrics_args,
        reports: &["metrics.json"],
        phases: 1,
    },
    Phase {
        name: "load",
        args: load_args,
        reports: &["load.json"],
        phases: 1,
    },
    Phase {
        name: "run",
        args: run_args,
        reports: &["report.json", "junit.xml", "report.html"],
        phases: 3,
    },
];

/// What one phase must do against one behaviour.
#[derive(Clone, Copy, Debug)]
enum Expect {
    /// Exit with `code`; the one-line cause contains `mentions` (case-insensitive).
    Ends { code: i32, mentions: &'static str },
    /// The behaviour concerns a path the phase never reads; why.
    NotApplicable(&'static str),
}

const fn ends(code: i32, mentions: &'static str) -> Expect {
    Expect::Ends { code, mentions }
}

/// The conform phase reads `/metrics` only in `@metrics` scenarios, after provisioning: a
/// target whose API answers `{}` fails provisioning first, so the cell would show nothing
/// about the exposition. The metrics column covers these rows.
const METRICS_ONLY: Expect = Expect::NotApplicable(
    "an exposition or snapshot behaviour; conform and load fail on the API first, and conform's \
     failure decides run",
);

/// Exit codes (src/exit.rs): 1 conformance failures, 3 unreachable target or harness, 4
/// metrics failures, 5 load failures (here: the target answered wrongly while the load run
/// was prepared, so nothing could be measured).
#[rustfmt::skip]
const TABLE: &[(Behaviour, [Expect; 4])] = &[
    // behaviour                              conform                           metrics                           load                              run
    (Behaviour::Refused,                     [ends(3, "refused"),               ends(3, "refused"),               ends(3, "refused"),               ends(3, "refused")]),
    (Behaviour::Silent,                      [ends(3, "request timeout"),       ends(3, "request timeout"),       ends(3, "request timeout"),       ends(3, "request timeout")]),
    (Behaviour::ResetMidBody,                [ends(3, "reset the connection"),  ends(3, "reset the connection"),  ends(3, "reset the connection"),  ends(3, "reset the connection")]),
    (Behaviour::Status(500),                 [ends(1, "answered 500"),          ends(4, "answered 500"),          ends(5, "answered 500"),          ends(1, "answered 500")]),
    (Behaviour::Status(502),                 [ends(3, "502"),                   ends(3, "502"),                   ends(3, "502"),                   ends(3, "502")]),
    (Behaviour::Status(503),                 [ends(3, "503"),                   ends(3, "503"),                   ends(3, "503"),                   ends(3, "503")]),
    (Behaviour::GarbageJson,                 [ends(1, "not JSON"),              ends(4, "parse"),                 ends(5, "not JSON"),              ends(1, "not JSON")]),
    (Behaviour::TruncatedJson,               [ends(1, "not JSON"),              ends(4, "parse"),                 ends(5, "not JSON"),              ends(1, "not JSON")]),
    (Behaviour::NestedJson,                  [ends(1, "recursion limit"),       ends(4, "parse"),                 ends(5, "recursion limit"),       ends(1, "recursion limit")]),
    (Behaviour::HugeBody(100_000_000),       [ends(1, "larger than the cap"),   ends(4, "larger than the cap"),   ends(5, "larger than the cap"),   ends(1, "larger than the cap")]),
    (Behaviour::SlowDrip,                    [ends(3, "request timeout"),       ends(3, "request timeout"),       ends(3, "request timeout"),       ends(3, "request timeout")]),
    (Behaviour::MalformedMetrics,            [METRICS_ONLY,                     ends(4, "parse"),                 METRICS_ONLY,                     METRICS_ONLY]),
    (Behaviour::HugeExposition(200_000_000), [METRICS_ONLY,                     ends(4, "larger than the cap"),   METRICS_ONLY,                     METRICS_ONLY]),
    (Behaviour::DuplicateSeries,             [METRICS_ONLY,                     ends(4, "duplicate"),             METRICS_ONLY,                     METRICS_ONLY]),
    (Behaviour::NanCounters,                 [METRICS_ONLY,                     ends(4, "NaN"),                   METRICS_ONLY,                     METRICS_ONLY]),
    (Behaviour::LabelEscapes,                [METRICS_ONLY,                     ends(4, "escape"),                METRICS_ONLY,                     METRICS_ONLY]),
    (Behaviour::SnapshotNotJson,             [METRICS_ONLY,                     ends(4, "snapshot"),              METRICS_ONLY,                     METRICS_ONLY]),
    (Behaviour::RedirectLoop,                [ends(1, "redirect"),              ends(4, "redirect"),              ends(5, "redirect"),              ends(1, "redirect")]),
    (Behaviour::PlainForTlsClient,           [ends(3, "TLS"),                   ends(3, "TLS"),                   ends(3, "TLS"),                   ends(3, "TLS")]),
    (Behaviour::TlsForPlainClient,           [ends(3, "not HTTP"),              ends(3, "not HTTP"),              ends(3, "not HTTP"),              ends(3, "not HTTP")]),
];

fn temp_dir(label: &str) -> PathBuf {
    static COUNTER: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let n = COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let dir = std::env::temp_dir().join(format!(
        "tidegauge-hostile-{}-{n}-{label}",
        std::process::id()
    ));
    std::fs::create_dir_all(&dir).expect("a temporary folder");
    dir
}

/// What one child run did.
struct Ran {
    code: Option<i32>,
    stderr: String,
    stdout: String,
    elapsed: Duration,
    /// Peak resident set size of the child, in KiB.
    max_rss_kib: i64,
}

/// Runs the binary with `args` (the environment cleared of `TIDEGAUGE_*`, the metrics key
/// given through it), waits at most `limit`, and returns what it did. A child past the limit
/// is killed and the test fails: that is a hang.
fn run_child(args: &[String], dir: &Path, limit: Duration) -> Ran {
    run_child_with(args, dir, limit, |_| {})
}

/// `run_child`, calling `started` with the child's pid once it runs.
fn run_child_with(
    args: &[String],
    dir: &Path,
    limit: Duration,
    started_with: impl FnOnce(libc::pid_t),
) -> Ran {
    let out = std::fs::File::create(dir.join("stdout")).expect("stdout file");
    let err = std::fs::File::create(dir.join("stderr")).expect("stderr file");
    let mut command = Command::new(env!("CARGO_BIN_EXE_tidegauge"));
    for (name, _) in std::env::vars().filter(|(n, _)| n.starts_with("TIDEGAUGE_")) {
        command.env_remove(name);
    }
    let started = Instant::now();
    // Reaped by `wait4` below (which also gives the child's own peak RSS), not `wait`.
    #[allow(clippy::zombie_processes)]
    let child = command
        .args(args)
        .env("TIDEGAUGE_METRICS_KEY", chaos::KEY)
        .stdin(Stdio::null())
        .stdout(out)
        .stderr(err)
        .spawn()
        .expect("the binary starts");
    let pid = child.id() as libc::pid_t;
    started_with(pid);
    let (code, max_rss_kib) = loop {
        let mut status = 0;
        // SAFETY: an all-zero rusage is a valid value; wait4 fills it for our own child.
        let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
        // SAFETY: `pid` is our child, not yet reaped (std's `Child` never waited for it).
        let reaped = unsafe { libc::wait4(pid, &mut status, libc::WNOHANG, &mut usage) };
        assert!(
            reaped >= 0,
            "wait4 failed: {}",
            std::io::Error::last_os_error()
        );
        if reaped == pid {
            let code = libc::WIFEXITED(status).then(|| libc::WEXITSTATUS(status));
            break (code, usage.ru_maxrss);
        }
        if started.elapsed() > limit {
            // SAFETY: signalling our own, not yet reaped child.
            unsafe { libc::kill(pid, libc::SIGKILL) };
            panic!(
                "`tidegauge {}` still ran after {limit:?}: a hang",
                args.join(" ")
            );
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let elapsed = started.elapsed();
    Ran {
        code,
        stderr: std::fs::read_to_string(dir.join("stderr")).unwrap_or_default(),
        stdout: std::fs::read_to_string(dir.join("stdout")).unwrap_or_default(),
        elapsed,
        max_rss_kib,
    }
}

/// The files of the one run folder under `reports`.
fn report_files(reports: &Path) -> Vec<String> {
    let runs: Vec<PathBuf> = std::fs::read_dir(reports)
        .map(|entries| {
            entries
                .flatten()
                // A run folder, not `latest` (`run`'s link to it).
                .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
                .map(|e| e.path())
                .collect()
        })
        .unwrap_or_default();
    assert_eq!(
        runs.len(),
        1,
        "one run folder under {}: {runs:?}",
        reports.display()
    );
    std::fs::read_dir(&runs[0])
        .expect("the run folder")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect()
}

/// Every report file of the run under `reports`, by name, with its text.
fn report_texts(reports: &Path) -> Vec<(String, String)> {
    let Some(run) = std::fs::read_dir(reports)
        .ok()
        .and_then(|entries| entries.flatten().map(|e| e.path()).find(|p| p.is_dir()))
    else {
        return Vec::new();
    };
    std::fs::read_dir(&run)
        .map(|entries| {
            entries
                .flatten()
                .map(|e| {
                    let text = std::fs::read_to_string(e.path()).unwrap_or_default();
                    (e.file_name().to_string_lossy().into_owned(), text)
                })
                .collect()
        })
        .unwrap_or_default()
}

/// The JSON report of a phase (`conform.json`, `metrics.json`).
fn json_report(reports: &Path, name: &str) -> serde_json::Value {
    let text = report_texts(reports)
        .into_iter()
        .find(|(file, _)| file == name)
        .map(|(_, text)| text)
        .unwrap_or_else(|| panic!("no {name} under {}", reports.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{name} is not JSON: {e}"))
}

/// Checks one cell; returns a description of what went wrong, if anything.
async fn check_cell(
    behaviour: Behaviour,
    phase: &Phase,
    code: i32,
    mentions: &str,
) -> Result<String, String> {
    let chaos = chaos::start(behaviour).await;
    let dir = temp_dir(phase.name);
    let reports = dir.join("reports");
    let args = (phase.args)(&chaos.base_url, &reports);
    let bound = cell_bound() * phase.phases;
    let ran = {
        let dir = dir.clone();
        let limit = Duration::from_secs(PHASE_TIMEOUT_S + 30);
        tokio::task::spawn_blocking(move || run_child(&args, &dir, limit))
            .await
            .map_err(|e| format!("the child run panicked: {e}"))?
    };
    drop(chaos);
    let cell = format!("{behaviour:?} × {}", phase.name);
    let mut problems = Vec::new();
    if ran.code != Some(code) {
        problems.push(format!("exit {:?}, expected {code}", ran.code));
    }
    let causes: Vec<&str> = ran
        .stderr
        .lines()
        .filter(|l| l.starts_with("tidegauge: "))
        .collect();
    match causes.as_slice() {
        [line] if line.to_lowercase().contains(&mentions.to_lowercase()) => {}
        other => problems.push(format!(
            "expected one `tidegauge: ` line mentioning {mentions:?}, got {other:?}"
        )),
    }
    if ran.stderr.contains("panicked") {
        problems.push("a panic".into());
    }
    if ran.elapsed >= bound {
        problems.push(format!("took {:?}, bound {bound:?}", ran.elapsed));
    }
    let files = report_files(&reports);
    for wanted in phase.reports {
        if !files.iter().any(|f| f == wanted) {
            problems.push(format!("no {wanted} in the reports ({files:?})"));
        }
    }
    // The metrics key reaches the binary through the environment only; no output holds it.
    for (name, text) in report_texts(&reports).into_iter().chain([
        ("stdout".into(), ran.stdout.clone()),
        ("stderr".into(), ran.stderr.clone()),
    ]) {
        if text.contains(chaos::KEY) {
            problems.push(format!("{name} holds the metrics key"));
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
    if problems.is_empty() {
        Ok(format!(
            "{cell}: exit {code} in {:.1} s: {}",
            ran.elapsed.as_secs_f64(),
            causes.first().copied().unwrap_or_default()
        ))
    } else {
        Err(format!(
            "{cell}: {}\n  stderr: {}\n  stdout: {}",
            problems.join("; "),
            ran.stderr.trim(),
            ran.stdout.trim()
        ))
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_phase_ends_with_a_clear_verdict_against_every_chaos_behaviour() {
    let started = Instant::now();
    // Four cells at a time: most wait on timeouts, and a machine of two cores must not make
    // the bounds fail by itself.
    let permits = Arc::new(tokio::sync::Semaphore::new(4));
    let mut cells = Vec::new();
    for (behaviour, expects) in TABLE {
        for (phase, expect) in PHASES.iter().zip(expects) {
            let (code, mentions) = match *expect {
                Expect::Ends { code, mentions } => (code, mentions),
                Expect::NotApplicable(why) => {
                    println!("{behaviour:?} × {}: not applicable ({why})", phase.name);
                    continue;
                }
            };
            let permits = Arc::clone(&permits);
            let behaviour = *behaviour;
            cells.push(tokio::spawn(async move {
                let _permit = permits.acquire().await.expect("the semaphore is open");
                check_cell(behaviour, phase, code, mentions).await
            }));
        }
    }
    let mut failures = Vec::new();
    for cell in cells {
        match cell.await.expect("a cell task") {
            Ok(line) => println!("{line}"),
            Err(problem) => failures.push(problem),
        }
    }
    println!("table: {:.1} s", started.elapsed().as_secs_f64());
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Peak RSS of one phase against `behaviour`, in KiB, with the default limits (the caps a
/// real run has), and the cause line it printed.
async fn peak_rss(phase: &Phase, behaviour: Behaviour, code: i32) -> (i64, String) {
    let chaos = chaos::start(behaviour).await;
    let dir = temp_dir("rss");
    let reports = dir.join("reports");
    // The default limits: drop the short ones `args` added (each flag and its value).
    let mut kept = Vec::new();
    let mut skip = false;
    for arg in (phase.args)(&chaos.base_url, &reports) {
        if skip {
            skip = false;
            continue;
        }
        if ["--request-timeout", "--retries", "--phase-timeout"].contains(&arg.as_str()) {
            skip = true;
            continue;
        }
        kept.push(arg);
    }
    let ran = {
        let dir = dir.clone();
        tokio::task::spawn_blocking(move || run_child(&kept, &dir, Duration::from_secs(120)))
            .await
            .expect("the child run")
    };
    drop(chaos);
    assert_eq!(
        ran.code,
        Some(code),
        "{behaviour:?} × {}: stderr {}",
        phase.name,
        ran.stderr
    );
    let _ = std::fs::remove_dir_all(&dir);
    let cause = ran
        .stderr
        .lines()
        .find(|l| l.starts_with("tidegauge: "))
        .unwrap_or_default()
        .to_owned();
    (ran.max_rss_kib, cause)
}

/// The bound of issue #7: a huge answer costs less than 100 MB above the same phase's peak
/// against a target that answers 500 at once (the idle baseline).
const RSS_BOUND_KIB: i64 = 100 * 1024;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn peak_memory_stays_bounded_on_huge_answers() {
    for (phase, huge, failed) in [
        (&PHASES[1], Behaviour::HugeExposition(200_000_000), 4),
        (&PHASES[0], Behaviour::HugeBody(100_000_000), 1),
    ] {
        let (baseline, _) = peak_rss(phase, Behaviour::Status(500), failed).await;
        let (peak, cause) = peak_rss(phase, huge, failed).await;
        println!(
            "{} against {huge:?}: peak RSS {} MiB, baseline (500 at once) {} MiB, above baseline {} MiB (bound {} MiB); {cause}",
            phase.name,
            peak / 1024,
            baseline / 1024,
            (peak - baseline) / 1024,
            RSS_BOUND_KIB / 1024
        );
        assert!(cause.contains("larger than the cap"), "{cause}");
        assert!(
            peak - baseline < RSS_BOUND_KIB,
            "{} against {huge:?}: {peak} KiB peak, {baseline} KiB baseline",
            phase.name
        );
    }
}

/// Ctrl-C (SIGINT) and SIGTERM stop every phase at once, even in the middle of a request to a
/// target that never answers: exit 130 or 143, reports written.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_signal_stops_every_phase_with_its_exit_code_and_reports() {
    let mut runs = Vec::new();
    for phase in &PHASES {
        for (signal, code) in [(libc::SIGINT, 130), (libc::SIGTERM, 143)] {
            runs.push(tokio::spawn(async move {
                let chaos = chaos::start(Behaviour::Silent).await;
                let dir = temp_dir("signal");
                let reports = dir.join("reports");
                // Long request timeouts: only the signal can end the run early.
                let mut args = (phase.args)(&chaos.base_url, &reports);
                let at = args
                    .iter()
                    .position(|a| a == "--request-timeout")
                    .expect("the phase sets a request timeout");
                args[at + 1] = "60".into();
                let connections = Arc::clone(&chaos.connections);
                let runner_dir = dir.clone();
                let ran = tokio::task::spawn_blocking(move || {
                    run_child_with(&args, &runner_dir, Duration::from_secs(60), |pid| {
                        // The request in flight shows the handlers are installed.
                        let waiting = Instant::now();
                        while connections.load(std::sync::atomic::Ordering::SeqCst) == 0 {
                            assert!(
                                waiting.elapsed() < Duration::from_secs(30),
                                "no request came"
                            );
                            std::thread::sleep(Duration::from_millis(20));
                        }
                        // SAFETY: signalling our own running child.
                        unsafe { libc::kill(pid, signal) };
                    })
                })
                .await
                .expect("the child run");
                let files = report_files(&reports);
                let _ = std::fs::remove_dir_all(&dir);
                assert_eq!(
                    ran.code,
                    Some(code),
                    "{} signal {signal}: {}",
                    phase.name,
                    ran.stderr
                );
                assert!(
                    ran.elapsed < Duration::from_secs(20) * phase.phases,
                    "{} took {:?}",
                    phase.name,
                    ran.elapsed
                );
                for wanted in phase.reports {
                    assert!(
                        files.iter().any(|f| f == wanted),
                        "{}: no {wanted} in {files:?}",
                        phase.name
                    );
                }
                println!(
                    "{} stopped by signal {signal}: exit {code} in {:.1} s",
                    phase.name,
                    ran.elapsed.as_secs_f64()
                );
            }));
        }
    }
    for run in runs {
        run.await.expect("a signal run");
    }
}

/// Retries: an idempotent request is retried on 502/503/504 and every retry is in the report;
/// a 500 is an answer, not retried.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn retries_happen_on_gateway_errors_only_and_every_one_is_reported() {
    for (phase, report) in [(&PHASES[0], "conform.json"), (&PHASES[1], "metrics.json")] {
        for (status, retried) in [(503, u64::from(RETRIES)), (500, 0)] {
            let chaos = chaos::start(Behaviour::Status(status)).await;
            let dir = temp_dir("retries");
            let reports = dir.join("reports");
            let args = (phase.args)(&chaos.base_url, &reports);
            let runner_dir = dir.clone();
            tokio::task::spawn_blocking(move || {
                run_child(&args, &runner_dir, Duration::from_secs(60))
            })
            .await
            .expect("the child run");
            let json = json_report(&reports, report);
            let _ = std::fs::remove_dir_all(&dir);
            let log = &json["retries"];
            assert_eq!(
                log["total"], retried,
                "{} against {status}: {log}",
                phase.name
            );
            if retried > 0 {
                let first = &log["retries"][0];
                assert_eq!(first["attempt"], 1, "{log}");
                assert!(
                    first["cause"].as_str().is_some_and(|c| c.contains("503")),
                    "{log}"
                );
                assert!(
                    first["request"]
                        .as_str()
                        .is_some_and(|r| r.starts_with("GET ")),
                    "{log}"
                );
            }
        }
    }
}

/// `--phase-timeout` ends a phase stuck on a target that never answers, long before its
/// request timeout, with exit 3, the cause and the reports.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_phase_timeout_ends_a_phase_stuck_on_a_silent_target() {
    for phase in &PHASES {
        let chaos = chaos::start(Behaviour::Silent).await;
        let dir = temp_dir("phase-timeout");
        let reports = dir.join("reports");
        let mut args = (phase.args)(&chaos.base_url, &reports);
        for (flag, value) in [("--request-timeout", "60"), ("--phase-timeout", "2")] {
            let at = args
                .iter()
                .position(|a| a == flag)
                .expect("the phase sets it");
            args[at + 1] = value.into();
        }
        let runner_dir = dir.clone();
        let ran = tokio::task::spawn_blocking(move || {
            run_child(&args, &runner_dir, Duration::from_secs(60))
        })
        .await
        .expect("the child run");
        let files = report_files(&reports);
        let _ = std::fs::remove_dir_all(&dir);
        assert_eq!(ran.code, Some(3), "{}: {}", phase.name, ran.stderr);
        assert!(
            ran.stderr.contains("--phase-timeout"),
            "{}: {}",
            phase.name,
            ran.stderr
        );
        assert!(
            ran.elapsed < Duration::from_secs(6) * phase.phases,
            "{}: {:?}",
            phase.name,
            ran.elapsed
        );
        for wanted in phase.reports {
            assert!(
                files.iter().any(|f| f == wanted),
                "{}: no {wanted} in {files:?}",
                phase.name
            );
        }
    }
}
