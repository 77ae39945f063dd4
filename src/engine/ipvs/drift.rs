//! Drift: differences in owned services between the kernel and what lvsdeck last made them,
//! i.e. changes somebody else made (ipvsadm by hand, another tool). Reported item by item
//! as ipvsadm lines so the operator can see exactly what was changed.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::net::IpAddr;

use crate::ipvs::{DestConfig, Op, ServiceConfig, ServiceEntry, ServiceKey};
use crate::rules::{dest_line, service_line, service_selector, AddrFormat, Numeric, SaveFormat};

/// What a drift item is about: a whole service (`server: None`) or one of its servers.
/// Also the handle an operator keeps or releases drift by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DriftKey {
    pub service: ServiceKey,
    pub server: Option<(IpAddr, u16)>,
}

impl DriftKey {
    /// The drift key an op corrects.
    pub fn of(op: &Op) -> Option<DriftKey> {
        let (service, server) = match op {
            Op::AddService(s) | Op::EditService(s) => (s.key, None),
            Op::DelService(k) => (*k, None),
            Op::AddDest(k, d) | Op::EditDest(k, d) => (*k, Some((d.addr, d.port))),
            Op::DelDest {
                service,
                addr,
                port,
            } => (*service, Some((*addr, *port))),
            _ => return None,
        };
        Some(DriftKey { service, server })
    }

    /// Whether holding `self` holds back changes to `other` (a held service holds its servers).
    pub fn covers(&self, other: &DriftKey) -> bool {
        self.service == other.service && (self.server.is_none() || self.server == other.server)
    }
}

impl fmt::Display for DriftKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", service_selector(&self.service, &Numeric))?;
        if let Some((addr, port)) = self.server {
            write!(f, " -r {}", Numeric.addr_port(&addr, port, None))?;
        }
        Ok(())
    }
}

/// One difference: the ipvsadm line lvsdeck expects and the one the kernel has (`None`:
/// absent).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DriftItem {
    pub key: DriftKey,
    pub expected: Option<String>,
    pub found: Option<String>,
    /// The operator chose to keep it: it is not reverted until released.
    pub kept: bool,
}

impl DriftItem {
    /// The ipvsadm line that reverts this item: re-add what is missing (a service with its
    /// real servers), edit back what changed, delete what was added.
    pub fn revert_line(&self) -> String {
        match (&self.expected, &self.found) {
            (Some(want), None) => want.clone(),
            (Some(want), Some(_)) => match want.split_once(' ') {
                Some(("-A", rest)) => format!("-E {rest}"),
                Some(("-a", rest)) => format!("-e {rest}"),
                _ => want.clone(),
            },
            (None, _) => match self.key.server {
                Some(_) => format!("-d {}", self.key),
                None => format!("-D {}", self.key),
            },
        }
    }

    /// What the kernel has, in a few words or as its ipvsadm line.
    pub fn kernel_text(&self) -> String {
        match (&self.found, self.key.server) {
            (Some(l), _) => l.clone(),
            (None, Some(_)) => "no such real server".into(),
            (None, None) => "no such service (deleted behind lvsdeck's back)".into(),
        }
    }
}

impl fmt::Display for DriftItem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let side = |l: &Option<String>| l.clone().unwrap_or_else(|| "nothing".into());
        write!(
            f,
            "drift {}: expected {}, found {}{}",
            self.key,
            side(&self.expected),
            side(&self.found),
            if self.kept { " (kept)" } else { "" }
        )
    }
}

/// Every difference found in one read, in key order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Drift {
    pub items: Vec<DriftItem>,
}

impl Drift {
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    pub fn keys(&self) -> BTreeSet<DriftKey> {
        self.items.iter().map(|i| i.key).collect()
    }
}

fn svc_text(s: &ServiceConfig) -> String {
    service_line("-A", s, &Numeric)
}

fn dest_text(k: &ServiceKey, d: &DestConfig) -> String {
    dest_line("-a", k, d, SaveFormat::default())
}

/// Differences between `found` (the kernel) and `expected` (what lvsdeck made), limited to
/// the services of `expected`. A service missing or extra is one item; otherwise its
/// settings and each differing server are items of their own.
pub fn detect(
    found: &[ServiceEntry],
    expected: &[ServiceEntry],
    kept: &BTreeSet<DriftKey>,
) -> Drift {
    let have: BTreeMap<ServiceKey, &ServiceEntry> =
        found.iter().map(|e| (e.service.config.key, e)).collect();
    let mut items = Vec::new();
    let mut push = |key: DriftKey, expected: Option<String>, found: Option<String>| {
        let kept = kept.iter().any(|k| k.covers(&key));
        items.push(DriftItem {
            key,
            expected,
            found,
            kept,
        });
    };
    for want in expected {
        let key = want.service.config.key;
        let svc_key = DriftKey {
            service: key,
            server: None,
        };
        let Some(got) = have.get(&key) else {
            push(svc_key, Some(svc_text(&want.service.config)), None);
            continue;
        };
        if got.service.config != want.service.config {
            push(
                svc_key,
                Some(svc_text(&want.service.config)),
                Some(svc_text(&got.service.config)),
            );
        }
        let servers = |e: &ServiceEntry| -> BTreeMap<(IpAddr, u16), DestConfig> {
            e.dests
                .iter()
                .map(|d| ((d.config.addr, d.config.port), d.config.clone()))
                .collect()
        };
        let (w, g) = (servers(want), servers(got));
        for rs in w.keys().chain(g.keys()).collect::<BTreeSet<_>>() {
            let (a, b) = (w.get(rs), g.get(rs));
            if a != b {
                push(
                    DriftKey {
                        service: key,
                        server: Some(*rs),
                    },
                    a.map(|d| dest_text(&key, d)),
                    b.map(|d| dest_text(&key, d)),
                );
            }
        }
    }
    items.sort_by_key(|i| i.key);
    Drift { items }
}

/// `ops` without those that would change something `held` holds back.
pub fn without_held(ops: Vec<Op>, held: &BTreeSet<DriftKey>) -> Vec<Op> {
    ops.into_iter()
        .filter(|op| match DriftKey::of(op) {
            Some(k) => !held.iter().any(|h| h.covers(&k)),
            None => true,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ipvs::Protocol;
    use std::net::Ipv4Addr;

    fn item(server: bool, expected: Option<&str>, found: Option<&str>) -> DriftItem {
        DriftItem {
            key: DriftKey {
                service: ServiceKey::Addr {
                    protocol: Protocol::Tcp,
                    addr: Ipv4Addr::new(198, 51, 100, 10).into(),
                    port: 80,
                },
                server: server.then(|| (Ipv4Addr::new(127, 0, 0, 1).into(), 8081)),
            },
            expected: expected.map(Into::into),
            found: found.map(Into::into),
            kept: false,
        }
    }

    #[test]
    fn revert_lines() {
        let a = "-a -t 198.51.100.10:80 -r 127.0.0.1:8081 -m -w 2";
        let a0 = "-a -t 198.51.100.10:80 -r 127.0.0.1:8081 -m -w 0";
        assert_eq!(
            item(true, Some(a), Some(a0)).revert_line(),
            "-e -t 198.51.100.10:80 -r 127.0.0.1:8081 -m -w 2"
        );
        assert_eq!(item(true, Some(a), None).revert_line(), a);
        assert_eq!(
            item(true, None, Some(a)).revert_line(),
            "-d -t 198.51.100.10:80 -r 127.0.0.1:8081"
        );
        let svc = "-A -t 198.51.100.10:80 -s rr";
        assert_eq!(item(false, Some(svc), None).revert_line(), svc);
        assert_eq!(
            item(false, Some(svc), Some("-A -t 198.51.100.10:80 -s wlc")).revert_line(),
            "-E -t 198.51.100.10:80 -s rr"
        );
        assert!(item(false, Some(svc), None)
            .kernel_text()
            .contains("no such service"));
    }
}
