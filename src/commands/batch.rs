//! `iamsim batch`: evaluates a stream of request rows (JSON Lines or CSV) against a
//! scenario and writes one decision row per request row, in input order.
//!
//! Memory stays constant whatever the input size. The input is read by one reader
//! thread into a small, fixed pool of recycled chunk buffers (at most `--chunk-size`
//! rows and [`CHUNK_BYTES`] bytes each, lines capped at [`MAX_LINE_BYTES`]). The
//! calling thread evaluates one chunk on the rayon pool while it writes the previous
//! chunk's output: each chunk is cut into a fixed number of slots, every slot owns a
//! reusable [`Request`] and output buffer, and the slots are written out in order.
//! Output rows are written by hand (JSON and CSV escaping included) into those
//! reused buffers, so the batch loop itself allocates nothing per row.

use super::Outcome;
use crate::rows::{self, CsvRows, Row, RowParseError};
use crate::scenario::{PreparedRequests, RowError, Scenario};
use iamsim_engine::decision::{Decision, Response};
use iamsim_engine::explain::statement_name;
use iamsim_engine::json::{self, JsonKind, JsonLimits};
use iamsim_engine::request::Request;
use iamsim_engine::CompiledPolicySet;
use rayon::prelude::*;
use std::fmt::Write as _;
use std::io::{BufRead, BufReader, IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::{mpsc, Mutex};
use std::time::{Duration, Instant};

/// Longest JSON Lines row accepted; a longer line becomes an error row.
pub const MAX_LINE_BYTES: usize = 1 << 20;
/// A chunk of JSON Lines input ends once it holds this many bytes, even if it has
/// fewer than `--chunk-size` rows (keeps memory bounded for long rows).
pub const CHUNK_BYTES: usize = 8 << 20;
/// Chunk buffers in circulation between the reader thread and the evaluator.
const CHUNK_BUFFERS: usize = 3;
/// Output slots per worker thread in a chunk (load balancing).
const SLOTS_PER_THREAD: usize = 16;
/// How often the progress line is refreshed.
const PROGRESS_EVERY: Duration = Duration::from_millis(500);

/// A row format, for input and output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// JSON Lines: one JSON object per line.
    Jsonl,
    /// CSV with a header row.
    Csv,
}

/// The arguments of `iamsim batch`.
#[derive(Debug, Clone, clap::Args)]
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
}

/// Decision and error counts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    /// Rows decided `allowed`.
    pub allowed: u64,
    /// Rows decided `explicitDeny`.
    pub explicit_deny: u64,
    /// Rows decided `implicitDeny`.
    pub implicit_deny: u64,
    /// Error rows.
    pub errors: u64,
}

impl Counts {
    /// Every output row.
    pub fn rows(&self) -> u64 {
        self.allowed + self.explicit_deny + self.implicit_deny + self.errors
    }

    fn add(&mut self, other: &Counts) {
        self.allowed += other.allowed;
        self.explicit_deny += other.explicit_deny;
        self.implicit_deny += other.implicit_deny;
        self.errors += other.errors;
    }

    fn count(&mut self, d: Decision) {
        match d {
            Decision::Allowed => self.allowed += 1,
            Decision::ExplicitDeny => self.explicit_deny += 1,
            Decision::ImplicitDeny => self.implicit_deny += 1,
        }
    }
}

/// Runs `iamsim batch`.
pub fn run(args: &BatchArgs, out: &mut dyn Write) -> std::io::Result<Outcome> {
    let scenario = match Scenario::load_reporting_warnings(&args.scenario) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("iamsim: {e}");
            return Ok(Outcome::BadInput);
        }
    };
    let path = args.requests.as_deref().filter(|p| p.as_os_str() != "-");
    let (input, source): (Box<dyn Read + Send>, String) = match path {
        None => (Box::new(std::io::stdin()), "<stdin>".to_owned()),
        Some(p) => match open_input(p) {
            Ok(f) => (Box::new(f), p.display().to_string()),
            Err(e) => {
                eprintln!("iamsim: {}: {e}", p.display());
                return Ok(Outcome::BadInput);
            }
        },
    };
    let input_format = args.input_format.unwrap_or(match path {
        Some(p) if p.extension().is_some_and(|e| e.eq_ignore_ascii_case("csv")) => Format::Csv,
        _ => Format::Jsonl,
    });
    let rows = match input_format {
        Format::Jsonl => RowSource::Jsonl(Box::new(BufReader::with_capacity(1 << 18, input))),
        Format::Csv => match CsvRows::new(input, &source) {
            Ok(r) => RowSource::Csv(Box::new(r)),
            Err(e) => {
                eprintln!("iamsim: {e}");
                return Ok(Outcome::BadInput);
            }
        },
    };
    let mut file;
    let out: &mut dyn Write = match &args.output {
        Some(p) => match std::fs::File::create(p) {
            Ok(f) => {
                file = std::io::BufWriter::with_capacity(1 << 16, f);
                &mut file
            }
            Err(e) => {
                eprintln!("iamsim: {}: {e}", p.display());
                return Ok(Outcome::BadInput);
            }
        },
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
    let (counts, read_error) = process(&scenario, rows, source, &options, &pool, out)?;
    out.flush()?;
    if !args.quiet {
        eprintln!("{}", summary(&counts, started.elapsed()));
    }
    if let Some(e) = read_error {
        eprintln!("iamsim: {e}");
        return Ok(Outcome::BadInput);
    }
    Ok(if counts.errors > 0 {
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

/// Rows per second, 0 before any time has passed.
fn rows_per_second(rows: u64, secs: f64) -> u64 {
    if secs > 0.0 {
        (rows as f64 / secs).round() as u64
    } else {
        0
    }
}

/// The summary line written to standard error.
pub fn summary(c: &Counts, elapsed: Duration) -> String {
    let secs = elapsed.as_secs_f64();
    let rate = rows_per_second(c.rows(), secs);
    format!(
        "iamsim batch: {} rows in {secs:.2} s ({rate} rows/s): allowed {}, explicitDeny {}, implicitDeny {}, errors {}",
        c.rows(),
        c.allowed,
        c.explicit_deny,
        c.implicit_deny,
        c.errors
    )
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

/// Where rows come from.
pub enum RowSource {
    /// JSON Lines, split here and parsed by the workers.
    Jsonl(Box<dyn BufRead + Send>),
    /// CSV, parsed by the reader thread.
    Csv(Box<CsvRows<Box<dyn Read + Send>>>),
}

/// One line of JSON Lines input inside a chunk's byte buffer.
#[derive(Debug, Clone, Copy)]
struct Span {
    start: usize,
    end: usize,
    line: u64,
    too_long: bool,
}

/// A chunk of input rows; its buffers are recycled between chunks.
#[derive(Default)]
struct Chunk {
    data: Vec<u8>,
    spans: Vec<Span>,
    rows: Vec<Result<Row, RowParseError>>,
    /// The input ended with (or at) this chunk.
    last: bool,
    /// A read error that ended the input.
    error: Option<String>,
}

impl Chunk {
    fn len(&self) -> usize {
        self.spans.len() + self.rows.len()
    }
}

/// One slice of a chunk's rows, evaluated by one task into its own buffer.
struct Slot {
    out: Vec<u8>,
    request: Request,
    scratch: String,
    counts: Counts,
}

impl Slot {
    fn new() -> Self {
        Slot {
            out: Vec::with_capacity(1 << 14),
            request: Request::new("", "", ""),
            scratch: String::new(),
            counts: Counts::default(),
        }
    }
}

struct Ctx<'a> {
    scenario: &'a Scenario,
    source: &'a str,
    options: &'a Options,
    /// Prepared-request caches, one taken by each running slot task: as many exist
    /// as tasks ever ran at once (the worker count), however many slots there are.
    prepared: Mutex<Vec<PreparedRequests>>,
}

/// The fields of one row that evaluation and output need, borrowed from a parsed
/// [`Row`] or straight from the input line.
#[derive(Clone, Copy)]
struct RowView<'a> {
    line: u64,
    id: Option<&'a str>,
    principal: &'a str,
    action: &'a str,
    resource: &'a str,
    /// The strings above are known to need no JSON escaping (they were read from
    /// between JSON quotes without escapes), so output copies them as they are.
    json_plain: bool,
}

impl<'a> RowView<'a> {
    fn of(row: &'a Row) -> Self {
        RowView {
            json_plain: false,
            line: u64::from(row.line),
            id: row.id.as_deref(),
            principal: &row.request.principal,
            action: &row.request.action,
            resource: &row.request.resource,
        }
    }
}

/// Reads, evaluates and writes every row; returns the counts and the read error
/// that ended the input early, if any. Only writing errors are `Err`.
pub fn process(
    scenario: &Scenario,
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
        scenario,
        source: &source,
        options,
        prepared: Mutex::new(Vec::new()),
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
        pending = chunk.len() > 0;
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

/// The reader thread: fills recycled chunks until the input ends.
fn read_chunks(
    mut rows: RowSource,
    source: &str,
    chunk_size: usize,
    free: mpsc::Receiver<Chunk>,
    filled: mpsc::Sender<Chunk>,
) {
    let mut next_line = 1u64;
    while let Ok(mut chunk) = free.recv() {
        chunk.data.clear();
        chunk.spans.clear();
        chunk.rows.clear();
        chunk.error = None;
        chunk.last = false;
        let result = match &mut rows {
            RowSource::Jsonl(r) => fill_jsonl(r.as_mut(), &mut chunk, chunk_size, &mut next_line),
            RowSource::Csv(r) => {
                chunk.rows.extend(r.by_ref().take(chunk_size));
                Ok(chunk.rows.len() < chunk_size)
            }
        };
        match result {
            Ok(eof) => chunk.last = eof,
            Err(e) => {
                chunk.last = true;
                chunk.error = Some(format!("{source}:{next_line}: cannot read: {e}"));
            }
        }
        let last = chunk.last;
        if filled.send(chunk).is_err() || last {
            return;
        }
    }
}

/// Reads up to `max_rows` non-blank lines into `chunk`; `Ok(true)` at end of input.
fn fill_jsonl(
    r: &mut (dyn BufRead + Send),
    chunk: &mut Chunk,
    max_rows: usize,
    next_line: &mut u64,
) -> std::io::Result<bool> {
    while chunk.spans.len() < max_rows && chunk.data.len() < CHUNK_BYTES {
        let mut start = chunk.data.len();
        let n = read_line(r, &mut chunk.data, MAX_LINE_BYTES + 1)?;
        if n == 0 {
            return Ok(true);
        }
        let line = *next_line;
        *next_line += 1;
        let mut end = chunk.data.len();
        if chunk.data[end - 1] == b'\n' {
            end -= 1;
            if end > start && chunk.data[end - 1] == b'\r' {
                end -= 1;
            }
        } else if n == MAX_LINE_BYTES + 1 {
            chunk.data.truncate(start);
            skip_rest_of_line(r)?;
            chunk.spans.push(Span {
                start,
                end: start,
                line,
                too_long: true,
            });
            continue;
        }
        if line == 1 && chunk.data[start..end].starts_with(b"\xEF\xBB\xBF") {
            start += 3;
        }
        if chunk.data[start..end].iter().all(u8::is_ascii_whitespace) {
            chunk.data.truncate(start);
            continue;
        }
        chunk.spans.push(Span {
            start,
            end,
            line,
            too_long: false,
        });
    }
    Ok(false)
}

/// Appends the next line, `\n` included, to `data`, but at most `limit` bytes of it;
/// returns the bytes appended (0 at end of input). `BufRead::read_until` does this
/// with a byte-at-a-time-per-word search; the memchr crate's SIMD search is several
/// times faster on the long lines of a batch file.
fn read_line(
    r: &mut (dyn BufRead + Send),
    data: &mut Vec<u8>,
    limit: usize,
) -> std::io::Result<usize> {
    let mut read = 0;
    while read < limit {
        let buf = match r.fill_buf() {
            Ok(buf) => buf,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if buf.is_empty() {
            break;
        }
        let window = &buf[..buf.len().min(limit - read)];
        let (take, done) = match memchr::memchr(b'\n', window) {
            Some(i) => (i + 1, true),
            None => (window.len(), false),
        };
        data.extend_from_slice(&window[..take]);
        r.consume(take);
        read += take;
        if done {
            break;
        }
    }
    Ok(read)
}

fn skip_rest_of_line(r: &mut (dyn BufRead + Send)) -> std::io::Result<()> {
    loop {
        let buf = r.fill_buf()?;
        if buf.is_empty() {
            return Ok(());
        }
        match buf.iter().position(|&b| b == b'\n') {
            Some(i) => {
                r.consume(i + 1);
                return Ok(());
            }
            None => {
                let n = buf.len();
                r.consume(n);
            }
        }
    }
}

/// Evaluates a chunk on the current rayon pool, one task per slot.
fn evaluate_chunk(ctx: &Ctx<'_>, chunk: &Chunk, slots: &mut [Slot]) {
    let n = chunk.len();
    let per = n.div_ceil(slots.len()).max(1);
    slots.par_iter_mut().enumerate().for_each(|(k, slot)| {
        let from = (k * per).min(n);
        let to = ((k + 1) * per).min(n);
        if from == to {
            return;
        }
        let mut cache = take_cache(ctx);
        for i in from..to {
            if chunk.spans.is_empty() {
                match &chunk.rows[i] {
                    Ok(row) => evaluate_row(ctx, &mut cache, row, None, slot),
                    Err(e) => error_row(ctx, slot, u64::from(e.line), None, &e.message),
                }
            } else {
                evaluate_line(ctx, &mut cache, chunk, chunk.spans[i], slot);
            }
        }
        if let Ok(mut pool) = ctx.prepared.lock() {
            pool.push(cache);
        }
    });
}

fn take_cache(ctx: &Ctx<'_>) -> PreparedRequests {
    ctx.prepared
        .lock()
        .ok()
        .and_then(|mut pool| pool.pop())
        .unwrap_or_default()
}

fn evaluate_line(
    ctx: &Ctx<'_>,
    cache: &mut PreparedRequests,
    chunk: &Chunk,
    span: Span,
    slot: &mut Slot,
) {
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
        error_row(ctx, slot, line, None, &msg);
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
            error_row(ctx, slot, line, None, &msg);
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
        return evaluate_plain(ctx, cache, view, plain.context_members(), Some(text), slot);
    }
    match rows::parse_jsonl_row(text, line32, ctx.source) {
        Ok(row) => evaluate_row(ctx, cache, &row, Some(text), slot),
        Err(e) => error_row(ctx, slot, line, None, &e.message),
    }
}

/// Evaluates one parsed row; `text` is the JSON line it came from (for columns).
fn evaluate_row(
    ctx: &Ctx<'_>,
    cache: &mut PreparedRequests,
    row: &Row,
    text: Option<&str>,
    slot: &mut Slot,
) {
    let view = RowView::of(row);
    if row.request.context.is_empty() {
        return evaluate_plain(ctx, cache, view, &[], text, slot);
    }
    match ctx.scenario.prepare(&row.request, &mut slot.request) {
        Ok(set) => {
            let response = set.evaluate(&slot.request);
            write_decision(ctx, slot, &view, &set, &response);
        }
        Err(e) => unknown_principal(ctx, slot, &view, text, &e),
    }
}

/// Evaluates a row whose context is a list of single values through the
/// prepared-request cache.
fn evaluate_plain(
    ctx: &Ctx<'_>,
    cache: &mut PreparedRequests,
    view: RowView<'_>,
    context: &[(&str, &str)],
    text: Option<&str>,
    slot: &mut Slot,
) {
    match ctx
        .scenario
        .prepare_plain(cache, view.principal, view.action, view.resource, context)
    {
        Ok((set, request)) => {
            let response = set.evaluate(request);
            write_decision(ctx, slot, &view, set, &response);
        }
        Err(e) => unknown_principal(ctx, slot, &view, text, &e),
    }
}

fn write_decision(
    ctx: &Ctx<'_>,
    slot: &mut Slot,
    view: &RowView<'_>,
    set: &CompiledPolicySet,
    response: &Response<'_>,
) {
    slot.counts.count(response.decision);
    let Slot { out, scratch, .. } = slot;
    let write = match ctx.options.output {
        Format::Jsonl => jsonl_decision,
        Format::Csv => csv_decision,
    };
    write(out, scratch, view, set, response, ctx.options.explain);
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
    error_row(ctx, slot, line, Some(view), &msg);
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

fn error_row(ctx: &Ctx<'_>, slot: &mut Slot, line: u64, row: Option<&RowView<'_>>, message: &str) {
    slot.counts.errors += 1;
    let explain = ctx.options.explain;
    let out = &mut slot.out;
    match ctx.options.output {
        Format::Jsonl => {
            out.extend_from_slice(b"{\"line\":");
            push_u64(out, line);
            if let Some(id) = row.and_then(|r| r.id) {
                out.extend_from_slice(b",\"id\":");
                push_json_str(out, id);
            }
            out.extend_from_slice(b",\"error\":");
            push_json_str(out, message);
            out.extend_from_slice(b"}\n");
        }
        Format::Csv => {
            push_u64(out, line);
            for cell in [
                row.map(|r| r.principal),
                row.map(|r| r.action),
                row.map(|r| r.resource),
                None,
                Some(message),
                row.and_then(|r| r.id),
            ] {
                out.push(b',');
                push_csv_field(out, cell.unwrap_or(""));
            }
            if explain {
                out.extend_from_slice(b",,,,");
            }
            out.push(b'\n');
        }
    }
}

fn jsonl_decision(
    out: &mut Vec<u8>,
    scratch: &mut String,
    row: &RowView<'_>,
    set: &CompiledPolicySet,
    response: &Response<'_>,
    explain: bool,
) {
    out.extend_from_slice(b"{\"line\":");
    push_u64(out, row.line);
    let push = if row.json_plain {
        push_json_plain
    } else {
        push_json_str
    };
    if let Some(id) = row.id {
        out.extend_from_slice(b",\"id\":");
        push(out, id);
    }
    out.extend_from_slice(b",\"principal\":");
    push(out, row.principal);
    out.extend_from_slice(b",\"action\":");
    push(out, row.action);
    out.extend_from_slice(b",\"resource\":");
    push(out, row.resource);
    out.extend_from_slice(b",\"decision\":\"");
    out.extend_from_slice(response.decision.as_str().as_bytes());
    out.push(b'"');
    if explain {
        scratch.clear();
        let _ = write!(scratch, "{}", response.reason);
        out.extend_from_slice(b",\"reason\":");
        push_json_str(out, scratch);
        out.extend_from_slice(b",\"deciding\":[");
        for (i, s) in response.deciding.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            push_json_str(out, &statement_name(set, s));
        }
        out.extend_from_slice(b"],\"blocked_by\":");
        match response.blocked_by() {
            Some(layer) => {
                scratch.clear();
                let _ = write!(scratch, "{layer}");
                push_json_str(out, scratch);
            }
            None => out.extend_from_slice(b"null"),
        }
        out.extend_from_slice(b",\"missing_keys\":[");
        for (i, k) in response.missing_keys.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            push_json_str(out, k);
        }
        out.push(b']');
    }
    out.extend_from_slice(b"}\n");
}

/// The CSV header line.
pub fn csv_header(explain: bool) -> &'static str {
    if explain {
        "line,principal,action,resource,decision,error,id,reason,deciding,blocked_by,missing_keys\n"
    } else {
        "line,principal,action,resource,decision,error,id\n"
    }
}

fn csv_decision(
    out: &mut Vec<u8>,
    scratch: &mut String,
    row: &RowView<'_>,
    set: &CompiledPolicySet,
    response: &Response<'_>,
    explain: bool,
) {
    push_u64(out, row.line);
    for cell in [
        row.principal,
        row.action,
        row.resource,
        response.decision.as_str(),
        "",
        row.id.unwrap_or(""),
    ] {
        out.push(b',');
        push_csv_field(out, cell);
    }
    if explain {
        scratch.clear();
        let _ = write!(scratch, "{}", response.reason);
        out.push(b',');
        push_csv_field(out, scratch);
        scratch.clear();
        for (i, s) in response.deciding.iter().enumerate() {
            if i > 0 {
                scratch.push_str("; ");
            }
            scratch.push_str(&statement_name(set, s));
        }
        out.push(b',');
        push_csv_field(out, scratch);
        scratch.clear();
        if let Some(layer) = response.blocked_by() {
            let _ = write!(scratch, "{layer}");
        }
        out.push(b',');
        push_csv_field(out, scratch);
        scratch.clear();
        for (i, k) in response.missing_keys.iter().enumerate() {
            if i > 0 {
                scratch.push_str("; ");
            }
            scratch.push_str(k);
        }
        out.push(b',');
        push_csv_field(out, scratch);
    }
    out.push(b'\n');
}

/// Appends the decimal digits of `n`.
pub fn push_u64(out: &mut Vec<u8>, mut n: u64) {
    let mut digits = [0u8; 20];
    let mut i = digits.len();
    loop {
        i -= 1;
        digits[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    out.extend_from_slice(&digits[i..]);
}

/// Appends `s`, which needs no escaping, between JSON quotes.
fn push_json_plain(out: &mut Vec<u8>, s: &str) {
    out.push(b'"');
    out.extend_from_slice(s.as_bytes());
    out.push(b'"');
}

/// Appends `s` as a JSON string: quotes, `"` and `\` escaped, control characters as
/// `\n`, `\r`, `\t`, `\b`, `\f` or `\u00XX`.
pub fn push_json_str(out: &mut Vec<u8>, s: &str) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let bytes = s.as_bytes();
    if !rows::needs_json_escape(bytes) {
        return push_json_plain(out, s);
    }
    out.push(b'"');
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        let short: &[u8] = match b {
            b'"' => b"\\\"",
            b'\\' => b"\\\\",
            b'\n' => b"\\n",
            b'\r' => b"\\r",
            b'\t' => b"\\t",
            0x08 => b"\\b",
            0x0c => b"\\f",
            0..=0x1f => b"",
            _ => continue,
        };
        out.extend_from_slice(&bytes[start..i]);
        if short.is_empty() {
            out.extend_from_slice(b"\\u00");
            out.push(HEX[(b >> 4) as usize]);
            out.push(HEX[(b & 0xf) as usize]);
        } else {
            out.extend_from_slice(short);
        }
        start = i + 1;
    }
    out.extend_from_slice(&bytes[start..]);
    out.push(b'"');
}

/// Appends `s` as a CSV field, quoted (with `"` doubled) when it holds a comma, a
/// quote, a line break or leading/trailing spaces.
pub fn push_csv_field(out: &mut Vec<u8>, s: &str) {
    let needs_quotes = s.bytes().any(|b| matches!(b, b',' | b'"' | b'\n' | b'\r'))
        || s.starts_with(' ')
        || s.ends_with(' ');
    if !needs_quotes {
        out.extend_from_slice(s.as_bytes());
        return;
    }
    out.push(b'"');
    let mut start = 0;
    for (i, b) in s.bytes().enumerate() {
        if b == b'"' {
            out.extend_from_slice(&s.as_bytes()[start..=i]);
            out.push(b'"');
            start = i + 1;
        }
    }
    out.extend_from_slice(&s.as_bytes()[start..]);
    out.push(b'"');
}

/// The progress line on standard error.
struct Progress {
    enabled: bool,
    started: Instant,
    last: Instant,
    shown: bool,
}

impl Progress {
    fn new(enabled: bool) -> Self {
        let now = Instant::now();
        Progress {
            enabled,
            started: now,
            last: now,
            shown: false,
        }
    }

    fn update(&mut self, totals: &Counts) {
        if !self.enabled || self.last.elapsed() < PROGRESS_EVERY {
            return;
        }
        self.last = Instant::now();
        let secs = self.started.elapsed().as_secs_f64();
        let rate = rows_per_second(totals.rows(), secs);
        eprint!(
            "\r\x1b[Kiamsim batch: {} rows, {rate} rows/s, {} errors",
            totals.rows(),
            totals.errors
        );
        self.shown = true;
    }

    fn finish(&mut self) {
        if self.shown {
            eprint!("\r\x1b[K");
            self.shown = false;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `read_line` must split exactly as `Read::take(limit).read_until(b'\n')`,
    /// whatever the reader's buffer size and wherever the limit falls.
    #[test]
    fn read_line_splits_like_read_until() {
        let inputs: [&[u8]; 6] = [
            b"",
            b"abc",
            b"abc\n",
            b"ab\ncd\r\n\nefgh\nijklmnop",
            b"abcdefgh\nabcdefg\nabcdefghi\n",
            b"\n\n\nxyz",
        ];
        for input in inputs {
            for capacity in [1, 2, 3, 8, 64] {
                for limit in [1, 2, 4, 8, 9, 10, 100] {
                    let mut ours = BufReader::with_capacity(capacity, input);
                    let mut theirs = BufReader::with_capacity(capacity, input);
                    loop {
                        let (mut a, mut b) = (Vec::new(), Vec::new());
                        let n = read_line(&mut ours, &mut a, limit).expect("reads");
                        let m = Read::take(&mut theirs, limit as u64)
                            .read_until(b'\n', &mut b)
                            .expect("reads");
                        let case = format!("{input:?} capacity {capacity} limit {limit}");
                        assert_eq!((n, &a), (m, &b), "{case}");
                        if n == 0 {
                            break;
                        }
                    }
                }
            }
        }
    }
}
