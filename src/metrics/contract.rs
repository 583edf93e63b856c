//! The metrics contract (fixtures/metrics-contract.toml): the 22 documented families with
//! their types, label names, bounded label values, cardinality budgets and movements. Built
//! into the binary; `--contract FILE` reads another one.

use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::Path;

#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Counter,
    Gauge,
    Histogram,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FamilySpec {
    pub name: String,
    #[serde(rename = "type")]
    pub kind: Kind,
    pub help: String,
    pub labels: Vec<String>,
    #[serde(default)]
    pub values: BTreeMap<String, Vec<String>>,
    pub max_series: Option<usize>,
    #[serde(default)]
    pub cached: bool,
    #[serde(default)]
    pub moved_by: Vec<String>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Contract {
    pub family: Vec<FamilySpec>,
}

const BUILT_IN: &str = include_str!("../../fixtures/metrics-contract.toml");

impl Contract {
    pub fn built_in() -> Contract {
        // The built-in contract is covered by tests; failing to parse it is a build defect.
        Contract::parse(BUILT_IN, "fixtures/metrics-contract.toml")
            .expect("the built-in contract parses")
    }

    pub fn parse(text: &str, origin: &str) -> Result<Contract, String> {
        let contract: Contract = toml::from_str(text).map_err(|e| format!("{origin}: {e}"))?;
        if contract.family.is_empty() {
            return Err(format!("{origin}: no [[family]] declared"));
        }
        Ok(contract)
    }

    pub fn load(path: &Path) -> Result<Contract, String> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read the contract {}: {e}", path.display()))?;
        Contract::parse(&text, &path.display().to_string())
    }

    pub fn family(&self, name: &str) -> Option<&FamilySpec> {
        self.family.iter().find(|f| f.name == name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_built_in_contract_declares_the_22_documented_families() {
        let contract = Contract::built_in();
        assert_eq!(contract.family.len(), 22);
        let gauges = contract
            .family
            .iter()
            .filter(|f| f.kind == Kind::Gauge)
            .count();
        let counters = contract
            .family
            .iter()
            .filter(|f| f.kind == Kind::Counter)
            .count();
        let histograms = contract
            .family
            .iter()
            .filter(|f| f.kind == Kind::Histogram)
            .count();
        assert_eq!((counters, gauges, histograms), (10, 9, 3));
        assert_eq!(contract.family.iter().filter(|f| f.cached).count(), 8);
        assert_eq!(
            contract.family("claim_emails_total").unwrap().values["status"],
            ["sent", "error"]
        );
    }

    #[test]
    fn a_bad_contract_names_its_origin() {
        let err = Contract::parse("[[family]]\nname = 3", "x.toml").unwrap_err();
        assert!(err.starts_with("x.toml"), "{err}");
    }
}
