//! The diff report (`iamsim diff`) in its formats: a `cdk diff`-like text table,
//! Markdown for a pull-request comment, JSON, GitHub annotations on the changed
//! statement's line, JUnit, and HTML (the before/after matrix of changed cells).
//! Every format states the request space with its counts.

use iamsim_engine::request::{Context, ContextValue};
use iamsim_scenario::diff::{Change, ChangeKind, DiffReport, Group, Side};
use std::fmt::Write as _;
use std::io::{self, Write};

/// The formats a diff is written in (`--format`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum DiffFormat {
    /// A table of changes grouped by principal and cause, with examples.
    Text,
    /// A pull-request comment.
    Markdown,
    /// The whole report as one JSON object.
    Json,
    /// GitHub Actions annotations on the changed statements' lines.
    Github,
    /// JUnit XML: one test case per group of changes.
    Junit,
    /// A self-contained page: before/after grids of the changed requests.
    Html,
}

/// What `--fail-on` makes a failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum FailOn {
    /// Anything newly allowed (a broadening).
    Allowed,
    /// Anything newly denied (a narrowing).
    Denied,
    /// Any change of decision, deny kind included.
    Any,
    /// Never (report only).
    None,
}

impl FailOn {
    /// True when changes of `kind` fail the run.
    pub fn fails(self, kind: ChangeKind) -> bool {
        match self {
            FailOn::Allowed => kind == ChangeKind::NewlyAllowed,
            FailOn::Denied => kind == ChangeKind::NewlyDenied,
            FailOn::Any => true,
            FailOn::None => false,
        }
    }

    /// The flag's word.
    pub fn as_str(self) -> &'static str {
        match self {
            FailOn::Allowed => "allowed",
            FailOn::Denied => "denied",
            FailOn::Any => "any",
            FailOn::None => "none",
        }
    }
}

/// A report with what it compared.
#[derive(Debug)]
pub struct DiffView<'a> {
    /// How the before version was read (`a.json`, `a.json at origin/main`).
    pub before: String,
    /// How the after version was read.
    pub after: String,
    /// The comparison.
    pub report: &'a DiffReport,
    /// The principals compared, in scenario order.
    pub principals: Vec<String>,
    /// What fails the run.
    pub fail_on: FailOn,
    /// The action catalog's version (JSON and JUnit name it).
    pub catalog: String,
}

impl DiffView<'_> {
    /// True when the run fails: a change `--fail-on` names, or an example that
    /// could not be confirmed.
    pub fn fails(&self) -> bool {
        !self.report.unconfirmed.is_empty()
            || self
                .report
                .groups
                .iter()
                .any(|g| self.fail_on.fails(g.kind))
    }
}

/// `1,234,567`.
fn thousands(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// The request-space sentence every format carries.
pub fn space_line(r: &DiffReport) -> String {
    let s = &r.space;
    format!(
        "request space: {} principals × ({} targets + {} resource witnesses + `*`) × their service's actions of {} (every catalog action of {} services: {}; plus the scenarios' own) + {} context witnesses = {} requests examined ({} without explicit context, {} with a context witness; {} witness requests left out because they would override a key the scenario derives for the caller or resource)",
        s.principals,
        s.targets,
        s.resource_witnesses,
        thousands(s.actions as u64),
        s.services,
        r.services.join(", "),
        s.context_witnesses,
        thousands(s.requests),
        thousands(s.base_requests),
        thousands(s.context_requests - s.skipped),
        thousands(s.skipped),
    )
}

fn context_text(c: &Context) -> String {
    c.iter()
        .map(|(k, v)| match v {
            ContextValue::Single(s) => format!("{k}={s}"),
            ContextValue::Multi(m) => format!("{k}=[{}]", m.join(",")),
        })
        .collect::<Vec<_>>()
        .join(" ")
}

fn request_text(c: &Change) -> String {
    let mut s = format!("{} {} on {}", c.principal, c.action, c.resource);
    if !c.context.is_empty() {
        let _ = write!(s, " with {}", context_text(&c.context));
    }
    s
}

fn side_text(s: &Side) -> String {
    let mut t = s.response.decision.as_str().to_owned();
    if s.statements.is_empty() {
        let _ = write!(t, " ({})", s.response.reason);
    } else {
        let names: Vec<String> = s.statements.iter().map(|x| x.to_string()).collect();
        let _ = write!(t, " by {}", names.join("; "));
    }
    t
}

fn mark(kind: ChangeKind) -> &'static str {
    match kind {
        ChangeKind::NewlyAllowed => "(+)",
        ChangeKind::NewlyDenied => "(-)",
        ChangeKind::DenyKindChanged => "(~)",
    }
}

fn plural(n: u64, one: &str, many: &str) -> String {
    format!("{} {}", thousands(n), if n == 1 { one } else { many })
}

fn listed(items: &[String], limit: usize) -> String {
    let mut s = items
        .iter()
        .take(limit)
        .cloned()
        .collect::<Vec<_>>()
        .join(", ");
    if items.len() > limit {
        let _ = write!(s, ", … ({} in all)", items.len());
    }
    s
}

/// Principals that lose access (newly denied somewhere), gain it, or neither.
fn who(r: &DiffReport, kind: ChangeKind) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for g in r.groups.iter().filter(|g| g.kind == kind) {
        if !out.contains(&g.principal) {
            out.push(g.principal.clone());
        }
    }
    out
}

fn summary_lines(v: &DiffView<'_>) -> Vec<String> {
    let r = v.report;
    let [allowed, denied, kind] = r.totals();
    let mut lines = vec![
        format!("iamsim diff: {} → {}", v.before, v.after),
        space_line(r),
        format!(
            "changes: {} newly allowed, {} newly denied, {} deny kind changed ({} groups)",
            thousands(allowed),
            thousands(denied),
            thousands(kind),
            r.groups.len()
        ),
    ];
    let gain = who(r, ChangeKind::NewlyAllowed);
    let lose = who(r, ChangeKind::NewlyDenied);
    if !gain.is_empty() {
        lines.push(format!("gain access: {}", gain.join(", ")));
    }
    if !lose.is_empty() {
        lines.push(format!("lose access: {}", lose.join(", ")));
    }
    // Who the change now denies explicitly (a Deny that now applies), and who
    // that leaves out: for a lock, "everyone but …".
    let mut denied_now: Vec<&str> = Vec::new();
    for g in &r.groups {
        let now_denies =
            matches!(&g.cause, iamsim_scenario::diff::Cause::Now(s) if s.effect == "Deny");
        if now_denies && !denied_now.contains(&g.principal.as_str()) {
            denied_now.push(&g.principal);
        }
    }
    if !denied_now.is_empty() {
        let spared: Vec<&str> = v
            .principals
            .iter()
            .map(String::as_str)
            .filter(|p| !denied_now.contains(p))
            .collect();
        denied_now.sort_by_key(|p| v.principals.iter().position(|q| q == p));
        lines.push(format!(
            "now explicitly denied somewhere: {} (everyone compared but: {})",
            denied_now.join(", "),
            if spared.is_empty() {
                "nobody".to_owned()
            } else {
                spared.join(", ")
            }
        ));
    }
    let unchanged: Vec<&str> = v
        .principals
        .iter()
        .filter(|p| !r.groups.iter().any(|g| &g.principal == *p))
        .map(String::as_str)
        .collect();
    if !r.groups.is_empty() {
        lines.push(format!(
            "no change for: {}",
            if unchanged.is_empty() {
                "(nobody)".to_owned()
            } else {
                unchanged.join(", ")
            }
        ));
    }
    if !r.only_before.is_empty() || !r.only_after.is_empty() {
        lines.push(format!(
            "not compared (in one version only): before {:?}, after {:?}",
            r.only_before, r.only_after
        ));
    }
    lines
}

fn control_lines(r: &DiffReport) -> Vec<String> {
    let mut lines = Vec::new();
    for c in &r.bucket_policy_control {
        let names = |v: &[String]| {
            if v.is_empty() {
                "nobody".to_owned()
            } else {
                v.join(", ")
            }
        };
        lines.push(format!(
            "bucket policy of {} (s3:PutBucketPolicy / s3:DeleteBucketPolicy): before {}; after {}",
            c.bucket,
            names(&c.before),
            names(&c.after)
        ));
        if c.only_root_after {
            lines.push(format!(
                "LOCKOUT: after the change no principal but the account root user can change or delete the bucket policy of {}",
                c.bucket
            ));
        }
    }
    lines
}

/// Writes `v` in `format`.
pub fn write(v: &DiffView<'_>, format: DiffFormat, out: &mut dyn Write) -> io::Result<()> {
    match format {
        DiffFormat::Text => write_text(v, out),
        DiffFormat::Markdown => write_markdown(v, out),
        DiffFormat::Json => write_json(v, out),
        DiffFormat::Github => write_github(v, out),
        DiffFormat::Junit => write_junit(v, out),
        DiffFormat::Html => super::diff_html::write_html(v, out),
    }
}

fn group_head(g: &Group) -> String {
    format!(
        "{} {:<17} {:<18} {:>9}  {}",
        mark(g.kind),
        g.kind.as_str(),
        g.principal,
        plural(g.count, "request", "requests"),
        g.cause
    )
}

fn write_text(v: &DiffView<'_>, out: &mut dyn Write) -> io::Result<()> {
    let r = v.report;
    for l in summary_lines(v) {
        writeln!(out, "{l}")?;
    }
    if r.groups.is_empty() {
        writeln!(out, "no request changes decision")?;
    } else {
        writeln!(out)?;
        writeln!(
            out,
            "+/- change            principal            requests  cause (the statement whose change decides)"
        )?;
        for g in &r.groups {
            writeln!(out, "{}", group_head(g))?;
            writeln!(out, "      actions:   {}", listed(&g.actions, 6))?;
            writeln!(out, "      resources: {}", listed(&g.resources, 3))?;
            for e in &g.examples {
                writeln!(out, "      e.g. {}", request_text(e))?;
                writeln!(out, "        before: {}", side_text(&e.before))?;
                writeln!(out, "        after:  {}", side_text(&e.after))?;
            }
        }
    }
    let control = control_lines(r);
    if !control.is_empty() {
        writeln!(out)?;
        for l in control {
            writeln!(out, "{l}")?;
        }
    }
    for c in &r.unconfirmed {
        writeln!(
            out,
            "UNCONFIRMED (re-evaluation disagrees; please report): {}",
            request_text(c)
        )?;
    }
    for n in &r.notes {
        writeln!(out, "note: {n}")?;
    }
    writeln!(
        out,
        "{}",
        if v.fails() {
            format!("result: FAIL (--fail-on {})", v.fail_on.as_str())
        } else {
            format!("result: pass (--fail-on {})", v.fail_on.as_str())
        }
    )
}

fn md_cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

fn write_markdown(v: &DiffView<'_>, out: &mut dyn Write) -> io::Result<()> {
    let r = v.report;
    let [allowed, denied, kind] = r.totals();
    let verdict = if v.fails() { "❌" } else { "✅" };
    writeln!(
        out,
        "### {verdict} iamsim diff: {} newly allowed, {} newly denied, {} deny kind changed",
        thousands(allowed),
        thousands(denied),
        thousands(kind)
    )?;
    writeln!(out)?;
    writeln!(out, "`{}` → `{}`", md_cell(&v.before), md_cell(&v.after))?;
    writeln!(out)?;
    writeln!(out, "{}", md_cell(&space_line(r)))?;
    writeln!(out)?;
    for l in summary_lines(v).iter().skip(3) {
        writeln!(out, "- {}", md_cell(l))?;
    }
    if !r.groups.is_empty() {
        writeln!(out)?;
        writeln!(
            out,
            "| | change | principal | requests | cause | example | before | after |"
        )?;
        writeln!(out, "|---|---|---|---:|---|---|---|---|")?;
        for g in &r.groups {
            let (ex, b, a) = match g.examples.first() {
                Some(e) => (request_text(e), side_text(&e.before), side_text(&e.after)),
                None => (String::new(), String::new(), String::new()),
            };
            writeln!(
                out,
                "| {} | {} | {} | {} | {} | {} | {} | {} |",
                mark(g.kind),
                g.kind.as_str(),
                md_cell(&g.principal),
                thousands(g.count),
                md_cell(&g.cause.to_string()),
                md_cell(&ex),
                md_cell(&b),
                md_cell(&a)
            )?;
        }
    }
    let control = control_lines(r);
    if !control.is_empty() {
        writeln!(out)?;
        for l in control {
            writeln!(out, "- {}", md_cell(&l))?;
        }
    }
    for c in &r.unconfirmed {
        writeln!(
            out,
            "- **unconfirmed** (re-evaluation disagrees): {}",
            md_cell(&request_text(c))
        )?;
    }
    for n in &r.notes {
        writeln!(out, "- note: {}", md_cell(n))?;
    }
    Ok(())
}

#[derive(serde::Serialize)]
struct JsonForm<'a> {
    before: &'a str,
    after: &'a str,
    fail_on: &'a str,
    fails: bool,
    catalog: &'a str,
    totals: Totals,
    #[serde(flatten)]
    report: &'a DiffReport,
}

#[derive(serde::Serialize)]
struct Totals {
    newly_allowed: u64,
    newly_denied: u64,
    deny_kind_changed: u64,
}

fn write_json(v: &DiffView<'_>, out: &mut dyn Write) -> io::Result<()> {
    let [newly_allowed, newly_denied, deny_kind_changed] = v.report.totals();
    let form = JsonForm {
        before: &v.before,
        after: &v.after,
        fail_on: v.fail_on.as_str(),
        fails: v.fails(),
        catalog: &v.catalog,
        totals: Totals {
            newly_allowed,
            newly_denied,
            deny_kind_changed,
        },
        report: v.report,
    };
    serde_json::to_writer_pretty(&mut *out, &form).map_err(io::Error::other)?;
    writeln!(out)
}

fn write_github(v: &DiffView<'_>, out: &mut dyn Write) -> io::Result<()> {
    use super::escape::{github_data, github_property};
    let r = v.report;
    for g in &r.groups {
        let level = if v.fail_on.fails(g.kind) {
            "error"
        } else if g.kind == ChangeKind::DenyKindChanged {
            "notice"
        } else {
            "warning"
        };
        let example = g
            .examples
            .first()
            .map(|e| {
                format!(
                    "; e.g. {}: before {}, after {}",
                    request_text(e),
                    side_text(&e.before),
                    side_text(&e.after)
                )
            })
            .unwrap_or_default();
        let message = format!(
            "{} for {}: {} ({}){example}",
            g.kind.as_str(),
            g.principal,
            plural(g.count, "request", "requests"),
            g.cause
        );
        let title = format!("iamsim diff: {}", g.kind.as_str());
        match g.cause.statement() {
            Some(s) => writeln!(
                out,
                "::{level} file={},line={},col={},title={}::{}",
                github_property(&s.source),
                s.line,
                s.column,
                github_property(&title),
                github_data(&message)
            )?,
            None => writeln!(
                out,
                "::{level} title={}::{}",
                github_property(&title),
                github_data(&message)
            )?,
        }
    }
    for l in control_lines(r) {
        let level = if l.starts_with("LOCKOUT") {
            "error"
        } else {
            "notice"
        };
        writeln!(
            out,
            "::{level} title=iamsim diff: bucket policy::{}",
            github_data(&l)
        )?;
    }
    for c in &r.unconfirmed {
        writeln!(
            out,
            "::error title=iamsim diff: unconfirmed change::{}",
            github_data(&request_text(c))
        )?;
    }
    writeln!(
        out,
        "::notice title=iamsim diff::{}",
        github_data(&space_line(r))
    )
}

fn write_junit(v: &DiffView<'_>, out: &mut dyn Write) -> io::Result<()> {
    use super::escape::{xml_escape, xml_text};
    let r = v.report;
    let failing = r.groups.iter().filter(|g| v.fail_on.fails(g.kind)).count() + r.unconfirmed.len();
    let tests = r.groups.len() + r.unconfirmed.len() + 1;
    writeln!(out, r#"<?xml version="1.0" encoding="UTF-8"?>"#)?;
    writeln!(
        out,
        r#"<testsuites name="iamsim diff" tests="{tests}" failures="{failing}">"#
    )?;
    writeln!(
        out,
        r#"  <testsuite name="{}" tests="{tests}" failures="{failing}">"#,
        xml_escape(&format!("{} → {}", v.before, v.after))
    )?;
    writeln!(
        out,
        r#"    <properties><property name="request_space" value="{}"/><property name="catalog" value="{}"/></properties>"#,
        xml_escape(&space_line(r)),
        xml_escape(&v.catalog)
    )?;
    writeln!(
        out,
        r#"    <testcase classname="iamsim.diff" name="request space examined"/>"#
    )?;
    for g in &r.groups {
        let name = format!("{} {}: {}", g.kind.as_str(), g.principal, g.cause);
        let mut body = format!("{} ({})\n", plural(g.count, "request", "requests"), g.cause);
        for e in &g.examples {
            let _ = writeln!(
                body,
                "e.g. {}\n  before: {}\n  after:  {}",
                request_text(e),
                side_text(&e.before),
                side_text(&e.after)
            );
        }
        if v.fail_on.fails(g.kind) {
            writeln!(
                out,
                r#"    <testcase classname="iamsim.diff" name="{}"><failure message="{}">{}</failure></testcase>"#,
                xml_escape(&name),
                xml_escape(g.kind.as_str()),
                xml_text(&body)
            )?;
        } else {
            writeln!(
                out,
                r#"    <testcase classname="iamsim.diff" name="{}"><system-out>{}</system-out></testcase>"#,
                xml_escape(&name),
                xml_text(&body)
            )?;
        }
    }
    for c in &r.unconfirmed {
        writeln!(
            out,
            r#"    <testcase classname="iamsim.diff" name="{}"><failure message="unconfirmed">re-evaluation disagrees with the batch path</failure></testcase>"#,
            xml_escape(&format!("unconfirmed: {}", request_text(c)))
        )?;
    }
    writeln!(out, "  </testsuite>")?;
    writeln!(out, "</testsuites>")
}

/// Shared with the HTML writer.
pub(super) fn texts(c: &Change) -> (String, String, String) {
    (request_text(c), side_text(&c.before), side_text(&c.after))
}
