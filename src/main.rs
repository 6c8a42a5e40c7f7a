//! The `alliances` binary: everything happens in `cli::run`.

fn main() -> std::process::ExitCode {
    alliances::cli::run()
}
