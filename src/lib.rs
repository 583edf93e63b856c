//! tidegauge: one binary that tells whether a deployment of the Crustocean API is correct,
//! fast and honestly instrumented.
//!
//! Map: `cli` parses the command line; `run` dispatches a parsed `Cli`; `server` is the
//! embedded reference target (`tidegauge serve`); `conform` the conformance engine;
//! `metrics` the exposition parser and scrapes; `run` the all-phases job (`tidegauge run`) and
//! `report` its reports; `http` the harness's client and redaction;
//! `console` and `interrupt` a command's output and Ctrl-C; `exit` owns the exit-code table
//! and `error` the errors that end a command before it has a verdict.

pub mod cli;
pub mod conform;
pub mod console;
pub mod error;
pub mod exit;
pub mod http;
pub mod interrupt;
pub mod load;
pub mod metrics;
pub mod report;
pub mod run;
pub mod server;
pub mod spec;

use cli::{Cli, Command};

/// mimalloc for every binary built on this crate (the tool, its tests and benchmarks): the
/// reference target's request path allocates per request, and under load glibc's malloc took
/// about a tenth of the server's CPU (measured with perf on the history benchmark).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;
use error::Error;

/// Runs one parsed command to completion, printing to standard output and error; returns
/// the process exit code.
pub async fn run(cli: Cli) -> Result<u8, Error> {
    run_with(cli, console::Console::stdio()).await
}

/// `run` with the human output sent to `console` (tests capture it).
pub async fn run_with(cli: Cli, console: console::Console) -> Result<u8, Error> {
    match cli.command {
        Command::Serve(args) => serve(args, &console).await,
        Command::Conform(args) => run_conform(*args, &console).await,
        Command::Metrics(args) => run_metrics(args, &console).await,
        Command::Load(args) => run_load(*args, &console).await,
        Command::Calibrate(args) => calibrate(args, &console).await,
        Command::Run(args) => run_all(*args, &console).await,
    }
}

async fn run_all(args: cli::run::RunArgs, console: &console::Console) -> Result<u8, Error> {
    let plan = args
        .to_plan(&|name| std::env::var(name).ok())
        .map_err(Error::Usage)?;
    let outcome = run::execute(plan, console).await?;
    Ok(outcome.report.exit_code)
}

async fn run_metrics(
    args: cli::metrics::MetricsArgs,
    console: &console::Console,
) -> Result<u8, Error> {
    let config = args.to_config().map_err(Error::Usage)?;
    let outcome = metrics::run::run(config, console).await?;
    console.print(&outcome.summary());
    Ok(engine_exit(
        console,
        outcome.cause(),
        outcome.interrupted,
        outcome.aborted.is_some(),
        outcome.passed(),
        exit::METRICS_FAILED,
    ))
}

/// How a conform or metrics run ends: its one-line cause on standard error, and its exit code
/// (the signal's when interrupted, 3 when stopped without a verdict, else passed or failed).
fn engine_exit(
    console: &console::Console,
    cause: Option<String>,
    interrupted: bool,
    aborted: bool,
    passed: bool,
    failed: u8,
) -> u8 {
    if let Some(cause) = cause {
        console.progress(&format!("tidegauge: {cause}\n"));
    }
    if interrupted {
        console.interrupt.exit_code()
    } else if aborted {
        exit::HARNESS
    } else if passed {
        exit::PASSED
    } else {
        failed
    }
}

async fn run_load(args: cli::load::LoadArgs, console: &console::Console) -> Result<u8, Error> {
    let config = args.to_config().map_err(Error::Usage)?;
    let outcome = load::run(config, console).await?;
    console.print(&load::report::summary(&outcome));
    if outcome.verdict == load::outcome::LoadVerdict::TargetFailed
        && let Some(cause) = outcome.notes.first()
    {
        console.progress(&format!("tidegauge: {cause}\n"));
    }
    Ok(match outcome.verdict {
        load::outcome::LoadVerdict::Interrupted => console.interrupt.exit_code(),
        _ => exit::for_load(&outcome),
    })
}

async fn calibrate(
    args: cli::load::CalibrateArgs,
    console: &console::Console,
) -> Result<u8, Error> {
    if !(args.seconds > 0.0 && args.seconds <= 600.0) {
        return Err(Error::Usage(format!(
            "--seconds must be in (0, 600] (got {})",
            args.seconds
        )));
    }
    let calibration = load::calibrate::measure(std::time::Duration::from_secs_f64(args.seconds))
        .await
        .map_err(|e| Error::Harness(anyhow::anyhow!(e)))?;
    calibration.save(&args.output).map_err(Error::Usage)?;
    console.print(&format!(
        "generator ceiling: {:.0} req/s (generator thread CPU {:.0}%, {} CPUs); the open model \
         accepts rates up to {:.0}/s\nwritten to {}\n",
        calibration.ceiling_rps,
        calibration.generator_cpu * 100.0,
        calibration.cpus,
        calibration.allowed_rate(),
        args.output.display()
    ));
    Ok(exit::PASSED)
}

async fn run_conform(
    args: cli::conform::ConformArgs,
    console: &console::Console,
) -> Result<u8, Error> {
    let config = args
        .to_config(&|name| std::env::var(name).ok())
        .map_err(Error::Usage)?;
    let outcome = conform::run(config, console).await?;
    console.print(&conform::report::summary(&outcome));
    if args.coverage {
        console.print(&outcome.coverage.render());
    }
    Ok(engine_exit(
        console,
        outcome.cause(),
        outcome.interrupted,
        outcome.aborted.is_some(),
        outcome.passed(),
        exit::CONFORMANCE_FAILED,
    ))
}

async fn serve(args: cli::serve::ServeArgs, console: &console::Console) -> Result<u8, Error> {
    if args.list_faults {
        console.print(&cli::serve::fault_listing());
        return Ok(exit::PASSED);
    }
    let config = args.to_config().map_err(Error::Usage)?;
    let server = server::spawn(config).await?;
    console.print(&format!("listening on {}\n", server.url));
    console.interrupt.requested().await;
    server.shutdown().await?;
    Ok(exit::PASSED)
}
