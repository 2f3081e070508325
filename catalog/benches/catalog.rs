//! Criterion figures for the catalog: the first-use parse of the embedded data and
//! overlay (`from_static_parts`: what `builtin()` does once, plus the resource-type
//! check it leaves to the tests; `from_parts`: the same with every name copied),
//! `action()` lookups, `expand()` and `suggest()`. See `catalog/README.md` for the
//! recorded numbers.

use criterion::{black_box, criterion_group, criterion_main, Criterion};
use iamsim_catalog::Catalog;

const DATA: &str = include_str!("../data/catalog.json");
const OVERLAY: &str = include_str!("../data/overlay.json");

fn parse(c: &mut Criterion) {
    let mut group = c.benchmark_group("catalog");
    group.sample_size(20);
    group.bench_function("parse_static_checked", |b| {
        b.iter(|| Catalog::from_static_parts(black_box(DATA), &[("overlay.json", OVERLAY)]))
    });
    group.bench_function("parse_owned_checked", |b| {
        b.iter(|| Catalog::from_parts(black_box(DATA), &[("overlay.json", OVERLAY)]))
    });
    group.finish();
}

fn lookup(c: &mut Criterion) {
    let catalog = Catalog::builtin();
    let names = [
        "s3:GetObject",
        "EC2:describeinstances",
        "connect:UpdateUserRoutingProfile",
        "iam:PutRolePolicy",
        "s3:GetObjects",
    ];
    c.bench_function("action_lookup_5", |b| {
        b.iter(|| {
            for n in names {
                black_box(catalog.action(black_box(n)));
            }
        })
    });
    c.bench_function("expand_connect_describe", |b| {
        b.iter(|| catalog.expand(black_box("connect:Describe*")))
    });
    c.bench_function("expand_s3_get", |b| {
        b.iter(|| catalog.expand(black_box("s3:Get*")))
    });
    c.bench_function("expand_any_service_describe", |b| {
        b.iter(|| catalog.expand(black_box("*:Describe*")))
    });
    c.bench_function("suggest_typo", |b| {
        b.iter(|| catalog.suggest(black_box("s3:GetObjects")))
    });
}

criterion_group!(benches, parse, lookup);
criterion_main!(benches);
