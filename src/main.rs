//! `iamsim`: offline AWS IAM policy evaluation. Thin over `iamsim-engine` and
//! `iamsim-scenario`; each subcommand lives in `iamsim::commands::<name>` with its
//! own argument struct.

use clap::{Parser, Subcommand};
use iamsim::commands::{actions, batch, bench, check, diff, eval, gen, lint, matrix};
use iamsim::{CliError, Outcome};
use std::io::Write;

#[derive(Parser)]
#[command(
    name = "iamsim",
    about = "Offline AWS IAM policy evaluation: simulate, explain, gate CI",
    // Our own --version names the action catalog too, parsed only when asked for.
    disable_version_flag = true,
    arg_required_else_help = true
)]
struct Cli {
    /// Print the version, and the version of the pinned action catalog.
    #[arg(short = 'V', long)]
    version: bool,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Check expectations: a self-contained case file, or a table with --scenario.
    Check(Box<check::CheckArgs>),
    /// Evaluate one request against policy files.
    Eval(Box<eval::EvalArgs>),
    /// Evaluate a stream of requests against a scenario (JSON Lines or CSV).
    Batch(Box<batch::BatchArgs>),
    /// Who can do what to which target: the reachability grid of a scenario.
    Matrix(Box<matrix::MatrixArgs>),
    /// What a change does: every request whose decision differs between two versions.
    Diff(Box<diff::DiffArgs>),
    /// Generate a deterministic request set over a scenario (for benchmarks).
    Gen(Box<gen::GenArgs>),
    /// Measure decisions/s, ns per decision and peak memory on your own policies.
    Bench(Box<bench::BenchArgs>),
    /// List the AWS actions patterns match, or what a policy grants, from the pinned catalog.
    Actions(Box<actions::ActionsArgs>),
    /// Lint policy files offline: Access Analyzer's checks and iamsim's, as text, JSON, SARIF or GitHub annotations.
    Lint(Box<lint::LintArgs>),
}

fn main() {
    let cli = Cli::parse();
    let Some(command) = cli.command else {
        println!(
            "iamsim {} (action catalog: {})",
            env!("CARGO_PKG_VERSION"),
            iamsim_catalog::Catalog::builtin().version()
        );
        return;
    };
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::with_capacity(1 << 16, stdout.lock());
    let result = match command {
        Command::Check(args) => check::run(&args, &mut out),
        Command::Eval(args) => eval::run(&args, &mut out),
        Command::Batch(args) => batch::run(&args, &mut out),
        Command::Matrix(args) => matrix::run(&args, &mut out),
        Command::Diff(args) => diff::run(&args, &mut out),
        Command::Gen(args) => gen::run(&args, &mut out),
        Command::Bench(args) => bench::run(&args, &mut out),
        Command::Actions(args) => actions::run(&args, &mut out),
        Command::Lint(args) => lint::run(&args, &mut out),
    };
    let outcome = match result.and_then(|o| out.flush().map(|_| o).map_err(CliError::from)) {
        Ok(o) => o,
        // A closed pipe (`iamsim check … | head`) is not an error worth a message.
        Err(CliError::Write(e)) if e.kind() == std::io::ErrorKind::BrokenPipe => Outcome::Success,
        // The one place an error is printed.
        Err(e) => {
            eprintln!("iamsim: {e}");
            Outcome::BadInput
        }
    };
    std::process::exit(outcome.code());
}
