//! The console's first minutes for a newcomer, on this machine as it is: started without a
//! terminal (from a script, `ssh host lvsdeck` without `-t`) it exits non-zero with one
//! line saying what it needs and what to run instead, never a backtrace; on a kernel
//! without IPVS (the development and CI machines have none) its screen names both ways out,
//! `modprobe ip_vs` and `lvsdeck lab`. Needs tmux for the second.

// Tests state what they expect with unwrap/expect/panic (the lints are for the library).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "support/tmux.rs"]
mod tmux;

use std::process::{Command, Stdio};
use std::time::Duration;

#[test]
fn without_a_terminal_it_says_what_to_run_instead() {
    let dir = std::env::temp_dir().join(format!("lvsdeck-newcomer-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_lvsdeck"))
        .arg("--audit-log")
        .arg(dir.join("audit.log"))
        .arg("--control")
        .arg(dir.join("none.sock"))
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert_eq!(err.lines().count(), 1, "one line, not a backtrace:\n{err}");
    assert!(err.contains("needs a terminal"), "{err}");
    assert!(err.contains("lvsdeck adm -Ln --stats"), "{err}");
    assert!(err.contains("lvsdeck control status"), "{err}");
    assert!(
        !err.contains("panicked") && !err.contains("backtrace"),
        "{err}"
    );
    // Nothing was drawn: no escape sequences on stdout.
    assert!(
        out.stdout.is_empty(),
        "{:?}",
        String::from_utf8_lossy(&out.stdout)
    );
}

#[test]
fn without_ipvs_the_screen_names_both_ways_out() {
    if std::path::Path::new("/proc/net/ip_vs").exists() {
        eprintln!("skipped: this kernel has IPVS");
        return;
    }
    if Command::new("tmux").arg("-V").output().is_err() {
        eprintln!("skipped: no tmux");
        return;
    }
    let dir = std::env::temp_dir().join(format!("lvsdeck-noipvs-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let cmd = format!(
        "{} --audit-log {} --control {}",
        env!("CARGO_BIN_EXE_lvsdeck"),
        dir.join("audit.log").display(),
        dir.join("none.sock").display()
    );
    let t = tmux::Tmux::start(
        format!("lvsdeck-noipvs-{}", std::process::id()),
        "t",
        160,
        20,
        &[&cmd],
    );
    let screen = t.wait_for("lvsdeck lab", Duration::from_secs(20));
    let _ = std::fs::remove_dir_all(&dir);
    assert!(screen.contains("modprobe ip_vs"), "{screen}");
    assert!(screen.contains("throwaway director"), "{screen}");
}
