//! The identities a run provisions once and reuses across scenarios (credentials.md §4): two
//! human users (session, cookie, PAT each), an agency the first one owns, a verified agent in
//! it (raw token and agent session) and a hook key for that agency. Registrations and logins
//! are the scarce resource (10 per minute per IP): provisioning spends two registrations, or
//! two logins when the accounts come pre-provisioned through the environment.

use super::context::Records;
use super::ledger::{Created, Ledger};
use crate::http::{ApiClient, Auth, RequestBody, Secret};
use anyhow::{Context, bail};
use serde_json::{Value, json};

#[derive(Clone, Debug)]
pub struct Person {
    pub id: String,
    pub username: String,
    pub password: Secret,
    pub session: Secret,
    pub pat: Secret,
}

#[derive(Clone, Debug)]
pub struct AgentIdentity {
    pub id: String,
    pub username: String,
    /// The raw agent token (`T`).
    pub token: Secret,
    /// The agent session (`A`).
    pub session: Secret,
}

#[derive(Clone, Debug)]
pub struct HookIdentity {
    pub id: String,
    pub key: Secret,
    pub command_id: String,
    pub url: String,
}

#[derive(Clone, Debug)]
pub struct Identities {
    pub owner: Person,
    pub other: Person,
    pub agency_id: String,
    pub agency_slug: String,
    pub agent: AgentIdentity,
    pub hook: HookIdentity,
}

/// Pre-provisioned accounts for targets whose registration is closed: `TIDEGAUGE_OWNER_USERNAME`
/// / `TIDEGAUGE_OWNER_PASSWORD` and `TIDEGAUGE_OTHER_USERNAME` / `TIDEGAUGE_OTHER_PASSWORD`.
#[derive(Clone, Debug, Default)]
pub struct Preprovisioned {
    pub owner: Option<(String, Secret)>,
    pub other: Option<(String, Secret)>,
}

impl Preprovisioned {
    pub fn from_env(env: &dyn Fn(&str) -> Option<String>) -> Self {
        let pair = |who: &str| {
            let username = env(&format!("TIDEGAUGE_{who}_USERNAME"))?;
            let password = env(&format!("TIDEGAUGE_{who}_PASSWORD"))?;
            Some((username, Secret::new(password)))
        };
        Preprovisioned {
            owner: pair("OWNER"),
            other: pair("OTHER"),
        }
    }
}

/// POSTs JSON and requires a 2xx answer, whose JSON it returns.
pub async fn post(
    client: &ApiClient,
    path: &str,
    auth: &Auth,
    body: Value,
) -> anyhow::Result<Value> {
    let exchange = client
        .send("POST", path, auth, Some(&RequestBody::Json(body)), &[])
        .await
        .map_err(anyhow::Error::new)?;
    if !(200..300).contains(&exchange.status) {
        bail!(
            "POST {path} answered {}{} while provisioning test identities: {}",
            exchange.status,
            redirect_note(&exchange),
            excerpt(&exchange.body)
        );
    }
    if let Err(error) = serde_json::from_str::<Value>(&exchange.body) {
        bail!(
            "POST {path} answered {} with a body that is not JSON ({error}): {}",
            exchange.status,
            excerpt(&exchange.body)
        );
    }
    Ok(exchange.json)
}

/// " (a redirect to X, not followed)" for a 3xx answer: the harness never follows redirects.
fn redirect_note(exchange: &crate::http::Exchange) -> String {
    match (exchange.status, exchange.header("location")) {
        (300..=399, Some(location)) => format!(" (a redirect to {location}, not followed)"),
        (300..=399, None) => " (a redirect, not followed)".into(),
        _ => String::new(),
    }
}

/// The start of a body, on one line, for a one-line cause.
fn excerpt(body: &str) -> String {
    const MAX: usize = 120;
    let flat: String = body
        .chars()
        .take(MAX)
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    if body.chars().nth(MAX).is_some() {
        format!("{flat}… ({} bytes)", body.len())
    } else {
        flat
    }
}

/// A string field of an answer, or an error naming what is missing.
pub fn field(value: &Value, pointer: &str, what: &str) -> anyhow::Result<String> {
    value
        .pointer(pointer)
        .and_then(Value::as_str)
        .map(str::to_owned)
        .with_context(|| format!("the answer has no {what} ({pointer})"))
}

pub async fn person(
    client: &ApiClient,
    records: &Records,
    ledger: &Ledger,
    role: &str,
    given: Option<&(String, Secret)>,
) -> anyhow::Result<Person> {
    let (answer, password) = match given {
        Some((username, password)) => {
            let body = json!({"username": username, "password": password.expose()});
            let answer = post(client, "/api/auth/login", &Auth::None, body)
                .await
                .with_context(|| format!("logging in the {role} user"))?;
            (answer, password.clone())
        }
        None => {
            let username = format!("tg_{}_{role}", records.run_id);
            let password = Secret::new(crate::server::secrets::random_hex(16));
            records.redactor.add_secret(&password);
            let body = json!({"username": username, "password": password.expose(), "displayName": format!("tidegauge {role}")});
            let answer = post(client, "/api/auth/register", &Auth::None, body)
                .await
                .with_context(|| format!("registering the {role} user"))?;
            (answer, password)
        }
    };
    let session = Secret::new(field(&answer, "/token", "session token")?);
    records.redactor.add_secret(&session);
    let id = field(&answer, "/user/id", "user id")?;
    let username = field(&answer, "/user/username", "username")?;
    if given.is_none() {
        ledger.record(Created::Account {
            username: username.clone(),
            token: session.clone(),
        });
    }
    let bearer = Auth::Bearer(session.expose().to_owned());
    let pat = post(
        client,
        "/api/auth/tokens",
        &bearer,
        json!({"name": format!("tidegauge {}", records.run_id), "expiresIn": "30d"}),
    )
    .await?;
    let pat_secret = Secret::new(field(&pat, "/token", "PAT")?);
    records.redactor.add_secret(&pat_secret);
    ledger.record(Created::Pat {
        id: field(&pat, "/id", "PAT id")?,
        owner: session.clone(),
    });
    Ok(Person {
        id,
        username,
        password,
        session,
        pat: pat_secret,
    })
}

/// Creates the run's identities on a target; every secret goes to the redactor and every
/// object to the ledger before anything else can fail.
pub async fn provision(
    client: &ApiClient,
    records: &Records,
    ledger: &Ledger,
    given: &Preprovisioned,
    placeholder_base: &str,
) -> anyhow::Result<Identities> {
    let owner = person(client, records, ledger, "owner", given.owner.as_ref()).await?;
    let other = person(client, records, ledger, "other", given.other.as_ref()).await?;
    let owner_auth = Auth::Bearer(owner.session.expose().to_owned());

    let agency = post(
        client,
        "/api/agencies",
        &owner_auth,
        json!({"name": format!("tg_{} agency", records.run_id)}),
    )
    .await
    .context("creating the run's agency")?;
    let agency_id = field(&agency, "/id", "agency id")?;
    ledger.record(Created::Agency {
        id: agency_id.clone(),
        owner: owner.session.clone(),
    });

    let created = post(
        client,
        "/api/agents",
        &owner_auth,
        json!({"name": records.unique_agent_name(), "agencyId": agency_id}),
    )
    .await
    .context("creating the run's agent")?;
    let agent_id = field(&created, "/agent/id", "agent id")?;
    let token = Secret::new(field(&created, "/agentToken", "agent token")?);
    records.redactor.add_secret(&token);
    ledger.record(Created::Agent {
        id: agent_id.clone(),
        owner: owner.session.clone(),
    });
    post(
        client,
        &format!("/api/agents/{agent_id}/verify"),
        &owner_auth,
        json!({}),
    )
    .await
    .context("verifying the run's agent")?;
    let exchanged = post(
        client,
        "/api/auth/agent",
        &Auth::None,
        json!({"agentToken": token.expose()}),
    )
    .await
    .context("exchanging the run's agent token")?;
    let agent_session = Secret::new(field(&exchanged, "/token", "agent session")?);
    records.redactor.add_secret(&agent_session);

    let hook = acquire_hook(
        client,
        records,
        ledger,
        &owner,
        &agency_id,
        placeholder_base,
    )
    .await?;
    Ok(Identities {
        agency_slug: field(&agency, "/slug", "agency slug")?,
        agent: AgentIdentity {
            id: agent_id,
            username: field(&created, "/agent/username", "agent username")?,
            token,
            session: agent_session,
        },
        owner,
        other,
        agency_id,
        hook,
    })
}

/// The hook-key acquisition of credentials.md §4: a command with a URL nobody used, first
/// spelled `webhookUrl`, then `webhook_url`.
pub async fn acquire_hook(
    client: &ApiClient,
    records: &Records,
    ledger: &Ledger,
    owner: &Person,
    agency_id: &str,
    placeholder_base: &str,
) -> anyhow::Result<HookIdentity> {
    let auth = Auth::Bearer(owner.session.expose().to_owned());
    let path = format!("/api/custom-commands/{agency_id}/commands");
    let mut failures = Vec::new();
    for spelling in ["webhookUrl", "webhook_url"] {
        let name = records.unique_name().replace('_', "");
        let url = format!(
            "{}/tg/{}/{name}",
            placeholder_base.trim_end_matches('/'),
            records.run_id
        );
        let body = json!({"name": name, spelling: url, "creator": format!("@{}", owner.username)});
        let exchange = client
            .send("POST", &path, &auth, Some(&RequestBody::Json(body)), &[])
            .await
            .map_err(anyhow::Error::new)?;
        let key = exchange
            .json
            .get("hookKey")
            .or_else(|| exchange.json.get("hook_key"))
            .and_then(Value::as_str);
        if let (true, Some(key), Some(id), Some(hook_id)) = (
            (200..300).contains(&exchange.status),
            key,
            exchange.json["id"].as_str(),
            exchange.json["hook_id"].as_str(),
        ) {
            let key = Secret::new(key);
            records.redactor.add_secret(&key);
            ledger.record(Created::Command {
                agency_id: agency_id.to_owned(),
                id: id.to_owned(),
                owner: owner.session.clone(),
            });
            ledger.record(Created::Hook {
                id: hook_id.to_owned(),
                creator: owner.session.clone(),
            });
            return Ok(HookIdentity {
                id: hook_id.to_owned(),
                key,
                command_id: id.to_owned(),
                url,
            });
        }
        failures.push(format!("{spelling}: {}", exchange.status));
    }
    bail!(
        "no hook key from a new webhook URL with either field spelling ({})",
        failures.join(", ")
    )
}
