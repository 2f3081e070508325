//! `iamsim batch`: evaluates a stream of request rows (JSON Lines or CSV) against a
//! scenario and writes one decision row per request row, in input order.
//!
//! Memory stays constant whatever the input size. The input is read by one reader
//! thread into a small, fixed pool of recycled chunk buffers
//! ([`crate::input::stream`]). The calling thread evaluates one chunk on the rayon pool while it writes the previous
//! chunk's output: each chunk is cut into a fixed number of slots by the scenario
//! crate's [`BatchEvaluator`], every slot owns a reusable output buffer, and the
//! slots are written out in order.
//! Output rows are written by hand (JSON and CSV escaping included) into those
//! reused buffers, so the batch loop itself allocates nothing per row.

use crate::error::{CliError, Outcome};
use crate::input::catalog::load_catalog;
use crate::input::rows::{self, CsvRows, Row};
use crate::input::stream::{read_chunks, Chunk, RowSource, Span, MAX_LINE_BYTES};
use crate::input::RowFormat as Format;
use crate::report::decisions::{
    csv_decision, csv_header, error_row, jsonl_decision, summary, Counts, Progress, RowView,
};
use crate::report::{print_warnings, strict_failure};
use iamsim_catalog::Catalog;
use iamsim_engine::source::json::{self, JsonKind, JsonLimits};
use iamsim_scenario::{BatchEvaluator, Evaluated, Lane, RowContext, RowError, RowRef, Scenario};
use std::fmt::Write as _;
use std::io::{BufReader, IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::Instant;

/// Chunk buffers in circulation between the reader thread and the evaluator.
const CHUNK_BUFFERS: usize = 3;
/// Output slots per worker thread in a chunk (load balancing).
const SLOTS_PER_THREAD: usize = 16;

/// The arguments of `iamsim batch`.
#[derive(Debug, Clone, clap::Args)]
#[command(after_help = "\
Exit status: 0 every row was evaluated; 1 some row could not be (an error row names\nits line), or --strict and a policy drew a warning; 2 the scenario, the input or the output could not be used at all.")]
pub struct BatchArgs {
    /// Scenario file.
    #[arg(long)]
    pub scenario: PathBuf,
    /// Request rows (JSON Lines or CSV); `-` or nothing: standard input.
    pub requests: Option<PathBuf>,
    /// Input format (default: `csv` for a `.csv` file, else `jsonl`).
    #[arg(long, value_enum)]
    pub input_format: Option<Format>,
    /// Output format.
    #[arg(long, value_enum, default_value = "jsonl")]
    pub output_format: Format,
    /// Write the decisions to this file instead of standard output.
    #[arg(long, short)]
    pub output: Option<PathBuf>,
    /// Worker threads (default: rayon's, i.e. RAYON_NUM_THREADS or the CPU count).
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..))]
    pub threads: Option<u32>,
    /// Rows per parallel chunk.
    #[arg(long, default_value_t = 16384, value_parser = clap::value_parser!(u32).range(1..))]
    pub chunk_size: u32,
    /// No progress line and no summary on standard error.
    #[arg(long, short)]
    pub quiet: bool,
    /// Add the reason, the deciding statements, the blocking layer and the missing
    /// context keys to each output row.
    #[arg(long)]
    pub explain: bool,
    /// Actions AWS shipped after the pinned action catalog: a JSON file in the
    /// catalog's overlay schema (see catalog/README.md), merged in.
    #[arg(long, value_name = "FILE")]
    pub catalog_overlay: Option<PathBuf>,
    /// Exit 1 when any policy of the scenario draws a warning (rows are still
    /// evaluated and written).
    #[arg(long)]
    pub strict: bool,
}

/// Runs `iamsim batch`.
pub fn run(args: &BatchArgs, out: &mut dyn Write) -> Result<Outcome, CliError> {
    let catalog = load_catalog(args.catalog_overlay.as_deref())?;
    let scenario = Scenario::load_with_catalog(&args.scenario, catalog)?;
    print_warnings(scenario.warnings());
    let path = args.requests.as_deref().filter(|p| p.as_os_str() != "-");
    let (input, source): (Box<dyn Read + Send>, String) = match path {
        None => (Box::new(std::io::stdin()), "<stdin>".to_owned()),
        Some(p) => {
            let f = open_input(p).map_err(|e| CliError::Open {
                path: p.to_owned(),
                source: e,
            })?;
            (Box::new(f), p.display().to_string())
        }
    };
    let input_format = args.input_format.unwrap_or(match path {
        Some(p) if p.extension().is_some_and(|e| e.eq_ignore_ascii_case("csv")) => Format::Csv,
        _ => Format::Jsonl,
    });
    let rows = match input_format {
        Format::Jsonl => RowSource::Jsonl(Box::new(BufReader::with_capacity(1 << 18, input))),
        Format::Csv => RowSource::Csv(Box::new(
            CsvRows::new(input, &source).map_err(|e| CliError::Invalid(e.message))?,
        )),
    };
    let mut file;
    let out: &mut dyn Write = match &args.output {
        Some(p) => {
            let f = std::fs::File::create(p).map_err(|e| CliError::Create {
                path: p.clone(),
                source: e,
            })?;
            file = std::io::BufWriter::with_capacity(1 << 16, f);
            &mut file
        }
        None => out,
    };
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(args.threads.map_or(0, |n| n as usize))
        .thread_name(|i| format!("iamsim-batch-{i}"))
        .build()
        .map_err(std::io::Error::other)?;
    let options = Options {
        output: args.output_format,
        explain: args.explain,
        chunk_size: args.chunk_size as usize,
        // Not when the decisions themselves scroll by on the same terminal.
        progress: !args.quiet
            && std::io::stderr().is_terminal()
            && (args.output.is_some() || !std::io::stdout().is_terminal()),
    };
    let started = Instant::now();
    let (counts, read_error) = process(&scenario, catalog, rows, source, &options, &pool, out)?;
    out.flush()?;
    if !args.quiet {
        eprintln!("{}", summary(&counts, started.elapsed()));
    }
    if let Some(e) = read_error {
        return Err(CliError::Invalid(e));
    }
    let strict_failed = strict_failure(args.strict, scenario.warnings().len());
    Ok(if counts.errors > 0 || strict_failed {
        Outcome::Failures
    } else {
        Outcome::Success
    })
}

fn open_input(p: &Path) -> std::io::Result<std::fs::File> {
    if std::fs::metadata(p)?.is_dir() {
        return Err(std::io::Error::other("is a directory"));
    }
    std::fs::File::open(p)
}

/// How to evaluate and what to write.
#[derive(Debug, Clone, Copy)]
pub struct Options {
    /// Output format.
    pub output: Format,
    /// Add explanation fields.
    pub explain: bool,
    /// Rows per chunk.
    pub chunk_size: usize,
    /// Show a progress line on standard error.
    pub progress: bool,
}

/// One slice of a chunk's rows, evaluated by one task into its own buffer.
struct Slot {
    out: Vec<u8>,
    scratch: String,
    counts: Counts,
}

impl Slot {
    fn new() -> Self {
        Slot {
            out: Vec::with_capacity(1 << 14),
            scratch: String::new(),
            counts: Counts::default(),
        }
    }
}

struct Ctx<'a> {
    evaluator: BatchEvaluator<'a>,
    /// For `--explain`: what it says of missing keys.
    catalog: &'a Catalog,
    source: &'a str,
    options: &'a Options,
}

/// Reads, evaluates and writes every row; returns the counts and the read error
/// that ended the input early, if any. Only writing errors are `Err`.
pub fn process(
    scenario: &Scenario,
    catalog: &Catalog,
    rows: RowSource,
    source: String,
    options: &Options,
    pool: &rayon::ThreadPool,
    out: &mut dyn Write,
) -> std::io::Result<(Counts, Option<String>)> {
    let (free_tx, free_rx) = mpsc::channel::<Chunk>();
    let (filled_tx, filled_rx) = mpsc::channel::<Chunk>();
    for _ in 0..CHUNK_BUFFERS {
        let _ = free_tx.send(Chunk::default());
    }
    let chunk_size = options.chunk_size.max(1);
    let reader_source = source.clone();
    // Detached on purpose: if writing fails we return at once, and a reader blocked
    // on an idle stdin must not hold us; it ends when its next send fails.
    std::thread::Builder::new()
        .name("iamsim-batch-reader".into())
        .spawn(move || read_chunks(rows, &reader_source, chunk_size, free_rx, filled_tx))?;

    let ctx = Ctx {
        evaluator: BatchEvaluator::new(scenario).with_catalog(catalog),
        catalog,
        source: &source,
        options,
    };
    let nslots = (pool.current_num_threads() * SLOTS_PER_THREAD).max(1);
    let mut batches: [Vec<Slot>; 2] = [
        (0..nslots).map(|_| Slot::new()).collect(),
        (0..nslots).map(|_| Slot::new()).collect(),
    ];
    let mut pending = false;
    let mut totals = Counts::default();
    let mut progress = Progress::new(options.progress);
    if options.output == Format::Csv {
        out.write_all(csv_header(options.explain).as_bytes())?;
    }
    let read_error = loop {
        let chunk = filled_rx.recv().unwrap_or_else(|_| Chunk {
            last: true,
            error: Some(format!("{source}: the reader thread stopped")),
            ..Chunk::default()
        });
        let [current, previous] = &mut batches;
        let mut written = Ok(());
        pool.in_place_scope(|s| {
            s.spawn(|_| evaluate_chunk(&ctx, &chunk, current));
            if pending {
                written = write_slots(out, previous, &mut totals);
            }
        });
        written?;
        progress.update(&totals);
        pending = !chunk.is_empty();
        batches.swap(0, 1);
        let (last, error) = (chunk.last, chunk.error.clone());
        let _ = free_tx.send(chunk);
        if last {
            break error;
        }
    };
    if pending {
        write_slots(out, &mut batches[1], &mut totals)?;
    }
    progress.finish();
    Ok((totals, read_error))
}

fn write_slots(
    out: &mut dyn Write,
    slots: &mut [Slot],
    totals: &mut Counts,
) -> std::io::Result<()> {
    for slot in slots.iter_mut() {
        out.write_all(&slot.out)?;
        totals.add(&slot.counts);
        slot.out.clear();
        slot.counts = Counts::default();
    }
    Ok(())
}

/// Evaluates a chunk on the current rayon pool, one task per slot.
fn evaluate_chunk(ctx: &Ctx<'_>, chunk: &Chunk, slots: &mut [Slot]) {
    if chunk.spans.is_empty() {
        ctx.evaluator
            .for_each_run(&chunk.rows, slots, |lane, slot, _, row| match row {
                Ok(row) => evaluate_row(ctx, lane, row, None, slot),
                Err(e) => write_error(ctx, slot, u64::from(e.line), None, &e.message),
            });
    } else {
        ctx.evaluator
            .for_each_run(&chunk.spans, slots, |lane, slot, _, &span| {
                evaluate_line(ctx, lane, chunk, span, slot)
            });
    }
}

fn evaluate_line(ctx: &Ctx<'_>, lane: &mut Lane<'_>, chunk: &Chunk, span: Span, slot: &mut Slot) {
    let line = span.line;
    let line32 = u32::try_from(line).unwrap_or(u32::MAX);
    if span.too_long {
        slot.scratch.clear();
        let _ = write!(
            slot.scratch,
            "{}:{line}:1: (row): the line is longer than {MAX_LINE_BYTES} bytes",
            ctx.source
        );
        let msg = std::mem::take(&mut slot.scratch);
        write_error(ctx, slot, line, None, &msg);
        slot.scratch = msg;
        return;
    }
    let bytes = &chunk.data[span.start..span.end];
    let text = match std::str::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            let valid = &bytes[..e.valid_up_to()];
            let column = String::from_utf8_lossy(valid).chars().count() + 1;
            let msg = format!(
                "{}:{line}:{column}: (row): invalid UTF-8 (byte 0x{:02x})",
                ctx.source,
                bytes[e.valid_up_to()]
            );
            write_error(ctx, slot, line, None, &msg);
            return;
        }
    };
    if let Some(plain) = rows::scan_plain_row(text) {
        let view = RowView {
            line,
            id: plain.id,
            principal: plain.principal,
            action: plain.action,
            resource: plain.resource,
            json_plain: true,
        };
        return evaluate_plain(ctx, lane, view, plain.context_members(), Some(text), slot);
    }
    match rows::parse_jsonl_row(text, line32, ctx.source) {
        Ok(row) => evaluate_row(ctx, lane, &row, Some(text), slot),
        Err(e) => write_error(ctx, slot, line, None, &e.message),
    }
}

/// Evaluates one parsed row; `text` is the JSON line it came from (for columns).
fn evaluate_row(
    ctx: &Ctx<'_>,
    lane: &mut Lane<'_>,
    row: &Row,
    text: Option<&str>,
    slot: &mut Slot,
) {
    let view = RowView::of(row);
    match lane.evaluate(row.request.as_row_ref()) {
        Ok(e) => write_decision(ctx, slot, &view, &e),
        Err(e) => unknown_principal(ctx, slot, &view, text, &e),
    }
}

/// Evaluates a row whose context is a list of single values through the
/// prepared-request cache.
fn evaluate_plain(
    ctx: &Ctx<'_>,
    lane: &mut Lane<'_>,
    view: RowView<'_>,
    context: &[(&str, &str)],
    text: Option<&str>,
    slot: &mut Slot,
) {
    let row = RowRef {
        principal: view.principal,
        action: view.action,
        resource: view.resource,
        context: RowContext::Pairs(context),
    };
    match lane.evaluate(row) {
        Ok(e) => write_decision(ctx, slot, &view, &e),
        Err(e) => unknown_principal(ctx, slot, &view, text, &e),
    }
}

fn write_decision(ctx: &Ctx<'_>, slot: &mut Slot, view: &RowView<'_>, e: &Evaluated<'_, '_>) {
    slot.counts.count(e.response.decision);
    let Slot { out, scratch, .. } = slot;
    let write = match ctx.options.output {
        Format::Jsonl => jsonl_decision,
        Format::Csv => csv_decision,
    };
    let explain = ctx.options.explain.then_some(ctx.catalog);
    write(out, scratch, view, e.set, &e.response, explain);
}

fn write_error(
    ctx: &Ctx<'_>,
    slot: &mut Slot,
    line: u64,
    row: Option<&RowView<'_>>,
    message: &str,
) {
    slot.counts.errors += 1;
    let options = ctx.options;
    error_row(
        &mut slot.out,
        options.output,
        options.explain,
        line,
        row,
        message,
    );
}

fn unknown_principal(
    ctx: &Ctx<'_>,
    slot: &mut Slot,
    view: &RowView<'_>,
    text: Option<&str>,
    e: &RowError,
) {
    let line = view.line;
    let msg = match text.and_then(principal_column) {
        Some(col) => format!("{}:{line}:{col}: /principal: {e}", ctx.source),
        None => format!("{}:{line}: {e}", ctx.source),
    };
    write_error(ctx, slot, line, Some(view), &msg);
}

/// The column of the `principal` value in a JSON row (error path only).
fn principal_column(text: &str) -> Option<u32> {
    let v = json::parse(text, 1, JsonLimits::default()).ok()?;
    let JsonKind::Object(members) = &v.kind else {
        return None;
    };
    members
        .iter()
        .find(|m| &*m.name == "principal")
        .map(|m| m.value.position.column)
}
