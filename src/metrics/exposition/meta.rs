//! Syntax of one `#` line: `# HELP`, `# TYPE`, `# UNIT`, `# EOF` or a comment, with nothing
//! known about other lines (whether the family already has a HELP is the parser's question).
//!
//! Prometheus text follows Go's expfmt: `#` and optional blanks, then only `HELP` and `TYPE`
//! mean anything, and the TYPE is case-insensitive. OpenMetrics follows its ABNF: exactly
//! `# KEYWORD name value`, lowercase types, and no other comment.

use super::MetricType;
use super::Rule;
use super::line::{
    Cursor, LineResult, ascii, fail, is_blank, is_metric_name_char, quoted, unescape,
};
use std::borrow::Cow;

/// What a `#` line says.
#[derive(Debug)]
pub(super) enum Meta<'a> {
    /// A comment, or (Prometheus text) a HELP/TYPE line with nothing to record.
    Comment,
    /// `# EOF` (OpenMetrics only; a plain comment in Prometheus text).
    Eof,
    /// `lossy` is set when the text was not UTF-8 and invalid bytes were replaced.
    Help {
        name: &'a str,
        text: Cow<'a, str>,
        lossy: bool,
    },
    Type {
        name: &'a str,
        metric_type: MetricType,
    },
    Unit {
        name: &'a str,
        unit: &'a str,
    },
}

/// Checks a HELP text's escapes and decodes them. Prometheus text allows `\\` and `\n`;
/// OpenMetrics also `\"`.
fn help_text(raw: &[u8], strict: bool) -> LineResult<(Cow<'_, str>, bool)> {
    let mut escaped = false;
    let mut bytes = raw.iter().enumerate();
    while let Some((_, &byte)) = bytes.next() {
        if byte != b'\\' {
            continue;
        }
        match bytes.next() {
            Some((_, b'\\' | b'n')) => escaped = true,
            Some((_, b'"')) if strict => escaped = true,
            Some((at, _)) => {
                let shown = raw.get(at.saturating_sub(1)..=at).unwrap_or_default();
                let allowed = if strict {
                    "\\\\, \\\" and \\n"
                } else {
                    "\\\\ and \\n"
                };
                return fail(
                    Rule::Escape,
                    format!(
                        "invalid escape sequence {} in HELP text (allowed: {allowed})",
                        String::from_utf8_lossy(shown)
                    ),
                );
            }
            None => {
                return fail(
                    Rule::Escape,
                    "the HELP text ends with a lone backslash".to_owned(),
                );
            }
        }
    }
    let decoded = if escaped {
        Cow::Owned(unescape(raw))
    } else {
        Cow::Borrowed(raw)
    };
    Ok(match decoded {
        Cow::Borrowed(bytes) => match std::str::from_utf8(bytes) {
            Ok(text) => (Cow::Borrowed(text), false),
            Err(_) => (String::from_utf8_lossy(bytes), true),
        },
        Cow::Owned(bytes) => match String::from_utf8(bytes) {
            Ok(text) => (Cow::Owned(text), false),
            Err(e) => (
                Cow::Owned(String::from_utf8_lossy(e.as_bytes()).into_owned()),
                true,
            ),
        },
    })
}

fn prometheus_type(token: &[u8]) -> Option<MetricType> {
    const TYPES: [(&[u8], MetricType); 6] = [
        (b"counter", MetricType::Counter),
        (b"gauge", MetricType::Gauge),
        (b"histogram", MetricType::Histogram),
        (b"summary", MetricType::Summary),
        (b"untyped", MetricType::Unknown),
        (b"gauge_histogram", MetricType::GaugeHistogram),
    ];
    TYPES
        .iter()
        .find(|(name, _)| token.eq_ignore_ascii_case(name))
        .map(|&(_, metric_type)| metric_type)
}

fn openmetrics_type(token: &[u8]) -> Option<MetricType> {
    Some(match token {
        b"counter" => MetricType::Counter,
        b"gauge" => MetricType::Gauge,
        b"histogram" => MetricType::Histogram,
        b"gaugehistogram" => MetricType::GaugeHistogram,
        b"summary" => MetricType::Summary,
        b"info" => MetricType::Info,
        b"stateset" => MetricType::StateSet,
        b"unknown" => MetricType::Unknown,
        _ => return None,
    })
}

/// Parses a line whose first non-blank byte is `#`.
pub(super) fn meta(line: &[u8], strict: bool) -> LineResult<Meta<'_>> {
    if strict {
        openmetrics_meta(line)
    } else {
        prometheus_meta(line)
    }
}

/// As Go's expfmt: `#` then optional blanks; only `HELP` and `TYPE` mean anything, and a
/// line that stops after the keyword or the name records nothing.
fn prometheus_meta(line: &[u8]) -> LineResult<Meta<'_>> {
    let mut c = Cursor::new(line);
    c.skip_blanks();
    c.eat(b'#');
    c.skip_blanks();
    let keyword = c.token();
    if c.at_end() || (keyword != b"HELP" && keyword != b"TYPE") {
        return Ok(Meta::Comment);
    }
    c.skip_blanks();
    let name_start = c.pos;
    let name = ascii(c.metric_name());
    if c.at_end() {
        return Ok(Meta::Comment);
    }
    if !c.peek().is_some_and(is_blank) {
        c.pos = name_start;
        return fail(
            Rule::MetadataName,
            format!(
                "expected a metric name after \"# {}\", got {}",
                ascii(keyword),
                quoted(c.token())
            ),
        );
    }
    c.skip_blanks();
    if c.at_end() {
        return Ok(Meta::Comment);
    }
    let rest = c.rest();
    if keyword == b"HELP" {
        let (text, lossy) = help_text(rest, false)?;
        return Ok(Meta::Help { name, text, lossy });
    }
    match prometheus_type(rest) {
        Some(metric_type) => Ok(Meta::Type { name, metric_type }),
        None => fail(
            Rule::UnknownType,
            format!(
                "unknown metric type {} (expected counter, gauge, histogram, summary or untyped)",
                quoted(rest)
            ),
        ),
    }
}

fn openmetrics_meta(line: &[u8]) -> LineResult<Meta<'_>> {
    if line == b"# EOF" {
        return Ok(Meta::Eof);
    }
    let mut c = Cursor::new(line);
    if !(c.eat(b'#') && c.eat(b' ')) {
        return fail(
            Rule::Comment,
            format!(
                "expected \"# HELP\", \"# TYPE\", \"# UNIT\" or \"# EOF\", got {}",
                quoted(line)
            ),
        );
    }
    let keyword = c.token();
    if !matches!(keyword, b"HELP" | b"TYPE" | b"UNIT") {
        let message = if keyword == b"EOF" {
            "\"# EOF\" must be alone on its line".to_owned()
        } else {
            format!(
                "OpenMetrics allows no comments: expected HELP, TYPE, UNIT or EOF after '# ', got {}",
                quoted(keyword)
            )
        };
        return fail(Rule::Comment, message);
    }
    let keyword = ascii(keyword);
    c.single_space(&format!("after \"# {keyword}\""))?;
    let name = ascii(c.metric_name());
    if name.is_empty() || !(c.at_end() || c.peek() == Some(b' ')) {
        return fail(
            Rule::MetadataName,
            format!(
                "expected a metric name after \"# {keyword}\", got {}",
                quoted(
                    c.bytes
                        .get(c.pos.saturating_sub(name.len())..)
                        .unwrap_or_default()
                )
            ),
        );
    }
    if keyword == "TYPE" {
        c.single_space("after the metric name")?;
        let token = c.rest();
        return match openmetrics_type(token) {
            Some(metric_type) => Ok(Meta::Type { name, metric_type }),
            None => fail(
                Rule::UnknownType,
                format!(
                    "unknown metric type {} (expected counter, gauge, histogram, gaugehistogram, summary, info, stateset or unknown)",
                    quoted(token)
                ),
            ),
        };
    }
    // HELP and UNIT may be empty, with or without the space before the nothing.
    if !c.at_end() {
        c.pos += 1;
    }
    let rest = c.rest();
    if keyword == "HELP" {
        let (text, lossy) = help_text(rest, true)?;
        return Ok(Meta::Help { name, text, lossy });
    }
    if !rest.iter().all(|&b| is_metric_name_char(b)) {
        return fail(
            Rule::MetadataName,
            format!(
                "expected a unit made of letters, digits, '_' and ':', got {}",
                quoted(rest)
            ),
        );
    }
    Ok(Meta::Unit {
        name,
        unit: ascii(rest),
    })
}
