//! Steps on the harness's loopback sink: choose how a sink path answers, wait for requests
//! to arrive, and check their body and `X-Crustocean-Signature` (HMAC-SHA256 over the raw
//! body; `sha256=<hex>`, bare hex in either case, or base64 of the digest are accepted,
//! endpoints.md §18.4). `{sink:name}` in a request expands to the URL of the path `name`.

use super::assertions::assumed;
use crate::conform::matcher;
use crate::conform::sink::{Received, Reply, Sink};
use crate::conform::world::{ApiWorld, StepResult};
use cucumber::gherkin::Step;
use cucumber::{given, then};
use hmac::{Hmac, Mac};
use serde_json::Value;
use sha2::Sha256;
use std::time::{Duration, Instant};

fn sink(world: &ApiWorld) -> Result<Sink, String> {
    world
        .target()
        .sink
        .clone()
        .ok_or_else(|| "this target cannot reach the harness's sink (--sink-url)".to_owned())
}

/// The sink path behind `{sink:name}` (creating it on first use).
fn path_of(world: &mut ApiWorld, name: &str) -> Result<String, String> {
    let url = world.expand(&format!("{{sink:{name}}}"))?;
    let base = sink(world)?.base_url;
    Ok(url.strip_prefix(&base).unwrap_or(&url).to_owned())
}

fn digest(key: &[u8], body: &[u8]) -> Vec<u8> {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes any key");
    mac.update(body);
    mac.finalize().into_bytes().to_vec()
}

/// Accepts `sha256=<hex>`, bare hex (either case) or base64 of the HMAC-SHA256 digest.
pub fn signature_is_valid(header: &str, key: &str, body: &[u8]) -> bool {
    use base64::Engine as _;
    let expected = digest(key.as_bytes(), body);
    let value = header.trim();
    let hex_part = value.strip_prefix("sha256=").unwrap_or(value);
    let decoded = hex::decode(hex_part.to_ascii_lowercase())
        .ok()
        .or_else(|| base64::engine::general_purpose::STANDARD.decode(value).ok());
    decoded.is_some_and(|d| subtle::ConstantTimeEq::ct_eq(d.as_slice(), expected.as_slice()).into())
}

#[given(regex = r#"^the sink answers (\d{3}) at "(\w+)"$"#)]
async fn answers(world: &mut ApiWorld, status: u16, name: String) -> StepResult {
    let path = path_of(world, &name)?;
    sink(world)?.set_reply(
        &path,
        Reply {
            status,
            body: "{}".into(),
            headers: vec![("content-type".into(), "application/json".into())],
        },
    );
    Ok(())
}

/// The sink answers with the doc string, signed with a remembered secret (agent replies).
#[given(regex = r#"^the sink answers at "(\w+)" with a reply signed by (\w+):$"#)]
async fn answers_signed(
    world: &mut ApiWorld,
    name: String,
    key_var: String,
    step: &Step,
) -> StepResult {
    let path = path_of(world, &name)?;
    let body = world.expand(step.docstring.as_deref().unwrap_or("{}"))?;
    let key = match key_var.as_str() {
        "the_agent_token" => world.target().ids.agent.token.expose().to_owned(),
        other => world
            .vars
            .get(other)
            .cloned()
            .ok_or_else(|| format!("nothing remembered as {other}"))?,
    };
    let signature = format!(
        "sha256={}",
        hex::encode(digest(key.as_bytes(), body.as_bytes()))
    );
    let headers = vec![
        ("content-type".into(), "application/json".into()),
        ("x-crustocean-signature".into(), signature),
    ];
    sink(world)?.set_reply(
        &path,
        Reply {
            status: 200,
            body,
            headers,
        },
    );
    Ok(())
}

#[then(regex = r#"^within (\d+) s the sink receives (at least )?(\d+) requests? at "(\w+)"$"#)]
async fn receives(
    world: &mut ApiWorld,
    seconds: u64,
    at_least: String,
    count: usize,
    name: String,
) -> StepResult {
    let path = path_of(world, &name)?;
    let sink = sink(world)?;
    let deadline = Instant::now() + Duration::from_secs(seconds);
    loop {
        let got = sink.received(&path).len();
        let done = if at_least.is_empty() {
            got == count
        } else {
            got >= count
        };
        // "Receives 0" must hold for the whole wait, so it is judged at the end; a positive
        // count may succeed as soon as it is reached.
        let early = done && count > 0;
        if early || Instant::now() >= deadline {
            return world.check(done, false, format!("expected {at_least}{count} requests at the sink path {name} within {seconds} s, got {got}"));
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn last_received(world: &mut ApiWorld, name: &str) -> Result<Received, String> {
    let path = path_of(world, name)?;
    sink(world)?
        .received(&path)
        .pop()
        .ok_or_else(|| format!("the sink path {name} has received nothing"))
}

#[then(regex = r#"^the last request at "(\w+)" is signed with (\w+)( \(assumed\))?$"#)]
async fn signed(world: &mut ApiWorld, name: String, key_var: String, flag: String) -> StepResult {
    let received = last_received(world, &name)?;
    let key = world
        .vars
        .get(&key_var)
        .cloned()
        .ok_or_else(|| format!("nothing remembered as {key_var}"))?;
    let header = received
        .headers
        .get("x-crustocean-signature")
        .and_then(|v| v.to_str().ok());
    let ok = header.is_some_and(|h| signature_is_valid(h, &key, &received.body));
    world.check(ok, assumed(&flag), format!("the X-Crustocean-Signature of the last request at {name} does not verify (got {header:?})"))
}

#[then(regex = r#"^the last request at "(\w+)" matches:$"#)]
async fn received_matches(world: &mut ApiWorld, name: String, step: &Step) -> StepResult {
    let received = last_received(world, &name)?;
    let text = step
        .docstring
        .as_deref()
        .ok_or("this step needs a doc string")?;
    let expected: Value =
        serde_json::from_str(text).map_err(|e| format!("the doc string is not JSON: {e}"))?;
    let expected = world.expand_json(expected)?;
    let body: Value = serde_json::from_slice(&received.body).unwrap_or(Value::Null);
    let found = matcher::matches(&expected, &body);
    for assumption in found.assumptions {
        world.check(false, true, assumption)?;
    }
    world.check(
        found.failures.is_empty(),
        false,
        format!(
            "the last request at {name} does not match:\n  {}",
            found.failures.join("\n  ")
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_documented_signature_encoding_verifies() {
        use base64::Engine as _;
        let digest = digest(b"Jefe", b"what do ya want for nothing?");
        let hex = hex::encode(&digest);
        for header in [
            format!("sha256={hex}"),
            hex.clone(),
            hex.to_uppercase(),
            base64::engine::general_purpose::STANDARD.encode(&digest),
        ] {
            assert!(
                signature_is_valid(&header, "Jefe", b"what do ya want for nothing?"),
                "{header}"
            );
        }
        assert!(!signature_is_valid(
            &format!("sha256={hex}"),
            "Jefe",
            b"tampered"
        ));
        assert!(!signature_is_valid("garbage", "Jefe", b"x"));
    }
}
