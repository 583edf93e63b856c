//! The line loop: splits the input into lines, sends each to the line syntax, and assembles
//! families: which family a sample belongs to (by name and suffix), metadata order,
//! interleaving, duplicate series, `# EOF`.
//!
//! Family resolution follows each format's reference. Prometheus text mirrors Go's
//! `setOrCreateCurrentMF`: the exact name first, then `_sum`/`_count` of a summary, then
//! `_sum`/`_count`/`_bucket` of a histogram; a counter's family is named with its `_total`.
//! OpenMetrics names the family without suffixes and the type decides which suffixes its
//! samples take (`_total`/`_created` for a counter, `_info` for an info, …).

use super::line::{self, SampleLine};
use super::meta::{self, Meta};
use super::series::{FxBuildHasher, SeriesIndex, SeriesRef, same_label_set};
use super::{
    Diagnostic, Exposition, Family, Format, MetricType, Rule, Sample, Severity, Suffix, validate,
};
use std::collections::HashMap;

pub(super) struct Parser<'a> {
    format: Format,
    strict: bool,
    families: Vec<Family<'a>>,
    /// Per family: another family's line came after its last one.
    closed: Vec<bool>,
    index: HashMap<&'a str, usize, FxBuildHasher>,
    diagnostics: Vec<Diagnostic>,
    /// The family of the previous sample or metadata line.
    current: Option<usize>,
    /// Where the previous sample went, so a run of one series name skips the lookup.
    last: Option<(&'a str, usize, Suffix)>,
    series: SeriesIndex,
    eof_line: Option<u32>,
}

/// Position of the first `\n`, eight bytes at a time.
fn find_newline(bytes: &[u8]) -> Option<usize> {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    const NEWLINES: u64 = ONES * b'\n' as u64;
    let mut chunks = bytes.chunks_exact(8);
    let mut offset = 0;
    for chunk in &mut chunks {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        let x = u64::from_le_bytes(word) ^ NEWLINES;
        // Sets the high bit of the lowest zero byte (bits above it may be false positives).
        let found = x.wrapping_sub(ONES) & !x & HIGHS;
        if found != 0 {
            return Some(offset + (found.trailing_zeros() / 8) as usize);
        }
        offset += 8;
    }
    chunks
        .remainder()
        .iter()
        .position(|&b| b == b'\n')
        .map(|at| offset + at)
}

/// The suffix `rest` names, if any.
fn suffix_from(rest: &str) -> Option<Suffix> {
    Some(match rest {
        "_total" => Suffix::Total,
        "_created" => Suffix::Created,
        "_bucket" => Suffix::Bucket,
        "_count" => Suffix::Count,
        "_sum" => Suffix::Sum,
        "_gcount" => Suffix::GCount,
        "_gsum" => Suffix::GSum,
        "_info" => Suffix::Info,
        _ => return None,
    })
}

/// OpenMetrics: the sample names a family of `metric_type` may have.
fn allows(metric_type: MetricType, suffix: Suffix) -> bool {
    use Suffix as S;
    match metric_type {
        MetricType::Counter => matches!(suffix, S::Total | S::Created),
        MetricType::Gauge | MetricType::StateSet | MetricType::Unknown => suffix == S::None,
        MetricType::Histogram => matches!(suffix, S::Bucket | S::Count | S::Sum | S::Created),
        MetricType::GaugeHistogram => matches!(suffix, S::Bucket | S::GCount | S::GSum),
        MetricType::Summary => matches!(suffix, S::None | S::Count | S::Sum | S::Created),
        MetricType::Info => suffix == S::Info,
    }
}

/// `name{a="1",b="2"}` for messages, escaped as in the input, cut after 120 characters.
pub(super) fn series_text(name: &str, labels: &[super::Label<'_>]) -> String {
    let mut text = name.to_owned();
    if !labels.is_empty() {
        text.push('{');
        for (i, label) in labels.iter().enumerate() {
            if i > 0 {
                text.push(',');
            }
            text.push_str(label.name);
            text.push_str("=\"");
            for ch in label.value.chars() {
                match ch {
                    '\\' => text.push_str("\\\\"),
                    '"' => text.push_str("\\\""),
                    '\n' => text.push_str("\\n"),
                    other => text.push(other),
                }
            }
            text.push('"');
        }
        text.push('}');
    }
    if text.chars().count() > 120 {
        text = text.chars().take(120).collect::<String>() + "…";
    }
    text
}

impl<'a> Parser<'a> {
    pub fn new(format: Format) -> Self {
        Parser {
            format,
            strict: format == Format::OpenMetrics,
            families: Vec::new(),
            closed: Vec::new(),
            index: HashMap::default(),
            diagnostics: Vec::new(),
            current: None,
            last: None,
            series: SeriesIndex::default(),
            eof_line: None,
        }
    }

    pub fn run(mut self, input: &'a [u8]) -> Exposition<'a> {
        let mut rest = input;
        let mut number: u32 = 0;
        while !rest.is_empty() {
            number = number.saturating_add(1);
            let (line, terminated) = match find_newline(rest) {
                Some(at) => {
                    let line = rest.get(..at).unwrap_or_default();
                    rest = rest.get(at + 1..).unwrap_or_default();
                    (line, true)
                }
                None => (std::mem::take(&mut rest), false),
            };
            if let Some(eof) = self.eof_line {
                let message = format!(
                    "content after the \"# EOF\" of line {eof}: nothing may follow it (this line and all after it are ignored)"
                );
                self.report(number, Severity::Error, Rule::AfterEof, message);
                break;
            }
            self.line(number, line, terminated);
        }
        if self.strict && self.eof_line.is_none() {
            let at = if input.is_empty() || input.ends_with(b"\n") {
                number.saturating_add(1)
            } else {
                number
            };
            self.report(
                at,
                Severity::Error,
                Rule::MissingEof,
                "the input ends without \"# EOF\", which OpenMetrics requires as its last line"
                    .to_owned(),
            );
        }
        validate::families(self.format, &self.families, &mut self.diagnostics);
        self.diagnostics.sort_by_key(|diagnostic| diagnostic.line);
        Exposition {
            format: self.format,
            families: self.families,
            diagnostics: self.diagnostics,
            index: self.index,
        }
    }

    fn report(&mut self, line: u32, severity: Severity, rule: Rule, message: String) {
        self.diagnostics.push(Diagnostic {
            line,
            severity,
            rule,
            message,
        });
    }

    /// Errors in OpenMetrics, warnings in Prometheus text (whose reader lets them pass).
    fn strict_severity(&self) -> Severity {
        if self.strict {
            Severity::Error
        } else {
            Severity::Warning
        }
    }

    fn line(&mut self, number: u32, line: &'a [u8], terminated: bool) {
        if self.strict {
            match line.first() {
                None => self.report(
                    number,
                    Severity::Error,
                    Rule::Comment,
                    "blank line: OpenMetrics allows none".to_owned(),
                ),
                Some(b'#') => self.meta(number, line),
                Some(b' ' | b'\t') => self.report(
                    number,
                    Severity::Error,
                    Rule::Whitespace,
                    "the line starts with whitespace".to_owned(),
                ),
                Some(_) => self.sample(number, line),
            }
            return;
        }
        match line.iter().find(|&&b| b != b' ' && b != b'\t') {
            None => return, // blank
            Some(b'#') => self.meta(number, line),
            Some(_) => self.sample(number, line),
        }
        if !terminated {
            self.report(
                number,
                Severity::Error,
                Rule::MissingNewline,
                "the last line does not end with a line feed (\\n)".to_owned(),
            );
        }
    }

    fn create(&mut self, name: &'a str) -> usize {
        let index = self.families.len();
        self.families.push(Family {
            name,
            metric_type: MetricType::Unknown,
            type_line: None,
            help: None,
            unit: None,
            samples: Vec::new(),
        });
        self.closed.push(false);
        self.index.insert(name, index);
        index
    }

    fn family_type(&self, family: usize) -> MetricType {
        self.families
            .get(family)
            .map_or(MetricType::Unknown, |f| f.metric_type)
    }

    /// Prometheus text: Go's family lookup (see the module doc).
    fn resolve_prometheus(&mut self, name: &'a str) -> (usize, Suffix) {
        if let Some(&family) = self.index.get(name) {
            return (family, Suffix::None);
        }
        let candidates = [
            ("_sum", Suffix::Sum, MetricType::Summary),
            ("_count", Suffix::Count, MetricType::Summary),
            ("_sum", Suffix::Sum, MetricType::Histogram),
            ("_count", Suffix::Count, MetricType::Histogram),
            ("_bucket", Suffix::Bucket, MetricType::Histogram),
        ];
        for (ending, suffix, wanted) in candidates {
            if let Some(base) = name.strip_suffix(ending)
                && let Some(&family) = self.index.get(base)
                && self.family_type(family) == wanted
            {
                return (family, suffix);
            }
        }
        (self.create(name), Suffix::None)
    }

    /// OpenMetrics: the current family if the name fits it, else the exact name, else a
    /// family whose name plus a suffix its type allows gives the name.
    fn resolve_openmetrics(&mut self, name: &'a str) -> (usize, Suffix) {
        if let Some(current) = self.current
            && let Some(family) = self.families.get(current)
            && let Some(rest) = name.strip_prefix(family.name)
        {
            if rest.is_empty() {
                return (current, Suffix::None);
            }
            if let Some(suffix) = suffix_from(rest)
                && allows(family.metric_type, suffix)
            {
                return (current, suffix);
            }
        }
        if let Some(&family) = self.index.get(name) {
            return (family, Suffix::None);
        }
        for ending in [
            "_total", "_created", "_bucket", "_count", "_sum", "_gcount", "_gsum", "_info",
        ] {
            if let Some(base) = name.strip_suffix(ending)
                && let Some(&family) = self.index.get(base)
                && let Some(suffix) = suffix_from(ending)
                && allows(self.family_type(family), suffix)
            {
                return (family, suffix);
            }
        }
        (self.create(name), Suffix::None)
    }

    /// Makes `family` current; true when it resumes after another family's lines.
    fn enter(&mut self, family: usize) -> bool {
        if self.current == Some(family) {
            return false;
        }
        if let Some(previous) = self.current
            && let Some(closed) = self.closed.get_mut(previous)
        {
            *closed = true;
        }
        self.current = Some(family);
        self.closed.get(family).copied().unwrap_or(false)
    }

    fn meta(&mut self, number: u32, line: &'a [u8]) {
        let meta = match meta::meta(line, self.strict) {
            Ok(meta) => meta,
            Err(e) => return self.report(number, Severity::Error, e.rule, e.message),
        };
        // A metadata line may change what a sample name resolves to.
        self.last = None;
        let (name, keyword) = match &meta {
            Meta::Comment => return,
            Meta::Eof => {
                self.eof_line = Some(number);
                return;
            }
            Meta::Help { name, .. } => (*name, "HELP"),
            Meta::Type { name, .. } => (*name, "TYPE"),
            Meta::Unit { name, .. } => (*name, "UNIT"),
        };
        let family = if self.strict {
            match self.index.get(name) {
                Some(&family) => family,
                None => self.create(name),
            }
        } else {
            self.resolve_prometheus(name).0
        };
        let resumed = self.enter(family);
        let Some(existing) = self.families.get(family) else {
            return;
        };
        let first_sample = existing.samples.first().map(|sample| sample.line);
        let family_name = existing.name;
        if self.strict && resumed {
            let message = format!(
                "# {keyword} for family \"{family_name}\" after another family's lines: a family's lines must be contiguous"
            );
            self.report(number, Severity::Error, Rule::Interleaved, message);
        }
        if let Some(first) = first_sample
            && (self.strict || keyword == "TYPE")
        {
            let message = format!(
                "# {keyword} for \"{family_name}\" after its samples (first on line {first}): metadata must come before them"
            );
            return self.report(number, Severity::Error, Rule::MetadataAfterSamples, message);
        }
        let strict = self.strict;
        let Some(target) = self.families.get_mut(family) else {
            return;
        };
        let mut problems: Vec<(Severity, Rule, String)> = Vec::new();
        match meta {
            Meta::Help { text, lossy, .. } => {
                if lossy {
                    let severity = if strict {
                        Severity::Error
                    } else {
                        Severity::Warning
                    };
                    let message = format!(
                        "the HELP text of \"{family_name}\" is not valid UTF-8 (invalid bytes replaced)"
                    );
                    problems.push((severity, Rule::Utf8, message));
                }
                if target.help.is_some() {
                    let message = format!("second HELP line for \"{family_name}\"");
                    problems.push((Severity::Error, Rule::DuplicateHelp, message));
                } else {
                    target.help = Some(text);
                }
            }
            Meta::Type { metric_type, .. } => match target.type_line {
                Some(first) => {
                    let message =
                        format!("second TYPE line for \"{family_name}\" (first on line {first})");
                    problems.push((Severity::Error, Rule::DuplicateType, message));
                }
                None => {
                    target.metric_type = metric_type;
                    target.type_line = Some(number);
                }
            },
            Meta::Unit { unit, .. } => {
                if target.unit.is_some() {
                    let message = format!("second UNIT line for \"{family_name}\"");
                    problems.push((Severity::Error, Rule::DuplicateUnit, message));
                } else {
                    target.unit = Some(unit);
                    let suffixed = family_name
                        .strip_suffix(unit)
                        .is_some_and(|base| base.len() > 1 && base.ends_with('_'));
                    if !unit.is_empty() && !suffixed {
                        let message = format!(
                            "family \"{family_name}\" has unit \"{unit}\", so its name must end with \"_{unit}\""
                        );
                        problems.push((Severity::Error, Rule::UnitSuffix, message));
                    }
                }
            }
            Meta::Comment | Meta::Eof => {}
        }
        for (severity, rule, message) in problems {
            self.report(number, severity, rule, message);
        }
    }

    fn sample(&mut self, number: u32, line: &'a [u8]) {
        let parsed = match line::sample(line, self.strict) {
            Ok(parsed) => parsed,
            Err(e) => return self.report(number, Severity::Error, e.rule, e.message),
        };
        let (family, suffix) = match self.last {
            Some((name, family, suffix)) if name == parsed.name => (family, suffix),
            _ => {
                let resolved = if self.strict {
                    self.resolve_openmetrics(parsed.name)
                } else {
                    self.resolve_prometheus(parsed.name)
                };
                self.last = Some((parsed.name, resolved.0, resolved.1));
                resolved
            }
        };
        let resumed = self.enter(family);
        let Some(existing) = self.families.get(family) else {
            return;
        };
        let metric_type = existing.metric_type;
        let family_name = existing.name;
        let sample_count = existing.samples.len();
        if resumed && (self.strict || sample_count > 0) {
            let message = format!(
                "sample of family \"{family_name}\" after another family's lines: a family's lines should be contiguous"
            );
            self.report(number, self.strict_severity(), Rule::Interleaved, message);
        }
        self.check_sample(number, &parsed, family_name, metric_type, suffix);
        let Ok(sample_index) = u32::try_from(sample_count) else {
            return self.push(family, number, suffix, parsed);
        };
        let key = SeriesIndex::key(family, parsed.name, &parsed.labels);
        let new = SeriesRef {
            family: u32::try_from(family).unwrap_or(u32::MAX),
            sample: sample_index,
        };
        let families = &self.families;
        let seen = self.series.find_or_insert(key, new, |seen| {
            families
                .get(seen.family as usize)
                .and_then(|f| f.samples.get(seen.sample as usize))
                .is_some_and(|other| {
                    other.name == parsed.name && same_label_set(&other.labels, &parsed.labels, None)
                })
        });
        if let Some(seen) = seen {
            let first = families
                .get(seen.family as usize)
                .and_then(|f| f.samples.get(seen.sample as usize))
                .map_or(0, |s| s.line);
            let message = format!(
                "duplicate series {}: already on line {first}",
                series_text(parsed.name, &parsed.labels)
            );
            self.report(
                number,
                self.strict_severity(),
                Rule::DuplicateSeries,
                message,
            );
        }
        self.push(family, number, suffix, parsed);
    }

    fn push(&mut self, family: usize, number: u32, suffix: Suffix, parsed: SampleLine<'a>) {
        if let Some(target) = self.families.get_mut(family) {
            target.samples.push(Sample {
                line: number,
                name: parsed.name,
                suffix,
                labels: parsed.labels,
                value: parsed.value,
                timestamp: parsed.timestamp,
                exemplar: parsed.exemplar,
            });
        }
    }

    /// Rules on one sample that need its family: suffixes and exemplars (OpenMetrics), the
    /// `le` and `quantile` labels.
    fn check_sample(
        &mut self,
        number: u32,
        parsed: &SampleLine<'a>,
        family_name: &str,
        metric_type: MetricType,
        suffix: Suffix,
    ) {
        let mut problems: Vec<(Rule, String)> = Vec::new();
        if self.strict && !allows(metric_type, suffix) {
            let allowed: Vec<String> = [
                Suffix::None,
                Suffix::Total,
                Suffix::Created,
                Suffix::Bucket,
                Suffix::Count,
                Suffix::Sum,
                Suffix::GCount,
                Suffix::GSum,
                Suffix::Info,
            ]
            .into_iter()
            .filter(|&s| allows(metric_type, s))
            .map(|s| format!("{family_name}{}", s.as_str()))
            .collect();
            problems.push((
                Rule::SampleName,
                format!(
                    "{} family \"{family_name}\" takes samples named {}, got \"{}\"",
                    metric_type.as_str(self.format),
                    allowed.join(" or "),
                    parsed.name
                ),
            ));
        }
        let histogram = metric_type == MetricType::Histogram
            || (self.strict && metric_type == MetricType::GaugeHistogram);
        // Go's reader parses `le` on any sample of a histogram; OpenMetrics on buckets.
        if histogram && (suffix == Suffix::Bucket || !self.strict) {
            let le = parsed.labels.iter().find(|label| label.name == "le");
            if let Some(le) = le
                && line::parse_float(le.value.as_bytes()).is_none()
            {
                problems.push((
                    Rule::Histogram,
                    format!("expected a float in label le, got {:?}", le.value),
                ));
            }
        }
        if metric_type == MetricType::Summary
            && let Some(quantile) = parsed.labels.iter().find(|label| label.name == "quantile")
        {
            match line::parse_float(quantile.value.as_bytes()) {
                None => problems.push((
                    Rule::Summary,
                    format!(
                        "expected a float in label quantile, got {:?}",
                        quantile.value
                    ),
                )),
                Some(q) if self.strict && !(0.0..=1.0).contains(&q) => {
                    problems.push((Rule::Summary, format!("quantile {q} is outside [0, 1]")))
                }
                Some(_) => {}
            }
        }
        if let Some(exemplar) = &parsed.exemplar {
            let allowed = (metric_type == MetricType::Counter && suffix == Suffix::Total)
                || (histogram && suffix == Suffix::Bucket);
            if !allowed {
                problems.push((
                    Rule::Exemplar,
                    format!(
                        "an exemplar on \"{}\": exemplars are allowed only on counter _total and histogram _bucket samples",
                        parsed.name
                    ),
                ));
            }
            let runes: usize = exemplar
                .labels
                .iter()
                .map(|label| label.name.chars().count() + label.value.chars().count())
                .sum();
            if runes > 128 {
                problems.push((
                    Rule::Exemplar,
                    format!(
                        "the exemplar's labels hold {runes} characters; at most 128 are allowed"
                    ),
                ));
            }
        }
        for (rule, message) in problems {
            self.report(number, Severity::Error, rule, message);
        }
    }
}
