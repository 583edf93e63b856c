//! Sending requests: `When I send <METHOD> "<path>"`, with a JSON body from the step's doc
//! string or a file of fixtures/payloads/, or a raw body. `{placeholders}` in the path and the
//! body are expanded (captured values, identities, `{unique:x}` names).

use crate::conform::world::{ApiWorld, StepResult};
use crate::http::RequestBody;
use cucumber::gherkin::Step;
use cucumber::when;
use serde_json::Value;

fn doc_body(step: &Step) -> Result<Option<RequestBody>, String> {
    match step.docstring.as_deref() {
        None => Ok(None),
        Some(text) => serde_json::from_str::<Value>(text)
            .map(|v| Some(RequestBody::Json(v)))
            .map_err(|e| format!("the step's doc string is not JSON: {e}")),
    }
}

#[when(regex = r#"^I send (GET|POST|PATCH|PUT|DELETE|OPTIONS|HEAD) "([^"]*)"$"#)]
async fn send(world: &mut ApiWorld, method: String, path: String, step: &Step) -> StepResult {
    let body = doc_body(step)?;
    world.send(&method, &path, body).await
}

#[when(regex = r#"^I send (POST|PATCH|PUT|DELETE) "([^"]*)" with the raw body:$"#)]
async fn send_raw(world: &mut ApiWorld, method: String, path: String, step: &Step) -> StepResult {
    let text = step.docstring.clone().unwrap_or_default();
    world
        .send(
            &method,
            &path,
            Some(RequestBody::Raw(text.trim().to_owned())),
        )
        .await
}

#[when(regex = r#"^I send (POST|PATCH|PUT) "([^"]*)" with the payload "([\w.-]+)"$"#)]
async fn send_payload(
    world: &mut ApiWorld,
    method: String,
    path: String,
    file: String,
) -> StepResult {
    let location = format!("{}/fixtures/payloads/{file}", env!("CARGO_MANIFEST_DIR"));
    let text =
        std::fs::read_to_string(&location).map_err(|e| format!("cannot read {location}: {e}"))?;
    let value: Value =
        serde_json::from_str(&text).map_err(|e| format!("{location} is not JSON: {e}"))?;
    world
        .send(&method, &path, Some(RequestBody::Json(value)))
        .await
}

/// Sends `count` requests with the same body (e.g. seeding a history).
#[when(regex = r#"^I send (POST) "([^"]*)" (\d+) times$"#)]
async fn send_many(
    world: &mut ApiWorld,
    method: String,
    path: String,
    count: usize,
    step: &Step,
) -> StepResult {
    let body = doc_body(step)?;
    for _ in 0..count {
        world.send(&method, &path, body.clone()).await?;
        let status = world.last()?.status;
        if !(200..300).contains(&status) {
            return world.check(false, false, format!("seeding request answered {status}"));
        }
        // Back-to-back messages must not share a millisecond (endpoints.md §8.4).
        tokio::time::sleep(std::time::Duration::from_millis(2)).await;
    }
    Ok(())
}

/// Sends `count` requests at once (concurrency: e.g. posts racing each other).
#[when(regex = r#"^I send (POST) "([^"]*)" (\d+) times concurrently$"#)]
async fn send_concurrently(
    world: &mut ApiWorld,
    method: String,
    path: String,
    count: usize,
    step: &Step,
) -> StepResult {
    let body = doc_body(step)?;
    let path = world.expand(&path)?;
    let body = match body {
        Some(RequestBody::Json(value)) => Some(RequestBody::Json(world.expand_json(value)?)),
        other => other,
    };
    let target = std::sync::Arc::clone(world.target());
    let requests = (0..count).map(|_| {
        target.client.send(
            &method,
            &path,
            &world.auth,
            body.as_ref(),
            &world.extra_headers,
        )
    });
    let answers = futures::future::join_all(requests).await;
    for answer in answers {
        let status = answer.map_err(|e| e.to_string())?.status;
        if !(200..300).contains(&status) {
            return world.check(
                false,
                false,
                format!("a concurrent request answered {status}"),
            );
        }
    }
    Ok(())
}

/// A browser's CORS preflight (`OPTIONS` with `Origin` and `Access-Control-Request-*`) of a
/// path of the table; the answer becomes the last answer.
#[when(regex = r#"^I send the CORS preflight for "([^"]*)"$"#)]
async fn preflight(world: &mut ApiWorld, path: String) -> StepResult {
    let path = world.expand(&path)?;
    if !crate::spec::path_is_known(&path) {
        return Err(format!("{path} is not a path of fixtures/endpoints.json"));
    }
    let headers = [
        ("origin", "https://example.com"),
        ("access-control-request-method", "POST"),
        ("access-control-request-headers", "content-type"),
    ]
    .map(|(k, v)| (k.to_owned(), v.to_owned()));
    let target = std::sync::Arc::clone(world.target());
    let exchange = target
        .client
        .send("OPTIONS", &path, &world.auth, None, &headers)
        .await
        .map_err(|e| e.to_string())?;
    world.list = None;
    world.last = Some(exchange);
    Ok(())
}
