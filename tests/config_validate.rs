//! `lvsdeck validate -f FILE`: messages on stderr, summary on stdout, exit 0 / 1.

// Tests and benches state what they expect with unwrap/expect/panic (the lints are for
// the library; see Cargo.toml).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::Path;
use std::process::Command;

fn run(fixture: &str) -> (i32, String, String) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/keepalived")
        .join(fixture);
    let out = Command::new(env!("CARGO_BIN_EXE_lvsdeck"))
        .args(["validate", "-f"])
        .arg(&path)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).to_string(),
        String::from_utf8_lossy(&out.stderr).to_string(),
    )
}

#[test]
fn clean_file_exits_zero_with_summary() {
    let (code, out, err) = run("sample-sample.conf");
    assert_eq!(code, 0, "{err}");
    assert!(err.is_empty(), "{err}");
    assert!(out.contains("vrrp_instance VI_1 ("), "{out}");
    assert!(
        out.contains("BACKUP priority 100 vrid 50 interface eth0 advert 1s VRRPv2"),
        "{out}"
    );
    assert!(
        out.contains("  -A -t 10.10.10.2:1358 -s rr -p 50\n"),
        "{out}"
    );
    assert!(
        out.contains("  -a -t 10.10.10.2:1358 -r 192.168.200.2:1358 -m -w 1\n"),
        "{out}"
    );
    assert!(out.contains("HTTP_GET 1 url(s) every 6s"), "{out}");
}

#[test]
fn errors_exit_one_with_file_line_messages() {
    let (code, _out, err) = run("seed-003-lvs-dr-master.conf");
    assert_eq!(code, 1);
    assert!(
        err.contains("seed-003-lvs-dr-master.conf:23: error: block 'virtual_server' opened here is never closed"),
        "{err}"
    );
}

#[test]
fn warnings_alone_exit_zero() {
    let (code, _out, err) = run("seed-003-global.conf");
    assert_eq!(code, 0);
    assert!(
        err.contains("seed-003-global.conf:14: warning: unsupported keyword 'vrrp_iptables' in global_defs; ignored"),
        "{err}"
    );
}

#[test]
fn unreadable_file_exits_one() {
    let (code, _out, err) = run("no-such.conf");
    assert_eq!(code, 1);
    assert!(err.contains("cannot read"), "{err}");
}
