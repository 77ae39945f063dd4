//! The IPVS generic-netlink client: one persistent socket, pipelined mutations.
//!
//! `wire` holds the family's numbers, `nla` the attribute reader/writer, `encode` and
//! `decode` the pure conversions between model values and bytes, `client` the socket.

pub mod client;
pub mod decode;
pub mod encode;
pub mod frame;
pub mod nla;
pub mod transport;
pub mod wire;

pub use client::Client;
pub use decode::DecodeError;
pub use encode::EncodeError;
