//! The conformance corpus (`fixtures/conformance/cases.jsonl`, a copy of
//! `../shared/conformance/cases.jsonl`; format: `../shared/conformance/FORMAT.md`)
//! and its loader: the parsed policies of every slot (parsed exactly as `src/cases.rs`
//! does, with `json::parse` + `Policy::from_json`, but never compiled) and the
//! request as plain data, so that tests can mutate it and build `Request`s from it.

use crate::reference::RefPolicies;
use iamsim_engine::decision::Decision;
use iamsim_engine::model::{Policy, PolicyKind};
use iamsim_engine::request::{ContextValue, Request};
use iamsim_engine::source::json::{self, JsonKind, JsonLimits, JsonValue};
use iamsim_engine::{CompiledPolicySet, PolicySet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The repository root (the workspace root, where `fixtures/` is).
pub fn repo_root() -> &'static Path {
    let kit = Path::new(env!("CARGO_MANIFEST_DIR"));
    kit.parent().unwrap_or(kit)
}

/// `fixtures/conformance/cases.jsonl`, absolute.
pub fn conformance_path() -> PathBuf {
    repo_root().join("fixtures/conformance/cases.jsonl")
}

/// The conformance corpus as text, read from `path`.
pub fn read_corpus(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// One case as a case-file reader that compiles (the CLI's `parse_case_file`) gives
/// it: what the fuzz `case` check and the library surfaces need.
#[derive(Debug)]
pub struct ReadCase {
    pub id: String,
    pub request: Request,
    /// The compiled policies, or why they do not compile.
    pub policies: Result<Arc<CompiledPolicySet>, String>,
}

/// Reads a case file (`text`, named `source` in messages): one result per case, in
/// order; an unreadable case is its located message. The root package adapts
/// `iamsim_scenario::cases::parse_case_file` to it (the kit cannot depend on the root).
pub type CaseReader = fn(text: &str, source: &str) -> Vec<Result<ReadCase, String>>;

/// The CLI's own case reader (`iamsim_scenario::cases::parse_case_file`) as a
/// [`CaseReader`], so that checks and surfaces read case files exactly as
/// `iamsim check` does.
pub fn read_cases(text: &str, source: &str) -> Vec<Result<ReadCase, String>> {
    iamsim_scenario::cases::parse_case_file(text, source)
        .into_iter()
        .map(|result| {
            result
                .map(|case| ReadCase {
                    id: case.id,
                    request: case.request,
                    policies: case.policies,
                })
                .map_err(|e| e.message)
        })
        .collect()
}

/// One case as the reference sees it.
#[derive(Debug)]
pub struct RefCase {
    pub id: String,
    pub line: u32,
    pub expect: Decision,
    pub request: RawRequest,
    /// The parsed policies, or the parse error message.
    pub policies: Result<RefPolicies, String>,
}

impl RefCase {
    /// The case as the engine compiles it from the reference loader's policies (each
    /// `scp`/`rcp` entry one organization level, as the CLI's case reader has it):
    /// the kit's own case reader, for packages that cannot use the CLI's.
    pub fn compiled(&self) -> ReadCase {
        let policies = match &self.policies {
            Ok(policies) => CompiledPolicySet::compile(&policy_set(policies))
                .map(Arc::new)
                .map_err(|e| e.to_string()),
            Err(e) => Err(e.clone()),
        };
        ReadCase {
            id: self.id.clone(),
            request: self.request.to_request(),
            policies,
        }
    }
}

/// The engine's `PolicySet` of the parsed policies: each `scp`/`rcp` entry is one
/// organization level.
pub fn policy_set(policies: &RefPolicies) -> PolicySet {
    PolicySet {
        identity: policies.identity.clone(),
        resource: policies.resource.clone(),
        boundary: policies.boundary.clone(),
        session: policies.session.clone(),
        scp: policies.scp.iter().map(|p| vec![p.clone()]).collect(),
        rcp: policies.rcp.iter().map(|p| vec![p.clone()]).collect(),
    }
}

/// A context value as plain data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RawValue {
    Single(String),
    Multi(Vec<String>),
}

/// A request as plain data (FORMAT.md `request`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawRequest {
    pub principal: String,
    pub principal_account: Option<String>,
    pub resource_account: Option<String>,
    /// `member` (absent), `management` or `outside` (SEMANTICS §9.4a).
    pub principal_org: Option<String>,
    pub action: String,
    pub resource: String,
    /// In source order; key names as written.
    pub context: Vec<(String, RawValue)>,
}

impl RawRequest {
    /// The engine's request type, built from the plain data.
    pub fn to_request(&self) -> Request {
        let mut r = Request::new(&self.principal, &self.action, &self.resource);
        r.set_accounts(
            self.principal_account.as_deref(),
            self.resource_account.as_deref(),
        );
        if let Some(org) = &self.principal_org {
            let standing = iamsim_engine::request::CallerAccount::from_name(org)
                .unwrap_or_else(|| panic!("unknown principal_org `{org}`"));
            r.set_caller_account(standing);
        }
        for (key, value) in &self.context {
            let value = match value {
                RawValue::Single(v) => ContextValue::Single(v.as_str().into()),
                RawValue::Multi(vs) => {
                    ContextValue::Multi(vs.iter().map(|v| v.as_str().into()).collect())
                }
            };
            r.context_mut().insert(key, value);
        }
        r
    }

    /// The request in case-file JSON, for failure messages.
    pub fn to_json(&self) -> String {
        let mut obj = serde_json::Map::new();
        obj.insert("principal".into(), self.principal.clone().into());
        if let Some(a) = &self.principal_account {
            obj.insert("principal_account".into(), a.clone().into());
        }
        if let Some(a) = &self.resource_account {
            obj.insert("resource_account".into(), a.clone().into());
        }
        if let Some(o) = &self.principal_org {
            obj.insert("principal_org".into(), o.clone().into());
        }
        obj.insert("action".into(), self.action.clone().into());
        obj.insert("resource".into(), self.resource.clone().into());
        let mut ctx = serde_json::Map::new();
        for (k, v) in &self.context {
            let v = match v {
                RawValue::Single(s) => serde_json::Value::from(s.clone()),
                RawValue::Multi(vs) => serde_json::Value::from(vs.clone()),
            };
            ctx.insert(k.clone(), v);
        }
        obj.insert("context".into(), ctx.into());
        serde_json::Value::Object(obj).to_string()
    }
}

/// Reads every non-blank line of a JSON Lines case file. Panics on a line that is
/// not a well-formed case: the corpus is ours, and the conformance test checks that
/// nothing is dropped.
pub fn load_cases(text: &str, source: &str) -> Vec<RefCase> {
    let source: Arc<str> = source.into();
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, line)| {
            let line_no = i as u32 + 1;
            let v = json::parse(line, line_no, JsonLimits::default())
                .unwrap_or_else(|e| panic!("{source}:{line_no}: {e:?}"));
            case(&v, &source, line_no)
        })
        .collect()
}

fn case(v: &JsonValue, source: &Arc<str>, line: u32) -> RefCase {
    let text = |v: &JsonValue, what: &str| -> String {
        v.as_str()
            .unwrap_or_else(|| panic!("{source}:{line}: `{what}` must be a string"))
            .to_owned()
    };
    let field = |name: &str| {
        v.get(name)
            .unwrap_or_else(|| panic!("{source}:{line}: missing `{name}`"))
    };
    let id = text(field("id"), "id");
    let expect = Decision::from_name(&text(field("expect"), "expect"))
        .unwrap_or_else(|| panic!("{source}:{line}: bad `expect`"));
    RefCase {
        id,
        line,
        expect,
        request: request(field("request"), source, line),
        policies: policies(field("policies"), source),
    }
}

fn request(v: &JsonValue, source: &Arc<str>, line: u32) -> RawRequest {
    let opt = |name: &str| v.get(name).and_then(JsonValue::as_str).map(str::to_owned);
    let req = |name: &str| opt(name).unwrap_or_else(|| panic!("{source}:{line}: missing `{name}`"));
    let mut context = Vec::new();
    if let Some(JsonValue {
        kind: JsonKind::Object(members),
        ..
    }) = v.get("context")
    {
        for m in members {
            let value = match &m.value.kind {
                JsonKind::Array(items) => {
                    RawValue::Multi(items.iter().map(|i| scalar(i, source, line)).collect())
                }
                _ => RawValue::Single(scalar(&m.value, source, line)),
            };
            context.push((m.name.to_string(), value));
        }
    }
    RawRequest {
        principal: req("principal"),
        principal_account: opt("principal_account"),
        resource_account: opt("resource_account"),
        principal_org: opt("principal_org"),
        action: req("action"),
        resource: req("resource"),
        context,
    }
}

/// SEMANTICS 1.5: booleans become `true`/`false`, numbers their text.
fn scalar(v: &JsonValue, source: &Arc<str>, line: u32) -> String {
    match &v.kind {
        JsonKind::String(s) | JsonKind::Number(s) => s.to_string(),
        JsonKind::Bool(b) => b.to_string(),
        _ => panic!("{source}:{line}: context values must be scalars or arrays of them"),
    }
}

/// The reference's view of a case's `policies` member: each slot parsed, never
/// compiled; the first error's message otherwise.
pub fn policies(v: &JsonValue, source: &Arc<str>) -> Result<RefPolicies, String> {
    let JsonKind::Object(members) = &v.kind else {
        return Err("`policies` must be an object".into());
    };
    let one = |kind: PolicyKind, v: &JsonValue, pointer: &str| {
        Policy::from_json(v, kind, source.clone(), pointer).map_err(|e| e.to_string())
    };
    let many = |kind: PolicyKind, v: &JsonValue, pointer: &str| match &v.kind {
        JsonKind::Array(items) => items
            .iter()
            .enumerate()
            .map(|(i, p)| one(kind, p, &format!("{pointer}/{i}")))
            .collect::<Result<Vec<_>, _>>(),
        _ => Err(format!("{pointer}: expected an array of policies")),
    };
    let (mut identity, mut resource, mut boundary, mut session, mut scp, mut rcp) =
        (Vec::new(), None, None, None, Vec::new(), Vec::new());
    for m in members {
        let pointer = format!("/policies/{}", m.name);
        match &*m.name {
            "identity" => identity = many(PolicyKind::Identity, &m.value, &pointer)?,
            "scp" => scp = many(PolicyKind::Scp, &m.value, &pointer)?,
            "rcp" => rcp = many(PolicyKind::Rcp, &m.value, &pointer)?,
            "resource" => resource = Some(one(PolicyKind::Resource, &m.value, &pointer)?),
            "boundary" => boundary = Some(one(PolicyKind::Boundary, &m.value, &pointer)?),
            "session" => session = Some(one(PolicyKind::Session, &m.value, &pointer)?),
            other => return Err(format!("unknown policy slot `{other}`")),
        }
    }
    Ok(RefPolicies::new(
        identity, resource, boundary, session, scp, rcp,
    ))
}
