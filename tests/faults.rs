//! One test per fault of the core (authentication, response contract, metrics and performance
//! layers), each showing the behaviour the fault changes against a clean instance. Faults of
//! a single API area are tested beside that area (agencies, messages, agents, hooks, ...).

mod common;

use common::*;
use serde_json::json;
use tidegauge::server::faults::Fault;

#[tokio::test]
async fn expired_pat_accepted() {
    for (faults, expected) in [(vec![], 401), (vec![Fault::ExpiredPatAccepted], 200)] {
        let server = start_with_faults(&faults).await;
        let (session, _) = server.register().await;
        let created = server
            .post(
                "/api/auth/tokens",
                &session,
                json!({"name": "n", "expiresIn": "30d"}),
            )
            .await;
        let pat = Cred::Bearer(created.expect(201)["token"].as_str().unwrap().to_owned());
        server.advance(31 * 24 * 3600).await;
        assert_eq!(
            server.get("/api/auth/me", &pat).await.status,
            expected,
            "faults {faults:?}"
        );
    }
}

#[tokio::test]
async fn revoked_pat_accepted() {
    for (faults, expected) in [(vec![], 401), (vec![Fault::RevokedPatAccepted], 200)] {
        let server = start_with_faults(&faults).await;
        let (session, _) = server.register().await;
        let created = server
            .post("/api/auth/tokens", &session, json!({"name": "n"}))
            .await
            .expect(201)
            .clone();
        let id = created["id"].as_str().unwrap();
        server
            .call("DELETE", &format!("/api/auth/tokens/{id}"), &session, None)
            .await
            .expect(200);
        let pat = Cred::Bearer(created["token"].as_str().unwrap().to_owned());
        assert_eq!(
            server.get("/api/auth/me", &pat).await.status,
            expected,
            "faults {faults:?}"
        );
    }
}

#[tokio::test]
async fn missing_credential_403() {
    for (faults, expected) in [(vec![], 401), (vec![Fault::MissingCredential403], 403)] {
        let server = start_with_faults(&faults).await;
        assert_eq!(
            server.get("/api/auth/me", &Cred::None).await.status,
            expected
        );
        // A wrong credential is still 401: the fault changes only the missing case.
        assert_eq!(
            server
                .get("/api/auth/me", &Cred::Bearer("nope".into()))
                .await
                .status,
            401
        );
    }
}

#[tokio::test]
async fn cookie_ignored() {
    for (faults, expected) in [(vec![], 200), (vec![Fault::CookieIgnored], 401)] {
        let server = start_with_faults(&faults).await;
        let (Cred::Bearer(token), _) = server.register().await else {
            unreachable!()
        };
        assert_eq!(
            server
                .get("/api/auth/me", &Cred::Cookie(token.clone()))
                .await
                .status,
            expected
        );
        assert_eq!(
            server
                .get("/api/auth/me", &Cred::Bearer(token))
                .await
                .status,
            200
        );
    }
}

#[tokio::test]
async fn json_wrong_content_type() {
    for (faults, expected) in [
        (vec![], "application/json"),
        (vec![Fault::JsonWrongContentType], "text/html"),
    ] {
        let server = start_with_faults(&faults).await;
        let (session, _) = server.register().await;
        let me = server.get("/api/auth/me", &session).await;
        assert_eq!(me.header("content-type"), Some(expected));
        assert_eq!(me.json["type"], "user", "the body itself is unchanged");
    }
}

#[tokio::test]
async fn error_body_not_json() {
    let clean = start().await;
    clean
        .get("/api/auth/me", &Cred::None)
        .await
        .expect_error(401);
    let faulty = start_with_faults(&[Fault::ErrorBodyNotJson]).await;
    let answer = faulty.get("/api/auth/me", &Cred::None).await;
    assert_eq!(answer.status, 401);
    assert!(
        answer.json.is_null(),
        "body must not be JSON: {}",
        answer.text
    );
    assert_eq!(answer.text, "Authentication required");
    // Successes keep their JSON.
    let (session, _) = faulty.register().await;
    assert_eq!(
        faulty.get("/api/auth/me", &session).await.json["type"],
        "user"
    );
}

#[tokio::test]
async fn every_100th_500() {
    for (faults, expected_500s) in [(vec![], 0), (vec![Fault::Every100th500], 2)] {
        let server = start_with_faults(&faults).await;
        let mut failures = 0;
        for _ in 0..200 {
            if server
                .get("/api/commands-not-there", &Cred::None)
                .await
                .status
                == 500
            {
                failures += 1;
            }
        }
        assert_eq!(failures, expected_500s, "faults {faults:?}");
    }
}

#[tokio::test]
async fn retry_after_missing() {
    for (faults, has_header) in [(vec![], true), (vec![Fault::RetryAfterMissing], false)] {
        let server = start_with_faults(&faults).await;
        let mut last = None;
        for _ in 0..11 {
            last = Some(
                server
                    .post(
                        "/api/auth/login",
                        &Cred::None,
                        json!({"username": "x", "password": "y"}),
                    )
                    .await,
            );
        }
        let limited = last.unwrap();
        assert_eq!(limited.status, 429);
        assert_eq!(
            limited.header("retry-after").is_some(),
            has_header,
            "faults {faults:?}"
        );
    }
}

fn series<'a>(exposition: &'a str, prefix: &str) -> Vec<&'a str> {
    exposition
        .lines()
        .filter(|l| l.starts_with(prefix))
        .collect()
}

#[tokio::test]
async fn raw_path_label() {
    for (faults, raw) in [(vec![], false), (vec![Fault::RawPathLabel], true)] {
        let server = start_with_faults(&faults).await;
        let (session, _) = server.register().await;
        let created = server
            .post("/api/auth/tokens", &session, json!({"name": "n"}))
            .await
            .expect(201)
            .clone();
        let id = created["id"].as_str().unwrap();
        server
            .call("DELETE", &format!("/api/auth/tokens/{id}"), &session, None)
            .await
            .expect(200);
        let exposition = server.metrics().await;
        assert_eq!(exposition.contains(id), raw, "faults {faults:?}");
        assert_eq!(exposition.contains("path=\"/api/auth/tokens/:id\""), !raw);
    }
}

#[tokio::test]
async fn stale_gauges() {
    for (faults, users_after) in [
        (vec![], "crustocean_users_total 1"),
        (vec![Fault::StaleGauges], "crustocean_users_total 0"),
    ] {
        let server = start_with_faults(&faults).await;
        assert!(server.metrics().await.contains("crustocean_users_total 0"));
        server.register().await;
        server.advance(31).await;
        assert!(
            server.metrics().await.contains(users_after),
            "faults {faults:?}"
        );
    }
}

#[tokio::test]
async fn histogram_without_count() {
    for (faults, has_count) in [(vec![], true), (vec![Fault::HistogramWithoutCount], false)] {
        let server = start_with_faults(&faults).await;
        server.get("/api/auth/me", &Cred::None).await;
        let exposition = server.metrics().await;
        assert_eq!(
            !series(&exposition, "http_request_duration_seconds_count").is_empty(),
            has_count
        );
        assert!(!series(&exposition, "http_request_duration_seconds_bucket").is_empty());
    }
}

#[tokio::test]
async fn counter_reset() {
    for (faults, survives) in [(vec![], true), (vec![Fault::CounterReset], false)] {
        let server = start_with_faults(&faults).await;
        server.get("/api/auth/me", &Cred::None).await;
        let first = server.metrics().await;
        let second = server.metrics().await;
        assert!(!series(&first, "http_requests_total{").is_empty());
        assert_eq!(
            !series(&second, "http_requests_total{").is_empty(),
            survives,
            "faults {faults:?}"
        );
    }
}

#[tokio::test]
async fn snapshot_disagrees() {
    for (faults, offset) in [(vec![], 0.0), (vec![Fault::SnapshotDisagrees], 1.0)] {
        let server = start_with_faults(&faults).await;
        server.get("/api/auth/me", &Cred::None).await;
        let snapshot = server
            .get(&format!("/metrics/json?key={METRICS_KEY}"), &Cred::None)
            .await;
        let series = snapshot.expect(200)["http_requests_total"]
            .as_array()
            .unwrap()
            .clone();
        assert_eq!(series.len(), 1);
        assert_eq!(
            series[0]["value"].as_f64().unwrap(),
            1.0 + offset,
            "faults {faults:?}"
        );
        assert!(server.metrics().await.contains("status=\"401\"} 1"));
    }
}

#[tokio::test]
async fn metrics_open() {
    for (faults, expected) in [(vec![], 401), (vec![Fault::MetricsOpen], 200)] {
        let server = start_with_faults(&faults).await;
        assert_eq!(server.get("/metrics", &Cred::None).await.status, expected);
        assert_eq!(
            server.get("/metrics/json", &Cred::None).await.status,
            expected
        );
    }
}

/// Every fault the reference target offers is exercised by name somewhere in tests/.
#[test]
fn every_fault_has_a_test() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests");
    let sources: String = std::fs::read_dir(dir)
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.path().extension().is_some_and(|x| x == "rs"))
        .map(|e| std::fs::read_to_string(e.path()).unwrap())
        .collect();
    let untested: Vec<String> = Fault::ALL
        .iter()
        .map(|f| format!("Fault::{f:?}"))
        .filter(|name| {
            !sources.contains(&format!("{name}]")) && !sources.contains(&format!("{name},"))
        })
        .collect();
    assert!(untested.is_empty(), "faults without a test: {untested:?}");
}

#[tokio::test]
async fn field_renamed() {
    for (faults, key, absent) in [
        (vec![], "content", "text"),
        (vec![Fault::FieldRenamed], "text", "content"),
    ] {
        let server = start_with_faults(&faults).await;
        let (session, _) = server.register().await;
        let agency = server.agency(&session).await;
        let id = agency["id"].as_str().unwrap();
        let hook = Cred::HookKey(server.hook_key(&session, id).await);
        server
            .post_message(&hook, id, "message 0")
            .await
            .expect(201);
        let history = server
            .get(&format!("/api/agencies/{id}/messages"), &session)
            .await;
        let item = &history.expect(200)[0];
        assert_eq!(item[key], "message 0", "faults {faults:?}");
        assert!(item.get(absent).is_none());
    }
}

#[tokio::test]
async fn slow_history() {
    let server = start_with_faults(&[Fault::SlowHistory]).await;
    let (session, _) = server.register().await;
    let agency = server.agency(&session).await;
    let path = format!("/api/agencies/{}/messages", agency["id"].as_str().unwrap());
    let mut slow = Vec::new();
    for n in 1..=20 {
        let started = std::time::Instant::now();
        server.get(&path, &session).await.expect(200);
        if started.elapsed() >= std::time::Duration::from_millis(200) {
            slow.push(n);
        }
    }
    // Every 10th history request is held back 200 ms; other routes are untouched.
    assert!(
        slow.contains(&10) && slow.contains(&20),
        "slow requests: {slow:?}"
    );
    let started = std::time::Instant::now();
    for _ in 0..10 {
        server.get("/api/auth/me", &session).await.expect(200);
    }
    assert!(started.elapsed() < std::time::Duration::from_millis(2000));
}

#[tokio::test]
async fn unverified_agent_exchange() {
    for (faults, expected) in [(vec![], 403), (vec![Fault::UnverifiedAgentExchange], 200)] {
        let server = start_with_faults(&faults).await;
        let (session, _) = server.register().await;
        let created = server
            .post("/api/agents", &session, json!({"name": unique("tgagent")}))
            .await;
        let token = created.expect(201)["agentToken"]
            .as_str()
            .unwrap()
            .to_owned();
        let exchange = server.exchange(&token).await;
        assert_eq!(exchange.status, expected, "faults {faults:?}");
    }
}

#[tokio::test]
async fn periodic_stall() {
    let server = start_with_faults(&[Fault::PeriodicStall]).await;
    // Wait for 100 ms into the next stall window (the first second of every 5 s of wall time).
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis();
    let until_window = 5_000 - now % 5_000 + 100;
    tokio::time::sleep(std::time::Duration::from_millis(until_window as u64)).await;
    let started = std::time::Instant::now();
    server
        .get("/api/explore/agencies", &Cred::None)
        .await
        .expect(200);
    let held = started.elapsed();
    // Held until the window ends, about 900 ms later.
    assert!(
        held >= std::time::Duration::from_millis(600),
        "held {held:?}"
    );
}
