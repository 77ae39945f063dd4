//! VRRP instances as tasks: `spec` maps keepalived.conf onto the core's settings, `task`
//! drives one [`crate::vrrp::Instance`] with its sockets, `set` starts, reloads and stops them.

pub mod group;
pub mod notify;
pub mod receiver;
pub mod security;
pub mod sender;
pub mod set;
pub mod spec;
pub mod sync;
pub mod task;
pub mod track;
pub mod vmac;

pub use set::Instances;
pub use spec::Spec;
pub use task::{InstanceCommand, InstanceHandle};
