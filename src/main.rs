//! The `v6sentinel` command: clap arguments → validated configuration → one mode.
//! Exit codes follow the monitoring-plugin convention of `DESIGN.md`: 0 OK, 1 WARNING,
//! 2 CRITICAL, 3 UNKNOWN (could not run).
#![forbid(unsafe_code)]

mod cli;

use std::process::ExitCode;

fn main() -> ExitCode {
    match cli::run() {
        Ok(code) => code,
        Err(err) => {
            // A closed pipe (`v6sentinel ... | head`) is not a failure.
            if err
                .chain()
                .filter_map(|e| e.downcast_ref::<std::io::Error>())
                .any(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
            {
                return ExitCode::SUCCESS;
            }
            eprintln!("v6sentinel: {err:#}");
            ExitCode::from(cli::EXIT_UNKNOWN)
        }
    }
}
