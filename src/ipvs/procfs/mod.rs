//! The read-only IPVS table from /proc: the fallback when netlink refuses a user without
//! CAP_NET_ADMIN, since these files are world-readable. Connections are in `conn`.

mod error;
pub(crate) mod hex;
mod hz;
mod services;
mod stats;

use std::path::Path;

pub use error::ProcError;
pub use hz::{hz_from_config, kernel_hz, DEFAULT_HZ};
pub use services::{parse_table, ProcTable};
pub use stats::parse_stats;

use crate::ipvs::model::Stats;

pub const TABLE_PATH: &str = "/proc/net/ip_vs";
pub const STATS_PATH: &str = "/proc/net/ip_vs_stats";

fn read(path: &Path) -> Result<String, ProcError> {
    std::fs::read_to_string(path).map_err(|source| ProcError::Io {
        path: path.to_path_buf(),
        source,
    })
}

/// Services and real servers from [`TABLE_PATH`] (or another copy of that file).
pub fn read_table(path: &Path, hz: u32) -> Result<ProcTable, ProcError> {
    parse_table(&read(path)?, hz)
}

/// The director's totals from [`STATS_PATH`] (or another copy of that file).
pub fn read_stats(path: &Path) -> Result<Stats, ProcError> {
    parse_stats(&read(path)?)
}
