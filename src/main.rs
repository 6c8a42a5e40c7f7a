//! The `alliances` binary: everything happens in `cli::run`.

// Loading and importing make and free millions of small records; mimalloc does that at a
// fraction of the system allocator's cost and keeps the freed memory less fragmented. The
// library leaves the choice to the program that embeds it.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    // mimalloc returns freed memory to the system 10 ms after it is freed by default, and a
    // load that frees one structure as it builds the next then faults it back in page by
    // page; a second's delay keeps it. Read on first use, so set before the first large free;
    // a value the user set is kept.
    if std::env::var_os("MIMALLOC_PURGE_DELAY").is_none() {
        // SAFETY: first thing in `main`, before any other thread exists.
        unsafe { std::env::set_var("MIMALLOC_PURGE_DELAY", "1000") };
    }
    // A reader that stops early (`alliances stats | head -3`) ends the program quietly, as it
    // does any Unix tool, instead of making the next print fail.
    #[cfg(unix)]
    // SAFETY: done first, before any other thread exists; SIG_DFL is always a valid handler.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
    alliances::cli::run()
}
