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

use crate::error::{CliError, Outcome};
use crate::input::catalog::load_catalog;
use crate::input::rows::{Expectation, Row, RowParseError};
use crate::input::table::{read_table, TableFormat};
use crate::report::check::{
    write_junit_file, write_report, write_row, CheckFormat, CheckResult, DuplicateIds, Report,
    Status, Tally,
};
use crate::report::missing_context::explanation_text;
use crate::report::{print_warnings, strict_failure};
use iamsim_catalog::Catalog;
use iamsim_scenario::cases::{
    map_case_file_with_warnings, stream_case_file, Case, MAX_CACHED_POLICY_BYTES,
};
use iamsim_scenario::files::{read_text, DEFAULT_MAX_FILE_BYTES};
use iamsim_scenario::{BatchEvaluator, InputError, Scenario, Warning};
use std::io::Write;
use std::path::{Path, PathBuf};

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

Case files (without --scenario):
  JSON Lines are read and reported case by case (text and jsonl output; --format
  github and --junit keep every result until the end): memory stays bounded on a
  file of any size. Compiled policies are cached for distinct `policies` texts of
  up to 512 KiB in all (about 13 MB compiled), besides those of the block being
  read (256 KiB of the file); past that the cache is emptied and recompiles what
  comes back. A case whose `expect` is missing or `unknown` is evaluated and
  reported with its decision (`eval`), neither passed nor failed.

Exit status: 0 every row passed; 1 some row mismatched or could not be evaluated, or
--strict and a policy drew a warning; 2 the table, scenario or case file could not be
used at all (missing, malformed, or without a single row).")]
pub struct CheckArgs {
    /// A self-contained case file (JSON Lines or a JSON array), or, with --scenario,
    /// an expectation table (CSV, JSON Lines, YAML).
    pub file: PathBuf,
    /// Scenario the table's rows are evaluated against.
    #[arg(long, value_name = "FILE")]
    pub scenario: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = CheckFormat::Text)]
    pub format: CheckFormat,
    /// Also write a JUnit XML report (one testcase per case or row) to FILE.
    #[arg(long, value_name = "FILE")]
    pub junit: Option<PathBuf>,
    /// Print only mismatches and errors (with their explanations) and the summary;
    /// for big tables. Applies to text and jsonl output; the JUnit report keeps
    /// every row.
    #[arg(long, short = 'q', visible_alias = "failures-only")]
    pub quiet: bool,
    /// Largest input file read whole, in bytes: tables, and case files that are one
    /// JSON array (JSON Lines case files stream, whatever their size).
    #[arg(long, default_value_t = DEFAULT_MAX_FILE_BYTES)]
    pub max_file_bytes: u64,
    /// Actions AWS shipped after the pinned action catalog: a JSON file in the
    /// catalog's overlay schema (see catalog/README.md), merged in.
    #[arg(long, value_name = "FILE")]
    pub catalog_overlay: Option<PathBuf>,
    /// Fail the run (exit 1) on any warning about the policies; warnings also become
    /// error annotations (`--format github`) and a failing JUnit testcase.
    #[arg(long)]
    pub strict: bool,
    /// Accept rows whose decision depends on a Deny that could not be fully
    /// evaluated (a request value its condition could not compare). Without it such
    /// rows fail: the decision may be more permissive than the policy intends.
    #[arg(long)]
    pub allow_indeterminate: bool,
}

/// Runs `iamsim check`.
pub fn run(args: &CheckArgs, out: &mut dyn Write) -> Result<Outcome, CliError> {
    if streams(args) {
        return stream_cases(args, out);
    }
    let report = match build_report(args) {
        Ok(report) => report,
        Err(e) => {
            // CI must never end without a report: the JUnit file then holds one
            // failing testcase that says what could not be loaded, and where.
            if let Some(path) = &args.junit {
                let report = Report::load_failure(
                    args.file.display().to_string(),
                    args.scenario.as_ref().map(|s| s.display().to_string()),
                    e.to_string(),
                );
                write_junit(path, &report)?;
            }
            return Err(e);
        }
    };
    if report.results.is_empty() {
        // A table that checks nothing passes nothing: an empty (or all-blank) file is
        // almost always a wrong path or a broken generator step.
        let e = CliError::Invalid(format!(
            "{}: no rows or cases to check (an empty table passes nothing)",
            report.source
        ));
        if let Some(path) = &args.junit {
            let failure = Report::load_failure(report.source, report.scenario, e.to_string());
            write_junit(path, &failure)?;
        }
        return Err(e);
    }
    write_report(&report, args.format, args.quiet, out)?;
    if let Some(path) = &args.junit {
        write_junit(path, &report)?;
    }
    Ok(report.outcome())
}

/// Whether the run reports case by case as it reads: a JSON Lines case file (or one
/// that is a JSON array, read whole but reported the same way) in text or jsonl
/// output, without a JUnit report (which needs every result for its totals).
fn streams(args: &CheckArgs) -> bool {
    args.scenario.is_none()
        && args.junit.is_none()
        && matches!(args.format, CheckFormat::Text | CheckFormat::Jsonl)
        && TableFormat::of_path(&args.file) == TableFormat::JsonLines
}

/// `check` over a case file, each block of cases evaluated, written and dropped
/// before the next is read; only the counts, the first failures for the summary
/// and the ids (to flag repeated ones) are kept.
fn stream_cases(args: &CheckArgs, out: &mut dyn Write) -> Result<Outcome, CliError> {
    let catalog = load_catalog(args.catalog_overlay.as_deref())?;
    const _: () = assert!(
        MAX_CACHED_POLICY_BYTES == 1 << 19,
        "the --help text states the bound"
    );
    let source = args.file.display().to_string();
    let (mut tally, mut ids, mut warnings) = (Tally::default(), DuplicateIds::default(), 0);
    let mut written = Ok(());
    stream_case_file(
        &args.file,
        args.max_file_bytes,
        &source,
        |c, at| evaluate_case_or_error(c, at, &source, args.allow_indeterminate, catalog),
        |results, new_warnings| {
            print_warnings(&new_warnings);
            warnings += new_warnings.len();
            for mut r in results {
                ids.check(&source, &mut r);
                tally.add(&source, &r);
                if written.is_ok() {
                    written = write_row(&r, args.format, args.quiet, &source, out);
                }
            }
        },
    )?;
    written?;
    if tally.total() == 0 {
        return Err(CliError::Invalid(format!(
            "{source}: no rows or cases to check (an empty table passes nothing)"
        )));
    }
    match args.format {
        CheckFormat::Jsonl => eprintln!("{}", tally.summary()),
        _ => tally.write_text_summary(out)?,
    }
    let strict_failed = strict_failure(args.strict, warnings);
    Ok(if tally.failed() == 0 && !strict_failed {
        Outcome::Success
    } else {
        Outcome::Failures
    })
}

fn write_junit(path: &Path, report: &Report) -> Result<(), CliError> {
    write_junit_file(path, report).map_err(|e| {
        CliError::Invalid(format!(
            "{}: cannot write the JUnit report: {e}",
            path.display()
        ))
    })
}

/// Reads the input and evaluates every row or case.
fn build_report(args: &CheckArgs) -> Result<Report, CliError> {
    let mut report = evaluate_input(args)?;
    report.flag_duplicate_ids();
    report.strict = args.strict;
    print_warnings(&report.warnings);
    strict_failure(args.strict, report.warnings.len());
    Ok(report)
}

/// Reads the input and evaluates every row or case.
fn evaluate_input(args: &CheckArgs) -> Result<Report, CliError> {
    let source = args.file.display().to_string();
    let format = TableFormat::of_path(&args.file);
    let Some(scenario_path) = &args.scenario else {
        if format != TableFormat::JsonLines {
            return Err(CliError::Usage(format!(
                "{source}: a {} expectation table needs --scenario (without it, check reads \
                 a self-contained case file: JSON Lines or a JSON array)",
                format.name()
            )));
        }
        let catalog = load_catalog(args.catalog_overlay.as_deref())?;
        let (results, warnings) = run_cases(
            &args.file,
            args.max_file_bytes,
            &source,
            args.allow_indeterminate,
            catalog,
        )?;
        return Ok(Report {
            results,
            source,
            scenario: None,
            warnings,
            strict: false,
            catalog: catalog.version().to_string(),
        });
    };
    let text = read_text(&args.file, args.max_file_bytes)?;
    let rows = read_table(&text, &source, format).map_err(CliError::Invalid)?;
    let catalog = load_catalog(args.catalog_overlay.as_deref())?;
    let scenario = Scenario::load_with_catalog(scenario_path, catalog)?;
    Ok(Report {
        results: run_table(&scenario, catalog, rows, &source, args.allow_indeterminate),
        source,
        scenario: Some(scenario_path.display().to_string()),
        warnings: scenario.warnings().to_vec(),
        strict: false,
        catalog: catalog.version().to_string(),
    })
}

/// Evaluates every case of a case file (`source` names it in messages); also returns
/// the warnings about its policies.
pub fn run_cases(
    path: &Path,
    max_file_bytes: u64,
    source: &str,
    allow_indeterminate: bool,
    catalog: &Catalog,
) -> Result<(Vec<CheckResult>, Vec<Warning>), InputError> {
    map_case_file_with_warnings(path, max_file_bytes, source, |c, at| {
        evaluate_case_or_error(c, at, source, allow_indeterminate, catalog)
    })
}

/// The result of one case as the case reader hands it over.
fn evaluate_case_or_error(
    c: Result<&Case, iamsim_scenario::cases::CaseError>,
    at: &iamsim_scenario::cases::CaseSource<'_>,
    source: &str,
    allow_indeterminate: bool,
    catalog: &Catalog,
) -> CheckResult {
    match c {
        Ok(case) => {
            let mut result = evaluate_case(case, source, allow_indeterminate, catalog);
            // Cases share compiled sets; explain a failure with its own locations.
            if result.explanation.is_some() {
                if let Some(fresh) = at.reload() {
                    result = evaluate_case(&fresh, source, allow_indeterminate, catalog);
                }
            }
            result
        }
        Err(e) => {
            // `line N` is the case reader's stand-in for a missing id.
            let id = (e.id != format!("line {}", e.line)).then_some(e.id);
            CheckResult::error(e.line, id, e.message)
        }
    }
}

fn evaluate_case(
    case: &Case,
    source: &str,
    allow_indeterminate: bool,
    catalog: &Catalog,
) -> CheckResult {
    let r = &case.request;
    let mut result = CheckResult {
        id: Some(case.id.clone()),
        line: case.line,
        principal: r.principal().to_owned(),
        action: r.action().to_owned(),
        resource: r.resource().to_owned(),
        status: Status::Error,
        decision: None,
        expect: case.expect.map(Expectation::Exact),
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
                result.explanation = Some(explanation_text(catalog, set, r));
            } else if case.expect.is_none() {
                result.status = Status::Unjudged;
            } else if case.expect == Some(response.decision) {
                result.status = Status::Pass;
            } else {
                result.status = Status::Mismatch;
                result.reason = Some(response.reason);
                result.explanation = Some(explanation_text(catalog, set, r));
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
    catalog: &Catalog,
    rows: Vec<Result<Row, RowParseError>>,
    source: &str,
    allow_indeterminate: bool,
) -> Vec<CheckResult> {
    let evaluator = BatchEvaluator::new(scenario).with_catalog(catalog);
    evaluator.map(&rows, |lane, row| match row {
        Ok(row) => {
            let Row {
                line,
                id,
                request: req,
                expect,
                note,
            } = row;
            let result = CheckResult {
                id: id.clone(),
                line: *line,
                principal: req.principal.clone(),
                action: req.action.clone(),
                resource: req.resource.clone(),
                status: Status::Error,
                decision: None,
                expect: *expect,
                reason: None,
                error: None,
                explanation: None,
                note: note.clone(),
            };
            match lane.evaluate(req.as_row_ref()) {
                Ok(e) => judge_row(result, &e, source, allow_indeterminate, catalog),
                Err(e) => CheckResult {
                    error: Some(format!("{source}:{line}: {e}")),
                    ..result
                },
            }
        }
        Err(e) => CheckResult::error(e.line, None, e.message.clone()),
    })
}

/// Compares one evaluated row with its expectation.
fn judge_row(
    mut result: CheckResult,
    e: &iamsim_scenario::Evaluated<'_, '_>,
    source: &str,
    allow_indeterminate: bool,
    catalog: &Catalog,
) -> CheckResult {
    let (set, request, response) = (e.set, e.request, &e.response);
    let line = result.line;
    let Some(expect) = result.expect else {
        result.error = Some(format!(
            "{source}:{line}: no `expect` (a table row must say what it expects: allowed, \
             explicitDeny, implicitDeny or denied); this row evaluates to {}",
            response.decision
        ));
        return result;
    };
    result.decision = Some(response.decision);
    if let Some(message) = indeterminate(response, allow_indeterminate) {
        result.error = Some(format!("{source}:{line}: {message}"));
        result.explanation = Some(explanation_text(catalog, set, request));
    } else if expect.accepts(response.decision) {
        result.status = Status::Pass;
    } else {
        result.status = Status::Mismatch;
        result.reason = Some(response.reason);
        result.explanation = Some(explanation_text(catalog, set, request));
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A scratch folder of this test's own under the system temp dir.
    fn scratch(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("iamsim-check-{name}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        dir
    }

    fn flagship() -> PathBuf {
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures/connect/scenario.json")
    }

    fn args(file: PathBuf, scenario: Option<PathBuf>, junit: Option<PathBuf>) -> CheckArgs {
        CheckArgs {
            file,
            scenario,
            format: CheckFormat::Text,
            junit,
            strict: false,
            catalog_overlay: None,
            quiet: true,
            max_file_bytes: DEFAULT_MAX_FILE_BYTES,
            allow_indeterminate: false,
        }
    }

    #[test]
    fn a_junit_report_is_written_even_when_nothing_can_be_loaded() {
        let dir = scratch("load");
        let table = dir.join("t.csv");
        std::fs::write(&table, "id,principal,action,resource,expect\n").expect("write");
        let junit = dir.join("junit.xml");
        // The scenario is missing: exit 2, and the JUnit file says why.
        let missing = dir.join("no-such-scenario.json");
        let err = run(
            &args(table.clone(), Some(missing), Some(junit.clone())),
            &mut Vec::new(),
        )
        .expect_err("a missing scenario is unusable input");
        assert!(err.to_string().contains("no-such-scenario.json"), "{err}");
        let xml = std::fs::read_to_string(&junit).expect("JUnit written");
        assert!(xml.contains(r#"errors="1""#), "{xml}");
        assert!(xml.contains("no-such-scenario.json"), "{xml}");
        // A table with a header and no rows checks nothing: an error, not a pass.
        std::fs::remove_file(&junit).expect("removed");
        let err = run(
            &args(table, Some(flagship()), Some(junit.clone())),
            &mut Vec::new(),
        )
        .expect_err("an empty table is an error");
        assert!(err.to_string().contains("no rows or cases"), "{err}");
        let xml = std::fs::read_to_string(&junit).expect("JUnit written");
        assert!(xml.contains("no rows or cases"), "{xml}");
    }

    #[test]
    fn a_repeated_row_id_is_an_error_naming_the_first() {
        let dir = scratch("dup");
        let table = dir.join("t.csv");
        let row = "lock,root,s3:GetObject,arn:aws:s3:::connect-recordings-mycc/x.wav,allowed";
        std::fs::write(
            &table,
            format!("id,principal,action,resource,expect\n{row}\n{row}\n"),
        )
        .expect("write");
        let mut out = Vec::new();
        let outcome = run(&args(table, Some(flagship()), None), &mut out).expect("runs");
        assert_eq!(outcome, Outcome::Failures);
        let text = String::from_utf8_lossy(&out);
        assert!(
            text.contains("t.csv:3: duplicate id `lock` (first used at line 2)"),
            "{text}"
        );
        assert!(text.contains("1 passed, 1 failed"), "{text}");
    }

    /// A policy that draws a warning: `--strict` fails the run and says so in the
    /// GitHub annotations and the JUnit report; without it the run passes.
    #[test]
    fn strict_fails_on_warnings_everywhere_ci_looks() {
        let dir = scratch("strict");
        let cases = dir.join("c.jsonl");
        std::fs::write(
            &cases,
            concat!(
                r#"{"id":"a","policies":{"identity":[{"Version":"2012-10-17","Statement":[{"Effect":"Allow","#,
                r#""Action":["s3:GetObject","s3:List Bucket"],"Resource":"*"}]}]},"request":{"principal":"#,
                r#""arn:aws:iam::111122223333:user/u","action":"s3:GetObject","resource":"*"},"expect":"allowed"}"#,
                "\n"
            ),
        )
        .expect("write");
        let junit = dir.join("j.xml");
        let mut lenient = args(cases.clone(), None, Some(junit.clone()));
        lenient.format = CheckFormat::Github;
        let mut out = Vec::new();
        assert_eq!(run(&lenient, &mut out).expect("runs"), Outcome::Success);
        let text = String::from_utf8_lossy(&out).into_owned();
        assert!(text.starts_with("::warning file="), "{text}");
        assert!(text.contains("s3:List Bucket"), "{text}");
        let xml = std::fs::read_to_string(&junit).expect("JUnit");
        assert!(
            xml.contains("<system-err>") && !xml.contains("--strict"),
            "{xml}"
        );

        let strict = CheckArgs {
            strict: true,
            ..lenient
        };
        let mut out = Vec::new();
        assert_eq!(run(&strict, &mut out).expect("runs"), Outcome::Failures);
        let text = String::from_utf8_lossy(&out).into_owned();
        assert!(text.starts_with("::error file="), "{text}");
        let xml = std::fs::read_to_string(&junit).expect("JUnit");
        assert!(xml.contains(r#"name="warnings (--strict)""#), "{xml}");
        assert!(xml.contains(r#"tests="2" failures="1""#), "{xml}");
    }
}
