//! Batch throughput of the library-level loop that `iamsim batch` runs per row:
//! `Scenario::prepare` (principal lookup, derived context, policy-set choice) then
//! `CompiledPolicySet::evaluate`, over generated rows of the flagship Connect
//! scenario; single thread and rayon. Then what `iamsim batch` does for a JSON Lines
//! row: the plain-row scanner and `Scenario::prepare_plain` (prepared-request cache)
//! before `evaluate`. No file I/O or output: see `benches/batch.md`.
//!
//! ```text
//! cargo bench --bench batch
//! ```

use criterion::{black_box, criterion_group, criterion_main, Criterion, Throughput};
use iamsim::input::rows::scan_plain_row;
use iamsim_engine::request::Request;
use iamsim_engine::Decision;
use iamsim_scenario::{PreparedRequests, RequestRow, Scenario};
use rayon::prelude::*;
use std::time::Duration;

const SCENARIO: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/fixtures/connect/scenario.json"
);

/// Rows per measured batch.
const ROWS: usize = 10_000;

/// Every principal × every matrix target × each of its actions, cycled to `ROWS`
/// rows: the same deterministic request set `iamsim bench --scenario` generates.
fn rows(scenario: &Scenario) -> Vec<RequestRow> {
    let mut base = Vec::new();
    let targets = scenario.matrix_targets();
    for principal in scenario.principals() {
        for target in &targets {
            for action in &target.actions {
                base.push(RequestRow {
                    principal: principal.name.clone(),
                    action: action.clone(),
                    resource: target.arn.clone(),
                    ..RequestRow::default()
                });
            }
        }
    }
    assert!(!base.is_empty(), "the scenario generates no requests");
    base.iter().cycle().take(ROWS).cloned().collect()
}

/// Allowed decisions in `rows`, evaluated on this thread with one reused request.
fn single_thread(scenario: &Scenario, rows: &[RequestRow]) -> usize {
    let mut request = Request::new("", "", "");
    let mut allowed = 0;
    for row in rows {
        let Ok(set) = scenario.prepare(row, &mut request) else {
            continue;
        };
        if set.evaluate(&request).decision == Decision::Allowed {
            allowed += 1;
        }
    }
    allowed
}

/// The same on the rayon pool, one reused request per worker (`map_init`).
fn parallel(scenario: &Scenario, rows: &[RequestRow]) -> usize {
    rows.par_iter()
        .map_init(
            || Request::new("", "", ""),
            |request, row| match scenario.prepare(row, request) {
                Ok(set) => usize::from(set.evaluate(request).decision == Decision::Allowed),
                Err(_) => 0,
            },
        )
        .sum()
}

/// The rows as JSON Lines text, every third with a context as `iamsim gen` writes.
fn json_lines(rows: &[RequestRow]) -> Vec<String> {
    rows.iter()
        .enumerate()
        .map(|(i, row)| {
            let mut v = serde_json::json!({
                "principal": row.principal,
                "action": row.action,
                "resource": row.resource,
            });
            if i % 3 == 0 {
                v["context"] = serde_json::json!({
                    "aws:SourceIp": format!("203.0.113.{}", i % 250),
                    "aws:SecureTransport": i % 2 == 0,
                });
            }
            v.to_string()
        })
        .collect()
}

/// Allowed decisions in `lines`, read and prepared as `iamsim batch` does.
fn scanned(scenario: &Scenario, cache: &mut PreparedRequests, lines: &[String]) -> usize {
    let mut allowed = 0;
    for line in lines {
        let Some(row) = scan_plain_row(line) else {
            continue;
        };
        let Ok((set, request)) = scenario.prepare_plain(
            cache,
            row.principal,
            row.action,
            row.resource,
            row.context_members(),
        ) else {
            continue;
        };
        if set.evaluate(request).decision == Decision::Allowed {
            allowed += 1;
        }
    }
    allowed
}

fn batch(c: &mut Criterion) {
    let scenario = Scenario::load(std::path::Path::new(SCENARIO)).unwrap_or_else(|e| panic!("{e}"));
    let rows = rows(&scenario);
    let allowed = single_thread(&scenario, &rows);
    assert_eq!(parallel(&scenario, &rows), allowed);
    let mut group = c.benchmark_group("flagship-scenario");
    group.throughput(Throughput::Elements(rows.len() as u64));
    group.bench_function("prepare+evaluate/single-thread", |b| {
        b.iter(|| single_thread(black_box(&scenario), black_box(&rows)))
    });
    group.bench_function(
        format!(
            "prepare+evaluate/rayon-{}-threads",
            rayon::current_num_threads()
        ),
        |b| b.iter(|| parallel(black_box(&scenario), black_box(&rows))),
    );
    let lines = json_lines(&rows);
    let mut cache = PreparedRequests::default();
    assert!(lines.iter().all(|l| scan_plain_row(l).is_some()));
    assert!(scanned(&scenario, &mut cache, &lines) > 0);
    group.bench_function("scan+prepare_plain+evaluate/single-thread", |b| {
        b.iter(|| scanned(black_box(&scenario), &mut cache, black_box(&lines)))
    });
    // The evaluation alone, on requests prepared beforehand, to show what `prepare`
    // costs.
    let prepared: Vec<_> = rows
        .iter()
        .filter_map(|row| {
            let mut request = Request::new("", "", "");
            let set = scenario.prepare(row, &mut request).ok()?;
            Some((set, request))
        })
        .collect();
    group.throughput(Throughput::Elements(prepared.len() as u64));
    group.bench_function("evaluate-only/single-thread", |b| {
        b.iter(|| {
            prepared
                .iter()
                .filter(|(set, request)| set.evaluate(request).decision == Decision::Allowed)
                .count()
        })
    });
    group.finish();
}

fn config() -> Criterion {
    Criterion::default()
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(3))
        .sample_size(20)
}

criterion_group! {
    name = benches;
    config = config();
    targets = batch
}
criterion_main!(benches);
