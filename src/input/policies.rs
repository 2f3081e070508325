//! Policy files named on the command line (`eval --identity …`), each read as the
//! kind its flag says.

use iamsim_engine::model::{Policy, PolicyKind};
use iamsim_engine::PolicySet;
use iamsim_scenario::files::read_text;
use iamsim_scenario::{InputError, Warning};
use std::path::{Path, PathBuf};

/// The policy files of one request, by kind.
#[derive(Debug, Clone, Copy)]
pub struct PolicyFiles<'a> {
    /// Identity policies.
    pub identity: &'a [PathBuf],
    /// The resource policy.
    pub resource: Option<&'a Path>,
    /// The permissions boundary.
    pub boundary: Option<&'a Path>,
    /// The session policy.
    pub session: Option<&'a Path>,
    /// SCPs, one file per organization level.
    pub scp: &'a [PathBuf],
    /// RCPs, one file per organization level.
    pub rcp: &'a [PathBuf],
    /// Largest policy file read.
    pub max_bytes: u64,
}

/// Reads and parses one policy file; its warnings are appended to `warnings` as
/// `file:line:col: pointer: problem`.
pub fn load_policy(
    path: &Path,
    kind: PolicyKind,
    max_bytes: u64,
    warnings: &mut Vec<Warning>,
) -> Result<Policy, InputError> {
    let text = read_text(path, max_bytes)?;
    let source = path.display().to_string();
    let policy = Policy::parse(&text, kind, &source).map_err(|e| InputError {
        message: e.to_string(),
    })?;
    warnings.extend(Warning::of_policy(&policy, Some(&text)));
    Ok(policy)
}

impl PolicyFiles<'_> {
    /// Reads every file into a policy set; warnings are appended to `warnings`, in
    /// the order identity, resource, boundary, session, SCPs, RCPs.
    pub fn load(&self, warnings: &mut Vec<Warning>) -> Result<PolicySet, InputError> {
        let max = self.max_bytes;
        let identity = load_all(self.identity, PolicyKind::Identity, max, warnings)?;
        let resource = load_optional(self.resource, PolicyKind::Resource, max, warnings)?;
        let boundary = load_optional(self.boundary, PolicyKind::Boundary, max, warnings)?;
        let session = load_optional(self.session, PolicyKind::Session, max, warnings)?;
        // Each --scp/--rcp file is one organization level.
        let scp = load_all(self.scp, PolicyKind::Scp, max, warnings)?;
        let rcp = load_all(self.rcp, PolicyKind::Rcp, max, warnings)?;
        Ok(PolicySet {
            identity,
            resource,
            boundary,
            session,
            scp: scp.into_iter().map(|p| vec![p]).collect(),
            rcp: rcp.into_iter().map(|p| vec![p]).collect(),
        })
    }
}

fn load_all(
    paths: &[PathBuf],
    kind: PolicyKind,
    max_bytes: u64,
    warnings: &mut Vec<Warning>,
) -> Result<Vec<Policy>, InputError> {
    paths
        .iter()
        .map(|p| load_policy(p, kind, max_bytes, warnings))
        .collect()
}

fn load_optional(
    path: Option<&Path>,
    kind: PolicyKind,
    max_bytes: u64,
    warnings: &mut Vec<Warning>,
) -> Result<Option<Policy>, InputError> {
    path.map(|p| load_policy(p, kind, max_bytes, warnings))
        .transpose()
}
