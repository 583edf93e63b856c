//! Message history (endpoints.md §8, rows 21 and 31): `GET /api/agencies/{id}/messages` and
//! `GET /api/dm/{id}/messages`, one implementation behind both routes.
//!
//! This is the hot path of the load tests, so the world's read lock is held only for the access
//! check and released before the room's log is read, and the page is answered as a JSON array
//! assembled from each message's cached serialisation (never re-serialised). The two history
//! faults live here: `history-order-reversed` (pages oldest first) and `history-skips-boundary`
//! (behind a `before` cursor the first message of the page is dropped).

use super::agencies::{agency_id, find, may_read};
use crate::server::auth::{Allowed, Principal, authenticate};
use crate::server::clock::parse_rfc3339;
use crate::server::error::{ApiError, ApiResult};
use crate::server::faults::Fault;
use crate::server::request::ApiRequest;
use crate::server::store::messages::{Cursor, mentions};
use crate::server::store::{Message, Store};
use crate::server::{App, views};
use axum::Router;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use uuid::Uuid;

pub fn routes() -> Router<App> {
    Router::new()
        .route("/api/agencies/{id}/messages", get(agency_history))
        .route("/api/dm/{id}/messages", get(dm_history))
}

const DEFAULT_LIMIT: u64 = 50;
const MAX_LIMIT: u64 = 100;

/// Which route asked: the agency route takes any room (a DM room as a private agency of its
/// two participants, §22); the DM route takes only DM rooms (another ID → 404).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Route {
    Agency,
    Dm,
}

async fn agency_history(
    State(app): State<App>,
    Path(id): Path<String>,
    req: ApiRequest,
) -> ApiResult<Response> {
    history(&app, &id, &req, Route::Agency)
}

async fn dm_history(
    State(app): State<App>,
    Path(id): Path<String>,
    req: ApiRequest,
) -> ApiResult<Response> {
    history(&app, &id, &req, Route::Dm)
}

fn history(app: &App, raw_id: &str, req: &ApiRequest, route: Route) -> ApiResult<Response> {
    let who = authenticate(app, req, Allowed::Anyone)?;
    let dm_not_found = || ApiError::not_found("Conversation not found");
    let room = match route {
        Route::Agency => agency_id(raw_id)?,
        Route::Dm => Uuid::parse_str(raw_id).map_err(|_| dm_not_found())?,
    };
    app.store.read(|w| {
        let a = find(w, room)?;
        if route == Route::Dm && !a.is_dm {
            return Err(dm_not_found());
        }
        may_read(a, who.user_id)
    })?;
    let query = HistoryQuery::parse(req, &who)?;
    // `history-skips-boundary`: behind a cursor, fetch one more and drop the first.
    let skip = usize::from(
        app.fault(Fault::HistorySkipsBoundary) && !matches!(query.cursor, Cursor::Newest),
    );
    let keep = |m: &Message| {
        query
            .mention
            .as_deref()
            .is_none_or(|username| mentions(&m.content, username))
    };
    let mut page = app
        .store
        .rooms()
        .log(room)
        .read()
        .page(query.cursor, query.limit + skip, keep)
        .ok_or_else(|| ApiError::bad_request("Unknown before cursor"))?;
    page.drain(..skip.min(page.len()));
    if app.fault(Fault::HistoryOrderReversed) {
        page.reverse();
    }
    let body = views::message_array(&page);
    Ok(([(header::CONTENT_TYPE, "application/json")], body).into_response())
}

/// The query of §8.1, validated.
struct HistoryQuery {
    limit: usize,
    cursor: Cursor,
    /// Only messages mentioning this username.
    mention: Option<String>,
}

impl HistoryQuery {
    fn parse(req: &ApiRequest, who: &Principal) -> ApiResult<Self> {
        let limit = query_limit(req, "limit", DEFAULT_LIMIT, MAX_LIMIT)?;
        let cursor = match req.query("before") {
            None => Cursor::Newest,
            Some(value) => before_cursor(value)?,
        };
        let mention = match req.query("mentions") {
            None | Some("false") => None,
            Some("true") => Some(who.username.clone()),
            Some(value) => {
                let username = value.trim().trim_start_matches('@');
                if username.is_empty() {
                    return Err(ApiError::bad_request(
                        "mentions must be true, false or a username",
                    ));
                }
                Some(username.to_owned())
            }
        };
        Ok(HistoryQuery {
            limit,
            cursor,
            mention,
        })
    }
}

/// `before`: an RFC 3339 timestamp, else the ID of a message (§8.1). A `+` of a timezone
/// offset that was not percent-encoded arrives as a space, so that reading is tried too.
fn before_cursor(value: &str) -> ApiResult<Cursor> {
    let time = parse_rfc3339(value).or_else(|| parse_rfc3339(&value.replace(' ', "+")));
    if let Some(time) = time {
        return Ok(Cursor::BeforeTime(time));
    }
    Uuid::parse_str(value)
        .map(Cursor::BeforeMessage)
        .map_err(|_| ApiError::bad_request("Unknown before cursor"))
}

/// A positive integer query parameter: `default` when absent, clamped to `max`; zero,
/// negative or non-integer values are 400 (§8.1).
pub(super) fn query_limit(req: &ApiRequest, key: &str, default: u64, max: u64) -> ApiResult<usize> {
    let Some(text) = req.query(key) else {
        return Ok(clamp(default, max));
    };
    let invalid = || ApiError::bad_request(format!("{key} must be a positive integer"));
    match parse_digits(text).ok_or_else(invalid)? {
        Some(0) => Err(invalid()),
        Some(n) => Ok(clamp(n, max)),
        // All digits but beyond u64: certainly above the maximum.
        None => Ok(clamp(max, max)),
    }
}

/// A non-negative integer query parameter (`offset`), `0` when absent.
pub(super) fn query_offset(req: &ApiRequest, key: &str) -> ApiResult<usize> {
    let Some(text) = req.query(key) else {
        return Ok(0);
    };
    let invalid = || ApiError::bad_request(format!("{key} must be a non-negative integer"));
    match parse_digits(text).ok_or_else(invalid)? {
        Some(n) => usize::try_from(n).map_err(|_| invalid()),
        None => Err(invalid()),
    }
}

/// `Some(Some(n))` for a decimal integer (optional `+`), `Some(None)` for digits beyond
/// `u64`, `None` for anything else.
fn parse_digits(text: &str) -> Option<Option<u64>> {
    let digits = text.strip_prefix('+').unwrap_or(text);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some(digits.parse::<u64>().ok())
}

fn clamp(n: u64, max: u64) -> usize {
    usize::try_from(n.min(max)).unwrap_or(usize::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digits_are_parsed_strictly() {
        assert_eq!(parse_digits("42"), Some(Some(42)));
        assert_eq!(parse_digits("+7"), Some(Some(7)));
        assert_eq!(parse_digits("99999999999999999999999"), Some(None));
        for bad in ["", "-1", "1.5", "abc", "1e3", " 5"] {
            assert_eq!(parse_digits(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn before_accepts_timestamps_with_an_unencoded_offset() {
        assert!(matches!(
            before_cursor("2025-02-27T13:34:56.789 01:00"),
            Ok(Cursor::BeforeTime(1_740_659_696_789))
        ));
        assert!(matches!(
            before_cursor("2025-02-27T12:34:56.789Z"),
            Ok(Cursor::BeforeTime(1_740_659_696_789))
        ));
        assert!(before_cursor("yesterday").is_err());
    }
}
