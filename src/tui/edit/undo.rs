//! Undo: the table after a change is worked out from the table before it and the change's
//! ops, then `plan::converge(after, before)` gives the ops that put it back.

use crate::ipvs::plan;
use crate::ipvs::{Dest, Op, Service, ServiceEntry, Stats};

/// The ops that undo `ops` applied to `before`; `None` when they cannot be undone (zeroed
/// counters, timeouts, daemons) or when nothing would change back.
pub fn inverse(before: &[ServiceEntry], ops: &[Op]) -> Option<Vec<Op>> {
    let after = simulate(before, ops)?;
    let undo = plan::converge(&after, before);
    (!undo.is_empty()).then_some(undo)
}

/// The table as it will be after `ops` (settable fields only; counters left as they were).
pub fn simulate(table: &[ServiceEntry], ops: &[Op]) -> Option<Vec<ServiceEntry>> {
    let mut t = table.to_vec();
    for op in ops {
        match op {
            Op::AddService(c) => t.push(ServiceEntry {
                service: Service {
                    config: c.clone(),
                    stats: Stats::default(),
                },
                dests: Vec::new(),
            }),
            Op::EditService(c) => {
                for e in t.iter_mut().filter(|e| e.service.config.key == c.key) {
                    e.service.config = c.clone();
                }
            }
            Op::DelService(k) => t.retain(|e| e.service.config.key != *k),
            Op::Flush => t.clear(),
            Op::AddDest(k, d) => {
                for e in t.iter_mut().filter(|e| e.service.config.key == *k) {
                    e.dests.push(Dest {
                        config: d.clone(),
                        active_conns: 0,
                        inact_conns: 0,
                        persist_conns: 0,
                        stats: Stats::default(),
                    });
                }
            }
            Op::EditDest(k, d) => {
                for e in t.iter_mut().filter(|e| e.service.config.key == *k) {
                    for x in e
                        .dests
                        .iter_mut()
                        .filter(|x| x.config.addr == d.addr && x.config.port == d.port)
                    {
                        x.config = d.clone();
                    }
                }
            }
            Op::DelDest {
                service,
                addr,
                port,
            } => {
                for e in t.iter_mut().filter(|e| e.service.config.key == *service) {
                    e.dests
                        .retain(|x| !(x.config.addr == *addr && x.config.port == *port));
                }
            }
            Op::Zero(_) | Op::SetTimeouts(_) | Op::StartDaemon(_) | Op::StopDaemon(_) => {
                return None
            }
        }
    }
    Some(t)
}
