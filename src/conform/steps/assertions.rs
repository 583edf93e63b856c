//! Assertions on the last answer's status and headers, and the API's error-body rule
//! (endpoints.md §1.3: a non-2xx under /api must carry `{"error": "<non-empty>"}`; a failure
//! when the endpoint's row lists that status, an assumption not met otherwise).

use crate::conform::world::{ApiWorld, StepResult};
use crate::spec;
use cucumber::then;

/// Whether the step ended in `(assumed)` (an optional capture arrives as "" when absent).
pub fn assumed(flag: &str) -> bool {
    !flag.is_empty()
}

fn statuses(list: &str) -> Vec<u16> {
    list.split([',', ' '])
        .filter_map(|s| s.trim().trim_start_matches("or").trim().parse().ok())
        .collect()
}

#[then(regex = r"^the status is (\d{3})( \(assumed\))?$")]
async fn status_is(world: &mut ApiWorld, expected: u16, flag: String) -> StepResult {
    let actual = world.last()?.status;
    world.check(
        actual == expected,
        assumed(&flag),
        format!("expected status {expected}, got {actual}"),
    )
}

#[then(regex = r"^the status is one of ([\d, or]+?)( \(assumed\))?$")]
async fn status_one_of(world: &mut ApiWorld, list: String, flag: String) -> StepResult {
    let expected = statuses(&list);
    let actual = world.last()?.status;
    world.check(
        expected.contains(&actual),
        assumed(&flag),
        format!("expected one of {expected:?}, got {actual}"),
    )
}

#[then(regex = r"^the status is ([1-5])xx( \(assumed\))?$")]
async fn status_class(world: &mut ApiWorld, class: u16, flag: String) -> StepResult {
    let actual = world.last()?.status;
    world.check(
        actual / 100 == class,
        assumed(&flag),
        format!("expected a {class}xx status, got {actual}"),
    )
}

/// A refusal: any non-2xx (a 2xx where the docs require a credential is a failure).
#[then(regex = r"^the request is refused( \(assumed\))?$")]
async fn refused(world: &mut ApiWorld, flag: String) -> StepResult {
    let actual = world.last()?.status;
    world.check(
        !(200..300).contains(&actual),
        assumed(&flag),
        format!("expected a refusal, got {actual}"),
    )
}

/// The credential got past authentication: neither 401 nor 403.
#[then(regex = r"^the credential is accepted( \(assumed\))?$")]
async fn accepted(world: &mut ApiWorld, flag: String) -> StepResult {
    let actual = world.last()?.status;
    let ok = actual != 401 && actual != 403;
    world.check(
        ok,
        assumed(&flag),
        format!("expected the credential to be accepted, got {actual}"),
    )
}

/// The error-body rule of endpoints.md §1.3, weighed per the spec README.
#[then(expr = "the answer is an API error")]
async fn api_error(world: &mut ApiWorld) -> StepResult {
    let last = world.last()?.clone();
    world.check(
        !(200..300).contains(&last.status),
        false,
        format!("expected an error status, got {}", last.status),
    )?;
    let message = last
        .json
        .get("error")
        .and_then(|e| e.as_str())
        .unwrap_or_default();
    let listed = spec::find(&last.method, &last.path).is_some_and(|e| e.lists_status(last.status));
    world.check(
        !message.is_empty(),
        !listed,
        format!(
            "a {} answer must have the body {{\"error\": \"<message>\"}}",
            last.status
        ),
    )
}

#[then(
    regex = r#"^the header "([^"]+)" (is present|is absent|contains|equals)(?: "([^"]*)")?( \(assumed\))?$"#
)]
async fn header(
    world: &mut ApiWorld,
    name: String,
    check: String,
    text: String,
    flag: String,
) -> StepResult {
    let value = world.last()?.header(&name).map(str::to_owned);
    let text = world.expand(&text)?;
    let (ok, expectation) = match check.as_str() {
        "is present" => (value.is_some(), "present".to_owned()),
        "is absent" => (value.is_none(), "absent".to_owned()),
        "contains" => (
            value.as_deref().is_some_and(|v| v.contains(&text)),
            format!("containing {text:?}"),
        ),
        _ => (
            value.as_deref() == Some(text.as_str()),
            format!("equal to {text:?}"),
        ),
    };
    world.check(
        ok,
        assumed(&flag),
        format!("expected header {name} {expectation}, got {value:?}"),
    )
}
