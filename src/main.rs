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
    Eval(Box<EvalArgs>),
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
        Command::Eval(args) => run_eval(&args, &mut out),
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
