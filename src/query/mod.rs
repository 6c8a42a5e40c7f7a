//! The query language: text → AST (`parser`). Planning and evaluation over the graph build on
//! this AST.

pub mod ast;
mod error;
mod parser;

pub use error::ParseError;
pub use parser::{MAX_NESTING, parse, parse_expr};
