//! The kernel's IPVS table: the model, the one netlink client, and the /proc readers.

pub mod batch;
pub mod conn;
pub mod error;
pub mod model;
pub mod netlink;
pub mod op;
pub mod plan;
pub mod procfs;
pub mod table;

pub use model::*;
pub use op::Op;
