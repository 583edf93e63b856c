//! Rows 66–75 of endpoints.md (§17): hook reads by slug and ID, the creator's update, key
//! rotation and revocation, the legacy `webhook_url` endpoints, the transparency source and
//! native deploy (with every credential it takes).

mod common;

use common::*;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use uuid::Uuid;

#[tokio::test]
async fn hooks_are_read_by_slug_and_id_and_updated_by_their_creator() {
    let server = start().await;
    let (alice, alice_user) = server.register().await;
    let (bob, _) = server.register().await;
    let (agency_a, agency_b) = (server.agency_id(&alice).await, server.agency_id(&bob).await);
    let slug = format!("tg-{}", tag());
    let meta =
        json!({"explore_metadata": {"slug": slug, "display_name": "Dice"}, "description": "Roll"});
    let command = server.publish(&alice, &agency_a, meta).await;
    let webhook = command["webhookUrl"].as_str().unwrap();
    let commands_b = format!("/api/custom-commands/{agency_b}/commands");
    let installed =
        json!({"name": "bobdice", "webhookUrl": webhook, "explore_metadata": {"creator": "@bob"}});
    server.post(&commands_b, &bob, installed).await.expect(201);

    let hook = server
        .get(&format!("/api/hooks/by-slug/{slug}"), &Cred::None)
        .await;
    let hook = hook.expect(200).clone();
    assert_eq!(hook["id"], command["hook_id"]);
    assert_eq!(hook["webhook_url"], webhook);
    assert_eq!(hook["name"], "Dice");
    assert_eq!(hook["description"], "Roll");
    assert_eq!(
        hook["creator"],
        format!("@{}", alice_user["username"].as_str().unwrap())
    );
    assert_eq!(hook["default_invoke_permission"], "open");
    assert_eq!(
        (hook["enabled"].clone(), hook["verified"].clone()),
        (json!(true), json!(false))
    );
    assert_eq!(hook["source_type"], "webhook");
    assert_eq!(
        (hook["source_url"].clone(), hook["schema"].clone()),
        (Value::Null, Value::Null)
    );
    assert!(hook.get("source_code").is_none());
    assert_eq!(hook["commands"].as_array().unwrap().len(), 2);
    assert!(hook["created_at"].is_string() && hook["updated_at"].is_string());
    let upper = format!("/api/hooks/by-slug/{}", slug.to_uppercase());
    let upper = server.get(&upper, &Cred::None).await;
    assert_eq!(upper.expect(200)["id"], hook["id"]);
    let by_id = format!("/api/hooks/by-id/{}", hook["id"].as_str().unwrap());
    assert_eq!(server.get(&by_id, &bob).await.expect(200)["id"], hook["id"]);
    server
        .get("/api/hooks/by-slug/tg-no-such-slug", &Cred::None)
        .await
        .expect_error(404);
    for missing in [Uuid::new_v4().to_string(), "nope".into()] {
        let path = format!("/api/hooks/by-id/{missing}");
        server.get(&path, &Cred::None).await.expect_error(404);
        server
            .patch(&path, &alice, json!({"name": "x"}))
            .await
            .expect_error(404);
    }

    let change =
        json!({"name": "New", "description": "Desc", "default_invoke_permission": "closed"});
    let updated = server.patch(&by_id, &alice, change).await;
    let updated = updated.expect(200);
    assert_eq!(updated["name"], "New");
    assert_eq!(updated["description"], "Desc");
    assert_eq!(updated["default_invoke_permission"], "closed");
    for (cred, agency) in [(&alice, &agency_a), (&bob, &agency_b)] {
        let list = server
            .get(&format!("/api/custom-commands/{agency}/commands"), cred)
            .await;
        let metadata = list.expect(200)[0]["explore_metadata"].clone();
        assert_eq!(metadata["display_name"], "New");
        assert_eq!(metadata["description"], "Desc");
        assert_eq!(metadata["default_invoke_permission"], "closed");
    }
    server
        .patch(&by_id, &bob, json!({"name": "Mine"}))
        .await
        .expect_error(403);
    server
        .patch(&by_id, &Cred::None, json!({"name": "Mine"}))
        .await
        .expect_error(401);
    let invalid = [
        json!({"default_invoke_permission": "sometimes"}),
        json!({"enabled": "yes"}),
        json!({"name": ""}),
        json!({"description": "d".repeat(201)}),
    ];
    for body in invalid {
        server.patch(&by_id, &alice, body).await.expect_error(400);
    }
}

#[tokio::test]
async fn rotation_ends_the_old_key_and_revocation_deletes_the_hook() {
    let server = start().await;
    let (alice, _) = server.register().await;
    let (bob, _) = server.register().await;
    let agency = server.agency_id(&alice).await;
    let slug = format!("tg-{}", tag());
    let command = server
        .publish(&alice, &agency, json!({"explore_metadata": {"slug": slug}}))
        .await;
    let old = key_of(&command);
    let by_id = format!("/api/hooks/by-id/{}", command["hook_id"].as_str().unwrap());
    let rotate = format!("{by_id}/rotate-key");

    let rotated = server.post(&rotate, &alice, json!({})).await;
    let new = Cred::HookKey(rotated.expect(200)["hookKey"].as_str().unwrap().to_owned());
    server
        .get("/api/hooks/agencies", &old)
        .await
        .expect_error(401);
    server.get("/api/hooks/agencies", &new).await.expect(200);
    server
        .post(&rotate, &bob, json!({}))
        .await
        .expect_error(403);
    server
        .post(&rotate, &Cred::None, json!({}))
        .await
        .expect_error(401);
    let unknown = format!("/api/hooks/by-id/{}", Uuid::new_v4());
    server
        .post(&format!("{unknown}/rotate-key"), &alice, json!({}))
        .await
        .expect_error(404);

    let revoke = format!("{by_id}/revoke-key");
    let before = server.hooks_active().await;
    server
        .call("DELETE", &revoke, &bob, None)
        .await
        .expect_error(403);
    server
        .call("DELETE", &revoke, &Cred::None, None)
        .await
        .expect_error(401);
    let revoked = server.call("DELETE", &revoke, &alice, None).await;
    assert_eq!(revoked.expect(200), &json!({"ok": true}));
    let dead = server.get("/api/hooks/agencies", &new).await;
    dead.expect_error(401);
    assert_eq!(dead.json["error"], "Invalid hook key");
    server.get(&by_id, &Cred::None).await.expect_error(404);
    server
        .get(&format!("/api/hooks/by-slug/{slug}"), &Cred::None)
        .await
        .expect_error(404);
    assert_eq!(server.hooks_active().await, before - 1);
    let list = server
        .get(&format!("/api/custom-commands/{agency}/commands"), &alice)
        .await;
    assert_eq!(
        list.expect(200)[0]["hook_id"],
        Value::Null,
        "its commands stay"
    );
    server
        .call("DELETE", &revoke, &alice, None)
        .await
        .expect_error(404);
    server
        .post(&rotate, &alice, json!({}))
        .await
        .expect_error(404);
}

#[tokio::test]
async fn the_legacy_endpoints_find_the_hook_by_its_webhook_url() {
    let server = start().await;
    let (alice, _) = server.register().await;
    let (bob, _) = server.register().await;
    let agency = server.agency_id(&alice).await;
    let command = server.publish(&alice, &agency, json!({})).await;
    let webhook = command["webhookUrl"].as_str().unwrap().to_owned();
    let taken = format!("tg-{}", tag());
    let taken_at = format!("tg_{}", tag());
    let bob_agency = server.agency_id(&bob).await;
    let meta = json!({"explore_metadata": {"slug": taken, "at_name": taken_at}});
    server.publish(&bob, &bob_agency, meta).await;

    let (slug, at_name) = (format!("tg-{}", tag()), format!("tg_{}", tag()));
    let body = json!({"webhook_url": webhook, "slug": slug, "at_name": at_name, "name": "Legacy",
        "description": "Old style", "default_invoke_permission": "whitelist"});
    let updated = server.patch("/api/hooks/metadata", &alice, body).await;
    let updated = updated.expect(200);
    assert_eq!(
        (updated["slug"].as_str(), updated["at_name"].as_str()),
        (Some(slug.as_str()), Some(at_name.as_str()))
    );
    assert_eq!(updated["name"], "Legacy");
    assert_eq!(updated["default_invoke_permission"], "whitelist");
    let found = server
        .get(&format!("/api/hooks/by-slug/{slug}"), &Cred::None)
        .await;
    assert_eq!(found.expect(200)["id"], command["hook_id"]);
    let list = server
        .get(&format!("/api/custom-commands/{agency}/commands"), &alice)
        .await;
    assert_eq!(
        list.expect(200)[0]["explore_metadata"]["slug"],
        slug.as_str()
    );

    let conflicts = [
        json!({"webhook_url": webhook, "slug": taken}),
        json!({"webhook_url": webhook, "at_name": taken_at}),
    ];
    for body in conflicts {
        server
            .patch("/api/hooks/metadata", &alice, body)
            .await
            .expect_error(409);
    }
    let unknown = "https://example.com/tg/never-published";
    for (cred, body, status) in [
        (&alice, json!({"name": "x"}), 400),
        (
            &alice,
            json!({"webhook_url": webhook, "slug": "Not A Slug"}),
            400,
        ),
        (&alice, json!({"webhook_url": unknown}), 404),
        (&bob, json!({"webhook_url": webhook, "name": "x"}), 403),
        (&Cred::None, json!({"webhook_url": webhook}), 401),
    ] {
        server
            .patch("/api/hooks/metadata", cred, body.clone())
            .await
            .expect_error(status);
        if !body.get("slug").is_some_and(|s| s == "Not A Slug") {
            server
                .post("/api/hooks/rotate-key", cred, body)
                .await
                .expect_error(status);
        }
    }

    let rotated = server
        .post(
            "/api/hooks/rotate-key",
            &alice,
            json!({"webhook_url": webhook}),
        )
        .await;
    let rotated = rotated.expect(200).clone();
    assert!(
        rotated.get("hookKey").is_none(),
        "the legacy answer names the key `key`"
    );
    let key = Cred::HookKey(rotated["key"].as_str().unwrap().to_owned());
    server
        .get("/api/hooks/agencies", &key_of(&command))
        .await
        .expect_error(401);
    server.get("/api/hooks/agencies", &key).await.expect(200);
}

#[tokio::test]
async fn the_hook_source_is_public_and_set_by_the_creator() {
    let server = start().await;
    let (alice, _) = server.register().await;
    let (bob, _) = server.register().await;
    let agency = server.agency_id(&alice).await;
    let command = server.publish(&alice, &agency, json!({})).await;
    let webhook = command["webhookUrl"].as_str().unwrap().to_owned();
    let query = format!(
        "/api/hooks/source?webhook_url={}",
        url::form_urlencoded::byte_serialize(webhook.as_bytes()).collect::<String>()
    );

    let source = server.get(&query, &Cred::None).await;
    assert_eq!(
        source.expect(200),
        &json!({"webhook_url": webhook, "source_url": null,
        "source_hash": null, "verified": false, "schema": null})
    );
    server
        .get("/api/hooks/source", &Cred::None)
        .await
        .expect_error(400);
    server
        .get("/api/hooks/source?webhook_url=", &Cred::None)
        .await
        .expect_error(400);
    let unknown = "/api/hooks/source?webhook_url=https%3A%2F%2Fexample.com%2Fnone";
    server.get(unknown, &Cred::None).await.expect_error(404);

    let body = json!({"webhook_url": webhook, "source_url": "https://github.com/example/dice",
        "source_hash": "abc123", "schema": {"type": "object"}});
    let updated = server.patch("/api/hooks/source", &alice, body).await;
    let updated = updated.expect(200).clone();
    assert_eq!(updated["source_url"], "https://github.com/example/dice");
    assert_eq!(updated["source_hash"], "abc123");
    assert_eq!(updated["schema"], json!({"type": "object"}));
    assert_eq!(updated["verified"], false, "only native hooks are verified");
    assert_eq!(server.get(&query, &Cred::None).await.expect(200), &updated);
    let cleared = server
        .patch(
            "/api/hooks/source",
            &alice,
            json!({"webhook_url": webhook, "schema": null}),
        )
        .await;
    assert_eq!(cleared.expect(200)["schema"], Value::Null);

    for (cred, body, status) in [
        (
            &bob,
            json!({"webhook_url": webhook, "source_url": "https://x"}),
            403,
        ),
        (&alice, json!({"source_url": "https://x"}), 400),
        (&alice, json!({"webhook_url": webhook, "schema": "x"}), 400),
        (
            &alice,
            json!({"webhook_url": webhook, "source_hash": 5}),
            400,
        ),
        (
            &alice,
            json!({"webhook_url": "https://example.com/none"}),
            404,
        ),
        (&Cred::None, json!({"webhook_url": webhook}), 401),
    ] {
        server
            .patch("/api/hooks/source", cred, body)
            .await
            .expect_error(status);
    }
}

const CODE: &str = "export async function handler(ctx) { return { content: 'hi' }; }";

fn sha256_hex(text: &str) -> String {
    hex::encode(Sha256::digest(text.as_bytes()))
}

#[tokio::test]
async fn a_native_deploy_creates_then_updates_its_hook() {
    let server = start().await;
    let (alice, _) = server.register().await;
    let (bob, _) = server.register().await;
    let agency = server.agency_id(&alice).await;
    let (slug, at_name) = (format!("tg-{}", tag()), format!("tg_{}", tag()));
    let before = server.hooks_active().await;
    let first = server
        .post(
            "/api/hooks/deploy",
            &alice,
            json!({
                "slug": slug, "code": CODE, "name": "Native Dice", "at_name": at_name,
                "commands": [{"name": "/Dice-Game"}, {"name": "flip", "description": "Flip a coin"}],
            }),
        )
        .await;
    let first = first.expect(201).clone();
    assert_eq!(first["slug"], slug.as_str());
    assert_eq!(first["source_type"], "native");
    assert_eq!(first["verified"], true);
    assert_eq!(first["source_hash"], sha256_hex(CODE));
    assert_eq!(
        first["commands"],
        json!([{"name": "dicegame", "description": null}, {"name": "flip", "description": "Flip a coin"}])
    );
    assert_eq!(
        (
            first["installed_in"].clone(),
            first["installed_commands"].clone()
        ),
        (Value::Null, json!([]))
    );
    let key = Cred::HookKey(
        first["hook_key"]
            .as_str()
            .expect("first deploy carries hook_key")
            .to_owned(),
    );
    assert_eq!(server.hooks_active().await, before + 1);
    let by_id = format!("/api/hooks/by-id/{}", first["hook_id"].as_str().unwrap());
    let hook = server.get(&by_id, &Cred::None).await;
    let hook = hook.expect(200);
    assert_eq!(
        (hook["webhook_url"].clone(), hook["verified"].clone()),
        (Value::Null, json!(true))
    );
    assert_eq!(hook["source_code"], CODE);
    assert_eq!(hook["name"], "Native Dice");
    assert_eq!(hook["commands"][0]["name"], "dicegame");
    server.get("/api/hooks/agencies", &key).await.expect(200);
    server
        .post_message(&key, &agency, "hi")
        .await
        .expect_error(403);

    let code = format!("{CODE}\n// v2");
    let update = server
        .post(
            "/api/hooks/deploy",
            &alice,
            json!({
                "slug": slug, "code": code, "commands": [{"name": "dicegame"}], "agency_id": agency,
            }),
        )
        .await;
    let update = update.expect(200);
    assert!(
        update.get("hook_key").is_none(),
        "only the first deploy shows the key"
    );
    assert_eq!(update["hook_id"], first["hook_id"]);
    assert_eq!(update["source_hash"], sha256_hex(&code));
    assert_eq!(update["installed_in"], agency.as_str());
    assert_eq!(update["installed_commands"], json!(["dicegame"]));
    assert_eq!(
        server.get(&by_id, &Cred::None).await.expect(200)["name"],
        "Native Dice"
    );
    let installed = server.get("/api/hooks/agencies", &key).await;
    assert_eq!(installed.expect(200)[0]["id"], agency.as_str());
    server
        .post_message(&key, &agency, "native hello")
        .await
        .expect(201);

    let again = json!({"slug": slug, "code": CODE, "commands": [{"name": "dicegame"}]});
    server
        .post("/api/hooks/deploy", &bob, again)
        .await
        .expect_error(409);
    let webhook_slug = format!("tg-{}", tag());
    let webhook_at = format!("tg_{}", tag());
    let meta = json!({"explore_metadata": {"slug": webhook_slug, "at_name": webhook_at}});
    server.publish(&alice, &agency, meta).await;
    for body in [
        json!({"slug": webhook_slug, "code": CODE, "commands": [{"name": "dicegame"}]}),
        json!({"slug": format!("tg-{}", tag()), "at_name": webhook_at, "code": CODE, "commands": [{"name": "dicegame"}]}),
    ] {
        server
            .post("/api/hooks/deploy", &alice, body)
            .await
            .expect_error(409);
    }
    let clash = json!({"name": "clash", "webhookUrl": url(), "explore_metadata": {"slug": slug}});
    server
        .post(
            &format!("/api/custom-commands/{agency}/commands"),
            &alice,
            clash,
        )
        .await
        .expect_error(409);
}

#[tokio::test]
async fn native_deploy_validation_and_agency_rules() {
    let server = start().await;
    let (alice, _) = server.register().await;
    let (bob, bob_user) = server.register().await;
    let mine = server.agency_id(&alice).await;
    let theirs = server.agency_id(&bob).await;
    server.join(&alice, &theirs).await;
    let room = server.dm(&alice, &id_of(&bob_user)).await;
    let base = || json!({"slug": format!("tg-{}", tag()), "code": CODE, "commands": [{"name": "dicegame"}]});
    let with = |key: &str, value: Value| {
        let mut body = base();
        body[key] = value;
        body
    };
    let invalid = [
        with("code", json!("function other() {}")),
        with("code", json!("")),
        with("code", json!(format!("{CODE}{}", " ".repeat(64 * 1024)))),
        with("commands", json!([])),
        with("commands", json!("dicegame")),
        with("commands", json!([{}])),
        with("commands", json!([{"name": "help"}])),
        with("commands", json!([{"name": "a", "description": 5}])),
        with("commands", json!([{"name": "a"}, {"name": "A"}])),
        with("slug", json!("Bad Slug")),
        with("slug", json!("x")),
        with("slug", Value::Null),
        with("at_name", json!("A!")),
        with("name", json!("")),
        with("agency_id", json!(5)),
    ];
    for body in invalid {
        let answer = server.post("/api/hooks/deploy", &alice, body.clone()).await;
        assert_eq!(answer.status, 400, "{body}: {}", answer.text);
        answer.expect_error(400);
    }
    let mut no_commands = base();
    no_commands.as_object_mut().unwrap().remove("commands");
    server
        .post("/api/hooks/deploy", &alice, no_commands)
        .await
        .expect_error(400);

    for (agency, status) in [
        (theirs, 403),
        (room, 403),
        (Uuid::new_v4().to_string(), 404),
        ("nope".into(), 404),
    ] {
        let answer = server
            .post(
                "/api/hooks/deploy",
                &alice,
                with("agency_id", json!(agency)),
            )
            .await;
        answer.expect_error(status);
    }
    server
        .post("/api/hooks/deploy", &Cred::None, base())
        .await
        .expect_error(401);
    let installed = server
        .post("/api/hooks/deploy", &alice, with("agency_id", json!(mine)))
        .await;
    assert_eq!(installed.expect(201)["installed_in"], mine.as_str());
}

#[tokio::test]
async fn native_deploy_takes_a_verified_agents_raw_token() {
    let server = start().await;
    let (owner, _) = server.register().await;
    let (_, agent, token) = server.agent(&owner).await;
    let agent_name = str_of(&agent, "username");
    let body = || json!({"slug": format!("tg-{}", tag()), "code": CODE, "commands": [{"name": "dicegame"}]});
    let deployed = server
        .post("/api/hooks/deploy", &Cred::Bearer(token.clone()), body())
        .await;
    let hook_id = deployed.expect(201)["hook_id"].as_str().unwrap().to_owned();
    let hook = server
        .get(&format!("/api/hooks/by-id/{hook_id}"), &Cred::None)
        .await;
    assert_eq!(hook.expect(200)["creator"], format!("@{agent_name}"));
    let by_id = format!("/api/hooks/by-id/{hook_id}");
    server
        .patch(&by_id, &Cred::Bearer(token.clone()), json!({"name": "x"}))
        .await
        .expect_error(401);

    let exchanged = server.exchange(&token).await;
    let session = Cred::Bearer(exchanged.expect(200)["token"].as_str().unwrap().to_owned());
    server
        .post("/api/hooks/deploy", &session, body())
        .await
        .expect(201);
    server
        .patch(&by_id, &session, json!({"name": "Agent hook"}))
        .await
        .expect(200);

    let created = server
        .create_agent(&owner, json!({"name": unique("tgagent")}))
        .await;
    let unverified = Cred::Bearer(str_of(&created, "agentToken").to_owned());
    let refused = server.post("/api/hooks/deploy", &unverified, body()).await;
    refused.expect_error(403);
    assert_eq!(refused.json["error"], "Agent not verified");
}
