//! `iamsim matrix`: golden files of every output format for the flagship Connect
//! scenario, structural checks of the HTML page (complete, self-contained, escaped),
//! semantic spot checks of the reachability answers, filters and exit codes.

use crate::common;

use crate::common::Run;

use std::path::PathBuf;

const FLAGSHIP: &str = "fixtures/connect/scenario.json";

/// Runs the binary from the package root, so relative paths (and nothing
/// machine-specific) end up in the output.
fn iamsim(args: &[&str]) -> Run {
    let mut full = vec!["matrix"];
    full.extend_from_slice(args);
    common::run(common::repo_root(), &full, None)
}

/// Runs a command that must succeed and returns its standard output.
fn ok(args: &[&str]) -> String {
    let r = iamsim(args);
    assert_eq!(
        r.code,
        Some(0),
        "iamsim matrix {args:?} failed: {}",
        r.stderr
    );
    r.stdout
}

fn flagship(extra: &[&str]) -> String {
    let mut args = vec!["--scenario", FLAGSHIP];
    args.extend_from_slice(extra);
    ok(&args)
}

fn records(extra: &[&str]) -> Vec<serde_json::Value> {
    let mut args = vec!["--format", "json"];
    args.extend_from_slice(extra);
    let v: serde_json::Value = serde_json::from_str(&flagship(&args)).expect("valid JSON");
    v["records"].as_array().expect("a JSON array").clone()
}

/// The one record for (principal, target name, action).
fn decision(all: &[serde_json::Value], principal: &str, target: &str, action: &str) -> String {
    let hits: Vec<&serde_json::Value> = all
        .iter()
        .filter(|r| r["principal"] == principal && r["target"] == target && r["action"] == action)
        .collect();
    assert_eq!(hits.len(), 1, "{principal} / {target} / {action}: {hits:?}");
    hits[0]["decision"].as_str().expect("decision").to_owned()
}

/// A scenario written to a fresh temporary folder, removed when dropped.
struct TempScenario(PathBuf);

impl TempScenario {
    fn new(tag: &str, text: &str) -> TempScenario {
        let dir = std::env::temp_dir().join(format!("iamsim-matrix-{tag}-{}", std::process::id()));
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

/// Hostile names everywhere user text appears.
const HOSTILE: &str = r#"{
  "name": "Evil <b>title</b> & \"quotes\" 'single'",
  "principals": [
    {"name": "<script>alert(1)</script>", "type": "user", "account": "111122223333", "user": "evil",
     "policies": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}},
    {"name": "pipe | \"x\" 'y' & z", "type": "user", "account": "111122223333", "user": "plain"}
  ],
  "resources": [
    {"name": "bucket <img src=x onerror=alert(2)>", "arn": "arn:aws:s3:::b", "account": "111122223333",
     "actions": ["s3:GetObject", "s3:PutObject"]}
  ]
}"#;

// ---------------------------------------------------------------- golden files

#[test]
fn text_full_flagship() {
    insta::assert_snapshot!("text_full", flagship(&[]));
}

#[test]
fn text_what_can_the_tokyo_supervisor_do() {
    insta::assert_snapshot!(
        "text_tokyo_supervisor_allowed_only",
        flagship(&["--principal", "tokyo-supervisor", "--allowed-only"])
    );
}

#[test]
fn text_who_can_read_the_recordings_bucket() {
    insta::assert_snapshot!(
        "text_who_reads_recordings_mycc",
        flagship(&[
            "--target",
            "recordings mycc",
            "--actions",
            "s3:GetObject",
            "--actions",
            "s3:ListBucket",
            "--allowed-only"
        ])
    );
}

#[test]
fn csv_recordings_buckets() {
    insta::assert_snapshot!(
        "csv_recordings",
        flagship(&["--format", "csv", "--target", "recordings"])
    );
}

#[test]
fn json_tokyo_supervisor_on_users() {
    insta::assert_snapshot!(
        "json_tokyo_supervisor_users",
        flagship(&[
            "--format",
            "json",
            "--principal",
            "tokyo-supervisor",
            "--target",
            "user "
        ])
    );
}

#[test]
fn markdown_instances_and_logs() {
    insta::assert_snapshot!(
        "markdown_instances_and_logs",
        flagship(&[
            "--format",
            "markdown",
            "--target",
            "instance ",
            "--target",
            "flow logs"
        ])
    );
}

#[test]
fn html_one_principal_one_target() {
    insta::assert_snapshot!(
        "html_tokyo_supervisor_taro",
        flagship(&[
            "--format",
            "html",
            "--principal",
            "tokyo-supervisor",
            "--target",
            "user taro"
        ])
    );
}

// ---------------------------------------------------------------- HTML structure

#[test]
fn html_has_every_principal_target_and_one_cell_per_evaluation() {
    let html = flagship(&["--format", "html"]);
    let all = records(&[]);
    assert_eq!(all.len(), 440, "8 principals × 55 (target, action) pairs");
    let cells = html.matches("<button type=\"button\" class=\"c ").count();
    assert_eq!(cells, all.len(), "one clickable cell per evaluation");
    assert_eq!(
        html.matches("<div id=\"x-").count(),
        all.len(),
        "one explanation per cell"
    );
    assert_eq!(
        html.matches("<pre>decision: ").count(),
        all.len(),
        "each explanation is the full trace"
    );
    // Colour is never the only signal: every cell shows its decision word.
    let words = html.matches(">allow</button>").count()
        + html.matches(">DENY</button>").count()
        + html.matches(">implicit</button>").count();
    assert_eq!(words, all.len());

    let targets: Vec<&str> = {
        let mut t: Vec<&str> = all
            .iter()
            .map(|r| r["target"].as_str().expect("target"))
            .collect();
        t.dedup();
        t
    };
    assert_eq!(targets.len(), 15);
    assert_eq!(
        html.matches("<section class=\"target\"").count(),
        targets.len()
    );
    for t in &targets {
        let escaped = t.replace('&', "&amp;").replace('<', "&lt;");
        assert!(
            html.contains(&format!(">{escaped}</h2>")),
            "target `{t}` has a section"
        );
    }
    for p in [
        "instance-admin",
        "connect-service",
        "admin",
        "developer",
        "tokyo-supervisor",
        "shibuya-lead",
        "root",
        "partner-auditor",
    ] {
        let rows = html
            .matches(&format!("\">{p}<span class=\"kind\">"))
            .count();
        assert_eq!(
            rows,
            targets.len(),
            "principal `{p}` has a row in every grid"
        );
    }
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(html.contains("<title>Amazon Connect flagship"));
    assert!(html.contains("id=\"filter\""), "filter box");
    assert!(html.contains("class=\"legend\""), "legend");
}

#[test]
fn html_is_self_contained() {
    let html = flagship(&["--format", "html"]);
    assert_eq!(html.matches("<script").count(), 1, "one inline script");
    for external in [
        "<script src",
        "<link",
        "src=\"http",
        "href=\"http",
        "@import",
        "url(",
    ] {
        assert!(!html.contains(external), "page must not load `{external}`");
    }
}

#[test]
fn html_escapes_scenario_text() {
    let s = TempScenario::new("hostile", HOSTILE);
    let html = ok(&["--scenario", &s.path(), "--format", "html"]);
    assert_eq!(
        html.matches("<script").count(),
        1,
        "only the page's own script"
    );
    assert!(!html.contains("<img"), "no injected element");
    assert!(
        !html.contains("<b>title"),
        "no injected markup in the title"
    );
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(html.contains("<title>Evil &lt;b&gt;title&lt;/b&gt; &amp; &quot;quotes&quot; &#39;single&#39; — iamsim matrix</title>"));
    assert!(html.contains("pipe | &quot;x&quot; &#39;y&#39; &amp; z"));
    // Attribute values are escaped too: no raw quote closes a data-key or title.
    assert!(!html.contains("\"x\""));
    assert!(!html.contains("'y'"));

    let md = ok(&["--scenario", &s.path(), "--format", "markdown"]);
    assert!(!md.contains("<script>") && !md.contains("<img"));
    let table_rows: Vec<&str> = md.lines().filter(|l| l.starts_with("| ")).collect();
    for row in table_rows {
        let cells = row.replace("\\|", "").matches('|').count();
        assert_eq!(cells, 4, "a `|` in a name must not add a column: {row}");
    }
}

#[test]
fn html_without_explanations_keeps_reasons() {
    let html = flagship(&[
        "--format",
        "html",
        "--no-explanations",
        "--target",
        "user taro",
    ]);
    assert!(!html.contains("<pre>"));
    assert_eq!(html.matches("<div id=\"x-").count(), 32);
    assert!(html.contains("<dt>reason</dt>"));
}

// ---------------------------------------------------------------- semantics

#[test]
fn the_recordings_lock_beats_the_developers_s3_star() {
    let all = records(&["--principal", "developer", "--target", "recordings"]);
    let mycc =
        "recordings mycc …/connect/mycc/CallRecordings/2024/05/01/c-1_20240501T01:02_UTC.wav";
    let othercc = "recordings othercc …/connect/othercc/CallRecordings/2024/05/01/c-2.wav";
    for action in ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"] {
        assert_eq!(
            decision(&all, "developer", mycc, action),
            "explicitDeny",
            "{action}"
        );
        assert_eq!(
            decision(&all, "developer", othercc, action),
            "allowed",
            "{action}"
        );
    }
    let locked = all
        .iter()
        .find(|r| r["target"] == mycc && r["action"] == "s3:GetObject")
        .expect("record");
    assert_eq!(locked["blocked_by"], "resource");
}

#[test]
fn the_tokyo_supervisor_reaches_its_subtree_only() {
    let all = records(&["--principal", "tokyo-supervisor"]);
    for user in ["taro", "hanako"] {
        assert_eq!(
            decision(
                &all,
                "tokyo-supervisor",
                &format!("user {user}"),
                "connect:DescribeUser"
            ),
            "allowed",
            "{user}"
        );
    }
    for user in ["kenji", "minji", "new-hire"] {
        assert_ne!(
            decision(
                &all,
                "tokyo-supervisor",
                &format!("user {user}"),
                "connect:DescribeUser"
            ),
            "allowed",
            "{user}"
        );
    }
}

#[test]
fn the_scp_denies_root_deleting_an_instance() {
    let all = records(&["--principal", "root", "--actions", "connect:DeleteInstance"]);
    assert_eq!(all.len(), 2, "two instances");
    for r in &all {
        assert_eq!(r["decision"], "explicitDeny", "{r}");
        assert_eq!(r["blocked_by"], "scp[0]", "{r}");
    }
}

#[test]
fn csv_and_json_agree() {
    let csv_text = flagship(&["--format", "csv"]);
    let mut reader = csv::Reader::from_reader(csv_text.as_bytes());
    let header: Vec<String> = reader
        .headers()
        .expect("header")
        .iter()
        .map(str::to_owned)
        .collect();
    assert_eq!(
        header,
        [
            "principal",
            "target",
            "arn",
            "action",
            "decision",
            "reason",
            "deciding",
            "blocked_by",
            "missing_keys"
        ]
    );
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.expect("row")).collect();
    let all = records(&[]);
    assert_eq!(rows.len(), all.len());
    for (row, rec) in rows.iter().zip(&all) {
        for (i, field) in ["principal", "target", "arn", "action", "decision", "reason"]
            .iter()
            .enumerate()
        {
            assert_eq!(
                Some(row.get(i).unwrap_or_default()),
                rec[*field].as_str(),
                "{field}"
            );
        }
    }
}

#[test]
fn allowed_only_records_are_all_allowed() {
    let all = records(&["--allowed-only"]);
    let everything = records(&[]);
    let allowed = everything
        .iter()
        .filter(|r| r["decision"] == "allowed")
        .count();
    assert_eq!(all.len(), allowed);
    assert!(all.iter().all(|r| r["decision"] == "allowed"));
}

// ---------------------------------------------------------------- flags and exit codes

#[test]
fn output_file_gets_what_stdout_would() {
    let dir = TempScenario::new("out", "{}");
    let file = dir.0.join("m.md");
    let file_arg = file.display().to_string();
    let r = iamsim(&[
        "--scenario",
        FLAGSHIP,
        "--format",
        "markdown",
        "--target",
        "taro",
        "--output",
        &file_arg,
    ]);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    assert!(r.stdout.is_empty());
    let written = std::fs::read_to_string(&file).expect("output file");
    assert_eq!(
        written,
        flagship(&["--format", "markdown", "--target", "taro"])
    );
}

#[test]
fn filters_keep_scenario_order() {
    let a = records(&[
        "--principal",
        "root",
        "--principal",
        "admin",
        "--target",
        "user taro",
    ]);
    let principals: Vec<&str> = a
        .iter()
        .map(|r| r["principal"].as_str().expect("p"))
        .collect();
    assert_eq!(
        principals[0], "admin",
        "admin comes before root in the scenario"
    );
    assert_eq!(principals.len(), 8);
}

#[test]
fn action_filters_take_sets_and_patterns() {
    let by_set = records(&["--actions", "logs-write", "--principal", "admin"]);
    assert_eq!(by_set.len(), 4, "2 log groups × 2 actions");
    let by_pattern = records(&["--actions", "s3:*Object", "--principal", "admin"]);
    assert_eq!(by_pattern.len(), 6, "2 objects × 3 actions");
}

#[test]
fn unusable_input_exits_2_and_says_why() {
    let cases: [(&[&str], &str); 5] = [
        (
            &["--scenario", "fixtures/connect/missing.json"],
            "missing.json",
        ),
        (
            &["--scenario", FLAGSHIP, "--principal", "nobody"],
            "--principal `nobody`",
        ),
        (
            &["--scenario", FLAGSHIP, "--target", "no-such-target"],
            "--target `no-such-target`",
        ),
        (
            &["--scenario", FLAGSHIP, "--actions", "ec2:RunInstances"],
            "--actions `ec2:RunInstances`",
        ),
        (
            &[
                "--scenario",
                FLAGSHIP,
                "--target",
                "user taro",
                "--actions",
                "s3:GetObject",
            ],
            "--actions `s3:GetObject`",
        ),
    ];
    for (args, says) in cases {
        let r = iamsim(args);
        assert_eq!(r.code, Some(2), "{args:?}");
        assert!(r.stdout.is_empty(), "{args:?}");
        assert!(r.stderr.contains(says), "{args:?}: {}", r.stderr);
    }
}

#[test]
fn nothing_allowed_is_an_answer_not_an_error() {
    let out = flagship(&[
        "--principal",
        "partner-auditor",
        "--target",
        "user",
        "--allowed-only",
    ]);
    assert!(out.contains("Nothing is allowed"), "{out}");
}

#[test]
fn big_matrices_keep_traces_for_decisive_cells_only() {
    // 30 principals × 70 actions = 2100 cells, above the full-trace limit.
    let principals: Vec<String> = (0..30)
        .map(|i| {
            let action = if i % 3 == 0 { "s3:Get*" } else { "s3:Nothing" };
            format!(
                r#"{{"name": "p{i}", "type": "user", "account": "111122223333", "user": "u{i}",
                   "policies": {{"Version": "2012-10-17", "Statement": [{{"Effect": "Allow", "Action": "{action}", "Resource": "*"}}]}}}}"#
            )
        })
        .collect();
    let actions: Vec<String> = (0..70).map(|i| format!("\"s3:GetThing{i}\"")).collect();
    let text = format!(
        r#"{{"name": "big", "principals": [{}],
            "resources": [{{"name": "b", "arn": "arn:aws:s3:::b", "account": "111122223333", "actions": [{}]}}]}}"#,
        principals.join(","),
        actions.join(",")
    );
    let s = TempScenario::new("big", &text);
    let html = ok(&["--scenario", &s.path(), "--format", "html"]);
    assert_eq!(html.matches("<div id=\"x-").count(), 2100);
    assert_eq!(html.matches(">allow</button>").count(), 10 * 70);
    assert_eq!(
        html.matches("<pre>").count(),
        10 * 70,
        "traces for allowed cells only"
    );
    assert!(html.contains("This matrix is large"));
}
