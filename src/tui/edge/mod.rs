//! The console's edges, where its I/O lives: the terminal, the event loop and the effect
//! executor (`run`), the kernel table (`reader`), the audit log (`audit`), the connection
//! scans (`scan`) and the embedded VRRP and health engines (`vrrp_runner`, `health_runner`).
//! Everything else in `tui` is pure and reaches the outside only through `Effect`s.

pub mod audit;
pub mod health_runner;
pub mod reader;
pub mod run;
pub mod scan;
pub mod vrrp_runner;
