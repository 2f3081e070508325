//! Self-contained conformance cases (`../shared/conformance/FORMAT.md`): each case
//! carries its policies, one request and the expected decision. Reading a case file
//! never stops at a bad case: each line becomes either a [`Case`] or a [`CaseError`]
//! naming the file, line:column and JSON Pointer.

use crate::scan::Scan;
use crate::warning::Warning;
use iamsim_catalog::Catalog;
use iamsim_engine::decision::Decision;
use iamsim_engine::model::{Policy, PolicyKind};
use iamsim_engine::request::{CallerAccount, Context, ContextValue, Request};
use iamsim_engine::source::json::{self, JsonKind, JsonLimits, JsonValue, Position};
use iamsim_engine::{CompiledPolicySet, PolicySet};
use std::fmt;
use std::sync::Arc;

/// One case, ready to evaluate.
#[derive(Debug, Clone)]
pub struct Case {
    /// `id`.
    pub id: String,
    /// Line of the case in its file (1-based).
    pub line: u32,
    /// What AWS decides; `None` when the case does not say (no `expect`, or
    /// `"expect": "unknown"`): it is evaluated and reported, not judged.
    pub expect: Option<Decision>,
    /// The request.
    pub request: Request,
    /// The compiled policies, or why they could not be compiled (an `error` outcome).
    /// Shared between cases whose `policies` text is identical: statement locations in
    /// a shared set point at the first such case; use [`CaseSource::reload`] to
    /// explain a case with its own line numbers.
    pub policies: Result<Arc<CompiledPolicySet>, String>,
}

/// The hash `check` files `policies` texts under. Every case hashes its own
/// (hundreds of bytes), and SipHash's defence against chosen collisions was a tenth
/// of `check`'s time; the texts come from the user's own file, so the worst a crafted
/// file could do is slow its own run. Equal hashes are confirmed by the text.
fn hash_text(text: &str) -> u64 {
    use std::hash::BuildHasher;
    foldhash::fast::FixedState::with_seed(0).hash_one(text)
}

/// A map keyed by a [`hash_text`], which it uses as is.
type ByHash<V> = std::collections::HashMap<u64, V, std::hash::BuildHasherDefault<Prehashed>>;

/// Hands a precomputed [`hash_text`] to a map keyed by it.
#[derive(Default)]
struct Prehashed(u64);

impl std::hash::Hasher for Prehashed {
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(b);
        }
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

/// A case that could not even be read (bad JSON, missing `request`, …).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseError {
    /// The case id if it could be read, else `line N`.
    pub id: String,
    /// Line in the file.
    pub line: u32,
    /// `file:line:col: pointer: message`.
    pub message: String,
}

impl fmt::Display for CaseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

/// Reads every case of a case file: JSON Lines, or one JSON array of cases.
/// `source` names the file in messages.
pub fn parse_case_file(text: &str, source: &str) -> Vec<Result<Case, CaseError>> {
    map_cases(text, source, |case, _| case.cloned())
}

/// Where a case handed to [`map_cases`] came from, to read it again.
pub struct CaseSource<'a> {
    /// The case's line, or the whole document of a JSON array file.
    text: &'a str,
    line: u32,
    source: &'a Arc<str>,
    whole_document: bool,
}

impl CaseSource<'_> {
    /// Reads the case again, compiling its policies afresh so explanations point at
    /// this case's own line and columns (a shared compiled set points at the first
    /// case with the same policies).
    pub fn reload(&self) -> Option<Case> {
        if self.whole_document {
            reload_case(self.text, self.source, self.line)
        } else {
            parse_case_line(self.text, self.line, self.source, None).ok()
        }
    }
}

/// Reads every case of a case file (as [`parse_case_file`] does) and returns what `f`
/// makes of each, in file order. Cases are read in parallel into per-thread buffers,
/// so `f` sees a borrowed case and nothing is kept per case but what `f` returns.
pub fn map_cases<T, F>(text: &str, source: &str, f: F) -> Vec<T>
where
    T: Send,
    F: Fn(Result<&Case, CaseError>, &CaseSource<'_>) -> T + Sync,
{
    map_cases_with_warnings(text, source, f).0
}

/// [`map_cases`], plus the warnings about the file's policies: one set per distinct
/// `policies` text, located at its first case.
pub fn map_cases_with_warnings<T, F>(text: &str, source: &str, f: F) -> (Vec<T>, Vec<Warning>)
where
    T: Send,
    F: Fn(Result<&Case, CaseError>, &CaseSource<'_>) -> T + Sync,
{
    let source: Arc<str> = source.into();
    let trimmed = text.trim_start_matches(['\u{feff}', ' ', '\t', '\r', '\n']);
    if trimmed.starts_with('[') {
        let mut warnings = Vec::new();
        let results = parse_case_document(text, &source, &mut warnings)
            .into_iter()
            .map(|case| {
                let at = CaseSource {
                    text,
                    line: case.as_ref().map_or_else(|e| e.line, |c| c.line),
                    source: &source,
                    whole_document: true,
                };
                match case {
                    Ok(case) => f(Ok(&case), &at),
                    Err(e) => f(Err(e), &at),
                }
            })
            .collect();
        return (results, warnings);
    }
    let mut out = Vec::new();
    let mut reader = LinesReader::new(source);
    reader.block(text, 0, &f, &mut out);
    (out, reader.warnings)
}

/// [`map_cases`] over a case file, read in blocks of whole lines (see
/// [`crate::files::read_lines_in_blocks`]) with the limits and errors of
/// [`crate::files::read_text`]. A JSON array file is read whole.
pub fn map_case_file<T, F>(
    path: &std::path::Path,
    max_bytes: u64,
    source: &str,
    f: F,
) -> Result<Vec<T>, crate::files::InputError>
where
    T: Send,
    F: Fn(Result<&Case, CaseError>, &CaseSource<'_>) -> T + Sync,
{
    map_case_file_with_warnings(path, max_bytes, source, f).map(|(results, _)| results)
}

/// [`map_case_file`], plus the warnings about the file's policies (see
/// [`map_cases_with_warnings`]).
pub fn map_case_file_with_warnings<T, F>(
    path: &std::path::Path,
    max_bytes: u64,
    source: &str,
    f: F,
) -> Result<(Vec<T>, Vec<Warning>), crate::files::InputError>
where
    T: Send,
    F: Fn(Result<&Case, CaseError>, &CaseSource<'_>) -> T + Sync,
{
    crate::files::check_size(path, max_bytes)?;
    let (mut results, mut warnings) = (Vec::new(), Vec::new());
    stream_case_file(path, u64::MAX, source, f, |block, new_warnings| {
        results.extend(block);
        warnings.extend(new_warnings);
    })?;
    Ok((results, warnings))
}

/// How much `policies` text (in bytes) the compiled sets a case-file reader keeps
/// for later cases may have been compiled from, besides those of the block being
/// read: past this it forgets them all and compiles again what comes back, so memory
/// stays bounded on a file of any size (a compiled set takes ≈ 25 bytes per byte of
/// its text, so ≈ 13 MB), and a file whose cases share up to a few thousand policy
/// sets still compiles each once.
pub const MAX_CACHED_POLICY_BYTES: usize = 1 << 19;

/// Reads a case file block by block, as [`map_case_file_with_warnings`] does, but
/// hands each block's results (in file order) and the warnings first found in it to
/// `sink` instead of keeping them: nothing is kept per case, so memory stays bounded
/// by the block and [`MAX_CACHED_POLICY_BYTES`], whatever the file's size. JSON Lines files
/// have no size limit; a file that is one JSON array is read whole, and `max_bytes`
/// limits it.
pub fn stream_case_file<T, F, S>(
    path: &std::path::Path,
    max_bytes: u64,
    source: &str,
    f: F,
    mut sink: S,
) -> Result<(), crate::files::InputError>
where
    T: Send,
    F: Fn(Result<&Case, CaseError>, &CaseSource<'_>) -> T + Sync,
    S: FnMut(Vec<T>, Vec<Warning>),
{
    /// Enough lines per block to keep both cores busy between the block's steps
    /// (about a hundred cases of a few KB), few enough that the block's compiled sets
    /// stay a small part of the memory bound.
    const BLOCK_BYTES: usize = 1 << 18;
    let mut reader = LinesReader::new(source.into());
    // Until the first non-blank character, the file may still be a JSON array.
    let mut opening = Some(String::new());
    let mut document: Option<String> = None;
    let mut too_big = None;
    crate::files::read_lines_in_blocks(path, u64::MAX, BLOCK_BYTES, |text, lines_before| {
        if let Some(whole) = &mut document {
            whole.push_str(text);
            return;
        }
        if let Some(mut blank) = opening.take() {
            let start = text.trim_start_matches(['\u{feff}', ' ', '\t', '\r', '\n']);
            if start.is_empty() || start.starts_with('[') {
                blank.push_str(text);
                if start.is_empty() {
                    opening = Some(blank);
                } else {
                    // Read whole: the size limit applies.
                    too_big = crate::files::check_size(path, max_bytes).err();
                    document = Some(if too_big.is_some() {
                        String::new()
                    } else {
                        blank
                    });
                }
                return;
            }
        }
        let mut out = Vec::new();
        reader.block(text, lines_before, &f, &mut out);
        sink(out, std::mem::take(&mut reader.warnings));
    })?;
    if let Some(e) = too_big {
        return Err(e);
    }
    if let Some(whole) = document {
        let (results, warnings) = map_cases_with_warnings(&whole, source, f);
        sink(results, warnings);
    }
    Ok(())
}

/// Reads the cases of JSON Lines text given in blocks of whole lines, compiling each
/// distinct `policies` text once, from its first case, before any case of its block
/// is read: no lock while reading, and no two threads compiling the same set.
struct LinesReader {
    source: Arc<str>,
    /// Indexes into `sets` by [`hash_text`], then by the text itself.
    distinct: ByHash<Vec<(Box<str>, usize)>>,
    /// The compiled sets; `None` for texts that did not compile.
    sets: Vec<Option<Arc<CompiledPolicySet>>>,
    /// The bytes of `policies` text `sets` were compiled from.
    cached_bytes: usize,
    /// The warnings of every distinct policies text, located at its first case.
    warnings: Vec<Warning>,
    /// The hashes of the texts the cache forgot: their warnings were given, and are
    /// not given again when such a text comes back (a hash shared by two different
    /// texts would at worst lose the second one's warnings, never a decision).
    warned: ByHash<()>,
}

impl LinesReader {
    fn new(source: Arc<str>) -> Self {
        LinesReader {
            source,
            distinct: Default::default(),
            sets: Vec::new(),
            cached_bytes: 0,
            warnings: Vec::new(),
            warned: Default::default(),
        }
    }

    /// Reads the cases of `text`, which follows `lines_before` lines of the file, and
    /// appends what `f` makes of them to `out`.
    fn block<T, F>(&mut self, text: &str, lines_before: u32, f: &F, out: &mut Vec<T>)
    where
        T: Send,
        F: Fn(Result<&Case, CaseError>, &CaseSource<'_>) -> T + Sync,
    {
        use rayon::prelude::*;
        if self.cached_bytes > MAX_CACHED_POLICY_BYTES {
            for (hash, _) in self.distinct.drain() {
                self.warned.insert(hash, ());
            }
            self.sets.clear();
            self.cached_bytes = 0;
        }
        let lines = case_lines(text, lines_before);
        let mut firsts = Vec::new();
        let groups: Vec<Option<usize>> = lines
            .iter()
            .enumerate()
            .map(|(i, line)| {
                let text = line.text.get(line.policies.clone()?)?;
                let same = self.distinct.entry(line.hash).or_default();
                Some(match same.iter().find(|(seen, _)| **seen == *text) {
                    Some(&(_, set)) => set,
                    None => {
                        let set = self.sets.len() + firsts.len();
                        same.push((text.into(), set));
                        self.cached_bytes += text.len();
                        firsts.push(i);
                        set
                    }
                })
            })
            .collect();
        let source = &self.source;
        let compiled: Vec<_> = firsts
            .par_iter()
            .map(|&i| lines.get(i).and_then(|line| compile_policies(line, source)))
            .collect();
        for (set, &first) in compiled.into_iter().zip(&firsts) {
            let seen = lines
                .get(first)
                .is_some_and(|line| self.warned.contains_key(&line.hash));
            self.sets.push(set.map(|(set, warnings)| {
                if !seen {
                    self.warnings.extend(warnings);
                }
                set
            }));
        }
        let sets = &self.sets;
        out.par_extend(lines.par_iter().zip(groups).map_init(
            Scratch::default,
            |scratch, (line, group)| {
                let set = group.and_then(|g| sets.get(g)?.as_ref());
                let at = CaseSource {
                    text: line.text,
                    line: line.number,
                    source,
                    whole_document: false,
                };
                match read_case_line(scratch, line, set, source) {
                    Ok(()) => f(Ok(&scratch.case), &at),
                    Err(e) => f(Err(e), &at),
                }
            },
        ));
    }
}

/// One non-blank line of a JSON Lines case file.
struct CaseLine<'a> {
    text: &'a str,
    /// 1-based.
    number: u32,
    /// Where its `policies` value is, if the scanner could tell.
    policies: Option<std::ops::Range<usize>>,
    /// [`hash_text`] of the `policies` text.
    hash: u64,
}

/// The non-blank lines of a JSON Lines text, numbered, each with its `policies` text
/// located and hashed: done in parallel over pieces of the text cut at line ends, as
/// this is a pass over every byte of the file.
fn case_lines(text: &str, lines_before: u32) -> Vec<CaseLine<'_>> {
    case_lines_in_pieces(
        text,
        lines_before,
        (text.len() / (8 * rayon::current_num_threads())).max(1 << 16),
    )
}

/// [`case_lines`] with pieces of about `piece_bytes`.
fn case_lines_in_pieces(text: &str, lines_before: u32, piece_bytes: usize) -> Vec<CaseLine<'_>> {
    use rayon::prelude::*;
    let mut pieces = Vec::new();
    let mut rest = text;
    while let Some(cut) = rest
        .as_bytes()
        .get(piece_bytes..)
        .and_then(|tail| tail.iter().position(|&b| b == b'\n'))
    {
        let Some((piece, tail)) = rest.split_at_checked(piece_bytes + cut + 1) else {
            break;
        };
        pieces.push(piece);
        rest = tail;
    }
    pieces.push(rest);
    // Per piece: how many lines it has (blank ones too), and its non-blank ones,
    // numbered from 0 within the piece.
    let per_piece: Vec<(u32, Vec<CaseLine<'_>>)> = pieces
        .par_iter()
        .enumerate()
        .map(|(k, piece)| {
            let mut count = 0;
            let mut lines = Vec::new();
            for (j, line) in lines_of(piece).enumerate() {
                count = j as u32 + 1;
                let line = if lines_before == 0 && k == 0 && j == 0 {
                    line.trim_start_matches('\u{feff}')
                } else {
                    line
                };
                if line.trim().is_empty() {
                    continue;
                }
                let policies = member_span(line, "policies");
                let hash = policies
                    .clone()
                    .and_then(|span| line.get(span))
                    .map_or(0, hash_text);
                lines.push(CaseLine {
                    text: line,
                    number: j as u32,
                    policies,
                    hash,
                });
            }
            (count, lines)
        })
        .collect();
    let mut all = Vec::with_capacity(per_piece.iter().map(|(_, lines)| lines.len()).sum());
    let mut first = lines_before + 1;
    for (count, lines) in per_piece {
        all.extend(lines.into_iter().map(|line| CaseLine {
            number: line.number + first,
            ..line
        }));
        first += count;
    }
    all
}

/// `text.lines()`, found with the memchr crate's vectorised search (std's byte
/// search was a twentieth of `check`'s instructions).
fn lines_of(text: &str) -> impl Iterator<Item = &str> {
    let mut rest = text;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        let Some(end) = memchr::memchr(b'\n', rest.as_bytes()) else {
            return Some(std::mem::take(&mut rest));
        };
        let (line, tail) = rest.split_at_checked(end)?;
        rest = tail.get(1..)?;
        Some(line.strip_suffix('\r').unwrap_or(line))
    })
}

/// Compiles the policies of a line, for every case with the same `policies` text;
/// `None` when they do not compile (each such case then reports its own error).
fn compile_policies(
    line: &CaseLine<'_>,
    source: &Arc<str>,
) -> Option<(Arc<CompiledPolicySet>, Vec<Warning>)> {
    let v = json::parse(line.text, line.number, JsonLimits::default()).ok()?;
    let at = At {
        source,
        base: "",
        id: String::new(),
        line: line.number,
    };
    let mut warnings = Vec::new();
    let set =
        policy_set_from_json(v.get("policies")?, source, "/policies", &at, &mut warnings).ok()?;
    set.ok().map(|set| (Arc::new(set), warnings))
}

/// The cases of a file that is one JSON array.
fn parse_case_document(
    text: &str,
    source: &Arc<str>,
    warnings: &mut Vec<Warning>,
) -> Vec<Result<Case, CaseError>> {
    match json::parse(
        text.trim_start_matches('\u{feff}'),
        1,
        JsonLimits::default(),
    ) {
        Ok(JsonValue {
            kind: JsonKind::Array(items),
            ..
        }) => items
            .iter()
            .enumerate()
            .map(|(i, v)| case_from_json_cached(v, source, &format!("/{i}"), None, warnings))
            .collect(),
        Ok(_) => unreachable_shape(source),
        Err(e) => vec![Err(CaseError {
            id: "document".into(),
            line: e.position.line,
            message: format!(
                "{source}:{}: {}: invalid JSON: {}",
                e.position, e.pointer, e.kind
            ),
        })],
    }
}

/// One thread's buffers for reading cases: the case being read, refilled in place,
/// and the borrowed context of the line being scanned.
struct Scratch<'a> {
    case: Case,
    context: Vec<(&'a str, ContextText<'a>)>,
    values: Vec<&'a str>,
}

impl Default for Scratch<'_> {
    fn default() -> Self {
        Scratch {
            case: Case {
                id: String::new(),
                line: 0,
                expect: None,
                request: Request::new("", "", ""),
                policies: Err(String::new()),
            },
            context: Vec::new(),
            values: Vec::new(),
        }
    }
}

/// Reads the case on one line into `scratch.case`; `set` is its compiled policies.
fn read_case_line<'a>(
    scratch: &mut Scratch<'a>,
    line: &CaseLine<'a>,
    set: Option<&Arc<CompiledPolicySet>>,
    source: &Arc<str>,
) -> Result<(), CaseError> {
    let compiled = line.policies.clone().zip(set);
    if let Some((span, set)) = compiled.clone() {
        if read_compiled_case(scratch, line.text, line.number, span, set).is_some() {
            return Ok(());
        }
    }
    scratch.case = parse_case_line(line.text, line.number, source, compiled)?;
    Ok(())
}

/// The fast path for a line whose policies (at `span`) are compiled: the line is
/// scanned in place (no JSON tree, no copies but the request's own buffers) and the
/// case is written into `scratch.case`. `None` for anything else (escapes, anything
/// invalid or unusual): the full parser then reads the line and reports any error
/// with its exact location, so this reader only has to accept a subset of what the
/// parser accepts and read it the same way.
fn read_compiled_case<'a>(
    scratch: &mut Scratch<'a>,
    line: &'a str,
    line_no: u32,
    span: std::ops::Range<usize>,
    set: &Arc<CompiledPolicySet>,
) -> Option<()> {
    let text = scan_case(line, span, &mut scratch.context, &mut scratch.values)?;

    let case = &mut scratch.case;
    case.id.clear();
    case.id.push_str(text.id);
    case.line = line_no;
    case.expect = text.expect;
    case.policies = Ok(set.clone());
    let r = &mut case.request;
    r.set_principal(text.principal);
    r.set_action(text.action);
    r.set_resource(text.resource);
    r.set_accounts(text.principal_account, text.resource_account);
    // `principal_org` sends a line to the full parser; a reused request must not keep
    // the standing of an earlier case.
    r.set_caller_account(CallerAccount::Member);
    let context = r.context_mut();
    context.clear();
    for (key, value) in &scratch.context {
        let value = match value {
            ContextText::Single(v) => ContextValue::Single((*v).into()),
            ContextText::Multi(range) => ContextValue::Multi(
                scratch
                    .values
                    .get(range.clone())?
                    .iter()
                    .map(|&v| v.into())
                    .collect(),
            ),
        };
        let before = context.len();
        context.insert(key, value);
        // A key given twice (in any case) is an error the full parser reports.
        if context.len() == before {
            return None;
        }
    }
    Some(())
}

/// The parts of a case line, borrowed from it.
struct CaseText<'a> {
    id: &'a str,
    expect: Option<Decision>,
    principal: &'a str,
    action: &'a str,
    resource: &'a str,
    principal_account: Option<&'a str>,
    resource_account: Option<&'a str>,
}

/// A context value as written: one scalar's text, or a range of `Scratch::values`.
enum ContextText<'a> {
    Single(&'a str),
    Multi(std::ops::Range<usize>),
}

/// Scans a case line into its parts; `context` and `values` receive the request
/// context. `None` whenever the line is not a plain, valid case (see
/// [`read_compiled_case`]).
fn scan_case<'a>(
    line: &'a str,
    policies_span: std::ops::Range<usize>,
    context: &mut Vec<(&'a str, ContextText<'a>)>,
    values: &mut Vec<&'a str>,
) -> Option<CaseText<'a>> {
    let mut s = Scan { text: line, i: 0 };
    let (mut id, mut expect, mut policies, mut request) = (None, None, None, None);
    s.skip_ws();
    s.object(|s, name| {
        match name {
            "id" => id = Some(s.string()?),
            "expect" => expect = Some(expectation(s.string()?)?),
            // Already found (by the same scan, so it ends where the value does).
            "policies" if s.i == policies_span.start => {
                s.i = policies_span.end;
                policies = Some(());
            }
            "policies" => return None,
            "request" => request = Some(scan_request(s, context, values)?),
            _ => s.skip_value(0)?,
        }
        Some(())
    })?;
    s.skip_ws();
    if s.i != line.len() {
        return None;
    }
    let (principal, action, resource, principal_account, resource_account) = request?;
    policies?;
    Some(CaseText {
        id: id?,
        expect: expect.flatten(),
        principal,
        action,
        resource,
        principal_account,
        resource_account,
    })
}

/// The `expect` word: a decision, or `unknown` (`Some(None)`) for a case nobody has
/// judged yet; `None` for anything else.
fn expectation(word: &str) -> Option<Option<Decision>> {
    match word {
        "unknown" => Some(None),
        other => Decision::from_name(other).map(Some),
    }
}

/// Principal, action, resource and the two accounts of a request.
type RequestText<'a> = (&'a str, &'a str, &'a str, Option<&'a str>, Option<&'a str>);

fn scan_request<'a>(
    s: &mut Scan<'a>,
    context: &mut Vec<(&'a str, ContextText<'a>)>,
    values: &mut Vec<&'a str>,
) -> Option<RequestText<'a>> {
    let (mut principal, mut action, mut resource) = (None, None, None);
    let (mut principal_account, mut resource_account) = (None, None);
    context.clear();
    values.clear();
    s.object(|s, name| {
        match name {
            "principal" => principal = Some(s.string()?),
            "action" => action = Some(s.string()?),
            "resource" => resource = Some(s.string()?),
            "principal_account" => principal_account = Some(s.string()?),
            "resource_account" => resource_account = Some(s.string()?),
            // Rare: the full parser reads and checks it.
            "principal_org" => return None,
            "context" => s.object(|s, key| {
                let value = if s.byte()? == b'[' {
                    let start = values.len();
                    s.array(|s| {
                        values.push(s.scalar()?);
                        Some(())
                    })?;
                    ContextText::Multi(start..values.len())
                } else {
                    ContextText::Single(s.scalar()?)
                };
                context.push((key, value));
                Some(())
            })?,
            _ => s.skip_value(0)?,
        }
        Some(())
    })?;
    Some((
        principal?,
        action?,
        resource?,
        principal_account,
        resource_account,
    ))
}

/// Reads one JSON Lines case with the full parser; `compiled` is the set its
/// `policies` (at the given span) already compiled to, if any.
fn parse_case_line(
    line: &str,
    line_no: u32,
    source: &Arc<str>,
    compiled: Option<(std::ops::Range<usize>, &Arc<CompiledPolicySet>)>,
) -> Result<Case, CaseError> {
    // Policies already compiled: parse the line with them blanked, which skips most
    // of its bytes. Anything unexpected falls back to the full parse (exact error
    // columns).
    if let Some((span, set)) = &compiled {
        let blanked = line
            .get(..span.start)
            .zip(line.get(span.end..))
            .map(|(before, after)| format!("{before}{{}}{after}"));
        if let Some(Ok(v)) = blanked.map(|b| json::parse(&b, line_no, JsonLimits::default())) {
            if let Ok(case) =
                case_from_json_cached(&v, source, "", Some(Arc::clone(set)), &mut Vec::new())
            {
                return Ok(case);
            }
        }
    }
    match json::parse(line, line_no, JsonLimits::default()) {
        Ok(v) => case_from_json_cached(
            &v,
            source,
            "",
            compiled.map(|(_, set)| set.clone()),
            &mut Vec::new(),
        ),
        Err(e) => Err(CaseError {
            id: format!("line {line_no}"),
            line: line_no,
            message: format!(
                "{source}:{}: {}: invalid JSON: {}",
                e.position,
                pointer_or_root(&e.pointer),
                e.kind
            ),
        }),
    }
}

/// Reads the case on `line` of a JSON Lines case file again, compiling its policies
/// afresh so explanations point at this case's own line and columns.
pub fn reload_case(text: &str, source: &str, line: u32) -> Option<Case> {
    let body = text.lines().nth(line.checked_sub(1)? as usize)?;
    let body = if line == 1 {
        body.trim_start_matches('\u{feff}')
    } else {
        body
    };
    parse_case_line(body, line, &source.into(), None).ok()
}

fn unreachable_shape(source: &str) -> Vec<Result<Case, CaseError>> {
    vec![Err(CaseError {
        id: "document".into(),
        line: 1,
        message: format!("{source}:1:1: expected an array of cases"),
    })]
}

fn pointer_or_root(p: &str) -> &str {
    if p.is_empty() {
        "(document)"
    } else {
        p
    }
}

struct At<'a> {
    source: &'a Arc<str>,
    base: &'a str,
    id: String,
    line: u32,
}

impl At<'_> {
    fn err(&self, pointer: &str, position: Position, message: impl fmt::Display) -> CaseError {
        CaseError {
            id: self.id.clone(),
            line: self.line,
            message: format!(
                "{}:{}: {}{}: {}",
                self.source, position, self.base, pointer, message
            ),
        }
    }
}

/// Builds one case from its JSON value; `base` is its pointer in the file.
pub fn case_from_json(v: &JsonValue, source: &Arc<str>, base: &str) -> Result<Case, CaseError> {
    case_from_json_cached(v, source, base, None, &mut Vec::new())
}

/// The byte span of the top-level member `name`'s value in a one-line JSON object,
/// found by scanning without building a tree. `None` whenever anything is unusual:
/// callers then parse normally.
fn member_span(line: &str, name: &str) -> Option<std::ops::Range<usize>> {
    let mut s = Scan { text: line, i: 0 };
    let mut span = None;
    s.skip_ws();
    // The member's span ends the scan early, as a `None`.
    let _ = s.object(|s, member| {
        let start = s.i;
        match s.byte()? {
            b'{' | b'[' => drop(s.balanced()?),
            b'"' => s.skip_string()?,
            b'n' => drop(s.literal("null")?),
            _ => drop(s.scalar()?),
        }
        if member == name {
            span = Some(start..s.i);
            return None;
        }
        Some(())
    });
    span
}

fn case_from_json_cached(
    v: &JsonValue,
    source: &Arc<str>,
    base: &str,
    compiled: Option<Arc<CompiledPolicySet>>,
    warnings: &mut Vec<Warning>,
) -> Result<Case, CaseError> {
    let line = v.position.line;
    let mut at = At {
        source,
        base,
        id: format!("line {line}"),
        line,
    };
    if !matches!(v.kind, JsonKind::Object(_)) {
        return Err(at.err(
            "",
            v.position,
            format!("a case must be an object, found {}", v.type_name()),
        ));
    }
    let id = v
        .get("id")
        .and_then(JsonValue::as_str)
        .ok_or_else(|| at.err("/id", v.position, "missing string `id`"))?;
    at.id = id.to_owned();
    let expect = match v.get("expect") {
        None => None,
        Some(expect_v) => expect_v.as_str().and_then(expectation).ok_or_else(|| {
            at.err(
                "/expect",
                expect_v.position,
                "`expect` must be `allowed`, `explicitDeny` or `implicitDeny`",
            )
        })?,
    };
    let request_v = v
        .get("request")
        .ok_or_else(|| at.err("/request", v.position, "missing `request`"))?;
    let request = request_from_json(request_v, &at)?;
    let policies_v = v
        .get("policies")
        .ok_or_else(|| at.err("/policies", v.position, "missing `policies`"))?;
    let policies = match compiled {
        Some(set) => Ok(set),
        None => policy_set_from_json(
            policies_v,
            source,
            &format!("{base}/policies"),
            &at,
            warnings,
        )?
        .map(Arc::new),
    };
    Ok(Case {
        id: id.to_owned(),
        line,
        expect,
        request,
        policies,
    })
}

/// Parses the `policies` object. Shape errors of the object itself are case errors;
/// invalid policy documents become the case's `error` outcome.
fn policy_set_from_json(
    v: &JsonValue,
    source: &Arc<str>,
    base: &str,
    at: &At<'_>,
    warnings: &mut Vec<Warning>,
) -> Result<Result<CompiledPolicySet, String>, CaseError> {
    let JsonKind::Object(members) = &v.kind else {
        return Err(at.err("/policies", v.position, "`policies` must be an object"));
    };
    let mut set = PolicySet::default();
    let one = |kind: PolicyKind, value: &JsonValue, pointer: String| {
        Policy::from_json(value, kind, source.clone(), &pointer).map_err(|e| e.to_string())
    };
    let many = |kind: PolicyKind,
                value: &JsonValue,
                pointer: &str|
     -> Result<Result<Vec<Policy>, String>, CaseError> {
        match &value.kind {
            JsonKind::Array(items) => Ok(items
                .iter()
                .enumerate()
                .map(|(i, p)| one(kind, p, format!("{pointer}/{i}")))
                .collect()),
            _ => Err(at.err(
                pointer.get(at.base.len()..).unwrap_or(pointer),
                value.position,
                "expected an array of policies",
            )),
        }
    };
    for m in members {
        let pointer = format!("{base}/{}", m.name);
        let result = match &*m.name {
            "identity" => many(PolicyKind::Identity, &m.value, &pointer)?.map(|p| set.identity = p),
            // Each entry of `scp`/`rcp` is one organization level.
            "scp" => many(PolicyKind::Scp, &m.value, &pointer)?.map(|p| set.scp = p.into_iter().map(|p| vec![p]).collect()),
            "rcp" => many(PolicyKind::Rcp, &m.value, &pointer)?.map(|p| set.rcp = p.into_iter().map(|p| vec![p]).collect()),
            "resource" => one(PolicyKind::Resource, &m.value, pointer).map(|p| set.resource = Some(p)),
            "boundary" => one(PolicyKind::Boundary, &m.value, pointer).map(|p| set.boundary = Some(p)),
            "session" => one(PolicyKind::Session, &m.value, pointer).map(|p| set.session = Some(p)),
            other => {
                return Err(at.err(
                    &format!("/policies/{other}"),
                    m.name_position,
                    format!("unknown policy slot `{other}` (expected identity, resource, boundary, session, scp, rcp)"),
                ))
            }
        };
        if let Err(message) = result {
            return Ok(Err(message));
        }
    }
    for policy in set
        .identity
        .iter()
        .chain(&set.resource)
        .chain(&set.boundary)
        .chain(&set.session)
    {
        warnings.extend(Warning::of_policy(policy, None, Catalog::builtin()));
    }
    for policy in set.scp.iter().chain(&set.rcp).flatten() {
        warnings.extend(Warning::of_policy(policy, None, Catalog::builtin()));
    }
    Ok(CompiledPolicySet::compile(&set).map_err(|e| e.to_string()))
}

fn request_from_json(v: &JsonValue, at: &At<'_>) -> Result<Request, CaseError> {
    let field = |name: &str, required: bool| -> Result<Option<&str>, CaseError> {
        match v.get(name) {
            Some(x) => x.as_str().map(Some).ok_or_else(|| {
                at.err(&format!("/request/{name}"), x.position, "expected a string")
            }),
            None if required => Err(at.err(
                &format!("/request/{name}"),
                v.position,
                format!("missing `{name}`"),
            )),
            None => Ok(None),
        }
    };
    let principal = field("principal", true)?.unwrap_or_default();
    let action = field("action", true)?.unwrap_or_default();
    let resource = field("resource", true)?.unwrap_or_default();
    let mut request = Request::new(principal, action, resource);
    request.set_accounts(
        field("principal_account", false)?,
        field("resource_account", false)?,
    );
    if let Some(org) = field("principal_org", false)? {
        let standing = CallerAccount::from_name(org).ok_or_else(|| {
            let position = v.get("principal_org").map_or(v.position, |x| x.position);
            at.err(
                "/request/principal_org",
                position,
                format!("unknown `principal_org` `{org}` (expected member, management or outside)"),
            )
        })?;
        request.set_caller_account(standing);
    }
    if let Some(ctx) = v.get("context") {
        *request.context_mut() =
            context_from_json(ctx).map_err(|(pointer, position, message)| {
                at.err(&format!("/request/context{pointer}"), position, message)
            })?;
    }
    Ok(request)
}

/// Builds a [`Context`] from a JSON object: strings, numbers and booleans become
/// single values (as text), arrays become multivalued keys (SEMANTICS 1.5).
pub fn context_from_json(v: &JsonValue) -> Result<Context, (String, Position, String)> {
    let JsonKind::Object(members) = &v.kind else {
        return Err((
            String::new(),
            v.position,
            "`context` must be an object".into(),
        ));
    };
    let mut context = Context::new();
    for m in members {
        let pointer = format!("/{}", json::escape_pointer_token(&m.name));
        let value = match &m.value.kind {
            JsonKind::Array(items) => ContextValue::Multi(
                items
                    .iter()
                    .enumerate()
                    .map(|(i, item)| {
                        scalar_text(item).ok_or_else(|| (format!("{pointer}/{i}"), item.position))
                    })
                    .collect::<Result<Vec<_>, _>>()
                    .map_err(|(p, pos)| {
                        (
                            p,
                            pos,
                            "context values must be strings, numbers or booleans".to_owned(),
                        )
                    })?,
            ),
            _ => ContextValue::Single(scalar_text(&m.value).ok_or_else(|| {
                (
                    pointer.clone(),
                    m.value.position,
                    "context values must be strings, numbers, booleans or arrays of them"
                        .to_owned(),
                )
            })?),
        };
        if context.contains(&m.name) {
            return Err((
                pointer,
                m.name_position,
                format!(
                    "context key `{}` given twice (key names are case-insensitive)",
                    m.name
                ),
            ));
        }
        context.insert(&m.name, value);
    }
    Ok(context)
}

fn scalar_text(v: &JsonValue) -> Option<Box<str>> {
    match &v.kind {
        JsonKind::String(s) => Some(s.clone()),
        JsonKind::Number(n) => Some(n.clone()),
        JsonKind::Bool(b) => Some(if *b { "true".into() } else { "false".into() }),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CORPUS: &str = include_str!("../../fixtures/conformance/cases.jsonl");

    /// What the full parser makes of `line` given its compiled policies.
    fn parsed(line: &str, line_no: u32, set: &Arc<CompiledPolicySet>) -> Option<Case> {
        let v = json::parse(line, line_no, JsonLimits::default()).ok()?;
        case_from_json_cached(&v, &"t".into(), "", Some(set.clone()), &mut Vec::new()).ok()
    }

    /// Compiled sets by `policies` text.
    type Sets = std::collections::HashMap<&'static str, Arc<CompiledPolicySet>>;

    /// The scanner's reading of `line`, if it takes it.
    fn scanned(line: &str, line_no: u32, sets: &Sets) -> Option<Case> {
        let span = member_span(line, "policies")?;
        let set = sets.get(line.get(span.clone())?)?;
        let mut scratch = Scratch::default();
        read_compiled_case(&mut scratch, line, line_no, span, set)?;
        Some(scratch.case)
    }

    /// Every corpus line with compiling policies, and their compiled sets.
    fn corpus() -> (Vec<&'static str>, Sets) {
        let mut sets = Sets::new();
        let mut lines = Vec::new();
        for (i, line) in CORPUS.lines().enumerate() {
            let Ok(Case {
                policies: Ok(set), ..
            }) = parse_case_line(line, i as u32 + 1, &"t".into(), None)
            else {
                continue;
            };
            let span = member_span(line, "policies").expect("corpus policies");
            sets.insert(&line[span], set);
            lines.push(line);
        }
        (lines, sets)
    }

    /// Asserts that whatever the scanner takes, the parser reads the same way.
    fn assert_agrees(line: &str, sets: &Sets) -> bool {
        let Some(fast) = scanned(line, 7, sets) else {
            return false;
        };
        let Ok(set) = &fast.policies else {
            panic!("scanned case without policies: {line}");
        };
        let full = parsed(line, 7, set)
            .unwrap_or_else(|| panic!("scanner took a line the parser refuses: {line}"));
        assert_eq!(fast.id, full.id, "{line}");
        assert_eq!(fast.expect, full.expect, "{line}");
        assert_eq!(fast.request, full.request, "{line}");
        assert!(full.policies.is_ok_and(|p| Arc::ptr_eq(&p, set)), "{line}");
        true
    }

    // Lines are numbered per piece of the file, then renumbered: the numbers must not
    // depend on where the pieces are cut (blank lines, CRLF, a byte order mark).
    #[test]
    fn lines_are_numbered_as_the_whole_file_would_be() {
        let text =
            "\u{feff}{\"a\": 1}\r\n\n  \n{\"policies\": {}}\n\r\n{}\r\n\n\n{\"b\": [\n\n{\r}\r";
        let whole: Vec<(u32, &str)> = text
            .lines()
            .enumerate()
            .map(|(i, l)| (i as u32 + 1, if i == 0 { &l[3..] } else { l }))
            .filter(|(_, l)| !l.trim().is_empty())
            .collect();
        for piece_bytes in 1..text.len() + 2 {
            let lines: Vec<(u32, &str)> = case_lines_in_pieces(text, 0, piece_bytes)
                .iter()
                .map(|l| (l.number, l.text))
                .collect();
            assert_eq!(lines, whole, "pieces of {piece_bytes} bytes");
        }
    }

    // The fast path is what makes `check` fast: every corpus line must take it but
    // those whose request has escapes, which the scanner leaves to the parser.
    #[test]
    fn scanner_reads_every_corpus_case_as_the_parser_does() {
        let (lines, sets) = corpus();
        for line in &lines {
            let request = member_span(line, "request").and_then(|span| line.get(span));
            assert!(
                assert_agrees(line, &sets) || request.is_some_and(|r| r.contains('\\')),
                "scanner refused {line}"
            );
        }
    }

    // The scanner must never take a line the parser would read differently or refuse:
    // seeded random edits of corpus lines, outside their policies.
    #[test]
    fn scanner_refuses_or_agrees_on_edited_lines() {
        const EDITS: [&str; 34] = [
            "\"",
            "\\",
            "\\u0041",
            "\\ud800",
            "\\ud83d\\ude00",
            "\\udc00",
            "\\n",
            "\\x",
            "{",
            "}",
            "[",
            "]",
            ",",
            ":",
            " ",
            "\t",
            "\r",
            "\u{1}",
            "0",
            "01",
            "-",
            "1e5",
            ".",
            "e",
            "true",
            "null",
            "é",
            "\u{feff}",
            "\"id\": \"x\", ",
            "\"context\": {}, ",
            "\"Aws:UserName\": \"x\", ",
            "\"k\": [1, true], ",
            "\"k\": {}, ",
            "\"k\": [[]], ",
        ];
        let (lines, sets) = corpus();
        let mut seed = 0x2545_f491_4f6c_dd1d_u64;
        let mut next = |n: usize| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed % n as u64) as usize
        };
        let (mut taken, mut tries) = (0, 0);
        while tries < 20_000 {
            let line = lines[next(lines.len())];
            let policies = member_span(line, "policies").expect("corpus policies");
            let mut at = next(line.len() + 1);
            if policies.contains(&at) || !line.is_char_boundary(at) {
                continue;
            }
            tries += 1;
            let mut edited = line.to_owned();
            match next(3) {
                0 => edited.insert_str(at, EDITS[next(EDITS.len())]),
                1 if at < line.len() => {
                    while !edited.is_char_boundary(at + 1) {
                        at += 1;
                    }
                    edited.replace_range(at..at + 1, EDITS[next(EDITS.len())]);
                }
                _ => {
                    let len = line[at..].chars().next().map_or(0, char::len_utf8);
                    edited.replace_range(at..at + len, "");
                }
            }
            taken += usize::from(assert_agrees(&edited, &sets));
        }
        // Most edits break the line; enough must survive to test the agreement.
        assert!(taken > 1_000, "only {taken} edited lines were scanned");
    }

    /// `principal_org` is read by the full parser only; the in-place reader that
    /// reads the next case into the same buffers must not inherit it.
    #[test]
    fn principal_org_does_not_leak_into_the_next_case() {
        let policies = r#"{"identity":[{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}],"scp":[{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"*","Resource":"*"}]}]}"#;
        let line = |id: &str, org: &str| {
            format!(
                r#"{{"id":"{id}","policies":{policies},"request":{{"principal":"arn:aws:iam::111122223333:user/u","action":"s3:GetObject","resource":"*"{org}}},"expect":"allowed"}}"#
            )
        };
        let mut text = String::new();
        for i in 0..200 {
            let org = if i % 2 == 0 {
                r#","principal_org":"management""#
            } else {
                ""
            };
            text.push_str(&line(&format!("c{i}"), org));
            text.push('\n');
        }
        let (standings, warnings) = map_cases_with_warnings(&text, "t.jsonl", |c, _| {
            c.map(|c| c.request.caller_account()).ok()
        });
        for (i, s) in standings.iter().enumerate() {
            let want = if i % 2 == 0 {
                CallerAccount::Management
            } else {
                CallerAccount::Member
            };
            assert_eq!(*s, Some(want), "case {i}");
        }
        assert!(warnings.is_empty(), "{warnings:?}");
        let bad = text.replace(r#""management""#, r#""manager""#);
        let errors = parse_case_file(&bad, "t.jsonl");
        let message = errors[0]
            .as_ref()
            .expect_err("unknown standing")
            .message
            .clone();
        assert!(
            message.contains("unknown `principal_org` `manager`"),
            "{message}"
        );
    }
}
