//! The connections view (`c`): the list's state and scans (`state`), the `/` query turned
//! into the scan's filter (`query`), and its view (`view`); `list_view` draws a list of
//! connections for this view and for the detail view.

pub mod list_view;
pub mod query;
pub mod state;
pub mod view;
