//! Runs what the configuration describes, at the edges where sockets, netlink and signals live.
//!
//! - IPVS: keeps the kernel's table converged with the configuration. Desired table = config ∘
//!   health overrides ∘ operator overrides ([`desired`]); the plan touches only services the
//!   configuration owns ([`ownership`]); differences nobody in lvsdeck made are reported as
//!   [`drift::Drift`] and reverted or kept as the operator says ([`reconcile`]). Those are pure;
//!   [`task`] (the reconciler's tokio task) and [`cli`] (`lvsdeck reconcile`) are the edges.
//! - VRRP: one tokio task per instance ([`vrrp`]), publishing status through watch channels and
//!   taking commands; [`daemon`] is `lvsdeck daemon`.
//! - Health: the checkers' decisions become the reconciler's health layer ([`verdicts`],
//!   pure); [`checks`] and [`ipvs_run`] run them in the daemon; [`health_status`] is what
//!   the console sees.

pub mod alerts;
pub mod checks;
pub mod cli;
pub mod control;
pub mod daemon;
pub mod desired;
pub mod drift;
pub mod health_scripts;
pub mod health_status;
pub mod ipvs_run;
pub mod operator;
pub mod ownership;
pub mod reconcile;
pub mod release;
pub mod state_file;
pub mod task;
pub mod verdicts;
pub mod vrrp;

pub use desired::{Overrides, Presence, ServerId};
pub use drift::{Drift, DriftItem, DriftKey};
pub use health_status::{HealthStatus, ServerView, Why};
pub use reconcile::{DriftPolicy, Reconciler};
pub use task::{spawn, Command, Handle, Status};

#[cfg(test)]
mod tests;
