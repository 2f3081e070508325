//! `iamsim eval`: one request from flags and policy files; prints the decision and,
//! with `--explain`, the full trace.

use crate::error::{CliError, Outcome};
use crate::input::context_arg::parse_context_arg;
use crate::input::policies::PolicyFiles;
use crate::report::print_warnings;
use iamsim_engine::explain::{render_text, statement_name};
use iamsim_engine::request::Request;
use iamsim_engine::CompiledPolicySet;
use iamsim_scenario::files::DEFAULT_MAX_POLICY_BYTES;
use std::io::Write;
use std::path::PathBuf;

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
    #[arg(long, default_value_t = DEFAULT_MAX_POLICY_BYTES)]
    pub max_policy_bytes: u64,
}

/// Runs `iamsim eval`.
pub fn run(args: &EvalArgs, out: &mut dyn Write) -> Result<Outcome, CliError> {
    let files = PolicyFiles {
        identity: &args.identity,
        resource: args.resource_policy.as_deref(),
        boundary: args.boundary.as_deref(),
        session: args.session.as_deref(),
        scp: &args.scp,
        rcp: &args.rcp,
        max_bytes: args.max_policy_bytes,
    };
    let mut warnings = Vec::new();
    let loaded = files.load(&mut warnings);
    // Warnings of the files read so far come first, even when a later one fails.
    print_warnings(&warnings);
    let set = CompiledPolicySet::compile(&loaded?).map_err(|e| CliError::Invalid(e.to_string()))?;
    let mut request = Request::new(&args.principal, &args.action, &args.resource);
    request.set_accounts(
        args.principal_account.as_deref(),
        args.resource_account.as_deref(),
    );
    for c in &args.context {
        let (k, v) = parse_context_arg(c).map_err(CliError::Usage)?;
        request.context_mut().insert(&k, v);
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
