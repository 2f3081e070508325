//! YAML input: `iamsim_scenario::yaml::parse_yaml` (one YAML document → the positioned JSON
//! tree), YAML expectation tables in `iamsim check`, and YAML scenarios. Data under
//! `tests/data/yaml/`: `table.yaml` (passing rows over the Connect flagship),
//! `mixed.yaml` (passing, mismatching and malformed rows), `scenario.yaml` with its
//! JSON twin `scenario.json`, and `small.yaml` (rows over that scenario).

use crate::common;

use crate::common::{check, check_in};
use iamsim_testkit::generate::random_string;
use iamsim_testkit::Rng;

use iamsim::input::rows::parse_yaml_rows;
use iamsim_engine::source::json::{self, JsonKind, JsonLimits, JsonValue, Position};
use iamsim_scenario::yaml::{parse_yaml, YamlError, MAX_DEPTH};
use std::path::{Path, PathBuf};

const FLAGSHIP: &str = "fixtures/connect/scenario.json";
const TABLE: &str = "tests/data/yaml/table.yaml";
const MIXED: &str = "tests/data/yaml/mixed.yaml";
const SCENARIO_YAML: &str = "tests/data/yaml/scenario.yaml";
const SCENARIO_JSON: &str = "tests/data/yaml/scenario.json";
const SMALL: &str = "tests/data/yaml/small.yaml";

// ---- helpers ----

fn yaml(text: &str) -> JsonValue {
    parse_yaml(text, 1).unwrap_or_else(|e| panic!("{text:?}: {e}"))
}

fn yaml_err(text: &str) -> YamlError {
    match parse_yaml(text, 1) {
        Ok(v) => panic!("{text:?} parsed: {v:?}"),
        Err(e) => e,
    }
}

fn pos(line: u32, column: u32) -> Position {
    Position { line, column }
}

/// The value without positions, as compact JSON-like text (numbers as written).
fn shape(v: &JsonValue) -> String {
    match &v.kind {
        JsonKind::Null => "null".into(),
        JsonKind::Bool(b) => b.to_string(),
        JsonKind::Number(n) => format!("#{n}"),
        JsonKind::String(s) => format!("{s:?}"),
        JsonKind::Array(items) => {
            let items: Vec<String> = items.iter().map(shape).collect();
            format!("[{}]", items.join(","))
        }
        JsonKind::Object(members) => {
            let members: Vec<String> = members
                .iter()
                .map(|m| format!("{:?}:{}", m.name, shape(&m.value)))
                .collect();
            format!("{{{}}}", members.join(","))
        }
    }
}

fn repo(path: &str) -> PathBuf {
    common::repo_root().join(path)
}

/// A fresh scratch directory for one test.
fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("yaml")
        .join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("create scratch dir");
    dir
}

fn last_line(s: &str) -> &str {
    s.lines().last().unwrap_or("")
}

// ---- parse_yaml: values ----

#[test]
fn scalars_follow_the_core_schema() {
    let cases: &[(&str, &str)] = &[
        // null
        ("null", "null"),
        ("Null", "null"),
        ("NULL", "null"),
        ("~", "null"),
        ("", "null"),
        // booleans: the core schema's spellings only
        ("true", "true"),
        ("True", "true"),
        ("TRUE", "true"),
        ("false", "false"),
        ("FALSE", "false"),
        ("yes", "\"yes\""),
        ("no", "\"no\""),
        ("on", "\"on\""),
        ("off", "\"off\""),
        ("y", "\"y\""),
        ("tRUE", "\"tRUE\""),
        // decimal numbers, kept as written
        ("42", "#42"),
        ("-7", "#-7"),
        ("+7", "#+7"),
        ("012345678901", "#012345678901"),
        ("3.25", "#3.25"),
        ("1e3", "#1e3"),
        ("-1.5E-3", "#-1.5E-3"),
        (".5", "#.5"),
        // everything else is a string
        ("0x1F", "\"0x1F\""),
        ("0o17", "\"0o17\""),
        (".inf", "\".inf\""),
        (".nan", "\".nan\""),
        ("1_000", "\"1_000\""),
        ("2012-10-17", "\"2012-10-17\""),
        ("s3:GetObject", "\"s3:GetObject\""),
        ("arn:aws:s3:::bucket/*", "\"arn:aws:s3:::bucket/*\""),
        ("10.0.0.0/8", "\"10.0.0.0/8\""),
        // quoted and block scalars are always strings
        ("'true'", "\"true\""),
        ("\"42\"", "\"42\""),
        ("'null'", "\"null\""),
        ("''", "\"\""),
        ("\"a\\tb\\u00e9\"", "\"a\\tbé\""),
        ("'it''s'", "\"it's\""),
        ("|\n  42\n", "\"42\\n\""),
        (">-\n  one\n  two\n", "\"one two\""),
    ];
    for (scalar, want) in cases {
        let doc = format!("k: {scalar}");
        let v = yaml(&doc);
        let value = v.get("k").expect("member k");
        assert_eq!(shape(value), *want, "{doc:?}");
    }
}

#[test]
fn collections_become_arrays_and_objects() {
    let v = yaml("a: [1, x, {b: ~}]\nc:\n  - d: true\n  - []\n  - {}\n");
    assert_eq!(
        shape(&v),
        r#"{"a":[#1,"x",{"b":null}],"c":[{"d":true},[],{}]}"#
    );
    // Keys are names, whatever they look like.
    let v = yaml("123456789012: a\ntrue: b\n'q': c\n~x: d\n");
    assert_eq!(
        shape(&v),
        r#"{"123456789012":"a","true":"b","q":"c","~x":"d"}"#
    );
    // A document may be a scalar or a sequence.
    assert_eq!(shape(&yaml("hello")), r#""hello""#);
    assert_eq!(shape(&yaml("- 1\n- 2")), "[#1,#2]");
    // One explicit document, with or without its end marker, and a byte order mark.
    assert_eq!(shape(&yaml("---\na: 1\n...\n")), r#"{"a":#1}"#);
    assert_eq!(shape(&yaml("\u{feff}a: 1")), r#"{"a":#1}"#);
    // Comments and directives are fine.
    assert_eq!(shape(&yaml("%YAML 1.2\n---\na: 1 # one\n")), r#"{"a":#1}"#);
}

#[test]
fn positions_are_one_based_lines_and_columns() {
    let text = "# comment\n- id: a\n  context: {k: v}\n-   name: 'b'\n    list:\n      - x\n";
    let v = yaml(text);
    assert_eq!(v.position, pos(2, 1));
    let JsonKind::Array(rows) = &v.kind else {
        panic!("{v:?}")
    };
    // A block mapping starts at its first key.
    assert_eq!(rows[0].position, pos(2, 3));
    assert_eq!(rows[1].position, pos(4, 5));
    let JsonKind::Object(members) = &rows[0].kind else {
        panic!()
    };
    assert_eq!(members[0].name_position, pos(2, 3));
    assert_eq!(members[0].value.position, pos(2, 7));
    assert_eq!(members[1].name_position, pos(3, 3));
    // A flow mapping starts at its brace.
    assert_eq!(members[1].value.position, pos(3, 12));
    let k = members[1].value.get("k").expect("k");
    assert_eq!(k.position, pos(3, 16));
    // Quoted scalars start at their quote; block sequence items at their content.
    assert_eq!(rows[1].get("name").expect("name").position, pos(4, 11));
    let list = rows[1].get("list").expect("list");
    assert_eq!(list.position, pos(6, 7));
    let JsonKind::Array(items) = &list.kind else {
        panic!()
    };
    assert_eq!(items[0].position, pos(6, 9));
    // Columns count characters, not bytes.
    let v = yaml("é: ü\n");
    assert_eq!(v.get("é").expect("é").position, pos(1, 4));
    // `first_line` shifts every line.
    let v = parse_yaml("a:\n  b: 1\n", 10).expect("parse");
    assert_eq!(v.position, pos(10, 1));
    assert_eq!(
        v.get("a").and_then(|a| a.get("b")).expect("b").position,
        pos(11, 6)
    );
}

// ---- parse_yaml: what is refused ----

#[test]
fn duplicate_keys_are_errors() {
    let e = yaml_err("Effect: Allow\nAction: s3:*\nEffect: Deny\n");
    assert_eq!(e.position, pos(3, 1));
    assert_eq!(e.pointer, "/Effect");
    assert_eq!(e.message, "duplicate key `Effect`");
    assert_eq!(e.to_string(), "3:1: duplicate key `Effect`");
    // Flow mappings, nested, and a quoted spelling of the same key.
    let e = yaml_err("Statement:\n  - {Sid: a, \"Sid\": b}\n");
    assert_eq!(e.position, pos(2, 14));
    assert_eq!(e.pointer, "/Statement/0/Sid");
    // The same key in two mappings is fine.
    yaml("- a: 1\n- a: 2\n");
}

#[test]
fn anchors_aliases_and_tags_are_refused() {
    let e = yaml_err("base: &b {Effect: Allow}\ncopy: *b\n");
    assert!(e.message.contains("anchors"), "{e}");
    assert_eq!(e.pointer, "/base");
    assert_eq!(e.position.line, 1);
    // An alias without its anchor is a syntax error; either way it is refused.
    let e = yaml_err("a: 1\nb: *nowhere\n");
    assert_eq!(e.position.line, 2, "{e}");
    let e = yaml_err("a: !!str 5\n");
    assert!(e.message.contains("tags (`!!str`)"), "{e}");
    let e = yaml_err("- !custom {a: 1}\n");
    assert!(e.message.contains("tags (`!custom`)"), "{e}");
    assert_eq!(e.pointer, "/0");
}

#[test]
fn one_document_only() {
    let e = yaml_err("a: 1\n---\nb: 2\n");
    assert_eq!(e.position, pos(2, 1));
    assert!(e.message.contains("second YAML document"), "{e}");
    let e = yaml_err("---\na: 1\n...\n---\n");
    assert_eq!(e.position.line, 4, "{e}");
    for empty in ["", "\n\n", "# only a comment\n", "\u{feff}"] {
        let e = yaml_err(empty);
        assert_eq!(e.message, "empty document", "{empty:?}");
        assert_eq!(e.position, pos(1, 1));
    }
}

#[test]
fn keys_must_be_scalars() {
    let e = yaml_err("? [a, b]\n: c\n");
    assert!(e.message.contains("must be a scalar"), "{e}");
    let e = yaml_err("{a: 1}: 2\n");
    assert!(e.message.contains("must be a scalar"), "{e}");
    let e = yaml_err("a: 1\n: 2\n");
    assert!(e.message.contains("key is missing"), "{e}");
    assert_eq!(e.position.line, 2);
}

#[test]
fn deep_nesting_is_refused_not_overflowed() {
    let flow = |n: usize| format!("{}{}", "[".repeat(n), "]".repeat(n));
    assert!(parse_yaml(&flow(MAX_DEPTH), 1).is_ok());
    let e = yaml_err(&flow(MAX_DEPTH + 1));
    assert_eq!(e.message, format!("nesting deeper than {MAX_DEPTH} levels"));
    assert_eq!(e.position, pos(1, MAX_DEPTH as u32 + 1));

    let block = |n: usize| {
        let mut text = String::new();
        for i in 0..n {
            text.push_str(&" ".repeat(i));
            text.push_str("k:\n");
        }
        text.push_str(&" ".repeat(n));
        text.push_str("v\n");
        text
    };
    assert!(parse_yaml(&block(MAX_DEPTH), 1).is_ok());
    let e = yaml_err(&block(MAX_DEPTH + 1));
    assert_eq!(e.message, format!("nesting deeper than {MAX_DEPTH} levels"));
    assert_eq!(e.pointer, "/k".repeat(MAX_DEPTH));

    // Hostile depth is an error, quickly, in every style.
    for text in [
        "[".repeat(200_000),
        "{a: ".repeat(200_000),
        "- ".repeat(200_000),
        format!("{}x", "- ".repeat(200_000)),
    ] {
        let e = yaml_err(&text);
        assert!(
            e.message.contains("nesting deeper") || e.message.contains("recursion limit"),
            "{e}"
        );
    }
}

#[test]
fn syntax_errors_name_line_and_column() {
    let e = yaml_err("a:\n  b: 1\n c: 2\n");
    assert_eq!(e.position.line, 3, "{e}");
    let e = yaml_err("a: [1, 2\n");
    assert_eq!(e.position.line, 2, "{e}");
    assert_eq!(e.pointer, "/a/2");
    let e = yaml_err("a:\n\t- b\n");
    assert_eq!(e.position, pos(2, 2), "{e}");
    assert!(e.message.contains("tab"), "{e}");
    // An unclosed quote is reported where it opens.
    let e = yaml_err("a: \"open\n");
    assert!(e.to_string().starts_with("1:4: "), "{e}");
}

#[test]
fn garbage_never_panics() {
    let mut rng = Rng(0x1234_5678_9abc_def1);
    // Random bytes, read as text the way files are.
    for _ in 0..400 {
        let len = rng.below(200);
        let bytes: Vec<u8> = (0..len).map(|_| rng.next_u64() as u8).collect();
        let _ = parse_yaml(&String::from_utf8_lossy(&bytes), 1);
    }
    // Random strings of YAML's own punctuation, which reach far deeper into the parser.
    let alphabet: Vec<char> = "ab1 -:?[]{},&*!|>'\"#%@`\n\t\\.~0e+_\r\u{feff}é---..."
        .chars()
        .collect();
    let mut parsed = 0;
    for _ in 0..5000 {
        let text = random_string(&mut rng, &alphabet, 79);
        if parse_yaml(&text, 1).is_ok() {
            parsed += 1;
        }
    }
    assert!(parsed > 0, "some random inputs are valid YAML");
    // Every prefix and some mutations of a real scenario.
    let real = std::fs::read_to_string(repo(SCENARIO_YAML)).expect("scenario.yaml");
    let chars: Vec<char> = real.chars().collect();
    for cut in (0..chars.len()).step_by(7) {
        let prefix: String = chars[..cut].iter().collect();
        let _ = parse_yaml(&prefix, 1);
    }
    for _ in 0..500 {
        let mut text = chars.clone();
        for _ in 0..3 {
            let i = rng.below(text.len());
            text[i] = alphabet[rng.below(alphabet.len())];
        }
        let text: String = text.into_iter().collect();
        let _ = parse_yaml(&text, 1);
    }
}

// ---- YAML and JSON agree ----

#[test]
fn yaml_scenario_is_the_same_tree_as_its_json_twin() {
    let y = std::fs::read_to_string(repo(SCENARIO_YAML)).expect("scenario.yaml");
    let j = std::fs::read_to_string(repo(SCENARIO_JSON)).expect("scenario.json");
    let y = parse_yaml(&y, 1).expect("YAML parses");
    let j = json::parse(&j, 1, JsonLimits::default()).expect("JSON parses");
    assert_eq!(shape(&y), shape(&j));
}

#[test]
fn yaml_rows_start_at_their_mapping() {
    let text = std::fs::read_to_string(repo(TABLE)).expect("table.yaml");
    let rows = parse_yaml_rows(&text, TABLE).expect("table parses");
    let lines: Vec<u32> = rows
        .iter()
        .map(|r| r.as_ref().expect("every row is good").line)
        .collect();
    assert_eq!(lines, [3, 10, 18, 27, 29, 35, 41, 48, 55]);
    let row = rows[2].as_ref().expect("row");
    assert_eq!(row.id.as_deref(), Some("admin-delete-instance-scp"));
    assert_eq!(
        row.note.as_deref(),
        Some("identity allows but the ContactCenter SCP keeps deletion to the Admin role")
    );
    let flow = rows[3].as_ref().expect("row");
    assert_eq!(flow.request.resource, "*");

    // Tables that cannot be used at all.
    for (text, needle) in [
        ("a: 1\n", "must be a sequence of rows"),
        ("- a: 1\n- a: [\n", "t.yaml:3:1: /1/a/0: invalid YAML"),
        (
            "- {principal: a, principal: b}\n",
            "duplicate key `principal`",
        ),
        ("", "empty document"),
    ] {
        let e = parse_yaml_rows(text, "t.yaml").expect_err(text);
        assert!(e.contains(needle), "{text:?}: {e}");
        assert!(e.starts_with("t.yaml:"), "{e}");
    }
    assert!(parse_yaml_rows("[]\n", "t.yaml").expect("empty").is_empty());
}

// ---- iamsim check with YAML tables ----

#[test]
fn yaml_table_passes() {
    let r = check(&[TABLE, "--scenario", FLAGSHIP]);
    assert_eq!(r.code, Some(0), "{}{}", r.stdout, r.stderr);
    assert_eq!(last_line(&r.stdout), "9 passed, 0 failed");
    assert_eq!(r.stdout.lines().filter(|l| l.starts_with("ok ")).count(), 9);
}

#[test]
fn flipped_yaml_row_fails_at_its_line() {
    let dir = scratch("flipped");
    let text = std::fs::read_to_string(repo(TABLE)).expect("table.yaml");
    // The row of `tokyo-sup-osaka` starts on line 48.
    let flipped = text.replacen("expect: implicitDeny", "expect: allowed", 1);
    assert_ne!(flipped, text);
    std::fs::write(dir.join("table.yaml"), flipped).expect("write table");
    let scenario = repo(FLAGSHIP);
    let scenario = scenario.to_str().expect("UTF-8 path");
    let r = check_in(&dir, &["table.yaml", "--scenario", scenario]);
    assert_eq!(r.code, Some(1), "{}{}", r.stdout, r.stderr);
    assert_eq!(last_line(&r.stdout), "8 passed, 1 failed");
    assert!(
        r.stdout
            .contains("table.yaml:48: tokyo-sup-osaka: got implicitDeny, expected allowed"),
        "{}",
        r.stdout
    );
    let r = check_in(
        &dir,
        &["table.yaml", "--scenario", scenario, "--format", "github"],
    );
    assert_eq!(r.code, Some(1));
    assert!(
        r.stdout
            .contains("::error file=table.yaml,line=48,title=iamsim tokyo-sup-osaka::"),
        "{}",
        r.stdout
    );
}

#[test]
fn malformed_yaml_rows_are_error_rows() {
    let r = check(&[MIXED, "--scenario", FLAGSHIP]);
    assert_eq!(r.code, Some(1), "{}", r.stderr);
    assert_eq!(last_line(&r.stdout), "2 passed, 9 failed");
    for needle in [
        "tests/data/yaml/mixed.yaml:8: admin-reads-locked-recording: got explicitDeny, expected allowed",
        "tests/data/yaml/mixed.yaml:15:3: (row): a row must be an object, found string",
        "tests/data/yaml/mixed.yaml:17:3: (row): missing `resource`",
        "tests/data/yaml/mixed.yaml:23:14: /principal: expected a string, found number (write it in quotes)",
        "tests/data/yaml/mixed.yaml:32:11: /expect: unknown expectation `maybe`",
        "tests/data/yaml/mixed.yaml:46:7: /context/aws:SourceIp: context values must be",
        "tests/data/yaml/mixed.yaml:51:3: /actoin: unknown column `actoin`",
    ] {
        assert!(r.stdout.contains(needle), "{needle}\n{}", r.stdout);
    }
    insta::assert_snapshot!("text_mixed", r.stdout);

    let r = check(&[MIXED, "--scenario", FLAGSHIP, "--format", "jsonl"]);
    assert_eq!(r.code, Some(1), "{}", r.stderr);
    insta::assert_snapshot!("jsonl_mixed", r.stdout);
}

#[test]
fn unusable_yaml_tables_exit_2() {
    let dir = scratch("unusable");
    let scenario = repo(FLAGSHIP);
    let scenario = scenario.to_str().expect("UTF-8 path");
    let cases = [
        (
            "syntax.yaml",
            "- principal: a\n  action: [\n",
            "syntax.yaml:3:1: /0/action/0: invalid YAML",
        ),
        ("mapping.yml", "principal: a\n", "syntax"),
        (
            "two.yaml",
            "- {principal: a}\n---\n- {principal: b}\n",
            "two.yaml:2:1: (document): invalid YAML: a second YAML document",
        ),
        (
            "alias.yaml",
            "- &r {principal: a}\n- *r\n",
            "alias.yaml:1:6: /0: invalid YAML: anchors",
        ),
        (
            "empty.yaml",
            "",
            "empty.yaml:1:1: (document): invalid YAML: empty document",
        ),
    ];
    for (name, text, needle) in cases {
        std::fs::write(dir.join(name), text).expect("write");
        let r = check_in(&dir, &[name, "--scenario", scenario]);
        assert_eq!(r.code, Some(2), "{name}: {}{}", r.stdout, r.stderr);
        assert!(r.stdout.is_empty(), "{name}: {}", r.stdout);
        let needle = if needle == "syntax" {
            "mapping.yml:1:1: (document): a YAML table must be a sequence of rows"
        } else {
            needle
        };
        assert!(r.stderr.contains(needle), "{name}: {}", r.stderr);
    }
    // A YAML table is an expectation table: it needs a scenario.
    let r = check(&[TABLE]);
    assert_eq!(r.code, Some(2));
    assert!(
        r.stderr
            .contains("a YAML expectation table needs --scenario"),
        "{}",
        r.stderr
    );
}

// ---- YAML scenarios ----

/// `(id, decision, expect, pass)` of every row of a `--format jsonl` report.
fn decisions(stdout: &str) -> Vec<(String, String, String, bool)> {
    stdout
        .lines()
        .map(|line| {
            let v: serde_json::Value = serde_json::from_str(line).expect("JSON line");
            (
                v["id"].as_str().unwrap_or("").to_owned(),
                v["decision"].as_str().unwrap_or("").to_owned(),
                v["expect"].as_str().unwrap_or("").to_owned(),
                v["pass"].as_bool().unwrap_or(false),
            )
        })
        .collect()
}

/// A parsed value as serde_json (numbers through their text).
fn to_serde(v: &JsonValue) -> serde_json::Value {
    match &v.kind {
        JsonKind::Null => serde_json::Value::Null,
        JsonKind::Bool(b) => (*b).into(),
        JsonKind::Number(n) => serde_json::from_str(n).expect("JSON number"),
        JsonKind::String(s) => s.to_string().into(),
        JsonKind::Array(items) => items.iter().map(to_serde).collect(),
        JsonKind::Object(members) => members
            .iter()
            .map(|m| (m.name.to_string(), to_serde(&m.value)))
            .collect::<serde_json::Map<_, _>>()
            .into(),
    }
}

#[test]
fn yaml_scenario_decides_like_its_json_twin() {
    let yaml_run = check(&[SMALL, "--scenario", SCENARIO_YAML, "--format", "jsonl"]);
    assert_eq!(
        yaml_run.code,
        Some(0),
        "{}{}",
        yaml_run.stdout,
        yaml_run.stderr
    );
    let json_run = check(&[SMALL, "--scenario", SCENARIO_JSON, "--format", "jsonl"]);
    assert_eq!(
        json_run.code,
        Some(0),
        "{}{}",
        json_run.stdout,
        json_run.stderr
    );
    assert_eq!(yaml_run.stdout, json_run.stdout);
    let got = decisions(&yaml_run.stdout);
    assert_eq!(got.len(), 11);
    assert!(got.iter().all(|(_, _, _, pass)| *pass), "{got:?}");
    // Every decision kind is exercised.
    for d in ["allowed", "explicitDeny", "implicitDeny"] {
        assert!(got.iter().any(|(_, got, _, _)| got == d), "{d}: {got:?}");
    }

    // The same rows as JSON Lines give the same decisions against the YAML scenario.
    let dir = scratch("jsonl_twin");
    let text = std::fs::read_to_string(repo(SMALL)).expect("small.yaml");
    let JsonKind::Array(rows) = parse_yaml(&text, 1).expect("parses").kind else {
        panic!("small.yaml is a sequence")
    };
    let jsonl: String = rows
        .iter()
        .map(|row| format!("{}\n", to_serde(row)))
        .collect();
    std::fs::write(dir.join("small.jsonl"), jsonl).expect("write");
    let scenario = repo(SCENARIO_YAML);
    let r = check_in(
        &dir,
        &[
            "small.jsonl",
            "--scenario",
            scenario.to_str().expect("UTF-8 path"),
            "--format",
            "jsonl",
        ],
    );
    assert_eq!(r.code, Some(0), "{}{}", r.stdout, r.stderr);
    assert_eq!(decisions(&r.stdout), got);

    // The flagship table's rows over the same principals agree too.
    let r = check(&[TABLE, "--scenario", SCENARIO_YAML, "--format", "jsonl"]);
    let flagship = check(&[TABLE, "--scenario", FLAGSHIP, "--format", "jsonl"]);
    let (small, full) = (decisions(&r.stdout), decisions(&flagship.stdout));
    for id in [
        "admin-describe-own-instance",
        "admin-delete-instance-scp",
        "tokyo-sup-osaka",
    ] {
        let find = |rows: &[(String, String, String, bool)]| {
            rows.iter().find(|r| r.0 == id).cloned().expect(id)
        };
        assert_eq!(find(&small), find(&full), "{id}");
    }
}

#[test]
fn yaml_scenario_text_report() {
    let r = check(&[SMALL, "--scenario", SCENARIO_YAML]);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    assert!(r.stderr.is_empty(), "{}", r.stderr);
    insta::assert_snapshot!("text_yaml_scenario", r.stdout);
}

#[test]
fn yaml_scenario_errors_name_file_line_col_and_pointer() {
    let dir = scratch("scenario_errors");
    let fixtures = repo("fixtures/connect");
    let fixtures = fixtures.to_str().expect("UTF-8 path");
    let table = repo(SMALL);
    let table = table.to_str().expect("UTF-8 path");
    std::fs::write(
        dir.join("policy.yaml"),
        "Version: 2012-10-17\nStatement: []\n",
    )
    .expect("write policy");
    let cases = [
        (
            "unquoted.yaml",
            "principals:\n  - name: a\n    type: user\n    account: 123456789012\n    user: a\n"
                .to_owned(),
            "unquoted.yaml:4:14: /principals/0/account: expected a string, found number (in YAML, write it in quotes)",
        ),
        (
            "alias.yml",
            "principals:\n  - &p {name: a, type: root, account: '111122223333'}\n".to_owned(),
            "alias.yml:2:8: /principals/0: invalid YAML: anchors (`&name`) are not accepted",
        ),
        (
            "syntax.yaml",
            "principals:\n  - name: a\n   type: root\n".to_owned(),
            "syntax.yaml:3:",
        ),
        (
            "unknown.yaml",
            "name: x\nprincipal: []\n".to_owned(),
            "unknown.yaml:2:1: /principal: unknown member `principal`",
        ),
        (
            "missing-policy.yaml",
            format!(
                "principals:\n  - name: a\n    type: user\n    account: '123456789012'\n    user: a\n    policies: {fixtures}/nope.json\n"
            ),
            "missing-policy.yaml:6:15: /principals/0/policies: cannot read policy",
        ),
        (
            // Policy files stay JSON, whatever their name.
            "yaml-policy.yaml",
            "principals:\n  - name: a\n    type: user\n    account: '123456789012'\n    user: a\n    policies: policy.yaml\n".to_owned(),
            "invalid JSON",
        ),
    ];
    for (name, text, needle) in cases {
        std::fs::write(dir.join(name), text).expect("write scenario");
        let r = check_in(&dir, &[table, "--scenario", name]);
        assert_eq!(r.code, Some(2), "{name}: {}{}", r.stdout, r.stderr);
        assert!(r.stderr.contains(needle), "{name}: {}", r.stderr);
    }

    // Inline policies are part of the scenario document, so they may be YAML.
    std::fs::write(
        dir.join("inline.yaml"),
        "principals:\n  - name: reader\n    type: user\n    account: '123456789012'\n    user: reader\n    policies:\n      Version: 2012-10-17\n      Statement:\n        - Effect: Allow\n          Action: s3:GetObject\n          Resource: '*'\n          Condition:\n            Bool: {aws:SecureTransport: true}\n            NumericLessThan: {s3:max-keys: 10}\n",
    )
    .expect("write scenario");
    std::fs::write(
        dir.join("rows.yaml"),
        "- {principal: reader, action: s3:GetObject, resource: 'arn:aws:s3:::b/k', context: {aws:SecureTransport: true, s3:max-keys: 5}, expect: allowed}\n- {principal: reader, action: s3:GetObject, resource: 'arn:aws:s3:::b/k', context: {aws:SecureTransport: false, s3:max-keys: 5}, expect: implicitDeny}\n- {principal: reader, action: s3:PutObject, resource: 'arn:aws:s3:::b/k', expect: implicitDeny}\n",
    )
    .expect("write rows");
    let r = check_in(&dir, &["rows.yaml", "--scenario", "inline.yaml"]);
    assert_eq!(r.code, Some(0), "{}{}", r.stdout, r.stderr);
    assert_eq!(last_line(&r.stdout), "3 passed, 0 failed");
}
