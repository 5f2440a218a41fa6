//! The `sakke` command line: its clap definition and the dispatch to the subcommands,
//! callable in process ([`run`]) so that tests can watch what a command does to memory.

use std::ffi::OsString;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::commands;

/// MIKEY-SAKKE (RFC 6507/6508/6509) key processing: run a KMS, create and open key
/// messages, push batches of key operations through the engine, and measure it.
#[derive(Parser)]
#[command(name = "sakke", version, propagate_version = true)]
struct Cli {
    /// Print machine-readable JSON instead of human-readable text; errors too, as
    /// {"error": "..."} on standard error.
    #[arg(long, global = true)]
    json: bool,

    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run a KMS from a key store directory: create it, issue user keys, export its
    /// public keys.
    #[command(subcommand)]
    Kms(commands::kms::KmsCommand),

    /// Create and open MIKEY-SAKKE I_MESSAGEs (RFC 6509) with key store keys.
    #[command(subcommand)]
    Imessage(commands::imessage::ImessageCommand),

    /// Decapsulate SAKKE Encapsulated Data in bulk: JSON Lines of
    /// {id, kms_public_key, identity, rsk, encapsulated} in, {id, ssv} or {id, error}
    /// out, in input order (README "Batch formats").
    #[command(after_help = "Example:\n  \
        sakke decap-batch --in requests.jsonl --out results.jsonl\n\n\
        Every line gets one result line; a bad line gives {\"id\", \"error\": \"<kind>: <message>\"}\n\
        with kind one of malformed_json, missing_field, unknown_field, duplicate_field,\n\
        bad_hex, kms_public_key, identity, rsk, rsk_invalid, encapsulated, not_in_subgroup,\n\
        test_failed. Exit status 0 when the file was processed. --out FILE appears only\n\
        when the run succeeds, and replaces an existing file only with --force.")]
    DecapBatch(commands::batch::BatchArgs),

    /// Encapsulate SSVs in bulk: JSON Lines of {id, kms_public_key, identity, ssv?} in,
    /// {id, ssv, encapsulated} or {id, error} out, in input order (README "Batch formats").
    #[command(after_help = "Example:\n  sakke encap-batch < requests.jsonl > results.jsonl")]
    EncapBatch(commands::batch::BatchArgs),

    /// List the pairing backends this build knows, and why any cannot run here.
    Backends,

    /// Create a throwaway KMS, provision N users, encapsulate a fresh SSV to each and
    /// decapsulate it again, checking every step; prints the rates.
    Demo(commands::demo::DemoArgs),

    /// Measure every backend: F_p multiplication, pairing, decapsulation and
    /// encapsulation batches at several sizes and thread counts; writes JSON and an SVG
    /// plot to bench-results/.
    Bench(commands::bench::BenchArgs),

    /// Run the gateway service: gRPC over mutual TLS with the key store's users, health,
    /// Prometheus metrics; `--dev` makes throwaway certificates and keys to try it.
    #[command(after_help = "Example:\n  sakke serve --dev")]
    Serve(commands::serve::ServeArgs),

    /// Drive a `sakke serve` with decapsulations, open loop (--rate) or closed loop
    /// (--concurrency); checks every answer and prints p50/p90/p99/p99.9 per priority.
    #[command(
        after_help = "Example (with the files `sakke serve --dev` prints):\n  \
        sakke load --ca DIR/ca.pem --cert DIR/client.pem --key DIR/client.key \\\n    \
        --user tel:+447700900001 --period 2026-12 --concurrency 32 --duration 10"
    )]
    Load(commands::load::LoadArgs),

    /// A scale-out node for `sakke serve --nats`: pulls jobs (decapsulate, encapsulate,
    /// open I_MESSAGE) from NATS JetStream as it has free slots, with its own key store
    /// and backends.
    #[command(
        after_help = "Example:\n  sakke worker --nats nats://127.0.0.1:4222 --store DIR/keystore"
    )]
    Worker(commands::worker::WorkerArgs),

    /// The workers connected to a NATS deployment: backend, users, free slots, jobs and
    /// requests each has served (every worker answers a status survey).
    #[command(after_help = "Example:\n  sakke workers --nats nats://127.0.0.1:4222")]
    Workers(commands::workers::WorkersArgs),
}

/// Runs the `sakke` command line `args` (the first is the program name, as in
/// `std::env::args_os`) and returns the exit status: 0, 1 for a failed command, 2 for a
/// usage error. Help and version are printed as clap prints them.
pub fn run<I, T>(args: I) -> ExitCode
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let args: Vec<OsString> = args.into_iter().map(Into::into).collect();
    let cli = match Cli::try_parse_from(&args) {
        Ok(cli) => cli,
        Err(err) => return usage_error(err, &args),
    };
    let result = match &cli.command {
        Command::Kms(command) => commands::kms::run(command, cli.json),
        Command::Imessage(command) => commands::imessage::run(command, cli.json),
        Command::DecapBatch(args) => commands::batch::run_decap(args, cli.json),
        Command::EncapBatch(args) => commands::batch::run_encap(args, cli.json),
        Command::Backends => commands::backends::run(cli.json),
        Command::Demo(args) => commands::demo::run(args, cli.json),
        Command::Bench(args) => commands::bench::run(args, cli.json),
        Command::Serve(args) => commands::serve::run(args, cli.json),
        Command::Load(args) => commands::load::run(args, cli.json),
        Command::Worker(args) => commands::worker::run(args, cli.json),
        Command::Workers(args) => commands::workers::run(args, cli.json),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            let text = error_chain(&err);
            if cli.json {
                eprintln!("{}", serde_json::json!({ "error": text }));
            } else {
                eprintln!("error: {text}");
            }
            ExitCode::FAILURE
        }
    }
}

/// Help and version go out as clap prints them; a usage error is JSON too when the
/// command line asked for JSON.
fn usage_error(err: clap::Error, args: &[OsString]) -> ExitCode {
    use clap::error::ErrorKind;
    let wants_json = args.iter().skip(1).any(|a| a == "--json");
    if !wants_json
        || matches!(
            err.kind(),
            ErrorKind::DisplayHelp | ErrorKind::DisplayVersion
        )
    {
        // What `err.exit()` does, without leaving the process from a library.
        let _ = err.print();
        return ExitCode::from(u8::try_from(err.exit_code()).unwrap_or(2));
    }
    let text = err.render().to_string();
    let text = text.trim().strip_prefix("error: ").unwrap_or(text.trim());
    eprintln!("{}", serde_json::json!({ "error": text }));
    ExitCode::from(2)
}

/// "context: cause: cause", leaving out a cause that its parent's message already ends
/// with (several library errors print their source themselves).
fn error_chain(err: &anyhow::Error) -> String {
    let mut out = String::new();
    for cause in err.chain() {
        let text = cause.to_string();
        if !out.ends_with(&text) {
            if !out.is_empty() {
                out.push_str(": ");
            }
            out.push_str(&text);
        }
    }
    out
}
