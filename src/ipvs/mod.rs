//! The kernel's IPVS table: the model, the one netlink client, and the /proc readers.

pub mod conn;
pub mod error;
pub mod model;
pub mod netlink;
pub mod op;
pub mod procfs;

pub use model::*;
pub use op::Op;
