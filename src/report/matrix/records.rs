//! Record writers: one CSV row or JSON object per evaluation, in scenario order
//! (target, then principal, then action).

use super::Matrix;
use std::io::{self, Write};

/// The columns of a record: the target and request, then the engine's JSON form
/// of the response in its own order ([`iamsim_engine::ResponseJson`]).
const FIELDS: [&str; 9] = [
    "principal",
    "target",
    "arn",
    "action",
    "decision",
    "reason",
    "deciding",
    "blocked_by",
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
        let r = &c.response;
        if !allowed_filter(m, r.decision) {
            continue;
        }
        w.write_record([
            p.name.as_str(),
            t.name.as_str(),
            t.arn.as_str(),
            action,
            r.decision.as_str(),
            r.reason.as_str(),
            r.deciding.join("; ").as_str(),
            r.blocked_by.as_deref().unwrap_or(""),
            r.missing_keys.join("; ").as_str(),
        ])?;
    }
    w.flush()
}

/// One JSON record: where, then the response's JSON form flattened in.
#[derive(serde::Serialize)]
struct Record<'a> {
    principal: &'a str,
    target: &'a str,
    arn: &'a str,
    action: &'a str,
    #[serde(flatten)]
    response: &'a iamsim_engine::ResponseJson,
}

/// Writes a JSON object naming the scenario and the catalog, with the records
/// as an array, one compact object per line.
pub(super) fn write_json(m: &Matrix, out: &mut dyn Write) -> io::Result<()> {
    let json = |s: &str| serde_json::Value::from(s).to_string();
    let mut first = true;
    write!(
        out,
        "{{\"scenario\":{},\"catalog\":{},\"records\":[",
        json(&m.scenario),
        json(&m.catalog)
    )?;
    for (t, p, action, c) in m.cells() {
        if !allowed_filter(m, c.response.decision) {
            continue;
        }
        let record = Record {
            principal: &p.name,
            target: &t.name,
            arn: &t.arn,
            action,
            response: &c.response,
        };
        writeln!(out, "{}", if first { "" } else { "," })?;
        first = false;
        serde_json::to_writer(&mut *out, &record).map_err(io::Error::other)?;
    }
    writeln!(out, "{}]}}", if first { "" } else { "\n" })
}
