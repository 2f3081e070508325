//! What the catalog says about the context keys a request lacked: whether AWS ever
//! supplies them for the action, so that "missing `s3:prefix`" on `s3:GetObject`
//! reads as a policy that can never see the key, not as a request to add it.

use iamsim_catalog::Catalog;

/// One line per missing key: a global key, a key AWS supplies for the action (when
/// the request has it), or one it never supplies for it. `None` when the catalog does
/// not know the action.
pub fn explain_missing_keys(catalog: &Catalog, action: &str, keys: &[&str]) -> Option<Vec<String>> {
    let info = catalog.action(action)?;
    let name = info.qualified_name();
    Some(
        keys.iter()
            .map(|&key| {
                if catalog.global_condition_key(key).is_some() {
                    format!("{key}: a global key — AWS includes it in requests where it applies")
                } else if info.supports_condition_key(key) {
                    format!("{key}: AWS supplies it for {name} when the request has it")
                } else {
                    format!(
                        "{key}: AWS never supplies it for {name} — a condition on it always sees it absent"
                    )
                }
            })
            .collect(),
    )
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
    }
}
