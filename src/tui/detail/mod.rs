//! The detail view (`Enter`): everything about one service or real server, its rate
//! history (`history`) and the connections through it (the `conns` list, retargeted on the
//! row); its state here, its keys (`keys`) and its view (`view`).

pub mod history;
pub mod keys;
pub mod view;

use crate::tui::table::columns::RowKey;
use history::History;

#[derive(Debug, Clone, Default)]
pub struct DetailState {
    /// The row shown, by key (it follows the row across refreshes).
    pub row: Option<RowKey>,
    /// Rate samples of the rows looked at, for the sparklines.
    pub history: History,
}
