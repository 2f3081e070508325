//! `iamsim lint`: every policy check iamsim runs as it loads policies, as findings
//! under Access Analyzer's issue codes (or `IAMSIM_` ones), offline, with the
//! pinned action catalog; text, JSON, SARIF 2.1.0 or GitHub annotations.

use crate::error::{CliError, Outcome};
use crate::input::catalog::load_catalog;
use crate::report::lint::{
    write_github, write_json, write_sarif, write_text, LintReport, LintedFile,
};
use iamsim_engine::model::{Policy, PolicyKind};
use iamsim_engine::Location;
use iamsim_scenario::files::{read_text, DEFAULT_MAX_POLICY_BYTES};
use iamsim_scenario::lint::{Finding, FindingType};
use iamsim_scenario::Warning;
use std::io::Write;
use std::path::PathBuf;

/// The kinds `--kind` takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum KindArg {
    /// An identity-based policy (user, group, role).
    Identity,
    /// A resource-based policy (bucket, key, trust, queue, topic, log group).
    Resource,
    /// A permissions boundary.
    Boundary,
    /// A session policy.
    Session,
    /// A service control policy.
    Scp,
    /// A resource control policy.
    Rcp,
}

impl KindArg {
    fn kind(self) -> PolicyKind {
        match self {
            KindArg::Identity => PolicyKind::Identity,
            KindArg::Resource => PolicyKind::Resource,
            KindArg::Boundary => PolicyKind::Boundary,
            KindArg::Session => PolicyKind::Session,
            KindArg::Scp => PolicyKind::Scp,
            KindArg::Rcp => PolicyKind::Rcp,
        }
    }
}

/// Output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LintFormat {
    /// `file:line:col: /pointer: TYPE CODE: message`, a link, the summary last.
    Text,
    /// One JSON document.
    Json,
    /// SARIF 2.1.0, for GitHub code scanning (`github/codeql-action/upload-sarif`).
    Sarif,
    /// GitHub Actions annotations.
    Github,
}

/// The least serious finding type that fails the run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum FailOn {
    /// Errors only.
    Error,
    /// Errors and security warnings.
    Security,
    /// Errors, security warnings and warnings.
    Warning,
    /// Any finding.
    Suggestion,
    /// Never fail on findings.
    None,
}

impl FailOn {
    fn fails(self, t: FindingType) -> bool {
        match self {
            FailOn::None => false,
            FailOn::Error => t == FindingType::Error,
            FailOn::Security => t <= FindingType::SecurityWarning,
            FailOn::Warning => t <= FindingType::Warning,
            FailOn::Suggestion => true,
        }
    }
}

/// `iamsim lint` arguments.
#[derive(Debug, Clone, clap::Args)]
#[command(
    after_help = "Exit status: 0 no finding at or above --fail-on; 1 some; 2 a file cannot be read."
)]
pub struct LintArgs {
    /// Policy files (JSON).
    #[arg(value_name = "FILE", required = true)]
    pub files: Vec<PathBuf>,
    /// The kind of every file; without it, a policy with a `Principal` is linted
    /// as a resource policy and any other as an identity policy (the report says which).
    #[arg(long, value_enum)]
    pub kind: Option<KindArg>,
    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    pub format: LintFormat,
    /// Write the report to FILE instead of standard output.
    #[arg(short = 'o', long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// The least serious finding type that fails the run (exit 1).
    #[arg(long, value_enum, default_value = "security")]
    pub fail_on: FailOn,
    /// Actions AWS shipped after the pinned action catalog: a JSON file in the
    /// catalog's overlay schema (see catalog/README.md), merged in.
    #[arg(long, value_name = "FILE")]
    pub catalog_overlay: Option<PathBuf>,
    /// Largest policy file read, in bytes.
    #[arg(long, default_value_t = DEFAULT_MAX_POLICY_BYTES)]
    pub max_policy_bytes: u64,
}

/// Runs `iamsim lint`.
pub fn run(args: &LintArgs, out: &mut dyn Write) -> Result<Outcome, CliError> {
    let catalog = load_catalog(args.catalog_overlay.as_deref())?;
    let mut files = Vec::with_capacity(args.files.len());
    for path in &args.files {
        let text = read_text(path, args.max_policy_bytes)?;
        let source = path.display().to_string();
        files.push(lint_file(&text, &source, args.kind, catalog));
    }
    let report = LintReport {
        files,
        catalog: catalog.version().to_string(),
    };
    let failed = report
        .findings()
        .any(|f| args.fail_on.fails(f.rule.finding_type));
    let written = crate::report::write_output(args.output.as_deref(), out, |w| {
        write(&report, args.format, w)
    })?;
    if written.is_some() && args.format != LintFormat::Text {
        eprintln!("{}", report.summary());
    }
    Ok(if failed {
        Outcome::Failures
    } else {
        Outcome::Success
    })
}

fn write(report: &LintReport, format: LintFormat, out: &mut dyn Write) -> std::io::Result<()> {
    match format {
        LintFormat::Text => write_text(report, out),
        LintFormat::Json => write_json(report, out),
        LintFormat::Sarif => write_sarif(report, out),
        LintFormat::Github => write_github(report, out),
    }
}

/// Lints one document: its load warnings as findings, or the reason it does not
/// load as one finding.
fn lint_file(
    text: &str,
    source: &str,
    kind: Option<KindArg>,
    catalog: &iamsim_catalog::Catalog,
) -> LintedFile {
    let (kind, how) = match kind {
        Some(k) => (k.kind(), "--kind"),
        None => match Policy::parse(text, PolicyKind::Resource, source) {
            Ok(p) if p.statements.iter().any(|s| s.principal.is_some()) => {
                (PolicyKind::Resource, "inferred: it has a Principal")
            }
            _ => (PolicyKind::Identity, "inferred: no Principal"),
        },
    };
    let findings = match Policy::parse(text, kind, source) {
        Ok(policy) => Warning::of_policy(&policy, Some(text), catalog)
            .into_iter()
            .map(Finding::of)
            .collect(),
        Err(e) => {
            let code = match e.kind {
                iamsim_engine::model::PolicyErrorKind::Json(_) => "JSON_SYNTAX_ERROR",
                _ => "IAMSIM_POLICY_REFUSED",
            };
            vec![Finding::of(Warning {
                location: Location {
                    source: e.source_name.clone(),
                    pointer: e.pointer.clone(),
                    position: e.position,
                },
                message: e.kind.to_string(),
                code,
            })]
        }
    };
    LintedFile {
        path: source.to_owned(),
        kind: format!("{kind} ({how})"),
        findings,
    }
}
