//! Assertions on the JSON of the last answer with RFC 9535 JSONPath (`$.user.id`), where
//! `$.a or $.b` names two spellings of one field (at least one present, equal if both are);
//! capture (`I remember $.id as agency_id`); fuzzy matches; lists (bare array or wrapper);
//! the object shapes of fixtures/shapes/.

use super::assertions::assumed;
use crate::conform::matcher;
use crate::conform::world::{ApiWorld, StepResult};
use cucumber::gherkin::Step;
use cucumber::then;
use serde_json::Value;
use serde_json_path::JsonPath;

/// The value at `expr` in `root`: `Ok(None)` when absent; an error when the spellings of an
/// `or` disagree or the path is not JSONPath.
fn resolve(root: &Value, expr: &str) -> Result<Option<Value>, String> {
    let mut found: Vec<(String, Value)> = Vec::new();
    for alternative in expr.split(" or ") {
        let alternative = alternative.trim();
        let path = JsonPath::parse(alternative)
            .map_err(|e| format!("{alternative} is not JSONPath: {e}"))?;
        let nodes: Vec<&Value> = path.query(root).all();
        match nodes.len() {
            0 => {}
            1 => found.push((alternative.to_owned(), nodes[0].clone())),
            _ => found.push((
                alternative.to_owned(),
                Value::Array(nodes.into_iter().cloned().collect()),
            )),
        }
    }
    if found.windows(2).any(|pair| pair[0].1 != pair[1].1) {
        let shown: Vec<String> = found.iter().map(|(p, v)| format!("{p} = {v}")).collect();
        return Err(format!("the spellings disagree: {}", shown.join(", ")));
    }
    Ok(found.into_iter().next().map(|(_, v)| v))
}

/// JSON equality where numbers compare by value (`10` equals `10.0`).
fn same_json(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| same_json(p, q))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(k).is_some_and(|w| same_json(v, w)))
        }
        _ => a == b,
    }
}

/// The JSON literal of a step, after placeholder expansion; a bare word is a string.
fn literal(world: &mut ApiWorld, text: &str) -> Result<Value, String> {
    let text = world.expand(text.trim())?;
    Ok(serde_json::from_str(&text).unwrap_or(Value::String(text)))
}

fn type_matches(kind: &str, value: &Value) -> bool {
    match kind {
        "string" => value.is_string(),
        "non-empty string" => value.as_str().is_some_and(|s| !s.is_empty()),
        "number" => value.is_number(),
        "integer" => value.is_i64() || value.is_u64(),
        "boolean" => value.is_boolean(),
        "array" => value.is_array(),
        "object" => value.is_object(),
        "null" => value.is_null(),
        "uuid" => value
            .as_str()
            .is_some_and(|s| uuid::Uuid::parse_str(s).is_ok()),
        "datetime" => value
            .as_str()
            .is_some_and(|s| chrono::DateTime::parse_from_rfc3339(s).is_ok()),
        _ => false,
    }
}

#[then(regex = r"^(\$\S*(?: or \$\S*)*) equals (.+?)( \(assumed\))?$")]
async fn equals(world: &mut ApiWorld, expr: String, expected: String, flag: String) -> StepResult {
    let expected = literal(world, &expected)?;
    let actual = resolve(&world.last()?.json, &expr);
    let ok = matches!(&actual, Ok(Some(v)) if same_json(v, &expected));
    world.check(
        ok,
        assumed(&flag),
        format!("expected {expr} to equal {expected}, got {actual:?}"),
    )
}

#[then(
    regex = r"^(\$\S*(?: or \$\S*)*) is an? (string|non-empty string|number|integer|boolean|array|object|null|uuid|datetime)( \(assumed\))?$"
)]
async fn is_type(world: &mut ApiWorld, expr: String, kind: String, flag: String) -> StepResult {
    let actual = resolve(&world.last()?.json, &expr);
    let ok = matches!(&actual, Ok(Some(v)) if type_matches(&kind, v));
    world.check(
        ok,
        assumed(&flag),
        format!("expected {expr} to be a {kind}, got {actual:?}"),
    )
}

#[then(regex = r"^(\$\S*(?: or \$\S*)*) (contains|does not contain) (.+?)( \(assumed\))?$")]
async fn contains(
    world: &mut ApiWorld,
    expr: String,
    how: String,
    needle: String,
    flag: String,
) -> StepResult {
    let needle = literal(world, &needle)?;
    let actual = resolve(&world.last()?.json, &expr);
    let found = match (&actual, &needle) {
        (Ok(Some(Value::Array(items))), n) => items.contains(n),
        (Ok(Some(Value::String(s))), Value::String(n)) => s.contains(n.as_str()),
        _ => false,
    };
    let wanted = how == "contains";
    world.check(
        found == wanted,
        assumed(&flag),
        format!("expected {expr} to {how} {needle}, got {actual:?}"),
    )
}

#[then(regex = r#"^(\$\S*(?: or \$\S*)*) matches "(.*)"( \(assumed\))?$"#)]
async fn matches_regex(
    world: &mut ApiWorld,
    expr: String,
    pattern: String,
    flag: String,
) -> StepResult {
    let re = regex::Regex::new(&pattern).map_err(|e| format!("bad regex {pattern}: {e}"))?;
    let actual = resolve(&world.last()?.json, &expr);
    let ok = matches!(&actual, Ok(Some(Value::String(s))) if re.is_match(s));
    world.check(
        ok,
        assumed(&flag),
        format!("expected {expr} to match /{pattern}/, got {actual:?}"),
    )
}

#[then(regex = r"^(\$\S*(?: or \$\S*)*) has length (\d+)( \(assumed\))?$")]
async fn has_length(world: &mut ApiWorld, expr: String, length: usize, flag: String) -> StepResult {
    let actual = resolve(&world.last()?.json, &expr);
    let len = match &actual {
        Ok(Some(Value::Array(items))) => Some(items.len()),
        Ok(Some(Value::String(s))) => Some(s.chars().count()),
        _ => None,
    };
    world.check(
        len == Some(length),
        assumed(&flag),
        format!("expected {expr} to have length {length}, got {actual:?}"),
    )
}

#[then(regex = r"^(\$\S*(?: or \$\S*)*) is (absent|present)( \(assumed\))?$")]
async fn presence(world: &mut ApiWorld, expr: String, which: String, flag: String) -> StepResult {
    let actual = resolve(&world.last()?.json, &expr)?;
    let ok = actual.is_some() == (which == "present");
    world.check(
        ok,
        assumed(&flag),
        format!("expected {expr} to be {which}, got {actual:?}"),
    )
}

#[then(regex = r"^I remember (\$\S*(?: or \$\S*)*) as (\w+)$")]
async fn remember(world: &mut ApiWorld, expr: String, name: String) -> StepResult {
    let value = resolve(&world.last()?.json, &expr)?;
    let text = match value {
        Some(Value::String(s)) => s,
        Some(other) => other.to_string(),
        None => {
            return world.check(
                false,
                false,
                format!("nothing at {expr} to remember as {name}"),
            );
        }
    };
    world.vars.insert(name, text);
    Ok(())
}

fn report(world: &mut ApiWorld, found: matcher::Mismatches, what: &str) -> StepResult {
    for assumption in found.assumptions {
        world.check(false, true, format!("{what}: {assumption}"))?;
    }
    let ok = found.failures.is_empty();
    world.check(
        ok,
        false,
        format!("{what}:\n  {}", found.failures.join("\n  ")),
    )
}

fn docstring(world: &mut ApiWorld, step: &Step) -> Result<Value, String> {
    let text = step
        .docstring
        .as_deref()
        .ok_or("this step needs a doc string")?;
    let value: Value =
        serde_json::from_str(text).map_err(|e| format!("the doc string is not JSON: {e}"))?;
    world.expand_json(value)
}

#[then(regex = r"^(\$\S*|the response) matches:$")]
async fn fuzzy(world: &mut ApiWorld, expr: String, step: &Step) -> StepResult {
    let expected = docstring(world, step)?;
    let root = world.last()?.json.clone();
    let actual = if expr == "the response" {
        Some(root)
    } else {
        resolve(&root, &expr)?
    };
    let found = matcher::matches(&expected, &actual.unwrap_or(Value::Null));
    report(world, found, &format!("{expr} does not match"))
}

/// The list of an answer: a bare array, or the single array of a wrapper object.
#[then(regex = r#"^the response is a list(?: wrapped as "(\w+)")?$"#)]
async fn is_list(world: &mut ApiWorld, wrapper: String) -> StepResult {
    let json = world.last()?.json.clone();
    let list = match (&json, wrapper.as_str()) {
        (Value::Array(items), "") => Some(items.clone()),
        (Value::Object(map), "") => {
            let arrays: Vec<&Vec<Value>> = map.values().filter_map(Value::as_array).collect();
            (arrays.len() == 1).then(|| arrays[0].clone())
        }
        (Value::Object(map), key) => map.get(key).and_then(Value::as_array).cloned(),
        _ => None,
    };
    let wanted = if wrapper.is_empty() {
        "a list (array or wrapper)".to_owned()
    } else {
        format!("an object with a \"{wrapper}\" array")
    };
    world.check(list.is_some(), false, format!("expected {wanted}"))?;
    world.list = list;
    Ok(())
}

fn list(world: &ApiWorld) -> Result<Vec<Value>, String> {
    world
        .list
        .clone()
        .ok_or_else(|| "no list: use `the response is a list` first".to_owned())
}

#[then(regex = r"^the list (has|has at most|has at least) (\d+) items?( \(assumed\))?$")]
async fn list_length(world: &mut ApiWorld, how: String, n: usize, flag: String) -> StepResult {
    let len = list(world)?.len();
    let ok = match how.as_str() {
        "has" => len == n,
        "has at most" => len <= n,
        _ => len >= n,
    };
    world.check(
        ok,
        assumed(&flag),
        format!("expected the list to {how} {n} items, got {len}"),
    )
}

#[then(regex = r"^each item matches:$")]
async fn each_matches(world: &mut ApiWorld, step: &Step) -> StepResult {
    let expected = docstring(world, step)?;
    let mut found = matcher::Mismatches::default();
    for (i, item) in list(world)?.iter().enumerate() {
        let one = matcher::matches(&expected, item);
        found
            .failures
            .extend(one.failures.into_iter().map(|f| format!("item {i}: {f}")));
        found.assumptions.extend(
            one.assumptions
                .into_iter()
                .map(|f| format!("item {i}: {f}")),
        );
    }
    report(world, found, "not every item matches")
}

#[then(
    regex = r"^the list (contains|does not contain) an item where (\$\S*(?: or \$\S*)*) equals (.+?)( \(assumed\))?$"
)]
async fn list_contains(
    world: &mut ApiWorld,
    how: String,
    expr: String,
    expected: String,
    flag: String,
) -> StepResult {
    let expected = literal(world, &expected)?;
    let items = list(world)?;
    let found = items
        .iter()
        .any(|item| matches!(resolve(item, &expr), Ok(Some(v)) if v == expected));
    let wanted = how == "contains";
    world.check(
        found == wanted,
        assumed(&flag),
        format!("expected the list to {how} an item where {expr} = {expected}"),
    )
}

#[then(
    regex = r"^the list is ordered by (\$\S*(?: or \$\S*)*) (ascending|descending)( \(assumed\))?$"
)]
async fn list_ordered(
    world: &mut ApiWorld,
    expr: String,
    direction: String,
    flag: String,
) -> StepResult {
    let keys: Vec<Value> = list(world)?
        .iter()
        .filter_map(|item| resolve(item, &expr).ok().flatten())
        .collect();
    let ordered = keys.windows(2).all(|pair| {
        let order = compare(&pair[0], &pair[1]);
        if direction == "ascending" {
            order.is_le()
        } else {
            order.is_ge()
        }
    });
    world.check(
        ordered,
        assumed(&flag),
        format!("expected the list ordered by {expr} {direction}"),
    )
}

fn compare(a: &Value, b: &Value) -> std::cmp::Ordering {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x
            .as_f64()
            .partial_cmp(&y.as_f64())
            .unwrap_or(std::cmp::Ordering::Equal),
        (Value::String(x), Value::String(y)) => {
            match (
                chrono::DateTime::parse_from_rfc3339(x),
                chrono::DateTime::parse_from_rfc3339(y),
            ) {
                (Ok(x), Ok(y)) => x.cmp(&y),
                _ => x.cmp(y),
            }
        }
        _ => std::cmp::Ordering::Equal,
    }
}

fn shape(name: &str) -> Result<Value, String> {
    let location = format!("{}/fixtures/shapes/{name}.json", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&location)
        .map_err(|e| format!("no shape {name} ({location}: {e})"))?;
    serde_json::from_str(&text).map_err(|e| format!("{location} is not JSON: {e}"))
}

/// `the response is a User`, `$.user is a User`: the object shapes of endpoints.md §3.
#[then(regex = r"^(\$\S*|the response) is an? ([A-Z]\w+)$")]
async fn is_shape(world: &mut ApiWorld, expr: String, name: String) -> StepResult {
    let expected = shape(&name)?;
    let root = world.last()?.json.clone();
    let actual = if expr == "the response" {
        Some(root)
    } else {
        resolve(&root, &expr)?
    };
    let found = matcher::matches(&expected, &actual.unwrap_or(Value::Null));
    report(world, found, &format!("{expr} is not a {name}"))
}

#[then(regex = r"^each item is an? ([A-Z]\w+)$")]
async fn each_shape(world: &mut ApiWorld, name: String) -> StepResult {
    let expected = shape(&name)?;
    let mut found = matcher::Mismatches::default();
    for (i, item) in list(world)?.iter().enumerate() {
        let one = matcher::matches(&expected, item);
        found
            .failures
            .extend(one.failures.into_iter().map(|f| format!("item {i}: {f}")));
        found.assumptions.extend(
            one.assumptions
                .into_iter()
                .map(|f| format!("item {i}: {f}")),
        );
    }
    report(world, found, &format!("not every item is a {name}"))
}
