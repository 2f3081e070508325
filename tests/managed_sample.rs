//! AWS's own managed policies are the best test of warnings: AWS stores every one of
//! them, so a warning on a current document is a false one. A committed sample (see
//! `fixtures/managed-sample/README.md`); `benches/managed_policy_warnings.py` runs the
//! whole set on demand.

use iamsim_engine::{Policy, PolicyKind};

fn warnings(name: &str) -> Vec<String> {
    let path = format!("fixtures/managed-sample/{name}.json");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let policy = Policy::parse(&text, PolicyKind::Identity, &path)
        .unwrap_or_else(|e| panic!("AWS stores {path}, so it must load: {e}"));
    policy
        .warnings(Some(&text))
        .into_iter()
        .map(|w| format!("{}: {}", w.pointer, w.kind))
        .collect()
}

#[test]
fn current_managed_policies_draw_no_warning() {
    for name in [
        "current-AWSSupportServiceRolePolicy",
        "current-AWSMarketplaceSellerFullAccess",
        "current-AWSAuditManagerServiceRolePolicy",
    ] {
        assert_eq!(warnings(name), Vec::<String>::new(), "{name}");
    }
}

#[test]
fn the_real_mistake_in_a_historic_version_is_still_caught() {
    let w = warnings("historic-AdministratorAccess-Amplify-v1");
    assert_eq!(w.len(), 1, "{w:?}");
    assert!(
        w[0].contains("`amplifybackend: *` contains white space"),
        "{w:?}"
    );
}
