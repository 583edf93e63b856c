//! Steps the agents area needed beyond the generic library: capturing a secret (an agent
//! token, a claim-link token) so that every output redacts it, an eventual
//! check on a list (an agent's reply through its response webhook, §19.2, arrives
//! asynchronously), and an object shape that a target may send flat or inside a wrapper
//! (AgentConfig as `{...}` or `{config: {...}}`, §3.7), and a burst of requests whose
//! answers do not matter (filling a rate-limit window before the request that should hit it).

use super::assertions::assumed;
use crate::conform::matcher;
use crate::conform::world::{ApiWorld, StepResult};
use crate::http::{RequestBody, Secret};
use cucumber::gherkin::Step;
use cucumber::{then, when};
use serde_json::Value;
use serde_json_path::JsonPath;
use std::time::{Duration, Instant};

/// The single value at a JSONPath (`None` when absent; several nodes make an array).
fn at(root: &Value, expr: &str) -> Result<Option<Value>, String> {
    let path = JsonPath::parse(expr).map_err(|e| format!("{expr} is not JSONPath: {e}"))?;
    let nodes = path.query(root).all();
    Ok(match nodes.len() {
        0 => None,
        1 => Some(nodes[0].clone()),
        _ => Some(Value::Array(nodes.into_iter().cloned().collect())),
    })
}

/// `I remember the secret $.agentToken as agent_token`: like `I remember`, and the value is
/// masked in every output of the run from now on.
#[then(regex = r"^I remember the secret (\$\S*) as (\w+)$")]
async fn remember_secret(world: &mut ApiWorld, expr: String, name: String) -> StepResult {
    let value = match at(&world.last()?.json, &expr)? {
        Some(Value::String(s)) if !s.is_empty() => s,
        other => {
            return world.check(
                false,
                false,
                format!(
                    "expected a non-empty string at {expr} to remember as {name}, got {other:?}"
                ),
            );
        }
    };
    world
        .records()
        .redactor
        .add_secret(&Secret::new(value.clone()));
    world.vars.insert(name, value);
    Ok(())
}

/// The items of a list answer: a bare array, or the single array of a wrapper object.
fn items(json: &Value) -> Option<Vec<Value>> {
    match json {
        Value::Array(items) => Some(items.clone()),
        Value::Object(map) => {
            let arrays: Vec<&Vec<Value>> = map.values().filter_map(Value::as_array).collect();
            (arrays.len() == 1).then(|| arrays[0].clone())
        }
        _ => None,
    }
}

/// Polls `GET <path>` (with the credential in use) every 250 ms until its list has an item
/// whose `expr` equals the expected value, or the time is up.
#[then(
    regex = r#"^within (\d+) s GET "([^"]*)" lists an item where (\$\S*) equals (.+?)( \(assumed\))?$"#
)]
async fn eventually_listed(
    world: &mut ApiWorld,
    seconds: u64,
    path: String,
    expr: String,
    expected: String,
    flag: String,
) -> StepResult {
    let expected = world.expand(expected.trim())?;
    let expected = serde_json::from_str(&expected).unwrap_or(Value::String(expected));
    let deadline = Instant::now() + Duration::from_secs(seconds);
    loop {
        world.send("GET", &path, None).await?;
        let found = items(&world.last()?.json).is_some_and(|list| {
            list.iter()
                .any(|item| matches!(at(item, &expr), Ok(Some(v)) if v == expected))
        });
        if found || Instant::now() >= deadline {
            return world.check(
                found,
                assumed(&flag),
                format!("within {seconds} s no item of GET {path} had {expr} = {expected}"),
            );
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

fn shape(name: &str) -> Result<Value, String> {
    let location = format!("{}/fixtures/shapes/{name}.json", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&location)
        .map_err(|e| format!("no shape {name} ({location}: {e})"))?;
    serde_json::from_str(&text).map_err(|e| format!("{location} is not JSON: {e}"))
}

/// `the response, or its "config" wrapper, is an AgentConfig`: the object inside the wrapper
/// key when the answer has one (an object there), else the answer itself.
#[then(regex = r#"^the response, or its "(\w+)" wrapper, is an? ([A-Z]\w+)$"#)]
async fn wrapped_shape(world: &mut ApiWorld, wrapper: String, name: String) -> StepResult {
    let expected = shape(&name)?;
    let root = world.last()?.json.clone();
    let actual = match root.get(&wrapper) {
        Some(inner @ Value::Object(_)) => inner.clone(),
        _ => root,
    };
    let found = matcher::matches(&expected, &actual);
    for assumption in found.assumptions {
        world.check(false, true, format!("not a {name}: {assumption}"))?;
    }
    world.check(
        found.failures.is_empty(),
        false,
        format!("not a {name}:\n  {}", found.failures.join("\n  ")),
    )
}

/// Sends `count` identical requests (the doc string as JSON body, if any), 2 ms apart, whatever
/// they answer: unlike the seeding step, a refusal does not stop the burst.
#[when(
    regex = r#"^I send (POST|PATCH|PUT|DELETE|GET) "([^"]*)" (\d+) times whatever the answers$"#
)]
async fn burst(
    world: &mut ApiWorld,
    method: String,
    path: String,
    count: usize,
    step: &Step,
) -> StepResult {
    let body = match step.docstring.as_deref() {
        None => None,
        Some(text) => Some(RequestBody::Json(
            serde_json::from_str(text).map_err(|e| format!("the doc string is not JSON: {e}"))?,
        )),
    };
    for _ in 0..count {
        world.send(&method, &path, body.clone()).await?;
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    Ok(())
}
