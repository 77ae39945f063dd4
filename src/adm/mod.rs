//! `lvsdeck adm`: ipvsadm 1.31's command line, listing and save output, exit codes.
//!
//! The formatters here are pure: they take model values and return the exact bytes ipvsadm
//! 1.31 prints (checked against captures of the real binary in `tests/fixtures/ipvsadm/`).
//! Names for listings without `-n` come through the [`names::ReverseNames`] trait.
//!
//! # Deliberate deviations from ipvsadm 1.31
//!
//! 1. **Sort order** ([`sort`]): ipvsadm's comparators subtract unsigned values into an `int`
//!    and overflow, so 200.0.0.1 lists before 10.0.0.1 and fwmark 3000000000 before every
//!    other service. lvsdeck sorts numerically; the outputs differ only where two addresses or
//!    marks are more than 2^31 apart. Real servers of mixed families in one (tunnelled) service
//!    sort IPv4 first.
//! 2. **64-bit per-server counters**: ipvsadm reads each real server's STATS64 attribute with
//!    its 32-bit parser, cutting connections, packets and all rates to 32 bits (bytes stay
//!    64-bit). lvsdeck prints the full 64-bit values the kernel sends.
//! 3. **Fwmarks above 2^31**: Debian's ipvsadm 1.31 prints marks with `%d`
//!    (`FWM  -1294967296`, `-A -f -1294967296`, which cannot be restored); upstream fixed this
//!    after 1.31. lvsdeck prints the mark unsigned.
//! 4. **`-v`**: lvsdeck prints its own version in ipvsadm's shape (see [`help`]); `-h` is
//!    ipvsadm's text after that first line.
//! 5. **`--save-thresholds`** (lvsdeck only): `-S` can also save `-x`/`-y`, which ipvsadm
//!    drops; the added form `-w W -x U -y L` is accepted by the real `ipvsadm -R`.
//! 6. Where ipvsadm would index past its own word tables (unknown tunnel checksum flags) it has
//!    undefined behaviour; lvsdeck prints `n/a` in `--tun-info` and omits the option in `-S`.

pub mod connections;
pub mod exec;
pub mod fields;
pub mod help;
pub mod largenum;
pub mod listing;
pub mod names;
pub mod resolver;
pub mod save;
pub mod sort;
pub mod status;

pub use connections::{connection_rows, connections_title, list_connections};
pub use help::{help, version_line};
pub use largenum::largenum;
pub use listing::{list_all, list_service, list_table, Layout, ListError};
pub use names::{NameTable, Naming, NoNames, ReverseNames, SystemNames};
pub use save::save;
pub use status::{list_daemons, list_timeouts};
