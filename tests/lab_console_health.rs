//! The console with `-f keepalived.conf` on the real kernel (lab VM, tmux): it runs the
//! configuration's health checkers and reconciler embedded, marks each checked real server,
//! and when a real server's httpd dies, the server is inhibited (weight 0) in the kernel and
//! marked so on screen; the detail view says why.

// Tests and benches state what they expect with unwrap/expect/panic (the lints are for
// the library; see Cargo.toml).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "support/tmux.rs"]
mod tmux;

use std::time::{Duration, Instant};

use tmux::Tmux;

#[test]
fn console_shows_health_and_the_kernel_follows() {
    let t = Tmux {
        socket: format!("lvsdeck-health-{}", std::process::id()),
        session: "lab",
    };
    let conf = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/health/health.conf"
    );
    let cmd = format!(
        "{} lab --no-demo --file {conf}",
        env!("CARGO_BIN_EXE_lvsdeck")
    );
    t.run(&[
        "new-session",
        "-d",
        "-s",
        t.session,
        "-x",
        "140",
        "-y",
        "40",
        &cmd,
    ]);
    // The lab opens the console on the empty table; leave it for the shell.
    t.wait_for("VRRP", Duration::from_secs(240));
    t.keys(&["q"]);
    t.wait_for("director:~#", Duration::from_secs(30));
    // Real servers (httpd in the foreground of background jobs, PIDs kept), VIPs on lo, and
    // a timer that kills the inhibit_on_failure server's httpd 20 s from now.
    let setup = "clear; mkdir -p /srv/www; echo ok >/srv/www/index.html; \
        ip addr add 198.51.100.10/32 dev lo; ip addr add 198.51.100.20/32 dev lo; \
        for p in 8081 8082 8083 8084 8090; do httpd -f -p 127.0.0.1:$p -h /srv/www & echo $! >/tmp/pid_$p; done; \
        (sleep 20; kill $(cat /tmp/pid_8083)) & \
        lvsdeck -f /opt/bin/health.conf";
    t.keys(&["-l", setup]);
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
    t.keys(&["-l", "poweroff -f"]);
    t.keys(&["Enter"]);
    let start = Instant::now();
    while t.alive() && start.elapsed() < Duration::from_secs(60) {
        std::thread::sleep(Duration::from_millis(500));
    }
}
