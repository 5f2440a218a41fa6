//! `sakke`: MIKEY-SAKKE key processing from the command line.

use clap::{Parser, Subcommand};

mod commands;
mod output;

/// MIKEY-SAKKE (RFC 6507/6508/6509) key processing: run a KMS, create and open key
/// messages, push batches of key operations through the engine, and measure it.
#[derive(Parser)]
#[command(name = "sakke", version, propagate_version = true)]
struct Cli {
    /// Print machine-readable JSON instead of human-readable text.
    #[arg(long, global = true)]
    json: bool,

    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Create a throwaway KMS, provision N users, encapsulate a fresh SSV to each and
    /// decapsulate it again, checking every step; prints the rates.
    Demo(commands::demo::DemoArgs),

    /// Measure every backend: F_p multiplication, pairing, decapsulation and
    /// encapsulation batches at several sizes and thread counts; writes JSON and an SVG
    /// plot to bench-results/.
    Bench(commands::bench::BenchArgs),
}

fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Demo(args) => commands::demo::run(&args, cli.json),
        Command::Bench(args) => commands::bench::run(&args, cli.json),
    };
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
