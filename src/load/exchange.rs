//! One measured request, as both load models send it: the `Call`'s headers and body put on
//! a reqwest builder, the answer read with a size cap, judged by the scenario's `Walker`,
//! and recorded. The engines differ only in who builds the request (goose's user client or
//! the open model's own) and in when latency starts (the send, or the intended send time).

use super::recorder::Recorder;
use super::scenario::{Call, Judgement, Reply, SharedTarget, VuIdentity, Walker};
use parking_lot::Mutex;
use reqwest::{RequestBuilder, Response};
use std::time::{Duration, Instant};

/// A virtual user: its identity and its position in the scenarios (locked only between
/// awaits, never across one).
pub struct VirtualUser {
    pub identity: std::sync::Arc<VuIdentity>,
    pub walker: Mutex<Walker>,
}

impl VirtualUser {
    pub fn new(identity: std::sync::Arc<VuIdentity>) -> VirtualUser {
        VirtualUser {
            identity,
            walker: Mutex::new(Walker::default()),
        }
    }
}

/// Adds the call's headers and body.
pub fn prepare(builder: RequestBuilder, call: &Call) -> RequestBuilder {
    let mut builder = call
        .headers
        .iter()
        .fold(builder, |b, (name, value)| b.header(*name, value));
    if let Some(body) = &call.body {
        builder = builder.body(body.clone());
    }
    builder
}

struct Answer {
    status: u16,
    content_type: Option<String>,
    retry_after: Option<String>,
    body: Vec<u8>,
}

async fn read(mut response: Response, max_body_bytes: usize) -> Result<Answer, (u16, String)> {
    let status = response.status().as_u16();
    let header = |name: &str| {
        response
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    let content_type = header("content-type");
    let retry_after = header("retry-after");
    let mut body = Vec::new();
    loop {
        match response.chunk().await {
            Ok(Some(chunk)) => {
                if body.len() + chunk.len() > max_body_bytes {
                    return Err((status, format!("body over the {max_body_bytes}-byte cap")));
                }
                body.extend_from_slice(&chunk);
            }
            Ok(None) => break,
            Err(e) => return Err((status, format!("the body broke off: {e}"))),
        }
    }
    Ok(Answer {
        status,
        content_type,
        retry_after,
        body,
    })
}

/// What the engine must do after one request.
pub struct Done {
    pub judgement: Judgement,
    /// The scenario's iteration is complete.
    pub iteration_complete: bool,
}

/// Reads, judges and records the answer to `call` (or the transport error). `latency_from`
/// is when the clock started for this request.
#[allow(clippy::too_many_arguments)]
pub async fn finish(
    sent: Result<Response, reqwest::Error>,
    call: &Call,
    user: &VirtualUser,
    shared: &SharedTarget,
    recorder: &Recorder,
    latency_from: Instant,
    max_body_bytes: usize,
) -> Done {
    let answer = match sent {
        Ok(response) => read(response, max_body_bytes).await,
        Err(e) => Err((0, describe(&e))),
    };
    let latency = latency_from.elapsed();
    let (status, judgement, complete) = match answer {
        Ok(answer) => {
            let reply = Reply {
                status: answer.status,
                content_type: answer.content_type.as_deref(),
                retry_after: answer.retry_after.as_deref(),
                body: &answer.body,
            };
            let (judgement, complete) =
                user.walker
                    .lock()
                    .judge(call, &reply, &user.identity, shared);
            (Some(answer.status), judgement, complete)
        }
        Err((status, why)) => {
            user.walker.lock().restart();
            let judgement = Judgement::Failed(format!("{} {}: {why}", call.method, call.template));
            ((status != 0).then_some(status), judgement, true)
        }
    };
    recorder.record(call, latency, status, &judgement);
    Done {
        judgement,
        iteration_complete: complete,
    }
}

fn describe(error: &reqwest::Error) -> String {
    if error.is_timeout() {
        "no answer within the request timeout".into()
    } else if error.is_connect() {
        "cannot connect".into()
    } else {
        format!("transport error: {error}")
    }
}

/// The wait a 429 asked for, bounded so that a run never outlives its schedule.
pub fn rate_limit_wait(asked: Option<Duration>, remaining: Duration) -> Duration {
    asked.unwrap_or(Duration::from_secs(1)).min(remaining)
}
