//! The IPVS side of the engine: keeps the kernel's table converged with the configuration.
//!
//! Desired table = configuration ∘ health overrides ∘ operator overrides ([`desired`]); the
//! plan touches only services the configuration owns ([`ownership`]); differences nobody in
//! lvsdeck made are [`drift::Drift`], reverted or kept as the operator says ([`reconcile`]).
//! Those are pure. [`reconciler`] is the reconciler's tokio task, [`run`] assembles it with
//! the health checkers, [`release`] is what stopping does to the table, [`state_file`] what
//! `lvsdeck reconcile` remembers between runs.

pub mod desired;
pub mod drift;
pub mod ownership;
pub mod reconcile;
pub mod reconciler;
pub mod release;
pub mod run;
pub mod state_file;

#[cfg(test)]
mod tests;
