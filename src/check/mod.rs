//! Health checks, split at the pure/I/O line:
//!
//! - [`policy`]: keepalived's rules (retry, inhibit, quorum, sorry server, operator intent)
//!   as a pure machine — results, commands and a clock in; table changes, script actions and
//!   next check times out. No sockets, no clock of its own.
//! - [`probe`]: the checkers themselves (TCP, HTTP/SSL, SMTP, DNS, UDP, ping, MISC), async on
//!   tokio, one file each: the edge.
//! - [`runner`] schedules the probes and drives the policy; [`build`] derives both from a
//!   keepalived.conf.

pub mod build;
pub mod policy;
pub mod probe;
pub mod runner;

pub use policy::outcome::Outcome;
pub use policy::spec::{CheckSpec, CheckerId, RsIndex, RsSpec, ScriptCall, VsSpec};
pub use policy::status::{CheckerStatus, Health, Intent, LastResult, ServerStatus, Transition};
pub use policy::{OperatorCommand, Output, Policy, ScriptAction};
pub use probe::target::Target;
pub use probe::{Check, Probe};
