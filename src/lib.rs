//! lvsdeck: a terminal console for Linux IPVS directors.
//!
//! Module map: `ipvs` is the kernel table (model, netlink client, /proc readers), `rules` the
//! ipvsadm command language, `adm` ipvsadm's command line and output, `lab` the real-kernel VM,
//! `vrrp` the VRRP protocol core (codec, receive checks, state machine; no I/O), `check` the
//! health checkers and their policy, `config` keepalived.conf, `engine` runs them and keeps the
//! kernel table converged, `tui` the console.

pub mod adm;
pub mod check;
pub mod cli;
pub mod clock;
pub mod config;
pub mod engine;
pub mod ipvs;
pub mod lab;
pub mod linux;
pub mod rules;
pub mod tui;
pub mod vrrp;
