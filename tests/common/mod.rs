//! Helpers shared by the integration test modules (`use crate::common;`).

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

/// A finished run of the binary, its output decoded as UTF-8 (which every command
/// writes).
pub struct Run {
    /// The exit code (`None`: killed by a signal).
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

/// [`run_iamsim`], decoded.
pub fn run(dir: &Path, args: &[&str], stdin: Option<&[u8]>) -> Run {
    let out = run_iamsim(dir, args, stdin);
    Run {
        code: out.status.code(),
        stdout: String::from_utf8(out.stdout).expect("UTF-8 stdout"),
        stderr: String::from_utf8(out.stderr).expect("UTF-8 stderr"),
    }
}

/// Runs `iamsim check ARGS` in `dir`.
pub fn check_in(dir: &Path, args: &[&str]) -> Run {
    let mut full = vec!["check"];
    full.extend_from_slice(args);
    run(dir, &full, None)
}

/// Runs `iamsim check ARGS` from the repository root (relative paths in the output).
pub fn check(args: &[&str]) -> Run {
    check_in(repo_root(), args)
}

pub use iamsim_testkit::corpus::read_cases;
