//! Entry point: parse the command line, run it, turn the outcome into the process exit code
//! (a one-line error on stderr for errors).

use clap::Parser;
use std::process::ExitCode;
use tidegauge::cli::Cli;

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => {
            let _ = error.print();
            return ExitCode::from(if error.use_stderr() {
                tidegauge::exit::USAGE
            } else {
                0
            });
        }
    };
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("tidegauge: cannot start the async runtime: {error}");
            return ExitCode::from(tidegauge::exit::HARNESS);
        }
    };
    match runtime.block_on(tidegauge::run(cli)) {
        Ok(code) => ExitCode::from(code),
        Err(error) => {
            eprintln!("tidegauge: {error}");
            ExitCode::from(error.exit_code())
        }
    }
}
