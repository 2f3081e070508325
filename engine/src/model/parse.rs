//! Step 1, parse — shape checks of the policy grammar: which members exist, which
//! are required for which kind of policy, and which value shapes they take (IAM User Guide, policy
//! grammar and the element pages; SEMANTICS §2).

use super::*;
use crate::source::json::{escape_pointer_token, JsonError, JsonErrorKind, JsonKind, JsonValue};

/// A policy that cannot be used, and where the problem is.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{source_name}:{position}: {}: {kind}", if pointer.is_empty() { "(document)" } else { pointer })]
pub struct PolicyError {
    /// The source name (file path or label).
    pub source_name: Arc<str>,
    /// JSON Pointer of the offending element within the source.
    pub pointer: String,
    /// Line and column.
    pub position: Position,
    /// What is wrong.
    pub kind: PolicyErrorKind,
}

/// What makes a policy unusable.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PolicyErrorKind {
    /// The text is not valid JSON.
    #[error("invalid JSON: {0}")]
    Json(JsonErrorKind),
    /// A value of the wrong JSON type.
    #[error("expected {expected}, found {found}")]
    WrongType {
        /// What the grammar wants here.
        expected: &'static str,
        /// What the document has.
        found: &'static str,
    },
    /// A member the grammar does not know.
    #[error("unknown member `{0}`")]
    UnknownMember(String),
    /// `Statement` is missing.
    #[error("missing `Statement`")]
    MissingStatement,
    /// `Statement` is an empty array.
    #[error("`Statement` is empty")]
    EmptyStatement,
    /// `Version` other than 2012-10-17 / 2008-10-17.
    #[error("unknown `Version` `{0}` (expected `2012-10-17` or `2008-10-17`)")]
    UnknownVersion(String),
    /// `Effect` missing.
    #[error("missing `Effect`")]
    MissingEffect,
    /// `Effect` other than exactly `Allow`/`Deny`.
    #[error("invalid `Effect` `{0}` (expected `Allow` or `Deny`, case-sensitive)")]
    InvalidEffect(String),
    /// Both `Action` and `NotAction`.
    #[error("a statement may have `Action` or `NotAction`, not both")]
    ActionAndNotAction,
    /// Neither `Action` nor `NotAction`.
    #[error("missing `Action` or `NotAction`")]
    MissingAction,
    /// Both `Resource` and `NotResource`.
    #[error("a statement may have `Resource` or `NotResource`, not both")]
    ResourceAndNotResource,
    /// Neither, outside resource-based policies.
    #[error("missing `Resource` or `NotResource` (required in {0} policies)")]
    MissingResource(PolicyKind),
    /// Both `Principal` and `NotPrincipal`.
    #[error("a statement may have `Principal` or `NotPrincipal`, not both")]
    PrincipalAndNotPrincipal,
    /// `Principal`/`NotPrincipal` where it is not allowed.
    #[error("`{member}` is not allowed in {kind} policies")]
    PrincipalNotAllowed {
        /// `Principal` or `NotPrincipal`.
        member: &'static str,
        /// The policy kind.
        kind: PolicyKind,
    },
    /// Resource-based policies and RCPs need a principal.
    #[error("missing `Principal` or `NotPrincipal` (required in {0} policies)")]
    MissingPrincipal(PolicyKind),
    /// `NotPrincipal` is only supported with `Deny`.
    #[error("`NotPrincipal` with `Allow` is not supported by AWS; use `Principal`")]
    NotPrincipalWithAllow,
    /// A principal type other than AWS/Service/Federated/CanonicalUser.
    #[error(
        "unknown principal type `{0}` (expected `AWS`, `Service`, `Federated` or `CanonicalUser`)"
    )]
    UnknownPrincipalType(String),
    /// `arn:aws:iam::A:user/*` and the like: only a bare `*` is a wildcard principal.
    #[error("principal `{0}` has a partial wildcard; only a bare `*` is allowed")]
    PartialWildcardPrincipal(String),
    /// An empty principal or action/resource list.
    #[error("`{0}` has no entries")]
    EmptyList(&'static str),
    /// Customer RCPs may only deny (AWS's `RCPFullAWSAccess` is the only Allow).
    #[error("customer resource control policies may only use `Deny`")]
    AllowInRcp,
    /// A condition block for an operator with no keys is fine; a key with no values is not.
    #[error("condition key `{0}` has no values")]
    EmptyConditionValues(String),
    /// A semantic error found when compiling (operator, action, condition value).
    #[error("{0}")]
    Compile(String),
}

impl PolicyError {
    /// Where the offending element is, as one [`Location`].
    pub fn location(&self) -> Location {
        Location {
            source: self.source_name.clone(),
            pointer: self.pointer.clone(),
            position: self.position,
        }
    }

    pub(crate) fn from_json(source: Arc<str>, base_pointer: &str, e: JsonError) -> Self {
        PolicyError {
            source_name: source,
            pointer: format!("{}{}", base_pointer, e.pointer),
            position: e.position,
            kind: PolicyErrorKind::Json(e.kind),
        }
    }
}

struct Ctx<'a> {
    source: &'a Arc<str>,
    base: &'a str,
    kind: PolicyKind,
}

impl Ctx<'_> {
    fn err(&self, pointer: &str, position: Position, kind: PolicyErrorKind) -> PolicyError {
        PolicyError {
            source_name: self.source.clone(),
            pointer: format!("{}{}", self.base, pointer),
            position,
            kind,
        }
    }

    fn wrong_type(&self, pointer: &str, v: &JsonValue, expected: &'static str) -> PolicyError {
        self.err(
            pointer,
            v.position,
            PolicyErrorKind::WrongType {
                expected,
                found: v.type_name(),
            },
        )
    }

    fn members<'v>(
        &self,
        pointer: &str,
        v: &'v JsonValue,
    ) -> Result<&'v [crate::source::json::JsonMember], PolicyError> {
        match &v.kind {
            JsonKind::Object(m) => Ok(m),
            _ => Err(self.wrong_type(pointer, v, "an object")),
        }
    }

    /// The string `v`; `pointer` (made only for the error) says where it is.
    fn string<'v, P: AsPointer + ?Sized>(
        &self,
        pointer: &P,
        v: &'v JsonValue,
    ) -> Result<&'v str, PolicyError> {
        v.as_str()
            .ok_or_else(|| self.wrong_type(&pointer.make(), v, "a string"))
    }

    /// A string or an array of strings (IAM accepts both wherever a list is allowed).
    fn string_list(
        &self,
        pointer: &str,
        v: &JsonValue,
        member: &'static str,
    ) -> Result<Vec<Located<String>>, PolicyError> {
        match &v.kind {
            JsonKind::String(s) => Ok(vec![Located {
                value: s.to_string(),
                pointer: pointer.to_owned(),
                position: v.position,
            }]),
            JsonKind::Array(items) => {
                if items.is_empty() {
                    return Err(self.err(pointer, v.position, PolicyErrorKind::EmptyList(member)));
                }
                items
                    .iter()
                    .enumerate()
                    .map(|(i, item)| {
                        let p = index_pointer(pointer, i);
                        let s = self.string(p.as_str(), item)?;
                        Ok(Located {
                            value: s.to_owned(),
                            pointer: p,
                            position: item.position,
                        })
                    })
                    .collect()
            }
            _ => Err(self.wrong_type(pointer, v, "a string or an array of strings")),
        }
    }
}

/// Something that gives a JSON Pointer when an error needs one: the pointer itself,
/// or a closure that builds it (most members never need theirs).
trait AsPointer {
    fn make(&self) -> String;
}

impl AsPointer for str {
    fn make(&self) -> String {
        self.to_owned()
    }
}

impl<F: Fn() -> String> AsPointer for F {
    fn make(&self) -> String {
        self()
    }
}

/// `parent/name`, the name escaped (RFC 6901): one allocation of the right size
/// (`format!` was a tenth of a distinct case's instructions).
fn member_pointer(parent: &str, name: &str) -> String {
    let token = escape_pointer_token(name);
    let mut p = String::with_capacity(parent.len() + 1 + token.len());
    p.push_str(parent);
    p.push('/');
    p.push_str(&token);
    p
}

/// `parent/index`.
fn index_pointer(parent: &str, index: usize) -> String {
    use std::fmt::Write as _;
    let mut p = String::with_capacity(parent.len() + 4);
    p.push_str(parent);
    p.push('/');
    match u8::try_from(index) {
        Ok(digit @ 0..=9) => p.push(char::from(b'0' + digit)),
        _ => {
            let _ = write!(p, "{index}");
        }
    }
    p
}

pub(super) fn policy_from_json(
    json: &JsonValue,
    kind: PolicyKind,
    source: Arc<str>,
    base: &str,
) -> Result<Policy, PolicyError> {
    let ctx = Ctx {
        source: &source,
        base,
        kind,
    };
    let members = ctx.members("", json)?;
    let mut version = PolicyVersion::Absent;
    let mut id = None;
    let mut statement_value = None;
    for m in members {
        let pointer = || member_pointer("", &m.name);
        match &*m.name {
            "Version" => {
                version = match ctx.string(&pointer, &m.value)? {
                    "2012-10-17" => PolicyVersion::V2012_10_17,
                    "2008-10-17" => PolicyVersion::V2008_10_17,
                    other => {
                        return Err(ctx.err(
                            &pointer(),
                            m.value.position,
                            PolicyErrorKind::UnknownVersion(other.to_owned()),
                        ))
                    }
                }
            }
            "Id" => id = Some(ctx.string(&pointer, &m.value)?.to_owned()),
            "Statement" => statement_value = Some(&m.value),
            other => {
                return Err(ctx.err(
                    &pointer(),
                    m.name_position,
                    PolicyErrorKind::UnknownMember(other.to_owned()),
                ))
            }
        }
    }
    let statement_value = statement_value
        .ok_or_else(|| ctx.err("", json.position, PolicyErrorKind::MissingStatement))?;
    let statements = match &statement_value.kind {
        JsonKind::Object(_) => vec![statement(
            &ctx,
            "/Statement".to_owned(),
            0,
            statement_value,
        )?],
        JsonKind::Array(items) => {
            if items.is_empty() {
                return Err(ctx.err(
                    "/Statement",
                    statement_value.position,
                    PolicyErrorKind::EmptyStatement,
                ));
            }
            items
                .iter()
                .enumerate()
                .map(|(i, s)| statement(&ctx, index_pointer("/Statement", i), i, s))
                .collect::<Result<Vec<_>, _>>()?
        }
        _ => {
            return Err(ctx.wrong_type(
                "/Statement",
                statement_value,
                "an object or an array of objects",
            ))
        }
    };
    Ok(Policy {
        source,
        pointer: base.to_owned(),
        kind,
        version,
        id,
        statements,
    })
}

fn statement(
    ctx: &Ctx<'_>,
    pointer: String,
    index: usize,
    json: &JsonValue,
) -> Result<Statement, PolicyError> {
    let members = ctx.members(&pointer, json)?;
    let mut sid = None;
    let mut effect = None;
    let mut action: Option<(bool, &JsonValue, String)> = None;
    let mut resource: Option<(bool, &JsonValue, String)> = None;
    let mut principal: Option<(bool, &JsonValue, String)> = None;
    let mut condition = None;
    for m in members {
        // Pointers are built only for the members that keep one, and for errors.
        let p = || member_pointer(&pointer, &m.name);
        let here = m.name_position;
        match &*m.name {
            "Sid" => sid = Some(ctx.string(&p, &m.value)?.to_owned()),
            "Effect" => {
                effect = Some(match ctx.string(&p, &m.value)? {
                    "Allow" => Effect::Allow,
                    "Deny" => Effect::Deny,
                    other => {
                        return Err(ctx.err(
                            &p(),
                            m.value.position,
                            PolicyErrorKind::InvalidEffect(other.to_owned()),
                        ))
                    }
                })
            }
            "Action" | "NotAction" => {
                if action.is_some() {
                    return Err(ctx.err(&p(), here, PolicyErrorKind::ActionAndNotAction));
                }
                action = Some((&*m.name == "NotAction", &m.value, p()));
            }
            "Resource" | "NotResource" => {
                if resource.is_some() {
                    return Err(ctx.err(&p(), here, PolicyErrorKind::ResourceAndNotResource));
                }
                resource = Some((&*m.name == "NotResource", &m.value, p()));
            }
            "Principal" | "NotPrincipal" => {
                if principal.is_some() {
                    return Err(ctx.err(&p(), here, PolicyErrorKind::PrincipalAndNotPrincipal));
                }
                if !ctx.kind.has_principals() {
                    let member = if &*m.name == "Principal" {
                        "Principal"
                    } else {
                        "NotPrincipal"
                    };
                    return Err(ctx.err(
                        &p(),
                        here,
                        PolicyErrorKind::PrincipalNotAllowed {
                            member,
                            kind: ctx.kind,
                        },
                    ));
                }
                principal = Some((&*m.name == "NotPrincipal", &m.value, p()));
            }
            "Condition" => condition = Some((&m.value, p())),
            other => {
                return Err(ctx.err(&p(), here, PolicyErrorKind::UnknownMember(other.to_owned())))
            }
        }
    }
    let effect =
        effect.ok_or_else(|| ctx.err(&pointer, json.position, PolicyErrorKind::MissingEffect))?;
    if effect == Effect::Allow && ctx.kind == PolicyKind::Rcp {
        return Err(ctx.err(&pointer, json.position, PolicyErrorKind::AllowInRcp));
    }
    let action = match action {
        Some((negated, v, p)) => StringElement {
            negated,
            entries: ctx.string_list(&p, v, if negated { "NotAction" } else { "Action" })?,
        },
        None => return Err(ctx.err(&pointer, json.position, PolicyErrorKind::MissingAction)),
    };
    let resource = match resource {
        Some((negated, v, p)) => Some(StringElement {
            negated,
            entries: ctx.string_list(&p, v, if negated { "NotResource" } else { "Resource" })?,
        }),
        // A resource-based policy may omit Resource: the statement covers the resource
        // the policy is attached to (role trust policies never carry one).
        None if ctx.kind == PolicyKind::Resource => None,
        None => {
            return Err(ctx.err(
                &pointer,
                json.position,
                PolicyErrorKind::MissingResource(ctx.kind),
            ))
        }
    };
    let principal = match principal {
        Some((negated, v, p)) => {
            if negated && effect == Effect::Allow {
                return Err(ctx.err(&p, v.position, PolicyErrorKind::NotPrincipalWithAllow));
            }
            Some(principal_element(ctx, &p, negated, v)?)
        }
        None if ctx.kind.has_principals() => {
            return Err(ctx.err(
                &pointer,
                json.position,
                PolicyErrorKind::MissingPrincipal(ctx.kind),
            ))
        }
        None => None,
    };
    let conditions = match condition {
        Some((v, p)) => condition_block(ctx, &p, v)?,
        None => Vec::new(),
    };
    Ok(Statement {
        index,
        sid,
        effect,
        action,
        resource,
        principal,
        conditions,
        pointer,
        position: json.position,
    })
}

fn principal_element(
    ctx: &Ctx<'_>,
    pointer: &str,
    negated: bool,
    v: &JsonValue,
) -> Result<PrincipalElement, PolicyError> {
    let value = match &v.kind {
        JsonKind::String(s) if &**s == "*" => PrincipalValue::Everyone,
        JsonKind::Object(members) => {
            let mut typed = Vec::new();
            for m in members {
                let p = member_pointer(pointer, &m.name);
                let principal_type = match &*m.name {
                    "AWS" => PrincipalType::Aws,
                    "Service" => PrincipalType::Service,
                    "Federated" => PrincipalType::Federated,
                    "CanonicalUser" => PrincipalType::CanonicalUser,
                    other => {
                        return Err(ctx.err(
                            &p,
                            m.name_position,
                            PolicyErrorKind::UnknownPrincipalType(other.to_owned()),
                        ))
                    }
                };
                let entries = ctx.string_list(&p, &m.value, "Principal")?;
                for e in &entries {
                    // Only a bare `*` is a wildcard principal (IAM User Guide, Principal element).
                    if e.value != "*" && (e.value.contains('*') || e.value.contains('?')) {
                        return Err(ctx.err(
                            &e.pointer,
                            e.position,
                            PolicyErrorKind::PartialWildcardPrincipal(e.value.clone()),
                        ));
                    }
                }
                typed.push((principal_type, entries));
            }
            if typed.is_empty() {
                return Err(ctx.err(pointer, v.position, PolicyErrorKind::EmptyList("Principal")));
            }
            PrincipalValue::Typed(typed)
        }
        JsonKind::String(s) => {
            return Err(ctx.err(
                pointer,
                v.position,
                PolicyErrorKind::PartialWildcardPrincipal(s.to_string()),
            ))
        }
        _ => return Err(ctx.wrong_type(pointer, v, "`\"*\"` or an object")),
    };
    Ok(PrincipalElement {
        negated,
        value,
        position: v.position,
    })
}

fn condition_block(
    ctx: &Ctx<'_>,
    pointer: &str,
    v: &JsonValue,
) -> Result<Vec<ConditionEntry>, PolicyError> {
    let mut entries = Vec::new();
    for op in ctx.members(pointer, v)? {
        let op_pointer = member_pointer(pointer, &op.name);
        for key in ctx.members(&op_pointer, &op.value)? {
            let key_pointer = member_pointer(&op_pointer, &key.name);
            let values = match &key.value.kind {
                JsonKind::Array(items) => {
                    if items.is_empty() {
                        return Err(ctx.err(
                            &key_pointer,
                            key.value.position,
                            PolicyErrorKind::EmptyConditionValues(key.name.to_string()),
                        ));
                    }
                    items
                        .iter()
                        .enumerate()
                        .map(|(i, item)| scalar(ctx, &index_pointer(&key_pointer, i), item))
                        .collect::<Result<Vec<_>, _>>()?
                }
                _ => vec![scalar(ctx, &key_pointer, &key.value)?],
            };
            entries.push(ConditionEntry {
                operator: Located {
                    value: op.name.to_string(),
                    pointer: op_pointer.clone(),
                    position: op.name_position,
                },
                key: Located {
                    value: key.name.to_string(),
                    pointer: key_pointer,
                    position: key.name_position,
                },
                values,
            });
        }
    }
    Ok(entries)
}

fn scalar(
    ctx: &Ctx<'_>,
    pointer: &str,
    v: &JsonValue,
) -> Result<Located<ScalarValue>, PolicyError> {
    let value = match &v.kind {
        JsonKind::String(s) => ScalarValue::String(s.to_string()),
        JsonKind::Number(n) => ScalarValue::Number(n.to_string()),
        JsonKind::Bool(b) => ScalarValue::Bool(*b),
        _ => return Err(ctx.wrong_type(pointer, v, "a string, number or boolean")),
    };
    Ok(Located {
        value,
        pointer: pointer.to_owned(),
        position: v.position,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str, kind: PolicyKind) -> Result<Policy, PolicyError> {
        Policy::parse(text, kind, "p.json")
    }

    fn err(text: &str, kind: PolicyKind) -> PolicyError {
        match parse(text, kind) {
            Err(e) => e,
            Ok(p) => panic!("expected an error, parsed {p:?}"),
        }
    }

    #[test]
    fn statement_object_and_string_lists() {
        let p = parse(
            r#"{"Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":["a","b"]}}"#,
            PolicyKind::Identity,
        )
        .unwrap();
        assert_eq!(p.version, PolicyVersion::Absent);
        let s = &p.statements[0];
        assert_eq!(s.action.entries[0].value, "s3:GetObject");
        assert_eq!(
            s.resource.as_ref().unwrap().entries[1].pointer,
            "/Statement/Resource/1"
        );
    }

    #[test]
    fn rejects_with_pointer_and_position() {
        let e = err(
            "{\"Version\":\"2012-10-17\",\"Statement\":[\n {\"Effect\":\"allow\",\"Action\":\"*\",\"Resource\":\"*\"}]}",
            PolicyKind::Identity,
        );
        assert_eq!(e.kind, PolicyErrorKind::InvalidEffect("allow".into()));
        assert_eq!(e.pointer, "/Statement/0/Effect");
        assert_eq!((e.position.line, e.position.column), (2, 12));
        assert_eq!(
            e.to_string(),
            "p.json:2:12: /Statement/0/Effect: invalid `Effect` `allow` (expected `Allow` or `Deny`, case-sensitive)"
        );
    }

    #[test]
    fn grammar_rules_by_kind() {
        let both =
            r#"{"Statement":{"Effect":"Allow","Action":"a:b","NotAction":"a:c","Resource":"*"}}"#;
        assert_eq!(
            err(both, PolicyKind::Identity).kind,
            PolicyErrorKind::ActionAndNotAction
        );
        let no_res = r#"{"Statement":{"Effect":"Allow","Action":"a:b"}}"#;
        assert!(matches!(
            err(no_res, PolicyKind::Identity).kind,
            PolicyErrorKind::MissingResource(_)
        ));
        let with_principal = r#"{"Statement":{"Effect":"Allow","Principal":"*","Action":"a:b"}}"#;
        assert!(parse(with_principal, PolicyKind::Resource).is_ok());
        assert!(matches!(
            err(with_principal, PolicyKind::Identity).kind,
            PolicyErrorKind::PrincipalNotAllowed { .. }
        ));
        assert!(matches!(
            err(no_res, PolicyKind::Resource).kind,
            PolicyErrorKind::MissingPrincipal(_)
        ));
        let rcp_allow =
            r#"{"Statement":{"Effect":"Allow","Principal":"*","Action":"a:b","Resource":"*"}}"#;
        assert_eq!(
            err(rcp_allow, PolicyKind::Rcp).kind,
            PolicyErrorKind::AllowInRcp
        );
        let not_principal_allow = r#"{"Statement":{"Effect":"Allow","NotPrincipal":{"AWS":"111122223333"},"Action":"a:b"}}"#;
        assert_eq!(
            err(not_principal_allow, PolicyKind::Resource).kind,
            PolicyErrorKind::NotPrincipalWithAllow
        );
        let partial = r#"{"Statement":{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::1:user/*"},"Action":"a:b"}}"#;
        assert!(matches!(
            err(partial, PolicyKind::Resource).kind,
            PolicyErrorKind::PartialWildcardPrincipal(_)
        ));
        let unknown = r#"{"Statement":{"Effect":"Deny","Action":"a:b","Resource":"*","Foo":1}}"#;
        assert_eq!(
            err(unknown, PolicyKind::Identity).kind,
            PolicyErrorKind::UnknownMember("Foo".into())
        );
        assert_eq!(
            err(r#"{"Statement":[]}"#, PolicyKind::Identity).kind,
            PolicyErrorKind::EmptyStatement
        );
        assert!(matches!(
            err(
                r#"{"Version":"2020-01-01","Statement":[]}"#,
                PolicyKind::Identity
            )
            .kind,
            PolicyErrorKind::UnknownVersion(_)
        ));
    }

    #[test]
    fn condition_values_and_pointers() {
        let p = parse(
            r#"{"Statement":{"Effect":"Deny","Action":"s3:*","Resource":"*","Condition":{"StringNotLike":{"aws:PrincipalTag/team":["a",1,true]}}}}"#,
            PolicyKind::Identity,
        )
        .unwrap();
        let c = &p.statements[0].conditions[0];
        assert_eq!(
            c.key.pointer,
            "/Statement/Condition/StringNotLike/aws:PrincipalTag~1team"
        );
        assert_eq!(c.values[1].value, ScalarValue::Number("1".into()));
        assert_eq!(c.values[2].value, ScalarValue::Bool(true));
        let bad = r#"{"Statement":{"Effect":"Deny","Action":"s3:*","Resource":"*","Condition":{"StringLike":{"k":null}}}}"#;
        assert!(matches!(
            err(bad, PolicyKind::Identity).kind,
            PolicyErrorKind::WrongType { .. }
        ));
    }

    #[test]
    fn pointer_prefix_for_embedded_policies() {
        let json =
            crate::source::json::parse(r#"{"Statement":{"Effect":"Nope"}}"#, 7, Default::default())
                .unwrap();
        let e = Policy::from_json(
            &json,
            PolicyKind::Identity,
            "cases.jsonl".into(),
            "/policies/identity/0",
        )
        .unwrap_err();
        assert_eq!(e.pointer, "/policies/identity/0/Statement/Effect");
        assert_eq!(e.position.line, 7);
    }
}
