//! Step 7, evaluate: compiled set + request → decision. Each layer is scanned for applying
//! Deny statements first (any one decides, SEMANTICS §9.2), then for Allow
//! statements, and the rule of SEMANTICS §9.5 combines the layers. The same
//! statement test and the same combining rule serve the explain path, which only
//! records more on the way.

use crate::compile::{
    CompiledLayer, CompiledPolicySet, CompiledPrincipal, CompiledStatement, PrincipalEntry,
};
use crate::condition::{CompiledCondition, ConditionOutcome};
use crate::decision::{
    Deciding, Decision, DecisionReason, Diagnostic, FixedOutcome, Layer, PrincipalMatch,
    PrincipalMatches, Response, StatementRef,
};
use crate::model::Effect;
use crate::request::{Caller, Request};
use crate::util::str_map::StrKey;
use std::cell::OnceCell;

/// What happened when one statement was tested against a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatementVerdict {
    /// The action element does not match.
    ActionNotMatched,
    /// The resource element does not match (`unresolved`: a variable in an entry
    /// could not be resolved, so that entry matched nothing).
    ResourceNotMatched {
        /// An entry had an unresolvable variable.
        unresolved: bool,
    },
    /// The principal element does not name the caller.
    PrincipalNotMatched,
    /// `NotPrincipal` lists the caller's whole identity chain, so the Deny skips it.
    PrincipalExcluded,
    /// The S3 bucket owner's root keeps access to the bucket policy (SEMANTICS 9.2a).
    BucketOwnerRootException,
    /// Condition number `failed` (index in the statement) was not met.
    ConditionNotMet {
        /// Index of the first failing condition.
        failed: usize,
    },
    /// The statement applies; `principal` holds how its `Principal` matched.
    Applies {
        /// How the principal matched (empty outside resource policies).
        principal: PrincipalMatches,
    },
}

/// Receives per-condition outcomes; the fast path keeps only what the response
/// needs, the explain path keeps everything.
pub(crate) trait Observer<'a> {
    fn condition(
        &mut self,
        statement: &'a CompiledStatement,
        index: usize,
        c: &'a CompiledCondition,
        outcome: ConditionOutcome,
    );
}

/// Collects the response's missing keys and diagnostics; allocates only when one occurs.
#[derive(Default)]
pub(crate) struct Findings<'a> {
    pub(crate) missing_keys: Vec<&'a str>,
    pub(crate) diagnostics: Vec<Diagnostic<'a>>,
}

impl<'a> Observer<'a> for Findings<'a> {
    #[inline]
    fn condition(
        &mut self,
        s: &'a CompiledStatement,
        _index: usize,
        c: &'a CompiledCondition,
        outcome: ConditionOutcome,
    ) {
        // Reported as the policy spells the key; key names compare ignoring case.
        if outcome.key_absent
            && !self
                .missing_keys
                .iter()
                .any(|k| k.eq_ignore_ascii_case(&c.key))
        {
            self.missing_keys.push(&c.key_as_written);
        }
        if let Some(kind) = outcome.diagnostic {
            self.diagnostics.push(Diagnostic {
                statement: s.origin,
                effect: s.effect,
                key: &c.key_as_written,
                kind,
                condition_matched: outcome.matched,
            });
        }
    }
}

/// Facts about the request that every statement test needs, computed once.
pub(crate) struct RequestFacts<'r> {
    pub(crate) request: &'r Request,
    pub(crate) has_boundary: bool,
    /// SEMANTICS 9.2a: this request is the bucket owner's root managing the bucket policy.
    pub(crate) bucket_owner_root: bool,
    /// The request's service prefix and action name, hashed once for the index and
    /// the action sets.
    pub(crate) service: StrKey<'r>,
    pub(crate) name: StrKey<'r>,
    /// The resource ARN's six parts, taken from the request when a pattern set first
    /// needs them.
    resource_arn: OnceCell<Option<[&'r str; 6]>>,
}

impl<'r> RequestFacts<'r> {
    pub(crate) fn new(set: &CompiledPolicySet, request: &'r Request) -> Self {
        let (service, name) = request.action_keys();
        let bucket_owner_root = matches!(request.caller(), Caller::Root { .. })
            && request.service() == "s3"
            && matches!(
                request.action_name(),
                "getbucketpolicy" | "putbucketpolicy" | "deletebucketpolicy"
            )
            && request.principal_account().is_some()
            && request.principal_account() == request.resource_account();
        RequestFacts {
            request,
            has_boundary: set.has_boundary(),
            bucket_owner_root,
            service,
            name,
            resource_arn: OnceCell::new(),
        }
    }

    #[inline]
    fn resource_arn(&self) -> Option<[&'r str; 6]> {
        *self
            .resource_arn
            .get_or_init(|| self.request.resource_arn())
    }
}

/// Tests one statement against the request (SEMANTICS §3).
pub(crate) fn test_statement<'a>(
    s: &'a CompiledStatement,
    facts: &RequestFacts<'_>,
    observer: &mut impl Observer<'a>,
) -> StatementVerdict {
    // §4.4: NotAction matches exactly the actions its list does not.
    if s.actions.matches_key(&facts.service, &facts.name) == s.not_action {
        return StatementVerdict::ActionNotMatched;
    }
    test_after_action(s, facts, observer)
}

/// [`test_statement`] once the action element is known to match: the service index
/// hands the fast path statements whose action it has already matched.
#[inline]
fn test_after_action<'a>(
    s: &'a CompiledStatement,
    facts: &RequestFacts<'_>,
    observer: &mut impl Observer<'a>,
) -> StatementVerdict {
    let request = facts.request;
    if let Some((negated, resources)) = &s.resource {
        let m = resources.matches_split(
            request.resource(),
            || facts.resource_arn(),
            request.context(),
        );
        // §5.9: NotResource matches iff no entry does; an entry with an unresolvable
        // variable matches nothing (§5.10).
        if m.matched == *negated {
            return StatementVerdict::ResourceNotMatched {
                unresolved: m.unresolved,
            };
        }
    }
    let mut principal = PrincipalMatches::default();
    if let Some(p) = &s.principal {
        let matches = principal_matches(p, request);
        if p.negated {
            if is_excluded(matches, request.caller(), facts.has_boundary) {
                return StatementVerdict::PrincipalExcluded;
            }
        } else if matches.is_empty() {
            return StatementVerdict::PrincipalNotMatched;
        }
        principal = matches;
    }
    if s.effect == Effect::Deny && s.origin.layer == Layer::Resource && facts.bucket_owner_root {
        return StatementVerdict::BucketOwnerRootException;
    }
    let mut failed = None;
    for (i, c) in s.conditions.iter().enumerate() {
        let outcome = c.evaluate(request.context());
        observer.condition(s, i, c, outcome);
        if !outcome.matched {
            failed = Some(i);
            break;
        }
    }
    match failed {
        Some(failed) => StatementVerdict::ConditionNotMet { failed },
        None => StatementVerdict::Applies { principal },
    }
}

/// Tests a candidate from the service index: `action_known` when the index already
/// matched its action element.
#[inline]
fn test_candidate<'a>(
    s: &'a CompiledStatement,
    action_known: bool,
    facts: &RequestFacts<'_>,
    observer: &mut impl Observer<'a>,
) -> StatementVerdict {
    if action_known {
        test_after_action(s, facts, observer)
    } else {
        test_statement(s, facts, observer)
    }
}

/// The first applying Allow statement of `layer`, whose service slot for the
/// request is `slot`.
#[inline]
fn first_allow<'a>(
    layer: &'a CompiledLayer,
    slot: Option<u32>,
    facts: &RequestFacts<'_>,
    findings: &mut Findings<'a>,
) -> Option<StatementRef> {
    if layer.allows.is_empty() {
        return None;
    }
    layer
        .allows
        .candidates(slot, &facts.name)
        .find_map(|(i, known)| {
            let s = layer.statements.get(i as usize)?;
            matches!(
                test_candidate(s, known, facts, findings),
                StatementVerdict::Applies { .. }
            )
            .then_some(s.origin)
        })
}

/// Every kind by which the principal element names the caller (SEMANTICS §6).
#[inline]
fn principal_matches(p: &CompiledPrincipal, request: &Request) -> PrincipalMatches {
    let mut kinds = PrincipalMatches::default();
    if p.everyone_only {
        kinds.insert(PrincipalMatch::Wildcard);
        return kinds;
    }
    principal_entry_matches(p, request)
}

fn principal_entry_matches(p: &CompiledPrincipal, request: &Request) -> PrincipalMatches {
    let mut kinds = PrincipalMatches::default();
    let caller = request.caller();
    let caller_account = request.principal_account();
    for entry in &p.entries {
        match entry {
            PrincipalEntry::Everyone => kinds.insert(PrincipalMatch::Wildcard),
            // §6.2: the account delegates to every identity of the account.
            PrincipalEntry::Account(a) => {
                if caller_account == Some(&**a)
                    && !matches!(caller, Caller::Service | Caller::Anonymous)
                {
                    kinds.insert(PrincipalMatch::Account);
                }
            }
            PrincipalEntry::User { arn, account, name } => match caller {
                Caller::User { .. } if request.principal() == &**arn => {
                    kinds.insert(PrincipalMatch::Direct)
                }
                // §6.6: the federating IAM user names its federated-user sessions.
                Caller::FederatedUser {
                    account: a,
                    name: n,
                } if a == account && n == name => kinds.insert(PrincipalMatch::FederatingUser),
                _ => {}
            },
            // §6.4: a role ARN names every session of the role (and the role itself).
            PrincipalEntry::Role { account, role_name } => match caller {
                Caller::Role {
                    account: a,
                    role_name: r,
                }
                | Caller::RoleSession {
                    account: a,
                    role_name: r,
                } if a == account && r == role_name => kinds.insert(PrincipalMatch::Role),
                _ => {}
            },
            PrincipalEntry::Exact(s) => {
                if request.principal() == &**s {
                    kinds.insert(PrincipalMatch::Direct);
                }
            }
            // §6.7: service, federated and canonical-user entries need an identical caller.
            PrincipalEntry::NonAws(s) => {
                if request.principal() == &**s {
                    kinds.insert(PrincipalMatch::Direct);
                }
            }
        }
    }
    kinds
}

/// §6.9: a `NotPrincipal` Deny skips the caller only if every link of its identity
/// chain is listed, and never skips a caller that has a permissions boundary.
fn is_excluded(listed: PrincipalMatches, caller: &Caller, has_boundary: bool) -> bool {
    if has_boundary {
        return false;
    }
    if listed.contains(PrincipalMatch::Wildcard) {
        return true;
    }
    let direct = listed.contains(PrincipalMatch::Direct);
    let account = listed.contains(PrincipalMatch::Account);
    let role = listed.contains(PrincipalMatch::Role);
    match caller {
        Caller::User { .. } | Caller::FederatedUser { .. } => direct && account,
        Caller::RoleSession { .. } => direct && role && account,
        Caller::Role { .. } => role && account,
        Caller::Root { .. } => account,
        Caller::Service | Caller::Anonymous | Caller::Other => direct,
    }
}

/// The whole-request facts the combining rule reads (SEMANTICS §9.5).
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct LayerFacts {
    pub(crate) identity_allow: Option<StatementRef>,
    pub(crate) resource_allow: Option<StatementRef>,
    pub(crate) resource_kinds: PrincipalMatches,
    /// `None` = no boundary in force.
    pub(crate) boundary_allows: Option<bool>,
    /// `None` = no session policy in force.
    pub(crate) session_allows: Option<bool>,
    /// The first SCP level without an applying Allow.
    pub(crate) scp_blocking_level: Option<u16>,
}

impl CompiledPolicySet {
    /// Evaluates one request: the decision AWS would return, with the deciding
    /// statements, the missing context keys and any diagnostics. Infallible; it
    /// allocates only to report missing keys or diagnostics.
    pub fn evaluate<'a>(&'a self, request: &Request) -> Response<'a> {
        if let Some(fixed) = fixed_by_service(request) {
            return fixed;
        }
        let facts = RequestFacts::new(self, request);
        // Asked only when an SCP or RCP could change the answer (SEMANTICS §9.4a,
        // §9.3a): most requests never meet an organization policy that denies.
        let mut scope = LazyScope::new(request);
        let mut findings = Findings::default();
        let (service, name) = (&facts.service, &facts.name);
        // §9.2: an applying Deny anywhere decides, whatever allows. The layers with
        // Deny statements, in canonical order (`CompiledPolicySet::layers`).
        // The identity layer is asked for both effects: find its service once.
        let identity_slot = self.identity.service_slot(service);
        for layer in self.deny_layers.iter().filter_map(|&l| self.layer(l)) {
            let slot = match layer.layer {
                Layer::Identity => identity_slot,
                _ => layer.service_slot(service),
            };
            let mut candidates = layer.denies.candidates(slot, name).peekable();
            let out_of_scope = match layer.layer {
                Layer::Scp(_) => candidates.peek().is_some() && scope.scps_off(),
                Layer::Rcp(_) => candidates.peek().is_some() && scope.rcps_off(),
                _ => false,
            };
            if out_of_scope {
                continue;
            }
            for (i, known) in candidates {
                let Some(s) = layer.statements.get(i as usize) else {
                    continue;
                };
                if let StatementVerdict::Applies { .. } =
                    test_candidate(s, known, &facts, &mut findings)
                {
                    return Response {
                        decision: Decision::ExplicitDeny,
                        reason: DecisionReason::ExplicitDeny(layer.layer),
                        deciding: Deciding::one(Some(s.origin)),
                        missing_keys: findings.missing_keys,
                        diagnostics: findings.diagnostics,
                    };
                }
            }
        }
        let mut layer_facts = LayerFacts {
            identity_allow: first_allow(&self.identity, identity_slot, &facts, &mut findings),
            ..LayerFacts::default()
        };
        let first_allow = |layer: &'a CompiledLayer, findings: &mut Findings<'a>| {
            first_allow(layer, layer.service_slot(service), &facts, findings)
        };
        if let Some(layer) = self.resource.as_ref().filter(|l| !l.allows.is_empty()) {
            // K needs every applying Allow of the resource policy, not just the first.
            for (i, known) in layer.allows.candidates(layer.service_slot(service), name) {
                let Some(s) = layer.statements.get(i as usize) else {
                    continue;
                };
                if let StatementVerdict::Applies { principal } =
                    test_candidate(s, known, &facts, &mut findings)
                {
                    layer_facts.resource_allow.get_or_insert(s.origin);
                    layer_facts.resource_kinds.0 |= principal.0;
                }
            }
        }
        layer_facts.boundary_allows = self
            .boundary
            .as_ref()
            .map(|l| first_allow(l, &mut findings).is_some());
        layer_facts.session_allows = self
            .session
            .as_ref()
            .map(|l| first_allow(l, &mut findings).is_some());
        layer_facts.scp_blocking_level = self
            .scp
            .iter()
            .position(|l| first_allow(l, &mut findings).is_none())
            .map(|level| level as u16)
            .filter(|_| !scope.scps_off());
        let (decision, reason, deciding) = decide(request, &layer_facts);
        Response {
            decision,
            reason,
            deciding,
            missing_keys: findings.missing_keys,
            diagnostics: findings.diagnostics,
        }
    }
}

/// Which organization layers are left out of a request (SEMANTICS §9.4a, §9.3a),
/// each found out once, on first need.
struct LazyScope<'r> {
    request: &'r Request,
    scps_off: Option<bool>,
    rcps_off: Option<bool>,
}

impl<'r> LazyScope<'r> {
    fn new(request: &'r Request) -> Self {
        LazyScope {
            request,
            scps_off: None,
            rcps_off: None,
        }
    }

    /// The SCPs do not restrict this caller.
    fn scps_off(&mut self) -> bool {
        let request = self.request;
        *self
            .scps_off
            .get_or_insert_with(|| request.scps_not_in_force().is_some())
    }

    /// The RCPs do not apply to this service.
    fn rcps_off(&mut self) -> bool {
        let request = self.request;
        *self
            .rcps_off
            .get_or_insert_with(|| request.rcps_not_in_force().is_some())
    }
}

/// SEMANTICS §9.8: outcomes the service fixes before any policy is read.
pub(crate) fn fixed_by_service<'a>(request: &Request) -> Option<Response<'a>> {
    if request.service() != "sts" {
        return None;
    }
    let (decision, outcome) = match request.action_name() {
        "getcalleridentity" => (Decision::Allowed, FixedOutcome::GetCallerIdentity),
        "assumerole" if matches!(request.caller(), Caller::Root { .. }) => {
            (Decision::ImplicitDeny, FixedOutcome::RootCannotAssumeRole)
        }
        "getsessiontoken"
            if matches!(request.caller(), Caller::User { .. } | Caller::Root { .. }) =>
        {
            (Decision::Allowed, FixedOutcome::GetSessionToken)
        }
        _ => return None,
    };
    Some(Response {
        decision,
        reason: DecisionReason::FixedByService(outcome),
        deciding: Deciding::default(),
        missing_keys: Vec::new(),
        diagnostics: Vec::new(),
    })
}

/// True for targets whose resource policy must allow explicitly: KMS keys and IAM
/// roles as targets of `sts:AssumeRole*` (their trust policy) — SEMANTICS §9.5.
fn is_special_target(request: &Request) -> bool {
    if !matches!(request.service(), "kms" | "sts") {
        return false;
    }
    let Some([_, _, service, _, _, resource]) = request.resource_arn() else {
        return false;
    };
    match (request.service(), service) {
        ("kms", "kms") => resource.starts_with("key/"),
        ("sts", "iam") => {
            request.action_name().starts_with("assumerole") && resource.starts_with("role/")
        }
        _ => false,
    }
}

/// SEMANTICS §9.3–9.5: combine the layers once no Deny applies.
pub(crate) fn decide(request: &Request, f: &LayerFacts) -> (Decision, DecisionReason, Deciding) {
    use Decision::{Allowed, ImplicitDeny};
    use DecisionReason as R;
    if let Some(level) = f.scp_blocking_level {
        return (ImplicitDeny, R::ScpDoesNotAllow(level), Deciding::default());
    }
    let k = f.resource_kinds;
    let resource_grant = Deciding::one(f.resource_allow);
    let caller = request.caller();
    let special = is_special_target(request);
    let boundary_ok = f.boundary_allows.unwrap_or(true);
    let session_ok = match f.session_allows {
        Some(allows) => allows,
        // A GetFederationToken session without a session policy has no permissions.
        None => !matches!(caller, Caller::FederatedUser { .. }),
    };
    let caller_side_block = || {
        if f.identity_allow.is_none() {
            R::NoIdentityAllow
        } else if !boundary_ok {
            R::BoundaryDoesNotAllow
        } else if f.session_allows.is_none() {
            R::FederatedUserWithoutSessionPolicy
        } else {
            R::SessionDoesNotAllow
        }
    };
    let caller_side_ok = f.identity_allow.is_some() && boundary_ok && session_ok;
    match caller {
        // §9.5.1: root is never implicitly denied in its own account (but KMS keys and
        // trust policies must still name it); across accounts it holds what was granted.
        Caller::Root { .. } => {
            if request.is_same_account() && !(special && k.is_empty()) {
                (Allowed, R::RootUser, Deciding::default())
            } else if !k.is_empty() {
                (Allowed, R::CrossAccountGrant, resource_grant)
            } else {
                (
                    ImplicitDeny,
                    R::RootNeedsResourcePolicy,
                    Deciding::default(),
                )
            }
        }
        // §9.5.2: service principals (and callers without an account) only get what the
        // resource policy grants them directly or to everyone.
        Caller::Service | Caller::Anonymous | Caller::Other => {
            if k.contains(PrincipalMatch::Direct) {
                (
                    Allowed,
                    R::ResourcePolicyGrant(PrincipalMatch::Direct),
                    resource_grant,
                )
            } else if k.contains(PrincipalMatch::Wildcard) {
                (
                    Allowed,
                    R::ResourcePolicyGrant(PrincipalMatch::Wildcard),
                    resource_grant,
                )
            } else {
                (
                    ImplicitDeny,
                    R::NeedsResourcePolicyGrant,
                    Deciding::default(),
                )
            }
        }
        _ if request.is_same_account() => {
            // §9.5.3 a/b: grants to the caller itself or to everyone are not limited by
            // identity, boundary or session policies.
            if k.contains(PrincipalMatch::Direct) {
                return (
                    Allowed,
                    R::ResourcePolicyGrant(PrincipalMatch::Direct),
                    resource_grant,
                );
            }
            if k.contains(PrincipalMatch::Wildcard) {
                return (
                    Allowed,
                    R::ResourcePolicyGrant(PrincipalMatch::Wildcard),
                    resource_grant,
                );
            }
            // §9.5.3 c: grants to the role or federating user still pass boundary and session.
            for kind in [PrincipalMatch::Role, PrincipalMatch::FederatingUser] {
                if k.contains(kind) && boundary_ok && session_ok {
                    return (Allowed, R::ResourcePolicyGrant(kind), resource_grant);
                }
            }
            // §9.5.3 d: the identity route; KMS keys and trust policies must delegate to the account.
            if caller_side_ok {
                if special && !k.contains(PrincipalMatch::Account) {
                    return (
                        ImplicitDeny,
                        R::ResourcePolicyMustAllow,
                        Deciding::default(),
                    );
                }
                let deciding = if k.contains(PrincipalMatch::Account) {
                    Deciding::two(f.identity_allow, f.resource_allow)
                } else {
                    Deciding::one(f.identity_allow)
                };
                return (Allowed, R::IdentityGrant, deciding);
            }
            (ImplicitDeny, caller_side_block(), Deciding::default())
        }
        // §9.5.4: across accounts both sides must allow.
        _ => {
            if !caller_side_ok {
                (ImplicitDeny, caller_side_block(), Deciding::default())
            } else if k.is_empty() {
                (
                    ImplicitDeny,
                    R::CrossAccountNeedsResourcePolicy,
                    Deciding::default(),
                )
            } else {
                (
                    Allowed,
                    R::CrossAccountGrant,
                    Deciding::two(f.identity_allow, f.resource_allow),
                )
            }
        }
    }
}
