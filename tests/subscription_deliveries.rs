//! End to end deliveries of webhook subscriptions (endpoints.md §18.3, §18.4): a loopback
//! sink records what arrives; the signature is checked with HMAC-SHA256 over the raw body;
//! disabled or non-matching subscriptions get nothing; failed deliveries are retried after
//! about 1 and 2 s; the `signature-wrong` fault is visible. `message.created` is fired by a
//! hook message (`POST /api/hooks/messages`), as on the real platform.

mod common;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri};
use common::*;
use hmac::{Hmac, Mac};
use serde_json::{Value, json};
use sha2::Sha256;
use std::sync::atomic::{AtomicU16, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tidegauge::server::faults::Fault;
use uuid::Uuid;

/// An agency owned by `owner`, and a hook installed in it (its key posts the messages).
async fn agency_with_hook(server: &Server, owner: &Cred) -> (String, Cred) {
    let agency = id_of(&server.agency(owner).await);
    let key = Cred::HookKey(server.hook_key(owner, &agency).await);
    (agency, key)
}

/// A hook message in `agency`, which fires `message.created`.
async fn trigger(server: &Server, key: &Cred, agency: &str, content: &str) {
    let body = json!({
        "agencyId": agency, "content": content, "type": "system", "metadata": {"roll": 4},
        "sender_username": "dicebot", "sender_display_name": "Dice Bot",
    });
    server
        .post("/api/hooks/messages", key, body)
        .await
        .expect(201);
}

// ---------------------------------------------------------------- the sink

#[derive(Clone)]
struct Hit {
    path: String,
    headers: HeaderMap,
    body: Bytes,
    at: Instant,
}

#[derive(Clone, Default)]
struct Sink {
    url: String,
    hits: Arc<Mutex<Vec<Hit>>>,
    status: Arc<AtomicU16>,
}

async fn record(State(sink): State<Sink>, uri: Uri, headers: HeaderMap, body: Bytes) -> StatusCode {
    sink.hits.lock().unwrap().push(Hit {
        path: uri.path().to_owned(),
        headers,
        body,
        at: Instant::now(),
    });
    StatusCode::from_u16(sink.status.load(Ordering::SeqCst)).unwrap()
}

/// A loopback HTTP server that records every request and answers `status`.
async fn sink(status: u16) -> Sink {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let sink = Sink {
        url: format!("http://{}", listener.local_addr().unwrap()),
        ..Sink::default()
    };
    sink.status.store(status, Ordering::SeqCst);
    let app = Router::new().fallback(record).with_state(sink.clone());
    tokio::spawn(async move { axum::serve(listener, app).await });
    sink
}

impl Sink {
    fn hits(&self, path: &str) -> Vec<Hit> {
        let hits = self.hits.lock().unwrap();
        hits.iter().filter(|h| h.path == path).cloned().collect()
    }

    /// Waits until `path` received `n` requests (at most `secs` seconds), returns them.
    async fn wait_for(&self, path: &str, n: usize, secs: u64) -> Vec<Hit> {
        let deadline = Instant::now() + Duration::from_secs(secs);
        loop {
            let hits = self.hits(path);
            if hits.len() >= n || Instant::now() > deadline {
                return hits;
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
    }
}

fn header<'a>(hit: &'a Hit, name: &str) -> Option<&'a str> {
    hit.headers.get(name).and_then(|v| v.to_str().ok())
}

/// `sha256=<hex HMAC-SHA256(secret, body)>`, checked in constant time.
fn signature_valid(secret: &str, hit: &Hit) -> bool {
    let Some(hex_digest) =
        header(hit, "x-crustocean-signature").and_then(|s| s.strip_prefix("sha256="))
    else {
        return false;
    };
    let Ok(digest) = hex::decode(hex_digest) else {
        return false;
    };
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(&hit.body);
    mac.verify_slice(&digest).is_ok()
}

#[tokio::test]
async fn deliveries_are_signed_and_only_enabled_matching_subscriptions_receive() {
    let server = start().await;
    let sink = sink(200).await;
    let (alice, _) = server.register().await;
    let (agency, key) = agency_with_hook(&server, &alice).await;
    let secret = "tg-delivery-secret";
    let url = |path: &str| format!("{}{path}", sink.url);
    server
        .subscribe(
            &alice,
            &agency,
            json!({"url": url("/signed"), "events": ["message.created"], "secret": secret}),
        )
        .await;
    server
        .subscribe(
            &alice,
            &agency,
            json!({"url": url("/plain"), "events": ["message.created"]}),
        )
        .await;
    let disabled = server
        .subscribe(
            &alice,
            &agency,
            json!({"url": url("/disabled"), "events": ["message.created"], "enabled": false}),
        )
        .await;
    server
        .subscribe(
            &alice,
            &agency,
            json!({"url": url("/members"), "events": ["member.joined"]}),
        )
        .await;

    trigger(&server, &key, &agency, "rolled a 4").await;
    let signed = sink.wait_for("/signed", 1, 5).await;
    assert_eq!(signed.len(), 1, "the signed delivery arrives within 5 s");
    let hit = &signed[0];
    assert!(
        signature_valid(secret, hit),
        "signature verifies over the raw body"
    );
    assert!(!signature_valid("another-secret", hit));
    assert_eq!(header(hit, "content-type"), Some("application/json"));
    assert_eq!(header(hit, "x-crustocean-event"), Some("message.created"));
    assert!(header(hit, "x-crustocean-delivery").is_some_and(|d| Uuid::parse_str(d).is_ok()));
    assert_eq!(header(hit, "user-agent"), Some("Crustocean-Webhooks/1.0"));
    let body: Value = serde_json::from_slice(&hit.body).unwrap();
    assert_eq!(body["event"], "message.created");
    assert_eq!(body["agencyId"], agency.as_str());
    assert!(body["timestamp"].as_str().unwrap().ends_with('Z'));
    assert_eq!(body["message"]["content"], "rolled a 4");
    assert_eq!(body["message"]["metadata"], "{\"roll\":4}");
    assert_eq!(body["message"]["sender_type"], "system");

    let plain = sink.wait_for("/plain", 1, 5).await;
    assert_eq!(plain.len(), 1);
    assert!(header(&plain[0], "x-crustocean-signature").is_none());

    // Give stray deliveries time to arrive: the disabled and the non-matching get nothing.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert!(sink.hits("/disabled").is_empty());
    assert!(sink.hits("/members").is_empty());

    // Switching: the disabled one enabled receives the next event; disabling stops deliveries.
    let path = format!("/api/webhook-subscriptions/{agency}");
    server
        .call(
            "PATCH",
            &format!("{path}/{}", disabled["id"].as_str().unwrap()),
            &alice,
            Some(json!({"enabled": true})),
        )
        .await
        .expect(200);
    let signed_id = server.get(&path, &alice).await.expect(200)[0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    server
        .call(
            "PATCH",
            &format!("{path}/{signed_id}"),
            &alice,
            Some(json!({"active": false})),
        )
        .await
        .expect(200);
    trigger(&server, &key, &agency, "second").await;
    assert_eq!(sink.wait_for("/disabled", 1, 5).await.len(), 1);
    assert_eq!(sink.wait_for("/plain", 2, 5).await.len(), 2);
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(
        sink.hits("/signed").len(),
        1,
        "a disabled subscription receives nothing"
    );
}

#[tokio::test]
async fn failed_deliveries_are_retried_with_backoff() {
    let server = start().await;
    let sink = sink(500).await;
    let (alice, _) = server.register().await;
    let (agency, key) = agency_with_hook(&server, &alice).await;
    server.subscribe(
        &alice,
        &agency,
        json!({"url": format!("{}/failing", sink.url), "events": ["message.created"], "secret": "k"}),
    )
    .await;
    trigger(&server, &key, &agency, "retry me").await;
    let hits = sink.wait_for("/failing", 3, 8).await;
    assert!(
        hits.len() >= 3,
        "three attempts expected, got {}",
        hits.len()
    );
    let first_gap = hits[1].at - hits[0].at;
    let second_gap = hits[2].at - hits[1].at;
    assert!(
        first_gap >= Duration::from_millis(900) && first_gap < Duration::from_millis(1900),
        "first retry after ~1 s, got {first_gap:?}"
    );
    assert!(
        second_gap >= Duration::from_millis(1900) && second_gap < Duration::from_millis(3500),
        "second retry after ~2 s, got {second_gap:?}"
    );
    let delivery = header(&hits[0], "x-crustocean-delivery")
        .unwrap()
        .to_owned();
    for hit in &hits {
        assert_eq!(
            header(hit, "x-crustocean-delivery"),
            Some(delivery.as_str())
        );
        assert_eq!(hit.body, hits[0].body);
        assert!(signature_valid("k", hit));
    }

    // A sink that recovers stops the retries: the next event is delivered once.
    sink.status.store(200, Ordering::SeqCst);
    trigger(&server, &key, &agency, "now it works").await;
    let deadline = Instant::now() + Duration::from_secs(5);
    let delivered = loop {
        let bodies: Vec<Value> = sink
            .hits("/failing")
            .iter()
            .map(|h| serde_json::from_slice(&h.body).unwrap())
            .filter(|b: &Value| b["message"]["content"] == "now it works")
            .collect();
        if !bodies.is_empty() || Instant::now() > deadline {
            break bodies.len();
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    };
    assert_eq!(delivered, 1);
}

#[tokio::test]
async fn signature_wrong_fault_breaks_verification() {
    let server = start_with_faults(&[Fault::SignatureWrong]).await;
    let sink = sink(200).await;
    let (alice, _) = server.register().await;
    let (agency, key) = agency_with_hook(&server, &alice).await;
    server.subscribe(
        &alice,
        &agency,
        json!({"url": format!("{}/faulty", sink.url), "events": ["message.created"], "secret": "right"}),
    )
    .await;
    trigger(&server, &key, &agency, "signed wrongly").await;
    let hits = sink.wait_for("/faulty", 1, 5).await;
    assert_eq!(hits.len(), 1);
    assert!(header(&hits[0], "x-crustocean-signature").is_some_and(|s| s.starts_with("sha256=")));
    assert!(
        !signature_valid("right", &hits[0]),
        "the fault's signature must not verify"
    );
}
