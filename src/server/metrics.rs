//! The 22 documented metric families of metrics.md §2, registered in a `prometheus` registry,
//! the cached database gauges (§4), the text exposition and the JSON snapshot (§6), both
//! read from the same registry so that they agree. Requests are counted by `layers::track`.

use super::AppState;
use super::clock::{Millis, rfc3339};
use super::faults::Fault;
use super::store::{Store, UserKind};
use parking_lot::Mutex;
use prometheus::proto::{MetricFamily, MetricType};
use prometheus::{
    Encoder, Histogram, HistogramOpts, HistogramVec, IntCounter, IntCounterVec, IntGauge, Opts,
    Registry, TextEncoder,
};
use serde_json::{Map, Value, json};
use std::cell::Cell;
use std::time::Duration;

/// Bucket bounds of all three histograms (metrics.md §2.3, reference choice).
pub const BUCKETS: &[f64] = &[
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Counter,
    Gauge,
    Histogram,
}

/// One documented family: name, type, help text and label names in their order.
pub struct Family {
    pub name: &'static str,
    pub kind: Kind,
    pub help: &'static str,
    pub labels: &'static [&'static str],
}

macro_rules! family {
    ($name:literal, $kind:ident, $help:literal, [$($label:literal),*]) => {
        Family { name: $name, kind: Kind::$kind, help: $help, labels: &[$($label),*] }
    };
}

/// The 22 families, in the order of metrics.md §2.
pub const FAMILIES: &[Family] = &[
    family!(
        "http_requests_total",
        Counter,
        "HTTP requests handled",
        ["method", "path", "status"]
    ),
    family!(
        "socket_connections_total",
        Counter,
        "Realtime connections opened since start",
        []
    ),
    family!(
        "messages_sent_total",
        Counter,
        "Messages sent by users and agents",
        ["sender_type"]
    ),
    family!(
        "agent_responses_total",
        Counter,
        "Agent replies by provider and outcome",
        ["provider", "status"]
    ),
    family!(
        "agent_registrations_total",
        Counter,
        "Agent self-registrations",
        []
    ),
    family!(
        "claim_emails_total",
        Counter,
        "Claim verification e-mails",
        ["status"]
    ),
    family!(
        "claims_completed_total",
        Counter,
        "Agent claims completed",
        []
    ),
    family!(
        "claims_expired_total",
        Counter,
        "Claim verifications attempted after expiry",
        []
    ),
    family!(
        "socket_events_errors_total",
        Counter,
        "Errors thrown by realtime event handlers",
        []
    ),
    family!(
        "agent_queue_fallback_total",
        Counter,
        "Agent work queue fallbacks from Redis",
        []
    ),
    family!(
        "crustocean_users_total",
        Gauge,
        "Registered human users",
        []
    ),
    family!("crustocean_agents_total", Gauge, "Registered agents", []),
    family!(
        "crustocean_agents_unclaimed",
        Gauge,
        "Agents with no human owner",
        []
    ),
    family!(
        "crustocean_agencies_total",
        Gauge,
        "Agencies (rooms), DM rooms included",
        []
    ),
    family!(
        "crustocean_messages_total",
        Gauge,
        "Messages across all agencies",
        []
    ),
    family!(
        "crustocean_memberships_total",
        Gauge,
        "Agency memberships",
        []
    ),
    family!(
        "crustocean_hooks_active",
        Gauge,
        "Active (enabled) hooks",
        []
    ),
    family!(
        "crustocean_claims_pending",
        Gauge,
        "Pending claim requests",
        []
    ),
    family!(
        "http_request_duration_seconds",
        Histogram,
        "HTTP request latency",
        ["method", "path"]
    ),
    family!(
        "db_query_duration_seconds",
        Histogram,
        "Storage time per HTTP request",
        []
    ),
    family!(
        "agent_response_duration_seconds",
        Histogram,
        "Agent response time by provider",
        ["provider"]
    ),
    family!(
        "socket_connections_current",
        Gauge,
        "Realtime connections open now",
        []
    ),
];

tokio::task_local! {
    /// Storage time accumulated by the request being served.
    static STORAGE_TIME: Cell<Duration>;
}

/// Adds storage time to the current request, if one is being tracked.
pub fn add_storage_time(elapsed: Duration) {
    let _ = STORAGE_TIME.try_with(|total| total.set(total.get() + elapsed));
}

/// Runs `future` while collecting the storage time it spends; returns both.
pub async fn with_storage_timer<F: Future>(future: F) -> (F::Output, Duration) {
    STORAGE_TIME
        .scope(Cell::new(Duration::ZERO), async {
            let output = future.await;
            (output, STORAGE_TIME.with(Cell::get))
        })
        .await
}

/// The eight database gauges, in FAMILIES order (indexes 10..18).
pub struct DbGauges([IntGauge; 8]);

pub struct Metrics {
    registry: Registry,
    pub http_requests: IntCounterVec,
    pub http_duration: HistogramVec,
    pub db_duration: Histogram,
    pub agent_response_duration: HistogramVec,
    pub messages_sent: IntCounterVec,
    pub agent_responses: IntCounterVec,
    pub agent_registrations: IntCounter,
    pub claim_emails: IntCounterVec,
    pub claims_completed: IntCounter,
    pub claims_expired: IntCounter,
    db_gauges: DbGauges,
    /// When the database gauges were last computed (server clock), `None` before the first scrape.
    gauges_cached_at: Mutex<Option<Millis>>,
    started_at: Millis,
}

fn opts(index: usize) -> Opts {
    Opts::new(FAMILIES[index].name, FAMILIES[index].help)
}

fn histogram_opts(index: usize) -> HistogramOpts {
    HistogramOpts::new(FAMILIES[index].name, FAMILIES[index].help).buckets(BUCKETS.to_vec())
}

impl Metrics {
    pub fn new(started_at: Millis) -> Self {
        // Registration of fixed, distinct names cannot fail; a failure is a programming error.
        let registry = Registry::new();
        let reg = |c: Box<dyn prometheus::core::Collector>| {
            registry
                .register(c)
                .expect("metric families are registered once");
        };
        let counter = |i| IntCounter::with_opts(opts(i)).expect("valid counter");
        let counter_vec = |i| IntCounterVec::new(opts(i), FAMILIES[i].labels).expect("valid vec");
        let gauge = |i| IntGauge::with_opts(opts(i)).expect("valid gauge");

        let http_requests = counter_vec(0);
        let socket_connections_total = counter(1);
        let messages_sent = counter_vec(2);
        let agent_responses = counter_vec(3);
        let agent_registrations = counter(4);
        let claim_emails = counter_vec(5);
        let claims_completed = counter(6);
        let claims_expired = counter(7);
        let socket_events_errors = counter(8);
        let agent_queue_fallback = counter(9);
        let db_gauges = DbGauges(std::array::from_fn(|k| gauge(10 + k)));
        let http_duration =
            HistogramVec::new(histogram_opts(18), FAMILIES[18].labels).expect("valid histogram");
        let db_duration = Histogram::with_opts(histogram_opts(19)).expect("valid histogram");
        let agent_response_duration =
            HistogramVec::new(histogram_opts(20), FAMILIES[20].labels).expect("valid histogram");
        let socket_connections_current = gauge(21);

        reg(Box::new(http_requests.clone()));
        reg(Box::new(socket_connections_total));
        reg(Box::new(messages_sent.clone()));
        reg(Box::new(agent_responses.clone()));
        reg(Box::new(agent_registrations.clone()));
        reg(Box::new(claim_emails.clone()));
        reg(Box::new(claims_completed.clone()));
        reg(Box::new(claims_expired.clone()));
        reg(Box::new(socket_events_errors));
        reg(Box::new(agent_queue_fallback));
        for g in &db_gauges.0 {
            reg(Box::new(g.clone()));
        }
        reg(Box::new(http_duration.clone()));
        reg(Box::new(db_duration.clone()));
        reg(Box::new(agent_response_duration.clone()));
        reg(Box::new(socket_connections_current));

        Metrics {
            registry,
            http_requests,
            http_duration,
            db_duration,
            agent_response_duration,
            messages_sent,
            agent_responses,
            agent_registrations,
            claim_emails,
            claims_completed,
            claims_expired,
            db_gauges,
            gauges_cached_at: Mutex::new(None),
            started_at,
        }
    }

    /// Records one HTTP request (metrics.md §5: counter, latency and storage-time observation).
    pub fn record_request(
        &self,
        method: &str,
        path: &str,
        status: axum::http::StatusCode,
        latency: Duration,
        storage: Duration,
    ) {
        self.http_requests
            .with_label_values(&[method, path, status.as_str()])
            .inc();
        self.http_duration
            .with_label_values(&[method, path])
            .observe(latency.as_secs_f64());
        self.db_duration.observe(storage.as_secs_f64());
    }

    /// Recomputes the database gauges when the cached set is at least `ttl` old (§4).
    /// Returns when the current set was computed.
    fn refresh_gauges(&self, app: &AppState) -> Millis {
        let now = app.now();
        let ttl_ms = (app.config.metrics_cache_ttl_secs * 1000.0) as Millis;
        let mut cached_at = self.gauges_cached_at.lock();
        let due = match *cached_at {
            None => true,
            Some(_) if app.fault(Fault::StaleGauges) => false,
            Some(at) => now - at >= ttl_ms,
        };
        if due {
            let values = count_database(app);
            for (gauge, value) in self.db_gauges.0.iter().zip(values) {
                gauge.set(value);
            }
            *cached_at = Some(now);
        }
        cached_at.unwrap_or(now)
    }

    /// Gathers every family, refreshing the gauge cache first; returns the cache time too.
    fn gather(&self, app: &AppState) -> (Vec<MetricFamily>, Millis) {
        let cached_at = self.refresh_gauges(app);
        (self.registry.gather(), cached_at)
    }

    /// The text exposition (format 0.0.4). Families without series yet still get their
    /// `# HELP` and `# TYPE` lines, which the prometheus encoder leaves out.
    pub fn exposition(&self, app: &AppState) -> String {
        let (families, _) = self.gather(app);
        let mut buffer = Vec::new();
        TextEncoder::new()
            .encode(&families, &mut buffer)
            .expect("encoding to memory");
        let mut text = String::from_utf8(buffer).expect("the text encoder writes UTF-8");
        for family in FAMILIES {
            if !families.iter().any(|f| f.name() == family.name) {
                let kind = match family.kind {
                    Kind::Counter => "counter",
                    Kind::Gauge => "gauge",
                    Kind::Histogram => "histogram",
                };
                text.push_str(&format!(
                    "# HELP {} {}\n# TYPE {} {kind}\n",
                    family.name, family.help, family.name
                ));
            }
        }
        if app.fault(Fault::HistogramWithoutCount) {
            text = text
                .lines()
                .filter(|line| !line.starts_with("http_request_duration_seconds_count"))
                .map(|line| format!("{line}\n"))
                .collect();
        }
        if app.fault(Fault::CounterReset) {
            self.http_requests.reset();
        }
        text
    }

    /// The JSON snapshot of metrics.md §6.
    pub fn snapshot(&self, app: &AppState) -> Value {
        let (families, cached_at) = self.gather(app);
        let now = app.now();
        let mut out = Map::new();
        out.insert("generated_at".into(), json!(rfc3339(now)));
        out.insert(
            "uptime_seconds".into(),
            json!((now - self.started_at) as f64 / 1000.0),
        );
        out.insert("gauges_cached_at".into(), json!(rfc3339(cached_at)));
        for family in FAMILIES {
            let gathered = families.iter().find(|f| f.name() == family.name);
            let mut value = snapshot_value(family, gathered);
            if app.fault(Fault::SnapshotDisagrees) && family.name == "http_requests_total" {
                bump_values(&mut value);
            }
            out.insert(family.name.into(), value);
        }
        Value::Object(out)
    }
}

/// The eight database gauges, computed from the store (metrics.md §2.2 definitions).
fn count_database(app: &AppState) -> [i64; 8] {
    let messages = app.store.rooms().total() as i64;
    app.store.read(|w| {
        let humans = w
            .users
            .values()
            .filter(|u| u.kind == UserKind::Human)
            .count();
        let agents: Vec<_> = w.users.values().filter_map(|u| u.agent.as_ref()).collect();
        let unclaimed = agents.iter().filter(|a| a.owner_id.is_none()).count();
        let memberships: usize = w.agencies.values().map(|a| a.members.len()).sum();
        let hooks_active = w.hooks.values().filter(|h| h.enabled).count();
        let now = app.now();
        let pending = w.claims.values().filter(|c| now < c.expires_at).count();
        [
            humans as i64,
            agents.len() as i64,
            unclaimed as i64,
            w.agencies.len() as i64,
            messages,
            memberships as i64,
            hooks_active as i64,
            pending as i64,
        ]
    })
}

fn label_map(family: &Family, metric: &prometheus::proto::Metric) -> Map<String, Value> {
    let mut labels = Map::new();
    for name in family.labels {
        let value = metric
            .get_label()
            .iter()
            .find(|l| l.name() == *name)
            .map(|l| l.value());
        labels.insert((*name).into(), json!(value.unwrap_or_default()));
    }
    labels
}

fn sort_key(family: &Family, labels: &Map<String, Value>) -> Vec<String> {
    family
        .labels
        .iter()
        .map(|n| labels[*n].as_str().unwrap_or_default().to_owned())
        .collect()
}

/// One family's snapshot value: a number, `{count, sum}`, or a sorted array of series.
fn snapshot_value(family: &Family, gathered: Option<&MetricFamily>) -> Value {
    let metrics = gathered.map(|f| f.get_metric()).unwrap_or_default();
    let number = |m: &prometheus::proto::Metric| match gathered.map(|f| f.get_field_type()) {
        Some(MetricType::COUNTER) => m.get_counter().get_value(),
        _ => m.get_gauge().get_value(),
    };
    let histogram = |m: &prometheus::proto::Metric| {
        let h = m.get_histogram();
        (h.get_sample_count() as f64, h.get_sample_sum())
    };
    if family.labels.is_empty() {
        let metric = metrics.first();
        return match family.kind {
            Kind::Histogram => {
                let (count, sum) = metric.map(histogram).unwrap_or((0.0, 0.0));
                json!({"count": count, "sum": sum})
            }
            _ => json!(metric.map(number).unwrap_or(0.0)),
        };
    }
    let mut series: Vec<(Vec<String>, Value)> = metrics
        .iter()
        .map(|m| {
            let labels = label_map(family, m);
            let key = sort_key(family, &labels);
            let entry = match family.kind {
                Kind::Histogram => {
                    let (count, sum) = histogram(m);
                    json!({"labels": labels, "count": count, "sum": sum})
                }
                _ => json!({"labels": labels, "value": number(m)}),
            };
            (key, entry)
        })
        .collect();
    series.sort_by(|a, b| a.0.cmp(&b.0));
    Value::Array(series.into_iter().map(|(_, v)| v).collect())
}

/// Fault `snapshot-disagrees`: every series value one higher than the exposition's.
fn bump_values(value: &mut Value) {
    if let Value::Array(series) = value {
        for entry in series {
            if let Some(v) = entry.get("value").and_then(Value::as_f64) {
                entry["value"] = json!(v + 1.0);
            }
        }
    }
}
