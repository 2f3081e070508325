//! Where `iamsim diff` reads a version of the world from: the disk, the disk with
//! some policy files replaced (`--replace OLD=NEW`), or a git revision (`--base
//! REV`: the scenario and every file it names as `git show REV:path` gives them).

use crate::error::CliError;
use iamsim_scenario::files::{bytes_to_text, InputError};
use iamsim_scenario::source::{normalize, DiskFiles, FileSource};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Mutex;

/// The absolute, lexically normalized form of `path` (relative to the current
/// directory).
fn absolute(path: &Path) -> PathBuf {
    let joined = if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir().unwrap_or_default().join(path)
    };
    normalize(&joined)
}

/// Files read from `inner`, except those replaced: reading OLD reads NEW.
pub struct Replaced {
    inner: Box<dyn FileSource>,
    /// Absolute OLD → (NEW as given, OLD as given).
    map: BTreeMap<PathBuf, (PathBuf, String)>,
    used: Mutex<Vec<PathBuf>>,
}

impl Replaced {
    /// Parses `OLD=NEW` arguments over `inner`.
    pub fn new(inner: Box<dyn FileSource>, pairs: &[String]) -> Result<Replaced, CliError> {
        let mut map = BTreeMap::new();
        for pair in pairs {
            let Some((old, new)) = pair.split_once('=') else {
                return Err(CliError::Usage(format!(
                    "--replace `{pair}`: expected OLD=NEW (a policy file the scenario names, and the file to read instead)"
                )));
            };
            if old.is_empty() || new.is_empty() {
                return Err(CliError::Usage(format!(
                    "--replace `{pair}`: both OLD and NEW must be file paths"
                )));
            }
            map.insert(
                absolute(Path::new(old)),
                (PathBuf::from(new), old.to_owned()),
            );
        }
        Ok(Replaced {
            inner,
            map,
            used: Mutex::new(Vec::new()),
        })
    }

    /// The OLD paths the scenario never read: a `--replace` that changed nothing.
    pub fn unused(&self) -> Vec<String> {
        let used = self.used.lock().map(|u| u.clone()).unwrap_or_default();
        self.map
            .iter()
            .filter(|(old, _)| !used.contains(old))
            .map(|(_, (_, given))| given.clone())
            .collect()
    }
}

impl FileSource for Replaced {
    fn read_text(&self, path: &Path, max_bytes: u64) -> Result<String, InputError> {
        let key = absolute(path);
        match self.map.get(&key) {
            Some((new, _)) => {
                if let Ok(mut used) = self.used.lock() {
                    used.push(key);
                }
                // The replacement is read from disk, as given on the command line.
                DiskFiles.read_text(new, max_bytes)
            }
            None => self.inner.read_text(path, max_bytes),
        }
    }

    fn glob(&self, pattern: &str) -> Result<Vec<std::path::PathBuf>, String> {
        self.inner.glob(pattern)
    }

    fn source_name(&self, path: &Path) -> String {
        match self.map.get(&absolute(path)) {
            Some((new, _)) => new.display().to_string(),
            None => self.inner.source_name(path),
        }
    }
}

/// Files as they are at a git revision.
pub struct GitRevision {
    /// The repository's top folder (absolute).
    top: PathBuf,
    rev: String,
}

fn git(dir: &Path, args: &[&str]) -> Result<Vec<u8>, String> {
    let out = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .output()
        .map_err(|e| format!("cannot run git: {e}"))?;
    if out.status.success() {
        Ok(out.stdout)
    } else {
        Err(String::from_utf8_lossy(&out.stderr).trim().to_owned())
    }
}

impl GitRevision {
    /// The revision `rev` of the repository holding `scenario`.
    pub fn new(scenario: &Path, rev: &str) -> Result<GitRevision, CliError> {
        let dir = absolute(scenario)
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_default();
        let top = git(&dir, &["rev-parse", "--show-toplevel"])
            .map_err(|e| CliError::Usage(format!("--base {rev}: {}: {e}", scenario.display())))?;
        let top = PathBuf::from(String::from_utf8_lossy(&top).trim());
        let top = top.canonicalize().unwrap_or(top);
        git(
            &top,
            &[
                "rev-parse",
                "--verify",
                "--quiet",
                &format!("{rev}^{{commit}}"),
            ],
        )
        .map_err(|_| {
            CliError::Usage(format!(
                "--base `{rev}`: not a revision of {}",
                top.display()
            ))
        })?;
        Ok(GitRevision {
            top,
            rev: rev.to_owned(),
        })
    }

    /// `path` relative to the repository's top, with `/` separators.
    fn in_repo(&self, path: &Path) -> Option<String> {
        let abs = absolute(path);
        // The current directory may be reached through a symlink.
        let abs = match std::env::current_dir()
            .ok()
            .and_then(|c| c.canonicalize().ok())
        {
            Some(real) if !path.is_absolute() => normalize(&real.join(path)),
            _ => abs,
        };
        let rel = abs.strip_prefix(&self.top).ok()?;
        let parts: Vec<String> = rel
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect();
        Some(parts.join("/"))
    }
}

impl FileSource for GitRevision {
    fn source_name(&self, path: &Path) -> String {
        match self.in_repo(path) {
            Some(rel) => format!("{}:{rel}", self.rev),
            None => path.display().to_string(),
        }
    }

    fn read_text(&self, path: &Path, max_bytes: u64) -> Result<String, InputError> {
        let Some(rel) = self.in_repo(path) else {
            return Err(InputError::new(
                path,
                format!("is outside the git repository {}", self.top.display()),
            ));
        };
        let bytes = git(&self.top, &["show", &format!("{}:{rel}", self.rev)])
            .map_err(|e| InputError::new(path, format!("at revision `{}`: {e}", self.rev)))?;
        if bytes.len() as u64 > max_bytes {
            return Err(InputError::new(
                path,
                format!("at revision `{}`: larger than {max_bytes} bytes", self.rev),
            ));
        }
        bytes_to_text(path, bytes)
    }

    fn glob(&self, pattern: &str) -> Result<Vec<PathBuf>, String> {
        let rel = self
            .in_repo(Path::new(pattern))
            .ok_or_else(|| format!("is outside the git repository {}", self.top.display()))?;
        let rel_glob = glob::Pattern::new(&rel).map_err(|e| e.to_string())?;
        let listing = git(&self.top, &["ls-tree", "-r", "--name-only", &self.rev])?;
        // Paths relative to the current folder when the repository is below it, so
        // that policy names in reports read as they do for files on disk.
        let cwd = std::env::current_dir()
            .ok()
            .and_then(|c| c.canonicalize().ok());
        let lead: PathBuf = match cwd.as_deref().and_then(|c| self.top.strip_prefix(c).ok()) {
            Some(below) => below.to_path_buf(),
            None => self.top.clone(),
        };
        let mut out: Vec<PathBuf> = String::from_utf8_lossy(&listing)
            .lines()
            .filter(|name| rel_glob.matches(name))
            .map(|name| lead.join(name))
            .collect();
        out.sort();
        Ok(out)
    }
}
