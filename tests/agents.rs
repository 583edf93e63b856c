//! Rows 34–41 of endpoints.md (§11): agent create, list, self-registration, verify, config
//! read and update, transfer and delete, with the SSRF guard of §20 and the agent token
//! exchange of §4.7 (open CORS and the rate limits are in tests/bootstrap.rs).

mod common;

use common::*;
use serde_json::{Value, json};
use tidegauge::server::faults::Fault;
use tidegauge::server::store::Store;

#[tokio::test]
async fn create_verify_exchange_and_list() {
    let server = start().await;
    let (owner, user) = server.register().await;
    let name = format!("My Agent {}", &unique("x")[1..]);
    let created = server
        .create_agent(&owner, json!({"name": name, "role": "helper"}))
        .await;
    let agent = &created["agent"];
    let expected_username: String = name
        .to_lowercase()
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .collect();
    assert_eq!(agent["username"], expected_username.as_str());
    assert_eq!(agent["name"], name.as_str());
    assert_eq!(agent["displayName"], name.as_str());
    assert_eq!(agent["ownerId"], user["id"]);
    assert_eq!(agent["verified"], false);
    assert_eq!(agent["role"], "helper");
    assert_eq!(agent["status"], "offline");
    let token = str_of(&created, "agentToken").to_owned();
    assert!(token.starts_with("sk_") && token.len() == 51, "{token}");

    // Unverified: the exchange refuses; a raw token is never a Bearer credential here.
    server.exchange(&token).await.expect_error(403);
    let raw = Cred::Bearer(token.clone());
    server.get("/api/agents", &raw).await.expect_error(401);

    let id = str_of(agent, "id");
    let verified = server
        .post(&format!("/api/agents/{id}/verify"), &owner, json!({}))
        .await;
    let verified = verified.expect(200);
    assert_eq!(verified["ok"], true);
    assert_eq!(verified["agent"]["verified"], true);
    assert!(verified.get("agentToken").is_none() && !verified.to_string().contains(&token));
    server
        .post(&format!("/api/agents/{id}/verify"), &owner, json!({}))
        .await
        .expect(200);
    let session = server.exchange(&token).await;
    let session = session.expect(200).clone();
    assert_eq!(session["user"]["type"], "agent");
    let agent_session = Cred::Bearer(str_of(&session, "token").to_owned());
    server.exchange("sk_unknown").await.expect_error(401);

    server.advance(2).await;
    let second = server
        .create_agent(&owner, json!({"name": unique("second")}))
        .await;
    let list = server.get("/api/agents", &owner).await;
    let list = list.expect(200).as_array().unwrap().clone();
    assert_eq!(list.len(), 2);
    assert_eq!(list[0]["id"], second["agent"]["id"], "newest first");
    assert_eq!(list[1]["id"], agent["id"]);
    assert_eq!(list[1]["verified"], true);
    let empty = server.get("/api/agents", &agent_session).await;
    assert_eq!(empty.expect(200), &json!([]));
    server
        .get("/api/agents", &Cred::None)
        .await
        .expect_error(401);
}

#[tokio::test]
async fn create_errors_follow_the_check_order() {
    let server = start_with(unlimited()).await;
    let (owner, _) = server.register().await;
    let (agent_session, _, _) = server.agent(&owner).await;
    server
        .post("/api/agents", &Cred::None, json!({"name": "nobody"}))
        .await
        .expect_error(401);
    server
        .post("/api/agents", &agent_session, json!({"name": "agentmade"}))
        .await
        .expect_error(403);
    for body in [
        json!({}),
        json!({"name": "x"}),
        json!({"name": "!!--"}),
        json!({"name": "a".repeat(25)}),
        json!({"name": 12}),
        json!({"name": unique("okname"), "role": "r".repeat(65)}),
        json!({"name": unique("okname"), "agencyId": 5}),
    ] {
        server
            .post("/api/agents", &owner, body)
            .await
            .expect_error(400);
    }
    let missing = "6f1c1c3e-2b1a-4c3e-9d7f-0a1b2c3d4e5f";
    server
        .post(
            "/api/agents",
            &owner,
            json!({"name": unique("ghost"), "agencyId": missing}),
        )
        .await
        .expect_error(404);
    server
        .post(
            "/api/agents",
            &owner,
            json!({"name": unique("ghost"), "agencyId": "not-a-uuid"}),
        )
        .await
        .expect_error(404);

    // An agency of someone else's: 403; one of the caller's own: the agent lands there.
    let other = server
        .post(
            "/api/bootstrap",
            &Cred::None,
            bootstrap_body(&unique("tg_o")),
        )
        .await;
    let foreign = other.expect(201)["agency"]["id"].clone();
    server
        .post(
            "/api/agents",
            &owner,
            json!({"name": unique("intruder"), "agencyId": foreign}),
        )
        .await
        .expect_error(403);
    let own = server
        .post(
            "/api/bootstrap",
            &Cred::None,
            json!({
                "username": unique("tg_b"), "password": "password123",
                "agentName": unique("first"),
            }),
        )
        .await;
    let own = own.expect(201).clone();
    let own_user = Cred::Bearer(str_of(&own["user"], "token").to_owned());
    let placed = server
        .create_agent(
            &own_user,
            json!({"name": unique("placed"), "agencyId": own["agency"]["id"]}),
        )
        .await;
    let (agency_id, agent_id) = (id_of(&own["agency"]), id_of(&placed["agent"]));
    let role = server.role(&own_user, &agency_id, &agent_id).await;
    assert_eq!(role.as_deref(), Some("member"));

    // The derived username shares one namespace with humans and other agents.
    let name = unique("twin");
    server.create_agent(&owner, json!({"name": name})).await;
    server
        .post("/api/agents", &owner, json!({"name": name.to_uppercase()}))
        .await
        .expect_error(409);
    let human = unique("tghuman");
    server
        .post(
            "/api/auth/register",
            &Cred::None,
            json!({"username": human, "password": "password123"}),
        )
        .await
        .expect(201);
    server
        .post("/api/agents", &owner, json!({"name": human.to_uppercase()}))
        .await
        .expect_error(409);
}

#[tokio::test]
async fn verify_refuses_strangers_agents_and_unknown_ids() {
    let server = start().await;
    let (owner, _) = server.register().await;
    let (stranger, stranger_user) = server.register().await;
    let (agent_session, _, _) = server.agent(&owner).await;
    let created = server
        .create_agent(&owner, json!({"name": unique("pending")}))
        .await;
    let id = str_of(&created["agent"], "id");
    let path = format!("/api/agents/{id}/verify");
    server
        .post(&path, &stranger, json!({}))
        .await
        .expect_error(403);
    server
        .post(&path, &agent_session, json!({}))
        .await
        .expect_error(403);
    server
        .post(&path, &Cred::None, json!({}))
        .await
        .expect_error(401);
    for unknown in [
        "6f1c1c3e-2b1a-4c3e-9d7f-0a1b2c3d4e5f".to_owned(),
        "nope".to_owned(),
        str_of(&stranger_user, "id").to_owned(),
    ] {
        server
            .post(&format!("/api/agents/{unknown}/verify"), &owner, json!({}))
            .await
            .expect_error(404);
    }
}

#[tokio::test]
async fn config_is_read_by_owner_and_agent_and_patched_by_owner() {
    let server = start().await;
    let (owner, _) = server.register().await;
    let (stranger, _) = server.register().await;
    let (agent_session, agent, _) = server.agent(&owner).await;
    let path = format!("/api/agents/{}/config", str_of(&agent, "id"));

    let defaults = server.get(&path, &owner).await;
    let defaults = defaults.expect(200);
    assert_eq!(defaults["openclaw_agent_id"], "main");
    assert_eq!(defaults["prompt_permission"], "open");
    assert_eq!(defaults["wallet_spend_limit_per_tx"], 10.0);
    assert_eq!(defaults["wallet_spend_limit_daily"], 50.0);
    assert_eq!(defaults["wallet_approval_mode"], "auto");
    assert_eq!(defaults["llm_api_key"], Value::Null);

    let patch = json!({
        "role": "analyst", "personality": "calm", "interaction_style": "terse",
        "webhook_url": "https://example.com/hook", "response_webhook_secret": "s3cret",
        "llm_provider": "ollama", "llm_api_key": "key-1", "ollama_endpoint": "https://example.com/ollama",
        "ollama_model": "llama3", "openclaw_gateway": "https://example.com/gw", "openclaw_token": "oc-1",
        "prompt_permission": "whitelist", "prompt_whitelist": ["alice"],
        "wallet_spend_limit_per_tx": 2.5, "wallet_spend_limit_daily": 0,
        "wallet_approval_mode": "manual", "wallet_allowlisted_hooks": ["dice"],
    });
    let updated = server.call("PATCH", &path, &owner, Some(patch)).await;
    let updated = updated.expect(200);
    assert_eq!(updated["id"], agent["id"]);
    assert_eq!(updated["role"], "analyst");
    assert_eq!(updated["personality"], "calm");

    let as_owner = server.get(&path, &owner).await.expect(200).clone();
    assert_eq!(as_owner["response_webhook_url"], "https://example.com/hook");
    assert_eq!(as_owner["response_webhook_secret"], "[redacted]");
    assert_eq!(as_owner["llm_api_key"], "[redacted]");
    assert_eq!(as_owner["openclaw_token"], "[redacted]");
    assert_eq!(as_owner["prompt_whitelist"], json!(["alice"]));
    assert_eq!(as_owner["wallet_spend_limit_daily"], 0.0);
    assert_eq!(as_owner["wallet_approval_mode"], "manual");
    let own_path = format!("{path}?agencyId=6f1c1c3e-2b1a-4c3e-9d7f-0a1b2c3d4e5f");
    let as_agent = server
        .get(&own_path, &agent_session)
        .await
        .expect(200)
        .clone();
    assert_eq!(as_agent["response_webhook_secret"], "s3cret");
    assert_eq!(as_agent["llm_api_key"], "key-1");
    assert_eq!(as_agent["openclaw_token"], "oc-1");
    assert_eq!(as_agent["llm_provider"], "ollama");

    // `response_webhook_url` wins over the alias; null clears.
    let both = json!({"response_webhook_url": "https://example.com/a", "webhook_url": "https://example.com/b", "personality": null});
    server
        .call("PATCH", &path, &owner, Some(both))
        .await
        .expect(200);
    let after = server.get(&path, &owner).await.expect(200).clone();
    assert_eq!(after["response_webhook_url"], "https://example.com/a");
    assert_eq!(after["personality"], Value::Null);

    for bad in [
        json!({"llm_provider": "gpt"}),
        json!({"prompt_permission": "sometimes"}),
        json!({"prompt_permission": null}),
        json!({"wallet_spend_limit_per_tx": -1}),
        json!({"wallet_spend_limit_daily": "lots"}),
        json!({"wallet_approval_mode": "never"}),
        json!({"prompt_whitelist": "alice"}),
        json!({"role": "r".repeat(2001)}),
        json!({"expertise_level": 3}),
        json!({"webhook_url": "ftp://example.com/x"}),
        json!({"role": "half-applied", "llm_provider": "gpt"}),
    ] {
        server
            .call("PATCH", &path, &owner, Some(bad))
            .await
            .expect_error(400);
    }
    let unchanged = server.get(&path, &owner).await.expect(200).clone();
    assert_eq!(
        unchanged["role"], "analyst",
        "a refused PATCH changes nothing"
    );

    server.get(&path, &stranger).await.expect_error(403);
    server
        .call("PATCH", &path, &stranger, Some(json!({"role": "x"})))
        .await
        .expect_error(403);
    server
        .call("PATCH", &path, &agent_session, Some(json!({"role": "x"})))
        .await
        .expect_error(403);
    server.get(&path, &Cred::None).await.expect_error(401);
    let unknown = "/api/agents/6f1c1c3e-2b1a-4c3e-9d7f-0a1b2c3d4e5f/config";
    server.get(unknown, &owner).await.expect_error(404);
    server
        .call("PATCH", unknown, &owner, Some(json!({"role": "x"})))
        .await
        .expect_error(404);
}

#[tokio::test]
async fn config_urls_pass_the_ssrf_guard() {
    let server = start_with(strict_ssrf()).await;
    let (owner, _) = server.register().await;
    let (_, agent, _) = server.agent(&owner).await;
    let path = format!("/api/agents/{}/config", str_of(&agent, "id"));
    for field in [
        "response_webhook_url",
        "webhook_url",
        "ollama_endpoint",
        "openclaw_gateway",
    ] {
        let refused = server
            .call(
                "PATCH",
                &path,
                &owner,
                Some(json!({field: "http://127.0.0.1:9/x"})),
            )
            .await;
        refused.expect_error(400);
        assert_eq!(
            refused.json["error"],
            "Webhook URL must point to a public http(s) address"
        );
    }
    server
        .call(
            "PATCH",
            &path,
            &owner,
            Some(json!({"response_webhook_url": "http://93.184.215.14/hook"})),
        )
        .await
        .expect(200);
}

#[tokio::test]
async fn transfer_moves_ownership_but_keeps_the_token() {
    let server = start().await;
    let (owner, _) = server.register().await;
    let (heir, heir_user) = server.register().await;
    let (agent_session, agent, token) = server.agent(&owner).await;
    let (_, other_agent, _) = server.agent(&owner).await;
    let id = str_of(&agent, "id");
    let path = format!("/api/agents/{id}/transfer");

    server
        .post(
            &path,
            &agent_session,
            json!({"newOwnerId": heir_user["id"]}),
        )
        .await
        .expect_error(403);
    server
        .post(&path, &heir, json!({"newOwnerId": heir_user["id"]}))
        .await
        .expect_error(403);
    server
        .post(&path, &owner, json!({}))
        .await
        .expect_error(400);
    server
        .post(
            &path,
            &owner,
            json!({"newOwnerUsername": other_agent["username"]}),
        )
        .await
        .expect_error(400);
    let owner_name = server.get("/api/auth/me", &owner).await.expect(200)["username"].clone();
    server
        .post(&path, &owner, json!({"newOwnerUsername": owner_name}))
        .await
        .expect_error(400);
    server
        .post(&path, &owner, json!({"newOwnerUsername": "tg_nobody_here"}))
        .await
        .expect_error(404);
    server
        .post(
            &path,
            &owner,
            json!({"newOwnerId": "6f1c1c3e-2b1a-4c3e-9d7f-0a1b2c3d4e5f"}),
        )
        .await
        .expect_error(404);
    server
        .post(
            "/api/agents/6f1c1c3e-2b1a-4c3e-9d7f-0a1b2c3d4e5f/transfer",
            &owner,
            json!({"newOwnerId": heir_user["id"]}),
        )
        .await
        .expect_error(404);

    let heir_name = format!("@{}", str_of(&heir_user, "username").to_uppercase());
    let moved = server
        .post(&path, &owner, json!({"newOwnerUsername": heir_name}))
        .await;
    let moved = moved.expect(200);
    assert_eq!(moved["ok"], true);
    assert_eq!(
        moved["agent"],
        json!({"id": id, "username": agent["username"]})
    );
    assert_eq!(
        moved["newOwner"],
        json!({"id": heir_user["id"], "username": heir_user["username"]})
    );
    let heirs = server.get("/api/agents", &heir).await.expect(200).clone();
    assert_eq!(heirs[0]["id"], id);
    assert_eq!(heirs[0]["ownerId"], heir_user["id"]);
    let olds = server.get("/api/agents", &owner).await.expect(200).clone();
    assert!(olds.as_array().unwrap().iter().all(|a| a["id"] != id));
    server
        .post(&path, &owner, json!({"newOwnerId": heir_user["id"]}))
        .await
        .expect_error(403);
    server.exchange(&token).await.expect(200);
    server.get("/api/auth/me", &agent_session).await.expect(200);
}

#[tokio::test]
async fn deleting_an_agent_kills_its_token_and_sessions() {
    let server = start().await;
    let (owner, _) = server.register().await;
    let (stranger, _) = server.register().await;
    let (agent_session, agent, token) = server.agent(&owner).await;
    let path = format!("/api/agents/{}", str_of(&agent, "id"));
    server
        .call("DELETE", &path, &stranger, None)
        .await
        .expect_error(403);
    server
        .call("DELETE", &path, &agent_session, None)
        .await
        .expect_error(403);
    server
        .call("DELETE", "/api/agents/not-a-uuid", &owner, None)
        .await
        .expect_error(404);
    let deleted = server.call("DELETE", &path, &owner, None).await;
    assert_eq!(deleted.expect(200), &json!({"ok": true}));
    server.exchange(&token).await.expect_error(401);
    server
        .get("/api/auth/me", &agent_session)
        .await
        .expect_error(401);
    server
        .call("DELETE", &path, &owner, None)
        .await
        .expect_error(404);
    let list = server.get("/api/agents", &owner).await;
    assert_eq!(list.expect(200), &json!([]));
}

async fn self_register(server: &Server, body: Value) -> Value {
    server
        .post("/api/agents/register", &Cred::None, body)
        .await
        .expect(201)
        .clone()
}

#[tokio::test]
async fn self_registration_creates_a_verified_unowned_claimable_agent() {
    let server = start().await;
    let name = format!("Reg Bot {}", &unique("x")[1..]);
    let result = self_register(
        &server,
        json!({
            "name": name, "description": "A helpful bot",
            "openclawGateway": "https://example.com/gateway", "openclawToken": "oc-secret",
        }),
    )
    .await;
    assert_eq!(result["ok"], true);
    let agent = &result["agent"];
    assert_eq!(agent["verified"], true);
    assert_eq!(agent["displayName"], name.as_str());
    let token = str_of(agent, "token");
    assert!(token.starts_with("sk_"));
    let agency_name = format!("{name}'s Agency");
    assert_eq!(result["agency"]["name"], agency_name.as_str());
    assert_eq!(
        result["agency"]["slug"],
        agency_name
            .to_lowercase()
            .replace([' ', '\''], "-")
            .as_str()
    );
    let code = str_of(&result, "claimCode");
    let hex = code.strip_prefix("cru_claim_").unwrap();
    assert!(hex.len() == 32 && hex.chars().all(|c| c.is_ascii_hexdigit()));
    assert_eq!(
        result["claimUrl"],
        format!("https://crustocean.chat/claim/{code}").as_str()
    );
    assert!(result["important"].is_string());
    assert_eq!(
        metric(&server.metrics().await, "agent_registrations_total"),
        1.0
    );

    let session = server.exchange(token).await.expect(200).clone();
    assert_eq!(session["user"]["persona"], "A helpful bot");
    let session = Cred::Bearer(str_of(&session, "token").to_owned());
    let config = server
        .get(
            &format!("/api/agents/{}/config", str_of(agent, "id")),
            &session,
        )
        .await;
    let config = config.expect(200);
    assert_eq!(config["openclaw_gateway"], "https://example.com/gateway");
    assert_eq!(config["openclaw_token"], "oc-secret");
    assert_eq!(config["openclaw_agent_id"], "main");

    let (agent_id, agency_id) = (id_of(agent), id_of(&result["agency"]));
    let owner = server.agency_by_id(&session, &agency_id).await["ownerId"].clone();
    assert_eq!(owner, agent_id.as_str(), "the agent owns its agency");
    let own_role = server.role(&session, &agency_id, &agent_id).await;
    assert_eq!(own_role.as_deref(), Some("owner"));
    let lobby = server.lobby(&session).await;
    let in_lobby = server.role(&session, &lobby, &agent_id).await;
    assert!(in_lobby.is_some());
    // `ownerId` appears only in the Agent object, which only an agent's owner receives
    // (create, list, verify, config update); an unowned agent has nobody who could read it
    // over REST, so the stored owner is read from the store.
    let agent_owner = server.running.app.store.read(|w| {
        let agent = &w.users[&uuid::Uuid::parse_str(&agent_id).unwrap()];
        agent.agent.as_ref().and_then(|a| a.owner_id)
    });
    assert_eq!(agent_owner, None);

    server
        .post("/api/agents/register", &Cred::None, json!({"name": name}))
        .await
        .expect_error(409);
    server
        .post(
            "/api/agents/register",
            &Cred::None,
            json!({"name": unique("fresh"), "agencyName": agency_name}),
        )
        .await
        .expect_error(409);
    for bad in [
        json!({"name": "x"}),
        json!({"name": unique("fresh"), "openclawGateway": "not a url"}),
        json!({"name": unique("fresh"), "agencyName": "!!!"}),
    ] {
        server
            .post("/api/agents/register", &Cred::None, bad)
            .await
            .expect_error(400);
    }
    assert_eq!(
        metric(&server.metrics().await, "agent_registrations_total"),
        1.0,
        "refused registrations do not count"
    );
}

#[tokio::test]
async fn self_registration_gateway_passes_the_ssrf_guard() {
    let server = start_with(strict_ssrf()).await;
    let refused = server
        .post(
            "/api/agents/register",
            &Cred::None,
            json!({"name": unique("ssrf"), "openclawGateway": "http://10.0.0.1/gw"}),
        )
        .await;
    refused.expect_error(400);
    assert_eq!(refused.header("access-control-allow-origin"), Some("*"));
}

#[tokio::test]
async fn counter_never_incremented_fault_freezes_agent_registrations() {
    let server = start_with_faults(&[Fault::CounterNeverIncremented]).await;
    self_register(&server, json!({"name": unique("frozen")})).await;
    assert_eq!(
        metric(&server.metrics().await, "agent_registrations_total"),
        0.0
    );
}
