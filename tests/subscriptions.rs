//! Rows 76–80 of endpoints.md (§18): the event catalogue and subscription management, and,
//! end to end, the deliveries they cause: a loopback sink records what arrives, the signature
//! is checked with HMAC-SHA256 over the raw body, disabled subscriptions get nothing, failed
//! deliveries are retried, and the `signature-wrong` fault is visible. Agencies (another
//! area's routes) are seeded in-process, and events are triggered through `messaging::post`.

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
use tidegauge::server::cascade::new_agency;
use tidegauge::server::faults::Fault;
use tidegauge::server::messaging::{Draft, post};
use tidegauge::server::store::{Membership, Role, Store};
use uuid::Uuid;

const ALL_EVENTS: [&str; 14] = [
    "message.created",
    "message.updated",
    "message.deleted",
    "member.joined",
    "member.left",
    "member.kicked",
    "member.banned",
    "member.unbanned",
    "member.promoted",
    "member.demoted",
    "agency.created",
    "agency.updated",
    "invite.created",
    "invite.redeemed",
];

// ---------------------------------------------------------------- seeding and triggering

fn uuid(user: &Value) -> Uuid {
    Uuid::parse_str(user["id"].as_str().unwrap()).unwrap()
}

/// An agency owned by `owner`, with `members` as plain members.
fn seed_agency(server: &Server, owner: Uuid, members: &[Uuid]) -> String {
    let app = &server.running.app;
    let now = app.now();
    let name = unique("tgsub");
    app.store.write(|w| {
        let id = Uuid::new_v4();
        let mut agency = new_agency(id, &name, &name, Some(owner), now);
        agency
            .members
            .extend(members.iter().map(|user_id| Membership {
                user_id: *user_id,
                role: Role::Member,
                joined_at: now,
            }));
        w.slugs.insert(name.clone(), id);
        w.agencies.insert(id, agency);
        id.to_string()
    })
}

/// A hook-style message in `agency`, which fires `message.created`.
fn trigger(server: &Server, agency: &str, content: &str) {
    post(
        &server.running.app,
        Draft {
            agency_id: Uuid::parse_str(agency).unwrap(),
            author_id: "system".into(),
            sender_username: "dicebot".into(),
            sender_display_name: "Dice Bot".into(),
            sender_type: "system",
            content: content.to_owned(),
            kind: "system".into(),
            metadata: json!({"roll": 4}),
            dm: false,
            hook_id: None,
        },
    );
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

async fn subscribe(server: &Server, cred: &Cred, agency: &str, body: Value) -> Value {
    server
        .post(&format!("/api/webhook-subscriptions/{agency}"), cred, body)
        .await
        .expect(201)
        .clone()
}

// ---------------------------------------------------------------- management

#[tokio::test]
async fn event_catalogue_is_public() {
    let server = start().await;
    for cred in [Cred::None, Cred::Bearer("garbage".into())] {
        let answer = server
            .get("/api/webhook-subscriptions/meta/events", &cred)
            .await;
        let body = answer.expect(200);
        assert_eq!(body["events"], json!(ALL_EVENTS));
        assert!(!body["description"].as_str().unwrap().is_empty());
    }
}

#[tokio::test]
async fn create_list_update_and_delete() {
    let server = start().await;
    let (alice, alice_user) = server.register().await;
    let agency = seed_agency(&server, uuid(&alice_user), &[]);
    let path = format!("/api/webhook-subscriptions/{agency}");

    let first = subscribe(
        &server,
        &alice,
        &agency,
        json!({
            "url": "  https://example.com/tg/events  ",
            "events": ["message.created", "member.joined", "message.created"],
            "secret": "s3cret",
            "description": "all the things",
        }),
    )
    .await;
    assert_eq!(first["agencyId"], agency.as_str());
    assert_eq!(first["agency_id"], agency.as_str());
    assert_eq!(first["url"], "https://example.com/tg/events");
    assert_eq!(first["events"], json!(["message.created", "member.joined"]));
    assert_eq!(first["secret"], "s3cret");
    assert_eq!(first["description"], "all the things");
    assert_eq!(first["enabled"], true);
    assert_eq!(first["active"], true);
    assert_eq!(first["createdAt"], first["created_at"]);
    assert_eq!(first["updatedAt"], first["updated_at"]);

    // `active` is an alias; `enabled` wins when both are given.
    let second = subscribe(
        &server,
        &alice,
        &agency,
        json!({"url": "https://example.com/tg/2", "events": ["invite.created"], "active": false}),
    )
    .await;
    assert_eq!(
        (second["enabled"].clone(), second["active"].clone()),
        (json!(false), json!(false))
    );
    assert!(second["secret"].is_null());
    assert!(second["description"].is_null());
    let third = subscribe(
        &server,
        &alice,
        &agency,
        json!({"url": "https://example.com/tg/3", "events": ["agency.updated"],
               "active": false, "enabled": true}),
    )
    .await;
    assert_eq!(third["enabled"], true);

    // Oldest first, never the secret.
    let listed = server.get(&path, &alice).await.expect(200).clone();
    let ids: Vec<_> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].clone())
        .collect();
    assert_eq!(
        ids,
        [
            first["id"].clone(),
            second["id"].clone(),
            third["id"].clone()
        ]
    );
    assert!(
        listed
            .as_array()
            .unwrap()
            .iter()
            .all(|s| s.get("secret").is_none())
    );
    assert_eq!(listed[0]["events"], first["events"]);

    let one = format!("{path}/{}", first["id"].as_str().unwrap());
    let patched = server
        .call(
            "PATCH",
            &one,
            &alice,
            Some(
                json!({"url": "https://example.com/tg/new", "events": ["member.left"],
                        "description": null, "enabled": false, "secret": "other"}),
            ),
        )
        .await;
    let patched = patched.expect(200).clone();
    assert_eq!(patched["id"], first["id"]);
    assert_eq!(patched["url"], "https://example.com/tg/new");
    assert_eq!(patched["events"], json!(["member.left"]));
    assert!(patched["description"].is_null());
    assert_eq!(
        (patched["enabled"].clone(), patched["active"].clone()),
        (json!(false), json!(false))
    );
    assert!(patched.get("secret").is_none());
    // An empty PATCH changes nothing; `active` alone switches it back on.
    let unchanged = server.call("PATCH", &one, &alice, Some(json!({}))).await;
    assert_eq!(unchanged.expect(200)["url"], "https://example.com/tg/new");
    let reenabled = server
        .call("PATCH", &one, &alice, Some(json!({"active": true})))
        .await;
    assert_eq!(reenabled.expect(200)["enabled"], true);

    let deleted = server.call("DELETE", &one, &alice, None).await;
    assert_eq!(deleted.expect(200).clone(), json!({"ok": true}));
    server
        .call("DELETE", &one, &alice, None)
        .await
        .expect_error(404);
    let listed = server.get(&path, &alice).await;
    assert_eq!(listed.expect(200).as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn who_may_manage_and_unknown_resources() {
    let server = start().await;
    let (alice, alice_user) = server.register().await;
    let (bob, bob_user) = server.register().await;
    let (carol, _) = server.register().await;
    let agency = seed_agency(&server, uuid(&alice_user), &[uuid(&bob_user)]);
    let other = seed_agency(&server, uuid(&alice_user), &[]);
    let body = json!({"url": "https://example.com/tg/x", "events": ["message.created"]});
    let sub = subscribe(&server, &alice, &agency, body.clone()).await;
    let sub_id = sub["id"].as_str().unwrap();
    let path = format!("/api/webhook-subscriptions/{agency}");
    let one = format!("{path}/{sub_id}");

    // 401 without a credential, on every managing row.
    server.get(&path, &Cred::None).await.expect_error(401);
    server
        .post(&path, &Cred::None, body.clone())
        .await
        .expect_error(401);
    server
        .call("PATCH", &one, &Cred::None, Some(json!({})))
        .await
        .expect_error(401);
    server
        .call("DELETE", &one, &Cred::None, None)
        .await
        .expect_error(401);

    // A member who is not owner or admin, and a non-member: 403.
    for cred in [&bob, &carol] {
        server.get(&path, cred).await.expect_error(403);
        server
            .post(&path, cred, body.clone())
            .await
            .expect_error(403);
        server
            .call("PATCH", &one, cred, Some(json!({"enabled": false})))
            .await
            .expect_error(403);
        server
            .call("DELETE", &one, cred, None)
            .await
            .expect_error(403);
    }

    // The Lobby has no owner: nobody manages its subscriptions.
    let lobby = server.running.app.store.read(|w| w.lobby_id);
    let lobby_path = format!("/api/webhook-subscriptions/{lobby}");
    server.get(&lobby_path, &alice).await.expect_error(403);
    server
        .post(&lobby_path, &alice, body.clone())
        .await
        .expect_error(403);

    // A DM room: 403, also to a participant.
    let dm = server
        .post(
            &format!("/api/dm/{}", bob_user["id"].as_str().unwrap()),
            &alice,
            json!({}),
        )
        .await;
    let dm_path = format!(
        "/api/webhook-subscriptions/{}",
        dm.expect(201)["agencyId"].as_str().unwrap()
    );
    server.get(&dm_path, &alice).await.expect_error(403);
    server
        .post(&dm_path, &bob, body.clone())
        .await
        .expect_error(403);

    // Unknown or malformed agency and subscription IDs: 404.
    let unknown = Uuid::new_v4();
    for bad in [unknown.to_string(), "not-a-uuid".to_owned()] {
        let bad_agency = format!("/api/webhook-subscriptions/{bad}");
        server.get(&bad_agency, &alice).await.expect_error(404);
        server
            .post(&bad_agency, &alice, body.clone())
            .await
            .expect_error(404);
        let bad_sub = format!("{path}/{bad}");
        server
            .call("PATCH", &bad_sub, &alice, Some(json!({})))
            .await
            .expect_error(404);
        server
            .call("DELETE", &bad_sub, &alice, None)
            .await
            .expect_error(404);
        let sub_elsewhere = format!("/api/webhook-subscriptions/{bad}/{sub_id}");
        server
            .call("DELETE", &sub_elsewhere, &alice, None)
            .await
            .expect_error(404);
    }
    // The subscription exists, but in another agency.
    let wrong_agency = format!("/api/webhook-subscriptions/{other}/{sub_id}");
    server
        .call("PATCH", &wrong_agency, &alice, Some(json!({})))
        .await
        .expect_error(404);
    server
        .call("DELETE", &wrong_agency, &alice, None)
        .await
        .expect_error(404);
    // Existence comes before authorisation.
    server
        .call("DELETE", &format!("{path}/{unknown}"), &bob, None)
        .await
        .expect_error(404);

    // Nothing above changed the subscription.
    let listed = server.get(&path, &alice).await;
    assert_eq!(listed.expect(200)[0]["enabled"], true);
}

#[tokio::test]
async fn field_validation() {
    let server = start().await;
    let (alice, alice_user) = server.register().await;
    let agency = seed_agency(&server, uuid(&alice_user), &[]);
    let path = format!("/api/webhook-subscriptions/{agency}");
    let url = "https://example.com/tg/v";
    let long = |n: usize| "x".repeat(n);
    for bad in [
        json!({"events": ["message.created"]}),
        json!({"url": "", "events": ["message.created"]}),
        json!({"url": 5, "events": ["message.created"]}),
        json!({"url": "ftp://example.com/x", "events": ["message.created"]}),
        json!({"url": "not a url", "events": ["message.created"]}),
        json!({"url": "https://user:pw@example.com/", "events": ["message.created"]}),
        json!({"url": url}),
        json!({"url": url, "events": []}),
        json!({"url": url, "events": "message.created"}),
        json!({"url": url, "events": ["message.created", "message.exploded"]}),
        json!({"url": url, "events": [1]}),
        json!({"url": url, "events": ["message.created"], "secret": ""}),
        json!({"url": url, "events": ["message.created"], "secret": long(257)}),
        json!({"url": url, "events": ["message.created"], "secret": 42}),
        json!({"url": url, "events": ["message.created"], "description": long(201)}),
        json!({"url": url, "events": ["message.created"], "enabled": "yes"}),
        json!({"url": url, "events": ["message.created"], "active": 1}),
    ] {
        server
            .post(&path, &alice, bad.clone())
            .await
            .expect_error(400);
    }
    let raw = server
        .client
        .post(format!("{}{path}", server.url))
        .header("authorization", format!("Bearer {}", bearer(&alice)))
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(raw.status(), 400);

    // The limits themselves are accepted.
    let edge = subscribe(
        &server,
        &alice,
        &agency,
        json!({"url": url, "events": ALL_EVENTS, "secret": long(256), "description": long(200)}),
    )
    .await;
    assert_eq!(edge["events"], json!(ALL_EVENTS));

    let one = format!("{path}/{}", edge["id"].as_str().unwrap());
    for bad in [
        json!({"events": []}),
        json!({"events": ["nope"]}),
        json!({"url": "ftp://example.com"}),
        json!({"url": ""}),
        json!({"secret": ""}),
        json!({"description": long(201)}),
        json!({"enabled": "no"}),
    ] {
        server
            .call("PATCH", &one, &alice, Some(bad))
            .await
            .expect_error(400);
    }
    let listed = server.get(&path, &alice).await;
    assert_eq!(listed.expect(200)[0]["events"], json!(ALL_EVENTS));
}

fn bearer(cred: &Cred) -> &str {
    match cred {
        Cred::Bearer(token) => token,
        _ => panic!("a bearer credential"),
    }
}

#[tokio::test]
async fn private_urls_are_refused_without_the_allowance() {
    let mut config = config();
    config.allow_private_webhook_urls = false;
    let server = start_with(config).await;
    let (alice, alice_user) = server.register().await;
    let agency = seed_agency(&server, uuid(&alice_user), &[]);
    let path = format!("/api/webhook-subscriptions/{agency}");
    for url in [
        "http://127.0.0.1/hook",
        "http://localhost/hook",
        "http://api.localhost:8080/hook",
        "http://10.0.0.1/",
        "http://192.168.1.1/",
        "http://169.254.169.254/latest",
        "http://[::1]/",
    ] {
        let answer = server
            .post(
                &path,
                &alice,
                json!({"url": url, "events": ["message.created"]}),
            )
            .await;
        answer.expect_error(400);
        assert_eq!(
            answer.json["error"], "Webhook URL must point to a public http(s) address",
            "{url}"
        );
    }
    // A public literal address passes (no DNS needed), and a PATCH is guarded too.
    let sub = subscribe(
        &server,
        &alice,
        &agency,
        json!({"url": "http://93.184.215.14/hook", "events": ["message.created"]}),
    )
    .await;
    let one = format!("{path}/{}", sub["id"].as_str().unwrap());
    server
        .call(
            "PATCH",
            &one,
            &alice,
            Some(json!({"url": "http://127.0.0.1:9/x"})),
        )
        .await
        .expect_error(400);
}

// ---------------------------------------------------------------- deliveries

#[tokio::test]
async fn deliveries_are_signed_and_only_enabled_matching_subscriptions_receive() {
    let server = start().await;
    let sink = sink(200).await;
    let (alice, alice_user) = server.register().await;
    let agency = seed_agency(&server, uuid(&alice_user), &[]);
    let secret = "tg-delivery-secret";
    let url = |path: &str| format!("{}{path}", sink.url);
    subscribe(
        &server,
        &alice,
        &agency,
        json!({"url": url("/signed"), "events": ["message.created"], "secret": secret}),
    )
    .await;
    subscribe(
        &server,
        &alice,
        &agency,
        json!({"url": url("/plain"), "events": ["message.created"]}),
    )
    .await;
    let disabled = subscribe(
        &server,
        &alice,
        &agency,
        json!({"url": url("/disabled"), "events": ["message.created"], "enabled": false}),
    )
    .await;
    subscribe(
        &server,
        &alice,
        &agency,
        json!({"url": url("/members"), "events": ["member.joined"]}),
    )
    .await;

    trigger(&server, &agency, "rolled a 4");
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
    trigger(&server, &agency, "second");
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
    let (alice, alice_user) = server.register().await;
    let agency = seed_agency(&server, uuid(&alice_user), &[]);
    subscribe(
        &server,
        &alice,
        &agency,
        json!({"url": format!("{}/failing", sink.url), "events": ["message.created"], "secret": "k"}),
    )
    .await;
    trigger(&server, &agency, "retry me");
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
    trigger(&server, &agency, "now it works");
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
    let (alice, alice_user) = server.register().await;
    let agency = seed_agency(&server, uuid(&alice_user), &[]);
    subscribe(
        &server,
        &alice,
        &agency,
        json!({"url": format!("{}/faulty", sink.url), "events": ["message.created"], "secret": "right"}),
    )
    .await;
    trigger(&server, &agency, "signed wrongly");
    let hits = sink.wait_for("/faulty", 1, 5).await;
    assert_eq!(hits.len(), 1);
    assert!(header(&hits[0], "x-crustocean-signature").is_some_and(|s| s.starts_with("sha256=")));
    assert!(
        !signature_valid("right", &hits[0]),
        "the fault's signature must not verify"
    );
}
