//! Decision rows as `iamsim batch` writes them — JSON Lines or CSV, written by hand
//! into reused buffers (escaping included) so the batch loop allocates nothing per
//! row — plus its counts, summary line and progress line.

use super::escape::{push_csv_field, push_json_plain, push_json_str, push_u64};
use super::missing_context::classify;
use crate::input::rows::Row;
use crate::input::RowFormat;
use iamsim_catalog::Catalog;
use iamsim_engine::decision::{Decision, Response};
use iamsim_engine::explain::statement_name;
use iamsim_engine::CompiledPolicySet;
use std::fmt::Write as _;
use std::time::{Duration, Instant};

/// How often the progress line is refreshed.
pub const PROGRESS_EVERY: Duration = Duration::from_millis(500);

/// Decision and error counts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    /// Rows decided `allowed`.
    pub allowed: u64,
    /// Rows decided `explicitDeny`.
    pub explicit_deny: u64,
    /// Rows decided `implicitDeny`.
    pub implicit_deny: u64,
    /// Error rows.
    pub errors: u64,
}

impl Counts {
    /// Every output row.
    pub fn rows(&self) -> u64 {
        self.allowed + self.explicit_deny + self.implicit_deny + self.errors
    }

    /// Adds `other`.
    pub fn add(&mut self, other: &Counts) {
        self.allowed += other.allowed;
        self.explicit_deny += other.explicit_deny;
        self.implicit_deny += other.implicit_deny;
        self.errors += other.errors;
    }

    /// Counts one decision.
    pub fn count(&mut self, d: Decision) {
        match d {
            Decision::Allowed => self.allowed += 1,
            Decision::ExplicitDeny => self.explicit_deny += 1,
            Decision::ImplicitDeny => self.implicit_deny += 1,
        }
    }
}

/// Rows per second, 0 before any time has passed.
fn rows_per_second(rows: u64, secs: f64) -> u64 {
    if secs > 0.0 {
        (rows as f64 / secs).round() as u64
    } else {
        0
    }
}

/// The summary line written to standard error.
pub fn summary(c: &Counts, elapsed: Duration) -> String {
    let secs = elapsed.as_secs_f64();
    let rate = rows_per_second(c.rows(), secs);
    format!(
        "iamsim batch: {} rows in {secs:.2} s ({rate} rows/s): allowed {}, explicitDeny {}, implicitDeny {}, errors {}",
        c.rows(),
        c.allowed,
        c.explicit_deny,
        c.implicit_deny,
        c.errors
    )
}

/// The fields of one row that evaluation and output need, borrowed from a parsed
/// [`Row`] or straight from the input line.
#[derive(Debug, Clone, Copy)]
pub struct RowView<'a> {
    /// 1-based input line.
    pub line: u64,
    /// The row's id.
    pub id: Option<&'a str>,
    /// Principal as written.
    pub principal: &'a str,
    /// Action as written.
    pub action: &'a str,
    /// Resource as written.
    pub resource: &'a str,
    /// The strings above are known to need no JSON escaping (they were read from
    /// between JSON quotes without escapes), so output copies them as they are.
    pub json_plain: bool,
}

impl<'a> RowView<'a> {
    /// The view of a parsed row.
    pub fn of(row: &'a Row) -> Self {
        RowView {
            json_plain: false,
            line: u64::from(row.line),
            id: row.id.as_deref(),
            principal: &row.request.principal,
            action: &row.request.action,
            resource: &row.request.resource,
        }
    }
}

/// Appends an error row for input line `line` (with what could be read of the row).
pub fn error_row(
    out: &mut Vec<u8>,
    format: RowFormat,
    explain: bool,
    line: u64,
    row: Option<&RowView<'_>>,
    message: &str,
) {
    match format {
        RowFormat::Jsonl => {
            out.extend_from_slice(b"{\"line\":");
            push_u64(out, line);
            if let Some(id) = row.and_then(|r| r.id) {
                out.extend_from_slice(b",\"id\":");
                push_json_str(out, id);
            }
            out.extend_from_slice(b",\"error\":");
            push_json_str(out, message);
            out.extend_from_slice(b"}\n");
        }
        RowFormat::Csv => {
            push_u64(out, line);
            for cell in [
                row.map(|r| r.principal),
                row.map(|r| r.action),
                row.map(|r| r.resource),
                None,
                Some(message),
                row.and_then(|r| r.id),
            ] {
                out.push(b',');
                push_csv_field(out, cell.unwrap_or(""));
            }
            if explain {
                out.extend_from_slice(b",,,,,");
            }
            out.push(b'\n');
        }
    }
}

/// Appends one decision as a JSON Lines row: the row's fields, then the
/// decision, then (with `explain`, the command's catalog) the engine's JSON form of
/// the response and what the catalog says of each missing key (`missing_context`).
pub fn jsonl_decision(
    out: &mut Vec<u8>,
    scratch: &mut String,
    row: &RowView<'_>,
    set: &CompiledPolicySet,
    response: &Response<'_>,
    explain: Option<&Catalog>,
) {
    out.extend_from_slice(b"{\"line\":");
    push_u64(out, row.line);
    let push = if row.json_plain {
        push_json_plain
    } else {
        push_json_str
    };
    if let Some(id) = row.id {
        out.extend_from_slice(b",\"id\":");
        push(out, id);
    }
    out.extend_from_slice(b",\"principal\":");
    push(out, row.principal);
    out.extend_from_slice(b",\"action\":");
    push(out, row.action);
    out.extend_from_slice(b",\"resource\":");
    push(out, row.resource);
    out.extend_from_slice(b",\"decision\":\"");
    out.extend_from_slice(response.decision.as_str().as_bytes());
    out.push(b'"');
    if let Some(catalog) = explain {
        scratch.clear();
        let _ = write!(scratch, "{}", response.reason);
        out.extend_from_slice(b",\"reason\":");
        push_json_str(out, scratch);
        out.extend_from_slice(b",\"deciding\":[");
        for (i, s) in response.deciding.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            push_json_str(out, &statement_name(set, s));
        }
        out.extend_from_slice(b"],\"blocked_by\":");
        match response.blocked_by() {
            Some(layer) => {
                scratch.clear();
                let _ = write!(scratch, "{layer}");
                push_json_str(out, scratch);
            }
            None => out.extend_from_slice(b"null"),
        }
        out.extend_from_slice(b",\"missing_keys\":[");
        for (i, k) in response.missing_keys.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            push_json_str(out, k);
        }
        out.extend_from_slice(b"],\"missing_context\":[");
        if !response.missing_keys.is_empty() {
            let keys = classify(catalog, row.action, &response.missing_keys);
            for (i, k) in keys.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                out.extend_from_slice(b"{\"key\":");
                push_json_str(out, &k.key);
                out.extend_from_slice(b",\"supplied\":\"");
                out.extend_from_slice(k.supplied.as_str().as_bytes());
                out.extend_from_slice(b"\"}");
            }
        }
        out.push(b']');
    }
    out.extend_from_slice(b"}\n");
}

/// The CSV header line.
pub fn csv_header(explain: bool) -> &'static str {
    if explain {
        "line,principal,action,resource,decision,error,id,reason,deciding,blocked_by,missing_keys,missing_context\n"
    } else {
        "line,principal,action,resource,decision,error,id\n"
    }
}

/// Appends one decision as a CSV row (see [`csv_header`]); `missing_context` is
/// `key=supplied` pairs, `; `-separated.
pub fn csv_decision(
    out: &mut Vec<u8>,
    scratch: &mut String,
    row: &RowView<'_>,
    set: &CompiledPolicySet,
    response: &Response<'_>,
    explain: Option<&Catalog>,
) {
    push_u64(out, row.line);
    for cell in [
        row.principal,
        row.action,
        row.resource,
        response.decision.as_str(),
        "",
        row.id.unwrap_or(""),
    ] {
        out.push(b',');
        push_csv_field(out, cell);
    }
    if let Some(catalog) = explain {
        scratch.clear();
        let _ = write!(scratch, "{}", response.reason);
        out.push(b',');
        push_csv_field(out, scratch);
        scratch.clear();
        for (i, s) in response.deciding.iter().enumerate() {
            if i > 0 {
                scratch.push_str("; ");
            }
            scratch.push_str(&statement_name(set, s));
        }
        out.push(b',');
        push_csv_field(out, scratch);
        scratch.clear();
        if let Some(layer) = response.blocked_by() {
            let _ = write!(scratch, "{layer}");
        }
        out.push(b',');
        push_csv_field(out, scratch);
        scratch.clear();
        for (i, k) in response.missing_keys.iter().enumerate() {
            if i > 0 {
                scratch.push_str("; ");
            }
            scratch.push_str(k);
        }
        out.push(b',');
        push_csv_field(out, scratch);
        scratch.clear();
        if !response.missing_keys.is_empty() {
            for (i, k) in classify(catalog, row.action, &response.missing_keys)
                .iter()
                .enumerate()
            {
                if i > 0 {
                    scratch.push_str("; ");
                }
                let _ = write!(scratch, "{}={}", k.key, k.supplied.as_str());
            }
        }
        out.push(b',');
        push_csv_field(out, scratch);
    }
    out.push(b'\n');
}

/// The progress line on standard error.
pub struct Progress {
    enabled: bool,
    started: Instant,
    last: Instant,
    shown: bool,
}

impl Progress {
    /// A progress line, shown only when `enabled`.
    pub fn new(enabled: bool) -> Self {
        let now = Instant::now();
        Progress {
            enabled,
            started: now,
            last: now,
            shown: false,
        }
    }

    /// Redraws the line, at most every [`PROGRESS_EVERY`].
    pub fn update(&mut self, totals: &Counts) {
        if !self.enabled || self.last.elapsed() < PROGRESS_EVERY {
            return;
        }
        self.last = Instant::now();
        let secs = self.started.elapsed().as_secs_f64();
        let rate = rows_per_second(totals.rows(), secs);
        eprint!(
            "\r\x1b[Kiamsim batch: {} rows, {rate} rows/s, {} errors",
            totals.rows(),
            totals.errors
        );
        self.shown = true;
    }

    /// Clears the line.
    pub fn finish(&mut self) {
        if self.shown {
            eprint!("\r\x1b[K");
            self.shown = false;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use iamsim_engine::ResponseJson;
    use iamsim_scenario::generate::matrix_rows;
    use iamsim_scenario::{BatchEvaluator, Scenario};

    /// A batch row as serde writes it: the row's fields, then the engine's JSON form
    /// of the response flattened in.
    #[derive(serde::Serialize)]
    struct Documented<'a> {
        line: u64,
        #[serde(skip_serializing_if = "Option::is_none")]
        id: Option<&'a str>,
        principal: &'a str,
        action: &'a str,
        resource: &'a str,
        #[serde(flatten)]
        response: ResponseJson,
        missing_context: Vec<crate::report::missing_context::MissingKey>,
    }

    /// The hand-written writer exists for speed only: byte for byte it must be the
    /// one documented JSON form ([`ResponseJson`]), escapes included.
    #[test]
    fn hand_written_jsonl_rows_are_the_documented_json_form() {
        let path =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/connect/scenario.json");
        let scenario = Scenario::load(&path).expect("flagship scenario loads");
        let (mut rows, _) = matrix_rows(&scenario, None);
        // A resource that needs escaping, and an id.
        rows[0].resource = "arn:aws:s3:::connect-recordings-mycc/\"quoted\"\\\n\u{1}.wav".into();
        let evaluator = BatchEvaluator::new(&scenario);
        let lines: Vec<(String, String)> = evaluator.map(&rows, |lane, row| {
            let e = lane.evaluate(row.as_row_ref()).expect("known principal");
            let view = RowView {
                line: 7,
                id: Some("id \"1\""),
                principal: &row.principal,
                action: &row.action,
                resource: &row.resource,
                json_plain: false,
            };
            let (mut out, mut scratch) = (Vec::new(), String::new());
            let catalog = Catalog::builtin();
            jsonl_decision(
                &mut out,
                &mut scratch,
                &view,
                e.set,
                &e.response,
                Some(catalog),
            );
            let documented = Documented {
                line: 7,
                id: view.id,
                principal: view.principal,
                action: view.action,
                resource: view.resource,
                response: e.response.to_json_form(e.set),
                missing_context: classify(catalog, view.action, &e.response.missing_keys),
            };
            let expected = serde_json::to_string(&documented).expect("serialises") + "\n";
            (String::from_utf8(out).expect("UTF-8"), expected)
        });
        assert!(lines.len() > 100);
        for (ours, documented) in &lines {
            assert_eq!(ours, documented);
        }
    }
}
