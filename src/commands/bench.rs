//! `iamsim bench`: how fast your own policies evaluate. Evaluates a scenario's
//! requests (from a file, or generated from its principals × matrix targets) or a
//! self-contained case file repeatedly, and reports decisions per second, the median
//! and 99th-percentile nanoseconds per decision, and the process's peak memory.
//! With `--compile FILE…` it measures loading instead: parse and compile of each
//! policy document, in microseconds.
//!
//! Timing: decisions run in batches of [`BATCH`]; each batch is timed with
//! `std::time::Instant`, and its time divided by its size is one ns/decision sample.
//! The median and p99 are over those samples (single decisions are too short to
//! time one by one without measuring the clock). Decisions per second is the total
//! count over the wall time of the measured phase.

use crate::error::{CliError, Outcome};
use crate::input::rows::{parse_jsonl_row, CsvRows};
use crate::report::bench::{group, CompileReport, CompileRow, Phase, Report};
use crate::report::print_warnings;
use iamsim_engine::model::{Policy, PolicyKind};
use iamsim_engine::request::{ContextValue, Request};
use iamsim_engine::{CompiledPolicySet, Decision, PolicySet};
use iamsim_scenario::cases::map_cases_with_warnings;
use iamsim_scenario::files::{read_text, DEFAULT_MAX_FILE_BYTES};
use iamsim_scenario::generate::matrix_rows;
use iamsim_scenario::{Lane, RequestRow, RowContext, RowRef, Scenario};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// Decisions per timed batch.
pub const BATCH: usize = 1_000;

/// The arguments of `iamsim bench`.
#[derive(Debug, Clone, clap::Args)]
#[command(group(clap::ArgGroup::new("input").required(true).args(["scenario", "cases", "compile"])))]
#[command(after_help = "\
Exit status: 0 measured; 2 the scenario, requests or case file could not be used.")]
pub struct BenchArgs {
    /// Scenario file: measure `prepare` (context, policy-set choice) + `evaluate`, and
    /// `evaluate` alone, per request.
    #[arg(long)]
    pub scenario: Option<PathBuf>,
    /// Request rows for the scenario (JSON Lines, or CSV with a header); default:
    /// every principal × matrix target × its actions.
    #[arg(long, requires = "scenario", conflicts_with = "count")]
    pub requests: Option<PathBuf>,
    /// Generate this many requests (deterministic) instead of one per principal ×
    /// target × action.
    #[arg(long, requires = "scenario", value_parser = clap::value_parser!(u64).range(1..))]
    pub count: Option<u64>,
    /// Self-contained case file (JSON Lines or a JSON array): reports the time to
    /// parse and compile it, then measures `evaluate` over its cases.
    #[arg(long, conflicts_with = "scenario")]
    pub cases: Option<PathBuf>,
    /// Policy documents (JSON): measure how long each takes to load — parse, and
    /// compile into a policy set of its own — and all of them, in µs (median and p99
    /// over repeated loads). Reading the files is not timed.
    #[arg(long, num_args = 1.., value_name = "FILE", conflicts_with_all = ["scenario", "cases"])]
    pub compile: Vec<PathBuf>,
    /// The role of the --compile documents: identity, resource, boundary, session,
    /// scp or rcp.
    #[arg(long, default_value = "identity", value_parser = parse_kind, requires = "compile")]
    pub kind: PolicyKind,
    /// Seconds to measure each phase.
    #[arg(long, default_value_t = 3.0)]
    pub seconds: f64,
    /// Threads evaluating at once, each over the whole request list (default 1:
    /// the per-core figure).
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=256))]
    pub threads: u32,
    /// One JSON object instead of text.
    #[arg(long)]
    pub json: bool,
}

/// Runs `iamsim bench`.
pub fn run(args: &BenchArgs, out: &mut dyn Write) -> Result<Outcome, CliError> {
    if !(args.seconds.is_finite() && args.seconds > 0.0) {
        return Err(CliError::Usage(
            "--seconds must be a positive number".to_owned(),
        ));
    }
    if !args.compile.is_empty() {
        let report = bench_compile(args).map_err(CliError::Invalid)?;
        if args.json {
            writeln!(out, "{}", report.to_json())?;
        } else {
            report.write_text(out)?;
        }
        return Ok(Outcome::Success);
    }
    let report = match (&args.scenario, &args.cases) {
        (Some(scenario), _) => bench_scenario(scenario, args),
        (None, Some(cases)) => bench_cases(cases, args),
        (None, None) => Err("give --scenario or --cases".to_owned()),
    };
    let report = report.map_err(CliError::Invalid)?;
    if args.json {
        writeln!(out, "{}", report.to_json())?;
    } else {
        report.write_text(out)?;
    }
    Ok(Outcome::Success)
}

fn parse_kind(word: &str) -> Result<PolicyKind, String> {
    use PolicyKind::*;
    [Identity, Resource, Boundary, Session, Scp, Rcp]
        .into_iter()
        .find(|kind| kind.name() == word)
        .ok_or_else(|| {
            format!("unknown kind `{word}` (identity, resource, boundary, session, scp, rcp)")
        })
}

/// `--compile`: every file loaded (parse + compile, each into a set of its own)
/// round after round for `--seconds`; one sample per file per round.
fn bench_compile(args: &BenchArgs) -> Result<CompileReport, String> {
    let mut files = Vec::with_capacity(args.compile.len());
    for path in &args.compile {
        let text = read_text(path, DEFAULT_MAX_FILE_BYTES).map_err(|e| e.to_string())?;
        let name = path.display().to_string();
        // Fail before timing, with the located error, rather than time an error path.
        let policy = Policy::parse(&text, args.kind, &name).map_err(|e| e.to_string())?;
        let set = policy_set(args.kind, policy);
        let compiled = CompiledPolicySet::compile(&set).map_err(|e| e.to_string())?;
        drop(compiled);
        files.push((name, text, set));
    }
    let kind = args.kind;
    let budget = Duration::from_secs_f64(args.seconds);
    let mut samples: Vec<[Vec<f64>; 3]> = files.iter().map(|_| Default::default()).collect();
    let mut rounds = Vec::new();
    let started = Instant::now();
    // A warm-up round, then rounds until the budget is spent (at least three).
    let mut round = 0;
    while round < 4 || started.elapsed() < budget {
        let round_start = Instant::now();
        for ((name, text, set), s) in files.iter().zip(&mut samples) {
            let t0 = Instant::now();
            let parsed = Policy::parse(text, kind, name);
            let t1 = Instant::now();
            let compiled = CompiledPolicySet::compile(set);
            let t2 = Instant::now();
            let loaded = parsed.map(|policy| CompiledPolicySet::compile(&policy_set(kind, policy)));
            let t3 = Instant::now();
            drop((compiled, loaded));
            if round > 0 {
                let us = |a: Instant, b: Instant| b.duration_since(a).as_secs_f64() * 1e6;
                let [parse, compile, load] = s;
                parse.push(us(t0, t1));
                compile.push(us(t1, t2));
                load.push(us(t2, t3));
            }
        }
        if round > 0 {
            rounds.push(round_start.elapsed().as_secs_f64() * 1e6);
        }
        round += 1;
    }
    let median = |v: &mut Vec<f64>| {
        v.sort_by(f64::total_cmp);
        (percentile(v, 0.5), percentile(v, 0.99))
    };
    let rows = files
        .iter()
        .zip(&mut samples)
        .map(|((name, text, _), [parse, compile, load])| CompileRow {
            file: name.clone(),
            bytes: text.len(),
            parse_us: median(parse).0,
            compile_us: median(compile).0,
            load_us: median(load),
        })
        .collect();
    Ok(CompileReport {
        kind: kind.name(),
        rows,
        rounds: rounds.len(),
        all_us: median(&mut rounds),
        peak_rss: peak_rss(),
    })
}

/// A set holding `policy` in the slot of its kind.
fn policy_set(kind: PolicyKind, policy: Policy) -> PolicySet {
    let mut set = PolicySet::default();
    match kind {
        PolicyKind::Identity => set.identity.push(policy),
        PolicyKind::Resource => set.resource = Some(policy),
        PolicyKind::Boundary => set.boundary = Some(policy),
        PolicyKind::Session => set.session = Some(policy),
        PolicyKind::Scp => set.scp.push(vec![policy]),
        PolicyKind::Rcp => set.rcp.push(vec![policy]),
    }
    set
}

fn bench_scenario(path: &Path, args: &BenchArgs) -> Result<Report, String> {
    let started = Instant::now();
    let scenario = Scenario::load(path).map_err(|e| e.to_string())?;
    let load = started.elapsed();
    print_warnings(scenario.warnings());
    let (rows, requests_from, mut skipped) = match &args.requests {
        Some(file) => {
            let (rows, bad) = read_rows(file)?;
            (rows, file.display().to_string(), bad)
        }
        None => {
            let (rows, product) = matrix_rows(&scenario, args.count);
            let mut from = format!(
                "generated: {} principals × {} matrix targets × their actions = {}",
                scenario.principals().len(),
                scenario.matrix_targets().len(),
                group(product as f64)
            );
            if let (Some(n), true) = (args.count, product > 0) {
                from.push_str(&format!(", cycled to {}", group(n as f64)));
            }
            (rows, from, 0)
        }
    };
    // Rows that cannot be prepared (unknown principal) are left out, not timed.
    let mut prepared: Vec<(&CompiledPolicySet, Request)> = Vec::with_capacity(rows.len());
    let mut usable = Vec::with_capacity(rows.len());
    for row in rows {
        let mut request = Request::new("", "", "");
        match scenario.prepare(&row, &mut request) {
            Ok(set) => {
                prepared.push((set, request));
                usable.push(row);
            }
            Err(_) => skipped += 1,
        }
    }
    if usable.is_empty() {
        return Err(format!("{}: no usable requests to measure", path.display()));
    }
    // As `iamsim batch` does: rows whose context holds single values only go through
    // the prepared-request cache, the others through `prepare`.
    let single_values: Vec<Option<Vec<(&str, &str)>>> = usable
        .iter()
        .map(|row| {
            row.context
                .iter()
                .map(|(k, v)| match v {
                    ContextValue::Single(v) => Some((k, &**v)),
                    ContextValue::Multi(_) => None,
                })
                .collect()
        })
        .collect();
    let seconds = Duration::from_secs_f64(args.seconds);
    let full = measure(
        "prepare+evaluate",
        usable.len(),
        args.threads,
        seconds,
        || Lane::new(&scenario),
        |lane, i| {
            let row = usable.get(i)?;
            let row = match single_values.get(i)? {
                Some(context) => RowRef {
                    principal: &row.principal,
                    action: &row.action,
                    resource: &row.resource,
                    context: RowContext::Pairs(context),
                },
                None => row.as_row_ref(),
            };
            Some(lane.evaluate(row).ok()?.response.decision)
        },
    );
    let evaluate_only = measure(
        "evaluate",
        prepared.len(),
        args.threads,
        seconds,
        || (),
        |_, i| {
            let (set, request) = prepared.get(i)?;
            Some(set.evaluate(request).decision)
        },
    );
    Ok(Report {
        kind: "scenario",
        file: path.display().to_string(),
        requests_from,
        requests: usable.len(),
        skipped,
        load: (load, scenario.principals().len()),
        threads: args.threads,
        batch: BATCH,
        phases: vec![full, evaluate_only],
        peak_rss: peak_rss(),
    })
}

fn bench_cases(path: &Path, args: &BenchArgs) -> Result<Report, String> {
    let started = Instant::now();
    let text = read_text(path, DEFAULT_MAX_FILE_BYTES).map_err(|e| e.to_string())?;
    let (parsed, warnings) =
        map_cases_with_warnings(&text, &path.display().to_string(), |c, _| c.cloned());
    print_warnings(&warnings);
    let load = started.elapsed();
    let total = parsed.len();
    let cases: Vec<_> = parsed
        .into_iter()
        .filter_map(|case| {
            let case = case.ok()?;
            let set = case.policies.ok()?;
            Some((set, case.request))
        })
        .collect();
    if cases.is_empty() {
        return Err(format!("{}: no evaluable cases", path.display()));
    }
    let phase = measure(
        "evaluate",
        cases.len(),
        args.threads,
        Duration::from_secs_f64(args.seconds),
        || (),
        |_, i| {
            let (set, request) = cases.get(i)?;
            Some(set.evaluate(request).decision)
        },
    );
    Ok(Report {
        kind: "cases",
        file: path.display().to_string(),
        requests_from: "the case file".to_owned(),
        requests: cases.len(),
        skipped: total - cases.len(),
        load: (load, total),
        threads: args.threads,
        batch: BATCH,
        phases: vec![phase],
        peak_rss: peak_rss(),
    })
}

/// Runs `decide(scratch, i)` over `0..n` cyclically on `threads` threads (each with
/// its own scratch, starting at a different offset) for `duration` after a short
/// warm-up, in timed batches of [`BATCH`].
fn measure<S, F>(
    name: &'static str,
    n: usize,
    threads: u32,
    duration: Duration,
    scratch: impl Fn() -> S + Sync,
    decide: F,
) -> Phase
where
    F: Fn(&mut S, usize) -> Option<Decision> + Sync,
{
    let warm_up = duration.mul_f64(0.1).min(Duration::from_millis(500));
    let threads = threads.max(1) as usize;
    let run = |thread: usize, budget: Duration| {
        let mut s = scratch();
        let mut i = (thread * n / threads) % n.max(1);
        let mut run = Run::default();
        let start = Instant::now();
        while start.elapsed() < budget {
            let batch_start = Instant::now();
            for _ in 0..BATCH {
                if decide(&mut s, i) == Some(Decision::Allowed) {
                    run.allowed += 1;
                }
                i += 1;
                if i == n {
                    i = 0;
                }
            }
            run.samples
                .push(batch_start.elapsed().as_nanos() as f64 / BATCH as f64);
            run.decisions += BATCH as u64;
        }
        run.elapsed = start.elapsed();
        run
    };
    let runs: Vec<Run> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                let run = &run;
                // Warm up (caches, branch predictors, allocator), then measure.
                scope.spawn(move || {
                    run(t, warm_up);
                    run(t, duration)
                })
            })
            .collect();
        handles.into_iter().filter_map(|h| h.join().ok()).collect()
    });
    let mut samples: Vec<f64> = runs
        .iter()
        .flat_map(|r| r.samples.iter().copied())
        .collect();
    samples.sort_by(f64::total_cmp);
    Phase {
        name,
        decisions: runs.iter().map(|r| r.decisions).sum(),
        elapsed: runs.iter().map(|r| r.elapsed).max().unwrap_or(duration),
        median_ns: percentile(&samples, 0.50),
        p99_ns: percentile(&samples, 0.99),
        allowed: runs.iter().map(|r| r.allowed).sum(),
    }
}

/// What one thread measured.
#[derive(Default)]
struct Run {
    samples: Vec<f64>,
    decisions: u64,
    allowed: u64,
    elapsed: Duration,
}

/// The `q` quantile of sorted `samples` (nearest rank), 0 when empty.
pub fn percentile(samples: &[f64], q: f64) -> f64 {
    if samples.is_empty() {
        return 0.0;
    }
    let rank = ((q * samples.len() as f64).ceil() as usize).clamp(1, samples.len());
    samples.get(rank - 1).copied().unwrap_or(0.0)
}

/// Request rows from a JSON Lines or CSV file, and how many could not be read.
fn read_rows(path: &Path) -> Result<(Vec<RequestRow>, usize), String> {
    let text = read_text(path, DEFAULT_MAX_FILE_BYTES).map_err(|e| e.to_string())?;
    let source = path.display().to_string();
    let is_csv = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("csv"));
    let results: Vec<_> = if is_csv {
        CsvRows::new(text.as_bytes(), &source)
            .map_err(|e| e.message)?
            .collect()
    } else {
        text.lines()
            .enumerate()
            .filter(|(_, line)| !line.trim().is_empty())
            .map(|(i, line)| {
                let line = if i == 0 {
                    line.trim_start_matches('\u{feff}')
                } else {
                    line
                };
                parse_jsonl_row(line, i as u32 + 1, &source)
            })
            .collect()
    };
    let total = results.len();
    let rows: Vec<RequestRow> = results
        .into_iter()
        .filter_map(|r| r.ok().map(|row| row.request))
        .collect();
    let bad = total - rows.len();
    Ok((rows, bad))
}

/// Peak resident set size of this process in bytes (`VmHWM` in `/proc/self/status`),
/// or `None` where the platform does not report it.
pub fn peak_rss() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: u64 = line
        .trim_start_matches("VmHWM:")
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()?;
    Some(kb * 1024)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_use_nearest_rank() {
        let samples: Vec<f64> = (1..=100).map(f64::from).collect();
        assert_eq!(percentile(&samples, 0.5), 50.0);
        assert_eq!(percentile(&samples, 0.99), 99.0);
        assert_eq!(percentile(&[7.0], 0.99), 7.0);
        assert_eq!(percentile(&[], 0.5), 0.0);
    }

    fn args(extra: &[&str]) -> BenchArgs {
        use clap::Parser;
        #[derive(Parser)]
        struct Cli {
            #[command(flatten)]
            bench: BenchArgs,
        }
        let mut argv = vec!["iamsim-bench", "--seconds", "0.05"];
        argv.extend_from_slice(extra);
        match Cli::try_parse_from(argv) {
            Ok(cli) => cli.bench,
            Err(e) => panic!("{e}"),
        }
    }

    fn fixture(path: &str) -> String {
        format!("{}/fixtures/{path}", env!("CARGO_MANIFEST_DIR"))
    }

    #[test]
    fn scenario_report_has_both_phases_and_valid_json() {
        let scenario = fixture("connect/scenario.json");
        let mut text = Vec::new();
        let outcome = run(&args(&["--scenario", &scenario]), &mut text);
        assert!(matches!(outcome, Ok(Outcome::Success)));
        let text = String::from_utf8_lossy(&text);
        assert!(text.contains("prepare+evaluate:"), "{text}");
        assert!(text.contains("evaluate:"), "{text}");
        assert!(text.contains("peak memory:"), "{text}");
        let mut json = Vec::new();
        let outcome = run(
            &args(&["--scenario", &scenario, "--count", "10", "--json"]),
            &mut json,
        );
        assert!(matches!(outcome, Ok(Outcome::Success)));
        let v: serde_json::Value = match serde_json::from_slice(&json) {
            Ok(v) => v,
            Err(e) => panic!("{e}"),
        };
        assert_eq!(v["requests"], 10);
        assert_eq!(v["phases"][0]["name"], "prepare+evaluate");
        assert!(v["phases"][1]["decisions"].as_u64().unwrap_or(0) > 0);
    }

    #[test]
    fn compile_report_names_every_file_and_refuses_bad_policies() {
        let admin = fixture("connect/instance-admin-policy.json");
        let lock = fixture("connect/recordings-bucket-lock.json");
        let mut out = Vec::new();
        let outcome = run(&args(&["--compile", &admin]), &mut out);
        assert!(matches!(outcome, Ok(Outcome::Success)));
        let text = String::from_utf8_lossy(&out).into_owned();
        assert!(text.contains("compile 1 identity policy"), "{text}");
        assert!(text.contains("instance-admin-policy.json"), "{text}");
        let mut out = Vec::new();
        let outcome = run(
            &args(&["--compile", &lock, "--kind", "resource", "--json"]),
            &mut out,
        );
        assert!(matches!(outcome, Ok(Outcome::Success)));
        let json: serde_json::Value = serde_json::from_slice(&out).expect("JSON");
        assert_eq!(json["files"][0]["bytes"].as_u64(), Some(669), "{json}");
        assert!(json["files"][0]["load_us"]["median"].as_f64() > Some(0.0));
        // A resource policy is not an identity policy: the located parse error.
        let outcome = run(&args(&["--compile", &lock]), &mut Vec::new());
        match outcome {
            Err(CliError::Invalid(message)) => {
                assert!(
                    message.contains("recordings-bucket-lock.json:"),
                    "{message}"
                )
            }
            _ => panic!("a resource policy compiled as identity"),
        }
    }

    #[test]
    fn case_file_report_and_bad_input() {
        let cases = fixture("conformance/cases.jsonl");
        let mut out = Vec::new();
        let outcome = run(&args(&["--cases", &cases]), &mut out);
        assert!(matches!(outcome, Ok(Outcome::Success)));
        assert!(String::from_utf8_lossy(&out).contains("339 cases"));
        let outcome = run(&args(&["--cases", "/nonexistent/cases.jsonl"]), &mut out);
        assert!(matches!(outcome, Err(CliError::Invalid(_))));
    }
}
