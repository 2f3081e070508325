//! Properties of `iamsim diff` (the library, `iamsim_scenario::diff`), over random
//! single-statement mutations of the flagship scenario's policies (with and
//! without the recordings lock):
//!
//! * adding a Deny, or removing an Allow, never yields "newly allowed";
//! * every reported example is confirmed by evaluating both versions separately
//!   (nothing is left unconfirmed, and every group keeps an example);
//! * completeness, measured: random probe requests — drawn independently of the
//!   witnesses — evaluated in both versions; a probe whose decision changed for
//!   principal P in a way K the diff has no (K, P) group for is a miss. A mutated
//!   statement without conditions must have none.
//!
//! The default suite runs a few dozen mutations; `completeness_at_scale` (ignored)
//! runs `IAMSIM_MUTATIONS` (default 1,000) × `IAMSIM_PROBES` (default 1,000,000):
//! `cargo test --release --test integration diff_properties:: -- --ignored --nocapture`.

use crate::common;
use iamsim_catalog::Catalog;
use iamsim_scenario::diff::{diff, ChangeKind, DiffReport};
use iamsim_scenario::files::InputError;
use iamsim_scenario::generate::SplitMix64;
use iamsim_scenario::source::{normalize, DiskFiles, FileSource};
use iamsim_scenario::{Lane, RowContext, RowRef, Scenario};
use rayon::prelude::*;
use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The disk, with some files' text replaced in memory.
struct Overlay(BTreeMap<PathBuf, String>);

impl FileSource for Overlay {
    fn read_text(&self, path: &Path, max_bytes: u64) -> Result<String, InputError> {
        match self.0.get(&normalize(path)) {
            Some(text) => Ok(text.clone()),
            None => DiskFiles.read_text(path, max_bytes),
        }
    }

    fn glob(&self, pattern: &str) -> Result<Vec<PathBuf>, String> {
        DiskFiles.glob(pattern)
    }
}

const SCENARIOS: [&str; 2] = [
    "fixtures/connect/scenario.json",
    "fixtures/diff/lockout-before.json",
];

const POLICIES: [&str; 10] = [
    "fixtures/connect/instance-admin-policy.json",
    "fixtures/connect/recordings-bucket-lock.json",
    "fixtures/connect/policies/admin-full-access.json",
    "fixtures/connect/policies/connect-service-role.json",
    "fixtures/connect/policies/developer-s3-full.json",
    "fixtures/connect/policies/othercc-bucket-policy.json",
    "fixtures/connect/policies/partner-auditor.json",
    "fixtures/connect/policies/scp-protect-connect.json",
    "fixtures/connect/policies/supervisor-tokyo.json",
    "fixtures/connect/policies/team-lead-shibuya.json",
];

/// ARNs a mutation may add to a `Resource`.
const EXTRA_RESOURCES: [&str; 6] = [
    "arn:aws:s3:::connect-recordings-othercc/*",
    "arn:aws:s3:::connect-recordings-*",
    "arn:aws:s3:::some-other-bucket",
    "arn:aws:logs:ap-northeast-1:123456789012:log-group:/aws/connect/othercc:*",
    "arn:aws:connect:ap-northeast-1:123456789012:instance/99999999-8888-7777-6666-555555555555/*",
    "*",
];

/// What a mutation did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    WidenWildcard,
    AddAction,
    ChangeConditionValue,
    RemoveDeny,
    AddResource,
    AddDeny,
    RemoveAllow,
}

const KINDS: [Kind; 7] = [
    Kind::WidenWildcard,
    Kind::AddAction,
    Kind::ChangeConditionValue,
    Kind::RemoveDeny,
    Kind::AddResource,
    Kind::AddDeny,
    Kind::RemoveAllow,
];

struct Mutation {
    scenario: &'static str,
    file: &'static str,
    kind: Kind,
    /// The mutated (or removed / copied) statement has a `Condition`.
    conditioned: bool,
    text: String,
    what: String,
}

fn as_list(v: &mut Value) -> &mut Vec<Value> {
    if !v.is_array() {
        let one = v.take();
        *v = Value::Array(vec![one]);
    }
    match v {
        Value::Array(a) => a,
        _ => unreachable!("made an array"),
    }
}

fn pick<'a, T>(rng: &mut SplitMix64, items: &'a [T]) -> Option<&'a T> {
    (!items.is_empty()).then(|| &items[rng.below(items.len())])
}

/// One random single-statement mutation, or `None` when the drawn kind does not
/// apply to the drawn policy.
fn mutate(rng: &mut SplitMix64, catalog_actions: &[String]) -> Option<Mutation> {
    let scenario = SCENARIOS[rng.below(SCENARIOS.len())];
    let mut file = POLICIES[rng.below(POLICIES.len())];
    if scenario.contains("lockout-before") && file.ends_with("recordings-bucket-lock.json") {
        file = POLICIES[0];
    }
    let kind = KINDS[rng.below(KINDS.len())];
    let text = std::fs::read_to_string(common::repo_root().join(file)).ok()?;
    let mut doc: Value = serde_json::from_str(&text).ok()?;
    let statements = as_list(doc.get_mut("Statement")?);
    let i = rng.below(statements.len());
    let conditioned = statements[i].get("Condition").is_some();
    let what;
    match kind {
        Kind::WidenWildcard => {
            let s = &mut statements[i];
            let key = if s.get("Action").is_some() && rng.chance(50) {
                "Action"
            } else if s.get("Resource").is_some() {
                "Resource"
            } else {
                "Action"
            };
            let list = as_list(s.get_mut(key)?);
            let j = rng.below(list.len());
            let old = list[j].as_str()?.to_owned();
            if old == "*" {
                return None;
            }
            let cut = old.rfind([':', '/']).map_or(0, |c| c + 1);
            let keep = cut + rng.below(old.len() - cut + 1).min(3);
            let new = format!("{}*", &old[..keep.min(old.len())]);
            if new == old {
                return None;
            }
            what = format!("{key} `{old}` → `{new}`");
            list[j] = json!(new);
        }
        Kind::AddAction => {
            let list = as_list(statements[i].get_mut("Action")?);
            let a = pick(rng, catalog_actions)?.clone();
            what = format!("Action + `{a}`");
            list.push(json!(a));
        }
        Kind::ChangeConditionValue => {
            let cond = statements[i].get_mut("Condition")?.as_object_mut()?;
            let op = cond.keys().next()?.clone();
            let entry = cond.get_mut(&op)?.as_object_mut()?;
            let key = entry.keys().next()?.clone();
            let values = as_list(entry.get_mut(&key)?);
            let j = rng.below(values.len());
            let old = values[j].as_str()?.to_owned();
            let new = if rng.chance(50) {
                format!("{old}x")
            } else {
                old.replace('*', "")
            };
            if new == old {
                return None;
            }
            what = format!("{op} {key} `{old}` → `{new}`");
            values[j] = json!(new);
        }
        Kind::RemoveDeny | Kind::RemoveAllow => {
            let effect = if kind == Kind::RemoveDeny {
                "Deny"
            } else {
                "Allow"
            };
            if statements[i]["Effect"] != effect {
                return None;
            }
            what = format!("removed {effect} #{i}");
            let removed = statements.remove(i);
            if statements.is_empty() {
                // A policy needs a statement: one that matches nothing anybody asks.
                let mut noop = json!({"Effect": effect, "Action": "s3:GetObject",
                    "Resource": "arn:aws:s3:::nobody-uses-this-bucket/x"});
                if let Some(p) = removed.get("Principal") {
                    noop["Principal"] = p.clone();
                }
                if effect == "Deny" {
                    // A Deny that matches nothing keeps the removal a removal.
                    noop["Effect"] = json!("Allow");
                    noop["Action"] = json!("s3:GetObject");
                    noop["Resource"] = json!("arn:aws:s3:::nobody-uses-this-bucket/x");
                }
                statements.push(noop);
            }
        }
        Kind::AddResource => {
            let list = as_list(statements[i].get_mut("Resource")?);
            let r = EXTRA_RESOURCES[rng.below(EXTRA_RESOURCES.len())];
            what = format!("Resource + `{r}`");
            list.push(json!(r));
        }
        Kind::AddDeny => {
            let mut copy = statements[i].clone();
            copy["Effect"] = json!("Deny");
            if let Some(o) = copy.as_object_mut() {
                o.remove("Sid");
            }
            what = format!("Deny copy of #{i}");
            statements.push(copy);
        }
    }
    Some(Mutation {
        scenario,
        file,
        kind,
        conditioned,
        text: serde_json::to_string_pretty(&doc).ok()?,
        what: format!("{file}: {what}"),
    })
}

fn load(scenario: &str, overlay: BTreeMap<PathBuf, String>) -> Scenario {
    let path = common::repo_root().join(scenario);
    Scenario::load_from(&path, Catalog::builtin(), Arc::new(Overlay(overlay)))
        .unwrap_or_else(|e| panic!("{scenario} loads: {e}"))
}

/// A random request AWS could be asked: a scenario principal, an action of the
/// services the scenario uses, a resource near the scenario's (targets, other
/// keys, other names, `*`), sometimes a context key some policy tests.
fn probe(
    rng: &mut SplitMix64,
    principals: &[String],
    targets: &[String],
    actions: &[String],
    keys: &[(String, Vec<String>)],
) -> (String, String, String, Vec<(String, String)>) {
    let principal = pick(rng, principals).cloned().unwrap_or_default();
    let target = pick(rng, targets).cloned().unwrap_or_default();
    let resource = match rng.below(10) {
        0..=4 => target,
        5 | 6 => format!("{target}/k{}", rng.below(1000)),
        7 => format!(
            "{}{}",
            &target[..target.len().saturating_sub(1 + rng.below(3))],
            "z"
        ),
        8 => format!(
            "arn:aws:s3:::connect-recordings-{}",
            ["mycc", "othercc", "x", "mycc-replica"][rng.below(4)]
        ),
        _ => "*".to_owned(),
    };
    // An action of the resource's own service (any action on `*`): AWS never
    // evaluates an S3 action against a Connect ARN, and the diff's space does not
    // either.
    let service = resource.split(':').nth(2).unwrap_or("");
    let own: Vec<&String> = actions
        .iter()
        .filter(|a| resource == "*" || a.split(':').next() == Some(service))
        .collect();
    let action = pick(rng, &own).map(|a| (*a).clone()).unwrap_or_default();
    let mut context = Vec::new();
    if rng.chance(30) {
        if let Some((key, values)) = pick(rng, keys) {
            let v = match pick(rng, values) {
                Some(v) if rng.chance(70) => v.replace('*', ["", "a", "zz"][rng.below(3)]),
                _ => format!("v{}", rng.below(100)),
            };
            context.push((key.clone(), v));
        }
    }
    (principal, action, resource, context)
}

struct Outcome {
    probes_changed: u64,
    misses: Vec<String>,
}

/// Probes both versions; a change the diff has no (kind, principal) group for is
/// a miss. Probes that set a key the scenario derives for the request (which AWS
/// would supply itself) are not requests anyone can make and are left out.
fn probe_both(
    before: &Scenario,
    after: &Scenario,
    report: &DiffReport,
    count: usize,
    seed: u64,
) -> Outcome {
    let principals: Vec<String> = after.principals().iter().map(|p| p.name.clone()).collect();
    let mut targets: Vec<String> = after.matrix_targets().into_iter().map(|t| t.arn).collect();
    targets.extend([
        "arn:aws:s3:::connect-recordings-othercc".to_owned(),
        "arn:aws:s3:::some-other-bucket".to_owned(),
    ]);
    let catalog = Catalog::builtin();
    let mut actions: Vec<String> = Vec::new();
    for prefix in ["s3", "connect", "logs", "iam", "kms"] {
        if let Some(s) = catalog.service(prefix) {
            actions.extend(s.actions().iter().map(|a| format!("{prefix}:{}", a.name())));
        }
    }
    let mut keys: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for p in before.policies().iter().chain(after.policies()) {
        for s in &p.statements {
            for c in &s.conditions {
                let values = keys.entry(c.key.value.clone()).or_default();
                for v in &c.values {
                    if let iamsim_engine::model::ScalarValue::String(t) = &v.value {
                        values.push(t.clone());
                    }
                }
            }
        }
    }
    keys.entry("aws:SourceIp".into())
        .or_default()
        .push("203.0.113.7".into());
    let keys: Vec<(String, Vec<String>)> = keys.into_iter().collect();
    let found: BTreeSet<(ChangeKind, String)> = report
        .groups
        .iter()
        .map(|g| (g.kind, g.principal.clone()))
        .collect();
    let per = 4096;
    let parts: Vec<(u64, Vec<String>)> = (0..count.div_ceil(per))
        .into_par_iter()
        .map(|part| {
            let mut rng = SplitMix64::new(seed ^ (part as u64).wrapping_mul(0x9e37_79b9));
            let mut lb = Lane::new(before);
            let mut la = Lane::new(after);
            let mut changed = 0;
            let mut misses = Vec::new();
            for _ in 0..per.min(count - part * per) {
                let (p, a, r, ctx) = probe(&mut rng, &principals, &targets, &actions, &keys);
                let pairs: Vec<(&str, &str)> =
                    ctx.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
                let row = RowRef {
                    principal: &p,
                    action: &a,
                    resource: &r,
                    context: RowContext::Pairs(&pairs),
                };
                if !ctx.is_empty() {
                    let plain = RowRef {
                        context: RowContext::Pairs(&[]),
                        ..row
                    };
                    let derived = |lane: &mut Lane<'_>| {
                        lane.prepare(plain).is_ok_and(|(_, req)| {
                            ctx.iter().any(|(k, _)| req.context().contains(k))
                        })
                    };
                    if derived(&mut lb) || derived(&mut la) {
                        continue;
                    }
                }
                let Ok(b) = lb.evaluate(row).map(|e| e.response.decision) else {
                    continue;
                };
                let Ok(af) = la.evaluate(row).map(|e| e.response.decision) else {
                    continue;
                };
                if let Some(kind) = ChangeKind::of(b, af) {
                    changed += 1;
                    if !found.contains(&(kind, p.clone())) && misses.len() < 3 {
                        misses.push(format!(
                            "{} for {p}: {a} on {r} {ctx:?} ({b} → {af})",
                            kind.as_str()
                        ));
                    }
                }
            }
            (changed, misses)
        })
        .collect();
    Outcome {
        probes_changed: parts.iter().map(|(c, _)| c).sum(),
        misses: parts.into_iter().flat_map(|(_, m)| m).collect(),
    }
}

struct Tally {
    mutations: usize,
    with_changes: usize,
    conditioned: usize,
    missed: Vec<String>,
    missed_condition_free: usize,
}

fn run(mutations: usize, probes: usize, seed: u64) -> Tally {
    let catalog = Catalog::builtin();
    let mut catalog_actions: Vec<String> = Vec::new();
    for prefix in ["s3", "connect", "logs", "kms"] {
        if let Some(s) = catalog.service(prefix) {
            catalog_actions.extend(s.actions().iter().map(|a| format!("{prefix}:{}", a.name())));
        }
    }
    let bases: BTreeMap<&str, Scenario> = SCENARIOS
        .iter()
        .map(|s| (*s, load(s, BTreeMap::new())))
        .collect();
    let mut rng = SplitMix64::new(seed);
    let mut tally = Tally {
        mutations: 0,
        with_changes: 0,
        conditioned: 0,
        missed: Vec::new(),
        missed_condition_free: 0,
    };
    while tally.mutations < mutations {
        let Some(m) = mutate(&mut rng, &catalog_actions) else {
            continue;
        };
        tally.mutations += 1;
        let before = &bases[m.scenario];
        let mut overlay = BTreeMap::new();
        overlay.insert(normalize(&common::repo_root().join(m.file)), m.text.clone());
        let after = load(m.scenario, overlay);
        let started = std::time::Instant::now();
        let report = diff(before, &after);
        if std::env::var_os("IAMSIM_DIFF_TRACE").is_some() && tally.mutations <= 10 {
            eprintln!(
                "{:?} {} groups in {:?}: {}",
                m.kind,
                report.groups.len(),
                started.elapsed(),
                m.what
            );
        }
        // Every reported change is confirmed, and every group keeps an example.
        assert!(
            report.unconfirmed.is_empty(),
            "{}: unconfirmed {:?}",
            m.what,
            report.unconfirmed
        );
        for g in &report.groups {
            assert!(
                !g.examples.is_empty(),
                "{}: group without a confirmed example",
                m.what
            );
        }
        if matches!(m.kind, Kind::AddDeny | Kind::RemoveAllow) {
            let allowed = report
                .groups
                .iter()
                .find(|g| g.kind == ChangeKind::NewlyAllowed);
            assert!(
                allowed.is_none(),
                "{}: {:?} yields newly allowed: {allowed:?}",
                m.what,
                m.kind
            );
        }
        if !report.is_empty() {
            tally.with_changes += 1;
        }
        if m.conditioned {
            tally.conditioned += 1;
        }
        let outcome = probe_both(
            before,
            &after,
            &report,
            probes,
            seed ^ tally.mutations as u64,
        );
        if tally.mutations.is_multiple_of(100) && std::env::var_os("IAMSIM_DIFF_TRACE").is_some() {
            eprintln!(
                "progress: {} mutations, {} with changes, {} missed so far ({} condition-free)",
                tally.mutations,
                tally.with_changes,
                tally.missed.len() + usize::from(!outcome.misses.is_empty()),
                tally.missed_condition_free
            );
        }
        if !outcome.misses.is_empty() {
            if !m.conditioned {
                tally.missed_condition_free += 1;
            }
            tally.missed.push(format!(
                "{} [{}] ({} changed probes): {}",
                m.what,
                if m.conditioned {
                    "with conditions"
                } else {
                    "condition-free"
                },
                outcome.probes_changed,
                outcome.misses.join("; ")
            ));
        }
    }
    tally
}

fn report_tally(t: &Tally) {
    eprintln!(
        "diff completeness: {} mutations ({} with conditions), {} with changes; {} missed a change some probe found ({} condition-free)",
        t.mutations,
        t.conditioned,
        t.with_changes,
        t.missed.len(),
        t.missed_condition_free
    );
    for m in &t.missed {
        eprintln!("  miss: {m}");
    }
}

#[test]
fn mutations_never_broaden_wrongly_and_probes_find_nothing_the_diff_missed() {
    let t = run(50, 10_000, 0x5eed_d1ff);
    report_tally(&t);
    assert!(
        t.with_changes >= 10,
        "the mutations change something: {}",
        t.with_changes
    );
    assert_eq!(t.missed_condition_free, 0, "{:#?}", t.missed);
}

#[test]
#[ignore = "on demand: about ten minutes in release on two cores"]
fn completeness_at_scale() {
    let n = |var: &str, default: usize| {
        std::env::var(var)
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(default)
    };
    let t = run(
        n("IAMSIM_MUTATIONS", 1000),
        n("IAMSIM_PROBES", 1_000_000),
        0xc0ff_ee00,
    );
    report_tally(&t);
    assert_eq!(t.missed_condition_free, 0, "{:#?}", t.missed);
}

/// Requests examined per second on the flagship lockout diff (both worlds per
/// request, loading excluded): `cargo test --release --test integration
/// diff_properties::speed -- --ignored --nocapture`.
#[test]
#[ignore = "a measurement, not a check"]
fn speed() {
    let before = load(SCENARIOS[1], BTreeMap::new());
    let after = load(SCENARIOS[0], BTreeMap::new());
    let runs = 20;
    let start = std::time::Instant::now();
    let mut requests = 0;
    for _ in 0..runs {
        requests += diff(&before, &after).space.requests;
    }
    let secs = start.elapsed().as_secs_f64();
    eprintln!(
        "flagship lockout diff: {requests} requests in {secs:.2} s over {runs} runs = {:.0} requests/s ({:.1} ms per diff)",
        requests as f64 / secs,
        secs * 1000.0 / runs as f64
    );
}
