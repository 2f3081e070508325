//! `iamsim matrix` with the pinned catalog: `--actions` patterns the scenario does
//! not list expand to the catalog actions that apply to each target's ARN,
//! `--access-level` filters by the catalog's access levels, and scenario action
//! sets expand patterns (and refuse typos) when the scenario loads. Expected sets
//! are computed from the catalog, so a catalog refresh does not break them.

use crate::common;
use crate::common::Run;
use iamsim_catalog::{AccessLevel, Catalog};
use std::collections::BTreeSet;
use std::path::PathBuf;

const FLAGSHIP: &str = "fixtures/connect/scenario.json";
const QUEUE: &str = "instance mycc …/queue/q-sales";

fn matrix(args: &[&str]) -> Run {
    let mut full = vec!["matrix"];
    full.extend_from_slice(args);
    common::run(common::repo_root(), &full, None)
}

/// (target, action) of every record, in output order.
fn cells(args: &[&str]) -> Vec<(String, String)> {
    let mut all = vec!["--format", "json"];
    all.extend_from_slice(args);
    let r = matrix(&all);
    assert_eq!(r.code, Some(0), "{args:?}: {}", r.stderr);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).expect("JSON");
    v["records"]
        .as_array()
        .expect("array")
        .iter()
        .map(|r| {
            (
                r["target"].as_str().expect("target").to_owned(),
                r["action"].as_str().expect("action").to_owned(),
            )
        })
        .collect()
}

/// The catalog actions `pattern` matches that take the resource type `rt`.
fn catalog_taking(pattern: &str, rt: &str) -> Vec<String> {
    Catalog::builtin()
        .expand(pattern)
        .iter()
        .filter(|a| a.resource_types().any(|(r, _)| r.name() == rt))
        .map(|a| a.qualified_name())
        .collect()
}

#[test]
fn a_pattern_the_target_does_not_list_expands_to_the_catalog_actions_its_arn_takes() {
    let got = cells(&[
        "--scenario",
        FLAGSHIP,
        "--principal",
        "admin",
        "--actions",
        "connect:UpdateQueue*",
    ]);
    let want = catalog_taking("connect:UpdateQueue*", "queue");
    assert!(want.len() >= 3, "{want:?}");
    let actions: Vec<String> = got.iter().map(|(_, a)| a.clone()).collect();
    assert!(got.iter().all(|(t, _)| t == QUEUE), "{got:?}");
    assert_eq!(actions, want);
}

#[test]
fn a_pattern_matching_a_targets_own_actions_still_filters_them() {
    let got = cells(&[
        "--scenario",
        FLAGSHIP,
        "--principal",
        "admin",
        "--target",
        "user taro",
        "--actions",
        "connect:*User*",
    ]);
    let actions: Vec<&str> = got.iter().map(|(_, a)| a.as_str()).collect();
    assert_eq!(
        actions,
        [
            "connect:DescribeUser",
            "connect:UpdateUserIdentityInfo",
            "connect:UpdateUserRoutingProfile",
            "connect:DeleteUser"
        ]
    );
    // The catalog knows many more; the scenario's own list wins where it matches.
    assert!(catalog_taking("connect:*User*", "user").len() > actions.len());
}

#[test]
fn bucket_actions_do_not_land_on_object_arns() {
    let got = cells(&[
        "--scenario",
        FLAGSHIP,
        "--principal",
        "admin",
        "--actions",
        "s3:GetBucketTagging",
    ]);
    let targets: BTreeSet<&str> = got.iter().map(|(t, _)| t.as_str()).collect();
    assert_eq!(
        targets,
        BTreeSet::from(["recordings mycc (itself)", "recordings othercc (itself)"]),
        "{got:?}"
    );
}

#[test]
fn a_pattern_matching_nothing_anywhere_is_a_usage_error_with_suggestions() {
    let r = matrix(&["--scenario", FLAGSHIP, "--actions", "connect:Desribe*"]);
    assert_eq!(r.code, Some(2), "{}", r.stderr);
    assert!(r.stdout.is_empty());
    assert!(
        r.stderr.contains(
            "--actions `connect:Desribe*` matches no action of the selected targets and no action in the catalog; did you mean `connect:"
        ),
        "{}",
        r.stderr
    );
    let r = matrix(&["--scenario", FLAGSHIP, "--actions", "iam:CreateRole"]);
    assert_eq!(r.code, Some(2));
    assert!(
        r.stderr
            .contains("none of the catalog actions it names applies"),
        "{}",
        r.stderr
    );
}

#[test]
fn access_levels_filter_by_the_catalog_in_any_spelling() {
    let catalog = Catalog::builtin();
    let level_of = |a: &str| catalog.action(a).expect("known action").access_level();
    let all = cells(&["--scenario", FLAGSHIP, "--principal", "admin"]);
    for (level, spellings) in [
        (AccessLevel::Write, ["Write", "write"]),
        (
            AccessLevel::PermissionsManagement,
            ["Permissions management", "PERMISSIONS-MANAGEMENT"],
        ),
    ] {
        let want: Vec<(String, String)> = all
            .iter()
            .filter(|(_, a)| level_of(a) == level)
            .cloned()
            .collect();
        assert!(!want.is_empty() && want.len() < all.len(), "{level}");
        for s in spellings {
            let got = cells(&[
                "--scenario",
                FLAGSHIP,
                "--principal",
                "admin",
                "--access-level",
                s,
            ]);
            assert_eq!(got, want, "--access-level {s}");
        }
    }
    // Repeatable: the union, in scenario order.
    let both = cells(&[
        "--scenario",
        FLAGSHIP,
        "--principal",
        "admin",
        "--access-level",
        "list",
        "--access-level",
        "read",
    ]);
    let want: Vec<(String, String)> = all
        .iter()
        .filter(|(_, a)| matches!(level_of(a), AccessLevel::List | AccessLevel::Read))
        .cloned()
        .collect();
    assert_eq!(both, want);
    // Combined with --actions, after it: own actions and catalog expansions alike.
    let read = cells(&[
        "--scenario",
        FLAGSHIP,
        "--principal",
        "admin",
        "--target",
        "user taro",
        "--actions",
        "connect:*User*",
        "--access-level",
        "read",
    ]);
    assert_eq!(
        read,
        [("user taro".to_owned(), "connect:DescribeUser".to_owned())]
    );
    let r = matrix(&[
        "--scenario",
        FLAGSHIP,
        "--actions",
        "connect:UpdateQueue*",
        "--access-level",
        "read",
    ]);
    assert_eq!(r.code, Some(2), "the expansion holds only Write actions");
}

#[test]
fn unusable_access_levels_exit_2() {
    let r = matrix(&["--scenario", FLAGSHIP, "--access-level", "delete"]);
    assert_eq!(r.code, Some(2));
    assert!(
        r.stderr.contains("`delete` is not an access level"),
        "{}",
        r.stderr
    );
    let r = matrix(&["--scenario", FLAGSHIP, "--access-level", "tagging"]);
    assert_eq!(r.code, Some(2), "{}", r.stdout);
    assert!(
        r.stderr
            .contains("--access-level `Tagging` leaves no action of the selected targets"),
        "{}",
        r.stderr
    );
}

/// A scenario written to a fresh temporary folder, removed when dropped.
struct TempScenario(PathBuf);

impl TempScenario {
    fn new(tag: &str, text: &str) -> TempScenario {
        let dir = std::env::temp_dir().join(format!(
            "iamsim-matrix-catalog-{tag}-{}",
            std::process::id()
        ));
        std::fs::create_dir_all(&dir).expect("temp dir");
        std::fs::write(dir.join("scenario.json"), text).expect("write scenario");
        TempScenario(dir)
    }

    fn path(&self) -> String {
        self.0.join("scenario.json").display().to_string()
    }
}

impl Drop for TempScenario {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn scenario_with_set(set: &str) -> String {
    format!(
        r#"{{"name": "sets",
  "action_sets": {{"logs-describe": {set}}},
  "principals": [{{"name": "p", "type": "user", "account": "111122223333", "user": "u",
     "policies": {{"Version": "2012-10-17", "Statement": [{{"Effect": "Allow", "Action": "logs:Describe*", "Resource": "*"}}]}}}}],
  "resources": [{{"name": "g", "arn": "arn:aws:logs:us-east-1:111122223333:log-group:g", "account": "111122223333",
     "actions": ["logs-describe"]}}]}}"#
    )
}

#[test]
fn scenario_action_set_patterns_are_matrix_columns() {
    let s = TempScenario::new("pattern", &scenario_with_set(r#"["logs:Describe*"]"#));
    let got = cells(&["--scenario", &s.path()]);
    let want: Vec<String> = Catalog::builtin()
        .expand("logs:Describe*")
        .iter()
        .map(|a| a.qualified_name())
        .collect();
    assert!(want.len() > 5, "{want:?}");
    let actions: Vec<String> = got.into_iter().map(|(_, a)| a).collect();
    assert_eq!(actions, want);
}

#[test]
fn a_typo_in_a_scenario_action_set_is_a_located_error() {
    let s = TempScenario::new("typo", &scenario_with_set(r#"["logs:DescribeLogGroup"]"#));
    let r = matrix(&["--scenario", &s.path()]);
    assert_eq!(r.code, Some(2), "{}", r.stdout);
    assert!(
        r.stderr.contains(&format!(
            "{}:2:37: /action_sets/logs-describe/0: unknown action `logs:DescribeLogGroup`",
            s.path()
        )),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains("did you mean `logs:DescribeLogGroups`"),
        "{}",
        r.stderr
    );
}

/// An action newer than the pinned catalog is usable in an action set once the
/// user's `--catalog-overlay` names it; without the overlay the same set is a typo.
#[test]
fn a_catalog_overlay_adds_actions_to_action_sets() {
    let s = TempScenario::new(
        "overlay",
        &scenario_with_set(r#"["logs:DescribeBrandNewThing"]"#),
    );
    let without = matrix(&["--scenario", &s.path()]);
    assert_eq!(without.code, Some(2), "{}", without.stdout);
    assert!(
        without
            .stderr
            .contains("unknown action `logs:DescribeBrandNewThing`"),
        "{}",
        without.stderr
    );
    let overlay = s.0.join("overlay.json");
    std::fs::write(
        &overlay,
        r#"{"format":1,"package":"my-overlay","version":"1",
"services":[{"prefix":"logs","actions":[["DescribeBrandNewThing","List",[],[]]]}]}"#,
    )
    .expect("write overlay");
    let overlay = overlay.display().to_string();
    let with = matrix(&[
        "--scenario",
        &s.path(),
        "--catalog-overlay",
        &overlay,
        "--format",
        "json",
    ]);
    assert_eq!(with.code, Some(0), "{}", with.stderr);
    assert!(
        with.stdout
            .contains(r#""action":"logs:DescribeBrandNewThing""#),
        "{}",
        with.stdout
    );
    assert!(
        with.stdout.contains(r#""decision":"allowed""#),
        "{}",
        with.stdout
    );
}
