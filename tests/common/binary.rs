//! The binary run as a user runs it: with arguments, and with input through a pipe, for the
//! test files that drive the command line and the shell.

// Each test file that includes this uses what it needs of it.
#![allow(dead_code)]

use std::io::Write;
use std::process::{Command, Output, Stdio};

/// `alliances ARGS…` with nothing on standard input.
pub fn alliances(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_alliances"))
        .args(args)
        .stdin(Stdio::null())
        .output()
        .expect("the binary runs")
}

/// `alliances ARGS…` reading `input` from a pipe, as a script piped into the shell.
pub fn piped_with(args: &[&str], input: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_alliances"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary runs");
    child
        .stdin
        .take()
        .expect("a pipe")
        .write_all(input.as_bytes())
        .expect("the binary reads its input");
    child.wait_with_output().expect("the binary ends")
}

/// Output as text, whatever bytes it holds.
pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}
