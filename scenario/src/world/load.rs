//! Reading a scenario file: its JSON (or YAML) with positions, the policy files it
//! names (paths or `glob` patterns relative to the scenario's folder, or inline
//! documents), and the checks that every reference resolves. Then every (principal,
//! resource) pair is compiled once.

use super::context::{principal_context, resource_context, PrincipalFacts};
use super::*;
use crate::source::{DiskFiles, FileSource};
use crate::warning::Warning;
use iamsim_catalog::Catalog;
use iamsim_engine::model::{Policy, PolicyKind};
use iamsim_engine::request::CallerAccount;
use iamsim_engine::source::json::{
    self, escape_pointer_token, JsonKind, JsonLimits, JsonMember, JsonValue, Position,
};
use iamsim_engine::PolicySet;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// A scenario that cannot be loaded: `file:line:col: pointer: problem`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScenarioError {
    /// The full message.
    pub message: String,
}

impl fmt::Display for ScenarioError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ScenarioError {}

struct Loader {
    source: Arc<str>,
    base_dir: PathBuf,
    partition: String,
    /// The scenario is YAML: type errors suggest quoting.
    yaml: bool,
    warnings: std::cell::RefCell<Vec<Warning>>,
    /// What action-set patterns expand to and which actions exist.
    catalog: &'static Catalog,
    /// Where policy files are read from.
    files: Arc<dyn FileSource>,
    /// Every policy loaded, in load order (a file named twice is kept once).
    policies: std::cell::RefCell<Vec<Policy>>,
}

impl Loader {
    fn warn(&self, policy: &Policy, text: Option<&str>) {
        {
            let mut kept = self.policies.borrow_mut();
            let seen = kept.iter().any(|p| {
                p.source == policy.source && p.pointer == policy.pointer && p.kind == policy.kind
            });
            if !seen {
                kept.push(policy.clone());
            }
        }
        self.warnings
            .borrow_mut()
            .extend(Warning::of_policy(policy, text, self.catalog));
    }

    fn err(&self, pointer: &str, position: Position, problem: impl fmt::Display) -> ScenarioError {
        ScenarioError {
            message: format!(
                "{}:{}: {}: {problem}",
                self.source,
                position,
                if pointer.is_empty() {
                    "(document)"
                } else {
                    pointer
                }
            ),
        }
    }

    fn members<'v>(
        &self,
        pointer: &str,
        v: &'v JsonValue,
    ) -> Result<&'v [JsonMember], ScenarioError> {
        match &v.kind {
            JsonKind::Object(m) => Ok(m),
            _ => Err(self.err(
                pointer,
                v.position,
                format!("expected an object, found {}", v.type_name()),
            )),
        }
    }

    fn string<'v>(&self, pointer: &str, v: &'v JsonValue) -> Result<&'v str, ScenarioError> {
        v.as_str().ok_or_else(|| {
            let hint = match v.kind {
                JsonKind::Number(_) | JsonKind::Bool(_) if self.yaml => {
                    " (in YAML, write it in quotes)"
                }
                _ => "",
            };
            self.err(
                pointer,
                v.position,
                format!("expected a string, found {}{hint}", v.type_name()),
            )
        })
    }

    fn opt_string<'v>(
        &self,
        obj: &'v JsonValue,
        pointer: &str,
        name: &str,
    ) -> Result<Option<&'v str>, ScenarioError> {
        obj.get(name)
            .map(|v| self.string(&format!("{pointer}/{name}"), v))
            .transpose()
    }

    fn req_string<'v>(
        &self,
        obj: &'v JsonValue,
        pointer: &str,
        name: &str,
    ) -> Result<&'v str, ScenarioError> {
        self.opt_string(obj, pointer, name)?
            .ok_or_else(|| self.err(pointer, obj.position, format!("missing `{name}`")))
    }

    fn string_list(
        &self,
        obj: &JsonValue,
        pointer: &str,
        name: &str,
    ) -> Result<Vec<String>, ScenarioError> {
        match obj.get(name) {
            None => Ok(Vec::new()),
            Some(v) => match &v.kind {
                JsonKind::String(s) => Ok(vec![s.to_string()]),
                JsonKind::Array(items) => items
                    .iter()
                    .enumerate()
                    .map(|(i, item)| {
                        self.string(&format!("{pointer}/{name}/{i}"), item)
                            .map(str::to_owned)
                    })
                    .collect(),
                _ => Err(self.err(
                    &format!("{pointer}/{name}"),
                    v.position,
                    "expected a string or an array of strings",
                )),
            },
        }
    }

    fn string_map(
        &self,
        obj: &JsonValue,
        pointer: &str,
        name: &str,
    ) -> Result<BTreeMap<String, String>, ScenarioError> {
        let mut out = BTreeMap::new();
        if let Some(v) = obj.get(name) {
            let p = format!("{pointer}/{name}");
            for m in self.members(&p, v)? {
                let value =
                    self.string(&format!("{p}/{}", escape_pointer_token(&m.name)), &m.value)?;
                out.insert(m.name.to_string(), value.to_owned());
            }
        }
        Ok(out)
    }

    fn check_members(
        &self,
        obj: &JsonValue,
        pointer: &str,
        allowed: &[&str],
    ) -> Result<(), ScenarioError> {
        for m in self.members(pointer, obj)? {
            if !allowed.contains(&&*m.name) {
                return Err(self.err(
                    &format!("{pointer}/{}", escape_pointer_token(&m.name)),
                    m.name_position,
                    format!(
                        "unknown member `{}` (expected one of: {})",
                        m.name,
                        allowed.join(", ")
                    ),
                ));
            }
        }
        Ok(())
    }

    /// A policy reference: a path, a glob pattern (every match, sorted), an inline
    /// policy object, or an array of those.
    fn policies(
        &self,
        v: Option<&JsonValue>,
        pointer: &str,
        kind: PolicyKind,
    ) -> Result<Vec<Policy>, ScenarioError> {
        let Some(v) = v else { return Ok(Vec::new()) };
        match &v.kind {
            JsonKind::Array(items) => {
                let mut out = Vec::new();
                for (i, item) in items.iter().enumerate() {
                    out.extend(self.policies(Some(item), &format!("{pointer}/{i}"), kind)?);
                }
                Ok(out)
            }
            JsonKind::Object(_) => {
                let policy =
                    Policy::from_json(v, kind, self.source.clone(), pointer).map_err(|e| {
                        ScenarioError {
                            message: e.to_string(),
                        }
                    })?;
                self.warn(&policy, None);
                Ok(vec![policy])
            }
            JsonKind::String(reference) => self.policy_files(reference, pointer, v.position, kind),
            _ => Err(self.err(
                pointer,
                v.position,
                "expected a policy path, pattern, inline policy, or an array of them",
            )),
        }
    }

    fn policy_files(
        &self,
        reference: &str,
        pointer: &str,
        at: Position,
        kind: PolicyKind,
    ) -> Result<Vec<Policy>, ScenarioError> {
        let joined = self.base_dir.join(reference);
        let paths: Vec<PathBuf> = if reference.contains(['*', '?', '[']) {
            let pattern = joined.to_string_lossy().into_owned();
            let found: Vec<PathBuf> = self.files.glob(&pattern).map_err(|e| {
                self.err(
                    pointer,
                    at,
                    format!("invalid file pattern `{reference}`: {e}"),
                )
            })?;
            if found.is_empty() {
                return Err(self.err(
                    pointer,
                    at,
                    format!("pattern `{reference}` matches no file"),
                ));
            }
            found
        } else {
            vec![joined]
        };
        paths
            .iter()
            .map(|path| {
                let text = self
                    .files
                    .read_text(path, crate::files::DEFAULT_MAX_POLICY_BYTES)
                    .map_err(|e| self.err(pointer, at, format!("cannot read policy: {e}")))?;
                let policy =
                    Policy::parse(&text, kind, &self.files.source_name(path)).map_err(|e| {
                        ScenarioError {
                            message: e.to_string(),
                        }
                    })?;
                self.warn(&policy, Some(&text));
                Ok(policy)
            })
            .collect()
    }

    fn single_policy(
        &self,
        v: Option<&JsonValue>,
        pointer: &str,
        kind: PolicyKind,
    ) -> Result<Option<Policy>, ScenarioError> {
        let mut list = self.policies(v, pointer, kind)?;
        match list.len() {
            0 => Ok(None),
            1 => Ok(list.pop()),
            n => Err(self.err(
                pointer,
                v.map(|v| v.position).unwrap_or_default(),
                format!("expected one policy, the reference names {n}"),
            )),
        }
    }
}

/// SCP and RCP levels of one account: root first, then OUs, then the account.
#[derive(Default, Clone)]
struct OrgLevels {
    scp: Vec<Vec<Policy>>,
    rcp: Vec<Vec<Policy>>,
}

struct OrgNode {
    parent: Option<String>,
    scp: Vec<Policy>,
    rcp: Vec<Policy>,
}

pub(super) fn load(
    path: &Path,
    catalog: &'static Catalog,
    files: Arc<dyn FileSource>,
) -> Result<Scenario, ScenarioError> {
    let text = files
        .read_text(path, crate::files::DEFAULT_MAX_FILE_BYTES)
        .map_err(|e| ScenarioError {
            message: e.to_string(),
        })?;
    let base_dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
    let source = files.source_name(path);
    let yaml = crate::yaml::is_yaml_path(path);
    let loader = Loader {
        catalog,
        files,
        ..Loader::new(&source, &base_dir, yaml)
    };
    if yaml {
        parse_yaml_with(loader, &text)
    } else {
        parse_with(loader, &text)
    }
}

impl Loader {
    fn new(source: &str, base_dir: &Path, yaml: bool) -> Loader {
        Loader {
            source: source.into(),
            base_dir: base_dir.to_path_buf(),
            partition: "aws".into(),
            yaml,
            warnings: Default::default(),
            catalog: Catalog::builtin(),
            files: Arc::new(DiskFiles),
            policies: Default::default(),
        }
    }
}

/// Parses scenario JSON text; policy references are resolved relative to `base_dir`.
#[cfg(test)]
fn parse(text: &str, source: &str, base_dir: &Path) -> Result<Scenario, ScenarioError> {
    parse_with(Loader::new(source, base_dir, false), text)
}

fn parse_with(loader: Loader, text: &str) -> Result<Scenario, ScenarioError> {
    let doc = json::parse(text, 1, JsonLimits::default())
        .map_err(|e| loader.err(&e.pointer, e.position, format!("invalid JSON: {}", e.kind)))?;
    from_document(loader, &doc)
}

/// Parses a scenario written in YAML (the same structure as JSON; see
/// [`crate::yaml`] for how YAML maps onto it). Policy files it names stay JSON.
fn parse_yaml_with(loader: Loader, text: &str) -> Result<Scenario, ScenarioError> {
    let doc = crate::yaml::parse_yaml(text, 1).map_err(|e| {
        loader.err(
            &e.pointer,
            e.position,
            format!("invalid YAML: {}", e.message),
        )
    })?;
    from_document(loader, &doc)
}

/// Builds the scenario from its parsed document (JSON or YAML).
fn from_document(mut loader: Loader, doc: &JsonValue) -> Result<Scenario, ScenarioError> {
    loader.check_members(
        doc,
        "",
        &[
            "name",
            "description",
            "partition",
            "organization",
            "groups",
            "principals",
            "resources",
            "connect",
            "action_sets",
        ],
    )?;
    if let Some(p) = loader.opt_string(doc, "", "partition")? {
        loader.partition = p.to_owned();
    }
    let name = loader
        .opt_string(doc, "", "name")?
        .unwrap_or("scenario")
        .to_owned();
    let org = organization(&loader, doc.get("organization"))?;
    let groups = groups(&loader, doc.get("groups"))?;
    let action_sets = action_sets(&loader, doc.get("action_sets"))?;
    let principal_defs = principals(&loader, doc, &org, &groups)?;
    let org_levels = org.levels;
    let resource_defs = resources(&loader, doc, &action_sets)?;
    let instances = connect(&loader, doc, &action_sets)?;

    let mut principal_index = FastMap::default();
    for (i, p) in principal_defs.iter().enumerate() {
        principal_index.insert(p.principal.name.clone(), i);
        principal_index.entry(p.principal.arn.clone()).or_insert(i);
    }
    // What else names a principal unambiguously: a role's ARN (for its session) and
    // an account id (for that account's root user), each only when exactly one
    // principal of the scenario answers to it.
    let mut aliases: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (i, p) in principal_defs.iter().enumerate() {
        let p = &p.principal;
        let alias = match p.kind {
            PrincipalKind::RoleSession => match p.context.get_any_case("aws:PrincipalArn") {
                Some(iamsim_engine::request::ContextValue::Single(role)) => Some(role.to_string()),
                _ => None,
            },
            PrincipalKind::Root => p.account.clone(),
            _ => None,
        };
        if let Some(alias) = alias {
            aliases.entry(alias).or_default().push(i);
        }
    }
    for (alias, found) in aliases {
        if let [i] = found[..] {
            principal_index.entry(alias).or_insert(i);
        }
    }
    let mut resource_index = FastMap::default();
    for (i, r) in resource_defs.iter().enumerate() {
        resource_index.insert(r.resource.arn.clone(), i);
    }
    let no_levels = OrgLevels::default();
    let levels_of = |account: Option<&str>| {
        account
            .and_then(|a| org_levels.get(a))
            .unwrap_or(&no_levels)
    };
    let compile = |set: PolicySet| {
        CompiledPolicySet::compile(&set)
            .map(Arc::new)
            .map_err(|e| ScenarioError {
                message: e.to_string(),
            })
    };
    let mut compiled = Vec::with_capacity(principal_defs.len());
    for p in &principal_defs {
        // SCPs limit the principals of member accounts, not service principals.
        let scp = if p.principal.kind == PrincipalKind::Service {
            Vec::new()
        } else {
            levels_of(p.principal.account.as_deref()).scp.clone()
        };
        let caller_side = |resource: Option<Policy>, rcp: Vec<Vec<Policy>>| PolicySet {
            identity: p.identity.clone(),
            resource,
            boundary: p.boundary.clone(),
            session: p.session.clone(),
            scp: scp.clone(),
            rcp,
        };
        let by_resource = resource_defs
            .iter()
            .map(|r| {
                compile(caller_side(
                    r.policy.clone(),
                    levels_of(r.resource.account.as_deref()).rcp.clone(),
                ))
            })
            .collect::<Result<Vec<_>, _>>()?;
        let mut by_account = FastMap::default();
        for (account, levels) in &org_levels {
            if !levels.rcp.is_empty() {
                by_account.insert(
                    account.clone(),
                    compile(caller_side(None, levels.rcp.clone()))?,
                );
            }
        }
        compiled.push(PrincipalSets {
            by_resource,
            by_account,
            no_resource: compile(caller_side(None, Vec::new()))?,
        });
    }
    Ok(Scenario {
        name,
        catalog: loader.catalog,
        principals: principal_defs.into_iter().map(|p| p.principal).collect(),
        principal_index,
        resources: resource_defs.into_iter().map(|r| r.resource).collect(),
        resource_lengths: {
            let mut lengths: Vec<usize> = resource_index.keys().map(String::len).collect();
            lengths.sort_unstable_by(|a, b| b.cmp(a));
            lengths.dedup();
            lengths
        },
        resource_index,
        instances,
        action_sets,
        compiled,
        warnings: loader.warnings.into_inner(),
        policies: loader.policies.into_inner(),
    })
}

/// The organization a scenario declares: its id, the SCP/RCP levels over each
/// member account, and its management account.
#[derive(Default)]
struct Organization {
    declared: bool,
    id: Option<String>,
    levels: BTreeMap<String, OrgLevels>,
    management: Option<String>,
}

impl Organization {
    /// Where a principal's account stands (SEMANTICS §9.4a): without a declared
    /// organization every account counts as a member (there are no SCPs anyway).
    fn standing(&self, account: Option<&str>) -> CallerAccount {
        match account {
            _ if !self.declared => CallerAccount::Member,
            Some(a) if self.management.as_deref() == Some(a) => CallerAccount::Management,
            Some(a) if self.levels.contains_key(a) => CallerAccount::Member,
            _ => CallerAccount::OutsideOrganization,
        }
    }
}

fn organization(loader: &Loader, v: Option<&JsonValue>) -> Result<Organization, ScenarioError> {
    let Some(v) = v else {
        return Ok(Organization::default());
    };
    let p = "/organization";
    loader.check_members(
        v,
        p,
        &["id", "root", "ous", "accounts", "management_account"],
    )?;
    let id = loader.opt_string(v, p, "id")?.map(str::to_owned);
    let management = loader
        .opt_string(v, p, "management_account")?
        .map(str::to_owned);
    let node =
        |v: &JsonValue, pointer: &str, parent: Option<String>| -> Result<OrgNode, ScenarioError> {
            loader.check_members(v, pointer, &["parent", "ou", "scp", "rcp"])?;
            Ok(OrgNode {
                parent,
                scp: loader.policies(v.get("scp"), &format!("{pointer}/scp"), PolicyKind::Scp)?,
                rcp: loader.policies(v.get("rcp"), &format!("{pointer}/rcp"), PolicyKind::Rcp)?,
            })
        };
    let mut nodes: BTreeMap<String, OrgNode> = BTreeMap::new();
    match v.get("root") {
        Some(root) => nodes.insert("root".into(), node(root, "/organization/root", None)?),
        None => nodes.insert(
            "root".into(),
            OrgNode {
                parent: None,
                scp: Vec::new(),
                rcp: Vec::new(),
            },
        ),
    };
    if let Some(ous) = v.get("ous") {
        for m in loader.members("/organization/ous", ous)? {
            let pointer = format!("/organization/ous/{}", escape_pointer_token(&m.name));
            let parent = loader
                .opt_string(&m.value, &pointer, "parent")?
                .unwrap_or("root")
                .to_owned();
            nodes.insert(m.name.to_string(), node(&m.value, &pointer, Some(parent))?);
        }
    }
    let mut accounts = BTreeMap::new();
    if let Some(list) = v.get("accounts") {
        for m in loader.members("/organization/accounts", list)? {
            let pointer = format!("/organization/accounts/{}", escape_pointer_token(&m.name));
            let ou = loader
                .opt_string(&m.value, &pointer, "ou")?
                .unwrap_or("root")
                .to_owned();
            let own = node(&m.value, &pointer, Some(ou.clone()))?;
            // Walk up from the account's OU to the root; guard against cycles.
            let mut chain = vec![own];
            let mut seen = BTreeSet::new();
            let mut cursor = Some(ou);
            while let Some(name) = cursor {
                if !seen.insert(name.clone()) {
                    return Err(loader.err(
                        &pointer,
                        m.name_position,
                        format!("organization units form a cycle at `{name}`"),
                    ));
                }
                let n = nodes.get(&name).ok_or_else(|| {
                    loader.err(
                        &pointer,
                        m.name_position,
                        format!("unknown organizational unit `{name}`"),
                    )
                })?;
                chain.push(OrgNode {
                    parent: None,
                    scp: n.scp.clone(),
                    rcp: n.rcp.clone(),
                });
                cursor = n.parent.clone();
            }
            chain.reverse();
            // A level with no policy listed keeps AWS's default FullAWSAccess: no limit.
            let levels = OrgLevels {
                scp: chain
                    .iter()
                    .filter(|n| !n.scp.is_empty())
                    .map(|n| n.scp.clone())
                    .collect(),
                rcp: chain
                    .iter()
                    .filter(|n| !n.rcp.is_empty())
                    .map(|n| n.rcp.clone())
                    .collect(),
            };
            accounts.insert(m.name.to_string(), levels);
        }
    }
    Ok(Organization {
        declared: true,
        id,
        levels: accounts,
        management,
    })
}

fn groups(
    loader: &Loader,
    v: Option<&JsonValue>,
) -> Result<BTreeMap<String, Vec<Policy>>, ScenarioError> {
    let mut out = BTreeMap::new();
    if let Some(v) = v {
        for m in loader.members("/groups", v)? {
            let pointer = format!("/groups/{}", escape_pointer_token(&m.name));
            loader.check_members(&m.value, &pointer, &["policies"])?;
            let policies = loader.policies(
                m.value.get("policies"),
                &format!("{pointer}/policies"),
                PolicyKind::Identity,
            )?;
            out.insert(m.name.to_string(), policies);
        }
    }
    Ok(out)
}

fn action_sets(
    loader: &Loader,
    v: Option<&JsonValue>,
) -> Result<BTreeMap<String, Vec<String>>, ScenarioError> {
    let mut out = BTreeMap::new();
    if let Some(v) = v {
        for m in loader.members("/action_sets", v)? {
            let pointer = "/action_sets".to_owned();
            let wrapper = JsonValue {
                kind: JsonKind::Object(vec![m.clone()]),
                position: m.name_position,
            };
            let entries = loader.string_list(&wrapper, &pointer, &m.name)?;
            let mut actions: Vec<String> = Vec::new();
            for (i, a) in entries.iter().enumerate() {
                let at = match &m.value.kind {
                    JsonKind::Array(items) => items.get(i).map_or(m.value.position, |v| v.position),
                    _ => m.value.position,
                };
                let here = format!("/action_sets/{}/{i}", escape_pointer_token(&m.name));
                if !a.contains(':') {
                    return Err(loader.err(
                        &here,
                        at,
                        format!("action `{a}` has no service prefix"),
                    ));
                }
                let found = catalog_actions(loader.catalog, a)
                    .map_err(|problem| loader.err(&here, at, problem))?;
                for name in found {
                    if !actions.iter().any(|x| x.eq_ignore_ascii_case(&name)) {
                        actions.push(name);
                    }
                }
            }
            out.insert(m.name.to_string(), actions);
        }
    }
    Ok(out)
}

/// What an action-set entry stands for, by the pinned catalog: a pattern
/// (`connect:Describe*`, `s3:Get?bject`) is every action it matches, sorted as the
/// catalog sorts; a literal action is itself, as written. A pattern that matches
/// nothing and an action the catalog does not know are errors naming the nearest
/// actions: a typo in an action set is a matrix column that can never show a grant.
pub(super) fn catalog_actions(catalog: &Catalog, entry: &str) -> Result<Vec<String>, String> {
    let is_pattern = entry.contains(['*', '?']);
    let found: Vec<String> = if is_pattern {
        catalog
            .expand(entry)
            .iter()
            .map(|a| a.qualified_name())
            .collect()
    } else if catalog.action(entry).is_some() {
        vec![entry.to_owned()]
    } else {
        Vec::new()
    };
    if !found.is_empty() {
        return Ok(found);
    }
    let mut problem = if is_pattern {
        format!(
            "`{entry}` matches no action in the catalog ({})",
            catalog.version()
        )
    } else {
        format!(
            "unknown action `{entry}`: not in the catalog ({})",
            catalog.version()
        )
    };
    if let Some((service, _)) = entry.split_once(':') {
        if !service.contains(['*', '?']) && catalog.service(service).is_none() {
            problem.push_str(&format!("; no service has the prefix `{service}`"));
        }
    }
    let near = catalog.suggest(entry);
    if !near.is_empty() {
        let near: Vec<String> = near.iter().map(|n| format!("`{n}`")).collect();
        problem.push_str(&format!("; did you mean {}?", near.join(", ")));
    }
    Err(problem)
}

struct PrincipalDef {
    principal: ScenarioPrincipal,
    identity: Vec<Policy>,
    boundary: Option<Policy>,
    session: Option<Policy>,
}

fn principals(
    loader: &Loader,
    doc: &JsonValue,
    org: &Organization,
    groups: &BTreeMap<String, Vec<Policy>>,
) -> Result<Vec<PrincipalDef>, ScenarioError> {
    let Some(list) = doc.get("principals") else {
        return Ok(Vec::new());
    };
    let JsonKind::Array(items) = &list.kind else {
        return Err(loader.err(
            "/principals",
            list.position,
            "expected an array of principals",
        ));
    };
    let mut names = BTreeSet::new();
    let mut out = Vec::new();
    for (i, v) in items.iter().enumerate() {
        let p = format!("/principals/{i}");
        loader.check_members(
            v,
            &p,
            &[
                "name",
                "type",
                "account",
                "id",
                "user",
                "role",
                "path",
                "session",
                "service",
                "policies",
                "groups",
                "boundary",
                "session_policy",
                "tags",
                "context",
                "description",
            ],
        )?;
        let name = loader.req_string(v, &p, "name")?.to_owned();
        if !names.insert(name.clone()) {
            return Err(loader.err(
                &p,
                v.position,
                format!("principal name `{name}` is used twice"),
            ));
        }
        let kind = match loader.req_string(v, &p, "type")? {
            "user" => PrincipalKind::User,
            "role" | "role-session" => PrincipalKind::RoleSession,
            "federated-user" => PrincipalKind::FederatedUser,
            "root" => PrincipalKind::Root,
            "service" => PrincipalKind::Service,
            other => {
                return Err(loader.err(
                    &format!("{p}/type"),
                    v.position,
                    format!("unknown principal type `{other}` (expected user, role, role-session, federated-user, root, service)"),
                ))
            }
        };
        let account = match kind {
            PrincipalKind::Service => None,
            _ => {
                let a = loader.req_string(v, &p, "account")?;
                if a.len() != 12 || !a.bytes().all(|b| b.is_ascii_digit()) {
                    return Err(loader.err(
                        &format!("{p}/account"),
                        v.position,
                        format!("account `{a}` is not a 12-digit id"),
                    ));
                }
                Some(a.to_owned())
            }
        };
        let acct = account.as_deref().unwrap_or("");
        let part = &loader.partition;
        let path = loader.opt_string(v, &p, "path")?.unwrap_or("/");
        let path = if path.starts_with('/') && path.ends_with('/') {
            path
        } else {
            return Err(loader.err(
                &format!("{p}/path"),
                v.position,
                "an IAM path starts and ends with `/`",
            ));
        };
        let unique_id = loader.opt_string(v, &p, "id")?;
        let (arn, role_arn, short_name) = match kind {
            PrincipalKind::User => {
                let user = loader.opt_string(v, &p, "user")?.unwrap_or(&name);
                (
                    format!("arn:{part}:iam::{acct}:user{path}{user}"),
                    None,
                    user.to_owned(),
                )
            }
            PrincipalKind::RoleSession => {
                let role = loader.req_string(v, &p, "role")?;
                let session = loader.opt_string(v, &p, "session")?.unwrap_or(&name);
                (
                    format!("arn:{part}:sts::{acct}:assumed-role/{role}/{session}"),
                    Some(format!("arn:{part}:iam::{acct}:role{path}{role}")),
                    session.to_owned(),
                )
            }
            PrincipalKind::FederatedUser => {
                let user = loader.opt_string(v, &p, "user")?.unwrap_or(&name);
                (
                    format!("arn:{part}:sts::{acct}:federated-user/{user}"),
                    None,
                    user.to_owned(),
                )
            }
            PrincipalKind::Root => (format!("arn:{part}:iam::{acct}:root"), None, name.clone()),
            PrincipalKind::Service => {
                let service = loader.req_string(v, &p, "service")?;
                (service.to_owned(), None, service.to_owned())
            }
        };
        if kind == PrincipalKind::RoleSession && unique_id.is_none() {
            return Err(loader.err(
                &p,
                v.position,
                format!("role session `{name}` needs `id` (the role's AROA… unique id): aws:userid cannot be derived from an ARN"),
            ));
        }
        let tags = loader.string_map(v, &p, "tags")?;
        let caller_account = org.standing(account.as_deref());
        // Only principals of the organization's accounts carry its id.
        let org_id = match caller_account {
            CallerAccount::OutsideOrganization => None,
            _ => org.id.as_deref(),
        };
        let mut context = principal_context(&PrincipalFacts {
            kind,
            account: account.as_deref(),
            unique_id,
            name: &short_name,
            arn: &arn,
            role_arn: role_arn.as_deref(),
            tags: &tags,
            org_id,
        });
        if let Some(c) = v.get("context") {
            let explicit = crate::cases::context_from_json(c)
                .map_err(|(ptr, pos, msg)| loader.err(&format!("{p}/context{ptr}"), pos, msg))?;
            super::context::merge(&mut context, &explicit);
        }
        let mut identity = loader.policies(
            v.get("policies"),
            &format!("{p}/policies"),
            PolicyKind::Identity,
        )?;
        for (gi, g) in loader.string_list(v, &p, "groups")?.iter().enumerate() {
            let policies = groups.get(g).ok_or_else(|| {
                loader.err(
                    &format!("{p}/groups/{gi}"),
                    v.position,
                    format!("unknown group `{g}`"),
                )
            })?;
            identity.extend(policies.iter().cloned());
        }
        out.push(PrincipalDef {
            principal: ScenarioPrincipal {
                name,
                kind,
                arn,
                account,
                caller_account,
                context,
            },
            identity,
            boundary: loader.single_policy(
                v.get("boundary"),
                &format!("{p}/boundary"),
                PolicyKind::Boundary,
            )?,
            session: loader.single_policy(
                v.get("session_policy"),
                &format!("{p}/session_policy"),
                PolicyKind::Session,
            )?,
        });
    }
    Ok(out)
}

struct ResourceDef {
    resource: ScenarioResource,
    policy: Option<Policy>,
}

fn resources(
    loader: &Loader,
    doc: &JsonValue,
    sets: &BTreeMap<String, Vec<String>>,
) -> Result<Vec<ResourceDef>, ScenarioError> {
    let Some(list) = doc.get("resources") else {
        return Ok(Vec::new());
    };
    let JsonKind::Array(items) = &list.kind else {
        return Err(loader.err(
            "/resources",
            list.position,
            "expected an array of resources",
        ));
    };
    let mut names = BTreeSet::new();
    let mut out = Vec::new();
    for (i, v) in items.iter().enumerate() {
        let p = format!("/resources/{i}");
        loader.check_members(
            v,
            &p,
            &[
                "name",
                "arn",
                "account",
                "policy",
                "tags",
                "targets",
                "actions",
                "description",
            ],
        )?;
        let arn = loader.req_string(v, &p, "arn")?.to_owned();
        let name = loader.opt_string(v, &p, "name")?.unwrap_or(&arn).to_owned();
        if !names.insert(name.clone()) {
            return Err(loader.err(
                &p,
                v.position,
                format!("resource name `{name}` is used twice"),
            ));
        }
        let Some(parts) = iamsim_engine::internal::pattern::split_arn(&arn) else {
            return Err(loader.err(
                &format!("{p}/arn"),
                v.position,
                format!("`{arn}` is not an ARN (arn:partition:service:region:account:resource)"),
            ));
        };
        let account = match loader.opt_string(v, &p, "account")? {
            Some(a) => a.to_owned(),
            None if !parts[4].is_empty() => parts[4].to_owned(),
            None => {
                return Err(loader.err(
                    &p,
                    v.position,
                    format!("resource `{name}` needs `account`: its ARN has no account field"),
                ))
            }
        };
        let tags = loader.string_map(v, &p, "tags")?;
        let actions = loader.string_list(v, &p, "actions")?;
        let mut targets = Vec::new();
        if let Some(t) = v.get("targets") {
            let JsonKind::Array(items) = &t.kind else {
                return Err(loader.err(
                    &format!("{p}/targets"),
                    t.position,
                    "expected an array of ARNs or {arn, actions} objects",
                ));
            };
            for (ti, item) in items.iter().enumerate() {
                let tp = format!("{p}/targets/{ti}");
                match &item.kind {
                    JsonKind::String(s) => targets.push((s.to_string(), actions.clone())),
                    JsonKind::Object(_) => {
                        loader.check_members(item, &tp, &["arn", "actions"])?;
                        let own = loader.string_list(item, &tp, "actions")?;
                        let arn = loader.req_string(item, &tp, "arn")?.to_owned();
                        targets.push((arn, if own.is_empty() { actions.clone() } else { own }));
                    }
                    _ => {
                        return Err(loader.err(
                            &tp,
                            item.position,
                            "expected an ARN or an {arn, actions} object",
                        ))
                    }
                }
            }
        }
        if targets.is_empty() {
            targets.push((arn.clone(), actions));
        }
        for (_, list) in &targets {
            check_action_names(loader, sets, list, &format!("{p}/actions"), v.position)?;
        }
        out.push(ResourceDef {
            resource: ScenarioResource {
                context: resource_context(Some(&account), &tags),
                name,
                arn,
                account: Some(account),
                targets,
            },
            policy: loader.single_policy(
                v.get("policy"),
                &format!("{p}/policy"),
                PolicyKind::Resource,
            )?,
        });
    }
    Ok(out)
}

fn connect(
    loader: &Loader,
    doc: &JsonValue,
    sets: &BTreeMap<String, Vec<String>>,
) -> Result<Vec<ConnectInstance>, ScenarioError> {
    let Some(list) = doc.get("connect") else {
        return Ok(Vec::new());
    };
    let JsonKind::Array(items) = &list.kind else {
        return Err(loader.err(
            "/connect",
            list.position,
            "expected an array of Connect instances",
        ));
    };
    let mut out = Vec::new();
    for (i, v) in items.iter().enumerate() {
        let p = format!("/connect/{i}");
        loader.check_members(v, &p, &["instance", "groups", "users", "user_actions"])?;
        let arn = loader.req_string(v, &p, "instance")?.to_owned();
        // Group id → (name, parent).
        let mut raw: BTreeMap<String, (String, Option<String>, Position)> = BTreeMap::new();
        if let Some(JsonKind::Array(gs)) = v.get("groups").map(|g| &g.kind) {
            for (gi, g) in gs.iter().enumerate() {
                let gp = format!("{p}/groups/{gi}");
                loader.check_members(g, &gp, &["id", "name", "parent"])?;
                let id = loader.req_string(g, &gp, "id")?.to_owned();
                let name = loader.opt_string(g, &gp, "name")?.unwrap_or(&id).to_owned();
                let parent = loader.opt_string(g, &gp, "parent")?.map(str::to_owned);
                if raw.insert(id.clone(), (name, parent, g.position)).is_some() {
                    return Err(loader.err(
                        &gp,
                        g.position,
                        format!("hierarchy group `{id}` is defined twice"),
                    ));
                }
            }
        }
        let path_of = |start: &str, at: (&str, Position)| -> Result<Vec<String>, ScenarioError> {
            let mut path = Vec::new();
            let mut cursor = Some(start.to_owned());
            while let Some(id) = cursor {
                let (_, parent, _) = raw.get(&id).ok_or_else(|| {
                    loader.err(at.0, at.1, format!("unknown hierarchy group `{id}`"))
                })?;
                if path.contains(&id) {
                    return Err(loader.err(
                        at.0,
                        at.1,
                        format!("hierarchy groups form a cycle at `{id}`"),
                    ));
                }
                path.push(id);
                cursor = parent.clone();
            }
            path.reverse();
            // Connect hierarchies have at most five levels.
            if path.len() > 5 {
                return Err(loader.err(
                    at.0,
                    at.1,
                    format!(
                        "group `{start}` is at level {}, deeper than the 5 levels Connect allows",
                        path.len()
                    ),
                ));
            }
            Ok(path)
        };
        let mut groups = BTreeMap::new();
        for (id, (name, _, pos)) in &raw {
            let level = path_of(id, (&format!("{p}/groups"), *pos))?.len();
            groups.insert(id.clone(), (name.clone(), level));
        }
        let mut users = BTreeMap::new();
        let mut user_order = Vec::new();
        if let Some(JsonKind::Array(us)) = v.get("users").map(|u| &u.kind) {
            for (ui, u) in us.iter().enumerate() {
                let up = format!("{p}/users/{ui}");
                loader.check_members(u, &up, &["id", "name", "group", "tags"])?;
                let id = loader.req_string(u, &up, "id")?.to_owned();
                let name = loader.opt_string(u, &up, "name")?.unwrap_or(&id).to_owned();
                let path = match loader.opt_string(u, &up, "group")? {
                    Some(g) => path_of(g, (&format!("{up}/group"), u.position))?,
                    None => Vec::new(),
                };
                let tags = loader.string_map(u, &up, "tags")?;
                let user = ConnectUser {
                    ordinal: user_order.len(),
                    arn: format!("{arn}/agent/{id}"),
                    id: id.clone(),
                    name,
                    context: super::context::connect_user_context(&path, &tags),
                    path,
                    tags,
                };
                if users.insert(id.clone(), user).is_some() {
                    return Err(loader.err(
                        &up,
                        u.position,
                        format!("Connect user `{id}` is defined twice"),
                    ));
                }
                user_order.push(id);
            }
        }
        let user_actions = loader.string_list(v, &p, "user_actions")?;
        check_action_names(
            loader,
            sets,
            &user_actions,
            &format!("{p}/user_actions"),
            v.position,
        )?;
        out.push(ConnectInstance {
            context: super::context::connect_instance_context(&arn),
            arn,
            groups,
            users,
            user_order,
            user_actions,
        });
    }
    Ok(out)
}

/// Every entry must name an action set or be an action (`service:Name`).
fn check_action_names(
    loader: &Loader,
    sets: &BTreeMap<String, Vec<String>>,
    names: &[String],
    pointer: &str,
    at: Position,
) -> Result<(), ScenarioError> {
    for a in names {
        if !sets.contains_key(a) && !a.contains(':') {
            return Err(loader.err(
                pointer,
                at,
                format!("`{a}` is neither an action set nor an action"),
            ));
        }
        // A pattern expands through the catalog (`Scenario::expand_actions`); one that
        // matches nothing would be a target without the columns it asked for.
        if !sets.contains_key(a) && a.contains(['*', '?']) {
            catalog_actions(loader.catalog, a)
                .map_err(|problem| loader.err(pointer, at, problem))?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load_text(text: &str) -> Result<Scenario, ScenarioError> {
        parse(text, "s.json", Path::new("."))
    }

    fn with_sets(sets: &str, resource_actions: &str) -> String {
        format!(
            r#"{{"action_sets": {sets},
  "resources": [{{"name": "b", "arn": "arn:aws:s3:::b", "account": "111122223333", "actions": {resource_actions}}}]}}"#
        )
    }

    fn catalog_names(pattern: &str) -> Vec<String> {
        iamsim_catalog::Catalog::builtin()
            .expand(pattern)
            .iter()
            .map(|a| a.qualified_name())
            .collect()
    }

    #[test]
    fn action_set_patterns_expand_through_the_catalog_sorted_and_deduplicated() {
        let text = with_sets(
            r#"{"logs": ["logs:GetLogEvents", "logs:Describe*", "logs:describelogstreams"]}"#,
            r#"["logs"]"#,
        );
        let s = load_text(&text).expect("loads");
        let describe = catalog_names("logs:Describe*");
        assert!(describe.len() > 5, "{describe:?}");
        assert!(describe
            .windows(2)
            .all(|w| w[0].to_ascii_lowercase() < w[1].to_ascii_lowercase()));
        let mut want = vec!["logs:GetLogEvents".to_owned()];
        want.extend(describe);
        assert_eq!(s.action_sets()["logs"], want);
        assert!(!s.action_sets()["logs"]
            .iter()
            .any(|a| a == "logs:describelogstreams"));
        assert_eq!(s.matrix_targets()[0].actions, want);
    }

    #[test]
    fn a_pattern_matching_nothing_is_a_located_error_with_the_nearest_names() {
        let text = with_sets("{\"s\": [\"s3:GetObject\",\n   \"s3:Gett*\"]}", r#"["s"]"#);
        let e = load_text(&text)
            .expect_err("no action matches s3:Gett*")
            .to_string();
        assert!(
            e.starts_with(
                "s.json:2:4: /action_sets/s/1: `s3:Gett*` matches no action in the catalog"
            ),
            "{e}"
        );
        assert!(e.contains("did you mean `s3:Get*`"), "{e}");
    }

    #[test]
    fn an_unknown_literal_action_in_a_set_is_an_error_with_suggestions() {
        let text = with_sets(r#"{"s": ["s3:GetObjects"]}"#, r#"["s"]"#);
        let e = load_text(&text).expect_err("typo").to_string();
        assert!(
            e.starts_with("s.json:1:24: /action_sets/s/0: unknown action `s3:GetObjects`"),
            "{e}"
        );
        assert!(e.contains("did you mean `s3:GetObject`"), "{e}");
        let text = with_sets(r#"{"s": ["conect:DescribeInstance"]}"#, r#"["s"]"#);
        let e = load_text(&text).expect_err("unknown service").to_string();
        assert!(e.contains("no service has the prefix `conect`"), "{e}");
        assert!(e.contains("`connect:DescribeInstance`"), "{e}");
    }

    #[test]
    fn patterns_in_resource_action_lists_expand_and_must_match() {
        let s = load_text(&with_sets(
            "{}",
            r#"["s3:GetBucketPolicy", "s3:*BucketPolicy", "s3:Custom", "s3:putbucketpolicy"]"#,
        ))
        .expect("loads");
        let mut want = vec!["s3:GetBucketPolicy".to_owned()];
        want.extend(
            catalog_names("s3:*BucketPolicy")
                .into_iter()
                .filter(|a| a != "s3:GetBucketPolicy"),
        );
        // Literal entries outside action sets stay as written, known or not.
        want.push("s3:Custom".into());
        assert!(want.len() >= 4, "{want:?}");
        assert_eq!(s.matrix_targets()[0].actions, want);
        let e = load_text(&with_sets("{}", r#"["s3:Nothing*"]"#))
            .expect_err("pattern matches nothing")
            .to_string();
        assert!(
            e.contains("/resources/0/actions: `s3:Nothing*` matches no action"),
            "{e}"
        );
    }
}
