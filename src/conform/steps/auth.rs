//! Steps the auth features need beyond the generic library: a credential captured inside the
//! scenario used *as* a given kind (so that a throwaway session, PAT or agent session fills
//! its cell of the credential matrix, `coverage.rs`), and a burst of requests whose answers
//! must all have one status (driving an endpoint into its rate limit, endpoints.md §25).

use crate::conform::world::{ApiWorld, StepResult};
use crate::http::{Auth, RequestBody, Secret};
use cucumber::gherkin::Step;
use cucumber::{given, when};
use serde_json::Value;

/// `I use the session credential remembered as s`: like `I use the bearer token remembered
/// as s`, but counted in the matrix column of its kind (`pat`, `session`, `cookie`,
/// `agent session`).
#[given(regex = r"^I use the (pat|session|cookie|agent session) credential remembered as (\w+)$")]
async fn use_captured_kind(world: &mut ApiWorld, kind: String, name: String) -> StepResult {
    let value = world
        .vars
        .get(&name)
        .cloned()
        .ok_or_else(|| format!("nothing was remembered as {name}"))?;
    let secret = Secret::new(value.clone());
    world.records().redactor.add_secret(&secret);
    let auth = if kind == "cookie" {
        Auth::Cookie(value)
    } else {
        Auth::Bearer(value)
    };
    world.use_credential(&kind, auth, Some(secret));
    Ok(())
}

/// Sends `count` identical requests (body from the doc string) and requires each answer to
/// have `status`; every request counts toward a rate limit whatever its outcome (§25).
#[when(
    regex = r#"^I send (POST|PATCH|PUT|DELETE|GET) "([^"]*)" (\d+) times, each answered (\d{3})$"#
)]
async fn send_burst(
    world: &mut ApiWorld,
    method: String,
    path: String,
    count: usize,
    status: u16,
    step: &Step,
) -> StepResult {
    let body = match step.docstring.as_deref() {
        None => None,
        Some(text) => Some(RequestBody::Json(
            serde_json::from_str::<Value>(text)
                .map_err(|e| format!("the step's doc string is not JSON: {e}"))?,
        )),
    };
    for n in 1..=count {
        world.send(&method, &path, body.clone()).await?;
        let actual = world.last()?.status;
        if actual != status {
            return world.check(
                false,
                false,
                format!("request {n} of {count} answered {actual}, expected {status}"),
            );
        }
    }
    Ok(())
}
