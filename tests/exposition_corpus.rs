//! The exposition corpus (`fixtures/expositions/`, format in its README) against the parser
//! of `tidegauge::metrics::exposition`, promtool's recorded verdicts, and prometheus-parse.
//!
//! * Every case: our verdict equals the one its `.expect` sidecar records; read as Prometheus
//!   text, it has an error exactly when promtool exited 1, on the line promtool named.
//! * No sample line is dropped without a diagnostic, in either format.
//! * The recorded `.promtool` sidecars are what the installed promtool 2.42 says today.
//! * prometheus-parse 0.2.5 loses or corrupts data on the cases listed in
//!   `PROMETHEUS_PARSE_VERDICTS`: the evidence for writing our own parser.
//!
//! A new case needs its `.prom`/`.om` file, a `.promtool` (run `record-promtool.sh`) and a
//! hand-written `.expect`; a new Prometheus-text case also needs its line in
//! `PROMETHEUS_PARSE_VERDICTS`.

mod common;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::process::Command;
use tidegauge::metrics::exposition::{self, Exposition, Format, MetricType, Severity, Timestamp};

fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/expositions")
}

struct Case {
    name: String,
    format: Format,
    input: Vec<u8>,
    promtool: Promtool,
    expect: Expect,
}

/// A `.promtool` sidecar: `exit N`, then promtool's stderr lines.
struct Promtool {
    exit: i32,
    stderr: Vec<String>,
}

impl Promtool {
    /// The line of promtool's parse error ("… in line 3: …").
    fn error_line(&self) -> Option<u32> {
        self.stderr.iter().find_map(|line| {
            let (_, after) = line.split_once(" in line ")?;
            after.split(':').next()?.parse().ok()
        })
    }
}

/// A `.expect` sidecar: our parser's verdict, written by hand.
struct Expect {
    verdict: String,
    diagnostics: Vec<(u32, String)>,
    samples: usize,
    promtool_compared: bool,
}

fn read_promtool(path: &Path) -> Promtool {
    let text = std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("{}: {e} (run record-promtool.sh)", path.display()));
    let mut lines = text.lines();
    let exit = lines
        .next()
        .and_then(|line| line.strip_prefix("exit "))
        .and_then(|code| code.parse().ok())
        .unwrap_or_else(|| panic!("{}: first line must be `exit N`", path.display()));
    Promtool {
        exit,
        stderr: lines.map(str::to_owned).collect(),
    }
}

fn read_expect(path: &Path) -> Expect {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut fields = BTreeMap::new();
    for line in text.lines() {
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        let (key, value) = line
            .split_once(':')
            .unwrap_or_else(|| panic!("{}: `{line}` is not `key: value`", path.display()));
        fields.insert(key.trim().to_owned(), value.trim().to_owned());
    }
    let field = |key: &str| {
        fields
            .get(key)
            .cloned()
            .unwrap_or_else(|| panic!("{}: missing `{key}:`", path.display()))
    };
    let diagnostics = field("diagnostics");
    let diagnostics = if diagnostics == "none" {
        Vec::new()
    } else {
        diagnostics
            .split(',')
            .map(|item| {
                let (line, rule) = item.trim().split_once(' ').unwrap_or_else(|| {
                    panic!("{}: diagnostic `{item}` is not `LINE rule`", path.display())
                });
                (line.parse().expect("a line number"), rule.to_owned())
            })
            .collect()
    };
    let promtool = field("promtool");
    assert!(
        promtool == "compared" || promtool.starts_with("cannot judge"),
        "{}: promtool must be `compared` or `cannot judge: <why>`",
        path.display()
    );
    Expect {
        verdict: field("verdict"),
        diagnostics,
        samples: field("samples").parse().expect("samples: a count"),
        promtool_compared: promtool == "compared",
    }
}

fn cases() -> Vec<Case> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(corpus_dir())
        .expect("fixtures/expositions")
        .map(|entry| entry.expect("a directory entry").path())
        .filter(|path| {
            matches!(
                path.extension().and_then(|e| e.to_str()),
                Some("prom" | "om")
            )
        })
        .collect();
    paths.sort();
    paths
        .into_iter()
        .map(|path| {
            let format = match path.extension().and_then(|e| e.to_str()) {
                Some("om") => Format::OpenMetrics,
                _ => Format::Prometheus,
            };
            Case {
                name: path.file_name().unwrap().to_string_lossy().into_owned(),
                format,
                input: std::fs::read(&path).expect("the case file"),
                promtool: read_promtool(&path.with_extension("promtool")),
                expect: read_expect(&path.with_extension("expect")),
            }
        })
        .collect()
}

fn verdict(exposition: &Exposition<'_>) -> &'static str {
    match exposition.diagnostics.iter().map(|d| d.severity).max() {
        None => "ok",
        Some(Severity::Warning) => "warning",
        Some(Severity::Error) => "error",
    }
}

fn describe(exposition: &Exposition<'_>) -> String {
    exposition
        .diagnostics
        .iter()
        .map(|d| format!("\n    {:?} {}: {d}", d.severity, d.rule))
        .collect()
}

#[test]
fn corpus_has_at_least_40_cases() {
    let cases = cases();
    assert!(cases.len() >= 40, "only {} cases", cases.len());
    let prometheus = cases.iter().filter(|c| c.format == Format::Prometheus);
    assert!(prometheus.count() >= 26);
}

#[test]
fn every_case_agrees_with_promtool_and_its_expected_verdict() {
    let mut failures = Vec::new();
    let mut compared = 0;
    let cases = cases();
    for case in &cases {
        let ours = exposition::parse(&case.input, case.format);
        let expect = &case.expect;
        let diagnostics: Vec<(u32, String)> = ours
            .diagnostics
            .iter()
            .map(|d| (d.line, d.rule.as_str().to_owned()))
            .collect();
        if verdict(&ours) != expect.verdict
            || diagnostics != expect.diagnostics
            || ours.sample_count() != expect.samples
        {
            failures.push(format!(
                "{}: expected {} {:?} with {} samples, got {} with {} samples:{}",
                case.name,
                expect.verdict,
                expect.diagnostics,
                expect.samples,
                verdict(&ours),
                ours.sample_count(),
                describe(&ours)
            ));
        }
        // promtool reads text 0.0.4 only: an .om case cannot be judged by it as OpenMetrics.
        if expect.promtool_compared != (case.format == Format::Prometheus) {
            failures.push(format!(
                "{}: `promtool:` must be `compared` for .prom and `cannot judge` for .om",
                case.name
            ));
        }
        // Every case, .om included, read as Prometheus text must match promtool's verdict.
        let as_text = exposition::parse(&case.input, Format::Prometheus);
        let first_error = as_text.errors().next().map(|d| d.line);
        let promtool_error = case.promtool.exit == 1;
        if promtool_error != first_error.is_some()
            || (promtool_error && first_error != case.promtool.error_line())
        {
            failures.push(format!(
                "{}: promtool exit {} {:?}; ours as Prometheus text:{}",
                case.name,
                case.promtool.exit,
                case.promtool.stderr,
                describe(&as_text)
            ));
        } else {
            compared += 1;
        }
    }
    println!(
        "{} cases; read as Prometheus text, {compared} agree with promtool",
        cases.len()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn no_sample_line_is_dropped_without_a_diagnostic() {
    for case in cases() {
        for format in [Format::Prometheus, Format::OpenMetrics] {
            let ours = exposition::parse(&case.input, format);
            let kept: BTreeSet<u32> = ours.samples().map(|(_, s)| s.line).collect();
            let reported: BTreeSet<u32> = ours.errors().map(|d| d.line).collect();
            // One diagnostic stands for everything after a misplaced `# EOF`.
            let after_eof = ours
                .diagnostics
                .iter()
                .find(|d| d.rule.as_str() == "after-eof")
                .map_or(u32::MAX, |d| d.line);
            for (index, line) in case.input.split(|&b| b == b'\n').enumerate() {
                let number = index as u32 + 1;
                let first = line.iter().find(|&&b| b != b' ' && b != b'\t');
                if first.is_none() || first == Some(&b'#') || number >= after_eof {
                    continue;
                }
                assert!(
                    kept.contains(&number) || reported.contains(&number),
                    "{} as {format}: line {number} is neither a sample nor reported",
                    case.name
                );
            }
        }
    }
}

#[test]
fn recorded_promtool_verdicts_are_current() {
    let Some(promtool) = common::promtool(Some("2.42.0")) else {
        return;
    };
    for case in cases() {
        let output = Command::new(&promtool)
            .args(["check", "metrics"])
            .stdin(std::fs::File::open(corpus_dir().join(&case.name)).expect("the case"))
            .output()
            .expect("promtool runs");
        let stderr: Vec<String> = String::from_utf8_lossy(&output.stderr)
            .lines()
            .map(str::to_owned)
            .collect();
        assert_eq!(
            (output.status.code(), stderr),
            (Some(case.promtool.exit), case.promtool.stderr.clone()),
            "{}: promtool's verdict changed; run fixtures/expositions/record-promtool.sh",
            case.name
        );
    }
}

/// What prometheus-parse 0.2.5 makes of each Prometheus-text case, compared with our samples:
/// `same`, or what it lost (our samples it lacks), got wrong (its samples we lack: a corrupted
/// name, label or value) and typed wrongly; for an invalid case, that it accepted it anyway.
const PROMETHEUS_PARSE_VERDICTS: &[(&str, &str)] = &[
    ("01_label_brace.prom", "lost 1"),
    ("02_label_equals.prom", "lost 1, wrong 1"),
    ("03_label_quote.prom", "lost 1, wrong 1"),
    ("04_label_backslash.prom", "lost 1, wrong 1"),
    ("05_label_newline.prom", "lost 1, wrong 1"),
    ("06_label_comma.prom", "lost 1, wrong 1"),
    ("07_empty_braces.prom", "lost 1"),
    ("08_histogram.prom", "retyped 2"),
    ("09_summary.prom", "retyped 2"),
    ("10_timestamps.prom", "same"),
    ("11_special_values.prom", "same"),
    ("12_duplicate_series.prom", "same"),
    ("13_missing_type.prom", "same"),
    ("14_untyped.prom", "same"),
    ("15_help_escapes.prom", "help 1"),
    (
        "20_bad_metric_name.prom",
        "accepts invalid input (2 samples)",
    ),
    ("21_bad_value.prom", "accepts invalid input (0 samples)"),
    (
        "22_unclosed_quote.prom",
        "accepts invalid input (1 samples)",
    ),
    ("23_lint_bait.prom", "same"),
    ("24_trailing_comma.prom", "same"),
    ("25_mixed_label_sets.prom", "same"),
    ("26_utf8_label.prom", "same"),
    ("27_bad_escape.prom", "accepts invalid input (1 samples)"),
    ("28_missing_value.prom", "accepts invalid input (1 samples)"),
    (
        "29_duplicate_type.prom",
        "accepts invalid input (1 samples)",
    ),
    (
        "30_type_after_samples.prom",
        "accepts invalid input (1 samples)",
    ),
    ("31_histogram_no_inf.prom", "retyped 2"),
    ("32_histogram_not_cumulative.prom", "retyped 2"),
    ("33_bad_timestamp.prom", "accepts invalid input (2 samples)"),
    ("34_garbage_line.prom", "accepts invalid input (2 samples)"),
    (
        "35_unterminated_label_set.prom",
        "accepts invalid input (0 samples)",
    ),
    (
        "36_invalid_utf8_label.prom",
        "accepts invalid input (1 samples)",
    ),
    ("37_nan_counter.prom", "same"),
    (
        "38_duplicate_help.prom",
        "accepts invalid input (1 samples)",
    ),
    ("39_unknown_type.prom", "accepts invalid input (1 samples)"),
    (
        "40_missing_final_newline.prom",
        "accepts invalid input (1 samples)",
    ),
    (
        "41_crlf_line_endings.prom",
        "accepts invalid input (1 samples)",
    ),
    (
        "42_reserved_label_name.prom",
        "accepts invalid input (1 samples)",
    ),
    (
        "43_duplicate_label_name.prom",
        "accepts invalid input (1 samples)",
    ),
    ("44_whitespace_tolerance.prom", "lost 2"),
    ("45_exotic_floats.prom", "same"),
    (
        "46_float_overflow.prom",
        "accepts invalid input (1 samples)",
    ),
    ("47_histogram_count_mismatch.prom", "retyped 2"),
    ("48_interleaved_families.prom", "same"),
    ("49_label_value_lookalikes.prom", "lost 1"),
    (
        "50_trailing_whitespace.prom",
        "accepts invalid input (1 samples)",
    ),
    ("51_invalid_le.prom", "accepts invalid input (3 samples)"),
    (
        "52_invalid_quantile.prom",
        "accepts invalid input (2 samples)",
    ),
    ("53_type_case_insensitive.prom", "retyped 1"),
    (
        "54_help_quote_escape.prom",
        "accepts invalid input (1 samples)",
    ),
    ("55_recording_rule_names.prom", "lost 1, help 1"),
    ("56_empty.prom", "same"),
    ("57_declared_without_samples.prom", "same"),
    ("58_reordered_duplicate.prom", "same"),
    ("59_summary_without_quantile.prom", "retyped 3"),
    (
        "60_lone_backslash_label.prom",
        "accepts invalid input (1 samples)",
    ),
    (
        "61_multiple_errors.prom",
        "accepts invalid input (3 samples)",
    ),
];

/// One sample, normalised so that both parsers' output compares: labels sorted, `le` and
/// `quantile` values re-spelled from their float, NaN canonical.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Flat {
    name: String,
    labels: BTreeMap<String, String>,
    value: u64,
    timestamp_ms: Option<i64>,
}

fn flat(name: &str, labels: BTreeMap<String, String>, value: f64, ms: Option<i64>) -> Flat {
    let labels = labels
        .into_iter()
        .map(|(k, v)| {
            let v = if k == "le" || k == "quantile" {
                v.parse::<f64>().map_or(v, |f| format!("{f}"))
            } else {
                v
            };
            (k, v)
        })
        .collect();
    let value = if value.is_nan() { f64::NAN } else { value };
    Flat {
        name: name.to_owned(),
        labels,
        value: value.to_bits(),
        timestamp_ms: ms,
    }
}

fn type_name(metric_type: MetricType) -> &'static str {
    match metric_type {
        MetricType::Counter => "counter",
        MetricType::Gauge => "gauge",
        MetricType::Histogram => "histogram",
        MetricType::Summary => "summary",
        _ => "untyped",
    }
}

fn ours_flat(exposition: &Exposition<'_>) -> Vec<(Flat, &'static str)> {
    exposition
        .samples()
        .map(|(family, sample)| {
            let labels = sample
                .labels
                .iter()
                .map(|l| (l.name.to_owned(), l.value.to_string()))
                .collect();
            let ms = match sample.timestamp {
                Some(Timestamp::Millis(ms)) => Some(ms),
                _ => None,
            };
            (
                flat(sample.name, labels, sample.value, ms),
                type_name(family.metric_type),
            )
        })
        .collect()
}

/// prometheus-parse's samples, flattened like ours, and its HELP texts by metric name.
fn theirs_flat(input: &[u8]) -> (Vec<(Flat, &'static str)>, HashMap<String, String>) {
    use prometheus_parse::{Scrape, Value};
    let sentinel = chrono::DateTime::from_timestamp_millis(-123_456_789).expect("a time");
    let text = String::from_utf8_lossy(input);
    let lines = text.lines().map(|line| Ok(line.to_owned()));
    let scrape = Scrape::parse_at(lines, sentinel).expect("prometheus-parse never fails");
    let mut out = Vec::new();
    for sample in scrape.samples {
        let labels: BTreeMap<String, String> = sample
            .labels
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        let ms = (sample.timestamp != sentinel).then(|| sample.timestamp.timestamp_millis());
        let with = |key: &str, value: f64| {
            let mut labels = labels.clone();
            labels.insert(key.to_owned(), format!("{value}"));
            labels
        };
        match &sample.value {
            Value::Counter(v) => out.push((flat(&sample.metric, labels, *v, ms), "counter")),
            Value::Gauge(v) => out.push((flat(&sample.metric, labels, *v, ms), "gauge")),
            Value::Untyped(v) => out.push((flat(&sample.metric, labels, *v, ms), "untyped")),
            Value::Histogram(buckets) => {
                let name = format!("{}_bucket", sample.metric);
                for b in buckets {
                    let labels = with("le", b.less_than);
                    out.push((flat(&name, labels, b.count, ms), "histogram"));
                }
            }
            Value::Summary(quantiles) => {
                for q in quantiles {
                    let labels = with("quantile", q.quantile);
                    out.push((flat(&sample.metric, labels, q.count, ms), "summary"));
                }
            }
        }
    }
    (out, scrape.docs)
}

/// Multiset difference `a - b`, by count.
fn missing_from(a: &[Flat], b: &[Flat]) -> usize {
    let mut rest: Vec<&Flat> = b.iter().collect();
    a.iter()
        .filter(|x| match rest.iter().position(|y| y == x) {
            Some(at) => {
                rest.swap_remove(at);
                false
            }
            None => true,
        })
        .count()
}

fn prometheus_parse_verdict(input: &[u8]) -> String {
    let parsed = exposition::parse(input, Format::Prometheus);
    let (theirs, docs) = theirs_flat(input);
    if parsed.has_errors() {
        return format!("accepts invalid input ({} samples)", theirs.len());
    }
    let help = parsed
        .families
        .iter()
        .filter(|family| {
            family
                .help
                .as_ref()
                .is_some_and(|help| docs.get(family.name) != Some(&help.to_string()))
        })
        .count();
    let ours = ours_flat(&parsed);
    let ours_data: Vec<Flat> = ours.iter().map(|(f, _)| f.clone()).collect();
    let theirs_data: Vec<Flat> = theirs.iter().map(|(f, _)| f.clone()).collect();
    let lost = missing_from(&ours_data, &theirs_data);
    let wrong = missing_from(&theirs_data, &ours_data);
    let retyped = ours
        .iter()
        .filter(|(f, t)| theirs.iter().any(|(g, u)| g == f && u != t))
        .count();
    let parts: Vec<String> = [
        ("lost", lost),
        ("wrong", wrong),
        ("retyped", retyped),
        ("help", help),
    ]
    .into_iter()
    .filter(|&(_, count)| count > 0)
    .map(|(what, count)| format!("{what} {count}"))
    .collect();
    if parts.is_empty() {
        return "same".to_owned();
    }
    parts.join(", ")
}

#[test]
fn prometheus_parse_loses_or_corrupts_what_we_keep() {
    let pinned: BTreeMap<&str, &str> = PROMETHEUS_PARSE_VERDICTS.iter().copied().collect();
    let mut actual = BTreeMap::new();
    for case in cases() {
        if case.format == Format::Prometheus {
            actual.insert(case.name.clone(), prometheus_parse_verdict(&case.input));
        }
    }
    let table: String = actual
        .iter()
        .map(|(name, verdict)| format!("    (\"{name}\", \"{verdict}\"),\n"))
        .collect();
    let same = actual.values().filter(|v| *v == "same").count();
    println!(
        "prometheus-parse: {same} of {} Prometheus-text cases right\n{table}",
        actual.len()
    );
    let actual_refs: BTreeMap<&str, &str> = actual
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    assert_eq!(
        actual_refs, pinned,
        "prometheus-parse's behaviour changed; the table now reads:\n{table}"
    );
}
