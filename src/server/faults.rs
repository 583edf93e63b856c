//! Fault injection for the reference server: realistic bugs a real deployment could ship,
//! switched on by name (`tidegauge serve --fault NAME`, or `ServerConfig::faults`), so that
//! every engine of the harness can prove it catches them.
//!
//! This module is the one place that decides whether a fault is active: code elsewhere asks
//! `faults.on(Fault::X)` and nothing else. With no fault named, nothing here changes any
//! behaviour the spec pins. Each fault changes only what its description says.

use std::collections::BTreeSet;
use std::fmt;
use std::str::FromStr;

macro_rules! faults {
    ($( $variant:ident = $name:literal, $area:literal, $what:literal; )*) => {
        /// A named, realistic defect the reference server can be started with.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Fault { $( $variant, )* }

        impl Fault {
            pub const ALL: &'static [Fault] = &[ $( Fault::$variant, )* ];

            /// The name used on the command line.
            pub fn name(self) -> &'static str {
                match self { $( Fault::$variant => $name, )* }
            }

            /// The engine area the fault belongs to: auth, data, contract, metrics or performance.
            pub fn area(self) -> &'static str {
                match self { $( Fault::$variant => $area, )* }
            }

            /// One line saying what the fault breaks.
            pub fn describe(self) -> &'static str {
                match self { $( Fault::$variant => $what, )* }
            }
        }
    };
}

faults! {
    ExpiredPatAccepted = "expired-pat-accepted", "auth",
        "a personal access token past its expiry is still accepted";
    RevokedPatAccepted = "revoked-pat-accepted", "auth",
        "a revoked personal access token is still accepted";
    MissingCredential403 = "missing-credential-403", "auth",
        "a request with no credential at all gets 403 instead of 401";
    HookKeyOnAnyRoute = "hook-key-on-any-route", "auth",
        "a hook key in X-Crustocean-Hook-Key authenticates non-hooks routes as the hook's creator";
    CookieIgnored = "cookie-ignored", "auth",
        "the crustocean_token cookie is never read, so cookie sessions get 401";
    UnverifiedAgentExchange = "unverified-agent-exchange", "auth",
        "POST /api/auth/agent exchanges the token of an agent that was never verified";
    HistorySkipsBoundary = "history-skips-boundary", "data",
        "message history drops the first message after a `before` cursor (one per page boundary)";
    HistoryOrderReversed = "history-order-reversed", "data",
        "message history pages come oldest first instead of newest first";
    ConcurrentPostDuplicates = "concurrent-post-duplicates", "data",
        "a hook message posted while another post is in flight is stored twice";
    MemberCountOffByOne = "member-count-off-by-one", "data",
        "agency memberCount / member_count is one higher than the real member count";
    FieldRenamed = "field-renamed", "contract",
        "message objects carry `text` instead of `content`";
    JsonWrongContentType = "json-wrong-content-type", "contract",
        "JSON answers under /api are served as text/html";
    ErrorBodyNotJson = "error-body-not-json", "contract",
        "error answers under /api carry a plain-text body instead of {\"error\": ...}";
    PrivateAgencyListed = "private-agency-listed", "data",
        "GET /api/agencies lists private agencies to callers who are not members";
    CounterNeverIncremented = "counter-never-incremented", "metrics",
        "agent_registrations_total never moves when an agent self-registers";
    RawPathLabel = "raw-path-label", "metrics",
        "the `path` label of the HTTP metrics holds the raw request path with its IDs";
    StaleGauges = "stale-gauges", "metrics",
        "the cached crustocean_* database gauges are computed once and never refreshed";
    HistogramWithoutCount = "histogram-without-count", "metrics",
        "http_request_duration_seconds is exposed without its _count series";
    CounterReset = "counter-reset", "metrics",
        "http_requests_total restarts from zero after every scrape of /metrics";
    SnapshotDisagrees = "snapshot-disagrees", "metrics",
        "/metrics/json reports http_requests_total values one higher than the exposition";
    MetricsOpen = "metrics-open", "metrics",
        "/metrics and /metrics/json answer without the metrics key";
    SlowHistory = "slow-history", "performance",
        "every 10th message-history request is delayed by 200 ms";
    Every100th500 = "every-100th-500", "performance",
        "every 100th API request answers 500 Internal Server Error";
    PeriodicStall = "periodic-stall", "performance",
        "the server stalls for 1 s every 5 s: API requests arriving in that second wait for its end";
    SignatureWrong = "signature-wrong", "contract",
        "webhook deliveries carry an X-Crustocean-Signature computed with the wrong key";
    RetryAfterMissing = "retry-after-missing", "contract",
        "429 answers of the rate limiter carry no Retry-After header";
}

impl fmt::Display for Fault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Fault {
    type Err = String;

    fn from_str(name: &str) -> Result<Self, Self::Err> {
        Fault::ALL
            .iter()
            .copied()
            .find(|fault| fault.name() == name)
            .ok_or_else(|| format!("unknown fault `{name}` (see `tidegauge serve --list-faults`)"))
    }
}

/// The set of faults an instance runs with. Empty by default.
#[derive(Debug, Clone, Default)]
pub struct FaultSet(BTreeSet<Fault>);

impl FaultSet {
    pub fn new(faults: impl IntoIterator<Item = Fault>) -> Self {
        FaultSet(faults.into_iter().collect())
    }

    pub fn on(&self, fault: Fault) -> bool {
        self.0.contains(&fault)
    }

    pub fn iter(&self) -> impl Iterator<Item = Fault> + '_ {
        self.0.iter().copied()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_are_unique() {
        let mut seen = BTreeSet::new();
        for fault in Fault::ALL {
            assert_eq!(fault.name().parse::<Fault>().unwrap(), *fault);
            assert!(seen.insert(fault.name()), "duplicate fault name {fault}");
            assert!(!fault.describe().is_empty());
        }
        assert!(Fault::ALL.len() >= 20);
    }

    #[test]
    fn unknown_name_is_a_clear_error() {
        let err = "no-such-fault".parse::<Fault>().unwrap_err();
        assert!(err.contains("no-such-fault") && err.contains("--list-faults"));
    }
}
