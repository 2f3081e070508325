//! Helpers shared by the CLI integration tests: each test file says `mod common;`.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

/// The repository root, where the binary runs so that relative paths (and nothing
/// machine-specific) end up in its output.
pub fn repo_root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Runs the `iamsim` binary in `dir` with `args`, feeding `stdin` when given (from a
/// thread, so a binary that stops reading early cannot dead-lock the test; a broken
/// pipe is then expected and ignored). Without `stdin` the child reads nothing.
pub fn run_iamsim(dir: &Path, args: &[&str], stdin: Option<&[u8]>) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_iamsim"));
    command.current_dir(dir).args(args);
    let Some(data) = stdin else {
        return command
            .output()
            .unwrap_or_else(|e| panic!("run iamsim: {e}"));
    };
    let mut child = command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("run iamsim: {e}"));
    let mut input = child.stdin.take().unwrap_or_else(|| panic!("no stdin"));
    let data = data.to_vec();
    let writer = std::thread::spawn(move || {
        let _ = input.write_all(&data);
    });
    let output = child
        .wait_with_output()
        .unwrap_or_else(|e| panic!("wait for iamsim: {e}"));
    let _ = writer.join();
    output
}
