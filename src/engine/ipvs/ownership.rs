//! Which kernel services lvsdeck may touch: exactly those the configuration declares, plus
//! those the previous configuration declared (so that removing a `virtual_server` removes
//! its service). Anything else on the director — hand-made services, another tool's — is
//! never read into a plan, so no plan can change it.

use std::collections::BTreeSet;

use crate::ipvs::plan;
use crate::ipvs::{Op, ServiceEntry, ServiceKey};

/// The services of `table` whose key is in `keys`.
pub fn owned_part(table: &[ServiceEntry], keys: &BTreeSet<ServiceKey>) -> Vec<ServiceEntry> {
    table
        .iter()
        .filter(|e| keys.contains(&e.service.config.key))
        .cloned()
        .collect()
}

/// The keys a table declares.
pub fn keys_of(table: &[ServiceEntry]) -> BTreeSet<ServiceKey> {
    table.iter().map(|e| e.service.config.key).collect()
}

/// The ops that make the owned part of `kernel` equal to `desired`: services of `desired`
/// are added or edited, services in `released` (owned before, not declared any more) are
/// deleted, every other kernel service is left as it is.
pub fn owned_plan(
    kernel: &[ServiceEntry],
    desired: &[ServiceEntry],
    released: &BTreeSet<ServiceKey>,
) -> Vec<Op> {
    let mut keys = keys_of(desired);
    keys.extend(released.iter().copied());
    plan::converge(&owned_part(kernel, &keys), desired)
}

/// The service an op changes (`None` for ops not about one service).
pub fn op_service(op: &Op) -> Option<ServiceKey> {
    match op {
        Op::AddService(s) | Op::EditService(s) => Some(s.key),
        Op::DelService(k) | Op::AddDest(k, _) | Op::EditDest(k, _) => Some(*k),
        Op::DelDest { service, .. } => Some(*service),
        Op::Zero(k) => *k,
        Op::Flush | Op::SetTimeouts(_) | Op::StartDaemon(_) | Op::StopDaemon(_) => None,
    }
}
