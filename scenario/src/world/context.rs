//! The request context AWS would supply, derived from the scenario (SEMANTICS §1.6,
//! CONNECT.md (c) and (d)): principal keys, resource tags, Connect hierarchy keys.

use super::{ConnectInstance, ConnectUser, PrincipalKind};
use iamsim_engine::request::{Context, ContextValue};
use std::collections::BTreeMap;

/// What the principal derivation needs.
pub(super) struct PrincipalFacts<'a> {
    pub kind: PrincipalKind,
    pub account: Option<&'a str>,
    /// Unique id: `AIDA…` for users, `AROA…` for roles.
    pub unique_id: Option<&'a str>,
    /// User name, federated user name, or session name.
    pub name: &'a str,
    /// The caller ARN (session ARN for sessions).
    pub arn: &'a str,
    /// For role sessions: the role ARN (what `aws:PrincipalArn` holds).
    pub role_arn: Option<&'a str>,
    pub tags: &'a BTreeMap<String, String>,
    pub org_id: Option<&'a str>,
}

/// The keys AWS puts in every request of this caller. Values follow the IAM User
/// Guide's table of principal key values.
pub(super) fn principal_context(p: &PrincipalFacts<'_>) -> Context {
    let mut c = Context::new();
    let account = p.account.unwrap_or("");
    let user_id = match p.kind {
        // The root user's aws:userid is the account id.
        PrincipalKind::Root => Some(account.to_owned()),
        PrincipalKind::User => p.unique_id.map(str::to_owned),
        // A session's id is ROLEID:session-name; the role id is not derivable from an ARN.
        PrincipalKind::RoleSession => p.unique_id.map(|id| format!("{id}:{}", p.name)),
        PrincipalKind::FederatedUser => Some(format!("{account}:{}", p.name)),
        PrincipalKind::Service => None,
    };
    if let Some(id) = user_id {
        c.insert_str("aws:userid", &id);
    }
    if p.kind == PrincipalKind::User {
        c.insert_str("aws:username", p.name);
    }
    let principal_type = match p.kind {
        PrincipalKind::Root => Some("Account"),
        PrincipalKind::User => Some("User"),
        PrincipalKind::RoleSession => Some("AssumedRole"),
        PrincipalKind::FederatedUser => Some("FederatedUser"),
        PrincipalKind::Service => None,
    };
    if let Some(t) = principal_type {
        c.insert_str("aws:PrincipalType", t);
        // For a role session aws:PrincipalArn is the role's ARN, not the session's.
        c.insert_str("aws:PrincipalArn", p.role_arn.unwrap_or(p.arn));
        c.insert_str("aws:PrincipalAccount", account);
        if let Some(org) = p.org_id {
            c.insert_str("aws:PrincipalOrgID", org);
        }
        c.insert_str("aws:PrincipalIsAWSService", "false");
    } else {
        c.insert_str("aws:PrincipalServiceName", p.arn);
        c.insert_str("aws:PrincipalIsAWSService", "true");
    }
    for (k, v) in p.tags {
        c.insert_str(&format!("aws:PrincipalTag/{k}"), v);
    }
    if !p.tags.is_empty() {
        let keys = p.tags.keys().map(|k| k.as_str().into()).collect();
        c.insert("aws:PrincipalTagKeys", ContextValue::Multi(keys));
    }
    c
}

/// The keys a resource contributes: its tags and owning account.
pub(super) fn resource_context(account: Option<&str>, tags: &BTreeMap<String, String>) -> Context {
    let mut c = Context::new();
    if let Some(a) = account {
        c.insert_str("aws:ResourceAccount", a);
    }
    for (k, v) in tags {
        c.insert_str(&format!("aws:ResourceTag/{k}"), v);
    }
    c
}

/// Copies every key of `from` into `into`, replacing keys already there.
pub(super) fn merge(into: &mut Context, from: &Context) {
    // Reuses the entries already there: no allocation when a batch loop sets the
    // same keys row after row.
    into.merge_from(from);
}

/// The hierarchy key for level `n` (1-based), spelled as the Connect guide does.
pub fn hierarchy_key(level: usize) -> String {
    format!("connect:HierarchyGroupL{level}Id/hierarchyGroupId")
}

/// The keys every request on the instance or below it carries: `connect:InstanceId`.
pub(super) fn connect_instance_context(instance_arn: &str) -> Context {
    let mut c = Context::new();
    if let Some(id) = instance_arn.rsplit('/').next() {
        c.insert_str("connect:InstanceId", id);
    }
    c
}

/// The keys a request on a Connect user carries: its tags and
/// `connect:HierarchyGroupL<n>Id/hierarchyGroupId` for every level of its hierarchy
/// path (CONNECT.md (d)); deeper levels stay absent.
pub(super) fn connect_user_context(path: &[String], tags: &BTreeMap<String, String>) -> Context {
    let mut c = Context::new();
    for (i, group) in path.iter().enumerate() {
        c.insert_str(&hierarchy_key(i + 1), group);
    }
    for (k, v) in tags {
        c.insert_str(&format!("aws:ResourceTag/{k}"), v);
    }
    c
}

/// The Connect instance a request's resource is on or below (`…/instance/<id>…`),
/// with the user when it is one of the instance's users (`…/agent/<user>`). Their
/// keys (`connect:InstanceId`, hierarchy levels, user tags) were built at load time.
pub(super) fn connect_target<'a>(
    instances: &'a [ConnectInstance],
    resource: &str,
) -> Option<(usize, Option<&'a ConnectUser>)> {
    instances.iter().enumerate().find_map(|(i, inst)| {
        let rest = resource.strip_prefix(inst.arn.as_str())?;
        if !(rest.is_empty() || rest.starts_with('/')) {
            return None;
        }
        let user = rest
            .strip_prefix("/agent/")
            .and_then(|id| inst.users.get(id));
        Some((i, user))
    })
}

/// The keys AWS derives from the caller alone, for a request named by its caller
/// ARN rather than by a scenario principal (`iamsim eval`): exactly what a scenario
/// derives for a principal with this ARN and unique id, without tags or an
/// organization. `unique_id` is the user's `AIDA…` or the role's `AROA…` id; a
/// session's `aws:userid` is `ROLEID:session` with the session name from the ARN.
///
/// Callers it does not recognise (anonymous, an identity-provider string) get no
/// keys. Two things an ARN cannot say: a user's or a role session's unique id (pass
/// it, or `aws:userid` stays absent) and a role's path (`aws:PrincipalArn` of a
/// session is then `arn:…:iam::A:role/Name`; give the key explicitly for a role
/// with a path).
pub fn caller_context(caller: &str, unique_id: Option<&str>) -> Context {
    let no_tags = BTreeMap::new();
    let facts = |kind, account, name, role_arn| PrincipalFacts {
        kind,
        account: Some(account),
        unique_id,
        name,
        arn: caller,
        role_arn,
        tags: &no_tags,
        org_id: None,
    };
    if !caller.starts_with("arn:") {
        if caller.ends_with(".amazonaws.com") {
            return principal_context(&PrincipalFacts {
                kind: PrincipalKind::Service,
                account: None,
                unique_id: None,
                name: caller,
                arn: caller,
                role_arn: None,
                tags: &no_tags,
                org_id: None,
            });
        }
        return Context::new();
    }
    let mut parts = caller.splitn(6, ':');
    let (Some(_), Some(partition), Some(service), Some(_region), Some(account), Some(rest)) = (
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
    ) else {
        return Context::new();
    };
    match (service, rest.split_once('/')) {
        ("iam", None) if rest == "root" => {
            principal_context(&facts(PrincipalKind::Root, account, "", None))
        }
        ("iam", Some(("user", path_and_name))) => {
            let name = path_and_name.rsplit('/').next().unwrap_or(path_and_name);
            principal_context(&facts(PrincipalKind::User, account, name, None))
        }
        ("sts", Some(("assumed-role", role_and_session))) => {
            let Some((role, session)) = role_and_session.split_once('/') else {
                return Context::new();
            };
            let role_arn = format!("arn:{partition}:iam::{account}:role/{role}");
            principal_context(&facts(
                PrincipalKind::RoleSession,
                account,
                session,
                Some(&role_arn),
            ))
        }
        ("sts", Some(("federated-user", name))) => {
            principal_context(&facts(PrincipalKind::FederatedUser, account, name, None))
        }
        _ => Context::new(),
    }
}
