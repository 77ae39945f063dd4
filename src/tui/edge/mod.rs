//! The console's edges, where its I/O lives: the terminal, the event loop and the effect
//! executor (`run`), the kernel table (`reader`), the audit log (`audit`), the connection
//! scans (`scan`) and the director the console drives (`engine`: in-process with `-f`, or a
//! daemon's over its control socket).
//! Everything else in `tui` is pure and reaches the outside only through `Effect`s.

pub mod audit;
pub mod engine;
pub mod reader;
pub mod run;
pub mod scan;
