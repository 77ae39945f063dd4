//! The director pair on the real kernel IPVS (`lvsdeck lab --pair`, one VM boot): two
//! `lvsdeck daemon`s in namespaces A and B with VRRP, TCP_CHECK and connection sync, direct
//! routing real servers and a client on a bridge. Long-lived client connections through the
//! VIP keep flowing through five give-up drills and five SIGKILLs of the master's daemon, and
//! through each failback; with `lvs_sync_daemon` taken out of both files, the same drills
//! break every one of them. Prints the takeover timeline (median and max) against RFC 5798's
//! bounds. Scenario: tests/lab/pair_lib.sh + pair_sync.sh.

// Tests and benches state what they expect with unwrap/expect/panic (the lints are for
// the library; see Cargo.toml).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "support/lab_vm.rs"]
mod common;

#[test]
fn pair_keeps_connections_through_drills_only_with_sync() {
    common::run_clean_pair("pair_sync.sh", &[], 45);
}
