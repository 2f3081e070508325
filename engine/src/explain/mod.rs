//! Step 8, explain, the long form of a decision: the explanation tree. Every statement of
//! every layer is tested (no index), each with a reason code and each condition's
//! outcome, and the same combining rule as the fast path turns the layers into the
//! decision. Tests check that both paths always reach the same decision.
//!
//! Two renderings: [`render_text`] for terminals and snapshots, and the JSON forms
//! [`ResponseJson`] ([`Response::to_json_form`]) and [`ExplanationJson`]
//! ([`Explanation::to_json_form`]).

mod json;
mod text;

pub use crate::condition::ConditionOutcome;
pub use crate::eval::StatementVerdict;
pub use json::{
    ConditionJson, DiagnosticJson, ExplanationJson, LayerJson, RequestJson, ResponseJson,
    StatementJson,
};
pub use text::{describe_condition, render_text, statement_name};

use crate::compile::{CompiledLayer, CompiledPolicySet, CompiledStatement};
use crate::condition::CompiledCondition;
use crate::decision::{Deciding, Decision, DecisionReason, Layer, Response, StatementRef};
use crate::eval::{
    decide, fixed_by_service, test_statement, Findings, LayerFacts, Observer, RequestFacts,
};
use crate::model::Effect;
use crate::request::{NotInForce, Request};

/// The full trace of one evaluation.
#[derive(Debug, Clone)]
pub struct Explanation<'a> {
    /// The decision and its summary, identical to what `evaluate` returns.
    pub response: Response<'a>,
    /// Every layer in canonical order, with every statement's verdict.
    pub layers: Vec<LayerTrace>,
}

/// One layer's statements and verdicts.
#[derive(Debug, Clone)]
pub struct LayerTrace {
    /// Which layer.
    pub layer: Layer,
    /// Why this layer is not in force for the request (an SCP for a caller SCPs do
    /// not restrict, an RCP for a service without RCP support): its statements are
    /// still traced, but take no part in the decision.
    pub not_in_force: Option<NotInForce>,
    /// Every statement, in order.
    pub statements: Vec<StatementTrace>,
}

impl LayerTrace {
    /// True when some Allow statement of this layer applies.
    pub fn allows(&self) -> bool {
        self.statements.iter().any(|s| {
            s.effect == Effect::Allow && matches!(s.verdict, StatementVerdict::Applies { .. })
        })
    }

    /// True when some Deny statement of this layer applies.
    pub fn denies(&self) -> bool {
        self.statements.iter().any(|s| {
            s.effect == Effect::Deny && matches!(s.verdict, StatementVerdict::Applies { .. })
        })
    }
}

/// One statement's verdict and the conditions that were evaluated.
#[derive(Debug, Clone)]
pub struct StatementTrace {
    /// Which statement.
    pub statement: StatementRef,
    /// Its effect.
    pub effect: Effect,
    /// The reason code.
    pub verdict: StatementVerdict,
    /// `(condition index, outcome)` for each condition evaluated (stops at the first failing).
    pub conditions: Vec<(usize, ConditionOutcome)>,
}

#[derive(Default)]
struct Recorder<'a> {
    findings: Findings<'a>,
    current: Vec<(usize, ConditionOutcome)>,
}

impl<'a> Observer<'a> for Recorder<'a> {
    fn condition(
        &mut self,
        s: &'a CompiledStatement,
        index: usize,
        c: &'a CompiledCondition,
        outcome: ConditionOutcome,
    ) {
        self.findings.condition(s, index, c, outcome);
        self.current.push((index, outcome));
    }
}

impl CompiledPolicySet {
    /// Evaluates one request and returns the full trace. Slower than
    /// [`CompiledPolicySet::evaluate`] (every statement is visited and recorded), and
    /// always reaches the same decision.
    pub fn explain<'a>(&'a self, request: &Request) -> Explanation<'a> {
        let facts = RequestFacts::new(self, request);
        let mut recorder = Recorder::default();
        let mut layers: Vec<LayerTrace> = self
            .layers()
            .map(|l| trace_layer(l, &facts, &mut recorder))
            .collect();
        for t in &mut layers {
            t.not_in_force = match t.layer {
                Layer::Scp(_) => request.scps_not_in_force(),
                Layer::Rcp(_) => request.rcps_not_in_force(),
                _ => None,
            };
        }
        if let Some(fixed) = fixed_by_service(request) {
            return Explanation {
                response: fixed,
                layers,
            };
        }
        // Layers not in force are shown but take no part in the decision.
        let in_force: Vec<&LayerTrace> =
            layers.iter().filter(|t| t.not_in_force.is_none()).collect();
        let first = |layer: Layer, effect: Effect| {
            in_force.iter().filter(|t| t.layer == layer).find_map(|t| {
                t.statements
                    .iter()
                    .find(|s| {
                        s.effect == effect && matches!(s.verdict, StatementVerdict::Applies { .. })
                    })
                    .map(|s| s.statement)
            })
        };
        let deny = in_force.iter().find_map(|t| {
            t.statements
                .iter()
                .find(|s| {
                    s.effect == Effect::Deny
                        && matches!(s.verdict, StatementVerdict::Applies { .. })
                })
                .map(|s| (t.layer, s.statement))
        });
        let (decision, reason, deciding) = match deny {
            Some((layer, s)) => (
                Decision::ExplicitDeny,
                DecisionReason::ExplicitDeny(layer),
                Deciding::one(Some(s)),
            ),
            None => {
                let mut f = LayerFacts {
                    identity_allow: first(Layer::Identity, Effect::Allow),
                    resource_allow: first(Layer::Resource, Effect::Allow),
                    ..LayerFacts::default()
                };
                for t in &in_force {
                    for s in &t.statements {
                        if let (
                            Layer::Resource,
                            Effect::Allow,
                            StatementVerdict::Applies { principal },
                        ) = (t.layer, s.effect, s.verdict)
                        {
                            f.resource_kinds.0 |= principal.0;
                        }
                    }
                    match t.layer {
                        Layer::Boundary => f.boundary_allows = Some(t.allows()),
                        Layer::Session => f.session_allows = Some(t.allows()),
                        Layer::Scp(level) if !t.allows() && f.scp_blocking_level.is_none() => {
                            f.scp_blocking_level = Some(level)
                        }
                        _ => {}
                    }
                }
                decide(request, &f)
            }
        };
        Explanation {
            response: Response {
                decision,
                reason,
                deciding,
                missing_keys: recorder.findings.missing_keys,
                diagnostics: recorder.findings.diagnostics,
            },
            layers,
        }
    }
}

fn trace_layer<'a>(
    layer: &'a CompiledLayer,
    facts: &RequestFacts<'_>,
    recorder: &mut Recorder<'a>,
) -> LayerTrace {
    let statements = layer
        .statements
        .iter()
        .map(|s| {
            recorder.current.clear();
            let verdict = test_statement(s, facts, recorder);
            StatementTrace {
                statement: s.origin,
                effect: s.effect,
                verdict,
                conditions: std::mem::take(&mut recorder.current),
            }
        })
        .collect();
    LayerTrace {
        layer: layer.layer,
        not_in_force: None,
        statements,
    }
}

impl StatementVerdict {
    /// A stable reason code for machines (`action-not-matched`, `applies`, …).
    pub fn code(&self) -> &'static str {
        match self {
            StatementVerdict::ActionNotMatched => "action-not-matched",
            StatementVerdict::ResourceNotMatched { unresolved: false } => "resource-not-matched",
            StatementVerdict::ResourceNotMatched { unresolved: true } => {
                "resource-variable-unresolved"
            }
            StatementVerdict::PrincipalNotMatched => "principal-not-matched",
            StatementVerdict::PrincipalExcluded => "principal-excluded",
            StatementVerdict::BucketOwnerRootException => "bucket-owner-root-exception",
            StatementVerdict::ConditionNotMet { .. } => "condition-not-met",
            StatementVerdict::Applies { .. } => "applies",
        }
    }
}

#[cfg(test)]
mod scope_tests {
    use super::render_text;
    use crate::compile::{CompiledPolicySet, PolicySet};
    use crate::decision::Decision;
    use crate::model::{Policy, PolicyKind};
    use crate::request::Request;

    fn set() -> CompiledPolicySet {
        let policy = |text: &str, kind| Policy::parse(text, kind, "p.json").expect("parses");
        let allow = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#;
        let deny = r#"{"Version":"2012-10-17","Statement":[{"Sid":"NoAll","Effect":"Deny","Action":"*","Resource":"*"},{"Effect":"Allow","Action":"*","Resource":"*"}]}"#;
        let rcp = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"*","Resource":"*"}]}"#;
        CompiledPolicySet::compile(&PolicySet {
            identity: vec![policy(allow, PolicyKind::Identity)],
            scp: vec![vec![policy(deny, PolicyKind::Scp)]],
            rcp: vec![vec![policy(rcp, PolicyKind::Rcp)]],
            ..PolicySet::default()
        })
        .expect("compiles")
    }

    /// Layers not in force are shown and say why, but decide nothing; explain and
    /// evaluate agree.
    #[test]
    fn layers_not_in_force_are_traced_and_skipped() {
        let set = set();
        let mut r = Request::new(
            "arn:aws:sts::111122223333:assumed-role/AWSServiceRoleForX/s",
            "sns:Publish",
            "*",
        );
        r.context_mut().insert_str(
            "aws:PrincipalArn",
            "arn:aws:iam::111122223333:role/aws-service-role/x.amazonaws.com/AWSServiceRoleForX",
        );
        let e = set.explain(&r);
        assert_eq!(e.response.decision, Decision::Allowed);
        assert_eq!(set.evaluate(&r).decision, Decision::Allowed);
        let text = render_text(&set, &r, &e);
        assert!(
            text.contains("scp[0] — not in force: SCPs do not restrict service-linked roles"),
            "{text}"
        );
        assert!(
            text.contains("rcp[0] — not in force: the service does not support RCPs"),
            "{text}"
        );
        let json = serde_json::to_string(&e.to_json_form(&set, &r)).expect("serialises");
        assert!(json.contains(r#""verdict":"not-in-force""#), "{json}");
        // The same caller as an ordinary role: both layers deny.
        r.context_mut().insert_str(
            "aws:PrincipalArn",
            "arn:aws:iam::111122223333:role/Ordinary",
        );
        assert_eq!(set.explain(&r).response.decision, Decision::ExplicitDeny);
        assert_eq!(set.evaluate(&r).decision, Decision::ExplicitDeny);
    }
}
