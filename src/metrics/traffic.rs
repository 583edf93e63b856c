//! The traffic the metrics phase makes itself, and the movements it must cause (metrics.md
//! §5). On an instance the harness started (no one else uses it) every movement is exact and
//! the cached gauges are refreshed by advancing the clock; elsewhere a few harmless reads are
//! sent and only `http_requests_total` is checked, by direction.

use super::findings::{Finding, Severity};
use super::scrape::{Scrape, Selector};
use crate::http::{ApiClient, Auth, RequestBody, Secret};
use serde_json::{Value, json};

/// One expected movement: a selector and its exact change.
struct Movement {
    selector: &'static str,
    change: f64,
}

const fn moves(selector: &'static str, change: f64) -> Movement {
    Movement { selector, change }
}

async fn post(client: &ApiClient, path: &str, auth: &Auth, body: Value) -> Result<Value, String> {
    let exchange = client
        .send("POST", path, auth, Some(&RequestBody::Json(body)), &[])
        .await
        .map_err(|e| e.to_string())?;
    if !(200..300).contains(&exchange.status) {
        return Err(format!(
            "POST {path} answered {} while making metrics traffic",
            exchange.status
        ));
    }
    Ok(exchange.json)
}

/// Register a user, self-register an agent, create an agency, publish a command with a new
/// webhook URL, post one hook message; then the exact movements of §5.
async fn own_instance_traffic(client: &ApiClient, run: &str) -> Result<Vec<Movement>, String> {
    let password = crate::server::secrets::random_hex(12);
    client.redactor().add(&password);
    let user = post(
        client,
        "/api/auth/register",
        &Auth::None,
        json!({"username": format!("tg_{run}_m"), "password": password}),
    )
    .await?;
    let session = Secret::new(user["token"].as_str().unwrap_or_default());
    let auth = Auth::Bearer(session.expose().to_owned());
    post(
        client,
        "/api/agents/register",
        &Auth::None,
        json!({"name": format!("tg{run}m")}),
    )
    .await?;
    let agency = post(
        client,
        "/api/agencies",
        &auth,
        json!({"name": format!("tg_{run} metrics")}),
    )
    .await?;
    let agency_id = agency["id"].as_str().unwrap_or_default().to_owned();
    let command = post(
        client,
        &format!("/api/custom-commands/{agency_id}/commands"),
        &auth,
        json!({"name": "metricscheck", "webhookUrl": format!("https://example.com/tg/{run}/metrics")}),
    )
    .await?;
    let key = command["hookKey"].as_str().unwrap_or_default().to_owned();
    post(
        client,
        "/api/hooks/messages",
        &Auth::HookKey(key),
        json!({"agencyId": agency_id, "content": "metrics check"}),
    )
    .await?;
    Ok(vec![
        moves(
            r#"http_requests_total{method="POST",path="/api/auth/register",status="201"}"#,
            1.0,
        ),
        moves(
            r#"http_requests_total{method="POST",path="/api/agents/register",status="201"}"#,
            1.0,
        ),
        moves(
            r#"http_requests_total{method="POST",path="/api/agencies",status="201"}"#,
            1.0,
        ),
        moves(
            r#"http_requests_total{method="POST",path="/api/hooks/messages",status="201"}"#,
            1.0,
        ),
        moves(
            r#"http_request_duration_seconds_count{method="POST",path="/api/agencies"}"#,
            1.0,
        ),
        moves("db_query_duration_seconds_count", 5.0),
        moves("agent_registrations_total", 1.0),
        moves("crustocean_users_total", 1.0),
        moves("crustocean_agents_total", 1.0),
        moves("crustocean_agents_unclaimed", 1.0),
        moves("crustocean_agencies_total", 2.0),
        moves("crustocean_memberships_total", 4.0),
        moves("crustocean_hooks_active", 1.0),
        moves("crustocean_messages_total", 1.0),
        moves("messages_sent_total", 0.0),
    ])
}

fn family_of(selector: &Selector) -> String {
    let name = selector.name.as_str();
    ["_count", "_sum", "_bucket"]
        .iter()
        .find_map(|suffix| {
            name.strip_suffix(suffix)
                .filter(|base| base.ends_with("_seconds"))
        })
        .unwrap_or(name)
        .to_owned()
}

/// Makes the traffic and compares the movements between `before` and the scrape `after`
/// returns (called once the traffic is done, after the gauge cache has been refreshed).
/// Returns the findings and that last scrape.
pub async fn check_movements<F, Fut>(
    client: &ApiClient,
    own: bool,
    run: &str,
    before: &Scrape,
    after: F,
) -> Result<(Vec<Finding>, Scrape), String>
where
    F: FnOnce() -> Fut,
    Fut: Future<Output = Result<Scrape, String>>,
{
    let expected = if own {
        own_instance_traffic(client, run).await?
    } else {
        for _ in 0..3 {
            client
                .send("GET", "/api/explore/capabilities", &Auth::None, None, &[])
                .await
                .map_err(|e| e.to_string())?;
        }
        vec![moves(
            r#"http_requests_total{method="GET",path="/api/explore/capabilities"}"#,
            3.0,
        )]
    };
    let after = after().await?;
    let mut findings = Vec::new();
    for movement in expected {
        let selector = Selector::parse(movement.selector)?;
        let delta = after.sum(&selector) - before.sum(&selector);
        let ok = if own {
            (delta - movement.change).abs() < 1e-9
        } else {
            delta >= movement.change
        };
        if !ok {
            let how = if own { "exactly" } else { "at least" };
            let severity = if own || selector.name == "http_requests_total" {
                Severity::Failure
            } else {
                Severity::AssumptionNotMet
            };
            findings.push(Finding::new(
                severity,
                &family_of(&selector),
                "movement",
                format!(
                    "{} moved by {delta}, expected {how} {}",
                    movement.selector, movement.change
                ),
            ));
        }
    }
    Ok((findings, after))
}
