//! `iamsim check` reads a case file in blocks of whole lines (1 MiB): cases, line
//! numbers and errors must not depend on where the blocks are cut.

use iamsim_scenario::cases::{map_case_file, map_cases};
use std::path::{Path, PathBuf};

const CORPUS: &str = include_str!("../fixtures/conformance/cases.jsonl");

fn temp_file(name: &str, bytes: &[u8]) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("iamsim-blocks-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    path
}

/// What a reader makes of each case: id, line, and the decision's or error's text.
fn outcomes_of_file(path: &Path) -> Result<Vec<String>, String> {
    map_case_file(path, u64::MAX, "f.jsonl", describe).map_err(|e| e.message)
}

fn describe(
    case: Result<&iamsim_scenario::cases::Case, iamsim_scenario::cases::CaseError>,
    _: &iamsim_scenario::cases::CaseSource<'_>,
) -> String {
    match case {
        Ok(c) => format!(
            "{} {} {:?}",
            c.id,
            c.line,
            c.policies.as_ref().map(|p| p.evaluate(&c.request).decision)
        ),
        Err(e) => format!("{} {} {}", e.id, e.line, e.message),
    }
}

/// Several megabytes of cases, with blank lines, CRLF line ends and broken lines
/// spread over it, so that block cuts fall between every kind of line.
fn big_case_file() -> String {
    let mut text = String::from("\u{feff}");
    for round in 0..8 {
        for (i, line) in CORPUS.lines().enumerate() {
            match (round + i) % 97 {
                0 => text.push_str("\n  \n"),
                1 => text.push_str(&line[..line.len() / 2]),
                2 => text.push_str(&line.replacen("\"id\"", "\"id\": 1, \"id\"", 1)),
                _ => text.push_str(line),
            }
            text.push_str(if i % 5 == 0 { "\r\n" } else { "\n" });
        }
    }
    text
}

// Reading in blocks must give exactly what reading the whole text at once gives.
#[test]
fn a_file_read_in_blocks_reads_as_the_whole_text() {
    let text = big_case_file();
    assert!(text.len() > 2 << 20, "the file must span several blocks");
    let path = temp_file("big.jsonl", text.as_bytes());
    let blocks = outcomes_of_file(&path).unwrap_or_else(|e| panic!("{e}"));
    let whole = map_cases(&text, "f.jsonl", describe);
    assert_eq!(blocks.len(), whole.len());
    for (b, w) in blocks.iter().zip(&whole) {
        assert_eq!(b, w);
    }
}

// Invalid UTF-8 late in the file is still one located error, as when read whole.
#[test]
fn invalid_utf8_in_a_later_block_names_its_line_column_and_offset() {
    let text = big_case_file();
    let at = text[2 << 20..].find('\n').map_or(0, |i| (2 << 20) + i + 10);
    let mut bytes = text.into_bytes();
    bytes.insert(at, 0xff);
    let path = temp_file("bad.jsonl", &bytes);
    let whole = iamsim_scenario::files::read_text(&path, u64::MAX).map(drop);
    let expected = whole.expect_err("invalid UTF-8").message;
    assert_eq!(outcomes_of_file(&path), Err(expected));
}
