//! Rows 45–55 of endpoints.md (§13, §14, §23): profiles and follows, the four Explore lists,
//! capabilities, the wallet lookup, the platform commands and the caller's wallet.

mod common;

use common::*;
use serde_json::{Value, json};

/// A verified agent of `owner` named `name`, with role `assistant`, whose display name is set
/// to its username (so that a search for the name matches the name alone); returns its ID.
async fn explore_agent(server: &Server, owner: &Cred, name: &str) -> String {
    let body = json!({"name": name, "role": "assistant"});
    let (session, agent, _) = server.agent_from(owner, body).await;
    let username = str_of(&agent, "username");
    server
        .patch("/api/auth/me", &session, json!({"displayName": username}))
        .await
        .expect(200);
    id_of(&agent)
}

/// A public or private agency named `name`, owned by the first of `members`; the others join.
async fn explore_agency(server: &Server, name: &str, private: bool, members: &[&Cred]) {
    let mut body = json!({"name": name});
    if private {
        body["isPrivate"] = json!(true);
        body["password"] = json!("sesame");
    }
    let created = server.post("/api/agencies", members[0], body).await;
    let id = id_of(created.expect(201));
    for member in &members[1..] {
        let join = json!({"password": "sesame"});
        let path = format!("/api/agencies/{id}/join");
        server.post(&path, member, join).await.expect(200);
    }
}

/// Publishes a command of `owner` in `agency` whose new hook has the given Explore name,
/// slug and description, then disables the hook unless `enabled`.
async fn explore_hook(
    server: &Server,
    (owner, agency): (&Cred, &str),
    name: &str,
    slug: Option<&str>,
    description: &str,
    enabled: bool,
) {
    let mut metadata = json!({"display_name": name, "description": description});
    if let Some(slug) = slug {
        metadata["slug"] = json!(slug);
    }
    let command = server
        .publish(owner, agency, json!({"explore_metadata": metadata}))
        .await;
    if !enabled {
        let path = format!("/api/hooks/by-id/{}", str_of(&command, "hook_id"));
        server
            .patch(&path, owner, json!({"enabled": false}))
            .await
            .expect(200);
    }
}

fn names(list: &Value, key: &str, field: &str) -> Vec<String> {
    list[key]
        .as_array()
        .unwrap_or_else(|| panic!("`{key}` wrapper expected: {list}"))
        .iter()
        .map(|item| item[field].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn profile_follow_and_unfollow() {
    let server = start().await;
    let (alice, alice_user) = server.register().await;
    let (bob, bob_user) = server.register().await;
    let bob_name = bob_user["username"].as_str().unwrap();

    let profile = server
        .get(&format!("/api/users/@{}", bob_name.to_uppercase()), &alice)
        .await;
    let profile = profile.expect(200);
    assert_eq!(profile["id"], bob_user["id"]);
    assert_eq!(profile["username"], bob_name);
    assert_eq!(profile["type"], "user");
    assert_eq!(profile["followersCount"], 0);
    assert_eq!(profile["followingCount"], 0);

    let follow_path = format!("/api/users/{bob_name}/follow");
    let followed = server.post(&follow_path, &alice, json!({})).await;
    assert_eq!(
        followed.expect(200).clone(),
        json!({"ok": true, "following": true})
    );
    server
        .post(&follow_path, &alice, json!({}))
        .await
        .expect_error(409);
    server
        .post(&follow_path, &bob, json!({}))
        .await
        .expect_error(400);
    server
        .post("/api/users/tg_nobody_here/follow", &alice, json!({}))
        .await
        .expect_error(404);

    let bob_profile = server.get(&format!("/api/users/{bob_name}"), &bob).await;
    assert_eq!(bob_profile.expect(200)["followersCount"], 1);
    let alice_profile = server
        .get(
            &format!("/api/users/{}", alice_user["username"].as_str().unwrap()),
            &bob,
        )
        .await;
    let alice_profile = alice_profile.expect(200);
    assert_eq!(alice_profile["followingCount"], 1);
    assert_eq!(alice_profile["followersCount"], 0);

    let unfollowed = server.call("DELETE", &follow_path, &alice, None).await;
    assert_eq!(
        unfollowed.expect(200).clone(),
        json!({"ok": true, "following": false})
    );
    server
        .call("DELETE", &follow_path, &alice, None)
        .await
        .expect_error(404);
    server
        .call("DELETE", "/api/users/tg_nobody_here/follow", &alice, None)
        .await
        .expect_error(404);
    let bob_profile = server.get(&format!("/api/users/{bob_name}"), &bob).await;
    assert_eq!(bob_profile.expect(200)["followersCount"], 0);

    server
        .get("/api/users/tg_nobody_here", &alice)
        .await
        .expect_error(404);
    for (method, path) in [
        ("GET", format!("/api/users/{bob_name}")),
        ("POST", follow_path.clone()),
        ("DELETE", follow_path.clone()),
    ] {
        server
            .call(method, &path, &Cred::None, None)
            .await
            .expect_error(401);
    }
}

#[tokio::test]
async fn explore_users_and_agents_newest_first_with_paging() {
    let server = start().await;
    let prefix = unique("tgq");
    let (owner, _) = server.register().await;
    for n in 0..3 {
        server.register_as(&format!("{prefix}h{n}")).await;
        server.advance(1).await;
    }
    // Usernames keep only letters and digits of the name: `<prefix>-a0` is `<prefix>a0`.
    let agent_a = explore_agent(&server, &owner, &format!("{prefix}-a0")).await;
    server.advance(1).await;
    let agent_b = explore_agent(&server, &owner, &format!("{prefix}-a1")).await;

    let users = server
        .get(
            &format!("/api/explore/users?q={}", prefix.to_uppercase()),
            &Cred::None,
        )
        .await;
    let users = users.expect(200).clone();
    assert_eq!(
        names(&users, "users", "username"),
        ["a1", "a0", "h2", "h1", "h0"].map(|s| format!("{prefix}{s}"))
    );
    let card = &users["users"][0];
    assert_eq!(card["id"], agent_b.as_str());
    assert_eq!(card["type"], "agent");
    assert_eq!(card["displayName"], card["display_name"]);
    assert_eq!(users["users"][4]["type"], "user");

    let page = |offset: u32| format!("/api/explore/users?q={prefix}&limit=2&offset={offset}");
    let first = server.get(&page(0), &Cred::None).await.expect(200).clone();
    let second = server.get(&page(2), &Cred::None).await.expect(200).clone();
    let third = server.get(&page(4), &Cred::None).await.expect(200).clone();
    assert_eq!(names(&first, "users", "username").len(), 2);
    assert_eq!(names(&second, "users", "username").len(), 2);
    assert_eq!(names(&third, "users", "username"), [format!("{prefix}h0")]);
    let second_names = names(&second, "users", "username");
    assert!(
        names(&first, "users", "username")
            .iter()
            .all(|n| !second_names.contains(n))
    );

    let agents = server
        .get(&format!("/api/explore/agents?q={prefix}"), &Cred::None)
        .await;
    let agents = agents.expect(200).clone();
    assert_eq!(
        names(&agents, "agents", "username"),
        [format!("{prefix}a1"), format!("{prefix}a0")]
    );
    let card = &agents["agents"][1];
    assert_eq!(card["id"], agent_a.as_str());
    assert_eq!(card["name"], format!("{prefix}-a0"));
    assert_eq!(card["role"], "assistant");
    assert_eq!(card["verified"], true);
    assert_eq!(card["displayName"], card["display_name"]);
    // The agent's name is searched too.
    let by_name = server
        .get(&format!("/api/explore/agents?q={prefix}-A0"), &Cred::None)
        .await;
    assert_eq!(names(by_name.expect(200), "agents", "username").len(), 1);
}

#[tokio::test]
async fn explore_agencies_public_only_by_members_with_is_member_when_known() {
    let server = start().await;
    let (alice, _) = server.register().await;
    let (bob, bob_user) = server.register().await;
    let prefix = unique("tgagq");
    let name = |s: &str| format!("{prefix}-{s}");
    explore_agency(&server, &name("zeta"), false, &[&alice, &bob]).await;
    explore_agency(&server, &name("beta"), false, &[&bob]).await;
    explore_agency(&server, &name("alpha"), false, &[&bob]).await;
    explore_agency(&server, &name("private"), true, &[&alice]).await;
    // A DM room between the two is never listed.
    server.dm(&alice, &id_of(&bob_user)).await;

    let path = format!("/api/explore/agencies?q={prefix}");
    let anonymous = server.get(&path, &Cred::None).await.expect(200).clone();
    assert_eq!(
        names(&anonymous, "agencies", "name"),
        ["zeta", "alpha", "beta"].map(|s| format!("{prefix}-{s}"))
    );
    let first = &anonymous["agencies"][0];
    assert_eq!(first["memberCount"], 2);
    assert_eq!(first["member_count"], 2);
    assert_eq!(first["isPrivate"], false);
    assert_eq!(first["type"], "agency");
    assert!(first.get("isMember").is_none(), "anonymous: no isMember");

    let known = server.get(&path, &alice).await.expect(200).clone();
    let is_member: Vec<_> = known["agencies"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["isMember"].clone())
        .collect();
    assert_eq!(is_member, [json!(true), json!(false), json!(false)]);

    // An invalid credential is anonymous, never 401.
    let stale = server
        .get(&path, &Cred::Bearer("expired-or-unknown".into()))
        .await;
    assert!(stale.expect(200)["agencies"][0].get("isMember").is_none());
    let bad_pat = server.get(&path, &Cred::Bearer("cru_0000".into())).await;
    assert_eq!(names(bad_pat.expect(200), "agencies", "name").len(), 3);

    // The Lobby is public and listed.
    let lobby = server
        .get("/api/explore/agencies?q=LOBBY", &Cred::None)
        .await;
    assert!(names(lobby.expect(200), "agencies", "slug").contains(&"lobby".to_owned()));
}

#[tokio::test]
async fn explore_webhooks_enabled_and_installable_by_name() {
    let server = start().await;
    let (alice, _) = server.register().await;
    let agency = server.agency_id(&alice).await;
    let a = (&alice, agency.as_str());
    let prefix = unique("tgwh");
    let slug = |s: &str| format!("{prefix}-{s}");
    explore_hook(
        &server,
        a,
        &format!("{prefix} Dice"),
        Some(&slug("dice")),
        "Roll dice",
        true,
    )
    .await;
    explore_hook(
        &server,
        a,
        &format!("{prefix} Cards"),
        Some(&slug("cards")),
        "Draw",
        true,
    )
    .await;
    explore_hook(
        &server,
        a,
        &format!("{prefix} Off"),
        Some(&slug("off")),
        "Disabled",
        false,
    )
    .await;
    explore_hook(
        &server,
        a,
        &format!("{prefix} NoSlug"),
        None,
        "Not installable",
        true,
    )
    .await;
    explore_hook(
        &server,
        a,
        "Elsewhere",
        Some(&slug("weather")),
        &format!("{prefix} forecast"),
        true,
    )
    .await;

    let list = server
        .get(&format!("/api/explore/webhooks?q={prefix}"), &Cred::None)
        .await;
    let list = list.expect(200).clone();
    assert_eq!(
        names(&list, "webhooks", "slug"),
        [slug("weather"), slug("cards"), slug("dice")]
    );
    let hook = &list["webhooks"][2];
    assert_eq!(hook["name"], format!("{prefix} Dice"));
    assert_eq!(hook["enabled"], true);
    assert_eq!(hook["source_type"], "webhook");
    assert!(
        hook["webhook_url"]
            .as_str()
            .unwrap()
            .starts_with("https://")
    );
    assert!(hook["commands"].is_array());

    let limited = server
        .get(
            &format!("/api/explore/webhooks?q={prefix}&limit=1&offset=1"),
            &Cred::None,
        )
        .await;
    assert_eq!(
        names(limited.expect(200), "webhooks", "slug"),
        [slug("cards")]
    );
}

#[tokio::test]
async fn explore_query_validation() {
    let server = start().await;
    for list in ["agencies", "agents", "users", "webhooks"] {
        for bad in [
            "limit=0",
            "limit=-1",
            "limit=abc",
            "limit=2.5",
            "offset=-1",
            "offset=x",
        ] {
            server
                .get(&format!("/api/explore/{list}?{bad}"), &Cred::None)
                .await
                .expect_error(400);
        }
        let clamped = server
            .get(
                &format!("/api/explore/{list}?limit=1000&offset=0"),
                &Cred::None,
            )
            .await;
        assert!(clamped.expect(200)[list].as_array().unwrap().len() <= 100);
        let huge = server
            .get(
                &format!("/api/explore/{list}?limit=99999999999999999999999"),
                &Cred::None,
            )
            .await;
        huge.expect(200);
        let beyond = server
            .get(&format!("/api/explore/{list}?offset=100000"), &Cred::None)
            .await;
        assert_eq!(beyond.expect(200)[list], json!([]));
    }
    // Default limit 20 (registration is rate limited, so these are agents of one owner).
    let (owner, _) = server.register().await;
    for n in 0..21 {
        let body = json!({"name": format!("tgdef{n}x")});
        server.create_agent(&owner, body).await;
    }
    let default = server.get("/api/explore/users?q=tgdef", &Cred::None).await;
    assert_eq!(names(default.expect(200), "users", "username").len(), 20);
}

#[tokio::test]
async fn capabilities_wallets_and_platform_commands() {
    let server = start().await;
    let (alice, alice_user) = server.register().await;
    let garbage = Cred::Bearer("garbage".into());

    for cred in [&Cred::None, &garbage] {
        let caps = server.get("/api/explore/capabilities", cred).await;
        assert_eq!(
            caps.expect(200).clone(),
            json!({"wallets": false, "network": null, "token": "USDC", "x402": false, "hookTransparency": true})
        );
    }

    let name = alice_user["username"].as_str().unwrap();
    let wallet = server
        .get(
            &format!("/api/explore/wallet/@{}", name.to_uppercase()),
            &garbage,
        )
        .await;
    assert_eq!(
        wallet.expect(200).clone(),
        json!({"username": name, "address": null})
    );
    server
        .get("/api/explore/wallet/tg_nobody_here", &Cred::None)
        .await
        .expect_error(404);

    let commands = server.get("/api/commands", &garbage).await;
    let commands = commands.expect(200).as_array().unwrap().clone();
    let listed: Vec<_> = commands
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        listed,
        [
            "help",
            "echo",
            "roll",
            "who",
            "custom",
            "notes",
            "save",
            "get",
            "clearnote",
            "checkin",
            "price",
            "hook",
            "agent",
            "boot",
            "agency"
        ]
    );
    assert!(
        commands
            .iter()
            .all(|c| c["type"] == "builtin" && !c["description"].as_str().unwrap().is_empty())
    );

    let mine = server.get("/api/wallet", &alice).await;
    assert_eq!(
        mine.expect(200).clone(),
        json!({"hasWallet": false, "address": null, "network": null, "balances": null,
               "explorer": null, "spendingConfig": null})
    );
    server
        .get("/api/wallet", &Cred::None)
        .await
        .expect_error(401);
    server.get("/api/wallet", &garbage).await.expect_error(401);
}
