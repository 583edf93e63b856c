//! Is the metrics endpoint protected (metrics.md §1.1)? With the key: both documented forms
//! (`X-Metrics-Key` header and `?key=`) answer 200; without it, or with a wrong one in either
//! form, 401 (403 is an assumption not met, 200 a failure: the docs say METRICS_SECRET protects
//! it). Without a configured key an open endpoint is information only.

use super::findings::{Finding, Severity};
use crate::http::{ApiClient, Auth};

const FAMILY: &str = "(endpoint)";

async fn status(client: &ApiClient, path: &str, auth: &Auth) -> Result<u16, String> {
    client
        .send("GET", path, auth, None, &[])
        .await
        .map(|e| e.status)
        .map_err(|e| e.to_string())
}

fn refusal(path: &str, how: &str, got: u16) -> Option<Finding> {
    match got {
        401 => None,
        403 => Some(Finding::new(
            Severity::AssumptionNotMet,
            FAMILY,
            "protection",
            format!("{path} {how}: 403, expected 401"),
        )),
        200..=299 => Some(Finding::failure(
            FAMILY,
            "protection",
            format!("{path} {how}: {got}, the endpoint must refuse it"),
        )),
        other => Some(Finding::new(
            Severity::AssumptionNotMet,
            FAMILY,
            "protection",
            format!("{path} {how}: {other}, expected 401"),
        )),
    }
}

/// The protection checks of one path (`/metrics` or the snapshot path).
pub async fn check(
    client: &ApiClient,
    path: &str,
    key: Option<&str>,
) -> Result<Vec<Finding>, String> {
    let mut findings = Vec::new();
    let anonymous = status(client, path, &Auth::None).await?;
    let Some(key) = key else {
        if (200..300).contains(&anonymous) {
            findings.push(Finding::new(
                Severity::Info,
                FAMILY,
                "protection",
                format!("{path} is open (no METRICS_SECRET, or none was configured here)"),
            ));
        }
        return Ok(findings);
    };
    findings.extend(refusal(path, "without a key", anonymous));
    let wrong = format!("{key}-wrong");
    findings.extend(refusal(
        path,
        "with a wrong X-Metrics-Key",
        status(client, path, &Auth::MetricsKey(wrong.clone())).await?,
    ));
    let separator = if path.contains('?') { '&' } else { '?' };
    findings.extend(refusal(
        path,
        "with a wrong ?key=",
        status(
            client,
            &format!("{path}{separator}key={}", encode(&wrong)),
            &Auth::None,
        )
        .await?,
    ));
    for (how, got) in [
        (
            "with the key in X-Metrics-Key",
            status(client, path, &Auth::MetricsKey(key.to_owned())).await?,
        ),
        (
            "with the key in ?key=",
            status(
                client,
                &format!("{path}{separator}key={}", encode(key)),
                &Auth::None,
            )
            .await?,
        ),
    ] {
        if got != 200 {
            findings.push(Finding::failure(
                FAMILY,
                "protection",
                format!("{path} {how}: {got}, expected 200 (both forms are documented)"),
            ));
        }
    }
    Ok(findings)
}

fn encode(value: &str) -> String {
    url::form_urlencoded::byte_serialize(value.as_bytes()).collect()
}
