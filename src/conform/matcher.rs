//! Karate-style fuzzy matching of JSON, used by `the response matches:`, `each item matches:`
//! and the object shapes of fixtures/shapes/.
//!
//! In the expected document a string starting with `#` is a marker: `#string`, `#number`,
//! `#boolean`, `#array`, `#object`, `#uuid`, `#datetime` (RFC 3339), `#null` (present and
//! null), `#notnull`, `#present`, `#notpresent`, `#ignore`, `#regex <re>`; `##x` also accepts
//! null or an absent key. Objects match when every expected key matches (extra keys are
//! allowed: the API may add fields); arrays when they have the same length and match item by
//! item. A key `a|b` names two spellings of one field (endpoints.md §1.5): at least one must
//! be present, each present one must match, and present ones must be equal. A key ending in
//! `?` is ASSUMED: its mismatches are reported apart, as assumptions not met.

use serde_json::Value;

/// The mismatches of one match: failures, and assumptions not met.
#[derive(Debug, Default)]
pub struct Mismatches {
    pub failures: Vec<String>,
    pub assumptions: Vec<String>,
}

impl Mismatches {
    pub fn is_empty(&self) -> bool {
        self.failures.is_empty() && self.assumptions.is_empty()
    }
}

pub fn matches(expected: &Value, actual: &Value) -> Mismatches {
    let mut out = Mismatches::default();
    match_value(expected, Some(actual), "$", false, &mut out);
    out
}

fn push(out: &mut Mismatches, assumed: bool, message: String) {
    if assumed {
        out.assumptions.push(message)
    } else {
        out.failures.push(message)
    }
}

fn is_uuid(text: &str) -> bool {
    uuid::Uuid::parse_str(text).is_ok()
}

fn is_datetime(text: &str) -> bool {
    chrono::DateTime::parse_from_rfc3339(text).is_ok()
}

/// Checks `actual` (None = absent) against a marker; `Err` says what was expected.
fn check_marker(marker: &str, actual: Option<&Value>) -> Result<(), String> {
    let (optional, marker) = match marker.strip_prefix("##") {
        Some(rest) => (true, rest),
        None => (false, marker.trim_start_matches('#')),
    };
    if optional && matches!(actual, None | Some(Value::Null)) {
        return Ok(());
    }
    let ok = match (marker, actual) {
        ("ignore", _) => true,
        ("notpresent", a) => a.is_none(),
        (_, None) => false,
        ("present", Some(_)) => true,
        ("null", Some(v)) => v.is_null(),
        ("notnull", Some(v)) => !v.is_null(),
        ("string", Some(v)) => v.is_string(),
        ("number", Some(v)) => v.is_number(),
        ("boolean", Some(v)) => v.is_boolean(),
        ("array", Some(v)) => v.is_array(),
        ("object", Some(v)) => v.is_object(),
        ("uuid", Some(v)) => v.as_str().is_some_and(is_uuid),
        ("datetime", Some(v)) => v.as_str().is_some_and(is_datetime),
        (m, Some(v)) if m.starts_with("regex ") => {
            let pattern = &m["regex ".len()..];
            let re =
                regex::Regex::new(pattern).map_err(|e| format!("bad #regex {pattern}: {e}"))?;
            v.as_str().is_some_and(|s| re.is_match(s))
        }
        (other, _) => return Err(format!("unknown marker #{other}")),
    };
    if ok {
        Ok(())
    } else {
        Err(format!("#{}{marker}", if optional { "#" } else { "" }))
    }
}

fn render(actual: Option<&Value>) -> String {
    match actual {
        None => "absent".to_owned(),
        Some(v) => {
            let text = v.to_string();
            if text.len() > 120 {
                format!(
                    "{}…",
                    &text[..text.char_indices().nth(117).map_or(text.len(), |(i, _)| i)]
                )
            } else {
                text
            }
        }
    }
}

fn match_value(
    expected: &Value,
    actual: Option<&Value>,
    at: &str,
    assumed: bool,
    out: &mut Mismatches,
) {
    match expected {
        Value::String(text) if text.starts_with('#') => {
            if let Err(wanted) = check_marker(text, actual) {
                push(
                    out,
                    assumed,
                    format!("{at}: expected {wanted}, got {}", render(actual)),
                );
            }
        }
        Value::Object(fields) => {
            let Some(Value::Object(object)) = actual else {
                push(
                    out,
                    assumed,
                    format!("{at}: expected an object, got {}", render(actual)),
                );
                return;
            };
            for (key, expected_field) in fields {
                let (key, field_assumed) = match key.strip_suffix('?') {
                    Some(k) => (k, true),
                    None => (key.as_str(), assumed),
                };
                match_field(key, expected_field, object, at, field_assumed, out);
            }
        }
        Value::Array(items) => {
            let Some(Value::Array(actual_items)) = actual else {
                push(
                    out,
                    assumed,
                    format!("{at}: expected an array, got {}", render(actual)),
                );
                return;
            };
            if items.len() != actual_items.len() {
                push(
                    out,
                    assumed,
                    format!(
                        "{at}: expected {} items, got {}",
                        items.len(),
                        actual_items.len()
                    ),
                );
                return;
            }
            for (i, (e, a)) in items.iter().zip(actual_items).enumerate() {
                match_value(e, Some(a), &format!("{at}[{i}]"), assumed, out);
            }
        }
        literal => {
            if actual != Some(literal) {
                push(
                    out,
                    assumed,
                    format!("{at}: expected {literal}, got {}", render(actual)),
                );
            }
        }
    }
}

fn match_field(
    key: &str,
    expected: &Value,
    object: &serde_json::Map<String, Value>,
    at: &str,
    assumed: bool,
    out: &mut Mismatches,
) {
    let spellings: Vec<&str> = key.split('|').collect();
    let present: Vec<(&str, &Value)> = spellings
        .iter()
        .filter_map(|s| object.get(*s).map(|v| (*s, v)))
        .collect();
    let path = format!("{at}.{key}");
    if present.is_empty() {
        match_value(expected, None, &path, assumed, out);
        return;
    }
    for (spelling, value) in &present {
        match_value(
            expected,
            Some(value),
            &format!("{at}.{spelling}"),
            assumed,
            out,
        );
    }
    if present.windows(2).any(|pair| pair[0].1 != pair[1].1) {
        push(
            out,
            assumed,
            format!(
                "{path}: the spellings disagree ({})",
                present
                    .iter()
                    .map(|(s, v)| format!("{s}={v}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn markers_and_spellings() {
        let expected = json!({
            "id": "#uuid",
            "createdAt|created_at": "#datetime",
            "name": "#string",
            "charter": "##string",
            "gone": "#notpresent",
            "count?": "#number",
        });
        let good = json!({"id": "0b4a9c1e-6f0d-4f5e-9a51-2d7c3e8b9f10", "created_at": "2025-01-15T10:30:00.000Z",
            "name": "x", "charter": null, "extra": 1, "count": 3});
        assert!(matches(&expected, &good).is_empty());

        let bad = json!({"id": "u_1", "createdAt": "2025-01-15T10:30:00.000Z", "created_at": "2025-01-16T10:30:00.000Z",
            "name": 3, "gone": 1, "count": "3"});
        let found = matches(&expected, &bad);
        assert_eq!(found.failures.len(), 4, "{found:?}");
        assert_eq!(found.assumptions.len(), 1, "{found:?}");
        assert!(
            found
                .failures
                .iter()
                .any(|f| f.contains("spellings disagree"))
        );
    }

    #[test]
    fn arrays_regex_and_absent_spellings() {
        let found = matches(&json!([{"a": "#regex ^x\\d$"}]), &json!([{"a": "x1"}]));
        assert!(found.is_empty());
        let found = matches(&json!({"a|b": "#string"}), &json!({}));
        assert_eq!(
            found.failures,
            vec!["$.a|b: expected #string, got absent".to_owned()]
        );
        assert!(!matches(&json!([1, 2]), &json!([1])).is_empty());
    }
}
