//! The request space of a diff: which requests are examined, built from both
//! versions of the world, and walked in chunks so that it never sits in memory.
//!
//! * every principal both versions have (by name) ×
//! * every resource: the scenarios' matrix targets, the resource witnesses of every
//!   `Resource` pattern of either version, and `*` ×
//! * the actions of the resource's service in the action universe: the scenarios'
//!   own actions plus every catalog action of every service either version's
//!   policies name (`*` is paired with the whole universe; a target also keeps the
//!   actions its scenario lists for it) — AWS never evaluates an S3 action against a
//!   Connect ARN, so those pairs are not requests anyone can make;
//! * plus, for every statement with conditions, its context witnesses (boundary
//!   values of each entry, all entries satisfied at once) on the resources and
//!   actions that statement covers.

use super::witness::{boundary_values, fill, glob, has_variable, near_misses, scalar_text, Family};
use crate::world::Scenario;
use iamsim_engine::model::{Policy, Statement};
use iamsim_engine::request::{Context, ContextValue};
use std::collections::{BTreeMap, BTreeSet};

/// Where a resource of the space comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ResourceOrigin {
    /// A matrix target of a scenario, by its name.
    Target(String),
    /// Synthesized from a `Resource` pattern: a match, or a near miss.
    Witness {
        /// The pattern.
        pattern: String,
        /// True for an ARN the pattern does not match.
        near_miss: bool,
    },
    /// `*`, for actions that take no resource.
    Any,
}

/// One resource of the space.
#[derive(Debug, Clone)]
pub struct SpaceResource {
    /// The ARN (or `*`).
    pub arn: String,
    /// Where it comes from.
    pub origin: ResourceOrigin,
}

/// One explicit context of the space (index 0: none).
#[derive(Debug, Clone)]
pub struct ContextVariant {
    /// `key=value` pairs, for reports.
    pub label: String,
    /// The context, winning over derived keys.
    pub context: Context,
}

/// One request of the space, as indexes into its tables.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Probe {
    /// Into [`RequestSpace::principals`].
    pub principal: u32,
    /// Into [`RequestSpace::resources`].
    pub resource: u32,
    /// Into [`RequestSpace::actions`].
    pub action: u32,
    /// Into [`RequestSpace::contexts`].
    pub context: u32,
}

/// The counts every report states.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
pub struct SpaceCounts {
    /// Principals both versions have.
    pub principals: usize,
    /// Scenario targets (concrete ARNs), both versions together.
    pub targets: usize,
    /// Resource witnesses synthesized from `Resource` patterns.
    pub resource_witnesses: usize,
    /// Actions in the universe.
    pub actions: usize,
    /// Services whose every catalog action is in the universe.
    pub services: usize,
    /// Context witnesses synthesized from conditions.
    pub context_witnesses: usize,
    /// Requests without explicit context (principal × resource × action).
    pub base_requests: u64,
    /// Requests carrying a context witness.
    pub context_requests: u64,
    /// Context-witness requests left out because the witness would override a key
    /// the scenario derives for that caller or resource (set by the diff).
    pub skipped: u64,
    /// All requests examined (witness requests left out not counted).
    pub requests: u64,
}

/// The request space of a diff; see the [module docs](self).
#[derive(Debug)]
pub struct RequestSpace {
    /// Principal names, in the after version's order.
    pub principals: Vec<String>,
    /// Principals only the before version has (not compared).
    pub only_before: Vec<String>,
    /// Principals only the after version has (not compared).
    pub only_after: Vec<String>,
    /// The action universe.
    pub actions: Vec<String>,
    /// The services expanded through the catalog.
    pub services: Vec<String>,
    /// Resources: targets, witnesses, `*`.
    pub resources: Vec<SpaceResource>,
    /// Explicit contexts; index 0 is the empty one.
    pub contexts: Vec<ContextVariant>,
    /// Per resource, the actions tried on it without explicit context.
    base: Vec<Vec<u32>>,
    /// (resource, action) → context witnesses tried on it.
    with_context: BTreeMap<(u32, u32), BTreeSet<u32>>,
    /// What the space cannot cover, for the report.
    pub notes: Vec<String>,
}

/// Lower-case service prefix of an action (`""` for `*`).
fn service_of_action(action: &str) -> Option<String> {
    action.split_once(':').map(|(s, _)| s.to_ascii_lowercase())
}

/// Service segment of an ARN (`None` for `*` or a wildcard service).
fn service_of_arn(arn: &str) -> Option<String> {
    let s = arn.split(':').nth(2)?;
    (!s.is_empty() && !s.contains(['*', '?'])).then(|| s.to_ascii_lowercase())
}

struct Builder {
    actions: Vec<String>,
    action_index: BTreeMap<String, u32>,
    by_service: BTreeMap<String, Vec<u32>>,
    resources: Vec<SpaceResource>,
    resource_index: BTreeMap<String, u32>,
    contexts: Vec<ContextVariant>,
    context_index: BTreeMap<String, u32>,
}

impl Builder {
    fn add_action(&mut self, name: &str) -> u32 {
        let lc = name.to_ascii_lowercase();
        if let Some(&i) = self.action_index.get(&lc) {
            return i;
        }
        let i = self.actions.len() as u32;
        self.actions.push(name.to_owned());
        if let Some(s) = service_of_action(name) {
            self.by_service.entry(s).or_default().push(i);
        }
        self.action_index.insert(lc, i);
        i
    }

    fn add_resource(&mut self, arn: &str, origin: ResourceOrigin) -> (u32, bool) {
        if let Some(&i) = self.resource_index.get(arn) {
            return (i, false);
        }
        let i = self.resources.len() as u32;
        self.resources.push(SpaceResource {
            arn: arn.to_owned(),
            origin,
        });
        self.resource_index.insert(arn.to_owned(), i);
        (i, true)
    }

    fn add_context(&mut self, pairs: &[(String, ContextValue)]) -> u32 {
        let label = pairs
            .iter()
            .map(|(k, v)| match v {
                ContextValue::Single(s) => format!("{k}={s}"),
                ContextValue::Multi(m) => format!("{k}=[{}]", m.join(",")),
            })
            .collect::<Vec<_>>()
            .join(" ");
        if let Some(&i) = self.context_index.get(&label) {
            return i;
        }
        let mut context = Context::new();
        for (k, v) in pairs {
            context.insert(k, v.clone());
        }
        let i = self.contexts.len() as u32;
        self.contexts.push(ContextVariant {
            label: label.clone(),
            context,
        });
        self.context_index.insert(label, i);
        i
    }

    /// The universe's actions that may be tried on `arn`.
    fn actions_for(&self, arn: &str) -> Vec<u32> {
        match service_of_arn(arn) {
            Some(s) => self.by_service.get(&s).cloned().unwrap_or_default(),
            None => (0..self.actions.len() as u32).collect(),
        }
    }
}

/// True when a statement's `Action`/`NotAction` covers `action` (lower-case glob).
fn covers_action(statement: &Statement, action: &str) -> bool {
    let lc = action.to_ascii_lowercase();
    let hit = statement
        .action
        .entries
        .iter()
        .any(|e| glob(&e.value.to_ascii_lowercase(), &lc));
    hit != statement.action.negated
}

impl RequestSpace {
    /// The space for comparing `before` with `after`.
    pub fn build(before: &Scenario, after: &Scenario) -> RequestSpace {
        let catalog = after.catalog();
        let mut notes = Vec::new();
        let principals: Vec<String> = after
            .principals()
            .iter()
            .filter(|p| before.principal(&p.name).is_some())
            .map(|p| p.name.clone())
            .collect();
        let only_after: Vec<String> = after
            .principals()
            .iter()
            .filter(|p| before.principal(&p.name).is_none())
            .map(|p| p.name.clone())
            .collect();
        let only_before: Vec<String> = before
            .principals()
            .iter()
            .filter(|p| after.principal(&p.name).is_none())
            .map(|p| p.name.clone())
            .collect();
        let policies: Vec<&Policy> = before.policies().iter().chain(after.policies()).collect();
        let statements: Vec<&Statement> =
            policies.iter().flat_map(|p| p.statements.iter()).collect();

        let mut b = Builder {
            actions: Vec::new(),
            action_index: BTreeMap::new(),
            by_service: BTreeMap::new(),
            resources: Vec::new(),
            resource_index: BTreeMap::new(),
            contexts: Vec::new(),
            context_index: BTreeMap::new(),
        };
        b.add_context(&[]);

        // The action universe: every catalog action of every service named.
        let mut services: BTreeSet<String> = BTreeSet::new();
        for s in &statements {
            for e in &s.action.entries {
                if let Some(prefix) = service_of_action(&e.value) {
                    for svc in catalog.services() {
                        if glob(&prefix, &svc.prefix().to_ascii_lowercase()) {
                            services.insert(svc.prefix().to_owned());
                        }
                    }
                }
            }
        }
        for prefix in &services {
            if let Some(svc) = catalog.service(prefix) {
                for a in svc.actions() {
                    b.add_action(&format!("{}:{}", svc.prefix(), a.name()));
                }
            }
        }
        // One action of a service no policy names: every such action matches the
        // same patterns (`*`, NotAction lists), so one stands for them all.
        if let Some(svc) = catalog
            .services()
            .iter()
            .find(|svc| !services.contains(svc.prefix()) && !svc.actions().is_empty())
        {
            if let Some(a) = svc.actions().first() {
                b.add_action(&format!("{}:{}", svc.prefix(), a.name()));
            }
        }
        let mut targets = after.matrix_targets();
        for t in before.matrix_targets() {
            if !targets.iter().any(|x| x.arn == t.arn) {
                targets.push(t);
            }
        }
        for t in &targets {
            for a in &t.actions {
                b.add_action(a);
            }
        }

        // Resources: targets, then witnesses, then `*`.
        let mut base: Vec<Vec<u32>> = Vec::new();
        for t in &targets {
            let (i, new) = b.add_resource(&t.arn, ResourceOrigin::Target(t.name.clone()));
            let mut actions = b.actions_for(&t.arn);
            for a in &t.actions {
                let ai = b.add_action(a);
                if !actions.contains(&ai) {
                    actions.push(ai);
                }
            }
            if new {
                base.push(actions);
            } else if let Some(list) = base.get_mut(i as usize) {
                for a in actions {
                    if !list.contains(&a) {
                        list.push(a);
                    }
                }
            }
        }
        let target_count = b.resources.len();
        let mut variable_patterns = BTreeSet::new();
        // The scenario's own resources count as patterns too: `ARN` and `ARN/*`
        // (what belongs to a resource decides its resource policy and tags).
        let mut own: Vec<String> = Vec::new();
        for scenario in [before, after] {
            for r in scenario.resources() {
                own.push(r.arn.clone());
                own.push(format!("{}/*", r.arn));
            }
        }
        let policy_patterns = statements
            .iter()
            .flat_map(|s| s.resource.iter().flat_map(|r| r.entries.iter()))
            .map(|e| e.value.clone());
        let patterns: Vec<String> = own.into_iter().chain(policy_patterns).collect();
        {
            for p in &patterns {
                let p = p.as_str();
                if p == "*" {
                    continue;
                }
                if has_variable(p) {
                    variable_patterns.insert(p.to_owned());
                    continue;
                }
                let mut add = |arn: &str, near_miss: bool, b: &mut Builder| {
                    let origin = ResourceOrigin::Witness {
                        pattern: p.to_owned(),
                        near_miss,
                    };
                    if let (_, true) = b.add_resource(arn, origin) {
                        base.push(b.actions_for(arn));
                    }
                };
                add(&fill(p), false, &mut b);
                for m in near_misses(p, &glob, 2) {
                    add(&m, true, &mut b);
                }
            }
        }
        if let (_, true) = b.add_resource("*", ResourceOrigin::Any) {
            base.push((0..b.actions.len() as u32).collect());
        }
        if !variable_patterns.is_empty() {
            notes.push(format!(
                "{} resource pattern(s) with policy variables are witnessed only through the scenario's own targets: {}",
                variable_patterns.len(),
                variable_patterns.into_iter().collect::<Vec<_>>().join(", ")
            ));
        }

        // Context witnesses, statement by statement.
        let mut with_context: BTreeMap<(u32, u32), BTreeSet<u32>> = BTreeMap::new();
        for s in statements.iter().filter(|s| !s.conditions.is_empty()) {
            let mut variants: Vec<u32> = Vec::new();
            let mut firsts: Vec<(String, ContextValue)> = Vec::new();
            for c in &s.conditions {
                let key = c.key.value.as_str();
                let values: Vec<String> = c.values.iter().map(|v| scalar_text(&v.value)).collect();
                let (inside, outside) = boundary_values(Family::of(&c.operator.value), &values);
                for v in inside.iter().chain(&outside) {
                    variants.push(
                        b.add_context(&[(key.to_owned(), ContextValue::Single(v.as_str().into()))]),
                    );
                }
                if !inside.is_empty() {
                    let all: Vec<Box<str>> = inside.iter().map(|v| v.as_str().into()).collect();
                    variants.push(b.add_context(&[(key.to_owned(), ContextValue::Multi(all))]));
                    if let Some(out) = outside.first() {
                        let mixed = vec![inside[0].as_str().into(), out.as_str().into()];
                        variants
                            .push(b.add_context(&[(key.to_owned(), ContextValue::Multi(mixed))]));
                    }
                    firsts.push((
                        key.to_owned(),
                        ContextValue::Single(inside[0].as_str().into()),
                    ));
                }
            }
            if firsts.len() > 1 {
                variants.push(b.add_context(&firsts));
            }
            if variants.is_empty() {
                continue;
            }
            // The resources the statement covers.
            let mut resources: Vec<u32> = Vec::new();
            let concrete: Vec<&str> = match &s.resource {
                Some(r) if !r.negated && !r.entries.iter().any(|e| e.value == "*") => {
                    r.entries.iter().map(|e| e.value.as_str()).collect()
                }
                _ => Vec::new(),
            };
            if concrete.is_empty() || concrete.iter().any(|p| has_variable(p)) {
                resources.extend(0..target_count as u32);
                if let Some(&any) = b.resource_index.get("*") {
                    resources.push(any);
                }
            }
            for p in concrete.iter().filter(|p| !has_variable(p)) {
                if let Some(&i) = b.resource_index.get(&fill(p)) {
                    resources.push(i);
                }
            }
            for r in resources {
                let arn = b.resources[r as usize].arn.clone();
                for a in b.actions_for(&arn) {
                    if covers_action(s, &b.actions[a as usize]) {
                        with_context.entry((r, a)).or_default().extend(&variants);
                    }
                }
            }
        }
        notes.push(
            "principals are the scenarios' own: a resource-policy `Principal` naming anyone else is not witnessed"
                .to_owned(),
        );
        RequestSpace {
            principals,
            only_before,
            only_after,
            actions: b.actions,
            services: services.into_iter().collect(),
            resources: b.resources,
            contexts: b.contexts,
            base,
            with_context,
            notes,
        }
    }

    /// The counts a report states.
    pub fn counts(&self) -> SpaceCounts {
        let p = self.principals.len() as u64;
        let base: u64 = self.base.iter().map(|a| a.len() as u64).sum::<u64>() * p;
        let context: u64 = self
            .with_context
            .values()
            .map(|c| c.len() as u64)
            .sum::<u64>()
            * p;
        let targets = self
            .resources
            .iter()
            .filter(|r| matches!(r.origin, ResourceOrigin::Target(_)))
            .count();
        let witnesses = self
            .resources
            .iter()
            .filter(|r| matches!(r.origin, ResourceOrigin::Witness { .. }))
            .count();
        SpaceCounts {
            principals: self.principals.len(),
            targets,
            resource_witnesses: witnesses,
            actions: self.actions.len(),
            services: self.services.len(),
            context_witnesses: self.contexts.len().saturating_sub(1),
            base_requests: base,
            context_requests: context,
            skipped: 0,
            requests: base + context,
        }
    }

    /// Walks the space in order, handing over at most `chunk` requests at a time
    /// (one buffer, reused: memory does not grow with the space).
    pub fn for_each_chunk(&self, chunk: usize, mut f: impl FnMut(&[Probe])) {
        let chunk = chunk.max(1);
        let mut buf: Vec<Probe> = Vec::with_capacity(chunk);
        let mut push = |probe: Probe, buf: &mut Vec<Probe>| {
            buf.push(probe);
            if buf.len() == chunk {
                f(buf);
                buf.clear();
            }
        };
        let principals = self.principals.len() as u32;
        for (r, actions) in self.base.iter().enumerate() {
            for &a in actions {
                for p in 0..principals {
                    let probe = Probe {
                        principal: p,
                        resource: r as u32,
                        action: a,
                        context: 0,
                    };
                    push(probe, &mut buf);
                }
            }
        }
        for (&(r, a), contexts) in &self.with_context {
            for &c in contexts {
                for p in 0..principals {
                    let probe = Probe {
                        principal: p,
                        resource: r,
                        action: a,
                        context: c,
                    };
                    push(probe, &mut buf);
                }
            }
        }
        if !buf.is_empty() {
            f(&buf);
        }
    }
}
