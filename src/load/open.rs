//! The open model: requests arrive at a rate (optionally ramped), each with an intended
//! send time, whatever the target is doing. Latency is measured from the intended time, so a
//! stall of the target shows in the percentiles of every request that should have gone out
//! during it (coordinated omission corrected). A send later than `late_after` is late; an
//! arrival over the in-flight cap is dropped. If late plus dropped sends exceed the stated
//! share, or the generator's own thread is saturated, the schedule was not kept and the run
//! is invalid — never a pass.

use super::exchange::{self, VirtualUser};
use super::generator::{self, run_on_generator};
use super::outcome::ScheduleStats;
use super::plan::{OpenModel, Plan};
use super::recorder::Recorder;
use super::scenario::{Judgement, ScenarioKind, SharedTarget};
use crate::interrupt::Interrupt;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// Generator CPU share (of its one thread) above which it counts as saturated.
pub const SATURATED_CPU_SHARE: f64 = 0.9;

/// Seconds from the start at which arrival `index` is due: the rate ramps linearly from
/// `start_rate` to `rate` over `ramp_time`, then stays at `rate`.
pub fn intended_offset(model: &OpenModel, index: u64) -> f64 {
    let n = index as f64;
    let ramp = model.ramp_time.as_secs_f64();
    let (r0, r1) = (model.start_rate, model.rate);
    let ramp_arrivals = (r0 + r1) / 2.0 * ramp;
    if ramp > 0.0 && n < ramp_arrivals {
        let a = (r1 - r0) / (2.0 * ramp);
        if a.abs() < 1e-12 {
            return n / r0;
        }
        // Solve a·t² + r0·t − n = 0 for the positive root.
        return (-r0 + (r0 * r0 + 4.0 * a * n).sqrt()) / (2.0 * a);
    }
    ramp + (n - ramp_arrivals) / r1
}

/// The scenario of each arrival, spread by weight (smooth weighted round robin).
fn arrival_order(scenarios: &[(ScenarioKind, usize)]) -> Vec<ScenarioKind> {
    let total: usize = scenarios.iter().map(|(_, w)| w).sum();
    let mut current: Vec<i64> = vec![0; scenarios.len()];
    (0..total)
        .map(|_| {
            for (slot, (_, weight)) in current.iter_mut().zip(scenarios) {
                *slot += *weight as i64;
            }
            let best = (0..current.len())
                .max_by_key(|&i| (current[i], std::cmp::Reverse(i)))
                .unwrap_or(0);
            current[best] -= total as i64;
            scenarios[best].0
        })
        .collect()
}

pub struct OpenRun {
    pub measured_seconds: f64,
    pub schedule: ScheduleStats,
    /// Arrivals not sent because their scenario's endpoint asked to wait (429 Retry-After).
    pub held_back_by_rate_limit: u64,
}

/// Everything the generator thread needs (it owns its copies).
pub struct OpenSetup {
    pub model: OpenModel,
    pub users: Vec<Arc<VirtualUser>>,
    pub shared: SharedTarget,
    pub recorder: Arc<Recorder>,
    pub base_url: String,
    pub request_timeout: Duration,
    pub max_body_bytes: usize,
}

pub async fn run(setup: OpenSetup, plan: &Plan, interrupt: &Interrupt) -> Result<OpenRun, String> {
    let order = arrival_order(&plan.scenarios);
    let interrupt = interrupt.clone();
    let model = setup.model.clone();
    let ((intended, late, dropped, held, measured), usage) =
        run_on_generator(move || schedule(setup, order, interrupt)).await?;
    let measured = measured?;
    Ok(OpenRun {
        measured_seconds: measured,
        schedule: ScheduleStats {
            intended,
            late,
            dropped,
            max_late_share: model.max_late_share,
            generator_cpu: usage.cpu_share(),
            calibrated_ceiling: None,
        },
        held_back_by_rate_limit: held,
    })
}

type Tally = (u64, u64, u64, u64, Result<f64, String>);

async fn schedule(setup: OpenSetup, order: Vec<ScenarioKind>, interrupt: Interrupt) -> Tally {
    let client = match generator::client(setup.request_timeout, setup.model.max_in_flight) {
        Ok(client) => client,
        Err(e) => return (0, 0, 0, 0, Err(e)),
    };
    let setup = Arc::new(setup);
    let in_flight = Arc::new(AtomicUsize::new(0));
    // Per scenario kind: the instant (µs after start) before which its endpoint asked us
    // to hold back (Retry-After).
    let held_until: Arc<Vec<AtomicU64>> = Arc::new(
        (0..ScenarioKind::ALL.len())
            .map(|_| AtomicU64::new(0))
            .collect(),
    );
    let duration = setup.model.duration.as_secs_f64();
    let start = Instant::now() + Duration::from_millis(20);
    let (mut intended_count, mut late, mut dropped, mut held) = (0u64, 0u64, 0u64, 0u64);
    let mut tasks = tokio::task::JoinSet::new();
    for index in 0u64.. {
        let offset = intended_offset(&setup.model, index);
        if offset >= duration || interrupt.is_requested() {
            break;
        }
        let intended = start + Duration::from_secs_f64(offset);
        tokio::time::sleep_until(intended.into()).await;
        intended_count += 1;
        let kind = order[(index as usize) % order.len()];
        let kind_slot = ScenarioKind::ALL
            .iter()
            .position(|k| *k == kind)
            .unwrap_or(0);
        let since_start = intended.saturating_duration_since(start).as_micros() as u64;
        if held_until[kind_slot].load(Ordering::Relaxed) > since_start {
            held += 1;
            continue;
        }
        if Instant::now().saturating_duration_since(intended) > setup.model.late_after {
            late += 1;
        }
        if in_flight.load(Ordering::Relaxed) >= setup.model.max_in_flight {
            dropped += 1;
            continue;
        }
        in_flight.fetch_add(1, Ordering::Relaxed);
        let user = setup.users[(index as usize) % setup.users.len()].clone();
        let (setup, client, in_flight, held_until) = (
            setup.clone(),
            client.clone(),
            in_flight.clone(),
            held_until.clone(),
        );
        tasks.spawn(async move {
            let call = user.walker.lock().next(kind, &user.identity, &setup.shared);
            let url = format!("{}{}", setup.base_url, call.path);
            let request = exchange::prepare(client.request(call.method.clone(), url), &call);
            let done = exchange::finish(
                request.send().await,
                &call,
                &user,
                &setup.shared,
                &setup.recorder,
                intended,
                setup.max_body_bytes,
            )
            .await;
            if let Judgement::RateLimited(asked) = done.judgement {
                let wait = asked.unwrap_or(Duration::from_secs(1));
                let until = (Instant::now() + wait).saturating_duration_since(start);
                held_until[kind_slot].fetch_max(until.as_micros() as u64, Ordering::Relaxed);
            }
            in_flight.fetch_sub(1, Ordering::Relaxed);
        });
        // Reap finished tasks as we go so the set stays as small as what is in flight.
        while tasks.try_join_next().is_some() {}
    }
    // Every request has the client's timeout, so this wait is bounded by it.
    while tasks.join_next().await.is_some() {}
    let measured = start.elapsed().as_secs_f64();
    (intended_count, late, dropped, held, Ok(measured))
}

/// Why the schedule was not kept, one line each (empty: it was kept).
pub fn invalid_reasons(schedule: &ScheduleStats) -> Vec<String> {
    let mut reasons = Vec::new();
    if schedule.intended > 0 {
        let share = (schedule.late + schedule.dropped) as f64 / schedule.intended as f64;
        if share > schedule.max_late_share {
            reasons.push(format!(
                "the generator did not keep its schedule: {} late and {} dropped of {} intended \
                 sends ({:.1}%, allowed {:.1}%)",
                schedule.late,
                schedule.dropped,
                schedule.intended,
                share * 100.0,
                schedule.max_late_share * 100.0
            ));
        }
    }
    if schedule.generator_cpu > SATURATED_CPU_SHARE {
        reasons.push(format!(
            "the generator's own thread was saturated ({:.0}% CPU, limit {:.0}%)",
            schedule.generator_cpu * 100.0,
            SATURATED_CPU_SHARE * 100.0
        ));
    }
    reasons
}

#[cfg(test)]
mod tests {
    use super::*;

    fn model(rate: f64, start_rate: f64, ramp: u64) -> OpenModel {
        OpenModel {
            rate,
            start_rate,
            ramp_time: Duration::from_secs(ramp),
            duration: Duration::from_secs(10),
            vus: 1,
            max_in_flight: 10,
            max_late_share: 0.01,
            late_after: Duration::from_millis(25),
        }
    }

    #[test]
    fn arrivals_follow_the_rate_and_its_ramp() {
        let flat = model(100.0, 100.0, 0);
        assert!((intended_offset(&flat, 250) - 2.5).abs() < 1e-9);
        let ramped = model(100.0, 0.0, 2);
        // 100 arrivals during a 0→100/s ramp over 2 s; the 25th is due at 1 s.
        assert!((intended_offset(&ramped, 25) - 1.0).abs() < 1e-9);
        assert!((intended_offset(&ramped, 100) - 2.0).abs() < 1e-9);
        assert!((intended_offset(&ramped, 200) - 3.0).abs() < 1e-9);
        let offsets: Vec<f64> = (0..300).map(|i| intended_offset(&ramped, i)).collect();
        assert!(offsets.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn arrivals_are_spread_by_weight() {
        let order = arrival_order(&[(ScenarioKind::History, 3), (ScenarioKind::Explore, 1)]);
        assert_eq!(order.len(), 4);
        assert_eq!(
            order
                .iter()
                .filter(|k| **k == ScenarioKind::History)
                .count(),
            3
        );
    }

    #[test]
    fn a_schedule_not_kept_is_invalid() {
        let kept = ScheduleStats {
            intended: 1000,
            late: 5,
            dropped: 0,
            max_late_share: 0.01,
            generator_cpu: 0.3,
            calibrated_ceiling: None,
        };
        assert!(invalid_reasons(&kept).is_empty());
        let late = ScheduleStats {
            late: 30,
            ..kept.clone()
        };
        assert!(invalid_reasons(&late)[0].contains("30 late"));
        let hot = ScheduleStats {
            generator_cpu: 0.97,
            ..kept
        };
        assert!(invalid_reasons(&hot)[0].contains("saturated"));
    }
}
