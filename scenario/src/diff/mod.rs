//! Diff: which requests change decision between two versions of a world.
//!
//! ```text
//! before, after ──RequestSpace::build──▶ space (principals × resources × actions
//!                                         + witnesses) ──chunks, both worlds per
//!                                         request, in parallel──▶ changes, grouped
//!                                         ──re-evaluated from scratch──▶ DiffReport
//! ```
//!
//! [`diff`] walks the [`RequestSpace`] in chunks (flat memory), evaluates every
//! request in both worlds through a pair of batch [`Lane`]s, and keeps only the
//! requests whose decision changed: counted per group — (kind of change, principal,
//! the statement whose change caused it) — with a few example requests each. Every
//! example is then evaluated again in each world separately, from a freshly built
//! request, and kept only if both decisions are confirmed (an unconfirmed one is
//! reported, never dropped silently).
//!
//! No printing: the CLI writes the report in its formats.

pub mod space;
pub mod witness;

pub use space::{ContextVariant, Probe, RequestSpace, ResourceOrigin, SpaceCounts, SpaceResource};

use crate::batch::{Lane, RowContext, RowRef};
use crate::world::{PrincipalKind, RequestRow, Scenario};
use iamsim_engine::request::{Context, Request};
use iamsim_engine::{CompiledPolicySet, Decision, Response, ResponseJson};
use rayon::prelude::*;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Mutex;

/// Examples kept per group.
pub const EXAMPLES_PER_GROUP: usize = 3;
/// Requests evaluated per chunk.
const CHUNK: usize = 1 << 15;

/// How a request's decision changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ChangeKind {
    /// Denied before, allowed after: a broadening (a security risk).
    NewlyAllowed,
    /// Allowed before, denied after: a narrowing (a breakage risk).
    NewlyDenied,
    /// Denied both times, but implicitly once and explicitly the other time.
    DenyKindChanged,
}

impl ChangeKind {
    /// The kind of change from `before` to `after`; `None` when it did not change.
    pub fn of(before: Decision, after: Decision) -> Option<ChangeKind> {
        match (before, after) {
            (b, a) if b == a => None,
            (_, Decision::Allowed) => Some(ChangeKind::NewlyAllowed),
            (Decision::Allowed, _) => Some(ChangeKind::NewlyDenied),
            _ => Some(ChangeKind::DenyKindChanged),
        }
    }

    /// `newly allowed`, `newly denied`, `deny kind changed`.
    pub fn as_str(self) -> &'static str {
        match self {
            ChangeKind::NewlyAllowed => "newly allowed",
            ChangeKind::NewlyDenied => "newly denied",
            ChangeKind::DenyKindChanged => "deny kind changed",
        }
    }
}

/// One side of a change: what one version decided, and why.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Side {
    /// The engine's JSON form of the response (decision, reason, deciding statements
    /// as `Sid (file:line:col)`, blocking layer, missing keys).
    #[serde(flatten)]
    pub response: ResponseJson,
    /// The deciding statements with their effect, layer and location.
    pub statements: Vec<StatementLabel>,
}

/// A statement as reports show it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
pub struct StatementLabel {
    /// `Allow` or `Deny`.
    pub effect: String,
    /// `Sid` or `#index`.
    pub name: String,
    /// The layer (`identity`, `resource`, `scp[0]`, …).
    pub layer: String,
    /// The policy file (or source name).
    pub source: String,
    /// 1-based line.
    pub line: u32,
    /// 1-based column.
    pub column: u32,
    /// JSON Pointer of the statement in its source.
    pub pointer: String,
}

impl std::fmt::Display for StatementLabel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} {} ({}:{}:{}) [{}]",
            self.effect, self.name, self.source, self.line, self.column, self.layer
        )
    }
}

/// One request whose decision changed, with both sides.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Change {
    /// Principal name.
    pub principal: String,
    /// Action.
    pub action: String,
    /// Resource ARN or `*`.
    pub resource: String,
    /// The explicit context (a witness), or empty.
    pub context: Context,
    /// Before.
    pub before: Side,
    /// After.
    pub after: Side,
}

/// What a group's changes are attributed to.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Cause {
    /// A statement of the after version that now decides (an Allow that grants, a
    /// Deny that now applies).
    Now(StatementLabel),
    /// A statement of the before version that no longer decides (an Allow that no
    /// longer grants, a Deny that no longer applies).
    NoLonger(StatementLabel),
    /// No statement: the rule that decided (e.g. the account root user).
    Rule(String),
}

impl std::fmt::Display for Cause {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Cause::Now(s) => write!(f, "now: {s}"),
            Cause::NoLonger(s) => write!(f, "no longer: {s}"),
            Cause::Rule(r) => write!(f, "rule: {r}"),
        }
    }
}

impl Cause {
    /// The statement, if the cause is one.
    pub fn statement(&self) -> Option<&StatementLabel> {
        match self {
            Cause::Now(s) | Cause::NoLonger(s) => Some(s),
            Cause::Rule(_) => None,
        }
    }
}

/// Changes of one kind, for one principal, with one cause.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Group {
    /// The kind of change.
    pub kind: ChangeKind,
    /// The principal.
    pub principal: String,
    /// What the change is attributed to.
    pub cause: Cause,
    /// Requests in the group.
    pub count: u64,
    /// Distinct actions in the group, sorted.
    pub actions: Vec<String>,
    /// Distinct resources in the group, sorted.
    pub resources: Vec<String>,
    /// Confirmed example requests (at most [`EXAMPLES_PER_GROUP`]).
    pub examples: Vec<Change>,
}

/// Who may change or delete a bucket's policy, before and after.
#[derive(Debug, Clone, serde::Serialize)]
pub struct BucketPolicyControl {
    /// The bucket ARN.
    pub bucket: String,
    /// Principals allowed `s3:PutBucketPolicy` or `s3:DeleteBucketPolicy` before.
    pub before: Vec<String>,
    /// … after.
    pub after: Vec<String>,
    /// After the change no principal but the account root user may change or delete
    /// the bucket policy (and some other principal could before): the lockout the
    /// AWS blog warns of — only the root user can then repair it.
    pub only_root_after: bool,
}

/// The answer of [`diff`].
#[derive(Debug, Clone, serde::Serialize)]
pub struct DiffReport {
    /// The size of the space examined.
    pub space: SpaceCounts,
    /// Services expanded through the catalog.
    pub services: Vec<String>,
    /// The principals compared (both versions have them), in scenario order.
    pub principals: Vec<String>,
    /// Principals only one version has (not compared).
    pub only_before: Vec<String>,
    /// Principals only the after version has.
    pub only_after: Vec<String>,
    /// Groups, ordered by kind, principal (scenario order) and cause.
    pub groups: Vec<Group>,
    /// Examples whose re-evaluation disagreed with the batch path: an engine bug,
    /// reported rather than hidden.
    pub unconfirmed: Vec<Change>,
    /// Bucket-policy control of buckets whose access changed.
    pub bucket_policy_control: Vec<BucketPolicyControl>,
    /// What the request space does not cover.
    pub notes: Vec<String>,
}

impl DiffReport {
    /// Requests changed per kind: `[newly allowed, newly denied, deny kind changed]`.
    pub fn totals(&self) -> [u64; 3] {
        let mut t = [0; 3];
        for g in &self.groups {
            t[g.kind as usize] += g.count;
        }
        t
    }

    /// True when nothing changed.
    pub fn is_empty(&self) -> bool {
        self.groups.is_empty()
    }
}

/// The lanes of one worker: one per version.
struct LanePair<'s> {
    before: Lane<'s>,
    after: Lane<'s>,
}

/// Lane pairs not in use: as many exist as workers ever ran at once.
struct Pool<'s> {
    before: &'s Scenario,
    after: &'s Scenario,
    lanes: Mutex<Vec<LanePair<'s>>>,
}

impl<'s> Pool<'s> {
    fn take(&self) -> LanePair<'s> {
        let reused = self.lanes.lock().ok().and_then(|mut p| p.pop());
        reused.unwrap_or_else(|| LanePair {
            before: Lane::new(self.before),
            after: Lane::new(self.after),
        })
    }

    fn give(&self, lanes: LanePair<'s>) {
        if let Ok(mut p) = self.lanes.lock() {
            p.push(lanes);
        }
    }
}

/// A changed request found on the fast path.
struct Hit {
    probe: Probe,
    cause: Cause,
    before: Side,
    after: Side,
}

fn side(set: &CompiledPolicySet, response: &Response<'_>) -> Side {
    let statements = response
        .deciding
        .iter()
        .filter_map(|r| {
            let info = set.statement_info(r)?;
            let policy = set.policy_info(r)?;
            Some(StatementLabel {
                effect: info.effect.to_string(),
                name: info.label(),
                layer: policy.layer.to_string(),
                source: info.location.source.to_string(),
                line: info.location.position.line,
                column: info.location.position.column,
                pointer: info.location.pointer.clone(),
            })
        })
        .collect();
    Side {
        response: response.to_json_form(set),
        statements,
    }
}

/// The statement a change is attributed to: a Deny on either side when one
/// decided (it now applies, or no longer does); otherwise the Allow that now
/// grants, or that no longer does.
fn cause_of(kind: ChangeKind, before: &Side, after: &Side) -> Cause {
    let first = |s: &Side| s.statements.first().cloned();
    let picked = if after.response.decision == Decision::ExplicitDeny {
        first(after).map(Cause::Now)
    } else if before.response.decision == Decision::ExplicitDeny {
        first(before).map(Cause::NoLonger)
    } else if kind == ChangeKind::NewlyAllowed {
        first(after).map(Cause::Now)
    } else {
        first(before).map(Cause::NoLonger)
    };
    picked.unwrap_or_else(|| {
        // No statement decided that side (e.g. the root user's own-account rule).
        let side = if after.response.decision == Decision::Allowed {
            after
        } else {
            before
        };
        Cause::Rule(side.response.reason.clone())
    })
}

fn row_of<'a>(space: &'a RequestSpace, probe: Probe) -> RowRef<'a> {
    let context = &space.contexts[probe.context as usize].context;
    RowRef {
        principal: &space.principals[probe.principal as usize],
        action: &space.actions[probe.action as usize],
        resource: &space.resources[probe.resource as usize].arn,
        context: if context.is_empty() {
            RowContext::Pairs(&[])
        } else {
            RowContext::Full(context)
        },
    }
}

/// True when a witness context sets a key the scenario derives for this request
/// (the caller's `aws:userid`, a resource's tags, a Connect user's hierarchy): AWS
/// supplies those keys itself, so a request carrying another value for them is not
/// one anybody can make, and is left out.
fn overrides_derived(lane: &mut Lane<'_>, row: RowRef<'_>, witness: &Context) -> bool {
    let plain = RowRef {
        context: RowContext::Pairs(&[]),
        ..row
    };
    match lane.prepare(plain) {
        Ok((_, request)) => witness.iter().any(|(k, _)| request.context().contains(k)),
        Err(_) => false,
    }
}

/// What happened to one request of the space.
enum Outcome {
    Same,
    Skipped,
    Changed(Box<Hit>),
}

/// Evaluates one request in both versions.
fn compare(lanes: &mut LanePair<'_>, space: &RequestSpace, probe: Probe) -> Outcome {
    let row = row_of(space, probe);
    let witness = &space.contexts[probe.context as usize].context;
    if !witness.is_empty()
        && (overrides_derived(&mut lanes.before, row, witness)
            || overrides_derived(&mut lanes.after, row, witness))
    {
        return Outcome::Skipped;
    }
    match changed(lanes, row, probe) {
        Some(hit) => Outcome::Changed(Box::new(hit)),
        None => Outcome::Same,
    }
}

/// Evaluates one request in both versions; `Some` when the decision changed.
fn changed(lanes: &mut LanePair<'_>, row: RowRef<'_>, probe: Probe) -> Option<Hit> {
    let b = lanes.before.evaluate(row).ok()?;
    let (b_decision, b_set) = (b.response.decision, b.set);
    let b_side_response = b.response;
    let a = lanes.after.evaluate(row).ok()?;
    let kind = ChangeKind::of(b_decision, a.response.decision)?;
    let before = side(b_set, &b_side_response);
    let after = side(a.set, &a.response);
    Some(Hit {
        probe,
        cause: cause_of(kind, &before, &after),
        before,
        after,
    })
}

/// Evaluates `row` from scratch in `scenario` (no lane, no cache).
fn decide_fresh(scenario: &Scenario, row: &RequestRow) -> Option<Decision> {
    let mut request = Request::new("", "", "");
    let set = scenario.prepare(row, &mut request).ok()?;
    Some(set.evaluate(&request).decision)
}

#[derive(Default)]
struct Accumulator {
    count: u64,
    actions: BTreeSet<u32>,
    resources: BTreeSet<u32>,
    examples: Vec<Hit>,
}

/// Compares `before` with `after` over their [`RequestSpace`]; see the
/// [module docs](self).
pub fn diff(before: &Scenario, after: &Scenario) -> DiffReport {
    let space = RequestSpace::build(before, after);
    diff_over(before, after, &space)
}

/// [`diff`] over a space built beforehand.
pub fn diff_over(before: &Scenario, after: &Scenario, space: &RequestSpace) -> DiffReport {
    let pool = Pool {
        before,
        after,
        lanes: Mutex::new(Vec::new()),
    };
    let principal_order: BTreeMap<&str, usize> = after
        .principals()
        .iter()
        .enumerate()
        .map(|(i, p)| (p.name.as_str(), i))
        .collect();
    let mut groups: BTreeMap<(ChangeKind, usize, u32, Cause), Accumulator> = BTreeMap::new();
    let mut skipped: u64 = 0;
    let mut record = |hit: Hit| {
        let kind = match ChangeKind::of(hit.before.response.decision, hit.after.response.decision) {
            Some(k) => k,
            None => return,
        };
        let principal = &space.principals[hit.probe.principal as usize];
        let order = principal_order
            .get(principal.as_str())
            .copied()
            .unwrap_or(usize::MAX);
        let acc = groups
            .entry((kind, order, hit.probe.principal, hit.cause.clone()))
            .or_default();
        acc.count += 1;
        acc.actions.insert(hit.probe.action);
        acc.resources.insert(hit.probe.resource);
        if acc.examples.len() < EXAMPLES_PER_GROUP {
            acc.examples.push(hit);
        }
    };
    space.for_each_chunk(CHUNK, |chunk| {
        let hits: Vec<(u64, Vec<Hit>)> = chunk
            .par_chunks(1024)
            .map(|part| {
                let mut lanes = pool.take();
                let mut skipped = 0;
                let mut found: Vec<Hit> = Vec::new();
                for &p in part {
                    match compare(&mut lanes, space, p) {
                        Outcome::Same => {}
                        Outcome::Skipped => skipped += 1,
                        Outcome::Changed(hit) => found.push(*hit),
                    }
                }
                pool.give(lanes);
                (skipped, found)
            })
            .collect();
        for (n, found) in hits {
            skipped += n;
            for hit in found {
                record(hit);
            }
        }
    });

    let mut unconfirmed = Vec::new();
    let mut out_groups = Vec::new();
    for ((kind, _, principal_index, cause), acc) in groups {
        let mut examples = Vec::new();
        let principal = space.principals[principal_index as usize].clone();
        for hit in acc.examples {
            let row = row_of(space, hit.probe);
            let request_row = RequestRow {
                principal: row.principal.to_owned(),
                action: row.action.to_owned(),
                resource: row.resource.to_owned(),
                context: space.contexts[hit.probe.context as usize].context.clone(),
            };
            let change = Change {
                principal: request_row.principal.clone(),
                action: request_row.action.clone(),
                resource: request_row.resource.clone(),
                context: request_row.context.clone(),
                before: hit.before,
                after: hit.after,
            };
            let confirmed = decide_fresh(before, &request_row)
                == Some(change.before.response.decision)
                && decide_fresh(after, &request_row) == Some(change.after.response.decision);
            if confirmed {
                examples.push(change);
            } else {
                unconfirmed.push(change);
            }
        }
        let mut actions: Vec<String> = acc
            .actions
            .iter()
            .map(|&a| space.actions[a as usize].clone())
            .collect();
        actions.sort();
        let mut resources: Vec<String> = acc
            .resources
            .iter()
            .map(|&r| space.resources[r as usize].arn.clone())
            .collect();
        resources.sort();
        out_groups.push(Group {
            kind,
            principal,
            cause,
            count: acc.count,
            actions,
            resources,
            examples,
        });
    }
    let bucket_policy_control = bucket_control(before, after, space, &out_groups);
    let mut counts = space.counts();
    counts.skipped = skipped;
    counts.requests -= skipped;
    DiffReport {
        space: counts,
        services: space.services.clone(),
        principals: space.principals.clone(),
        only_before: space.only_before.clone(),
        only_after: space.only_after.clone(),
        groups: out_groups,
        unconfirmed,
        bucket_policy_control,
        notes: space.notes.clone(),
    }
}

/// The bucket an S3 ARN names (`arn:aws:s3:::b/key` → `arn:aws:s3:::b`).
fn bucket_of(arn: &str) -> Option<&str> {
    let rest = arn.strip_prefix("arn:aws:s3:::")?;
    let name_len = rest.find('/').unwrap_or(rest.len());
    (name_len > 0).then(|| &arn[.."arn:aws:s3:::".len() + name_len])
}

/// For every bucket whose access changed: who may change or delete its policy in
/// each version.
fn bucket_control(
    before: &Scenario,
    after: &Scenario,
    space: &RequestSpace,
    groups: &[Group],
) -> Vec<BucketPolicyControl> {
    let buckets: BTreeSet<&str> = groups
        .iter()
        .flat_map(|g| g.resources.iter())
        .filter_map(|r| bucket_of(r))
        .collect();
    let who = |scenario: &Scenario, bucket: &str| -> Vec<String> {
        space
            .principals
            .iter()
            .filter(|p| {
                ["s3:PutBucketPolicy", "s3:DeleteBucketPolicy"]
                    .iter()
                    .any(|action| {
                        let row = RequestRow {
                            principal: (*p).clone(),
                            action: (*action).to_owned(),
                            resource: bucket.to_owned(),
                            ..RequestRow::default()
                        };
                        decide_fresh(scenario, &row) == Some(Decision::Allowed)
                    })
            })
            .cloned()
            .collect()
    };
    let is_root = |name: &str| {
        after
            .principal(name)
            .is_some_and(|p| p.kind == PrincipalKind::Root)
    };
    buckets
        .into_iter()
        .map(|bucket| {
            let b = who(before, bucket);
            let a = who(after, bucket);
            let only_root_after = a.iter().all(|p| is_root(p)) && b.iter().any(|p| !is_root(p));
            BucketPolicyControl {
                bucket: bucket.to_owned(),
                before: b,
                after: a,
                only_root_after,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn flagship() -> Scenario {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../fixtures/connect/scenario.json");
        Scenario::load(&path).expect("flagship scenario loads")
    }

    #[test]
    fn change_kinds() {
        use Decision::*;
        assert_eq!(ChangeKind::of(Allowed, Allowed), None);
        assert_eq!(
            ChangeKind::of(ImplicitDeny, Allowed),
            Some(ChangeKind::NewlyAllowed)
        );
        assert_eq!(
            ChangeKind::of(ExplicitDeny, Allowed),
            Some(ChangeKind::NewlyAllowed)
        );
        assert_eq!(
            ChangeKind::of(Allowed, ExplicitDeny),
            Some(ChangeKind::NewlyDenied)
        );
        assert_eq!(
            ChangeKind::of(Allowed, ImplicitDeny),
            Some(ChangeKind::NewlyDenied)
        );
        assert_eq!(
            ChangeKind::of(ImplicitDeny, ExplicitDeny),
            Some(ChangeKind::DenyKindChanged)
        );
    }

    /// The same world twice: nothing changes, and the space is what it says.
    #[test]
    fn a_world_diffed_with_itself_reports_nothing() {
        let s = flagship();
        let report = diff(&s, &s);
        assert!(report.is_empty() && report.unconfirmed.is_empty());
        let space = RequestSpace::build(&s, &s);
        let mut walked = 0u64;
        space.for_each_chunk(1000, |chunk| {
            assert!(chunk.len() <= 1000);
            walked += chunk.len() as u64;
        });
        let counts = space.counts();
        assert_eq!(walked, counts.base_requests + counts.context_requests);
        assert_eq!(report.space.requests, walked - report.space.skipped);
        assert!(counts.resource_witnesses > 0 && counts.context_witnesses > 0);
    }
}
