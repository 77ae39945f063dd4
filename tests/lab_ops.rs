//! `lvsdeck daemon`'s control socket on the real kernel IPVS (lab VM), from a shell:
//! `lvsdeck control status` lists the checked servers; a drain holds at weight 0 while the
//! server's httpd dies and revives and across a reconciler period (operator intent wins,
//! not reverted as drift); undrain and disable; one hand edit reverted on request; bad
//! requests and a second daemon refused; the socket is 0600, removed on exit, and a stale
//! one replaced. Every step is checked with the real ipvsadm. One VM boot.

// Tests and benches state what they expect with unwrap/expect/panic (the lints are for
// the library; see Cargo.toml).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "support/lab_vm.rs"]
mod common;

#[test]
fn daemon_control_socket_drives_operator_intent() {
    let files = common::fixtures(&["health/health.conf"]);
    common::run_clean("ops.sh", &files, 30);
}
