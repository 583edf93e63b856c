//! Deltas between two scrapes, and the reconciliation of the harness's own request counts with
//! the server's `http_requests_total` movement (metrics.md §7; used after load): for every
//! (method, route template, status) series, the server's delta must equal what the harness
//! sent, within a stated tolerance (other clients may add to a shared target's counters, never
//! take away). Route templates compare whatever their parameter names.

use super::findings::{Finding, Severity};
use super::scrape::Scrape;
use crate::spec::normalise_template;
use std::collections::BTreeMap;

/// (method, normalised route template, status).
pub type RequestKey = (String, String, String);

/// The `http_requests_total` movement between two scrapes, per request key.
pub fn request_deltas(before: &Scrape, after: &Scrape) -> BTreeMap<RequestKey, f64> {
    let key = |labels: &[(String, String)]| {
        let get = |name: &str| {
            labels
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.clone())
                .unwrap_or_default()
        };
        (
            get("method"),
            normalise_template(&get("path")),
            get("status"),
        )
    };
    let mut deltas: BTreeMap<RequestKey, f64> = BTreeMap::new();
    for ((name, labels), value) in &after.series {
        if name == "http_requests_total" {
            let old = before
                .series
                .get(&(name.clone(), labels.clone()))
                .copied()
                .unwrap_or(0.0);
            *deltas.entry(key(labels)).or_default() += value - old;
        }
    }
    deltas
}

/// Compares what the harness sent with the server's delta. `exclusive`: no other client used
/// the target, so the delta must match exactly; otherwise it may exceed what was sent by at
/// most `tolerance` (a fraction of what was sent) and never fall short.
pub fn reconcile_requests(
    sent: &BTreeMap<RequestKey, u64>,
    before: &Scrape,
    after: &Scrape,
    exclusive: bool,
    tolerance: f64,
) -> Vec<Finding> {
    let deltas = request_deltas(before, after);
    let mut findings = Vec::new();
    for (key, count) in sent {
        let normalised = (key.0.clone(), normalise_template(&key.1), key.2.clone());
        let seen = deltas.get(&normalised).copied().unwrap_or(0.0);
        let sent = *count as f64;
        let allowed = if exclusive { 0.0 } else { sent * tolerance };
        if seen < sent || seen > sent + allowed {
            findings.push(Finding::new(
                Severity::Failure,
                "http_requests_total",
                "reconciliation",
                format!(
                    "{} {} {}: the harness sent {count}, the server counted {seen}",
                    key.0, key.1, key.2
                ),
            ));
        }
    }
    if exclusive {
        for (key, seen) in &deltas {
            let known = sent
                .keys()
                .any(|k| k.0 == key.0 && normalise_template(&k.1) == key.1 && k.2 == key.2);
            if *seen > 0.0 && !known {
                findings.push(Finding::failure(
                    "http_requests_total",
                    "reconciliation",
                    format!(
                        "{} {} {}: the server counted {seen} requests the harness never sent",
                        key.0, key.1, key.2
                    ),
                ));
            }
        }
    }
    findings
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scrape(lines: &str) -> Scrape {
        Scrape::from_text(
            format!("# TYPE http_requests_total counter\n{lines}").as_bytes(),
            None,
        )
        .unwrap()
    }

    fn sent(entries: &[(&str, &str, &str, u64)]) -> BTreeMap<RequestKey, u64> {
        entries
            .iter()
            .map(|(m, p, s, n)| ((m.to_string(), p.to_string(), s.to_string()), *n))
            .collect()
    }

    #[test]
    fn exact_counts_reconcile_whatever_the_parameter_names() {
        let before = scrape(
            "http_requests_total{method=\"GET\",path=\"/api/agencies/:id/messages\",status=\"200\"} 10\n",
        );
        let after = scrape(
            "http_requests_total{method=\"GET\",path=\"/api/agencies/:id/messages\",status=\"200\"} 15\n",
        );
        let ours = sent(&[("GET", "/api/agencies/{agency}/messages", "200", 5)]);
        assert!(reconcile_requests(&ours, &before, &after, true, 0.0).is_empty());
    }

    #[test]
    fn missing_and_extra_requests_are_listed_per_series() {
        let before = scrape("");
        let after = scrape(
            "http_requests_total{method=\"GET\",path=\"/a\",status=\"200\"} 3\nhttp_requests_total{method=\"GET\",path=\"/a\",status=\"500\"} 1\n",
        );
        let ours = sent(&[("GET", "/a", "200", 4)]);
        let found = reconcile_requests(&ours, &before, &after, true, 0.0);
        assert_eq!(found.len(), 2, "{found:#?}");
        assert!(found[0].message.contains("sent 4") && found[0].message.contains("counted 3"));
        assert!(found[1].message.contains("never sent"));
        // On a shared target extra traffic within the tolerance is fine; a shortfall is not.
        let shared = reconcile_requests(
            &sent(&[("GET", "/a", "200", 3)]),
            &before,
            &after,
            false,
            0.1,
        );
        assert!(shared.is_empty(), "{shared:#?}");
    }
}
