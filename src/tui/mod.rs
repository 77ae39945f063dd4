//! The console: a live view of the IPVS table for operators on a director.
//!
//! State (`app`) changes only in `update`, which does no I/O and returns `Effect`s; `view`
//! draws the state; `run` is the edge that owns the terminal, the clock and the kernel.
//! Themes and keymaps are TOML files (`themes/`, `keymaps/`), built in and overridable.

pub mod action;
pub mod app;
pub mod audit;
pub mod changes;
pub mod columns;
pub mod config_error;
pub mod conn_query;
pub mod conns;
pub mod drift;
pub mod edit;
pub mod event;
pub mod filter;
pub mod format;
pub mod health;
pub mod health_runner;
pub mod history;
pub mod keymap;
pub mod keys;
pub mod layout;
pub mod reader;
pub mod rows;
pub mod run;
pub mod scan_runner;
pub mod sort;
pub mod theme;
pub mod update;
pub mod view;
pub mod views;
pub mod vrrp;
pub mod vrrp_runner;

pub use app::App;
pub use event::{Effect, Event, Snapshot, Source};
pub use update::update;

#[cfg(test)]
mod tests;
