//! `iamsim check` as CI runs it: the binary, from the repository root, with relative
//! paths so the golden outputs hold no absolute paths. Expectation tables under
//! `tests/data/check/` over the Connect scenario (a mix of passing, mismatching and
//! error rows, as CSV and JSON Lines), self-contained case files, every output format
//! and the JUnit report.

use crate::common;

use crate::common::{check, check_in, Run};

use iamsim::report::escape::{github_data, github_property, xml_escape, xml_text};
use std::path::{Path, PathBuf};

const SCENARIO: &str = "fixtures/connect/scenario.json";
const MIXED_CSV: &str = "tests/data/check/mixed.csv";
const MIXED_JSONL: &str = "tests/data/check/mixed.jsonl";
const PASSING_CSV: &str = "tests/data/check/passing.csv";
const CASES: &str = "tests/data/check/cases.jsonl";
const CONFORMANCE: &str = "fixtures/conformance/cases.jsonl";
const FLAGSHIP: &str = "fixtures/connect/expectations.csv";

/// A fresh scratch directory for one test.
fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("check")
        .join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("create scratch dir");
    dir
}

/// Runs check with `--junit` into a scratch file and returns the run and the XML.
fn check_junit(name: &str, args: &[&str]) -> (Run, String) {
    let xml = scratch(name).join("report.xml");
    let xml_arg = xml.to_str().expect("UTF-8 temp path");
    let mut all = args.to_vec();
    all.extend(["--junit", xml_arg]);
    let run = check(&all);
    let text = std::fs::read_to_string(&xml).expect("JUnit report written");
    (run, redact_catalog(&text))
}

/// The catalog version changes with every catalog refresh; golden files keep a
/// placeholder, after checking that the report names the real version once.
fn redact_catalog(xml: &str) -> String {
    let version = xml_escape(&iamsim_catalog::Catalog::builtin().version().to_string());
    let property = format!(r#"<property name="catalog" value="{version}"/>"#);
    assert_eq!(xml.matches(&property).count(), 1, "{xml}");
    xml.replace(
        &property,
        r#"<property name="catalog" value="[catalog version]"/>"#,
    )
}

fn last_line(s: &str) -> &str {
    s.lines().last().unwrap_or("")
}

// ---- golden outputs: expectation tables ----

#[test]
fn text_csv() {
    let r = check(&[MIXED_CSV, "--scenario", SCENARIO]);
    assert_eq!(r.code, Some(1), "{}", r.stderr);
    assert_eq!(last_line(&r.stdout), "5 passed, 10 failed");
    // The table's context cell is the problem, not a flag the user never typed.
    assert!(!r.stdout.contains("--context"), "{}", r.stdout);
    assert!(r.stdout.contains("did you mean `allowed`?"), "{}", r.stdout);
    // A typo'd action is an error row, not a denial that passes a "denied" row.
    assert!(
        r.stdout
            .contains("unknown action `s3:GetObjects` (did you mean"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout
            .contains("unknown action `conect:DescribeInstance`"),
        "{}",
        r.stdout
    );
    insta::assert_snapshot!("text_csv", r.stdout);
}

#[test]
fn text_jsonl() {
    let r = check(&[MIXED_JSONL, "--scenario", SCENARIO]);
    assert_eq!(r.code, Some(1), "{}", r.stderr);
    assert_eq!(last_line(&r.stdout), "5 passed, 6 failed");
    insta::assert_snapshot!("text_jsonl", r.stdout);
}

#[test]
fn text_quiet_prints_only_failures() {
    let r = check(&[MIXED_CSV, "--scenario", SCENARIO, "--quiet"]);
    assert_eq!(r.code, Some(1), "{}", r.stderr);
    assert!(
        !r.stdout.lines().any(|l| l.starts_with("ok ")),
        "{}",
        r.stdout
    );
    insta::assert_snapshot!("text_quiet_csv", r.stdout);
    let alias = check(&[MIXED_CSV, "--scenario", SCENARIO, "--failures-only"]);
    assert_eq!(alias.stdout, r.stdout);
}

#[test]
fn jsonl_csv() {
    let r = check(&[MIXED_CSV, "--scenario", SCENARIO, "--format", "jsonl"]);
    assert_eq!(r.code, Some(1), "{}", r.stderr);
    assert_eq!(r.stderr, "5 passed, 10 failed\n");
    for line in r.stdout.lines() {
        let v: serde_json::Value = serde_json::from_str(line).expect("each line is JSON");
        for key in ["id", "line", "decision", "expect", "pass"] {
            assert!(v.get(key).is_some(), "no `{key}` in {line}");
        }
    }
    insta::assert_snapshot!("jsonl_csv", r.stdout);
}

#[test]
fn jsonl_jsonl() {
    let r = check(&[MIXED_JSONL, "--scenario", SCENARIO, "--format", "jsonl"]);
    assert_eq!(r.code, Some(1), "{}", r.stderr);
    assert_eq!(r.stderr, "5 passed, 6 failed\n");
    insta::assert_snapshot!("jsonl_jsonl", r.stdout);
}

#[test]
fn github_csv() {
    let r = check(&[MIXED_CSV, "--scenario", SCENARIO, "--format", "github"]);
    assert_eq!(r.code, Some(1), "{}", r.stderr);
    let annotations: Vec<&str> = r
        .stdout
        .lines()
        .filter(|l| l.starts_with("::error "))
        .collect();
    assert_eq!(annotations.len(), 10, "{}", r.stdout);
    assert!(annotations
        .iter()
        .all(|a| a.starts_with("::error file=tests/data/check/mixed.csv,line=")));
    assert_eq!(last_line(&r.stdout), "5 passed, 10 failed");
    insta::assert_snapshot!("github_csv", r.stdout);
}

#[test]
fn github_jsonl() {
    let r = check(&[MIXED_JSONL, "--scenario", SCENARIO, "--format", "github"]);
    assert_eq!(r.code, Some(1), "{}", r.stderr);
    insta::assert_snapshot!("github_jsonl", r.stdout);
}

#[test]
fn junit_csv() {
    let (r, xml) = check_junit("junit_csv", &[MIXED_CSV, "--scenario", SCENARIO]);
    assert_eq!(r.code, Some(1), "{}", r.stderr);
    assert_eq!(xml.matches("<testcase ").count(), 15);
    assert_eq!(xml.matches("<failure ").count(), 2);
    assert_eq!(xml.matches("<error ").count(), 8);
    insta::assert_snapshot!("junit_csv", xml);
}

#[test]
fn junit_jsonl() {
    let (r, xml) = check_junit("junit_jsonl", &[MIXED_JSONL, "--scenario", SCENARIO]);
    assert_eq!(r.code, Some(1), "{}", r.stderr);
    insta::assert_snapshot!("junit_jsonl", xml);
}

#[test]
fn junit_is_deterministic() {
    let (_, a) = check_junit("junit_det_a", &[MIXED_CSV, "--scenario", SCENARIO]);
    let (_, b) = check_junit("junit_det_b", &[MIXED_CSV, "--scenario", SCENARIO]);
    assert_eq!(a, b);
}

#[test]
fn passing_table_exits_0() {
    let r = check(&[PASSING_CSV, "--scenario", SCENARIO]);
    assert_eq!(r.code, Some(0), "{}{}", r.stdout, r.stderr);
    assert_eq!(last_line(&r.stdout), "10 passed, 0 failed");
    let g = check(&[PASSING_CSV, "--scenario", SCENARIO, "--format", "github"]);
    assert_eq!(
        (g.code, g.stdout.as_str()),
        (Some(0), "10 passed, 0 failed\n")
    );
}

// ---- a flipped row ----

/// The table with the expectation of data row `index` flipped to one its decision
/// cannot meet; returns the new text, the row's id, its line and the flip.
fn flip_row(table: &str, index: usize) -> (String, String, u64, String, String) {
    let mut reader = csv::Reader::from_reader(table.as_bytes());
    let headers = reader.headers().expect("CSV header").clone();
    let col = |name: &str| headers.iter().position(|h| h.trim() == name).expect(name);
    let (id_col, expect_col) = (col("id"), col("expect"));
    let mut writer = csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(Vec::new());
    writer.write_record(&headers).expect("write header");
    let mut flipped = None;
    for (i, record) in reader.records().enumerate() {
        let record = record.expect("CSV record");
        let mut fields: Vec<String> = record.iter().map(str::to_owned).collect();
        if i == index {
            let old = fields[expect_col].trim().to_owned();
            let new = if old == "allowed" {
                "explicitDeny"
            } else {
                "allowed"
            };
            fields[expect_col] = new.to_owned();
            let line = record.position().expect("position").line();
            flipped = Some((fields[id_col].clone(), line, new.to_owned(), old));
        }
        writer.write_record(&fields).expect("write record");
    }
    let (id, line, new, old) = flipped.expect("row index within the table");
    let text = String::from_utf8(writer.into_inner().expect("flush")).expect("UTF-8");
    (text, id, line, new, old)
}

/// Copies `table` to a scratch dir, flips data row `index`, and checks that the
/// original passes, the flipped copy exits 1, and its JUnit report holds exactly one
/// failure, naming that row.
fn check_flipped(name: &str, table: &str, index: usize) {
    let root = common::repo_root();
    let dir = scratch(name);
    let original = std::fs::read_to_string(root.join(table)).expect("read table");
    let (flipped, id, line, new, _old) = flip_row(&original, index);
    std::fs::write(dir.join("original.csv"), &original).expect("write copy");
    std::fs::write(dir.join("flipped.csv"), &flipped).expect("write flipped copy");
    let scenario = root.join(SCENARIO);
    let scenario = scenario.to_str().expect("UTF-8 path");

    let ok = check_in(
        &dir,
        &["original.csv", "--scenario", scenario, "--junit", "ok.xml"],
    );
    assert_eq!(ok.code, Some(0), "{}{}", ok.stdout, ok.stderr);
    let ok_xml = std::fs::read_to_string(dir.join("ok.xml")).expect("JUnit written");
    assert_eq!(ok_xml.matches("<failure").count(), 0, "{ok_xml}");
    let rows = ok_xml.matches("<testcase ").count();

    let r = check_in(
        &dir,
        &[
            "flipped.csv",
            "--scenario",
            scenario,
            "--junit",
            "report.xml",
        ],
    );
    assert_eq!(r.code, Some(1), "{}{}", r.stdout, r.stderr);
    assert_eq!(
        last_line(&r.stdout),
        format!("{} passed, 1 failed", rows - 1)
    );
    let xml = std::fs::read_to_string(dir.join("report.xml")).expect("JUnit written");
    assert_eq!(xml.matches("<testcase ").count(), rows, "{xml}");
    assert_eq!(xml.matches("<failure").count(), 1, "{xml}");
    assert_eq!(xml.matches("<error").count(), 0, "{xml}");
    assert!(xml.contains(r#"failures="1" errors="0""#), "{xml}");
    let failing = regex::Regex::new(
        r#"<testcase [^>]*name="([^"]*)"[^>]*line="(\d+)">\s*<failure message="got (\w+), expected (\w+)""#,
    )
    .expect("regex");
    let found: Vec<_> = failing.captures_iter(&xml).collect();
    assert_eq!(found.len(), 1, "{xml}");
    assert_eq!(&found[0][1], id);
    assert_eq!(found[0][2], line.to_string());
    assert_ne!(&found[0][3], new);
    assert_eq!(&found[0][4], new);
}

#[test]
fn flipped_row_fails_and_junit_names_it() {
    // Row 5 (line 7): supervisor-cannot-see-osaka, implicitDeny -> allowed.
    check_flipped("flipped", PASSING_CSV, 5);
}

#[test]
fn flagship_table_passes_and_a_flipped_row_fails() {
    let r = check(&[FLAGSHIP, "--scenario", SCENARIO]);
    assert_eq!(r.code, Some(0), "{}{}", r.stdout, r.stderr);
    let summary = regex::Regex::new(r"^(\d+) passed, 0 failed$").expect("regex");
    let n: usize = summary.captures(last_line(&r.stdout)).expect("summary")[1]
        .parse()
        .expect("count");
    assert!(n >= 60, "{n} rows");
    check_flipped("flipped_flagship", FLAGSHIP, 0);
    check_flipped("flipped_flagship_last", FLAGSHIP, n - 1);
}

// ---- self-contained case files ----

/// Number of cases in the conformance corpus (one per non-empty line).
fn corpus_size() -> usize {
    std::fs::read_to_string(CONFORMANCE)
        .map(|t| t.lines().filter(|l| !l.trim().is_empty()).count())
        .unwrap_or(0)
}

#[test]
fn conformance_cases_still_pass() {
    let r = check(&[CONFORMANCE]);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    assert_eq!(
        last_line(&r.stdout),
        format!("{} passed, 0 failed", corpus_size())
    );
}

#[test]
fn conformance_cases_junit_has_one_testcase_per_case() {
    let (r, xml) = check_junit("conformance", &[CONFORMANCE, "--format", "github"]);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    let n = corpus_size();
    assert_eq!(last_line(&r.stdout), format!("{n} passed, 0 failed"));
    // The corpus tests 2008-10-17 policies on purpose: their warnings are annotations
    // at the case's line, and never errors without --strict.
    let annotations: Vec<&str> = r.stdout.lines().filter(|l| l.starts_with("::")).collect();
    assert!(!annotations.is_empty());
    for a in &annotations {
        assert!(
            a.starts_with("::warning file=fixtures/conformance/cases.jsonl,line="),
            "{a}"
        );
        assert!(
            !a.contains(",line=1,col=1,"),
            "located at the case, not the file: {a}"
        );
    }
    assert_eq!(xml.matches("<testcase ").count(), n);
    assert!(xml.contains(&format!(r#"tests="{n}" failures="0" errors="0""#)));
    assert!(!xml.contains("<failure") && !xml.contains("<error"));
}

#[test]
fn case_file_text() {
    let r = check(&[CASES]);
    assert_eq!(r.code, Some(1), "{}", r.stderr);
    assert_eq!(last_line(&r.stdout), "2 passed, 3 failed");
    insta::assert_snapshot!("case_file_text", r.stdout);
}

#[test]
fn case_file_jsonl() {
    let r = check(&[CASES, "--format", "jsonl"]);
    assert_eq!(r.code, Some(1), "{}", r.stderr);
    assert_eq!(r.stderr, "2 passed, 3 failed\n");
    insta::assert_snapshot!("case_file_jsonl", r.stdout);
}

#[test]
fn case_file_github() {
    let r = check(&[CASES, "--format", "github"]);
    assert_eq!(r.code, Some(1), "{}", r.stderr);
    insta::assert_snapshot!("case_file_github", r.stdout);
}

#[test]
fn case_file_junit() {
    let (r, xml) = check_junit("case_file_junit", &[CASES]);
    assert_eq!(r.code, Some(1), "{}", r.stderr);
    insta::assert_snapshot!("case_file_junit", xml);
}

/// Case files are reported as they are read (text, jsonl) and, with a JUnit report,
/// from every result kept to the end: both must print the same bytes.
#[test]
fn streamed_and_collected_case_reports_are_the_same() {
    for file in [CASES, CONFORMANCE, "fixtures/bad/cases/mixed.jsonl"] {
        for quiet in [false, true] {
            let mut args = vec![file];
            if quiet {
                args.push("-q");
            }
            let streamed = check(&args);
            let (collected, _) = check_junit("streamed_vs_collected", &args);
            assert_eq!(streamed.code, collected.code, "{file}");
            assert_eq!(streamed.stdout, collected.stdout, "{file} quiet={quiet}");
            assert_eq!(streamed.stderr, collected.stderr, "{file} quiet={quiet}");
        }
    }
}

/// A case without `expect`, or with `"expect": "unknown"`, is evaluated and reported
/// with its decision, and neither passes nor fails the run.
#[test]
fn cases_without_an_expectation_are_evaluated_not_judged() {
    let dir = scratch("unjudged");
    let file = dir.join("c.jsonl");
    let policies = r#"{"identity": [{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}}]}"#;
    let request = r#"{"principal": "arn:aws:iam::111122223333:user/alice", "action": "s3:GetObject", "resource": "arn:aws:s3:::b/k"}"#;
    let lines: Vec<String> = [r#", "expect": "allowed""#, r#", "expect": "unknown""#, ""]
        .iter()
        .enumerate()
        .map(|(i, expect)| {
            format!(r#"{{"id": "c{i}", "policies": {policies}, "request": {request}{expect}}}"#)
        })
        .collect();
    std::fs::write(&file, lines.join("\n") + "\n").expect("write");
    let path = file.to_str().expect("UTF-8 temp path");
    let r = check(&[path]);
    assert_eq!(r.code, Some(0), "{}{}", r.stdout, r.stderr);
    assert_eq!(
        last_line(&r.stdout),
        "1 passed, 0 failed, 2 not judged (no expectation)"
    );
    assert!(r.stdout.contains("eval  c1  arn:aws:iam::111122223333:user/alice s3:GetObject arn:aws:s3:::b/k  allowed\n"), "{}", r.stdout);
    assert!(r.stdout.contains("eval  c2 "), "{}", r.stdout);
    let r = check(&[path, "--format", "jsonl"]);
    assert!(
        r.stdout
            .contains(r#"{"id":"c1","line":2,"decision":"allowed","expect":null,"pass":null}"#),
        "{}",
        r.stdout
    );
    let (r, xml) = check_junit("unjudged_junit", &[path]);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    assert!(
        xml.contains(r#"tests="3" failures="0" errors="0""#),
        "{xml}"
    );
    assert!(
        xml.contains("allowed (no expectation)</system-out>"),
        "{xml}"
    );
}

/// The case reader forgets its compiled sets past a bound; a policies text that
/// comes back after that is compiled again, decides the same, and is not warned
/// about twice.
#[test]
fn a_policies_text_seen_again_after_the_cache_is_emptied_is_warned_about_once() {
    let dir = scratch("cache_bound");
    let file = dir.join("c.jsonl");
    let case = |id: &str, sid: usize| {
        format!(
            r#"{{"id": "{id}", "policies": {{"identity": [{{"Statement": {{"Sid": "S{sid}", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}}}}]}}, "request": {{"principal": "arn:aws:iam::111122223333:user/alice", "action": "s3:GetObject", "resource": "arn:aws:s3:::b/k"}}, "expect": "allowed"}}"#
        )
    };
    // Distinct cases past the cache's bound (more than MAX_CACHED_POLICY_BYTES =
    // 512 KiB of `policies` text, several 256 KiB blocks), then the first case's
    // policies again.
    let n = 12_000;
    let mut text: String = (0..n).map(|i| case(&format!("c{i}"), i) + "\n").collect();
    assert!(text.len() > 3 * (1 << 20));
    text.push_str(&(case("again", 0) + "\n"));
    std::fs::write(&file, text).expect("write");
    let r = check(&[file.to_str().expect("UTF-8 temp path"), "-q"]);
    assert_eq!(r.code, Some(0), "{}", r.stdout);
    assert_eq!(last_line(&r.stdout), format!("{} passed, 0 failed", n + 1));
    // One "no `Version`" warning per distinct text, the repeated one included once.
    assert_eq!(r.stderr.matches("no `Version`").count(), n, "{}", r.stderr);
}

// ---- unusable input: exit 2 ----

#[test]
fn unreadable_inputs_exit_2() {
    let cases: &[(&[&str], &str)] = &[
        (
            &["tests/data/check/missing.csv", "--scenario", SCENARIO],
            "missing.csv",
        ),
        (
            &[MIXED_CSV, "--scenario", "fixtures/connect/missing.json"],
            "missing.json",
        ),
        (&["tests/data/check/missing.jsonl"], "missing.jsonl"),
        (
            &["tests/data/check/table.yaml", "--scenario", SCENARIO],
            "table.yaml",
        ),
        (
            &["tests/data/check/table.yml"],
            "a YAML expectation table needs --scenario",
        ),
        (&[MIXED_CSV], "needs --scenario"),
    ];
    for (args, needle) in cases {
        let r = check(args);
        assert_eq!(r.code, Some(2), "{args:?}: {}{}", r.stdout, r.stderr);
        assert!(r.stderr.contains(needle), "{args:?}: {}", r.stderr);
        assert!(r.stdout.is_empty(), "{args:?}: {}", r.stdout);
    }
}

#[test]
fn csv_without_expect_column_exits_2() {
    let dir = scratch("no_expect");
    std::fs::write(
        dir.join("requests.csv"),
        "principal,action,resource\nadmin,s3:GetObject,arn:aws:s3:::connect-recordings-mycc/a\n",
    )
    .expect("write table");
    let scenario = common::repo_root().join(SCENARIO);
    let r = check_in(
        &dir,
        &[
            "requests.csv",
            "--scenario",
            scenario.to_str().expect("path"),
        ],
    );
    assert_eq!(r.code, Some(2), "{}{}", r.stdout, r.stderr);
    assert!(r.stderr.contains("no `expect` column"), "{}", r.stderr);
}

#[test]
fn unwritable_junit_exits_2() {
    let r = check(&[
        PASSING_CSV,
        "--scenario",
        SCENARIO,
        "--junit",
        "tests/data/check/no/such/dir/report.xml",
    ]);
    assert_eq!(r.code, Some(2), "{}", r.stderr);
    assert!(
        r.stderr.contains("cannot write the JUnit report"),
        "{}",
        r.stderr
    );
}

// ---- escaping ----

#[test]
fn github_escaping() {
    assert_eq!(github_data("50% a\r\nb: c, d"), "50%25 a%0D%0Ab: c, d");
    assert_eq!(
        github_property("iamsim a,b: 5%\n"),
        "iamsim a%2Cb%3A 5%25%0A"
    );
}

#[test]
fn xml_escaping() {
    assert_eq!(
        xml_escape(r#"a & b < c > d " e ' f"#),
        "a &amp; b &lt; c &gt; d &quot; e &apos; f"
    );
    assert_eq!(xml_escape("tab\tlf\ncr\r"), "tab&#9;lf&#10;cr&#13;");
    assert_eq!(xml_text("tab\tlf\ncr\r<"), "tab\tlf\ncr&#13;&lt;");
    // Characters XML 1.0 forbids are dropped.
    assert_eq!(xml_escape("a\u{0}b\u{1b}c\u{fffe}d\u{ffff}e"), "abcde");
    assert_eq!(
        xml_text("ok \u{e000}\u{10000}\u{fffd}"),
        "ok \u{e000}\u{10000}\u{fffd}"
    );
}
