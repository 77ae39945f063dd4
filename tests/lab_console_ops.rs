//! Operator intent from the console on the real kernel (lab VM, tmux), one VM boot:
//!
//! (a) `lvsdeck -f health.conf`: `d` on a checked real server drains it through the health
//!     policy; its httpd is killed and revived, and the kernel keeps it at weight 0 (read
//!     every 0.2 s in the VM) until `D` undrains it, then it is back at its weight; the
//!     policy's op is in the audit log.
//! (b) `lvsdeck daemon` running, `lvsdeck` without -f attaches to its control socket
//!     ("daemon: attached"): the same drain through the daemon holds across a check
//!     transition and a reconciler period (not reverted as drift); `D` restores it; the
//!     daemon's applied lines are in the console's audit log.
//! (c) the daemon restarts under the attached console: it says the daemon does not answer,
//!     then shows the new daemon's picture (the stream's producer asks again every second).

// Tests and benches state what they expect with unwrap/expect/panic (the lints are for
// the library; see Cargo.toml).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "support/tmux.rs"]
mod tmux;

use std::time::{Duration, Instant};

use tmux::{Tmux, HEALTH_CONF, HEALTH_SERVERS};

const ROW: &str = "127.0.0.1:8084";

/// In the VM, in the background: once 8084 is at weight 0 in the kernel, kill its httpd,
/// revive it 15 s later (the checker needs a failure and a retry to say down, which
/// takes several seconds on a loaded, emulated VM); meanwhile log 8084's kernel line every 0.2 s to `log`.
fn watcher(log: &str) -> String {
    format!(
        "rm -f /tmp/stop {log}; \
         (while ! ipvsadm -Sn | grep -q '{ROW} -m -w 0'; do usleep 100000; done; \
          kill $(cat /tmp/pid_8084); sleep 15; \
          httpd -f -p {ROW} -h /srv/www & echo $! >/tmp/pid_8084) & \
         (n=0; while [ ! -e /tmp/stop ] && [ $n -lt 1500 ]; do \
          echo \"$(ipvsadm -Sn | grep {ROW})\" >>{log}; usleep 200000; n=$((n+1)); done) &"
    )
}

/// Selects the 8084 row, opens its detail view.
fn select_8084(t: &Tmux) {
    t.keys_one_by_one(&["/"]);
    t.text("8084");
    t.keys_one_by_one(&["Enter", "Home", "Down"]);
    t.wait_for("filter: 8084", Duration::from_secs(10));
}

/// Drains 8084 with `d`, follows the check transition in the detail view, undrains with
/// `D`; returns the seconds from the `d` key to `[drained]` on screen.
fn drain_cycle(t: &Tmux) -> f64 {
    select_8084(t);
    let start = Instant::now();
    t.keys_one_by_one(&["d"]);
    t.wait_for(&format!("{ROW} [drained]"), Duration::from_secs(20));
    let took = start.elapsed().as_secs_f64();
    t.keys_one_by_one(&["Enter"]);
    let s = t.wait_for("operator: drained at", Duration::from_secs(10));
    assert!(s.contains("undrain with D"), "{s}");
    // The watcher kills the httpd: the checker says down, the drain holds (weight 0).
    t.wait_for("DOWN, weight 1, in the table at 0", Duration::from_secs(60));
    // Revived 15 s after the kill: up again, still drained.
    t.wait_for("up, weight 1, in the table at 0", Duration::from_secs(60));
    // Over a reconciler period (10 s) the drain is not reverted.
    std::thread::sleep(Duration::from_secs(11));
    let s = t.screen();
    assert!(s.contains("in the table at 0"), "{s}");
    t.keys_one_by_one(&["D"]);
    t.wait_for("in the table at 1", Duration::from_secs(20));
    t.keys_one_by_one(&["Escape"]);
    t.wait_for(&format!("{ROW} [up]"), Duration::from_secs(20));
    took
}

/// Quits the console, stops the watcher, returns 8084's kernel weights as runs
/// (`1 0 1`) and its line in `ipvsadm -Sn`.
fn kernel_after(t: &Tmux, n: u32, log: &str) -> (String, String) {
    t.keys_one_by_one(&["q"]);
    t.wait_for("director:~#", Duration::from_secs(30));
    let runs = t.shell(
        n,
        &format!(
            "touch /tmp/stop; sleep 1; echo RUNS $(grep -o -- '-w [0-9]*' {log} | uniq | tr -d 'w -' | tr '\\n' ' ')"
        ),
    );
    let runs = runs
        .lines()
        .find_map(|l| l.strip_prefix("RUNS "))
        .unwrap_or_default()
        .trim()
        .to_string();
    let line = t.shell(n + 1, &format!("ipvsadm -Sn | grep {ROW}"));
    (runs, line)
}

#[test]
fn console_drains_hold_across_checks_embedded_and_attached() {
    let t = Tmux::lab(
        "hops-console-ops",
        "hops",
        150,
        45,
        &format!(" --no-demo --file {HEALTH_CONF}"),
    );
    t.lab_shell();
    t.keys(&["-l", &format!("clear; {HEALTH_SERVERS}")]);
    t.keys(&["Enter"]);

    // (a) The console runs the checkers itself.
    t.keys(&[
        "-l",
        &format!(
            "clear; {} lvsdeck -f /opt/bin/health.conf --interval 0.5 --audit-log /tmp/audit.log",
            watcher("/tmp/wa.log")
        ),
    ]);
    t.keys(&["Enter"]);
    t.wait_for("[up]", Duration::from_secs(60));
    let took_a = drain_cycle(&t);
    let (runs, line) = kernel_after(&t, 1, "/tmp/wa.log");
    println!("MEASURED (a) d key to [drained] on screen: {took_a:.2} s");
    println!("(a) 8084 kernel weights over time: {runs}; now: {line}");
    assert_eq!(runs, "1 0 1", "8084 left weight 0 before the undrain");
    assert!(
        line.contains("-a -t 198.51.100.20:80 -r 127.0.0.1:8084 -m -w 1"),
        "{line}"
    );
    let audit = t.shell(3, "cat /tmp/audit.log");
    assert!(
        audit.contains("-e -t 198.51.100.20:80 -r 127.0.0.1:8084 -m -w 0"),
        "the drain is not in the audit log:\n{audit}"
    );
    assert!(
        audit.contains("-e -t 198.51.100.20:80 -r 127.0.0.1:8084 -m -w 1"),
        "the undrain is not in the audit log:\n{audit}"
    );

    // (b) The daemon runs them; the console attaches to its control socket.
    t.shell(
        4,
        "lvsdeck daemon -f /opt/bin/health.conf 2>/tmp/daemon.log & echo $! >/tmp/dpid; sleep 3",
    );
    t.keys(&[
        "-l",
        &format!(
            "clear; {} lvsdeck --interval 0.5 --audit-log /tmp/audit2.log",
            watcher("/tmp/wb.log")
        ),
    ]);
    t.keys(&["Enter"]);
    let s = t.wait_for("daemon: attached", Duration::from_secs(60));
    println!("{s}");
    t.wait_for("[up]", Duration::from_secs(30));
    let took_b = drain_cycle(&t);
    let (runs, line) = kernel_after(&t, 5, "/tmp/wb.log");
    println!("MEASURED (b) d key to [drained] on screen (through the daemon): {took_b:.2} s");
    println!("(b) 8084 kernel weights over time: {runs}; now: {line}");
    assert_eq!(
        runs, "1 0 1",
        "the daemon moved 8084 off weight 0 before the undrain"
    );
    assert!(
        line.contains("-a -t 198.51.100.20:80 -r 127.0.0.1:8084 -m -w 1"),
        "{line}"
    );
    let audit = t.shell(8, "cat /tmp/audit2.log");
    for w in [0, 1] {
        assert!(
            audit.contains(&format!("-e -t 198.51.100.20:80 -r 127.0.0.1:8084 -m -w {w}")),
            "the daemon's applied line (weight {w}) is not in the attached console's audit log:\n{audit}"
        );
    }
    let log = t.shell(
        7,
        "grep -c 'drift.*8084' /tmp/daemon.log; kill $(cat /tmp/dpid)",
    );
    assert!(
        log.lines().any(|l| l.trim() == "0"),
        "the daemon saw the drain as drift:\n{log}"
    );

    // (c) The daemon restarts under an attached console: noticed (it says the daemon does
    // not answer and asks again), then its picture is back without restarting the console.
    t.shell(
        9,
        "sleep 2; lvsdeck daemon -f /opt/bin/health.conf 2>/tmp/daemon.log & echo $! >/tmp/dpid; sleep 3; \
         (sleep 8; kill $(cat /tmp/dpid); sleep 5; lvsdeck daemon -f /opt/bin/health.conf 2>/tmp/daemon3.log & ) & true",
    );
    t.keys(&[
        "-l",
        "clear; lvsdeck --interval 0.5 --audit-log /tmp/audit3.log",
    ]);
    t.keys(&["Enter"]);
    t.wait_for("daemon: attached", Duration::from_secs(60));
    t.wait_for("[up]", Duration::from_secs(30));
    let s = t.wait_for("asking again every second", Duration::from_secs(30));
    println!("(c) daemon stopped:\n{s}");
    let back = Instant::now();
    loop {
        let s = t.screen();
        if !s.contains("asking again") && s.contains("[up]") {
            break;
        }
        assert!(
            back.elapsed() < Duration::from_secs(60),
            "the restarted daemon was not noticed:\n{s}"
        );
        std::thread::sleep(Duration::from_millis(500));
    }
    println!(
        "MEASURED (c) daemon back on the attached console {:.1} s after it was said gone",
        back.elapsed().as_secs_f64()
    );
    t.keys_one_by_one(&["q"]);
    t.wait_for("director:~#", Duration::from_secs(30));

    t.poweroff();
}
