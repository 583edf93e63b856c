//! `tidegauge calibrate`: this machine's own ceiling for the open model's generator. An
//! in-process canned responder answers every request with the same 50-message history page;
//! the generator thread drives it as fast as it can for a few seconds with the same client,
//! judging and recording every answer as a real run does. The ceiling (requests per second)
//! is saved; the open model refuses rates above a stated share of it, because a generator
//! near its own limit sends late and hides the target's latency.

use super::exchange::{self, VirtualUser};
use super::generator::{self, run_on_generator};
use super::plan::CursorForm;
use super::recorder::Recorder;
use super::scenario::{HISTORY_LIMIT, ScenarioKind, SharedTarget, VuIdentity};
use crate::http::Secret;
use serde::{Deserialize, Serialize};
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The share of the ceiling the open model may ask for.
pub const MAX_CEILING_SHARE: f64 = 0.5;
/// Requests the calibration keeps in flight.
const CONCURRENCY: usize = 32;
const AGENCY: &str = "00000000-0000-4000-8000-00000000ca11";

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Calibration {
    /// Requests per second the generator sustained against the canned responder.
    pub ceiling_rps: f64,
    /// The generator thread's CPU share while measuring (close to 1: it was the limit).
    pub generator_cpu: f64,
    pub seconds: f64,
    pub cpus: usize,
    pub measured_at: String,
}

impl Calibration {
    pub fn load(path: &Path) -> Result<Calibration, String> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read the calibration {}: {e}", path.display()))?;
        serde_json::from_str(&text)
            .map_err(|e| format!("calibration {} is not valid: {e}", path.display()))
    }

    pub fn save(&self, path: &Path) -> Result<(), String> {
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
        }
        let text = serde_json::to_string_pretty(self).map_err(|e| e.to_string())?;
        std::fs::write(path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))
    }

    /// The highest rate the open model accepts.
    pub fn allowed_rate(&self) -> f64 {
        self.ceiling_rps * MAX_CEILING_SHARE
    }
}

fn canned_page() -> String {
    let items: Vec<String> = (0..HISTORY_LIMIT)
        .map(|i| {
            let at = format!("2025-01-01T00:{:02}:{:02}.000Z", (59 - i) / 60, 59 - i % 60);
            serde_json::json!({
                "id": format!("m{i}"), "agencyId": AGENCY, "agency_id": AGENCY,
                "authorId": "system", "sender_id": "system", "sender_type": "system",
                "sender_username": "calibration", "sender_display_name": "Calibration",
                "content": "x".repeat(400), "type": "system", "metadata": {}, "dm": false,
                "createdAt": at, "created_at": at, "updatedAt": at, "updated_at": at,
            })
            .to_string()
        })
        .collect();
    format!("[{}]", items.join(","))
}

/// Starts the canned responder on 127.0.0.1:0 (on the caller's runtime).
async fn responder() -> Result<(String, tokio::task::JoinHandle<()>), String> {
    let page = bytes::Bytes::from(canned_page());
    let app = axum::Router::new().fallback(move || {
        let page = page.clone();
        async move { ([("content-type", "application/json")], page) }
    });
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0))
        .await
        .map_err(|e| format!("cannot bind the canned responder: {e}"))?;
    let addr = listener
        .local_addr()
        .map_err(|e| format!("canned responder address: {e}"))?;
    let task = tokio::spawn(async move {
        // The responder lives until the calibration aborts it.
        let _ = axum::serve(listener, app).await;
    });
    Ok((format!("http://{addr}"), task))
}

/// Measures the ceiling for `seconds`.
pub async fn measure(seconds: Duration) -> Result<Calibration, String> {
    let (base_url, responder_task) = responder().await?;
    let shared = SharedTarget {
        agency_id: AGENCY.into(),
        hook_key: Secret::new("calibration"),
        cursor: CursorForm::Timestamp,
        run_id: "calibration".into(),
    };
    let identity = Arc::new(VuIdentity {
        username: "calibration".into(),
        password: Secret::new("calibration"),
        session: Secret::new("calibration"),
        pat: Secret::new("calibration"),
        agent_token: Secret::new("calibration"),
    });
    let work = move || async move {
        let client = generator::client(Duration::from_secs(10), CONCURRENCY)?;
        let recorder = Arc::new(Recorder::new());
        let ends = Instant::now() + seconds;
        let mut workers = tokio::task::JoinSet::new();
        for _ in 0..CONCURRENCY {
            let (client, recorder, shared, base_url) = (
                client.clone(),
                recorder.clone(),
                shared.clone(),
                base_url.clone(),
            );
            let user = VirtualUser::new(identity.clone());
            workers.spawn(async move {
                while Instant::now() < ends {
                    // Every request is a first page: the canned page is the same each time.
                    user.walker.lock().restart();
                    let call =
                        user.walker
                            .lock()
                            .next(ScenarioKind::History, &user.identity, &shared);
                    let url = format!("{base_url}{}", call.path);
                    let request =
                        exchange::prepare(client.request(call.method.clone(), url), &call);
                    let started = Instant::now();
                    exchange::finish(
                        request.send().await,
                        &call,
                        &user,
                        &shared,
                        &recorder,
                        started,
                        1 << 20,
                    )
                    .await;
                }
            });
        }
        while workers.join_next().await.is_some() {}
        let (total, ..) = recorder.summarise(seconds.as_secs_f64());
        if total.errors > 0 {
            return Err(format!(
                "the canned responder's answers failed validation: {:?}",
                total.sample_errors
            ));
        }
        Ok(total.ok)
    };
    let result = run_on_generator(work).await;
    responder_task.abort();
    let (completed, usage) = result?;
    let completed = completed?;
    Ok(Calibration {
        ceiling_rps: completed as f64 / usage.wall.as_secs_f64(),
        generator_cpu: usage.cpu_share(),
        seconds: usage.wall.as_secs_f64(),
        cpus: std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1),
        measured_at: chrono::Utc::now().to_rfc3339(),
    })
}
