//! Rows 13–20 and 22–28 of endpoints.md: agencies (list, create, update, delete, lookup, join,
//! leave, members, add agent), invites, skills and runs, the DM-room rules of §22 on these
//! endpoints, the webhook events they fire, and the `member-count-off-by-one` and
//! `private-agency-listed` faults. Message history is in `tests/messages.rs`.

mod common;

use common::*;
use serde_json::{Value, json};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tidegauge::server::auth::issue_session;
use tidegauge::server::cascade::new_agency;
use tidegauge::server::events::EVENTS;
use tidegauge::server::faults::Fault;
use tidegauge::server::store::{AgentConfig, AgentInfo, Role, Store, Subscription, User, UserKind};
use uuid::Uuid;

fn id_of(value: &Value) -> Uuid {
    Uuid::parse_str(value["id"].as_str().expect("an id")).expect("a UUID")
}

/// Creates an agent account directly in the store (POST /api/agents is another area's);
/// returns its ID, username and an agent session.
fn insert_agent(server: &Server, owner: Uuid) -> (Uuid, String, Cred) {
    let app = &server.running.app;
    let id = Uuid::new_v4();
    let username = unique("tgagent");
    let now = app.now();
    app.store.write(|w| {
        let user = User {
            id,
            username: username.clone(),
            display_name: username.clone(),
            avatar: None,
            banner: None,
            description: None,
            theme: "default".into(),
            font: "default".into(),
            kind: UserKind::Agent,
            created_at: now,
            password: None,
            agent: Some(AgentInfo {
                name: username.clone(),
                owner_id: Some(owner),
                verified: true,
                persona: None,
                config: AgentConfig::default(),
                token: "sk_test".into(),
                claim_code: None,
                claimed: false,
            }),
        };
        w.users.insert(id, user);
        w.usernames.insert(username.to_lowercase(), id);
    });
    let session = issue_session(app, id);
    (id, username, Cred::Bearer(session))
}

/// Creates a DM room of two users directly in the store (the DM routes are another area's).
fn insert_dm(server: &Server, a: Uuid, b: Uuid) -> Uuid {
    let app = &server.running.app;
    let now = app.now();
    let id = Uuid::new_v4();
    app.store.write(|w| {
        let mut room = new_agency(id, "dm", &format!("dm-{id}"), None, now);
        room.is_dm = true;
        room.is_private = true;
        room.add_member(a, Role::Member, now);
        room.add_member(b, Role::Member, now);
        w.agencies.insert(id, room);
        w.dms.insert((a.min(b), a.max(b)), id);
    });
    id
}

async fn private_agency(server: &Server, owner: &Cred, password: &str) -> Value {
    let name = unique("tg_private_");
    server
        .post(
            "/api/agencies",
            owner,
            json!({"name": name, "isPrivate": true, "password": password}),
        )
        .await
        .expect(201)
        .clone()
}

fn names(list: &Value) -> Vec<String> {
    list.as_array()
        .expect("an array")
        .iter()
        .map(|a| a["name"].as_str().unwrap_or_default().to_owned())
        .collect()
}

#[tokio::test]
async fn list_create_and_lookup() {
    let server = start().await;
    let (alice, alice_user) = server.register().await;
    let (bob, bob_user) = server.register().await;
    server
        .get("/api/agencies", &Cred::None)
        .await
        .expect_error(401);

    let name = format!("My Team {}", unique("x"));
    let created = server
        .post(
            "/api/agencies",
            &alice,
            json!({"name": format!("  {name} "), "charter": "Be kind"}),
        )
        .await;
    let agency = created.expect(201).clone();
    assert_eq!(agency["name"], name.as_str());
    assert_eq!(agency["slug"], name.to_lowercase().replace(' ', "-"));
    assert_eq!(agency["charter"], "Be kind");
    assert_eq!(agency["isPrivate"], false);
    assert_eq!(agency["is_private"], false);
    assert_eq!(agency["ownerId"], alice_user["id"]);
    assert_eq!(agency["memberCount"], 1);
    assert_eq!(agency["member_count"], 1);
    assert_eq!(agency["isMember"], true);
    assert_eq!(agency["type"], "agency");
    assert_eq!(agency["createdAt"], agency["created_at"]);
    assert!(agency.get("password").is_none());

    let private = private_agency(&server, &alice, "sesame").await;
    assert_eq!(private["isPrivate"], true);
    let other = server.agency(&bob).await;
    let dm = insert_dm(&server, id_of(&alice_user), id_of(&bob_user));

    let list = server
        .get("/api/agencies", &alice)
        .await
        .expect(200)
        .clone();
    let seen = names(&list);
    assert_eq!(seen[0], "Lobby");
    let mut rest = seen[1..].to_vec();
    rest.sort_by_key(|n| n.to_lowercase());
    assert_eq!(seen[1..], rest[..], "Lobby first, then by name");
    assert!(seen.contains(&private["name"].as_str().unwrap().to_owned()));
    assert!(!seen.iter().any(|n| n == "dm"), "DM rooms are never listed");
    for item in list.as_array().unwrap() {
        let expected = item["name"] != other["name"];
        assert_eq!(item["isMember"], expected, "{item}");
    }
    let bobs = names(server.get("/api/agencies", &bob).await.expect(200));
    assert!(!bobs.contains(&private["name"].as_str().unwrap().to_owned()));
    assert!(bobs.contains(&name));

    // Lookup: any caller, public or private, never a DM room.
    let slug = private["slug"].as_str().unwrap();
    let found = server
        .get(&format!("/api/agencies/lookup/{slug}"), &bob)
        .await;
    assert_eq!(found.expect(200)["id"], private["id"]);
    assert_eq!(found.json["isMember"], false);
    server
        .get("/api/agencies/lookup/no-such-agency", &bob)
        .await
        .expect_error(404);
    server
        .get(&format!("/api/agencies/lookup/dm-{dm}"), &alice)
        .await
        .expect_error(404);

    // Validation and conflicts.
    for body in [
        json!({}),
        json!({"name": "   "}),
        json!({"name": "x".repeat(65)}),
        json!({"name": "!!!"}),
        json!({"name": unique("tg"), "isPrivate": true}),
        json!({"name": unique("tg"), "charter": "c".repeat(2001)}),
        json!({"name": unique("tg"), "isPrivate": "yes", "password": "pw"}),
    ] {
        server
            .post("/api/agencies", &alice, body.clone())
            .await
            .expect_error(400);
    }
    server
        .post("/api/agencies", &bob, json!({"name": name.to_uppercase()}))
        .await
        .expect_error(409);
    server
        .post("/api/agencies", &bob, json!({"name": "Lobby"}))
        .await
        .expect_error(409);
}

#[tokio::test]
async fn update_and_delete() {
    let server = start().await;
    let (alice, _) = server.register().await;
    let (bob, _) = server.register().await;
    let agency = server.agency(&alice).await;
    let path = format!("/api/agencies/{}", agency["id"].as_str().unwrap());
    let lobby = server
        .get("/api/agencies/lookup/lobby", &alice)
        .await
        .expect(200)
        .clone();
    let lobby_path = format!("/api/agencies/{}", lobby["id"].as_str().unwrap());

    let updated = server
        .call(
            "PATCH",
            &path,
            &alice,
            Some(json!({"charter": "New", "name": "ignored"})),
        )
        .await;
    assert_eq!(updated.expect(200)["charter"], "New");
    assert_eq!(updated.json["name"], agency["name"]);
    server
        .call("PATCH", &path, &bob, Some(json!({"charter": "x"})))
        .await
        .expect_error(403);
    server
        .call("PATCH", &lobby_path, &alice, Some(json!({"charter": "x"})))
        .await
        .expect_error(403);
    let unknown = format!("/api/agencies/{}", Uuid::new_v4());
    server
        .call("PATCH", &unknown, &alice, Some(json!({"charter": "x"})))
        .await
        .expect_error(404);
    server
        .call("PATCH", "/api/agencies/not-a-uuid", &alice, Some(json!({})))
        .await
        .expect_error(404);
    server
        .call("PATCH", &path, &alice, Some(json!({"isPrivate": true})))
        .await
        .expect_error(400);
    server
        .call("PATCH", &path, &alice, Some(json!({"charter": 5})))
        .await
        .expect_error(400);
    let private = server
        .call(
            "PATCH",
            &path,
            &alice,
            Some(json!({"isPrivate": true, "password": "pw"})),
        )
        .await;
    assert_eq!(private.expect(200)["isPrivate"], true);
    let cleared = server
        .call("PATCH", &path, &alice, Some(json!({"charter": null})))
        .await;
    assert_eq!(cleared.expect(200)["charter"], Value::Null);

    server
        .call("DELETE", &path, &bob, None)
        .await
        .expect_error(403);
    server
        .call("DELETE", &lobby_path, &alice, None)
        .await
        .expect_error(403);
    server
        .call("DELETE", &unknown, &alice, None)
        .await
        .expect_error(404);
    assert_eq!(
        server.call("DELETE", &path, &alice, None).await.expect(200)["ok"],
        true
    );
    server
        .call("DELETE", &path, &alice, None)
        .await
        .expect_error(404);
    let slug = agency["slug"].as_str().unwrap();
    server
        .get(&format!("/api/agencies/lookup/{slug}"), &alice)
        .await
        .expect_error(404);
}

#[tokio::test]
async fn join_leave_and_members() {
    let server = start().await;
    let (alice, alice_user) = server.register().await;
    let (bob, bob_user) = server.register().await;
    let (carol, _) = server.register().await;
    let public = server.agency(&alice).await;
    let public_id = public["id"].as_str().unwrap();
    let private = private_agency(&server, &alice, "sesame").await;
    let private_id = private["id"].as_str().unwrap();

    let joined = server
        .post(&format!("/api/agencies/{public_id}/join"), &bob, json!({}))
        .await;
    let body = joined.expect(200);
    assert_eq!(body["ok"], true);
    assert_eq!(body["agencyId"], public["id"]);
    assert_eq!(body["agency_id"], public["id"]);
    assert_eq!(body["agency"]["slug"], public["slug"]);
    server
        .post(&format!("/api/agencies/{public_id}/join"), &bob, json!({}))
        .await
        .expect_error(409);
    let unknown = Uuid::new_v4();
    server
        .post(&format!("/api/agencies/{unknown}/join"), &bob, json!({}))
        .await
        .expect_error(404);

    for body in [
        json!({}),
        json!({"password": "wrong"}),
        json!({"password": 7}),
    ] {
        server
            .post(&format!("/api/agencies/{private_id}/join"), &bob, body)
            .await
            .expect_error(403);
    }
    server
        .get(&format!("/api/agencies/{private_id}/members"), &bob)
        .await
        .expect_error(403);
    server
        .post(
            &format!("/api/agencies/{private_id}/join"),
            &bob,
            json!({"password": "sesame"}),
        )
        .await
        .expect(200);

    // Members: the owner first, then by join time; readable by any caller when public.
    let members = server
        .get(&format!("/api/agencies/{public_id}/members"), &carol)
        .await
        .expect(200)
        .clone();
    let members = members.as_array().unwrap();
    assert_eq!(members.len(), 2);
    assert_eq!(members[0]["id"], alice_user["id"]);
    assert_eq!(members[0]["role"], "owner");
    assert_eq!(members[1]["id"], bob_user["id"]);
    assert_eq!(members[1]["role"], "member");
    assert_eq!(members[1]["type"], "user");
    assert_eq!(members[1]["displayName"], members[1]["display_name"]);
    let private_members = server
        .get(&format!("/api/agencies/{private_id}/members"), &bob)
        .await;
    assert_eq!(private_members.expect(200).as_array().unwrap().len(), 2);
    server
        .get(&format!("/api/agencies/{unknown}/members"), &bob)
        .await
        .expect_error(404);

    // Leave: the owner cannot, a non-member gets 404.
    server
        .post(
            &format!("/api/agencies/{public_id}/leave"),
            &alice,
            json!({}),
        )
        .await
        .expect_error(403);
    server
        .post(
            &format!("/api/agencies/{public_id}/leave"),
            &carol,
            json!({}),
        )
        .await
        .expect_error(404);
    server
        .post(&format!("/api/agencies/{unknown}/leave"), &carol, json!({}))
        .await
        .expect_error(404);
    let left = server
        .post(&format!("/api/agencies/{public_id}/leave"), &bob, json!({}))
        .await;
    assert_eq!(left.expect(200)["ok"], true);
    let after = server
        .get(
            &format!("/api/agencies/lookup/{}", public["slug"].as_str().unwrap()),
            &bob,
        )
        .await;
    assert_eq!(after.expect(200)["memberCount"], 1);
    assert_eq!(after.json["isMember"], false);
}

#[tokio::test]
async fn add_agent_to_agency() {
    let server = start().await;
    let (alice, alice_user) = server.register().await;
    let (bob, bob_user) = server.register().await;
    let private = private_agency(&server, &alice, "sesame").await;
    let path = format!("/api/agencies/{}/agents", private["id"].as_str().unwrap());
    let (agent_id, agent_name, agent_session) = insert_agent(&server, id_of(&bob_user));
    let (other_id, other_name, _) = insert_agent(&server, id_of(&bob_user));

    // agentId wins over username; any agent may be added by a member, no password needed.
    let added = server
        .post(
            &path,
            &alice,
            json!({"agentId": agent_id, "username": other_name}),
        )
        .await;
    let body = added.expect(200).clone();
    assert_eq!(body["ok"], true);
    assert_eq!(body["agencyId"], private["id"]);
    assert_eq!(body["agent"]["id"], agent_id.to_string());
    assert_eq!(body["agent"]["username"], agent_name.as_str());
    let members = server
        .get(
            &format!("/api/agencies/{}/members", private["id"].as_str().unwrap()),
            &agent_session,
        )
        .await;
    let agent_member = members.expect(200).as_array().unwrap()[1].clone();
    assert_eq!(agent_member["type"], "agent");
    assert_eq!(agent_member["role"], "member");

    server
        .post(
            &path,
            &alice,
            json!({"agentId": "", "username": format!("@{other_name}")}),
        )
        .await
        .expect(200);
    server
        .post(&path, &alice, json!({"agentId": other_id}))
        .await
        .expect_error(409);
    server
        .post(&path, &alice, json!({}))
        .await
        .expect_error(400);
    server
        .post(&path, &alice, json!({"username": bob_user["username"]}))
        .await
        .expect_error(400);
    server
        .post(&path, &alice, json!({"agentId": alice_user["id"]}))
        .await
        .expect_error(400);
    server
        .post(&path, &alice, json!({"username": "no_such_agent"}))
        .await
        .expect_error(404);
    server
        .post(&path, &alice, json!({"agentId": Uuid::new_v4()}))
        .await
        .expect_error(404);
    server
        .post(&path, &bob, json!({"agentId": other_id}))
        .await
        .expect_error(403);
    server
        .post(
            &format!("/api/agencies/{}/agents", Uuid::new_v4()),
            &alice,
            json!({"agentId": other_id}),
        )
        .await
        .expect_error(404);
}

#[tokio::test]
async fn dm_room_rules_on_agency_endpoints() {
    let server = start().await;
    let (alice, alice_user) = server.register().await;
    let (bob, bob_user) = server.register().await;
    let (carol, _) = server.register().await;
    let (agent_id, _, _) = insert_agent(&server, id_of(&alice_user));
    let dm = insert_dm(&server, id_of(&alice_user), id_of(&bob_user));
    let base = format!("/api/agencies/{dm}");

    // Members: a private agency of the two participants.
    let members = server.get(&format!("{base}/members"), &bob).await;
    assert_eq!(members.expect(200).as_array().unwrap().len(), 2);
    server
        .get(&format!("{base}/members"), &carol)
        .await
        .expect_error(403);

    // Everything else: 403, also to a participant.
    let calls: Vec<(&str, String, Option<Value>)> = vec![
        ("PATCH", base.clone(), Some(json!({"charter": "x"}))),
        ("DELETE", base.clone(), None),
        ("POST", format!("{base}/join"), Some(json!({}))),
        ("POST", format!("{base}/leave"), Some(json!({}))),
        ("POST", format!("{base}/invites"), Some(json!({}))),
        ("GET", format!("{base}/skills"), None),
        (
            "POST",
            format!("{base}/skills"),
            Some(json!({"skillName": "echo"})),
        ),
        (
            "POST",
            format!("{base}/agents"),
            Some(json!({"agentId": agent_id})),
        ),
        ("GET", format!("{base}/runs"), None),
    ];
    for (method, path, body) in calls {
        for caller in [&alice, &carol] {
            let answer = server.call(method, &path, caller, body.clone()).await;
            assert_eq!(answer.status, 403, "{method} {path}: {}", answer.text);
            answer.expect_error(403);
        }
    }
    let members = server.get(&format!("{base}/members"), &alice).await;
    assert_eq!(
        members.expect(200).as_array().unwrap().len(),
        2,
        "no third member"
    );
}

#[tokio::test]
async fn invites_create_and_redeem() {
    let server = start().await;
    let (alice, _) = server.register().await;
    let (bob, _) = server.register().await;
    let (carol, _) = server.register().await;
    let (dave, _) = server.register().await;
    let private = private_agency(&server, &alice, "sesame").await;
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
    let private = private_agency(&server, &alice, "sesame").await;
    let private_path = format!("/api/agencies/{}/skills", private["id"].as_str().unwrap());
    server.get(&private_path, &bob).await.expect_error(403);
    server.get(&private_path, &alice).await.expect(200);
}

#[tokio::test]
async fn runs_are_always_empty() {
    let server = start().await;
    let (alice, _) = server.register().await;
    let (bob, _) = server.register().await;
    let (_, _, agent) = insert_agent(&server, Uuid::new_v4());
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
    let private = private_agency(&server, &alice, "sesame").await;
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

fn subscribe(server: &Server, agency_id: Uuid, url: &str) {
    server.running.app.store.write(|w| {
        let id = Uuid::new_v4();
        w.subscriptions.insert(
            id,
            Subscription {
                id,
                agency_id,
                url: url.to_owned(),
                events: EVENTS.iter().map(|e| e.to_string()).collect(),
                secret: None,
                description: None,
                enabled: true,
                created_at: 0,
                updated_at: 0,
            },
        );
    });
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
    subscribe(&server, id, &url);
    let (agent_id, agent_name, _) = insert_agent(&server, id_of(&bob_user));

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
    assert!(joined_names.contains(&agent_name.as_str()));
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
    assert!(got.iter().all(|d| d["agencyId"] == id.to_string()));
}

#[tokio::test]
async fn fault_member_count_off_by_one() {
    let server = start_with_faults(&[Fault::MemberCountOffByOne]).await;
    let (alice, _) = server.register().await;
    let agency = server.agency(&alice).await;
    assert_eq!(agency["memberCount"], 2, "one real member, reported as two");
    assert_eq!(agency["member_count"], 2);
    let list = server
        .get("/api/agencies", &alice)
        .await
        .expect(200)
        .clone();
    let mine = list
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["id"] == agency["id"])
        .unwrap()
        .clone();
    assert_eq!(mine["memberCount"], 2);

    let healthy = start().await;
    let (alice, _) = healthy.register().await;
    assert_eq!(healthy.agency(&alice).await["memberCount"], 1);
}

#[tokio::test]
async fn fault_private_agency_listed() {
    for (faults, listed) in [(vec![Fault::PrivateAgencyListed], true), (vec![], false)] {
        let server = start_with_faults(&faults).await;
        let (alice, _) = server.register().await;
        let (bob, _) = server.register().await;
        let private = private_agency(&server, &alice, "sesame").await;
        let bobs = names(server.get("/api/agencies", &bob).await.expect(200));
        let name = private["name"].as_str().unwrap().to_owned();
        assert_eq!(bobs.contains(&name), listed, "faults {faults:?}");
        // The fault changes the list only: reading the agency is still refused.
        server
            .get(
                &format!("/api/agencies/{}/members", private["id"].as_str().unwrap()),
                &bob,
            )
            .await
            .expect_error(403);
    }
}
