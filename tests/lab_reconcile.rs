//! `lvsdeck reconcile` on the real kernel IPVS (lab VM): keepalived.conf's virtual servers
//! applied, hand-made services left alone, weight edits, drift, refused configurations,
//! and the seed configurations' tables as keepalived would build them. One VM boot.

// Tests and benches state what they expect with unwrap/expect/panic (the lints are for
// the library; see Cargo.toml).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "support/lab_vm.rs"]
mod common;

#[test]
fn reconcile_converges_owned_services_only() {
    let files = common::fixtures(&[
        "reconcile/base.conf",
        "reconcile/base.expected",
        "reconcile/seed-000-virtual-servers.conf",
        "reconcile/seed-000-virtual-servers.expected",
        "reconcile/seed-003-lvs-dr-virtual-servers.conf",
        "reconcile/seed-003-lvs-dr-virtual-servers.expected",
        "reconcile/sample-virtual-server-group.expected",
        "keepalived/sample-virtual-server-group.conf",
        "keepalived/seed-000-lvs-devel.conf",
        "keepalived/seed-003-lvs-dr-master.conf",
    ]);
    common::run_clean("reconcile.sh", &files, 29);
}
