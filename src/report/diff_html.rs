//! The diff as a self-contained HTML page (inline CSS, no script, nothing
//! fetched): the request space, then per resource a before/after grid of the
//! example requests — principals as rows, actions as columns, each changed cell
//! showing both decisions as words and colours — then every group with its cause.
//! All scenario text is escaped.

use super::diff::{space_line, texts, DiffView};
use super::escape::xml_escape as esc;
use iamsim_engine::Decision;
use std::collections::BTreeMap;
use std::io::{self, Write};

const STYLE: &str = "body{font:14px/1.45 system-ui,sans-serif;margin:20px;color:#1f2328}
table{border-collapse:collapse;margin:8px 0 18px}th,td{border:1px solid #d0d7de;padding:4px 8px;vertical-align:top}
th{background:#f6f8fa;font-size:12px}.allowed{background:#cdf3d8;color:#0a4d25}.explicitDeny{background:#ffd8d3;color:#8a1313}
.implicitDeny{background:#eceff2;color:#4d5660}td.changed{outline:3px solid #bf8700;outline-offset:-3px}
.arn{font:12px ui-monospace,monospace;color:#57606a}.lockout{font-weight:700;color:#8a1313}";

/// (principal, action) → (before, after).
type Grid<'a> = BTreeMap<(&'a str, &'a str), (Decision, Decision)>;

fn cell(d: Decision) -> String {
    format!(r#"<span class="{0}">{0}</span>"#, d.as_str())
}

/// Writes the page.
pub(super) fn write_html(v: &DiffView<'_>, out: &mut dyn Write) -> io::Result<()> {
    let r = v.report;
    let [a, d, k] = r.totals();
    writeln!(out, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>iamsim diff</title><style>{STYLE}</style></head><body>")?;
    writeln!(
        out,
        "<h1>iamsim diff</h1><p>{} → {}</p>",
        esc(&v.before),
        esc(&v.after)
    )?;
    writeln!(out, "<p>{}</p>", esc(&space_line(r)))?;
    writeln!(
        out,
        "<p><b>{a}</b> newly allowed, <b>{d}</b> newly denied, <b>{k}</b> deny kind changed</p>"
    )?;
    for c in &r.bucket_policy_control {
        writeln!(
            out,
            "<p>Bucket policy of <span class=\"arn\">{}</span> (s3:PutBucketPolicy / s3:DeleteBucketPolicy): before {}; after {}</p>",
            esc(&c.bucket),
            esc(&c.before.join(", ")),
            esc(&c.after.join(", "))
        )?;
        if c.only_root_after {
            writeln!(out, "<p class=\"lockout\">Lockout: after the change no principal but the account root user can change or delete this bucket policy.</p>")?;
        }
    }
    // resource → (principal, action) → (before, after)
    let mut grids: BTreeMap<&str, Grid<'_>> = BTreeMap::new();
    for g in &r.groups {
        for e in g.examples.iter().filter(|e| e.context.is_empty()) {
            grids.entry(e.resource.as_str()).or_default().insert(
                (e.principal.as_str(), e.action.as_str()),
                (e.before.response.decision, e.after.response.decision),
            );
        }
    }
    if !grids.is_empty() {
        writeln!(out, "<h2>Changed cells (examples, before → after)</h2>")?;
    }
    for (resource, cells) in &grids {
        let mut principals: Vec<&str> = cells.keys().map(|(p, _)| *p).collect();
        principals.dedup();
        let mut actions: Vec<&str> = cells.keys().map(|(_, a)| *a).collect();
        actions.sort_unstable();
        actions.dedup();
        writeln!(
            out,
            "<h3 class=\"arn\">{}</h3><table><thead><tr><th></th>",
            esc(resource)
        )?;
        for a in &actions {
            write!(out, "<th>{}</th>", esc(a))?;
        }
        writeln!(out, "</tr></thead><tbody>")?;
        for p in &principals {
            write!(out, "<tr><th>{}</th>", esc(p))?;
            for a in &actions {
                match cells.get(&(*p, *a)) {
                    Some((b, af)) => write!(
                        out,
                        "<td class=\"changed\">{} → {}</td>",
                        cell(*b),
                        cell(*af)
                    )?,
                    None => write!(out, "<td></td>")?,
                }
            }
            writeln!(out, "</tr>")?;
        }
        writeln!(out, "</tbody></table>")?;
    }
    writeln!(out, "<h2>Groups</h2><table><thead><tr><th>change</th><th>principal</th><th>requests</th><th>cause</th><th>example</th><th>before</th><th>after</th></tr></thead><tbody>")?;
    for g in &r.groups {
        let (ex, b, af) = g.examples.first().map(texts).unwrap_or_default();
        writeln!(
            out,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(g.kind.as_str()),
            esc(&g.principal),
            g.count,
            esc(&g.cause.to_string()),
            esc(&ex),
            esc(&b),
            esc(&af)
        )?;
    }
    writeln!(out, "</tbody></table>")?;
    for n in &r.notes {
        writeln!(out, "<p>note: {}</p>", esc(n))?;
    }
    writeln!(out, "</body></html>")
}
