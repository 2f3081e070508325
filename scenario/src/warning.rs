//! Warnings about loaded policies: located (file, line:col, JSON Pointer), never
//! changing a decision. Commands print them, turn them into annotations and JUnit
//! output, and fail the run on them under `--strict`.

use iamsim_engine::model::Policy;
use iamsim_engine::{Location, PolicyWarning};
use std::fmt;

/// One warning about a policy, where it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Warning {
    /// The file (or `file` + pointer prefix for embedded policies), line:col and
    /// JSON Pointer of the element.
    pub location: Location,
    /// What is odd, in words.
    pub message: String,
}

impl Warning {
    /// The warnings of one parsed policy; `text` is its own source text when the
    /// policy is a whole file (for the size quota), `None` when it is embedded.
    pub fn of_policy(policy: &Policy, text: Option<&str>) -> Vec<Warning> {
        policy
            .warnings(text)
            .into_iter()
            .map(|w| Warning::of(policy, w))
            .collect()
    }

    fn of(policy: &Policy, w: PolicyWarning) -> Warning {
        Warning {
            location: Location {
                source: policy.source.clone(),
                pointer: w.pointer,
                position: w.position,
            },
            message: w.kind.to_string(),
        }
    }
}

/// `file:line:col: /pointer: message`.
impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.location, self.message)
    }
}
