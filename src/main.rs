//! `iamsim`: offline AWS IAM policy evaluation. Thin over `iamsim-engine`.

use clap::{Parser, Subcommand, ValueEnum};
use iamsim::commands::check::{check_case_file, CheckFormat};
use iamsim::commands::eval::{run_eval, EvalArgs};
use iamsim::commands::Outcome;
use iamsim::input::DEFAULT_MAX_FILE_BYTES;
use std::io::Write;
use std::path::PathBuf;

#[derive(Parser)]
#[command(
    name = "iamsim",
    version,
    about = "Offline AWS IAM policy evaluation: simulate, explain, gate CI"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    Text,
    Jsonl,
}

#[derive(Subcommand)]
enum Command {
    /// Run self-contained cases (policies + request + expected decision) and report.
    Check {
        /// A case file: JSON Lines, or one JSON array of cases.
        cases: PathBuf,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
        /// Largest input file read whole, in bytes.
        #[arg(long, default_value_t = DEFAULT_MAX_FILE_BYTES)]
        max_file_bytes: u64,
    },
    /// Evaluate one request against policy files.
    Eval {
        /// Identity policy file (repeatable; all are pooled).
        #[arg(long = "identity", value_name = "FILE")]
        identity: Vec<PathBuf>,
        /// Resource-based policy of the target.
        #[arg(long, value_name = "FILE")]
        resource_policy: Option<PathBuf>,
        /// Permissions boundary of the caller.
        #[arg(long, value_name = "FILE")]
        boundary: Option<PathBuf>,
        /// Session policy.
        #[arg(long, value_name = "FILE")]
        session: Option<PathBuf>,
        /// SCP file, one per organization level from the root down (repeatable).
        #[arg(long, value_name = "FILE")]
        scp: Vec<PathBuf>,
        /// RCP file, one per organization level (repeatable).
        #[arg(long, value_name = "FILE")]
        rcp: Vec<PathBuf>,
        /// Caller: user/role/assumed-role/federated-user/root ARN, a service principal, or `anonymous`.
        #[arg(long)]
        principal: String,
        /// Action, `service:Name`.
        #[arg(long)]
        action: String,
        /// Resource ARN, or `*`.
        #[arg(long, default_value = "*")]
        resource: String,
        /// Context key: `key=value`, or `key=["a","b"]` for a multivalued key (repeatable).
        #[arg(long = "context", value_name = "KEY=VALUE")]
        context: Vec<String>,
        /// The caller's account (default: from the principal ARN).
        #[arg(long)]
        principal_account: Option<String>,
        /// The resource owner's account (default: from the resource ARN, else the caller's).
        #[arg(long)]
        resource_account: Option<String>,
        /// Print the full per-statement trace.
        #[arg(long)]
        explain: bool,
        /// Print one JSON object.
        #[arg(long)]
        json: bool,
        /// Largest policy file read, in bytes.
        #[arg(long, default_value_t = DEFAULT_MAX_FILE_BYTES)]
        max_file_bytes: u64,
    },
}

fn main() {
    let cli = Cli::parse();
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let result = match cli.command {
        Command::Check {
            cases,
            format,
            max_file_bytes,
        } => {
            let format = match format {
                Format::Text => CheckFormat::Text,
                Format::Jsonl => CheckFormat::Jsonl,
            };
            check_case_file(&cases, format, max_file_bytes, &mut out)
        }
        Command::Eval {
            identity,
            resource_policy,
            boundary,
            session,
            scp,
            rcp,
            principal,
            action,
            resource,
            context,
            principal_account,
            resource_account,
            explain,
            json,
            max_file_bytes,
        } => run_eval(
            &EvalArgs {
                identity,
                resource_policy,
                boundary,
                session,
                scp,
                rcp,
                principal,
                action,
                resource,
                context,
                principal_account,
                resource_account,
                explain,
                json,
                max_file_bytes,
            },
            &mut out,
        ),
    };
    let outcome = match result.and_then(|o| out.flush().map(|_| o)) {
        Ok(o) => o,
        // A closed pipe (`iamsim check … | head`) is not an error worth a message.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Outcome::Success,
        Err(e) => {
            eprintln!("iamsim: {e}");
            Outcome::BadInput
        }
    };
    std::process::exit(outcome.code());
}
