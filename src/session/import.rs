//! Importing into the open graph: other people's files read by an importer, merged into the
//! graph by identifier, and checked whole by the data-file rules before anything changes.
//!
//! **Invariant:** an import changes the graph entirely or not at all; into a database it is
//! written through the database's fold (the data file replaced atomically, the journal
//! restarted), so a crash leaves the old graph or the new one, never half of one.

use std::fmt;
use std::path::PathBuf;

use super::Session;
use crate::import::{self, ImportError, ImportOptions, Losses, MergeReport};
use crate::model::Date;

/// What an import did, or would do.
#[derive(Clone, Debug)]
pub struct ImportReport {
    /// The importer's name (`bods`).
    pub format: &'static str,
    /// The files read.
    pub files: Vec<PathBuf>,
    /// The records the importer made of them.
    pub entities: usize,
    pub relationships: usize,
    pub sources: usize,
    /// How they merged into the graph.
    pub merge: MergeReport,
    /// What had no home in the model.
    pub losses: Losses,
    /// Whether the graph was changed (not when refused, nor when only checking).
    pub applied: bool,
    /// Whether the importer's faster way read the files on every core; the graph and the
    /// report are the same either way.
    pub in_bulk: bool,
}

impl fmt::Display for ImportReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "read {} with {}: {} {}, {} {}, {} {}",
            if self.files.len() == 1 {
                self.files[0].display().to_string()
            } else {
                format!("{} files", self.files.len())
            },
            self.format,
            self.entities,
            if self.entities == 1 {
                "entity"
            } else {
                "entities"
            },
            self.relationships,
            if self.relationships == 1 {
                "relationship"
            } else {
                "relationships"
            },
            self.sources,
            if self.sources == 1 {
                "source"
            } else {
                "sources"
            },
        )?;
        write!(f, "{}", self.merge)?;
        write!(f, "{}", self.losses)
    }
}

/// Why an import changed nothing.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ImportRefused {
    /// The inputs could not be read, or break the model's rules once merged.
    #[error(transparent)]
    Import(#[from] ImportError),
    /// Something had no home in the model and the losses were not accepted. The report says
    /// what the import would have done.
    #[error("{} had no home in the model, so nothing was imported", counted(.0.losses.total()))]
    Losses(Box<ImportReport>),
    /// A dated view is shown: it hides relationships, so merging into it would lose them.
    #[error("the graph is shown as of {date}; show the whole graph first (as-of off)")]
    DatedView { date: Date },
    /// The open database is read-only.
    #[error("the database is open for reading only; open it for writing to import into it")]
    ReadOnly,
    /// The graph could not be turned into records, or the database could not be written.
    #[error("the import could not be written: {0}")]
    Write(String),
}

fn counted(n: usize) -> String {
    format!("{n} thing{}", if n == 1 { "" } else { "s" })
}

/// What to import.
#[derive(Clone, Debug)]
pub struct ImportRequest {
    /// The importer's name.
    pub format: String,
    /// Files and folders.
    pub paths: Vec<PathBuf>,
    pub options: ImportOptions,
    /// Import even when something has no home in the model.
    pub accept_losses: bool,
    /// Only check and report: the graph is left as it is.
    pub check_only: bool,
}

impl Session {
    /// Imports `request`'s files into the open graph, merging by identifier, and reports what
    /// it did. Refused, changing nothing, when something had no home in the model and the
    /// losses are not accepted. With a database, the merged graph is folded into its file.
    ///
    /// # Errors
    /// As `ImportRefused`.
    pub fn import(&mut self, request: &ImportRequest) -> Result<ImportReport, ImportRefused> {
        if let Some((date, _)) = &self.as_of {
            return Err(ImportRefused::DatedView { date: *date });
        }
        if let Some(db) = &self.db
            && db.read_only()
            && !request.check_only
        {
            return Err(ImportRefused::ReadOnly);
        }
        let format = import::format(&request.format)?;
        let files = import::read_inputs(format, &request.paths)?;
        import::check_format(format, &files)?;
        if let Some(batched) =
            import::adding::add_in_bulk(&self.graph, format, &files, &request.options).or_else(
                || import::adding::add_in_batches(&self.graph, format, &files, &request.options),
            )
        {
            let report = ImportReport {
                format: format.name,
                files: files.iter().map(|f| f.path.clone()).collect(),
                entities: batched.entities,
                relationships: batched.relationships,
                sources: batched.sources,
                merge: batched.merge,
                losses: batched.losses,
                applied: false,
                in_bulk: batched.in_bulk,
            };
            return self.apply_import(report, batched.graph, request);
        }
        let mut imported = import::read(format, &files, &request.options)?;
        let mut report = ImportReport {
            format: format.name,
            files: files.iter().map(|f| f.path.clone()).collect(),
            entities: imported.dataset.entity.len(),
            relationships: imported.dataset.relationship.len(),
            sources: imported.dataset.source.len(),
            merge: MergeReport::default(),
            losses: std::mem::take(&mut imported.losses),
            applied: false,
            in_bulk: false,
        };
        let (merge, graph) = if import::adding::only_adds(&self.graph, &imported) {
            // Nothing there changes: the records are added to the graph through its indexes.
            import::adding::add(&self.graph, imported)?
        } else {
            let mut base = self
                .graph
                .to_dataset()
                .map_err(|e| ImportRefused::Write(e.to_string()))?;
            let (merge, origins) =
                import::merge_traced(&mut base, imported.dataset, &imported.origins);
            let graph =
                import::records_graph(base, &origins, "the merged records", self.graph.schema())?;
            (merge, graph)
        };
        report.merge = merge;
        self.apply_import(report, graph, request)
    }

    /// Makes `graph`, the open graph with an import merged, the open graph, unless the
    /// import's losses are not accepted or it was only to be checked.
    fn apply_import(
        &mut self,
        mut report: ImportReport,
        mut graph: crate::store::Graph,
        request: &ImportRequest,
    ) -> Result<ImportReport, ImportRefused> {
        graph.set_schema(self.graph.schema());
        if !report.losses.is_empty() && !request.accept_losses {
            return Err(ImportRefused::Losses(Box::new(report)));
        }
        if request.check_only {
            return Ok(report);
        }
        if let Some(db) = &mut self.db {
            db.fold(&mut graph)
                .map_err(|e| ImportRefused::Write(e.to_string()))?;
        }
        self.graph = graph;
        report.applied = true;
        Ok(report)
    }
}
