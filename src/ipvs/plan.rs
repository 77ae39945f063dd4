//! Plans that turn one IPVS table into another, as rule-language values.
//!
//! Rollback uses it (the table after a failed batch back to the table before it), and so does
//! config reconciliation (the kernel's table to the configured one). Pure: tables in, `Op`s out.

use std::collections::HashMap;
use std::net::IpAddr;

use crate::ipvs::{Dest, DestConfig, Op, ServiceEntry, ServiceKey};

/// The ops, in a safe order, that make `current` equal to `desired` in every settable field:
/// real servers deleted first, then services deleted, services added or edited, and real
/// servers added or edited. Counters are not settable and are ignored.
pub fn converge(current: &[ServiceEntry], desired: &[ServiceEntry]) -> Vec<Op> {
    let cur: HashMap<ServiceKey, &ServiceEntry> =
        current.iter().map(|e| (e.service.config.key, e)).collect();
    let want: HashMap<ServiceKey, &ServiceEntry> =
        desired.iter().map(|e| (e.service.config.key, e)).collect();

    let mut del_dests = Vec::new();
    let mut del_services = Vec::new();
    let mut services = Vec::new();
    let mut dests = Vec::new();

    for e in current {
        let key = e.service.config.key;
        if !want.contains_key(&key) {
            del_services.push(Op::DelService(key));
        }
    }
    for w in desired {
        let key = w.service.config.key;
        match cur.get(&key) {
            None => {
                services.push(Op::AddService(w.service.config.clone()));
                for d in &w.dests {
                    dests.push(Op::AddDest(key, d.config.clone()));
                }
            }
            Some(c) => {
                if c.service.config != w.service.config {
                    services.push(Op::EditService(w.service.config.clone()));
                }
                let have: HashMap<(IpAddr, u16), &Dest> = c
                    .dests
                    .iter()
                    .map(|d| ((d.config.addr, d.config.port), d))
                    .collect();
                let keep: HashMap<(IpAddr, u16), &DestConfig> = w
                    .dests
                    .iter()
                    .map(|d| ((d.config.addr, d.config.port), &d.config))
                    .collect();
                for d in &c.dests {
                    let k = (d.config.addr, d.config.port);
                    if !keep.contains_key(&k) {
                        del_dests.push(Op::DelDest {
                            service: key,
                            addr: k.0,
                            port: k.1,
                        });
                    }
                }
                for d in &w.dests {
                    match have.get(&(d.config.addr, d.config.port)) {
                        None => dests.push(Op::AddDest(key, d.config.clone())),
                        Some(h) if h.config != d.config => {
                            dests.push(Op::EditDest(key, d.config.clone()))
                        }
                        Some(_) => {}
                    }
                }
            }
        }
    }
    del_dests
        .into_iter()
        .chain(del_services)
        .chain(services)
        .chain(dests)
        .collect()
}

/// Whether undoing `op` needs to know the table as it was (an add is undone by a delete
/// alone; an edit or delete needs the old values).
pub fn needs_snapshot(op: &Op) -> bool {
    !matches!(op, Op::AddService(_) | Op::AddDest(..))
}

/// The op that undoes a successful add.
pub fn undo_add(op: &Op) -> Option<Op> {
    match op {
        Op::AddService(s) => Some(Op::DelService(s.key)),
        Op::AddDest(key, d) => Some(Op::DelDest {
            service: *key,
            addr: d.addr,
            port: d.port,
        }),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ipvs::{Forward, Protocol, Service, ServiceConfig, Stats};

    fn key(last: u8) -> ServiceKey {
        ServiceKey::Addr {
            protocol: Protocol::Tcp,
            addr: IpAddr::from([198, 51, 100, last]),
            port: 80,
        }
    }

    fn dest(last: u8, weight: u32) -> Dest {
        let mut c = DestConfig::new(IpAddr::from([192, 0, 2, last]), 80);
        c.weight = weight;
        c.forward = Forward::Masq;
        Dest {
            config: c,
            active_conns: 3,
            inact_conns: 1,
            persist_conns: 0,
            stats: Stats::default(),
        }
    }

    fn entry(k: ServiceKey, sched: &str, dests: Vec<Dest>) -> ServiceEntry {
        let mut c = ServiceConfig::new(k);
        c.scheduler = sched.into();
        ServiceEntry {
            service: Service {
                config: c,
                stats: Stats {
                    conns: 42,
                    ..Stats::default()
                },
            },
            dests,
        }
    }

    fn configs(t: &[ServiceEntry]) -> Vec<(ServiceConfig, Vec<DestConfig>)> {
        let mut v: Vec<_> = t
            .iter()
            .map(|e| {
                let mut d: Vec<_> = e.dests.iter().map(|d| d.config.clone()).collect();
                d.sort_by_key(|d| (d.addr, d.port));
                (e.service.config.clone(), d)
            })
            .collect();
        v.sort_by_key(|(c, _)| c.key);
        v
    }

    #[test]
    fn equal_tables_need_nothing_even_with_other_counters() {
        let a = vec![entry(key(1), "rr", vec![dest(1, 1), dest(2, 2)])];
        let mut b = a.clone();
        b[0].service.stats.conns = 7;
        b[0].dests[0].active_conns = 99;
        assert!(converge(&a, &b).is_empty());
    }

    #[test]
    fn converges_adds_edits_and_deletes() {
        let current = vec![
            entry(key(1), "rr", vec![dest(1, 1), dest(2, 2), dest(3, 3)]),
            entry(key(2), "wlc", vec![dest(4, 1)]),
        ];
        let desired = vec![
            entry(key(1), "wrr", vec![dest(1, 5), dest(3, 3), dest(9, 1)]),
            entry(key(3), "sh", vec![dest(7, 1)]),
        ];
        let plan = converge(&current, &desired);
        let mut t = current.clone();
        for op in &plan {
            crate::ipvs::table::apply(&mut t, op).unwrap();
        }
        assert_eq!(configs(&t), configs(&desired));
        // One op per difference: edit svc1, del dest2, edit dest1, add dest9, del svc2,
        // add svc3 + its dest.
        assert_eq!(plan.len(), 7, "{plan:#?}");
        // Deletions come before additions.
        let first_add = plan
            .iter()
            .position(|o| matches!(o, Op::AddService(_) | Op::AddDest(..)))
            .unwrap();
        assert!(plan[first_add..]
            .iter()
            .all(|o| !matches!(o, Op::DelService(_) | Op::DelDest { .. })));
    }

    #[test]
    fn undo_of_adds_is_deletes() {
        let c = ServiceConfig::new(key(1));
        assert_eq!(
            undo_add(&Op::AddService(c.clone())),
            Some(Op::DelService(key(1)))
        );
        assert!(!needs_snapshot(&Op::AddService(c.clone())));
        assert!(needs_snapshot(&Op::EditService(c)));
        assert!(needs_snapshot(&Op::Flush));
    }
}
