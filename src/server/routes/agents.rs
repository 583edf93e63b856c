//! (in progress)

use crate::server::App;
use axum::Router;

pub fn routes() -> Router<App> {
    Router::new()
}
