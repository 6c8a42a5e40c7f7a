//! One pass over a CSV file's bytes, on every core, for what a bulk import must know before
//! it reads a row: how many lines each part of the file holds (to size the tables and number
//! each piece's rows), whether any field may be quoted (a quoted field may hold a line end,
//! and then the file cannot be cut at any line end), and whether a piece is all ASCII (its
//! cells then need no UTF-8 check each).
//!
//! Reading a file of hundreds of megabytes once costs about as much as checking its rows on
//! one core here, so the pass counts lines block by block, remembers each block's count, and
//! looks for a quote and a byte beyond ASCII in the block while it is still in the cache: the
//! file is read from memory once, not once for each of those and again for each cut.

use std::ops::Range;

use crate::store::threads::{cores, on_threads};

/// How much of a file one count covers.
const BLOCK: usize = 1 << 18;

/// Below this many bytes one thread scans the whole file.
const PARALLEL_FROM: usize = 4 * BLOCK;

/// The most threads that scan a file.
const MAX_THREADS: usize = 4;

pub(super) struct Scan<'b> {
    bytes: &'b [u8],
    /// The line ends in each `BLOCK` of `bytes`, in order.
    block_lines: Vec<usize>,
    /// Where the first `"` is.
    first_quote: Option<usize>,
    /// Where the first byte beyond ASCII is.
    first_non_ascii: Option<usize>,
}

/// Rows cut from a file at line ends: their bytes, the line the first is on, how many line
/// ends they hold, and whether they are all ASCII.
pub(super) struct Rows<'b> {
    pub bytes: &'b [u8],
    pub first_line: u64,
    pub lines: usize,
    pub ascii: bool,
}

impl<'b> Scan<'b> {
    pub fn of(bytes: &'b [u8]) -> Scan<'b> {
        let blocks: Vec<&[u8]> = bytes.chunks(BLOCK).collect();
        let threads = if bytes.len() < PARALLEL_FROM {
            1
        } else {
            cores(MAX_THREADS)
        };
        let runs: Vec<&[&[u8]]> = blocks
            .chunks(blocks.len().div_ceil(threads).max(1))
            .collect();
        let scanned = on_threads(runs, scan_run);
        let mut block_lines = Vec::with_capacity(blocks.len());
        let (mut first_quote, mut first_non_ascii) = (None, None);
        for run in scanned {
            let start = block_lines.len() * BLOCK;
            first_quote = first_quote.or(run.quote.map(|at| start + at));
            first_non_ascii = first_non_ascii.or(run.non_ascii.map(|at| start + at));
            block_lines.extend(run.lines);
        }
        Scan {
            bytes,
            block_lines,
            first_quote,
            first_non_ascii,
        }
    }

    pub fn bytes(&self) -> &'b [u8] {
        self.bytes
    }

    /// The line ends in the whole file.
    pub fn lines(&self) -> usize {
        self.block_lines.iter().sum()
    }

    /// Whether some `"` lies at or after byte `at`.
    pub fn quoted_from(&self, at: usize) -> bool {
        match self.first_quote {
            Some(quote) if quote >= at => true,
            Some(_) => memchr::memchr(b'"', self.bytes.get(at..).unwrap_or_default()).is_some(),
            None => false,
        }
    }

    /// Whether the bytes at `range` are all ASCII.
    fn ascii_within(&self, range: Range<usize>) -> bool {
        match self.first_non_ascii {
            None => true,
            Some(at) if at >= range.end => true,
            Some(at) if at >= range.start => false,
            Some(_) => self.bytes[range].is_ascii(),
        }
    }

    /// The line ends within `range`: whole blocks from their counts, the ends counted.
    fn lines_in(&self, range: Range<usize>) -> usize {
        let full = range.start.div_ceil(BLOCK)..range.end / BLOCK;
        if full.is_empty() {
            return count_lines(&self.bytes[range]);
        }
        count_lines(&self.bytes[range.start..full.start * BLOCK])
            + self.block_lines[full.clone()].iter().sum::<usize>()
            + count_lines(&self.bytes[full.end * BLOCK..range.end])
    }

    /// Cuts the rows at `range` (no field quoted), whose first is on line `first_line`, into
    /// about `parts` pieces at line ends.
    pub fn split_rows(&self, range: Range<usize>, first_line: u64, parts: usize) -> Vec<Rows<'b>> {
        let mut pieces = Vec::with_capacity(parts);
        let mut start = range.start;
        let mut line = first_line;
        for part in 1..parts {
            let target = range.start + (range.end - range.start) * part / parts;
            let Some(cut) = memchr::memchr(b'\n', &self.bytes[target.max(start)..range.end]) else {
                break;
            };
            let end = target.max(start) + cut + 1;
            let lines = self.lines_in(start..end);
            pieces.push(Rows {
                bytes: &self.bytes[start..end],
                first_line: line,
                lines,
                ascii: self.ascii_within(start..end),
            });
            line += lines as u64;
            start = end;
        }
        pieces.push(Rows {
            bytes: &self.bytes[start..range.end],
            first_line: line,
            lines: self.lines_in(start..range.end),
            ascii: self.ascii_within(start..range.end),
        });
        pieces
    }
}

/// What one thread's run of blocks holds: each block's line ends, and where in the run the
/// first quote and the first byte beyond ASCII are.
struct RunScan {
    lines: Vec<usize>,
    quote: Option<usize>,
    non_ascii: Option<usize>,
}

fn scan_run(blocks: &[&[u8]]) -> RunScan {
    let (mut quote, mut non_ascii) = (None, None);
    let lines = blocks
        .iter()
        .enumerate()
        .map(|(i, block)| {
            if quote.is_none() {
                quote = memchr::memchr(b'"', block).map(|at| at + i * BLOCK);
            }
            if non_ascii.is_none() && !block.is_ascii() {
                non_ascii = block
                    .iter()
                    .position(|b| !b.is_ascii())
                    .map(|at| at + i * BLOCK);
            }
            count_lines(block)
        })
        .collect();
    RunScan {
        lines,
        quote,
        non_ascii,
    }
}

pub(super) fn count_lines(bytes: &[u8]) -> usize {
    memchr::memchr_iter(b'\n', bytes).count()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(rows: usize, quote_at: Option<usize>) -> Vec<u8> {
        let mut bytes = Vec::new();
        for row in 0..rows {
            if quote_at == Some(row) {
                bytes.extend_from_slice(b"\"q\",");
            }
            // Rows of different lengths, so cuts fall anywhere in a row.
            bytes.extend_from_slice(format!("row{row},{}\n", "x".repeat(row % 37)).as_bytes());
        }
        bytes
    }

    #[test]
    fn counts_lines_and_finds_the_first_quote_as_one_thread_would() {
        for (rows, quote) in [
            (0, None),
            (3, Some(1)),
            (40_000, None),
            (60_000, Some(59_000)),
        ] {
            let bytes = file(rows, quote);
            let scan = Scan::of(&bytes);
            assert_eq!(scan.lines(), count_lines(&bytes));
            assert_eq!(scan.first_quote, memchr::memchr(b'"', &bytes));
            for at in [0, bytes.len() / 3, bytes.len()] {
                assert_eq!(
                    scan.quoted_from(at),
                    memchr::memchr(b'"', &bytes[at..]).is_some()
                );
            }
        }
    }

    #[test]
    fn pieces_hold_every_row_once_with_their_line_numbers() {
        let bytes = file(70_000, None);
        assert!(
            bytes.len() > PARALLEL_FROM,
            "the scan runs on several threads"
        );
        let scan = Scan::of(&bytes);
        let body = 11..bytes.len() - 5;
        for parts in [1, 2, 3, 7] {
            let pieces = scan.split_rows(body.clone(), 2, parts);
            let joined: Vec<u8> = pieces
                .iter()
                .flat_map(|p| p.bytes.iter().copied())
                .collect();
            assert_eq!(joined, &bytes[body.clone()]);
            let mut line = 2;
            for piece in &pieces {
                assert_eq!(piece.first_line, line);
                assert_eq!(piece.lines, count_lines(piece.bytes));
                line += piece.lines as u64;
            }
            assert!(
                pieces[..pieces.len() - 1]
                    .iter()
                    .all(|p| p.bytes.ends_with(b"\n"))
            );
            assert!(pieces.iter().all(|p| p.ascii));
        }
        // One byte beyond ASCII, near the end: only the pieces holding it are not ASCII.
        let mut bytes = bytes;
        let at = bytes.len() - 100;
        bytes[at] = 0xC3;
        let scan = Scan::of(&bytes);
        for parts in [1, 2, 5] {
            for piece in scan.split_rows(body.clone(), 2, parts) {
                assert_eq!(piece.ascii, piece.bytes.is_ascii());
            }
        }
        let late = scan.split_rows(at + 50..bytes.len(), 2, 1);
        assert!(
            late[0].ascii,
            "a piece after the first byte beyond ASCII is checked itself"
        );
    }
}
