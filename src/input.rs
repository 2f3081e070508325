//! Reading input files: size limit, UTF-8 check with the position of the first bad
//! byte, and errors that name the file.

use std::fmt;
use std::path::Path;

/// Largest case file or expectation table read whole. Streams are not limited.
pub const DEFAULT_MAX_FILE_BYTES: u64 = 256 * 1024 * 1024;

/// Largest policy document read. AWS's largest policies (bucket policies) are 20 KB,
/// so anything near this limit is not a policy; `--max-policy-bytes` raises it.
pub const DEFAULT_MAX_POLICY_BYTES: u64 = 1024 * 1024;

/// A file that could not be used at all (exit code 2).
#[derive(Debug)]
pub struct InputError {
    /// `path[:line:col]: problem`.
    pub message: String,
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for InputError {}

impl InputError {
    /// An error about `path`.
    pub fn new(path: &Path, problem: impl fmt::Display) -> Self {
        InputError {
            message: format!("{}: {problem}", path.display()),
        }
    }
}

/// Reads a whole text file, refusing files over `max_bytes` and invalid UTF-8.
pub fn read_text(path: &Path, max_bytes: u64) -> Result<String, InputError> {
    let meta = std::fs::metadata(path).map_err(|e| InputError::new(path, e))?;
    if meta.is_dir() {
        return Err(InputError::new(path, "is a directory"));
    }
    if meta.len() > max_bytes {
        return Err(InputError::new(
            path,
            format!(
                "file is {} bytes, over the limit of {max_bytes} bytes (raise it with --max-file-bytes or --max-policy-bytes)",
                meta.len()
            ),
        ));
    }
    let bytes = std::fs::read(path).map_err(|e| InputError::new(path, e))?;
    bytes_to_text(path, bytes)
}

/// Checks UTF-8 and reports the line:column of the first invalid byte.
pub fn bytes_to_text(path: &Path, bytes: Vec<u8>) -> Result<String, InputError> {
    String::from_utf8(bytes).map_err(|e| {
        let valid = e.utf8_error().valid_up_to();
        let prefix = &e.as_bytes()[..valid];
        let line = prefix.iter().filter(|&&b| b == b'\n').count() + 1;
        let line_start = prefix
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |i| i + 1);
        let column = String::from_utf8_lossy(&prefix[line_start..])
            .chars()
            .count()
            + 1;
        InputError {
            message: format!(
                "{}:{line}:{column}: invalid UTF-8 (byte 0x{:02x} at offset {valid})",
                path.display(),
                e.as_bytes().get(valid).copied().unwrap_or(0)
            ),
        }
    })
}
