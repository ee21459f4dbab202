//! Command-line arguments and the dispatch to each mode.
//!
//! The modes of `DESIGN.md` are declared here so that `--help` shows the whole tool;
//! the ones not built yet say so and exit 3 (UNKNOWN) instead of pretending to work.

use clap::{Parser, Subcommand};
use std::process::ExitCode;

/// Exit code: could not run (bad arguments, no permission, no such interface).
pub const EXIT_UNKNOWN: u8 = 3;

/// Finds the devices on this LAN segment that hand out IPv6 configuration (Router
/// Advertisements, DHCPv6) and would break an online eligibility terminal with
/// "network error 011".
#[derive(Debug, Parser)]
#[command(name = "v6sentinel", version, about, long_about = None)]
struct Args {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Probe the segment once (one Router Solicitation, one DHCPv6 Solicit), listen, report.
    Scan,
    /// Watch the segment continuously and emit JSON alerts.
    Watch,
    /// Analyze pcap / pcapng files with the same engine as `scan`.
    Analyze {
        /// Capture files.
        #[arg(required = true)]
        files: Vec<std::path::PathBuf>,
    },
    /// Look up the IEEE vendor of MAC addresses.
    Oui {
        /// MAC addresses.
        #[arg(required = true)]
        macs: Vec<String>,
    },
}

/// Parses the command line and runs the chosen mode.
pub fn run() -> anyhow::Result<ExitCode> {
    let args = Args::parse();
    let name = match args.command {
        Command::Scan => "scan",
        Command::Watch => "watch",
        Command::Analyze { .. } => "analyze",
        Command::Oui { .. } => "oui",
    };
    eprintln!(
        "v6sentinel: `{name}` is not built yet in this version; only the packet parser \
         (the library's `wire` module) is. See README.md."
    );
    Ok(ExitCode::from(EXIT_UNKNOWN))
}
