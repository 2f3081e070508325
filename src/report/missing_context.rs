//! What the catalog says about the context keys a request lacked: whether AWS ever
//! supplies them for the action, so that "missing `s3:prefix`" on `s3:GetObject`
//! reads as a policy that can never see the key, not as a request to add it.

use iamsim_catalog::Catalog;
use serde::Serialize;

/// Whether AWS ever puts a key in the request context of an action.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum KeySupply {
    /// A global key: AWS includes it in requests where it applies.
    Global,
    /// A key the catalog lists for the action: AWS supplies it when the request has it.
    ForAction,
    /// A key the action does not support: a condition on it always sees it absent.
    Never,
    /// The catalog does not know the action (`--allow-unknown-action`).
    Unknown,
}

impl KeySupply {
    /// The word JSON and CSV outputs use: `global`, `for-action`, `never`, `unknown`.
    pub fn as_str(self) -> &'static str {
        match self {
            KeySupply::Global => "global",
            KeySupply::ForAction => "for-action",
            KeySupply::Never => "never",
            KeySupply::Unknown => "unknown",
        }
    }
}

/// One missing key with what the catalog says of it, as JSON outputs carry it
/// (`{"key":"s3:prefix","supplied":"never"}`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MissingKey {
    /// The key as the policy wrote it.
    pub key: String,
    /// Whether AWS ever supplies it for the action.
    pub supplied: KeySupply,
}

/// Classifies each missing key of a request for `action`.
pub fn classify(catalog: &Catalog, action: &str, keys: &[&str]) -> Vec<MissingKey> {
    let info = catalog.action(action);
    keys.iter()
        .map(|&key| {
            let supplied = if catalog.global_condition_key(key).is_some() {
                KeySupply::Global
            } else {
                match &info {
                    None => KeySupply::Unknown,
                    Some(info) if info.supports_condition_key(key) => KeySupply::ForAction,
                    Some(_) => KeySupply::Never,
                }
            };
            MissingKey {
                key: key.to_owned(),
                supplied,
            }
        })
        .collect()
}

/// One line per missing key: a global key, a key AWS supplies for the action (when
/// the request has it), or one it never supplies for it. `None` when the catalog does
/// not know the action.
pub fn explain_missing_keys(catalog: &Catalog, action: &str, keys: &[&str]) -> Option<Vec<String>> {
    let name = catalog.action(action)?.qualified_name();
    Some(
        classify(catalog, action, keys)
            .into_iter()
            .map(|MissingKey { key, supplied }| match supplied {
                KeySupply::Global => {
                    format!("{key}: a global key — AWS includes it in requests where it applies")
                }
                KeySupply::ForAction => {
                    format!("{key}: AWS supplies it for {name} when the request has it")
                }
                KeySupply::Never | KeySupply::Unknown => format!(
                    "{key}: AWS never supplies it for {name} — a condition on it always sees it absent"
                ),
            })
            .collect(),
    )
}

/// `render_text`'s trace followed by the catalog's word on each missing key, for
/// the explanations of `eval --explain` and of `check` failures.
pub fn explanation_text(
    catalog: &Catalog,
    set: &iamsim_engine::CompiledPolicySet,
    request: &iamsim_engine::Request,
) -> String {
    let explanation = set.explain(request);
    let mut text = iamsim_engine::render_text(set, request, &explanation);
    let keys = &explanation.response.missing_keys;
    for line in explain_missing_keys(catalog, request.action(), keys).unwrap_or_default() {
        text.push_str("    ");
        text.push_str(&line);
        text.push('\n');
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_keys_are_classified_by_the_catalog() {
        let catalog = Catalog::builtin();
        let lines = explain_missing_keys(
            catalog,
            "s3:GetObject",
            &[
                "aws:SecureTransport",
                "s3:ExistingObjectTag/team",
                "s3:prefix",
            ],
        )
        .expect("a known action");
        assert!(lines[0].contains("a global key"), "{lines:?}");
        assert!(
            lines[1].contains("AWS supplies it for s3:GetObject"),
            "{lines:?}"
        );
        assert!(
            lines[2].contains("AWS never supplies it for s3:GetObject"),
            "{lines:?}"
        );
        assert!(lines[2].starts_with("s3:prefix"), "{lines:?}");
        let list = explain_missing_keys(catalog, "s3:ListBucket", &["s3:prefix"]).expect("known");
        assert!(
            list[0].contains("AWS supplies it for s3:ListBucket"),
            "{list:?}"
        );
        assert_eq!(
            explain_missing_keys(catalog, "s3:NoSuchAction", &["s3:prefix"]),
            None
        );
        let words: Vec<&str> = classify(
            catalog,
            "s3:GetObject",
            &["aws:SourceIp", "s3:ExistingObjectTag/a", "s3:prefix"],
        )
        .iter()
        .map(|k| k.supplied.as_str())
        .collect();
        assert_eq!(words, ["global", "for-action", "never"]);
        assert_eq!(
            classify(catalog, "s3:NoSuchAction", &["s3:prefix", "aws:SourceIp"])
                .iter()
                .map(|k| k.supplied)
                .collect::<Vec<_>>(),
            [KeySupply::Unknown, KeySupply::Global]
        );
        assert_eq!(
            serde_json::to_string(&classify(catalog, "s3:GetObject", &["s3:prefix"])).unwrap(),
            r#"[{"key":"s3:prefix","supplied":"never"}]"#
        );
    }
}
