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

mod html;
mod records;
mod text;

use super::Outcome;
use crate::scenario::{MatrixTarget, RequestRow, RowError, Scenario};
use iamsim_engine::explain::{render_text, statement_name};
use iamsim_engine::pattern::glob::glob_match_str;
use iamsim_engine::request::Request;
use iamsim_engine::Decision;
use rayon::prelude::*;
use std::io::Write;
use std::path::PathBuf;

/// Above this many cells, HTML keeps the full trace only for allowed and
/// explicitly denied cells (implicit denials keep their reason), so that big
/// scenarios still give a page a browser opens quickly.
const FULL_TRACE_LIMIT: usize = 2000;

/// The arguments of `iamsim matrix`.
#[derive(Debug, Clone, clap::Args)]
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

/// `--format` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum MatrixFormat {
    /// A grid per target: principals as rows, actions as columns.
    Text,
    /// One row per evaluation.
    Csv,
    /// An array with one object per evaluation.
    Json,
    /// A table per target, for a README.
    Markdown,
    /// A self-contained page: colour-coded grids, a filter, explanations on click.
    Html,
}

/// A principal as the matrix shows it.
#[derive(Debug, Clone)]
struct PrincipalInfo {
    name: String,
    kind: &'static str,
    arn: String,
}

/// One evaluation.
#[derive(Debug, Clone)]
struct Cell {
    decision: Decision,
    reason: String,
    blocked_by: Option<String>,
    deciding: Vec<String>,
    missing_keys: Vec<String>,
    /// The `render_text` trace (HTML only).
    trace: Option<String>,
}

/// One principal's cells on one target, one per action.
#[derive(Debug, Clone)]
struct GridRow {
    /// Index into [`Matrix::principals`].
    principal: usize,
    cells: Vec<Cell>,
}

/// One target: its actions (columns) and the principals' rows.
#[derive(Debug, Clone)]
struct TargetGrid {
    name: String,
    arn: String,
    actions: Vec<String>,
    rows: Vec<GridRow>,
}

/// Which cells carry their full trace in HTML.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Traces {
    None,
    /// Allowed and explicitly denied cells only (the matrix is large).
    Decisive,
    All,
}

/// The evaluated matrix, after filtering.
#[derive(Debug, Clone)]
struct Matrix {
    scenario: String,
    principals: Vec<PrincipalInfo>,
    targets: Vec<TargetGrid>,
    allowed_only: bool,
    traces: Traces,
}

impl Matrix {
    fn cells(&self) -> impl Iterator<Item = (&TargetGrid, &PrincipalInfo, &str, &Cell)> + '_ {
        self.targets.iter().flat_map(move |t| {
            t.rows.iter().flat_map(move |r| {
                t.actions
                    .iter()
                    .zip(&r.cells)
                    .map(move |(a, c)| (t, &self.principals[r.principal], a.as_str(), c))
            })
        })
    }

    /// How many principals have a row somewhere (fewer than selected with
    /// `--allowed-only`).
    fn shown_principals(&self) -> usize {
        let mut seen = vec![false; self.principals.len()];
        for t in &self.targets {
            for r in &t.rows {
                seen[r.principal] = true;
            }
        }
        seen.iter().filter(|s| **s).count()
    }

    /// (allowed, explicit deny, implicit deny) counts.
    fn counts(&self) -> [usize; 3] {
        let mut n = [0; 3];
        for (_, _, _, c) in self.cells() {
            n[decision_index(c.decision)] += 1;
        }
        n
    }

    /// Drops what has nothing allowed: cells' columns, rows, targets.
    fn keep_allowed_only(&mut self) {
        for t in &mut self.targets {
            let keep: Vec<bool> = (0..t.actions.len())
                .map(|i| {
                    t.rows
                        .iter()
                        .any(|r| r.cells[i].decision == Decision::Allowed)
                })
                .collect();
            retain_mask(&mut t.actions, &keep);
            for r in &mut t.rows {
                retain_mask(&mut r.cells, &keep);
            }
            t.rows
                .retain(|r| r.cells.iter().any(|c| c.decision == Decision::Allowed));
        }
        self.targets.retain(|t| !t.rows.is_empty());
        self.allowed_only = true;
    }
}

/// Keeps the items whose flag is set.
fn retain_mask<T>(items: &mut Vec<T>, keep: &[bool]) {
    let mut flags = keep.iter();
    items.retain(|_| flags.next().copied().unwrap_or(false));
}

/// `1 principal`, `2 principals`.
fn count(n: usize, noun: &str) -> String {
    format!("{n} {noun}{}", if n == 1 { "" } else { "s" })
}

fn decision_index(d: Decision) -> usize {
    match d {
        Decision::Allowed => 0,
        Decision::ExplicitDeny => 1,
        Decision::ImplicitDeny => 2,
    }
}

/// Runs `iamsim matrix`.
pub fn run(args: &MatrixArgs, out: &mut dyn Write) -> std::io::Result<Outcome> {
    let scenario = match Scenario::load_reporting_warnings(&args.scenario) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("iamsim: {e}");
            return Ok(Outcome::BadInput);
        }
    };
    let (principals, targets) = match select(&scenario, args) {
        Ok(selection) => selection,
        Err(message) => {
            eprintln!("iamsim: {message}");
            return Ok(Outcome::BadInput);
        }
    };
    let cell_count: usize =
        targets.iter().map(|t| t.actions.len()).sum::<usize>() * principals.len();
    let traces = if args.format != MatrixFormat::Html || args.no_explanations {
        Traces::None
    } else if cell_count > FULL_TRACE_LIMIT {
        Traces::Decisive
    } else {
        Traces::All
    };
    let mut matrix = match evaluate(&scenario, &principals, targets, traces) {
        Ok(m) => m,
        Err(e) => {
            eprintln!("iamsim: {e}");
            return Ok(Outcome::BadInput);
        }
    };
    if args.allowed_only {
        matrix.keep_allowed_only();
    }
    match &args.output {
        None => write_format(&matrix, args.format, out)?,
        Some(path) => {
            let file = match std::fs::File::create(path) {
                Ok(f) => f,
                Err(e) => {
                    eprintln!("iamsim: cannot write `{}`: {e}", path.display());
                    return Ok(Outcome::BadInput);
                }
            };
            let mut w = std::io::BufWriter::new(file);
            write_format(&matrix, args.format, &mut w)?;
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

fn write_format(m: &Matrix, format: MatrixFormat, out: &mut dyn Write) -> std::io::Result<()> {
    match format {
        MatrixFormat::Text => text::write_text(m, out),
        MatrixFormat::Markdown => text::write_markdown(m, out),
        MatrixFormat::Csv => records::write_csv(m, out),
        MatrixFormat::Json => records::write_json(m, out),
        MatrixFormat::Html => html::write_html(m, out),
    }
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
                let known: Vec<&str> = all.iter().map(|p| p.name.as_str()).collect();
                return Err(format!(
                    "--principal `{p}` matches no principal of the scenario (principals: {})",
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

fn info(p: &crate::scenario::ScenarioPrincipal) -> PrincipalInfo {
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
    let cells: Vec<Cell> = jobs
        .par_iter()
        .map_init(
            || (Request::new("", "", ""), RequestRow::default()),
            |(request, row), &(ti, pi, ai)| {
                let target = &targets[ti];
                row.principal.clone_from(&principals[pi].name);
                row.action.clone_from(&target.actions[ai]);
                row.resource.clone_from(&target.arn);
                let set = scenario.prepare(row, request)?;
                let r = set.evaluate(request);
                let keep_trace = match traces {
                    Traces::None => false,
                    Traces::Decisive => r.decision != Decision::ImplicitDeny,
                    Traces::All => true,
                };
                Ok(Cell {
                    decision: r.decision,
                    reason: r.reason.to_string(),
                    blocked_by: r.blocked_by().map(|l| l.to_string()),
                    deciding: r.deciding.iter().map(|s| statement_name(&set, s)).collect(),
                    missing_keys: r.missing_keys.iter().map(|k| (*k).to_owned()).collect(),
                    trace: keep_trace.then(|| render_text(&set, request, &set.explain(request))),
                })
            },
        )
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

/// Splits a target's actions into a shared `service:` prefix (when they all have
/// the same one) and the column headings.
fn split_service(actions: &[String]) -> (Option<&str>, Vec<&str>) {
    let service = |a: &str| a.split_once(':').map(|(s, _)| s.len() + 1);
    let first = actions.first().and_then(|a| service(a).map(|n| &a[..n]));
    match first {
        Some(prefix) if actions.iter().all(|a| a.starts_with(prefix)) => (
            Some(prefix),
            actions.iter().map(|a| &a[prefix.len()..]).collect(),
        ),
        _ => (None, actions.iter().map(String::as_str).collect()),
    }
}
