//! Health checks: keepalived's checkers (one file each, async on tokio, at the edge) and the
//! policy that turns their results into table changes (pure: `policy`, `retry`, `quorum`,
//! no sockets, no clock). `runner` schedules the checks and drives the policy; `build`
//! derives both from a keepalived.conf.

pub mod build;
pub mod dns;
pub mod http;
pub mod misc;
pub mod outcome;
pub mod ping;
pub mod policy;
pub mod probe;
pub mod quorum;
pub mod retry;
pub mod runner;
pub mod smtp;
pub mod spec;
pub mod status;
pub mod target;
pub mod tcp;
pub mod tls;
pub mod udp;

#[cfg(test)]
mod policy_tests;

pub use outcome::Outcome;
pub use policy::{Action, Command, Output, Policy};
pub use probe::{Check, Probe};
pub use spec::{CheckSpec, CheckerId, RsSpec, Script, ServerId, VsSpec};
pub use status::{CheckerStatus, Health, Intent, LastResult, ServerStatus, Transition};
pub use target::Target;
