//! Step 6, compile — lint: warnings about policies that load and evaluate, but
//! probably not as their author meant, or that AWS itself would refuse to store: size
//! quotas, short or oddly wildcarded ARNs, resources and actions with white space or
//! commas, condition values their operator cannot read, policy variables in an
//! old-version policy, duplicate or non-alphanumeric `Sid`s. Warnings never change
//! a decision; errors are the parse and compile steps' business.
//!
//! A warning that says AWS refuses something fires only where the service that
//! stores that kind of document does refuse it. A [`Policy`] knows its layer, not
//! where it is stored (customer or AWS managed, inline in a user, group or role), so
//! the identity and boundary size warnings fire only above the largest quota a
//! customer can store, and say that only an AWS-managed policy can be that large
//! (AWS-managed policies have no size quota). A resource policy's kind is read from
//! its actions: only `sts:` actions make it a role trust policy (IAM stores it), only
//! `s3:` a bucket policy, only `kms:` a key policy; for any other resource policy we
//! know no quota and say nothing.

use crate::condition::{CompiledCondition, ConditionOperator, ConditionValueErrorKind};
use crate::model::{ConditionEntry, Located, Policy, PolicyKind, PolicyVersion, ScalarValue};
use crate::pattern::arn::{ArnPattern, ArnPatternWarning, VariableScope};
use crate::source::json::Position;
use std::collections::BTreeSet;
use std::fmt;

/// One warning, with where it applies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyWarning {
    /// JSON Pointer within the policy's source (`""` for the whole document).
    pub pointer: String,
    /// Line and column.
    pub position: Position,
    /// What is odd.
    pub kind: PolicyWarningKind,
}

/// The kinds of warning.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PolicyWarningKind {
    /// The document is larger than AWS stores for this kind of policy.
    OverAwsSizeQuota {
        /// The document's size, counted as [`SizeQuota::unit`] says.
        size: usize,
        /// The quota it exceeds, and what AWS does with such a document.
        quota: SizeQuota,
    },
    /// An ARN pattern warning from the pattern module.
    Resource(String, ArnPatternWarning),
    /// An action string with white space or a comma matches nothing it looks like.
    SuspiciousAction(String),
    /// `${…}` appears but the policy is not Version 2012-10-17, so it is literal text.
    VariablesNeedVersion2012,
    /// IAM accepts only letters and digits in `Sid` (identity policies, permissions
    /// boundaries, role trust policies); other services' resource policies accept
    /// more and get no such warning.
    SidNotAlphanumeric(String),
    /// A `Resource`/`NotResource` entry with white space at its start or end: IAM does
    /// not trim it, so `" *"` matches no resource at all.
    ResourceWithWhiteSpace(String),
    /// Two statements share a `Sid`.
    DuplicateSid(String),
    /// The policy has no `Version`: the 2008 language applies.
    MissingVersion,
    /// A condition value that cannot be read as its operator's type (`NumericEquals:
    /// "ten"`, a bad date or CIDR range, `Bool: "maybe"`, bad base-64). The policy
    /// loads; the value compares false against every request value, so a positive
    /// operator never matches on it and a negated one holds (SEMANTICS 7.6).
    ConditionValueUnreadable {
        /// The operator as written.
        operator: String,
        /// The value as written.
        value: String,
        /// What the value is not.
        kind: ConditionValueErrorKind,
    },
}

impl fmt::Display for PolicyWarningKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PolicyWarningKind::OverAwsSizeQuota { size, quota } => write!(
                f,
                "policy is {size} {}, over {} for {}: {}",
                quota.unit, quota.limit, quota.what, quota.consequence
            ),
            PolicyWarningKind::ResourceWithWhiteSpace(r) => write!(
                f,
                "resource `{r}` starts or ends with white space; IAM does not trim it, so it matches no resource"
            ),
            PolicyWarningKind::Resource(text, w) => write!(f, "resource `{text}`: {w}"),
            PolicyWarningKind::SuspiciousAction(a) => write!(
                f,
                "action `{a}` contains white space or a comma; IAM does not trim or split it, so it matches nothing it looks like"
            ),
            PolicyWarningKind::VariablesNeedVersion2012 => f.write_str(
                "`${…}` is literal text here: policy variables need `\"Version\": \"2012-10-17\"`",
            ),
            PolicyWarningKind::SidNotAlphanumeric(s) => {
                write!(f, "`Sid` `{s}` has characters other than letters and digits; IAM refuses it")
            }
            PolicyWarningKind::DuplicateSid(s) => write!(f, "`Sid` `{s}` is used by more than one statement"),
            PolicyWarningKind::MissingVersion => f.write_str(
                "no `Version`: the 2008-10-17 language applies (no policy variables); add `\"Version\": \"2012-10-17\"`",
            ),
            PolicyWarningKind::ConditionValueUnreadable { operator, value, kind } => write!(
                f,
                "condition value `{value}` {kind}: `{operator}` compares it false against every request value (a negated operator holds)"
            ),
        }
    }
}

/// A size quota AWS applies to a kind of policy document, and what happens above it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SizeQuota {
    /// The largest size AWS stores.
    pub limit: usize,
    /// How the size is counted: `"characters (white space excluded)"` (IAM's count) or
    /// `"bytes"`.
    pub unit: &'static str,
    /// What the quota is for.
    pub what: &'static str,
    /// What AWS does with a larger document.
    pub consequence: &'static str,
    counts_bytes: bool,
}

impl SizeQuota {
    const fn characters(limit: usize, what: &'static str, consequence: &'static str) -> Self {
        SizeQuota {
            limit,
            unit: "characters (white space excluded)",
            what,
            consequence,
            counts_bytes: false,
        }
    }

    /// The size of `text` as this quota counts it. IAM does not count white space
    /// (IAM User Guide, reference_iam-quotas, "IAM and STS character quotas"); for
    /// the quotas whose pages do not say, white space is left out too, so the warning
    /// never fires on a document only its indentation makes large.
    fn measure(&self, text: &str) -> usize {
        if self.counts_bytes {
            text.len()
        } else {
            text.chars().filter(|c| !c.is_whitespace()).count()
        }
    }
}

/// The one service prefix every `Action` entry of a resource policy names, if any
/// (`NotAction` or `*` name no service).
fn sole_action_service(policy: &Policy) -> Option<String> {
    let mut service: Option<String> = None;
    for s in &policy.statements {
        if s.action.negated {
            return None;
        }
        for a in &s.action.entries {
            let prefix = a.value.split_once(':')?.0.to_ascii_lowercase();
            match &service {
                Some(known) if *known != prefix => return None,
                Some(_) => {}
                None => service = Some(prefix),
            }
        }
    }
    service
}

/// The quotas AWS applies to `policy` above which a warning is right, in the order
/// to test them (the first one exceeded is reported). Sources: IAM User Guide,
/// reference_iam-quotas (managed policy 6,144; inline policies per user 2,048, group
/// 5,120, role 10,240 in total; role trust policy 2,048 by default, at most 4,096);
/// STS API reference, AssumeRole `Policy` (session policy 2,048 characters); AWS
/// Organizations User Guide, "Quotas for AWS Organizations" (SCPs and RCPs 5,120);
/// Amazon S3 User Guide, "Adding a bucket policy" ("Bucket policies are limited to
/// 20 KB in size"); AWS KMS Developer Guide, "Quotas" (key policy document 32 KB,
/// 32,768 bytes).
pub fn aws_size_quotas(policy: &Policy) -> Vec<SizeQuota> {
    match policy.kind {
        // A Policy does not know whether it is customer managed, inline in a user,
        // group or role, or AWS managed, and AWS-managed policies (also usable as
        // boundaries) have no quota: 40 of the 1,594 current ones are over 10,240
        // characters. Any size warning would be a false one on them, so identity
        // policies and boundaries get none (a linter told the store can check it).
        PolicyKind::Identity | PolicyKind::Boundary => Vec::new(),
        PolicyKind::Session => vec![SizeQuota::characters(
            2_048,
            "a session policy",
            "STS refuses a session policy this large",
        )],
        PolicyKind::Scp => vec![SizeQuota::characters(
            5_120,
            "a service control policy",
            "AWS Organizations refuses to store an SCP this large",
        )],
        PolicyKind::Rcp => vec![SizeQuota::characters(
            5_120,
            "a resource control policy",
            "AWS Organizations refuses to store an RCP this large",
        )],
        PolicyKind::Resource => match sole_action_service(policy).as_deref() {
            Some("sts") => vec![
                SizeQuota::characters(
                    4_096,
                    "a role trust policy, the most its quota can be raised to",
                    "IAM refuses it",
                ),
                SizeQuota::characters(
                    2_048,
                    "a role trust policy by default",
                    "IAM refuses it unless the account's quota was raised (up to 4,096)",
                ),
            ],
            Some("s3") => vec![SizeQuota::characters(
                20_480,
                "an S3 bucket policy (20 KB)",
                "S3 refuses a bucket policy this large",
            )],
            Some("kms") => vec![SizeQuota {
                limit: 32_768,
                unit: "bytes",
                what: "a KMS key policy (32 KB)",
                consequence: "KMS refuses a key policy this large",
                counts_bytes: true,
            }],
            _ => Vec::new(),
        },
    }
}

/// Whether the service that stores `policy` refuses a `Sid` other than letters and
/// digits: IAM does (IAM User Guide, reference_policies_elements_sid: "The Sid
/// element supports ASCII uppercase letters (A-Z), lowercase letters (a-z), and
/// numbers (0-9)"), for the policies it stores — identity policies, boundaries and
/// role trust policies. Other services' resource policies accept more (the KMS
/// default key policy's `Enable IAM User Permissions`), and for SCPs, RCPs and
/// session policies we know no such rule.
fn sid_must_be_alphanumeric(policy: &Policy) -> bool {
    match policy.kind {
        PolicyKind::Identity | PolicyKind::Boundary => true,
        PolicyKind::Resource => sole_action_service(policy).as_deref() == Some("sts"),
        PolicyKind::Session | PolicyKind::Scp | PolicyKind::Rcp => false,
    }
}

impl Policy {
    /// Warnings about this policy. `source_text` is the document's text when known
    /// (for the size quota); policies embedded in other files pass `None`.
    pub fn warnings(&self, source_text: Option<&str>) -> Vec<PolicyWarning> {
        let mut out = Vec::new();
        let at = |pointer: &str, position: Position, kind| PolicyWarning {
            pointer: format!("{}{}", self.pointer, pointer),
            position,
            kind,
        };
        let start = self
            .statements
            .first()
            .map(|s| s.position)
            .unwrap_or_default();
        if let Some(text) = source_text {
            let over = aws_size_quotas(self)
                .into_iter()
                .map(|quota| (quota.measure(text), quota))
                .find(|(size, quota)| *size > quota.limit);
            if let Some((size, quota)) = over {
                out.push(at(
                    "",
                    Position { line: 1, column: 1 },
                    PolicyWarningKind::OverAwsSizeQuota { size, quota },
                ));
            }
        }
        let sid_rule = sid_must_be_alphanumeric(self);
        if self.version == PolicyVersion::Absent {
            // A whole file starts at 1:1; an embedded policy (a case's) is shown where
            // its statements start, the nearest position it records.
            let position = if self.pointer.is_empty() {
                Position { line: 1, column: 1 }
            } else {
                start
            };
            out.push(at("", position, PolicyWarningKind::MissingVersion));
        }
        let variables = self.version.variables_enabled();
        let mut sids = BTreeSet::new();
        let mut uses_variable_syntax = false;
        for s in &self.statements {
            if let Some(sid) = &s.sid {
                if sid_rule && !sid.chars().all(|c| c.is_ascii_alphanumeric()) {
                    out.push(at(
                        &format!("{}/Sid", s.pointer),
                        s.position,
                        PolicyWarningKind::SidNotAlphanumeric(sid.clone()),
                    ));
                }
                if !sids.insert(sid.clone()) {
                    out.push(at(
                        &format!("{}/Sid", s.pointer),
                        s.position,
                        PolicyWarningKind::DuplicateSid(sid.clone()),
                    ));
                }
            }
            for a in &s.action.entries {
                if a.value.contains([' ', '\t', ',']) {
                    out.push(at(
                        &a.pointer,
                        a.position,
                        PolicyWarningKind::SuspiciousAction(a.value.clone()),
                    ));
                }
            }
            if let Some(r) = &s.resource {
                for e in &r.entries {
                    uses_variable_syntax |= e.value.contains("${");
                    if e.value.trim() != e.value {
                        out.push(at(
                            &e.pointer,
                            e.position,
                            PolicyWarningKind::ResourceWithWhiteSpace(e.value.clone()),
                        ));
                    }
                    let pattern =
                        ArnPattern::parse(&e.value, variables, VariableScope::ResourcePart);
                    for w in pattern.warnings() {
                        // Patterns that match nothing are compile errors, not warnings.
                        // A wildcard inside the resource type is a style matter for a
                        // linter: AWS stores it, ships it in its own managed policies
                        // (`arn:aws:aws-marketplace:*:*:AWSMarketplace*/*`, 27 current
                        // documents), and it is matched as written (SEMANTICS §11.15).
                        let quiet = matches!(
                            w,
                            ArnPatternWarning::MatchesNothing
                                | ArnPatternWarning::WildcardInResourceType { .. }
                        );
                        if !quiet {
                            out.push(at(
                                &e.pointer,
                                e.position,
                                PolicyWarningKind::Resource(e.value.clone(), w.clone()),
                            ));
                        }
                    }
                }
            }
            for c in &s.conditions {
                for (v, kind) in unreadable_condition_values(c, variables) {
                    out.push(at(
                        &v.pointer,
                        v.position,
                        PolicyWarningKind::ConditionValueUnreadable {
                            operator: c.operator.value.clone(),
                            value: scalar_text(&v.value),
                            kind,
                        },
                    ));
                }
                uses_variable_syntax |= c
                    .values
                    .iter()
                    .any(|v| matches!(&v.value, super::ScalarValue::String(t) if t.contains("${")));
            }
        }
        if uses_variable_syntax && !variables {
            out.push(at("", start, PolicyWarningKind::VariablesNeedVersion2012));
        }
        out
    }
}

fn scalar_text(value: &ScalarValue) -> String {
    match value {
        ScalarValue::String(s) | ScalarValue::Number(s) => s.clone(),
        ScalarValue::Bool(b) => b.to_string(),
    }
}

/// The values of one condition entry that cannot be read as its operator's type.
/// An unknown operator or a value list that does not
/// compile at all is the compile step's error, not a warning: none here.
fn unreadable_condition_values(
    c: &ConditionEntry,
    variables: bool,
) -> Vec<(&Located<ScalarValue>, ConditionValueErrorKind)> {
    let Ok(operator) = ConditionOperator::parse(&c.operator.value) else {
        return Vec::new();
    };
    let values = super::policy_values(c);
    let Ok(compiled) = CompiledCondition::compile(operator, &c.key.value, &values, variables)
    else {
        return Vec::new();
    };
    compiled
        .unreadable_values()
        .iter()
        .filter_map(|e| Some((c.values.get(e.index)?, e.kind)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn warnings(text: &str, kind: PolicyKind) -> Vec<PolicyWarningKind> {
        let p = Policy::parse(text, kind, "w.json").unwrap_or_else(|e| panic!("{e}"));
        p.warnings(Some(text)).into_iter().map(|w| w.kind).collect()
    }

    /// A policy of `kind` whose statements are `statements` (JSON) padded with `n`
    /// extra actions of `service`, about 15 + digits characters each.
    fn padded(service: &str, n: usize, principal: bool) -> String {
        let actions: Vec<String> = (0..n)
            .map(|i| format!("\"{service}:Action{i:05}\""))
            .collect();
        let principal = if principal {
            r#""Principal":{"AWS":"111122223333"},"#
        } else {
            ""
        };
        format!(
            r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow",{principal}"Action":[{}],"Resource":"*"}}]}}"#,
            actions.join(",")
        )
    }

    fn size_warning(text: &str, kind: PolicyKind) -> Option<String> {
        warnings(text, kind).into_iter().find_map(|w| match w {
            PolicyWarningKind::OverAwsSizeQuota { .. } => Some(w.to_string()),
            _ => None,
        })
    }

    fn size(text: &str) -> usize {
        text.chars().filter(|c| !c.is_whitespace()).count()
    }

    /// Identity policies and boundaries may be AWS managed, which have no size quota
    /// (40 current ones exceed every customer quota): no size warning can be right.
    #[test]
    fn identity_policies_and_boundaries_draw_no_size_warning() {
        let big = padded("s3", 600, false);
        assert!(size(&big) > 10_240);
        assert_eq!(size_warning(&big, PolicyKind::Identity), None);
        assert_eq!(size_warning(&big, PolicyKind::Boundary), None);
        // Kinds with one quota still warn.
        assert!(size_warning(&big, PolicyKind::Scp).is_some());
    }

    #[test]
    fn each_kind_names_its_own_quota() {
        let s = padded("s3", 150, false); // ≈ 2,900
        assert!((2_048..4_096).contains(&size(&s)), "{}", size(&s));
        let w = size_warning(&s, PolicyKind::Session).unwrap_or_default();
        assert!(
            w.contains("over 2048 for a session policy: STS refuses"),
            "{w}"
        );
        assert_eq!(size_warning(&s, PolicyKind::Scp), None);
        let scp = padded("s3", 300, false);
        let w = size_warning(&scp, PolicyKind::Scp).unwrap_or_default();
        assert!(
            w.contains("over 5120 for a service control policy: AWS Organizations refuses"),
            "{w}"
        );
        let rcp = padded("s3", 300, true).replace("Allow", "Deny");
        let w = size_warning(&rcp, PolicyKind::Rcp).unwrap_or_default();
        assert!(w.contains("over 5120 for a resource control policy"), "{w}");

        // Role trust policies: 2,048 by default, raisable to 4,096.
        let trust = padded("sts", 150, true);
        let w = size_warning(&trust, PolicyKind::Resource).unwrap_or_default();
        assert!(w.contains("over 2048 for a role trust policy by default: IAM refuses it unless the account's quota was raised (up to 4,096)"), "{w}");
        let trust = padded("sts", 300, true);
        let w = size_warning(&trust, PolicyKind::Resource).unwrap_or_default();
        assert!(w.contains("over 4096 for a role trust policy, the most its quota can be raised to: IAM refuses it"), "{w}");

        // S3 bucket policies 20 KB, KMS key policies 32 KB (bytes, white space included).
        let bucket = padded("s3", 1_200, true);
        assert!(
            (20_480..32_768).contains(&size(&bucket)),
            "{}",
            size(&bucket)
        );
        let w = size_warning(&bucket, PolicyKind::Resource).unwrap_or_default();
        assert!(
            w.contains("over 20480 for an S3 bucket policy (20 KB): S3 refuses"),
            "{w}"
        );
        let key = padded("kms", 1_200, true);
        assert_eq!(size_warning(&key, PolicyKind::Resource), None);
        let key = padded("kms", 1_900, true);
        let w = size_warning(&key, PolicyKind::Resource).unwrap_or_default();
        assert!(
            w.contains("bytes, over 32768 for a KMS key policy (32 KB): KMS refuses"),
            "{w}"
        );
        // Another service, or a mix: no quota we know, no warning.
        assert_eq!(
            size_warning(&padded("sns", 1_900, true), PolicyKind::Resource),
            None
        );
    }

    /// IAM refuses non-alphanumeric Sids in what it stores; other services accept them
    /// (the KMS default key policy's `Enable IAM User Permissions`).
    #[test]
    fn sid_characters_warn_only_where_iam_stores_the_policy() {
        let sid = |kind: PolicyKind, action: &str, principal: bool| {
            let principal = if principal {
                r#""Principal":{"AWS":"arn:aws:iam::111122223333:root"},"#
            } else {
                ""
            };
            let text = format!(
                r#"{{"Version":"2012-10-17","Statement":[{{"Sid":"Enable IAM User Permissions","Effect":"Allow",{principal}"Action":"{action}","Resource":"*"}}]}}"#
            );
            warnings(&text, kind).contains(&PolicyWarningKind::SidNotAlphanumeric(
                "Enable IAM User Permissions".into(),
            ))
        };
        assert!(sid(PolicyKind::Identity, "s3:GetObject", false));
        assert!(sid(PolicyKind::Boundary, "s3:GetObject", false));
        assert!(
            sid(PolicyKind::Resource, "sts:AssumeRole", true),
            "a role trust policy"
        );
        assert!(
            !sid(PolicyKind::Resource, "kms:*", true),
            "a KMS key policy"
        );
        assert!(
            !sid(PolicyKind::Resource, "s3:GetObject", true),
            "an S3 bucket policy"
        );
        assert!(!sid(PolicyKind::Resource, "sqs:SendMessage", true));
        assert!(!sid(PolicyKind::Scp, "s3:GetObject", false));
    }

    /// `" *"` matches nothing: IAM does not trim resources.
    #[test]
    fn resources_with_white_space_warn() {
        let text = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"s3:*","Resource":[" *","arn:aws:s3:::b/* ","arn:aws:s3:::c/*"]},
            {"Effect":"Allow","Action":"s3:GetObject","NotResource":"\t*"}]}"#;
        let w = warnings(text, PolicyKind::Identity);
        assert!(
            w.contains(&PolicyWarningKind::ResourceWithWhiteSpace(" *".into())),
            "{w:?}"
        );
        assert!(w.contains(&PolicyWarningKind::ResourceWithWhiteSpace(
            "arn:aws:s3:::b/* ".into()
        )));
        assert!(w.contains(&PolicyWarningKind::ResourceWithWhiteSpace("\t*".into())));
        assert!(!w.contains(&PolicyWarningKind::ResourceWithWhiteSpace(
            "arn:aws:s3:::c/*".into()
        )));
        assert_eq!(
            PolicyWarningKind::ResourceWithWhiteSpace(" *".into()).to_string(),
            "resource ` *` starts or ends with white space; IAM does not trim it, so it matches no resource"
        );
    }

    #[test]
    fn style_warnings() {
        let text = r#"{"Statement":[
            {"Sid":"a-b","Effect":"Allow","Action":"s3:Get Object","Resource":"arn:aws:s3:::home/${aws:username}/*"},
            {"Sid":"a-b","Effect":"Deny","Action":"s3:*","Resource":"arn:aws:conn*ect:us-east-1:1:*tance/x"}]}"#;
        let w = warnings(text, PolicyKind::Identity);
        assert!(w.contains(&PolicyWarningKind::MissingVersion));
        assert!(w.contains(&PolicyWarningKind::VariablesNeedVersion2012));
        assert!(w.contains(&PolicyWarningKind::SidNotAlphanumeric("a-b".into())));
        assert!(w.contains(&PolicyWarningKind::DuplicateSid("a-b".into())));
        assert!(w.contains(&PolicyWarningKind::SuspiciousAction("s3:Get Object".into())));
        assert!(w.iter().any(|w| matches!(
            w,
            PolicyWarningKind::Resource(_, ArnPatternWarning::WildcardInService { .. })
        )));
    }

    /// A condition value its operator cannot read loads with a warning located at
    /// the value itself (position and JSON Pointer), not a refusal.
    #[test]
    fn unreadable_condition_values_are_located_warnings() {
        let text = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"*","Resource":"*",
            "Condition":{"NotIpAddress":{"aws:SourceIp":["10.0.0.0/8","203.0.113.0/33"]},
                         "NumericLessThan":{"s3:max-keys":"ten"},
                         "Bool":{"aws:SecureTransport":"maybe"},
                         "DateGreaterThan":{"aws:CurrentTime":"2024-13-01T00:00:00Z"},
                         "StringEquals":{"aws:username":"ten"}}}]}"#;
        let p =
            Policy::parse(text, PolicyKind::Identity, "w.json").unwrap_or_else(|e| panic!("{e}"));
        let found: Vec<(String, String, String)> = p
            .warnings(None)
            .into_iter()
            .filter(|w| matches!(w.kind, PolicyWarningKind::ConditionValueUnreadable { .. }))
            .map(|w| (w.pointer, w.position.to_string(), w.kind.to_string()))
            .collect();
        assert_eq!(
            found,
            [
                (
                    "/Statement/0/Condition/NotIpAddress/aws:SourceIp/1".to_owned(),
                    "2:71".to_owned(),
                    "condition value `203.0.113.0/33` is not an IP address or CIDR range: `NotIpAddress` compares it false against every request value (a negated operator holds)".to_owned()
                ),
                (
                    "/Statement/0/Condition/NumericLessThan/s3:max-keys".to_owned(),
                    "3:59".to_owned(),
                    "condition value `ten` is not a number: `NumericLessThan` compares it false against every request value (a negated operator holds)".to_owned()
                ),
                (
                    "/Statement/0/Condition/Bool/aws:SecureTransport".to_owned(),
                    "4:56".to_owned(),
                    "condition value `maybe` is not `true` or `false`: `Bool` compares it false against every request value (a negated operator holds)".to_owned()
                ),
                (
                    "/Statement/0/Condition/DateGreaterThan/aws:CurrentTime".to_owned(),
                    "5:63".to_owned(),
                    "condition value `2024-13-01T00:00:00Z` is not a date (ISO 8601 such as `2024-01-01T00:00:00Z`, or epoch seconds): `DateGreaterThan` compares it false against every request value (a negated operator holds)".to_owned()
                ),
            ]
        );
    }

    #[test]
    fn a_clean_policy_has_no_warnings() {
        let text = r#"{"Version":"2012-10-17","Statement":[{"Sid":"Read","Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}]}"#;
        assert!(warnings(text, PolicyKind::Identity).is_empty());
    }
}
