//! Console tests on ratatui's TestBackend: snapshots of each region and state, key flows,
//! config errors, small terminals, and a timing helper for big tables.

mod edit_flows;
pub(crate) mod fixture;
mod flows;
mod health;
mod peers;
pub(crate) mod perf;
mod snapshots;
mod views;
mod vrrp;
