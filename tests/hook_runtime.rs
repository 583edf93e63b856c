//! Rows 62–65 of endpoints.md (§16): the hook runtime API, authenticated by the hook key
//! alone; the response webhook a hook message triggers for a mentioned agent (§19.2); and the
//! `concurrent-post-duplicates` fault. History is read over REST, except the hook a message
//! was posted by, which no endpoint shows.

mod common;

use common::*;
use hmac::{Hmac, Mac};
use parking_lot::Mutex;
use serde_json::{Value, json};
use sha2::Sha256;
use std::sync::Arc;
use std::time::Duration;
use tidegauge::server::faults::Fault;
use tidegauge::server::store::Store;
use uuid::Uuid;

/// The agency's whole history as `reader` sees it, newest first (pages of 100 with the ID
/// cursor, so that messages sharing a millisecond cannot be skipped).
async fn history(server: &Server, reader: &Cred, agency: &str) -> Vec<Value> {
    let mut all: Vec<Value> = Vec::new();
    loop {
        let mut path = format!("/api/agencies/{agency}/messages?limit=100");
        if let Some(oldest) = all.last() {
            path.push_str(&format!("&before={}", id_of(oldest)));
        }
        let page = server.get(&path, reader).await;
        let page = page.expect(200).as_array().expect("an array").clone();
        if page.is_empty() {
            return all;
        }
        all.extend(page);
    }
}

/// The hook that posted message `id` of `agency`. A message's hook is internal state that no
/// endpoint exposes (the Message object has no hook field), so it is read from the store.
fn hook_of(server: &Server, agency: &str, id: &str) -> Option<String> {
    let rooms = server.running.app.store.rooms();
    let log = rooms.log(Uuid::parse_str(agency).unwrap());
    let log = log.read();
    let message = log.get(Uuid::parse_str(id).unwrap())?;
    message.hook_id.map(|h| h.to_string())
}

#[tokio::test]
async fn the_runtime_lists_installed_agencies_and_their_members() {
    let server = start().await;
    let (owner, owner_user) = server.register().await;
    let (member, member_user) = server.register().await;
    let agency = server.agency_id(&owner).await;
    let elsewhere = server.agency_id(&owner).await;
    server.join(&member, &agency).await;
    let key = key_of(&server.publish(&owner, &agency, json!({})).await);

    let listed = server.get("/api/hooks/agencies", &key).await;
    let listed = listed.expect(200).as_array().unwrap().clone();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0]["id"], agency.as_str());
    let mut keys: Vec<&String> = listed[0].as_object().unwrap().keys().collect();
    keys.sort();
    assert_eq!(keys, ["id", "name", "slug"]);

    let members = server
        .get(&format!("/api/hooks/agencies/{agency}/members"), &key)
        .await;
    let members = members.expect(200).as_array().unwrap().clone();
    assert_eq!(members.len(), 2);
    assert_eq!(members[0]["id"], owner_user["id"]);
    assert_eq!(members[0]["role"], "owner");
    assert_eq!(members[1]["username"], member_user["username"]);
    assert_eq!(members[1]["display_name"], member_user["username"]);
    assert_eq!(members[1]["role"], "member");

    let not_installed = server
        .get(&format!("/api/hooks/agencies/{elsewhere}/members"), &key)
        .await;
    not_installed.expect_error(403);
    assert_eq!(
        not_installed.json["error"],
        "Hook is not installed in this agency"
    );
    let room = server.dm(&owner, &id_of(&member_user)).await;
    for (agency, status) in [
        (room, 403),
        (Uuid::new_v4().to_string(), 404),
        ("nope".into(), 404),
    ] {
        let path = format!("/api/hooks/agencies/{agency}/members");
        server.get(&path, &key).await.expect_error(status);
    }
}

#[tokio::test]
async fn runtime_credentials_are_only_the_hook_key() {
    let server = start().await;
    let (owner, _) = server.register().await;
    let agency = server.agency_id(&owner).await;
    server.publish(&owner, &agency, json!({})).await;
    let pat = server.pat(&owner).await;
    let Cred::Bearer(pat) = pat else {
        unreachable!("pat() gives a Bearer")
    };
    let Cred::Bearer(session) = owner.clone() else {
        unreachable!()
    };
    let cases = [
        (Cred::None, "Hook key required"),
        (Cred::HookKey(String::new()), "Hook key required"),
        (owner.clone(), "Hook key required"),
        (Cred::Cookie(session.clone()), "Hook key required"),
        (Cred::HookKey("0".repeat(64)), "Invalid hook key"),
        (Cred::HookKey(pat), "Invalid hook key"),
        (Cred::HookKey(session), "Invalid hook key"),
    ];
    for (cred, message) in cases {
        let answers = [
            server.get("/api/hooks/agencies", &cred).await,
            server
                .get(&format!("/api/hooks/agencies/{agency}/members"), &cred)
                .await,
            server.post_message(&cred, &agency, "hi").await,
            server
                .patch(
                    &format!("/api/hooks/messages/{}", Uuid::new_v4()),
                    &cred,
                    json!({}),
                )
                .await,
        ];
        for answer in answers {
            answer.expect_error(401);
            assert_eq!(answer.json["error"], message, "{cred:?}");
        }
    }
}

#[tokio::test]
async fn a_hook_posts_messages_as_the_system() {
    let server = start().await;
    let (owner, _) = server.register().await;
    let (_, other_user) = server.register().await;
    let agency = server.agency_id(&owner).await;
    let elsewhere = server.agency_id(&owner).await;
    let at_name = format!("tg_{}", tag());
    let meta = json!({"explore_metadata": {"at_name": at_name, "display_name": "Dice Bot"}});
    let command = server.publish(&owner, &agency, meta).await;
    let key = key_of(&command);

    let answer = server.post_message(&key, &agency, "hello @nobody").await;
    assert!(
        answer
            .header("content-type")
            .unwrap()
            .starts_with("application/json")
    );
    let message = answer.expect(201).clone();
    assert_eq!(message["content"], "hello @nobody");
    assert_eq!(message["agencyId"], agency.as_str());
    assert_eq!(message["agency_id"], agency.as_str());
    assert_eq!(message["authorId"], "system");
    assert_eq!(message["sender_id"], "system");
    assert_eq!(message["sender_type"], "system");
    assert_eq!(message["type"], "system");
    assert_eq!(message["metadata"], json!({}));
    assert_eq!(message["dm"], false);
    assert_eq!(message["sender_username"], at_name.as_str());
    assert_eq!(message["sender_display_name"], "Dice Bot");
    assert_eq!(message["createdAt"], message["updatedAt"]);

    let custom = server.post("/api/hooks/messages", &key, json!({
        "agencyId": agency, "content": "x".repeat(32768), "type": "tool_result",
        "metadata": "{\"a\": 1}", "sender_username": "roller", "sender_display_name": "Roller",
    }))
    .await;
    let custom = custom.expect(201);
    assert_eq!(custom["type"], "tool_result");
    assert_eq!(custom["metadata"], json!({"a": 1}));
    assert_eq!(
        (
            custom["sender_username"].as_str(),
            custom["sender_display_name"].as_str()
        ),
        (Some("roller"), Some("Roller"))
    );
    let stored = history(&server, &owner, &agency).await;
    assert_eq!(stored.len(), 2);
    assert_eq!(stored[1]["id"], message["id"]);
    assert_eq!(
        hook_of(&server, &agency, &id_of(&message)).as_deref(),
        command["hook_id"].as_str()
    );

    let plain = server
        .publish(&owner, &agency, json!({"name": "plainhook"}))
        .await;
    let plain_message = server.post_message(&key_of(&plain), &agency, "hi").await;
    assert_eq!(
        plain_message.expect(201)["sender_username"],
        "plainhook",
        "default: the hook name"
    );

    let invalid = [
        json!({"content": "hi"}),
        json!({"agencyId": 5, "content": "hi"}),
        json!({"agencyId": agency}),
        json!({"agencyId": agency, "content": ""}),
        json!({"agencyId": agency, "content": 5}),
        json!({"agencyId": agency, "content": "x".repeat(32769)}),
        json!({"agencyId": agency, "content": "hi", "type": "shout"}),
        json!({"agencyId": agency, "content": "hi", "metadata": [1]}),
        json!({"agencyId": agency, "content": "hi", "metadata": "[1]"}),
        json!({"agencyId": agency, "content": "hi", "metadata": 5}),
    ];
    for body in invalid {
        let answer = server.post("/api/hooks/messages", &key, body.clone()).await;
        assert_eq!(answer.status, 400, "{body}: {}", answer.text);
        answer.expect_error(400);
    }
    server
        .post_message(&key, &Uuid::new_v4().to_string(), "hi")
        .await
        .expect_error(404);
    server
        .post_message(&key, "nope", "hi")
        .await
        .expect_error(404);
    server
        .post_message(&key, &elsewhere, "hi")
        .await
        .expect_error(403);
    let room = server.dm(&owner, &id_of(&other_user)).await;
    server
        .post_message(&key, &room, "hi")
        .await
        .expect_error(403);
    assert_eq!(
        history(&server, &owner, &agency).await.len(),
        3,
        "refused posts store nothing"
    );
}

#[tokio::test]
async fn a_hook_edits_only_its_own_messages() {
    let server = start().await;
    let (owner, _) = server.register().await;
    let agency = server.agency_id(&owner).await;
    let (mine, theirs) = (
        key_of(&server.publish(&owner, &agency, json!({})).await),
        key_of(&server.publish(&owner, &agency, json!({})).await),
    );
    let message = server
        .post_message(&mine, &agency, "first")
        .await
        .expect(201)
        .clone();
    let other = server
        .post_message(&theirs, &agency, "other")
        .await
        .expect(201)
        .clone();
    let path = format!("/api/hooks/messages/{}", message["id"].as_str().unwrap());
    server.advance(5).await;

    let edited = server
        .patch(&path, &mine, json!({"content": "edited"}))
        .await;
    let edited = edited.expect(200).clone();
    assert_eq!(edited["content"], "edited");
    assert_eq!(edited["id"], message["id"]);
    assert_eq!(edited["createdAt"], message["createdAt"]);
    assert_ne!(edited["updatedAt"], message["updatedAt"]);
    assert_eq!(edited["updatedAt"], edited["updated_at"]);
    let with_metadata = server
        .patch(&path, &mine, json!({"metadata": "{\"step\": 2}"}))
        .await;
    let with_metadata = with_metadata.expect(200);
    assert_eq!(with_metadata["metadata"], json!({"step": 2}));
    assert_eq!(with_metadata["content"], "edited");
    let stored = history(&server, &owner, &agency).await;
    let stored = stored.iter().find(|m| m["id"] == message["id"]);
    assert_eq!(stored.unwrap()["content"], "edited");

    for body in [
        json!({}),
        json!({"content": ""}),
        json!({"metadata": [1]}),
        json!({"content": null}),
    ] {
        server.patch(&path, &mine, body).await.expect_error(400);
    }
    let other_path = format!("/api/hooks/messages/{}", other["id"].as_str().unwrap());
    let refused = server
        .patch(&other_path, &mine, json!({"content": "mine now"}))
        .await;
    refused.expect_error(403);
    for missing in [Uuid::new_v4().to_string(), "nope".into()] {
        let path = format!("/api/hooks/messages/{missing}");
        server
            .patch(&path, &mine, json!({"content": "x"}))
            .await
            .expect_error(404);
    }
}

#[tokio::test]
async fn a_disabled_hook_is_refused_at_runtime_and_leaves_the_gauge() {
    let server = start().await;
    let (owner, _) = server.register().await;
    let agency = server.agency_id(&owner).await;
    let command = server.publish(&owner, &agency, json!({})).await;
    let (key, hook_id) = (
        key_of(&command),
        command["hook_id"].as_str().unwrap().to_owned(),
    );
    let message = server
        .post_message(&key, &agency, "before")
        .await
        .expect(201)
        .clone();
    let edit = format!("/api/hooks/messages/{}", message["id"].as_str().unwrap());
    let by_id = format!("/api/hooks/by-id/{hook_id}");
    let enabled = server.hooks_active().await;

    let disabled = server
        .patch(&by_id, &owner, json!({"enabled": false}))
        .await;
    assert_eq!(disabled.expect(200)["enabled"], false);
    assert_eq!(server.hooks_active().await, enabled - 1);
    let answers = [
        server.get("/api/hooks/agencies", &key).await,
        server
            .get(&format!("/api/hooks/agencies/{agency}/members"), &key)
            .await,
        server.post_message(&key, &agency, "hi").await,
        server
            .post("/api/hooks/messages", &key, json!({"content": "no agency"}))
            .await,
        server.patch(&edit, &key, json!({"content": "x"})).await,
    ];
    for answer in answers {
        answer.expect_error(403);
        assert_eq!(answer.json["error"], "Hook is disabled");
    }
    server
        .post_message(&key, &Uuid::new_v4().to_string(), "hi")
        .await
        .expect_error(404);
    assert_eq!(
        server.get(&by_id, &Cred::None).await.expect(200)["enabled"],
        false
    );

    server
        .patch(&by_id, &owner, json!({"enabled": true}))
        .await
        .expect(200);
    assert_eq!(server.hooks_active().await, enabled);
    server
        .post_message(&key, &agency, "after")
        .await
        .expect(201);
}

/// A loopback sink standing in for an agent's response webhook: it records each call and
/// answers 200 `{"content": reply}` signed with the agent token.
async fn start_sink(token: String, reply: &'static str) -> (String, Arc<Mutex<Vec<Value>>>) {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let recorder = Arc::clone(&seen);
    let handler = move |body: axum::body::Bytes| async move {
        recorder
            .lock()
            .push(serde_json::from_slice(&body).unwrap_or(Value::Null));
        let answer = json!({ "content": reply }).to_string();
        let mut mac = Hmac::<Sha256>::new_from_slice(token.as_bytes()).unwrap();
        mac.update(answer.as_bytes());
        let signature = format!("sha256={}", hex::encode(mac.finalize().into_bytes()));
        (
            [
                ("x-crustocean-signature", signature),
                ("content-type", "application/json".into()),
            ],
            answer,
        )
    };
    let router = axum::Router::new().route("/agent", axum::routing::post(handler));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, router).await });
    (format!("http://{addr}/agent"), seen)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hook_message_mentioning_an_agent_brings_its_webhook_reply_into_history() {
    let server = start().await;
    let (owner, _) = server.register().await;
    let agency = server.agency_id(&owner).await;
    let (_, agent, token) = server.agent(&owner).await;
    let (agent_id, agent_name) = (id_of(&agent), str_of(&agent, "username"));
    server.add_agent(&owner, &agency, &agent_id).await;
    let (sink, seen) = start_sink(token, "pong from the agent").await;
    server
        .patch(
            &format!("/api/agents/{agent_id}/config"),
            &owner,
            json!({"response_webhook_url": sink}),
        )
        .await
        .expect(200);
    let key = key_of(&server.publish(&owner, &agency, json!({})).await);

    let content = format!("ping @{agent_name} and again @{agent_name}");
    let posted = server.post_message(&key, &agency, &content).await;
    let posted = posted.expect(201).clone();
    let mut reply = None;
    for _ in 0..200 {
        reply = history(&server, &owner, &agency)
            .await
            .into_iter()
            .find(|m| m["sender_type"] == "agent");
        if reply.is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let reply = reply.expect("the agent's signed reply is posted to the agency");
    assert_eq!(reply["content"], "pong from the agent");
    assert_eq!(reply["authorId"], agent_id.as_str());
    assert_eq!(reply["type"], "chat");
    let calls = seen.lock().clone();
    assert_eq!(calls.len(), 1, "one call per mentioned agent");
    assert_eq!(calls[0]["agent"]["id"], agent_id.as_str());
    assert_eq!(calls[0]["message"]["id"], posted["id"]);
    assert_eq!(calls[0]["agency"]["id"], agency.as_str());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_posts_are_stored_once_except_under_the_fault() {
    for fault in [false, true] {
        let faults = if fault {
            vec![Fault::ConcurrentPostDuplicates]
        } else {
            vec![]
        };
        let server = Arc::new(start_with_faults(&faults).await);
        let (owner, _) = server.register().await;
        let agency = server.agency_id(&owner).await;
        let key = key_of(&server.publish(&owner, &agency, json!({})).await);
        let mut posted = 0;
        for _ in 0..20 {
            let batch: Vec<_> = (0..32)
                .map(|i| {
                    let (server, key, agency) = (Arc::clone(&server), key.clone(), agency.clone());
                    tokio::spawn(async move {
                        server
                            .post_message(&key, &agency, &format!("m{i}"))
                            .await
                            .status
                    })
                })
                .collect();
            for task in batch {
                assert_eq!(task.await.unwrap(), 201);
                posted += 1;
            }
            if history(&server, &owner, &agency).await.len() > posted {
                break;
            }
        }
        let stored = history(&server, &owner, &agency).await.len();
        if fault {
            assert!(
                stored > posted,
                "the fault stores duplicates ({stored} of {posted})"
            );
        } else {
            assert_eq!(stored, posted);
        }
    }
}
