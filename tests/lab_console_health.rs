//! The console with `-f keepalived.conf` on the real kernel (lab VM, tmux): it runs the
//! configuration's health checkers and reconciler embedded, marks each checked real server,
//! and when a real server's httpd dies, the server is inhibited (weight 0) in the kernel and
//! marked so on screen; the detail view says why.

// Tests and benches state what they expect with unwrap/expect/panic (the lints are for
// the library; see Cargo.toml).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "support/tmux.rs"]
mod tmux;

use std::time::Duration;

use tmux::{Tmux, HEALTH_CONF, HEALTH_SERVERS};

#[test]
fn console_shows_health_and_the_kernel_follows() {
    let t = Tmux::lab(
        "lvsdeck-health",
        "lab",
        140,
        40,
        &format!(" --no-demo --file {HEALTH_CONF}"),
    );
    // The lab opens the console on the empty table; leave it for the shell.
    t.lab_shell();
    // Real servers (httpd in the foreground of background jobs, PIDs kept), VIPs on lo, and
    // a timer that kills the inhibit_on_failure server's httpd 20 s from now.
    let setup = format!(
        "clear; {HEALTH_SERVERS}; (sleep 20; kill $(cat /tmp/pid_8083)) & \
         lvsdeck -f /opt/bin/health.conf"
    );
    t.keys(&["-l", &setup]);
    t.keys(&["Enter"]);
    // Every checked server up, marked, and the health line in the header.
    let screen = t.wait_for("[up]", Duration::from_secs(60));
    assert!(screen.contains("health:"), "{screen}");
    assert!(screen.contains("127.0.0.1:8083"), "{screen}");
    // The httpd on 8083 dies: TCP_CHECK fails, inhibit_on_failure keeps it at weight 0.
    let screen = t.wait_for("[inhibited]", Duration::from_secs(60));
    let row = screen
        .lines()
        .find(|l| l.contains("127.0.0.1:8083"))
        .unwrap_or_default()
        .to_string();
    assert!(row.contains("[inhibited]"), "{screen}");
    // Leave the console (no VRRP here: no question): it says the table stays, and it does
    // (the console never releases services, unlike `lvsdeck daemon` on SIGTERM).
    t.keys(&["q"]);
    t.wait_for("the IPVS table was left as it is", Duration::from_secs(30));
    t.wait_for("director:~#", Duration::from_secs(30));
    t.keys(&[
        "-l",
        "clear; ipvsadm -Sn | grep 8083; echo services-$(ipvsadm -Sn | grep -c '^-A'); echo END-$((40+2))",
    ]);
    t.keys(&["Enter"]);
    let screen = t.wait_for("END-42", Duration::from_secs(30));
    assert!(
        screen
            .lines()
            .any(|l| l.starts_with("-a -t 198.51.100.20:80 -r 127.0.0.1:8083 -m -w 0")),
        "the inhibited server is not at weight 0 in the kernel:\n{screen}"
    );
    assert!(
        screen.lines().any(|l| l.trim() == "services-2"),
        "quitting the console removed services:\n{screen}"
    );
    t.poweroff();
}
