//! Shared helpers for the black-box tests of the reference target: start an instance on
//! 127.0.0.1:0, send JSON requests with any credential, and provision the usual identities,
//! agencies, DM rooms, hooks, messages and subscriptions through the API, as a client would.
//! A helper lives here once more than one test file needs it; the rest stay in their file.
#![allow(dead_code)] // each test file uses its own subset of these helpers

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use std::sync::atomic::{AtomicU64, Ordering};
use tidegauge::server::faults::{Fault, FaultSet};
use tidegauge::server::messaging::{Draft, post};
use tidegauge::server::store::Store;
use tidegauge::server::{RunningServer, ServerConfig, spawn};

pub const METRICS_KEY: &str = "test-metrics-key";

/// The harness configuration (test controls, private webhook URLs allowed, metrics key).
pub fn config() -> ServerConfig {
    ServerConfig::for_harness(METRICS_KEY)
}

/// The harness configuration without the private-webhook-URL allowance (SSRF guard on).
pub fn strict_ssrf() -> ServerConfig {
    let mut config = config();
    config.allow_private_webhook_urls = false;
    config
}

/// The harness configuration without rate limits.
pub fn unlimited() -> ServerConfig {
    let mut config = config();
    config.no_rate_limits = true;
    config
}

pub async fn start() -> Server {
    start_with(config()).await
}

pub async fn start_with_faults(faults: &[Fault]) -> Server {
    let mut config = config();
    config.faults = FaultSet::new(faults.iter().copied());
    start_with(config).await
}

pub async fn start_with(config: ServerConfig) -> Server {
    let running = spawn(config).await.expect("reference server starts");
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    Server {
        url: running.url.clone(),
        running,
        client,
    }
}

pub struct Server {
    pub url: String,
    pub running: RunningServer,
    pub client: reqwest::Client,
}

/// How a request authenticates.
#[derive(Clone, Debug)]
pub enum Cred {
    None,
    Bearer(String),
    Cookie(String),
    HookKey(String),
}

/// One answer: status, headers and the body parsed as JSON (`Value::Null` if it is not JSON).
#[derive(Debug)]
pub struct Answer {
    pub status: StatusCode,
    pub headers: reqwest::header::HeaderMap,
    pub text: String,
    pub json: Value,
}

impl Answer {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// Asserts the status, printing the body when it differs.
    #[track_caller]
    pub fn expect(&self, status: u16) -> &Value {
        assert_eq!(
            self.status.as_u16(),
            status,
            "unexpected status; body: {}",
            self.text
        );
        &self.json
    }

    /// Asserts an error status with the API's `{"error": "<non-empty>"}` body.
    #[track_caller]
    pub fn expect_error(&self, status: u16) {
        self.expect(status);
        let message = self
            .json
            .get("error")
            .and_then(Value::as_str)
            .unwrap_or_default();
        assert!(
            !message.is_empty(),
            "error body must be {{\"error\": ...}}: {}",
            self.text
        );
    }
}

static UNIQUE: AtomicU64 = AtomicU64::new(0);

/// A short name unique within the test process, e.g. `tg_a1b2_7`.
pub fn unique(prefix: &str) -> String {
    let n = UNIQUE.fetch_add(1, Ordering::Relaxed);
    let salt = &uuid_hex()[..4];
    format!("{prefix}{salt}{n}")
}

fn uuid_hex() -> String {
    format!("{:x}", rand_u64())
}

fn rand_u64() -> u64 {
    use std::hash::{BuildHasher, RandomState};
    RandomState::new().hash_one(std::time::SystemTime::now())
}

/// Ten random hex characters, for slugs and `at_name`s that must be globally unique.
pub fn tag() -> String {
    uuid::Uuid::new_v4().simple().to_string()[..10].to_owned()
}

/// A webhook URL never published before (so publishing it creates a new hook).
pub fn url() -> String {
    format!("https://example.com/tg/{}", unique("h"))
}

/// The `id` of a JSON object (user, agent, agency, message, ...).
pub fn id_of(value: &Value) -> String {
    value["id"].as_str().expect("an id").to_owned()
}

/// A string field of a JSON object, `""` when absent.
pub fn str_of<'a>(value: &'a Value, key: &str) -> &'a str {
    value[key].as_str().unwrap_or_default()
}

/// The hook key a command's create answer carries.
pub fn key_of(command: &Value) -> Cred {
    Cred::HookKey(command["hookKey"].as_str().expect("hookKey").to_owned())
}

/// The value of one exposition series (`name` or `name{labels}`), 0 when absent.
pub fn metric(text: &str, series: &str) -> f64 {
    text.lines()
        .find_map(|line| line.strip_prefix(series)?.strip_prefix(' ')?.parse().ok())
        .unwrap_or(0.0)
}

/// The promtool to run (on the PATH, or where `.ci/run` installs it), of the given version if
/// one is named (`--version` prints `version <v>`). Without one, outside CI it prints why the
/// calling test is skipped and returns `None`; under `CI=true` it fails instead.
pub fn promtool(version: Option<&str>) -> Option<String> {
    let wanted = version.map(|v| format!("version {v}"));
    let found = ["promtool", "/opt/prom/usr/bin/promtool"]
        .into_iter()
        .find(|candidate| {
            std::process::Command::new(candidate)
                .arg("--version")
                .output()
                .is_ok_and(|o| {
                    o.status.success()
                        && wanted
                            .as_deref()
                            .is_none_or(|w| String::from_utf8_lossy(&o.stdout).contains(w))
                })
        });
    if found.is_none() {
        let name = version.map_or("promtool".to_owned(), |v| format!("promtool {v}"));
        assert_ne!(
            std::env::var("CI").as_deref(),
            Ok("true"),
            "{name} must be installed in CI"
        );
        eprintln!("skipped: {name} is not installed (apt-get install prometheus)");
    }
    found.map(str::to_owned)
}

/// A bootstrap body for `username` with a fresh agent and agency name.
pub fn bootstrap_body(username: &str) -> Value {
    json!({
        "username": username,
        "password": "password123",
        "agentName": unique("bootbot"),
        "agencyName": unique("Boot Agency "),
    })
}

impl Server {
    pub async fn call(&self, method: &str, path: &str, cred: &Cred, body: Option<Value>) -> Answer {
        let method = Method::from_bytes(method.as_bytes()).unwrap();
        let mut request = self.client.request(method, format!("{}{}", self.url, path));
        request = match cred {
            Cred::None => request,
            Cred::Bearer(token) => request.bearer_auth(token),
            Cred::Cookie(token) => request.header("cookie", format!("crustocean_token={token}")),
            Cred::HookKey(key) => request.header("x-crustocean-hook-key", key),
        };
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request
            .send()
            .await
            .expect("request reaches the reference server");
        let status = response.status();
        let headers = response.headers().clone();
        let text = response.text().await.unwrap_or_default();
        let json = serde_json::from_str(&text).unwrap_or(Value::Null);
        Answer {
            status,
            headers,
            text,
            json,
        }
    }

    pub async fn get(&self, path: &str, cred: &Cred) -> Answer {
        self.call("GET", path, cred, None).await
    }

    pub async fn post(&self, path: &str, cred: &Cred, body: Value) -> Answer {
        self.call("POST", path, cred, Some(body)).await
    }

    /// Registers a fresh human user; returns (session token as Bearer, user JSON).
    pub async fn register(&self) -> (Cred, Value) {
        self.register_as(&unique("tg_u")).await
    }

    /// Registers the human user `username`; returns (session token as Bearer, user JSON).
    pub async fn register_as(&self, username: &str) -> (Cred, Value) {
        let answer = self
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

    /// A PAT for the given user credential.
    pub async fn pat(&self, user: &Cred) -> Cred {
        let answer = self
            .post("/api/auth/tokens", user, json!({"name": "test"}))
            .await;
        Cred::Bearer(answer.expect(201)["token"].as_str().unwrap().to_owned())
    }

    pub async fn patch(&self, path: &str, cred: &Cred, body: Value) -> Answer {
        self.call("PATCH", path, cred, Some(body)).await
    }

    /// Creates an agency owned by `user`; returns its JSON.
    pub async fn agency(&self, user: &Cred) -> Value {
        let name = unique("tg_agency_");
        self.post("/api/agencies", user, json!({"name": name}))
            .await
            .expect(201)
            .clone()
    }

    /// Creates an agency owned by `owner`; returns its ID.
    pub async fn agency_id(&self, owner: &Cred) -> String {
        id_of(&self.agency(owner).await)
    }

    /// Creates a private agency owned by `owner` with `password`; returns its JSON.
    pub async fn private_agency(&self, owner: &Cred, password: &str) -> Value {
        let name = unique("tg_private_");
        let body = json!({"name": name, "isPrivate": true, "password": password});
        self.post("/api/agencies", owner, body)
            .await
            .expect(201)
            .clone()
    }

    /// `who` joins the public agency `agency_id`.
    pub async fn join(&self, who: &Cred, agency_id: &str) {
        self.post(&format!("/api/agencies/{agency_id}/join"), who, json!({}))
            .await
            .expect(200);
    }

    /// The agency `id` as `who` sees it in `GET /api/agencies` (listed public or joined).
    pub async fn agency_by_id(&self, who: &Cred, id: &str) -> Value {
        let list = self.get("/api/agencies", who).await;
        let list = list.expect(200).as_array().expect("an array");
        list.iter()
            .find(|a| a["id"] == id)
            .unwrap_or_else(|| panic!("agency {id} is not in the caller's list"))
            .clone()
    }

    /// The Lobby's ID, looked up by its slug.
    pub async fn lobby(&self, who: &Cred) -> String {
        let lobby = self.get("/api/agencies/lookup/lobby", who).await;
        id_of(lobby.expect(200))
    }

    /// `GET /api/agencies/:id/members` as `who`.
    pub async fn members(&self, who: &Cred, agency_id: &str) -> Vec<Value> {
        let members = self
            .get(&format!("/api/agencies/{agency_id}/members"), who)
            .await;
        members.expect(200).as_array().expect("an array").clone()
    }

    /// The role of `user_id` in the agency (`None` when not a member), read as `who`.
    pub async fn role(&self, who: &Cred, agency_id: &str, user_id: &str) -> Option<String> {
        self.members(who, agency_id)
            .await
            .iter()
            .find(|m| m["id"] == user_id)
            .map(|m| m["role"].as_str().expect("a role").to_owned())
    }

    /// Opens a new DM room between `who` and the user `other_id`; returns the room's ID.
    pub async fn dm(&self, who: &Cred, other_id: &str) -> String {
        let opened = self
            .post(&format!("/api/dm/{other_id}"), who, json!({}))
            .await;
        opened.expect(201)["agencyId"]
            .as_str()
            .expect("agencyId")
            .to_owned()
    }

    /// `POST /api/agents` by `owner`; returns the answer `{agent, agentToken}` (unverified).
    pub async fn create_agent(&self, owner: &Cred, body: Value) -> Value {
        self.post("/api/agents", owner, body)
            .await
            .expect(201)
            .clone()
    }

    /// `POST /api/auth/agent`: exchanges an agent token for a session.
    pub async fn exchange(&self, token: &str) -> Answer {
        self.post("/api/auth/agent", &Cred::None, json!({"agentToken": token}))
            .await
    }

    /// Creates and verifies an agent owned by `owner`, exchanges its token; returns
    /// (agent session, agent JSON, raw agent token).
    pub async fn agent(&self, owner: &Cred) -> (Cred, Value, String) {
        self.agent_from(owner, json!({"name": unique("tgagent")}))
            .await
    }

    /// As [`Server::agent`], with the `POST /api/agents` body given.
    pub async fn agent_from(&self, owner: &Cred, body: Value) -> (Cred, Value, String) {
        let created = self.create_agent(owner, body).await;
        let id = id_of(&created["agent"]);
        let token = str_of(&created, "agentToken").to_owned();
        self.post(&format!("/api/agents/{id}/verify"), owner, json!({}))
            .await
            .expect(200);
        let session = self.exchange(&token).await;
        let session = session.expect(200)["token"].as_str().unwrap().to_owned();
        (Cred::Bearer(session), created["agent"].clone(), token)
    }

    /// A member of `agency_id` (`who`) adds the agent `agent_id` to it.
    pub async fn add_agent(&self, who: &Cred, agency_id: &str, agent_id: &str) {
        let path = format!("/api/agencies/{agency_id}/agents");
        self.post(&path, who, json!({"agentId": agent_id}))
            .await
            .expect(200);
    }

    /// Publishes a command with a fresh webhook URL in `agency_id` (the fields of `extra`
    /// added or overriding); returns the command JSON, with `hookKey`.
    pub async fn publish(&self, owner: &Cred, agency_id: &str, extra: Value) -> Value {
        let mut body = json!({"name": unique("cmd"), "webhookUrl": url()});
        body.as_object_mut()
            .unwrap()
            .extend(extra.as_object().expect("an object").clone());
        let path = format!("/api/custom-commands/{agency_id}/commands");
        self.post(&path, owner, body).await.expect(201).clone()
    }

    /// Creates a custom command with a fresh webhook URL in `agency_id`; returns the hook key.
    pub async fn hook_key(&self, owner: &Cred, agency_id: &str) -> String {
        let command = self.publish(owner, agency_id, json!({})).await;
        command["hookKey"]
            .as_str()
            .expect("first command of a URL carries hookKey")
            .to_owned()
    }

    /// `POST /api/hooks/messages` with a hook key.
    pub async fn post_message(&self, key: &Cred, agency_id: &str, content: &str) -> Answer {
        let body = json!({"agencyId": agency_id, "content": content});
        self.post("/api/hooks/messages", key, body).await
    }

    /// Posts a chat message into the DM room `room` as `author` (a User object); returns it as
    /// the API renders it. DM messages arrive only over the realtime protocol, which the
    /// reference server does not have, and hooks are refused in DM rooms (§22): no endpoint
    /// can post one, so it is stored in-process.
    pub fn say_in_dm(&self, room: &str, author: &Value, content: &str) -> Value {
        let message = post(
            &self.running.app,
            Draft {
                agency_id: room.parse().expect("a room ID"),
                author_id: id_of(author),
                sender_username: str_of(author, "username").to_owned(),
                sender_display_name: str_of(author, "displayName").to_owned(),
                sender_type: "user",
                content: content.to_owned(),
                kind: "chat".into(),
                metadata: json!({}),
                dm: true,
                hook_id: None,
            },
        );
        serde_json::from_slice(&message.json).expect("a message renders as JSON")
    }

    /// `POST /api/webhook-subscriptions/:agencyId`; returns the new subscription.
    pub async fn subscribe(&self, who: &Cred, agency_id: &str, body: Value) -> Value {
        self.post(
            &format!("/api/webhook-subscriptions/{agency_id}"),
            who,
            body,
        )
        .await
        .expect(201)
        .clone()
    }

    /// The `crustocean_hooks_active` gauge, read past the gauge cache.
    pub async fn hooks_active(&self) -> i64 {
        self.advance(30).await;
        let text = self.metrics().await;
        let line = text
            .lines()
            .find(|l| l.starts_with("crustocean_hooks_active "))
            .expect("the gauge is exposed");
        line.rsplit(' ').next().unwrap().parse::<f64>().unwrap() as i64
    }

    /// The exposition text (with the metrics key).
    pub async fn metrics(&self) -> String {
        let answer = self
            .call(
                "GET",
                &format!("/metrics?key={METRICS_KEY}"),
                &Cred::None,
                None,
            )
            .await;
        assert_eq!(answer.status, 200);
        answer.text
    }

    /// Moves the server clock forward (test control).
    pub async fn advance(&self, seconds: u64) {
        self.post(
            "/__reference/clock/advance",
            &Cred::None,
            json!({"seconds": seconds}),
        )
        .await
        .expect(200);
    }
}

/// Nothing a harness run created is left: no users, agents, PATs, commands, subscriptions
/// or hooks, and only the Lobby agency.
pub fn assert_target_is_clean(server: &Server) {
    let app = &server.running.app;
    app.store.read(|w| {
        let users: Vec<&str> = w.users.values().map(|u| u.username.as_str()).collect();
        assert!(users.is_empty(), "users left: {users:?}");
        assert!(w.users.values().all(|u| u.agent.is_none()), "agents left");
        assert_eq!(
            w.agencies.len(),
            1,
            "only the Lobby is left: {:?}",
            w.agencies.values().map(|a| &a.name).collect::<Vec<_>>()
        );
        assert!(w.pats.is_empty(), "PATs left: {}", w.pats.len());
        assert!(w.commands.is_empty(), "commands left: {}", w.commands.len());
        assert!(
            w.subscriptions.is_empty(),
            "subscriptions left: {}",
            w.subscriptions.len()
        );
        assert!(w.hooks.is_empty(), "hooks left: {}", w.hooks.len());
    });
}
