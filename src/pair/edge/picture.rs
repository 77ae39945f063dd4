//! Reads this director's picture as [`DirectorState`]: the kernel table with its counters
//! and the sync daemons through the one netlink client, connection counts by origin from
//! /proc/net/ip_vs_conn_sync (per virtual service), and, when a daemon answers on the
//! control socket, its VRRP instances, health, intent and drift, with the SHA-256 of its
//! configuration file. A daemon that stops answering is dropped and asked again at the
//! next read (so a restart is noticed); meanwhile `Meta.daemon` is false and the reason is
//! in `Meta.problems`.

use std::collections::BTreeMap;
use std::io::BufRead;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::SystemTime;

use sha2::{Digest, Sha256};

use crate::engine::control::client::Client as Control;
use crate::engine::control::protocol::{Reply, Request};
use crate::ipvs::conn::Origin;
use crate::ipvs::netlink::Client;
use crate::ipvs::{DaemonState, Protocol, ServiceKey};
use crate::pair::state::{
    ConfigDigest, ConnCounts, DirectorState, Item, Meta, Origins, SyncItem, META,
};

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
    digest: Option<(PathBuf, u64, Option<SystemTime>, String)>,
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
                        Ok(t) => state.put_table(&t),
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
            if path.exists() {
                match tokio::task::spawn_blocking(move || count_conns(&path)).await {
                    Ok(Ok(c)) => meta.conns = c,
                    Ok(Err(e)) => meta.problems.push(format!("connections: {e}")),
                    Err(e) => meta.problems.push(format!("connections: {e}")),
                }
            }
        }
        if let Some(path) = self.sources.control.clone() {
            self.read_daemon(&path, &mut state, &mut meta).await;
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
                if let Some(file) = &s.config {
                    match self.digest_of(Path::new(file)) {
                        Ok(sha256) => {
                            meta.config = Some(ConfigDigest {
                                path: file.clone(),
                                sha256,
                            })
                        }
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
    fn digest_of(&mut self, path: &Path) -> std::io::Result<String> {
        let m = std::fs::metadata(path)?;
        let (len, time) = (m.len(), m.modified().ok());
        if let Some((p, l, t, d)) = &self.digest {
            if p == path && *l == len && *t == time {
                return Ok(d.clone());
            }
        }
        let d = sha256_hex(&std::fs::read(path)?);
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
    let mut per: BTreeMap<(Protocol, std::net::IpAddr, u16), Origins> = BTreeMap::new();
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
