//! The live table: its rows in order (`rows`), the columns and row keys (`columns`), the
//! sort (`sort`), the `/` query (`filter`, its prompt's state here), the change marks
//! (`changes`), its keys (`keys`) and its view (`view`, `filter_bar`). The table is the
//! console's home screen, so its position (selection, cursor, page) lives on `App` itself.

pub mod changes;
pub mod columns;
pub mod filter;
pub mod filter_bar;
pub mod keys;
pub mod rows;
pub mod sort;
pub mod view;

use filter::Filter;

/// The `/` prompt: what is typed, and the query in force.
#[derive(Debug, Clone, Default)]
pub struct FilterState {
    /// Text being edited (or the applied text when not editing).
    pub input: String,
    /// The text of the query in force, to restore on Esc.
    pub applied: String,
    pub query: Filter,
    /// Why `input` does not parse; the previous query stays in force meanwhile.
    pub error: Option<String>,
}
