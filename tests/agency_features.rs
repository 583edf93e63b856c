//! Rows 22–25, 27–28 of endpoints.md: invites (create, redeem, maxUses, expiry), skills, runs,
//! and the webhook events the agency routes fire (checked with a local receiver).

mod common;

use common::*;
use serde_json::{Value, json};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use uuid::Uuid;

#[tokio::test]
async fn invites_create_and_redeem() {
    let server = start().await;
    let (alice, _) = server.register().await;
    let (bob, _) = server.register().await;
    let (carol, _) = server.register().await;
    let (dave, _) = server.register().await;
    let private = server.private_agency(&alice, "sesame").await;
    let agency_id = private["id"].as_str().unwrap();
    let path = format!("/api/agencies/{agency_id}/invites");

    let created = server.post(&path, &alice, json!({})).await;
    let invite = created.expect(201).clone();
    let code = invite["code"].as_str().unwrap();
    assert_eq!(code.len(), 10);
    assert!(
        code.chars()
            .all(|c| c.is_ascii_uppercase() || ('2'..='9').contains(&c))
    );
    assert_eq!(invite["agencyId"], private["id"]);
    assert_eq!(invite["maxUses"], 1);
    assert_eq!(invite["uses"], 0);
    assert_eq!(invite["expiresAt"], Value::Null);
    assert_eq!(invite["createdAt"], invite["created_at"]);

    for body in [
        json!({"maxUses": 0}),
        json!({"maxUses": 1001}),
        json!({"maxUses": "3"}),
        json!({"maxUses": 1.5}),
        json!({"expires": "5y"}),
        json!({"expires": "366d"}),
        json!({"expires": "0h"}),
        json!({"expires": "h"}),
        json!({"expires": 24}),
    ] {
        server.post(&path, &alice, body).await.expect_error(400);
    }
    server
        .post(
            &format!("/api/agencies/{}/invites", Uuid::new_v4()),
            &alice,
            json!({}),
        )
        .await
        .expect_error(404);
    server.post(&path, &bob, json!({})).await.expect_error(403);

    // Redeem: two uses; a member's attempt (409) consumes none.
    let two = server.post(&path, &alice, json!({"maxUses": 2})).await;
    let two_code = two.expect(201)["code"].as_str().unwrap().to_owned();
    let redeem = "/api/agencies/invite/redeem";
    let joined = server.post(redeem, &bob, json!({"code": two_code})).await;
    let body = joined.expect(200);
    assert_eq!(body["ok"], true);
    assert_eq!(body["agencyId"], private["id"]);
    assert_eq!(body["agency_id"], private["id"]);
    assert_eq!(body["agency"]["slug"], private["slug"]);
    server
        .get(&format!("/api/agencies/{agency_id}/members"), &bob)
        .await
        .expect(200);
    server
        .post(redeem, &bob, json!({"code": two_code}))
        .await
        .expect_error(409);
    server
        .post(redeem, &carol, json!({"code": two_code.to_lowercase()}))
        .await
        .expect(200);
    server
        .post(redeem, &dave, json!({"code": two_code}))
        .await
        .expect_error(410);

    server
        .post(redeem, &dave, json!({}))
        .await
        .expect_error(400);
    server
        .post(redeem, &dave, json!({"code": ""}))
        .await
        .expect_error(400);
    server
        .post(redeem, &dave, json!({"code": "ZZZZZZZZZZ"}))
        .await
        .expect_error(404);

    // Expiry on the server clock.
    let timed = server
        .post(&path, &alice, json!({"expires": "24h", "maxUses": 5}))
        .await;
    let timed = timed.expect(201).clone();
    assert!(timed["expiresAt"].is_string());
    server.advance(24 * 3600 + 1).await;
    let expired = server
        .post(redeem, &dave, json!({"code": timed["code"]}))
        .await;
    expired.expect_error(410);
    assert!(expired.json["error"].as_str().unwrap().contains("expired"));
}

#[tokio::test]
async fn skills_catalogue_and_install() {
    let server = start().await;
    let (alice, _) = server.register().await;
    let (bob, _) = server.register().await;
    let agency = server.agency(&alice).await;
    let path = format!("/api/agencies/{}/skills", agency["id"].as_str().unwrap());

    let listed = server.get(&path, &bob).await;
    let body = listed.expect(200).clone();
    assert_eq!(body["installed"], json!([]));
    let available: Vec<&str> = body["available"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            assert!(s["description"].as_str().is_some_and(|d| !d.is_empty()));
            s["name"].as_str().unwrap()
        })
        .collect();
    assert_eq!(available, ["echo", "analyze", "dice"]);

    let installed = server
        .post(&path, &alice, json!({"skillName": "echo"}))
        .await;
    let body = installed.expect(200);
    assert_eq!(body["ok"], true);
    assert_eq!(body["skill"]["name"], "echo");
    let listed = server.get(&path, &alice).await;
    assert_eq!(listed.expect(200)["installed"][0]["name"], "echo");
    assert_eq!(listed.json["available"].as_array().unwrap().len(), 3);

    server
        .post(&path, &alice, json!({"skillName": "echo"}))
        .await
        .expect_error(409);
    server
        .post(&path, &alice, json!({"skillName": "teleport"}))
        .await
        .expect_error(404);
    server
        .post(&path, &alice, json!({}))
        .await
        .expect_error(400);
    server
        .post(
            &format!("/api/agencies/{}/join", agency["id"].as_str().unwrap()),
            &bob,
            json!({}),
        )
        .await
        .expect(200);
    server
        .post(&path, &bob, json!({"skillName": "dice"}))
        .await
        .expect_error(403);
    let lobby = server
        .get("/api/agencies/lookup/lobby", &alice)
        .await
        .expect(200)
        .clone();
    server
        .post(
            &format!("/api/agencies/{}/skills", lobby["id"].as_str().unwrap()),
            &alice,
            json!({"skillName": "dice"}),
        )
        .await
        .expect_error(403);
    let unknown = format!("/api/agencies/{}/skills", Uuid::new_v4());
    server.get(&unknown, &alice).await.expect_error(404);
    server
        .post(&unknown, &alice, json!({"skillName": "dice"}))
        .await
        .expect_error(404);
    let private = server.private_agency(&alice, "sesame").await;
    let private_path = format!("/api/agencies/{}/skills", private["id"].as_str().unwrap());
    server.get(&private_path, &bob).await.expect_error(403);
    server.get(&private_path, &alice).await.expect(200);
}

#[tokio::test]
async fn runs_are_always_empty() {
    let server = start().await;
    let (alice, _) = server.register().await;
    let (bob, _) = server.register().await;
    let (agent, _, _) = server.agent(&alice).await;
    let agency = server.agency(&alice).await;
    let path = format!("/api/agencies/{}/runs", agency["id"].as_str().unwrap());

    assert_eq!(server.get(&path, &bob).await.expect(200), &json!([]));
    assert_eq!(
        server
            .get(&format!("{path}?limit=100&offset=40"), &agent)
            .await
            .expect(200),
        &json!([])
    );
    server
        .get(&format!("{path}?limit=500"), &alice)
        .await
        .expect(200);
    for query in ["limit=0", "limit=-1", "limit=abc", "offset=-1", "offset=x"] {
        server
            .get(&format!("{path}?{query}"), &alice)
            .await
            .expect_error(400);
    }
    server
        .get(&format!("/api/agencies/{}/runs", Uuid::new_v4()), &alice)
        .await
        .expect_error(404);
    let private = server.private_agency(&alice, "sesame").await;
    let private_path = format!("/api/agencies/{}/runs", private["id"].as_str().unwrap());
    server.get(&private_path, &bob).await.expect_error(403);
    server.get(&private_path, &alice).await.expect(200);

    server
        .get(&format!("/api/runs/{}", Uuid::new_v4()), &agent)
        .await
        .expect_error(404);
    server
        .get("/api/runs/not-a-uuid", &alice)
        .await
        .expect_error(404);
    server
        .get(&format!("/api/runs/{}", Uuid::new_v4()), &Cred::None)
        .await
        .expect_error(401);
}

/// A local webhook receiver: every JSON body it is sent.
async fn sink() -> (String, Arc<Mutex<Vec<Value>>>) {
    let received = Arc::new(Mutex::new(Vec::new()));
    let store = Arc::clone(&received);
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post(move |body: axum::body::Bytes| {
            let store = Arc::clone(&store);
            async move {
                if let Ok(value) = serde_json::from_slice::<Value>(&body) {
                    store.lock().unwrap().push(value);
                }
                "ok"
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    (format!("http://{addr}/hook"), received)
}

/// Subscribes `url` to every event of the catalogue in `agency_id`.
async fn subscribe_to_all(server: &Server, owner: &Cred, agency_id: &str, url: &str) {
    let catalogue = server
        .get("/api/webhook-subscriptions/meta/events", &Cred::None)
        .await;
    let events = catalogue.expect(200)["events"].clone();
    let body = json!({"url": url, "events": events});
    server.subscribe(owner, agency_id, body).await;
}

/// Waits until `count` deliveries have arrived (and a little longer, to catch extras).
async fn deliveries(received: &Arc<Mutex<Vec<Value>>>, count: usize) -> Vec<Value> {
    for _ in 0..100 {
        if received.lock().unwrap().len() >= count {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    received.lock().unwrap().clone()
}

#[tokio::test]
async fn agency_actions_fire_their_events() {
    let server = start().await;
    let (alice, _) = server.register().await;
    let (bob, bob_user) = server.register().await;
    let (carol, _) = server.register().await;
    let agency = server.agency(&alice).await;
    let id = id_of(&agency);
    let (url, received) = sink().await;
    subscribe_to_all(&server, &alice, &id, &url).await;
    let (_, agent, _) = server.agent(&bob).await;
    let (agent_id, agent_name) = (id_of(&agent), str_of(&agent, "username"));

    let path = format!("/api/agencies/{id}");
    server
        .call(
            "PATCH",
            &path,
            &alice,
            Some(json!({"password": "only-password"})),
        )
        .await
        .expect(200);
    server
        .call("PATCH", &path, &alice, Some(json!({"charter": null})))
        .await
        .expect(200);
    server
        .call("PATCH", &path, &alice, Some(json!({"charter": "Updated"})))
        .await
        .expect(200);
    server
        .post(&format!("{path}/join"), &bob, json!({}))
        .await
        .expect(200);
    server
        .post(&format!("{path}/leave"), &bob, json!({}))
        .await
        .expect(200);
    let invite = server
        .post(&format!("{path}/invites"), &alice, json!({}))
        .await;
    let code = invite.expect(201)["code"].clone();
    server
        .post("/api/agencies/invite/redeem", &carol, json!({"code": code}))
        .await
        .expect(200);
    server
        .post(
            &format!("{path}/agents"),
            &alice,
            json!({"agentId": agent_id}),
        )
        .await
        .expect(200);

    let got = deliveries(&received, 7).await;
    let of = |event: &str| -> Vec<&Value> { got.iter().filter(|d| d["event"] == event).collect() };
    let updated = of("agency.updated");
    assert_eq!(updated.len(), 1, "only the charter change fires: {got:?}");
    assert_eq!(updated[0]["agency"]["charter"], "Updated");
    let joined = of("member.joined");
    let mut joined_names: Vec<&str> = joined
        .iter()
        .map(|d| d["member"]["username"].as_str().unwrap())
        .collect();
    joined_names.sort();
    assert_eq!(joined_names.len(), 3, "{got:?}");
    assert!(joined_names.contains(&agent_name));
    assert!(joined_names.contains(&bob_user["username"].as_str().unwrap()));
    assert_eq!(of("member.left").len(), 1);
    assert_eq!(
        of("member.left")[0]["member"]["username"],
        bob_user["username"]
    );
    assert_eq!(of("invite.created")[0]["invite"]["code"], code);
    let redeemed = of("invite.redeemed");
    assert_eq!(redeemed.len(), 1);
    assert_eq!(redeemed[0]["invite"]["uses"], 1);
    assert!(redeemed[0]["member"]["username"].is_string());
    assert_eq!(got.len(), 7, "{got:?}");
    assert!(got.iter().all(|d| d["agencyId"] == id.as_str()));
}
