//! What the metrics checks report: a `Finding` names the family, the rule and what differed,
//! with a severity that says how it weighs (failure, assumption not met, warning, information).

use serde::Serialize;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Severity {
    Failure,
    AssumptionNotMet,
    Warning,
    Info,
}

#[derive(Clone, Debug, Serialize)]
pub struct Finding {
    pub family: String,
    /// A stable rule name, e.g. `type`, `histogram-count`, `raw-id`, `counter-reset`.
    pub rule: &'static str,
    pub severity: Severity,
    pub message: String,
}

impl Finding {
    pub fn new(
        severity: Severity,
        family: &str,
        rule: &'static str,
        message: impl Into<String>,
    ) -> Self {
        Finding {
            family: family.to_owned(),
            rule,
            severity,
            message: message.into(),
        }
    }

    pub fn failure(family: &str, rule: &'static str, message: impl Into<String>) -> Self {
        Finding::new(Severity::Failure, family, rule, message)
    }
}

impl std::fmt::Display for Finding {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let severity = match self.severity {
            Severity::Failure => "FAIL",
            Severity::AssumptionNotMet => "ASSUMPTION NOT MET",
            Severity::Warning => "WARN",
            Severity::Info => "INFO",
        };
        write!(
            f,
            "{severity}  {} [{}]: {}",
            self.family, self.rule, self.message
        )
    }
}
