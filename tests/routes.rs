//! Every endpoint of the spec has a route: each of the 83 rows of fixtures/endpoints.json is
//! called once, and the reference target's own `http_requests_total` must show it under its
//! spec template (a request that matched no route is labelled `unmatched`).

mod common;

use common::*;
use serde_json::Value;
use std::collections::BTreeSet;

const OBSERVABILITY: [&str; 3] = ["/metrics", "/metrics/json", "/health"];

fn spec_endpoints() -> Vec<Value> {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/fixtures/endpoints.json"
    ))
    .expect("fixtures/endpoints.json is readable");
    let doc: Value = serde_json::from_str(&text).expect("fixtures/endpoints.json is JSON");
    let endpoints = doc["endpoints"]
        .as_array()
        .expect("an endpoints array")
        .clone();
    assert_eq!(endpoints.len(), doc["count"].as_u64().unwrap() as usize);
    endpoints
}

/// `/a/:x/b` → `/a/:/b`, so that parameter names do not matter.
fn normalise(template: &str) -> String {
    template
        .split('/')
        .map(|s| {
            if s.starts_with(':') || s.starts_with('{') {
                ":"
            } else {
                s
            }
        })
        .collect::<Vec<_>>()
        .join("/")
}

/// A concrete path for a template: every parameter becomes a fresh UUID.
fn concrete(template: &str) -> String {
    template
        .split('/')
        .map(|s| {
            if s.starts_with(':') {
                uuid::Uuid::new_v4().to_string()
            } else {
                s.to_owned()
            }
        })
        .collect::<Vec<_>>()
        .join("/")
}

/// (method, path) of every `http_requests_total` series in an exposition.
fn counted_routes(exposition: &str) -> BTreeSet<(String, String)> {
    exposition
        .lines()
        .filter_map(|line| line.strip_prefix("http_requests_total{"))
        .map(|labels| {
            let label = |name: &str| {
                let start =
                    labels.find(&format!("{name}=\"")).expect("label present") + name.len() + 2;
                labels[start..].split('"').next().unwrap().to_owned()
            };
            (label("method"), normalise(&label("path")))
        })
        .collect()
}

#[tokio::test]
async fn the_spec_has_83_endpoints_in_the_fixture() {
    let endpoints = spec_endpoints();
    assert_eq!(endpoints.len(), 83);
    let rows: Vec<u64> = endpoints
        .iter()
        .map(|e| e["row"].as_u64().unwrap())
        .collect();
    assert_eq!(rows, (1..=83).collect::<Vec<_>>());
}

#[tokio::test]
async fn every_spec_endpoint_has_a_route() {
    let server = start().await;
    let endpoints = spec_endpoints();
    for endpoint in &endpoints {
        let method = endpoint["method"].as_str().unwrap();
        let path = endpoint["path"].as_str().unwrap();
        let answer = server
            .call(method, &concrete(path), &Cred::None, None)
            .await;
        if OBSERVABILITY.contains(&path) {
            assert_ne!(answer.status, 404, "{method} {path} has no route");
        }
    }
    let counted = counted_routes(&server.metrics().await);
    let missing: Vec<String> = endpoints
        .iter()
        .filter(|e| !OBSERVABILITY.contains(&e["path"].as_str().unwrap()))
        .map(|e| {
            (
                e["method"].as_str().unwrap().to_owned(),
                e["path"].as_str().unwrap().to_owned(),
            )
        })
        .filter(|(method, path)| !counted.contains(&(method.clone(), normalise(path))))
        .map(|(method, path)| format!("{method} {path}"))
        .collect();
    assert!(
        missing.is_empty(),
        "spec endpoints without a route: {missing:#?}"
    );
    assert!(
        !counted.iter().any(|(_, path)| path == "unmatched"),
        "some spec request fell through to the not-found fallback"
    );
}

#[tokio::test]
async fn unknown_paths_and_methods_are_404_json_and_unmatched() {
    let server = start().await;
    server.get("/api/nope", &Cred::None).await.expect_error(404);
    server
        .call("PUT", "/api/auth/me", &Cred::None, None)
        .await
        .expect_error(404);
    let counted = counted_routes(&server.metrics().await);
    assert!(counted.contains(&("GET".into(), "unmatched".into())));
    assert!(counted.contains(&("PUT".into(), "unmatched".into())));
}
