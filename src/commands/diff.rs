//! `iamsim diff BEFORE AFTER`: exactly what a policy change does, before it is
//! deployed. Two versions of the world — two scenario files, one scenario with
//! policy files replaced (`--replace OLD=NEW`), or a scenario against itself at a
//! git revision (`--base REV`) — are compared request by request over a stated
//! request space (see `iamsim_scenario::diff`); every request whose decision
//! changes is reported, grouped by principal and by the statement that caused it.

use crate::error::{CliError, Outcome};
use crate::input::catalog::load_catalog;
use crate::input::sources::{GitRevision, Replaced};
use crate::report::diff::{DiffFormat, DiffView, FailOn};
use crate::report::print_warnings;
use iamsim_scenario::source::{DiskFiles, FileSource};
use iamsim_scenario::Scenario;
use std::io::Write;
use std::path::PathBuf;
use std::sync::Arc;

/// The arguments of `iamsim diff`.
#[derive(Debug, Clone, clap::Args)]
#[command(after_help = "\
Exit status: 0 nothing that --fail-on names changed; 1 something it names changed (by\n\
default: anything newly allowed), or a change could not be confirmed; 2 a scenario,\n\
policy, revision or --replace could not be used, or the output could not be written.")]
pub struct DiffArgs {
    /// The before scenario; with --replace or --base alone, the one scenario.
    #[arg(value_name = "BEFORE")]
    pub before: PathBuf,
    /// The after scenario.
    #[arg(value_name = "AFTER")]
    pub after: Option<PathBuf>,
    /// In the after version, read NEW wherever the scenario names the policy file
    /// OLD (repeatable).
    #[arg(long, value_name = "OLD=NEW")]
    pub replace: Vec<String>,
    /// Compare the scenario as it was at git revision REV (the scenario file and
    /// every policy file it names, read with `git show REV:path`) with it as it is.
    #[arg(long, value_name = "REV")]
    pub base: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = DiffFormat::Text)]
    pub format: DiffFormat,
    /// Write the output to FILE instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Which changes fail the run (exit 1).
    #[arg(long, value_enum, default_value_t = FailOn::Allowed)]
    pub fail_on: FailOn,
    /// Actions AWS shipped after the pinned action catalog (the catalog's overlay
    /// schema), merged in.
    #[arg(long, value_name = "FILE")]
    pub catalog_overlay: Option<PathBuf>,
}

/// Runs `iamsim diff`.
pub fn run(args: &DiffArgs, out: &mut dyn Write) -> Result<Outcome, CliError> {
    let catalog = load_catalog(args.catalog_overlay.as_deref())?;
    let shown = |p: &PathBuf| p.display().to_string();
    let (before, after, before_label, after_label, replaced) = match (&args.after, &args.base) {
        (Some(_), Some(_)) => return Err(CliError::Usage(
            "--base compares one scenario with itself at a revision: give one scenario, not two"
                .into(),
        )),
        (None, None) if args.replace.is_empty() => {
            return Err(CliError::Usage(
                "give two scenarios (BEFORE AFTER), or one with --replace OLD=NEW or --base REV"
                    .into(),
            ))
        }
        (Some(after_path), None) => {
            let before = Scenario::load_with_catalog(&args.before, catalog)?;
            let replaced = Arc::new(Replaced::new(Box::new(DiskFiles), &args.replace)?);
            let after = Scenario::load_from(after_path, catalog, replaced.clone())?;
            (
                before,
                after,
                shown(&args.before),
                shown(after_path),
                replaced,
            )
        }
        (None, base) => {
            let before_files: Arc<dyn FileSource> = match base {
                Some(rev) => Arc::new(GitRevision::new(&args.before, rev)?),
                None => Arc::new(DiskFiles),
            };
            let before = Scenario::load_from(&args.before, catalog, before_files)?;
            let replaced = Arc::new(Replaced::new(Box::new(DiskFiles), &args.replace)?);
            let after = Scenario::load_from(&args.before, catalog, replaced.clone())?;
            let before_label = match base {
                Some(rev) => format!("{} at {rev}", shown(&args.before)),
                None => shown(&args.before),
            };
            let mut after_label = shown(&args.before);
            for r in &args.replace {
                after_label.push_str(&format!(" --replace {r}"));
            }
            (before, after, before_label, after_label, replaced)
        }
    };
    let unused = replaced.unused();
    if !unused.is_empty() {
        return Err(CliError::Usage(format!(
            "--replace: the scenario names no policy file {} (a replacement must name a file the scenario reads, as it is spelled from here)",
            unused.iter().map(|u| format!("`{u}`")).collect::<Vec<_>>().join(", ")
        )));
    }
    print_warnings(after.warnings());
    let report = iamsim_scenario::diff::diff(&before, &after);
    let view = DiffView {
        before: before_label,
        after: after_label,
        report: &report,
        principals: report.principals.clone(),
        fail_on: args.fail_on,
        catalog: catalog.version().to_string(),
    };
    let written = crate::report::write_output(args.output.as_deref(), out, |w| {
        crate::report::diff::write(&view, args.format, w)
    })?;
    if let Some(path) = written {
        let [a, d, k] = report.totals();
        eprintln!(
            "iamsim: wrote `{}`: {a} newly allowed, {d} newly denied, {k} deny kind changed over {} requests",
            path.display(),
            report.space.requests
        );
    }
    Ok(if view.fails() {
        Outcome::Failures
    } else {
        Outcome::Success
    })
}
