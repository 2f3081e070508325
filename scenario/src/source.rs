//! Where a scenario's files come from. [`Scenario::load`](crate::Scenario::load)
//! reads the disk; [`Scenario::load_from`](crate::Scenario::load_from) reads through
//! any [`FileSource`]: the same files with some replaced (`diff --replace`), or the
//! files as they were at a git revision (`diff --base`). The loader asks the source
//! for the scenario text, for each policy file, and for the matches of each policy
//! file pattern; everything else about loading is the same.

use crate::files::InputError;
use std::path::{Path, PathBuf};

/// Reads the files of a scenario.
pub trait FileSource: Send + Sync {
    /// The whole text of `path`, refusing files over `max_bytes` and invalid UTF-8.
    fn read_text(&self, path: &Path, max_bytes: u64) -> Result<String, InputError>;

    /// The files matching a `glob` pattern, sorted; `Err` for an invalid pattern.
    fn glob(&self, pattern: &str) -> Result<Vec<PathBuf>, String>;

    /// The name errors and explanations give the file read for `path` (by default
    /// the path itself; a replaced file is named by its replacement, a file at a
    /// git revision as `REV:path`).
    fn source_name(&self, path: &Path) -> String {
        path.display().to_string()
    }
}

/// The files on disk.
#[derive(Debug, Clone, Copy, Default)]
pub struct DiskFiles;

impl FileSource for DiskFiles {
    fn read_text(&self, path: &Path, max_bytes: u64) -> Result<String, InputError> {
        crate::files::read_text(path, max_bytes)
    }

    fn glob(&self, pattern: &str) -> Result<Vec<PathBuf>, String> {
        let mut found: Vec<PathBuf> = glob::glob(pattern)
            .map_err(|e| e.to_string())?
            .filter_map(Result::ok)
            .collect();
        found.sort();
        Ok(found)
    }
}

/// `path` with `.` and `..` components resolved lexically (no file system access):
/// two spellings of one file compare equal.
pub fn normalize(path: &Path) -> PathBuf {
    use std::path::Component;
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                let popped =
                    matches!(out.components().next_back(), Some(Component::Normal(_))) && out.pop();
                if !popped {
                    out.push("..");
                }
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalize_resolves_dots_lexically() {
        assert_eq!(
            normalize(Path::new("a/./b/../c.json")),
            Path::new("a/c.json")
        );
        assert_eq!(normalize(Path::new("../x/../y")), Path::new("../y"));
        assert_eq!(normalize(Path::new("/r/a/../../..")), Path::new("/.."));
    }
}
