//! What the benchmarks share: seeding the reference target over its API, and running `wrk`
//! (installed from Debian's packages when missing) with its failures checked.

use serde_json::{Value, json};
use std::process::Command;

pub fn env_number(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

pub async fn api(
    client: &reqwest::Client,
    url: String,
    auth: Option<(&str, &str)>,
    body: Value,
) -> Value {
    let mut request = client.post(url).json(&body);
    if let Some((header, value)) = auth {
        request = request.header(header, value);
    }
    let response = request.send().await.expect("reference target answers");
    assert!(
        response.status().is_success(),
        "seeding failed: {}",
        response.status()
    );
    response.json().await.expect("JSON answer")
}

/// Registers a user, makes a PAT, an agency and a hook key, posts `count` messages.
/// Returns (history URL, PAT).
pub async fn seed(base: &str, count: usize) -> (String, String) {
    let client = reqwest::Client::new();
    let user = api(
        &client,
        format!("{base}/api/auth/register"),
        None,
        json!({"username": "bench_user", "password": "bench-password"}),
    )
    .await;
    let session = format!("Bearer {}", user["token"].as_str().unwrap());
    let pat = api(
        &client,
        format!("{base}/api/auth/tokens"),
        Some(("authorization", &session)),
        json!({"name": "bench"}),
    )
    .await;
    let pat = pat["token"].as_str().unwrap().to_owned();
    let bearer = format!("Bearer {pat}");
    let agency = api(
        &client,
        format!("{base}/api/agencies"),
        Some(("authorization", &bearer)),
        json!({"name": "Bench Agency"}),
    )
    .await;
    let agency_id = agency["id"].as_str().unwrap().to_owned();
    let command = api(
        &client,
        format!("{base}/api/custom-commands/{agency_id}/commands"),
        Some(("authorization", &bearer)),
        json!({"name": "bench", "webhookUrl": "https://example.com/bench"}),
    )
    .await;
    let key = command["hookKey"].as_str().unwrap().to_owned();
    for i in 0..count {
        let content = format!("message {i}: the quick brown fox jumps over the lazy dog");
        api(
            &client,
            format!("{base}/api/hooks/messages"),
            Some(("x-crustocean-hook-key", &key)),
            json!({"agencyId": agency_id, "content": content}),
        )
        .await;
    }
    (
        format!("{base}/api/agencies/{agency_id}/messages?limit=50"),
        pat,
    )
}

pub fn ensure_wrk() {
    if Command::new("wrk").arg("--version").output().is_ok() {
        return;
    }
    eprintln!("wrk is missing; installing it from Debian's packages");
    let installed = Command::new("apt-get")
        .args(["install", "-y", "-qq", "wrk"])
        .status();
    assert!(
        installed.is_ok_and(|s| s.success()),
        "install wrk first: apt-get install wrk"
    );
}

/// One wrk run; returns requests per second. Panics on any non-2xx or socket error.
pub fn wrk(url: &str, bearer: Option<&str>, connections: u64, seconds: u64) -> f64 {
    let mut command = Command::new("wrk");
    command.args(["-t2", &format!("-c{connections}"), &format!("-d{seconds}s")]);
    if let Some(token) = bearer {
        command.args(["-H", &format!("Authorization: Bearer {token}")]);
    }
    let output = command.arg(url).output().expect("wrk runs");
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(!text.contains("Non-2xx"), "wrk saw failed answers:\n{text}");
    assert!(
        !text.contains("Socket errors"),
        "wrk saw socket errors:\n{text}"
    );
    text.lines()
        .find_map(|l| l.strip_prefix("Requests/sec:"))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or_else(|| panic!("no rate in wrk output:\n{text}"))
}

/// Runs two measurements (requests per second) alternately for `rounds` rounds, printing
/// each round and the ratio first/second; returns both means.
pub fn side_by_side(
    rounds: u64,
    (first_name, first): (&str, &mut dyn FnMut() -> f64),
    (second_name, second): (&str, &mut dyn FnMut() -> f64),
) -> (f64, f64) {
    let (mut first_total, mut second_total) = (0.0, 0.0);
    for round in 1..=rounds {
        let a = first();
        let b = second();
        println!(
            "round {round}: {first_name} {a:>9.0} req/s   {second_name} {b:>9.0} req/s   ratio {:.2}",
            a / b
        );
        first_total += a;
        second_total += b;
    }
    (first_total / rounds as f64, second_total / rounds as f64)
}
