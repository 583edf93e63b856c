//! Rows 21 and 31 of endpoints.md: message history of agencies and DM rooms (§8, §22) —
//! pagination walks with both cursor forms, `limit` rules, `before` errors, the `mentions`
//! forms, who may read, and the `history-order-reversed` and `history-skips-boundary` faults.
//! Agency messages are seeded through the hooks API (§8.4); DM messages, which no endpoint
//! can post, in-process (`Server::say_in_dm`).

mod common;

use common::*;
use serde_json::{Value, json};
use std::collections::HashSet;
use tidegauge::server::clock::parse_rfc3339;
use tidegauge::server::faults::Fault;
use uuid::Uuid;

/// Hook messages into one agency, as the harness seeds history (§8.4).
struct Seeder {
    key: Cred,
    room: String,
}

impl Seeder {
    /// Publishes a command in `room` (owned by `owner`) for its hook key.
    async fn new(server: &Server, owner: &Cred, room: &str) -> Seeder {
        let key = key_of(&server.publish(owner, room, json!({})).await);
        let room = room.to_owned();
        Seeder { key, room }
    }

    /// Posts one message; returns it as the API answered.
    async fn seed(&self, server: &Server, content: &str) -> Value {
        let body = json!({
            "agencyId": self.room, "content": content, "sender_username": "seeder",
            "sender_display_name": "Seeder", "metadata": {"n": content},
        });
        let answer = server.post("/api/hooks/messages", &self.key, body).await;
        answer.expect(201).clone()
    }

    async fn seed_many(&self, server: &Server, count: usize) -> Vec<Value> {
        let mut seeded = Vec::with_capacity(count);
        for i in 0..count {
            seeded.push(self.seed(server, &format!("message {i}")).await);
        }
        seeded
    }
}

/// A new agency of `owner` with `count` hook messages `message 0`, `message 1`, ...;
/// returns its ID and the messages, oldest first.
async fn agency_with_history(server: &Server, owner: &Cred, count: usize) -> (String, Vec<Value>) {
    let room = server.agency_id(owner).await;
    let seeder = Seeder::new(server, owner, &room).await;
    let seeded = seeder.seed_many(server, count).await;
    (room, seeded)
}

fn created_ms(message: &Value) -> i64 {
    parse_rfc3339(message["createdAt"].as_str().expect("createdAt")).expect("RFC 3339")
}

#[derive(Clone, Copy)]
enum Form {
    Timestamp,
    Id,
}

/// Walks history like the harness (§8.3) and checks every page on the way: no longer than
/// `limit`, `createdAt` strictly decreasing across the whole walk. Returns the IDs seen.
async fn walk(server: &Server, path: &str, cred: &Cred, limit: usize, form: Form) -> Vec<String> {
    let mut seen = Vec::new();
    let mut last_ms = i64::MAX;
    let mut cursor: Option<String> = None;
    for _ in 0..1000 {
        let mut url = format!("{path}?limit={limit}");
        if let Some(cursor) = &cursor {
            url.push_str(&format!("&before={}", cursor.replace('+', "%2B")));
        }
        let answer = server.get(&url, cred).await;
        let page = answer.expect(200).as_array().expect("an array").clone();
        assert!(page.len() <= limit);
        let Some(oldest) = page.last() else {
            return seen;
        };
        for message in &page {
            let ms = created_ms(message);
            assert!(ms < last_ms, "createdAt must strictly decrease");
            last_ms = ms;
            seen.push(message["id"].as_str().unwrap().to_owned());
        }
        cursor = Some(match form {
            Form::Timestamp => oldest["createdAt"].as_str().unwrap().to_owned(),
            Form::Id => oldest["id"].as_str().unwrap().to_owned(),
        });
    }
    panic!("the walk did not end");
}

fn assert_each_once(seen: &[String], seeded: &[Value]) {
    let expected: Vec<String> = seeded.iter().rev().map(id_of).collect();
    assert_eq!(seen, expected, "every message exactly once, newest first");
    assert_eq!(seen.iter().collect::<HashSet<_>>().len(), seen.len());
}

#[tokio::test]
async fn pagination_walks_with_both_cursor_forms() {
    let server = start().await;
    let (alice, _) = server.register().await;
    let (room, seeded) = agency_with_history(&server, &alice, 120).await;
    let path = format!("/api/agencies/{room}/messages");

    for (limit, form) in [(50, Form::Timestamp), (50, Form::Id), (7, Form::Timestamp)] {
        let seen = walk(&server, &path, &alice, limit, form).await;
        assert_each_once(&seen, &seeded);
    }

    let first = server.get(&path, &alice).await;
    assert!(
        first
            .header("content-type")
            .is_some_and(|v| v.starts_with("application/json"))
    );
    let page = first.expect(200).as_array().unwrap().clone();
    assert_eq!(page.len(), 50, "default limit");
    let newest = &page[0];
    let stored = seeded.last().unwrap();
    assert_eq!(newest["id"], stored["id"]);
    assert_eq!(newest["agencyId"], room.as_str());
    assert_eq!(newest["agency_id"], room.as_str());
    assert_eq!(newest["authorId"], "system");
    assert_eq!(newest["sender_id"], "system");
    assert_eq!(newest["sender_username"], "seeder");
    assert_eq!(newest["sender_type"], "system");
    assert_eq!(newest["type"], "system");
    assert_eq!(newest["content"], "message 119");
    assert_eq!(newest["metadata"], json!({"n": "message 119"}));
    assert_eq!(newest["dm"], false);
    assert_eq!(newest["createdAt"], newest["created_at"]);
    assert_eq!(newest["updatedAt"], newest["createdAt"]);
}

#[tokio::test]
async fn limit_and_before_rules() {
    let server = start().await;
    let (alice, _) = server.register().await;
    let (room, seeded) = agency_with_history(&server, &alice, 120).await;
    let path = format!("/api/agencies/{room}/messages");
    let count = |answer: &Answer| answer.json.as_array().map_or(0, Vec::len);

    for (query, expected) in [("limit=1", 1), ("limit=100", 100), ("limit=500", 100)] {
        let answer = server.get(&format!("{path}?{query}"), &alice).await;
        answer.expect(200);
        assert_eq!(count(&answer), expected, "{query}");
    }
    for query in [
        "limit=0",
        "limit=-5",
        "limit=abc",
        "limit=2.5",
        "limit=",
        "mentions=",
    ] {
        server
            .get(&format!("{path}?{query}"), &alice)
            .await
            .expect_error(400);
    }

    // `before`: an unknown ID, a message of another room, or garbage → 400.
    let other = server.agency(&alice).await;
    let foreign = Seeder::new(&server, &alice, &id_of(&other))
        .await
        .seed(&server, "elsewhere")
        .await;
    for before in [Uuid::new_v4().to_string(), id_of(&foreign), "soon".into()] {
        let answer = server.get(&format!("{path}?before={before}"), &alice).await;
        answer.expect_error(400);
        assert_eq!(answer.json["error"], "Unknown before cursor");
    }

    // Timestamp cursors are exclusive; any RFC 3339 offset works.
    let tenth = &seeded[10];
    let at = str_of(tenth, "createdAt");
    let page = server
        .get(&format!("{path}?before={at}&limit=100"), &alice)
        .await;
    let page = page.expect(200).as_array().unwrap().clone();
    assert_eq!(page.len(), 10);
    assert_eq!(page[0]["id"], seeded[9]["id"]);
    let shifted = chrono_shift(created_ms(tenth));
    let page = server
        .get(&format!("{path}?before={shifted}&limit=100"), &alice)
        .await;
    assert_eq!(count(&page), 10, "{shifted}");
    let ancient = server
        .get(&format!("{path}?before=2000-01-01T00:00:00.000Z"), &alice)
        .await;
    assert_eq!(ancient.expect(200), &json!([]));
    let by_id = server
        .get(&format!("{path}?before={}&limit=3", id_of(tenth)), &alice)
        .await;
    let ids: Vec<&str> = by_id
        .expect(200)
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["id"].as_str().unwrap())
        .collect();
    let expected: Vec<String> = seeded[7..10].iter().rev().map(id_of).collect();
    assert_eq!(ids, expected);
}

/// The same instant written with a `+01:00` offset, percent-encoded for a query string.
fn chrono_shift(ms: i64) -> String {
    let utc = tidegauge::server::clock::rfc3339(ms + 3_600_000);
    format!("{}%2B01:00", utc.trim_end_matches('Z'))
}

#[tokio::test]
async fn mentions_forms() {
    let server = start().await;
    let (alice, alice_user) = server.register().await;
    let (bob, bob_user) = server.register().await;
    let room = server.agency_id(&alice).await;
    let seeder = Seeder::new(&server, &alice, &room).await;
    let alice_name = alice_user["username"].as_str().unwrap();
    let bob_name = bob_user["username"].as_str().unwrap();
    let contents = [
        format!("hi @{bob_name}"),
        format!("hi @{bob_name}x"),
        format!("@{}!", bob_name.to_uppercase()),
        "nothing here".to_owned(),
        format!("ping @{alice_name}, and @{bob_name}"),
    ];
    for content in &contents {
        seeder.seed(&server, content).await;
    }
    let path = format!("/api/agencies/{room}/messages");
    let texts = |answer: &Answer| -> Vec<String> {
        answer
            .json
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["content"].as_str().unwrap().to_owned())
            .collect()
    };
    let bobs = vec![
        contents[4].clone(),
        contents[2].clone(),
        contents[0].clone(),
    ];
    for query in [
        bob_name.to_owned(),
        format!("%40{bob_name}"),
        format!("@{bob_name}"),
    ] {
        let answer = server
            .get(&format!("{path}?mentions={query}"), &alice)
            .await;
        answer.expect(200);
        assert_eq!(texts(&answer), bobs, "mentions={query}");
    }
    let mine = server.get(&format!("{path}?mentions=true"), &bob).await;
    mine.expect(200);
    assert_eq!(texts(&mine), bobs, "true = mentions of the caller");
    let alices = server.get(&format!("{path}?mentions=true"), &alice).await;
    assert_eq!(texts(&alices), vec![contents[4].clone()]);
    let all = server.get(&format!("{path}?mentions=false"), &alice).await;
    assert_eq!(texts(&all).len(), 5);
    let limited = server
        .get(&format!("{path}?mentions={bob_name}&limit=2"), &alice)
        .await;
    assert_eq!(texts(&limited), bobs[..2].to_vec());
}

#[tokio::test]
async fn who_may_read_agency_history() {
    let server = start().await;
    let (alice, _) = server.register().await;
    let (bob, _) = server.register().await;
    let public = server.agency(&alice).await;
    let private = server.private_agency(&alice, "pw").await;
    for (agency, words) in [(&public, "public words"), (&private, "secret words")] {
        let seeder = Seeder::new(&server, &alice, &id_of(agency)).await;
        seeder.seed(&server, words).await;
    }

    let public_path = format!("/api/agencies/{}/messages", id_of(&public));
    let private_path = format!("/api/agencies/{}/messages", id_of(&private));
    assert_eq!(
        server.get(&public_path, &bob).await.expect(200)[0]["content"],
        "public words"
    );
    server.get(&private_path, &bob).await.expect_error(403);
    server
        .get(&private_path, &Cred::None)
        .await
        .expect_error(401);
    assert_eq!(
        server.get(&private_path, &alice).await.expect(200)[0]["content"],
        "secret words"
    );
    server
        .get(
            &format!("/api/agencies/{}/messages", Uuid::new_v4()),
            &alice,
        )
        .await
        .expect_error(404);
    server
        .get("/api/agencies/not-a-uuid/messages", &alice)
        .await
        .expect_error(404);
    // Validation comes after access: a bad limit on a private agency is still 403.
    server
        .get(&format!("{private_path}?limit=0"), &bob)
        .await
        .expect_error(403);
    let empty = server.agency(&alice).await;
    let answer = server
        .get(&format!("/api/agencies/{}/messages", id_of(&empty)), &bob)
        .await;
    assert_eq!(answer.expect(200), &json!([]));
}

#[tokio::test]
async fn dm_history_for_participants_only() {
    let server = start().await;
    let (alice, alice_user) = server.register().await;
    let (bob, bob_user) = server.register().await;
    let (carol, _) = server.register().await;
    let dm = server.dm(&alice, &id_of(&bob_user)).await;
    let seeded: Vec<Value> = (0..30)
        .map(|i| server.say_in_dm(&dm, &alice_user, &format!("message {i}")))
        .collect();
    let bob_name = bob_user["username"].as_str().unwrap();
    let mention = server.say_in_dm(&dm, &alice_user, &format!("hey @{bob_name}"));
    let mut all = seeded.clone();
    all.push(mention.clone());

    let path = format!("/api/dm/{dm}/messages");
    for form in [Form::Timestamp, Form::Id] {
        let seen = walk(&server, &path, &bob, 7, form).await;
        assert_each_once(&seen, &all);
    }
    let page = server.get(&format!("{path}?limit=20"), &alice).await;
    let page = page.expect(200).as_array().unwrap().clone();
    assert_eq!(page.len(), 20);
    assert_eq!(page[0]["dm"], true);
    let mentions = server.get(&format!("{path}?mentions=true"), &bob).await;
    let mentions = mentions.expect(200).as_array().unwrap().clone();
    assert_eq!(mentions.len(), 1);
    assert_eq!(mentions[0]["id"], mention["id"]);

    server.get(&path, &carol).await.expect_error(403);
    server
        .get(&format!("{path}?limit=0"), &alice)
        .await
        .expect_error(400);
    let agency = server.agency(&alice).await;
    server
        .get(&format!("/api/dm/{}/messages", id_of(&agency)), &alice)
        .await
        .expect_error(404);
    server
        .get(&format!("/api/dm/{}/messages", Uuid::new_v4()), &alice)
        .await
        .expect_error(404);
    server
        .get("/api/dm/nope/messages", &alice)
        .await
        .expect_error(404);
    server.get(&path, &Cred::None).await.expect_error(401);

    // The agency route reads a DM room as a private agency of the two participants.
    let via_agency = format!("/api/agencies/{dm}/messages");
    let seen = walk(&server, &via_agency, &alice, 50, Form::Timestamp).await;
    assert_each_once(&seen, &all);
    server.get(&via_agency, &carol).await.expect_error(403);
}

#[tokio::test]
async fn fault_history_order_reversed() {
    for (faults, reversed) in [(vec![Fault::HistoryOrderReversed], true), (vec![], false)] {
        let server = start_with_faults(&faults).await;
        let (alice, _) = server.register().await;
        let (room, seeded) = agency_with_history(&server, &alice, 10).await;
        let page = server
            .get(&format!("/api/agencies/{room}/messages?limit=4"), &alice)
            .await;
        let ids: Vec<String> = page
            .expect(200)
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["id"].as_str().unwrap().to_owned())
            .collect();
        let mut newest: Vec<String> = seeded[6..].iter().rev().map(id_of).collect();
        if reversed {
            newest.reverse();
        }
        assert_eq!(ids, newest, "faults {faults:?}");
    }
}

#[tokio::test]
async fn fault_history_skips_boundary() {
    for (faults, skips) in [(vec![Fault::HistorySkipsBoundary], true), (vec![], false)] {
        let server = start_with_faults(&faults).await;
        let (alice, _) = server.register().await;
        let (room, seeded) = agency_with_history(&server, &alice, 10).await;
        let path = format!("/api/agencies/{room}/messages");
        let first = server.get(&format!("{path}?limit=3"), &alice).await;
        assert_eq!(
            first.expect(200).as_array().unwrap().len(),
            3,
            "no cursor, no skip"
        );
        for form in [Form::Timestamp, Form::Id] {
            let seen = walk(&server, &path, &alice, 3, form).await;
            if skips {
                // Pages 9 8 7 | (6) 5 4 3 | (2) 1 0: the first message behind each cursor is lost.
                assert_eq!(seen.len(), 8, "faults {faults:?}");
                assert!(!seen.contains(&id_of(&seeded[6])));
                assert!(!seen.contains(&id_of(&seeded[2])));
            } else {
                assert_each_once(&seen, &seeded);
            }
        }
    }
}
