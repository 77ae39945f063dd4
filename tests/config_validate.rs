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

/// `validate` checks through the daemon's own loader: a file the parser accepts but the
/// daemon refuses (an AH instance, two virtual_server blocks for one service) is refused
/// by both, with the same file:line message.
#[test]
fn validate_refuses_what_the_daemon_refuses() {
    let dir = std::env::temp_dir().join(format!("lvsdeck-validate-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let cases = [
        (
            "ah.conf",
            "vrrp_instance VI_1 {\n  interface lo\n  virtual_router_id 51\n  priority 100\n  \
             authentication {\n    auth_type AH\n    auth_pass secret\n  }\n  \
             virtual_ipaddress {\n    192.0.2.10\n  }\n}\n",
            "auth_type AH is not supported",
        ),
        (
            "twice.conf",
            "virtual_server 198.51.100.10 80 {\n  lb_kind DR\n  protocol TCP\n  \
             real_server 192.0.2.5 80 {\n  }\n}\n\
             virtual_server 198.51.100.10 80 {\n  lb_kind DR\n  protocol TCP\n  \
             real_server 192.0.2.6 80 {\n  }\n}\n",
            "198.51.100.10",
        ),
    ];
    for (name, text, needle) in cases {
        let path = dir.join(name);
        std::fs::write(&path, text).unwrap();
        let validate = Command::new(env!("CARGO_BIN_EXE_lvsdeck"))
            .args(["validate", "-f"])
            .arg(&path)
            .output()
            .unwrap();
        let v_err = String::from_utf8_lossy(&validate.stderr).to_string();
        assert_eq!(
            validate.status.code(),
            Some(1),
            "{name}: validate passed\n{v_err}"
        );
        assert!(v_err.contains(needle), "{name}: {v_err}");
        // The daemon refuses the same file before it touches anything (exit 1, same line).
        let daemon = Command::new(env!("CARGO_BIN_EXE_lvsdeck"))
            .args(["daemon", "-f"])
            .arg(&path)
            .arg("--control")
            .arg(dir.join("control.sock"))
            .output()
            .unwrap();
        let d_err = String::from_utf8_lossy(&daemon.stderr).to_string();
        assert_eq!(daemon.status.code(), Some(1), "{name}: daemon ran\n{d_err}");
        let line = v_err
            .lines()
            .find(|l| l.contains(needle))
            .unwrap_or_default()
            .to_string();
        assert!(
            d_err.contains(&line),
            "{name}: daemon said\n{d_err}\nvalidate said\n{line}"
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// Connection sync: what would run in the summary; a bad value refused with its line; an
/// unknown instance only warned about (keepalived clears the setting and runs on).
#[test]
fn lvs_sync_daemon_is_summarised_and_its_errors_name_the_line() {
    let dir = std::env::temp_dir().join(format!("lvsdeck-validate-sync-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let instance = "vrrp_instance VI_1 {\n interface eth0\n virtual_router_id 51\n virtual_ipaddress {\n 192.0.2.10\n }\n}\n";
    let validate = |name: &str, global: &str| {
        let path = dir.join(name);
        std::fs::write(&path, format!("global_defs {{\n {global}\n}}\n{instance}")).unwrap();
        let out = Command::new(env!("CARGO_BIN_EXE_lvsdeck"))
            .args(["validate", "-f"])
            .arg(&path)
            .output()
            .unwrap();
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stdout).to_string(),
            String::from_utf8_lossy(&out.stderr).to_string(),
            path.display().to_string(),
        )
    };
    let (code, out, err, _) = validate("good.conf", "lvs_sync_daemon eth0 VI_1");
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains(": lvs_sync_daemon eth0 VI_1 id 51: master daemon while VI_1 is MASTER, backup daemon otherwise"),
        "{out}"
    );
    let (code, _, err, path) = validate("bad.conf", "lvs_sync_daemon eth0 VI_1 port 0");
    assert_eq!(code, 1);
    assert!(
        err.contains(&format!(
            "{path}:2: error: Invalid lvs_sync_daemon port (0): must be an integer between 1 and 65535"
        )),
        "{err}"
    );
    let (code, out, err, path) = validate("unknown.conf", "lvs_sync_daemon eth0 VI_2");
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains(&format!(
            "{path}:2: warning: Unable to find vrrp instance VI_2 for lvs_syncd"
        )),
        "{err}"
    );
    assert!(!out.contains("connection sync"), "{out}");
    let _ = std::fs::remove_dir_all(&dir);
}
