//! The ipvsadm command language as a typed value: parse, validate, print (`-S` form).

pub mod command;

pub use command::{Command, ListOptions};
pub mod plan;
pub mod apply;
