//! Tests across the VRRP modules: codec vectors, receive checks, conformance cases on a
//! simulated clock, property tests and a randomized multi-router simulation.

mod advert;
mod behaviour;
mod conformance;
mod harness;
mod props;
mod sim;
mod sync;
