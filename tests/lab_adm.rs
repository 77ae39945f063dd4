//! `lvsdeck adm` against ipvsadm 1.31 on the real kernel IPVS, in the lab VM: every listing
//! form byte for byte, every write leaving the same table, bad input refused alike.
//! One VM boot per scenario.

// Tests and benches state what they expect with unwrap/expect/panic (the lints are for
// the library; see Cargo.toml).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "support/lab_vm.rs"]
mod common;

#[test]
fn listings_match_ipvsadm_byte_for_byte() {
    let r = common::run_scenario("read.sh", &[]);
    common::assert_clean("read.sh", &r, 38);
}

#[test]
fn writes_leave_the_kernel_as_ipvsadm_does() {
    let r = common::run_scenario("write.sh", &[]);
    common::assert_clean("write.sh", &r, 20);
}

#[test]
fn bad_input_is_refused_and_changes_nothing() {
    let r = common::run_scenario("refuse.sh", &[]);
    common::assert_clean("refuse.sh", &r, 31);
}
