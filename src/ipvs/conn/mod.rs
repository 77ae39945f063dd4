//! Connections from /proc/net/ip_vs_conn (and ip_vs_conn_sync), the only place the kernel
//! lists them: there is no netlink command for connections.
//!
//! `line` parses one line, `reader` iterates a file synchronously (`lvsdeck adm -c`), `scan`
//! reads it in the background in filtered batches (the live view).

mod filter;
mod line;
mod reader;
mod scan;
mod states;

pub use filter::{ConnFilter, Endpoint};
pub use line::{
    parse_fields, parse_line, parse_sync_line, Column, ConnFields, ConnParseError, Origin,
    SyncConnection,
};
pub use reader::{
    conn_lines, read_conns, read_sync_conns, sync_conn_lines, ConnLines, ConnReadError,
};
pub use scan::{spawn_scan, spawn_scan_reader, ConnScan, ScanEvent, ScanOptions, ScanSummary};
pub use states::StateCounts;

/// World-readable; what `ipvsadm -Lc` reads.
pub const CONN_PATH: &str = "/proc/net/ip_vs_conn";
/// The same table with each entry's origin (local or from the sync daemon).
pub const CONN_SYNC_PATH: &str = "/proc/net/ip_vs_conn_sync";
