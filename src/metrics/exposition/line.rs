//! Syntax of one sample line (name, labels, value, timestamp, exemplar), with nothing known
//! about other lines; `meta.rs` reads the `#` lines with the same cursor.
//!
//! Two dialects share the code: `strict == false` is Prometheus text 0.0.4 as Go's
//! `expfmt.TextParser` (promtool) reads it, blanks and tabs allowed between all tokens;
//! `strict == true` is the OpenMetrics 1.0 ABNF, exactly one space between tokens.
//! A line never contains its `\n`. Every index is checked: no input can panic here.

use super::{Exemplar, Label, Rule, Timestamp};
use std::borrow::Cow;

/// Why a line was rejected; the caller adds the line number.
#[derive(Debug)]
pub(super) struct LineError {
    pub rule: Rule,
    pub message: String,
}

pub(super) type LineResult<T> = Result<T, LineError>;

pub(super) fn fail<T>(rule: Rule, message: String) -> LineResult<T> {
    Err(LineError { rule, message })
}

/// A syntactically valid sample line.
#[derive(Debug)]
pub(super) struct SampleLine<'a> {
    pub name: &'a str,
    pub labels: Vec<Label<'a>>,
    pub value: f64,
    pub timestamp: Option<Timestamp>,
    pub exemplar: Option<Box<Exemplar<'a>>>,
}

pub(super) struct Cursor<'a> {
    pub bytes: &'a [u8],
    pub pos: usize,
}

pub(super) fn is_blank(byte: u8) -> bool {
    byte == b' ' || byte == b'\t'
}

fn is_metric_name_start(byte: u8) -> bool {
    byte.is_ascii_alphabetic() || byte == b'_' || byte == b':'
}

pub(super) fn is_metric_name_char(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || byte == b'_' || byte == b':'
}

fn is_label_name_start(byte: u8) -> bool {
    byte.is_ascii_alphabetic() || byte == b'_'
}

fn is_label_name_char(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || byte == b'_'
}

/// Names are ASCII by construction; the fallback is unreachable but keeps this panic-free.
pub(super) fn ascii(bytes: &[u8]) -> &str {
    std::str::from_utf8(bytes).unwrap_or_default()
}

/// A token for a message: lossy UTF-8, quoted, cut after 60 characters.
pub(super) fn quoted(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(bytes);
    if text.chars().count() > 60 {
        let cut: String = text.chars().take(60).collect();
        format!("{cut:?}…")
    } else {
        format!("{text:?}")
    }
}

impl<'a> Cursor<'a> {
    pub(super) fn new(bytes: &'a [u8]) -> Self {
        Cursor { bytes, pos: 0 }
    }

    pub(super) fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    pub(super) fn at_end(&self) -> bool {
        self.pos >= self.bytes.len()
    }

    pub(super) fn eat(&mut self, byte: u8) -> bool {
        let hit = self.peek() == Some(byte);
        if hit {
            self.pos += 1;
        }
        hit
    }

    pub(super) fn skip_blanks(&mut self) {
        while self.peek().is_some_and(is_blank) {
            self.pos += 1;
        }
    }

    pub(super) fn take_while(&mut self, keep: impl Fn(u8) -> bool) -> &'a [u8] {
        let start = self.pos.min(self.bytes.len());
        let len = self
            .bytes
            .get(start..)
            .unwrap_or_default()
            .iter()
            .position(|&b| !keep(b))
            .unwrap_or(self.bytes.len() - start);
        self.pos = start + len;
        self.bytes.get(start..self.pos).unwrap_or_default()
    }

    /// Up to the next blank or the end of the line.
    pub(super) fn token(&mut self) -> &'a [u8] {
        self.take_while(|b| !is_blank(b))
    }

    pub(super) fn rest(&mut self) -> &'a [u8] {
        let rest = self.bytes.get(self.pos..).unwrap_or_default();
        self.pos = self.bytes.len();
        rest
    }

    pub(super) fn metric_name(&mut self) -> &'a [u8] {
        if self.peek().is_some_and(is_metric_name_start) {
            self.take_while(is_metric_name_char)
        } else {
            &[]
        }
    }

    pub(super) fn label_name(&mut self) -> &'a [u8] {
        if self.peek().is_some_and(is_label_name_start) {
            self.take_while(is_label_name_char)
        } else {
            &[]
        }
    }

    /// The next character, for "got …" in a message.
    pub(super) fn describe_next(&self) -> String {
        match self.peek() {
            None => "end of line".to_owned(),
            Some(b'\t') => "a tab".to_owned(),
            Some(b'\r') => "a carriage return (\\r)".to_owned(),
            Some(b) if b.is_ascii_graphic() || b == b' ' => format!("'{}'", b as char),
            Some(_) => {
                let mut probe = Cursor::new(self.bytes);
                probe.pos = self.pos;
                quoted(probe.token())
            }
        }
    }

    /// OpenMetrics separator: exactly one space.
    pub(super) fn single_space(&mut self, after: &str) -> LineResult<()> {
        if !self.eat(b' ') {
            return fail(
                Rule::Whitespace,
                format!("expected one space {after}, got {}", self.describe_next()),
            );
        }
        if self.peek().is_some_and(is_blank) {
            return fail(
                Rule::Whitespace,
                format!("expected one space {after}, got more whitespace"),
            );
        }
        if self.at_end() {
            // Every separator is followed by a token: a space cannot end the line.
            return fail(
                Rule::Whitespace,
                format!("a space {after} ends the line: trailing whitespace is not allowed"),
            );
        }
        Ok(())
    }
}

/// Parses a Go-style float: `1`, `-1.5e3`, `.5`, `NaN`, `+Inf`, `-Inf`, `Infinity` (case
/// insensitive). Rejects what Go's `strconv.ParseFloat` and expfmt reject: hex floats,
/// underscores, a signed NaN, and values that overflow to infinity (`1e400`).
pub(super) fn parse_float(token: &[u8]) -> Option<f64> {
    let text = std::str::from_utf8(token).ok()?;
    let unsigned = text
        .strip_prefix('+')
        .or_else(|| text.strip_prefix('-'))
        .unwrap_or(text);
    if unsigned.eq_ignore_ascii_case("nan") {
        return (unsigned.len() == text.len()).then_some(f64::NAN);
    }
    let value: f64 = text.parse().ok()?;
    if value.is_infinite()
        && !unsigned.eq_ignore_ascii_case("inf")
        && !unsigned.eq_ignore_ascii_case("infinity")
    {
        return None;
    }
    Some(value)
}

fn value_error(token: &[u8], what: &str) -> LineError {
    let got = if token.is_empty() {
        "end of line".to_owned()
    } else {
        quoted(token)
    };
    let hint = if token.ends_with(b"\r") {
        " (lines must end with \\n alone, not \\r\\n)"
    } else {
        ""
    };
    LineError {
        rule: Rule::Value,
        message: format!("expected {what}, got {got}{hint}"),
    }
}

/// Decodes `\\`, `\"` and `\n`; the caller has already checked that no other escape occurs.
pub(super) fn unescape(raw: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(raw.len());
    let mut bytes = raw.iter();
    while let Some(&byte) = bytes.next() {
        if byte == b'\\' {
            match bytes.next() {
                Some(b'n') => out.push(b'\n'),
                Some(&other) => out.push(other),
                None => {}
            }
        } else {
            out.push(byte);
        }
    }
    out
}

/// Reads a quoted label value; the cursor is just after the opening quote.
fn label_value<'a>(c: &mut Cursor<'a>, name: &str) -> LineResult<Cow<'a, str>> {
    let start = c.pos;
    let mut escaped = false;
    loop {
        let rest = c.bytes.get(c.pos..).unwrap_or_default();
        let Some(at) = rest.iter().position(|&b| b == b'"' || b == b'\\') else {
            let so_far = c.bytes.get(start..).unwrap_or_default();
            return fail(
                Rule::UnterminatedLabelValue,
                format!(
                    "label value {} of \"{name}\" is not closed: the line ends before its closing '\"'",
                    quoted(so_far)
                ),
            );
        };
        c.pos += at;
        if c.eat(b'"') {
            break;
        }
        c.pos += 1; // the backslash
        match c.peek() {
            Some(b'\\' | b'"' | b'n') => {
                escaped = true;
                c.pos += 1;
            }
            None => {
                return fail(
                    Rule::Escape,
                    format!("the value of label \"{name}\" ends with a lone backslash"),
                );
            }
            Some(_) => {
                let shown = c
                    .bytes
                    .get(c.pos.saturating_sub(1)..=c.pos)
                    .unwrap_or_default();
                return fail(
                    Rule::Escape,
                    format!(
                        "invalid escape sequence {} in the value of label \"{name}\" (allowed: \\\\, \\\", \\n)",
                        String::from_utf8_lossy(shown)
                    ),
                );
            }
        }
    }
    let raw = c
        .bytes
        .get(start..c.pos.saturating_sub(1))
        .unwrap_or_default();
    let Ok(text) = std::str::from_utf8(raw) else {
        return fail(
            Rule::Utf8,
            format!("the value of label \"{name}\" is not valid UTF-8"),
        );
    };
    if !escaped {
        return Ok(Cow::Borrowed(text));
    }
    Ok(Cow::Owned(String::from_utf8(unescape(raw)).unwrap_or_else(
        |e| String::from_utf8_lossy(e.as_bytes()).into_owned(),
    )))
}

/// Reads a label set; the cursor is just after `{`, and is left just after `}`.
fn labels<'a>(c: &mut Cursor<'a>, strict: bool) -> LineResult<Vec<Label<'a>>> {
    let mut out: Vec<Label<'a>> = Vec::new();
    loop {
        if !strict {
            c.skip_blanks();
        }
        if c.eat(b'}') {
            if strict && !out.is_empty() {
                return fail(
                    Rule::LabelSyntax,
                    "a trailing comma before '}' is not allowed in OpenMetrics".to_owned(),
                );
            }
            return Ok(out);
        }
        let name = ascii(c.label_name());
        if name.is_empty() {
            return fail(
                Rule::LabelName,
                format!("expected a label name, got {}", c.describe_next()),
            );
        }
        if !strict {
            c.skip_blanks();
        }
        if !c.eat(b'=') {
            return fail(
                Rule::LabelSyntax,
                format!(
                    "expected '=' after label name \"{name}\", got {}",
                    c.describe_next()
                ),
            );
        }
        if !strict {
            c.skip_blanks();
        }
        if !c.eat(b'"') {
            return fail(
                Rule::LabelSyntax,
                format!(
                    "expected '\"' to open the value of label \"{name}\", got {}",
                    c.describe_next()
                ),
            );
        }
        let value = label_value(c, name)?;
        if name == "__name__" {
            return fail(
                Rule::ReservedLabel,
                "label name \"__name__\" is reserved".to_owned(),
            );
        }
        if out.iter().any(|label| label.name == name) {
            return fail(
                Rule::DuplicateLabel,
                format!("duplicate label name \"{name}\""),
            );
        }
        out.push(Label { name, value });
        if !strict {
            c.skip_blanks();
        }
        if c.eat(b'}') {
            return Ok(out);
        }
        if !c.eat(b',') {
            return fail(
                Rule::LabelSyntax,
                format!(
                    "expected ',' or '}}' after the value of label \"{name}\", got {}",
                    c.describe_next()
                ),
            );
        }
        if strict && c.peek() == Some(b'}') {
            return fail(
                Rule::LabelSyntax,
                "a trailing comma before '}' is not allowed in OpenMetrics".to_owned(),
            );
        }
    }
}

/// Parses a sample line (the caller has ruled out blank and `#` lines).
pub(super) fn sample(line: &[u8], strict: bool) -> LineResult<SampleLine<'_>> {
    let mut c = Cursor::new(line);
    if !strict {
        c.skip_blanks();
    }
    let name = ascii(c.metric_name());
    if name.is_empty() {
        let mut probe = Cursor::new(line);
        probe.pos = c.pos;
        return fail(
            Rule::MetricName,
            format!("expected a metric name, got {}", quoted(probe.token())),
        );
    }
    if !strict {
        c.skip_blanks();
    }
    let braces = c.eat(b'{');
    let labels = if braces {
        labels(&mut c, strict)?
    } else {
        Vec::new()
    };
    if strict {
        c.single_space(if braces {
            "after the label set"
        } else {
            "after the metric name"
        })?;
    } else {
        c.skip_blanks();
    }
    let token = c.token();
    let value = parse_float(token).ok_or_else(|| value_error(token, "a float value"))?;
    let mut sample = SampleLine {
        name,
        labels,
        value,
        timestamp: None,
        exemplar: None,
    };
    if c.at_end() {
        return Ok(sample);
    }
    if !strict {
        c.skip_blanks();
        let token = c.token();
        if token.is_empty() {
            return fail(
                Rule::Timestamp,
                "trailing whitespace after the value: expected a timestamp or the end of the line"
                    .to_owned(),
            );
        }
        let millis = std::str::from_utf8(token)
            .ok()
            .and_then(|t| t.parse::<i64>().ok());
        let Some(millis) = millis else {
            return fail(
                Rule::Timestamp,
                format!(
                    "expected an integer timestamp in milliseconds, got {}",
                    quoted(token)
                ),
            );
        };
        sample.timestamp = Some(Timestamp::Millis(millis));
        if !c.at_end() {
            return fail(
                Rule::TrailingText,
                format!("unexpected text after the timestamp: {}", quoted(c.rest())),
            );
        }
        return Ok(sample);
    }
    c.single_space("after the value")?;
    if c.peek() != Some(b'#') {
        let token = c.token();
        let seconds = parse_float(token).filter(|s| s.is_finite());
        let Some(seconds) = seconds else {
            return fail(
                Rule::Timestamp,
                format!("expected a timestamp in seconds, got {}", quoted(token)),
            );
        };
        sample.timestamp = Some(Timestamp::Seconds(seconds));
        if c.at_end() {
            return Ok(sample);
        }
        c.single_space("after the timestamp")?;
        if c.peek() != Some(b'#') {
            return fail(
                Rule::TrailingText,
                format!("unexpected text after the timestamp: {}", quoted(c.rest())),
            );
        }
    }
    sample.exemplar = Some(Box::new(exemplar(&mut c)?));
    Ok(sample)
}

/// `# {labels} value [timestamp]`; the cursor is on the `#`.
fn exemplar<'a>(c: &mut Cursor<'a>) -> LineResult<Exemplar<'a>> {
    let in_exemplar = |e: LineError| LineError {
        rule: Rule::Exemplar,
        message: format!("in the exemplar: {}", e.message),
    };
    c.eat(b'#');
    c.single_space("after '#'").map_err(in_exemplar)?;
    if !c.eat(b'{') {
        return fail(
            Rule::Exemplar,
            format!(
                "expected '{{' to open the exemplar's label set, got {}",
                c.describe_next()
            ),
        );
    }
    let labels = labels(c, true).map_err(in_exemplar)?;
    c.single_space("after the exemplar's label set")
        .map_err(in_exemplar)?;
    let token = c.token();
    let value = parse_float(token)
        .ok_or_else(|| in_exemplar(value_error(token, "the exemplar's value")))?;
    let mut timestamp = None;
    if !c.at_end() {
        c.single_space("after the exemplar's value")
            .map_err(in_exemplar)?;
        let token = c.token();
        let Some(seconds) = parse_float(token).filter(|s| s.is_finite()) else {
            return fail(
                Rule::Exemplar,
                format!(
                    "expected the exemplar's timestamp in seconds, got {}",
                    quoted(token)
                ),
            );
        };
        timestamp = Some(seconds);
        if !c.at_end() {
            return fail(
                Rule::TrailingText,
                format!("unexpected text after the exemplar: {}", quoted(c.rest())),
            );
        }
    }
    Ok(Exemplar {
        labels,
        value,
        timestamp,
    })
}
