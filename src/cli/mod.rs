//! The command line: `Cli` and its subcommands (clap derive). Nothing below `cli/` knows clap;
//! each subcommand's arguments are turned into a plain configuration here.

pub mod conform;
pub mod limits;
pub mod load;
pub mod metrics;
pub mod run;
pub mod serve;
pub mod target;

use clap::{Parser, Subcommand};

/// Tells whether a Crustocean API deployment is correct, fast and honestly instrumented.
#[derive(Debug, Parser)]
#[command(name = "tidegauge", version, about)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the embedded reference target: a Crustocean-compatible server, optionally with
    /// injected faults.
    Serve(serve::ServeArgs),
    /// Run the Gherkin conformance features against a target (the embedded reference target
    /// when no --base-url is given).
    Conform(Box<conform::ConformArgs>),
    /// Check a target's /metrics exposition and JSON snapshot against the metrics contract.
    Metrics(metrics::MetricsArgs),
    /// Run a load plan (goose closed model, or an open arrival-rate model) against a target,
    /// gated by the plan's thresholds.
    Load(Box<load::LoadArgs>),
    /// Measure this machine's load-generator ceiling for the open model.
    Calibrate(load::CalibrateArgs),
    /// The whole job, one verdict: conformance, metrics and load against one target (the
    /// embedded reference target when no --base-url is given), with report.json, junit.xml and
    /// report.html in reports/<run id>/.
    Run(Box<run::RunArgs>),
}

#[cfg(test)]
mod tests {
    use super::Cli;
    use clap::CommandFactory;

    /// Every subcommand's flags, goose's flattened ones included, are consistent: no name or
    /// short flag used twice, no bad default.
    #[test]
    fn the_command_line_is_consistent() {
        Cli::command().debug_assert();
    }
}
