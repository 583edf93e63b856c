//! tidegauge: one binary that tells whether a deployment of the Crustocean API is correct,
//! fast and honestly instrumented.
//!
//! Map: `cli` parses the command line; `run` dispatches a parsed `Cli`; `server` is the
//! embedded reference target (`tidegauge serve`); `exit` owns the exit-code table and
//! `error` the errors that end a command before it has a verdict.

pub mod cli;
pub mod conform;
pub mod error;
pub mod exit;
pub mod http;
pub mod metrics;
pub mod server;

use cli::{Cli, Command};

/// mimalloc for every binary built on this crate (the tool, its tests and benchmarks): the
/// reference target's request path allocates per request, and under load glibc's malloc took
/// about a tenth of the server's CPU (measured with perf on the history benchmark).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;
use error::Error;

/// Runs one parsed command to completion; returns the process exit code.
pub async fn run(cli: Cli) -> Result<u8, Error> {
    match cli.command {
        Command::Serve(args) => serve(args).await,
        Command::Conform(args) => run_conform(*args).await,
    }
}

async fn run_conform(args: cli::conform::ConformArgs) -> Result<u8, Error> {
    let config = args
        .to_config(&|name| std::env::var(name).ok())
        .map_err(Error::Usage)?;
    let outcome = conform::run(config).await?;
    print!("{}", conform::report::summary(&outcome));
    if args.coverage {
        print!("{}", outcome.coverage.render());
    }
    Ok(if outcome.interrupted {
        exit::INTERRUPTED
    } else if outcome.passed() {
        exit::PASSED
    } else {
        exit::CONFORMANCE_FAILED
    })
}

async fn serve(args: cli::serve::ServeArgs) -> Result<u8, Error> {
    if args.list_faults {
        print!("{}", cli::serve::fault_listing());
        return Ok(exit::PASSED);
    }
    let config = args.to_config().map_err(Error::Usage)?;
    let server = server::spawn(config).await?;
    println!("listening on {}", server.url);
    shutdown_signal().await;
    server.shutdown().await?;
    Ok(exit::PASSED)
}

/// Resolves on Ctrl-C or SIGTERM.
async fn shutdown_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term =
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(term) => term,
                Err(_) => {
                    let _ = ctrl_c.await;
                    return;
                }
            };
        tokio::select! {
            _ = ctrl_c => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    let _ = ctrl_c.await;
}
