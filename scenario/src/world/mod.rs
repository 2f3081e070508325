//! Scenarios: a whole account world — principals with their policies, resources with
//! their resource policies and tags, the organization's SCP/RCP levels, Connect
//! hierarchies and named action sets — loaded once, compiled once per
//! (principal, resource) pair, and used to turn request rows into engine requests
//! with the context AWS would supply.

mod context;
mod load;

pub use context::{caller_context, hierarchy_key};
pub use load::ScenarioError;

use iamsim_engine::request::{CallerAccount, Context, ContextValue, Request};
use iamsim_engine::CompiledPolicySet;
use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

/// Maps looked up once or more per request row: foldhash instead of SipHash, since
/// the keys come from the scenario file (no hash-flooding concern) and SipHash was a
/// visible share of a batch row's cost.
type FastMap<K, V> = foldhash::HashMap<K, V>;

/// The kinds of principal a scenario can declare (SEMANTICS §1.3, §1.6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum PrincipalKind {
    /// An IAM user.
    User,
    /// A session of an IAM role (AssumeRole, SAML, web identity, a service's role).
    RoleSession,
    /// A GetFederationToken session.
    FederatedUser,
    /// The account root user.
    Root,
    /// A service principal such as `connect.amazonaws.com`.
    Service,
}

impl PrincipalKind {
    /// The word used in scenario files.
    pub fn as_str(self) -> &'static str {
        match self {
            PrincipalKind::User => "user",
            PrincipalKind::RoleSession => "role-session",
            PrincipalKind::FederatedUser => "federated-user",
            PrincipalKind::Root => "root",
            PrincipalKind::Service => "service",
        }
    }
}

/// A principal of the scenario, with the context keys derived for it.
#[derive(Debug, Clone)]
pub struct ScenarioPrincipal {
    /// The name rows use to refer to it.
    pub name: String,
    /// What kind of caller it is.
    pub kind: PrincipalKind,
    /// The caller ARN (session ARN for role sessions) or service name.
    pub arn: String,
    /// Its account (none for service principals).
    pub account: Option<String>,
    /// Where its account stands in the scenario's organization: SCPs restrict only
    /// member accounts (SEMANTICS §9.4a).
    pub caller_account: CallerAccount,
    /// Context keys derived from the principal (`aws:userid`, `aws:PrincipalArn`, tags, …)
    /// plus its declared `context`; a row's explicit context overrides them.
    pub context: Context,
}

/// A resource of the scenario.
#[derive(Debug, Clone)]
pub struct ScenarioResource {
    /// Its name.
    pub name: String,
    /// Its ARN; sub-resources and objects (`ARN/…`) belong to it too.
    pub arn: String,
    /// The owning account.
    pub account: Option<String>,
    /// Keys derived from it (`aws:ResourceTag/*`, `aws:ResourceAccount`).
    pub context: Context,
    /// Concrete ARNs the matrix evaluates, each with its own action sets or actions
    /// (default: the ARN itself with the resource's `actions`).
    pub targets: Vec<(String, Vec<String>)>,
}

/// One Connect user and its place in the agent hierarchy.
#[derive(Debug, Clone)]
pub struct ConnectUser {
    /// Position in the instance's `user_order`.
    pub ordinal: usize,
    /// User id (the last ARN segment of `…/agent/<id>`).
    pub id: String,
    /// Display name.
    pub name: String,
    /// Hierarchy group ids from level 1 down to the user's group (empty: no group).
    pub path: Vec<String>,
    /// The user's ARN.
    pub arn: String,
    /// Resource tags of the user.
    pub tags: BTreeMap<String, String>,
    /// The keys a request on this user carries (hierarchy levels, tags), built once.
    pub context: Context,
}

/// One Connect instance with its hierarchy.
#[derive(Debug, Clone)]
pub struct ConnectInstance {
    /// Instance ARN.
    pub arn: String,
    /// Group id → (name, level 1..=5).
    pub groups: BTreeMap<String, (String, usize)>,
    /// Users by id.
    pub users: BTreeMap<String, ConnectUser>,
    /// User ids in file order (reports list users as the scenario does).
    pub user_order: Vec<String>,
    /// Action sets or actions the matrix evaluates on each user.
    pub user_actions: Vec<String>,
    /// `connect:InstanceId` for requests on the instance or below it, built once.
    pub context: Context,
}

/// One request as a row of a table or stream: the principal by name or ARN.
#[derive(Debug, Clone, Default)]
pub struct RequestRow {
    /// Principal name or ARN.
    pub principal: String,
    /// Action.
    pub action: String,
    /// Resource ARN or `*`.
    pub resource: String,
    /// Explicit context; wins over derived keys.
    pub context: Context,
}

/// A row that cannot be evaluated against the scenario. Boxed: it travels in the
/// `Result` of every row, which stays two words wide.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RowError {
    /// The principal is neither a name nor an ARN of the scenario.
    UnknownPrincipal(Box<UnknownPrincipal>),
    /// The action is not one AWS has (by the action catalog): a typo'd row would
    /// otherwise be a test that can never fail.
    UnknownAction(Box<UnknownAction>),
    /// A request names one action; a wildcard in it is an ordinary character to
    /// AWS, and almost always meant as a pattern.
    WildcardAction(Box<str>),
}

/// An action the catalog does not know, with the nearest names it does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownAction {
    /// As the row wrote it.
    pub action: String,
    /// The nearest known names, nearest first.
    pub suggestions: Vec<String>,
    /// The catalog's version, for the message.
    pub catalog: String,
}

/// A principal the scenario does not know, with what it does know.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownPrincipal {
    /// As the row wrote it.
    pub principal: String,
    /// The scenario's principal names, nearest to it first (at most
    /// [`LISTED_PRINCIPALS`]).
    pub known: Vec<String>,
    /// How many principals the scenario has.
    pub count: usize,
}

/// Principal names an unknown-principal message lists before "…".
pub const LISTED_PRINCIPALS: usize = 8;

impl fmt::Display for RowError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RowError::UnknownPrincipal(u) => {
                write!(
                    f,
                    "unknown principal `{}` (not a name or ARN of the scenario; principals, nearest first: {}",
                    u.principal,
                    u.known.join(", ")
                )?;
                if u.count > u.known.len() {
                    write!(f, ", … {} in all", u.count)?;
                }
                f.write_str(")")
            }
            RowError::UnknownAction(u) => {
                write!(
                    f,
                    "unknown action `{}`{}",
                    u.action,
                    crate::suggest::did_you_mean(&u.suggestions)
                )?;
                write!(
                    f,
                    "; the action catalog ({}) does not list it — add new actions with an overlay",
                    u.catalog
                )
            }
            RowError::WildcardAction(action) => write!(
                f,
                "action `{action}` has a wildcard: a request names one action (to evaluate every action a pattern matches, expand it first: `iamsim actions '{action}'`, or `matrix --actions`)"
            ),
        }
    }
}

impl std::error::Error for RowError {}

/// A loaded, compiled scenario. Immutable and `Sync`: share it across threads.
#[derive(Debug)]
pub struct Scenario {
    /// The scenario's `name`.
    pub name: String,
    /// The action catalog its action sets were expanded with.
    catalog: &'static iamsim_catalog::Catalog,
    principals: Vec<ScenarioPrincipal>,
    principal_index: FastMap<String, usize>,
    resources: Vec<ScenarioResource>,
    resource_index: FastMap<String, usize>,
    /// The distinct lengths of the resource ARNs, longest first: `resource_for` only
    /// hashes the prefixes of a request ARN that could be one of them.
    resource_lengths: Vec<usize>,
    instances: Vec<ConnectInstance>,
    action_sets: BTreeMap<String, Vec<String>>,
    /// Compiled sets per principal: one per known resource, then per other account.
    compiled: Vec<PrincipalSets>,
    /// Warnings about the policies it loaded.
    warnings: Vec<crate::warning::Warning>,
    /// Every policy it loaded, once each, in load order.
    policies: Vec<iamsim_engine::Policy>,
}

#[derive(Debug)]
struct PrincipalSets {
    /// One per scenario resource (its resource policy, its account's RCPs).
    by_resource: Vec<Arc<CompiledPolicySet>>,
    /// Resources outside the scenario, per owning account with RCPs.
    by_account: FastMap<String, Arc<CompiledPolicySet>>,
    /// Resources outside the scenario in accounts without RCPs, and `*`.
    no_resource: Arc<CompiledPolicySet>,
}

impl Scenario {
    /// Loads a scenario file; policy paths and patterns are relative to its folder.
    pub fn load(path: &std::path::Path) -> Result<Scenario, ScenarioError> {
        Self::load_with_catalog(path, iamsim_catalog::Catalog::builtin())
    }

    /// [`Scenario::load_with_catalog`] reading the scenario file and every policy
    /// file it names through `files` (the disk with some files replaced, the files
    /// at a git revision, …).
    pub fn load_from(
        path: &std::path::Path,
        catalog: &'static iamsim_catalog::Catalog,
        files: Arc<dyn crate::source::FileSource>,
    ) -> Result<Scenario, ScenarioError> {
        load::load(path, catalog, files)
    }

    /// Every policy document the scenario loaded (identity policies, boundaries,
    /// session policies, resource policies, SCPs and RCPs), each once, in the order
    /// the loader read them. `iamsim diff` synthesizes witness requests from them.
    pub fn policies(&self) -> &[iamsim_engine::Policy] {
        &self.policies
    }

    /// [`Scenario::load`] with another catalog (the pinned one plus a user's overlay
    /// of actions newer than the pin): action-set patterns expand through it and
    /// action-set entries must be in it.
    pub fn load_with_catalog(
        path: &std::path::Path,
        catalog: &'static iamsim_catalog::Catalog,
    ) -> Result<Scenario, ScenarioError> {
        load::load(path, catalog, Arc::new(crate::source::DiskFiles))
    }

    /// The action catalog the scenario was loaded with.
    pub fn catalog(&self) -> &'static iamsim_catalog::Catalog {
        self.catalog
    }

    /// Warnings about the scenario's policies (AWS size quotas, odd ARNs, …). They
    /// never change a decision; commands print them on stderr.
    pub fn warnings(&self) -> &[crate::warning::Warning] {
        &self.warnings
    }

    /// The principals, in file order.
    pub fn principals(&self) -> &[ScenarioPrincipal] {
        &self.principals
    }

    /// The resources, in file order.
    pub fn resources(&self) -> &[ScenarioResource] {
        &self.resources
    }

    /// The Connect instances with hierarchies.
    pub fn connect_instances(&self) -> &[ConnectInstance] {
        &self.instances
    }

    /// Named action sets.
    pub fn action_sets(&self) -> &BTreeMap<String, Vec<String>> {
        &self.action_sets
    }

    /// Expands a list of set names, actions and action patterns into actions (order
    /// kept, duplicates dropped, ignoring case). A set stands for its actions
    /// (patterns in it were expanded when the scenario loaded); a pattern
    /// (`connect:Describe*`) for the catalog's actions it matches, sorted, or for
    /// nothing when it matches none (the loader refuses such patterns in the
    /// scenario); anything else for itself.
    pub fn expand_actions(&self, names: &[String]) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for n in names {
            let items = match self.action_sets.get(n) {
                Some(set) => set.clone(),
                None if n.contains(['*', '?']) => {
                    load::catalog_actions(self.catalog, n).unwrap_or_default()
                }
                None => vec![n.clone()],
            };
            for a in items {
                // Action names ignore case, as AWS does.
                if !out.iter().any(|x| x.eq_ignore_ascii_case(&a)) {
                    out.push(a);
                }
            }
        }
        out
    }

    /// Finds a principal by name or ARN; also by a role's ARN (its session) or an
    /// account id (that account's root user) when exactly one principal answers.
    pub fn principal(&self, name_or_arn: &str) -> Option<&ScenarioPrincipal> {
        self.principal_index
            .get(name_or_arn)
            .and_then(|&i| self.principals.get(i))
    }

    /// The scenario resource a request resource belongs to: the exact ARN, else the
    /// longest resource ARN that is a `/`-prefix of it (objects of a bucket,
    /// sub-resources of an instance).
    pub fn resource_for(&self, arn: &str) -> Option<usize> {
        self.resource_lengths.iter().find_map(|&len| {
            let prefix = arn.get(..len)?;
            let whole_or_parent = len == arn.len() || arn.as_bytes().get(len) == Some(&b'/');
            if whole_or_parent {
                self.resource_index.get(prefix).copied()
            } else {
                None
            }
        })
    }

    /// Fills `request` (reusing its buffers) for `row` and returns the policy set to
    /// evaluate it against. Context precedence: derived principal keys, then derived
    /// resource keys (tags, Connect hierarchy), then the row's explicit context.
    pub fn prepare(
        &self,
        row: &RequestRow,
        request: &mut Request,
    ) -> Result<&CompiledPolicySet, RowError> {
        self.prepare_parts(
            &row.principal,
            &row.action,
            &row.resource,
            &row.context,
            request,
        )
    }

    /// [`Scenario::prepare`] for a row given by its parts.
    pub fn prepare_parts(
        &self,
        principal: &str,
        action: &str,
        resource: &str,
        context: &Context,
        request: &mut Request,
    ) -> Result<&CompiledPolicySet, RowError> {
        let target = self.target_of(principal, resource)?;
        self.fill_derived(target, request);
        context::merge(request.context_mut(), context);
        request.set_action(action);
        request.set_resource(resource);
        Ok(self.policy_set(target, request))
    }

    /// [`Scenario::prepare`] through a cache of prepared requests, for rows whose
    /// explicit context is a list of single values. Rows with the same principal,
    /// the same derived context (scenario resource, Connect instance and user) and
    /// the same explicit context keys reuse one [`Request`] whose derived context
    /// was built once: a row then costs a few lookups, setting its action and
    /// resource, and overwriting its own context values (which win over derived
    /// ones, as in `prepare`). The set is borrowed rather than an `Arc` clone, so
    /// worker threads do not contend on its reference count.
    pub fn prepare_plain<'c>(
        &self,
        cache: &'c mut PreparedRequests,
        principal: &str,
        action: &str,
        resource: &str,
        context: &[(&str, &str)],
    ) -> Result<(&CompiledPolicySet, &'c Request), RowError> {
        let target = self.target_of(principal, resource)?;
        let PreparedRequests {
            by_target,
            len,
            limit,
            spare,
        } = cache;
        let same_keys = |p: &Prepared| {
            p.keys.len() == context.len()
                && p.keys
                    .iter()
                    .zip(context)
                    .all(|(k, (r, _))| r.eq_ignore_ascii_case(k))
        };
        let request = if *len < *limit {
            let prepared = by_target.entry(target).or_default();
            match prepared.iter().position(same_keys) {
                Some(i) => prepared[i].refill(context),
                None => {
                    *len += 1;
                    let mut request = Request::new("", "", "");
                    self.fill_derived(target, &mut request);
                    prepared.push(Prepared::new(request, context));
                    let last = prepared.len() - 1;
                    &mut prepared[last].request
                }
            }
        } else {
            // Full: no new entries (not even an empty list for a new target), so the
            // cache stays bounded however many targets the rows reach.
            let hit = by_target.get_mut(&target).and_then(|prepared| {
                let i = prepared.iter().position(same_keys)?;
                prepared.get_mut(i)
            });
            match hit {
                Some(p) => p.refill(context),
                None => {
                    self.fill_derived(target, spare);
                    let ctx = spare.context_mut();
                    for &(key, value) in context {
                        ctx.insert(key, ContextValue::Single(value.into()));
                    }
                    spare
                }
            }
        };
        request.set_action(action);
        request.set_resource(resource);
        Ok((self.policy_set(target, request), request))
    }

    /// The error for a principal the scenario does not know, listing its names
    /// nearest first.
    pub fn unknown_principal(&self, principal: &str) -> RowError {
        let names =
            crate::suggest::by_nearness(principal, self.principals.iter().map(|p| p.name.as_str()));
        RowError::UnknownPrincipal(Box::new(UnknownPrincipal {
            principal: principal.to_owned(),
            known: names
                .into_iter()
                .take(LISTED_PRINCIPALS)
                .map(str::to_owned)
                .collect(),
            count: self.principals.len(),
        }))
    }

    /// What a request's derived context and policy set depend on.
    fn target_of(&self, principal: &str, resource: &str) -> Result<Target, RowError> {
        let principal = *self
            .principal_index
            .get(principal)
            .ok_or_else(|| self.unknown_principal(principal))?;
        let (instance, user) = match context::connect_target(&self.instances, resource) {
            Some((i, user)) => (i, user.map_or(usize::MAX, |u| u.ordinal)),
            None => (usize::MAX, usize::MAX),
        };
        Ok(Target {
            principal,
            resource: self.resource_for(resource).unwrap_or(usize::MAX),
            instance,
            user,
        })
    }

    /// Sets the caller, the accounts and the derived context of `target` on
    /// `request` (not its action, resource or explicit context).
    fn fill_derived(&self, target: Target, request: &mut Request) {
        let principal = &self.principals[target.principal];
        let resource = self.resources.get(target.resource);
        request.set_principal(&principal.arn);
        request.set_caller_account(principal.caller_account);
        request.set_accounts(
            principal.account.as_deref(),
            resource.and_then(|r| r.account.as_deref()),
        );
        let ctx = request.context_mut();
        ctx.clear();
        context::merge(ctx, &principal.context);
        if let Some(r) = resource {
            context::merge(ctx, &r.context);
        }
        if let Some(instance) = self.instances.get(target.instance) {
            context::merge(ctx, &instance.context);
            if let Some(user) = instance
                .user_order
                .get(target.user)
                .and_then(|id| instance.users.get(id))
            {
                context::merge(ctx, &user.context);
            }
        }
    }

    /// The compiled set for `target`; `request` (with its resource set) gives the
    /// owning account of a resource outside the scenario.
    fn policy_set(&self, target: Target, request: &Request) -> &Arc<CompiledPolicySet> {
        let sets = &self.compiled[target.principal];
        let set = match sets.by_resource.get(target.resource) {
            Some(set) => Some(set),
            None if sets.by_account.is_empty() => None,
            None => request
                .resource_account()
                .and_then(|a| sets.by_account.get(a)),
        };
        set.unwrap_or(&sets.no_resource)
    }

    /// Concrete matrix targets: every resource's targets, then every Connect user.
    pub fn matrix_targets(&self) -> Vec<MatrixTarget> {
        let mut out = Vec::new();
        for r in &self.resources {
            for (t, actions) in &r.targets {
                out.push(MatrixTarget {
                    name: if r.targets.len() == 1 {
                        r.name.clone()
                    } else {
                        format!("{} {}", r.name, short_target(&r.arn, t))
                    },
                    arn: t.clone(),
                    actions: self.expand_actions(actions),
                });
            }
        }
        for inst in &self.instances {
            for u in inst.user_order.iter().filter_map(|id| inst.users.get(id)) {
                out.push(MatrixTarget {
                    name: format!("user {}", u.name),
                    arn: u.arn.clone(),
                    actions: self.expand_actions(&inst.user_actions),
                });
            }
        }
        out
    }
}

fn short_target(base: &str, target: &str) -> String {
    match target.strip_prefix(base) {
        Some("") => "(itself)".into(),
        Some(rest) => format!("…{rest}"),
        None => target.to_owned(),
    }
}

/// At most this many prepared requests are kept per [`PreparedRequests`]; beyond it a
/// new (principal, context) pair is prepared in a spare request every time, so memory
/// stays bounded for scenarios with very many principals and resources.
pub const PREPARED_LIMIT: usize = 1024;

/// Indexes into the scenario (`usize::MAX`: none) that fix a request's caller,
/// accounts, derived context and policy set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
struct Target {
    principal: usize,
    resource: usize,
    instance: usize,
    user: usize,
}

/// Prepared requests of one worker for [`Scenario::prepare_plain`].
pub struct PreparedRequests {
    /// Per target, one request per list of explicit context keys seen with it.
    by_target: FastMap<Target, Vec<Prepared>>,
    /// Requests in `by_target`.
    len: usize,
    /// Most requests kept.
    limit: usize,
    /// Used once the cache is full.
    spare: Request,
}

struct Prepared {
    /// The explicit context keys its rows carry, in row order.
    keys: Vec<Box<str>>,
    /// Where each of those keys sits in the request's context (the keys of a
    /// prepared request never change, only their values).
    positions: Vec<usize>,
    request: Request,
}

impl Prepared {
    /// A prepared request for rows with these explicit context keys; `request` holds
    /// the derived context.
    fn new(mut request: Request, context: &[(&str, &str)]) -> Self {
        let ctx = request.context_mut();
        for &(key, value) in context {
            ctx.insert(key, ContextValue::Single(value.into()));
        }
        let positions = context
            .iter()
            .map(|&(key, _)| ctx.position(key).unwrap_or(usize::MAX))
            .collect();
        Prepared {
            keys: context.iter().map(|&(k, _)| k.into()).collect(),
            positions,
            request,
        }
    }

    /// Sets the explicit context values of the next row with the same keys.
    fn refill(&mut self, context: &[(&str, &str)]) -> &mut Request {
        let ctx = self.request.context_mut();
        for (&at, &(key, value)) in self.positions.iter().zip(context) {
            if !ctx.set_single_at(at, key, value) {
                ctx.insert(key, ContextValue::Single(value.into()));
            }
        }
        &mut self.request
    }
}

impl PreparedRequests {
    /// A cache that keeps at most `limit` prepared requests (the default keeps
    /// [`PREPARED_LIMIT`]).
    pub fn with_limit(limit: usize) -> Self {
        PreparedRequests {
            by_target: FastMap::default(),
            len: 0,
            limit,
            spare: Request::new("", "", ""),
        }
    }
}

impl Default for PreparedRequests {
    fn default() -> Self {
        Self::with_limit(PREPARED_LIMIT)
    }
}

impl fmt::Debug for PreparedRequests {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PreparedRequests")
            .field("len", &self.len)
            .finish()
    }
}

/// One column of the matrix: a concrete ARN and the actions to try on it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MatrixTarget {
    /// Display name.
    pub name: String,
    /// The ARN evaluated.
    pub arn: String,
    /// The actions evaluated on it.
    pub actions: Vec<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_prepared_request_cache_stops_growing() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../fixtures/connect/scenario.json");
        let scenario = Scenario::load(&path).expect("flagship scenario loads");
        let (rows, _) = crate::generate::matrix_rows(&scenario, None);
        for limit in [0, 1, 5] {
            let mut cache = PreparedRequests::with_limit(limit);
            for row in &rows {
                let context = [("aws:SourceIp", "10.0.0.1")];
                for context in [&context[..], &[]] {
                    scenario
                        .prepare_plain(
                            &mut cache,
                            &row.principal,
                            &row.action,
                            &row.resource,
                            context,
                        )
                        .expect("known principal");
                }
            }
            assert_eq!(cache.len, limit);
            assert!(
                cache.by_target.len() <= limit,
                "{} targets",
                cache.by_target.len()
            );
            let kept: usize = cache.by_target.values().map(Vec::len).sum();
            assert_eq!(kept, limit);
        }
    }

    /// `iamsim eval` names its caller by ARN: what it derives from the ARN (and the
    /// unique id) must be what the scenario derives for the same principal, or the
    /// bucket lock would treat the same caller differently on the two paths.
    #[test]
    fn caller_context_agrees_with_the_scenario() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../fixtures/connect/scenario.json");
        let scenario = Scenario::load(&path).expect("flagship scenario loads");
        let single = |c: &Context, k: &str| match c.get_any_case(k) {
            Some(ContextValue::Single(v)) => Some(v.to_string()),
            Some(ContextValue::Multi(v)) => Some(v.join(",")),
            None => None,
        };
        let keys = [
            "aws:userid",
            "aws:username",
            "aws:PrincipalType",
            "aws:PrincipalAccount",
            "aws:PrincipalIsAWSService",
            "aws:PrincipalServiceName",
        ];
        let mut compared = 0;
        for p in scenario.principals() {
            let user_id = single(&p.context, "aws:userid");
            let unique_id = match p.kind {
                PrincipalKind::User => user_id.clone(),
                PrincipalKind::RoleSession => user_id
                    .as_deref()
                    .and_then(|u| u.split_once(':'))
                    .map(|(id, _)| id.to_owned()),
                _ => None,
            };
            let derived = caller_context(&p.arn, unique_id.as_deref());
            for key in keys {
                assert_eq!(
                    single(&derived, key),
                    single(&p.context, key),
                    "{}: {key}",
                    p.name
                );
                compared += 1;
            }
            // The one thing an ARN cannot say: a role's path.
            let ours = single(&derived, "aws:PrincipalArn");
            let theirs = single(&p.context, "aws:PrincipalArn");
            match (&ours, &theirs, p.kind) {
                (Some(o), Some(t), PrincipalKind::RoleSession) if o != t => {
                    let (prefix, name) = o.rsplit_once('/').expect("role ARN");
                    assert!(
                        t.starts_with(prefix) && t.ends_with(&format!("/{name}")),
                        "{o} vs {t}"
                    );
                }
                _ => assert_eq!(ours, theirs, "{}: aws:PrincipalArn", p.name),
            }
        }
        assert!(compared >= 40, "{compared}");
    }

    #[test]
    fn a_role_arn_or_an_account_id_names_a_principal_when_only_one_answers() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../fixtures/connect/scenario.json");
        let scenario = Scenario::load(&path).expect("flagship scenario loads");
        let name = |p: &str| scenario.principal(p).map(|p| p.name.as_str());
        assert_eq!(name("arn:aws:iam::123456789012:role/Admin"), Some("admin"));
        assert_eq!(name("123456789012"), Some("root"));
        // No root user is declared in the partner's account, and a bare role name is
        // not an ARN.
        assert_eq!(name("210987654321"), None);
        assert_eq!(name("Admin"), None);
        assert_eq!(
            name("arn:aws:sts::123456789012:assumed-role/Admin/bob"),
            Some("admin")
        );
    }

    /// SEMANTICS §9.4a in a scenario: the organization's id and its SCPs belong to its
    /// own accounts only; the management account is never restricted.
    #[test]
    fn organization_standing_of_principals() {
        let dir = std::env::temp_dir().join(format!("iamsim-org-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let path = dir.join("org.json");
        std::fs::write(
            &path,
            r#"{"name":"org","organization":{"id":"o-1","management_account":"999999999999",
                "root":{"scp":{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"s3:*","Resource":"*"},{"Effect":"Allow","Action":"*","Resource":"*"}]}},
                "accounts":{"111111111111":{},"999999999999":{}}},
              "principals":[
                {"name":"member","type":"user","account":"111111111111","id":"AIDAMEMBER",
                 "policies":{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}},
                {"name":"ops","type":"user","account":"999999999999","id":"AIDAOPS",
                 "policies":{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}},
                {"name":"partner","type":"user","account":"222222222222","id":"AIDAPARTNER"}]}"#,
        )
        .expect("write");
        let scenario = Scenario::load(&path).expect("loads");
        let p = |n: &str| scenario.principal(n).expect("principal");
        assert_eq!(p("member").caller_account, CallerAccount::Member);
        assert_eq!(p("ops").caller_account, CallerAccount::Management);
        assert_eq!(
            p("partner").caller_account,
            CallerAccount::OutsideOrganization
        );
        let org_id = |n: &str| p(n).context.get_any_case("aws:PrincipalOrgID").cloned();
        assert!(org_id("member").is_some() && org_id("ops").is_some());
        assert_eq!(org_id("partner"), None, "outside the organization");
        let decide = |n: &str| {
            let row = RequestRow {
                principal: n.into(),
                action: "s3:GetObject".into(),
                resource: "arn:aws:s3:::b/k".into(),
                ..RequestRow::default()
            };
            let mut request = Request::new("", "", "");
            let set = scenario.prepare(&row, &mut request).expect("known");
            set.evaluate(&request).decision.as_str()
        };
        assert_eq!(decide("member"), "explicitDeny");
        assert_eq!(decide("ops"), "allowed");
    }
}
