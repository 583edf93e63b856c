//! Choosing the credential of the next requests: one of the run's provisioned identities
//! (`the pat credential`, `the other user's session credential`, ...), none, a malformed,
//! revoked or expired one, or a value captured from an earlier answer.

use crate::conform::world::{ApiWorld, StepResult};
use crate::http::{Auth, RequestBody, Secret};
use cucumber::given;
use serde_json::json;
use std::sync::Arc;

fn bearer(secret: &Secret) -> Auth {
    Auth::Bearer(secret.expose().to_owned())
}

/// `I use the <kind> credential` for the owner; `the other user's <kind>` for the second user.
#[given(
    regex = r"^I use (the other user's|the) (pat|session|cookie|agent session|agent token|hook key|metrics key) credential$"
)]
async fn use_identity(world: &mut ApiWorld, whose: String, kind: String) -> StepResult {
    let target = Arc::clone(world.target());
    let ids = &target.ids;
    let other = whose.starts_with("the other");
    let person = if other { &ids.other } else { &ids.owner };
    let (auth, caller) = match kind.as_str() {
        "pat" => (bearer(&person.pat), Some(person.pat.clone())),
        "session" => (bearer(&person.session), Some(person.session.clone())),
        "cookie" => (
            Auth::Cookie(person.session.expose().to_owned()),
            Some(person.session.clone()),
        ),
        "agent session" if !other => (bearer(&ids.agent.session), Some(ids.agent.session.clone())),
        "agent token" if !other => (bearer(&ids.agent.token), Some(ids.agent.token.clone())),
        "hook key" if !other => (Auth::HookKey(ids.hook.key.expose().to_owned()), None),
        "metrics key" if !other => match &target.metrics_key {
            Some(key) => (Auth::MetricsKey(key.expose().to_owned()), None),
            None => {
                return Err("no metrics key is configured for this target (--metrics-key)".into());
            }
        },
        _ => return Err(format!("the other user has no {kind} credential")),
    };
    let label = if other { format!("other {kind}") } else { kind };
    world.use_credential(&label, auth, caller);
    Ok(())
}

#[given(expr = "I use no credential")]
async fn use_none(world: &mut ApiWorld) {
    world.use_credential("none", Auth::None, None);
}

/// Syntactically valid but unknown values of each kind (credentials.md §3 "malformed").
#[given(regex = r"^I use a malformed (pat|session|cookie|agent session|hook key) credential$")]
async fn use_malformed(world: &mut ApiWorld, kind: String) {
    let random = crate::server::secrets::random_hex(32);
    let auth = match kind.as_str() {
        "pat" => Auth::Bearer("cru_zz".into()),
        "cookie" => Auth::Cookie("not-a-token".into()),
        "hook key" => Auth::HookKey(random),
        _ => Auth::Bearer(random),
    };
    world.use_credential(&format!("malformed {kind}"), auth, None);
}

#[given(expr = "I send the Authorization header {string}")]
async fn raw_authorization(world: &mut ApiWorld, value: String) -> StepResult {
    let value = world.expand(&value)?;
    world.use_credential(
        "malformed authorization",
        Auth::RawAuthorization(value),
        None,
    );
    Ok(())
}

/// A PAT of the owner that was created and then revoked.
#[given(expr = "I use a revoked pat credential")]
async fn use_revoked_pat(world: &mut ApiWorld) -> StepResult {
    let owner = world.target().ids.owner.clone();
    world.use_credential(
        "session",
        bearer(&owner.session),
        Some(owner.session.clone()),
    );
    world
        .send(
            "POST",
            "/api/auth/tokens",
            Some(RequestBody::Json(json!({"name": "{unique:revoked}"}))),
        )
        .await?;
    let created = world.last()?.json.clone();
    let (Some(token), Some(id)) = (created["token"].as_str(), created["id"].as_str()) else {
        return world.check(false, false, "could not create a PAT to revoke");
    };
    let token = Secret::new(token);
    world.records().redactor.add_secret(&token);
    world
        .send("DELETE", &format!("/api/auth/tokens/{id}"), None)
        .await?;
    world.use_credential("revoked pat", bearer(&token), None);
    Ok(())
}

/// A bearer token captured earlier (`I remember $.token as new_session`).
#[given(regex = r"^I use the (bearer token|cookie|hook key) remembered as (\w+)$")]
async fn use_captured(world: &mut ApiWorld, kind: String, name: String) -> StepResult {
    let value = world
        .vars
        .get(&name)
        .cloned()
        .ok_or_else(|| format!("nothing was remembered as {name}"))?;
    let secret = Secret::new(value.clone());
    world.records().redactor.add_secret(&secret);
    let (label, auth) = match kind.as_str() {
        "cookie" => ("cookie", Auth::Cookie(value)),
        "hook key" => ("hook key", Auth::HookKey(value)),
        _ => ("bearer", Auth::Bearer(value)),
    };
    world.use_credential(label, auth, Some(secret));
    Ok(())
}

#[given(expr = "the request header {string} is {string}")]
async fn extra_header(world: &mut ApiWorld, name: String, value: String) -> StepResult {
    let value = world.expand(&value)?;
    world.extra_headers.push((name, value));
    Ok(())
}
