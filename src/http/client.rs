//! `ApiClient`: every request the harness sends to a target. One reqwest client per run
//! (connection reuse), a per-request timeout, a cap on the response body that is read, no
//! redirects followed, and retries with backoff for idempotent requests on connection errors
//! and 502/503/504 only — never because an assertion failed. Every answer comes back as an
//! `Exchange` whose texts are already redacted.

use super::redact::Redactor;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use reqwest::{Method, StatusCode};
use serde_json::Value;
use std::time::{Duration, Instant};

/// A request body: JSON, or raw text sent as `application/json` (invalid-JSON scenarios).
#[derive(Clone, Debug)]
pub enum RequestBody {
    Json(Value),
    Raw(String),
}

impl RequestBody {
    fn text(&self) -> String {
        match self {
            RequestBody::Json(value) => value.to_string(),
            RequestBody::Raw(text) => text.clone(),
        }
    }
}

/// How a request authenticates (credentials.md: the transports of the five kinds).
#[derive(Clone, Debug, Default)]
pub enum Auth {
    #[default]
    None,
    /// `Authorization: Bearer <token>` (PAT, session, agent session, raw agent token).
    Bearer(String),
    /// `Cookie: crustocean_token=<token>`.
    Cookie(String),
    /// `X-Crustocean-Hook-Key: <key>`.
    HookKey(String),
    /// A raw `Authorization` header value (malformed-credential scenarios).
    RawAuthorization(String),
    /// `X-Metrics-Key: <key>`.
    MetricsKey(String),
}

#[derive(Clone, Debug)]
pub struct ClientOptions {
    pub timeout: Duration,
    pub max_body_bytes: usize,
    pub retries: u32,
}

impl Default for ClientOptions {
    fn default() -> Self {
        ClientOptions {
            timeout: Duration::from_secs(30),
            max_body_bytes: 16 * 1024 * 1024,
            retries: 2,
        }
    }
}

/// One request and its answer, redacted, as reports show it.
#[derive(Clone, Debug)]
pub struct Exchange {
    pub method: String,
    /// The path and query as sent (redacted).
    pub path: String,
    pub request_body: Option<String>,
    pub status: u16,
    pub headers: HeaderMap,
    /// The body text (redacted), cut at the body cap.
    pub body: String,
    /// The body parsed as JSON (`Value::Null` when it is not JSON).
    pub json: Value,
    pub elapsed: Duration,
    pub retries: u32,
}

impl Exchange {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// A short, redacted rendering for failure messages.
    pub fn describe(&self) -> String {
        let request_body = self
            .request_body
            .as_deref()
            .map(|b| format!("\n  body: {}", excerpt(b)))
            .unwrap_or_default();
        let content_type = self.header("content-type").unwrap_or("-");
        format!(
            "request: {} {}{request_body}\nresponse: {} ({content_type}) {}",
            self.method,
            self.path,
            self.status,
            excerpt(&self.body)
        )
    }
}

fn excerpt(text: &str) -> String {
    const MAX: usize = 1200;
    if text.len() <= MAX {
        return text.to_owned();
    }
    let cut = (0..=MAX)
        .rev()
        .find(|i| text.is_char_boundary(*i))
        .unwrap_or(0);
    format!("{}… ({} bytes)", &text[..cut], text.len())
}

/// Why a request produced no answer; the message names the target and the request.
#[derive(Debug)]
pub struct TransportError(pub String);

impl std::fmt::Display for TransportError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for TransportError {}

#[derive(Clone)]
pub struct ApiClient {
    base: String,
    client: reqwest::Client,
    options: ClientOptions,
    redactor: Redactor,
}

fn is_idempotent(method: &Method) -> bool {
    matches!(
        *method,
        Method::GET | Method::HEAD | Method::PUT | Method::DELETE | Method::OPTIONS
    )
}

impl ApiClient {
    pub fn new(base: &str, options: ClientOptions, redactor: Redactor) -> anyhow::Result<Self> {
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(Duration::from_secs(5).min(options.timeout))
            .timeout(options.timeout)
            .build()?;
        Ok(ApiClient {
            base: base.trim_end_matches('/').to_owned(),
            client,
            options,
            redactor,
        })
    }

    pub fn base(&self) -> &str {
        &self.base
    }

    pub fn redactor(&self) -> &Redactor {
        &self.redactor
    }

    /// Sends one request; connection failures (after the allowed retries) are `Err`.
    pub async fn send(
        &self,
        method: &str,
        path: &str,
        auth: &Auth,
        body: Option<&RequestBody>,
        extra_headers: &[(String, String)],
    ) -> Result<Exchange, TransportError> {
        let method = Method::from_bytes(method.as_bytes())
            .map_err(|_| TransportError(format!("invalid HTTP method {method}")))?;
        let url = format!("{}{}", self.base, path);
        let started = Instant::now();
        let mut attempt = 0;
        loop {
            let result = self.attempt(&method, &url, auth, body, extra_headers).await;
            let retryable = match &result {
                Err(_) => true,
                Ok((status, ..)) => matches!(status.as_u16(), 502..=504),
            };
            if retryable && is_idempotent(&method) && attempt < self.options.retries {
                attempt += 1;
                tokio::time::sleep(Duration::from_millis(200 * 2u64.pow(attempt - 1))).await;
                continue;
            }
            let (status, headers, text) = result.map_err(|cause| {
                let retries = if attempt > 0 {
                    format!(" (after {attempt} retries)")
                } else {
                    String::new()
                };
                TransportError(self.redactor.redact(&format!(
                    "{cause} while sending {method} {path} to {}{retries}",
                    self.base
                )))
            })?;
            let json = serde_json::from_str(&text).unwrap_or(Value::Null);
            self.learn_secrets(&json, &headers, body);
            return Ok(Exchange {
                method: method.to_string(),
                path: self.redactor.redact(path),
                request_body: body.map(|b| self.redactor.redact(&b.text())),
                status: status.as_u16(),
                headers,
                body: self.redactor.redact(&text),
                json,
                elapsed: started.elapsed(),
                retries: attempt,
            });
        }
    }

    /// Registers every credential an answer (or the request) carries before anything is
    /// rendered: tokens, keys, claim codes and secrets in JSON fields, and the session cookie.
    fn learn_secrets(&self, answer: &Value, headers: &HeaderMap, request: Option<&RequestBody>) {
        collect_secrets(answer, &self.redactor);
        if let Some(RequestBody::Json(sent)) = request {
            collect_secrets(sent, &self.redactor);
        }
        for cookie in headers
            .get_all("set-cookie")
            .iter()
            .filter_map(|v| v.to_str().ok())
        {
            if let Some(value) = cookie
                .split(';')
                .next()
                .and_then(|pair| pair.split_once('='))
                .map(|(_, v)| v)
            {
                self.redactor.add(value);
            }
        }
    }

    async fn attempt(
        &self,
        method: &Method,
        url: &str,
        auth: &Auth,
        body: Option<&RequestBody>,
        extra_headers: &[(String, String)],
    ) -> Result<(StatusCode, HeaderMap, String), String> {
        let mut request = self.client.request(method.clone(), url);
        request = match auth {
            Auth::None => request,
            Auth::Bearer(token) => request.bearer_auth(token),
            Auth::Cookie(token) => request.header("cookie", format!("crustocean_token={token}")),
            Auth::HookKey(key) => request.header("x-crustocean-hook-key", key),
            Auth::RawAuthorization(value) => request.header("authorization", value),
            Auth::MetricsKey(key) => request.header("x-metrics-key", key),
        };
        for (name, value) in extra_headers {
            if let (Ok(name), Ok(value)) = (
                HeaderName::try_from(name.as_str()),
                HeaderValue::from_str(value),
            ) {
                request = request.header(name, value);
            }
        }
        match body {
            Some(RequestBody::Json(value)) => request = request.json(value),
            Some(RequestBody::Raw(text)) => {
                request = request
                    .header("content-type", "application/json")
                    .body(text.clone())
            }
            None => {}
        }
        let mut response = request.send().await.map_err(describe_reqwest)?;
        let status = response.status();
        let headers = response.headers().clone();
        let mut bytes = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(describe_reqwest)? {
            bytes.extend_from_slice(&chunk);
            if bytes.len() > self.options.max_body_bytes {
                return Err(format!(
                    "the answer body is larger than the cap of {} bytes (--max-body-bytes)",
                    self.options.max_body_bytes
                ));
            }
        }
        Ok((
            status,
            headers,
            String::from_utf8_lossy(&bytes).into_owned(),
        ))
    }
}

/// Field names whose string values are credentials or other secrets in the API's JSON.
const SECRET_FIELDS: [&str; 13] = [
    "token",
    "agentToken",
    "hookKey",
    "hook_key",
    "key",
    "claimCode",
    "secret",
    "password",
    "currentPassword",
    "newPassword",
    "llm_api_key",
    "openclaw_token",
    "response_webhook_secret",
];

fn collect_secrets(value: &Value, redactor: &Redactor) {
    match value {
        Value::Object(map) => {
            for (name, field) in map {
                match field {
                    Value::String(text)
                        if SECRET_FIELDS.contains(&name.as_str()) && text != "[redacted]" =>
                    {
                        redactor.add(text)
                    }
                    other => collect_secrets(other, redactor),
                }
            }
        }
        Value::Array(items) => items
            .iter()
            .for_each(|item| collect_secrets(item, redactor)),
        _ => {}
    }
}

/// One line naming what went wrong with the connection.
fn describe_reqwest(error: reqwest::Error) -> String {
    use std::error::Error as _;
    let mut cause = String::new();
    let mut source = error.source();
    while let Some(inner) = source {
        cause = inner.to_string();
        source = inner.source();
    }
    let kind = if error.is_timeout() {
        "timed out"
    } else if error.is_connect() {
        "could not connect"
    } else if error.is_body() || error.is_decode() {
        "broke off while sending the body"
    } else {
        "failed"
    };
    if cause.is_empty() {
        kind.to_owned()
    } else {
        format!("{kind} ({cause})")
    }
}
