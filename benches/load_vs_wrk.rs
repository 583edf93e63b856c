//! tidegauge's load engine against `wrk`, side by side in one run: the same reference target,
//! the same endpoint (authenticated message history, `limit=50`, 1,000 seeded messages), the
//! same connection count and duration. wrk only counts answers; tidegauge (the closed model:
//! goose users, `tidegauge load` as a separate process like wrk) validates every answer —
//! status, content type, JSON shape, page order — and records it in HDR histograms. Prints
//! both request rates and their ratio. Goal (issue #5): tidegauge ≥ 0.7 × wrk.
//!
//! Run: `cargo bench --bench load_vs_wrk` (builds the release binary it runs). wrk comes from
//! Debian (`apt-get install wrk`); the bench installs it when missing and it can. Env:
//! `CONNECTIONS` (16), `SECONDS` (5), `ROUNDS` (2).

mod support;

use std::process::Command;
use support::{ensure_wrk, env_number, seed, side_by_side, wrk};
use tidegauge::server::{ServerConfig, spawn};

/// One `tidegauge load` run of the history scenario; returns its request rate.
fn tidegauge(base: &str, key: &str, connections: u64, seconds: u64) -> f64 {
    let dir = std::env::temp_dir().join(format!("tidegauge-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let plan = dir.join("history.toml");
    std::fs::write(
        &plan,
        format!(
            "[model]\nkind = \"closed\"\nusers = {connections}\nincrease_rate = \"1000\"\n\
             run_time = \"{seconds}s\"\n[seed]\nmessages = 1000\n[[scenarios]]\nname = \"history\"\n"
        ),
    )
    .unwrap();
    let reports = dir.join("reports");
    let output = Command::new(env!("CARGO_BIN_EXE_tidegauge"))
        .args(["load", "--allow-load", "--base-url", base, "--plan"])
        .arg(&plan)
        .arg("--reports")
        .arg(&reports)
        .env("TIDEGAUGE_METRICS_KEY", key)
        .output()
        .expect("tidegauge runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "tidegauge load failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let report = std::fs::read_dir(&reports)
        .unwrap()
        .filter_map(Result::ok)
        .map(|e| e.path().join("load.json"))
        .filter(|p| p.is_file())
        .max_by_key(|p| p.metadata().and_then(|m| m.modified()).ok())
        .expect("tidegauge wrote load.json");
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(report).unwrap()).unwrap();
    let history = report["requests"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == "history")
        .expect("history statistics");
    assert_eq!(
        history["errors"], 0,
        "tidegauge saw failed answers:\n{stdout}"
    );
    history["rps"].as_f64().unwrap()
}

fn main() {
    ensure_wrk();
    let connections = env_number("CONNECTIONS", 16);
    let seconds = env_number("SECONDS", 5);
    let rounds = env_number("ROUNDS", 2);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let key = "bench-metrics-key";
    let (target, history_url, pat) = runtime.block_on(async {
        let mut config = ServerConfig::for_harness(key);
        config.no_rate_limits = true;
        config.test_controls = false;
        let target = spawn(config).await.expect("reference target starts");
        let (history_url, pat) = seed(&target.url, 1000).await;
        (target, history_url, pat)
    });
    println!(
        "authenticated history (limit 50 of 1000), {connections} connections, {seconds} s, {rounds} rounds"
    );
    let (ours, theirs) = side_by_side(
        rounds,
        ("tidegauge", &mut || {
            tidegauge(&target.url, key, connections, seconds)
        }),
        ("wrk", &mut || {
            wrk(&history_url, Some(&pat), connections, seconds)
        }),
    );
    println!("tidegauge (validating every answer): {ours:>9.0} req/s (mean)");
    println!("wrk (counting answers):              {theirs:>9.0} req/s (mean)");
    println!("ratio tidegauge/wrk: {:.2} (goal >= 0.70)", ours / theirs);
    runtime.block_on(async { target.shutdown().await.unwrap() });
}
