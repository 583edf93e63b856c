//! Rows 45–55 of endpoints.md (§13, §14, §23): profiles and follows, the four Explore lists,
//! capabilities, the wallet lookup, the platform commands and the caller's wallet. Agents,
//! agencies and hooks that other areas create are seeded in-process.

mod common;

use common::*;
use serde_json::{Value, json};
use tidegauge::server::cascade::new_agency;
use tidegauge::server::store::{
    AgentConfig, AgentInfo, Hook, HookSourceType, Membership, Role, Store, User, UserKind,
};
use uuid::Uuid;

fn uuid(user: &Value) -> Uuid {
    Uuid::parse_str(user["id"].as_str().unwrap()).unwrap()
}

async fn register_as(server: &Server, username: &str) -> (Cred, Value) {
    let answer = server
        .post(
            "/api/auth/register",
            &Cred::None,
            json!({"username": username, "password": "password123"}),
        )
        .await;
    let body = answer.expect(201).clone();
    (
        Cred::Bearer(body["token"].as_str().unwrap().to_owned()),
        body["user"].clone(),
    )
}

fn seed_agent(server: &Server, username: &str) -> Uuid {
    let app = &server.running.app;
    let now = app.now();
    app.store.write(|w| {
        let id = Uuid::new_v4();
        w.usernames.insert(username.to_lowercase(), id);
        w.users.insert(
            id,
            User {
                id,
                username: username.to_owned(),
                display_name: username.to_owned(),
                avatar: None,
                banner: None,
                description: None,
                theme: "default".into(),
                font: "default".into(),
                kind: UserKind::Agent,
                created_at: now,
                password: None,
                agent: Some(AgentInfo {
                    name: format!("{username}-name"),
                    owner_id: None,
                    verified: true,
                    persona: None,
                    config: AgentConfig {
                        role: Some("assistant".into()),
                        ..AgentConfig::default()
                    },
                    token: "sk_test".into(),
                    claim_code: None,
                    claimed: false,
                }),
            },
        );
        id
    })
}

/// A public or private agency with the given members (the first is the owner).
fn seed_agency(server: &Server, name: &str, private: bool, members: &[Uuid]) -> Uuid {
    let app = &server.running.app;
    let now = app.now();
    app.store.write(|w| {
        let id = Uuid::new_v4();
        let mut agency = new_agency(id, name, &name.to_lowercase(), Some(members[0]), now);
        agency.is_private = private;
        for user_id in &members[1..] {
            agency.members.push(Membership {
                user_id: *user_id,
                role: Role::Member,
                joined_at: now,
            });
        }
        w.slugs.insert(agency.slug.clone(), id);
        w.agencies.insert(id, agency);
        id
    })
}

fn seed_hook(
    server: &Server,
    creator: Uuid,
    name: &str,
    slug: Option<&str>,
    description: &str,
    enabled: bool,
) -> Uuid {
    let app = &server.running.app;
    let now = app.now();
    app.store.write(|w| {
        let id = Uuid::new_v4();
        w.hooks.insert(
            id,
            Hook {
                id,
                webhook_url: Some(format!("https://example.com/tg/{id}")),
                name: name.to_owned(),
                slug: slug.map(str::to_owned),
                at_name: None,
                description: Some(description.to_owned()),
                creator: "@tester".into(),
                creator_id: creator,
                default_invoke_permission: "open".into(),
                enabled,
                source_type: HookSourceType::Webhook,
                source_url: None,
                source_hash: None,
                schema: None,
                source_code: None,
                avatar_url: None,
                native_commands: Vec::new(),
                native_installs: Default::default(),
                key_hash: None,
                created_at: now,
                updated_at: now,
            },
        );
        id
    })
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
    let mut humans = Vec::new();
    for n in 0..3 {
        humans.push(register_as(&server, &format!("{prefix}h{n}")).await.1);
        server.advance(1).await;
    }
    let agent_a = seed_agent(&server, &format!("{prefix}a0"));
    server.advance(1).await;
    let agent_b = seed_agent(&server, &format!("{prefix}a1"));

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
    assert_eq!(card["id"], agent_b.to_string());
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
    assert_eq!(card["id"], agent_a.to_string());
    assert_eq!(card["name"], format!("{prefix}a0-name"));
    assert_eq!(card["role"], "assistant");
    assert_eq!(card["verified"], true);
    assert_eq!(card["displayName"], card["display_name"]);
    // The agent's name is searched too.
    let by_name = server
        .get(
            &format!("/api/explore/agents?q={prefix}a0-NAME"),
            &Cred::None,
        )
        .await;
    assert_eq!(names(by_name.expect(200), "agents", "username").len(), 1);
}

#[tokio::test]
async fn explore_agencies_public_only_by_members_with_is_member_when_known() {
    let server = start().await;
    let (alice, alice_user) = server.register().await;
    let (_, bob_user) = server.register().await;
    let prefix = unique("tgagq");
    let (a, b) = (uuid(&alice_user), uuid(&bob_user));
    seed_agency(&server, &format!("{prefix}-zeta"), false, &[a, b]);
    seed_agency(&server, &format!("{prefix}-beta"), false, &[b]);
    seed_agency(&server, &format!("{prefix}-alpha"), false, &[b]);
    seed_agency(&server, &format!("{prefix}-private"), true, &[a]);
    // A DM room between the two is never listed.
    server
        .post(&format!("/api/dm/{b}"), &alice, json!({}))
        .await
        .expect(201);

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
    let (_, alice_user) = server.register().await;
    let a = uuid(&alice_user);
    let prefix = unique("tgwh");
    let slug = |s: &str| format!("{prefix}-{s}");
    seed_hook(
        &server,
        a,
        &format!("{prefix} Dice"),
        Some(&slug("dice")),
        "Roll dice",
        true,
    );
    seed_hook(
        &server,
        a,
        &format!("{prefix} Cards"),
        Some(&slug("cards")),
        "Draw",
        true,
    );
    seed_hook(
        &server,
        a,
        &format!("{prefix} Off"),
        Some(&slug("off")),
        "Disabled",
        false,
    );
    seed_hook(
        &server,
        a,
        &format!("{prefix} NoSlug"),
        None,
        "Not installable",
        true,
    );
    seed_hook(
        &server,
        a,
        "Elsewhere",
        Some(&slug("weather")),
        &format!("{prefix} forecast"),
        true,
    );

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
    // Default limit 20 (registration is rate limited, so these are seeded agents).
    for n in 0..21 {
        seed_agent(&server, &format!("tgdef{n}x"));
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
