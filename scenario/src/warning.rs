//! Warnings about loaded policies: located (file, line:col, JSON Pointer), never
//! changing a decision. Commands print them, turn them into annotations and JUnit
//! output, and fail the run on them under `--strict`.

use crate::suggest::did_you_mean;
use iamsim_catalog::Catalog;
use iamsim_engine::model::Policy;
use iamsim_engine::{Location, PolicyWarning};
use std::fmt;

/// One warning about a policy, where it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Warning {
    /// The file (or `file` + pointer prefix for embedded policies), line:col and
    /// JSON Pointer of the element.
    pub location: Location,
    /// What is odd, in words.
    pub message: String,
}

impl Warning {
    /// The warnings of one parsed policy; `text` is its own source text when the
    /// policy is a whole file (for the size quota), `None` when it is embedded.
    /// `catalog` decides which actions exist (the pinned one, or it plus an overlay).
    pub fn of_policy(policy: &Policy, text: Option<&str>, catalog: &Catalog) -> Vec<Warning> {
        let mut out: Vec<Warning> = policy
            .warnings(text)
            .into_iter()
            .map(|w| Warning::of(policy, w))
            .collect();
        out.extend(catalog_warnings(policy, catalog));
        out.sort_by_key(|w| (w.location.position.line, w.location.position.column));
        out
    }

    fn of(policy: &Policy, w: PolicyWarning) -> Warning {
        Warning {
            location: Location {
                source: policy.source.clone(),
                pointer: w.pointer,
                position: w.position,
            },
            message: w.kind.to_string(),
        }
    }
}

/// `file:line:col: /pointer: message`.
impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.location, self.message)
    }
}

/// Warnings only the action catalog can give about a policy's `Action`/`NotAction`
/// entries: a service or action AWS does not have (with the nearest names), and a
/// wildcard that matches no action. Entries with white space are left to the
/// engine's own warning; `*` alone always matches.
pub fn catalog_warnings(policy: &Policy, catalog: &Catalog) -> Vec<Warning> {
    let mut out = Vec::new();
    for statement in &policy.statements {
        for entry in &statement.action.entries {
            let action = entry.value.as_str();
            if action == "*"
                || action.contains(char::is_whitespace)
                || Catalog::unlisted_but_used_by_aws(action)
            {
                continue;
            }
            let Some((service, _)) = action.split_once(':') else {
                continue;
            };
            let message = if action.contains(['*', '?']) {
                if catalog.covers_any(action) {
                    continue;
                }
                let near = catalog.suggest(action);
                format!(
                    "action pattern `{action}` matches no action of the catalog ({}){}",
                    catalog.version(),
                    did_you_mean(&near)
                )
            } else if catalog.action(action).is_some() {
                continue;
            } else if !service.contains(['*', '?']) && catalog.service(service).is_none() {
                let near = catalog.suggest_services(service);
                format!(
                    "unknown service `{service}` in action `{action}`{}; the catalog ({}) has no such prefix",
                    did_you_mean(&near),
                    catalog.version()
                )
            } else {
                let near = catalog.suggest(action);
                format!(
                    "unknown action `{action}`{}; the catalog ({}) does not list it",
                    did_you_mean(&near),
                    catalog.version()
                )
            };
            out.push(Warning {
                location: Location {
                    source: policy.source.clone(),
                    pointer: format!("{}{}", policy.pointer, entry.pointer),
                    position: entry.position,
                },
                message,
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use iamsim_engine::model::PolicyKind;

    fn messages(actions: &str) -> Vec<String> {
        let text = format!(
            r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Action":{actions},"Resource":"*"}}]}}"#
        );
        let policy = Policy::parse(&text, PolicyKind::Identity, "p.json").expect("parses");
        catalog_warnings(&policy, Catalog::builtin())
            .into_iter()
            .map(|w| w.to_string())
            .collect()
    }

    #[test]
    fn typos_in_policies_are_located_warnings_with_the_nearest_names() {
        let w = messages(
            r#"["s3:GetObject","s3:GetObjects","conect:DescribeInstance","s3:Gett*","connect:*"]"#,
        );
        assert_eq!(w.len(), 3, "{w:?}");
        assert!(w[0].starts_with("p.json:1:"), "{w:?}");
        assert!(
            w[0].contains("/Statement/0/Action/1: unknown action `s3:GetObjects` (did you mean"),
            "{w:?}"
        );
        assert!(w[1].contains("unknown service `conect` in action `conect:DescribeInstance` (did you mean `connect`?)"), "{w:?}");
        assert!(
            w[2].contains("action pattern `s3:Gett*` matches no action"),
            "{w:?}"
        );
    }

    /// AWS's own managed policies name retired services and undocumented actions;
    /// AWS accepts them, so they are no warning (catalog/data/unlisted.txt).
    #[test]
    fn names_aws_itself_uses_draw_no_warning() {
        assert_eq!(
            messages(
                r#"["iotevents:DescribeAlarmModel","evidently:List*","budgets:CreateBudget","*"]"#
            ),
            Vec::<String>::new()
        );
    }
}
