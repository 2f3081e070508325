//! Step 8, explain, rendered for people: an [`Explanation`] as indented text, for
//! terminals and snapshots, and the names text output gives statements.

use super::Explanation;
use crate::compile::CompiledPolicySet;
use crate::condition::CompiledCondition;
use crate::decision::StatementRef;
use crate::eval::StatementVerdict;
use crate::request::Request;
use std::fmt::Write as _;

/// Renders a condition as `Operator key [values]`. Not a stable API: compiled
/// conditions are internal; [`ConditionJson`](super::ConditionJson) has the same text.
#[doc(hidden)]
pub fn describe_condition(c: &CompiledCondition) -> String {
    let values: Vec<&str> = c.values_as_written().collect();
    format!("{} {} {:?}", c.operator, c.key_as_written, values)
}

/// Renders an explanation as indented text, for terminals and snapshots.
pub fn render_text(set: &CompiledPolicySet, request: &Request, e: &Explanation<'_>) -> String {
    let mut out = String::new();
    let r = &e.response;
    let _ = writeln!(out, "decision: {}", r.decision);
    let _ = writeln!(out, "reason:   {}", r.reason);
    if let Some(layer) = r.blocked_by() {
        let _ = writeln!(out, "blocked by: {layer}");
    }
    for s in r.deciding.iter() {
        let _ = writeln!(out, "deciding: {}", statement_name(set, s));
    }
    if !r.missing_keys.is_empty() {
        let _ = writeln!(out, "missing context keys: {}", r.missing_keys.join(", "));
    }
    for d in &r.diagnostics {
        let _ = writeln!(
            out,
            "diagnostic: {} (key `{}`, {} statement {})",
            d.kind,
            d.key,
            d.effect,
            statement_name(set, d.statement)
        );
    }
    if r.has_indeterminate_deny() {
        let _ = writeln!(
            out,
            "INDETERMINATE: a Deny statement was skipped because its condition met a value it could not compare; the decision may be more permissive than intended"
        );
    }
    let _ = writeln!(
        out,
        "request: {} {} on {} (principal account {}, resource account {})",
        request.principal(),
        request.action(),
        request.resource(),
        request.principal_account().unwrap_or("-"),
        request.resource_account().unwrap_or("-"),
    );
    for layer in &e.layers {
        let verdict = match (layer.denies(), layer.allows()) {
            (true, _) => "denies",
            (false, true) => "allows",
            (false, false) => "no applicable statement",
        };
        match layer.not_in_force {
            Some(why) => {
                let _ = writeln!(out, "{} — not in force: {why}", layer.layer);
            }
            None => {
                let _ = writeln!(out, "{} — {verdict}", layer.layer);
            }
        }
        for s in &layer.statements {
            let mark = match s.verdict {
                StatementVerdict::Applies { .. } => "✔",
                _ => "·",
            };
            let _ = write!(
                out,
                "  {mark} {} {}: {}",
                s.effect,
                statement_name(set, s.statement),
                s.verdict.code()
            );
            if let StatementVerdict::Applies { principal } = s.verdict {
                let kinds: Vec<&str> = principal.iter().map(|k| k.as_str()).collect();
                if !kinds.is_empty() {
                    let _ = write!(out, " (principal: {})", kinds.join(", "));
                }
            }
            let _ = writeln!(out);
            let conditions = set.conditions(s.statement);
            for (i, outcome) in &s.conditions {
                let Some(c) = conditions.get(*i) else {
                    continue;
                };
                let mut notes = Vec::new();
                if outcome.key_absent {
                    notes.push("key absent".to_owned());
                } else if let Some(v) = request.context().get(&c.key) {
                    notes.push(format!("request: {:?}", v.values()));
                }
                if let Some(d) = outcome.diagnostic {
                    notes.push(d.to_string());
                }
                let notes = if notes.is_empty() {
                    String::new()
                } else {
                    format!(" ({})", notes.join("; "))
                };
                let _ = writeln!(
                    out,
                    "      {} {}{}",
                    if outcome.matched { "true " } else { "false" },
                    describe_condition(c),
                    notes
                );
            }
        }
    }
    out
}

/// `source:line:col Sid` — how text output names a statement.
pub fn statement_name(set: &CompiledPolicySet, s: StatementRef) -> String {
    match set.statement_info(s) {
        Some(info) => format!(
            "{} ({}:{})",
            info.label(),
            info.location.source,
            info.location.position
        ),
        None => format!("{}#{}", s.policy, s.statement),
    }
}
