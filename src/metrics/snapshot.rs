//! The JSON monitoring snapshot (metrics.md §6): its shape, and its reconciliation with the
//! exposition scraped at the same moment (§7.2): fetch S1, the exposition E, then S2; counters
//! and histogram counts and sums satisfy S1 ≤ E ≤ S2 per series; the cached gauges agree when
//! the cache did not refresh in between; `uptime_seconds` and `generated_at` never go back.

use super::contract::{Contract, Kind};
use super::findings::{Finding, Severity};
use super::scrape::Scrape;
use serde_json::Value;
use std::collections::BTreeMap;

type SeriesKey = (String, Vec<(String, String)>);

/// The snapshot's series in the exposition's terms: (sample name, sorted labels) → value.
fn series_of(contract: &Contract, snapshot: &Value) -> BTreeMap<SeriesKey, f64> {
    let mut out = BTreeMap::new();
    for spec in &contract.family {
        let Some(value) = snapshot.get(&spec.name) else {
            continue;
        };
        let entries: Vec<(Vec<(String, String)>, &Value)> = match value {
            Value::Array(items) => items
                .iter()
                .map(|item| {
                    let mut labels: Vec<(String, String)> = item["labels"]
                        .as_object()
                        .map(|m| {
                            m.iter()
                                .map(|(k, v)| {
                                    (k.clone(), v.as_str().unwrap_or_default().to_owned())
                                })
                                .collect()
                        })
                        .unwrap_or_default();
                    labels.sort();
                    (labels, item)
                })
                .collect(),
            other => vec![(Vec::new(), other)],
        };
        for (labels, entry) in entries {
            if spec.kind == Kind::Histogram {
                for part in ["count", "sum"] {
                    if let Some(v) = entry.get(part).and_then(Value::as_f64) {
                        out.insert((format!("{}_{part}", spec.name), labels.clone()), v);
                    }
                }
            } else if let Some(v) = entry
                .get("value")
                .and_then(Value::as_f64)
                .or_else(|| entry.as_f64())
            {
                out.insert((spec.name.clone(), labels), v);
            }
        }
    }
    out
}

fn shape_error(contract: &Contract, snapshot: &Value) -> Vec<String> {
    let mut errors = Vec::new();
    let Some(object) = snapshot.as_object() else {
        return vec!["the snapshot is not a JSON object".into()];
    };
    let time = |key: &str| {
        object
            .get(key)
            .and_then(Value::as_str)
            .is_some_and(|t| chrono::DateTime::parse_from_rfc3339(t).is_ok())
    };
    if !time("generated_at") {
        errors.push("generated_at is not an RFC 3339 time".into());
    }
    if !object.get("uptime_seconds").is_some_and(Value::is_number) {
        errors.push("uptime_seconds is not a number".into());
    }
    if object.contains_key("gauges_cached_at") && !time("gauges_cached_at") {
        errors.push("gauges_cached_at is not an RFC 3339 time".into());
    }
    for spec in &contract.family {
        let Some(value) = object.get(&spec.name) else {
            errors.push(format!("{} is missing", spec.name));
            continue;
        };
        let histogram_ok = |v: &Value| {
            v.get("count").is_some_and(Value::is_number)
                && v.get("sum").is_some_and(Value::is_number)
        };
        let ok = match (spec.kind, spec.labels.is_empty()) {
            (Kind::Histogram, true) => histogram_ok(value),
            (_, true) => value.is_number(),
            (kind, false) => value.as_array().is_some_and(|items| {
                items.iter().all(|item| {
                    let labels_ok = item["labels"].as_object().is_some_and(|m| {
                        m.len() == spec.labels.len()
                            && spec
                                .labels
                                .iter()
                                .all(|l| m.get(l).is_some_and(Value::is_string))
                    });
                    labels_ok
                        && if kind == Kind::Histogram {
                            histogram_ok(item)
                        } else {
                            item["value"].is_number()
                        }
                })
            }),
        };
        if !ok {
            errors.push(format!(
                "{} does not have the form of a {:?}{} family",
                spec.name,
                spec.kind,
                if spec.labels.is_empty() {
                    ""
                } else {
                    " with labels"
                }
            ));
        }
    }
    errors
}

/// Checks the snapshot's shape and reconciles S1 ≤ E ≤ S2. `own`: an instance the harness
/// started (mismatches fail there; elsewhere the snapshot is ASSUMED, so they are reported).
pub fn reconcile(
    contract: &Contract,
    s1: &Value,
    e: &Scrape,
    s2: &Value,
    own: bool,
    quiet: bool,
) -> Vec<Finding> {
    let severity = if own {
        Severity::Failure
    } else {
        Severity::AssumptionNotMet
    };
    let finding = |family: &str, rule: &'static str, message: String| {
        Finding::new(severity, family, rule, message)
    };
    let mut findings: Vec<Finding> = shape_error(contract, s1)
        .into_iter()
        .chain(shape_error(contract, s2))
        .map(|m| finding("(snapshot)", "snapshot-shape", m))
        .collect();
    if !findings.is_empty() {
        return findings;
    }
    let (a, b) = (series_of(contract, s1), series_of(contract, s2));
    for spec in contract.family.iter().filter(|f| f.kind != Kind::Gauge) {
        let keys: std::collections::BTreeSet<&SeriesKey> = a
            .keys()
            .chain(e.series.keys())
            .filter(|(name, _)| name.starts_with(&spec.name))
            .collect();
        for key in keys {
            if key.0.ends_with("_bucket") {
                continue;
            }
            let (lo, mid, hi) = (a.get(key), e.series.get(key), b.get(key));
            // metrics.md §7.2 step 2: sums compare with a relative tolerance of 1e-9 (the
            // same sum added up in another order may differ in its last bit).
            let tolerance = |x: f64| x.abs() * 1e-9;
            let close = |x: f64, y: f64| (x - y).abs() <= tolerance(x.max(y));
            match (lo, mid, hi) {
                (Some(_), None, _) => findings.push(finding(
                    &spec.name,
                    "snapshot-reconcile",
                    format!("{key:?} is in the first snapshot but not in the exposition"),
                )),
                (_, Some(_), None) => findings.push(finding(
                    &spec.name,
                    "snapshot-reconcile",
                    format!("{key:?} is in the exposition but not in the second snapshot"),
                )),
                (Some(lo), Some(mid), Some(hi))
                    if *lo > mid + tolerance(*mid)
                        || *mid > hi + tolerance(*hi)
                        || (quiet && (!close(*lo, *mid) || !close(*mid, *hi))) =>
                {
                    findings.push(finding(
                        &spec.name,
                        "snapshot-reconcile",
                        format!("{key:?}: snapshot {lo}, exposition {mid}, snapshot {hi}"),
                    ));
                }
                _ => {}
            }
        }
    }
    let same_cache = s1.get("gauges_cached_at").is_some()
        && s1.get("gauges_cached_at") == s2.get("gauges_cached_at");
    if same_cache {
        for spec in contract.family.iter().filter(|f| f.cached) {
            let key = (spec.name.clone(), Vec::new());
            if a.get(&key) != e.series.get(&key) {
                findings.push(finding(
                    &spec.name,
                    "snapshot-reconcile",
                    format!(
                        "snapshot {:?} but exposition {:?} from the same cached set",
                        a.get(&key),
                        e.series.get(&key)
                    ),
                ));
            }
        }
    }
    let number = |s: &Value, k: &str| s.get(k).and_then(Value::as_f64).unwrap_or(0.0);
    if number(s2, "uptime_seconds") < number(s1, "uptime_seconds") {
        findings.push(finding(
            "(snapshot)",
            "snapshot-reconcile",
            "uptime_seconds went back between two snapshots".into(),
        ));
    }
    findings
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn contract() -> Contract {
        Contract::parse("[[family]]\nname = \"c_total\"\ntype = \"counter\"\nhelp = \"x\"\nlabels = [\"k\"]\n\n[[family]]\nname = \"g_total\"\ntype = \"gauge\"\nhelp = \"x\"\nlabels = []\ncached = true\n", "t").unwrap()
    }

    fn snapshot(counter: f64, gauge: f64) -> Value {
        json!({"generated_at": "2025-01-01T00:00:00.000Z", "uptime_seconds": 1.0, "gauges_cached_at": "2025-01-01T00:00:00.000Z",
            "c_total": [{"labels": {"k": "a"}, "value": counter}], "g_total": gauge})
    }

    fn exposition(counter: f64, gauge: f64) -> Scrape {
        Scrape::from_text(format!("# TYPE c_total counter\nc_total{{k=\"a\"}} {counter}\n# TYPE g_total gauge\ng_total {gauge}\n").as_bytes(), None).unwrap()
    }

    #[test]
    fn agreeing_snapshots_reconcile() {
        assert!(
            reconcile(
                &contract(),
                &snapshot(1.0, 2.0),
                &exposition(2.0, 2.0),
                &snapshot(3.0, 2.0),
                true,
                false
            )
            .is_empty()
        );
    }

    #[test]
    fn a_snapshot_ahead_of_the_exposition_is_a_mismatch() {
        let found = reconcile(
            &contract(),
            &snapshot(4.0, 2.0),
            &exposition(3.0, 2.0),
            &snapshot(4.0, 2.0),
            true,
            false,
        );
        assert_eq!(found.len(), 1, "{found:#?}");
        assert_eq!(
            (found[0].family.as_str(), found[0].rule),
            ("c_total", "snapshot-reconcile")
        );
        let gauge = reconcile(
            &contract(),
            &snapshot(3.0, 5.0),
            &exposition(3.0, 2.0),
            &snapshot(3.0, 5.0),
            false,
            false,
        );
        assert!(
            gauge
                .iter()
                .any(|f| f.family == "g_total" && f.severity == Severity::AssumptionNotMet)
        );
    }

    #[test]
    fn a_quiet_instance_agrees_within_the_relative_tolerance_only() {
        let check = |exposed: f64| {
            reconcile(
                &contract(),
                &snapshot(0.001064233, 2.0),
                &exposition(exposed, 2.0),
                &snapshot(0.001064233, 2.0),
                true,
                true,
            )
        };
        // The same sum added up in another order: one bit apart (seen on the reference).
        assert!(check(0.0010642330000000001).is_empty());
        assert_eq!(check(0.0010642340).len(), 1);
    }

    #[test]
    fn a_missing_family_is_a_shape_error() {
        let found = reconcile(
            &contract(),
            &json!({"generated_at": "x"}),
            &exposition(1.0, 1.0),
            &snapshot(1.0, 1.0),
            true,
            false,
        );
        assert!(
            found.iter().all(|f| f.rule == "snapshot-shape") && found.len() >= 3,
            "{found:#?}"
        );
    }
}
