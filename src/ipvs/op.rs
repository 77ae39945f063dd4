//! One change to the kernel's IPVS table.
//!
//! Every mutation lvsdeck makes — from `adm`, restore, the console, the checker, config
//! reconciliation — is an `Op`. The rule language (`crate::rules`) parses ipvsadm lines into
//! `Op`s and prints them back; the netlink client (`crate::ipvs::netlink`) applies them.

use std::net::IpAddr;

use super::model::{Daemon, DaemonState, DestConfig, ServiceConfig, ServiceKey, Timeouts};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Op {
    /// `-A`
    AddService(ServiceConfig),
    /// `-E`
    EditService(ServiceConfig),
    /// `-D`
    DelService(ServiceKey),
    /// `-C`
    Flush,
    /// `-a`
    AddDest(ServiceKey, DestConfig),
    /// `-e`
    EditDest(ServiceKey, DestConfig),
    /// `-d`
    DelDest {
        service: ServiceKey,
        addr: IpAddr,
        port: u16,
    },
    /// `-Z` (one service, or all with `None`)
    Zero(Option<ServiceKey>),
    /// `--set tcp tcpfin udp` (0 = unchanged)
    SetTimeouts(Timeouts),
    /// `--start-daemon`
    StartDaemon(Daemon),
    /// `--stop-daemon`
    StopDaemon(DaemonState),
}
