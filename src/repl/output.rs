//! What the front ends share about the terminal: its width, CSV shown safely on it, and a
//! progress bar for long imports.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use crate::datafile::{ImportProgress, LoadError};
use crate::store::Graph;

/// CSV as it is on a pipe or in a file, and with control characters escaped on a terminal.
pub(crate) fn print_csv(csv: &str) {
    if std::io::stdout().is_terminal() {
        out!("{csv}");
    } else {
        print!("{csv}");
    }
}

/// The terminal's width when standard output is one, so that tables fit it.
pub(crate) fn terminal_width() -> Option<u16> {
    if !std::io::stdout().is_terminal() {
        return None;
    }
    std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.parse().ok())
        .or_else(|| comfy_table::Table::new().width())
}

/// Files smaller than this load too fast for a progress bar to help.
const PROGRESS_BAR_BYTES: u64 = 16 << 20;

/// A progress bar on standard error for loading large files, when a person is watching it.
pub(crate) fn load_progress_bar<const N: usize>(
    files: [&PathBuf; N],
) -> Option<indicatif::ProgressBar> {
    let size: u64 = files
        .iter()
        .filter_map(|f| std::fs::metadata(f).ok())
        .map(|m| m.len())
        .sum();
    if size < PROGRESS_BAR_BYTES || !std::io::stderr().is_terminal() {
        return None;
    }
    let bar = indicatif::ProgressBar::new(size);
    if let Ok(style) = indicatif::ProgressStyle::with_template(
        "{msg:18} {wide_bar} {binary_bytes}/{binary_total_bytes} {eta}",
    ) {
        bar.set_style(style);
    }
    bar.set_message("reading rows");
    Some(bar)
}

/// Moves the bar, if there is one, as an import reports its progress.
pub(crate) fn show_progress(bar: Option<&indicatif::ProgressBar>, event: ImportProgress) {
    let Some(bar) = bar else { return };
    match event {
        ImportProgress::Started { bytes } => bar.set_length(bytes),
        ImportProgress::Checked { bytes } => bar.inc(bytes),
        ImportProgress::Building => bar.set_message("building the graph"),
    }
}

/// Imports a pair of CSV files with a progress bar when they are large and a person watches.
///
/// # Errors
/// As `session::load_csv`.
pub(crate) fn load_csv(nodes: &Path, edges: &Path) -> Result<Graph, LoadError> {
    let (n, e) = (nodes.to_owned(), edges.to_owned());
    let bar = load_progress_bar([&n, &e]);
    let graph = crate::session::load_csv(nodes, edges, &|event| show_progress(bar.as_ref(), event));
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    graph
}
