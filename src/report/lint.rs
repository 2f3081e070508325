//! `iamsim lint`'s writers: text (file:line:col, code, message, link), one JSON
//! document, SARIF 2.1.0 for GitHub code scanning, and GitHub annotations. Every
//! form names the action catalog's version.

use super::escape::{github_data, github_property};
use iamsim_scenario::lint::{Finding, FindingType, RULES};
use serde_json::json;
use std::io::Write;

/// One linted file and what was found in it.
#[derive(Debug, Clone)]
pub struct LintedFile {
    /// The path as given.
    pub path: String,
    /// The policy kind it was linted as, and whether that was inferred.
    pub kind: String,
    /// Its findings, in document order.
    pub findings: Vec<Finding>,
}

/// Everything `iamsim lint` reports.
#[derive(Debug, Clone)]
pub struct LintReport {
    /// The files, in the order given.
    pub files: Vec<LintedFile>,
    /// The catalog's version.
    pub catalog: String,
}

impl LintReport {
    /// Every finding, file by file.
    pub fn findings(&self) -> impl Iterator<Item = &Finding> + '_ {
        self.files.iter().flat_map(|f| f.findings.iter())
    }

    /// Counts by finding type: errors, security warnings, warnings, suggestions.
    pub fn counts(&self) -> [usize; 4] {
        let mut counts = [0; 4];
        for f in self.findings() {
            counts[f.rule.finding_type as usize] += 1;
        }
        counts
    }

    /// `N findings (E errors, S security warnings, W warnings, G suggestions) in F files; catalog …`.
    pub fn summary(&self) -> String {
        let [e, s, w, g] = self.counts();
        format!(
            "{} findings ({e} errors, {s} security warnings, {w} warnings, {g} suggestions) in {} files; catalog {}",
            e + s + w + g,
            self.files.len(),
            self.catalog
        )
    }
}

/// Text: one line per finding, its link under it, the summary last.
pub fn write_text(report: &LintReport, out: &mut dyn Write) -> std::io::Result<()> {
    for file in &report.files {
        writeln!(out, "{}: linted as {}", file.path, file.kind)?;
        for f in &file.findings {
            let w = &f.warning;
            writeln!(
                out,
                "{}: {} {}: {}",
                location_text(w),
                f.rule.finding_type,
                f.rule.code,
                w.message
            )?;
            if let Some(link) = f.rule.learn_more() {
                writeln!(out, "  see {link}")?;
            }
        }
    }
    writeln!(out, "{}", report.summary())
}

fn location_text(w: &iamsim_scenario::Warning) -> String {
    let l = &w.location;
    let pointer = if l.pointer.is_empty() {
        "(document)"
    } else {
        &l.pointer
    };
    format!(
        "{}:{}:{}: {pointer}",
        l.source, l.position.line, l.position.column
    )
}

/// JSON: `{"catalog", "files": [{"path", "kind", "findings": [...]}], "summary"}`.
pub fn write_json(report: &LintReport, out: &mut dyn Write) -> std::io::Result<()> {
    let [e, s, w, g] = report.counts();
    let files: Vec<serde_json::Value> = report
        .files
        .iter()
        .map(|file| {
            let findings: Vec<serde_json::Value> = file
                .findings
                .iter()
                .map(|f| {
                    let l = &f.warning.location;
                    json!({
                        "code": f.rule.code,
                        "finding_type": f.rule.finding_type.as_str(),
                        "file": &*l.source,
                        "line": l.position.line,
                        "column": l.position.column,
                        "pointer": l.pointer,
                        "message": f.warning.message,
                        "learn_more": f.rule.learn_more(),
                    })
                })
                .collect();
            json!({ "path": file.path, "kind": file.kind, "findings": findings })
        })
        .collect();
    let doc = json!({
        "catalog": report.catalog,
        "files": files,
        "summary": { "errors": e, "security_warnings": s, "warnings": w, "suggestions": g },
    });
    serde_json::to_writer_pretty(&mut *out, &doc).map_err(std::io::Error::other)?;
    writeln!(out)
}

/// SARIF's level for a finding type.
fn sarif_level(t: FindingType) -> &'static str {
    match t {
        FindingType::Error | FindingType::SecurityWarning => "error",
        FindingType::Warning => "warning",
        FindingType::Suggestion => "note",
    }
}

/// A fingerprint that stays put when lines move: FNV-1a over the code, the file,
/// the JSON Pointer and the message.
fn fingerprint(f: &Finding) -> String {
    let l = &f.warning.location;
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for part in [f.rule.code, &*l.source, &l.pointer, &f.warning.message] {
        for b in part.bytes().chain([0]) {
            hash ^= u64::from(b);
            hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    format!("{hash:016x}:1")
}

/// SARIF 2.1.0, the shape GitHub code scanning accepts: every rule with help
/// text, each result at its file, line and column, with a stable fingerprint. The
/// region is the element's first character (iamsim keeps where an element starts).
pub fn write_sarif(report: &LintReport, out: &mut dyn Write) -> std::io::Result<()> {
    let rules: Vec<serde_json::Value> = RULES
        .iter()
        .map(|r| {
            let mut rule = json!({
                "id": r.code,
                "shortDescription": { "text": r.title },
                "fullDescription": { "text": r.title },
                "help": { "text": r.help },
                "defaultConfiguration": { "level": sarif_level(r.finding_type) },
                "properties": { "tags": ["iam", r.finding_type.as_str().to_ascii_lowercase()] },
            });
            if let Some(link) = r.learn_more() {
                rule["helpUri"] = link.into();
            }
            if r.finding_type == FindingType::SecurityWarning {
                rule["properties"]["security-severity"] = "7.0".into();
            }
            rule
        })
        .collect();
    let results: Vec<serde_json::Value> = report
        .findings()
        .map(|f| {
            let l = &f.warning.location;
            let (line, column) = (l.position.line.max(1), l.position.column.max(1));
            json!({
                "ruleId": f.rule.code,
                "level": sarif_level(f.rule.finding_type),
                "message": { "text": format!("{}: {}", if l.pointer.is_empty() { "(document)" } else { &l.pointer }, f.warning.message) },
                "locations": [{ "physicalLocation": {
                    "artifactLocation": { "uri": sarif_uri(&l.source) },
                    "region": { "startLine": line, "startColumn": column, "endLine": line, "endColumn": column + 1 },
                }}],
                "partialFingerprints": { "primaryLocationLineHash": fingerprint(f) },
            })
        })
        .collect();
    let doc = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": "iamsim",
                "semanticVersion": env!("CARGO_PKG_VERSION"),
                "informationUri": "https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-reference-policy-checks.html",
                "rules": rules,
                "properties": { "catalog": report.catalog },
            }},
            "results": results,
        }],
    });
    serde_json::to_writer_pretty(&mut *out, &doc).map_err(std::io::Error::other)?;
    writeln!(out)
}

/// A path as a relative URI: forward slashes, no leading `./`.
fn sarif_uri(path: &str) -> String {
    let path = path.replace('\\', "/");
    path.strip_prefix("./").unwrap_or(&path).to_owned()
}

/// GitHub annotations: `::error` for errors and security warnings, `::warning`,
/// `::notice` for suggestions; the summary last.
pub fn write_github(report: &LintReport, out: &mut dyn Write) -> std::io::Result<()> {
    for f in report.findings() {
        let l = &f.warning.location;
        let level = match f.rule.finding_type {
            FindingType::Error | FindingType::SecurityWarning => "error",
            FindingType::Warning => "warning",
            FindingType::Suggestion => "notice",
        };
        writeln!(
            out,
            "::{level} file={},line={},col={},title={}::{}",
            github_property(&l.source),
            l.position.line,
            l.position.column,
            github_property(&format!("iamsim {}", f.rule.code)),
            github_data(&format!(
                "{}: {}",
                if l.pointer.is_empty() {
                    "(document)"
                } else {
                    &l.pointer
                },
                f.warning.message
            ))
        )?;
    }
    writeln!(out, "{}", report.summary())
}
