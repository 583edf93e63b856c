//! Row 12 of endpoints.md (§6): bootstrap, atomic, with the open CORS of §1.6 (shared with
//! agent self-registration, whose preflight is checked here too), the rate limits of §25 and
//! the SSRF guard of §20 on `webhookUrl`.

mod common;

use common::*;
use serde_json::{Value, json};

#[tokio::test]
async fn bootstrap_sets_up_owner_agency_agent_and_pat() {
    let server = start_with(unlimited()).await;
    let username = unique("tg_boot");
    let mut body = bootstrap_body(&username);
    body["displayName"] = json!("Boot Owner");
    body["agencyCharter"] = json!("We test things");
    body["agentRole"] = json!("Tester");
    body["webhookUrl"] = json!("https://example.com/agent-hook");
    let answer = server
        .post("/api/bootstrap", &Cred::None, body.clone())
        .await;
    assert_eq!(answer.header("access-control-allow-origin"), Some("*"));
    assert!(
        answer.header("set-cookie").is_none(),
        "bootstrap sets no cookie"
    );
    let result = answer.expect(201).clone();
    assert_eq!(result["ok"], true);
    assert_eq!(result["user"]["username"], username.as_str());
    let agency_name = str_of(&body, "agencyName");
    assert_eq!(result["agency"]["name"], agency_name);
    assert_eq!(
        result["agency"]["slug"],
        agency_name.to_lowercase().replace(' ', "-").as_str()
    );
    assert_eq!(result["agent"]["verified"], true);
    assert_eq!(result["agent"]["displayName"], body["agentName"]);
    assert_eq!(result["pat"]["expiresAt"], Value::Null);
    assert!(str_of(&result["pat"], "token").starts_with("cru_"));
    for key in ["connectSdk", "connectSocket", "docs"] {
        assert!(result["next"][key].is_string(), "next.{key}");
    }

    let session = Cred::Bearer(str_of(&result["user"], "token").to_owned());
    let me = server.get("/api/auth/me", &session).await;
    assert_eq!(me.expect(200)["displayName"], "Boot Owner");
    let pat = Cred::Bearer(str_of(&result["pat"], "token").to_owned());
    let tokens = server
        .get("/api/auth/tokens", &pat)
        .await
        .expect(200)
        .clone();
    assert_eq!(tokens.as_array().unwrap().len(), 1);
    let agent_token = str_of(&result["agent"], "token");
    assert!(agent_token.starts_with("sk_"));
    server.exchange(agent_token).await.expect(200);
    let agents = server.get("/api/agents", &pat).await.expect(200).clone();
    assert_eq!(agents[0]["role"], "Tester");
    let config = server
        .get(
            &format!("/api/agents/{}/config", str_of(&agents[0], "id")),
            &pat,
        )
        .await;
    assert_eq!(
        config.expect(200)["response_webhook_url"],
        "https://example.com/agent-hook"
    );
    let agency_id = id_of(&result["agency"]);
    let (user_id, agent_id) = (id_of(&result["user"]), id_of(&result["agent"]));
    let agency = server.agency_by_id(&session, &agency_id).await;
    assert_eq!(agency["charter"], "We test things");
    let roles = (
        server.role(&session, &agency_id, &user_id).await,
        server.role(&session, &agency_id, &agent_id).await,
    );
    assert_eq!(
        (roles.0.as_deref(), roles.1.as_deref()),
        (Some("owner"), Some("member"))
    );
    let lobby = server.lobby(&session).await;
    let user_in_lobby = server.role(&session, &lobby, &user_id).await.is_some();
    let agent_in_lobby = server.role(&session, &lobby, &agent_id).await.is_some();
    assert!(user_in_lobby && !agent_in_lobby);

    // The same user again: logged in, a second agency, agent and PAT.
    let again = server
        .post(
            "/api/bootstrap",
            &Cred::None,
            bootstrap_body(&username.to_uppercase()),
        )
        .await;
    let again = again.expect(201).clone();
    assert_eq!(again["user"]["id"], result["user"]["id"]);
    let tokens = server
        .get("/api/auth/tokens", &pat)
        .await
        .expect(200)
        .clone();
    assert_eq!(tokens.as_array().unwrap().len(), 2);
    let mut wrong = bootstrap_body(&username);
    wrong["password"] = json!("not-the-password");
    server
        .post("/api/bootstrap", &Cred::None, wrong)
        .await
        .expect_error(401);
}

#[tokio::test]
async fn bootstrap_errors_create_nothing() {
    let server = start_with(unlimited()).await;
    let username = unique("tg_boot");
    let first = server
        .post("/api/bootstrap", &Cred::None, bootstrap_body(&username))
        .await;
    let first = first.expect(201).clone();
    let pat = Cred::Bearer(str_of(&first["pat"], "token").to_owned());

    for missing in ["username", "password", "agentName"] {
        let mut body = bootstrap_body(&unique("tg_n"));
        body.as_object_mut().unwrap().remove(missing);
        server
            .post("/api/bootstrap", &Cred::None, body)
            .await
            .expect_error(400);
    }
    let mut short = bootstrap_body(&unique("tg_n"));
    short["password"] = json!("short");
    let short = server.post("/api/bootstrap", &Cred::None, short).await;
    short.expect_error(400);
    assert_eq!(short.header("access-control-allow-origin"), Some("*"));
    let mut bad_name = bootstrap_body(&unique("tg_n"));
    bad_name["agentName"] = json!("?");
    server
        .post("/api/bootstrap", &Cred::None, bad_name)
        .await
        .expect_error(400);

    // Taken agent username or agency slug: 409, and the new user was not created either.
    let newcomer = unique("tg_new");
    let mut taken_agent = bootstrap_body(&newcomer);
    taken_agent["agentName"] = first["agent"]["username"].clone();
    server
        .post("/api/bootstrap", &Cred::None, taken_agent)
        .await
        .expect_error(409);
    let mut taken_agency = bootstrap_body(&newcomer);
    taken_agency["agencyName"] = first["agency"]["name"].clone();
    server
        .post("/api/bootstrap", &Cred::None, taken_agency)
        .await
        .expect_error(409);
    let mut lobby = bootstrap_body(&newcomer);
    lobby["agencyName"] = json!("Lobby");
    server
        .post("/api/bootstrap", &Cred::None, lobby)
        .await
        .expect_error(409);
    let mut same_name = bootstrap_body(&newcomer);
    same_name["agentName"] = json!(newcomer.replace('_', ""));
    same_name["username"] = json!(newcomer.replace('_', ""));
    server
        .post("/api/bootstrap", &Cred::None, same_name)
        .await
        .expect_error(409);
    for name in [newcomer.clone(), newcomer.replace('_', "")] {
        server
            .post(
                "/api/auth/login",
                &Cred::None,
                json!({"username": name, "password": "password123"}),
            )
            .await
            .expect_error(401);
    }

    // A user at the PAT cap: 400, and neither agency nor agent appears.
    for i in 0..9 {
        server
            .post(
                "/api/auth/tokens",
                &pat,
                json!({"name": format!("fill{i}")}),
            )
            .await
            .expect(201);
    }
    let capped_body = bootstrap_body(&username);
    let capped = server
        .post("/api/bootstrap", &Cred::None, capped_body.clone())
        .await;
    capped.expect_error(400);
    let agents = server.get("/api/agents", &pat).await.expect(200).clone();
    assert_eq!(agents.as_array().unwrap().len(), 1);
    let pat_id = server.get("/api/auth/tokens", &pat).await.expect(200)[0]["id"].clone();
    let pat_id = pat_id.as_str().unwrap();
    server
        .call("DELETE", &format!("/api/auth/tokens/{pat_id}"), &pat, None)
        .await
        .expect(200);
    server
        .post("/api/bootstrap", &Cred::None, capped_body)
        .await
        .expect(201);
}

#[tokio::test]
async fn bootstrap_webhook_url_passes_the_ssrf_guard() {
    let server = start_with(strict_ssrf()).await;
    let mut body = bootstrap_body(&unique("tg_s"));
    body["webhookUrl"] = json!("http://localhost:8080/hook");
    let refused = server.post("/api/bootstrap", &Cred::None, body).await;
    refused.expect_error(400);
    assert_eq!(refused.header("access-control-allow-origin"), Some("*"));
}

#[tokio::test]
async fn open_cors_preflight_and_rate_limits() {
    let server = start().await;
    for path in ["/api/bootstrap", "/api/agents/register"] {
        let preflight = server.call("OPTIONS", path, &Cred::None, None).await;
        preflight.expect(204);
        assert_eq!(preflight.header("access-control-allow-origin"), Some("*"));
        assert_eq!(
            preflight.header("access-control-allow-methods"),
            Some("POST, OPTIONS")
        );
        assert_eq!(
            preflight.header("access-control-allow-headers"),
            Some("Content-Type")
        );
        // Every request counts, whatever its outcome: ten refusals, then 429.
        for _ in 0..10 {
            let refused = server.post(path, &Cred::None, json!({})).await;
            refused.expect_error(400);
            assert_eq!(refused.header("access-control-allow-origin"), Some("*"));
        }
        let limited = server.post(path, &Cred::None, json!({})).await;
        limited.expect_error(429);
        assert!(limited.header("retry-after").is_some());
        assert_eq!(limited.header("access-control-allow-origin"), Some("*"));
    }
    let other = server
        .call("OPTIONS", "/api/agents", &Cred::None, None)
        .await;
    other.expect_error(404);
}
