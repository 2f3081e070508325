//! Step 5, the decision (what evaluation returns) and why — which statement decided, which layer
//! blocked, which context keys the conditions wanted but the request lacked, and
//! which values could not be compared.

pub use crate::condition::ConditionDiagnostic;
use crate::model::Effect;
use std::fmt;

/// The decision, in the words of the AWS IAM policy simulator (`EvalDecision`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Decision {
    /// Some policy allows and nothing denies.
    Allowed,
    /// A Deny statement applies.
    ExplicitDeny,
    /// Nothing denies, but no (sufficient) Allow applies.
    ImplicitDeny,
}

impl Decision {
    /// `allowed`, `explicitDeny` or `implicitDeny`.
    pub fn as_str(self) -> &'static str {
        match self {
            Decision::Allowed => "allowed",
            Decision::ExplicitDeny => "explicitDeny",
            Decision::ImplicitDeny => "implicitDeny",
        }
    }

    /// Parses the simulator's words.
    pub fn from_name(s: &str) -> Option<Decision> {
        match s {
            "allowed" => Some(Decision::Allowed),
            "explicitDeny" => Some(Decision::ExplicitDeny),
            "implicitDeny" => Some(Decision::ImplicitDeny),
            _ => None,
        }
    }
}

impl fmt::Display for Decision {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A policy layer of a request (SEMANTICS §9.1). SCP and RCP levels are numbered
/// from the organization root (0) downwards.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Layer {
    /// The caller's identity-based policies, pooled.
    Identity,
    /// The target's resource-based policy.
    Resource,
    /// The caller's permissions boundary.
    Boundary,
    /// The session policy.
    Session,
    /// One level of service control policies.
    Scp(u16),
    /// One level of resource control policies.
    Rcp(u16),
}

impl fmt::Display for Layer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Layer::Identity => f.write_str("identity"),
            Layer::Resource => f.write_str("resource"),
            Layer::Boundary => f.write_str("boundary"),
            Layer::Session => f.write_str("session"),
            Layer::Scp(level) => write!(f, "scp[{level}]"),
            Layer::Rcp(level) => write!(f, "rcp[{level}]"),
        }
    }
}

/// Points at one statement of a compiled set: which policy (index into
/// [`crate::CompiledPolicySet::policies`]) and which statement of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct StatementRef {
    /// The layer the policy belongs to.
    pub layer: Layer,
    /// Index of the policy in the compiled set.
    pub policy: u32,
    /// Index of the statement in its policy.
    pub statement: u32,
}

/// How a resource-policy `Principal` matched the caller (SEMANTICS §6). The kind
/// decides which caller-side policies still limit a grant (§9.5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PrincipalMatch {
    /// `"*"` or `{"AWS":"*"}`.
    Wildcard,
    /// The caller's account (id or `:root` ARN): delegates to the account's own policies.
    Account,
    /// The caller's exact user, session or federated-user ARN, or its service principal.
    Direct,
    /// The role the caller's session belongs to.
    Role,
    /// The IAM user that created the caller's federated-user session.
    FederatingUser,
}

impl PrincipalMatch {
    pub(crate) fn bit(self) -> u8 {
        match self {
            PrincipalMatch::Wildcard => 1,
            PrincipalMatch::Account => 2,
            PrincipalMatch::Direct => 4,
            PrincipalMatch::Role => 8,
            PrincipalMatch::FederatingUser => 16,
        }
    }

    /// The word used in explanations.
    pub fn as_str(self) -> &'static str {
        match self {
            PrincipalMatch::Wildcard => "wildcard",
            PrincipalMatch::Account => "account",
            PrincipalMatch::Direct => "direct",
            PrincipalMatch::Role => "role",
            PrincipalMatch::FederatingUser => "federating-user",
        }
    }
}

/// A set of [`PrincipalMatch`] kinds (a bit set: no allocation).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
pub struct PrincipalMatches(pub(crate) u8);

impl PrincipalMatches {
    /// True when `kind` is in the set.
    pub fn contains(self, kind: PrincipalMatch) -> bool {
        self.0 & kind.bit() != 0
    }

    /// True when the set is empty.
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    pub(crate) fn insert(&mut self, kind: PrincipalMatch) {
        self.0 |= kind.bit();
    }

    /// The kinds in a fixed order.
    pub fn iter(self) -> impl Iterator<Item = PrincipalMatch> {
        [
            PrincipalMatch::Direct,
            PrincipalMatch::Role,
            PrincipalMatch::FederatingUser,
            PrincipalMatch::Account,
            PrincipalMatch::Wildcard,
        ]
        .into_iter()
        .filter(move |k| self.contains(*k))
    }
}

/// Why the decision came out as it did (the rule of SEMANTICS §9 that fired).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DecisionReason {
    /// A Deny statement applied in this layer.
    ExplicitDeny(Layer),
    /// An SCP level had no applying Allow.
    ScpDoesNotAllow(u16),
    /// The account root user in its own account.
    RootUser,
    /// The root user across accounts, or for a KMS key / role trust policy, without a
    /// resource-policy grant to its account.
    RootNeedsResourcePolicy,
    /// The resource policy granted the caller itself (same account, §9.5.3a/b/c), or
    /// the service principal.
    ResourcePolicyGrant(PrincipalMatch),
    /// Identity policy allowed, and boundary/session (if any) allowed too.
    IdentityGrant,
    /// Cross-account: identity side and resource policy both allowed.
    CrossAccountGrant,
    /// No applying Allow in the identity policies (nor a sufficient resource grant).
    NoIdentityAllow,
    /// The permissions boundary had no applying Allow.
    BoundaryDoesNotAllow,
    /// The session policy had no applying Allow.
    SessionDoesNotAllow,
    /// A federated-user session without a session policy has no permissions.
    FederatedUserWithoutSessionPolicy,
    /// KMS key or role trust policy: the resource policy must allow (at least the account).
    ResourcePolicyMustAllow,
    /// Cross-account request without a grant in the resource policy.
    CrossAccountNeedsResourcePolicy,
    /// A service principal or anonymous caller needs a resource-policy grant.
    NeedsResourcePolicyGrant,
    /// The service decides this request itself, whatever the policies say
    /// (SEMANTICS §9.8).
    FixedByService(FixedOutcome),
}

/// Outcomes a service fixes before any policy is evaluated (SEMANTICS §9.8).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FixedOutcome {
    /// `sts:GetCallerIdentity` needs no permission and is answered even under an
    /// explicit Deny (STS API reference, GetCallerIdentity): `allowed`.
    GetCallerIdentity,
    /// STS refuses `sts:AssumeRole` with the account root user's credentials
    /// (IAM User Guide, id_roles_use_permissions-to-switch): `implicitDeny`.
    RootCannotAssumeRole,
    /// `sts:GetSessionToken` by an IAM user or the root user needs no permission and
    /// cannot be controlled by policies: it is an authentication operation (IAM User
    /// Guide, id_credentials_temp_control-access_getsessiontoken): `allowed`.
    GetSessionToken,
}

impl DecisionReason {
    /// The layer that blocked the request, for denials (`scp`, `boundary`, …).
    pub fn blocking_layer(self) -> Option<Layer> {
        match self {
            DecisionReason::ExplicitDeny(layer) => Some(layer),
            DecisionReason::ScpDoesNotAllow(level) => Some(Layer::Scp(level)),
            DecisionReason::BoundaryDoesNotAllow => Some(Layer::Boundary),
            DecisionReason::SessionDoesNotAllow
            | DecisionReason::FederatedUserWithoutSessionPolicy => Some(Layer::Session),
            DecisionReason::NoIdentityAllow => Some(Layer::Identity),
            DecisionReason::ResourcePolicyMustAllow
            | DecisionReason::CrossAccountNeedsResourcePolicy
            | DecisionReason::NeedsResourcePolicyGrant
            | DecisionReason::RootNeedsResourcePolicy => Some(Layer::Resource),
            _ => None,
        }
    }
}

impl fmt::Display for DecisionReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DecisionReason::ExplicitDeny(layer) => write!(f, "a Deny statement in the {layer} policy applies"),
            DecisionReason::ScpDoesNotAllow(level) => {
                write!(f, "no SCP at organization level {level} allows the action")
            }
            DecisionReason::RootUser => f.write_str("the account root user is not implicitly denied in its own account"),
            DecisionReason::RootNeedsResourcePolicy => {
                f.write_str("the root user needs the resource policy to grant its account here")
            }
            DecisionReason::ResourcePolicyGrant(kind) => {
                write!(f, "the resource policy grants the caller ({} principal match)", kind.as_str())
            }
            DecisionReason::IdentityGrant => f.write_str("an identity policy allows, and no boundary or session policy stops it"),
            DecisionReason::CrossAccountGrant => {
                f.write_str("cross-account: the caller's policies and the resource policy both allow")
            }
            DecisionReason::NoIdentityAllow => f.write_str("no identity policy statement allows the action on the resource"),
            DecisionReason::BoundaryDoesNotAllow => f.write_str("the permissions boundary does not allow the action"),
            DecisionReason::SessionDoesNotAllow => f.write_str("the session policy does not allow the action"),
            DecisionReason::FederatedUserWithoutSessionPolicy => {
                f.write_str("a federated-user session without a session policy has no permissions")
            }
            DecisionReason::ResourcePolicyMustAllow => f.write_str(
                "KMS keys and role trust policies must allow in the resource policy (at least the account)",
            ),
            DecisionReason::CrossAccountNeedsResourcePolicy => {
                f.write_str("cross-account access also needs a grant in the resource policy")
            }
            DecisionReason::NeedsResourcePolicyGrant => {
                f.write_str("this caller can only be granted access by the resource policy")
            }
            DecisionReason::FixedByService(FixedOutcome::GetCallerIdentity) => f.write_str(
                "sts:GetCallerIdentity needs no permission: STS answers it whatever the policies say",
            ),
            DecisionReason::FixedByService(FixedOutcome::GetSessionToken) => f.write_str(
                "sts:GetSessionToken authenticates an IAM user or the root user: no policy controls it",
            ),
            DecisionReason::FixedByService(FixedOutcome::RootCannotAssumeRole) => f.write_str(
                "STS refuses sts:AssumeRole with the account root user's credentials, whatever the trust policy grants",
            ),
        }
    }
}

/// A condition value that could not be compared, or another runtime oddity.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Diagnostic<'a> {
    /// The statement whose condition it was.
    pub statement: StatementRef,
    /// That statement's effect: a Deny that could not be fully evaluated is indeterminate.
    pub effect: Effect,
    /// The condition key, as written in the policy.
    pub key: &'a str,
    /// What went wrong.
    pub kind: ConditionDiagnostic,
    /// Whether the condition held despite it.
    pub condition_matched: bool,
}

/// The result of [`crate::CompiledPolicySet::evaluate`]. Borrows names from the
/// compiled set, so building it copies no strings; the vectors stay empty (and
/// unallocated) unless there is something to report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response<'a> {
    /// The decision.
    pub decision: Decision,
    /// The rule that decided.
    pub reason: DecisionReason,
    /// The statements that decided: the applying Deny, or the granting Allow(s)
    /// (identity and/or resource policy). Empty for implicit denials.
    pub deciding: Deciding,
    /// Condition keys that statements (whose action and resource matched) tested but
    /// the request did not carry, as the policy spells them, in first-seen order
    /// without repeats (ignoring case).
    pub missing_keys: Vec<&'a str>,
    /// Values that could not be compared.
    pub diagnostics: Vec<Diagnostic<'a>>,
}

impl Response<'_> {
    /// The layer that blocked a denied request, if one did.
    pub fn blocked_by(&self) -> Option<Layer> {
        if self.decision == Decision::Allowed {
            None
        } else {
            self.reason.blocking_layer()
        }
    }

    /// True when a Deny statement was skipped because its condition met a value it
    /// could not compare (or a multivalued key without a set qualifier): the
    /// decision may then be more permissive than the policy intends. A Deny that
    /// applied anyway, and unresolvable policy variables (whose meaning AWS
    /// defines), do not count.
    pub fn has_indeterminate_deny(&self) -> bool {
        self.diagnostics.iter().any(|d| {
            d.effect == Effect::Deny
                && !d.condition_matched
                && d.kind != ConditionDiagnostic::UnresolvedVariable
        })
    }
}

/// Up to two deciding statements, without allocating.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Deciding([Option<StatementRef>; 2]);

impl Deciding {
    pub(crate) fn one(s: Option<StatementRef>) -> Self {
        Deciding([s, None])
    }

    pub(crate) fn two(a: Option<StatementRef>, b: Option<StatementRef>) -> Self {
        match a {
            Some(_) => Deciding([a, b]),
            None => Deciding([b, None]),
        }
    }

    /// The statements, in order.
    pub fn iter(&self) -> impl Iterator<Item = StatementRef> + '_ {
        self.0.iter().flatten().copied()
    }

    /// True when no statement decided.
    pub fn is_empty(&self) -> bool {
        self.0[0].is_none()
    }
}
