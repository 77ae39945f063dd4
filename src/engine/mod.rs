//! Runs what the configuration describes: VRRP instances as tokio tasks (sockets, VIPs,
//! signals live here), publishing status through watch channels and taking commands.

pub mod daemon;
pub mod vrrp;
