//! Record writers: one CSV row or JSON object per evaluation, in scenario order
//! (target, then principal, then action).

use super::Matrix;
use std::io::{self, Write};

const FIELDS: [&str; 9] = [
    "principal",
    "target",
    "arn",
    "action",
    "decision",
    "reason",
    "blocked_by",
    "deciding",
    "missing_keys",
];

fn allowed_filter(m: &Matrix, d: iamsim_engine::Decision) -> bool {
    !m.allowed_only || d == iamsim_engine::Decision::Allowed
}

/// Writes CSV with a header; `deciding` and `missing_keys` are `; `-separated.
pub(super) fn write_csv(m: &Matrix, out: &mut dyn Write) -> io::Result<()> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record(FIELDS)?;
    for (t, p, action, c) in m.cells() {
        if !allowed_filter(m, c.decision) {
            continue;
        }
        w.write_record([
            p.name.as_str(),
            t.name.as_str(),
            t.arn.as_str(),
            action,
            c.decision.as_str(),
            c.reason.as_str(),
            c.blocked_by.as_deref().unwrap_or(""),
            c.deciding.join("; ").as_str(),
            c.missing_keys.join("; ").as_str(),
        ])?;
    }
    w.flush()
}

/// Writes a JSON array, one object per line, fields in a fixed order.
pub(super) fn write_json(m: &Matrix, out: &mut dyn Write) -> io::Result<()> {
    let s = |v: &str| serde_json::Value::from(v).to_string();
    let list = |v: &[String]| serde_json::Value::from(v.to_vec()).to_string();
    let mut first = true;
    write!(out, "[")?;
    for (t, p, action, c) in m.cells() {
        if !allowed_filter(m, c.decision) {
            continue;
        }
        let values = [
            s(&p.name),
            s(&t.name),
            s(&t.arn),
            s(action),
            s(c.decision.as_str()),
            s(&c.reason),
            c.blocked_by.as_deref().map_or_else(|| "null".to_owned(), s),
            list(&c.deciding),
            list(&c.missing_keys),
        ];
        write!(out, "{}\n  {{", if first { "" } else { "," })?;
        first = false;
        for (i, (k, v)) in FIELDS.iter().zip(&values).enumerate() {
            write!(out, "{}\"{k}\": {v}", if i == 0 { "" } else { ", " })?;
        }
        write!(out, "}}")?;
    }
    writeln!(out, "{}]", if first { "" } else { "\n" })
}
