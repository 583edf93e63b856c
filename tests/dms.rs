//! Rows 29, 30, 32 and 33 of endpoints.md (§22): list, open, hide and purge direct messages.
//! DM messages only arrive over the realtime protocol, which the reference server does not
//! have (and hooks are refused in DM rooms), so the tests post them in-process
//! (`Server::say_in_dm`).

mod common;

use common::*;
use serde_json::{Value, json};
use tidegauge::server::store::Store;
use uuid::Uuid;

async fn open(server: &Server, cred: &Cred, user_id: &str, status: u16) -> String {
    let answer = server
        .post(&format!("/api/dm/{user_id}"), cred, json!({}))
        .await;
    let body = answer.expect(status);
    assert_eq!(body["agencyId"], body["agency_id"]);
    body["agencyId"].as_str().unwrap().to_owned()
}

async fn dms(server: &Server, cred: &Cred) -> Vec<Value> {
    server
        .get("/api/dm", cred)
        .await
        .expect(200)
        .as_array()
        .expect("GET /api/dm is a bare array")
        .clone()
}

fn gauge(exposition: &str, name: &str) -> i64 {
    exposition
        .lines()
        .find_map(|line| line.strip_prefix(&format!("{name} ")))
        .and_then(|v| v.trim().parse::<f64>().ok())
        .unwrap_or_else(|| panic!("{name} missing from the exposition")) as i64
}

#[tokio::test]
async fn open_list_hide_reappear_and_purge() {
    let server = start().await;
    let (alice, alice_user) = server.register().await;
    let (bob, bob_user) = server.register().await;

    let answer = server
        .post(&format!("/api/dm/{}", id_of(&bob_user)), &alice, json!({}))
        .await;
    let body = answer.expect(201).clone();
    let room = body["agencyId"].as_str().unwrap().to_owned();
    assert_eq!(body["participant"]["id"], bob_user["id"]);
    assert_eq!(body["participant"]["username"], bob_user["username"]);
    assert_eq!(body["participant"]["type"], "user");
    assert_eq!(
        body["participant"]["displayName"],
        body["participant"]["display_name"]
    );
    // Opening again, from either side, returns the same room with 200.
    assert_eq!(open(&server, &alice, &id_of(&bob_user), 200).await, room);
    assert_eq!(open(&server, &bob, &id_of(&alice_user), 200).await, room);

    let listed = dms(&server, &alice).await;
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0]["agencyId"], room.as_str());
    assert_eq!(listed[0]["agency_id"], room.as_str());
    assert_eq!(listed[0]["participant"]["username"], bob_user["username"]);
    assert_eq!(listed[0]["participant_username"], bob_user["username"]);
    assert!(listed[0]["last_message"].is_null());
    assert_eq!(
        dms(&server, &bob).await[0]["participant"]["id"],
        alice_user["id"]
    );

    server.say_in_dm(&room, &bob_user, "hello alice");
    let listed = dms(&server, &alice).await;
    let last = &listed[0]["last_message"];
    assert_eq!(last["content"], "hello alice");
    assert_eq!(last["dm"], true);
    assert_eq!(last["agencyId"], room.as_str());

    // Hiding is for the caller only.
    let hidden = server
        .call("DELETE", &format!("/api/dm/{room}"), &alice, None)
        .await;
    assert_eq!(hidden.expect(200)["ok"], true);
    assert!(dms(&server, &alice).await.is_empty());
    assert_eq!(dms(&server, &bob).await.len(), 1);

    // A new message brings it back.
    server.say_in_dm(&room, &bob_user, "are you there?");
    let listed = dms(&server, &alice).await;
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0]["last_message"]["content"], "are you there?");

    // Hidden again, opening the DM un-hides it (200, same room).
    server
        .call("DELETE", &format!("/api/dm/{room}"), &alice, None)
        .await
        .expect(200);
    assert!(dms(&server, &alice).await.is_empty());
    assert_eq!(open(&server, &alice, &id_of(&bob_user), 200).await, room);
    assert_eq!(dms(&server, &alice).await.len(), 1);

    // Purge deletes every message for both participants.
    let purged = server
        .post(&format!("/api/dm/{room}/purge"), &bob, json!({}))
        .await;
    let purged = purged.expect(200);
    assert_eq!(purged["ok"], true);
    assert_eq!(purged["deleted"], 2);
    for cred in [&alice, &bob] {
        assert!(dms(&server, cred).await[0]["last_message"].is_null());
    }
    let again = server
        .post(&format!("/api/dm/{room}/purge"), &alice, json!({}))
        .await;
    assert_eq!(again.expect(200)["deleted"], 0);

    // Hidden with no message left, it stays hidden.
    server
        .call("DELETE", &format!("/api/dm/{room}"), &bob, None)
        .await
        .expect(200);
    assert!(dms(&server, &bob).await.is_empty());
}

#[tokio::test]
async fn most_recent_activity_first() {
    let server = start().await;
    let (alice, alice_user) = server.register().await;
    let (_, bob_user) = server.register().await;
    let (_, carol_user) = server.register().await;
    let with_bob = open(&server, &alice, &id_of(&bob_user), 201).await;
    server.advance(5).await;
    let with_carol = open(&server, &alice, &id_of(&carol_user), 201).await;

    let order = |list: Vec<Value>| {
        list.iter()
            .map(|c| c["agencyId"].as_str().unwrap().to_owned())
            .collect::<Vec<_>>()
    };
    // No messages: by creation, newest first.
    assert_eq!(
        order(dms(&server, &alice).await),
        vec![with_carol.clone(), with_bob.clone()]
    );
    server.advance(5).await;
    server.say_in_dm(&with_bob, &alice_user, "ping");
    assert_eq!(
        order(dms(&server, &alice).await),
        vec![with_bob, with_carol]
    );
}

#[tokio::test]
async fn documented_errors() {
    let server = start().await;
    let (alice, alice_user) = server.register().await;
    let (bob, bob_user) = server.register().await;
    let (carol, _) = server.register().await;

    // Row 30: oneself 400; unknown user or non-UUID 404; no credential 401.
    server
        .post(
            &format!("/api/dm/{}", id_of(&alice_user)),
            &alice,
            json!({}),
        )
        .await
        .expect_error(400);
    server
        .post(&format!("/api/dm/{}", Uuid::new_v4()), &alice, json!({}))
        .await
        .expect_error(404);
    server
        .post("/api/dm/not-a-uuid", &alice, json!({}))
        .await
        .expect_error(404);
    server
        .post(
            &format!("/api/dm/{}", id_of(&bob_user)),
            &Cred::None,
            json!({}),
        )
        .await
        .expect_error(401);
    // Row 29 needs a credential.
    server.get("/api/dm", &Cred::None).await.expect_error(401);

    let room = open(&server, &alice, &id_of(&bob_user), 201).await;

    // Rows 32, 33: a non-participant gets 403.
    server
        .call("DELETE", &format!("/api/dm/{room}"), &carol, None)
        .await
        .expect_error(403);
    server
        .post(&format!("/api/dm/{room}/purge"), &carol, json!({}))
        .await
        .expect_error(403);

    // Unknown room, non-UUID, or an agency that is not a DM: 404.
    let lobby = server.lobby(&bob).await;
    for bad in [Uuid::new_v4().to_string(), "nope".into(), lobby] {
        server
            .call("DELETE", &format!("/api/dm/{bad}"), &bob, None)
            .await
            .expect_error(404);
        server
            .post(&format!("/api/dm/{bad}/purge"), &bob, json!({}))
            .await
            .expect_error(404);
    }
    server
        .call("DELETE", &format!("/api/dm/{room}"), &Cred::None, None)
        .await
        .expect_error(401);
    server
        .post(&format!("/api/dm/{room}/purge"), &Cred::None, json!({}))
        .await
        .expect_error(401);

    // The failed attempts changed nothing for the participants.
    assert_eq!(dms(&server, &bob).await.len(), 1);
    assert!(dms(&server, &carol).await.is_empty());
}

#[tokio::test]
async fn dm_rooms_are_counted_but_never_listed_or_looked_up_as_agencies() {
    let server = start().await;
    let (alice, _) = server.register().await;
    let (_, bob_user) = server.register().await;
    server.advance(31).await;
    let before = server.metrics().await;
    let room = open(&server, &alice, &id_of(&bob_user), 201).await;
    server.advance(31).await; // past the gauge cache
    let after = server.metrics().await;
    for (name, delta) in [
        ("crustocean_agencies_total", 1),
        ("crustocean_memberships_total", 2),
    ] {
        assert_eq!(gauge(&after, name) - gauge(&before, name), delta, "{name}");
    }

    let explore = server.get("/api/explore/agencies?limit=100", &alice).await;
    let listed = explore.expect(200)["agencies"].as_array().unwrap().clone();
    assert!(listed.iter().all(|a| a["id"] != room.as_str()));
    // A DM room: its history is readable on the DM route (any other agency is 404 there),
    // and it has exactly the two participants.
    server
        .get(&format!("/api/dm/{room}/messages"), &alice)
        .await
        .expect(200);
    assert_eq!(server.members(&alice, &room).await.len(), 2);
    // No endpoint shows a DM room's slug, so it is read from the store; the lookup by that
    // slug must not find the room.
    let slug = server.running.app.store.read(|w| {
        let room = &w.agencies[&Uuid::parse_str(&room).unwrap()];
        room.slug.clone()
    });
    server
        .get(&format!("/api/agencies/lookup/{slug}"), &alice)
        .await
        .expect_error(404);
}

#[tokio::test]
async fn agents_can_open_dms() {
    let server = start().await;
    let (_, alice_user) = server.register().await;
    let (bob, _) = server.register().await;
    let (session, agent, _) = server.agent(&bob).await;
    let agent_id = id_of(&agent);
    let room = open(&server, &session, &id_of(&alice_user), 201).await;
    let with_agent = server
        .post(&format!("/api/dm/{agent_id}"), &bob, json!({}))
        .await;
    assert_eq!(with_agent.expect(201)["participant"]["type"], "agent");
    let listed = dms(&server, &session).await;
    assert_eq!(listed.len(), 2);
    assert!(listed.iter().any(|c| c["agencyId"] == room.as_str()));
}
