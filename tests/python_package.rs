//! The Python package (`python/`) under its own test suite, so that `cargo test` runs every
//! test: a virtual environment in `target/python-venv` with the pinned packages of
//! `python/requirements-test.txt`, the package built into it by `maturin develop` (the dev
//! profile, reusing the build cache), and `pytest python/tests` against the `alliances`
//! binary this run built.
//!
//! The environment is kept between runs: its packages are installed again only when the
//! requirements change, and maturin rebuilds only what changed, so a second run spends its
//! time in pytest. Without Python, or without a package index to fill the environment from,
//! the test says why and is skipped, unless ALLIANCES_REQUIRE_PYTHON is set (as `.ci/run`
//! does), when that fails it.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Instant;

/// Skips the test with `why`, or fails it when ALLIANCES_REQUIRE_PYTHON is set.
fn unavailable(why: &str) {
    assert!(
        std::env::var_os("ALLIANCES_REQUIRE_PYTHON").is_none(),
        "the Python package's tests need {why} (ALLIANCES_REQUIRE_PYTHON is set)"
    );
    eprintln!(
        "skipped: the Python package's tests need {why}; set ALLIANCES_REQUIRE_PYTHON=1 to make this a failure"
    );
}

/// Runs `command`, or says what could not be run.
fn run(command: &mut Command) -> Result<Output, String> {
    let shown = format!("{command:?}");
    command
        .output()
        .map_err(|e| format!("{shown} to run ({e})"))
}

fn tail(output: &Output) -> String {
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(30)..].join("\n")
}

/// The virtual environment with the pinned packages, made or brought up to date; its Python.
fn environment(root: &Path, venv: &Path) -> Result<PathBuf, String> {
    let python = venv.join("bin").join("python");
    if !python.exists() {
        let base = std::env::var("PYTHON").unwrap_or_else(|_| "python3".to_owned());
        let made = run(Command::new(&base).arg("-m").arg("venv").arg(venv))?;
        if !made.status.success() {
            return Err(format!(
                "a virtual environment, which `{base} -m venv` could not make:\n{}",
                tail(&made)
            ));
        }
    }
    let requirements = root.join("python/requirements-test.txt");
    let wanted = std::fs::read_to_string(&requirements)
        .map_err(|e| format!("{} to be readable ({e})", requirements.display()))?;
    let stamp = venv.join("requirements-installed.txt");
    if std::fs::read_to_string(&stamp).ok().as_deref() != Some(wanted.as_str()) {
        let installed = run(Command::new(&python)
            .args(["-m", "pip", "install", "-q", "--disable-pip-version-check"])
            .args(["--retries", "1", "--timeout", "15", "-r"])
            .arg(&requirements))?;
        if !installed.status.success() {
            return Err(format!(
                "the pinned packages of python/requirements-test.txt, which pip could not install (is the package index reachable?):\n{}",
                tail(&installed)
            ));
        }
        std::fs::write(&stamp, &wanted)
            .map_err(|e| format!("{} to be writable ({e})", stamp.display()))?;
    }
    Ok(python)
}

#[test]
fn the_python_package_passes_its_tests() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    // CARGO_TARGET_TMPDIR is `target/tmp`: the environment sits beside it.
    let target = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .expect("the target directory")
        .to_path_buf();
    let venv = target.join("python-venv");
    let started = Instant::now();
    let python = match environment(root, &venv) {
        Ok(python) => python,
        Err(why) => return unavailable(&why),
    };
    let ready = started.elapsed();

    let bin = venv.join("bin");
    let path = std::env::join_paths(std::iter::once(bin.clone()).chain(std::env::split_paths(
        &std::env::var_os("PATH").unwrap_or_default(),
    )))
    .expect("PATH entries without separators");
    let built = run(Command::new(bin.join("maturin"))
        .args(["develop", "-q"])
        .current_dir(root.join("python"))
        .env("VIRTUAL_ENV", &venv)
        .env("PATH", &path))
    .unwrap_or_else(|why| panic!("maturin develop failed: {why}"));
    assert!(
        built.status.success(),
        "maturin develop could not build the package:\n{}",
        tail(&built)
    );
    let compiled = started.elapsed();

    let tests = run(Command::new(&python)
        .args([
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "python/tests",
        ])
        .current_dir(root)
        .env("ALLIANCES_BIN", env!("CARGO_BIN_EXE_alliances"))
        .env("VIRTUAL_ENV", &venv)
        .env("PATH", &path))
    .unwrap_or_else(|why| panic!("pytest failed: {why}"));
    eprintln!(
        "python package: environment {:.1}s, build {:.1}s, pytest {:.1}s",
        ready.as_secs_f64(),
        (compiled - ready).as_secs_f64(),
        (started.elapsed() - compiled).as_secs_f64()
    );
    assert!(
        tests.status.success(),
        "pytest python/tests failed:\n{}{}",
        String::from_utf8_lossy(&tests.stdout),
        String::from_utf8_lossy(&tests.stderr)
    );
}
