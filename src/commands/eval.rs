//! `iamsim eval`: one request from flags and policy files; prints the decision and,
//! with `--explain`, the full trace.

use super::Outcome;
use crate::input::{read_text, InputError};
use iamsim_engine::explain::{render_text, statement_name};
use iamsim_engine::model::{Policy, PolicyKind};
use iamsim_engine::request::{ContextValue, Request};
use iamsim_engine::{CompiledPolicySet, PolicySet};
use std::io::Write;
use std::path::{Path, PathBuf};

/// The inputs of `iamsim eval`.
#[derive(Debug, Default, Clone, clap::Args)]
pub struct EvalArgs {
    /// Identity policy file (repeatable; all are pooled).
    #[arg(long = "identity", value_name = "FILE")]
    pub identity: Vec<PathBuf>,
    /// Resource-based policy of the target.
    #[arg(long, value_name = "FILE")]
    pub resource_policy: Option<PathBuf>,
    /// Permissions boundary of the caller.
    #[arg(long, value_name = "FILE")]
    pub boundary: Option<PathBuf>,
    /// Session policy.
    #[arg(long, value_name = "FILE")]
    pub session: Option<PathBuf>,
    /// SCP file, one per organization level from the root down (repeatable).
    #[arg(long, value_name = "FILE")]
    pub scp: Vec<PathBuf>,
    /// RCP file, one per organization level (repeatable).
    #[arg(long, value_name = "FILE")]
    pub rcp: Vec<PathBuf>,
    /// Caller: user/role/assumed-role/federated-user/root ARN, a service principal, or `anonymous`.
    #[arg(long)]
    pub principal: String,
    /// Action, `service:Name`.
    #[arg(long)]
    pub action: String,
    /// Resource ARN, or `*`.
    #[arg(long, default_value = "*")]
    pub resource: String,
    /// Context key: `key=value`, or `key=["a","b"]` for a multivalued key (repeatable).
    #[arg(long = "context", value_name = "KEY=VALUE")]
    pub context: Vec<String>,
    /// The caller's account (default: from the principal ARN).
    #[arg(long)]
    pub principal_account: Option<String>,
    /// The resource owner's account (default: from the resource ARN, else the caller's).
    #[arg(long)]
    pub resource_account: Option<String>,
    /// Print the full per-statement trace.
    #[arg(long)]
    pub explain: bool,
    /// Print one JSON object.
    #[arg(long)]
    pub json: bool,
    /// Largest policy file read, in bytes.
    #[arg(long, default_value_t = crate::input::DEFAULT_MAX_POLICY_BYTES)]
    pub max_policy_bytes: u64,
}

fn load(path: &Path, kind: PolicyKind, max: u64) -> Result<Policy, InputError> {
    let text = read_text(path, max)?;
    let source = path.display().to_string();
    let policy = Policy::parse(&text, kind, &source).map_err(|e| InputError {
        message: e.to_string(),
    })?;
    for w in policy.warnings(Some(&text)) {
        eprintln!(
            "iamsim: warning: {source}:{}: {}: {}",
            w.position,
            pointer_or_document(&w.pointer),
            w.kind
        );
    }
    Ok(policy)
}

/// `(document)` for the empty pointer, so messages never show a bare colon.
pub fn pointer_or_document(pointer: &str) -> &str {
    if pointer.is_empty() {
        "(document)"
    } else {
        pointer
    }
}

/// Builds the policy set from files.
pub fn load_policy_set(args: &EvalArgs) -> Result<PolicySet, InputError> {
    let max = args.max_policy_bytes;
    let many = |paths: &[PathBuf], kind| {
        paths
            .iter()
            .map(|p| load(p, kind, max))
            .collect::<Result<Vec<_>, _>>()
    };
    let one = |path: &Option<PathBuf>, kind| path.as_ref().map(|p| load(p, kind, max)).transpose();
    Ok(PolicySet {
        identity: many(&args.identity, PolicyKind::Identity)?,
        resource: one(&args.resource_policy, PolicyKind::Resource)?,
        boundary: one(&args.boundary, PolicyKind::Boundary)?,
        session: one(&args.session, PolicyKind::Session)?,
        // Each --scp/--rcp file is one organization level.
        scp: many(&args.scp, PolicyKind::Scp)?
            .into_iter()
            .map(|p| vec![p])
            .collect(),
        rcp: many(&args.rcp, PolicyKind::Rcp)?
            .into_iter()
            .map(|p| vec![p])
            .collect(),
    })
}

/// Parses one `--context key=value`: a value that is a JSON array becomes a
/// multivalued key; anything else is taken as the literal string.
pub fn parse_context_arg(arg: &str) -> Result<(String, ContextValue), String> {
    let (key, value) = arg
        .split_once('=')
        .ok_or_else(|| format!("--context `{arg}`: expected key=value"))?;
    if key.is_empty() {
        return Err(format!("--context `{arg}`: empty key"));
    }
    if value.starts_with('[') {
        let items: Vec<serde_json::Value> = serde_json::from_str(value)
            .map_err(|e| format!("--context `{arg}`: invalid JSON array: {e}"))?;
        let texts = items
            .into_iter()
            .map(|v| match v {
                serde_json::Value::String(s) => Ok(s.into_boxed_str()),
                serde_json::Value::Number(n) => Ok(n.to_string().into_boxed_str()),
                serde_json::Value::Bool(b) => Ok(b.to_string().into_boxed_str()),
                other => Err(format!("--context `{arg}`: unsupported value {other}")),
            })
            .collect::<Result<Vec<_>, _>>()?;
        return Ok((key.to_owned(), ContextValue::Multi(texts)));
    }
    Ok((key.to_owned(), ContextValue::Single(value.into())))
}

/// Runs `iamsim eval`.
pub fn run_eval(args: &EvalArgs, out: &mut dyn Write) -> std::io::Result<Outcome> {
    let set = match load_policy_set(args).and_then(|s| {
        CompiledPolicySet::compile(&s).map_err(|e| InputError {
            message: e.to_string(),
        })
    }) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("iamsim: {e}");
            return Ok(Outcome::BadInput);
        }
    };
    let mut request = Request::new(&args.principal, &args.action, &args.resource);
    request.set_accounts(
        args.principal_account.as_deref(),
        args.resource_account.as_deref(),
    );
    for c in &args.context {
        match parse_context_arg(c) {
            Ok((k, v)) => request.context_mut().insert(&k, v),
            Err(e) => {
                eprintln!("iamsim: {e}");
                return Ok(Outcome::BadInput);
            }
        }
    }
    if args.json {
        let explanation = set.explain(&request);
        let r = &explanation.response;
        let deciding: Vec<String> = r.deciding.iter().map(|s| statement_name(&set, s)).collect();
        let mut obj = serde_json::json!({
            "decision": r.decision.as_str(),
            "reason": r.reason.to_string(),
            "blocked_by": r.blocked_by().map(|l| l.to_string()),
            "deciding": deciding,
            "missing_keys": r.missing_keys,
            "diagnostics": r.diagnostics.iter().map(|d| d.kind.to_string()).collect::<Vec<_>>(),
        });
        if args.explain {
            obj["trace"] = serde_json::Value::String(render_text(&set, &request, &explanation));
        }
        writeln!(out, "{obj}")?;
    } else if args.explain {
        write!(
            out,
            "{}",
            render_text(&set, &request, &set.explain(&request))
        )?;
    } else {
        let r = set.evaluate(&request);
        writeln!(out, "{}", r.decision)?;
        for s in r.deciding.iter() {
            writeln!(out, "  by {}", statement_name(&set, s))?;
        }
        if let Some(layer) = r.blocked_by() {
            writeln!(out, "  blocked by {layer}: {}", r.reason)?;
        }
        if !r.missing_keys.is_empty() {
            writeln!(out, "  missing context keys: {}", r.missing_keys.join(", "))?;
        }
    }
    Ok(Outcome::Success)
}
