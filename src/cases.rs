//! Self-contained conformance cases (`../shared/conformance/FORMAT.md`): each case
//! carries its policies, one request and the expected decision. Reading a case file
//! never stops at a bad case: each line becomes either a [`Case`] or a [`CaseError`]
//! naming the file, line:column and JSON Pointer.

use iamsim_engine::decision::Decision;
use iamsim_engine::json::{self, JsonKind, JsonLimits, JsonValue, Position};
use iamsim_engine::model::{Policy, PolicyKind};
use iamsim_engine::request::{Context, ContextValue, Request};
use iamsim_engine::{CompiledPolicySet, PolicySet};
use std::fmt;
use std::sync::Arc;

/// One case, ready to evaluate.
#[derive(Debug)]
pub struct Case {
    /// `id`.
    pub id: String,
    /// Line of the case in its file (1-based).
    pub line: u32,
    /// What AWS decides.
    pub expect: Decision,
    /// The request.
    pub request: Request,
    /// The compiled policies, or why they could not be compiled (an `error` outcome).
    /// Shared between cases whose `policies` text is identical: statement locations in
    /// a shared set point at the first such case; use [`reload_case`] to explain a
    /// case with its own line numbers.
    pub policies: Result<Arc<CompiledPolicySet>, String>,
}

/// Compiled policy sets by the exact text of a case's `policies` value, so a file of
/// many cases over the same documents parses and compiles each document once.
#[derive(Default)]
pub struct PolicyCache {
    sets:
        std::sync::Mutex<std::collections::HashMap<String, Result<Arc<CompiledPolicySet>, String>>>,
}

impl PolicyCache {
    fn get(&self, key: &str) -> Option<Result<Arc<CompiledPolicySet>, String>> {
        self.sets.lock().ok().and_then(|m| m.get(key).cloned())
    }

    fn put(&self, key: &str, value: &Result<Arc<CompiledPolicySet>, String>) {
        if let Ok(mut m) = self.sets.lock() {
            m.entry(key.to_owned()).or_insert_with(|| value.clone());
        }
    }
}

/// A case that could not even be read (bad JSON, missing `request`, …).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseError {
    /// The case id if it could be read, else `line N`.
    pub id: String,
    /// Line in the file.
    pub line: u32,
    /// `file:line:col: pointer: message`.
    pub message: String,
}

impl fmt::Display for CaseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

/// Reads every case of a case file: JSON Lines, or one JSON array of cases.
/// `source` names the file in messages.
pub fn parse_case_file(text: &str, source: &str) -> Vec<Result<Case, CaseError>> {
    let source: Arc<str> = source.into();
    let trimmed = text.trim_start_matches(['\u{feff}', ' ', '\t', '\r', '\n']);
    if trimmed.starts_with('[') {
        return match json::parse(
            text.trim_start_matches('\u{feff}'),
            1,
            JsonLimits::default(),
        ) {
            Ok(JsonValue {
                kind: JsonKind::Array(items),
                ..
            }) => items
                .iter()
                .enumerate()
                .map(|(i, v)| case_from_json(v, &source, &format!("/{i}")))
                .collect(),
            Ok(_) => unreachable_shape(&source),
            Err(e) => vec![Err(CaseError {
                id: "document".into(),
                line: e.position.line,
                message: format!(
                    "{source}:{}: {}: invalid JSON: {}",
                    e.position, e.pointer, e.kind
                ),
            })],
        };
    }
    use rayon::prelude::*;
    let lines: Vec<(u32, &str)> = text
        .lines()
        .enumerate()
        .map(|(i, line)| {
            (
                i as u32 + 1,
                if i == 0 {
                    line.trim_start_matches('\u{feff}')
                } else {
                    line
                },
            )
        })
        .filter(|(_, line)| !line.trim().is_empty())
        .collect();
    let cache = PolicyCache::default();
    lines
        .par_iter()
        .map(|&(line_no, line)| parse_case_line(line, line_no, &source, Some(&cache)))
        .collect()
}

/// Reads one JSON Lines case; with a cache, identical `policies` texts share one
/// compiled set.
fn parse_case_line(
    line: &str,
    line_no: u32,
    source: &Arc<str>,
    cache: Option<&PolicyCache>,
) -> Result<Case, CaseError> {
    let span = cache.and_then(|_| member_span(line, "policies"));
    let key = span.and_then(|(start, end)| line.get(start..end));
    // A hit: parse the line with the policies value blanked, which skips most of its
    // bytes. Anything unexpected falls back to the full parse (exact error columns).
    if let (Some(c), Some((start, end)), Some(k)) = (cache, span, key) {
        if let Some(Ok(set)) = c.get(k) {
            let blanked = format!("{}{{}}{}", &line[..start], &line[end..]);
            if let Ok(v) = json::parse(&blanked, line_no, JsonLimits::default()) {
                if let Ok(case) = case_from_json_cached(&v, source, "", None, Some(set)) {
                    return Ok(case);
                }
            }
        }
    }
    match json::parse(line, line_no, JsonLimits::default()) {
        Ok(v) => case_from_json_cached(&v, source, "", cache.zip(key), None),
        Err(e) => Err(CaseError {
            id: format!("line {line_no}"),
            line: line_no,
            message: format!(
                "{source}:{}: {}: invalid JSON: {}",
                e.position,
                pointer_or_root(&e.pointer),
                e.kind
            ),
        }),
    }
}

/// Reads the case on `line` of a JSON Lines case file again, compiling its policies
/// afresh so explanations point at this case's own line and columns.
pub fn reload_case(text: &str, source: &str, line: u32) -> Option<Case> {
    let body = text.lines().nth(line.checked_sub(1)? as usize)?;
    let body = if line == 1 {
        body.trim_start_matches('\u{feff}')
    } else {
        body
    };
    parse_case_line(body, line, &source.into(), None).ok()
}

fn unreachable_shape(source: &str) -> Vec<Result<Case, CaseError>> {
    vec![Err(CaseError {
        id: "document".into(),
        line: 1,
        message: format!("{source}:1:1: expected an array of cases"),
    })]
}

fn pointer_or_root(p: &str) -> &str {
    if p.is_empty() {
        "(document)"
    } else {
        p
    }
}

struct At<'a> {
    source: &'a Arc<str>,
    base: &'a str,
    id: String,
    line: u32,
}

impl At<'_> {
    fn err(&self, pointer: &str, position: Position, message: impl fmt::Display) -> CaseError {
        CaseError {
            id: self.id.clone(),
            line: self.line,
            message: format!(
                "{}:{}: {}{}: {}",
                self.source, position, self.base, pointer, message
            ),
        }
    }
}

/// Builds one case from its JSON value; `base` is its pointer in the file.
pub fn case_from_json(v: &JsonValue, source: &Arc<str>, base: &str) -> Result<Case, CaseError> {
    case_from_json_cached(v, source, base, None, None)
}

/// The byte span of the top-level member `name`'s value in a one-line JSON object,
/// found by scanning (strings skipped, brackets matched) without building a tree.
/// `None` whenever anything is unusual: callers then parse normally.
fn member_span(line: &str, name: &str) -> Option<(usize, usize)> {
    let b = line.as_bytes();
    let skip_ws = |mut i: usize| {
        while matches!(b.get(i), Some(b' ' | b'\t' | b'\r' | b'\n')) {
            i += 1;
        }
        i
    };
    // Index just past the string starting at `i` (a `"`).
    let string_end = |mut i: usize| -> Option<usize> {
        i += 1;
        loop {
            match b.get(i)? {
                b'\\' => i += 2,
                b'"' => return Some(i + 1),
                _ => i += 1,
            }
        }
    };
    let value_end = |i: usize| -> Option<usize> {
        match b.get(i)? {
            b'"' => string_end(i),
            b'{' | b'[' => {
                let (mut depth, mut j) = (0usize, i);
                loop {
                    match b.get(j)? {
                        b'"' => {
                            j = string_end(j)?;
                            continue;
                        }
                        b'{' | b'[' => depth += 1,
                        b'}' | b']' => {
                            depth = depth.checked_sub(1)?;
                            if depth == 0 {
                                return Some(j + 1);
                            }
                        }
                        _ => {}
                    }
                    j += 1;
                }
            }
            _ => {
                let mut j = i;
                while !matches!(
                    b.get(j),
                    None | Some(b',' | b'}' | b']' | b' ' | b'\t' | b'\r' | b'\n')
                ) {
                    j += 1;
                }
                Some(j)
            }
        }
    };
    let mut i = skip_ws(0);
    if b.get(i) != Some(&b'{') {
        return None;
    }
    i += 1;
    loop {
        i = skip_ws(i);
        if b.get(i) != Some(&b'"') {
            return None;
        }
        let key_end = string_end(i)?;
        let key = line.get(i + 1..key_end - 1)?;
        i = skip_ws(key_end);
        if b.get(i) != Some(&b':') {
            return None;
        }
        i = skip_ws(i + 1);
        let end = value_end(i)?;
        if key == name {
            return Some((i, end));
        }
        i = skip_ws(end);
        if b.get(i) != Some(&b',') {
            return None;
        }
        i += 1;
    }
}

fn case_from_json_cached(
    v: &JsonValue,
    source: &Arc<str>,
    base: &str,
    cache: Option<(&PolicyCache, &str)>,
    compiled: Option<Arc<CompiledPolicySet>>,
) -> Result<Case, CaseError> {
    let line = v.position.line;
    let mut at = At {
        source,
        base,
        id: format!("line {line}"),
        line,
    };
    if !matches!(v.kind, JsonKind::Object(_)) {
        return Err(at.err(
            "",
            v.position,
            format!("a case must be an object, found {}", v.type_name()),
        ));
    }
    let id = v
        .get("id")
        .and_then(JsonValue::as_str)
        .ok_or_else(|| at.err("/id", v.position, "missing string `id`"))?;
    at.id = id.to_owned();
    let expect_v = v
        .get("expect")
        .ok_or_else(|| at.err("/expect", v.position, "missing `expect`"))?;
    let expect = expect_v
        .as_str()
        .and_then(Decision::from_name)
        .ok_or_else(|| {
            at.err(
                "/expect",
                expect_v.position,
                "`expect` must be `allowed`, `explicitDeny` or `implicitDeny`",
            )
        })?;
    let request_v = v
        .get("request")
        .ok_or_else(|| at.err("/request", v.position, "missing `request`"))?;
    let request = request_from_json(request_v, &at)?;
    let policies_v = v
        .get("policies")
        .ok_or_else(|| at.err("/policies", v.position, "missing `policies`"))?;
    let key = cache;
    let policies = match compiled.map(Ok).or_else(|| key.and_then(|(c, k)| c.get(k))) {
        Some(hit) => hit,
        None => {
            let fresh = policy_set_from_json(policies_v, source, &format!("{base}/policies"), &at)?
                .map(Arc::new);
            // Errors are not shared: their message names this case's own line.
            if let (Some((c, k)), Ok(_)) = (key, &fresh) {
                c.put(k, &fresh);
            }
            fresh
        }
    };
    Ok(Case {
        id: id.to_owned(),
        line,
        expect,
        request,
        policies,
    })
}

/// Parses the `policies` object. Shape errors of the object itself are case errors;
/// invalid policy documents become the case's `error` outcome.
fn policy_set_from_json(
    v: &JsonValue,
    source: &Arc<str>,
    base: &str,
    at: &At<'_>,
) -> Result<Result<CompiledPolicySet, String>, CaseError> {
    let JsonKind::Object(members) = &v.kind else {
        return Err(at.err("/policies", v.position, "`policies` must be an object"));
    };
    let mut set = PolicySet::default();
    let one = |kind: PolicyKind, value: &JsonValue, pointer: String| {
        Policy::from_json(value, kind, source.clone(), &pointer).map_err(|e| e.to_string())
    };
    let many = |kind: PolicyKind,
                value: &JsonValue,
                pointer: &str|
     -> Result<Result<Vec<Policy>, String>, CaseError> {
        match &value.kind {
            JsonKind::Array(items) => Ok(items
                .iter()
                .enumerate()
                .map(|(i, p)| one(kind, p, format!("{pointer}/{i}")))
                .collect()),
            _ => Err(at.err(
                pointer.get(at.base.len()..).unwrap_or(pointer),
                value.position,
                "expected an array of policies",
            )),
        }
    };
    for m in members {
        let pointer = format!("{base}/{}", m.name);
        let result = match &*m.name {
            "identity" => many(PolicyKind::Identity, &m.value, &pointer)?.map(|p| set.identity = p),
            // Each entry of `scp`/`rcp` is one organization level.
            "scp" => many(PolicyKind::Scp, &m.value, &pointer)?.map(|p| set.scp = p.into_iter().map(|p| vec![p]).collect()),
            "rcp" => many(PolicyKind::Rcp, &m.value, &pointer)?.map(|p| set.rcp = p.into_iter().map(|p| vec![p]).collect()),
            "resource" => one(PolicyKind::Resource, &m.value, pointer).map(|p| set.resource = Some(p)),
            "boundary" => one(PolicyKind::Boundary, &m.value, pointer).map(|p| set.boundary = Some(p)),
            "session" => one(PolicyKind::Session, &m.value, pointer).map(|p| set.session = Some(p)),
            other => {
                return Err(at.err(
                    &format!("/policies/{other}"),
                    m.name_position,
                    format!("unknown policy slot `{other}` (expected identity, resource, boundary, session, scp, rcp)"),
                ))
            }
        };
        if let Err(message) = result {
            return Ok(Err(message));
        }
    }
    Ok(CompiledPolicySet::compile(&set).map_err(|e| e.to_string()))
}

fn request_from_json(v: &JsonValue, at: &At<'_>) -> Result<Request, CaseError> {
    let field = |name: &str, required: bool| -> Result<Option<&str>, CaseError> {
        match v.get(name) {
            Some(x) => x.as_str().map(Some).ok_or_else(|| {
                at.err(&format!("/request/{name}"), x.position, "expected a string")
            }),
            None if required => Err(at.err(
                &format!("/request/{name}"),
                v.position,
                format!("missing `{name}`"),
            )),
            None => Ok(None),
        }
    };
    let principal = field("principal", true)?.unwrap_or_default();
    let action = field("action", true)?.unwrap_or_default();
    let resource = field("resource", true)?.unwrap_or_default();
    let mut request = Request::new(principal, action, resource);
    request.set_accounts(
        field("principal_account", false)?,
        field("resource_account", false)?,
    );
    if let Some(ctx) = v.get("context") {
        *request.context_mut() =
            context_from_json(ctx).map_err(|(pointer, position, message)| {
                at.err(&format!("/request/context{pointer}"), position, message)
            })?;
    }
    Ok(request)
}

/// Builds a [`Context`] from a JSON object: strings, numbers and booleans become
/// single values (as text), arrays become multivalued keys (SEMANTICS 1.5).
pub fn context_from_json(v: &JsonValue) -> Result<Context, (String, Position, String)> {
    let JsonKind::Object(members) = &v.kind else {
        return Err((
            String::new(),
            v.position,
            "`context` must be an object".into(),
        ));
    };
    let mut context = Context::new();
    for m in members {
        let pointer = format!("/{}", json::escape_pointer_token(&m.name));
        let value = match &m.value.kind {
            JsonKind::Array(items) => ContextValue::Multi(
                items
                    .iter()
                    .enumerate()
                    .map(|(i, item)| {
                        scalar_text(item).ok_or_else(|| (format!("{pointer}/{i}"), item.position))
                    })
                    .collect::<Result<Vec<_>, _>>()
                    .map_err(|(p, pos)| {
                        (
                            p,
                            pos,
                            "context values must be strings, numbers or booleans".to_owned(),
                        )
                    })?,
            ),
            _ => ContextValue::Single(scalar_text(&m.value).ok_or_else(|| {
                (
                    pointer.clone(),
                    m.value.position,
                    "context values must be strings, numbers, booleans or arrays of them"
                        .to_owned(),
                )
            })?),
        };
        if context.contains(&m.name) {
            return Err((
                pointer,
                m.name_position,
                format!(
                    "context key `{}` given twice (key names are case-insensitive)",
                    m.name
                ),
            ));
        }
        context.insert(&m.name, value);
    }
    Ok(context)
}

fn scalar_text(v: &JsonValue) -> Option<Box<str>> {
    match &v.kind {
        JsonKind::String(s) => Some(s.clone()),
        JsonKind::Number(n) => Some(n.clone()),
        JsonKind::Bool(b) => Some(if *b { "true".into() } else { "false".into() }),
        _ => None,
    }
}
