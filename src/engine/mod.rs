//! Runs what the configuration describes, at the edges where sockets, netlink and signals
//! live; one engine for both front ends.
//!
//! - [`load`]: the one loader — keepalived.conf read, validated and turned into what runs.
//! - [`director`]: the [`Director`] that owns it all (VRRP instances, the IPVS side with its
//!   health checkers, mail alerts) and answers control requests. `lvsdeck daemon`
//!   ([`daemon`]: signals + director + control socket) and the console both drive one.
//! - [`ipvs`]: the reconciler that keeps the kernel table converged; [`health`]: the
//!   checkers' verdicts, scripts and status; [`vrrp`]: one task per VRRP instance;
//!   [`alerts`]: keepalived's mail alerts; [`control`]: the control socket's protocol, server
//!   and client; [`conn_sync`]: the kernel's connection sync daemons, following a VRRP
//!   instance as keepalived's `lvs_sync_daemon` does.

pub mod alerts;
pub mod audit;
pub mod conn_sync;
pub mod control;
pub mod daemon;
pub mod director;
pub mod health;
pub mod ipvs;
pub mod load;
pub mod vrrp;

pub use director::Director;
pub use health::status::{HealthStatus, ServerView, Why};
pub use ipvs::desired::{Overrides, Presence, ServerId};
pub use ipvs::drift::{Drift, DriftItem, DriftKey};
pub use ipvs::reconcile::{DriftPolicy, Reconciler};
pub use load::Loaded;
