//! The properties the fuzz targets check: one plain function per target, each
//! panicking when a property is violated. The targets in `fuzz/fuzz_targets/` call
//! them, and the root package's `fuzz_seeds` tests run every file of
//! `fuzz/seeds/<target>/` through the same functions on `cargo test`, so a saved crash
//! input keeps failing there until the engine is fixed.
//!
//! Input formats (so that seeds can be written by hand):
//! * `parse_policy`: a policy document, as UTF-8 text (other input is skipped).
//! * `wildcard`: `MODE PATTERN[\x01 PATTERN]… \0 TEXT`. Bit 0 of `MODE` set: the
//!   bytes are UTF-8 (lossily decoded); clear: every byte is one token of
//!   [`TOKENS`] (small alphabet: wildcards, separators, ARN prefix, variables).
//!   Bit 1: policy variables enabled in the ARN patterns; bit 2: `aws:username` is
//!   `a*b` rather than `ab`.
//! * `condition`: four header bytes (operator, flags, value types, key and set
//!   size — see [`check_condition`]), then `\0`-separated text segments: policy
//!   values, request values, the value of `aws:username`. A segment starting with
//!   a byte ≥ 0xF8 is [`DICTIONARY`]`[next byte]` followed by the rest.
//! * `case`: a case file (JSON Lines, or one JSON array of cases), read by the CLI's
//!   case reader (a [`CaseReader`], which the caller passes: the test kit cannot
//!   depend on the root package).

use crate::corpus::{self, CaseReader};
use crate::oracle::oracle_match;
use crate::reference::{reference_decision, RefPolicies};
use iamsim_engine::explain::{describe_condition, render_text};
use iamsim_engine::internal::condition::{
    BaseOperator, CompiledCondition, ConditionOperator, ConditionOutcome, ConditionValueErrorKind,
    PolicyValue, SetQualifier,
};
use iamsim_engine::internal::pattern::arn::{ArnPattern, VariableScope};
use iamsim_engine::internal::pattern::glob::glob_match_str;
use iamsim_engine::internal::pattern::ResourcePatternSet;
use iamsim_engine::model::{Policy, PolicyKind, PrincipalType, PrincipalValue, ScalarValue};
use iamsim_engine::request::{Context, ContextValue, Request};
use iamsim_engine::source::json::{self, JsonKind, JsonLimits, JsonValue, Position};
use iamsim_engine::{CompiledPolicySet, PolicySet};
use std::sync::Arc;

// ---------------------------------------------------------------------------
// Shared helpers.

/// Error positions are 1-based and inside the text: the line exists and the column is
/// at most one past its last character.
fn assert_position_in(text: &str, position: Position, what: &str) {
    let line = position.line as usize;
    let column = position.column as usize;
    let lines: Vec<&str> = text.split('\n').collect();
    assert!(
        line >= 1 && column >= 1,
        "{what}: position {position} is not 1-based"
    );
    let Some(line_text) = lines.get(line - 1) else {
        panic!(
            "{what}: line {line} is past the end ({} lines)",
            lines.len()
        );
    };
    assert!(
        column <= line_text.chars().count() + 1,
        "{what}: column {column} is past the end of line {line} ({:?})",
        line_text
    );
}

/// The fast path, the explain path and (when given) the reference evaluator reach
/// the same decision; fast and explain also name the same reason and statements.
fn check_paths_agree(
    set: &CompiledPolicySet,
    reference: Option<&RefPolicies>,
    request: &Request,
    label: &str,
) {
    let fast = set.evaluate(request);
    let explained = set.explain(request);
    assert_eq!(
        fast.decision, explained.response.decision,
        "{label}: evaluate and explain disagree on the decision for {request:?}"
    );
    assert_eq!(
        fast.reason, explained.response.reason,
        "{label}: evaluate and explain disagree on the reason for {request:?}"
    );
    assert_eq!(
        fast.deciding, explained.response.deciding,
        "{label}: evaluate and explain disagree on the deciding statements for {request:?}"
    );
    let rendered = render_text(set, request, &explained);
    assert!(rendered.starts_with("decision: "), "{label}: {rendered}");
    if let Some(policies) = reference {
        let expected = reference_decision(policies, request);
        assert_eq!(
            fast.decision, expected,
            "{label}: engine and reference evaluator disagree for {request:?}"
        );
    }
}

// ---------------------------------------------------------------------------
// parse_policy

const KINDS: [PolicyKind; 6] = [
    PolicyKind::Identity,
    PolicyKind::Resource,
    PolicyKind::Boundary,
    PolicyKind::Session,
    PolicyKind::Scp,
    PolicyKind::Rcp,
];

const SOURCE: &str = "fuzz.json";

/// Bytes → UTF-8 → `Policy::parse` for every kind. Never panics; errors carry a
/// message and a position inside the text; a policy that parses gets its warnings,
/// is compiled alone in its layer and, if that works, evaluated on a fixed request
/// and on requests drawn from its own statements by the fast path, the explain path
/// and the reference evaluator, which must agree.
pub fn check_parse_policy(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Err(e) = json::parse(text, 1, JsonLimits::default()) {
        assert!(!e.kind.to_string().is_empty(), "empty JSON error message");
        assert_position_in(text, e.position, &format!("JSON error `{e}`"));
    }
    for kind in KINDS {
        match Policy::parse(text, kind, SOURCE) {
            Err(e) => {
                let message = e.to_string();
                let prefix = format!("{SOURCE}:{}: ", e.position);
                assert!(
                    message.starts_with(&prefix) && message.len() > prefix.len() + 2,
                    "{kind}: error message without position or text: {message:?}"
                );
                assert!(!e.kind.to_string().is_empty(), "{kind}: {message}");
                assert_position_in(text, e.position, &format!("{kind}: `{message}`"));
            }
            Ok(policy) => check_policy(text, policy),
        }
    }
}

fn check_policy(text: &str, policy: Policy) {
    let kind = policy.kind;
    for w in policy.warnings(Some(text)) {
        assert!(!w.kind.to_string().is_empty(), "{kind}: empty warning");
    }
    let requests = requests_for(&policy);
    let mut set = PolicySet::default();
    let mut reference = RefPolicies::default();
    match kind {
        PolicyKind::Identity => {
            set.identity = vec![policy.clone()];
            reference.identity = vec![policy];
        }
        PolicyKind::Resource => {
            set.resource = Some(policy.clone());
            reference.resource = Some(policy);
        }
        PolicyKind::Boundary => {
            set.boundary = Some(policy.clone());
            reference.boundary = Some(policy);
        }
        PolicyKind::Session => {
            set.session = Some(policy.clone());
            reference.session = Some(policy);
        }
        PolicyKind::Scp => {
            set.scp = vec![vec![policy.clone()]];
            reference.scp = vec![policy];
        }
        PolicyKind::Rcp => {
            set.rcp = vec![vec![policy.clone()]];
            reference.rcp = vec![policy];
        }
    }
    let compiled = match CompiledPolicySet::compile(&set) {
        Ok(compiled) => compiled,
        Err(e) => {
            let message = e.to_string();
            assert!(
                message.starts_with(&format!("{SOURCE}:{}: ", e.location.position)),
                "{kind}: compile error without position: {message:?}"
            );
            assert_position_in(text, e.location.position, &format!("{kind}: `{message}`"));
            return;
        }
    };
    for (i, request) in requests.iter().enumerate() {
        check_paths_agree(
            &compiled,
            Some(&reference),
            request,
            &format!("{kind} policy, request {i}"),
        );
    }
}

/// Wildcards replaced by ordinary characters, so that a request built from a
/// pattern is likely to match it.
fn instantiate(pattern: &str) -> String {
    pattern.replace('*', "x").replace('?', "y")
}

/// A fixed request plus one per statement (up to four), built from the statement's
/// first action, resource, principal and condition values.
fn requests_for(policy: &Policy) -> Vec<Request> {
    const ALICE: &str = "arn:aws:iam::111122223333:user/alice";
    let mut fixed = Request::new(ALICE, "s3:GetObject", "arn:aws:s3:::acme-data/a.txt");
    let context = fixed.context_mut();
    context.insert_str("aws:username", "alice");
    context.insert_str("aws:SourceIp", "203.0.113.5");
    context.insert_str("aws:PrincipalTag/Team", "blue");
    context.insert_str("aws:CurrentTime", "2024-05-01T12:00:00Z");
    context.insert(
        "aws:TagKeys",
        ContextValue::Multi(vec!["a".into(), "b".into()]),
    );
    let mut requests = vec![fixed];
    for s in policy.statements.iter().take(4) {
        let action = s
            .action
            .entries
            .first()
            .map_or_else(|| "s3:GetObject".to_owned(), |e| instantiate(&e.value));
        let resource = s
            .resource
            .as_ref()
            .and_then(|r| r.entries.first())
            .map_or_else(
                || "arn:aws:s3:::acme-data/a.txt".to_owned(),
                |e| instantiate(&e.value),
            );
        let principal = match s.principal.as_ref().map(|p| &p.value) {
            Some(PrincipalValue::Typed(lists)) => lists
                .iter()
                .find(|(t, _)| *t == PrincipalType::Aws)
                .or(lists.first())
                .and_then(|(_, entries)| entries.first())
                .map_or_else(
                    || ALICE.to_owned(),
                    |e| {
                        let text = e.value.as_str();
                        if text.len() == 12 && text.bytes().all(|b| b.is_ascii_digit()) {
                            format!("arn:aws:iam::{text}:root")
                        } else {
                            text.to_owned()
                        }
                    },
                ),
            _ => ALICE.to_owned(),
        };
        let mut request = Request::new(&principal, &action, &resource);
        for c in &s.conditions {
            if let Some(v) = c.values.first() {
                let value = match &v.value {
                    ScalarValue::String(s) | ScalarValue::Number(s) => s.clone(),
                    ScalarValue::Bool(b) => b.to_string(),
                };
                request.context_mut().insert_str(&c.key.value, &value);
            }
        }
        requests.push(request);
    }
    requests
}

// ---------------------------------------------------------------------------
// wildcard

/// The alphabet of the wildcard target's token mode.
pub const TOKENS: [&str; 16] = [
    "a",
    "b",
    "*",
    "?",
    "/",
    ":",
    "é",
    "$",
    "{",
    "}",
    ".",
    "\\",
    "arn:aws:s3:::",
    "${aws:username}",
    "${*}",
    "x",
];

/// Most patterns a wildcard input may carry.
const MAX_PATTERNS: usize = 8;

fn decode_wildcard_text(bytes: &[u8], tokens: bool) -> String {
    if tokens {
        bytes
            .iter()
            .map(|&b| TOKENS[b as usize % TOKENS.len()])
            .collect()
    } else {
        String::from_utf8_lossy(bytes).into_owned()
    }
}

/// `glob_match_str` equals the anchored-regex oracle for every pattern; the same
/// patterns as `Resource` entries (raw, and behind `arn:aws:s3:::`) match exactly as
/// `ArnPattern::matches` says, alone and as a `ResourcePatternSet` (`matches`,
/// `unresolved` and `first_match` against a scan of the entries).
pub fn check_wildcard(data: &[u8]) {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let tokens = mode & 1 == 0;
    let variables = mode & 2 != 0;
    let (pattern_bytes, text_bytes) = match rest.iter().position(|&b| b == 0) {
        Some(at) => (&rest[..at], &rest[at + 1..]),
        None => (rest, &[][..]),
    };
    let patterns: Vec<String> = pattern_bytes
        .split(|&b| b == 1)
        .take(MAX_PATTERNS)
        .map(|p| decode_wildcard_text(p, tokens))
        .collect();
    let text = decode_wildcard_text(text_bytes, tokens);

    // 1. The glob matcher against the regex oracle.
    for pattern in &patterns {
        if let Some(expected) = oracle_match(pattern, &text) {
            assert_eq!(
                glob_match_str(pattern, &text),
                expected,
                "glob_match_str({pattern:?}, {text:?}) disagrees with the regex oracle"
            );
        }
    }

    // 2. ARN patterns and pattern sets.
    let mut context = Context::new();
    context.insert_str("aws:username", if mode & 4 != 0 { "a*b" } else { "ab" });
    const PREFIX: &str = "arn:aws:s3:::";
    let prefixed_text = format!("{PREFIX}{text}");
    if let Some(first) = patterns.first() {
        let written = format!("{PREFIX}{first}");
        let pattern = ArnPattern::parse(&written, variables, VariableScope::ResourcePart);
        let alone = pattern.matches(&prefixed_text, &context);
        if let Some(expected) =
            oracle_match(first, &text).filter(|_| !variables || !first.contains('$'))
        {
            assert_eq!(
                alone,
                Some(expected),
                "ArnPattern {written:?} on {prefixed_text:?} disagrees with the regex oracle"
            );
        }
    }
    for (texts, prefix) in [(&text, ""), (&prefixed_text, PREFIX)] {
        let entries: Vec<ArnPattern> = patterns
            .iter()
            .map(|p| {
                ArnPattern::parse(
                    &format!("{prefix}{p}"),
                    variables,
                    VariableScope::ResourcePart,
                )
            })
            .collect();
        let singles: Vec<Option<bool>> =
            entries.iter().map(|p| p.matches(texts, &context)).collect();
        let set = ResourcePatternSet::new(entries.clone());
        let got = set.matches(texts, &context);
        let label = || {
            format!(
                "ResourcePatternSet {:?} on {texts:?} (variables: {variables})",
                entries
                    .iter()
                    .map(ArnPattern::as_written)
                    .collect::<Vec<_>>()
            )
        };
        assert_eq!(
            got.matched,
            singles.contains(&Some(true)),
            "{}: `matched` disagrees with ArnPattern::matches {singles:?}",
            label()
        );
        assert_eq!(
            got.unresolved,
            singles.contains(&None),
            "{}: `unresolved` disagrees with ArnPattern::matches {singles:?}",
            label()
        );
        assert_eq!(
            set.first_match(texts, &context),
            singles.iter().position(|m| *m == Some(true)),
            "{}: `first_match` disagrees with ArnPattern::matches {singles:?}",
            label()
        );
        for (i, entry) in entries.iter().enumerate() {
            let one = ResourcePatternSet::new(vec![entry.clone()]);
            let got = one.matches(texts, &context);
            assert_eq!(
                (got.matched, got.unresolved),
                (singles[i] == Some(true), singles[i].is_none()),
                "one-entry ResourcePatternSet [{:?}] on {texts:?} disagrees with ArnPattern::matches",
                entry.as_written()
            );
        }
    }
}

// ---------------------------------------------------------------------------
// condition

/// Every base operator name, in the order of the IAM operator reference.
const BASE_NAMES: [&str; 27] = [
    "StringEquals",
    "StringNotEquals",
    "StringEqualsIgnoreCase",
    "StringNotEqualsIgnoreCase",
    "StringLike",
    "StringNotLike",
    "NumericEquals",
    "NumericNotEquals",
    "NumericLessThan",
    "NumericLessThanEquals",
    "NumericGreaterThan",
    "NumericGreaterThanEquals",
    "DateEquals",
    "DateNotEquals",
    "DateLessThan",
    "DateLessThanEquals",
    "DateGreaterThan",
    "DateGreaterThanEquals",
    "Bool",
    "BinaryEquals",
    "IpAddress",
    "NotIpAddress",
    "ArnEquals",
    "ArnLike",
    "ArnNotEquals",
    "ArnNotLike",
    "Null",
];

/// Condition keys the condition target tests (never `aws:username`, which holds the
/// value of the policy variable).
const KEYS: [&str; 8] = [
    "test:Key",
    "aws:SourceIp",
    "s3:max-keys",
    "aws:CurrentTime",
    "aws:PrincipalTag/Team",
    "aws:TagKeys",
    "aws:SourceArn",
    "aws:SecureTransport",
];

/// Values worth trying with every operator family.
pub const DICTIONARY: [&str; 40] = [
    "",
    "true",
    "false",
    "TRUE",
    "10",
    "10.0",
    "-1",
    "1e3",
    "0.5",
    "007",
    "2024-05-01T12:00:00Z",
    "2024-05-01",
    "1714564800",
    "2024-05-01T12:00:00.123+09:00",
    "203.0.113.5",
    "203.0.113.0/24",
    "2001:db8::1",
    "2001:db8::/32",
    "::ffff:10.0.0.1",
    "10.0.0.0/8",
    "QmluYXJ5VmFsdWVJbkJhc2U2NA==",
    "YQ==",
    "arn:aws:sns:us-east-1:111122223333:connect-alerts",
    "arn:aws:iam::111122223333:role/*",
    "arn:aws:*:*:*:*",
    "*",
    "a*b",
    "x?",
    "${aws:username}",
    "${aws:username, 'dflt'}",
    "${*}",
    "${?}",
    "${$}",
    "alice",
    "ALICE",
    "é",
    "İ",
    "ß",
    "\u{212a}",
    "arn:aws:s3:::acme-data/*",
];

fn decode_segment(bytes: &[u8]) -> String {
    match bytes {
        [lead, index, rest @ ..] if *lead >= 0xF8 => {
            let mut text = DICTIONARY[*index as usize % DICTIONARY.len()].to_owned();
            text.push_str(&String::from_utf8_lossy(rest));
            text
        }
        [lead] if *lead >= 0xF8 => DICTIONARY[0].to_owned(),
        _ => String::from_utf8_lossy(bytes).into_owned(),
    }
}

/// For a negated operator, its positive counterpart.
fn positive_of(base: BaseOperator) -> Option<BaseOperator> {
    use BaseOperator as B;
    Some(match base {
        B::StringNotEquals => B::StringEquals,
        B::StringNotEqualsIgnoreCase => B::StringEqualsIgnoreCase,
        B::StringNotLike => B::StringLike,
        B::NumericNotEquals => B::NumericEquals,
        B::DateNotEquals => B::DateEquals,
        B::NotIpAddress => B::IpAddress,
        B::ArnNotEquals => B::ArnEquals,
        B::ArnNotLike => B::ArnLike,
        _ => return None,
    })
}

/// `ArnEquals` ↔ `ArnLike` (and the negations), which match alike.
fn arn_twin(base: BaseOperator) -> Option<BaseOperator> {
    use BaseOperator as B;
    Some(match base {
        B::ArnEquals => B::ArnLike,
        B::ArnLike => B::ArnEquals,
        B::ArnNotEquals => B::ArnNotLike,
        B::ArnNotLike => B::ArnNotEquals,
        _ => return None,
    })
}

fn context_with(key: &str, value: Option<&ContextValue>, username: Option<&str>) -> Context {
    let mut context = Context::new();
    if let Some(name) = username {
        context.insert_str("aws:username", name);
    }
    if let Some(value) = value {
        context.insert(key, value.clone());
    }
    context
}

/// Decodes an operator, a key, one to three policy values and a context (key absent,
/// single-valued or multivalued) from the bytes; compiles the condition and, if that
/// works, evaluates it and checks the rules of SEMANTICS §7:
/// * operator names round-trip, and only `Null` refuses qualifiers and `IfExists`;
/// * outcomes do not depend on the spelling (case) of the context key;
/// * absent key: `…IfExists` true, `ForAllValues` true, `ForAnyValue` false, other
///   operators true exactly when negated; `Null` true exactly when it asserts absence;
/// * multivalued key without a set qualifier: false; empty set: `ForAllValues` true,
///   `ForAnyValue` false;
/// * present key: `IfExists` changes nothing;
/// * a negated operator is the complement of its positive form (single value, no
///   qualifier), and `ForAllValues:NotX` of `ForAnyValue:X` (De Morgan) and vice
///   versa, whenever neither outcome carries a diagnostic;
/// * `ArnEquals` and `ArnLike` agree; `StringEquals` implies `StringEqualsIgnoreCase`
///   and `StringLike`;
/// * without policy variables, `StringLike`/`StringEquals` on a single value match
///   the regex oracle / plain equality.
///
/// Header bytes: 0 operator (`% 28`; 27 = the name is the first text segment);
/// 1 flags (`& 3` qualifier: none, ForAllValues, ForAnyValue, none; `& 4` IfExists;
/// `& 8` variables enabled; `>> 4 & 3` key absent, single, multi, single; `& 0x40` no
/// `aws:username` in the context);
/// 2 value count and types (`& 3`: 1, 2, 3 or 1 values; then two bits per value:
/// 0–1 string, 2 number, 3 boolean); 3 key (`% 8`) and set size (`>> 4 % 4`).
pub fn check_condition(data: &[u8]) {
    let header = |i: usize| data.get(i).copied().unwrap_or(0);
    let (op_byte, flags, types, shape) = (header(0), header(1), header(2), header(3));
    let mut segments = data
        .get(4..)
        .unwrap_or(&[])
        .split(|&b| b == 0)
        .map(decode_segment);
    let qualifier = [
        SetQualifier::Single,
        SetQualifier::ForAllValues,
        SetQualifier::ForAnyValue,
        SetQualifier::Single,
    ][(flags & 3) as usize];
    let if_exists = flags & 4 != 0;
    let variables = flags & 8 != 0;
    // 0: key absent, 1 and 3: single value, 2: multivalued.
    let presence = (flags >> 4) & 3;
    let key = KEYS[shape as usize % KEYS.len()];
    let set_size = ((shape >> 4) % 4) as usize;
    let value_count = [1, 2, 3, 1][(types & 3) as usize];

    let chosen = BASE_NAMES.get(op_byte as usize % 28).copied();
    let name = match chosen {
        Some(base) => format!(
            "{}{base}{}",
            qualifier.prefix(),
            if if_exists { "IfExists" } else { "" }
        ),
        None => segments.next().unwrap_or_default(),
    };
    let written: Vec<String> = (0..value_count)
        .map(|_| segments.next().unwrap_or_default())
        .collect();
    let values: Vec<PolicyValue<'_>> = written
        .iter()
        .enumerate()
        .map(|(i, text)| match (types >> (2 + 2 * i)) & 3 {
            2 => PolicyValue::Number(text),
            3 => PolicyValue::Bool(text.len() % 2 == 0),
            _ => PolicyValue::String(text),
        })
        .collect();
    let request_value = match presence {
        0 => None,
        1 | 3 => Some(ContextValue::Single(
            segments.next().unwrap_or_default().into(),
        )),
        _ => Some(ContextValue::Multi(
            (0..set_size)
                .map(|_| segments.next().unwrap_or_default().into())
                .collect(),
        )),
    };
    let username = segments.next();
    let username = username.as_deref().filter(|_| flags & 0x40 == 0);
    let context = context_with(key, request_value.as_ref(), username);
    let upper = context_with(&key.to_ascii_uppercase(), request_value.as_ref(), username);

    // Operator names.
    let parsed = ConditionOperator::parse(&name);
    if let Ok(op) = &parsed {
        assert_eq!(op.to_string(), name, "operator name does not round-trip");
    }
    if let Some(base) = chosen {
        let refused = base == "Null" && (if_exists || qualifier != SetQualifier::Single);
        assert_eq!(
            parsed.is_err(),
            refused,
            "ConditionOperator::parse({name:?}) = {parsed:?}"
        );
    }
    let Ok(op) = parsed else {
        return;
    };
    let compile = |op: ConditionOperator| CompiledCondition::compile(op, key, &values, variables);
    let condition = match compile(op) {
        Ok(condition) => condition,
        Err(e) => {
            assert!(e.index < values.len(), "{name}: error index {e:?}");
            assert!(!e.to_string().is_empty(), "{name}: empty error message");
            // Only `Null` refuses a value; other values that do not fit their operator
            // load and compare false (SEMANTICS 7.6).
            assert_eq!(
                e.kind,
                ConditionValueErrorKind::NullValueNotBoolean,
                "{name}: refused {values:?}"
            );
            return;
        }
    };
    let label = format!(
        "{} on {request_value:?} (variables: {variables}, aws:username: {username:?})",
        describe_condition(&condition)
    );
    let outcome = condition.evaluate(&context);
    assert_eq!(
        outcome,
        condition.evaluate(&upper),
        "{label}: depends on the case of the context key"
    );
    // An unreadable policy value compares false against every request value, so the
    // condition decides as if it were not listed (SEMANTICS 7.6), and says that a
    // policy value could not be read whenever a request value met it.
    let unreadable = condition.unreadable_values();
    for e in unreadable {
        assert!(e.index < values.len(), "{label}: unreadable index {e:?}");
    }
    if !unreadable.is_empty() && unreadable.len() < values.len() {
        let readable: Vec<PolicyValue<'_>> = values
            .iter()
            .enumerate()
            .filter(|(i, _)| !unreadable.iter().any(|e| e.index == *i))
            .map(|(_, v)| *v)
            .collect();
        let without = CompiledCondition::compile(op, key, &readable, variables)
            .unwrap_or_else(|e| panic!("{label}: the readable values do not compile: {e}"));
        assert!(without.unreadable_values().is_empty(), "{label}");
        assert_eq!(
            without.evaluate(&context).matched,
            outcome.matched,
            "{label}: an unreadable policy value changed the outcome"
        );
    }
    let met = request_value
        .as_ref()
        .is_some_and(|v| !v.values().is_empty());
    if !unreadable.is_empty() && met {
        assert!(
            outcome.diagnostic.is_some(),
            "{label}: an unreadable policy value met a request value without a diagnostic"
        );
    }
    assert_eq!(outcome.key_absent, request_value.is_none(), "{label}");
    let with = |op: ConditionOperator| -> ConditionOutcome {
        match compile(op) {
            Ok(c) => c.evaluate(&context),
            Err(e) => panic!("{label}: compiles, but not as {op}: {e}"),
        }
    };

    if op.base == BaseOperator::Null {
        let asserts_absence = values
            .iter()
            .any(|v| v.as_text().eq_ignore_ascii_case("true"));
        let asserts_presence = values
            .iter()
            .any(|v| v.as_text().eq_ignore_ascii_case("false"));
        let expected = if request_value.is_none() {
            asserts_absence
        } else {
            asserts_presence
        };
        assert_eq!(outcome.matched, expected, "{label}");
        return;
    }
    match &request_value {
        None => {
            let expected = match op.qualifier {
                SetQualifier::ForAllValues => true,
                SetQualifier::ForAnyValue => false,
                SetQualifier::Single => op.if_exists || op.base.is_negated(),
            };
            assert_eq!(outcome.matched, expected, "{label}: absent key");
        }
        Some(ContextValue::Multi(items)) => {
            if op.qualifier == SetQualifier::Single {
                assert!(
                    !outcome.matched,
                    "{label}: multivalued key without qualifier"
                );
            } else if items.is_empty() {
                assert_eq!(
                    outcome.matched,
                    op.qualifier == SetQualifier::ForAllValues,
                    "{label}: empty set"
                );
            }
        }
        Some(ContextValue::Single(_)) => {}
    }
    let Some(present) = request_value.as_ref() else {
        return;
    };
    // IfExists only matters for an absent key.
    let toggled = with(ConditionOperator {
        if_exists: !op.if_exists,
        ..op
    });
    assert_eq!(
        (toggled.matched, toggled.diagnostic),
        (outcome.matched, outcome.diagnostic),
        "{label}: IfExists changes the outcome for a present key"
    );
    // Negation: the complement of the positive form.
    if let Some(positive) = positive_of(op.base) {
        let dual = match (op.qualifier, present) {
            (SetQualifier::Single, ContextValue::Single(_)) => Some(SetQualifier::Single),
            (SetQualifier::ForAllValues, _) => Some(SetQualifier::ForAnyValue),
            (SetQualifier::ForAnyValue, _) => Some(SetQualifier::ForAllValues),
            (SetQualifier::Single, ContextValue::Multi(_)) => None,
        };
        if let Some(qualifier) = dual {
            let dual_op = ConditionOperator {
                qualifier,
                base: positive,
                if_exists: op.if_exists,
            };
            let other = with(dual_op);
            if outcome.diagnostic.is_none() && other.diagnostic.is_none() {
                assert_eq!(
                    outcome.matched, !other.matched,
                    "{label}: not the complement of {dual_op} ({other:?})"
                );
            }
        }
    }
    // ArnEquals and ArnLike match alike.
    if let Some(twin) = arn_twin(op.base) {
        let other = with(ConditionOperator { base: twin, ..op });
        assert_eq!(
            other.matched, outcome.matched,
            "{label}: {twin} disagrees ({other:?})"
        );
    }
    if op.base == BaseOperator::StringEquals && outcome.matched {
        for implied in [
            BaseOperator::StringEqualsIgnoreCase,
            BaseOperator::StringLike,
        ] {
            let other = with(ConditionOperator {
                base: implied,
                ..op
            });
            assert!(other.matched, "{label}: matches, but {implied} does not");
        }
    }
    // Oracles for the String family on one request value, without variables.
    if let (SetQualifier::Single, ContextValue::Single(request)) = (op.qualifier, present) {
        if !variables && !op.base.is_negated() {
            let request: &str = request;
            let expected = match op.base {
                BaseOperator::StringEquals => Some(values.iter().any(|v| v.as_text() == request)),
                BaseOperator::StringLike => values
                    .iter()
                    .map(|v| oracle_match(v.as_text(), request))
                    .try_fold(false, |any, m| m.map(|m| any || m)),
                _ => None,
            };
            if let Some(expected) = expected {
                assert_eq!(outcome.matched, expected, "{label}: oracle disagrees");
            }
        }
    }
}

// ---------------------------------------------------------------------------
// case

const CASE_SOURCE: &str = "fuzz.jsonl";

/// The JSON value of every case `parse_case_file` reads, in its order (`None` where
/// the JSON itself does not parse), split the same way (JSON array or JSON Lines).
fn case_values(text: &str) -> Vec<Option<JsonValue>> {
    let trimmed = text.trim_start_matches(['\u{feff}', ' ', '\t', '\r', '\n']);
    if trimmed.starts_with('[') {
        return match json::parse(
            text.trim_start_matches('\u{feff}'),
            1,
            JsonLimits::default(),
        ) {
            Ok(JsonValue {
                kind: JsonKind::Array(items),
                ..
            }) => items.into_iter().map(Some).collect(),
            _ => vec![None],
        };
    }
    text.lines()
        .enumerate()
        .filter_map(|(i, line)| {
            let line = if i == 0 {
                line.trim_start_matches('\u{feff}')
            } else {
                line
            };
            (!line.trim().is_empty())
                .then(|| json::parse(line, i as u32 + 1, JsonLimits::default()).ok())
        })
        .collect()
}

/// The reference evaluator's view of a case's `policies` (parsed, never compiled),
/// by the test kit's corpus loader; `None` where the case has no usable policies
/// (those cases are not evaluated anyway).
fn reference_policies(case: &JsonValue) -> Option<RefPolicies> {
    corpus::policies(case.get("policies")?, &Arc::from(CASE_SOURCE)).ok()
}

/// Bytes → text → `read` (the CLI's `parse_case_file`); every case that reads and
/// whose policies compile is evaluated by the fast path, the explain path and the
/// reference evaluator, which must agree. Unreadable cases carry a located message.
pub fn check_case(data: &[u8], read: CaseReader) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let results = read(text, CASE_SOURCE);
    let values = case_values(text);
    assert_eq!(
        results.len(),
        values.len(),
        "the case reader returned {} results for {} cases",
        results.len(),
        values.len()
    );
    for (result, value) in results.iter().zip(&values) {
        let case = match result {
            Ok(case) => case,
            Err(message) => {
                assert!(
                    message.starts_with(&format!("{CASE_SOURCE}:")) && message.len() > 20,
                    "case error without location: {message:?}"
                );
                continue;
            }
        };
        let Ok(set) = &case.policies else {
            continue;
        };
        let reference = value.as_ref().and_then(reference_policies);
        assert!(
            reference.is_some(),
            "case {}: compiles, but the reference cannot read its policies",
            case.id
        );
        check_paths_agree(
            set,
            reference.as_ref(),
            &case.request,
            &format!("case {}", case.id),
        );
    }
}
