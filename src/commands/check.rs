//! `iamsim check FILE [--scenario S]`: the CI gate.
//!
//! Without `--scenario`, FILE is a self-contained case file (FORMAT.md): each case
//! carries its policies, request and expected decision. With `--scenario`, FILE is an
//! expectation table (CSV, JSON Lines or YAML) whose rows name a principal of the
//! scenario, an action, a resource, an optional context and the expected decision
//! (`allowed`, `explicitDeny`, `implicitDeny`, or `denied` for either deny).
//!
//! Every row or case is evaluated (one bad row never stops the others) and becomes a
//! [`CheckResult`]: a pass, a mismatch (with the explanation of the decision reached)
//! or an error (malformed row, unknown principal, no expectation, invalid policies).
//! The report goes to stdout as text, JSON Lines or GitHub Actions annotations, and
//! optionally as JUnit XML to a file. Exit: 0 all pass, 1 any mismatch or error,
//! 2 when the table, scenario or case file cannot be used at all.

use super::Outcome;
use crate::cases::{map_case_file, Case};
use crate::input::InputError;
use crate::rows::{parse_jsonl_row, parse_yaml_rows, CsvRows, Expectation, Row, RowParseError};
use crate::scenario::Scenario;
use iamsim_engine::decision::{Decision, DecisionReason};
use iamsim_engine::explain::render_text;
use iamsim_engine::request::Request;
use rayon::prelude::*;
use std::fmt::{self, Write as _};
use std::io::Write;
use std::path::{Path, PathBuf};

/// Failures listed again in the text summary before "… and N more".
const SUMMARY_LIMIT: usize = 20;

/// The arguments of `iamsim check`.
#[derive(Debug, Clone, clap::Args)]
#[command(after_help = "\
Expectation tables (with --scenario):
  CSV with a header naming the columns principal, action, resource and expect, and
  optionally id, context (JSON object or `key=value; key=value`) and note; JSON
  Lines with the same fields; or YAML (.yaml/.yml): a sequence of mappings with the
  same fields. Principals are scenario names or ARNs. expect is allowed,
  explicitDeny, implicitDeny or denied (either deny). The scenario may be JSON or
  YAML.

Exit status: 0 every row passed; 1 some row mismatched or could not be evaluated;
2 the table, scenario or case file could not be read at all.")]
pub struct CheckArgs {
    /// A self-contained case file (JSON Lines or a JSON array), or, with --scenario,
    /// an expectation table (CSV, JSON Lines, YAML).
    pub file: PathBuf,
    /// Scenario the table's rows are evaluated against.
    #[arg(long, value_name = "FILE")]
    pub scenario: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = FormatArg::Text)]
    pub format: FormatArg,
    /// Also write a JUnit XML report (one testcase per case or row) to FILE.
    #[arg(long, value_name = "FILE")]
    pub junit: Option<PathBuf>,
    /// Print only mismatches and errors (with their explanations) and the summary;
    /// for big tables. Applies to text and jsonl output; the JUnit report keeps
    /// every row.
    #[arg(long, short = 'q', visible_alias = "failures-only")]
    pub quiet: bool,
    /// Largest input file read whole, in bytes.
    #[arg(long, default_value_t = crate::input::DEFAULT_MAX_FILE_BYTES)]
    pub max_file_bytes: u64,
    /// Accept rows whose decision depends on a Deny that could not be fully
    /// evaluated (a request value its condition could not compare). Without it such
    /// rows fail: the decision may be more permissive than the policy intends.
    #[arg(long)]
    pub allow_indeterminate: bool,
}

/// `--format` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum FormatArg {
    /// One line per row, explanations under mismatches, summary last.
    Text,
    /// One JSON object per row: id, line, decision, expect, pass (+ error); summary
    /// on stderr.
    Jsonl,
    /// GitHub Actions `::error` annotations at the table's lines for mismatches and
    /// errors, then the summary.
    Github,
}

/// Runs `iamsim check`.
pub fn run(args: &CheckArgs, out: &mut dyn Write) -> std::io::Result<Outcome> {
    let report = match build_report(args) {
        Ok(r) => r,
        Err(message) => {
            eprintln!("iamsim: {message}");
            return Ok(Outcome::BadInput);
        }
    };
    if report.results.is_empty() {
        eprintln!("iamsim: warning: {} has no rows", report.source);
    }
    write_report(&report, args.format, args.quiet, out)?;
    if let Some(path) = &args.junit {
        if let Err(e) = write_junit_file(path, &report) {
            eprintln!(
                "iamsim: {}: cannot write the JUnit report: {e}",
                path.display()
            );
            return Ok(Outcome::BadInput);
        }
    }
    Ok(report.outcome())
}

/// Reads the input and evaluates every row or case; `Err` is a message for exit 2.
fn build_report(args: &CheckArgs) -> Result<Report, String> {
    let source = args.file.display().to_string();
    let format = TableFormat::of_path(&args.file);
    let Some(scenario_path) = &args.scenario else {
        if format != TableFormat::JsonLines {
            return Err(format!(
                "{source}: a {} expectation table needs --scenario (without it, check reads \
                 a self-contained case file: JSON Lines or a JSON array)",
                format.name()
            ));
        }
        let results = run_cases(
            &args.file,
            args.max_file_bytes,
            &source,
            args.allow_indeterminate,
        )
        .map_err(|e| e.to_string())?;
        return Ok(Report {
            results,
            source,
            scenario: None,
        });
    };
    let text =
        crate::input::read_text(&args.file, args.max_file_bytes).map_err(|e| e.to_string())?;
    let rows = read_table(&text, &source, format)?;
    let scenario = Scenario::load_reporting_warnings(scenario_path).map_err(|e| e.to_string())?;
    Ok(Report {
        results: run_table(&scenario, rows, &source, args.allow_indeterminate),
        source,
        scenario: Some(scenario_path.display().to_string()),
    })
}

/// The formats an expectation table can be written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TableFormat {
    /// CSV with a header (`.csv`).
    Csv,
    /// One JSON object per line (any other extension).
    JsonLines,
    /// One YAML document, a sequence of row mappings (`.yaml`, `.yml`).
    Yaml,
}

impl TableFormat {
    /// The format a file's extension (any case) says: `.csv`, `.yaml`/`.yml`, else
    /// JSON Lines.
    pub fn of_path(path: &Path) -> TableFormat {
        let ext = path
            .extension()
            .map(|e| e.to_string_lossy().to_ascii_lowercase());
        match ext.as_deref() {
            Some("csv") => TableFormat::Csv,
            Some("yaml" | "yml") => TableFormat::Yaml,
            _ => TableFormat::JsonLines,
        }
    }

    /// `CSV`, `JSON Lines` or `YAML`, for messages.
    pub fn name(self) -> &'static str {
        match self {
            TableFormat::Csv => "CSV",
            TableFormat::JsonLines => "JSON Lines",
            TableFormat::Yaml => "YAML",
        }
    }
}

/// Parses an expectation table. Malformed rows are kept as errors; `Err` only when the
/// table as a whole is unusable (bad CSV header, no `expect` column, a YAML document
/// that does not parse or is not a sequence of rows).
pub fn read_table(
    text: &str,
    source: &str,
    format: TableFormat,
) -> Result<Vec<Result<Row, RowParseError>>, String> {
    match format {
        TableFormat::Csv => {
            let rows = CsvRows::new(text.as_bytes(), source).map_err(|e| e.message)?;
            if !rows.has_expect() {
                return Err(format!(
                    "{source}:1: the CSV header has no `expect` column (an expectation table \
                     must say what each row expects; to evaluate requests without \
                     expectations use `iamsim batch`)"
                ));
            }
            Ok(rows.collect())
        }
        TableFormat::Yaml => parse_yaml_rows(text, source),
        TableFormat::JsonLines => {
            let mut rows = Vec::new();
            for (i, line) in text.lines().enumerate() {
                let line = if i == 0 {
                    line.trim_start_matches('\u{feff}')
                } else {
                    line
                };
                if line.trim().is_empty() {
                    continue;
                }
                rows.push(parse_jsonl_row(line, i as u32 + 1, source));
            }
            Ok(rows)
        }
    }
}

/// Whether a row or case passed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// The decision met the expectation.
    Pass,
    /// The decision did not.
    Mismatch,
    /// The row or case could not be evaluated, or has no expectation.
    Error,
}

/// What one row or case came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckResult {
    /// The row's or case's id, if it has one.
    pub id: Option<String>,
    /// 1-based line in the file (0 if unknown).
    pub line: u32,
    /// The principal as written (empty when the row could not be read).
    pub principal: String,
    /// The action.
    pub action: String,
    /// The resource.
    pub resource: String,
    /// Pass, mismatch or error.
    pub status: Status,
    /// The decision reached (none for errors).
    pub decision: Option<Decision>,
    /// The expectation, when it could be read.
    pub expect: Option<Expectation>,
    /// Why the decision was reached (mismatches only).
    pub reason: Option<DecisionReason>,
    /// The error, located (`file:line: problem`), for errors.
    pub error: Option<String>,
    /// The rendered explanation (mismatches only).
    pub explanation: Option<String>,
    /// The row's note.
    pub note: Option<String>,
}

impl CheckResult {
    fn error(line: u32, id: Option<String>, message: String) -> CheckResult {
        CheckResult {
            id,
            line,
            principal: String::new(),
            action: String::new(),
            resource: String::new(),
            status: Status::Error,
            decision: None,
            expect: None,
            reason: None,
            error: Some(message),
            explanation: None,
            note: None,
        }
    }

    /// Whether it passed.
    pub fn pass(&self) -> bool {
        self.status == Status::Pass
    }

    /// The id, or `line N`.
    pub fn name(&self) -> Name<'_> {
        Name(self)
    }

    /// `principal action resource`, or empty when the row could not be read.
    pub fn request_text(&self) -> String {
        if self.principal.is_empty() && self.action.is_empty() && self.resource.is_empty() {
            String::new()
        } else {
            format!("{} {} {}", self.principal, self.action, self.resource)
        }
    }

    fn decision_text(&self) -> &'static str {
        self.decision.map_or("error", Decision::as_str)
    }

    fn expect_text(&self) -> String {
        self.expect
            .map_or_else(|| "-".to_owned(), |e| e.to_string())
    }
}

/// Displays a result's id, or `line N` when it has none.
pub struct Name<'a>(&'a CheckResult);

impl fmt::Display for Name<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0.id {
            Some(id) => f.write_str(id),
            None => write!(f, "line {}", self.0.line),
        }
    }
}

/// Every result of one run, in file order.
#[derive(Debug, Clone)]
pub struct Report {
    /// The table or case file, as given.
    pub source: String,
    /// The scenario file, for tables.
    pub scenario: Option<String>,
    /// One result per row or case.
    pub results: Vec<CheckResult>,
}

impl Report {
    /// Rows that passed.
    pub fn passed(&self) -> usize {
        self.count(Status::Pass)
    }

    /// Rows that mismatched.
    pub fn mismatches(&self) -> usize {
        self.count(Status::Mismatch)
    }

    /// Rows that could not be evaluated.
    pub fn errors(&self) -> usize {
        self.count(Status::Error)
    }

    fn count(&self, status: Status) -> usize {
        self.results.iter().filter(|r| r.status == status).count()
    }

    /// `N passed, M failed` (errors count as failed).
    pub fn summary(&self) -> String {
        let passed = self.passed();
        format!("{passed} passed, {} failed", self.results.len() - passed)
    }

    /// Exit status: success only when every row passed.
    pub fn outcome(&self) -> Outcome {
        if self.results.iter().all(CheckResult::pass) {
            Outcome::Success
        } else {
            Outcome::Failures
        }
    }
}

/// Evaluates every case of a case file (`source` names it in messages).
pub fn run_cases(
    path: &Path,
    max_file_bytes: u64,
    source: &str,
    allow_indeterminate: bool,
) -> Result<Vec<CheckResult>, InputError> {
    map_case_file(path, max_file_bytes, source, |c, at| match c {
        Ok(case) => {
            let mut result = evaluate_case(case, source, allow_indeterminate);
            // Cases share compiled sets; explain a failure with its own locations.
            if result.explanation.is_some() {
                if let Some(fresh) = at.reload() {
                    result = evaluate_case(&fresh, source, allow_indeterminate);
                }
            }
            result
        }
        Err(e) => {
            // `line N` is the case reader's stand-in for a missing id.
            let id = (e.id != format!("line {}", e.line)).then_some(e.id);
            CheckResult::error(e.line, id, e.message)
        }
    })
}

fn evaluate_case(case: &Case, source: &str, allow_indeterminate: bool) -> CheckResult {
    let r = &case.request;
    let mut result = CheckResult {
        id: Some(case.id.clone()),
        line: case.line,
        principal: r.principal().to_owned(),
        action: r.action().to_owned(),
        resource: r.resource().to_owned(),
        status: Status::Error,
        decision: None,
        expect: Some(Expectation::Exact(case.expect)),
        reason: None,
        error: None,
        explanation: None,
        note: None,
    };
    match &case.policies {
        Err(message) => result.error = Some(message.clone()),
        Ok(set) => {
            let response = set.evaluate(r);
            result.decision = Some(response.decision);
            if let Some(message) = indeterminate(&response, allow_indeterminate) {
                result.error = Some(format!("{source}:{}: {message}", case.line));
                result.explanation = Some(render_text(set, r, &set.explain(r)));
            } else if response.decision == case.expect {
                result.status = Status::Pass;
            } else {
                result.status = Status::Mismatch;
                result.reason = Some(response.reason);
                result.explanation = Some(render_text(set, r, &set.explain(r)));
            }
        }
    }
    result
}

/// Fail closed: a Deny whose condition met a value it could not compare did not
/// apply, so the decision may be more permissive than intended. Such rows fail
/// unless `--allow-indeterminate` is given.
fn indeterminate(response: &iamsim_engine::Response<'_>, allowed: bool) -> Option<String> {
    if allowed || !response.has_indeterminate_deny() {
        return None;
    }
    let what: Vec<String> = response
        .diagnostics
        .iter()
        .filter(|d| d.effect == iamsim_engine::model::Effect::Deny && !d.condition_matched)
        .map(|d| format!("key `{}`: {}", d.key, d.kind))
        .collect();
    Some(format!(
        "indeterminate: a Deny statement could not be fully evaluated ({}); the decision {} may be wrong \
         (pass --allow-indeterminate to accept it)",
        what.join("; "),
        response.decision
    ))
}

/// Evaluates every table row against the scenario, in parallel, in file order.
pub fn run_table(
    scenario: &Scenario,
    rows: Vec<Result<Row, RowParseError>>,
    source: &str,
    allow_indeterminate: bool,
) -> Vec<CheckResult> {
    rows.into_par_iter()
        .map_init(
            || Request::new("", "", ""),
            |request, row| match row {
                Ok(row) => evaluate_row(scenario, request, row, source, allow_indeterminate),
                Err(e) => CheckResult::error(e.line, None, e.message),
            },
        )
        .collect()
}

fn evaluate_row(
    scenario: &Scenario,
    request: &mut Request,
    row: Row,
    source: &str,
    allow_indeterminate: bool,
) -> CheckResult {
    let prepared = scenario.prepare(&row.request, request);
    let Row {
        line,
        id,
        request: req,
        expect,
        note,
    } = row;
    let mut result = CheckResult {
        id,
        line,
        principal: req.principal,
        action: req.action,
        resource: req.resource,
        status: Status::Error,
        decision: None,
        expect,
        reason: None,
        error: None,
        explanation: None,
        note,
    };
    let set = match prepared {
        Ok(set) => set,
        Err(e) => {
            result.error = Some(format!("{source}:{line}: {e}"));
            return result;
        }
    };
    let response = set.evaluate(request);
    let Some(expect) = expect else {
        result.error = Some(format!(
            "{source}:{line}: no `expect` (a table row must say what it expects: allowed, \
             explicitDeny, implicitDeny or denied); this row evaluates to {}",
            response.decision
        ));
        return result;
    };
    result.decision = Some(response.decision);
    if let Some(message) = indeterminate(&response, allow_indeterminate) {
        result.error = Some(format!("{source}:{line}: {message}"));
        result.explanation = Some(render_text(&set, request, &set.explain(request)));
    } else if expect.accepts(response.decision) {
        result.status = Status::Pass;
    } else {
        result.status = Status::Mismatch;
        result.reason = Some(response.reason);
        result.explanation = Some(render_text(&set, request, &set.explain(request)));
    }
    result
}

/// Writes the report to stdout in `format` (the JSON Lines summary goes to stderr).
/// `quiet` leaves out passing rows.
pub fn write_report(
    report: &Report,
    format: FormatArg,
    quiet: bool,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    match format {
        FormatArg::Text => write_text(report, quiet, out),
        FormatArg::Jsonl => {
            for r in report.results.iter().filter(|r| !(quiet && r.pass())) {
                writeln!(out, "{}", jsonl_line(r))?;
            }
            // Machines read stdout; the summary goes to the terminal.
            eprintln!("{}", report.summary());
            Ok(())
        }
        FormatArg::Github => {
            for r in report.results.iter().filter(|r| !r.pass()) {
                writeln!(out, "{}", github_annotation(&report.source, r))?;
            }
            writeln!(out, "{}", report.summary())
        }
    }
}

fn write_text(report: &Report, quiet: bool, out: &mut dyn Write) -> std::io::Result<()> {
    for r in &report.results {
        if quiet && r.pass() {
            continue;
        }
        let mark = match r.status {
            Status::Pass => "ok",
            Status::Mismatch => "FAIL",
            Status::Error => "ERROR",
        };
        write!(out, "{mark:<5} {}", r.name())?;
        let request = r.request_text();
        if !request.is_empty() {
            write!(out, "  {request}")?;
        }
        match (r.status, r.decision, r.expect) {
            (Status::Pass, Some(d), Some(e)) if e != Expectation::Exact(d) => {
                write!(out, "  {d} (expected {e})")?
            }
            (Status::Pass, Some(d), _) => write!(out, "  {d}")?,
            (Status::Mismatch, Some(d), Some(e)) => write!(out, "  got {d}, expected {e}")?,
            _ => {}
        }
        writeln!(out)?;
        if let Some(e) = &r.error {
            writeln!(out, "      error: {e}")?;
        }
        if r.pass() {
            continue;
        }
        if let Some(note) = &r.note {
            writeln!(out, "      note: {note}")?;
        }
        if let Some(x) = &r.explanation {
            for line in x.lines() {
                writeln!(out, "      | {line}")?;
            }
        }
    }
    let failed: Vec<&CheckResult> = report.results.iter().filter(|r| !r.pass()).collect();
    if !failed.is_empty() {
        writeln!(out)?;
        writeln!(
            out,
            "failures ({} mismatched, {} errors):",
            report.mismatches(),
            report.errors()
        )?;
        for r in failed.iter().take(SUMMARY_LIMIT) {
            match (&r.error, r.decision, r.expect) {
                (Some(e), _, _) => writeln!(out, "  {e}")?,
                (None, Some(d), Some(x)) => {
                    write!(out, "  {}:{}: ", report.source, r.line)?;
                    if let Some(id) = &r.id {
                        write!(out, "{id}: ")?;
                    }
                    writeln!(out, "got {d}, expected {x}")?
                }
                _ => writeln!(out, "  {}:{}: {}", report.source, r.line, r.name())?,
            }
        }
        if failed.len() > SUMMARY_LIMIT {
            writeln!(out, "  … and {} more", failed.len() - SUMMARY_LIMIT)?;
        }
    }
    writeln!(out, "{}", report.summary())
}

/// One JSON Lines object: `{"id","line","decision","expect","pass"}` (+ `"error"`).
/// `id` and `expect` are `null` when the row has none.
pub fn jsonl_line(r: &CheckResult) -> String {
    let json = |s: &str| serde_json::Value::from(s).to_string();
    let mut s = String::with_capacity(96);
    s.push_str("{\"id\":");
    match &r.id {
        Some(id) => s.push_str(&json(id)),
        None => s.push_str("null"),
    }
    let _ = write!(s, ",\"line\":{},\"decision\":", r.line);
    s.push_str(&json(r.decision_text()));
    s.push_str(",\"expect\":");
    match r.expect {
        Some(e) => s.push_str(&json(&e.to_string())),
        None => s.push_str("null"),
    }
    let _ = write!(s, ",\"pass\":{}", r.pass());
    if let Some(e) = &r.error {
        s.push_str(",\"error\":");
        s.push_str(&json(e));
    }
    s.push('}');
    s
}

/// `::error file=…,line=…,title=iamsim <id>::<message>` for a mismatch or error.
pub fn github_annotation(source: &str, r: &CheckResult) -> String {
    let message = match (&r.error, r.decision, r.expect) {
        (Some(e), _, _) => e.clone(),
        (None, Some(d), Some(x)) => {
            let mut m = format!("{}: got {d}, expected {x}", r.request_text());
            if let Some(reason) = r.reason {
                let _ = write!(m, " — {reason}");
            }
            m
        }
        _ => format!("{}: {}", r.request_text(), r.decision_text()),
    };
    let mut s = format!("::error file={}", github_property(source));
    if r.line > 0 {
        let _ = write!(s, ",line={}", r.line);
    }
    let _ = write!(
        s,
        ",title={}::{}",
        github_property(&format!("iamsim {}", r.name())),
        github_data(&message)
    );
    s
}

/// Escapes a workflow command's message: `%`, CR, LF.
pub fn github_data(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '%' => out.push_str("%25"),
            '\r' => out.push_str("%0D"),
            '\n' => out.push_str("%0A"),
            c => out.push(c),
        }
    }
    out
}

/// Escapes a workflow command's property value: as [`github_data`], plus `:` and `,`.
pub fn github_property(s: &str) -> String {
    github_data(s).replace(':', "%3A").replace(',', "%2C")
}

/// Writes the JUnit XML report to `path`.
pub fn write_junit_file(path: &Path, report: &Report) -> std::io::Result<()> {
    let file = std::fs::File::create(path)?;
    let mut w = std::io::BufWriter::with_capacity(1 << 16, file);
    write_junit(report, &mut w)?;
    w.flush()
}

/// Writes the JUnit XML report: one testsuite, one testcase per row or case, a
/// `<failure>` for each mismatch (explanation as text) and an `<error>` for each
/// error row. No timestamps or durations: the same input gives the same bytes.
pub fn write_junit(report: &Report, out: &mut dyn Write) -> std::io::Result<()> {
    let (tests, failures, errors) = (report.results.len(), report.mismatches(), report.errors());
    let source = xml_escape(&report.source);
    writeln!(out, r#"<?xml version="1.0" encoding="UTF-8"?>"#)?;
    writeln!(
        out,
        r#"<testsuites name="iamsim check" tests="{tests}" failures="{failures}" errors="{errors}">"#
    )?;
    writeln!(
        out,
        r#"  <testsuite name="{source}" tests="{tests}" failures="{failures}" errors="{errors}" skipped="0">"#
    )?;
    if let Some(scenario) = &report.scenario {
        writeln!(out, "    <properties>")?;
        writeln!(
            out,
            r#"      <property name="scenario" value="{}"/>"#,
            xml_escape(scenario)
        )?;
        writeln!(out, "    </properties>")?;
    }
    for r in &report.results {
        let name = match &r.id {
            Some(id) => id.clone(),
            None => {
                let request = r.request_text();
                if request.is_empty() {
                    format!("line {}", r.line)
                } else {
                    format!("line {}: {request}", r.line)
                }
            }
        };
        write!(
            out,
            r#"    <testcase classname="{source}" name="{}" file="{source}" line="{}""#,
            xml_escape(&name),
            r.line
        )?;
        match r.status {
            Status::Pass => writeln!(out, "/>")?,
            Status::Mismatch => {
                writeln!(out, ">")?;
                let message = format!("got {}, expected {}", r.decision_text(), r.expect_text());
                let mut body = format!("{}\n", r.request_text());
                if let Some(note) = &r.note {
                    let _ = writeln!(body, "note: {note}");
                }
                body.push_str(r.explanation.as_deref().unwrap_or(""));
                writeln!(
                    out,
                    r#"      <failure message="{}" type="mismatch">{}</failure>"#,
                    xml_escape(&message),
                    xml_text(&body)
                )?;
                writeln!(out, "    </testcase>")?;
            }
            Status::Error => {
                writeln!(out, ">")?;
                let message = r.error.as_deref().unwrap_or("error");
                let request = r.request_text();
                let body = if request.is_empty() {
                    message.to_owned()
                } else {
                    format!("{request}\n{message}")
                };
                writeln!(
                    out,
                    r#"      <error message="{}" type="error">{}</error>"#,
                    xml_escape(message),
                    xml_text(&body)
                )?;
                writeln!(out, "    </testcase>")?;
            }
        }
    }
    writeln!(out, "  </testsuite>")?;
    writeln!(out, "</testsuites>")
}

/// Escapes an XML 1.0 attribute value: `& < > " '` as entities, TAB/LF/CR as
/// character references (attribute-value normalisation would turn them into
/// spaces), and characters XML 1.0 forbids dropped.
pub fn xml_escape(s: &str) -> String {
    escape_xml(s, true)
}

/// Escapes XML 1.0 character data: as [`xml_escape`], but TAB and LF stay as they
/// are (character data keeps them); CR is a reference so it survives end-of-line
/// normalisation.
pub fn xml_text(s: &str) -> String {
    escape_xml(s, false)
}

fn escape_xml(s: &str, attribute: bool) -> String {
    let mut out = String::with_capacity(s.len() + s.len() / 8);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\r' => out.push_str("&#13;"),
            '\t' if attribute => out.push_str("&#9;"),
            '\n' if attribute => out.push_str("&#10;"),
            '\t' | '\n' => out.push(c),
            c if xml_char(c) => out.push(c),
            _ => {}
        }
    }
    out
}

/// `Char` of XML 1.0 (surrogates cannot occur in a `char`).
fn xml_char(c: char) -> bool {
    matches!(c, '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}
