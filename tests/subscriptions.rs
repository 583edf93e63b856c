//! Rows 76–80 of endpoints.md (§18.1): the event catalogue and subscription management by
//! owners and admins, field validation and the SSRF guard on `url`. Deliveries are in
//! `subscription_deliveries.rs`.

mod common;

use common::*;
use serde_json::json;
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
    let (alice, _) = server.register().await;
    let agency = server.agency_id(&alice).await;
    let path = format!("/api/webhook-subscriptions/{agency}");

    let first = server
        .subscribe(
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
    let second = server.subscribe(
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
    let third = server
        .subscribe(
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
    let (alice, _) = server.register().await;
    let (bob, bob_user) = server.register().await;
    let (carol, _) = server.register().await;
    let agency = server.agency_id(&alice).await;
    server.join(&bob, &agency).await;
    let other = server.agency_id(&alice).await;
    let body = json!({"url": "https://example.com/tg/x", "events": ["message.created"]});
    let sub = server.subscribe(&alice, &agency, body.clone()).await;
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
    let lobby = server.lobby(&alice).await;
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
    let (alice, _) = server.register().await;
    let agency = server.agency_id(&alice).await;
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
    let edge = server.subscribe(
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
    let (alice, _) = server.register().await;
    let agency = server.agency_id(&alice).await;
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
    let sub = server
        .subscribe(
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
