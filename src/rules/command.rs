//! One ipvsadm command line as a value.

use crate::ipvs::{Op, ServiceKey};

/// What one ipvsadm command line asks for. Mutations are `Change`; the rest read or drive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// `-A -E -D -C -a -e -d -Z --set --start-daemon --stop-daemon`
    Change(Op),
    /// `-L` / `-l` and its modifiers.
    List(ListOptions),
    /// `-S` (with `-n`; `keep_thresholds` is lvsdeck's `--save-thresholds` extension).
    Save(ListOptions),
    /// `-R`: read commands from standard input.
    Restore,
    /// `-h`
    Help,
    /// `-v`
    Version,
}

/// Modifiers of a listing or save. Exactly what the command line said; no defaults applied.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListOptions {
    /// `-t/-u/--sctp-service/-f`: list only this service.
    pub service: Option<ServiceKey>,
    /// `-n`
    pub numeric: bool,
    /// `-c`
    pub connections: bool,
    /// `--timeout`
    pub timeout: bool,
    /// `--daemon`
    pub daemon: bool,
    /// `--stats`
    pub stats: bool,
    /// `--rate`
    pub rate: bool,
    /// `--thresholds`
    pub thresholds: bool,
    /// `--persistent-conn`
    pub persistent_conn: bool,
    /// `--tun-info`
    pub tun_info: bool,
    /// `--nosort`
    pub nosort: bool,
    /// `-X` / `--exact`
    pub exact: bool,
    /// `--save-thresholds` (lvsdeck): `-S` also prints `-x`/`-y`, which ipvsadm accepts.
    pub keep_thresholds: bool,
}
