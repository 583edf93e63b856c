//! `ApiWorld`: the state of one scenario — the target it talks to, the credential in use,
//! values captured from answers, the last exchange — and the helpers every step uses:
//! placeholder expansion, sending a request (recording coverage and created objects), and
//! weighing a check by evidence level (`check`).

use super::context::{Hit, Profile, Records, Target};
use crate::http::{Auth, Exchange, RequestBody, Secret};
use crate::spec;
use serde_json::Value;
use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

/// The rows of the rate table of endpoints.md §25 (register, login, agent exchange,
/// bootstrap, agent self-registration).
const RATE_TABLE_ROWS: [u32; 5] = [1, 2, 4, 12, 36];

/// A failed step: the message shown in reports (already redacted).
pub type StepResult = Result<(), String>;

#[derive(cucumber::World, Default)]
pub struct ApiWorld {
    pub records: Option<Arc<Records>>,
    pub target: Option<Arc<Target>>,
    pub auth: Auth,
    /// The credential kind in use, as coverage counts it (`pat`, `session`, ..., `none`).
    pub auth_label: String,
    /// The bearer token or cookie value in use (objects created with it are deleted with it).
    pub caller: Option<Secret>,
    pub extra_headers: Vec<(String, String)>,
    pub vars: HashMap<String, String>,
    pub last: Option<Exchange>,
    /// The list of the last answer (bare array or wrapper), for `each item` steps.
    pub list: Option<Vec<Value>>,
    /// Assumptions not met in this scenario.
    pub warnings: Vec<String>,
    /// Why the scenario cannot run here (set by the before hook; the first step reports it).
    pub not_run: Option<String>,
    pub metrics_baseline: Option<super::metrics_steps::Baseline>,
    /// 429 answers received in this scenario.
    pub rate_limited: u32,
    /// The scenario's tags (feature, rule and scenario), without `@`.
    pub tags: Vec<String>,
    /// `feature:line` of the scenario (coverage ties its requests to its outcome).
    pub scenario_key: String,
    /// When the scenario's time is up (`--scenario-timeout`), and that timeout, for the
    /// message: a request still running then is cut and the step fails.
    pub deadline: Option<(tokio::time::Instant, std::time::Duration)>,
}

// Debug is what cucumber's writers print for a failed scenario: it shows nothing secret.
impl fmt::Debug for ApiWorld {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ApiWorld")
            .field("credential", &self.auth_label)
            .field("captured", &self.vars.keys().collect::<Vec<_>>())
            .field("last_status", &self.last.as_ref().map(|e| e.status))
            .finish()
    }
}

impl ApiWorld {
    pub fn records(&self) -> &Arc<Records> {
        self.records
            .as_ref()
            .expect("the before hook binds every scenario to the run")
    }

    pub fn target(&self) -> &Arc<Target> {
        self.target
            .as_ref()
            .expect("the before hook binds every scenario to a target")
    }

    pub fn last(&self) -> Result<&Exchange, String> {
        self.last
            .as_ref()
            .ok_or_else(|| "no request has been sent in this scenario yet".to_owned())
    }

    pub fn strict(&self) -> bool {
        self.records().profile == Profile::Strict
    }

    /// Weighs a check: passes, records an assumption not met (ASSUMED, default profile), or
    /// fails with the message and the last exchange.
    pub fn check(&mut self, ok: bool, assumed: bool, message: impl Into<String>) -> StepResult {
        if ok {
            return Ok(());
        }
        let mut message = message.into();
        if let Some(last) = &self.last {
            message = format!("{message}\n{}", last.describe());
        }
        let message = self.records().redactor.redact(&message);
        if assumed && !self.strict() {
            self.warnings.push(message);
            return Ok(());
        }
        Err(message)
    }

    /// Replaces `{name}` placeholders with captured values and identity fields.
    pub fn expand(&mut self, text: &str) -> Result<String, String> {
        let mut out = String::with_capacity(text.len());
        let mut rest = text;
        while let Some(start) = rest.find('{') {
            let end = rest[start..].find('}').map(|e| start + e);
            let name = end.map(|e| &rest[start + 1..e]).unwrap_or_default();
            let is_name = !name.is_empty()
                && name
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.' || c == ':');
            match (end, is_name) {
                (Some(end), true) => {
                    out.push_str(&rest[..start]);
                    out.push_str(&self.placeholder(name)?);
                    rest = &rest[end + 1..];
                }
                _ => {
                    out.push_str(&rest[..=start]);
                    rest = &rest[start + 1..];
                }
            }
        }
        out.push_str(rest);
        Ok(out)
    }

    fn placeholder(&mut self, name: &str) -> Result<String, String> {
        if let Some(value) = self.vars.get(name) {
            return Ok(value.clone());
        }
        // `{unique:x}` and `{agent_name:x}`: a fresh name, the same for every use of `x`.
        let fresh = if name.starts_with("unique:") {
            Some(self.records().unique_name())
        } else if name.starts_with("agent_name:") {
            Some(self.records().unique_agent_name())
        } else if let Some(label) = name.strip_prefix("sink:") {
            let base = match &self.target().sink {
                Some(sink) => sink.base_url.clone(),
                None => return Err("this scenario needs the harness's sink, which this target cannot reach (--sink-url)".into()),
            };
            Some(format!("{base}/{}/{label}", self.records().unique_name()))
        } else {
            None
        };
        if let Some(value) = fresh {
            self.vars.insert(name.to_owned(), value.clone());
            return Ok(value);
        }
        let target = Arc::clone(self.target());
        let ids = &target.ids;
        let value = match name {
            "run" => self.records().run_id.clone(),
            "owner.id" => ids.owner.id.clone(),
            "owner.username" => ids.owner.username.clone(),
            "owner.password" => ids.owner.password.expose().to_owned(),
            "other.id" => ids.other.id.clone(),
            "other.password" => ids.other.password.expose().to_owned(),
            "other.username" => ids.other.username.clone(),
            "agency.id" => ids.agency_id.clone(),
            "agency.slug" => ids.agency_slug.clone(),
            "agent.id" => ids.agent.id.clone(),
            "agent.username" => ids.agent.username.clone(),
            "hook.id" => ids.hook.id.clone(),
            "hook.command_id" => ids.hook.command_id.clone(),
            "hook.url" => ids.hook.url.clone(),
            "random_uuid" => uuid::Uuid::new_v4().to_string(),
            "claim_email" => match &self.records().safety.claim_email {
                Some(address) => address.clone(),
                None if target.embedded => "claims@example.com".to_owned(),
                None => return Err("{claim_email} needs --claim-email <address>".into()),
            },
            other => {
                return Err(format!(
                    "unknown placeholder {{{other}}} (captured so far: {:?})",
                    self.vars.keys().collect::<Vec<_>>()
                ));
            }
        };
        Ok(value)
    }

    /// Runs one request of the scenario, cut at the scenario's deadline.
    pub async fn within_deadline<T>(
        &self,
        request: impl std::future::Future<Output = Result<T, crate::http::TransportError>>,
    ) -> Result<T, String> {
        let Some((deadline, timeout)) = self.deadline else {
            return request.await.map_err(|e| e.to_string());
        };
        match tokio::time::timeout_at(deadline, request).await {
            Ok(answer) => answer.map_err(|e| e.to_string()),
            Err(_) => Err(format!(
                "the scenario exceeded --scenario-timeout ({} s); its request was cut",
                timeout.as_secs_f64()
            )),
        }
    }

    /// Sends a request with the current credential; records coverage and created objects.
    pub async fn send(
        &mut self,
        method: &str,
        path: &str,
        body: Option<RequestBody>,
    ) -> StepResult {
        let path = self.expand(path)?;
        let body = match body {
            Some(RequestBody::Json(value)) => Some(RequestBody::Json(self.expand_json(value)?)),
            Some(RequestBody::Raw(text)) => Some(RequestBody::Raw(self.expand(&text)?)),
            None => None,
        };
        let target = Arc::clone(self.target());
        let records = Arc::clone(self.records());
        let mut exchange = self
            .within_deadline(target.client.send(
                method,
                &path,
                &self.auth,
                body.as_ref(),
                &self.extra_headers,
            ))
            .await?;
        if let Some(wait) = self.rate_limit_wait(method, &path, &exchange)? {
            tokio::time::sleep(wait).await;
            exchange = self
                .within_deadline(target.client.send(
                    method,
                    &path,
                    &self.auth,
                    body.as_ref(),
                    &self.extra_headers,
                ))
                .await?;
        }
        match spec::find(method, &path) {
            Some(endpoint) => {
                let credential = if self.auth_label.is_empty() {
                    "none".into()
                } else {
                    self.auth_label.clone()
                };
                records.hits.lock().push(Hit {
                    row: endpoint.row,
                    scenario: self.scenario_key.clone(),
                    credential,
                    status: exchange.status,
                });
                if !target.fresh {
                    target.ledger.record_answer(
                        endpoint.row,
                        &path,
                        self.caller.as_ref(),
                        &exchange,
                    );
                }
            }
            // A CORS preflight goes to a spec path with a method the table does not list.
            None if method == "OPTIONS" && spec::path_is_known(&path) => {}
            None if !path.starts_with("/__reference/") => {
                records
                    .unknown_paths
                    .lock()
                    .push(format!("{method} {}", records.redactor.redact(&path)));
            }
            None => {}
        }
        // A 429 of the rate table is a rate limit; others (the pending-claim cap) are outcomes.
        let rate_table =
            spec::find(method, &path).is_some_and(|e| RATE_TABLE_ROWS.contains(&e.row));
        if exchange.status == 429 && rate_table {
            self.rate_limited += 1;
        }
        self.list = None;
        self.last = Some(exchange);
        self.check_json_content_type()
    }

    /// Bodies under /api are JSON with `Content-Type: application/json` (endpoints.md §1.1,
    /// DOC): a JSON body served under another type is a failure of every request that sees it.
    fn check_json_content_type(&mut self) -> StepResult {
        let Some(last) = &self.last else {
            return Ok(());
        };
        let json_body = last.json.is_object() || last.json.is_array();
        let content_type = last
            .header("content-type")
            .unwrap_or_default()
            .to_ascii_lowercase();
        let ok = !json_body
            || !last.path.starts_with("/api/")
            || content_type.starts_with("application/json");
        let message =
            format!("a JSON answer must have Content-Type application/json, got {content_type:?}");
        self.check(ok, false, message)
    }

    /// The wait-and-retry rule of endpoints.md §25: a 429 from an endpoint of the rate table,
    /// in a scenario that did not ask for one (`@rate-limit`), is retried once after its
    /// `Retry-After` (delta-seconds or an HTTP-date); past 60 s the scenario is not run.
    fn rate_limit_wait(
        &mut self,
        method: &str,
        path: &str,
        exchange: &Exchange,
    ) -> Result<Option<std::time::Duration>, String> {
        let limited_row =
            spec::find(method, path).is_some_and(|e| RATE_TABLE_ROWS.contains(&e.row));
        if exchange.status != 429 || !limited_row || self.tags.iter().any(|t| t == "rate-limit") {
            return Ok(None);
        }
        let header = exchange
            .header("retry-after")
            .unwrap_or_default()
            .trim()
            .to_owned();
        let seconds = header.parse::<f64>().ok().or_else(|| {
            let at = chrono::DateTime::parse_from_rfc2822(&header).ok()?;
            Some((at.timestamp_millis() - chrono::Utc::now().timestamp_millis()) as f64 / 1000.0)
        });
        match seconds {
            Some(s) if s <= 60.0 => Ok(Some(std::time::Duration::from_secs_f64(s.max(0.0)))),
            _ => {
                let reason =
                    format!("rate limited by {method} {path} (Retry-After {header:?}): not run");
                self.not_run = Some(reason.clone());
                Err(reason)
            }
        }
    }

    /// Expands placeholders inside every string of a JSON value.
    pub fn expand_json(&mut self, value: Value) -> Result<Value, String> {
        Ok(match value {
            Value::String(text) => Value::String(self.expand(&text)?),
            Value::Array(items) => Value::Array(
                items
                    .into_iter()
                    .map(|v| self.expand_json(v))
                    .collect::<Result<_, _>>()?,
            ),
            Value::Object(map) => Value::Object(
                map.into_iter()
                    .map(|(k, v)| Ok((k, self.expand_json(v)?)))
                    .collect::<Result<_, String>>()?,
            ),
            other => other,
        })
    }

    /// Uses `auth` for the next requests, labelled `label` in coverage.
    pub fn use_credential(&mut self, label: &str, auth: Auth, caller: Option<Secret>) {
        self.auth = auth;
        self.auth_label = label.to_owned();
        self.caller = caller;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::TransportError;
    use std::time::Duration;

    #[tokio::test]
    async fn a_request_past_the_scenario_deadline_is_cut_and_fails_the_step() {
        let timeout = Duration::from_millis(50);
        let world = ApiWorld {
            deadline: Some((tokio::time::Instant::now() + timeout, timeout)),
            ..ApiWorld::default()
        };
        let never = std::future::pending::<Result<(), TransportError>>();
        let cut = tokio::time::timeout(Duration::from_secs(10), world.within_deadline(never))
            .await
            .expect("the deadline cuts the request");
        let message = cut.expect_err("a cut request fails the step");
        assert!(message.contains("--scenario-timeout"), "{message}");
        let unbounded = ApiWorld::default();
        let answered = unbounded
            .within_deadline(async { Ok::<_, TransportError>(7) })
            .await;
        assert_eq!(answered, Ok(7));
    }
}
