//! The invite flow (endpoints.md §9, rows 22–23): owners and admins create invite codes
//! (`maxUses` 1–1000, default 1; `expires` `<n>m|h|d` up to a year, absent = never); any
//! caller redeems one to join without the agency's password. A redeem by a member is refused
//! with 409 before the expiry and use checks, and consumes no use.

use super::agencies::{agency_id, find, joined_answer, member_event, not_dm, not_manager};
use crate::server::auth::{Allowed, authenticate};
use crate::server::clock::{DAY, HOUR, MINUTE, Millis};
use crate::server::error::{ApiError, ApiResult};
use crate::server::events;
use crate::server::request::{ApiRequest, Body};
use crate::server::secrets::invite_code;
use crate::server::store::{Invite, Role, Store};
use crate::server::{App, views};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::post;
use axum::{Json, Router};
use serde_json::{Value, json};

pub fn routes() -> Router<App> {
    Router::new()
        .route("/api/agencies/{id}/invites", post(create))
        .route("/api/agencies/invite/redeem", post(redeem))
}

const MAX_USES: i64 = 1000;
const LONGEST: Millis = 365 * DAY;

/// `maxUses`: an integer 1–1000, default 1.
fn max_uses(body: &Body) -> ApiResult<u32> {
    let value = body.opt_i64("maxUses")?.unwrap_or(1);
    if !(1..=MAX_USES).contains(&value) {
        return Err(ApiError::bad_request(format!(
            "maxUses must be an integer from 1 to {MAX_USES}"
        )));
    }
    u32::try_from(value).map_err(|_| ApiError::bad_request("maxUses is out of range"))
}

/// `expires`: `<n>m`, `<n>h` or `<n>d` with n ≥ 1, at most one year; `None` = never.
fn lifetime(body: &Body) -> ApiResult<Option<Millis>> {
    let Some(text) = body.opt_str("expires")? else {
        return Ok(None);
    };
    let invalid = || ApiError::bad_request("expires must be <n>m, <n>h or <n>d (at most one year)");
    let (digits, unit) = [('m', MINUTE), ('h', HOUR), ('d', DAY)]
        .into_iter()
        .find_map(|(suffix, unit)| text.strip_suffix(suffix).map(|d| (d, unit)))
        .ok_or_else(invalid)?;
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(invalid());
    }
    let n: Millis = digits.parse().map_err(|_| invalid())?;
    match n.checked_mul(unit) {
        Some(ms) if n >= 1 && ms <= LONGEST => Ok(Some(ms)),
        _ => Err(invalid()),
    }
}

async fn create(
    State(app): State<App>,
    Path(id): Path<String>,
    req: ApiRequest,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let who = authenticate(&app, &req, Allowed::Anyone)?;
    let body = req.json()?;
    let id = agency_id(&id)?;
    let now = app.now();
    let invite = app.store.write(|w| {
        let a = find(w, id)?;
        not_dm(a)?;
        if !a.is_manager(who.user_id) {
            return Err(not_manager());
        }
        let max_uses = max_uses(&body)?;
        let expires_at = lifetime(&body)?.map(|ms| now + ms);
        let code = loop {
            let code = invite_code();
            if !w.invites.contains_key(&code) {
                break code;
            }
        };
        let invite = Invite {
            code: code.clone(),
            agency_id: id,
            max_uses,
            uses: 0,
            expires_at,
            created_at: now,
        };
        w.invites.insert(code, invite.clone());
        Ok(invite)
    })?;
    events::emit(
        &app,
        id,
        "invite.created",
        json!({"invite": events::invite_payload(&invite)}),
    );
    Ok((StatusCode::CREATED, Json(views::invite(&invite))))
}

async fn redeem(State(app): State<App>, req: ApiRequest) -> ApiResult<Json<Value>> {
    let who = authenticate(&app, &req, Allowed::Anyone)?;
    let body = req.json()?;
    // Codes are issued in upper case; a missing, empty or non-string code is a 400 (§1.3
    // step 8), decided after the existence check of a code that was given.
    let code = body
        .get("code")
        .and_then(Value::as_str)
        .map(|c| c.trim().to_uppercase())
        .filter(|c| !c.is_empty());
    let now = app.now();
    let (answer, invite, member) = app.store.write(|w| {
        let unknown = || ApiError::not_found("Invite not found");
        let agency_id = match &code {
            Some(code) => Some(w.invites.get(code).ok_or_else(unknown)?.agency_id),
            None => None,
        };
        let (Some(code), Some(agency_id)) = (code, agency_id) else {
            return Err(ApiError::bad_request("code is required"));
        };
        let a = w.agencies.get(&agency_id).ok_or_else(unknown)?;
        not_dm(a)?;
        if a.is_member(who.user_id) {
            return Err(ApiError::conflict("Already a member of this agency"));
        }
        let invite = w.invites.get_mut(&code).ok_or_else(unknown)?;
        if invite.expires_at.is_some_and(|at| now >= at) {
            return Err(ApiError::gone("Invite has expired"));
        }
        if invite.uses >= invite.max_uses {
            return Err(ApiError::gone("Invite has reached its maximum uses"));
        }
        invite.uses += 1;
        let invite = invite.clone();
        let a = w.agencies.get_mut(&agency_id).ok_or_else(unknown)?;
        a.add_member(who.user_id, Role::Member, now);
        let answer = joined_answer(a);
        Ok((answer, invite, member_event(w, agency_id, who.user_id)))
    })?;
    let mut redeemed = json!({"invite": events::invite_payload(&invite)});
    if let Some(member) = &member {
        redeemed["member"] = member["member"].clone();
    }
    events::emit(&app, invite.agency_id, "invite.redeemed", redeemed);
    if let Some(member) = member {
        events::emit(&app, invite.agency_id, "member.joined", member);
    }
    Ok(Json(answer))
}
