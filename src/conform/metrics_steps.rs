//! Metric movement steps, built on `metrics::scrape`: take a baseline, act, then check how a
//! selected series moved. Exact on a fresh instance of the harness's own (`@metrics-exact`);
//! elsewhere other traffic may add to it, so only the direction is checked (metrics.md §4).
//! The cached database gauges (`crustocean_*`) are refreshed by advancing the clock 30 s on a
//! fresh instance, and by polling every 5 s for up to 35 s elsewhere.

use super::world::{ApiWorld, StepResult};
use crate::http::{Auth, RequestBody};
use crate::metrics::scrape::{Scrape, Selector};
use cucumber::{given, then};
use serde_json::json;
use std::time::{Duration, Instant};

#[derive(Clone, Debug)]
pub struct Baseline(Scrape);

async fn scrape(world: &ApiWorld) -> Result<Scrape, String> {
    let target = world.target();
    let key = target.metrics_key.as_ref().map(|k| k.expose().to_owned());
    let client = target.client.with_body_cap(
        world.records().max_exposition_bytes,
        "--max-exposition-bytes",
    );
    Scrape::fetch(&client, key.as_deref()).await
}

#[given(expr = "I take a metrics baseline")]
async fn baseline(world: &mut ApiWorld) -> StepResult {
    world.metrics_baseline = Some(Baseline(scrape(world).await?));
    Ok(())
}

fn is_cached_gauge(selector: &Selector) -> bool {
    selector.name.starts_with("crustocean_")
}

/// Moves the fresh instance's clock past the gauge cache lifetime.
async fn expire_gauge_cache(world: &ApiWorld) -> StepResult {
    let body = RequestBody::Json(json!({"seconds": 31}));
    let target = world.target();
    target
        .client
        .send(
            "POST",
            "/__reference/clock/advance",
            &Auth::None,
            Some(&body),
            &[],
        )
        .await
        .map_err(|e| e.to_string())?;
    Ok(())
}

#[then(regex = r"^the metric (\S+) (increases|decreases) by (\d+)$")]
async fn moves(
    world: &mut ApiWorld,
    selector: String,
    direction: String,
    amount: u32,
) -> StepResult {
    let selector = Selector::parse(&selector)?;
    let Some(Baseline(before)) = world.metrics_baseline.clone() else {
        return Err("take a metrics baseline first (Given I take a metrics baseline)".into());
    };
    let sign = if direction == "increases" { 1.0 } else { -1.0 };
    let expected = sign * f64::from(amount);
    let exact = world.target().fresh;
    let start = before.sum(&selector);
    let gauge = is_cached_gauge(&selector);
    if gauge && exact {
        expire_gauge_cache(world).await?;
    }
    let deadline = Instant::now()
        + if gauge && !exact {
            Duration::from_secs(35)
        } else {
            Duration::ZERO
        };
    loop {
        let delta = scrape(world).await?.sum(&selector) - start;
        let ok = if exact {
            (delta - expected).abs() < 1e-9
        } else {
            delta * sign >= 1.0 || (amount == 0 && delta == 0.0)
        };
        if ok || Instant::now() >= deadline {
            let how = if exact {
                format!("by exactly {expected}")
            } else {
                format!("in that direction ({direction})")
            };
            // On a target others use, a gauge's movement cannot be attributed: a wrong
            // direction is reported, not failed (metrics.md §4).
            let assumed = gauge && !exact;
            return world.check(
                ok,
                assumed,
                format!(
                    "expected {} to move {how}, it moved by {delta}",
                    selector.name
                ),
            );
        }
        tokio::time::sleep(Duration::from_secs(5)).await;
    }
}
