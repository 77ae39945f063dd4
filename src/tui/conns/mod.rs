//! The connections view (`c`): the list's state and scans (`state`), the `/` query turned
//! into the scan's filter (`query`), its keys (`keys`) and its view (`view`); `list_view`
//! draws a list of connections for this view and for the detail view.

pub mod keys;
pub mod list_view;
pub mod query;
pub mod state;
pub mod view;

use crate::tui::action::Mode;
use state::ConnsState;

#[derive(Debug, Clone, Default)]
pub struct Conns {
    /// What is shown and the scans that fill it; the detail view shows its row's here too.
    pub list: ConnsState,
    /// Where Esc goes from the connections view.
    pub back: Option<Mode>,
    /// The view's `/` prompt: typed text, applied text, parse error.
    pub query_input: String,
    pub query_applied: String,
    pub query_error: Option<String>,
}
