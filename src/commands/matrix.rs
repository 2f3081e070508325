//! `iamsim matrix --scenario S`: the reachability answer. Every principal of the
//! scenario is evaluated against every concrete target ARN (resources, their
//! objects and sub-resources, Connect users) for each of the target's actions, one
//! request per (principal, action, ARN) as SEMANTICS §10 asks, and the result is
//! written as a grid (text, Markdown, self-contained HTML with explanations) or as
//! one record per evaluation (CSV, JSON).
//!
//! "Who can read the recordings bucket?" is `--target "recordings mycc" --actions
//! s3:GetObject --allowed-only`; "what can the Tokyo supervisor do?" is
//! `--principal tokyo-supervisor --allowed-only`.

use crate::error::{CliError, Outcome};
use crate::report::matrix::{
    Cell, GridRow, Matrix, MatrixFormat, PrincipalInfo, TargetGrid, Traces,
};
use crate::report::print_warnings;
use iamsim_engine::explain::render_text;
use iamsim_engine::internal::pattern::glob::glob_match_str;
use iamsim_engine::Decision;
use iamsim_scenario::suggest::by_nearness;
use iamsim_scenario::{
    BatchEvaluator, MatrixTarget, RowContext, RowError, RowRef, Scenario, ScenarioPrincipal,
};
use std::io::Write;
use std::path::PathBuf;

/// Above this many cells, HTML keeps the full trace only for allowed and
/// explicitly denied cells (implicit denials keep their reason), so that big
/// scenarios still give a page a browser opens quickly.
const FULL_TRACE_LIMIT: usize = 2000;

/// The arguments of `iamsim matrix`.
#[derive(Debug, Clone, clap::Args)]
#[command(after_help = "\
Exit status: 0 the matrix was written; 2 the scenario or a --principal, --target or\n--actions filter could not be used, or the output could not be written.")]
pub struct MatrixArgs {
    /// Scenario file.
    #[arg(long, value_name = "FILE")]
    pub scenario: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value_t = MatrixFormat::Text)]
    pub format: MatrixFormat,
    /// Write the output to FILE instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Only this principal, by name or ARN (repeatable): "what can X do?".
    #[arg(long = "principal", value_name = "NAME")]
    pub principals: Vec<String>,
    /// Only targets whose name or ARN contains TEXT, ignoring case (repeatable):
    /// "who can reach Y?".
    #[arg(long = "target", value_name = "TEXT")]
    pub targets: Vec<String>,
    /// Only these of each target's actions: action-set names, actions, or action
    /// patterns such as `s3:Get*` (repeatable; default: all of each target's actions).
    #[arg(long = "actions", value_name = "SET_OR_ACTION")]
    pub actions: Vec<String>,
    /// Show only what is allowed: allowed records (CSV, JSON); in grids, only the
    /// principals, actions and targets with at least one allowed cell.
    #[arg(long)]
    pub allowed_only: bool,
    /// HTML: leave out the per-cell evaluation traces (keep decision and reason).
    #[arg(long)]
    pub no_explanations: bool,
}

/// Runs `iamsim matrix`.
pub fn run(args: &MatrixArgs, out: &mut dyn Write) -> Result<Outcome, CliError> {
    let scenario = Scenario::load(&args.scenario)?;
    print_warnings(scenario.warnings());
    let (principals, targets) = select(&scenario, args).map_err(CliError::Usage)?;
    let cell_count: usize =
        targets.iter().map(|t| t.actions.len()).sum::<usize>() * principals.len();
    let traces = if args.format != MatrixFormat::Html || args.no_explanations {
        Traces::None
    } else if cell_count > FULL_TRACE_LIMIT {
        Traces::Decisive
    } else {
        Traces::All
    };
    let mut matrix = evaluate(&scenario, &principals, targets, traces)
        .map_err(|e| CliError::Invalid(e.to_string()))?;
    if args.allowed_only {
        matrix.keep_allowed_only();
    }
    match &args.output {
        None => crate::report::matrix::write(&matrix, args.format, out)?,
        Some(path) => {
            let file = std::fs::File::create(path).map_err(|e| CliError::Create {
                path: path.clone(),
                source: e,
            })?;
            let mut w = std::io::BufWriter::new(file);
            crate::report::matrix::write(&matrix, args.format, &mut w)?;
            w.flush()?;
            let [a, d, i] = matrix.counts();
            eprintln!(
                "iamsim: wrote `{}`: {} cells ({a} allowed, {d} explicit deny, {i} implicit deny)",
                path.display(),
                a + d + i
            );
        }
    }
    Ok(Outcome::Success)
}

/// Applies `--principal`, `--target` and `--actions`; an entry that matches nothing
/// is an error naming it.
fn select(
    scenario: &Scenario,
    args: &MatrixArgs,
) -> Result<(Vec<PrincipalInfo>, Vec<MatrixTarget>), String> {
    let all = scenario.principals();
    let principals: Vec<PrincipalInfo> = if args.principals.is_empty() {
        all.iter().map(info).collect()
    } else {
        for p in &args.principals {
            if scenario.principal(p).is_none() {
                let known = by_nearness(p, all.iter().map(|p| p.name.as_str()));
                return Err(format!(
                    "--principal `{p}` matches no principal of the scenario (principals, nearest first: {})",
                    known.join(", ")
                ));
            }
        }
        // Scenario order, whatever the order of the flags.
        all.iter()
            .filter(|sp| {
                args.principals
                    .iter()
                    .any(|p| scenario.principal(p).is_some_and(|q| q.name == sp.name))
            })
            .map(info)
            .collect()
    };

    let mut targets = scenario.matrix_targets();
    if !args.targets.is_empty() {
        let wanted: Vec<String> = args.targets.iter().map(|t| t.to_lowercase()).collect();
        for (text, lc) in args.targets.iter().zip(&wanted) {
            if !targets.iter().any(|t| target_matches(t, lc)) {
                return Err(format!(
                    "--target `{text}` matches no target name or ARN of the scenario"
                ));
            }
        }
        targets.retain(|t| wanted.iter().any(|lc| target_matches(t, lc)));
    }

    if !args.actions.is_empty() {
        let filters: Vec<(&String, Vec<String>)> = args
            .actions
            .iter()
            .map(|a| {
                let expanded = scenario.expand_actions(std::slice::from_ref(a));
                (a, expanded.iter().map(|x| x.to_ascii_lowercase()).collect())
            })
            .collect();
        let hits = |patterns: &[String], action: &str| {
            let lc = action.to_ascii_lowercase();
            patterns.iter().any(|p| glob_match_str(p, &lc))
        };
        for (text, patterns) in &filters {
            if !targets
                .iter()
                .any(|t| t.actions.iter().any(|a| hits(patterns, a)))
            {
                return Err(format!(
                    "--actions `{text}` matches no action of the selected targets"
                ));
            }
        }
        for t in &mut targets {
            t.actions
                .retain(|a| filters.iter().any(|(_, patterns)| hits(patterns, a)));
        }
        targets.retain(|t| !t.actions.is_empty());
    }
    Ok((principals, targets))
}

fn info(p: &ScenarioPrincipal) -> PrincipalInfo {
    PrincipalInfo {
        name: p.name.clone(),
        kind: p.kind.as_str(),
        arn: p.arn.clone(),
    }
}

fn target_matches(t: &MatrixTarget, lowercase: &str) -> bool {
    t.name.to_lowercase().contains(lowercase) || t.arn.to_lowercase().contains(lowercase)
}

/// Evaluates every (target, principal, action) in parallel; results come back in
/// scenario order.
fn evaluate(
    scenario: &Scenario,
    principals: &[PrincipalInfo],
    targets: Vec<MatrixTarget>,
    traces: Traces,
) -> Result<Matrix, RowError> {
    let jobs: Vec<(usize, usize, usize)> = targets
        .iter()
        .enumerate()
        .flat_map(|(ti, t)| {
            (0..principals.len())
                .flat_map(move |pi| (0..t.actions.len()).map(move |ai| (ti, pi, ai)))
        })
        .collect();
    let evaluator = BatchEvaluator::new(scenario);
    let cells: Vec<Cell> = evaluator
        .map(&jobs, |lane, &(ti, pi, ai)| {
            let target = &targets[ti];
            let row = RowRef {
                principal: &principals[pi].name,
                action: &target.actions[ai],
                resource: &target.arn,
                context: RowContext::Pairs(&[]),
            };
            let e = lane.evaluate(row)?;
            let (set, request, r) = (e.set, e.request, &e.response);
            let keep_trace = match traces {
                Traces::None => false,
                Traces::Decisive => r.decision != Decision::ImplicitDeny,
                Traces::All => true,
            };
            Ok(Cell {
                response: r.to_json_form(set),
                trace: keep_trace.then(|| render_text(set, request, &set.explain(request))),
            })
        })
        .into_iter()
        .collect::<Result<_, RowError>>()?;
    let mut cells = cells.into_iter();
    let grids = targets
        .into_iter()
        .map(|t| {
            let rows = (0..principals.len())
                .map(|pi| GridRow {
                    principal: pi,
                    cells: cells.by_ref().take(t.actions.len()).collect(),
                })
                .collect();
            TargetGrid {
                name: t.name,
                arn: t.arn,
                actions: t.actions,
                rows,
            }
        })
        .collect();
    Ok(Matrix {
        scenario: scenario.name.clone(),
        principals: principals.to_vec(),
        targets: grids,
        allowed_only: false,
        traces,
    })
}
