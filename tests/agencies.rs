//! Rows 13–20 and 26 of endpoints.md: agencies (list, create, update, delete, lookup, join,
//! leave, members, add agent), the DM-room rules of §22 on these endpoints, and the
//! `member-count-off-by-one` and `private-agency-listed` faults. Invites, skills, runs and the
//! events are in `tests/agency_features.rs`; message history in `tests/messages.rs`.

mod common;

use common::*;
use serde_json::{Value, json};
use tidegauge::server::faults::Fault;
use uuid::Uuid;

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

    let private = server.private_agency(&alice, "sesame").await;
    assert_eq!(private["isPrivate"], true);
    let other = server.agency(&bob).await;
    let dm = server.dm(&alice, &id_of(&bob_user)).await;

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
    assert!(
        list.as_array()
            .unwrap()
            .iter()
            .all(|a| a["id"] != dm.as_str()),
        "DM rooms are never listed"
    );
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
    let lobby_path = format!("/api/agencies/{}", server.lobby(&alice).await);

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
    let private = server.private_agency(&alice, "sesame").await;
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
    let private = server.private_agency(&alice, "sesame").await;
    let path = format!("/api/agencies/{}/agents", private["id"].as_str().unwrap());
    let (agent_session, agent, _) = server.agent(&bob).await;
    let (agent_id, agent_name) = (id_of(&agent), str_of(&agent, "username"));
    let (_, other, _) = server.agent(&bob).await;
    let (other_id, other_name) = (id_of(&other), str_of(&other, "username"));

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
    assert_eq!(body["agent"]["id"], agent_id.as_str());
    assert_eq!(body["agent"]["username"], agent_name);
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
    let (alice, _) = server.register().await;
    let (bob, bob_user) = server.register().await;
    let (carol, _) = server.register().await;
    let (_, agent, _) = server.agent(&alice).await;
    let agent_id = id_of(&agent);
    let dm = server.dm(&alice, &id_of(&bob_user)).await;
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
        let private = server.private_agency(&alice, "sesame").await;
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

#[tokio::test]
async fn agent_sessions_create_join_and_leave() {
    let server = start().await;
    let (alice, _) = server.register().await;
    let (agent, _, _) = server.agent(&alice).await;
    let created = server
        .post(
            "/api/agencies",
            &agent,
            json!({"name": unique("tg_agent_made_")}),
        )
        .await;
    let owned = created.expect(201).clone();
    assert_eq!(owned["isMember"], true);
    let theirs = server.agency(&alice).await;
    let path = format!("/api/agencies/{}", theirs["id"].as_str().unwrap());
    server
        .post(&format!("{path}/join"), &agent, json!({}))
        .await
        .expect(200);
    server
        .post(&format!("{path}/join"), &agent, json!("not an object"))
        .await
        .expect_error(400);
    server
        .post(&format!("{path}/leave"), &agent, json!({}))
        .await
        .expect(200);
}
