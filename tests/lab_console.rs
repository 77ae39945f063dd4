//! `lvsdeck lab` as a person uses it: in a real terminal (tmux), the VM comes up in the
//! console on the demo director; its connections view (`c`) lists the demo traffic's real
//! connections from /proc/net/ip_vs_conn, filtered; the detail view (`Enter`) opens and
//! closes; `q` drops to the shell, where `lvsdeck adm` lists the seeded table with moving
//! counters, and `poweroff -f` ends the VM and the command.

// Tests and benches state what they expect with unwrap/expect/panic (the lints are for
// the library; see Cargo.toml).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "support/tmux.rs"]
mod tmux;

use std::time::Duration;

use tmux::Tmux;

#[test]
fn lab_console_shows_the_demo_director() {
    let t = Tmux::lab("lvsdeck-test", "lab", 132, 40, "");
    // The console on the serial line, with the demo table.
    let screen = t.wait_for("198.51.100.20:8000", Duration::from_secs(180));
    assert!(screen.contains("director"), "{screen}");
    assert!(screen.contains("read-write (netlink)"), "{screen}");
    // The connections view: the demo's HTTP requests through the NAT servers.
    t.keys(&["c"]);
    t.wait_for("Expire State", Duration::from_secs(30));
    let screen = t.wait_for("TIME_WAIT", Duration::from_secs(30));
    assert!(screen.contains("Connections "), "{screen}");
    assert!(screen.contains("127.0.0.1:808"), "{screen}");
    assert!(screen.contains("198.51.100.10:80"), "{screen}");
    // Filtered by virtual service and state, from the `/` prompt.
    t.keys(&["/"]);
    t.keys(&["-l", "vip=198.51.100.10:80 state=time_wait"]);
    t.keys(&["Enter"]);
    t.wait_for("filter: vip=198.51.100.10:80", Duration::from_secs(15));
    let screen = t.wait_for("TIME_WAIT", Duration::from_secs(15));
    let listed: Vec<&str> = screen.lines().filter(|l| l.starts_with("TCP ")).collect();
    assert!(!listed.is_empty(), "no connection listed:\n{screen}");
    assert!(
        listed
            .iter()
            .all(|l| l.contains("TIME_WAIT") && l.contains(" 198.51.100.10:80 ")),
        "{screen}"
    );
    // Back to the table, the detail view of the first service, back, and out.
    // Esc alone, and the table back before the next key (a slow serial line could otherwise
    // deliver Esc and the next key together, read as Alt+key).
    t.keys(&["Escape"]);
    t.wait_for("Prot LocalAddress", Duration::from_secs(15));
    t.keys(&["Enter"]);
    // "Sched flags" is only in the detail view (the table has a Scheduler column).
    let screen = t.wait_for("Sched flags", Duration::from_secs(15));
    assert!(screen.contains("CPS "), "{screen}");
    t.keys(&["Escape"]);
    t.wait_for("Prot LocalAddress", Duration::from_secs(15));
    // The table's own filter: only the direct-routed servers (the demo's fwmark and UDP
    // services) stay, with their services; the NAT servers on loopback go.
    t.keys(&["/"]);
    t.keys(&["-l", "fwd=route"]);
    t.keys(&["Enter"]);
    let screen = t.wait_for("filter: fwd=route", Duration::from_secs(15));
    assert!(screen.contains("192.0.2.71"), "{screen}");
    assert!(screen.contains("192.0.2.53"), "{screen}");
    assert!(!screen.contains("127.0.0.1:8080"), "{screen}");
    t.keys(&["Escape"]);
    let screen = t.wait_for("127.0.0.1:8080", Duration::from_secs(15));
    assert!(!screen.contains("filter: fwd=route"), "{screen}");
    t.keys(&["q"]);
    t.wait_for("director:~#", Duration::from_secs(30));
    // Let the traffic generator run past one estimator period, then list.
    t.run(&[
        "send-keys",
        "-t",
        t.session,
        "clear; sleep 4; lvsdeck adm -Ln --stats | head -8; stty size",
        "Enter",
    ]);
    let screen = t.wait_for("\n40 132", Duration::from_secs(60));
    assert!(screen.contains("IP Virtual Server version"), "{screen}");
    assert!(screen.contains("198.51.100.10:80"), "{screen}");
    // The demo's traffic generator moved the first service's connection counter.
    let conns: u64 = screen
        .lines()
        .find(|l| l.starts_with("TCP  198.51.100.10:80"))
        .and_then(|l| l.split_whitespace().nth(2))
        .and_then(|n| n.parse().ok())
        .unwrap_or(0);
    assert!(conns > 0, "no traffic counted:\n{screen}");
    // The terminal's size was passed to the serial console.
    assert!(screen.contains("40 132"), "{screen}");
    t.poweroff();
    assert!(!t.alive(), "the lab did not exit after poweroff");
}
