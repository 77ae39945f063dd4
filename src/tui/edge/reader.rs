//! The edge's access to the kernel table: netlink when allowed, else /proc read-only.

use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

use crate::ipvs::batch::apply_atomically;
use crate::ipvs::error::IpvsError;
use crate::ipvs::netlink::Client;
use crate::ipvs::{procfs, Op};
use crate::tui::event::{Snapshot, Source};

/// How the table is read, decided once at start.
#[derive(Clone)]
pub enum Reader {
    Netlink(Arc<Client>),
    /// Netlink refused or unavailable; `reason` is shown in the header.
    Procfs {
        reason: String,
    },
}

impl Reader {
    /// Tries netlink (a GET_INFO proves permission); falls back to /proc on any refusal.
    pub async fn open() -> Reader {
        let refused = match Client::connect().await {
            Ok(client) => match client.info().await {
                Ok(_) => return Reader::Netlink(Arc::new(client)),
                Err(e) => e,
            },
            Err(e) => e,
        };
        Reader::Procfs {
            reason: procfs_reason(&refused),
        }
    }

    /// What the header shows about this reader.
    pub fn source(&self) -> Source {
        match self {
            Reader::Netlink(_) => Source::Netlink,
            Reader::Procfs { reason } => Source::Procfs {
                reason: reason.clone(),
            },
        }
    }

    pub async fn read(&self) -> Result<Snapshot, String> {
        match self {
            Reader::Netlink(client) => {
                let info = client.info().await.map_err(|e| e.to_string())?;
                let entries = client.table().await.map_err(|e| e.to_string())?;
                Ok(Snapshot {
                    info: Some(info),
                    entries,
                    taken_at: Instant::now(),
                    source: Source::Netlink,
                })
            }
            Reader::Procfs { reason } => {
                let path = Path::new(procfs::TABLE_PATH);
                let hz = procfs::kernel_hz();
                let table = tokio::task::spawn_blocking(move || procfs::read_table(path, hz))
                    .await
                    .map_err(|e| e.to_string())?
                    .map_err(|e| {
                        if path.exists() {
                            e.to_string()
                        } else {
                            NO_IPVS.to_string()
                        }
                    })?;
                Ok(Snapshot {
                    info: Some(table.info),
                    entries: table.services,
                    taken_at: Instant::now(),
                    source: Source::Procfs {
                        reason: reason.clone(),
                    },
                })
            }
        }
    }

    /// Applies changes all-or-nothing (`apply_atomically`); refused outright when read-only.
    /// One result per op: all `Ok`, or the refused op's error (with the rollback's outcome).
    pub async fn apply(&self, ops: &[Op]) -> Vec<Result<(), String>> {
        match self {
            Reader::Netlink(client) => match apply_atomically(client, ops).await {
                Ok(()) => ops.iter().map(|_| Ok(())).collect(),
                Err(e) => vec![Err(format!(
                    "ipvsadm {}: {e}",
                    crate::tui::edit::line(&e.op)
                ))],
            },
            Reader::Procfs { reason } => ops
                .iter()
                .map(|_| Err(format!("read-only: {reason}")))
                .collect(),
        }
    }
}

/// After a table was taken in (and the one before dropped): hands the freed pages back to
/// the kernel. glibc keeps freed heap memory, so without this a 100k-server director's
/// console stays at its peak (two tables at once) instead of its steady size (one).
pub fn release_freed_memory() {
    crate::linux::sys::release_freed_memory();
}

/// The ways out when this kernel has no IPVS: load it, or try lvsdeck on a throwaway VM.
pub const NO_IPVS: &str =
    "IPVS is not loaded: `modprobe ip_vs`, or `lvsdeck lab` for a throwaway director";

/// One line for the header: why netlink is not used and what is missing because of it.
pub fn procfs_reason(e: &IpvsError) -> String {
    let why = match e {
        IpvsError::PermissionDenied { .. } => {
            "no CAP_NET_ADMIN (run as root or grant it)".to_string()
        }
        IpvsError::NotLoaded { .. } if !Path::new(procfs::TABLE_PATH).exists() => {
            return NO_IPVS.to_string()
        }
        other => format!("netlink unavailable ({other})"),
    };
    format!("{why}; table from /proc/net/ip_vs, no per-service counters")
}
