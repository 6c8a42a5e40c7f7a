//! The `alliances` binary: everything happens in `cli::run`.

fn main() -> std::process::ExitCode {
    // A reader that stops early (`alliances stats | head -3`) ends the program quietly, as it
    // does any Unix tool, instead of making the next print fail.
    #[cfg(unix)]
    // SAFETY: done first, before any other thread exists; SIG_DFL is always a valid handler.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
    alliances::cli::run()
}
