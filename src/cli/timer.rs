//! The command line's diagrams and its `--timeout`: a timer thread that stops a statement or a
//! drawing, and writing what a command made to a file or standard output.

use std::path::Path;
use std::process::ExitCode;

use super::*;

/// `--timeout SECONDS` as a duration: a finite number above 0 that a duration can hold.
pub(super) fn timeout_arg(seconds: Option<f64>) -> Result<Option<std::time::Duration>, ExitCode> {
    match seconds {
        None => Ok(None),
        Some(t) => match std::time::Duration::try_from_secs_f64(t) {
            Ok(limit) if t > 0.0 => Ok(Some(limit)),
            _ => {
                errln!(
                    "error: --timeout takes a number of seconds greater than 0 (at most about 1.8e19), not {t}"
                );
                Err(ExitCode::from(2))
            }
        },
    }
}

/// A flag that a timer thread sets once `limit` has passed; dropping the timer stands the
/// thread down.
pub(super) struct Timer {
    pub(super) stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
    pub(super) finished: std::sync::Arc<std::sync::atomic::AtomicBool>,
}

impl Timer {
    pub(super) fn start(limit: Option<std::time::Duration>) -> Timer {
        let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let finished = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        if let Some(limit) = limit {
            let (stop, finished) = (
                std::sync::Arc::clone(&stop),
                std::sync::Arc::clone(&finished),
            );
            std::thread::spawn(move || {
                let started = std::time::Instant::now();
                while started.elapsed() < limit
                    && !finished.load(std::sync::atomic::Ordering::Relaxed)
                {
                    std::thread::sleep(std::time::Duration::from_millis(5).min(limit));
                }
                if !finished.load(std::sync::atomic::Ordering::Relaxed) {
                    stop.store(true, std::sync::atomic::Ordering::Relaxed);
                }
            });
        }
        Timer { stop, finished }
    }

    /// Whether the time ran out.
    pub(super) fn fired(&self) -> bool {
        self.stop.load(std::sync::atomic::Ordering::Relaxed)
    }
}

impl Drop for Timer {
    fn drop(&mut self) {
        self.finished
            .store(true, std::sync::atomic::Ordering::Relaxed);
    }
}

/// The DOT text of the diagram a scope selects, drawn within `--timeout`; the timer goes on
/// running for the rendering that may follow.
pub(super) fn diagram(drawing: &DrawingArgs) -> Result<(String, Timer), ExitCode> {
    let DrawingArgs {
        data,
        scope,
        timeout,
    } = drawing;
    let timer = Timer::start(timeout_arg(*timeout)?);
    let graph = match data.load() {
        Ok((graph, _)) => graph,
        Err(e) => return Err(fail(&e)),
    };
    let (selection, title) =
        crate::export::select_until(&graph, &scope.scope(), &query::Params::new(), &timer.stop)
            .map_err(|e| {
                if timer.fired() {
                    errln!("error: ran past --timeout and was stopped; nothing was written");
                } else {
                    errln!("error: {}", flags(&e));
                }
                ExitCode::FAILURE
            })?;
    if let Some(warning) = crate::export::size_warning(&selection) {
        errln!("{warning}");
    }
    let options = crate::export::DotOptions {
        title: Some(scope.title.clone().unwrap_or(title)),
        as_of: data.as_of,
        legend: !scope.no_legend,
    };
    Ok((crate::export::to_dot(&graph, &selection, &options), timer))
}

pub(super) fn write_output(path: Option<&Path>, bytes: &[u8]) -> ExitCode {
    match path {
        None => {
            use std::io::Write;
            let _ = std::io::stdout().write_all(bytes);
            ExitCode::SUCCESS
        }
        Some(path) => match crate::datafile::write_atomically(path, bytes) {
            Ok(()) => {
                errln!("wrote {}", path.display());
                ExitCode::SUCCESS
            }
            Err(e) => {
                errln!("error: cannot write {}: {e}", path.display());
                ExitCode::FAILURE
            }
        },
    }
}
