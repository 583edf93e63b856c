//! The checks of metrics.md §7.1 on one parsed exposition against the contract: presence,
//! type from `# TYPE` (never from the suffix), label names and bounded values, value ranges,
//! histogram integrity, the `path`/`status`/`method` label rules (§3), cardinality budgets,
//! promlint-style naming (warnings where the documented names force them) and the invariants
//! between families. Across two scrapes, `counter_resets` finds counters that went down.

use super::contract::{Contract, FamilySpec, Kind};
use super::exposition::{
    Exposition, Family, Format, MetricType, Rule, Sample, Severity as DiagnosticSeverity, Suffix,
};
use super::findings::{Finding, Severity};
use super::scrape::Scrape;
use std::collections::{BTreeMap, BTreeSet};

/// The family that stands for a documented name: the same name, or in OpenMetrics input the
/// counter family `X` for the documented `X_total` (metrics.md §1).
pub fn find_family<'e, 'a>(
    exposition: &'e Exposition<'a>,
    spec: &FamilySpec,
) -> Option<&'e Family<'a>> {
    exposition.family(&spec.name).or_else(|| {
        let stripped = spec.name.strip_suffix("_total")?;
        (exposition.format == Format::OpenMetrics)
            .then(|| exposition.family(stripped))
            .flatten()
    })
}

fn expected_type(kind: Kind) -> MetricType {
    match kind {
        Kind::Counter => MetricType::Counter,
        Kind::Gauge => MetricType::Gauge,
        Kind::Histogram => MetricType::Histogram,
    }
}

/// Label pairs of a sample without the histogram's `le`.
fn series_labels(sample: &Sample<'_>) -> Vec<(String, String)> {
    let mut labels: Vec<(String, String)> = sample
        .labels
        .iter()
        .filter(|l| l.name != "le")
        .map(|l| (l.name.to_owned(), l.value.to_string()))
        .collect();
    labels.sort();
    labels
}

/// Every check on one exposition. `own_quiet_instance`: a reference target the harness
/// started, with no request in flight (the reference invariants hold exactly there).
pub fn check(
    contract: &Contract,
    exposition: &Exposition<'_>,
    own_quiet_instance: bool,
) -> Vec<Finding> {
    let mut findings = Vec::new();
    for diagnostic in exposition.errors() {
        findings.push(Finding::failure(
            "(exposition)",
            "parse",
            diagnostic.to_string(),
        ));
    }
    // The format's reference reader only warns about these, but Prometheus refuses a duplicate
    // sample at ingestion and a NaN or negative counter breaks rate(): for the contract they
    // fail.
    for diagnostic in exposition.diagnostics.iter().filter(|d| {
        d.severity == DiagnosticSeverity::Warning
            && matches!(d.rule, Rule::DuplicateSeries | Rule::CounterValue)
    }) {
        findings.push(Finding::failure(
            "(exposition)",
            diagnostic.rule.as_str(),
            diagnostic.to_string(),
        ));
    }
    for spec in &contract.family {
        let Some(family) = find_family(exposition, spec) else {
            findings.push(Finding::failure(
                &spec.name,
                "family-present",
                "the documented family is not exposed",
            ));
            continue;
        };
        check_family(spec, family, &mut findings);
    }
    check_invariants(exposition, contract, own_quiet_instance, &mut findings);
    findings
}

fn check_family(spec: &FamilySpec, family: &Family<'_>, findings: &mut Vec<Finding>) {
    let name = spec.name.as_str();
    if family.type_line.is_none() {
        findings.push(Finding::failure(
            name,
            "type",
            "no # TYPE line declares the family",
        ));
    } else if family.metric_type != expected_type(spec.kind) {
        findings.push(Finding::failure(
            name,
            "type",
            format!(
                "declared {:?}, documented {:?}",
                family.metric_type, spec.kind
            ),
        ));
    }
    if spec.labels.is_empty() && family.samples.is_empty() {
        findings.push(Finding::failure(
            name,
            "sample",
            "a family without labels must have a sample",
        ));
    }
    let wanted: BTreeSet<&str> = spec.labels.iter().map(String::as_str).collect();
    let mut series = BTreeSet::new();
    for sample in &family.samples {
        let names: BTreeSet<&str> = sample
            .labels
            .iter()
            .map(|l| l.name)
            .filter(|n| *n != "le")
            .collect();
        if names != wanted {
            findings.push(Finding::failure(
                name,
                "labels",
                format!(
                    "line {}: labels {names:?}, documented {wanted:?}",
                    sample.line
                ),
            ));
        }
        series.insert(series_labels(sample));
        check_label_values(spec, sample, findings);
        if spec.kind != Kind::Histogram {
            check_value(spec, sample, findings);
        }
    }
    if let Some(budget) = spec.max_series
        && series.len() > budget
    {
        findings.push(Finding::new(
            Severity::Warning,
            name,
            "cardinality",
            format!("{} series, budget {budget}", series.len()),
        ));
    }
    if spec.kind == Kind::Histogram {
        check_histogram(name, family, findings);
    }
    if spec.kind != Kind::Counter && name.ends_with("_total") {
        findings.push(Finding::new(
            Severity::Warning,
            name,
            "naming",
            "non-counter metrics should not have a _total suffix (forced by the documented name)",
        ));
    }
}

fn check_value(spec: &FamilySpec, sample: &Sample<'_>, findings: &mut Vec<Finding>) {
    let name = spec.name.as_str();
    if !matches!(sample.suffix, Suffix::None | Suffix::Total) {
        return;
    }
    if !sample.value.is_finite() || sample.value < 0.0 {
        findings.push(Finding::failure(
            name,
            "value-range",
            format!(
                "line {}: value {} is not finite and >= 0",
                sample.line, sample.value
            ),
        ));
    } else if spec.cached && sample.value.fract() != 0.0 {
        findings.push(Finding::failure(
            name,
            "whole-number",
            format!(
                "line {}: a database gauge holds {}",
                sample.line, sample.value
            ),
        ));
    }
}

/// A raw identifier in a `path` label: a UUID, 16+ hex characters, an all-digit segment, a
/// credential or claim code, or a query string (metrics.md §3).
pub fn raw_id_in_path(path: &str) -> Option<String> {
    if path.contains('?') {
        return Some("a query string".into());
    }
    for segment in path.split('/').filter(|s| !s.is_empty()) {
        let hex_run = segment.chars().filter(|c| c.is_ascii_hexdigit()).count() >= 16
            && segment.chars().all(|c| c.is_ascii_hexdigit() || c == '-');
        let digits = segment.chars().all(|c| c.is_ascii_digit());
        let credential = ["cru_", "sk_", "cru_claim_"]
            .iter()
            .any(|p| segment.starts_with(p));
        if hex_run || digits || credential || uuid::Uuid::parse_str(segment).is_ok() {
            return Some(format!("segment {segment:?}"));
        }
    }
    None
}

fn check_label_values(spec: &FamilySpec, sample: &Sample<'_>, findings: &mut Vec<Finding>) {
    let name = spec.name.as_str();
    for label in &sample.labels {
        let value = label.value.as_ref();
        if let Some(allowed) = spec.values.get(label.name)
            && !allowed.iter().any(|a| a == value)
        {
            // claim_emails_total's values are documented (DOC); the others are reported.
            let severity = if name == "claim_emails_total" {
                Severity::Failure
            } else {
                Severity::Info
            };
            findings.push(Finding::new(
                severity,
                name,
                "label-values",
                format!(
                    "line {}: {}={value:?} is not one of {allowed:?}",
                    sample.line, label.name
                ),
            ));
        }
        match (name.starts_with("http_"), label.name) {
            (true, "method")
                if value.is_empty() || !value.chars().all(|c| c.is_ascii_uppercase()) =>
            {
                findings.push(Finding::failure(
                    name,
                    "method-label",
                    format!(
                        "line {}: method {value:?} is not an upper-case token",
                        sample.line
                    ),
                ));
            }
            (true, "path") => check_path(name, sample.line, value, findings),
            (_, "status") if name == "http_requests_total" => {
                let three_digits = value.len() == 3 && value.chars().all(|c| c.is_ascii_digit());
                if !three_digits {
                    let class = value.len() == 3 && value.ends_with("xx");
                    let severity = if class {
                        Severity::AssumptionNotMet
                    } else {
                        Severity::Failure
                    };
                    findings.push(Finding::new(
                        severity,
                        name,
                        "status-label",
                        format!(
                            "line {}: status {value:?} is not a three-digit code",
                            sample.line
                        ),
                    ));
                }
            }
            _ => {}
        }
    }
}

fn check_path(family: &str, line: u32, path: &str, findings: &mut Vec<Finding>) {
    if path == "unmatched" {
        return;
    }
    if let Some(what) = raw_id_in_path(path) {
        findings.push(Finding::new(Severity::AssumptionNotMet, family, "raw-id", format!("line {line}: path label {path:?} holds a raw ID ({what}); the label must be the route template")));
        return;
    }
    let normalised = crate::spec::normalise_template(path);
    let known = crate::spec::endpoints()
        .iter()
        .any(|e| crate::spec::normalise_template(&e.path) == normalised);
    if path.starts_with("/api/") && !known {
        findings.push(Finding::new(
            Severity::AssumptionNotMet,
            family,
            "path-template",
            format!("line {line}: path label {path:?} is no route template of the spec"),
        ));
    }
}

fn check_histogram(name: &str, family: &Family<'_>, findings: &mut Vec<Finding>) {
    #[derive(Default)]
    struct Series {
        buckets: Vec<(f64, f64)>,
        count: Option<f64>,
        sum: Option<f64>,
    }
    let mut by_series: BTreeMap<Vec<(String, String)>, Series> = BTreeMap::new();
    for sample in &family.samples {
        let entry = by_series.entry(series_labels(sample)).or_default();
        match sample.suffix {
            Suffix::Bucket => {
                let le = sample.label("le").and_then(|v| {
                    if v == "+Inf" {
                        Some(f64::INFINITY)
                    } else {
                        v.parse().ok()
                    }
                });
                match le {
                    Some(le) => entry.buckets.push((le, sample.value)),
                    None => findings.push(Finding::failure(
                        name,
                        "histogram-buckets",
                        format!("line {}: a bucket without a valid le", sample.line),
                    )),
                }
            }
            Suffix::Count => entry.count = Some(sample.value),
            Suffix::Sum => entry.sum = Some(sample.value),
            _ => {}
        }
    }
    for (labels, mut series) in by_series {
        let at = if labels.is_empty() {
            String::new()
        } else {
            format!(" {labels:?}")
        };
        series.buckets.sort_by(|a, b| a.0.total_cmp(&b.0));
        if series.buckets.windows(2).any(|w| w[1].1 < w[0].1) {
            findings.push(Finding::failure(
                name,
                "histogram-buckets",
                format!("buckets are not cumulative{at}"),
            ));
        }
        let inf = series
            .buckets
            .iter()
            .find(|b| b.0.is_infinite())
            .map(|b| b.1);
        match (inf, series.count) {
            (None, _) => findings.push(Finding::failure(
                name,
                "histogram-inf",
                format!("no le=\"+Inf\" bucket{at}"),
            )),
            (Some(_), None) => findings.push(Finding::failure(
                name,
                "histogram-count",
                format!("no _count series{at}"),
            )),
            (Some(inf), Some(count)) if inf != count => findings.push(Finding::failure(
                name,
                "histogram-count",
                format!("+Inf bucket {inf} differs from _count {count}{at}"),
            )),
            _ => {}
        }
        match series.sum {
            None => findings.push(Finding::failure(
                name,
                "histogram-sum",
                format!("no _sum series{at}"),
            )),
            Some(sum) if sum.is_nan() || sum < 0.0 => findings.push(Finding::failure(
                name,
                "histogram-sum",
                format!("_sum {sum} is negative{at}"),
            )),
            _ => {}
        }
    }
}

fn sum_of(exposition: &Exposition<'_>, name: &str, suffixes: &[Suffix]) -> Option<f64> {
    let family = exposition.family(name)?;
    Some(
        family
            .samples
            .iter()
            .filter(|s| suffixes.contains(&s.suffix))
            .map(|s| s.value)
            .sum(),
    )
}

fn check_invariants(
    exposition: &Exposition<'_>,
    contract: &Contract,
    own_quiet: bool,
    findings: &mut Vec<Finding>,
) {
    let value = |name: &str| sum_of(exposition, name, &[Suffix::None, Suffix::Total]);
    if let (Some(unclaimed), Some(agents)) = (
        value("crustocean_agents_unclaimed"),
        value("crustocean_agents_total"),
    ) && unclaimed > agents
    {
        findings.push(Finding::new(
            Severity::AssumptionNotMet,
            "crustocean_agents_unclaimed",
            "invariant",
            format!("{unclaimed} unclaimed agents of {agents}"),
        ));
    }
    if let (Some(current), Some(total)) = (
        value("socket_connections_current"),
        value("socket_connections_total"),
    ) && current > total
    {
        findings.push(Finding::new(
            Severity::AssumptionNotMet,
            "socket_connections_current",
            "invariant",
            format!("{current} open of {total} ever opened"),
        ));
    }
    if contract.family("http_requests_total").is_none() {
        return;
    }
    // Per (method, path): the requests over all statuses equal the latency observations.
    let mut requests: BTreeMap<(String, String), f64> = BTreeMap::new();
    if let Some(family) = exposition.family("http_requests_total") {
        for s in &family.samples {
            let key = (
                s.label("method").unwrap_or_default().to_owned(),
                s.label("path").unwrap_or_default().to_owned(),
            );
            *requests.entry(key).or_default() += s.value;
        }
    }
    let mut observed: BTreeMap<(String, String), f64> = BTreeMap::new();
    if let Some(family) = exposition.family("http_request_duration_seconds") {
        for s in family.samples.iter().filter(|s| s.suffix == Suffix::Count) {
            let key = (
                s.label("method").unwrap_or_default().to_owned(),
                s.label("path").unwrap_or_default().to_owned(),
            );
            *observed.entry(key).or_default() += s.value;
        }
    }
    let severity = if own_quiet {
        Severity::Failure
    } else {
        Severity::Info
    };
    for (key, count) in &requests {
        let seen = observed.get(key).copied().unwrap_or(0.0);
        if seen != *count {
            findings.push(Finding::new(
                severity,
                "http_request_duration_seconds",
                "invariant",
                format!(
                    "{} {}: {count} requests but {seen} latency observations",
                    key.0, key.1
                ),
            ));
        }
    }
    if own_quiet {
        let total: f64 = requests.values().sum();
        let db = sum_of(exposition, "db_query_duration_seconds", &[Suffix::Count]).unwrap_or(0.0);
        if db != total {
            findings.push(Finding::failure(
                "db_query_duration_seconds",
                "invariant",
                format!("{db} observations for {total} counted requests"),
            ));
        }
    }
}

/// Counters and histogram counts that went down between two scrapes of the same process.
pub fn counter_resets(contract: &Contract, before: &Scrape, after: &Scrape) -> Vec<Finding> {
    let mut findings = Vec::new();
    for spec in contract.family.iter().filter(|f| f.kind != Kind::Gauge) {
        let counted = |name: &str| {
            name == spec.name
                || name == format!("{}_count", spec.name)
                || name == format!("{}_total", spec.name)
        };
        for ((name, labels), value) in &before.series {
            if !counted(name) {
                continue;
            }
            let now = after
                .series
                .get(&(name.clone(), labels.clone()))
                .copied()
                .unwrap_or(0.0);
            if now < *value {
                findings.push(Finding::failure(
                    &spec.name,
                    "counter-reset",
                    format!("{name}{labels:?} went from {value} to {now} between two scrapes"),
                ));
            }
        }
    }
    findings
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::exposition::parse;

    fn findings_for(text: &str) -> Vec<Finding> {
        let contract = Contract::parse(
            r#"
[[family]]
name = "http_requests_total"
type = "counter"
help = "x"
labels = ["method", "path", "status"]

[[family]]
name = "lat_seconds"
type = "histogram"
help = "x"
labels = []

[[family]]
name = "users_total"
type = "gauge"
help = "x"
labels = []
cached = true
"#,
            "test",
        )
        .unwrap();
        check(
            &contract,
            &parse(text.as_bytes(), Format::Prometheus),
            false,
        )
    }

    fn rules(findings: &[Finding]) -> Vec<&'static str> {
        findings
            .iter()
            .filter(|f| f.severity <= Severity::AssumptionNotMet)
            .map(|f| f.rule)
            .collect()
    }

    #[test]
    fn a_clean_exposition_has_only_the_forced_naming_warning() {
        let found = findings_for(
            "# TYPE http_requests_total counter\nhttp_requests_total{method=\"GET\",path=\"/api/agencies\",status=\"200\"} 3\n# TYPE lat_seconds histogram\nlat_seconds_bucket{le=\"0.1\"} 1\nlat_seconds_bucket{le=\"+Inf\"} 2\nlat_seconds_sum 0.3\nlat_seconds_count 2\n# TYPE users_total gauge\nusers_total 4\n",
        );
        assert!(rules(&found).is_empty(), "{found:#?}");
        assert!(
            found
                .iter()
                .any(|f| f.rule == "naming" && f.family == "users_total")
        );
    }

    #[test]
    fn each_rule_names_its_family() {
        let found = findings_for(
            "# TYPE http_requests_total gauge\nhttp_requests_total{method=\"get\",path=\"/api/agencies/0b4a9c1e-6f0d-4f5e-9a51-2d7c3e8b9f10\",status=\"2xx\"} 3\n# TYPE lat_seconds histogram\nlat_seconds_bucket{le=\"0.1\"} 3\nlat_seconds_bucket{le=\"+Inf\"} 2\nlat_seconds_sum 0.3\nusers_total 1.5\n",
        );
        let got = rules(&found);
        for rule in [
            "type",
            "method-label",
            "raw-id",
            "status-label",
            "histogram-buckets",
            "histogram-count",
        ] {
            assert!(got.contains(&rule), "{rule} missing from {found:#?}");
        }
        assert!(
            found
                .iter()
                .any(|f| f.family == "users_total" && f.rule == "type"),
            "no TYPE line: {found:#?}"
        );
    }

    #[test]
    fn raw_ids_are_recognised() {
        assert!(raw_id_in_path("/api/agencies/:id/messages").is_none());
        assert!(raw_id_in_path("/api/runs/12345").is_some());
        assert!(raw_id_in_path("/api/x/0123456789abcdef01").is_some());
        assert!(raw_id_in_path("/api/hooks?x=1").is_some());
        assert!(raw_id_in_path("/api/agents/claim/cru_claim_ab").is_some());
    }

    #[test]
    fn a_counter_going_down_is_a_reset() {
        let contract = Contract::built_in();
        let before = Scrape::from_text(
            b"# TYPE agent_registrations_total counter\nagent_registrations_total 3\n",
            None,
        )
        .unwrap();
        let after = Scrape::from_text(
            b"# TYPE agent_registrations_total counter\nagent_registrations_total 1\n",
            None,
        )
        .unwrap();
        let found = counter_resets(&contract, &before, &after);
        assert_eq!(found.len(), 1);
        assert_eq!(
            (found[0].family.as_str(), found[0].rule),
            ("agent_registrations_total", "counter-reset")
        );
        assert!(counter_resets(&contract, &after, &before).is_empty());
    }
}
