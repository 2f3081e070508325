//! Policy files named on the command line (`eval --identity …`), each read as the
//! kind its flag says.

use iamsim_catalog::Catalog;
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
    /// The action catalog their warnings check actions against.
    pub catalog: &'a Catalog,
}

/// Reads and parses one policy file; its warnings are appended to `warnings` as
/// `file:line:col: pointer: problem`.
pub fn load_policy(
    path: &Path,
    kind: PolicyKind,
    max_bytes: u64,
    catalog: &Catalog,
    warnings: &mut Vec<Warning>,
) -> Result<Policy, InputError> {
    let text = read_text(path, max_bytes)?;
    let source = path.display().to_string();
    let policy = Policy::parse(&text, kind, &source).map_err(|e| InputError {
        message: e.to_string(),
    })?;
    warnings.extend(Warning::of_policy(&policy, Some(&text), catalog));
    Ok(policy)
}

impl PolicyFiles<'_> {
    /// Reads every file into a policy set; warnings are appended to `warnings`, in
    /// the order identity, resource, boundary, session, SCPs, RCPs.
    pub fn load(&self, warnings: &mut Vec<Warning>) -> Result<PolicySet, InputError> {
        let identity = self.load_all(self.identity, PolicyKind::Identity, warnings)?;
        let resource = self.load_optional(self.resource, PolicyKind::Resource, warnings)?;
        let boundary = self.load_optional(self.boundary, PolicyKind::Boundary, warnings)?;
        let session = self.load_optional(self.session, PolicyKind::Session, warnings)?;
        // Each --scp/--rcp file is one organization level.
        let scp = self.load_all(self.scp, PolicyKind::Scp, warnings)?;
        let rcp = self.load_all(self.rcp, PolicyKind::Rcp, warnings)?;
        Ok(PolicySet {
            identity,
            resource,
            boundary,
            session,
            scp: scp.into_iter().map(|p| vec![p]).collect(),
            rcp: rcp.into_iter().map(|p| vec![p]).collect(),
        })
    }

    fn load_all(
        &self,
        paths: &[PathBuf],
        kind: PolicyKind,
        warnings: &mut Vec<Warning>,
    ) -> Result<Vec<Policy>, InputError> {
        paths
            .iter()
            .map(|p| load_policy(p, kind, self.max_bytes, self.catalog, warnings))
            .collect()
    }

    fn load_optional(
        &self,
        path: Option<&Path>,
        kind: PolicyKind,
        warnings: &mut Vec<Warning>,
    ) -> Result<Option<Policy>, InputError> {
        path.map(|p| load_policy(p, kind, self.max_bytes, self.catalog, warnings))
            .transpose()
    }
}
