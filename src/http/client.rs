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
    /// The flag that sets `max_body_bytes`, as a too-large answer's message names it.
    pub cap_flag: &'static str,
    pub retries: u32,
}

impl Default for ClientOptions {
    fn default() -> Self {
        ClientOptions {
            timeout: Duration::from_secs(30),
            max_body_bytes: 16 * 1024 * 1024,
            cap_flag: "--max-body-bytes",
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

/// What kind of trouble ended a request without a usable answer. The first six mean the
/// target could not be talked to (exit 3); `TooLarge` means it answered, wrongly (a failure).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TransportKind {
    /// Nothing accepted the connection.
    Refused,
    /// No (complete) answer within the request timeout.
    Timeout,
    /// The connection was reset or closed before the answer was complete.
    Reset,
    /// The TLS handshake failed (e.g. https:// against a plain HTTP server).
    Tls,
    /// The bytes that came back are not HTTP (e.g. a TLS server behind an http:// URL).
    NotHttp,
    /// Any other connection failure.
    Other,
    /// The answer's body is larger than the cap (`--max-body-bytes` / `--max-exposition-bytes`).
    TooLarge,
}

/// Why a request produced no answer; the message is one line naming the target, the trouble
/// and the request, e.g. `target 127.0.0.1:1234 reset the connection while sending the body
/// (GET /api/agencies, after 2 retries)`. Already redacted.
#[derive(Debug)]
pub struct TransportError {
    pub kind: TransportKind,
    pub message: String,
}

impl TransportError {
    /// True when the target could not be talked to at all (as opposed to answering wrongly).
    pub fn unreachable(&self) -> bool {
        self.kind != TransportKind::TooLarge
    }

    /// The transport error in an error chain, if there is one (anyhow context included).
    pub fn find(error: &anyhow::Error) -> Option<&TransportError> {
        error
            .chain()
            .find_map(|e| e.downcast_ref::<TransportError>())
    }
}

impl std::fmt::Display for TransportError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for TransportError {}

/// One retry of an idempotent request: what was retried and why (already redacted).
#[derive(Clone, Debug, serde::Serialize)]
pub struct Retry {
    pub request: String,
    /// 1 for the first retry.
    pub attempt: u32,
    pub cause: String,
}

/// The retries a client made, for the reports: every one counted, the first `KEPT` kept.
#[derive(Clone, Debug, Default, serde::Serialize)]
pub struct RetryLog {
    pub total: u64,
    pub retries: Vec<Retry>,
}

impl RetryLog {
    /// Keeps the log of a run against a target that fails every request bounded.
    const KEPT: usize = 200;

    fn push(&mut self, retry: Retry) {
        self.total += 1;
        if self.retries.len() < Self::KEPT {
            self.retries.push(retry);
        }
    }
}

#[derive(Clone)]
pub struct ApiClient {
    base: String,
    /// `host:port` of the base URL, as error messages name the target.
    authority: String,
    client: reqwest::Client,
    options: ClientOptions,
    redactor: Redactor,
    retry_log: std::sync::Arc<parking_lot::Mutex<RetryLog>>,
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
        let authority = url::Url::parse(base)
            .ok()
            .and_then(|u| {
                let host = u.host_str()?.to_owned();
                Some(match u.port_or_known_default() {
                    Some(port) => format!("{host}:{port}"),
                    None => host,
                })
            })
            .unwrap_or_else(|| base.to_owned());
        Ok(ApiClient {
            base: base.trim_end_matches('/').to_owned(),
            authority,
            client,
            options,
            redactor,
            retry_log: Default::default(),
        })
    }

    pub fn base(&self) -> &str {
        &self.base
    }

    pub fn redactor(&self) -> &Redactor {
        &self.redactor
    }

    /// The same client (connections, redactor, retry log) reading answers up to another cap,
    /// named by `flag` when an answer is over it.
    pub fn with_body_cap(&self, max_body_bytes: usize, flag: &'static str) -> ApiClient {
        let mut capped = self.clone();
        capped.options.max_body_bytes = max_body_bytes;
        capped.options.cap_flag = flag;
        capped
    }

    /// Every retry this client (and its clones) made so far.
    pub fn retry_log(&self) -> RetryLog {
        self.retry_log.lock().clone()
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
        let method = Method::from_bytes(method.as_bytes()).map_err(|_| TransportError {
            kind: TransportKind::Other,
            message: format!("invalid HTTP method {method}"),
        })?;
        let url = format!("{}{}", self.base, path);
        let started = Instant::now();
        let mut attempt = 0;
        // Bounded: at most `retries + 1` attempts.
        loop {
            let result = self.attempt(&method, &url, auth, body, extra_headers).await;
            let retry_cause = match &result {
                Err((kind, cause)) if *kind != TransportKind::TooLarge => Some(cause.clone()),
                Ok((status, ..)) if matches!(status.as_u16(), 502..=504) => {
                    Some(format!("answered {status}"))
                }
                _ => None,
            };
            if let Some(cause) = retry_cause
                && is_idempotent(&method)
                && attempt < self.options.retries
            {
                attempt += 1;
                self.retry_log.lock().push(Retry {
                    request: self.redactor.redact(&format!("{method} {path}")),
                    attempt,
                    cause: self.redactor.redact(&cause),
                });
                tokio::time::sleep(Duration::from_millis(200 * 2u64.pow(attempt - 1))).await;
                continue;
            }
            let (status, headers, text) = result.map_err(|(kind, cause)| {
                let retries = match attempt {
                    0 => String::new(),
                    n => format!(", {}", after_retries(n)),
                };
                TransportError {
                    kind,
                    message: self.redactor.redact(&format!(
                        "target {} {cause} ({method} {path}{retries})",
                        self.authority
                    )),
                }
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
    ) -> Result<(StatusCode, HeaderMap, String), (TransportKind, String)> {
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
        let mut response = request
            .send()
            .await
            .map_err(|e| describe_reqwest(&e, "before answering", self.options.timeout))?;
        let status = response.status();
        let headers = response.headers().clone();
        let (cap, flag) = (self.options.max_body_bytes, self.options.cap_flag);
        let too_large = || {
            (
                TransportKind::TooLarge,
                format!(
                    "answered {status} with a body larger than the cap of {cap} bytes ({flag}); it was not read further"
                ),
            )
        };
        if response.content_length().is_some_and(|n| n > cap as u64) {
            return Err(too_large());
        }
        // Memory stays within the cap and no buffer is grown by doubling (with mimalloc the
        // outgrown buffers stayed resident: about three times the cap at the peak, measured by
        // tests/hostile.rs). The chunks are kept as they came and joined once, into a buffer
        // of the exact size, when the body is complete.
        let mut chunks = Vec::new();
        let mut length = 0usize;
        while let Some(chunk) = response
            .chunk()
            .await
            .map_err(|e| describe_reqwest(&e, "while sending the body", self.options.timeout))?
        {
            if length + chunk.len() > cap {
                return Err(too_large());
            }
            length += chunk.len();
            chunks.push(chunk);
        }
        let mut bytes = Vec::with_capacity(length);
        for chunk in chunks {
            bytes.extend_from_slice(&chunk);
        }
        let text = String::from_utf8(bytes)
            .unwrap_or_else(|invalid| String::from_utf8_lossy(invalid.as_bytes()).into_owned());
        Ok((status, headers, text))
    }
}

/// "after 1 retry", "after 3 retries": how a message says that a request was retried.
pub fn after_retries(retries: u32) -> String {
    match retries {
        1 => "after 1 retry".to_owned(),
        n => format!("after {n} retries"),
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

/// What went wrong with the connection, as a phrase that follows "target <host:port>", and
/// its kind. reqwest reports a TLS or protocol failure only as text in its source chain, so
/// the kind is read from that text (rustls and hyper messages; checked by the hostile tests).
fn describe_reqwest(
    error: &reqwest::Error,
    when: &str,
    timeout: Duration,
) -> (TransportKind, String) {
    use std::error::Error as _;
    let mut chain = Vec::new();
    let mut source = error.source();
    while let Some(inner) = source {
        chain.push(inner.to_string());
        source = inner.source();
    }
    let text = chain.join(": ").to_lowercase();
    let detail = chain.last().map(|c| format!(" ({c})")).unwrap_or_default();
    let (kind, what) = if error.is_timeout() || text.contains("timed out") {
        (
            TransportKind::Timeout,
            format!(
                "sent no complete answer within the request timeout of {} s (--request-timeout)",
                timeout.as_secs_f64()
            ),
        )
    } else if text.contains("refused") {
        (
            TransportKind::Refused,
            "refused the connection (nothing listening?)".to_owned(),
        )
    } else if text.contains("tls")
        || text.contains("rustls")
        || text.contains("handshake")
        || text.contains("certificate")
        || text.contains("corrupt message")
    {
        (
            TransportKind::Tls,
            "failed the TLS handshake (is it serving plain HTTP? try http://)".to_owned(),
        )
    } else if text.contains("invalid http version")
        || text.contains("unexpected message")
        || text.contains("parse")
        || text.contains("invalid status")
        || text.contains("invalid header")
    {
        (
            TransportKind::NotHttp,
            "answered with bytes that are not HTTP (is it serving TLS? try https://)".to_owned(),
        )
    } else if text.contains("reset")
        || text.contains("closed")
        || text.contains("incomplete")
        || text.contains("broken pipe")
        || text.contains("unexpected eof")
        || error.is_body()
        || error.is_decode()
    {
        (TransportKind::Reset, format!("reset the connection {when}"))
    } else if error.is_connect() {
        (TransportKind::Other, "could not be connected to".to_owned())
    } else {
        (TransportKind::Other, format!("failed {when}"))
    };
    (kind, format!("{what}{detail}"))
}
