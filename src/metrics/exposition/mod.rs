//! Parser for the Prometheus text exposition format 0.0.4 and OpenMetrics 1.0 text.
//!
//! It owns the step from the bytes of a `/metrics` body to [`Family`]s of [`Sample`]s plus
//! line-numbered [`Diagnostic`]s. It judges syntax and the structure the formats themselves
//! define (metadata order, `# EOF`, suffixes, histogram buckets); it does not judge the
//! Crustocean contract, names or units, which belong to the checks built on top of it.
//!
//! # Decision: our own parser, not prometheus-parse
//!
//! The requested crate, prometheus-parse 0.2.5, splits a line with regexes (`\w+` for the
//! name, `[^}]+` for the label set, then `split(',')` and `split('=')` for the pairs) and never
//! returns an error, so every form it misreads is lost or corrupted without a trace. That
//! cannot be worked around from outside: the damage is done before any of our code sees the
//! sample, and fixing it means writing a label parser, which is most of a parser.
//!
//! The evidence is pinned by `prometheus_parse_loses_or_corrupts_what_we_keep` in
//! `tests/exposition_corpus.rs`: it runs prometheus-parse over the 57 Prometheus-text cases of
//! `fixtures/expositions/` and compares its samples, types and HELP texts with ours. It is
//! right on 15 cases and wrong on 42:
//!
//! * 18 of the 33 valid cases lose or corrupt data. A `}` in a label value drops the sample
//!   (`01`: `"/items/{id}"`, which axum's `MatchedPath` produces); a `=` (`02`) or a `,` (`06`)
//!   corrupts the labels; escaped quotes, backslashes and newlines are never decoded (`03`–`05`,
//!   and HELP in `15`); `{}` drops the sample (`07`), and so do blanks between tokens (`44`),
//!   names with colons such as recording rules (`55`) and a label value holding `# {…}` (`49`).
//!   Histogram and summary `_sum`/`_count` come back untyped (`08`, `09`, `31`, `32`, `47`),
//!   as does everything under `# TYPE x GAUGE` (`53`).
//! * All 24 invalid cases, each a parse error for promtool, are accepted without a word, most
//!   with samples made up from the broken line (`20`: `1bad_name 2` becomes a sample; `22`: an
//!   unclosed quote becomes a sample).
//!
//! Ours keeps every sample of every valid case, reports every invalid one at the line promtool
//! names (77 of 77 cases agree with promtool, `.om` cases read as text 0.0.4 included), and
//! leaves no sample line without a sample or an error (same test file).
//!
//! # Format rules
//!
//! Prometheus text is read as promtool 2.42 (Go's `expfmt.TextParser`) reads it, so that a
//! promtool parse error and an error here coincide, at the same line: blanks and tabs between
//! tokens, `{}` and a trailing comma allowed, `# TYPE` case-insensitive, Go float syntax
//! (`NaN`, `+Inf`, `-Inf`, `1e-3`; an overflowing `1e400` is an error), integer millisecond
//! timestamps, and every line ending in `\n` (a missing final line feed, a `\r`, or trailing
//! whitespace after the value are errors there too). Where the Go parser is merely lenient
//! about something the checker must know (duplicate series, a histogram without `+Inf`,
//! non-cumulative buckets, interleaved families, a NaN counter), we report a warning.
//! Deliberate divergence: a repeated `le` or `quantile` label is an error here; Go ignores it.
//!
//! OpenMetrics is read by its ABNF: single spaces, no comments or blank lines other than
//! `# HELP`/`# TYPE`/`# UNIT`, a final `# EOF`, float-second timestamps, exemplars on counter
//! `_total` and histogram `_bucket` samples, families not interleaved, and the structural
//! rules the Go reader only warns about are errors.
//!
//! # Guarantees
//!
//! * Every input line is a sample, a comment or metadata line, a blank line, or the subject of
//!   a diagnostic; nothing is dropped silently. A line with a syntax error yields no sample; a
//!   line that parses but breaks a rule (a duplicate series, a bad `le`) keeps its sample.
//! * No input panics: the parser indexes nothing it has not checked. The cargo-fuzz target
//!   `fuzz/fuzz_targets/exposition.rs` checks this and the other guarantees on arbitrary bytes.
//! * Names, and label values without escapes, borrow from the input; a line allocates at most
//!   its label vector.

mod line;
mod meta;
mod parser;
mod series;
#[cfg(test)]
mod tests;
mod validate;

use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt;

use series::FxBuildHasher;

/// Which text format an exposition is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// Prometheus text format 0.0.4 (`text/plain; version=0.0.4`).
    Prometheus,
    /// OpenMetrics 1.0 text (`application/openmetrics-text; version=1.0.0`).
    OpenMetrics,
}

impl Format {
    /// The format a `Content-Type` header announces, if it announces one of ours.
    pub fn from_content_type(content_type: &str) -> Option<Format> {
        let media = content_type.split(';').next().unwrap_or("").trim();
        if media.eq_ignore_ascii_case("application/openmetrics-text") {
            Some(Format::OpenMetrics)
        } else if media.eq_ignore_ascii_case("text/plain") {
            Some(Format::Prometheus)
        } else {
            None
        }
    }

    /// Guesses the format from the body: OpenMetrics when its last line is `# EOF`.
    pub fn detect(input: &[u8]) -> Format {
        let body = input.strip_suffix(b"\n").unwrap_or(input);
        match body.strip_suffix(b"# EOF") {
            Some(before) if before.is_empty() || before.ends_with(b"\n") => Format::OpenMetrics,
            _ => Format::Prometheus,
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Format::Prometheus => "Prometheus text 0.0.4",
            Format::OpenMetrics => "OpenMetrics 1.0",
        })
    }
}

/// A family's type, from its `# TYPE` line. Prometheus text's `untyped` is [`Unknown`].
///
/// [`Unknown`]: MetricType::Unknown
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MetricType {
    Counter,
    Gauge,
    Histogram,
    GaugeHistogram,
    Summary,
    Info,
    StateSet,
    Unknown,
}

impl MetricType {
    /// The name used in a `# TYPE` line (OpenMetrics spelling; `untyped` for Prometheus).
    pub fn as_str(self, format: Format) -> &'static str {
        match (self, format) {
            (MetricType::Counter, _) => "counter",
            (MetricType::Gauge, _) => "gauge",
            (MetricType::Histogram, _) => "histogram",
            (MetricType::GaugeHistogram, Format::Prometheus) => "gauge_histogram",
            (MetricType::GaugeHistogram, Format::OpenMetrics) => "gaugehistogram",
            (MetricType::Summary, _) => "summary",
            (MetricType::Info, _) => "info",
            (MetricType::StateSet, _) => "stateset",
            (MetricType::Unknown, Format::Prometheus) => "untyped",
            (MetricType::Unknown, Format::OpenMetrics) => "unknown",
        }
    }
}

/// The part a sample plays in its family, from its name's suffix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Suffix {
    /// The sample is named like its family (gauges, summary quantiles, untyped...).
    None,
    Total,
    Created,
    Bucket,
    Count,
    Sum,
    GCount,
    GSum,
    Info,
}

impl Suffix {
    /// The suffix as written after the family name (`""` for [`Suffix::None`]).
    pub fn as_str(self) -> &'static str {
        match self {
            Suffix::None => "",
            Suffix::Total => "_total",
            Suffix::Created => "_created",
            Suffix::Bucket => "_bucket",
            Suffix::Count => "_count",
            Suffix::Sum => "_sum",
            Suffix::GCount => "_gcount",
            Suffix::GSum => "_gsum",
            Suffix::Info => "_info",
        }
    }
}

/// One label pair; the value has its escapes (`\\`, `\"`, `\n`) decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Label<'a> {
    pub name: &'a str,
    pub value: Cow<'a, str>,
}

/// A sample's timestamp as written: milliseconds (Prometheus) or seconds (OpenMetrics).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Timestamp {
    Millis(i64),
    Seconds(f64),
}

impl Timestamp {
    /// Milliseconds since the epoch, whichever unit the format used.
    pub fn as_millis(self) -> f64 {
        match self {
            Timestamp::Millis(ms) => ms as f64,
            Timestamp::Seconds(s) => s * 1000.0,
        }
    }
}

/// An OpenMetrics exemplar: `# {trace_id="…"} 0.05 1520879607.789` after a sample.
#[derive(Debug, Clone, PartialEq)]
pub struct Exemplar<'a> {
    pub labels: Vec<Label<'a>>,
    pub value: f64,
    /// Seconds since the epoch.
    pub timestamp: Option<f64>,
}

/// One sample line.
#[derive(Debug, Clone, PartialEq)]
pub struct Sample<'a> {
    /// 1-based line number in the input.
    pub line: u32,
    /// The metric name as written, e.g. `req_seconds_bucket`.
    pub name: &'a str,
    /// What the name's suffix makes of the sample within its family.
    pub suffix: Suffix,
    /// Labels in input order, `le` and `quantile` included.
    pub labels: Vec<Label<'a>>,
    pub value: f64,
    pub timestamp: Option<Timestamp>,
    pub exemplar: Option<Box<Exemplar<'a>>>,
}

impl<'a> Sample<'a> {
    /// The value of the label `name`, if the sample has it.
    pub fn label(&self, name: &str) -> Option<&str> {
        self.labels
            .iter()
            .find(|label| label.name == name)
            .map(|label| label.value.as_ref())
    }
}

/// A metric family: its metadata and the samples attached to it, in input order.
#[derive(Debug, Clone, PartialEq)]
pub struct Family<'a> {
    /// The family name: from `# TYPE`/`# HELP`, or the sample name when it has no metadata.
    pub name: &'a str,
    /// The declared type; [`MetricType::Unknown`] when there is no `# TYPE` line.
    pub metric_type: MetricType,
    /// Line of the `# TYPE` line, `None` when the type was not declared.
    pub type_line: Option<u32>,
    /// The `# HELP` text, escapes decoded.
    pub help: Option<Cow<'a, str>>,
    /// The `# UNIT` (OpenMetrics only).
    pub unit: Option<&'a str>,
    pub samples: Vec<Sample<'a>>,
}

/// How bad a diagnostic is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    /// Allowed by the format's reference reader, but something a checker must know.
    Warning,
    /// The input is not a valid exposition in this format.
    Error,
}

macro_rules! rules {
    ($($variant:ident => $name:literal: $doc:literal,)*) => {
        /// Which rule a diagnostic reports; `as_str` gives a stable kebab-case name.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Rule {
            $(#[doc = $doc] $variant,)*
        }

        impl Rule {
            /// Every rule, in declaration order.
            pub const ALL: &'static [Rule] = &[$(Rule::$variant,)*];

            /// The rule's stable name, as used in corpus sidecars and reports.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(Rule::$variant => $name,)*
                }
            }
        }
    };
}

rules! {
    MetricName => "metric-name": "A sample line without a valid metric name.",
    MetadataName => "metadata-name": "A `# HELP`/`# TYPE`/`# UNIT` line without a valid metric name.",
    LabelName => "label-name": "A label set holds something that is not a label name.",
    LabelSyntax => "label-syntax": "`=`, `\"`, `,` or `}` missing or misplaced in a label set.",
    UnterminatedLabelValue => "unterminated-label-value": "The line ends inside a quoted label value.",
    Escape => "escape": "An escape sequence the format does not define.",
    Utf8 => "utf8": "Bytes that are not UTF-8 where text is expected.",
    DuplicateLabel => "duplicate-label": "The same label name twice in one label set.",
    ReservedLabel => "reserved-label": "The label name `__name__`.",
    Value => "value": "A missing or malformed sample value.",
    Timestamp => "timestamp": "A malformed timestamp, or whitespace where one would start.",
    TrailingText => "trailing-text": "Text after the timestamp (or after an exemplar).",
    Whitespace => "whitespace": "OpenMetrics: a separator that is not exactly one space.",
    MissingNewline => "missing-newline": "Prometheus text: the last line has no line feed.",
    UnknownType => "unknown-type": "A `# TYPE` with a type the format does not define.",
    DuplicateType => "duplicate-type": "A second `# TYPE` line for one family.",
    DuplicateHelp => "duplicate-help": "A second `# HELP` line for one family.",
    DuplicateUnit => "duplicate-unit": "A second `# UNIT` line for one family.",
    MetadataAfterSamples => "metadata-after-samples": "`# TYPE` (or, in OpenMetrics, any metadata) after the family's samples.",
    UnitSuffix => "unit-suffix": "OpenMetrics: the family name does not end with `_<unit>`.",
    Comment => "comment": "OpenMetrics: a comment other than HELP/TYPE/UNIT/EOF, or a blank line.",
    MissingEof => "missing-eof": "OpenMetrics: the input does not end with `# EOF`.",
    AfterEof => "after-eof": "OpenMetrics: content after `# EOF`.",
    Exemplar => "exemplar": "A malformed exemplar, or one where the format allows none.",
    SampleName => "sample-name": "OpenMetrics: a sample name its family's type does not allow.",
    Interleaved => "interleaved": "A family's lines resume after another family's.",
    DuplicateSeries => "duplicate-series": "The same series (name and label set) twice.",
    Histogram => "histogram": "Histogram buckets: `le` missing or malformed, no `+Inf`, not cumulative, or `+Inf` ≠ `_count`.",
    Summary => "summary": "A summary quantile missing or malformed.",
    CounterValue => "counter-value": "A counter sample that is NaN or negative.",
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One finding, tied to the line it is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// 1-based line number.
    pub line: u32,
    pub severity: Severity,
    pub rule: Rule,
    /// What was found and what was expected, e.g. `expected a float value, got "abc"`.
    pub message: String,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: {}", self.line, self.message)
    }
}

/// A parsed exposition: families in order of first appearance, and every diagnostic sorted
/// by line.
#[derive(Debug, Clone)]
pub struct Exposition<'a> {
    pub format: Format,
    pub families: Vec<Family<'a>>,
    pub diagnostics: Vec<Diagnostic>,
    index: HashMap<&'a str, usize, FxBuildHasher>,
}

impl<'a> Exposition<'a> {
    /// The family named `name` (the family name, not a sample name such as `x_bucket`).
    pub fn family(&self, name: &str) -> Option<&Family<'a>> {
        self.index.get(name).and_then(|&i| self.families.get(i))
    }

    /// Every sample with its family, in family order.
    pub fn samples(&self) -> impl Iterator<Item = (&Family<'a>, &Sample<'a>)> {
        self.families
            .iter()
            .flat_map(|family| family.samples.iter().map(move |sample| (family, sample)))
    }

    /// The number of samples in all families.
    pub fn sample_count(&self) -> usize {
        self.families
            .iter()
            .map(|family| family.samples.len())
            .sum()
    }

    /// True when some diagnostic is an error: the input is not a valid exposition.
    pub fn has_errors(&self) -> bool {
        self.diagnostics
            .iter()
            .any(|diagnostic| diagnostic.severity == Severity::Error)
    }

    /// The error diagnostics, by line.
    pub fn errors(&self) -> impl Iterator<Item = &Diagnostic> {
        self.diagnostics
            .iter()
            .filter(|diagnostic| diagnostic.severity == Severity::Error)
    }
}

/// Parses `input` as `format`. Never fails and never panics: problems become diagnostics.
pub fn parse(input: &[u8], format: Format) -> Exposition<'_> {
    parser::Parser::new(format).run(input)
}

/// Parses a response body in the format its `Content-Type` announces, or, when the header is
/// missing or names neither format, the one [`Format::detect`] guesses.
pub fn parse_with_content_type<'a>(input: &'a [u8], content_type: Option<&str>) -> Exposition<'a> {
    let format = content_type
        .and_then(Format::from_content_type)
        .unwrap_or_else(|| Format::detect(input));
    parse(input, format)
}
