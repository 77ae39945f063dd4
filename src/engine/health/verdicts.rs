//! The health policy's table changes as reconciler verdicts. The policy speaks in `Op`s (what
//! it would do to the table); the reconciler owns the table and wants [`Overrides`] on top
//! of the configuration. A verdict that matches the configuration is cleared rather than
//! set, so a weight edited in the file and reloaded applies to servers that are healthy.

use std::collections::BTreeMap;

use crate::config::IpvsService;
use crate::ipvs::Op;

use crate::engine::ipvs::desired::{Overrides, Presence, ServerId};

/// What the configuration says of a server: in at this weight, or a sorry server (out
/// unless a verdict puts it in).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Base {
    In(u32),
    Sorry,
}

/// The health layer the daemon keeps and hands to the reconciler whole.
#[derive(Debug, Clone, Default)]
pub struct Verdicts {
    base: BTreeMap<ServerId, Base>,
    pub overrides: Overrides,
}

impl Verdicts {
    pub fn new(services: &[IpvsService]) -> Verdicts {
        let mut base = BTreeMap::new();
        for s in services {
            let id = |d: &crate::ipvs::DestConfig| ServerId {
                service: s.service.key,
                addr: d.addr,
                port: d.port,
            };
            for d in &s.dests {
                base.entry(id(d)).or_insert(Base::In(d.weight));
            }
            if let Some(d) = &s.sorry {
                base.entry(id(d)).or_insert(Base::Sorry);
            }
        }
        Verdicts {
            base,
            overrides: Overrides::default(),
        }
    }

    /// Folds the policy's ops in; returns whether any verdict changed. Ops on servers the
    /// configuration does not declare are ignored (the policy only knows configured ones).
    pub fn apply(&mut self, ops: &[Op]) -> bool {
        let mut changed = false;
        for op in ops {
            let (id, presence) = match op {
                Op::AddDest(service, d) | Op::EditDest(service, d) => (
                    ServerId {
                        service: *service,
                        addr: d.addr,
                        port: d.port,
                    },
                    if d.weight == 0 {
                        Presence::Inhibited
                    } else {
                        Presence::In { weight: d.weight }
                    },
                ),
                Op::DelDest {
                    service,
                    addr,
                    port,
                } => (
                    ServerId {
                        service: *service,
                        addr: *addr,
                        port: *port,
                    },
                    Presence::Out,
                ),
                _ => continue,
            };
            let Some(base) = self.base.get(&id) else {
                continue;
            };
            let matches_config = match (base, presence) {
                (Base::In(w), Presence::In { weight }) => *w == weight,
                (Base::Sorry, Presence::Out) => true,
                _ => false,
            };
            let before = self.overrides.get(&id);
            if matches_config {
                self.overrides.clear(&id);
            } else {
                self.overrides.set(id, presence);
            }
            changed |= before != self.overrides.get(&id);
        }
        changed
    }

    /// Keeps the previous configuration's verdicts for servers still configured, except a
    /// healthy server's weight (the new file's weight applies): a reload neither puts a dead
    /// server back nor takes the sorry server out before the checkers have spoken.
    pub fn carry(&mut self, old: &Verdicts) {
        for (id, base) in &self.base {
            match (base, old.overrides.get(id)) {
                (_, None) | (Base::In(_), Some(Presence::In { .. })) => {}
                (_, Some(p)) => self.overrides.set(*id, p),
            }
        }
    }

    /// Whether the sorry server `id` is in the table by the policy's verdict.
    pub fn sorry_in(&self, id: &ServerId) -> bool {
        matches!(
            self.overrides.get(id),
            Some(Presence::In { .. } | Presence::Inhibited)
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ipvs::{DestConfig, ServiceKey};

    fn conf() -> (Vec<IpvsService>, ServiceKey, DestConfig, DestConfig) {
        let text = "virtual_server 198.51.100.10 80 {\n lb_kind NAT\n protocol TCP\n \
                    sorry_server 127.0.0.1 9000\n real_server 127.0.0.1 8080 {\n weight 3\n }\n}\n";
        let cfg = crate::config::parse_str(text, std::path::Path::new("t.conf")).config;
        let services = cfg.ipvs_services();
        let s = &services[0];
        let key = s.service.key;
        let rs = s.dests[0].clone();
        let sorry = s.sorry.clone().expect("sorry server");
        (services, key, rs, sorry)
    }

    fn id(key: ServiceKey, d: &DestConfig) -> ServerId {
        ServerId {
            service: key,
            addr: d.addr,
            port: d.port,
        }
    }

    #[test]
    fn down_inhibit_and_back_to_config() {
        let (services, key, rs, _) = conf();
        let mut v = Verdicts::new(&services);
        let del = Op::DelDest {
            service: key,
            addr: rs.addr,
            port: rs.port,
        };
        assert!(v.apply(std::slice::from_ref(&del)));
        assert_eq!(v.overrides.get(&id(key, &rs)), Some(Presence::Out));
        let zero = DestConfig {
            weight: 0,
            ..rs.clone()
        };
        v.apply(&[Op::EditDest(key, zero)]);
        assert_eq!(v.overrides.get(&id(key, &rs)), Some(Presence::Inhibited));
        // Back at the configured weight: no verdict left, so a reload's weight applies.
        assert!(v.apply(&[Op::AddDest(key, rs.clone())]));
        assert_eq!(v.overrides, Overrides::default());
        assert!(!v.apply(&[Op::EditDest(key, rs.clone())]));
    }

    #[test]
    fn sorry_server_in_and_out() {
        let (services, key, _, sorry) = conf();
        let mut v = Verdicts::new(&services);
        v.apply(&[Op::AddDest(key, sorry.clone())]);
        assert!(v.sorry_in(&id(key, &sorry)));
        v.apply(&[Op::DelDest {
            service: key,
            addr: sorry.addr,
            port: sorry.port,
        }]);
        assert!(!v.sorry_in(&id(key, &sorry)));
        assert_eq!(v.overrides, Overrides::default());
    }

    #[test]
    fn reload_carries_down_but_not_weights() {
        let (services, key, rs, sorry) = conf();
        let mut old = Verdicts::new(&services);
        old.apply(&[
            Op::DelDest {
                service: key,
                addr: rs.addr,
                port: rs.port,
            },
            Op::AddDest(key, sorry.clone()),
        ]);
        let mut new = Verdicts::new(&services);
        new.carry(&old);
        assert_eq!(new.overrides, old.overrides);
        let mut healthy = Verdicts::new(&services);
        healthy.apply(&[Op::EditDest(
            key,
            DestConfig {
                weight: 7,
                ..rs.clone()
            },
        )]);
        let mut new = Verdicts::new(&services);
        new.carry(&healthy);
        assert_eq!(new.overrides, Overrides::default());
    }

    #[test]
    fn unknown_servers_ignored() {
        let (services, key, rs, _) = conf();
        let mut v = Verdicts::new(&services);
        let other = DestConfig {
            port: 1,
            ..rs.clone()
        };
        assert!(!v.apply(&[Op::AddDest(key, other)]));
    }
}
