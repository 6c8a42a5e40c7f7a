//! alliances: a graph database and query tool for the alliances of tech and finance.
//!
//! Who invests in whom, who belongs to which consortium, who supplies whom. The library holds
//! the engine; the `alliances` binary is a thin shell over it.
//!
//! ```
//! let graph = alliances::default_graph();
//! let intel = graph.nodes_by_name("Intel Corporation")[0];
//! assert_eq!(graph.node_str(intel, "id"), Some("intel"));
//! ```

/// `println!` for what people read: the text passes through `model::printable`, so data
/// cannot send control characters to the terminal.
#[cfg_attr(not(feature = "cli"), allow(unused_macros))]
macro_rules! outln {
    () => { println!() };
    ($($arg:tt)*) => { println!("{}", $crate::model::printable(&format!($($arg)*))) };
}

/// `print!` through `model::printable`.
#[cfg_attr(not(feature = "cli"), allow(unused_macros))]
macro_rules! out {
    ($($arg:tt)*) => { print!("{}", $crate::model::printable(&format!($($arg)*))) };
}

/// `eprintln!` through `model::printable`.
#[cfg_attr(not(feature = "cli"), allow(unused_macros))]
macro_rules! errln {
    () => { eprintln!() };
    ($($arg:tt)*) => { eprintln!("{}", $crate::model::printable(&format!($($arg)*))) };
}

pub mod algo;
pub mod bench;
#[cfg(feature = "cli")]
pub mod cli;
pub mod datafile;
pub mod db;
pub mod export;
pub mod import;
pub mod model;
pub mod query;
#[cfg(feature = "cli")]
pub mod repl;
pub mod rules;
#[cfg(feature = "serve")]
pub mod serve;
pub mod session;
pub mod store;

pub use datafile::{LoadError, SaveError, default_graph, import_csv, load_files, save};
pub use model::{Date, Entity, Kind, RelType, Relationship, Schema, Source, Value};
pub use query::{Params, QueryError, QueryResult, execute};
pub use store::{Graph, Stats};
