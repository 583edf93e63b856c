//! Message-history steps (endpoints.md §8.3): walking a room's history page by page with the
//! timestamp or the message-ID form of `before`, the whole §8.3 procedure (timestamp form
//! first, the ID form when it fails), counting the items of a list that match, and reading
//! one field of the list item that another field identifies.

use super::assertions::assumed;
use crate::conform::world::{ApiWorld, StepResult};
use chrono::{DateTime, FixedOffset};
use cucumber::{then, when};
use serde_json::Value;
use serde_json_path::JsonPath;
use std::collections::HashSet;

/// A walk longer than this is taken for a cursor that never advances.
const MAX_PAGES: usize = 1000;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Form {
    /// `before` = the oldest item's `createdAt` (docs prose, SDK).
    Timestamp,
    /// `before` = the oldest item's `id` (docs parameter table, CLI).
    Id,
}

impl Form {
    fn name(self) -> &'static str {
        match self {
            Form::Timestamp => "timestamp",
            Form::Id => "message id",
        }
    }
}

/// A finished walk: every item in the order seen, and the `createdAt` of each page's oldest.
struct Walk {
    items: Vec<Value>,
    page_ends: Vec<DateTime<FixedOffset>>,
    /// Two neighbours with the same `createdAt` (the reference server's values strictly
    /// decrease, #85).
    ties: bool,
}

/// The value at `expr` (`$.a or $.b`: the first spelling present).
fn resolve(root: &Value, expr: &str) -> Result<Option<Value>, String> {
    for alternative in expr.split(" or ") {
        let path = JsonPath::parse(alternative.trim())
            .map_err(|e| format!("{alternative} is not JSONPath: {e}"))?;
        let nodes = path.query(root).all();
        match nodes.len() {
            0 => {}
            1 => return Ok(Some(nodes[0].clone())),
            _ => return Ok(Some(Value::Array(nodes.into_iter().cloned().collect()))),
        }
    }
    Ok(None)
}

/// The JSON literal of a step, after placeholder expansion; a bare word is a string.
fn literal(world: &mut ApiWorld, text: &str) -> Result<Value, String> {
    let text = world.expand(text.trim())?;
    Ok(serde_json::from_str(&text).unwrap_or(Value::String(text)))
}

/// A page: a bare array or the `messages` wrapper the clients accept (endpoints.md §1.5).
fn page_items(json: &Value) -> Option<&Vec<Value>> {
    json.as_array()
        .or_else(|| json.get("messages").and_then(Value::as_array))
}

fn text_of<'a>(item: &'a Value, keys: &[&str]) -> Option<&'a str> {
    keys.iter()
        .find_map(|k| item.get(*k).and_then(Value::as_str))
}

fn created_at(item: &Value) -> Option<DateTime<FixedOffset>> {
    text_of(item, &["createdAt", "created_at"]).and_then(|s| DateTime::parse_from_rfc3339(s).ok())
}

fn with_query(path: &str, key: &str, value: &str) -> String {
    let value: String = url::form_urlencoded::byte_serialize(value.as_bytes()).collect();
    let separator = if path.contains('?') { '&' } else { '?' };
    format!("{path}{separator}{key}={value}")
}

/// Walks the history at `path` (placeholders already expanded) from the newest page to the
/// first empty one; `Err` says why the walk does not meet §8.3's pass condition.
async fn walk(world: &mut ApiWorld, path: &str, limit: usize, form: Form) -> Result<Walk, String> {
    let first = with_query(path, "limit", &limit.to_string());
    let mut url = first.clone();
    let mut seen: HashSet<String> = HashSet::new();
    let mut out = Walk {
        items: Vec::new(),
        page_ends: Vec::new(),
        ties: false,
    };
    let mut previous: Option<DateTime<FixedOffset>> = None;
    for page_number in 1..=MAX_PAGES {
        world.send("GET", &url, None).await?;
        let last = world.last()?;
        let status = last.status;
        if status != 200 {
            return Err(format!("page {page_number} answered {status}"));
        }
        let Some(page) = page_items(&last.json).cloned() else {
            return Err(format!("page {page_number} is not a list of messages"));
        };
        if page.is_empty() {
            return Ok(out);
        }
        if page.len() > limit {
            return Err(format!(
                "page {page_number} has {} items, more than limit={limit}",
                page.len()
            ));
        }
        for item in &page {
            let id = text_of(item, &["id"])
                .ok_or_else(|| format!("an item of page {page_number} has no id"))?;
            let at = created_at(item).ok_or_else(|| {
                format!("item {id} of page {page_number} has no RFC 3339 createdAt")
            })?;
            if !seen.insert(id.to_owned()) {
                return Err(format!(
                    "message {id} came back twice (page {page_number}): the cursor repeats"
                ));
            }
            if let Some(before) = previous {
                if at > before {
                    return Err(format!(
                        "createdAt increases along the walk at message {id} (page {page_number}): not newest first"
                    ));
                }
                out.ties |= at == before;
            }
            previous = Some(at);
        }
        let oldest = page.last().cloned().unwrap_or(Value::Null);
        out.page_ends.extend(created_at(&oldest));
        let cursor = match form {
            Form::Timestamp => text_of(&oldest, &["createdAt", "created_at"]),
            Form::Id => text_of(&oldest, &["id"]),
        }
        .unwrap_or_default()
        .to_owned();
        out.items.extend(page);
        url = with_query(&first, "before", &cursor);
    }
    Err(format!("no empty page after {MAX_PAGES} pages"))
}

fn count_content(items: &[Value], content: &str) -> usize {
    items
        .iter()
        .filter(|m| m.get("content").and_then(Value::as_str) == Some(content))
        .count()
}

/// One walk with one cursor form; checks the pages (each at most `limit` long, newest first,
/// no message twice) and leaves every item in the list for the `each item` / `the list` steps.
#[when(
    regex = r#"^I walk the history at "([^"]*)" with limit (\d+) by (timestamp|message id)( \(assumed\))?$"#
)]
async fn walk_with_form(
    world: &mut ApiWorld,
    path: String,
    limit: usize,
    form: String,
    flag: String,
) -> StepResult {
    let path = world.expand(&path)?;
    let form = if form == "timestamp" {
        Form::Timestamp
    } else {
        Form::Id
    };
    match walk(world, &path, limit, form).await {
        Err(reason) => world.check(
            false,
            assumed(&flag),
            format!("the walk by {} fails: {reason}", form.name()),
        ),
        Ok(done) => {
            world.check(
                !done.ties,
                true,
                "two messages share a createdAt: the values should strictly decrease (endpoints.md §8.2, #85)",
            )?;
            world
                .vars
                .insert("walk_pages".into(), done.page_ends.len().to_string());
            world.list = Some(done.items);
            Ok(())
        }
    }
}

/// The procedure of endpoints.md §8.3: the timestamp form first; if that walk fails for any
/// reason (including not returning every seeded message exactly once) the ID form. Passes if
/// either form works; a timestamp walk that lost messages sharing their `createdAt` with a
/// page's oldest item is reported as an assumption not met.
#[then(
    regex = r#"^walking the history at "([^"]*)" with limit (\d+) finds the (\d+) messages with content (.+) once each$"#
)]
async fn walk_either(
    world: &mut ApiWorld,
    path: String,
    limit: usize,
    count: usize,
    content: String,
) -> StepResult {
    let path = world.expand(&path)?;
    let content = match literal(world, &content)? {
        Value::String(s) => s,
        other => other.to_string(),
    };
    let judge = |result: Result<Walk, String>| -> Result<Walk, (String, Option<Walk>)> {
        match result {
            Err(reason) => Err((reason, None)),
            Ok(done) => {
                let found = count_content(&done.items, &content);
                if found == count {
                    Ok(done)
                } else {
                    Err((
                        format!("{found} of the {count} seeded messages came back"),
                        Some(done),
                    ))
                }
            }
        }
    };
    let by_time = judge(walk(world, &path, limit, Form::Timestamp).await);
    let (time_reason, time_walk) = match by_time {
        Ok(done) => {
            world.list = Some(done.items);
            return Ok(());
        }
        Err(failed) => failed,
    };
    let by_id = judge(walk(world, &path, limit, Form::Id).await);
    match by_id {
        Ok(done) => {
            if let Some(time_walk) = time_walk {
                let kept: HashSet<&str> = time_walk
                    .items
                    .iter()
                    .filter_map(|m| text_of(m, &["id"]))
                    .collect();
                let ends: HashSet<DateTime<FixedOffset>> =
                    time_walk.page_ends.iter().copied().collect();
                let lost_same_ms = done.items.iter().any(|m| {
                    text_of(m, &["id"]).is_some_and(|id| !kept.contains(id))
                        && created_at(m).is_some_and(|at| ends.contains(&at))
                });
                world.check(
                    !lost_same_ms,
                    true,
                    "timestamp cursor loses same-millisecond messages (endpoints.md §8.3)",
                )?;
            }
            world.list = Some(done.items);
            Ok(())
        }
        Err((id_reason, _)) => world.check(
            false,
            false,
            format!(
                "neither cursor form walks the history (endpoints.md §8.3): by timestamp, {time_reason}; by message id, {id_reason}"
            ),
        ),
    }
}

/// How many items of the list have a field equal to a value (`the list has 120 items where
/// $.content equals "hello"`).
#[then(
    regex = r"^the list has (\d+) items? where (\$\S*(?: or \$\S*)*) equals (.+?)( \(assumed\))?$"
)]
async fn count_where(
    world: &mut ApiWorld,
    count: usize,
    expr: String,
    expected: String,
    flag: String,
) -> StepResult {
    let expected = literal(world, &expected)?;
    let items = world
        .list
        .clone()
        .ok_or("no list: use `the response is a list` or a walk first")?;
    let mut found = 0;
    for item in &items {
        if resolve(item, &expr)?.as_ref() == Some(&expected) {
            found += 1;
        }
    }
    world.check(
        found == count,
        assumed(&flag),
        format!("expected {count} items where {expr} = {expected}, found {found}"),
    )
}

/// A field of the one list item that another field identifies (`the list item where $.id
/// equals "{agency_id}" has $.isMember equal to false`).
#[then(
    regex = r"^the list item where (\$\S*(?: or \$\S*)*) equals (.+?) has (\$\S*(?: or \$\S*)*) equal to (.+?)( \(assumed\))?$"
)]
async fn item_field(
    world: &mut ApiWorld,
    key: String,
    wanted: String,
    expr: String,
    expected: String,
    flag: String,
) -> StepResult {
    let wanted = literal(world, &wanted)?;
    let expected = literal(world, &expected)?;
    let items = world
        .list
        .clone()
        .ok_or("no list: use `the response is a list` first")?;
    let mut item = None;
    for candidate in &items {
        if resolve(candidate, &key)?.as_ref() == Some(&wanted) {
            item = Some(candidate.clone());
            break;
        }
    }
    let Some(item) = item else {
        return world.check(false, false, format!("no list item where {key} = {wanted}"));
    };
    let actual = resolve(&item, &expr)?;
    world.check(
        actual.as_ref() == Some(&expected),
        assumed(&flag),
        format!("expected {expr} = {expected} in the item where {key} = {wanted}, got {actual:?}"),
    )
}
