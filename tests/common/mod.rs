//! Shared helpers for the black-box tests of the reference target: start an instance on
//! 127.0.0.1:0, send JSON requests with any credential, and provision the usual identities.
#![allow(dead_code)] // each test file uses its own subset of these helpers

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use std::sync::atomic::{AtomicU64, Ordering};
use tidegauge::server::faults::{Fault, FaultSet};
use tidegauge::server::{RunningServer, ServerConfig, spawn};

pub const METRICS_KEY: &str = "test-metrics-key";

/// The harness configuration (test controls, private webhook URLs allowed, metrics key).
pub fn config() -> ServerConfig {
    ServerConfig::for_harness(METRICS_KEY)
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
        let username = unique("tg_u");
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

    /// Creates an agency owned by `user`; returns its JSON.
    pub async fn agency(&self, user: &Cred) -> Value {
        let name = unique("tg_agency_");
        self.post("/api/agencies", user, json!({"name": name}))
            .await
            .expect(201)
            .clone()
    }

    /// Creates a custom command with a fresh webhook URL in `agency_id`; returns the hook key.
    pub async fn hook_key(&self, owner: &Cred, agency_id: &str) -> String {
        let answer = self
            .post(
                &format!("/api/custom-commands/{agency_id}/commands"),
                owner,
                json!({"name": unique("cmd"), "webhookUrl": format!("https://example.com/tg/{}", unique("h"))}),
            )
            .await;
        answer.expect(201)["hookKey"]
            .as_str()
            .expect("first command of a URL carries hookKey")
            .to_owned()
    }

    /// Creates and verifies an agent owned by `owner`, exchanges its token; returns
    /// (agent session, agent JSON, raw agent token).
    pub async fn agent(&self, owner: &Cred) -> (Cred, Value, String) {
        let name = unique("tgagent");
        let created = self
            .post("/api/agents", owner, json!({"name": name}))
            .await
            .expect(201)
            .clone();
        let id = created["agent"]["id"].as_str().unwrap().to_owned();
        let token = created["agentToken"].as_str().unwrap().to_owned();
        self.post(&format!("/api/agents/{id}/verify"), owner, json!({}))
            .await
            .expect(200);
        let session = self
            .post("/api/auth/agent", &Cred::None, json!({"agentToken": token}))
            .await;
        let session = session.expect(200)["token"].as_str().unwrap().to_owned();
        (Cred::Bearer(session), created["agent"].clone(), token)
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
