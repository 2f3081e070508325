//! Step 6, compile: typed model → compiled policy set. Action and resource strings become
//! bucketed pattern sets, condition values are typed once, principals are
//! classified, and every layer's statements are indexed by service so a request
//! only visits statements that can name its action. The result is immutable,
//! `Send + Sync`, and shared by all evaluating threads.

use crate::condition::{
    CompiledCondition, ConditionOperator, ConditionValueError, OperatorError, PolicyValue,
};
use crate::decision::{Layer, StatementRef};
use crate::model::{
    ConditionEntry, Effect, Location, Policy, PolicyKind, PrincipalType, PrincipalValue,
    ScalarValue, Statement,
};
use crate::pattern::arn::VariableScope;
use crate::pattern::{
    ActionPattern, ActionPatternError, ActionPatternSet, ArnPattern, ResourcePatternSet,
};
use crate::request::Caller;
use crate::source::json::Position;
use crate::util::str_map::{StrKey, StrMap};
use std::sync::Arc;

mod index;
pub(crate) mod lint;

pub(crate) use index::{ServiceIndex, ACTION_KNOWN};

pub use crate::pattern::ArnPatternWarning;
pub use lint::{PolicyWarning, PolicyWarningKind, SizeQuota};

/// The policies in force for one kind of request, by layer (SEMANTICS §1.1).
#[derive(Debug, Clone, Default)]
pub struct PolicySet {
    /// Identity-based policies of the caller (pooled).
    pub identity: Vec<Policy>,
    /// Resource-based policy of the target.
    pub resource: Option<Policy>,
    /// Permissions boundary of the caller.
    pub boundary: Option<Policy>,
    /// Session policy.
    pub session: Option<Policy>,
    /// SCPs by organization level, root first (root, OUs, account). Every level must
    /// allow; within a level, any of its policies allowing is enough.
    pub scp: Vec<Vec<Policy>>,
    /// Customer RCPs by level (`RCPFullAWSAccess` is implied at every level).
    pub rcp: Vec<Vec<Policy>>,
}

/// A policy that parsed but cannot be compiled, and where.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{location}: {kind}")]
pub struct CompileError {
    /// Where the offending element is.
    pub location: Location,
    /// What is wrong.
    pub kind: CompileErrorKind,
}

/// What cannot be compiled.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CompileErrorKind {
    /// An invalid `Action`/`NotAction` entry.
    #[error("{0}")]
    Action(#[from] ActionPatternError),
    /// An unknown or malformed condition operator.
    #[error("{0}")]
    Operator(#[from] OperatorError),
    /// A condition value list that cannot be compiled: empty, or a `Null` value other
    /// than `true`/`false`. (Values of other operators that do not fit their type load
    /// with a [`PolicyWarningKind::ConditionValueUnreadable`] warning instead.)
    #[error("condition value `{value}` {}", .error.kind)]
    ConditionValue {
        /// The value as written.
        value: String,
        /// What is wrong with it.
        error: ConditionValueError,
    },
    /// A policy placed in a layer of another kind.
    #[error("a {found} policy cannot be used as the {expected} policy")]
    WrongKind {
        /// The slot.
        expected: PolicyKind,
        /// The policy's own kind.
        found: PolicyKind,
    },
    /// A `Resource`/`NotResource` entry that is neither `*` nor an ARN pattern that can
    /// match anything.
    #[error("resource `{0}` can match no resource: use `*` or an ARN `arn:partition:service:region:account:resource` (a shorter pattern must end in `*`)")]
    ResourceMatchesNothing(String),
    /// More organization levels than we index.
    #[error("too many organization levels ({0})")]
    TooManyLevels(usize),
    /// More statements in one layer than the index can number.
    #[error("too many statements in one layer ({0})")]
    TooManyStatements(usize),
}

/// What explanations need to know about a statement.
#[derive(Debug, Clone)]
pub struct StatementInfo {
    /// `Sid`, if any.
    pub sid: Option<String>,
    /// Index in its policy.
    pub index: usize,
    /// Effect.
    pub effect: Effect,
    /// Where it is.
    pub location: Location,
}

impl StatementInfo {
    /// `Sid` if present, else `#index`.
    pub fn label(&self) -> String {
        match &self.sid {
            Some(s) => s.clone(),
            None => format!("#{}", self.index),
        }
    }
}

/// What explanations need to know about a policy.
#[derive(Debug, Clone)]
pub struct PolicyInfo {
    /// The layer it belongs to.
    pub layer: Layer,
    /// Its source name.
    pub source: Arc<str>,
    /// Its JSON Pointer within the source.
    pub pointer: String,
    /// `Id`, if any.
    pub id: Option<String>,
    /// Its statements.
    pub statements: Vec<StatementInfo>,
}

/// One statement, compiled.
#[derive(Debug)]
pub(crate) struct CompiledStatement {
    pub(crate) origin: StatementRef,
    pub(crate) effect: Effect,
    pub(crate) not_action: bool,
    pub(crate) actions: ActionPatternSet,
    /// `None`: a resource policy statement without `Resource` (covers its own resource).
    pub(crate) resource: Option<(bool, ResourcePatternSet)>,
    pub(crate) principal: Option<CompiledPrincipal>,
    pub(crate) conditions: Vec<CompiledCondition>,
}

/// `Principal` / `NotPrincipal`, classified once.
#[derive(Debug)]
pub(crate) struct CompiledPrincipal {
    pub(crate) negated: bool,
    pub(crate) entries: Vec<PrincipalEntry>,
    /// Every entry is `*`: the principal names everyone, whoever calls.
    pub(crate) everyone_only: bool,
}

/// One principal entry (SEMANTICS §6).
#[derive(Debug)]
pub(crate) enum PrincipalEntry {
    /// `"*"` or `{"AWS":"*"}`.
    Everyone,
    /// A 12-digit id or `arn:P:iam::A:root`.
    Account(Box<str>),
    /// An IAM user ARN.
    User {
        arn: Box<str>,
        account: Box<str>,
        name: Box<str>,
    },
    /// An IAM role ARN (any path): matches every session of the role.
    Role {
        account: Box<str>,
        role_name: Box<str>,
    },
    /// Any other AWS string (session ARN, federated-user ARN, unique id): exact match.
    Exact(Box<str>),
    /// `Service`, `Federated` or `CanonicalUser`: the caller string must be identical.
    NonAws(Box<str>),
}

/// Statements of one layer, indexed by service and split by effect.
#[derive(Debug)]
pub(crate) struct CompiledLayer {
    pub(crate) layer: Layer,
    pub(crate) statements: Vec<CompiledStatement>,
    /// Lower-cased service → its slot in both indexes, so that a request looks its
    /// service up once for the layer's Deny and Allow statements.
    services: StrMap<u32>,
    pub(crate) denies: ServiceIndex,
    pub(crate) allows: ServiceIndex,
}

impl CompiledLayer {
    /// The slot of the request's service in [`CompiledLayer::denies`] and
    /// [`CompiledLayer::allows`], `None` when no statement names it.
    #[inline]
    pub(crate) fn service_slot(&self, service: &StrKey<'_>) -> Option<u32> {
        self.services.get_key(service).copied()
    }
}

/// A compiled policy set: build once with [`CompiledPolicySet::compile`], then
/// evaluate any number of requests, from any number of threads.
///
/// ```
/// use iamsim_engine::{CompiledPolicySet, PolicySet, Decision};
/// use iamsim_engine::model::{Policy, PolicyKind};
/// use iamsim_engine::request::Request;
///
/// let admin = Policy::parse(
///     r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"connect:*",
///         "Resource":"arn:aws:connect:ap-northeast-1:123456789012:instance/abc/*"}]}"#,
///     PolicyKind::Identity, "admin.json").unwrap();
/// let set = CompiledPolicySet::compile(&PolicySet { identity: vec![admin], ..Default::default() }).unwrap();
/// let request = Request::new(
///     "arn:aws:iam::123456789012:user/alice",
///     "connect:DescribeUser",
///     "arn:aws:connect:ap-northeast-1:123456789012:instance/abc/agent/u1",
/// );
/// assert_eq!(set.evaluate(&request).decision, Decision::Allowed);
/// ```
#[derive(Debug)]
pub struct CompiledPolicySet {
    pub(crate) policies: Vec<PolicyInfo>,
    pub(crate) identity: CompiledLayer,
    pub(crate) resource: Option<CompiledLayer>,
    pub(crate) boundary: Option<CompiledLayer>,
    pub(crate) session: Option<CompiledLayer>,
    pub(crate) scp: Vec<CompiledLayer>,
    pub(crate) rcp: Vec<CompiledLayer>,
    /// The layers holding some Deny statement, in canonical order: most sets have
    /// one or none, and the fast path visits only these for Deny.
    pub(crate) deny_layers: Box<[Layer]>,
}

impl CompiledPolicySet {
    /// Compiles a policy set. Fails on the first element that cannot be compiled.
    pub fn compile(set: &PolicySet) -> Result<CompiledPolicySet, CompileError> {
        let mut builder = Builder {
            policies: Vec::new(),
        };
        let identity = builder.layer(Layer::Identity, PolicyKind::Identity, set.identity.iter())?;
        let resource = set
            .resource
            .as_ref()
            .map(|p| builder.layer(Layer::Resource, PolicyKind::Resource, std::iter::once(p)))
            .transpose()?;
        let boundary = set
            .boundary
            .as_ref()
            .map(|p| builder.layer(Layer::Boundary, PolicyKind::Boundary, std::iter::once(p)))
            .transpose()?;
        let session = set
            .session
            .as_ref()
            .map(|p| builder.layer(Layer::Session, PolicyKind::Session, std::iter::once(p)))
            .transpose()?;
        let scp = levels(&mut builder, &set.scp, PolicyKind::Scp, Layer::Scp)?;
        let rcp = levels(&mut builder, &set.rcp, PolicyKind::Rcp, Layer::Rcp)?;
        let mut set = CompiledPolicySet {
            policies: builder.policies,
            identity,
            resource,
            boundary,
            session,
            scp,
            rcp,
            deny_layers: Box::default(),
        };
        set.deny_layers = set
            .layers()
            .filter(|l| !l.denies.is_empty())
            .map(|l| l.layer)
            .collect();
        Ok(set)
    }

    /// Every policy of the set, in layer order; [`StatementRef::policy`] indexes this.
    pub fn policies(&self) -> &[PolicyInfo] {
        &self.policies
    }

    /// The policy a statement belongs to.
    pub fn policy_info(&self, statement: StatementRef) -> Option<&PolicyInfo> {
        self.policies.get(statement.policy as usize)
    }

    /// What explanations show of a statement.
    pub fn statement_info(&self, statement: StatementRef) -> Option<&StatementInfo> {
        self.policy_info(statement)
            .and_then(|p| p.statements.get(statement.statement as usize))
    }

    /// True when a permissions boundary is in force.
    pub fn has_boundary(&self) -> bool {
        self.boundary.is_some()
    }

    /// The layers in canonical order: identity, resource, boundary, session, SCP
    /// levels, RCP levels. Both the fast path and the explain path walk this order, so
    /// they name the same deciding Deny.
    pub(crate) fn layers(&self) -> impl Iterator<Item = &CompiledLayer> {
        std::iter::once(&self.identity)
            .chain(self.resource.iter())
            .chain(self.boundary.iter())
            .chain(self.session.iter())
            .chain(self.scp.iter())
            .chain(self.rcp.iter())
    }

    /// Total number of statements.
    pub fn statement_count(&self) -> usize {
        self.layers().map(|l| l.statements.len()).sum()
    }

    /// The compiled layer `layer`, if the set has it.
    #[inline]
    pub(crate) fn layer(&self, layer: Layer) -> Option<&CompiledLayer> {
        match layer {
            Layer::Identity => Some(&self.identity),
            Layer::Resource => self.resource.as_ref(),
            Layer::Boundary => self.boundary.as_ref(),
            Layer::Session => self.session.as_ref(),
            Layer::Scp(l) => self.scp.get(l as usize),
            Layer::Rcp(l) => self.rcp.get(l as usize),
        }
    }

    pub(crate) fn statement(&self, r: StatementRef) -> Option<&CompiledStatement> {
        self.layer(r.layer)?
            .statements
            .iter()
            .find(|s| s.origin.policy == r.policy && s.origin.statement == r.statement)
    }

    /// The conditions of a statement, for rendering explanations.
    pub(crate) fn conditions(&self, r: StatementRef) -> &[CompiledCondition] {
        self.statement(r)
            .map(|s| s.conditions.as_slice())
            .unwrap_or(&[])
    }
}

fn levels(
    builder: &mut Builder,
    policies: &[Vec<Policy>],
    kind: PolicyKind,
    layer: fn(u16) -> Layer,
) -> Result<Vec<CompiledLayer>, CompileError> {
    policies
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let level = u16::try_from(i).map_err(|_| CompileError {
                location: p
                    .first()
                    .map(|p| p.location("", Position::default()))
                    .unwrap_or_else(|| Location {
                        source: "".into(),
                        pointer: String::new(),
                        position: Position::default(),
                    }),
                kind: CompileErrorKind::TooManyLevels(policies.len()),
            })?;
            builder.layer(layer(level), kind, p.iter())
        })
        .collect()
}

struct Builder {
    policies: Vec<PolicyInfo>,
}

impl Builder {
    fn layer<'p>(
        &mut self,
        layer: Layer,
        kind: PolicyKind,
        policies: impl Iterator<Item = &'p Policy>,
    ) -> Result<CompiledLayer, CompileError> {
        let mut statements = Vec::new();
        for policy in policies {
            if policy.kind != kind {
                return Err(CompileError {
                    location: policy.location("", Position::default()),
                    kind: CompileErrorKind::WrongKind {
                        expected: kind,
                        found: policy.kind,
                    },
                });
            }
            let policy_index = self.policies.len() as u32;
            let mut infos = Vec::with_capacity(policy.statements.len());
            for (i, s) in policy.statements.iter().enumerate() {
                let origin = StatementRef {
                    layer,
                    policy: policy_index,
                    statement: i as u32,
                };
                statements.push(compile_statement(policy, s, origin)?);
                infos.push(StatementInfo {
                    sid: s.sid.clone(),
                    index: s.index,
                    effect: s.effect,
                    location: policy.location(&s.pointer, s.position),
                });
            }
            self.policies.push(PolicyInfo {
                layer,
                source: policy.source.clone(),
                pointer: policy.pointer.clone(),
                id: policy.id.clone(),
                statements: infos,
            });
        }
        // The index numbers statements below `ACTION_KNOWN`, its flag bit.
        if statements.len() >= ACTION_KNOWN as usize {
            return Err(CompileError {
                location: Location {
                    source: "".into(),
                    pointer: String::new(),
                    position: Position::default(),
                },
                kind: CompileErrorKind::TooManyStatements(statements.len()),
            });
        }
        let mut services = StrMap::default();
        let denies = ServiceIndex::build(&statements, Effect::Deny, &mut services);
        let allows = ServiceIndex::build(&statements, Effect::Allow, &mut services);
        Ok(CompiledLayer {
            layer,
            statements,
            services,
            denies,
            allows,
        })
    }
}

fn compile_statement(
    policy: &Policy,
    s: &Statement,
    origin: StatementRef,
) -> Result<CompiledStatement, CompileError> {
    let variables = policy.version.variables_enabled();
    let actions = s
        .action
        .entries
        .iter()
        .map(|e| {
            ActionPattern::parse(&e.value).map_err(|err| CompileError {
                location: policy.location(&e.pointer, e.position),
                kind: err.into(),
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    let resource = match &s.resource {
        Some(r) => {
            let mut patterns = Vec::with_capacity(r.entries.len());
            for e in &r.entries {
                let pattern = ArnPattern::parse(&e.value, variables, VariableScope::ResourcePart);
                // Fail closed: an entry that can match no resource would make a Deny
                // silently do nothing, so the policy is refused instead (IAM itself
                // rejects resources that are neither `*` nor in ARN format).
                if pattern
                    .warnings()
                    .contains(&ArnPatternWarning::MatchesNothing)
                {
                    return Err(CompileError {
                        location: policy.location(&e.pointer, e.position),
                        kind: CompileErrorKind::ResourceMatchesNothing(e.value.clone()),
                    });
                }
                patterns.push(pattern);
            }
            Some((r.negated, ResourcePatternSet::new(patterns)))
        }
        None => None,
    };
    let principal = s.principal.as_ref().map(|p| {
        let entries = principal_entries(&p.value);
        CompiledPrincipal {
            negated: p.negated,
            everyone_only: !entries.is_empty()
                && entries
                    .iter()
                    .all(|e| matches!(e, PrincipalEntry::Everyone)),
            entries,
        }
    });
    let mut conditions = Vec::with_capacity(s.conditions.len());
    for c in &s.conditions {
        let operator = ConditionOperator::parse(&c.operator.value).map_err(|err| CompileError {
            location: policy.location(&c.operator.pointer, c.operator.position),
            kind: err.into(),
        })?;
        let values = policy_values(c);
        let compiled = CompiledCondition::compile(operator, &c.key.value, &values, variables)
            .map_err(|err| {
                let at = c.values.get(err.index);
                let (pointer, position) = at.map_or((&c.key.pointer, c.key.position), |v| {
                    (&v.pointer, v.position)
                });
                let value = at.map_or_else(String::new, |v| match &v.value {
                    ScalarValue::String(s) | ScalarValue::Number(s) => s.clone(),
                    ScalarValue::Bool(b) => b.to_string(),
                });
                CompileError {
                    location: policy.location(pointer, position),
                    kind: CompileErrorKind::ConditionValue { value, error: err },
                }
            })?;
        conditions.push(compiled);
    }
    Ok(CompiledStatement {
        origin,
        effect: s.effect,
        not_action: s.action.negated,
        actions: ActionPatternSet::new(actions),
        resource,
        principal,
        conditions,
    })
}

fn principal_entries(value: &PrincipalValue) -> Vec<PrincipalEntry> {
    match value {
        PrincipalValue::Everyone => vec![PrincipalEntry::Everyone],
        PrincipalValue::Typed(lists) => lists
            .iter()
            .flat_map(|(t, entries)| entries.iter().map(move |e| principal_entry(*t, &e.value)))
            .collect(),
    }
}

fn principal_entry(t: PrincipalType, text: &str) -> PrincipalEntry {
    if t != PrincipalType::Aws {
        return PrincipalEntry::NonAws(text.into());
    }
    if text == "*" {
        return PrincipalEntry::Everyone;
    }
    if text.len() == 12 && text.bytes().all(|b| b.is_ascii_digit()) {
        return PrincipalEntry::Account(text.into());
    }
    match Caller::classify(text) {
        Caller::Root { account } => PrincipalEntry::Account(account),
        Caller::User { account, name } => PrincipalEntry::User {
            arn: text.into(),
            account,
            name,
        },
        Caller::Role { account, role_name } => PrincipalEntry::Role { account, role_name },
        _ => PrincipalEntry::Exact(text.into()),
    }
}

/// A condition entry's values as the condition compiler takes them.
pub(crate) fn policy_values(c: &ConditionEntry) -> Vec<PolicyValue<'_>> {
    c.values
        .iter()
        .map(|v| match &v.value {
            ScalarValue::String(s) => PolicyValue::String(s),
            ScalarValue::Number(n) => PolicyValue::Number(n),
            ScalarValue::Bool(b) => PolicyValue::Bool(*b),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy(kind: PolicyKind, text: &str) -> Policy {
        Policy::parse(text, kind, "t.json").unwrap()
    }

    fn key(text: &str) -> StrKey<'_> {
        StrKey::new(text)
    }

    /// The candidates of `layer` for `service:name` among statements of `effect`.
    fn candidates(
        layer: &CompiledLayer,
        effect: Effect,
        service: &str,
        name: &str,
    ) -> Vec<(u32, bool)> {
        let index = match effect {
            Effect::Allow => &layer.allows,
            Effect::Deny => &layer.denies,
        };
        index
            .candidates(layer.service_slot(&key(service)), &key(name))
            .collect()
    }

    #[test]
    fn service_index_splits_by_effect_and_service() {
        let p = policy(
            PolicyKind::Identity,
            r#"{"Statement":[
              {"Effect":"Allow","Action":["s3:Get*","S3:List*","logs:Get*"],"Resource":"*"},
              {"Effect":"Deny","Action":"*","Resource":"*"},
              {"Effect":"Allow","NotAction":"iam:*","Resource":"*"},
              {"Effect":"Allow","Action":"kms:Decrypt","Resource":"*"}]}"#,
        );
        let set = CompiledPolicySet::compile(&PolicySet {
            identity: vec![p],
            ..Default::default()
        })
        .unwrap();
        let layer = &set.identity;
        let ids = |effect, service, name| {
            candidates(layer, effect, service, name)
                .into_iter()
                .map(|(i, _)| i)
                .collect::<Vec<_>>()
        };
        assert_eq!(ids(Effect::Allow, "s3", "getobject"), vec![0, 2]);
        assert_eq!(ids(Effect::Allow, "kms", "decrypt"), vec![2, 3]);
        assert_eq!(ids(Effect::Allow, "kms", "encrypt"), vec![2]);
        assert_eq!(ids(Effect::Allow, "ec2", "runinstances"), vec![2]);
        assert_eq!(ids(Effect::Deny, "s3", "getobject"), vec![1]);
        // Listed names skip the action test; the rest do not.
        assert_eq!(
            candidates(layer, Effect::Allow, "kms", "decrypt"),
            vec![(2, false), (3, true)]
        );
        // An unlisted name that one wildcard name matches skips the test too; `*`
        // always does, `NotAction` never.
        assert_eq!(
            candidates(layer, Effect::Allow, "s3", "getobject"),
            vec![(0, true), (2, false)]
        );
        assert_eq!(
            candidates(layer, Effect::Deny, "s3", "getobject"),
            vec![(1, true)]
        );
    }

    #[test]
    fn action_index_agrees_with_testing_every_statement() {
        // Guards the name lists: no statement whose action matches may be missed, and
        // a statement marked as known must really match.
        let p = policy(
            PolicyKind::Identity,
            r#"{"Statement":[
              {"Effect":"Allow","Action":["s3:GetObject","s3:PutObject"],"Resource":"*"},
              {"Effect":"Allow","Action":"s3:Get*","Resource":"*"},
              {"Effect":"Deny","Action":["s3:*Object","kms:Decrypt"],"Resource":"*"},
              {"Effect":"Allow","Action":["S3:GETOBJECT","logs:Get?ogEvents"],"Resource":"*"},
              {"Effect":"Allow","NotAction":["s3:GetObject"],"Resource":"*"},
              {"Effect":"Deny","Action":"*","Resource":"*"},
              {"Effect":"Allow","Action":["logs:GetLogEvents","logs:*"],"Resource":"*"},
              {"Effect":"Allow","Action":"kms:Decrypt","Resource":"*"},
              {"Effect":"Allow","Action":["s3:*","s3:Get*"],"Resource":"*"},
              {"Effect":"Allow","Action":["s3:G*","s3:*Policy","s3:Get*"],"Resource":"*"},
              {"Effect":"Allow","Action":["logs:*Events","logs:Put*"],"Resource":"*"},
              {"Effect":"Deny","Action":["logs:*Events","ec2:Run*"],"Resource":"*"},
              {"Effect":"Deny","Action":["logs:Put*","ec2:*"],"Resource":"*"}]}"#,
        );
        let set = CompiledPolicySet::compile(&PolicySet {
            identity: vec![p],
            ..Default::default()
        })
        .unwrap();
        let layer = &set.identity;
        let actions = [
            ("s3", "getobject"),
            ("s3", "putobject"),
            ("s3", "deleteobject"),
            ("s3", "getbucketpolicy"),
            ("s3", "listbucket"),
            ("kms", "decrypt"),
            ("kms", "encrypt"),
            ("logs", "getlogevents"),
            ("logs", "getxogevents"),
            ("ec2", "runinstances"),
            ("ec2", "stopinstances"),
            ("s3", "getbucketpolicy"),
            ("s3", "putbucketpolicy"),
            ("s3", "gobject"),
            ("s3", "headobject"),
            ("logs", "putlogevents"),
            ("logs", "putretentionpolicy"),
            ("logs", "filterlogevents"),
            ("logs", "deleteloggroup"),
            ("", ""),
        ];
        for effect in [Effect::Allow, Effect::Deny] {
            for (service, name) in actions {
                let candidates = candidates(layer, effect, service, name);
                for (i, s) in layer.statements.iter().enumerate() {
                    let matches =
                        s.effect == effect && s.actions.matches(service, name) != s.not_action;
                    let found = candidates.iter().find(|(c, _)| *c as usize == i);
                    if matches {
                        assert!(found.is_some(), "{service}:{name} misses #{i}");
                    }
                    if let Some((_, true)) = found {
                        assert!(matches, "{service}:{name} marks #{i} known");
                    }
                }
                assert!(candidates.windows(2).all(|w| w[0].0 < w[1].0));
            }
        }
    }

    #[test]
    fn compile_errors_name_the_place() {
        let p = policy(
            PolicyKind::Identity,
            r#"{"Statement":[{"Effect":"Allow","Action":"s3GetObject","Resource":"*"}]}"#,
        );
        let e = CompiledPolicySet::compile(&PolicySet {
            identity: vec![p],
            ..Default::default()
        })
        .unwrap_err();
        assert_eq!(e.location.pointer, "/Statement/0/Action");
        let p = policy(
            PolicyKind::Identity,
            r#"{"Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":{"StringEqualz":{"k":"v"}}}]}"#,
        );
        let e = CompiledPolicySet::compile(&PolicySet {
            identity: vec![p],
            ..Default::default()
        })
        .unwrap_err();
        assert_eq!(e.location.pointer, "/Statement/0/Condition/StringEqualz");
    }

    #[test]
    fn compiled_set_is_send_and_sync() {
        fn assert_send_sync<T: Send + Sync>() {}
        assert_send_sync::<CompiledPolicySet>();
    }
}
