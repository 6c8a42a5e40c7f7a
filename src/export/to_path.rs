//! Writing an export to a file or a folder, whole or not at all: what the shell's `:export`
//! and the command line's `alliances export -o` share.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use super::{AtomicFile, CypherOptions, Selection};
use crate::store::Graph;

/// The formats `write_to_path` writes, one file each but for the two that fill a folder.
pub const FORMATS: &[&str] = &["graphml", "jsonl", "cypher", "neo4j-admin", "parquet"];

/// Whether `format` writes a folder of files rather than one file.
pub fn fills_a_folder(format: &str) -> bool {
    matches!(format, "neo4j-admin" | "parquet")
}

/// What an export wrote, as a user reads it.
#[derive(Debug)]
pub struct Written {
    /// "wrote map.graphml", "wrote out/nodes.parquet and out/edges.parquet"...
    pub summary: String,
    /// The command that loads the files, when the target has one (`neo4j-admin`): the summary
    /// ends by announcing it.
    pub command: Option<String>,
}

/// Writes `selection` of `graph` as `format` to `path` (a file, or a folder for the formats
/// that `fills_a_folder`), stopping when `stop` is set; on any error nothing is left
/// half-written and a file there keeps its old content.
///
/// # Errors
/// An unknown format (naming the known ones), or the write's own error.
pub fn write_to_path(
    format: &str,
    graph: &Graph,
    selection: &Selection,
    path: &Path,
    cypher: &CypherOptions,
    stop: &Arc<AtomicBool>,
) -> Result<Written, String> {
    let one_file = |write: &dyn Fn(&mut dyn std::io::Write) -> std::io::Result<()>| {
        let written = AtomicFile::create(path).and_then(|file| {
            let mut out = file.writer(stop)?;
            write(&mut out)?;
            std::io::Write::flush(&mut out)?;
            drop(out);
            file.commit()
        });
        written
            .map(|()| Written {
                summary: format!("wrote {}", path.display()),
                command: None,
            })
            .map_err(|e| format!("cannot write {}: {e}", path.display()))
    };
    match format {
        "graphml" => one_file(&|out| super::write_graphml(graph, selection, out)),
        "jsonl" => one_file(&|out| super::write_jsonl(graph, selection, out)),
        "cypher" => one_file(&|out| super::write_cypher(graph, selection, cypher, out)),
        "neo4j-admin" => super::write_neo4j_admin_until(graph, selection, path, stop)
            .map(|files| Written {
                summary: format!(
                    "wrote {} nodes files and {} relationships files into {}; to load them into a stopped Neo4j, run {}/import.sh, which runs:",
                    files.nodes.len(),
                    files.relationships.len(),
                    path.display(),
                    path.display()
                ),
                command: Some(files.command),
            })
            .map_err(|e| format!("cannot write into {}: {e}", path.display())),
        "parquet" => super::write_parquet_until(graph, selection, path, stop)
            .map(|()| {
                let file = |name: &str| -> PathBuf { path.join(name) };
                Written {
                    summary: format!(
                        "wrote {} and {}",
                        file("nodes.parquet").display(),
                        file("edges.parquet").display()
                    ),
                    command: None,
                }
            })
            .map_err(|e| e.to_string()),
        other => Err(format!(
            "there is no export \"{other}\"; the formats are dot, {}",
            FORMATS.join(", ")
        )),
    }
}
