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
use crate::input::catalog::load_catalog;
use crate::report::matrix::{
    Cell, GridRow, Matrix, MatrixFormat, PrincipalInfo, TargetGrid, Traces,
};
use crate::report::print_warnings;
use iamsim_catalog::{AccessLevel, ActionInfo, Catalog, ResourceType};
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
Exit status: 0 the matrix was written; 2 the scenario or a --principal, --target or\n--actions or --access-level filter could not be used, or the output could not be written.")]
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
    /// Only these actions: an action-set name, an action, or a pattern such as
    /// `s3:Get*` (repeatable; default: all of each target's actions).
    ///
    /// On each target, a value keeps the target's own actions it names. On a target
    /// that lists none of them, it evaluates instead the catalog's actions it names
    /// that take the target's resource type (the type whose ARN format fits the ARN
    /// most closely: an object, not its bucket), so `--actions 'connect:UpdateQueue*'`
    /// asks about every Connect action that updates a queue even where the scenario
    /// lists none. A value that names no action of the selected targets nor any that
    /// applies to them is an error, with the nearest catalog names when the catalog
    /// knows none. In the scenario file, patterns in action sets and action lists
    /// expand through the catalog as it loads; an action-set entry the catalog does
    /// not know, or a pattern that matches nothing, is a located error with
    /// suggestions (a literal action in a resource's own `actions` list is evaluated
    /// as written, known or not).
    #[arg(long = "actions", value_name = "SET_OR_ACTION")]
    pub actions: Vec<String>,
    /// Only actions of this access level, per the catalog: List, Read, Write,
    /// "Permissions management" (or permissions-management), Tagging, any case
    /// (repeatable). Actions the catalog does not know are left out.
    #[arg(long = "access-level", value_name = "LEVEL", value_parser = parse_access_level)]
    pub access_levels: Vec<AccessLevel>,
    /// Show only what is allowed: allowed records (CSV, JSON); in grids, only the
    /// principals, actions and targets with at least one allowed cell.
    #[arg(long)]
    pub allowed_only: bool,
    /// Actions AWS shipped after the pinned action catalog: a JSON file in the
    /// catalog's overlay schema (see catalog/README.md), merged in.
    #[arg(long, value_name = "FILE")]
    pub catalog_overlay: Option<PathBuf>,
    /// HTML: leave out the per-cell evaluation traces (keep decision and reason).
    #[arg(long)]
    pub no_explanations: bool,
}

/// Runs `iamsim matrix`.
pub fn run(args: &MatrixArgs, out: &mut dyn Write) -> Result<Outcome, CliError> {
    let catalog = load_catalog(args.catalog_overlay.as_deref())?;
    let scenario = Scenario::load_with_catalog(&args.scenario, catalog)?;
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
    matrix.catalog = catalog.version().to_string();
    if args.allowed_only {
        matrix.keep_allowed_only();
    }
    let written = crate::report::write_output(args.output.as_deref(), out, |w| {
        crate::report::matrix::write(&matrix, args.format, w)
    })?;
    if let Some(path) = written {
        let [a, d, i] = matrix.counts();
        eprintln!(
            "iamsim: wrote `{}`: {} cells ({a} allowed, {d} explicit deny, {i} implicit deny)",
            path.display(),
            a + d + i
        );
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
        filter_actions(scenario, &args.actions, &mut targets)?;
    }
    if !args.access_levels.is_empty() {
        let catalog = scenario.catalog();
        let wanted = |a: &str| {
            catalog
                .action(a)
                .is_some_and(|info| args.access_levels.contains(&info.access_level()))
        };
        for t in &mut targets {
            t.actions.retain(|a| wanted(a));
        }
        targets.retain(|t| !t.actions.is_empty());
        if targets.is_empty() {
            let levels: Vec<String> = args
                .access_levels
                .iter()
                .map(|l| format!("`{l}`"))
                .collect();
            return Err(format!(
                "--access-level {} leaves no action of the selected targets",
                levels.join(", ")
            ));
        }
    }
    Ok((principals, targets))
}

fn parse_access_level(text: &str) -> Result<AccessLevel, String> {
    AccessLevel::parse(text).ok_or_else(|| {
        let names: Vec<String> = AccessLevel::ALL.iter().map(|l| format!("`{l}`")).collect();
        format!(
            "`{text}` is not an access level; use one of {}",
            names.join(", ")
        )
    })
}

/// Applies `--actions` (see its help): per target, the target's own actions each
/// value names, or, for a value naming none of them, the catalog actions it names
/// that apply to the target's ARN.
fn filter_actions(
    scenario: &Scenario,
    values: &[String],
    targets: &mut Vec<MatrixTarget>,
) -> Result<(), String> {
    let catalog = scenario.catalog();
    struct Filter<'c> {
        text: String,
        /// Lowercase globs over the target's own actions.
        globs: Vec<String>,
        /// The catalog actions the value names.
        known: Vec<ActionInfo<'c>>,
        used: bool,
    }
    let mut filters: Vec<Filter<'_>> = values
        .iter()
        .map(|v| {
            let names: Vec<String> = match scenario.action_sets().get(v) {
                Some(set) => set.clone(),
                None => vec![v.clone()],
            };
            let mut known: Vec<ActionInfo<'_>> = Vec::new();
            for n in &names {
                let found = if n.contains(['*', '?']) {
                    catalog.expand(n)
                } else {
                    catalog.action(n).into_iter().collect()
                };
                for a in found {
                    if !known.contains(&a) {
                        known.push(a);
                    }
                }
            }
            Filter {
                text: v.clone(),
                globs: names.iter().map(|n| n.to_ascii_lowercase()).collect(),
                known,
                used: false,
            }
        })
        .collect();
    for t in targets.iter_mut() {
        let own = |f: &Filter<'_>, action: &str| {
            let lc = action.to_ascii_lowercase();
            f.globs.iter().any(|g| glob_match_str(g, &lc))
        };
        let mut added: Vec<String> = Vec::new();
        let types = resource_types_of_arn(catalog, &t.arn);
        for f in &mut filters {
            if t.actions.iter().any(|a| own(f, a)) {
                f.used = true;
                continue;
            }
            for a in &f.known {
                if applies_to(a, &types) {
                    let name = a.qualified_name();
                    if !added.iter().any(|x| x.eq_ignore_ascii_case(&name)) {
                        added.push(name);
                    }
                    f.used = true;
                }
            }
        }
        let mut actions: Vec<String> = t
            .actions
            .iter()
            .filter(|a| filters.iter().any(|f| own(f, a)))
            .cloned()
            .collect();
        for a in added {
            if !actions.iter().any(|x| x.eq_ignore_ascii_case(&a)) {
                actions.push(a);
            }
        }
        t.actions = actions;
    }
    if let Some(f) = filters.iter().find(|f| !f.used) {
        let text = &f.text;
        let mut message = format!("--actions `{text}` matches no action of the selected targets");
        if f.known.is_empty() {
            message.push_str(" and no action in the catalog");
            let near = catalog.suggest(text);
            if !near.is_empty() && scenario.action_sets().get(text).is_none() {
                let near: Vec<String> = near.iter().map(|n| format!("`{n}`")).collect();
                message.push_str(&format!("; did you mean {}?", near.join(", ")));
            }
        } else {
            message.push_str(", and none of the catalog actions it names applies to their ARNs");
        }
        return Err(message);
    }
    targets.retain(|t| !t.actions.is_empty());
    Ok(())
}

/// The resource types of `arn`'s service whose ARN formats fit it most closely:
/// among the types that fit, those with the most literal text in their format (an
/// object ARN `arn:aws:s3:::b/key` fits both `${BucketName}` and
/// `${BucketName}/${ObjectName}`; it is an object).
fn resource_types_of_arn<'c>(catalog: &'c Catalog, arn: &str) -> Vec<&'c ResourceType> {
    let Some(service) = arn.split(':').nth(2).and_then(|p| catalog.service(p)) else {
        return Vec::new();
    };
    // More literal text first, then formats without a `*` (a concrete queue ARN is a
    // `queue`, not a `wildcard-queue`).
    let literal = |rt: &ResourceType| {
        rt.arn_formats()
            .iter()
            .map(|f| (literal_len(f), !f.contains('*')))
            .max()
            .unwrap_or((0, false))
    };
    let fitting: Vec<(&ResourceType, (usize, bool))> = service
        .resource_types()
        .iter()
        .filter(|rt| rt.may_match(arn))
        .map(|rt| (rt, literal(rt)))
        .collect();
    let best = fitting.iter().map(|(_, n)| *n).max().unwrap_or((0, false));
    fitting
        .into_iter()
        .filter(|(_, n)| *n == best)
        .map(|(rt, _)| rt)
        .collect()
}

/// Characters of an ARN format outside its `${…}` placeholders and `*` wildcards.
fn literal_len(format: &str) -> usize {
    let stars = |t: &str| t.bytes().filter(|&b| b != b'*').count();
    let mut n = 0;
    let mut rest = format;
    while let Some(start) = rest.find("${") {
        n += stars(&rest[..start]);
        match rest[start..].find('}') {
            Some(end) => rest = &rest[start + end + 1..],
            None => return n + stars(&rest[start..]),
        }
    }
    n + stars(rest)
}

/// True when `action` takes one of `types` (the target ARN's resource types).
/// Actions that take no resource (only `*`) apply to no target.
fn applies_to(action: &ActionInfo<'_>, types: &[&ResourceType]) -> bool {
    action
        .resource_types()
        .any(|(_, rt)| rt.is_some_and(|rt| types.iter().any(|t| std::ptr::eq(*t, rt))))
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
        catalog: String::new(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn types_of(arn: &str) -> Vec<String> {
        resource_types_of_arn(Catalog::builtin(), arn)
            .iter()
            .map(|rt| rt.name().to_owned())
            .collect()
    }

    #[test]
    fn an_arn_is_of_its_closest_resource_type() {
        let instance = "arn:aws:connect:ap-northeast-1:123456789012:instance/aaaaaaaa-bbbb";
        assert_eq!(types_of("arn:aws:s3:::b"), ["bucket"]);
        assert_eq!(types_of("arn:aws:s3:::b/some/key.wav"), ["object"]);
        assert_eq!(types_of(instance), ["instance"]);
        assert_eq!(types_of(&format!("{instance}/queue/q-sales")), ["queue"]);
        assert_eq!(types_of(&format!("{instance}/agent/u-taro")), ["user"]);
        assert_eq!(
            types_of("arn:aws:logs:ap-northeast-1:123456789012:log-group:/aws/connect/mycc"),
            ["log-group"]
        );
        assert!(types_of("arn:aws:nosuchservice:::x").is_empty());
    }

    #[test]
    fn literal_text_of_a_format_leaves_out_placeholders() {
        assert_eq!(literal_len("arn:${Partition}:s3:::${BucketName}"), 10);
        assert_eq!(
            literal_len("a${X}b${Y"),
            5,
            "an unclosed placeholder is text"
        );
        assert_eq!(literal_len("instance/${InstanceId}/queue/*"), 16);
        assert_eq!(literal_len("plain"), 5);
    }
}
