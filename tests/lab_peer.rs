//! `lvsdeck serve --stdio` on the real kernel IPVS (lab VM, `tests/lab/peer.sh`): the
//! stream's snapshot carries the table, the sync daemon and the daemon's absence;
//! connections through the VIP are counted by origin; an `apply` frame's ipvsadm line
//! changes the kernel through the one client, is answered, audited with who asked and comes
//! back as a changes frame; a refused batch changes nothing; sequence numbers follow; serve
//! ends with its input. One VM boot.

// Tests and benches state what they expect with unwrap/expect/panic (the lints are for
// the library; see Cargo.toml).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "support/lab_vm.rs"]
mod common;

#[test]
fn serve_applies_and_streams_on_the_real_kernel() {
    common::run_clean("peer.sh", &[], 15);
}
