//! The hot-path scenarios and how each answer is judged, independent of the engine that
//! sends them (goose users in the closed model, the arrival scheduler in the open one).
//!
//! A `Walker` is one virtual user's position in its scenarios (the history cursor, the next
//! PAT read); `next` builds the next request and `judge` validates its answer — status, JSON
//! content type and shape, page order — so that a 200 with a wrong body is a failure.

use super::plan::CursorForm;
use crate::http::Secret;
use reqwest::Method;
use serde::Deserialize;
use serde::de::IgnoredAny;
use std::borrow::Cow;
use std::str::FromStr;
use std::time::Duration;

/// Page size of the history walk (endpoints.md §8.3 step 4).
pub const HISTORY_LIMIT: usize = 50;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ScenarioKind {
    /// Walks the seeded agency's history newest first, 50 per page, to the empty page.
    History,
    /// Exchanges the user's agent token for an agent session (`POST /api/auth/agent`).
    AgentAuth,
    /// Logs the user in with its password (`POST /api/auth/login`).
    Login,
    /// Reads the public agencies (`GET /api/explore/agencies`).
    Explore,
    /// Posts a message with the hook key (`POST /api/hooks/messages`).
    HookPost,
    /// Reads the profile and the agency list with the user's PAT.
    PatReads,
}

impl ScenarioKind {
    pub const ALL: [ScenarioKind; 6] = [
        ScenarioKind::History,
        ScenarioKind::AgentAuth,
        ScenarioKind::Login,
        ScenarioKind::Explore,
        ScenarioKind::HookPost,
        ScenarioKind::PatReads,
    ];

    pub fn name(self) -> &'static str {
        match self {
            ScenarioKind::History => "history",
            ScenarioKind::AgentAuth => "agent-auth",
            ScenarioKind::Login => "login",
            ScenarioKind::Explore => "explore",
            ScenarioKind::HookPost => "hook-post",
            ScenarioKind::PatReads => "pat-reads",
        }
    }

    /// The request names the scenario sends (threshold and report names).
    pub fn request_names(self) -> &'static [&'static str] {
        match self {
            ScenarioKind::History => &["history"],
            ScenarioKind::AgentAuth => &["agent-auth"],
            ScenarioKind::Login => &["login"],
            ScenarioKind::Explore => &["explore"],
            ScenarioKind::HookPost => &["hook-post"],
            ScenarioKind::PatReads => &["me", "agencies"],
        }
    }

    /// Endpoints of the spec's rate table (§25): 429 is an expected, separately counted
    /// outcome there, and against a target the harness did not start they need
    /// `--allow-rate-limit-probing`.
    pub fn rate_limited(self) -> bool {
        matches!(self, ScenarioKind::AgentAuth | ScenarioKind::Login)
    }
}

impl FromStr for ScenarioKind {
    type Err = String;
    fn from_str(name: &str) -> Result<Self, Self::Err> {
        ScenarioKind::ALL
            .into_iter()
            .find(|kind| kind.name() == name)
            .ok_or_else(|| {
                let known: Vec<_> = ScenarioKind::ALL.iter().map(|k| k.name()).collect();
                format!("unknown scenario `{name}` (known: {})", known.join(", "))
            })
    }
}

/// One virtual user's credentials, minted before the measured phase.
#[derive(Clone, Debug)]
pub struct VuIdentity {
    pub username: String,
    pub password: Secret,
    pub session: Secret,
    pub pat: Secret,
    pub agent_token: Secret,
}

/// What every virtual user shares: the seeded agency and its hook key.
#[derive(Clone, Debug)]
pub struct SharedTarget {
    pub agency_id: String,
    pub hook_key: Secret,
    pub cursor: CursorForm,
    pub run_id: String,
}

/// One request to send.
#[derive(Clone, Debug)]
pub struct Call {
    pub kind: ScenarioKind,
    /// The request name used in reports and thresholds.
    pub name: &'static str,
    pub method: Method,
    pub path: String,
    /// The spec's route template, for reconciliation with `http_requests_total`.
    pub template: &'static str,
    pub headers: Vec<(&'static str, String)>,
    pub body: Option<Vec<u8>>,
    /// The `before` cursor sent (history only).
    cursor: Option<String>,
    /// The content posted (hook-post only).
    content: Option<String>,
}

/// The parts of an answer that are judged.
#[derive(Clone, Copy, Debug)]
pub struct Reply<'a> {
    pub status: u16,
    pub content_type: Option<&'a str>,
    pub retry_after: Option<&'a str>,
    pub body: &'a [u8],
}

/// How one answer was judged.
#[derive(Clone, Debug, PartialEq)]
pub enum Judgement {
    Ok,
    /// 429 on a rate-table endpoint; the wait the answer asked for, if it said.
    RateLimited(Option<Duration>),
    Failed(String),
}

/// A virtual user's position in its scenarios.
#[derive(Debug, Default)]
pub struct Walker {
    cursor: Option<String>,
    pat_step: usize,
    posted: u64,
}

fn bearer(secret: &Secret) -> (&'static str, String) {
    ("authorization", format!("Bearer {}", secret.expose()))
}

fn json_body(value: serde_json::Value) -> Option<Vec<u8>> {
    Some(value.to_string().into_bytes())
}

impl Walker {
    /// The next request of `kind` for this user.
    pub fn next(&mut self, kind: ScenarioKind, vu: &VuIdentity, shared: &SharedTarget) -> Call {
        let mut call = Call {
            kind,
            name: kind.request_names()[0],
            method: Method::GET,
            path: String::new(),
            template: "",
            headers: Vec::new(),
            body: None,
            cursor: None,
            content: None,
        };
        match kind {
            ScenarioKind::History => {
                call.path = format!(
                    "/api/agencies/{}/messages?limit={HISTORY_LIMIT}",
                    shared.agency_id
                );
                if let Some(cursor) = &self.cursor {
                    let encoded: String =
                        url::form_urlencoded::byte_serialize(cursor.as_bytes()).collect();
                    call.path.push_str(&format!("&before={encoded}"));
                }
                call.template = "/api/agencies/:id/messages";
                call.headers.push(bearer(&vu.session));
                call.cursor = self.cursor.clone();
            }
            ScenarioKind::AgentAuth => {
                call.method = Method::POST;
                call.path = "/api/auth/agent".into();
                call.template = "/api/auth/agent";
                call.body = json_body(serde_json::json!({"agentToken": vu.agent_token.expose()}));
            }
            ScenarioKind::Login => {
                call.method = Method::POST;
                call.path = "/api/auth/login".into();
                call.template = "/api/auth/login";
                call.body = json_body(serde_json::json!({
                    "username": vu.username, "password": vu.password.expose()
                }));
            }
            ScenarioKind::Explore => {
                call.path = "/api/explore/agencies?limit=20".into();
                call.template = "/api/explore/agencies";
                call.headers.push(bearer(&vu.session));
            }
            ScenarioKind::HookPost => {
                self.posted += 1;
                let content = format!("tg_{} load message {}", shared.run_id, self.posted);
                call.method = Method::POST;
                call.path = "/api/hooks/messages".into();
                call.template = "/api/hooks/messages";
                call.headers
                    .push(("x-crustocean-hook-key", shared.hook_key.expose().to_owned()));
                call.body = json_body(serde_json::json!({
                    "agencyId": shared.agency_id, "content": content
                }));
                call.content = Some(content);
            }
            ScenarioKind::PatReads => {
                let reads_profile = self.pat_step.is_multiple_of(2);
                self.pat_step += 1;
                call.name = if reads_profile { "me" } else { "agencies" };
                call.path = if reads_profile {
                    "/api/auth/me"
                } else {
                    "/api/agencies"
                }
                .into();
                call.template = if reads_profile {
                    "/api/auth/me"
                } else {
                    "/api/agencies"
                };
                call.headers.push(bearer(&vu.pat));
            }
        }
        if call.body.is_some() {
            call.headers
                .push(("content-type", "application/json".to_owned()));
        }
        call
    }

    /// Judges an answer to `call` and moves the walk on. Returns the judgement and whether
    /// the scenario's iteration is complete (the history walk reached its empty page).
    pub fn judge(
        &mut self,
        call: &Call,
        reply: &Reply,
        vu: &VuIdentity,
        shared: &SharedTarget,
    ) -> (Judgement, bool) {
        let Reply {
            status,
            content_type,
            retry_after,
            body,
        } = *reply;
        if status == 429 && call.kind.rate_limited() {
            let wait = retry_after
                .and_then(|v| v.trim().parse::<u64>().ok())
                .map(Duration::from_secs);
            return (Judgement::RateLimited(wait), true);
        }
        let verdict = check_answer(call, status, content_type, body, vu, shared);
        let done = match (&verdict, call.kind) {
            (Ok(Some(next)), ScenarioKind::History) => {
                self.cursor = Some(next.clone());
                false
            }
            (_, ScenarioKind::History) => {
                self.cursor = None;
                true
            }
            (_, ScenarioKind::PatReads) => self.pat_step.is_multiple_of(2),
            _ => true,
        };
        let judgement = match verdict {
            Ok(_) => Judgement::Ok,
            Err(why) => Judgement::Failed(format!("{} {}: {why}", call.method, call.template)),
        };
        (judgement, done)
    }

    /// Forgets the history position (after a transport error, the walk starts over).
    pub fn restart(&mut self) {
        self.cursor = None;
    }
}

/// A message as the history and hook endpoints return it; only the fields judged are kept,
/// borrowed where the JSON allows, everything else skipped without allocation.
#[derive(Deserialize)]
struct Message<'a> {
    #[serde(borrow)]
    id: Cow<'a, str>,
    #[serde(borrow)]
    content: Cow<'a, str>,
    #[serde(rename = "createdAt", borrow, default)]
    created_at_camel: Option<Cow<'a, str>>,
    #[serde(rename = "created_at", borrow, default)]
    created_at_snake: Option<Cow<'a, str>>,
    #[serde(rename = "agencyId", borrow, default)]
    agency_id_camel: Option<Cow<'a, str>>,
    #[serde(rename = "agency_id", borrow, default)]
    agency_id_snake: Option<Cow<'a, str>>,
}

/// An RFC 3339 timestamp as nanoseconds since the epoch, for ordering. The canonical UTC
/// form with milliseconds (`2025-02-27T12:35:00.000Z`, what JavaScript's `toISOString` and the
/// reference server send) is read digit by digit: chrono's general parser (any offset, any
/// fraction) cost a third of the validation of a 50-message page. Every other form goes
/// through chrono.
fn instant(text: &str) -> Result<i64, String> {
    let canonical = || -> Option<i64> {
        let b = text.as_bytes();
        let shape_ok = b.len() == 24
            && b[4] == b'-'
            && b[7] == b'-'
            && b[10] == b'T'
            && b[13] == b':'
            && b[16] == b':'
            && b[19] == b'.'
            && b[23] == b'Z';
        if !shape_ok {
            return None;
        }
        let number = |range: std::ops::Range<usize>| -> Option<u32> {
            b[range].iter().try_fold(0u32, |n, d| {
                d.is_ascii_digit().then(|| n * 10 + u32::from(d - b'0'))
            })
        };
        let date = chrono::NaiveDate::from_ymd_opt(
            i32::try_from(number(0..4)?).ok()?,
            number(5..7)?,
            number(8..10)?,
        )?;
        let time = date.and_hms_milli_opt(
            number(11..13)?,
            number(14..16)?,
            number(17..19)?,
            number(20..23)?,
        )?;
        time.and_utc().timestamp_nanos_opt()
    };
    if let Some(nanos) = canonical() {
        return Ok(nanos);
    }
    chrono::DateTime::parse_from_rfc3339(text)
        .map_err(|e| format!("{text:?} is not RFC 3339: {e}"))?
        .timestamp_nanos_opt()
        .ok_or_else(|| format!("{text:?} is out of range"))
}

impl Message<'_> {
    fn created_at(&self) -> Result<i64, String> {
        let text = one_spelling(
            "createdAt / created_at",
            self.created_at_camel.as_deref(),
            self.created_at_snake.as_deref(),
        )?;
        instant(text).map_err(|e| format!("createdAt {e}"))
    }

    fn agency(&self) -> Result<&str, String> {
        one_spelling(
            "agencyId / agency_id",
            self.agency_id_camel.as_deref(),
            self.agency_id_snake.as_deref(),
        )
    }
}

/// endpoints.md §1.5: at least one spelling, and equal if both are present.
fn one_spelling<'a>(
    what: &str,
    camel: Option<&'a str>,
    snake: Option<&'a str>,
) -> Result<&'a str, String> {
    match (camel, snake) {
        (Some(a), Some(b)) if a != b => Err(format!("{what} disagree ({a:?} vs {b:?})")),
        (Some(a), _) | (None, Some(a)) => Ok(a),
        (None, None) => Err(format!("{what} missing")),
    }
}

#[derive(Deserialize)]
struct Wrapped<T> {
    messages: Option<T>,
    agencies: Option<T>,
}

/// A list sent bare or in its wrapper object (endpoints.md §1.5).
fn list<'a, T: Deserialize<'a>>(body: &'a [u8], wrapper: &str) -> Result<Vec<T>, String> {
    let first = body.iter().find(|b| !b.is_ascii_whitespace());
    let parsed = match first {
        Some(b'[') => serde_json::from_slice::<Vec<T>>(body).map_err(|e| e.to_string())?,
        Some(b'{') => {
            let wrapped: Wrapped<Vec<T>> =
                serde_json::from_slice(body).map_err(|e| e.to_string())?;
            let inner = if wrapper == "messages" {
                wrapped.messages
            } else {
                wrapped.agencies
            };
            inner.ok_or_else(|| format!("object without a `{wrapper}` list"))?
        }
        _ => return Err("the body is not a JSON list".into()),
    };
    Ok(parsed)
}

#[derive(Deserialize)]
struct SessionAnswer<'a> {
    #[serde(borrow)]
    token: Cow<'a, str>,
    #[serde(borrow)]
    user: UserRef<'a>,
}

#[derive(Deserialize)]
struct UserRef<'a> {
    #[serde(borrow)]
    id: Cow<'a, str>,
    #[serde(borrow)]
    username: Cow<'a, str>,
}

#[derive(Deserialize)]
struct AgencyItem<'a> {
    #[serde(borrow)]
    id: Cow<'a, str>,
    #[serde(rename = "name")]
    _name: IgnoredAny,
}

fn expect_status(call: &Call, status: u16) -> Result<(), String> {
    let allowed: &[u16] = match call.kind {
        // endpoints.md §1.4: a hook message is an "other create": 200 or 201.
        ScenarioKind::HookPost => &[200, 201],
        _ => &[200],
    };
    if allowed.contains(&status) {
        Ok(())
    } else {
        Err(format!("status {status}, expected {allowed:?}"))
    }
}

/// Validates one answer; for a history page, returns the cursor of the next page (`None`
/// once the walk reached its empty page).
fn check_answer(
    call: &Call,
    status: u16,
    content_type: Option<&str>,
    body: &[u8],
    vu: &VuIdentity,
    shared: &SharedTarget,
) -> Result<Option<String>, String> {
    expect_status(call, status)?;
    match content_type {
        Some(ct)
            if ct
                .trim_start()
                .to_ascii_lowercase()
                .starts_with("application/json") => {}
        other => return Err(format!("Content-Type {other:?}, expected application/json")),
    }
    match call.kind {
        ScenarioKind::History => check_page(call, body, shared),
        ScenarioKind::AgentAuth | ScenarioKind::Login => {
            let answer: SessionAnswer =
                serde_json::from_slice(body).map_err(|e| format!("not a session answer: {e}"))?;
            if answer.token.is_empty() || answer.user.id.is_empty() {
                return Err("empty token or user id".into());
            }
            if call.kind == ScenarioKind::Login && answer.user.username != vu.username {
                return Err(format!(
                    "logged in as {:?}, expected {:?}",
                    answer.user.username, vu.username
                ));
            }
            Ok(None)
        }
        ScenarioKind::Explore => check_agency_list(body, None),
        ScenarioKind::PatReads if call.name == "agencies" => {
            check_agency_list(body, Some(&shared.agency_id))
        }
        ScenarioKind::PatReads => {
            let user: UserRef =
                serde_json::from_slice(body).map_err(|e| format!("not a User: {e}"))?;
            if user.username != vu.username {
                return Err(format!(
                    "profile of {:?}, expected {:?}",
                    user.username, vu.username
                ));
            }
            Ok(None)
        }
        ScenarioKind::HookPost => {
            let message: Message =
                serde_json::from_slice(body).map_err(|e| format!("not a Message: {e}"))?;
            if Some(message.content.as_ref()) != call.content.as_deref() {
                return Err("the stored content differs from the content posted".into());
            }
            if message.agency()? != shared.agency_id || message.id.is_empty() {
                return Err("the message names another agency or has no id".into());
            }
            Ok(None)
        }
    }
}

/// An agency list (bare or wrapped); `member_of`: an agency that must be in it.
fn check_agency_list(body: &[u8], member_of: Option<&str>) -> Result<Option<String>, String> {
    let items: Vec<AgencyItem> = list(body, "agencies")?;
    if items.iter().any(|a| a.id.is_empty()) {
        return Err("an agency without an id".into());
    }
    if let Some(agency) = member_of
        && !items.iter().any(|a| a.id == agency)
    {
        return Err("the seeded agency is missing from the member's list".into());
    }
    Ok(None)
}

/// A history page: at most `limit` items, all of the agency, newest first, all older than
/// the cursor. Returns the next cursor in the plan's form.
fn check_page(call: &Call, body: &[u8], shared: &SharedTarget) -> Result<Option<String>, String> {
    let page: Vec<Message> = list(body, "messages")?;
    if page.len() > HISTORY_LIMIT {
        return Err(format!(
            "{} items on a page of limit {HISTORY_LIMIT}",
            page.len()
        ));
    }
    let bound = match (&call.cursor, shared.cursor) {
        (Some(cursor), CursorForm::Timestamp) => {
            Some(instant(cursor).map_err(|e| format!("cursor {e}"))?)
        }
        _ => None,
    };
    let mut previous = bound;
    for message in &page {
        if message.agency()? != shared.agency_id {
            return Err("a message of another agency".into());
        }
        let created = message.created_at()?;
        if let Some(before) = previous
            && created >= before
        {
            return Err(format!(
                "message {} is not older than the one before it or the cursor",
                message.id
            ));
        }
        previous = Some(created);
    }
    Ok(page.last().map(|last| match shared.cursor {
        CursorForm::Timestamp => last
            .created_at_camel
            .as_deref()
            .or(last.created_at_snake.as_deref())
            .unwrap_or_default()
            .to_owned(),
        CursorForm::Id => last.id.clone().into_owned(),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixtures() -> (VuIdentity, SharedTarget) {
        let vu = VuIdentity {
            username: "tg_x_1".into(),
            password: Secret::new("pw"),
            session: Secret::new("sess"),
            pat: Secret::new("pat"),
            agent_token: Secret::new("sk_agent"),
        };
        let shared = SharedTarget {
            agency_id: "A".into(),
            hook_key: Secret::new("hk"),
            cursor: CursorForm::Timestamp,
            run_id: "x".into(),
        };
        (vu, shared)
    }

    fn message(id: &str, at: &str) -> String {
        format!(
            r#"{{"id":"{id}","content":"c","agencyId":"A","agency_id":"A","createdAt":"{at}","created_at":"{at}","metadata":{{}}}}"#
        )
    }

    const JSON: Option<&str> = Some("application/json; charset=utf-8");

    fn reply<'a>(
        status: u16,
        content_type: Option<&'a str>,
        retry_after: Option<&'a str>,
        body: &'a [u8],
    ) -> Reply<'a> {
        Reply {
            status,
            content_type,
            retry_after,
            body,
        }
    }

    #[test]
    fn a_history_walk_follows_the_cursor_to_the_empty_page() {
        let (vu, shared) = fixtures();
        let mut walker = Walker::default();
        let first = walker.next(ScenarioKind::History, &vu, &shared);
        assert!(!first.path.contains("before"));
        let page = format!(
            "[{},{}]",
            message("2", "2025-01-01T00:00:02.000Z"),
            message("1", "2025-01-01T00:00:01.000Z")
        );
        let (judgement, done) = walker.judge(
            &first,
            &reply(200, JSON, None, page.as_bytes()),
            &vu,
            &shared,
        );
        assert_eq!((judgement, done), (Judgement::Ok, false));
        let second = walker.next(ScenarioKind::History, &vu, &shared);
        assert!(
            second.path.ends_with("before=2025-01-01T00%3A00%3A01.000Z"),
            "{}",
            second.path
        );
        let (judgement, done) = walker.judge(&second, &reply(200, JSON, None, b"[]"), &vu, &shared);
        assert_eq!((judgement, done), (Judgement::Ok, true));
        assert!(
            !walker
                .next(ScenarioKind::History, &vu, &shared)
                .path
                .contains("before")
        );
    }

    #[test]
    fn a_200_with_a_wrong_body_is_a_failure() {
        let (vu, shared) = fixtures();
        let cases: Vec<(&str, String)> = vec![
            ("not older", format!(
                "[{},{}]",
                message("1", "2025-01-01T00:00:01.000Z"),
                message("2", "2025-01-01T00:00:02.000Z")
            )),
            ("content", r#"[{"id":"1","text":"renamed","agencyId":"A","createdAt":"2025-01-01T00:00:01.000Z"}]"#.into()),
            ("disagree", r#"[{"id":"1","content":"c","agencyId":"A","createdAt":"2025-01-01T00:00:01.000Z","created_at":"2025-01-01T00:00:02.000Z"}]"#.into()),
            ("not a JSON list", "<html>oops</html>".into()),
            ("EOF", "[{\"id\":".into()),
        ];
        for (why, body) in cases {
            let mut walker = Walker::default();
            let call = walker.next(ScenarioKind::History, &vu, &shared);
            let (judgement, _) = walker.judge(
                &call,
                &reply(200, JSON, None, body.as_bytes()),
                &vu,
                &shared,
            );
            match judgement {
                Judgement::Failed(message) => assert!(message.contains(why), "{why}: {message}"),
                other => panic!("{why}: judged {other:?}"),
            }
        }
        let mut walker = Walker::default();
        let call = walker.next(ScenarioKind::History, &vu, &shared);
        let (judgement, _) = walker.judge(
            &call,
            &reply(200, Some("text/html"), None, b"[]"),
            &vu,
            &shared,
        );
        assert!(matches!(judgement, Judgement::Failed(m) if m.contains("Content-Type")));
    }

    #[test]
    fn rate_limits_are_expected_on_the_rate_table_only() {
        let (vu, shared) = fixtures();
        let mut walker = Walker::default();
        let login = walker.next(ScenarioKind::Login, &vu, &shared);
        let (judgement, _) =
            walker.judge(&login, &reply(429, JSON, Some("7"), b"{}"), &vu, &shared);
        assert_eq!(
            judgement,
            Judgement::RateLimited(Some(Duration::from_secs(7)))
        );
        let explore = walker.next(ScenarioKind::Explore, &vu, &shared);
        let (judgement, _) =
            walker.judge(&explore, &reply(429, JSON, Some("7"), b"{}"), &vu, &shared);
        assert!(matches!(judgement, Judgement::Failed(_)));
    }

    #[test]
    fn timestamps_order_the_same_in_every_rfc_3339_form() {
        let canonical = instant("2025-02-27T12:35:00.123Z").unwrap();
        assert_eq!(canonical, instant("2025-02-27T13:35:00.123+01:00").unwrap());
        assert_eq!(canonical, instant("2025-02-27T12:35:00.123000Z").unwrap());
        assert!(instant("2025-02-27T12:35:00.124Z").unwrap() > canonical);
        assert!(instant("2025-13-27T12:35:00.123Z").is_err());
        assert!(instant("2025-02-27 12:35").is_err());
    }

    #[test]
    fn pat_reads_alternate_profile_and_agency_list() {
        let (vu, shared) = fixtures();
        let mut walker = Walker::default();
        let me = walker.next(ScenarioKind::PatReads, &vu, &shared);
        assert_eq!((me.name, me.path.as_str()), ("me", "/api/auth/me"));
        let body = br#"{"id":"u","username":"tg_x_1"}"#;
        assert_eq!(
            walker.judge(&me, &reply(200, JSON, None, body), &vu, &shared),
            (Judgement::Ok, false)
        );
        let list = walker.next(ScenarioKind::PatReads, &vu, &shared);
        assert_eq!(list.name, "agencies");
        let body = br#"[{"id":"L","name":"Lobby"},{"id":"A","name":"x"}]"#;
        assert_eq!(
            walker.judge(&list, &reply(200, JSON, None, body), &vu, &shared),
            (Judgement::Ok, true)
        );
    }
}
