//! `lvsdeck daemon` with health checkers on the real kernel IPVS (lab VM): real servers
//! killed and revived by PID leave and rejoin the table within keepalived's bound,
//! inhibit_on_failure, quorum with a sorry server, SIGHUP weights, SIGTERM releasing the virtual servers, and
//! the seed configurations' virtual servers. One VM boot.

// Tests and benches state what they expect with unwrap/expect/panic (the lints are for
// the library; see Cargo.toml).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "support/lab_vm.rs"]
mod common;

#[test]
fn daemon_health_checks_drive_the_table() {
    let files = common::fixtures(&[
        "health/health.conf",
        "reconcile/seed-000-virtual-servers.conf",
        "reconcile/seed-000-virtual-servers.expected",
        "reconcile/seed-003-lvs-dr-virtual-servers.conf",
        "reconcile/seed-003-lvs-dr-virtual-servers.expected",
        "reconcile/sample-virtual-server-group.expected",
        "keepalived/sample-virtual-server-group.conf",
    ]);
    common::run_clean("health.sh", &files, 23);
}
