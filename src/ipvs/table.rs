//! The IPVS table in memory: [`apply`] changes a table the way the kernel would, refusing
//! what the kernel refuses (a second service with one key, a change to a service or real
//! server that is not there). The console's undo, dry runs and the plan and engine tests
//! all work out "the table after these ops" with it.

use thiserror::Error;

use super::{Dest, DestConfig, Op, Service, ServiceEntry, ServiceKey, Stats};

/// What the kernel would answer instead of applying the op, in ipvsadm's words for its
/// errno; the service is kept for the caller's message.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum TableError {
    #[error("Service already exists")]
    ServiceExists(ServiceKey),
    #[error("No such service")]
    NoService(ServiceKey),
    #[error("Destination already exists")]
    DestExists(ServiceKey),
    #[error("No such destination")]
    NoDest(ServiceKey),
}

/// A real server just added: its configuration, no connections, no counters.
pub fn new_dest(config: DestConfig) -> Dest {
    Dest {
        config,
        active_conns: 0,
        inact_conns: 0,
        persist_conns: 0,
        stats: Stats::default(),
    }
}

fn service_mut<'a>(
    table: &'a mut [ServiceEntry],
    key: &ServiceKey,
) -> Result<&'a mut ServiceEntry, TableError> {
    table
        .iter_mut()
        .find(|e| e.service.config.key == *key)
        .ok_or(TableError::NoService(*key))
}

fn same_dest(x: &Dest, addr: &std::net::IpAddr, port: u16) -> bool {
    x.config.addr == *addr && x.config.port == port
}

/// Applies `op` to `table` as the kernel would; on `Err` the table is unchanged. Timeouts
/// and sync daemons are not table state and change nothing here.
pub fn apply(table: &mut Vec<ServiceEntry>, op: &Op) -> Result<(), TableError> {
    match op {
        Op::AddService(c) => {
            if table.iter().any(|e| e.service.config.key == c.key) {
                return Err(TableError::ServiceExists(c.key));
            }
            table.push(ServiceEntry {
                service: Service {
                    config: c.clone(),
                    stats: Stats::default(),
                },
                dests: Vec::new(),
            });
        }
        Op::EditService(c) => service_mut(table, &c.key)?.service.config = c.clone(),
        Op::DelService(k) => {
            let n = table.len();
            table.retain(|e| e.service.config.key != *k);
            if table.len() == n {
                return Err(TableError::NoService(*k));
            }
        }
        Op::Flush => table.clear(),
        Op::AddDest(k, d) => {
            let e = service_mut(table, k)?;
            if e.dests.iter().any(|x| same_dest(x, &d.addr, d.port)) {
                return Err(TableError::DestExists(*k));
            }
            e.dests.push(new_dest(d.clone()));
        }
        Op::EditDest(k, d) => {
            let e = service_mut(table, k)?;
            let x = e
                .dests
                .iter_mut()
                .find(|x| same_dest(x, &d.addr, d.port))
                .ok_or(TableError::NoDest(*k))?;
            x.config = d.clone();
        }
        Op::DelDest {
            service,
            addr,
            port,
        } => {
            let e = service_mut(table, service)?;
            let n = e.dests.len();
            e.dests.retain(|x| !same_dest(x, addr, *port));
            if e.dests.len() == n {
                return Err(TableError::NoDest(*service));
            }
        }
        Op::Zero(key) => {
            for e in table
                .iter_mut()
                .filter(|e| key.is_none_or(|k| e.service.config.key == k))
            {
                e.service.stats = Stats::default();
                for d in &mut e.dests {
                    d.stats = Stats::default();
                }
            }
            if let Some(k) = key {
                if !table.iter().any(|e| e.service.config.key == *k) {
                    return Err(TableError::NoService(*k));
                }
            }
        }
        Op::SetTimeouts(_) | Op::StartDaemon(_) | Op::StopDaemon(_) => {}
    }
    Ok(())
}

/// Applies `ops` in order; the first refusal stops it and is returned with the op's index
/// (the table then holds the ops before it, as a kernel batch without rollback would).
pub fn apply_all(table: &mut Vec<ServiceEntry>, ops: &[Op]) -> Result<(), (usize, TableError)> {
    for (i, op) in ops.iter().enumerate() {
        apply(table, op).map_err(|e| (i, e))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ipvs::{Protocol, ServiceConfig};
    use std::net::{IpAddr, Ipv4Addr};

    fn key() -> ServiceKey {
        ServiceKey::Addr {
            protocol: Protocol::Tcp,
            addr: IpAddr::V4(Ipv4Addr::new(198, 51, 100, 10)),
            port: 80,
        }
    }

    fn rs(last: u8) -> DestConfig {
        DestConfig::new(IpAddr::V4(Ipv4Addr::new(192, 0, 2, last)), 80)
    }

    #[test]
    fn refuses_what_the_kernel_refuses_and_leaves_the_table() {
        let mut t = Vec::new();
        apply(&mut t, &Op::AddService(ServiceConfig::new(key()))).unwrap();
        assert_eq!(
            apply(&mut t, &Op::AddService(ServiceConfig::new(key()))),
            Err(TableError::ServiceExists(key()))
        );
        apply(&mut t, &Op::AddDest(key(), rs(1))).unwrap();
        assert_eq!(
            apply(&mut t, &Op::AddDest(key(), rs(1))),
            Err(TableError::DestExists(key()))
        );
        let before = t.clone();
        assert_eq!(
            apply(&mut t, &Op::EditDest(key(), rs(2))),
            Err(TableError::NoDest(key()))
        );
        assert_eq!(t, before);
        let mut w = rs(1);
        w.weight = 0;
        apply(&mut t, &Op::EditDest(key(), w)).unwrap();
        assert_eq!(t[0].dests[0].config.weight, 0);
        apply(
            &mut t,
            &Op::DelDest {
                service: key(),
                addr: rs(1).addr,
                port: 80,
            },
        )
        .unwrap();
        assert!(t[0].dests.is_empty());
        apply(&mut t, &Op::DelService(key())).unwrap();
        assert_eq!(
            apply(&mut t, &Op::DelService(key())),
            Err(TableError::NoService(key()))
        );
    }
}
