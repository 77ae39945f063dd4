//! Reads this director's picture as [`DirectorState`]: the kernel table with its counters
//! and the sync daemons through the one netlink client, connection counts by origin from
//! /proc/net/ip_vs_conn_sync (per virtual service), and, when a daemon answers on the
//! control socket, its VRRP instances, health, intent and drift, with the SHA-256 of its
//! configuration file. A daemon that stops answering is dropped and asked again at the
//! next read (so a restart is noticed); meanwhile `Meta.daemon` is false and the reason is
//! in `Meta.problems`.

use std::collections::{BTreeMap, HashMap};
use std::io::BufRead;
use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::SystemTime;

use sha2::{Digest, Sha256};

use crate::engine::control::client::Client as Control;
use crate::engine::control::protocol::{Reply, Request};
use crate::ipvs::conn::Origin;
use crate::ipvs::netlink::Client;
use crate::ipvs::{DaemonState, DestConfig, Protocol, ServiceConfig, ServiceEntry, ServiceKey};
use crate::pair::state::{
    server_key, service_key, ConfigDigest, ConnCounts, DirectorState, Item, Meta, Origins,
    ServerItem, ServiceItem, SyncItem, META,
};
use crate::rules::{dest_line, service_line, Numeric, SaveFormat};

/// What to read.
#[derive(Debug, Clone)]
pub struct Sources {
    /// The daemon's control socket (`None`: no daemon is asked).
    pub control: Option<PathBuf>,
    /// Read the kernel table (the console's own director reads it itself).
    pub table: bool,
    /// /proc/net/ip_vs_conn_sync (`None`: connections are not counted).
    pub conn_sync: Option<PathBuf>,
}

pub struct Picture {
    sources: Sources,
    ipvs: Result<Arc<Client>, String>,
    control: Option<Control>,
    host: String,
    /// The configuration file's digest, by its path, size and modification time.
    digest: Option<(PathBuf, u64, Option<SystemTime>, ConfigDigest)>,
    /// The last connection counts, and when they are read again: a million-entry table
    /// takes ~0.4 s to count, so counting waits 20 times what it took (at most 5 % of a
    /// core), and the counts in between are the last ones.
    conns: (ConnCounts, Option<std::time::Instant>),
    lines: TableLines,
}

/// The kernel table into a picture, reusing the key and rule line of every service and
/// real server whose configuration did not change since the last read: formatting
/// 110,000 lines is most of the cost of a read, and a busy table's configuration rarely
/// moves (its counters do).
#[derive(Default)]
pub struct TableLines {
    services: HashMap<ServiceKey, (ServiceConfig, String, String)>,
    dests: HashMap<(ServiceKey, IpAddr, u16), (DestConfig, String, String)>,
}

impl TableLines {
    /// Adds `table` to `state`, as [`DirectorState::put_table`] does.
    pub fn put(&mut self, state: &mut DirectorState, table: &[ServiceEntry]) {
        let mut services = HashMap::with_capacity(table.len());
        let mut dests = HashMap::with_capacity(self.dests.len());
        for e in table {
            let c = &e.service.config;
            let (key, rule) = match self.services.remove(&c.key) {
                Some((old, key, rule)) if old == *c => (key, rule),
                _ => (service_key(&c.key), service_line("-A", c, &Numeric)),
            };
            state.items.insert(
                key.clone(),
                Item::Service(ServiceItem {
                    rule: rule.clone(),
                    stats: e.service.stats.into(),
                }),
            );
            services.insert(c.key, (c.clone(), key, rule));
            for d in &e.dests {
                let id = (c.key, d.config.addr, d.config.port);
                let (key, rule) = match self.dests.remove(&id) {
                    Some((old, key, rule)) if old == d.config => (key, rule),
                    _ => (
                        server_key(&c.key, d),
                        dest_line("-a", &c.key, &d.config, SaveFormat::default()),
                    ),
                };
                state.items.insert(
                    key.clone(),
                    Item::Server(ServerItem {
                        rule: rule.clone(),
                        active: d.active_conns,
                        inactive: d.inact_conns,
                        persistent: d.persist_conns,
                        stats: d.stats.into(),
                    }),
                );
                dests.insert(id, (d.config.clone(), key, rule));
            }
        }
        self.services = services;
        self.dests = dests;
    }
}

impl Picture {
    /// Opens the netlink client (a refusal is kept and reported in every picture).
    pub async fn open(sources: Sources) -> Picture {
        let ipvs = match Client::connect().await {
            Ok(c) => match c.info().await {
                Ok(_) => Ok(Arc::new(c)),
                Err(e) => Err(e.to_string()),
            },
            Err(e) => Err(e.to_string()),
        };
        Picture {
            sources,
            ipvs,
            control: None,
            host: host_name(),
            digest: None,
            conns: (ConnCounts::default(), None),
            lines: TableLines::default(),
        }
    }

    /// The netlink client, for changes (`Err`: why there is none).
    pub fn ipvs(&self) -> Result<Arc<Client>, String> {
        self.ipvs.clone()
    }

    pub fn host(&self) -> &str {
        &self.host
    }

    /// One picture, now.
    pub async fn read(&mut self) -> DirectorState {
        let mut state = DirectorState::default();
        let mut meta = Meta {
            host: self.host.clone(),
            version: env!("CARGO_PKG_VERSION").to_string(),
            ..Meta::default()
        };
        match &self.ipvs {
            Ok(client) => {
                if self.sources.table {
                    match client.table().await {
                        Ok(t) => self.lines.put(&mut state, &t),
                        Err(e) => meta.problems.push(format!("IPVS: {e}")),
                    }
                }
                match client.daemons().await {
                    Ok(ds) => {
                        for d in ds {
                            state.put_sync(SyncItem {
                                role: match d.state {
                                    DaemonState::Master => "master".into(),
                                    DaemonState::Backup => "backup".into(),
                                },
                                instance: None,
                                interface: d.mcast_ifn,
                                syncid: d.syncid,
                                maxlen: d.sync_maxlen,
                                group: d.mcast_group.map(|g| g.to_string()),
                                port: d.mcast_port,
                                ttl: d.mcast_ttl,
                            })
                        }
                    }
                    Err(e) => meta.problems.push(format!("IPVS sync daemons: {e}")),
                }
            }
            Err(e) => meta.problems.push(format!("IPVS: {e}")),
        }
        if let Some(path) = self.sources.conn_sync.clone() {
            let due = self.conns.1.is_none_or(|t| std::time::Instant::now() >= t);
            if due && path.exists() {
                let started = std::time::Instant::now();
                match tokio::task::spawn_blocking(move || count_conns(&path)).await {
                    Ok(Ok(c)) => self.conns.0 = c,
                    Ok(Err(e)) => meta.problems.push(format!("connections: {e}")),
                    Err(e) => meta.problems.push(format!("connections: {e}")),
                }
                self.conns.1 = Some(std::time::Instant::now() + started.elapsed() * 20);
            }
            meta.conns = self.conns.0.clone();
        }
        if let Some(path) = self.sources.control.clone() {
            self.read_daemon(&path, &mut state, &mut meta).await;
        }
        // The addresses the kernel holds, so a VIP's presence is a fact, not a belief.
        match crate::linux::iface::all_addresses() {
            Ok(all) => {
                meta.addresses = all
                    .into_iter()
                    .filter(|(_, a)| !a.is_loopback())
                    .map(|(dev, a)| format!("{a} dev {dev}"))
                    .collect()
            }
            Err(e) => meta.problems.push(format!("addresses: {e}")),
        }
        state.items.insert(META.into(), Item::Meta(meta));
        state
    }

    async fn read_daemon(&mut self, path: &Path, state: &mut DirectorState, meta: &mut Meta) {
        if self.control.is_none() {
            if !path.exists() {
                meta.problems
                    .push(format!("daemon: none answers on {}", path.display()));
                return;
            }
            match Control::connect(path).await {
                Ok(c) => self.control = Some(c),
                Err(e) => {
                    meta.problems.push(format!("daemon: {e:#}"));
                    return;
                }
            }
        }
        let Some(control) = self.control.as_mut() else {
            return;
        };
        match control.request(&Request::Status).await {
            Ok(Reply::Status(s)) => {
                meta.daemon = true;
                meta.reconciler_error = s.reconciler_error.clone();
                state.put_status(&s);
                // The instance the kernel's daemons follow, as the daemon says.
                if let Some(inst) = s.sync.as_ref().and_then(|y| y.instance.clone()) {
                    for item in state.items.values_mut() {
                        if let Item::Sync(d) = item {
                            d.instance = Some(inst.clone());
                        }
                    }
                }
                if let Some(file) = &s.config {
                    match self.digest_of(Path::new(file)) {
                        Ok(d) => meta.config = Some(d),
                        Err(e) => meta.problems.push(format!("{file}: {e}")),
                    }
                }
            }
            Ok(other) => {
                meta.problems
                    .push(format!("daemon: unexpected reply {other:?}"));
                self.control = None;
            }
            Err(e) => {
                // Gone or restarting: asked again at the next read.
                meta.problems.push(format!("daemon: {e:#}"));
                self.control = None;
            }
        }
    }

    /// SHA-256 of the file, read again only when its size or time changed.
    /// The file's digests (whole and shared part, `pair::digest`), read again only when
    /// its size or time changed.
    fn digest_of(&mut self, path: &Path) -> std::io::Result<ConfigDigest> {
        let m = std::fs::metadata(path)?;
        let (len, time) = (m.len(), m.modified().ok());
        if let Some((p, l, t, d)) = &self.digest {
            if p == path && *l == len && *t == time {
                return Ok(d.clone());
            }
        }
        let d = crate::pair::digest::digests(&path.display().to_string(), &std::fs::read(path)?);
        self.digest = Some((path.to_path_buf(), len, time, d.clone()));
        Ok(d)
    }
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn host_name() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .map(|s| s.trim().to_string())
        .unwrap_or_else(|_| "?".to_string())
}

/// Entries of /proc/net/ip_vs_conn_sync by origin, in all and per virtual service.
fn count_conns(path: &Path) -> Result<ConnCounts, String> {
    let f = std::fs::File::open(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut out = ConnCounts::default();
    let mut per: BTreeMap<(Protocol, IpAddr, u16), Origins> = BTreeMap::new();
    for line in std::io::BufReader::with_capacity(256 * 1024, f).lines() {
        let line = line.map_err(|e| e.to_string())?;
        let Ok(c) = crate::ipvs::conn::parse_sync_line(&line) else {
            continue;
        };
        let proto = match c.conn.protocol.as_str() {
            "TCP" => Protocol::Tcp,
            "UDP" => Protocol::Udp,
            "SCTP" => Protocol::Sctp,
            _ => continue,
        };
        let o = per
            .entry((proto, c.conn.virtual_addr, c.conn.virtual_port))
            .or_default();
        match c.origin {
            Origin::Sync => {
                o.synced += 1;
                out.all.synced += 1;
            }
            Origin::Local => {
                o.local += 1;
                out.all.local += 1;
            }
        }
    }
    for ((protocol, addr, port), o) in per {
        let key = ServiceKey::Addr {
            protocol,
            addr,
            port,
        };
        out.by_service.insert(
            crate::rules::service_selector(&key, &crate::rules::Numeric),
            o,
        );
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ipvs::{Service, Stats};

    #[test]
    fn reused_lines_give_the_same_picture() {
        let key = ServiceKey::Addr {
            protocol: Protocol::Tcp,
            addr: "198.51.100.10".parse().unwrap(),
            port: 80,
        };
        let mut d =
            crate::ipvs::table::new_dest(DestConfig::new("192.0.2.21".parse().unwrap(), 80));
        d.config.weight = 2;
        let mut t = vec![ServiceEntry {
            service: Service {
                config: ServiceConfig::new(key),
                stats: Stats::default(),
            },
            dests: vec![d],
        }];
        let mut lines = TableLines::default();
        for round in 0..3u32 {
            t[0].dests[0].stats.conns += 1;
            if round == 2 {
                t[0].dests[0].config.weight = 5;
            }
            let (mut a, mut b) = (DirectorState::default(), DirectorState::default());
            a.put_table(&t);
            lines.put(&mut b, &t);
            assert_eq!(a, b, "round {round}");
        }
    }
}
