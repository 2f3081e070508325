//! Test only: the engine's imports run one way, down the flow.
//!
//! Reads every `src/**/*.rs` file, collects each path edge `crate::room…` (and
//! `super::…` chains that climb to the crate root) from one top-level module ("room")
//! to another, and fails on any edge that points to a room later in [`LAYERS`].
//! Since every edge must point strictly earlier, a cycle is impossible. Comments and
//! string literals are skipped, so doc links and doctests do not count; test modules
//! do count. A path through a root re-export (`crate::CompiledPolicySet`) is refused
//! too: it would hide which room it comes from.

use std::fs;
use std::path::{Path, PathBuf};

/// The rooms in the order of the flow. A room may name only rooms before it.
/// `decision` sits before `compile`: the compiled set is indexed by its `Layer` and
/// `StatementRef`, and `eval` produces its `Response`. `internal` (re-export shims
/// for iamsim's own crates) is last: it may name everything, nothing may name it.
const LAYERS: &[&str] = &[
    "source",
    "util",
    "model",
    "request",
    "pattern",
    "condition",
    "decision",
    "compile",
    "eval",
    "explain",
    "internal",
];

/// Files that are not a room: the crate root (the facade) and this test.
const NOT_ROOMS: &[&str] = &["lib.rs", "layering.rs"];

/// One edge: in `file`, room `from` names room (or root item) `to`.
#[derive(Debug)]
struct Edge {
    file: String,
    from: String,
    to: String,
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            rust_files(&path, out)?;
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
    Ok(())
}

/// The source with comments, string and char literals blanked out (each replaced by
/// a space), so only code remains.
fn code_only(text: &str) -> String {
    let c: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    let at = |i: usize| c.get(i).copied().unwrap_or('\0');
    while i < c.len() {
        match (at(i), at(i + 1)) {
            ('/', '/') => {
                while i < c.len() && at(i) != '\n' {
                    i += 1;
                }
            }
            ('/', '*') => {
                let mut depth = 0;
                while i < c.len() {
                    if at(i) == '/' && at(i + 1) == '*' {
                        depth += 1;
                        i += 2;
                    } else if at(i) == '*' && at(i + 1) == '/' {
                        depth -= 1;
                        i += 2;
                        if depth == 0 {
                            break;
                        }
                    } else {
                        i += 1;
                    }
                }
                out.push(' ');
            }
            ('r', '"') | ('r', '#') if !at(i.wrapping_sub(1)).is_alphanumeric() => {
                // A raw string r"…" or r#"…"#: find the matching closing quote.
                let mut j = i + 1;
                let mut hashes = 0;
                while at(j) == '#' {
                    hashes += 1;
                    j += 1;
                }
                if at(j) != '"' {
                    out.push(at(i));
                    i += 1;
                    continue;
                }
                j += 1;
                while j < c.len() {
                    if at(j) == '"' && (1..=hashes).all(|k| at(j + k) == '#') {
                        j += 1 + hashes;
                        break;
                    }
                    j += 1;
                }
                i = j;
                out.push(' ');
            }
            ('"', _) => {
                i += 1;
                while i < c.len() && at(i) != '"' {
                    i += if at(i) == '\\' { 2 } else { 1 };
                }
                i += 1;
                out.push(' ');
            }
            ('\'', '\\') => {
                i += 2;
                while i < c.len() && at(i) != '\'' {
                    i += 1;
                }
                i += 1;
                out.push(' ');
            }
            ('\'', _) if at(i + 2) == '\'' => {
                i += 3;
                out.push(' ');
            }
            (ch, _) => {
                out.push(ch);
                i += 1;
            }
        }
    }
    out
}

fn ident_at(code: &[char], mut i: usize) -> (String, usize) {
    while code.get(i).is_some_and(|c| c.is_whitespace()) {
        i += 1;
    }
    let start = i;
    while code
        .get(i)
        .is_some_and(|c| c.is_alphanumeric() || *c == '_')
    {
        i += 1;
    }
    (code[start..i].iter().collect(), i)
}

fn skip_path_sep(code: &[char], mut i: usize) -> Option<usize> {
    while code.get(i).is_some_and(|c| c.is_whitespace()) {
        i += 1;
    }
    (code.get(i) == Some(&':') && code.get(i + 1) == Some(&':')).then_some(i + 2)
}

/// The first name of each item of a `{…}` group starting at `i` (just after `{`).
fn group_heads(code: &[char], mut i: usize) -> Vec<String> {
    let mut heads = Vec::new();
    let mut depth = 1;
    let mut expecting = true;
    while i < code.len() && depth > 0 {
        match code[i] {
            '{' => depth += 1,
            '}' => depth -= 1,
            ',' if depth == 1 => expecting = true,
            c if expecting && depth == 1 && (c.is_alphanumeric() || c == '_') => {
                let (name, end) = ident_at(code, i);
                heads.push(name);
                expecting = false;
                i = end;
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    heads
}

/// The names right after every path that starts at the crate root: `crate::x`,
/// `crate::{x, y}`, and `super::…` chains of at least `depth` steps.
fn root_names(code: &str, depth: usize) -> Vec<String> {
    let code: Vec<char> = code.chars().collect();
    let mut names = Vec::new();
    // Inline `mod x { … }` blocks add a `super::` step each: the brace depths at
    // which the open ones started.
    let mut braces = 0usize;
    let mut inline_mods: Vec<usize> = Vec::new();
    let mut i = 0;
    while i < code.len() {
        match code[i] {
            '{' => braces += 1,
            '}' => {
                if inline_mods.last() == Some(&braces) {
                    inline_mods.pop();
                }
                braces = braces.saturating_sub(1);
            }
            _ => {}
        }
        let boundary = i == 0 || !code[i - 1].is_alphanumeric() && !"_$".contains(code[i - 1]);
        let (word, end) = ident_at(&code, i);
        if word.is_empty() || !boundary {
            i += 1;
            continue;
        }
        let depth = depth + inline_mods.len();
        let mut after = None;
        if word == "mod" {
            let (_, name_end) = ident_at(&code, end);
            let mut k = name_end;
            while code.get(k).is_some_and(|c| c.is_whitespace()) {
                k += 1;
            }
            if code.get(k) == Some(&'{') {
                inline_mods.push(braces + 1);
            }
        } else if word == "crate" {
            after = skip_path_sep(&code, end);
        } else if word == "super" {
            let mut steps = 1;
            let mut j = skip_path_sep(&code, end);
            while let Some(k) = j {
                let (next, next_end) = ident_at(&code, k);
                if next != "super" {
                    break;
                }
                steps += 1;
                j = skip_path_sep(&code, next_end);
            }
            if steps >= depth {
                after = j;
            }
        }
        if let Some(mut k) = after {
            while code.get(k).is_some_and(|c| c.is_whitespace()) {
                k += 1;
            }
            if code.get(k) == Some(&'{') {
                names.extend(group_heads(&code, k + 1));
            } else {
                let (name, _) = ident_at(&code, k);
                if !name.is_empty() {
                    names.push(name);
                }
            }
        }
        i = end.max(i + 1);
    }
    names
}

fn edges() -> Vec<Edge> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    assert!(rust_files(&src, &mut files).is_ok(), "cannot read {src:?}");
    files.sort();
    let mut edges = Vec::new();
    for path in files {
        let Ok(relative) = path.strip_prefix(&src) else {
            continue;
        };
        let parts: Vec<String> = relative
            .iter()
            .map(|p| p.to_string_lossy().into_owned())
            .collect();
        if parts.len() == 1 && NOT_ROOMS.contains(&parts[0].as_str()) {
            continue;
        }
        let room = parts[0].trim_end_matches(".rs").to_owned();
        // How many `super::` climb from this file to the crate root.
        let depth = match parts.last().map(String::as_str) {
            Some("mod.rs") => parts.len() - 1,
            _ => parts.len(),
        };
        let text = fs::read_to_string(&path).unwrap_or_default();
        for to in root_names(&code_only(&text), depth) {
            if to != room {
                edges.push(Edge {
                    file: relative.display().to_string(),
                    from: room.clone(),
                    to,
                });
            }
        }
    }
    edges
}

fn rank(room: &str) -> Option<usize> {
    LAYERS.iter().position(|l| *l == room)
}

#[test]
fn imports_run_down_the_flow() {
    let edges = edges();
    assert!(
        edges
            .iter()
            .any(|e| e.from == "compile" && e.to == "pattern"),
        "the scan found no edges; is it reading the sources?"
    );
    let mut bad = Vec::new();
    for e in &edges {
        match (rank(&e.from), rank(&e.to)) {
            (None, _) => bad.push(format!("{}: room `{}` is not in LAYERS", e.file, e.from)),
            (_, None) => bad.push(format!(
                "{}: `crate::{}` is not a room: import it from the room that owns it",
                e.file, e.to
            )),
            (Some(from), Some(to)) if to > from => bad.push(format!(
                "{}: `{}` imports `{}`, which comes later in the flow",
                e.file, e.from, e.to
            )),
            _ => {}
        }
    }
    bad.sort();
    bad.dedup();
    assert!(bad.is_empty(), "upward imports:\n{}", bad.join("\n"));
}

#[test]
fn lib_rs_declares_the_rooms_in_flow_order() {
    let lib = fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("src/lib.rs"));
    let code = code_only(&lib.unwrap_or_default());
    let declared: Vec<&str> = code
        .lines()
        .filter_map(|line| {
            let line = line.trim().strip_prefix("pub ").unwrap_or(line.trim());
            line.strip_prefix("mod ")?.strip_suffix(';')
        })
        .filter(|name| !NOT_ROOMS.contains(&format!("{name}.rs").as_str()))
        .collect();
    assert_eq!(declared, LAYERS);
}

#[test]
fn the_scanner_sees_paths_and_skips_comments_and_strings() {
    let code = code_only(
        "use crate::a::X; // crate::b\n/* crate::c */ let s = \"crate::d\"; \
         let r = r#\"crate::e\"#; use crate::{f::Y, g}; let c = 'x'; fn h<'a>() { super::super::i::Z } \
         mod tests { use super::super::j; use super::super::super::k; }",
    );
    assert_eq!(root_names(&code, 2), ["a", "f", "g", "i", "k"]);
    assert_eq!(root_names(&code, 3), ["a", "f", "g"]);
}
