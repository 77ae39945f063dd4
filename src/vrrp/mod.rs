//! VRRP (v2, RFC 3768; v3, RFC 5798/9568), interoperable with keepalived 2.2.7 on the wire.
//!
//! A protocol core without I/O: `advert` is the codec, `checks` the receive checks, `instance`
//! one virtual router as a state machine fed with events and a clock ([`crate::clock`]), returning
//! actions and its next deadline. Sockets, VIPs and GARP frames live elsewhere.

pub mod advert;
pub mod checks;
pub mod checksum;
pub mod config;
pub mod counters;
pub mod instance;
pub mod status;
pub mod sync_group;
pub mod timers;
pub mod track;

#[cfg(test)]
mod tests;

/// The engine's clock, which every input here is stamped with.
pub use crate::clock::Instant;
pub use advert::{virtual_mac, Addrs, Advert, Auth, Dialect, Family, Path, Version};
pub use checks::{AddressCheck, Received, Rejection};
pub use config::{Config, ConfigError, Garp};
pub use counters::Counters;
pub use instance::{Input, Instance, Instruction, Output};
pub use status::{Reason, State, Status, Transition};
pub use sync_group::{MemberView, SyncGroup};
