//! What scenarios share: `Records` (one per run: profile, options, run id, redactor, the
//! outcomes and coverage collected so far) and `Target` (one per target instance: the client,
//! the provisioned identities, the ledger of created objects, the loopback sink). The shared
//! conformance instance has one `Target`; each fresh instance of a tagged scenario its own.

use super::identities::Identities;
use super::ledger::Ledger;
use super::sink::Sink;
use crate::http::{ApiClient, Redactor, Secret};
use crate::server::RunningServer;
use parking_lot::Mutex;
use serde::Serialize;
use std::sync::atomic::{AtomicU64, Ordering};

/// How assumption checks weigh (spec README "How the harness weighs each level").
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Profile {
    /// ASSUMED mismatches are warnings ("assumption not met").
    Default,
    /// ASSUMED mismatches fail; the default against an instance the harness started.
    Strict,
}

/// Options that turn on scenarios with side effects on a shared target (spec README).
#[derive(Clone, Debug, Default)]
pub struct SafetyOptions {
    pub allow_unowned_agents: bool,
    pub claim_email: Option<String>,
    pub allow_rate_limit_probing: bool,
}

/// The outcome of one scenario (or one example row of an outline).
#[derive(Clone, Debug, Serialize)]
pub struct ScenarioResult {
    pub feature: String,
    pub scenario: String,
    pub line: usize,
    pub tags: Vec<String>,
    /// `passed`, `failed` or `not run`.
    pub outcome: &'static str,
    /// Why it failed or was not run (redacted).
    pub detail: Option<String>,
    /// Assumptions not met (redacted).
    pub warnings: Vec<String>,
    /// 429 answers the scenario received (only `@rate-limit` scenarios ask for them).
    pub rate_limited: u32,
}

impl ScenarioResult {
    /// `feature:line`: which scenario (or example row) of the run this is.
    pub fn key(&self) -> String {
        scenario_key(&self.feature, self.line)
    }
}

/// The key that ties a `Hit` to the `ScenarioResult` of the scenario that sent it.
pub fn scenario_key(feature: &str, line: usize) -> String {
    format!("{feature}:{line}")
}

/// One request a scenario sent: which spec row, with which credential, what came back.
#[derive(Clone, Debug, Serialize)]
pub struct Hit {
    pub row: u32,
    /// The scenario that sent it, `feature:line` (as `ScenarioResult::key`).
    pub scenario: String,
    pub credential: String,
    pub status: u16,
}

pub struct Records {
    pub profile: Profile,
    pub safety: SafetyOptions,
    pub run_id: String,
    pub redactor: Redactor,
    pub results: Mutex<Vec<ScenarioResult>>,
    pub hits: Mutex<Vec<Hit>>,
    /// Requests to paths that are not in the spec (each is an error of the feature).
    pub unknown_paths: Mutex<Vec<String>>,
    /// The cap of a `/metrics` answer in metric steps (`--max-exposition-bytes`).
    pub max_exposition_bytes: usize,
    counter: AtomicU64,
}

impl Records {
    pub fn new(
        profile: Profile,
        safety: SafetyOptions,
        run_id: String,
        redactor: Redactor,
        max_exposition_bytes: usize,
    ) -> Self {
        Records {
            profile,
            safety,
            run_id,
            redactor,
            results: Mutex::default(),
            hits: Mutex::default(),
            unknown_paths: Mutex::default(),
            max_exposition_bytes,
            counter: AtomicU64::new(0),
        }
    }

    /// A name unique within the run, carrying the run prefix: `tg_<run>_<n>` (≤ 24 chars).
    pub fn unique_name(&self) -> String {
        format!(
            "tg_{}_{}",
            self.run_id,
            self.counter.fetch_add(1, Ordering::Relaxed)
        )
    }

    /// A unique agent name whose derived username (alphanumerics) stays unique too.
    pub fn unique_agent_name(&self) -> String {
        format!(
            "tg{}a{}",
            self.run_id,
            self.counter.fetch_add(1, Ordering::Relaxed)
        )
    }
}

/// One target instance and what the run holds on it.
pub struct Target {
    pub client: ApiClient,
    /// True for an instance the harness started itself (test controls available).
    pub embedded: bool,
    /// True for a fresh per-scenario instance (exact metric checks, clock moves allowed).
    pub fresh: bool,
    pub ids: Identities,
    pub ledger: Ledger,
    pub sink: Option<Sink>,
    pub metrics_key: Option<Secret>,
    /// The instance itself when the harness started it.
    pub server: Mutex<Option<RunningServer>>,
}
