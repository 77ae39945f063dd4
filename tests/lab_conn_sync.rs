//! Connection sync on the real kernel (lab VM, one boot): `lvsdeck daemon` and then the real
//! keepalived 2.2.7 run the same keepalived.conf (`lvs_sync_daemon va VI_1 id 7`, one VRRP
//! instance on a veth) through the same steps — start, MASTER, out of MASTER (lvsdeck's
//! control give-up drill; keepalived's failing track script), SIGHUP unchanged, SIGHUP with
//! sync id 9, SIGTERM — and at each step the kernel's sync daemons are read with the real
//! `ipvsadm -L --daemon` (and the daemon's kernel thread, which an unchanged reload must not
//! replace and a changed one must). lvsdeck's readings must equal keepalived's, step by
//! step; lvsdeck's log must hold each sync command as an ipvsadm line and the drill.

// Tests state what they expect with unwrap/expect/panic (the lints are for the library).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "support/lab_vm.rs"]
mod common;

use std::path::PathBuf;

/// A program of the host's, by name, for the VM's /opt/bin.
fn host_program(name: &str) -> PathBuf {
    ["/usr/sbin", "/usr/bin", "/sbin", "/bin"]
        .iter()
        .map(|d| PathBuf::from(d).join(name))
        .find(|p| p.is_file())
        .unwrap_or_else(|| panic!("{name} is not installed (apt-get install keepalived iproute2)"))
}

#[test]
fn sync_daemons_follow_the_instance_as_keepalived_runs_them() {
    let mut files = common::fixtures(&["sync/sync.conf"]);
    files.push(host_program("keepalived"));
    files.push(host_program("ip"));
    common::run_clean("conn_sync.sh", &files, 40);
}
