//! The closed model: goose users, each looping over its scenario (weighted across users),
//! started with `initialize_with_config` (never `initialize()`, which reads argv). Goose
//! keeps its own metrics and writes its HTML report; every answer is also judged and
//! recorded by the harness (`exchange::finish`), whose statistics the thresholds read.
//! Latency here starts at the send, so stalls of the target are hidden behind the users
//! that wait for them (coordinated omission); the open model does not hide them.

use super::exchange::{self, VirtualUser};
use super::plan::{ClosedModel, Plan};
use super::recorder::Recorder;
use super::scenario::{Judgement, ScenarioKind, SharedTarget};
use crate::interrupt::Interrupt;
use goose::config::{GooseConfiguration, GooseDefault, GooseDefaultType};
use goose::goose::{
    GooseMethod, GooseRequest, GooseResponse, GooseUser, Scenario, Transaction, TransactionResult,
};
use goose::prelude::GooseAttack;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Goose keeps process-wide state (its killswitch, its logger): one attack at a time.
static ONE_ATTACK: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// What every goose user's transactions share.
struct Context {
    shared: SharedTarget,
    users: Vec<Arc<VirtualUser>>,
    recorder: Arc<Recorder>,
    max_body_bytes: usize,
    ends_at: Instant,
}

/// A goose user's own virtual user (goose session data).
#[derive(Clone)]
struct Seat(Arc<VirtualUser>);

fn method_of(method: &reqwest::Method) -> GooseMethod {
    match *method {
        reqwest::Method::POST => GooseMethod::Post,
        reqwest::Method::PATCH => GooseMethod::Patch,
        reqwest::Method::DELETE => GooseMethod::Delete,
        _ => GooseMethod::Get,
    }
}

/// One iteration of `kind` for this goose user: one request, or a whole history walk.
async fn iterate(user: &mut GooseUser, kind: ScenarioKind, context: &Context) -> TransactionResult {
    let seat = match user.get_session_data::<Seat>() {
        Some(seat) => seat.0.clone(),
        None => {
            let index = user.weighted_users_index % context.users.len();
            let seat = context.users[index].clone();
            user.set_session_data(Seat(seat.clone()));
            seat
        }
    };
    loop {
        let call = seat
            .walker
            .lock()
            .next(kind, &seat.identity, &context.shared);
        let builder = exchange::prepare(
            user.get_request_builder(&method_of(&call.method), &call.path)?,
            &call,
        );
        let request = GooseRequest::builder()
            .set_request_builder(builder)
            .name(call.name)
            .build();
        let started = Instant::now();
        let GooseResponse {
            request: mut metric,
            response,
        } = user.request(request).await?;
        let done = exchange::finish(
            response,
            &call,
            &seat,
            &context.shared,
            &context.recorder,
            started,
            context.max_body_bytes,
        )
        .await;
        match &done.judgement {
            Judgement::Failed(why) if metric.success => {
                // Goose counted a 2xx; the harness's judgement of the body wins.
                user.set_failure(why, &mut metric, None, None)?;
            }
            Judgement::RateLimited(asked) => {
                let remaining = context.ends_at.saturating_duration_since(Instant::now());
                tokio::time::sleep(exchange::rate_limit_wait(*asked, remaining)).await;
            }
            _ => {}
        }
        if done.iteration_complete || Instant::now() >= context.ends_at {
            return Ok(());
        }
    }
}

/// Runs the closed model; returns the measured seconds. `goose` is goose's own configuration
/// from the command line, whose values beat the plan's.
#[allow(clippy::too_many_arguments)]
pub async fn run(
    model: &ClosedModel,
    plan: &Plan,
    base_url: &str,
    users: Vec<Arc<VirtualUser>>,
    shared: SharedTarget,
    recorder: Arc<Recorder>,
    goose: GooseConfiguration,
    report_dir: &Path,
    max_body_bytes: usize,
    interrupt: &Interrupt,
) -> Result<f64, String> {
    let _one = ONE_ATTACK.lock().await;
    let goose_verbose = goose.verbose;
    let run_time = goose
        .run_time
        .as_deref()
        .map(super::plan::parse_duration)
        .transpose()?
        .unwrap_or(model.run_time);
    let context = Arc::new(Context {
        shared,
        users,
        recorder,
        max_body_bytes,
        ends_at: Instant::now() + run_time + Duration::from_secs(30),
    });
    let mut attack = GooseAttack::initialize_with_config(goose)
        .map_err(|e| format!("goose configuration: {e}"))?;
    for (kind, weight) in &plan.scenarios {
        let kind = *kind;
        let context = context.clone();
        let transaction = Transaction::new(Arc::new(move |user| {
            let context = context.clone();
            Box::pin(async move { iterate(user, kind, &context).await })
        }))
        .set_name(kind.name());
        let scenario = Scenario::new(kind.name())
            .set_weight(*weight)
            .map_err(|e| format!("scenario {}: {e}", kind.name()))?
            .register_transaction(transaction);
        attack = attack.register_scenario(scenario);
    }
    let goose_report = report_dir.join("goose.html");
    let run_seconds = run_time.as_secs().max(1) as usize;
    let quiet = if goose_verbose == 0 { 1 } else { 0 };
    let configured = (|| {
        attack
            .set_default(GooseDefault::Quiet, quiet)?
            .set_default(GooseDefault::Host, base_url)?
            .set_default(GooseDefault::Users, model.users)?
            .set_default(GooseDefault::IncreaseRate, model.increase_rate.as_str())?
            .set_default(GooseDefault::RunTime, run_seconds)?
            .set_default(GooseDefault::NoTelnet, true)?
            .set_default(GooseDefault::NoPrintMetrics, true)?
            .set_default(
                GooseDefault::ReportFile,
                goose_report.to_string_lossy().as_ref(),
            )
    })()
    .map_err(|e| format!("goose configuration: {e}"))?;
    let watcher = {
        let interrupt = interrupt.clone();
        tokio::spawn(async move {
            interrupt.requested().await;
            goose::trigger_killswitch("interrupted by a signal");
        })
    };
    let started = Instant::now();
    let result = configured.execute().await;
    watcher.abort();
    let elapsed = started.elapsed().as_secs_f64();
    match result {
        Ok(_) => Ok(elapsed),
        Err(e) => Err(format!("goose: {e}")),
    }
}
