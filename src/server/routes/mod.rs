//! The router: one module per API area (the areas of endpoints.md), each owning its routes
//! and their handlers, merged here under the metrics and fault layers. Path parameters use
//! one name per position (`{id}`), since parameter names are not significant (§2.1).

mod agencies;
mod agents;
mod auth;
mod bootstrap;
mod claims;
mod commands;
mod controls;
mod dms;
mod explore;
mod hook_runtime;
mod hooks;
mod invites;
mod messages;
mod observability;
mod runs;
mod skills;
mod subscriptions;
mod tokens;
mod users;

use super::App;
use super::layers::{not_found, observe};
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::middleware::from_fn_with_state;

/// Requests above this are cut off by axum itself; between 1 MiB and this the handlers
/// answer 413 after authentication, as endpoints.md §1.3 orders it.
const TRANSPORT_BODY_LIMIT: usize = 8 * 1024 * 1024;

pub fn router(app: App) -> Router {
    let mut router = Router::new()
        .merge(auth::routes())
        .merge(tokens::routes())
        .merge(bootstrap::routes())
        .merge(agencies::routes())
        .merge(messages::routes())
        .merge(invites::routes())
        .merge(skills::routes())
        .merge(runs::routes())
        .merge(dms::routes())
        .merge(agents::routes())
        .merge(claims::routes())
        .merge(users::routes())
        .merge(explore::routes())
        .merge(commands::routes())
        .merge(hook_runtime::routes())
        .merge(hooks::routes())
        .merge(subscriptions::routes())
        .merge(observability::routes());
    if app.config.test_controls {
        router = router.merge(controls::routes());
    }
    router
        .fallback(not_found)
        .method_not_allowed_fallback(not_found)
        .layer(DefaultBodyLimit::max(TRANSPORT_BODY_LIMIT))
        .layer(from_fn_with_state(app.clone(), observe))
        .with_state(app)
}
