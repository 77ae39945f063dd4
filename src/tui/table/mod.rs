//! The live table: its rows in order (`rows`), the columns and row keys (`columns`), the
//! sort (`sort`), the `/` query (`filter`), the change marks (`changes`), and its view
//! (`view`, `filter_bar`). The table is the console's home screen, so its position
//! (selection, cursor, page) lives on `App` itself.

pub mod changes;
pub mod columns;
pub mod filter;
pub mod filter_bar;
pub mod rows;
pub mod sort;
pub mod view;
