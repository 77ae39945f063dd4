//! The console: a live view of the IPVS table for operators on a director.
//!
//! State (`app`) changes only in `update`, which does no I/O and returns `Effect`s; `view`
//! draws the state; `edge` owns the terminal, the clock and the kernel. Each feature is a
//! folder with its state, its keys and its view: `table`, `detail`, `conns`, `drift`,
//! `edit`, `vrrp`, `health`; `ui` holds what they share (theme, keymap, key notation,
//! number formats, layout). Features never import `update`: a key a feature does not handle
//! itself comes back as an `Action` for `update` to run. Themes and keymaps are TOML files
//! (`themes/`, `keymaps/`), built in and overridable.

pub mod action;
pub mod app;
pub mod conns;
pub mod detail;
pub mod directors;
pub mod drift;
pub mod edge;
pub mod edit;
pub mod event;
pub mod fleet;
pub mod health;
pub mod pair;
pub mod table;
pub mod ui;
pub mod update;
pub mod view;
pub mod vrrp;

pub use app::App;
pub use event::{Effect, Event, Snapshot, Source};
pub use update::update;

/// The old paths of three moved modules, kept only for `examples/console_bench.rs` (outside
/// this folder); remove them when it imports `ui::{keymap, theme}` and `edge::reader`.
pub use edge::reader;
pub use ui::{keymap, theme};

#[cfg(test)]
mod tests;
