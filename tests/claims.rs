//! Rows 42–44 of endpoints.md (§12): claim-code lookup, claim start (the 3-pending cap, the
//! replacement of a repeated request, the failed send), and the e-mailed link read from the
//! test outbox, with its redirects, its expiry on the test clock and the claim metrics.

mod common;

use common::*;
use serde_json::{Value, json};
use tidegauge::server::ServerConfig;

const APP: &str = "http://app.test";

/// Harness settings with fresh gauges on every scrape, no rate limits and a known app URL.
fn settings() -> ServerConfig {
    let mut config = config();
    config.metrics_cache_ttl_secs = 0.0;
    config.no_rate_limits = true;
    config.app_base_url = format!("{APP}/");
    config
}

const SENT: &str = "claim_emails_total{status=\"sent\"}";
const FAILED: &str = "claim_emails_total{status=\"error\"}";
const PENDING: &str = "crustocean_claims_pending";

struct Registered {
    id: String,
    username: String,
    code: String,
    token: String,
    agency_id: String,
}

async fn self_register(server: &Server) -> Registered {
    let result = server
        .post(
            "/api/agents/register",
            &Cred::None,
            json!({"name": unique("claimable"), "description": "A bot to claim"}),
        )
        .await;
    let result = result.expect(201);
    let text = |v: &Value| v.as_str().unwrap().to_owned();
    Registered {
        id: text(&result["agent"]["id"]),
        username: text(&result["agent"]["username"]),
        code: text(&result["claimCode"]),
        token: text(&result["agent"]["token"]),
        agency_id: text(&result["agency"]["id"]),
    }
}

async fn start_claim(server: &Server, user: &Cred, code: &str, email: &str) -> Answer {
    server
        .post(
            "/api/agents/claim",
            user,
            json!({"claimCode": code, "email": email}),
        )
        .await
}

async fn outbox(server: &Server) -> Vec<Value> {
    let answer = server.get("/__reference/outbox", &Cred::None).await;
    answer.expect(200).as_array().unwrap().clone()
}

/// The verify link of the latest outbox entry.
async fn last_link(server: &Server) -> String {
    let entries = outbox(server).await;
    let entry = entries.last().expect("an e-mail was recorded");
    entry["verifyUrl"].as_str().unwrap().to_owned()
}

/// Follows an e-mailed link once; returns the redirect target.
async fn open_link(server: &Server, link: &str) -> String {
    let path = link
        .strip_prefix(&server.url)
        .expect("the link is on the API base URL");
    let answer = server.get(path, &Cred::None).await;
    answer.expect(302);
    answer.header("location").unwrap().to_owned()
}

/// The agency's owner and the roles of two users in it, as the member `reader` sees them.
async fn roles(
    server: &Server,
    reader: &Cred,
    agency: &str,
    users: [&str; 2],
) -> (Option<String>, [Option<String>; 2]) {
    let owner = server.agency_by_id(reader, agency).await["ownerId"]
        .as_str()
        .map(str::to_owned);
    let first = server.role(reader, agency, users[0]).await;
    let second = server.role(reader, agency, users[1]).await;
    (owner, [first, second])
}

#[tokio::test]
async fn claim_flow_from_lookup_to_the_verified_link() {
    let server = start_with(settings()).await;
    let agent = self_register(&server).await;
    let (claimant, user) = server.register().await;

    let lookup = server
        .get(&format!("/api/agents/claim/{}", agent.code), &Cred::None)
        .await;
    let lookup = lookup.expect(200);
    assert_eq!(lookup["username"], agent.username.as_str());
    assert_eq!(
        lookup["displayName"].as_str().unwrap().to_lowercase(),
        agent.username
    );
    assert_eq!(lookup["persona"], "A bot to claim");
    assert_eq!(lookup["avatarUrl"], Value::Null);
    server
        .get(
            "/api/agents/claim/cru_claim_00000000000000000000000000000000",
            &Cred::None,
        )
        .await
        .expect_error(404);
    let text = server.metrics().await;
    assert_eq!(metric(&text, "crustocean_agents_unclaimed"), 1.0);

    let started = start_claim(&server, &claimant, &agent.code, "alice@example.com").await;
    assert_eq!(
        started.expect(200),
        &json!({"ok": true, "maskedEmail": "a****@example.com"})
    );
    let text = server.metrics().await;
    assert_eq!(metric(&text, SENT), 1.0);
    assert_eq!(metric(&text, PENDING), 1.0);
    let entries = outbox(&server).await;
    assert_eq!(entries.len(), 1);
    let entry = &entries[0];
    assert_eq!(entry["to"], "alice@example.com");
    assert_eq!(entry["agentUsername"], agent.username.as_str());
    assert_eq!(entry["status"], "sent");
    let link = entry["verifyUrl"].as_str().unwrap();
    assert_eq!(
        link,
        format!(
            "{}/api/agents/claim/verify/{}",
            server.url,
            entry["token"].as_str().unwrap()
        )
    );

    let target = open_link(&server, link).await;
    assert_eq!(target, format!("{APP}/?claimed={}", agent.username));
    let text = server.metrics().await;
    assert_eq!(metric(&text, "claims_completed_total"), 1.0);
    assert_eq!(metric(&text, PENDING), 0.0);
    assert_eq!(metric(&text, "crustocean_agents_unclaimed"), 0.0);

    // The code is consumed and the link used.
    server
        .get(&format!("/api/agents/claim/{}", agent.code), &Cred::None)
        .await
        .expect_error(409);
    start_claim(&server, &claimant, &agent.code, "alice@example.com")
        .await
        .expect_error(409);
    let again = open_link(&server, link).await;
    assert_eq!(again, format!("{APP}/?claim_error=invalid"));
    let garbage = server
        .get("/api/agents/claim/verify/not-a-token", &Cred::None)
        .await;
    garbage.expect(302);
    assert_eq!(
        garbage.header("location"),
        Some(format!("{APP}/?claim_error=invalid").as_str())
    );

    // The claimant owns the agent, and its agency, where the agent is now a member.
    let owned = server
        .get("/api/agents", &claimant)
        .await
        .expect(200)
        .clone();
    assert_eq!(owned[0]["id"], agent.id.as_str());
    assert_eq!(owned[0]["ownerId"], user["id"]);
    let user_id = id_of(&user);
    let users = [user_id.as_str(), agent.id.as_str()];
    let (owner, [claimant_role, agent_role]) =
        roles(&server, &claimant, &agent.agency_id, users).await;
    assert_eq!(owner.as_deref(), Some(user_id.as_str()));
    assert_eq!(claimant_role.as_deref(), Some("owner"));
    assert_eq!(agent_role.as_deref(), Some("member"));
    let lobby = server.lobby(&claimant).await;
    let (_, [claimant_in_lobby, _]) = roles(&server, &claimant, &lobby, users).await;
    assert_eq!(
        claimant_in_lobby.as_deref(),
        Some("member"),
        "the Lobby is skipped"
    );
    server
        .call(
            "DELETE",
            &format!("/api/agents/{}", agent.id),
            &claimant,
            None,
        )
        .await
        .expect(200);
}

#[tokio::test]
async fn claimant_role_in_other_agencies_depends_on_a_human_owner() {
    let server = start_with(settings()).await;
    let agent = self_register(&server).await;
    let other_agent = self_register(&server).await;
    let (claimant, user) = server.register().await;
    let boot = server
        .post(
            "/api/bootstrap",
            &Cred::None,
            json!({"username": unique("tg_h"), "password": "password123", "agentName": unique("hb")}),
        )
        .await;
    let boot = boot.expect(201).clone();
    let human_agency = id_of(&boot["agency"]);
    // Each agency's owner adds the agent to it: a human, and the other (unowned) agent.
    let human = Cred::Bearer(str_of(&boot["user"], "token").to_owned());
    server.add_agent(&human, &human_agency, &agent.id).await;
    let other_session = server.exchange(&other_agent.token).await;
    let other_session = Cred::Bearer(str_of(other_session.expect(200), "token").to_owned());
    server
        .add_agent(&other_session, &other_agent.agency_id, &agent.id)
        .await;
    start_claim(&server, &claimant, &agent.code, "bob@example.com")
        .await
        .expect(200);
    let link = last_link(&server).await;
    open_link(&server, &link).await;
    let claimant_id = id_of(&user);
    let users = [claimant_id.as_str(), agent.id.as_str()];
    let (_, [in_human, _]) = roles(&server, &claimant, &human_agency, users).await;
    assert_eq!(in_human.as_deref(), Some("member"));
    let (owner, [in_agents, _]) = roles(&server, &claimant, &other_agent.agency_id, users).await;
    assert_eq!(in_agents.as_deref(), Some("owner"));
    assert_eq!(
        owner,
        Some(other_agent.id),
        "only the role is given, not the agency"
    );
}

#[tokio::test]
async fn claim_start_errors() {
    let server = start_with(settings()).await;
    let agent = self_register(&server).await;
    let (user, _) = server.register().await;
    let (owner, _) = server.register().await;
    let (agent_session, _, _) = server.agent(&owner).await;
    let unknown = "cru_claim_ffffffffffffffffffffffffffffffff";

    start_claim(&server, &Cred::None, &agent.code, "a@example.com")
        .await
        .expect_error(401);
    start_claim(&server, &agent_session, &agent.code, "a@example.com")
        .await
        .expect_error(403);
    for body in [
        json!({}),
        json!({"email": "a@example.com"}),
        json!({"claimCode": 7, "email": "a@example.com"}),
        json!({"claimCode": agent.code}),
        json!({"claimCode": agent.code, "email": "not-an-email"}),
        json!({"claimCode": agent.code, "email": "a@localhost"}),
        json!({"claimCode": agent.code, "email": "a b@example.com"}),
        json!({"claimCode": agent.code, "email": 3}),
    ] {
        server
            .post("/api/agents/claim", &user, body)
            .await
            .expect_error(400);
    }
    start_claim(&server, &user, unknown, "a@example.com")
        .await
        .expect_error(404);
    start_claim(&server, &user, unknown, "not-an-email")
        .await
        .expect_error(404);
    server
        .post(
            "/api/agents/claim",
            &user,
            json!({"claimCode": unknown, "email": 3}),
        )
        .await
        .expect_error(404);
    assert!(outbox(&server).await.is_empty());

    // A send to the reserved .invalid domain fails: 502, counted, no pending request.
    let failed = start_claim(&server, &user, &agent.code, "carol@mail.invalid").await;
    failed.expect_error(502);
    let text = server.metrics().await;
    assert_eq!(metric(&text, FAILED), 1.0);
    assert_eq!(metric(&text, SENT), 0.0);
    assert_eq!(metric(&text, PENDING), 0.0);
    let entries = outbox(&server).await;
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0]["status"], "error");
    assert_eq!(entries[0]["to"], "carol@mail.invalid");
    let target = open_link(&server, entries[0]["verifyUrl"].as_str().unwrap()).await;
    assert_eq!(target, format!("{APP}/?claim_error=invalid"));
}

#[tokio::test]
async fn three_pending_claims_per_user_and_repeats_replace() {
    let server = start_with(settings()).await;
    let mut agents = Vec::new();
    for _ in 0..4 {
        agents.push(self_register(&server).await);
    }
    let (user, _) = server.register().await;
    let (other, _) = server.register().await;
    for agent in &agents[..3] {
        start_claim(&server, &user, &agent.code, "dave@example.com")
            .await
            .expect(200);
    }
    let first_link = outbox(&server).await[0]["verifyUrl"]
        .as_str()
        .unwrap()
        .to_owned();
    let second_link = outbox(&server).await[1]["verifyUrl"]
        .as_str()
        .unwrap()
        .to_owned();
    server.advance(600).await;

    let capped = start_claim(&server, &user, &agents[3].code, "dave@example.com").await;
    capped.expect_error(429);
    let retry: i64 = capped.header("retry-after").unwrap().parse().unwrap();
    assert!(
        (2990..=3000).contains(&retry),
        "seconds until the oldest expires: {retry}"
    );
    assert_eq!(
        outbox(&server).await.len(),
        3,
        "no e-mail for a refused claim"
    );

    // The same agent again replaces the pending request: the old link dies.
    start_claim(&server, &user, &agents[0].code, "dave@example.com")
        .await
        .expect(200);
    assert_eq!(metric(&server.metrics().await, PENDING), 3.0);
    let dead = open_link(&server, &first_link).await;
    assert_eq!(dead, format!("{APP}/?claim_error=invalid"));
    // The cap is per user.
    start_claim(&server, &other, &agents[3].code, "erin@example.com")
        .await
        .expect(200);

    // Past the first requests' expiry there is room again.
    server.advance(3000).await;
    assert_eq!(metric(&server.metrics().await, PENDING), 2.0);
    start_claim(&server, &user, &agents[3].code, "dave@example.com")
        .await
        .expect(200);
    let expired = open_link(&server, &second_link).await;
    assert_eq!(expired, format!("{APP}/?claim_error=expired"));
    assert_eq!(metric(&server.metrics().await, "claims_expired_total"), 1.0);
    let gone = open_link(&server, &second_link).await;
    assert_eq!(gone, format!("{APP}/?claim_error=invalid"));
}

#[tokio::test]
async fn links_expire_after_one_hour() {
    let server = start_with(settings()).await;
    let agent = self_register(&server).await;
    let (user, _) = server.register().await;
    start_claim(&server, &user, &agent.code, "frank@example.com")
        .await
        .expect(200);
    let link = last_link(&server).await;
    server.advance(3600).await;
    assert_eq!(metric(&server.metrics().await, PENDING), 0.0);
    let target = open_link(&server, &link).await;
    assert_eq!(target, format!("{APP}/?claim_error=expired"));
    let text = server.metrics().await;
    assert_eq!(metric(&text, "claims_expired_total"), 1.0);
    assert_eq!(metric(&text, "claims_completed_total"), 0.0);
    server
        .get(&format!("/api/agents/claim/{}", agent.code), &Cred::None)
        .await
        .expect(200);

    // After expiry a new request simply sends a new e-mail.
    start_claim(&server, &user, &agent.code, "frank@example.com")
        .await
        .expect(200);
    let fresh = last_link(&server).await;
    assert_ne!(fresh, link);
    let target = open_link(&server, &fresh).await;
    assert_eq!(target, format!("{APP}/?claimed={}", agent.username));
}

#[tokio::test]
async fn a_rival_link_answers_already_claimed() {
    let server = start_with(settings()).await;
    let agent = self_register(&server).await;
    let (first, _) = server.register().await;
    let (second, _) = server.register().await;
    start_claim(&server, &first, &agent.code, "gina@example.com")
        .await
        .expect(200);
    let first_link = last_link(&server).await;
    start_claim(&server, &second, &agent.code, "hank@example.com")
        .await
        .expect(200);
    let second_link = last_link(&server).await;
    assert_eq!(metric(&server.metrics().await, PENDING), 2.0);

    open_link(&server, &first_link).await;
    assert_eq!(
        metric(&server.metrics().await, PENDING),
        0.0,
        "every pending request for the agent goes"
    );
    let rival = open_link(&server, &second_link).await;
    assert_eq!(rival, format!("{APP}/?claim_error=already_claimed"));
    let rival = open_link(&server, &second_link).await;
    assert_eq!(rival, format!("{APP}/?claim_error=invalid"));
    assert_eq!(
        metric(&server.metrics().await, "claims_completed_total"),
        1.0
    );
}
