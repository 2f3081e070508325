//! `iamsim check CASES`: runs self-contained cases (FORMAT.md) and reports each
//! case, a readable explanation for every failure, and `N passed, M failed`.

use super::Outcome;
use crate::cases::{parse_case_file, Case};
use iamsim_engine::explain::render_text;
use std::io::Write;
use std::path::Path;

/// Output formats of `check`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CheckFormat {
    /// One line per case, explanations under failures, summary last.
    Text,
    /// One JSON object per case: `{"id","decision","expect","pass"}` (+ `error`).
    Jsonl,
}

/// What a case came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseResult {
    /// Case id.
    pub id: String,
    /// Line in the file.
    pub line: u32,
    /// The decision reached, or `error`.
    pub decision: String,
    /// The expected decision (`-` when the case could not be read).
    pub expect: String,
    /// Whether it matched.
    pub pass: bool,
    /// The error message for `error` outcomes.
    pub error: Option<String>,
    /// The explanation, for failures.
    pub explanation: Option<String>,
}

/// Evaluates every case of a case file's text.
pub fn run_cases(text: &str, source: &str) -> Vec<CaseResult> {
    parse_case_file(text, source)
        .into_iter()
        .map(|c| match c {
            Ok(case) => evaluate_case(&case),
            Err(e) => CaseResult {
                id: e.id.clone(),
                line: e.line,
                decision: "error".into(),
                expect: "-".into(),
                pass: false,
                error: Some(e.message),
                explanation: None,
            },
        })
        .collect()
}

fn evaluate_case(case: &Case) -> CaseResult {
    match &case.policies {
        Err(message) => CaseResult {
            id: case.id.clone(),
            line: case.line,
            decision: "error".into(),
            expect: case.expect.to_string(),
            pass: false,
            error: Some(message.clone()),
            explanation: None,
        },
        Ok(set) => {
            let response = set.evaluate(&case.request);
            let pass = response.decision == case.expect;
            let explanation =
                (!pass).then(|| render_text(set, &case.request, &set.explain(&case.request)));
            CaseResult {
                id: case.id.clone(),
                line: case.line,
                decision: response.decision.to_string(),
                expect: case.expect.to_string(),
                pass,
                error: None,
                explanation,
            }
        }
    }
}

/// Runs `check` on a case file and writes the report.
pub fn check_case_file(
    path: &Path,
    format: CheckFormat,
    max_bytes: u64,
    out: &mut dyn Write,
) -> std::io::Result<Outcome> {
    let text = match crate::input::read_text(path, max_bytes) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("iamsim: {e}");
            return Ok(Outcome::BadInput);
        }
    };
    let results = run_cases(&text, &path.display().to_string());
    write_results(&results, format, out)?;
    let failed = results.iter().filter(|r| !r.pass).count();
    Ok(if failed == 0 {
        Outcome::Success
    } else {
        Outcome::Failures
    })
}

/// Writes case results in the chosen format, summary last.
pub fn write_results(
    results: &[CaseResult],
    format: CheckFormat,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    for r in results {
        match format {
            CheckFormat::Jsonl => {
                let mut obj = serde_json::json!({
                    "id": r.id, "decision": r.decision, "expect": r.expect, "pass": r.pass,
                });
                if let Some(e) = &r.error {
                    obj["error"] = serde_json::Value::String(e.clone());
                }
                writeln!(out, "{obj}")?;
            }
            CheckFormat::Text => {
                let mark = if r.pass { "ok  " } else { "FAIL" };
                write!(out, "{mark} {} {}", r.id, r.decision)?;
                if !r.pass {
                    write!(out, " (expected {})", r.expect)?;
                }
                writeln!(out)?;
                if let Some(e) = &r.error {
                    writeln!(out, "     error: {e}")?;
                }
                if let Some(x) = &r.explanation {
                    for line in x.lines() {
                        writeln!(out, "     | {line}")?;
                    }
                }
            }
        }
    }
    let passed = results.iter().filter(|r| r.pass).count();
    let failed = results.len() - passed;
    match format {
        CheckFormat::Text => writeln!(out, "{passed} passed, {failed} failed")?,
        // Machines read stdout; the summary goes to the terminal.
        CheckFormat::Jsonl => eprintln!("{passed} passed, {failed} failed"),
    }
    Ok(())
}
