//! Undo: the table after a change is worked out from the table before it and the change's
//! ops, then `plan::converge(after, before)` gives the ops that put it back.

use crate::ipvs::{plan, table};
use crate::ipvs::{Op, ServiceEntry};

/// The ops that undo `ops` applied to `before`; `None` when they cannot be undone (zeroed
/// counters, timeouts, daemons) or when nothing would change back.
pub fn inverse(before: &[ServiceEntry], ops: &[Op]) -> Option<Vec<Op>> {
    let after = simulate(before, ops)?;
    let undo = plan::converge(&after, before);
    (!undo.is_empty()).then_some(undo)
}

/// The table as it will be after `ops` (settable fields only; counters left as they were);
/// `None` for ops that cannot be undone or that the kernel would refuse.
pub fn simulate(table: &[ServiceEntry], ops: &[Op]) -> Option<Vec<ServiceEntry>> {
    if ops.iter().any(|op| {
        matches!(
            op,
            Op::Zero(_) | Op::SetTimeouts(_) | Op::StartDaemon(_) | Op::StopDaemon(_)
        )
    }) {
        return None;
    }
    let mut t = table.to_vec();
    table::apply_all(&mut t, ops).ok()?;
    Some(t)
}
