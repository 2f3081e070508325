//! Step 8, explain, rendered for machines: the one JSON form of a [`Response`] and of an
//! [`Explanation`], with serde.
//!
//! A [`Response`] borrows the statements of its compiled set, so its JSON form is a
//! separate, owned view built with the set at hand: [`Response::to_json_form`] →
//! [`ResponseJson`], and [`Explanation::to_json_form`] → [`ExplanationJson`]. Field
//! names are `snake_case`; statements are named `Sid (source:line:col)` (or
//! `#index (…)` without a `Sid`), as text output names them; layers by their
//! [`Layer`](crate::Layer) text (`identity`, `resource`, `scp[0]`, …).

use super::text::{describe_condition, statement_name};
use super::Explanation;
use crate::compile::CompiledPolicySet;
use crate::decision::{Decision, Response};
use crate::eval::StatementVerdict;
use crate::model::Effect;
use crate::request::{Context, Request};
use crate::source::Location;
use serde::Serialize;

/// The JSON form of a [`Response`]: what every iamsim command writes for a decision.
///
/// Fields, in this order: `decision` (`allowed`, `explicitDeny` or `implicitDeny`),
/// `reason` (the [`DecisionReason`](crate::DecisionReason) text), `deciding` (the
/// deciding statements), `blocked_by` (the blocking layer of a denial, or `null`) and
/// `missing_keys` (context keys the conditions tested but the request lacked, as the
/// policy spells them).
///
/// ```
/// use iamsim_engine::{CompiledPolicySet, Policy, PolicyKind, PolicySet, Request};
///
/// let policy = Policy::parse(
///     r#"{"Version":"2012-10-17","Statement":{"Sid":"Read","Effect":"Allow",
///         "Action":"s3:GetObject","Resource":"*",
///         "Condition":{"Bool":{"aws:SecureTransport":"true"}}}}"#,
///     PolicyKind::Identity,
///     "p.json",
/// )?;
/// let set = CompiledPolicySet::compile(&PolicySet { identity: vec![policy], ..Default::default() })?;
/// let request = Request::new("arn:aws:iam::123456789012:user/bob", "s3:GetObject", "arn:aws:s3:::b/k");
/// let json = set.evaluate(&request).to_json_form(&set);
/// assert_eq!(
///     serde_json::to_string(&json).unwrap(),
///     r#"{"decision":"implicitDeny","reason":"no identity policy statement allows the action on the resource","deciding":[],"blocked_by":"identity","missing_keys":["aws:SecureTransport"]}"#
/// );
/// # Ok::<(), iamsim_engine::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ResponseJson {
    /// The decision.
    pub decision: Decision,
    /// Why, in words.
    pub reason: String,
    /// The deciding statements, `Sid (source:line:col)`.
    pub deciding: Vec<String>,
    /// The layer that blocked a denial (`identity`, `resource`, `scp[0]`, …).
    pub blocked_by: Option<String>,
    /// Condition keys tested but absent from the request.
    pub missing_keys: Vec<String>,
}

impl Response<'_> {
    /// The JSON form of this response; `set` is the compiled set that produced it.
    pub fn to_json_form(&self, set: &CompiledPolicySet) -> ResponseJson {
        ResponseJson {
            decision: self.decision,
            reason: self.reason.to_string(),
            deciding: self
                .deciding
                .iter()
                .map(|s| statement_name(set, s))
                .collect(),
            blocked_by: self.blocked_by().map(|l| l.to_string()),
            missing_keys: self.missing_keys.iter().map(|k| (*k).to_owned()).collect(),
        }
    }
}

/// The JSON form of an [`Explanation`]: the decision, the request as evaluated, and
/// every statement of every layer with its verdict and condition outcomes.
///
/// ```json
/// {
///   "response": { "decision": "explicitDeny", "reason": "…", "deciding": ["…"],
///                 "blocked_by": "resource", "missing_keys": [] },
///   "diagnostics": [],
///   "indeterminate_deny": false,
///   "request": { "principal": "…", "action": "s3:GetObject", "resource": "…",
///                "principal_account": "123456789012", "resource_account": null,
///                "context": { "aws:userid": "AROA…:alice" } },
///   "layers": [
///     { "layer": "resource", "verdict": "denies", "statements": [
///       { "name": "Lock (bucket.json:4:9)", "sid": "Lock", "index": 0, "effect": "Deny",
///         "location": { "source": "bucket.json", "line": 4, "column": 9,
///                       "pointer": "/Statement/0" },
///         "verdict": "applies", "principal_match": ["wildcard"],
///         "conditions": [
///           { "index": 0, "condition": "StringNotLike aws:userId [\"…\"]",
///             "operator": "StringNotLike", "key": "aws:userId", "values": ["…"],
///             "matched": true, "key_absent": false,
///             "request_values": ["AROA…:alice"], "diagnostic": null } ] } ] } ]
/// }
/// ```
///
/// `layers` lists every layer in canonical order (identity, resource, boundary,
/// session, SCP levels, RCP levels); `conditions` holds the conditions that were
/// evaluated, which stop at the first that fails. Context values are a string for a
/// single-valued key and an array for a multivalued one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExplanationJson {
    /// The decision, as [`ResponseJson`].
    pub response: ResponseJson,
    /// Values that could not be compared.
    pub diagnostics: Vec<DiagnosticJson>,
    /// A Deny was skipped because of a value it could not compare
    /// ([`Response::has_indeterminate_deny`]).
    pub indeterminate_deny: bool,
    /// The request as evaluated.
    pub request: RequestJson,
    /// Every layer, with every statement.
    pub layers: Vec<LayerJson>,
}

/// A value that could not be compared, in [`ExplanationJson`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DiagnosticJson {
    /// The statement whose condition it was, `Sid (source:line:col)`.
    pub statement: String,
    /// That statement's effect.
    pub effect: Effect,
    /// The condition key, as the policy spells it.
    pub key: String,
    /// What went wrong, in words.
    pub problem: String,
    /// Whether the condition held despite it.
    pub condition_matched: bool,
}

/// The request of an [`ExplanationJson`], after normalisation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RequestJson {
    /// The caller's ARN (or service principal, or `*` for anonymous).
    pub principal: String,
    /// The action as given.
    pub action: String,
    /// The resource ARN as given.
    pub resource: String,
    /// The caller's account, if known.
    pub principal_account: Option<String>,
    /// The resource's account, if known.
    pub resource_account: Option<String>,
    /// The context keys, as the caller spelled them.
    pub context: Context,
}

/// One layer of an [`ExplanationJson`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LayerJson {
    /// Which layer: `identity`, `resource`, `boundary`, `session`, `scp[N]`, `rcp[N]`.
    pub layer: String,
    /// `denies`, `allows`, `no-applicable-statement`, or `not-in-force`.
    pub verdict: &'static str,
    /// Why the layer is not in force for this request (SEMANTICS §9.4a, §9.3a), when
    /// it is not.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub not_in_force: Option<String>,
    /// Every statement of the layer, in order.
    pub statements: Vec<StatementJson>,
}

/// One statement of a [`LayerJson`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StatementJson {
    /// `Sid (source:line:col)`, as text output names it.
    pub name: String,
    /// `Sid`, if any.
    pub sid: Option<String>,
    /// Index of the statement in its policy.
    pub index: usize,
    /// `Allow` or `Deny`.
    pub effect: Effect,
    /// Where the statement is.
    pub location: Location,
    /// The reason code ([`StatementVerdict::code`]): `applies`, `action-not-matched`, …
    pub verdict: &'static str,
    /// For an applying resource-policy statement, how its `Principal` matched the
    /// caller (`direct`, `role`, `federating-user`, `account`, `wildcard`).
    pub principal_match: Vec<&'static str>,
    /// The conditions evaluated, in order.
    pub conditions: Vec<ConditionJson>,
}

/// One evaluated condition of a [`StatementJson`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ConditionJson {
    /// Index of the condition in its statement.
    pub index: usize,
    /// `Operator key [values]`, as text output shows it.
    pub condition: String,
    /// The operator, with its qualifiers (`ForAnyValue:StringLike`, `…IfExists`).
    pub operator: String,
    /// The condition key, as the policy spells it.
    pub key: String,
    /// The policy values, as written.
    pub values: Vec<String>,
    /// Whether the condition held.
    pub matched: bool,
    /// The key was absent from the request.
    pub key_absent: bool,
    /// The request's values for the key, when present.
    pub request_values: Option<Vec<String>>,
    /// Why a comparison could not be made, in words.
    pub diagnostic: Option<String>,
}

impl Explanation<'_> {
    /// The JSON form of this explanation; `set` and `request` are the compiled set
    /// and the request it explains.
    pub fn to_json_form(&self, set: &CompiledPolicySet, request: &Request) -> ExplanationJson {
        let r = &self.response;
        ExplanationJson {
            response: r.to_json_form(set),
            diagnostics: r
                .diagnostics
                .iter()
                .map(|d| DiagnosticJson {
                    statement: statement_name(set, d.statement),
                    effect: d.effect,
                    key: d.key.to_owned(),
                    problem: d.kind.to_string(),
                    condition_matched: d.condition_matched,
                })
                .collect(),
            indeterminate_deny: r.has_indeterminate_deny(),
            request: RequestJson {
                principal: request.principal().to_owned(),
                action: request.action().to_owned(),
                resource: request.resource().to_owned(),
                principal_account: request.principal_account().map(str::to_owned),
                resource_account: request.resource_account().map(str::to_owned),
                context: request.context().clone(),
            },
            layers: self
                .layers
                .iter()
                .map(|layer| LayerJson {
                    layer: layer.layer.to_string(),
                    verdict: match (layer.not_in_force, layer.denies(), layer.allows()) {
                        (Some(_), _, _) => "not-in-force",
                        (None, true, _) => "denies",
                        (None, false, true) => "allows",
                        (None, false, false) => "no-applicable-statement",
                    },
                    not_in_force: layer.not_in_force.map(|why| why.to_string()),
                    statements: layer
                        .statements
                        .iter()
                        .filter_map(|s| statement_json(set, request, s))
                        .collect(),
                })
                .collect(),
        }
    }
}

fn statement_json(
    set: &CompiledPolicySet,
    request: &Request,
    s: &super::StatementTrace,
) -> Option<StatementJson> {
    let info = set.statement_info(s.statement)?;
    let conditions = set.conditions(s.statement);
    Some(StatementJson {
        name: statement_name(set, s.statement),
        sid: info.sid.clone(),
        index: s.statement.statement as usize,
        effect: s.effect,
        location: info.location.clone(),
        verdict: s.verdict.code(),
        principal_match: match s.verdict {
            StatementVerdict::Applies { principal } => {
                principal.iter().map(|k| k.as_str()).collect()
            }
            _ => Vec::new(),
        },
        conditions: s
            .conditions
            .iter()
            .filter_map(|(i, outcome)| {
                let c = conditions.get(*i)?;
                Some(ConditionJson {
                    index: *i,
                    condition: describe_condition(c),
                    operator: c.operator.to_string(),
                    key: c.key_as_written.to_string(),
                    values: c.values_as_written().map(str::to_owned).collect(),
                    matched: outcome.matched,
                    key_absent: outcome.key_absent,
                    request_values: if outcome.key_absent {
                        None
                    } else {
                        request
                            .context()
                            .get(&c.key)
                            .map(|v| v.values().iter().map(|v| v.to_string()).collect())
                    },
                    diagnostic: outcome.diagnostic.map(|d| d.to_string()),
                })
            })
            .collect(),
    })
}

#[cfg(test)]
mod tests {
    use crate::compile::{CompiledPolicySet, PolicySet};
    use crate::model::{Policy, PolicyKind};
    use crate::request::Request;

    /// The flagship lock: the Connect instance admin reading a recording is denied by
    /// the bucket policy, because its `aws:userId` is not on the lock's list.
    fn connect_lock() -> (CompiledPolicySet, Request) {
        let admin = Policy::parse(
            include_str!("../../../fixtures/connect/instance-admin-policy.json"),
            PolicyKind::Identity,
            "fixtures/connect/instance-admin-policy.json",
        );
        let lock = Policy::parse(
            include_str!("../../../fixtures/connect/recordings-bucket-lock.json"),
            PolicyKind::Resource,
            "fixtures/connect/recordings-bucket-lock.json",
        );
        let (Ok(admin), Ok(lock)) = (admin, lock) else {
            panic!("the flagship policies parse");
        };
        let set = CompiledPolicySet::compile(&PolicySet {
            identity: vec![admin],
            resource: Some(lock),
            ..PolicySet::default()
        });
        let Ok(set) = set else {
            panic!("the flagship policies compile");
        };
        let mut request = Request::new(
            "arn:aws:sts::123456789012:assumed-role/ConnectInstanceAdmin/alice",
            "s3:GetObject",
            "arn:aws:s3:::connect-recordings-mycc/x.wav",
        );
        request
            .context_mut()
            .insert_str("aws:userid", "AROAXINSTADMINEXAMPLE:alice");
        (set, request)
    }

    #[test]
    fn response_json_form_keeps_the_batch_fields_and_order() {
        let (set, request) = connect_lock();
        let json = serde_json::to_string(&set.evaluate(&request).to_json_form(&set));
        assert_eq!(
            json.ok().as_deref(),
            Some(concat!(
                r#"{"decision":"explicitDeny","#,
                r#""reason":"a Deny statement in the resource policy applies","#,
                r#""deciding":["LockRecordingsToConnectAndAdmin (fixtures/connect/recordings-bucket-lock.json:4:9)"],"#,
                r#""blocked_by":"resource","missing_keys":[]}"#
            ))
        );
    }

    #[test]
    fn explanation_json_form_of_the_connect_lock() {
        let (set, request) = connect_lock();
        let json =
            serde_json::to_string_pretty(&set.explain(&request).to_json_form(&set, &request));
        let expected = include_str!("testdata/connect-lock-explanation.json");
        assert_eq!(json.ok().as_deref(), Some(expected.trim_end()));
    }
}
