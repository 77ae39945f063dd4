//! Keeps the kernel's IPVS table converged with the configuration.
//!
//! Desired table = config ∘ health overrides ∘ operator overrides ([`desired`]); the plan
//! touches only services the configuration owns ([`ownership`]); differences nobody in
//! lvsdeck made are reported as [`drift::Drift`] and reverted or kept as the operator says
//! ([`reconcile`]). Everything above is pure; [`task`] and [`cli`] are the edges that read
//! and write the kernel through the one netlink client.

pub mod cli;
pub mod desired;
pub mod drift;
pub mod ownership;
pub mod reconcile;
pub mod state_file;
pub mod task;

pub use desired::{Overrides, Presence, ServerId};
pub use drift::{Drift, DriftItem, DriftKey};
pub use reconcile::{DriftPolicy, Reconciler};
pub use task::{spawn, Command, Handle, Status};

#[cfg(test)]
mod tests;
