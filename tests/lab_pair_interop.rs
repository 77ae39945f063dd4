//! lvsdeck and keepalived 2.2.7 as one director pair on the real kernel IPVS (`lvsdeck lab
//! --pair`, one VM boot; keepalived copied into the VM): A runs `lvsdeck daemon`, B runs
//! keepalived with the same B.conf, both with `lvs_sync_daemon eth0 VI_1 id 7`. Long-lived
//! connections keep flowing from lvsdeck to keepalived (give-up drill, SIGKILL of A's
//! daemon) and back (A preempts at failback); keepalived's sync daemon follows its state.
//! Scenario: tests/lab/pair_lib.sh + pair_interop.sh.

// Tests and benches state what they expect with unwrap/expect/panic (the lints are for
// the library; see Cargo.toml).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "support/lab_vm.rs"]
mod common;

use std::path::PathBuf;

#[test]
fn lvsdeck_and_keepalived_pair_keep_connections_both_ways() {
    let keepalived = PathBuf::from("/usr/sbin/keepalived");
    assert!(keepalived.is_file(), "keepalived 2.2.7 must be installed");
    common::run_clean_pair("pair_interop.sh", &[keepalived], 20);
}
