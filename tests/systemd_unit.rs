//! The systemd unit (`src/cli/package/lvsdeck.service`) as systemd reads it: `systemd-analyze
//! verify` is clean, with the binary under test in ExecStart and the generated manual pages
//! (`lvsdeck man`) on MANPATH for its Documentation= lines. Needs systemd-analyze.

// Tests state what they expect with unwrap/expect/panic (the lints are for the library).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::process::Command;

#[test]
fn the_unit_verifies_clean() {
    if Command::new("systemd-analyze")
        .arg("--version")
        .output()
        .is_err()
    {
        eprintln!("skipped: no systemd-analyze");
        return;
    }
    let dir = std::env::temp_dir().join(format!("lvsdeck-unit-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let unit = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/src/cli/package/lvsdeck.service"
    ))
    .unwrap();
    assert!(
        unit.contains("Type=notify") && unit.contains("WatchdogSec="),
        "{unit}"
    );
    assert!(
        unit.contains("ExecReload=/bin/kill -HUP $MAINPID"),
        "{unit}"
    );
    let path = dir.join("lvsdeck.service");
    std::fs::write(
        &path,
        unit.replace("/usr/bin/lvsdeck", env!("CARGO_BIN_EXE_lvsdeck")),
    )
    .unwrap();
    let man = dir.join("man");
    let made = Command::new(env!("CARGO_BIN_EXE_lvsdeck"))
        .arg("man")
        .arg(man.join("man8"))
        .output()
        .unwrap();
    assert!(made.status.success());
    let out = Command::new("systemd-analyze")
        .arg("verify")
        .arg(&path)
        .env("MANPATH", &man)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr).to_string();
    let _ = std::fs::remove_dir_all(&dir);
    assert!(out.status.success() && err.trim().is_empty(), "{err}");
}
