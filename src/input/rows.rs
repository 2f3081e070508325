//! Request rows and expectation rows, from JSON Lines, CSV or (expectation tables
//! only) YAML. A row names the principal (scenario name or ARN), the action, the
//! resource, an optional context and, in expectation tables, the expected decision.
//! Every malformed row becomes a [`RowParseError`] naming file and line; readers never
//! drop a row silently.

use iamsim_engine::decision::Decision;
use iamsim_engine::request::Context;
use iamsim_engine::source::json::{self, JsonKind, JsonLimits, JsonValue, Position};
use iamsim_scenario::scan::Scan;
use iamsim_scenario::RequestRow;
use std::fmt;

/// What an expectation row expects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expectation {
    /// Exactly this decision.
    Exact(Decision),
    /// `denied`: either `explicitDeny` or `implicitDeny`.
    Denied,
}

impl Expectation {
    /// Parses `allowed`, `explicitDeny`, `implicitDeny` or `denied`.
    pub fn parse(s: &str) -> Option<Expectation> {
        match s.trim() {
            "denied" => Some(Expectation::Denied),
            other => Decision::from_name(other).map(Expectation::Exact),
        }
    }

    /// The words [`Expectation::parse`] accepts.
    pub const WORDS: [&'static str; 4] = ["allowed", "explicitDeny", "implicitDeny", "denied"];

    /// The message for a word that is not an expectation, suggesting the nearest.
    pub fn unknown(s: &str) -> String {
        let words = Self::WORDS.join(", ");
        match super::nearest(s.trim(), Self::WORDS.iter().copied()).first() {
            Some(near) => {
                format!(
                    "unknown expectation `{s}` (did you mean `{near}`? expected one of {words})"
                )
            }
            None => format!("unknown expectation `{s}` ({words})"),
        }
    }

    /// Whether `decision` satisfies the expectation.
    pub fn accepts(self, decision: Decision) -> bool {
        match self {
            Expectation::Exact(d) => d == decision,
            Expectation::Denied => decision != Decision::Allowed,
        }
    }
}

impl fmt::Display for Expectation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Expectation::Exact(d) => write!(f, "{d}"),
            Expectation::Denied => f.write_str("denied"),
        }
    }
}

/// One parsed row.
#[derive(Debug, Clone, Default)]
pub struct Row {
    /// 1-based line in the file (for CSV: the line the record starts on).
    pub line: u32,
    /// Optional `id`/`name` column.
    pub id: Option<String>,
    /// The request.
    pub request: RequestRow,
    /// Expected decision, when the table has one.
    pub expect: Option<Expectation>,
    /// Optional free-text `note`/`why` column.
    pub note: Option<String>,
}

/// A row that could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowParseError {
    /// 1-based line.
    pub line: u32,
    /// `file:line[:col]: problem`.
    pub message: String,
}

impl fmt::Display for RowParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for RowParseError {}

/// Parses one JSON Lines row: `{"principal","action","resource","context"?,"expect"?,"id"?,"note"?}`.
pub fn parse_jsonl_row(text: &str, line: u32, source: &str) -> Result<Row, RowParseError> {
    let v = json::parse(text, line, JsonLimits::default()).map_err(|e| RowParseError {
        line,
        message: format!(
            "{source}:{}: {}: invalid JSON: {}",
            e.position,
            if e.pointer.is_empty() {
                "(row)"
            } else {
                &e.pointer
            },
            e.kind
        ),
    })?;
    row_from_json(&v, line, source)
}

/// The fields of a request row in its most common shape, borrowed from the line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PlainRow<'a> {
    /// Principal name or ARN.
    pub principal: &'a str,
    /// Action.
    pub action: &'a str,
    /// Resource.
    pub resource: &'a str,
    /// The `id` (or `name`) column.
    pub id: Option<&'a str>,
    /// The explicit context, when the row has one.
    pub context: Option<PlainContext<'a>>,
}

impl<'a> PlainRow<'a> {
    /// The explicit context's `(key, value)` pairs (none without a context).
    pub fn context_members(&self) -> &[(&'a str, &'a str)] {
        self.context.as_ref().map_or(&[], PlainContext::members)
    }
}

/// A row's `context` object whose values are all plain strings, booleans or numbers,
/// as borrowed `(key, value)` pairs in row order (booleans read as `true` / `false`
/// and numbers as their source text, as [`iamsim_scenario::cases::context_from_json`] does).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PlainContext<'a> {
    members: [(&'a str, &'a str); PLAIN_CONTEXT_KEYS],
    len: usize,
}

impl<'a> PlainContext<'a> {
    /// The members.
    pub fn members(&self) -> &[(&'a str, &'a str)] {
        self.members.get(..self.len).unwrap_or_default()
    }
}

/// Most context keys a plain row may carry; more go through the full parser.
const PLAIN_CONTEXT_KEYS: usize = 8;

/// Reads a JSON Lines request row of the common shape — one object with
/// `principal`, `action` and `resource`, optionally one of `id`/`name`, one of
/// `note`/`why`/`doc` and a `context` of string, boolean or number values, every
/// string free of escapes — without building a JSON tree or copying a string. `None`
/// for anything else (an `expect`, an escape, an array, a duplicate or unknown
/// key, malformed JSON…): the caller then uses [`parse_jsonl_row`], which reads every
/// row and words every error, so this is only ever a shortcut to the same result.
pub fn scan_plain_row(text: &str) -> Option<PlainRow<'_>> {
    let mut s = Scan { text, i: 0 };
    let (mut principal, mut action, mut resource, mut id, mut note, mut context) =
        (None, None, None, None, None, None);
    // `Scan::object` already refuses a name given twice.
    s.object(|s, name| {
        let slot = match name {
            "context" => {
                context = Some(plain_context(s)?);
                return Some(());
            }
            "principal" => &mut principal,
            "action" => &mut action,
            "resource" => &mut resource,
            // `id` and `name` (or two of the note columns) together: the parser's
            // last-one-wins is left to it.
            "id" | "name" => &mut id,
            "note" | "why" | "doc" => &mut note,
            _ => return None,
        };
        slot.replace(s.string()?).is_none().then_some(())
    })?;
    s.skip_ws();
    if s.i != text.len() {
        return None;
    }
    Some(PlainRow {
        principal: principal?,
        action: action?,
        resource: resource?,
        id,
        context,
    })
}

/// Reads a plain `context` object: string, boolean or number values, no key given
/// twice in any case, at most [`PLAIN_CONTEXT_KEYS`] keys.
fn plain_context<'a>(s: &mut Scan<'a>) -> Option<PlainContext<'a>> {
    let mut context = PlainContext::default();
    s.object(|s, key| {
        if context
            .members()
            .iter()
            .any(|(k, _)| k.eq_ignore_ascii_case(key))
        {
            return None;
        }
        let value = s.scalar()?;
        *context.members.get_mut(context.len)? = (key, value);
        context.len += 1;
        Some(())
    })?;
    Some(context)
}

/// Reads a YAML expectation table: one document, a sequence of row mappings with the
/// fields of a JSON Lines row. Each row's line is the line its mapping starts on; a
/// malformed row is an error row naming `file:line:col`. `Err` when the document as a
/// whole cannot be read (YAML syntax, duplicate keys, anchors, not a sequence).
pub fn parse_yaml_rows(
    text: &str,
    source: &str,
) -> Result<Vec<Result<Row, RowParseError>>, String> {
    let doc = iamsim_scenario::yaml::parse_yaml(text, 1).map_err(|e| {
        format!(
            "{source}:{}: {}: invalid YAML: {}",
            e.position,
            if e.pointer.is_empty() {
                "(document)"
            } else {
                &e.pointer
            },
            e.message
        )
    })?;
    let JsonKind::Array(items) = &doc.kind else {
        return Err(format!(
            "{source}:{}: (document): a YAML table must be a sequence of rows \
             (`- principal: …` entries), found {}",
            doc.position,
            doc.type_name()
        ));
    };
    Ok(items
        .iter()
        .map(|item| row_from_json(item, item.position.line, source))
        .collect())
}

/// Builds a row from a parsed object (a JSON Lines line or an entry of a YAML table).
/// `line` is the row's line for reports; messages name the exact `file:line:col` of
/// the offending value and its pointer within the row.
pub fn row_from_json(v: &JsonValue, line: u32, source: &str) -> Result<Row, RowParseError> {
    let err = |at: Position, pointer: &str, problem: String| RowParseError {
        line,
        message: format!("{source}:{at}: {pointer}: {problem}"),
    };
    let JsonKind::Object(members) = &v.kind else {
        return Err(err(
            v.position,
            "(row)",
            format!("a row must be an object, found {}", v.type_name()),
        ));
    };
    let mut row = Row {
        line,
        ..Row::default()
    };
    let text_of = |m: &json::JsonMember| -> Result<String, RowParseError> {
        m.value.as_str().map(str::to_owned).ok_or_else(|| {
            let hint = match m.value.kind {
                JsonKind::Number(_) | JsonKind::Bool(_) => " (write it in quotes)",
                _ => "",
            };
            err(
                m.value.position,
                &format!("/{}", m.name),
                format!("expected a string, found {}{hint}", m.value.type_name()),
            )
        })
    };
    let (mut has_principal, mut has_action, mut has_resource) = (false, false, false);
    for m in members {
        match &*m.name {
            "principal" => {
                row.request.principal = text_of(m)?;
                has_principal = true;
            }
            "action" => {
                row.request.action = text_of(m)?;
                has_action = true;
            }
            "resource" => {
                row.request.resource = text_of(m)?;
                has_resource = true;
            }
            "id" | "name" => row.id = Some(text_of(m)?),
            "note" | "why" | "doc" => row.note = Some(text_of(m)?),
            "expect" => {
                let s = text_of(m)?;
                row.expect =
                    Some(Expectation::parse(&s).ok_or_else(|| {
                        err(m.value.position, "/expect", Expectation::unknown(&s))
                    })?);
            }
            "context" => {
                row.request.context = iamsim_scenario::cases::context_from_json(&m.value)
                    .map_err(|(p, pos, msg)| err(pos, &format!("/context{p}"), msg))?;
            }
            other => {
                return Err(err(
                    m.name_position,
                    &format!("/{other}"),
                    format!("unknown column `{other}`"),
                ))
            }
        }
    }
    for (present, name) in [
        (has_principal, "principal"),
        (has_action, "action"),
        (has_resource, "resource"),
    ] {
        if !present {
            return Err(err(v.position, "(row)", format!("missing `{name}`")));
        }
    }
    Ok(row)
}

/// Parses a CSV `context` cell: empty, a JSON object, or `key=value; key=value`
/// (a value in `[…]` JSON array syntax is multivalued).
pub fn parse_context_cell(cell: &str) -> Result<Context, String> {
    let cell = cell.trim();
    if cell.is_empty() {
        return Ok(Context::new());
    }
    if cell.starts_with('{') {
        let v: JsonValue = json::parse(cell, 1, JsonLimits::default())
            .map_err(|e| format!("context: invalid JSON: {e}"))?;
        return iamsim_scenario::cases::context_from_json(&v)
            .map_err(|(p, _, msg)| format!("context{p}: {msg}"));
    }
    let mut ctx = Context::new();
    for pair in cell.split(';').map(str::trim).filter(|p| !p.is_empty()) {
        let (k, v) = super::context_arg::parse_context_arg(pair).map_err(|e| {
            format!("context cell: {e} (a cell is a JSON object or `key=value; key=value`)")
        })?;
        ctx.insert(&k, v);
    }
    Ok(ctx)
}

/// Reads CSV rows with a header naming the columns `principal`, `action`,
/// `resource` and optionally `context`, `expect`, `id`/`name`, `note`/`why`.
pub struct CsvRows<R: std::io::Read> {
    reader: csv::Reader<R>,
    source: String,
    columns: Columns,
    record: csv::StringRecord,
}

#[derive(Default)]
struct Columns {
    /// The header's column names, in order.
    names: Vec<String>,
    principal: usize,
    action: usize,
    resource: usize,
    context: Option<usize>,
    expect: Option<usize>,
    id: Option<usize>,
    note: Option<usize>,
}

impl<R: std::io::Read> CsvRows<R> {
    /// Reads the header; fails if a required column is missing or a column is unknown.
    pub fn new(input: R, source: &str) -> Result<Self, RowParseError> {
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(true)
            // Rows of the wrong length are reported by `csv_row`, naming the columns.
            .flexible(true)
            .from_reader(input);
        let headers = reader
            .headers()
            .map_err(|e| RowParseError {
                line: 1,
                message: format!("{source}:1: cannot read the CSV header: {e}"),
            })?
            .clone();
        let mut c = Columns {
            names: headers.iter().map(|h| h.trim().to_owned()).collect(),
            ..Columns::default()
        };
        let mut seen = [false; 3];
        for (i, h) in headers.iter().enumerate() {
            match h.trim() {
                "principal" => (c.principal, seen[0]) = (i, true),
                "action" => (c.action, seen[1]) = (i, true),
                "resource" => (c.resource, seen[2]) = (i, true),
                "context" => c.context = Some(i),
                "expect" => c.expect = Some(i),
                "id" | "name" => c.id = Some(i),
                "note" | "why" => c.note = Some(i),
                other => {
                    return Err(RowParseError {
                        line: 1,
                        message: format!("{source}:1: unknown CSV column `{other}` (expected principal, action, resource, context, expect, id, note)"),
                    })
                }
            }
        }
        for (ok, name) in seen.iter().zip(["principal", "action", "resource"]) {
            if !ok {
                return Err(RowParseError {
                    line: 1,
                    message: format!("{source}:1: the CSV header has no `{name}` column"),
                });
            }
        }
        Ok(CsvRows {
            reader,
            source: source.to_owned(),
            columns: c,
            record: csv::StringRecord::new(),
        })
    }

    /// Whether the table has an `expect` column.
    pub fn has_expect(&self) -> bool {
        self.columns.expect.is_some()
    }
}

impl<R: std::io::Read> Iterator for CsvRows<R> {
    type Item = Result<Row, RowParseError>;

    fn next(&mut self) -> Option<Self::Item> {
        match self.reader.read_record(&mut self.record) {
            Ok(false) => None,
            Ok(true) => {
                let line = self.record.position().map_or(0, |p| p.line() as u32);
                Some(csv_row(&self.record, &self.columns, line, &self.source))
            }
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line() as u32);
                let message = format!("{}:{line}: {e}", self.source);
                // A malformed record is reported; reading goes on with the next one.
                Some(Err(RowParseError { line, message }))
            }
        }
    }
}

fn csv_row(
    r: &csv::StringRecord,
    c: &Columns,
    line: u32,
    source: &str,
) -> Result<Row, RowParseError> {
    let err = |problem: String| RowParseError {
        line,
        message: format!("{source}:{line}: {problem}"),
    };
    let (fields, columns) = (r.len(), c.names.len());
    if fields < columns {
        let missing: Vec<String> = (fields..columns)
            .map(|i| format!("`{}` (column {})", c.names[i], i + 1))
            .collect();
        return Err(err(format!(
            "the row has {fields} of the header's {columns} fields: {} missing",
            missing.join(", ")
        )));
    }
    if fields > columns {
        return Err(err(format!(
            "the row has {fields} fields but the header names {columns} columns (a comma in a \
             value needs the value in double quotes)"
        )));
    }
    let cell = |i: usize| r.get(i).unwrap_or("").trim();
    let opt = |i: Option<usize>| i.map(cell).filter(|s| !s.is_empty()).map(str::to_owned);
    let mut row = Row {
        line,
        id: opt(c.id),
        note: opt(c.note),
        ..Row::default()
    };
    for (i, name) in [
        (c.principal, "principal"),
        (c.action, "action"),
        (c.resource, "resource"),
    ] {
        if cell(i).is_empty() {
            return Err(err(format!("empty `{name}`")));
        }
    }
    row.request.principal = cell(c.principal).to_owned();
    row.request.action = cell(c.action).to_owned();
    row.request.resource = cell(c.resource).to_owned();
    if let Some(i) = c.context {
        row.request.context = parse_context_cell(cell(i)).map_err(err)?;
    }
    if let Some(s) = opt(c.expect) {
        row.expect = Some(Expectation::parse(&s).ok_or_else(|| err(Expectation::unknown(&s)))?);
    }
    Ok(row)
}
