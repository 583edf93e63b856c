//! `promtool check metrics` on the reference target's `/metrics`, after traffic on several
//! routes: no parse error, and no lint finding except the ones the documented metric names
//! force (metrics.md §2.2: five database gauges are named `..._total` by the docs).
//!
//! promtool comes from Debian's `prometheus` package; `.ci/run` installs it. Outside CI a
//! machine without promtool skips this test with a notice; under CI=true it fails instead.

mod common;

use common::*;
use serde_json::json;
use std::io::Write;
use std::process::{Command, Stdio};

/// Lint findings forced by the documented names (the gauges the docs name `_total`).
const FORCED_LINTS: [&str; 5] = [
    "crustocean_agencies_total non-counter metrics should not have \"_total\" suffix",
    "crustocean_agents_total non-counter metrics should not have \"_total\" suffix",
    "crustocean_memberships_total non-counter metrics should not have \"_total\" suffix",
    "crustocean_messages_total non-counter metrics should not have \"_total\" suffix",
    "crustocean_users_total non-counter metrics should not have \"_total\" suffix",
];

#[tokio::test]
async fn promtool_finds_only_the_lints_the_documented_names_force() {
    let Some(promtool) = promtool(None) else {
        return;
    };
    let server = start().await;
    let (session, _) = server.register().await;
    let pat = server.pat(&session).await;
    server.get("/api/auth/me", &pat).await.expect(200);
    server
        .get("/api/auth/me", &Cred::None)
        .await
        .expect_error(401);
    server
        .get("/api/no-such-route", &Cred::None)
        .await
        .expect_error(404);
    server
        .post("/api/auth/login", &Cred::None, json!({}))
        .await
        .expect_error(400);
    let exposition = server.metrics().await;

    let mut child = Command::new(&promtool)
        .args(["check", "metrics"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("promtool starts");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(exposition.as_bytes())
        .unwrap();
    let output = child.wait_with_output().expect("promtool finishes");
    let stderr = String::from_utf8_lossy(&output.stderr);
    let findings: Vec<&str> = stderr
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    let unexpected: Vec<&&str> = findings
        .iter()
        .filter(|f| !FORCED_LINTS.contains(f))
        .collect();
    assert!(
        unexpected.is_empty(),
        "promtool findings beyond the forced lints: {unexpected:#?}\n{exposition}"
    );
    let code = output.status.code();
    assert!(
        code == Some(0) || code == Some(3),
        "promtool exit {code:?} means a parse error: {stderr}"
    );
}
