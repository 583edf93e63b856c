//! Rows 1–11 of endpoints.md: register, login, logout, agent exchange, profile, password,
//! account deletion and personal access tokens.

mod common;

use common::*;
use serde_json::json;

#[tokio::test]
async fn register_login_and_cookie_session() {
    let server = start().await;
    let username = unique("tg_u");
    let reg = server
        .post(
            "/api/auth/register",
            &Cred::None,
            json!({"username": username, "password": "password123"}),
        )
        .await;
    reg.expect(201);
    let cookie = reg.header("set-cookie").unwrap().to_owned();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("Max-Age=604800"),
        "{cookie}"
    );
    assert_eq!(reg.json["user"]["type"], "user");

    let login = server
        .post(
            "/api/auth/login",
            &Cred::None,
            json!({"username": username.to_uppercase(), "password": "password123"}),
        )
        .await;
    let token = login.expect(200)["token"].as_str().unwrap().to_owned();
    let me = server
        .get("/api/auth/me", &Cred::Cookie(token.clone()))
        .await;
    assert_eq!(me.expect(200)["username"], username.as_str());

    server
        .post(
            "/api/auth/login",
            &Cred::None,
            json!({"username": username, "password": "wrong-password"}),
        )
        .await
        .expect_error(401);
    server
        .post(
            "/api/auth/register",
            &Cred::None,
            json!({"username": username, "password": "password123"}),
        )
        .await
        .expect_error(409);

    let logout = server
        .post("/api/auth/logout", &Cred::Cookie(token.clone()), json!({}))
        .await;
    logout.expect(200);
    assert!(logout.header("set-cookie").unwrap().contains("Max-Age=0"));
    server
        .get("/api/auth/me", &Cred::Bearer(token))
        .await
        .expect_error(401);
}

#[tokio::test]
async fn missing_malformed_and_unknown_credentials_are_401() {
    let server = start().await;
    server
        .get("/api/auth/me", &Cred::None)
        .await
        .expect_error(401);
    server
        .get("/api/auth/me", &Cred::Bearer("cru_zz".into()))
        .await
        .expect_error(401);
    let bad_scheme = server
        .client
        .get(format!("{}/api/auth/me", server.url))
        .header("authorization", "Token abc")
        .send()
        .await
        .unwrap();
    assert_eq!(bad_scheme.status(), 401);
}

#[tokio::test]
async fn profile_update_password_change_and_account_deletion() {
    let server = start().await;
    let (session, user) = server.register().await;
    let patched = server
        .call(
            "PATCH",
            "/api/auth/me",
            &session,
            Some(json!({"displayName": "New Name", "description": "hi"})),
        )
        .await;
    assert_eq!(patched.expect(200)["displayName"], "New Name");
    server
        .call(
            "PATCH",
            "/api/auth/me",
            &session,
            Some(json!({"avatar": "not a url"})),
        )
        .await
        .expect_error(400);

    server
        .post(
            "/api/auth/change-password",
            &session,
            json!({"currentPassword": "nope-nope", "newPassword": "password456"}),
        )
        .await
        .expect_error(403);
    server
        .post(
            "/api/auth/change-password",
            &session,
            json!({"currentPassword": "password123", "newPassword": "password456"}),
        )
        .await
        .expect(200);
    let username = user["username"].as_str().unwrap();
    server
        .post(
            "/api/auth/login",
            &Cred::None,
            json!({"username": username, "password": "password456"}),
        )
        .await
        .expect(200);

    let pat = server.pat(&session).await;
    server
        .call("DELETE", "/api/auth/account", &pat, None)
        .await
        .expect(200);
    server.get("/api/auth/me", &pat).await.expect_error(401);
    server.get("/api/auth/me", &session).await.expect_error(401);
}

#[tokio::test]
async fn pats_are_shown_once_capped_at_ten_and_revocable() {
    let server = start().await;
    let (session, _) = server.register().await;
    let created = server
        .post(
            "/api/auth/tokens",
            &session,
            json!({"name": "ci", "expiresIn": "30d"}),
        )
        .await;
    let created = created.expect(201).clone();
    let token = created["token"].as_str().unwrap().to_owned();
    assert!(token.starts_with("cru_") && token.len() == 52);
    assert_eq!(created["prefix"], &token[..8]);
    assert!(created["expiresAt"].is_string());

    let pat = Cred::Bearer(token.clone());
    server.get("/api/auth/me", &pat).await.expect(200);
    let list = server.get("/api/auth/tokens", &session).await;
    let items = list.expect(200).as_array().unwrap().clone();
    assert_eq!(items.len(), 1);
    assert!(
        !list.text.contains(&token),
        "the list never holds the raw token"
    );
    assert!(items[0]["lastUsedAt"].is_string());

    for i in 0..9 {
        server
            .post(
                "/api/auth/tokens",
                &session,
                json!({"name": format!("t{i}")}),
            )
            .await
            .expect(201);
    }
    server
        .post("/api/auth/tokens", &session, json!({"name": "eleventh"}))
        .await
        .expect_error(400);
    server
        .post("/api/auth/tokens", &session, json!({"expiresIn": "30d"}))
        .await
        .expect_error(400);
    server
        .post(
            "/api/auth/tokens",
            &session,
            json!({"name": "x", "expiresIn": "2w"}),
        )
        .await
        .expect_error(400);

    let id = created["id"].as_str().unwrap();
    server
        .call("DELETE", &format!("/api/auth/tokens/{id}"), &session, None)
        .await
        .expect(200);
    server.get("/api/auth/me", &pat).await.expect_error(401);
    server
        .call("DELETE", &format!("/api/auth/tokens/{id}"), &session, None)
        .await
        .expect_error(404);
    server
        .post("/api/auth/tokens", &session, json!({"name": "room again"}))
        .await
        .expect(201);
}

#[tokio::test]
async fn expired_pat_and_session_are_refused() {
    let server = start().await;
    let (session, _) = server.register().await;
    let created = server
        .post(
            "/api/auth/tokens",
            &session,
            json!({"name": "short", "expiresIn": "30d"}),
        )
        .await;
    let pat = Cred::Bearer(created.expect(201)["token"].as_str().unwrap().to_owned());
    server.advance(30 * 24 * 3600).await;
    server.get("/api/auth/me", &pat).await.expect_error(401);
    server.advance(7 * 24 * 3600).await;
    server.get("/api/auth/me", &session).await.expect_error(401);
}

#[tokio::test]
async fn register_is_rate_limited_with_retry_after() {
    let server = start().await;
    for _ in 0..10 {
        server
            .post(
                "/api/auth/register",
                &Cred::None,
                json!({"username": unique("tg_r"), "password": "password123"}),
            )
            .await
            .expect(201);
    }
    let limited = server
        .post(
            "/api/auth/register",
            &Cred::None,
            json!({"username": unique("tg_r"), "password": "password123"}),
        )
        .await;
    limited.expect_error(429);
    let retry: u64 = limited.header("retry-after").unwrap().parse().unwrap();
    assert!((1..=60).contains(&retry));
}
