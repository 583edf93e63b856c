//! After the measured phase, what the server itself says about it: the `http_requests_total`
//! delta between a scrape taken just before the clock started and one taken after the last
//! answer, reconciled per (method, route, status) with what the harness sent; the server's
//! own 5xx share of that delta (for `server_error_rate` thresholds); and the snapshot's
//! reconciliation with the exposition (metrics.md §7.2).

use super::outcome::ReconcileRow;
use crate::http::{ApiClient, Secret};
use crate::metrics::contract::Contract;
use crate::metrics::delta::{RequestKey, reconcile_requests, request_deltas};
use crate::metrics::findings::{Finding, Severity};
use crate::metrics::scrape::Scrape;
use crate::spec::normalise_template;
use std::collections::BTreeMap;

/// The server's view of the run.
pub struct ServerView {
    pub rows: Vec<ReconcileRow>,
    pub findings: Vec<Finding>,
    /// 5xx share of the `http_requests_total` delta; `None` when nothing moved.
    pub server_error_rate: Option<f64>,
}

pub async fn scrape(client: &ApiClient, key: Option<&Secret>) -> Result<Scrape, String> {
    Scrape::fetch(client, key.map(Secret::expose)).await
}

/// `exclusive`: nobody else used the target (the embedded load instance), so counts must
/// match exactly — except that requests that got no answer may or may not have been counted.
pub fn reconcile(
    sent: &BTreeMap<RequestKey, u64>,
    unanswered: u64,
    before: &Scrape,
    after: &Scrape,
    exclusive: bool,
) -> ServerView {
    let deltas = request_deltas(before, after);
    let total_sent: u64 = sent.values().sum();
    let (exact, tolerance) = match (exclusive, unanswered) {
        (true, 0) => (true, 0.0),
        (true, n) => (false, n as f64 / total_sent.max(1) as f64),
        // Other clients may add to a shared target's counters, never take away.
        (false, _) => (false, f64::INFINITY),
    };
    let mut findings = reconcile_requests(sent, before, after, exact, tolerance);
    let rows = sent
        .iter()
        .map(|(key, count)| {
            let normalised = (key.0.clone(), normalise_template(&key.1), key.2.clone());
            let counted = deltas.get(&normalised).copied().unwrap_or(0.0);
            let sent = *count as f64;
            ReconcileRow {
                method: key.0.clone(),
                route: key.1.clone(),
                status: key.2.clone(),
                sent: *count,
                counted,
                ok: counted >= sent
                    && (!exact || counted == sent)
                    && counted <= sent * (1.0 + tolerance),
            }
        })
        .collect();
    // `+ 0.0`: an empty f64 sum is -0.0, which would print as a negative ratio.
    let moved: f64 = deltas.values().sum::<f64>() + 0.0;
    let errors: f64 = 0.0
        + deltas
            .iter()
            .filter(|((_, _, status), _)| status.starts_with('5'))
            .map(|(_, n)| n)
            .sum::<f64>();
    let server_error_rate = (moved > 0.0).then(|| errors / moved);
    if moved == 0.0 && total_sent > 0 {
        findings.push(Finding::new(
            Severity::Failure,
            "http_requests_total",
            "reconciliation",
            format!("the harness sent {total_sent} requests and the counter did not move"),
        ));
    }
    ServerView {
        rows,
        findings,
        server_error_rate,
    }
}

/// The snapshot reconciliation of metrics.md §7.2, after the run.
pub async fn snapshot(
    client: &ApiClient,
    key: Option<&Secret>,
    own: bool,
) -> Result<Vec<Finding>, String> {
    crate::metrics::run::check_snapshot(&Contract::built_in(), "/metrics/json", client, key, own)
        .await
        .map_err(|e| e.to_string())
}
