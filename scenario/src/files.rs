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

/// `(document)` for the empty JSON Pointer, so messages never show a bare colon.
pub fn pointer_or_document(pointer: &str) -> &str {
    if pointer.is_empty() {
        "(document)"
    } else {
        pointer
    }
}

/// Reads a whole text file, refusing files over `max_bytes` and invalid UTF-8.
pub fn read_text(path: &Path, max_bytes: u64) -> Result<String, InputError> {
    check_size(path, max_bytes)?;
    let bytes = std::fs::read(path).map_err(|e| InputError::new(path, e))?;
    bytes_to_text(path, bytes)
}

/// Reads a text file as [`read_text`] does (same limits, same errors), but in blocks
/// of whole lines of about `block_bytes`, handing each to `block` with the number of
/// lines before it. One buffer is reused, so a large file costs the memory (and the
/// page faults of fresh memory) of one block instead of the whole file.
pub fn read_lines_in_blocks(
    path: &Path,
    max_bytes: u64,
    block_bytes: usize,
    mut block: impl FnMut(&str, u32),
) -> Result<(), InputError> {
    use std::io::Read;
    check_size(path, max_bytes)?;
    let mut file = std::fs::File::open(path).map_err(|e| InputError::new(path, e))?;
    let mut buf = Vec::with_capacity(block_bytes);
    let (mut lines_before, mut offset) = (0u32, 0usize);
    loop {
        let want = block_bytes.max(buf.len());
        let read = (&mut file)
            .take(want as u64)
            .read_to_end(&mut buf)
            .map_err(|e| InputError::new(path, e))?;
        let eof = read < want;
        // Cut after the last line end; a line longer than the block reads on.
        let end = if eof {
            buf.len()
        } else {
            match buf.iter().rposition(|&b| b == b'\n') {
                Some(i) => i + 1,
                None => continue,
            }
        };
        let bytes = buf.get(..end).unwrap_or_default();
        let text = std::str::from_utf8(bytes)
            .map_err(|e| utf8_error(path, bytes, e.valid_up_to(), lines_before, offset))?;
        block(text, lines_before);
        lines_before += count_newlines(bytes) as u32;
        offset += end;
        buf.drain(..end);
        if eof {
            return Ok(());
        }
    }
}

/// The number of `\n` in `bytes` (a plain `filter().count()` was a sixth of
/// `check`'s instructions on a large case file).
fn count_newlines(bytes: &[u8]) -> usize {
    memchr::memchr_iter(b'\n', bytes).count()
}

pub(crate) fn check_size(path: &Path, max_bytes: u64) -> Result<(), InputError> {
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
    Ok(())
}

/// Checks UTF-8 and reports the line:column of the first invalid byte.
pub fn bytes_to_text(path: &Path, bytes: Vec<u8>) -> Result<String, InputError> {
    String::from_utf8(bytes)
        .map_err(|e| utf8_error(path, e.as_bytes(), e.utf8_error().valid_up_to(), 0, 0))
}

/// The error for `bytes`, valid up to `valid`, that start at a line start after
/// `lines_before` lines and `offset` bytes of the file.
fn utf8_error(
    path: &Path,
    bytes: &[u8],
    valid: usize,
    lines_before: u32,
    offset: usize,
) -> InputError {
    let prefix = bytes.get(..valid).unwrap_or(bytes);
    let line = lines_before as usize + prefix.iter().filter(|&&b| b == b'\n').count() + 1;
    let line_start = prefix
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |i| i + 1);
    let column = String::from_utf8_lossy(prefix.get(line_start..).unwrap_or_default())
        .chars()
        .count()
        + 1;
    InputError {
        message: format!(
            "{}:{line}:{column}: invalid UTF-8 (byte 0x{:02x} at offset {})",
            path.display(),
            bytes.get(valid).copied().unwrap_or(0),
            offset + valid
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::count_newlines;

    #[test]
    fn newlines_are_counted_at_any_alignment() {
        let text = b"a\nbc\n\n\xc3\xa9\n\n0123456789\n\x0a\x8a\x0b\n";
        for start in 0..text.len() {
            for end in start..=text.len() {
                let naive = text[start..end].iter().filter(|&&b| b == b'\n').count();
                assert_eq!(count_newlines(&text[start..end]), naive);
            }
        }
    }
}
