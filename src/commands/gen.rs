//! `iamsim gen`: a deterministic generator of request rows over a scenario, for
//! benchmarks and load tests of `iamsim batch`.
//!
//! Rows are drawn from the scenario's principals (mostly by name, sometimes by ARN)
//! and matrix targets (ARN + actions), with variation so that the decisions are a
//! realistic mix: other object keys under bucket targets, the same ARNs in other
//! regions or accounts (or other buckets), actions of one target tried on another,
//! wildcard-only actions on `*`, and extra context (`aws:SourceIp`,
//! `aws:SecureTransport`, `aws:MultiFactorAuthPresent`). A splitmix64 generator
//! makes the output a pure function of the scenario, the seed and the count; rows
//! are written through one reused buffer, so memory does not depend on the count.

use crate::error::{CliError, Outcome};
use crate::input::RowFormat as Format;
use crate::report::print_warnings;
use crate::report::requests::{write_csv, write_jsonl};
use iamsim_scenario::generate::{GeneratedRow, Generator};
use iamsim_scenario::Scenario;
use std::io::Write;
use std::path::PathBuf;

/// Output is handed to the writer in pieces of about this size.
const FLUSH_BYTES: usize = 1 << 16;

/// The arguments of `iamsim gen`.
#[derive(Debug, Clone, clap::Args)]
#[command(after_help = "\
Exit status: 0 the rows were written; 2 the scenario or the output could not be used.")]
pub struct GenArgs {
    /// Scenario file.
    #[arg(long)]
    pub scenario: PathBuf,
    /// Number of request rows.
    #[arg(long)]
    pub count: u64,
    /// Seed: the same seed gives byte-identical output.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Output format.
    #[arg(long, value_enum, default_value = "jsonl")]
    pub format: Format,
    /// Write the rows to this file instead of standard output.
    #[arg(long, short)]
    pub output: Option<PathBuf>,
}

/// Runs `iamsim gen`.
pub fn run(args: &GenArgs, out: &mut dyn Write) -> Result<Outcome, CliError> {
    let scenario = Scenario::load(&args.scenario)?;
    print_warnings(scenario.warnings());
    let Some(generator) = Generator::new(&scenario, args.seed) else {
        return Err(CliError::Invalid(format!(
            "{}: the scenario has no principals or no targets with actions to generate requests from",
            args.scenario.display()
        )));
    };
    let mut file;
    let out: &mut dyn Write = match &args.output {
        Some(p) => {
            let f = std::fs::File::create(p).map_err(|e| CliError::Create {
                path: p.clone(),
                source: e,
            })?;
            file = std::io::BufWriter::with_capacity(FLUSH_BYTES, f);
            &mut file
        }
        None => out,
    };
    generate(generator, args.count, args.format, out)?;
    out.flush()?;
    Ok(Outcome::Success)
}

/// Writes `count` rows in `format`.
pub fn generate(
    mut generator: Generator,
    count: u64,
    format: Format,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    let mut buf = Vec::with_capacity(FLUSH_BYTES + 4096);
    let mut row = GeneratedRow::default();
    let mut cell = Vec::new();
    if format == Format::Csv {
        buf.extend_from_slice(b"principal,action,resource,context\n");
    }
    for _ in 0..count {
        generator.next_row(&mut row);
        match format {
            Format::Jsonl => write_jsonl(&row, &mut buf),
            Format::Csv => write_csv(&row, &mut cell, &mut buf),
        }
        if buf.len() >= FLUSH_BYTES {
            out.write_all(&buf)?;
            buf.clear();
        }
    }
    out.write_all(&buf)
}
