//! Step 0, the source: text → JSON tree with positions ([`json`]), and the one
//! [`Location`] type (source name, JSON Pointer, line:column) every later step uses to
//! say where something sits. A leaf: depends on nothing else in the crate.

pub mod json;

pub use json::Position;

use std::fmt;
use std::sync::Arc;

/// Where an element of a policy sits: which source, which JSON Pointer, which line:column.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Location {
    /// The source name the caller gave (usually a file path).
    pub source: Arc<str>,
    /// JSON Pointer of the element within the source.
    pub pointer: String,
    /// Line and column of the element.
    pub position: Position,
}

/// JSON form: `{"source":…,"line":…,"column":…,"pointer":…}`.
impl serde::Serialize for Location {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut s = serializer.serialize_struct("Location", 4)?;
        s.serialize_field("source", &*self.source)?;
        s.serialize_field("line", &self.position.line)?;
        s.serialize_field("column", &self.position.column)?;
        s.serialize_field("pointer", &self.pointer)?;
        s.end()
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let pointer = if self.pointer.is_empty() {
            "(document)"
        } else {
            &self.pointer
        };
        write!(f, "{}:{}: {}", self.source, self.position, pointer)
    }
}
