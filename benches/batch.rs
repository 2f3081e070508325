//! Batch throughput of the library-level loop that `iamsim batch` runs per row:
//! `Scenario::prepare` (principal lookup, derived context, policy-set choice) then
//! `CompiledPolicySet::evaluate`, over generated rows of the flagship Connect
//! scenario; single thread and rayon. No parsing or output: see `benches/batch.md`.
//!
//! ```text
//! cargo bench --bench batch
//! ```

use criterion::{black_box, criterion_group, criterion_main, Criterion, Throughput};
use iamsim::scenario::{RequestRow, Scenario};
use iamsim_engine::request::Request;
use iamsim_engine::Decision;
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
