//! lvsdeck: a terminal console for Linux IPVS directors.
//!
//! The layers, each importing only those after it (README's map; `tests/architecture.rs`
//! keeps it): `cli` the subcommands; `tui` the console; `pair` a director as its peer sees it and the
//! pair's invariants (pure) with its edges (serving, SSH); `engine` the one loader and the one
//! `Director` both front ends drive; `adm` ipvsadm's command line and output, and `lab` the
//! real-kernel VM; `check` the health policy (pure) and its probes; `config` keepalived.conf;
//! `rules` the ipvsadm language (pure); `ipvs` the kernel table's model (pure) and the one
//! netlink client; `vrrp` the VRRP protocol core (pure); `linux` the kernel plumbing (the
//! only `unsafe`); `clock` the monotonic instant the cores are handed.

pub mod adm;
pub mod check;
pub mod cli;
pub mod clock;
pub mod config;
pub mod engine;
pub mod ipvs;
pub mod lab;
pub mod linux;
pub mod metrics;
pub mod pair;
pub mod rules;
pub mod tui;
pub mod vrrp;
