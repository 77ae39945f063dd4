//! `lvsdeck daemon --metrics` on the real kernel (lab VM, one boot): the IPVS families with
//! real counters read against ipvsadm on the same table, health and operator intent
//! families as the scenario changes them (`tests/lab/metrics.sh`).

// Tests state what they expect with unwrap/expect/panic (the lints are for the library).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "support/lab_vm.rs"]
mod common;

#[test]
fn metrics_read_the_kernel_table_and_the_director() {
    let files = common::fixtures(&["health/health.conf"]);
    common::run_clean("metrics.sh", &files, 25);
}
