//! Rules on whole families, checked once every line is read: histogram buckets (each series
//! has an `le` on every bucket, a `+Inf` bucket, cumulative counts, and `+Inf` = `_count`),
//! summary quantiles present, counters neither NaN nor negative.
//!
//! Go's reader lets all of these pass, so in Prometheus text they are warnings; OpenMetrics
//! makes them errors. A malformed `le` or `quantile` was already reported by the line pass
//! and is skipped here.

use super::line::parse_float;
use super::parser::series_text;
use super::series::{PrehashedHasher, label_set_hash, same_label_set};
use super::{Diagnostic, Family, Format, MetricType, Rule, Sample, Severity, Suffix};
use std::collections::HashMap;
use std::hash::BuildHasherDefault;

pub(super) fn families(format: Format, families: &[Family<'_>], out: &mut Vec<Diagnostic>) {
    let severity = match format {
        Format::Prometheus => Severity::Warning,
        Format::OpenMetrics => Severity::Error,
    };
    let mut report = |line: u32, rule: Rule, message: String| {
        out.push(Diagnostic {
            line,
            severity,
            rule,
            message,
        });
    };
    for family in families {
        match family.metric_type {
            MetricType::Histogram => histogram(family, &mut report),
            MetricType::GaugeHistogram if format == Format::OpenMetrics => {
                histogram(family, &mut report)
            }
            MetricType::Summary => {
                for sample in &family.samples {
                    if sample.suffix == Suffix::None && sample.label("quantile").is_none() {
                        let message = format!(
                            "summary sample {} has no quantile label",
                            series_text(sample.name, &sample.labels)
                        );
                        report(sample.line, Rule::Summary, message);
                    }
                }
            }
            MetricType::Counter => {
                for sample in &family.samples {
                    let counted = match format {
                        Format::Prometheus => sample.suffix == Suffix::None,
                        Format::OpenMetrics => sample.suffix == Suffix::Total,
                    };
                    if counted && (sample.value.is_nan() || sample.value < 0.0) {
                        let message = format!(
                            "counter {} is {}: a counter is never NaN or negative",
                            series_text(sample.name, &sample.labels),
                            sample.value
                        );
                        report(sample.line, Rule::CounterValue, message);
                    }
                }
            }
            _ => {}
        }
    }
}

/// One histogram series: its samples with every label but `le` in common.
struct Series<'s, 'a> {
    first: &'s Sample<'a>,
    /// (le as written, le, cumulative count, line)
    buckets: Vec<(&'s str, f64, f64, u32)>,
    count: Option<&'s Sample<'a>>,
    bucketless: bool,
}

fn histogram(family: &Family<'_>, report: &mut impl FnMut(u32, Rule, String)) {
    let mut by_hash: HashMap<u64, usize, BuildHasherDefault<PrehashedHasher>> = HashMap::default();
    let mut series: Vec<Series<'_, '_>> = Vec::new();
    for sample in &family.samples {
        if sample.suffix == Suffix::Created {
            continue;
        }
        let hash = label_set_hash(&sample.labels, Some("le"));
        let same = |s: &Series<'_, '_>| same_label_set(&s.first.labels, &sample.labels, Some("le"));
        let found = match by_hash.get(&hash) {
            Some(&at) if series.get(at).is_some_and(same) => Some(at),
            Some(_) => series.iter().position(same),
            None => None,
        };
        let at = found.unwrap_or_else(|| {
            series.push(Series {
                first: sample,
                buckets: Vec::new(),
                count: None,
                bucketless: true,
            });
            by_hash.entry(hash).or_insert(series.len() - 1);
            series.len() - 1
        });
        let Some(entry) = series.get_mut(at) else {
            continue;
        };
        match sample.suffix {
            Suffix::Bucket => {
                entry.bucketless = false;
                match sample.label("le") {
                    None => {
                        let message = format!(
                            "histogram bucket {} has no le label",
                            series_text(sample.name, &sample.labels)
                        );
                        report(sample.line, Rule::Histogram, message);
                    }
                    Some(text) => {
                        if let Some(le) = parse_float(text.as_bytes()) {
                            entry.buckets.push((text, le, sample.value, sample.line));
                        }
                    }
                }
            }
            Suffix::Count | Suffix::GCount => entry.count = Some(sample),
            _ => {}
        }
    }
    for entry in &mut series {
        let shown = series_text(family.name, &without_le(&entry.first.labels));
        if entry.bucketless && entry.buckets.is_empty() {
            let message = format!("histogram series {shown} has no buckets (not even le=\"+Inf\")");
            report(entry.first.line, Rule::Histogram, message);
            continue;
        }
        entry.buckets.sort_by(|a, b| a.1.total_cmp(&b.1));
        let infinite = entry.buckets.iter().find(|b| b.1 == f64::INFINITY);
        if infinite.is_none() {
            let message = format!("histogram series {shown} has no le=\"+Inf\" bucket");
            report(entry.first.line, Rule::Histogram, message);
        }
        if let Some(pair) = entry.buckets.windows(2).find(|w| match w {
            [lower, upper] => upper.2 < lower.2,
            _ => false,
        }) && let [lower, upper] = pair
        {
            let message = format!(
                "histogram series {shown} is not cumulative: bucket le=\"{}\" holds {}, less than {} in le=\"{}\" (line {})",
                upper.0, upper.2, lower.2, lower.0, lower.3
            );
            report(upper.3, Rule::Histogram, message);
        }
        if let (Some(inf), Some(count)) = (infinite, entry.count)
            && inf.2 != count.value
            && !(inf.2.is_nan() && count.value.is_nan())
        {
            let message = format!(
                "histogram series {shown}: {} is {} but the le=\"+Inf\" bucket (line {}) holds {}; they must be equal",
                count.name, count.value, inf.3, inf.2
            );
            report(count.line, Rule::Histogram, message);
        }
    }
}

fn without_le<'a>(labels: &[super::Label<'a>]) -> Vec<super::Label<'a>> {
    labels
        .iter()
        .filter(|label| label.name != "le")
        .cloned()
        .collect()
}
