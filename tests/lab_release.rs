//! `lvsdeck daemon`'s exit semantics on the real kernel IPVS (lab VM), as keepalived's:
//! SIGTERM removes the configuration's virtual servers and keeps a hand-made one, with omega
//! the down notifiers run; `--dont-release-ipvs` leaves the table; `lvs_flush` and
//! `lvs_flush_on_stop`; notify_up/notify_down/quorum scripts on real transitions. One boot.

// Tests and benches state what they expect with unwrap/expect/panic (the lints are for
// the library; see Cargo.toml).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "support/lab_vm.rs"]
mod common;

#[test]
fn daemon_stop_releases_what_it_owns() {
    common::run_clean("release.sh", &[], 20);
}
