//! The HTML report: one self-contained page (inline CSS and a little vanilla
//! JavaScript, nothing fetched) with a colour-coded grid per target. Every cell
//! shows its decision as a word, not only as a colour, and clicking it shows the
//! evaluation trace in a side panel. All scenario text is HTML-escaped.

use super::{count, Cell, Matrix, PrincipalInfo, TargetGrid, Traces};
use iamsim_engine::Decision;
use std::fmt::Write as _;
use std::io::{self, Write};

/// Escapes text for HTML element content and quoted attribute values.
pub(super) fn esc(s: &str) -> String {
    let mut o = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&#39;"),
            c => o.push(c),
        }
    }
    o
}

/// (CSS class, visible word, full decision name).
fn look(d: Decision) -> (&'static str, &'static str) {
    match d {
        Decision::Allowed => ("allow", "allow"),
        Decision::ExplicitDeny => ("deny", "DENY"),
        Decision::ImplicitDeny => ("implicit", "implicit"),
    }
}

const STYLE: &str = r#"
:root{--line:#d0d7de;--muted:#57606a;--allow-bg:#cdf3d8;--allow-fg:#0a4d25;--deny-bg:#ffd8d3;--deny-fg:#8a1313;--imp-bg:#eceff2;--imp-fg:#4d5660;--focus:#0969da}
*{box-sizing:border-box}
[hidden]{display:none!important}
body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;color:#1f2328;background:#fff}
header{padding:14px 20px 12px;border-bottom:1px solid var(--line);background:#f6f8fa}
h1{font-size:19px;margin:0 0 2px}
.sub{margin:0 0 10px;color:var(--muted)}
.controls{display:flex;flex-wrap:wrap;gap:10px 22px;align-items:center}
#filter{width:24em;max-width:100%;padding:5px 8px;font:inherit;border:1px solid #8c959f;border-radius:6px}
.legend{display:flex;flex-wrap:wrap;gap:6px 14px;align-items:center;margin:0;padding:0;list-style:none}
.legend .c{display:inline-block;width:auto;min-width:5.2em;margin-right:4px;cursor:default;border-radius:4px}
.toc{margin:10px 0 0;font-size:12px;color:var(--muted)}
.toc a{display:inline-block;margin:2px 8px 2px 0;color:#0969da;text-decoration:none}
.toc a:hover{text-decoration:underline}
.layout{display:flex;align-items:flex-start}
main{flex:1;min-width:0;padding:4px 20px 40px}
aside{flex:0 0 36%;max-width:640px;position:sticky;top:0;height:100vh;overflow:auto;border-left:1px solid var(--line);padding:14px 18px;background:#fbfcfd}
aside h2{font-size:13px;text-transform:uppercase;letter-spacing:.04em;color:var(--muted);margin:0 0 10px}
aside h3{font-size:15px;margin:8px 0 2px}
aside p{margin:2px 0 8px}
.hint{color:var(--muted)}
section.target{margin:18px 0 22px}
section.target h2{font-size:16px;margin:0}
.arn{display:block;color:var(--muted);font:12px/1.4 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;margin:2px 0 6px;overflow-wrap:anywhere}
.scroll{overflow-x:auto;max-width:100%}
table{border-collapse:collapse}
th,td{border:1px solid var(--line);padding:0}
tbody td{height:1px}
thead th{background:#f6f8fa;font-weight:600;font-size:12px;padding:4px 6px;text-align:center;vertical-align:bottom}
thead th.corner{text-align:left;font-weight:400;color:var(--muted)}
.svc{display:block;font-weight:400;color:var(--muted)}
tbody th{text-align:left;padding:2px 10px;font-weight:600;white-space:nowrap;background:#fff}
.kind{display:block;font-weight:400;font-size:11px;line-height:1.2;color:var(--muted)}
.c{display:block;width:100%;height:100%;min-width:5em;border:0;margin:0;padding:4px 8px;font:inherit;font-size:13px;font-weight:600;text-align:center;cursor:pointer}
.c.allow{background:var(--allow-bg);color:var(--allow-fg)}
.c.deny{background:var(--deny-bg);color:var(--deny-fg)}
.c.implicit{background:var(--imp-bg);color:var(--imp-fg);font-weight:400}
button.c:hover{filter:brightness(.94)}
button.c:focus-visible{outline:2px solid var(--focus);outline-offset:-2px}
button.c[aria-pressed=true]{outline:3px solid var(--focus);outline-offset:-3px}
.badge{display:inline-block;width:auto;min-width:0;border-radius:4px;padding:2px 8px;cursor:default}
dl{display:grid;grid-template-columns:max-content 1fr;gap:2px 10px;margin:8px 0}
dt{color:var(--muted)}dd{margin:0;overflow-wrap:anywhere}
pre{white-space:pre-wrap;overflow-wrap:anywhere;font:12px/1.5 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;background:#f6f8fa;border:1px solid var(--line);border-radius:6px;padding:10px;margin:8px 0}
.note{color:var(--muted);font-size:13px}
@media (max-width:900px){.layout{display:block}aside{position:static;height:auto;max-width:none;border-left:0;border-top:1px solid var(--line)}}
"#;

const SCRIPT: &str = r##"
(function(){
  var panel=document.getElementById('panel-body'), current=null;
  document.getElementById('grid').addEventListener('click',function(e){
    var b=e.target.closest('button.c');
    if(!b)return;
    var src=document.getElementById('x-'+b.getAttribute('data-x'));
    if(!src)return;
    panel.innerHTML=src.innerHTML;
    if(current)current.setAttribute('aria-pressed','false');
    current=b;b.setAttribute('aria-pressed','true');
    if(window.matchMedia('(max-width:900px)').matches)panel.scrollIntoView();
  });
  var filter=document.getElementById('filter'), only=document.getElementById('allowed-only'), empty=document.getElementById('empty');
  function apply(){
    var terms=filter.value.toLowerCase().split(/\s+/).filter(Boolean), shown=0;
    document.querySelectorAll('section.target').forEach(function(s){
      var any=false, tkey=s.getAttribute('data-key');
      s.querySelectorAll('tbody tr').forEach(function(r){
        var key=tkey+' '+r.getAttribute('data-key');
        var ok=terms.every(function(t){return key.indexOf(t)>=0;})&&(!only.checked||r.hasAttribute('data-allowed'));
        r.hidden=!ok;if(ok)any=true;
      });
      s.hidden=!any;if(any)shown++;
      var link=document.querySelector('.toc a[href="#'+s.id+'"]');if(link)link.hidden=!any;
    });
    empty.hidden=shown>0;
  }
  filter.addEventListener('input',apply);only.addEventListener('change',apply);apply();
})();
"##;

/// Writes the page.
pub(super) fn write_html(m: &Matrix, out: &mut dyn Write) -> io::Result<()> {
    let mut h = String::with_capacity(64 * 1024);
    let title = esc(&m.scenario);
    let [a, d, i] = m.counts();
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{title} — iamsim matrix</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<header>\n\
         <h1>{title}</h1>\n<p class=\"sub\">Access matrix: {} × {}, {} — \
         {a} allowed, {d} explicit deny, {i} implicit deny{}. Click a cell to see why.</p>\n\
         <div class=\"controls\">\n<label>Filter <input id=\"filter\" type=\"search\" \
         placeholder=\"principal or target, e.g. tokyo recordings\" autocomplete=\"off\"></label>\n\
         <label><input id=\"allowed-only\" type=\"checkbox\"> only principals with an allowed action</label>\n\
         <ul class=\"legend\" aria-label=\"Legend\">\
         <li><span class=\"c badge allow\">allow</span>allowed</li>\
         <li><span class=\"c badge deny\">DENY</span>explicit deny: a Deny statement applies</li>\
         <li><span class=\"c badge implicit\">implicit</span>implicit deny: nothing allows</li></ul>\n\
         </div>\n",
        count(m.shown_principals(), "principal"),
        count(m.targets.len(), "target"),
        count(a + d + i, "evaluation"),
        if m.allowed_only {
            " (allowed only: principals and actions without an allowed cell are left out)"
        } else {
            ""
        },
    );
    if !m.targets.is_empty() {
        h.push_str("<nav class=\"toc\" aria-label=\"Targets\">Targets: ");
        for (ti, t) in m.targets.iter().enumerate() {
            let _ = write!(h, "<a href=\"#t-{ti}\">{}</a>", esc(&t.name));
        }
        h.push_str("</nav>\n");
    }
    h.push_str("</header>\n<div class=\"layout\">\n<main id=\"grid\">\n");
    if m.traces == Traces::Decisive {
        h.push_str(
            "<p class=\"note\">This matrix is large: full traces are kept for allowed and explicitly \
             denied cells; implicit denials show their reason only (run <code>iamsim eval --explain</code> \
             for one).</p>\n",
        );
    }
    if m.targets.is_empty() {
        h.push_str("<p>Nothing to show: no target has an allowed action for the selected principals.</p>\n");
    }
    let mut store = String::with_capacity(64 * 1024);
    let mut x = 0usize;
    for (ti, t) in m.targets.iter().enumerate() {
        section(&mut h, &mut store, &mut x, m, ti, t);
    }
    h.push_str("<p id=\"empty\" hidden>Nothing matches the filter.</p>\n</main>\n");
    h.push_str(
        "<aside aria-label=\"Explanation\">\n<h2>Explanation</h2>\n<div id=\"panel-body\" aria-live=\"polite\">\
         <p class=\"hint\">Click a cell of the grid to see the decision, the reason and the \
         statement-by-statement trace of that evaluation.</p></div>\n</aside>\n</div>\n",
    );
    h.push_str("<div id=\"store\" hidden>\n");
    h.push_str(&store);
    h.push_str("</div>\n<script>");
    h.push_str(SCRIPT);
    h.push_str("</script>\n</body>\n</html>\n");
    out.write_all(h.as_bytes())
}

fn section(
    h: &mut String,
    store: &mut String,
    x: &mut usize,
    m: &Matrix,
    ti: usize,
    t: &TargetGrid,
) {
    let key = esc(&format!("{} {}", t.name, t.arn).to_lowercase());
    let _ = write!(
        h,
        "<section class=\"target\" id=\"t-{ti}\" data-key=\"{key}\">\n<h2 id=\"t-{ti}-h\">{}</h2>\n\
         <code class=\"arn\">{}</code>\n<div class=\"scroll\"><table aria-labelledby=\"t-{ti}-h\">\n<thead><tr>\
         <th scope=\"col\" class=\"corner\">principal</th>",
        esc(&t.name),
        esc(&t.arn)
    );
    for action in &t.actions {
        let (service, name) = match action.find(':') {
            Some(i) => action.split_at(i + 1),
            None => ("", action.as_str()),
        };
        let _ = write!(
            h,
            "<th scope=\"col\"><span class=\"svc\">{}</span>{}</th>",
            esc(service),
            esc(name)
        );
    }
    h.push_str("</tr></thead>\n<tbody>\n");
    for r in &t.rows {
        let p = &m.principals[r.principal];
        let allowed = r
            .cells
            .iter()
            .any(|c| c.response.decision == Decision::Allowed);
        let _ = write!(
            h,
            "<tr data-key=\"{}\"{}><th scope=\"row\" title=\"{}\">{}<span class=\"kind\">{}</span></th>",
            esc(&format!("{} {}", p.name, p.arn).to_lowercase()),
            if allowed { " data-allowed" } else { "" },
            esc(&p.arn),
            esc(&p.name),
            esc(p.kind)
        );
        for (action, c) in t.actions.iter().zip(&r.cells) {
            let (class, word) = look(c.response.decision);
            let _ = write!(
                h,
                "<td><button type=\"button\" class=\"c {class}\" data-x=\"{x}\" aria-pressed=\"false\" \
                 title=\"{}: {} → {}\">{word}</button></td>",
                c.response.decision,
                esc(&p.name),
                esc(action)
            );
            explanation(store, *x, p, t, action, c);
            *x += 1;
        }
        h.push_str("</tr>\n");
    }
    h.push_str("</tbody>\n</table></div>\n</section>\n");
}

/// One cell's panel content, kept hidden until the cell is clicked.
fn explanation(
    store: &mut String,
    x: usize,
    p: &PrincipalInfo,
    t: &TargetGrid,
    action: &str,
    c: &Cell,
) {
    let (class, word) = look(c.response.decision);
    let _ = write!(
        store,
        "<div id=\"x-{x}\"><p><span class=\"c badge {class}\">{word}</span> {}</p>\
         <h3>{} → {}</h3><p>on {}</p><code class=\"arn\">{}</code>",
        c.response.decision,
        esc(&p.name),
        esc(action),
        esc(&t.name),
        esc(&t.arn)
    );
    match &c.trace {
        Some(trace) => {
            let _ = write!(store, "<pre>{}</pre>", esc(trace.trim_end()));
        }
        None => {
            let _ = write!(
                store,
                "<dl><dt>reason</dt><dd>{}</dd>",
                esc(&c.response.reason)
            );
            if let Some(b) = &c.response.blocked_by {
                let _ = write!(store, "<dt>blocked by</dt><dd>{}</dd>", esc(b));
            }
            for s in &c.response.deciding {
                let _ = write!(store, "<dt>deciding</dt><dd>{}</dd>", esc(s));
            }
            if !c.response.missing_keys.is_empty() {
                let _ = write!(
                    store,
                    "<dt>missing keys</dt><dd>{}</dd>",
                    esc(&c.response.missing_keys.join(", "))
                );
            }
            store.push_str("</dl>");
        }
    }
    store.push_str("</div>\n");
}
