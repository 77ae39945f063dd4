//! The pair: a director as its peer sees it, and the two directors of a pair as one thing.
//!
//! The pure core: [`state`] (one director's picture as items keyed by their ipvsadm names),
//! [`delta`] (the changes between two pictures, and applying them), [`wire`] (the versioned
//! stream `lvsdeck serve --stdio` speaks), [`follow`] (the watching end: sequence, clock
//! offset, reachable or not) and [`invariants`] (what must hold between the
//! two directors of a pair). Reading a director and carrying the stream over SSH are edges,
//! under [`edge`].

pub mod delta;
pub mod digest;
pub mod drill;
pub mod edge;
pub mod fleet;
pub mod follow;
pub mod invariants;
pub mod state;
pub mod wire;
