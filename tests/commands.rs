//! Rows 56–61 of endpoints.md (§15): custom commands and the hook keys they issue.

mod common;

use common::*;
use serde_json::{Value, json};
use tidegauge::server::faults::Fault;
use uuid::Uuid;

fn commands(agency: &str) -> String {
    format!("/api/custom-commands/{agency}/commands")
}

async fn create(server: &Server, owner: &Cred, agency: &str, body: Value) -> Answer {
    server.post(&commands(agency), owner, body).await
}

/// `GET /api/hooks/agencies` with a raw hook key.
async fn hook_agencies(server: &Server, key: &str) -> Answer {
    server
        .get("/api/hooks/agencies", &Cred::HookKey(key.to_owned()))
        .await
}

#[tokio::test]
async fn create_list_update_and_delete_a_command() {
    let server = start().await;
    let (owner, owner_user) = server.register().await;
    let (member, _) = server.register().await;
    let (outsider, _) = server.register().await;
    let agency = server.agency_id(&owner).await;
    server.join(&member, &agency).await;
    let username = owner_user["username"].as_str().unwrap();
    let slug = format!("tg-dice-{}", &Uuid::new_v4().simple().to_string()[..8]);
    let webhook = url();
    let created = create(&server, &owner, &agency, json!({
        "name": "/Dice-Roll!", "webhookUrl": format!("  {webhook} "), "description": "Roll dice",
        "creator": format!("@{username}"), "invoke_permission": "whitelist",
        "invoke_whitelist": ["bob"],
        "explore_metadata": {"slug": slug, "display_name": "Dice", "extra": "dropped"},
    }))
    .await;
    let command = created.expect(201).clone();
    assert_eq!(command["name"], "diceroll");
    assert_eq!(command["webhookUrl"], webhook.as_str());
    assert_eq!(command["webhook_url"], webhook.as_str());
    assert_eq!(command["agencyId"], agency.as_str());
    assert_eq!(command["agency_id"], agency.as_str());
    assert_eq!(command["creator"], format!("@{username}"));
    assert_eq!(command["invoke_permission"], "whitelist");
    assert_eq!(command["invoke_whitelist"], json!(["bob"]));
    assert_eq!(
        command["explore_metadata"],
        json!({"slug": slug, "display_name": "Dice"})
    );
    assert_eq!(command["createdAt"], command["created_at"]);
    let key = command["hookKey"]
        .as_str()
        .expect("first publication carries hookKey");
    assert!(key.len() == 64 && key.chars().all(|c| c.is_ascii_hexdigit()));
    hook_agencies(&server, key).await.expect(200);

    let hook_id = command["hook_id"].as_str().unwrap();
    let hook = server
        .get(&format!("/api/hooks/by-id/{hook_id}"), &Cred::None)
        .await;
    let hook = hook.expect(200);
    assert_eq!(hook["slug"], slug.as_str());
    assert_eq!(hook["name"], "Dice");
    assert_eq!(hook["webhook_url"], webhook.as_str());
    assert_eq!(hook["source_type"], "webhook");
    assert_eq!(
        hook["commands"],
        json!([{"name": "diceroll", "description": "Roll dice"}])
    );

    let listed = server.get(&commands(&agency), &member).await;
    let listed = listed.expect(200).as_array().unwrap().clone();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0]["id"], command["id"]);
    assert!(
        listed[0].get("hookKey").is_none(),
        "the key is shown only once"
    );
    server
        .get(&commands(&agency), &outsider)
        .await
        .expect_error(403);
    server
        .get(&commands(&agency), &Cred::None)
        .await
        .expect_error(401);

    let path = format!("{}/{}", commands(&agency), command["id"].as_str().unwrap());
    let patched = server
        .call(
            "PATCH",
            &path,
            &owner,
            Some(json!({"name": "Dice2", "description": "New"})),
        )
        .await;
    let patched = patched.expect(200);
    assert_eq!(patched["name"], "dice2");
    assert_eq!(patched["description"], "New");
    assert_eq!(patched["hook_id"], hook_id);
    assert!(patched.get("hookKey").is_none());
    let cleared = server
        .call(
            "PATCH",
            &path,
            &owner,
            Some(json!({"explore_metadata": null})),
        )
        .await;
    assert_eq!(cleared.expect(200)["explore_metadata"], Value::Null);

    let deleted = server.call("DELETE", &path, &owner, None).await;
    assert_eq!(deleted.expect(200), &json!({"ok": true}));
    assert_eq!(
        server.get(&commands(&agency), &owner).await.expect(200),
        &json!([])
    );
    server
        .call("DELETE", &path, &owner, None)
        .await
        .expect_error(404);
    let hook = server
        .get(&format!("/api/hooks/by-id/{hook_id}"), &Cred::None)
        .await;
    assert_eq!(
        hook.expect(200)["enabled"],
        true,
        "deleting a command keeps its hook"
    );
}

#[tokio::test]
async fn the_same_webhook_url_links_to_the_existing_hook_without_a_key() {
    let server = start().await;
    let (alice, _) = server.register().await;
    let (bob, bob_user) = server.register().await;
    let (agency_a, agency_b) = (server.agency_id(&alice).await, server.agency_id(&bob).await);
    let webhook = url();
    let before = server.hooks_active().await;
    let first = create(
        &server,
        &alice,
        &agency_a,
        json!({"name": "dice", "webhookUrl": webhook}),
    )
    .await;
    let first = first.expect(201).clone();
    let key = first["hookKey"].as_str().unwrap();
    assert_eq!(server.hooks_active().await, before + 1);

    let second = create(
        &server,
        &bob,
        &agency_b,
        json!({
            "name": "roller", "description": "Bob's dice", "webhook_url": format!(" {webhook}\n"),
        }),
    )
    .await;
    let second = second.expect(201);
    assert!(
        second.get("hookKey").is_none(),
        "an installer never sees the key"
    );
    assert_eq!(second["hook_id"], first["hook_id"]);
    assert_eq!(server.hooks_active().await, before + 1, "no second hook");
    assert_eq!(
        second["creator"],
        format!("@{}", bob_user["username"].as_str().unwrap())
    );

    let both = create(
        &server,
        &bob,
        &agency_b,
        json!({
            "name": "both", "webhookUrl": webhook, "webhook_url": "https://example.com/other",
        }),
    )
    .await;
    assert_eq!(
        both.expect(201)["webhook_url"],
        webhook.as_str(),
        "webhookUrl wins"
    );

    let hook_id = first["hook_id"].as_str().unwrap();
    let hook = server
        .get(&format!("/api/hooks/by-id/{hook_id}"), &Cred::None)
        .await;
    let names: Vec<&str> = hook.expect(200)["commands"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["both", "dice", "roller"]);
    let installed = hook_agencies(&server, key).await;
    let mut ids: Vec<&str> = installed
        .expect(200)
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["id"].as_str().unwrap())
        .collect();
    ids.sort();
    let mut expected = vec![agency_a.as_str(), agency_b.as_str()];
    expected.sort();
    assert_eq!(ids, expected);
}

#[tokio::test]
async fn invalid_command_fields_are_refused() {
    let server = start().await;
    let (owner, _) = server.register().await;
    let agency = server.agency_id(&owner).await;
    let cases = [
        (json!({"webhookUrl": url()}), None),
        (json!({"name": "!!!", "webhookUrl": url()}), None),
        (json!({"name": "a".repeat(33), "webhookUrl": url()}), None),
        (
            json!({"name": "/Help", "webhookUrl": url()}),
            Some("Reserved command name"),
        ),
        (
            json!({"name": "agency", "webhookUrl": url()}),
            Some("Reserved command name"),
        ),
        (json!({"name": "ok"}), None),
        (
            json!({"name": "ok", "webhookUrl": "ftp://example.com/x"}),
            None,
        ),
        (json!({"name": "ok", "webhookUrl": 7}), None),
        (
            json!({"name": "ok", "webhookUrl": url(), "creator": "@nobody_tg_x"}),
            None,
        ),
        (
            json!({"name": "ok", "webhookUrl": url(), "description": "d".repeat(201)}),
            None,
        ),
        (
            json!({"name": "ok", "webhookUrl": url(), "invoke_permission": "sometimes"}),
            None,
        ),
        (
            json!({"name": "ok", "webhookUrl": url(), "invoke_whitelist": [1]}),
            None,
        ),
        (
            json!({"name": "ok", "webhookUrl": url(), "explore_metadata": [1]}),
            None,
        ),
        (
            json!({"name": "ok", "webhookUrl": url(), "explore_metadata": {"slug": "Bad Slug"}}),
            None,
        ),
        (
            json!({"name": "ok", "webhookUrl": url(), "explore_metadata": {"slug": "a--b"}}),
            None,
        ),
        (
            json!({"name": "ok", "webhookUrl": url(), "explore_metadata": {"at_name": "x"}}),
            None,
        ),
        (
            json!({"name": "ok", "webhookUrl": url(), "explore_metadata": {"slug": 5}}),
            None,
        ),
        (
            json!({"name": "ok", "webhookUrl": url(), "explore_metadata": "not json"}),
            None,
        ),
    ];
    for (body, message) in cases {
        let answer = create(&server, &owner, &agency, body.clone()).await;
        answer.expect_error(400);
        if let Some(message) = message {
            assert_eq!(answer.json["error"], message, "{body}");
        }
    }
    let garbage = server
        .client
        .post(format!("{}{}", server.url, commands(&agency)))
        .header(
            "authorization",
            match &owner {
                Cred::Bearer(t) => format!("Bearer {t}"),
                _ => unreachable!(),
            },
        )
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(garbage.status(), 400);

    let tag = Uuid::new_v4().simple().to_string()[..8].to_owned();
    let metadata = json!({"slug": format!("tg-{tag}"), "at_name": format!("tg_{tag}")});
    let metadata_as_text =
        json!({"name": "first", "webhookUrl": url(), "explore_metadata": metadata.to_string()});
    let first = create(&server, &owner, &agency, metadata_as_text).await;
    assert_eq!(first.expect(201)["explore_metadata"], metadata);
    create(
        &server,
        &owner,
        &agency,
        json!({"name": "First", "webhookUrl": url()}),
    )
    .await
    .expect_error(409);
    for taken in [
        json!({"slug": format!("tg-{tag}")}),
        json!({"at_name": format!("tg_{tag}")}),
    ] {
        let body = json!({"name": unique("c"), "webhookUrl": url(), "explore_metadata": taken});
        create(&server, &owner, &agency, body)
            .await
            .expect_error(409);
    }
}

#[tokio::test]
async fn private_webhook_urls_are_refused_without_the_allowance() {
    let mut config = config();
    config.allow_private_webhook_urls = false;
    let server = start_with(config).await;
    let (owner, _) = server.register().await;
    let agency = server.agency_id(&owner).await;
    for private in [
        "http://127.0.0.1/hook",
        "http://localhost:8080/x",
        "http://[::1]/x",
        "http://10.1.2.3/",
    ] {
        let answer = create(
            &server,
            &owner,
            &agency,
            json!({"name": "x", "webhookUrl": private}),
        )
        .await;
        answer.expect_error(400);
        assert_eq!(
            answer.json["error"],
            "Webhook URL must point to a public http(s) address"
        );
    }
    let public = create(
        &server,
        &owner,
        &agency,
        json!({"name": "x", "webhookUrl": "http://93.184.215.14/x"}),
    );
    public.await.expect(201);
}

#[tokio::test]
async fn only_the_owner_manages_commands_and_never_in_the_lobby_or_a_dm() {
    let server = start().await;
    let (owner, _) = server.register().await;
    let (member, member_user) = server.register().await;
    let agency = server.agency_id(&owner).await;
    let other = server.agency_id(&member).await;
    server.join(&member, &agency).await;
    let body = json!({"name": "dice", "webhookUrl": url()});
    create(&server, &member, &agency, body.clone())
        .await
        .expect_error(403);
    let command = create(&server, &owner, &agency, body.clone())
        .await
        .expect(201)
        .clone();
    let path = format!("{}/{}", commands(&agency), command["id"].as_str().unwrap());
    let rename = Some(json!({"name": "other"}));
    server
        .call("PATCH", &path, &member, rename.clone())
        .await
        .expect_error(403);
    server
        .call("DELETE", &path, &member, None)
        .await
        .expect_error(403);
    server
        .call("PATCH", &path, &Cred::None, rename.clone())
        .await
        .expect_error(401);

    let lobby = server.lobby(&owner).await;
    create(&server, &owner, &lobby, body.clone())
        .await
        .expect_error(403);
    assert_eq!(
        server.get(&commands(&lobby), &owner).await.expect(200),
        &json!([])
    );
    let room = server.dm(&owner, &id_of(&member_user)).await;
    server.get(&commands(&room), &owner).await.expect_error(403);
    create(&server, &owner, &room, body.clone())
        .await
        .expect_error(403);

    let unknown = Uuid::new_v4();
    create(&server, &owner, &unknown.to_string(), body.clone())
        .await
        .expect_error(404);
    server
        .get(&commands("not-a-uuid"), &owner)
        .await
        .expect_error(404);
    for missing in [
        format!("{}/{unknown}", commands(&agency)),
        format!("{}/nope", commands(&agency)),
        format!("{}/{}", commands(&other), command["id"].as_str().unwrap()),
    ] {
        server
            .call("PATCH", &missing, &owner, rename.clone())
            .await
            .expect_error(404);
        server
            .call("DELETE", &missing, &owner, None)
            .await
            .expect_error(404);
        server
            .post(&format!("{missing}/hook-key"), &owner, json!({}))
            .await
            .expect_error(404);
        server
            .call("DELETE", &format!("{missing}/hook-key"), &owner, None)
            .await
            .expect_error(404);
    }
}

#[tokio::test]
async fn a_patch_to_a_new_url_creates_a_hook_and_shows_its_key() {
    let server = start().await;
    let (owner, _) = server.register().await;
    let agency = server.agency_id(&owner).await;
    let (first_url, second_url) = (url(), url());
    let command = create(
        &server,
        &owner,
        &agency,
        json!({"name": "dice", "webhookUrl": first_url}),
    )
    .await
    .expect(201)
    .clone();
    let path = format!("{}/{}", commands(&agency), command["id"].as_str().unwrap());
    let before = server.hooks_active().await;
    let moved = server
        .call(
            "PATCH",
            &path,
            &owner,
            Some(json!({"webhook_url": second_url})),
        )
        .await;
    let moved = moved.expect(200).clone();
    assert_eq!(moved["webhookUrl"], second_url.as_str());
    assert_ne!(moved["hook_id"], command["hook_id"]);
    let key = moved["hookKey"]
        .as_str()
        .expect("a new URL carries hookKey");
    hook_agencies(&server, key).await.expect(200);
    assert_eq!(server.hooks_active().await, before + 1);

    let back = server
        .call(
            "PATCH",
            &path,
            &owner,
            Some(json!({"webhookUrl": first_url})),
        )
        .await;
    let back = back.expect(200);
    assert_eq!(back["hook_id"], command["hook_id"]);
    assert!(back.get("hookKey").is_none());

    create(
        &server,
        &owner,
        &agency,
        json!({"name": "roll2", "webhookUrl": url()}),
    )
    .await
    .expect(201);
    server
        .call("PATCH", &path, &owner, Some(json!({"name": "Roll2"})))
        .await
        .expect_error(409);
    let private = Some(json!({"webhookUrl": "mailto:x@example.com"}));
    server
        .call("PATCH", &path, &owner, private)
        .await
        .expect_error(400);
    server
        .call("PATCH", &path, &owner, Some(json!({"name": "help"})))
        .await
        .expect_error(400);
}

#[tokio::test]
async fn the_command_hook_key_is_reissued_and_cleared_by_the_hook_creator_only() {
    let server = start().await;
    let (alice, _) = server.register().await;
    let (bob, _) = server.register().await;
    let (agency_a, agency_b) = (server.agency_id(&alice).await, server.agency_id(&bob).await);
    let webhook = url();
    let mine = create(
        &server,
        &alice,
        &agency_a,
        json!({"name": "dice", "webhookUrl": webhook}),
    )
    .await
    .expect(201)
    .clone();
    let installed = create(
        &server,
        &bob,
        &agency_b,
        json!({"name": "dice", "webhookUrl": webhook}),
    )
    .await
    .expect(201)
    .clone();
    let key0 = mine["hookKey"].as_str().unwrap().to_owned();
    let mine_key = format!(
        "{}/{}/hook-key",
        commands(&agency_a),
        mine["id"].as_str().unwrap()
    );
    let theirs_key = format!(
        "{}/{}/hook-key",
        commands(&agency_b),
        installed["id"].as_str().unwrap()
    );

    let key1 = server.post(&mine_key, &alice, json!({})).await.expect(200)["hookKey"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_ne!(key1, key0);
    let old = hook_agencies(&server, &key0).await;
    old.expect_error(401);
    assert_eq!(old.json["error"], "Invalid hook key");
    hook_agencies(&server, &key1).await.expect(200);

    server
        .post(&theirs_key, &bob, json!({}))
        .await
        .expect_error(403);
    server
        .call("DELETE", &theirs_key, &bob, None)
        .await
        .expect_error(403);
    let key2 = server
        .post(&theirs_key, &alice, json!({}))
        .await
        .expect(200)["hookKey"]
        .as_str()
        .unwrap()
        .to_owned();
    hook_agencies(&server, &key1).await.expect_error(401);

    let before = server.hooks_active().await;
    let cleared = server.call("DELETE", &mine_key, &alice, None).await;
    assert_eq!(cleared.expect(200), &json!({"ok": true}));
    hook_agencies(&server, &key2).await.expect_error(401);
    let hook_id = mine["hook_id"].as_str().unwrap();
    let hook = server
        .get(&format!("/api/hooks/by-id/{hook_id}"), &Cred::None)
        .await;
    assert_eq!(
        hook.expect(200)["enabled"],
        true,
        "clearing the key keeps the hook"
    );
    assert_eq!(server.hooks_active().await, before);

    let key3 = server.post(&mine_key, &alice, json!({})).await.expect(200)["hookKey"]
        .as_str()
        .unwrap()
        .to_owned();
    hook_agencies(&server, &key3).await.expect(200);
}

#[tokio::test]
async fn a_command_whose_hook_was_revoked_gets_a_new_hook_from_its_owner() {
    let server = start().await;
    let (owner, _) = server.register().await;
    let (member, _) = server.register().await;
    let agency = server.agency_id(&owner).await;
    server.join(&member, &agency).await;
    let slug = format!("tg-{}", &Uuid::new_v4().simple().to_string()[..8]);
    let command = create(
        &server,
        &owner,
        &agency,
        json!({
            "name": "dice", "webhookUrl": url(), "explore_metadata": {"slug": slug},
        }),
    )
    .await
    .expect(201)
    .clone();
    let old_hook = command["hook_id"].as_str().unwrap();
    let revoke = format!("/api/hooks/by-id/{old_hook}/revoke-key");
    server
        .call("DELETE", &revoke, &owner, None)
        .await
        .expect(200);
    let listed = server.get(&commands(&agency), &owner).await;
    assert_eq!(listed.expect(200)[0]["hook_id"], Value::Null);

    let path = format!(
        "{}/{}/hook-key",
        commands(&agency),
        command["id"].as_str().unwrap()
    );
    server
        .call("DELETE", &path, &owner, None)
        .await
        .expect_error(404);
    server
        .post(&path, &member, json!({}))
        .await
        .expect_error(403);
    let before = server.hooks_active().await;
    let key = server.post(&path, &owner, json!({})).await.expect(200)["hookKey"]
        .as_str()
        .unwrap()
        .to_owned();
    hook_agencies(&server, &key).await.expect(200);
    assert_eq!(server.hooks_active().await, before + 1);
    let listed = server.get(&commands(&agency), &owner).await;
    let new_hook = listed.expect(200)[0]["hook_id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_ne!(new_hook, old_hook);
    let by_slug = server
        .get(&format!("/api/hooks/by-slug/{slug}"), &Cred::None)
        .await;
    assert_eq!(by_slug.expect(200)["id"], new_hook.as_str());
}

#[tokio::test]
async fn a_hook_key_authenticates_other_routes_only_under_the_fault() {
    for (faults, status) in [(vec![], 401), (vec![Fault::HookKeyOnAnyRoute], 200)] {
        let server = start_with_faults(&faults).await;
        let (owner, _) = server.register().await;
        let agency = server.agency_id(&owner).await;
        let key = server.hook_key(&owner, &agency).await;
        let answer = server.get(&commands(&agency), &Cred::HookKey(key)).await;
        answer.expect(status);
    }
}

/// endpoints.md §1.3: the existence of the command (step 6) is checked before authorisation
/// (step 7), and rows 58–61 name no Lobby refusal; the Lobby holds no command, so any command
/// ID there is unknown: 404, not the 403 that creating a command in the Lobby gets (§15.1).
#[tokio::test]
async fn a_command_id_in_the_lobby_is_unknown() {
    let server = start().await;
    let (owner, _) = server.register().await;
    let lobby = server.lobby(&owner).await;
    let path = format!("{}/{}", commands(&lobby), Uuid::new_v4());
    server
        .call("PATCH", &path, &owner, Some(json!({"description": "x"})))
        .await
        .expect_error(404);
    server
        .call("DELETE", &path, &owner, None)
        .await
        .expect_error(404);
    server
        .post(&format!("{path}/hook-key"), &owner, json!({}))
        .await
        .expect_error(404);
    server
        .call("DELETE", &format!("{path}/hook-key"), &owner, None)
        .await
        .expect_error(404);
}
