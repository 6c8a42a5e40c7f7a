//! The data model: values, dates and the alliance records. Plain data: no petgraph, no I/O.

mod alliance;
mod date;
mod format;
pub mod money;
mod names;
mod printable;
mod schema;
pub mod temporal;
mod time;
mod value;
pub mod vocabulary;

pub use alliance::{Entity, Kind, RelType, Relationship, Source, fields, is_slug, slugify};
pub use date::{Date, DateError};
pub use format::{human_duration, human_money};
pub use money::{FxRate, human_amount};
pub use names::{did_you_mean, fold_name, fold_name_into, suggest, suggest_each};
pub use printable::{is_unprintable, printable, printable_json, printable_width};
pub use schema::Schema;
pub use temporal::{DateTime, Duration, LocalDateTime, LocalTime, Temporal, Time, Zone};
pub use time::{Standing, standing, today};
pub use value::Value;
pub(crate) use value::{write_list, write_map};
pub use vocabulary::{Vocabulary, edge_type_of, label_of};
