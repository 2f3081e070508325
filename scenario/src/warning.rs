//! Warnings about loaded policies: located (file, line:col, JSON Pointer), never
//! changing a decision. Commands print them, turn them into annotations and JUnit
//! output, and fail the run on them under `--strict`.

use crate::suggest::did_you_mean;
use iamsim_catalog::{ActionInfo, Catalog, ConditionKeyType, KeyScope, Service, ValueType};
use iamsim_engine::model::{ConditionEntry, Located, Policy, PolicyKind, Statement};
use iamsim_engine::{Location, PolicyWarning, PolicyWarningKind};
use std::fmt;

/// One warning about a policy, where it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Warning {
    /// The file (or `file` + pointer prefix for embedded policies), line:col and
    /// JSON Pointer of the element.
    pub location: Location,
    /// What is odd, in words.
    pub message: String,
    /// The lint code of the check that found it ([`crate::lint::RULES`]).
    pub code: &'static str,
}

impl Warning {
    /// The warnings of one parsed policy; `text` is its own source text when the
    /// policy is a whole file (for the size quota), `None` when it is embedded.
    /// `catalog` decides which actions exist (the pinned one, or it plus an overlay).
    pub fn of_policy(policy: &Policy, text: Option<&str>, catalog: &Catalog) -> Vec<Warning> {
        let mut out: Vec<Warning> = policy
            .warnings(text)
            .into_iter()
            .map(|w| Warning::of(policy, w))
            .collect();
        out.extend(catalog_warnings(policy, catalog));
        out.sort_by_key(|w| (w.location.position.line, w.location.position.column));
        out
    }

    fn of(policy: &Policy, w: PolicyWarning) -> Warning {
        Warning {
            code: engine_code(policy, &w.kind),
            location: Location {
                source: policy.source.clone(),
                pointer: w.pointer,
                position: w.position,
            },
            message: w.kind.to_string(),
        }
    }
}

/// The lint code of one of the engine's warnings.
fn engine_code(policy: &Policy, kind: &PolicyWarningKind) -> &'static str {
    use iamsim_engine::internal::condition::ConditionValueErrorKind as V;
    use iamsim_engine::ArnPatternWarning as A;
    match kind {
        PolicyWarningKind::OverAwsSizeQuota { quota, .. } if quota.what.contains("trust") => {
            "POLICY_SIZE_EXCEEDS_ROLE_TRUST_POLICY_QUOTA"
        }
        PolicyWarningKind::OverAwsSizeQuota { .. } if policy.kind == PolicyKind::Resource => {
            "POLICY_SIZE_EXCEEDS_RESOURCE_POLICY_QUOTA"
        }
        PolicyWarningKind::OverAwsSizeQuota { .. } => "IAMSIM_POLICY_SIZE_QUOTA",
        PolicyWarningKind::Resource(_, A::WildcardInService { .. }) => {
            "IAMSIM_ARN_WILDCARD_IN_SERVICE"
        }
        PolicyWarningKind::Resource(_, A::MatchesNothing) => "MISSING_ARN_FIELD",
        PolicyWarningKind::Resource(_, A::WildcardInResourceType { .. }) => {
            "IAMSIM_ARN_WILDCARD_IN_RESOURCE_TYPE"
        }
        PolicyWarningKind::SuspiciousAction(_) => "IAMSIM_ACTION_WHITE_SPACE",
        PolicyWarningKind::VariablesNeedVersion2012 => "VARIABLE_UNSUPPORTED_IN_VERSION",
        PolicyWarningKind::SidNotAlphanumeric(_) => "UNSUPPORTED_SID",
        PolicyWarningKind::ResourceWithWhiteSpace(_) => "IAMSIM_RESOURCE_WHITE_SPACE",
        PolicyWarningKind::DuplicateSid(_) => "UNIQUE_SIDS_REQUIRED",
        PolicyWarningKind::MissingVersion => "MISSING_VERSION",
        PolicyWarningKind::ConditionValueUnreadable { kind, .. } => match kind {
            V::NotANumber => "TYPE_MISMATCH_NUMBER",
            V::NotADate => "TYPE_MISMATCH_DATE",
            V::NotAnIpOrCidr => "TYPE_MISMATCH_IP_RANGE",
            V::NotABoolean | V::NullValueNotBoolean => "TYPE_MISMATCH_BOOLEAN",
            V::NotBase64 => "TYPE_MISMATCH_STRING",
            V::EmptyValueList => "EMPTY_ARRAY_CONDITION",
        },
    }
}

/// `file:line:col: /pointer: message`.
impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.location, self.message)
    }
}

/// Warnings only the action catalog can give about a policy's `Action`/`NotAction`
/// entries: a service or action AWS does not have (with the nearest names), and a
/// wildcard that matches no action. Entries with white space are left to the
/// engine's own warning; `*` alone always matches.
pub fn catalog_warnings(policy: &Policy, catalog: &Catalog) -> Vec<Warning> {
    let mut out = Vec::new();
    for statement in &policy.statements {
        for entry in &statement.action.entries {
            let action = entry.value.as_str();
            if action == "*" || action.contains(char::is_whitespace) {
                continue;
            }
            let Some((service, _)) = action.split_once(':') else {
                continue;
            };
            let wildcard = action.contains(['*', '?']);
            let known = if wildcard {
                catalog.covers_any(action)
            } else {
                catalog.action(action).is_some()
            };
            // The list of names AWS uses is consulted only for names the catalog lacks.
            if known || Catalog::unlisted_but_used_by_aws(action) {
                continue;
            }
            let (code, message) = if wildcard {
                let near = catalog.suggest(action);
                let message = format!(
                    "action pattern `{action}` matches no action of the catalog ({}){}",
                    catalog.version(),
                    did_you_mean(&near)
                );
                ("INVALID_ACTION", message)
            } else if !service.contains(['*', '?']) && catalog.service(service).is_none() {
                let near = catalog.suggest_services(service);
                let message = format!(
                    "unknown service `{service}` in action `{action}`{}; the catalog ({}) has no such prefix",
                    did_you_mean(&near),
                    catalog.version()
                );
                ("INVALID_SERVICE_IN_ACTION", message)
            } else {
                let near = catalog.suggest(action);
                let message = format!(
                    "unknown action `{action}`{}; the catalog ({}) does not list it",
                    did_you_mean(&near),
                    catalog.version()
                );
                ("INVALID_ACTION", message)
            };
            out.push(Warning::at(policy, entry, code, message));
        }
        let actions = StatementActions::of(statement, catalog);
        resource_warnings(policy, statement, &actions, catalog, &mut out);
        for entry in &statement.conditions {
            condition_warnings(policy, entry, &actions, catalog, &mut out);
        }
    }
    out
}

impl Warning {
    /// A warning about one located element of `policy`.
    fn at<T>(
        policy: &Policy,
        element: &Located<T>,
        code: &'static str,
        message: String,
    ) -> Warning {
        Warning {
            code,
            location: Location {
                source: policy.source.clone(),
                pointer: format!("{}{}", policy.pointer, element.pointer),
                position: element.position,
            },
            message,
        }
    }
}

/// What the catalog can say about a statement's `Action` entries. Nothing for
/// `NotAction`, for `*` and for names it does not know (already warned about, or
/// accepted from `unlisted.txt`) — the checks below then stay quiet. Policies load
/// through this, so the common answers need no expansion of patterns.
struct StatementActions<'s, 'c> {
    statement: &'s Statement,
    catalog: &'c Catalog,
}

impl<'s, 'c> StatementActions<'s, 'c> {
    fn of(statement: &'s Statement, catalog: &'c Catalog) -> StatementActions<'s, 'c> {
        StatementActions { statement, catalog }
    }

    /// The entries, or `None` when the statement cannot be judged (`NotAction`, `*`).
    fn entries(&self) -> Option<&'s [Located<String>]> {
        let element = &self.statement.action;
        let entries = &element.entries[..];
        let judged = !element.negated && !entries.iter().any(|e| e.value == "*");
        judged.then_some(entries)
    }

    /// The services the entries name, each looked up once; `None` when one is a
    /// wildcard or unknown.
    fn services(&self) -> Option<Vec<&'c Service>> {
        let mut out: Vec<&'c Service> = Vec::new();
        for entry in self.entries()? {
            let (prefix, _) = entry.value.split_once(':')?;
            if prefix.contains(['*', '?']) {
                return None;
            }
            let service = self.catalog.service(prefix)?;
            if !out.iter().any(|s| std::ptr::eq(*s, service)) {
                out.push(service);
            }
        }
        Some(out)
    }

    /// Whether some action of the statement satisfies `pred`, stopping at the first;
    /// `None` when the statement cannot be judged or names an action (or a pattern
    /// matching none) the catalog does not know.
    /// Whether some action of the statement supports condition key `key`. Remembered
    /// per (catalog, entry, key) on this thread — at most [`SUPPORT_MEMORY`] answers —
    /// since patterns such as `s3:*` and keys such as `s3:prefix` recur across
    /// policies, and answering means scanning a service's actions.
    fn support(&self, key: &str) -> Option<bool> {
        thread_local! {
            static MEMORY: std::cell::RefCell<std::collections::HashMap<(usize, String), Option<bool>>> =
                std::cell::RefCell::new(std::collections::HashMap::new());
        }
        let catalog_id = std::ptr::from_ref(self.catalog) as usize;
        let mut found = false;
        let mut probe = String::new();
        for entry in self.entries()? {
            let name = entry.value.as_str();
            probe.clear();
            probe.push_str(name);
            probe.push('\0');
            probe.push_str(key);
            let probe_key = (catalog_id, std::mem::take(&mut probe));
            let remembered = MEMORY.with(|m| m.borrow().get(&probe_key).copied());
            let answer = match remembered {
                Some(answer) => answer,
                None => {
                    let answer = entry_any(self.catalog, name, |a| a.supports_condition_key(key));
                    MEMORY.with(|m| {
                        let mut m = m.borrow_mut();
                        if m.len() >= SUPPORT_MEMORY {
                            m.clear();
                        }
                        m.insert(probe_key.clone(), answer);
                    });
                    answer
                }
            };
            probe = probe_key.1;
            found |= answer?;
            if found {
                return Some(true);
            }
        }
        Some(false)
    }

    /// Every action, expanded (for messages only).
    fn all(&self) -> Vec<ActionInfo<'c>> {
        let mut out = Vec::new();
        for entry in self.entries().unwrap_or_default() {
            out.extend(self.catalog.expand(&entry.value));
        }
        out
    }
}

/// How many (entry, key) answers [`StatementActions::support`] keeps per thread.
const SUPPORT_MEMORY: usize = 4096;

/// Whether `pred` holds for some action one `Action` entry names; `None` for an
/// action, or a pattern matching none, that the catalog does not know.
fn entry_any(
    catalog: &Catalog,
    name: &str,
    mut pred: impl FnMut(&ActionInfo<'_>) -> bool,
) -> Option<bool> {
    if name.contains(['*', '?']) {
        let mut matched = false;
        let found = catalog.any_action(name, |a| {
            matched = true;
            pred(&a)
        });
        (found || matched).then_some(found)
    } else {
        Some(pred(&catalog.action(name)?))
    }
}

/// A `Resource` entry of another service than every action of the statement can
/// take: its ARN's service field names neither a service of the statement's actions
/// nor a service whose ARNs their resource types use, so the statement never applies
/// to it — `s3:GetObject` on a log group's ARN. Judged per service, leniently:
/// mismatches *within* a service (an ARN of a resource type the catalog does not
/// list for the action) are left alone, since the catalog's per-action resource
/// lists are incomplete and AWS's own managed policies have hundreds of them.
fn resource_warnings(
    policy: &Policy,
    statement: &Statement,
    actions: &StatementActions<'_, '_>,
    catalog: &Catalog,
    out: &mut Vec<Warning>,
) {
    let Some(resource) = &statement.resource else {
        return;
    };
    if resource.negated {
        return;
    }
    let mut services: Option<Option<Vec<&Service>>> = None;
    for entry in &resource.entries {
        let pattern = entry.value.as_str();
        let Some(wanted) = arn_service(pattern) else {
            continue;
        };
        let Some(services) = services.get_or_insert_with(|| actions.services()) else {
            return;
        };
        if services.is_empty() {
            return;
        }
        let takes = |s: &&Service| {
            s.prefix().eq_ignore_ascii_case(wanted)
                || s.resource_types().iter().any(|t| {
                    t.arn_formats().iter().any(|f| {
                        arn_service(f.as_str()).is_some_and(|x| x.eq_ignore_ascii_case(wanted))
                    })
                })
                || Catalog::arn_service_used_by_aws(s.prefix(), wanted)
        };
        if services.iter().any(takes) {
            continue;
        }
        let prefixes: Vec<&str> = services.iter().map(|s| s.prefix()).collect();
        out.push(Warning::at(
            policy,
            entry,
            "IAMSIM_RESOURCE_SERVICE_MISMATCH",
            format!(
                "resource `{pattern}` is an ARN of service `{wanted}`, but no action of this statement ({}) takes a resource of that service (catalog {}), so the statement never applies to it",
                prefixes.join(", "),
                catalog.version()
            ),
        ));
    }
}

/// The service field of an ARN or ARN pattern (`arn:aws:s3:::b` → `s3`), when it is
/// written out: `None` for `*`, for other text, and for a field with a wildcard or
/// a `${…}` part.
fn arn_service(arn: &str) -> Option<&str> {
    // Runs for every Resource entry as policies load: bytes, no iterator adaptors.
    let rest = arn.strip_prefix("arn:")?;
    let after_partition = rest.find(':')? + 1;
    let field = &rest[after_partition..];
    let end = field.find(':')?;
    let service = &field[..end];
    let plain = !service.is_empty() && !service.bytes().any(|b| matches!(b, b'*' | b'?' | b'$'));
    plain.then_some(service)
}

/// A condition key the catalog does not have, a key none of the statement's actions
/// supports (AWS never supplies it for them, so the condition always sees it absent),
/// and an operator whose type does not fit the key's. Keys of prefixes that are not
/// services (`saml:`, `accounts.google.com:`, OIDC providers) are left alone.
fn condition_warnings(
    policy: &Policy,
    entry: &ConditionEntry,
    actions: &StatementActions<'_, '_>,
    catalog: &Catalog,
    out: &mut Vec<Warning>,
) {
    let key = entry.key.value.as_str();
    let Some((prefix, _)) = key.split_once(':') else {
        return;
    };
    let Some(info) = catalog.condition_key(key) else {
        if Catalog::condition_key_used_by_aws(key) {
            return;
        }
        if prefix.eq_ignore_ascii_case("aws") {
            let near = crate::suggest::nearest(
                key,
                catalog.global_condition_keys().iter().map(|k| k.name()),
            );
            let near: Vec<String> = near.into_iter().take(3).map(str::to_owned).collect();
            out.push(Warning::at(
                policy,
                &entry.key,
                "INVALID_GLOBAL_CONDITION_KEY",
                format!(
                    "unknown global condition key `{key}`{}; the catalog ({}) does not list it, so no request has it",
                    did_you_mean(&near),
                    catalog.version()
                ),
            ));
        } else if let Some(service) = catalog.service(prefix) {
            let near =
                crate::suggest::nearest(key, service.condition_keys().iter().map(|k| k.name()));
            let near: Vec<String> = near.into_iter().take(3).map(str::to_owned).collect();
            out.push(Warning::at(
                policy,
                &entry.key,
                "INVALID_SERVICE_CONDITION_KEY",
                format!(
                    "unknown condition key `{key}`{}; service `{}` has no such key in the catalog ({}), so no request has it",
                    did_you_mean(&near),
                    service.prefix(),
                    catalog.version()
                ),
            ));
        }
        return;
    };
    let unsupported = actions.support(key) == Some(false);
    if matches!(info.scope(), KeyScope::Service(_))
        && unsupported
        && !Catalog::condition_key_used_by_aws(key)
    {
        {
            let actions = actions.all();
            let shown: Vec<String> = actions.iter().take(3).map(|a| a.to_string()).collect();
            let more = match actions.len() {
                n if n > 3 => format!(" and {} more", n - 3),
                _ => String::new(),
            };
            out.push(Warning::at(
                policy,
                &entry.key,
                "UNSUPPORTED_ACTION_FOR_CONDITION_KEY",
                format!(
                    "no action of this statement supports condition key `{key}` ({}{more}; catalog {}): AWS never supplies it for them, so the condition always sees it absent",
                    shown.join(", "),
                    catalog.version()
                ),
            ));
        }
    }
    if let Some(message) = operator_mismatch(&entry.operator.value, key, info.key_type()) {
        out.push(Warning::at(
            policy,
            &entry.operator,
            "TYPE_MISMATCH",
            message,
        ));
    }
}

/// The operator families that can compare a value of type `t`. String and ARN keys
/// take both string and ARN operators: ARN operators compare an ARN held in a string
/// key field by field (AWS's own policies do so on `kms:EncryptionContext:…`), string
/// operators compare an ARN's text (AWS recommends the ARN ones). `Null` fits every key.
fn operator_fits(family: &str, t: ValueType) -> bool {
    match t {
        ValueType::String => family == "String" || family == "Arn",
        ValueType::Arn => family == "Arn" || family == "String",
        ValueType::Numeric => family == "Numeric",
        ValueType::Date => family == "Date",
        ValueType::Bool => family == "Bool",
        ValueType::IpAddress => family == "IpAddress",
        ValueType::Binary => family == "Binary",
    }
}

/// `StringEquals` → `String`, `ForAnyValue:NumericLessThanIfExists` → `Numeric`,
/// `NotIpAddress` → `IpAddress`; `None` for `Null` and for names the engine already
/// refuses or warns about.
fn operator_family(operator: &str) -> Option<&'static str> {
    let base = operator
        .split_once(':')
        .map_or(operator, |(_, rest)| rest)
        .trim_end_matches("IfExists");
    let base = base.strip_prefix("Not").unwrap_or(base);
    [
        "String",
        "Numeric",
        "Date",
        "Bool",
        "Binary",
        "IpAddress",
        "Arn",
    ]
    .into_iter()
    .find(|f| base.starts_with(f))
}

fn operator_mismatch(operator: &str, key: &str, key_type: ConditionKeyType) -> Option<String> {
    let family = operator_family(operator)?;
    let value_type = key_type.value_type();
    if operator_fits(family, value_type) {
        return None;
    }
    Some(format!(
        "operator `{operator}` compares {family} values, but `{key}` is {key_type} in the catalog; use a {} operator",
        match value_type {
            ValueType::Arn | ValueType::String => "String or Arn",
            ValueType::IpAddress => "IpAddress",
            other => other.name(),
        }
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use iamsim_engine::model::PolicyKind;

    fn messages(actions: &str) -> Vec<String> {
        statement_messages(&format!(
            r#"{{"Effect":"Allow","Action":{actions},"Resource":"*"}}"#
        ))
    }

    #[test]
    fn typos_in_policies_are_located_warnings_with_the_nearest_names() {
        let w = messages(
            r#"["s3:GetObject","s3:GetObjects","conect:DescribeInstance","s3:Gett*","connect:*"]"#,
        );
        assert_eq!(w.len(), 3, "{w:?}");
        assert!(w[0].starts_with("p.json:1:"), "{w:?}");
        assert!(
            w[0].contains("/Statement/0/Action/1: unknown action `s3:GetObjects` (did you mean"),
            "{w:?}"
        );
        assert!(w[1].contains("unknown service `conect` in action `conect:DescribeInstance` (did you mean `connect`?)"), "{w:?}");
        assert!(
            w[2].contains("action pattern `s3:Gett*` matches no action"),
            "{w:?}"
        );
    }

    fn statement_messages(statement: &str) -> Vec<String> {
        let text = format!(r#"{{"Version":"2012-10-17","Statement":[{statement}]}}"#);
        let policy = Policy::parse(&text, PolicyKind::Identity, "p.json").expect("parses");
        catalog_warnings(&policy, Catalog::builtin())
            .into_iter()
            .map(|w| w.to_string())
            .collect()
    }

    #[test]
    fn a_resource_of_a_service_no_action_takes_is_a_warning() {
        let w = statement_messages(
            r#"{"Effect":"Allow","Action":["s3:GetObject","s3:PutObject"],"Resource":["arn:aws:s3:::b/*","arn:aws:logs:us-east-1:111122223333:log-group:/aws/connect/x:*"]}"#,
        );
        assert_eq!(w.len(), 1, "{w:?}");
        assert!(
            w[0].contains("/Statement/0/Resource/1: resource `arn:aws:logs:"),
            "{w:?}"
        );
        assert!(
            w[0].contains("is an ARN of service `logs`, but no action of this statement (s3)"),
            "{w:?}"
        );
        // Actions of other services that take the ARN: iam:PassRole takes iam roles,
        // kms on keys; wildcards in the service field and NotResource are not judged.
        for quiet in [
            r#"{"Effect":"Allow","Action":"iam:PassRole","Resource":"arn:aws:iam::111122223333:role/r"}"#,
            r#"{"Effect":"Allow","Action":["s3:GetObject","kms:Decrypt"],"Resource":["arn:aws:kms:*:*:key/*","arn:aws:s3:::b/*"]}"#,
            r#"{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:*:::b/*"}"#,
            r#"{"Effect":"Allow","Action":"s3:GetObject","NotResource":"arn:aws:logs:*:*:*"}"#,
            r#"{"Effect":"Allow","NotAction":"s3:GetObject","Resource":"arn:aws:logs:*:*:*"}"#,
            r#"{"Effect":"Allow","Action":"*","Resource":"arn:aws:logs:*:*:*"}"#,
            // AWS's own managed policies pair these (catalog/data/unlisted.txt).
            r#"{"Effect":"Allow","Action":"ssmmessages:OpenDataChannel","Resource":"arn:aws:ssm:*:*:session/*"}"#,
        ] {
            assert_eq!(statement_messages(quiet), Vec::<String>::new(), "{quiet}");
        }
    }

    #[test]
    fn condition_keys_are_checked_against_the_catalog() {
        let w = statement_messages(
            r#"{"Effect":"Allow","Action":"s3:ListBucket","Resource":"*","Condition":{"StringLike":{"s3:prefixx":"a/*","aws:SourceIpp":"x","s3:x-amz-acl":"private"}}}"#,
        );
        assert_eq!(w.len(), 3, "{w:?}");
        assert!(w[0].contains("/Condition/StringLike/s3:prefixx: unknown condition key `s3:prefixx` (did you mean `s3:prefix`?); service `s3`"), "{w:?}");
        assert!(
            w[1].contains(
                "unknown global condition key `aws:SourceIpp` (did you mean one of aws:SourceIp,"
            ),
            "{w:?}"
        );
        assert!(
            w[2].contains(
                "no action of this statement supports condition key `s3:x-amz-acl` (s3:ListBucket;"
            ),
            "{w:?}"
        );
        assert!(w[2].contains("always sees it absent"), "{w:?}");
        for quiet in [
            // Tag keys with `:` and `/` fill a template; the SAR's `tag-key` spelling too.
            r#"{"Effect":"Allow","Action":"secretsmanager:GetSecretValue","Resource":"*","Condition":{"StringEquals":{"secretsmanager:ResourceTag/aws:secretsmanager:owningService":"x","aws:ResourceTag/a/b":"y"}}}"#,
            // Role-session keys of the global keys page hold for every action.
            r#"{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":{"ArnLike":{"ec2:SourceInstanceArn":"arn:aws:ec2:*:*:instance/*"},"StringEquals":{"glue:RoleAssumedBy":"glue.amazonaws.com"}}}"#,
            // Federation keys are not services' keys; NotAction cannot be judged.
            r#"{"Effect":"Allow","Action":"sts:AssumeRoleWithWebIdentity","Resource":"*","Condition":{"StringEquals":{"token.actions.githubusercontent.com:aud":"sts.amazonaws.com"}}}"#,
            r#"{"Effect":"Deny","NotAction":"s3:ListBucket","Resource":"*","Condition":{"StringEquals":{"s3:x-amz-acl":"private"}}}"#,
            // Used by AWS's own managed policies although the catalog lacks it.
            r#"{"Effect":"Allow","Action":"sso:ListDirectoryAssociations","Resource":"*","Condition":{"StringNotEquals":{"aws:PrincipalOrgMasterAccountId":"111122223333"}}}"#,
        ] {
            assert_eq!(statement_messages(quiet), Vec::<String>::new(), "{quiet}");
        }
    }

    #[test]
    fn an_operator_of_another_type_than_its_key_is_a_warning() {
        let w = statement_messages(
            r#"{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":{"StringEquals":{"aws:SecureTransport":"true"},"NumericLessThanIfExists":{"aws:SourceIp":"1"},"ForAnyValue:DateGreaterThan":{"aws:TagKeys":"2020-01-01"}}}"#,
        );
        assert_eq!(w.len(), 3, "{w:?}");
        assert!(w.iter().any(|m| m.contains("/Condition/StringEquals: operator `StringEquals` compares String values, but `aws:SecureTransport` is Bool in the catalog; use a Bool operator")), "{w:?}");
        assert!(w.iter().any(|m| m.contains("`NumericLessThanIfExists` compares Numeric values, but `aws:SourceIp` is IPAddress")), "{w:?}");
        assert!(
            w.iter().any(|m| m.contains(
                "`aws:TagKeys` is ArrayOfString in the catalog; use a String or Arn operator"
            )),
            "{w:?}"
        );
        for quiet in [
            r#"{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":{"StringLike":{"aws:PrincipalArn":"arn:aws:iam::*:role/x"},"ArnLike":{"aws:SourceArn":"arn:aws:s3:::b"},"Null":{"aws:SourceIp":"true"},"NotIpAddress":{"aws:SourceIp":"10.0.0.0/8"},"BoolIfExists":{"aws:MultiFactorAuthPresent":"false"},"ForAllValues:StringEquals":{"aws:TagKeys":"a"}}}"#,
            // An ARN held in a string key, compared as an ARN (AWS's own policies do).
            r#"{"Effect":"Allow","Action":"kms:Decrypt","Resource":"*","Condition":{"ArnLike":{"kms:EncryptionContext:aws:s3:arn":"arn:aws:s3:::b/*"}}}"#,
        ] {
            assert_eq!(statement_messages(quiet), Vec::<String>::new(), "{quiet}");
        }
    }

    /// AWS's own managed policies name retired services and undocumented actions;
    /// AWS accepts them, so they are no warning (catalog/data/unlisted.txt).
    #[test]
    fn names_aws_itself_uses_draw_no_warning() {
        assert_eq!(
            messages(
                r#"["iotevents:DescribeAlarmModel","evidently:List*","budgets:CreateBudget","*"]"#
            ),
            Vec::<String>::new()
        );
    }
}
