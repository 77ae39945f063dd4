//! The drift list (`w`): every difference the reconciler found, to revert or keep one by
//! one; its keys (`keys`) and its view (`view`). The list itself is the health engine's
//! (`health::HealthState::drift`).

pub mod keys;
pub mod view;

#[derive(Debug, Clone, Default)]
pub struct DriftState {
    /// The selected entry.
    pub cursor: usize,
}
