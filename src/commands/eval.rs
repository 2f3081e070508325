//! `iamsim eval`: one request from flags and policy files; prints the decision and,
//! with `--explain`, the full trace.

use crate::error::{CliError, Outcome};
use crate::input::catalog::load_catalog;
use crate::input::context_arg::parse_context_arg;
use crate::input::policies::PolicyFiles;
use crate::input::rows::Expectation;
use crate::report::missing_context::{
    classify, explain_missing_keys, explanation_text, MissingKey,
};
use crate::report::{print_warnings, strict_failure};
use iamsim_catalog::Catalog;
use iamsim_engine::explain::statement_name;
use iamsim_engine::request::Request;
use iamsim_engine::CompiledPolicySet;
use iamsim_scenario::caller_context;
use iamsim_scenario::files::DEFAULT_MAX_POLICY_BYTES;
use iamsim_scenario::suggest::did_you_mean;
use std::io::Write;
use std::path::PathBuf;

/// The inputs of `iamsim eval`.
#[derive(Debug, Default, Clone, clap::Args)]
#[command(after_help = "\
Context derived from --principal, as a scenario derives it for the same caller:
aws:PrincipalArn (a session's role ARN, without the role's path), aws:PrincipalAccount,
aws:PrincipalType, aws:PrincipalIsAWSService, aws:username (users), and aws:userid for
the root user (the account id), federated users (account:name) and, given
--principal-id, users (AIDA…) and role sessions (AROA…:session). --context wins over
every derived key.

Exit status: 0 evaluated (and, with --expect, as expected); 1 the decision did not
meet --expect, or --strict and a policy drew a warning; 2 a policy file or argument
could not be used.")]
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
    /// The caller's unique id: `AIDA…` for an IAM user, the role's `AROA…` id for a
    /// role session. Gives `aws:userid`, which an ARN alone cannot.
    #[arg(long, value_name = "ID")]
    pub principal_id: Option<String>,
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
    /// Print one JSON object: the response (decision, reason, deciding, blocked_by,
    /// missing_keys); with --explain, the whole explanation in the engine's JSON form.
    #[arg(long)]
    pub json: bool,
    /// Exit 1 unless the decision is this: allowed, explicitDeny, implicitDeny, or
    /// denied (either deny). One request as a CI gate.
    #[arg(long, value_name = "DECISION", value_parser = parse_expectation)]
    pub expect: Option<Expectation>,
    /// Actions AWS shipped after the pinned action catalog: a JSON file in the
    /// catalog's overlay schema (see catalog/README.md), merged in.
    #[arg(long, value_name = "FILE")]
    pub catalog_overlay: Option<PathBuf>,
    /// Accept an action the catalog does not know (evaluated as written).
    #[arg(long)]
    pub allow_unknown_action: bool,
    /// Exit 1 when any policy file draws a warning.
    #[arg(long)]
    pub strict: bool,
    /// Largest policy file read, in bytes.
    #[arg(long, default_value_t = DEFAULT_MAX_POLICY_BYTES)]
    pub max_policy_bytes: u64,
}

/// Runs `iamsim eval`.
pub fn run(args: &EvalArgs, out: &mut dyn Write) -> Result<Outcome, CliError> {
    // Loaded once: it checks the policies' actions, --action and the missing keys.
    let catalog = load_catalog(args.catalog_overlay.as_deref())?;
    let files = PolicyFiles {
        identity: &args.identity,
        resource: args.resource_policy.as_deref(),
        boundary: args.boundary.as_deref(),
        session: args.session.as_deref(),
        scp: &args.scp,
        rcp: &args.rcp,
        max_bytes: args.max_policy_bytes,
        catalog,
    };
    let mut warnings = Vec::new();
    let loaded = files.load(&mut warnings);
    // Warnings of the files read so far come first, even when a later one fails.
    print_warnings(&warnings);
    let set = CompiledPolicySet::compile(&loaded?).map_err(|e| CliError::Invalid(e.to_string()))?;
    if !args.allow_unknown_action {
        check_action(&args.action, catalog)?;
    }
    let mut request = Request::new(&args.principal, &args.action, &args.resource);
    request.set_accounts(
        args.principal_account.as_deref(),
        args.resource_account.as_deref(),
    );
    request.context_mut().merge_from(&caller_context(
        &args.principal,
        args.principal_id.as_deref(),
    ));
    for c in &args.context {
        let (k, v) = parse_context_arg(c).map_err(|e| CliError::Usage(format!("--context {e}")))?;
        request.context_mut().insert(&k, v);
    }
    let decision = set.evaluate(&request).decision;
    if args.json {
        // The engine's one JSON form — the response, or with --explain the whole
        // explanation (response, diagnostics, request, every layer and statement) —
        // with the catalog's word on each missing key and the catalog's version.
        let missing = classify(catalog, &args.action, &set.evaluate(&request).missing_keys);
        let version = catalog.version().to_string();
        let json = if args.explain {
            serde_json::to_string(&EvalJson {
                form: set.explain(&request).to_json_form(&set, &request),
                missing_context: missing,
                catalog: version,
            })
        } else {
            serde_json::to_string(&EvalJson {
                form: set.evaluate(&request).to_json_form(&set),
                missing_context: missing,
                catalog: version,
            })
        };
        writeln!(out, "{}", json.map_err(std::io::Error::other)?)?;
    } else if args.explain {
        write!(out, "{}", explanation_text(catalog, &set, &request))?;
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
            write_missing_keys(out, catalog, &args.action, &r.missing_keys)?;
        }
    }
    let strict_failed = strict_failure(args.strict, warnings.len());
    match args.expect {
        Some(expect) if !expect.accepts(decision) => {
            eprintln!("iamsim: expected {expect}, got {decision}");
            Ok(Outcome::Failures)
        }
        _ if strict_failed => Ok(Outcome::Failures),
        _ => Ok(Outcome::Success),
    }
}

/// `eval --json`: the engine's form, then what the catalog says of each missing key,
/// then the catalog's version.
#[derive(serde::Serialize)]
struct EvalJson<T: serde::Serialize> {
    #[serde(flatten)]
    form: T,
    missing_context: Vec<MissingKey>,
    catalog: String,
}

/// Under the missing keys, what the catalog says of each: whether AWS ever supplies
/// it for the action.
fn write_missing_keys(
    out: &mut dyn Write,
    catalog: &Catalog,
    action: &str,
    keys: &[&str],
) -> Result<(), CliError> {
    for line in explain_missing_keys(catalog, action, keys).unwrap_or_default() {
        writeln!(out, "    {line}")?;
    }
    Ok(())
}

/// A typo'd `--action` would be evaluated, matched by no statement, and denied: a
/// "must be denied" gate that can never fail. The catalog says which actions exist.
fn check_action(action: &str, catalog: &Catalog) -> Result<(), CliError> {
    if action.contains(['*', '?']) {
        return Err(CliError::Usage(format!(
            "--action `{action}` has a wildcard: a request names one action (`iamsim actions '{action}'` lists what it matches)"
        )));
    }
    if catalog.action(action).is_some() {
        return Ok(());
    }
    let hint = did_you_mean(&catalog.suggest(action));
    Err(CliError::Usage(format!(
        "--action `{action}` is not an action of the catalog ({}){hint}; --allow-unknown-action evaluates it anyway, --catalog-overlay adds new actions",
        catalog.version()
    )))
}

fn parse_expectation(s: &str) -> Result<Expectation, String> {
    Expectation::parse(s).ok_or_else(|| Expectation::unknown(s))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(path: &str) -> PathBuf {
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("fixtures/connect")
            .join(path)
    }

    fn lock_args(principal: &str) -> EvalArgs {
        EvalArgs {
            identity: vec![fixture("instance-admin-policy.json")],
            resource_policy: Some(fixture("recordings-bucket-lock.json")),
            principal: principal.to_owned(),
            action: "s3:GetObject".to_owned(),
            resource: "arn:aws:s3:::connect-recordings-mycc/x.wav".to_owned(),
            max_policy_bytes: DEFAULT_MAX_POLICY_BYTES,
            ..EvalArgs::default()
        }
    }

    fn decision_of(args: &EvalArgs) -> (Outcome, String) {
        let mut out = Vec::new();
        let outcome = run(args, &mut out).expect("evaluates");
        let text = String::from_utf8_lossy(&out).into_owned();
        (outcome, text.lines().next().unwrap_or_default().to_owned())
    }

    /// The scenario allows the account root through the lock (its `aws:userid` is the
    /// account id, one of the lock's exceptions); `eval` must derive the same key.
    #[test]
    fn eval_derives_the_callers_context_as_the_scenario_does() {
        let (_, root) = decision_of(&lock_args("arn:aws:iam::123456789012:root"));
        assert_eq!(root, "allowed");
        // The Admin role's session is an exception too, once its role id is known…
        let session = "arn:aws:sts::123456789012:assumed-role/Admin/bob";
        let mut admin = lock_args(session);
        admin.identity = vec![fixture("policies/admin-full-access.json")];
        assert_eq!(decision_of(&admin).1, "explicitDeny");
        admin.principal_id = Some("AROAXADMINROLEEXAMPLE".to_owned());
        assert_eq!(decision_of(&admin).1, "allowed");
        // … and an explicit --context still wins over what is derived.
        admin.context = vec!["aws:userid=AROAXSOMEONEELSEXMPL:bob".to_owned()];
        assert_eq!(decision_of(&admin).1, "explicitDeny");
    }

    #[test]
    fn expect_gates_a_single_request() {
        let mut args =
            lock_args("arn:aws:sts::123456789012:assumed-role/ConnectInstanceAdmin/alice");
        args.principal_id = Some("AROAXINSTADMINEXAMPLE".to_owned());
        args.expect = Some(Expectation::Denied);
        assert_eq!(decision_of(&args).0, Outcome::Success);
        args.expect = Some(Expectation::Exact(iamsim_engine::Decision::Allowed));
        assert_eq!(decision_of(&args).0, Outcome::Failures);
        assert_eq!(
            parse_expectation("Allowed").unwrap_err(),
            "unknown expectation `Allowed` (did you mean `allowed`? expected one of allowed, \
             explicitDeny, implicitDeny, denied)"
        );
    }

    #[test]
    fn strict_fails_on_a_policy_warning() {
        let dir = std::env::temp_dir().join(format!("iamsim-eval-strict-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let policy = dir.join("p.json");
        std::fs::write(
            &policy,
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:GetObject","s3:List Bucket"],"Resource":"*"}]}"#,
        )
        .expect("write");
        let mut args = EvalArgs {
            identity: vec![policy],
            principal: "arn:aws:iam::111122223333:user/u".to_owned(),
            action: "s3:GetObject".to_owned(),
            resource: "*".to_owned(),
            max_policy_bytes: DEFAULT_MAX_POLICY_BYTES,
            ..EvalArgs::default()
        };
        assert_eq!(decision_of(&args), (Outcome::Success, "allowed".to_owned()));
        args.strict = true;
        assert_eq!(
            decision_of(&args),
            (Outcome::Failures, "allowed".to_owned())
        );
    }

    /// A typo'd action used to be evaluated and denied: a "must be denied" gate that
    /// can never fail. Now it is an error naming the real action.
    #[test]
    fn an_unknown_action_is_an_error_with_the_nearest_name() {
        let mut args = lock_args("arn:aws:iam::123456789012:root");
        args.action = "s3:GetObjects".to_owned();
        let err = run(&args, &mut Vec::new()).expect_err("unknown action");
        assert!(
            err.to_string().contains("did you mean one of s3:GetObject"),
            "{err}"
        );
        args.action = "s3:Get*".to_owned();
        let err = run(&args, &mut Vec::new()).expect_err("wildcard");
        assert!(err.to_string().contains("has a wildcard"), "{err}");
        args.action = "s3:GetObjects".to_owned();
        args.allow_unknown_action = true;
        assert_eq!(decision_of(&args).1, "allowed");
    }

    /// The overlay that makes an action known to requests makes it known to the
    /// policies' warnings too: under --strict, the same policy passes only with it.
    #[test]
    fn policy_warnings_use_the_overlay_catalog() {
        let dir = std::env::temp_dir().join(format!("iamsim-eval-overlay-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let policy = dir.join("p.json");
        std::fs::write(
            &policy,
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"logs:DescribeBrandNewThing","Resource":"*"}]}"#,
        )
        .expect("write");
        let overlay = dir.join("overlay.json");
        std::fs::write(
            &overlay,
            r#"{"format":1,"package":"mine","version":"1","services":[{"prefix":"logs","actions":[["DescribeBrandNewThing","List",[],[]]]}]}"#,
        )
        .expect("write");
        let mut args = EvalArgs {
            identity: vec![policy],
            principal: "arn:aws:iam::111122223333:user/u".to_owned(),
            action: "logs:DescribeBrandNewThing".to_owned(),
            resource: "*".to_owned(),
            max_policy_bytes: DEFAULT_MAX_POLICY_BYTES,
            allow_unknown_action: true,
            strict: true,
            ..EvalArgs::default()
        };
        assert_eq!(
            decision_of(&args),
            (Outcome::Failures, "allowed".to_owned())
        );
        args.catalog_overlay = Some(overlay);
        args.allow_unknown_action = false;
        assert_eq!(decision_of(&args), (Outcome::Success, "allowed".to_owned()));
    }
}
