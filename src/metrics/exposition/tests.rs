//! Unit tests of the exposition parser: escapes, every error message with its line number,
//! family grouping, OpenMetrics `# EOF`, exemplars, timestamps, floats, and a small
//! deterministic fuzz loop (no input panics). Corpus-wide checks against promtool live in
//! `tests/exposition_corpus.rs`.

use super::line::parse_float;
use super::series::{label_set_hash, same_label_set};
use super::*;

fn prom(input: &str) -> Exposition<'_> {
    parse(input.as_bytes(), Format::Prometheus)
}

fn om(input: &str) -> Exposition<'_> {
    parse(input.as_bytes(), Format::OpenMetrics)
}

/// Every diagnostic as `Severity rule: line N: message`.
fn report(exposition: &Exposition<'_>) -> Vec<String> {
    exposition
        .diagnostics
        .iter()
        .map(|d| format!("{:?} {}: {d}", d.severity, d.rule))
        .collect()
}

fn only_sample<'e, 'a>(exposition: &'e Exposition<'a>) -> &'e Sample<'a> {
    let samples: Vec<_> = exposition.samples().map(|(_, s)| s).collect();
    assert_eq!(samples.len(), 1, "{:?}", report(exposition));
    samples[0]
}

#[test]
fn label_escapes_are_decoded_and_plain_values_borrowed() {
    let input = "x{a=\"say \\\"hi\\\"\",b=\"C:\\\\dir\",c=\"one\\ntwo\",d=\"plain}=,\"} 1\n";
    let parsed = prom(input);
    let sample = only_sample(&parsed);
    assert_eq!(sample.label("a"), Some("say \"hi\""));
    assert_eq!(sample.label("b"), Some("C:\\dir"));
    assert_eq!(sample.label("c"), Some("one\ntwo"));
    assert_eq!(sample.label("d"), Some("plain}=,"));
    assert!(matches!(sample.labels[3].value, Cow::Borrowed(_)));
    assert!(matches!(sample.labels[0].value, Cow::Owned(_)));
    let names: Vec<_> = sample.labels.iter().map(|l| l.name).collect();
    assert_eq!(names, ["a", "b", "c", "d"], "labels keep input order");
}

#[test]
fn help_escapes_differ_by_format() {
    let parsed = prom("# HELP x Path C:\\\\tmp\\nnext\nx 1\n");
    assert_eq!(
        parsed.family("x").and_then(|f| f.help.as_deref()),
        Some("Path C:\\tmp\nnext")
    );
    let parsed = prom("# HELP x say \\\"hi\\\"\nx 1\n");
    assert_eq!(
        report(&parsed),
        ["Error escape: line 1: invalid escape sequence \\\" in HELP text (allowed: \\\\ and \\n)"]
    );
    let parsed = om("# HELP x say \\\"hi\\\"\nx 1\n# EOF\n");
    assert_eq!(report(&parsed), Vec::<String>::new());
    assert_eq!(
        parsed.family("x").and_then(|f| f.help.as_deref()),
        Some("say \"hi\"")
    );
}

/// One line of input after a valid header, and the exact diagnostic it must produce.
#[test]
fn every_syntax_error_names_its_line_and_what_was_expected() {
    let cases: &[(&str, &str)] = &[
        (
            "x abc",
            "Error value: line 3: expected a float value, got \"abc\"",
        ),
        (
            "x{a=\"1\"}",
            "Error value: line 3: expected a float value, got end of line",
        ),
        (
            "x 1\r",
            "Error value: line 3: expected a float value, got \"1\\r\" (lines must end with \\n alone, not \\r\\n)",
        ),
        (
            "x 1e400",
            "Error value: line 3: expected a float value, got \"1e400\"",
        ),
        (
            "1x 1",
            "Error metric-name: line 3: expected a metric name, got \"1x\"",
        ),
        (
            "x 1 1.5",
            "Error timestamp: line 3: expected an integer timestamp in milliseconds, got \"1.5\"",
        ),
        (
            "x 1 ",
            "Error timestamp: line 3: trailing whitespace after the value: expected a timestamp or the end of the line",
        ),
        (
            "x 1 5 later",
            "Error trailing-text: line 3: unexpected text after the timestamp: \" later\"",
        ),
        (
            "x{a=\"1} 2",
            "Error unterminated-label-value: line 3: label value \"1} 2\" of \"a\" is not closed: the line ends before its closing '\"'",
        ),
        (
            "x{a=\"1\" 2",
            "Error label-syntax: line 3: expected ',' or '}' after the value of label \"a\", got '2'",
        ),
        (
            "x{a} 1",
            "Error label-syntax: line 3: expected '=' after label name \"a\", got '}'",
        ),
        (
            "x{a=1} 1",
            "Error label-syntax: line 3: expected '\"' to open the value of label \"a\", got '1'",
        ),
        (
            "x{1a=\"1\"} 1",
            "Error label-name: line 3: expected a label name, got '1'",
        ),
        (
            "x{a=\"\\t\"} 1",
            "Error escape: line 3: invalid escape sequence \\t in the value of label \"a\" (allowed: \\\\, \\\", \\n)",
        ),
        (
            "x{a=\"1\\",
            "Error escape: line 3: the value of label \"a\" ends with a lone backslash",
        ),
        (
            "x{a=\"1\",a=\"2\"} 1",
            "Error duplicate-label: line 3: duplicate label name \"a\"",
        ),
        (
            "x{__name__=\"y\"} 1",
            "Error reserved-label: line 3: label name \"__name__\" is reserved",
        ),
        (
            "# HELP x again",
            "Error duplicate-help: line 3: second HELP line for \"x\"",
        ),
        (
            "# TYPE x counter",
            "Error duplicate-type: line 3: second TYPE line for \"x\" (first on line 2)",
        ),
        (
            "# TYPE y info",
            "Error unknown-type: line 3: unknown metric type \"info\" (expected counter, gauge, histogram, summary or untyped)",
        ),
        (
            "# HELP -y text",
            "Error metadata-name: line 3: expected a metric name after \"# HELP\", got \"-y\"",
        ),
    ];
    for (line, expected) in cases {
        let input = format!("# HELP x Help.\n# TYPE x gauge\n{line}\n");
        let parsed = prom(&input);
        assert_eq!(report(&parsed), [*expected], "input line: {line:?}");
    }
}

#[test]
fn invalid_utf8_is_an_error_in_labels_and_a_warning_in_help() {
    let parsed = parse(b"x{a=\"Z\xfcrich\"} 1\n", Format::Prometheus);
    assert_eq!(
        report(&parsed),
        ["Error utf8: line 1: the value of label \"a\" is not valid UTF-8"]
    );
    let parsed = parse(
        b"# HELP x Z\xfcrich\nx 1\n# \xff comment\n",
        Format::Prometheus,
    );
    assert_eq!(
        report(&parsed),
        [
            "Warning utf8: line 1: the HELP text of \"x\" is not valid UTF-8 (invalid bytes replaced)"
        ]
    );
    assert_eq!(
        parsed.family("x").and_then(|f| f.help.as_deref()),
        Some("Z\u{fffd}rich")
    );
}

#[test]
fn metadata_rules_name_their_lines() {
    let parsed = prom("x 1\n# TYPE x gauge\n");
    assert_eq!(
        report(&parsed),
        [
            "Error metadata-after-samples: line 2: # TYPE for \"x\" after its samples (first on line 1): metadata must come before them"
        ]
    );
    // HELP after samples is fine in text 0.0.4 (Go accepts it), not in OpenMetrics.
    assert!(prom("x 1\n# HELP x late\n").diagnostics.is_empty());
    let parsed = om("x 1\n# HELP x late\n# EOF\n");
    assert_eq!(parsed.diagnostics[0].rule, Rule::MetadataAfterSamples);
    let parsed = prom("x 1");
    assert_eq!(
        report(&parsed),
        ["Error missing-newline: line 1: the last line does not end with a line feed (\\n)"]
    );
    assert_eq!(parsed.sample_count(), 1, "the sample is still kept");
    assert!(
        prom("x 1\n  \t").diagnostics.is_empty(),
        "blank tail is fine"
    );
}

#[test]
fn errors_are_gathered_not_stopped_at() {
    let parsed = prom("a 1\nb abc\nc 3\nd{ 4\ne 5\n");
    let lines: Vec<u32> = parsed.errors().map(|d| d.line).collect();
    assert_eq!(lines, [2, 4]);
    let names: Vec<&str> = parsed.samples().map(|(_, s)| s.name).collect();
    assert_eq!(names, ["a", "c", "e"]);
    assert!(parsed.has_errors());
}

#[test]
fn prometheus_histogram_and_summary_samples_join_their_family() {
    let input = "\
# HELP req_seconds Latency.
# TYPE req_seconds histogram
req_seconds_bucket{route=\"/a\",le=\"0.1\"} 3
req_seconds_bucket{route=\"/a\",le=\"+Inf\"} 9
req_seconds_sum{route=\"/a\"} 2.25
req_seconds_count{route=\"/a\"} 9
# TYPE rpc_seconds summary
rpc_seconds{quantile=\"0.5\"} 0.05
rpc_seconds_sum 12.5
rpc_seconds_count 200
# TYPE jobs_total counter
jobs_total 4
jobs_created 1
";
    let parsed = prom(input);
    assert_eq!(report(&parsed), Vec::<String>::new());
    let names: Vec<&str> = parsed.families.iter().map(|f| f.name).collect();
    assert_eq!(
        names,
        ["req_seconds", "rpc_seconds", "jobs_total", "jobs_created"]
    );
    let histogram = parsed.family("req_seconds").expect("the histogram");
    assert_eq!(histogram.metric_type, MetricType::Histogram);
    assert_eq!(histogram.type_line, Some(2));
    assert_eq!(histogram.help.as_deref(), Some("Latency."));
    let suffixes: Vec<Suffix> = histogram.samples.iter().map(|s| s.suffix).collect();
    assert_eq!(
        suffixes,
        [Suffix::Bucket, Suffix::Bucket, Suffix::Sum, Suffix::Count]
    );
    assert_eq!(histogram.samples[1].label("le"), Some("+Inf"));
    assert!(parsed.family("req_seconds_bucket").is_none());
    let summary = parsed.family("rpc_seconds").expect("the summary");
    assert_eq!(summary.samples.len(), 3);
    assert_eq!(summary.samples[2].value, 200.0);
    // Text 0.0.4 names a counter family with its _total; _created is a family of its own.
    assert_eq!(
        parsed.family("jobs_created").map(|f| f.metric_type),
        Some(MetricType::Unknown)
    );
}

#[test]
fn openmetrics_suffixes_join_their_family() {
    let input = "\
# TYPE jobs counter
# HELP jobs Jobs.
jobs_total{q=\"a\"} 10
jobs_created{q=\"a\"} 1700000000
# TYPE build info
build_info{version=\"1\"} 1
# TYPE wait_seconds gaugehistogram
# UNIT wait_seconds seconds
wait_seconds_bucket{le=\"+Inf\"} 5
wait_seconds_gcount 5
wait_seconds_gsum 7.5
# EOF
";
    let parsed = om(input);
    assert_eq!(report(&parsed), Vec::<String>::new());
    let jobs = parsed.family("jobs").expect("jobs");
    assert_eq!(jobs.metric_type, MetricType::Counter);
    let suffixes: Vec<Suffix> = jobs.samples.iter().map(|s| s.suffix).collect();
    assert_eq!(suffixes, [Suffix::Total, Suffix::Created]);
    assert_eq!(
        parsed.family("build").map(|f| f.samples[0].suffix),
        Some(Suffix::Info)
    );
    let wait = parsed.family("wait_seconds").expect("the gauge histogram");
    assert_eq!(wait.unit, Some("seconds"));
    assert_eq!(wait.samples.len(), 3);
    assert!(parsed.family("jobs_total").is_none());
}

#[test]
fn histogram_structure_is_checked_per_series() {
    let input = "\
# TYPE h histogram
h_bucket{r=\"a\",le=\"+Inf\"} 5
h_bucket{r=\"a\",le=\"1\"} 5
h_bucket{r=\"b\",le=\"1\"} 7
h_bucket{r=\"b\",le=\"+Inf\"} 4
h_count{r=\"b\"} 4
h_bucket{r=\"c\",le=\"1\"} 1
h_count{r=\"a\"} 6
h_bucket{r=\"d\"} 1
";
    let parsed = prom(input);
    assert_eq!(
        report(&parsed),
        [
            "Warning histogram: line 5: histogram series h{r=\"b\"} is not cumulative: bucket le=\"+Inf\" holds 4, less than 7 in le=\"1\" (line 4)",
            "Warning histogram: line 7: histogram series h{r=\"c\"} has no le=\"+Inf\" bucket",
            "Warning histogram: line 8: histogram series h{r=\"a\"}: h_count is 6 but the le=\"+Inf\" bucket (line 2) holds 5; they must be equal",
            "Warning histogram: line 9: histogram bucket h_bucket{r=\"d\"} has no le label",
            "Warning histogram: line 9: histogram series h{r=\"d\"} has no le=\"+Inf\" bucket",
        ]
    );
    // The same structure is an error in OpenMetrics.
    let parsed = om("# TYPE h histogram\nh_bucket{le=\"1\"} 1\n# EOF\n");
    assert_eq!(parsed.errors().count(), 1);
}

#[test]
fn duplicate_series_ignore_label_order() {
    let parsed =
        prom("x{a=\"1\",b=\"2\"} 1\nx{b=\"2\",a=\"1\"} 2\nx{a=\"1\"} 3\ny{a=\"1\",b=\"2\"} 4\n");
    assert_eq!(
        report(&parsed),
        [
            "Warning duplicate-series: line 2: duplicate series x{b=\"2\",a=\"1\"}: already on line 1"
        ]
    );
    assert_eq!(parsed.sample_count(), 4, "duplicates are kept and reported");
    let parsed = om("# TYPE x gauge\nx{a=\"1\"} 1\nx{a=\"1\"} 2\n# EOF\n");
    assert_eq!(parsed.diagnostics[0].severity, Severity::Error);
}

#[test]
fn label_set_identity_is_order_free_and_exact() {
    let label = |name, value| Label {
        name,
        value: Cow::Borrowed(value),
    };
    let a = [label("a", "1"), label("b", "2")];
    let b = [label("b", "2"), label("a", "1")];
    let c = [label("a", "2"), label("b", "1")];
    assert_eq!(label_set_hash(&a, None), label_set_hash(&b, None));
    assert_ne!(label_set_hash(&a, None), label_set_hash(&c, None));
    assert!(same_label_set(&a, &b, None));
    assert!(!same_label_set(&a, &c, None));
    let with_le = [label("a", "1"), label("le", "0.5")];
    assert!(same_label_set(&with_le, &[label("a", "1")], Some("le")));
}

#[test]
fn openmetrics_eof_rules() {
    assert!(om("x 1\n# EOF\n").diagnostics.is_empty());
    assert!(
        om("x 1\n# EOF").diagnostics.is_empty(),
        "the final line feed is optional"
    );
    assert!(om("# EOF").diagnostics.is_empty());
    assert_eq!(
        report(&om("x 1\n")),
        [
            "Error missing-eof: line 2: the input ends without \"# EOF\", which OpenMetrics requires as its last line"
        ]
    );
    assert_eq!(report(&om("")).len(), 1);
    assert_eq!(
        report(&om("x 1\n# EOF\nx 2\ny 3\n")),
        [
            "Error after-eof: line 3: content after the \"# EOF\" of line 2: nothing may follow it (this line and all after it are ignored)"
        ]
    );
    assert_eq!(om("x 1\n# EOF\n\n").diagnostics[0].rule, Rule::AfterEof);
    assert_eq!(om("x 1\n# EOF \n").diagnostics[0].rule, Rule::Comment);
    // In Prometheus text, `# EOF` is a comment.
    assert!(prom("x 1\n# EOF\nx_2 2\n").diagnostics.is_empty());
}

#[test]
fn openmetrics_is_strict_about_spacing_and_comments() {
    let cases: &[(&str, Rule)] = &[
        ("x  1\n", Rule::Whitespace),
        ("x\t1\n", Rule::Whitespace),
        (" x 1\n", Rule::Whitespace),
        ("x{a=\"1\",} 1\n", Rule::LabelSyntax),
        ("x{a = \"1\"} 1\n", Rule::LabelSyntax),
        ("x 1 \n", Rule::Whitespace),
        ("\n", Rule::Comment),
        ("# just a comment\n", Rule::Comment),
        ("#TYPE x gauge\n", Rule::Comment),
        ("# TYPE x Gauge\n", Rule::UnknownType),
        ("# TYPE x untyped\n", Rule::UnknownType),
        ("# UNIT x_seconds sec-onds\n", Rule::MetadataName),
        ("# TYPE x gauge\n# TYPE x gauge\n", Rule::DuplicateType),
        (
            "# UNIT x_seconds seconds\n# UNIT x_seconds seconds\n",
            Rule::DuplicateUnit,
        ),
        ("# UNIT latency seconds\n", Rule::UnitSuffix),
        ("# TYPE c counter\nc 1\n", Rule::SampleName),
        ("# TYPE i info\ni 1\n", Rule::SampleName),
        ("# TYPE s summary\ns{quantile=\"1.5\"} 1\n", Rule::Summary),
        ("# TYPE c counter\nc_total NaN\n", Rule::CounterValue),
        ("a 1\nb 1\na{x=\"1\"} 1\n", Rule::Interleaved),
        ("# TYPE a gauge\nb 1\n# HELP a late\n", Rule::Interleaved),
    ];
    for (lines, rule) in cases {
        let input = format!("{lines}# EOF\n");
        let parsed = om(&input);
        assert_eq!(
            parsed.errors().next().map(|d| d.rule),
            Some(*rule),
            "{lines:?}: {:?}",
            report(&parsed)
        );
    }
    assert!(om("# UNIT x_seconds seconds\n# HELP x_seconds\n# TYPE x_seconds gauge\nx_seconds{} 1\n# EOF\n").diagnostics.is_empty());
}

#[test]
fn exemplars_are_parsed_where_openmetrics_allows_them() {
    let input = "\
# TYPE rt_seconds histogram
rt_seconds_bucket{le=\"0.1\"} 8 # {trace_id=\"abc\",span=\"x\"} 0.05 1520879607.789
rt_seconds_bucket{le=\"+Inf\"} 10 1520879608 # {trace_id=\"def\"} 3
rt_seconds_count 10
# TYPE jobs counter
jobs_total 4 # {} 1
# EOF
";
    let parsed = om(input);
    assert_eq!(report(&parsed), Vec::<String>::new());
    let buckets = &parsed.family("rt_seconds").expect("rt_seconds").samples;
    let first = buckets[0].exemplar.as_deref().expect("an exemplar");
    assert_eq!(first.labels[1].name, "span");
    assert_eq!(first.value, 0.05);
    assert_eq!(first.timestamp, Some(1520879607.789));
    let second = buckets[1].exemplar.as_deref().expect("an exemplar");
    assert_eq!(second.timestamp, None);
    assert_eq!(buckets[1].timestamp, Some(Timestamp::Seconds(1520879608.0)));
    assert!(buckets[2].exemplar.is_none());

    let rejected: &[(&str, Rule)] = &[
        ("# TYPE g gauge\ng 1 # {a=\"1\"} 1\n", Rule::Exemplar),
        ("# TYPE c counter\nc_total 1 # a=\"1\" 1\n", Rule::Exemplar),
        ("# TYPE c counter\nc_total 1 # {a=\"1\"}\n", Rule::Exemplar),
        (
            "# TYPE c counter\nc_total 1 # {a=\"1\"} 1 2 3\n",
            Rule::TrailingText,
        ),
        ("# TYPE c counter\nc_total 1 2 3\n", Rule::TrailingText),
    ];
    for (lines, rule) in rejected {
        let input = format!("{lines}# EOF\n");
        let parsed = om(&input);
        assert_eq!(
            parsed.errors().next().map(|d| d.rule),
            Some(*rule),
            "{lines:?}: {:?}",
            report(&parsed)
        );
    }
    // Prometheus text has no exemplars: Go reads the `#` as a bad timestamp.
    let parsed = prom("x_bucket{le=\"1\"} 1 # {a=\"1\"} 1\n");
    assert_eq!(
        report(&parsed),
        ["Error timestamp: line 1: expected an integer timestamp in milliseconds, got \"#\""]
    );
}

#[test]
fn timestamps_follow_each_format() {
    let parsed = prom("a 1 1395066363000\nb 2 -1\nc 3 +5\n");
    let stamps: Vec<_> = parsed.samples().map(|(_, s)| s.timestamp).collect();
    assert_eq!(
        stamps,
        [
            Some(Timestamp::Millis(1_395_066_363_000)),
            Some(Timestamp::Millis(-1)),
            Some(Timestamp::Millis(5))
        ]
    );
    assert_eq!(Timestamp::Seconds(1.5).as_millis(), 1500.0);
    let parsed = om("a 1 1520879607.789\n# EOF\n");
    assert_eq!(
        only_sample(&parsed).timestamp,
        Some(Timestamp::Seconds(1520879607.789))
    );
    assert_eq!(
        report(&om("a 1 NaN\n# EOF\n")),
        ["Error timestamp: line 1: expected a timestamp in seconds, got \"NaN\""]
    );
    assert_eq!(prom("a 1 99999999999999999999\n").errors().count(), 1);
}

#[test]
fn floats_are_read_as_go_reads_them() {
    let accepted: &[(&str, f64)] = &[
        ("1", 1.0),
        ("-1.5e3", -1500.0),
        (".5", 0.5),
        ("5.", 5.0),
        ("+3", 3.0),
        ("1E+2", 100.0),
        ("+Inf", f64::INFINITY),
        ("-Inf", f64::NEG_INFINITY),
        ("inf", f64::INFINITY),
        ("Infinity", f64::INFINITY),
        ("1e-400", 0.0),
    ];
    for (text, value) in accepted {
        assert_eq!(parse_float(text.as_bytes()), Some(*value), "{text}");
    }
    for text in ["NaN", "nan", "NAN"] {
        assert!(
            parse_float(text.as_bytes()).is_some_and(f64::is_nan),
            "{text}"
        );
    }
    for text in [
        "", "abc", "1e400", "-1e400", "+NaN", "-nan", "0x1p3", "0x10", "1_000", "1e", ".", "1 ",
        "\u{661}",
    ] {
        assert_eq!(parse_float(text.as_bytes()), None, "{text:?}");
    }
}

#[test]
fn prometheus_text_allows_blanks_where_go_does() {
    let parsed = prom(
        "#   TYPE   x   GAUGE\n  x { a = \"1\" ,\tb=\"2\" , }   3\nx\t{a=\"2\"}\t4\t1000\nx{a=\"3\"}5\n",
    );
    assert_eq!(report(&parsed), Vec::<String>::new());
    let family = parsed.family("x").expect("x");
    assert_eq!(family.metric_type, MetricType::Gauge);
    let values: Vec<f64> = family.samples.iter().map(|s| s.value).collect();
    assert_eq!(values, [3.0, 4.0, 5.0]);
    assert_eq!(family.samples[0].label("b"), Some("2"));
}

#[test]
fn interleaved_families_warn_in_prometheus_text() {
    let parsed = prom("a 1\nb 1\na{x=\"1\"} 2\n");
    assert_eq!(
        report(&parsed),
        [
            "Warning interleaved: line 3: sample of family \"a\" after another family's lines: a family's lines should be contiguous"
        ]
    );
    assert_eq!(parsed.family("a").map(|f| f.samples.len()), Some(2));
}

#[test]
fn format_comes_from_content_type_or_the_body() {
    assert_eq!(
        Format::from_content_type("application/openmetrics-text; version=1.0.0; charset=utf-8"),
        Some(Format::OpenMetrics)
    );
    assert_eq!(
        Format::from_content_type("text/plain; version=0.0.4; charset=utf-8"),
        Some(Format::Prometheus)
    );
    assert_eq!(Format::from_content_type("application/json"), None);
    assert_eq!(Format::detect(b"x 1\n# EOF\n"), Format::OpenMetrics);
    assert_eq!(Format::detect(b"# EOF"), Format::OpenMetrics);
    assert_eq!(Format::detect(b"x 1\n"), Format::Prometheus);
    assert_eq!(Format::detect(b"x 1 # EOF\n"), Format::Prometheus);
    let parsed = parse_with_content_type(b"x 1\n# EOF\n", None);
    assert_eq!(parsed.format, Format::OpenMetrics);
    let parsed = parse_with_content_type(b"x 1\n# EOF\n", Some("text/plain; version=0.0.4"));
    assert_eq!(parsed.format, Format::Prometheus);
}

#[test]
fn rule_names_are_unique_and_kebab_case() {
    let mut names: Vec<&str> = Rule::ALL.iter().map(|r| r.as_str()).collect();
    assert!(names.iter().all(|n| {
        n.bytes()
            .all(|b| b.is_ascii_lowercase() || b == b'-' || b.is_ascii_digit())
    }));
    names.sort_unstable();
    names.dedup();
    assert_eq!(names.len(), Rule::ALL.len());
}

/// A deterministic fuzz loop until the cargo-fuzz target exists: random lines built from the
/// formats' own tokens, in both formats; no panic, and no sample line without a sample or an
/// error.
#[test]
fn random_inputs_never_panic_and_never_lose_a_line() {
    const PIECES: &[&[u8]] = &[
        b"x",
        b"x_bucket",
        b"x_total",
        b"x_count",
        b"1x",
        b"{",
        b"}",
        b"=",
        b"\"",
        b",",
        b"a",
        b"le",
        b"\"+Inf\"",
        b"\\",
        b"\\n",
        b"\\\"",
        b" ",
        b"  ",
        b"\t",
        b"1",
        b"-1.5e3",
        b"NaN",
        b"+Inf",
        b"1e400",
        b"#",
        b"# ",
        b"# TYPE x histogram",
        b"# TYPE x counter",
        b"# HELP x h",
        b"# UNIT x s",
        b"# EOF",
        b"\n",
        b"\n",
        b"\r",
        b"\xff",
        b"\xc3",
        b"\xc3\xbc",
        b"# {a=\"1\"} 1",
        b"quantile=\"0.5\"",
        b"__name__",
        b"x{a=\"1\"} 1\n",
    ];
    let mut state: u64 = 0x2545_f491_4f6c_dd1d;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    for _ in 0..20_000 {
        let mut input = Vec::new();
        for _ in 0..(next() % 24) {
            input.extend_from_slice(PIECES[(next() % PIECES.len() as u64) as usize]);
        }
        for format in [Format::Prometheus, Format::OpenMetrics] {
            let parsed = parse(&input, format);
            let lines = input.split(|&b| b == b'\n').count() as u32;
            for (_, sample) in parsed.samples() {
                assert!(sample.line >= 1 && sample.line <= lines);
            }
            let after_eof = parsed
                .diagnostics
                .iter()
                .find(|d| d.rule == Rule::AfterEof)
                .map_or(u32::MAX, |d| d.line);
            for (i, line) in input.split(|&b| b == b'\n').enumerate() {
                let number = i as u32 + 1;
                let first = line.iter().find(|&&b| b != b' ' && b != b'\t');
                if first.is_none() || first == Some(&b'#') || number >= after_eof {
                    continue;
                }
                assert!(
                    parsed.samples().any(|(_, s)| s.line == number)
                        || parsed.errors().any(|d| d.line == number),
                    "{format}: line {number} of {:?} vanished",
                    String::from_utf8_lossy(&input)
                );
            }
        }
    }
}
