//! One director's picture as a peer carries it: a map of items, each keyed by the name an
//! operator types (`svc -t 198.51.100.10:80`, `rs -t 198.51.100.10:80 -r 192.0.2.21:80`,
//! `vrrp VI_1`), so a change is a handful of keyed items and a difference between the two
//! directors reads as ipvsadm lines.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::engine::control::protocol::{DriftReport, ServerReport, VrrpReport};
use crate::ipvs::{Dest, Service, ServiceKey, Stats};
use crate::rules::{dest_line, service_line, service_selector, Numeric, SaveFormat};

/// An item's key: its kind, a space, then its ipvsadm name.
pub type Key = String;

/// Everything a director serves about itself.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DirectorState {
    pub items: BTreeMap<Key, Item>,
}

/// One keyed piece of a director's picture. Unknown kinds from a newer peer are kept as
/// `Other` rather than refused.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Item {
    Meta(Meta),
    /// A kernel service: its `ipvsadm -S` line and counters.
    Service(ServiceItem),
    /// A kernel real server: its `ipvsadm -S` line, connections and counters.
    Server(ServerItem),
    Vrrp(VrrpReport),
    /// The daemon's health picture of a real server.
    Health(ServerReport),
    Drift(DriftReport),
    /// A kernel connection-sync daemon.
    Sync(SyncItem),
    #[serde(other)]
    Other,
}

/// The director itself.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Meta {
    /// Its host name, as it calls itself.
    pub host: String,
    /// lvsdeck's version there.
    #[serde(default)]
    pub version: String,
    /// Whether a daemon answers there (VRRP, health, intent and drift come from it).
    #[serde(default)]
    pub daemon: bool,
    /// The daemon's configuration file and the SHA-256 of its bytes.
    #[serde(default)]
    pub config: Option<ConfigDigest>,
    #[serde(default)]
    pub reconciler_error: Option<String>,
    /// Why a part of the picture could not be read (`IPVS: ...`, `daemon: ...`).
    #[serde(default)]
    pub problems: Vec<String>,
    /// Connections in the kernel's table, by origin.
    #[serde(default)]
    pub conns: ConnCounts,
    /// The addresses on its interfaces (`198.51.100.10/24 dev eth0`), so a VIP's presence
    /// is what the kernel holds, not what an instance believes.
    #[serde(default)]
    pub addresses: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConfigDigest {
    pub path: String,
    pub sha256: String,
    /// SHA-256 of the parts both directors must share (see `pair::digest`).
    #[serde(default)]
    pub shared_sha256: String,
}

/// Entries of `/proc/net/ip_vs_conn_sync` by its Origin column.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConnCounts {
    #[serde(flatten)]
    pub all: Origins,
    /// By virtual service (`-t 198.51.100.10:80`), for the backup's lag per service.
    #[serde(default)]
    pub by_service: BTreeMap<String, Origins>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Origins {
    /// Made on this director.
    pub local: u64,
    /// Received from the peer's master sync daemon.
    pub synced: u64,
}

/// Counters and rates (the kernel's 64-bit ones).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counters {
    pub conns: u64,
    pub inpkts: u64,
    pub outpkts: u64,
    pub inbytes: u64,
    pub outbytes: u64,
    pub cps: u64,
    pub inpps: u64,
    pub outpps: u64,
    pub inbps: u64,
    pub outbps: u64,
}

impl From<Stats> for Counters {
    fn from(s: Stats) -> Counters {
        Counters {
            conns: s.conns,
            inpkts: s.inpkts,
            outpkts: s.outpkts,
            inbytes: s.inbytes,
            outbytes: s.outbytes,
            cps: s.cps,
            inpps: s.inpps,
            outpps: s.outpps,
            inbps: s.inbps,
            outbps: s.outbps,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceItem {
    /// `-A -t 198.51.100.10:80 -s wrr`, as `ipvsadm -Sn` prints it.
    pub rule: String,
    pub stats: Counters,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServerItem {
    /// `-a -t 198.51.100.10:80 -r 192.0.2.21:80 -g -w 1`, as `ipvsadm -Sn` prints it.
    pub rule: String,
    pub active: u32,
    pub inactive: u32,
    pub persistent: u32,
    pub stats: Counters,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncItem {
    /// `master` or `backup`.
    pub role: String,
    /// The VRRP instance it follows (`lvs_sync_daemon eth0 VI_1`), when a daemon says.
    #[serde(default)]
    pub instance: Option<String>,
    pub interface: String,
    pub syncid: u32,
    #[serde(default)]
    pub maxlen: Option<u16>,
    #[serde(default)]
    pub group: Option<String>,
    #[serde(default)]
    pub port: Option<u16>,
    #[serde(default)]
    pub ttl: Option<u8>,
}

pub const META: &str = "meta";

/// `svc -t 198.51.100.10:80`.
pub fn service_key(key: &ServiceKey) -> Key {
    format!("svc {}", service_selector(key, &Numeric))
}

/// `rs -t 198.51.100.10:80 -r 192.0.2.21:80`.
pub fn server_key(key: &ServiceKey, dest: &Dest) -> Key {
    let line = dest_line("", key, &dest.config, SaveFormat::default());
    // " -t S -r A:P -g -w 1": the selector and the server's address.
    let words: Vec<&str> = line.split_whitespace().collect();
    let upto = words
        .iter()
        .position(|w| *w == "-r")
        .map_or(words.len(), |i| i + 2);
    format!("rs {}", words[..upto.min(words.len())].join(" "))
}

impl DirectorState {
    pub fn meta(&self) -> Option<&Meta> {
        match self.items.get(META) {
            Some(Item::Meta(m)) => Some(m),
            _ => None,
        }
    }

    /// Adds the kernel table (services and servers, in kernel order by key).
    pub fn put_table(&mut self, table: &[crate::ipvs::ServiceEntry]) {
        for e in table {
            self.put_service(&e.service);
            for d in &e.dests {
                self.items.insert(
                    server_key(&e.service.config.key, d),
                    Item::Server(ServerItem {
                        rule: dest_line(
                            "-a",
                            &e.service.config.key,
                            &d.config,
                            SaveFormat::default(),
                        ),
                        active: d.active_conns,
                        inactive: d.inact_conns,
                        persistent: d.persist_conns,
                        stats: d.stats.into(),
                    }),
                );
            }
        }
    }

    fn put_service(&mut self, s: &Service) {
        self.items.insert(
            service_key(&s.config.key),
            Item::Service(ServiceItem {
                rule: service_line("-A", &s.config, &Numeric),
                stats: s.stats.into(),
            }),
        );
    }

    /// Adds the daemon's VRRP instances, health picture and drift.
    pub fn put_status(&mut self, status: &crate::engine::control::protocol::StatusReply) {
        for v in &status.vrrp {
            self.items
                .insert(format!("vrrp {}", v.name), Item::Vrrp(v.clone()));
        }
        for h in &status.servers {
            self.items
                .insert(format!("health {}", h.server), Item::Health(h.clone()));
        }
        for d in &status.drift {
            self.items
                .insert(format!("drift {}", d.entry), Item::Drift(d.clone()));
        }
    }

    /// Adds a kernel sync daemon (`sync master`, `sync backup`).
    pub fn put_sync(&mut self, s: SyncItem) {
        self.items.insert(format!("sync {}", s.role), Item::Sync(s));
    }

    pub fn services(&self) -> impl Iterator<Item = (&Key, &ServiceItem)> {
        self.items.iter().filter_map(|(k, i)| match i {
            Item::Service(s) => Some((k, s)),
            _ => None,
        })
    }

    pub fn servers(&self) -> impl Iterator<Item = (&Key, &ServerItem)> {
        self.items.iter().filter_map(|(k, i)| match i {
            Item::Server(s) => Some((k, s)),
            _ => None,
        })
    }

    pub fn vrrp(&self) -> impl Iterator<Item = &VrrpReport> {
        self.items.values().filter_map(|i| match i {
            Item::Vrrp(v) => Some(v),
            _ => None,
        })
    }

    pub fn health(&self) -> impl Iterator<Item = &ServerReport> {
        self.items.values().filter_map(|i| match i {
            Item::Health(h) => Some(h),
            _ => None,
        })
    }

    pub fn sync(&self) -> impl Iterator<Item = &SyncItem> {
        self.items.values().filter_map(|i| match i {
            Item::Sync(s) => Some(s),
            _ => None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ipvs::{DestConfig, Protocol, ServiceConfig, ServiceEntry};

    #[test]
    fn items_are_keyed_and_written_as_ipvsadm_names_them() {
        let key = ServiceKey::Addr {
            protocol: Protocol::Tcp,
            addr: "198.51.100.10".parse().unwrap(),
            port: 80,
        };
        let mut dest =
            crate::ipvs::table::new_dest(DestConfig::new("192.0.2.21".parse().unwrap(), 80));
        dest.config.weight = 3;
        dest.active_conns = 2;
        let entry = ServiceEntry {
            service: Service {
                config: ServiceConfig::new(key),
                stats: Stats::default(),
            },
            dests: vec![dest],
        };
        let mut s = DirectorState::default();
        s.put_table(&[entry]);
        let keys: Vec<&String> = s.items.keys().collect();
        assert_eq!(
            keys,
            [
                "rs -t 198.51.100.10:80 -r 192.0.2.21:80",
                "svc -t 198.51.100.10:80"
            ]
        );
        let (_, rs) = s.servers().next().unwrap();
        assert_eq!(rs.rule, "-a -t 198.51.100.10:80 -r 192.0.2.21:80 -g -w 3");
        assert_eq!(rs.active, 2);
        let (_, svc) = s.services().next().unwrap();
        assert!(
            svc.rule.starts_with("-A -t 198.51.100.10:80 -s "),
            "{}",
            svc.rule
        );
    }
}
