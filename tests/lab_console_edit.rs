//! The console's edits end to end, as an operator does them: inside the lab VM (real kernel
//! IPVS) in a real terminal (tmux), `lvsdeck` adds a service through its form, raises a weight
//! with `+`, drains a server, deletes one after the confirmation and undoes it, runs an
//! ipvsadm line from `:`; after each step the console is left with `q` and `ipvsadm -Sn`
//! shows the kernel's table. The audit log is checked last.

// Tests and benches state what they expect with unwrap/expect/panic (the lints are for
// the library; see Cargo.toml).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "support/tmux.rs"]
mod tmux;

use std::time::Duration;

use tmux::Tmux;

/// The steps this test repeats, on top of the shared tmux harness.
trait Steps {
    fn console(&self);
    fn select_server(&self, addr: &str);
    fn quit_and_save(&self, n: u32) -> String;
}

impl Steps for Tmux {
    /// Starts the console and waits for the table.
    fn console(&self) {
        self.text("clear; lvsdeck --audit-log /tmp/audit.log --interval 0.5");
        self.keys_one_by_one(&["Enter"]);
        self.wait_for("read-write (netlink)", Duration::from_secs(60));
        self.wait_for("198.51.100.10:80", Duration::from_secs(30));
    }

    /// Selects a real server's row: filter on its address (the service row stays above it).
    fn select_server(&self, addr: &str) {
        self.keys_one_by_one(&["/"]);
        self.text(addr);
        self.keys_one_by_one(&["Enter", "Home", "Down"]);
        self.wait_for(&format!("filter: {addr}"), Duration::from_secs(10));
    }

    /// Leaves the console and returns `ipvsadm -Sn`.
    fn quit_and_save(&self, n: u32) -> String {
        self.keys_one_by_one(&["q"]);
        self.wait_for("director:~#", Duration::from_secs(30));
        let out = self.shell(n, "ipvsadm -Sn");
        println!("--- ipvsadm -Sn after step {n}:\n{out}");
        out
    }
}

#[test]
fn lab_console_edits_reach_the_kernel() {
    let t = Tmux::lab("lvsdeck-edit", "lab", 132, 40, " --no-demo");
    // The lab opens the console first; leave it for the VM's shell to set the table up.
    t.lab_shell();
    t.shell(
        0,
        "ipvsadm -A -t 198.51.100.10:80 -s rr && \
         ipvsadm -a -t 198.51.100.10:80 -r 192.0.2.5 -m -w 3 && \
         ipvsadm -a -t 198.51.100.10:80 -r 192.0.2.6 -m -w 1",
    );

    // 1. Add a service through the form: protocol tcp, Tab to Address, Enter, review, Enter.
    t.console();
    t.keys_one_by_one(&["A"]);
    t.wait_for("Add a virtual service", Duration::from_secs(10));
    t.keys_one_by_one(&["Tab"]);
    t.text("198.51.100.20:80");
    t.keys_one_by_one(&["Enter"]);
    let s = t.wait_for("Review the change", Duration::from_secs(10));
    assert!(s.contains("ipvsadm -A -t 198.51.100.20:80 -s wlc"), "{s}");
    t.keys_one_by_one(&["Enter"]);
    t.wait_for("applied: ipvsadm -A", Duration::from_secs(10));
    let save = t.quit_and_save(1);
    assert!(save.contains("-A -t 198.51.100.20:80 -s wlc"), "{save}");

    // 2. `+` on 192.0.2.5: weight 3 -> 4.
    t.console();
    t.select_server("192.0.2.5");
    t.keys_one_by_one(&["+"]);
    let s = t.wait_for("applied: ipvsadm -e", Duration::from_secs(10));
    assert!(s.contains("-r 192.0.2.5:80 -m -w 4"), "{s}");
    let save = t.quit_and_save(2);
    assert!(save.contains("-r 192.0.2.5:80 -m -w 4"), "{save}");

    // 3. Drain 192.0.2.5: weight 0, the row says draining.
    t.console();
    t.select_server("192.0.2.5");
    t.keys_one_by_one(&["d"]);
    let s = t.wait_for("draining", Duration::from_secs(10));
    assert!(s.contains("-r 192.0.2.5:80 -m -w 0"), "{s}");
    // No traffic in the lab: its connections are already zero, so removal is offered at
    // once, defaulting to No; Esc declines and the server stays.
    let s = t.wait_for("Remove it?", Duration::from_secs(10));
    assert!(s.contains("[ No ]"), "{s}");
    t.keys_one_by_one(&["Escape"]);
    std::thread::sleep(Duration::from_secs(1));
    let save = t.quit_and_save(3);
    assert!(save.contains("-r 192.0.2.5:80 -m -w 0"), "{save}");

    // 4. Delete 192.0.2.6 (default No: Right to Yes), see it gone, then undo.
    t.console();
    t.select_server("192.0.2.6");
    t.keys_one_by_one(&["DC"]);
    let s = t.wait_for("Apply it?", Duration::from_secs(10));
    assert!(
        s.contains("ipvsadm -d -t 198.51.100.10:80 -r 192.0.2.6:80"),
        "{s}"
    );
    t.keys_one_by_one(&["Right", "Enter"]);
    t.wait_for("applied: ipvsadm -d", Duration::from_secs(10));
    std::thread::sleep(Duration::from_secs(2));
    let s = t.screen();
    assert!(!s.contains("-> 192.0.2.6:80"), "still listed:\n{s}");
    t.keys_one_by_one(&["u"]);
    let s = t.wait_for("Review the change", Duration::from_secs(10));
    assert!(
        s.contains("ipvsadm -a -t 198.51.100.10:80 -r 192.0.2.6:80 -m -w 1"),
        "{s}"
    );
    t.keys_one_by_one(&["Enter"]);
    t.wait_for("applied: ipvsadm -a", Duration::from_secs(10));
    let save = t.quit_and_save(4);
    assert!(save.contains("-r 192.0.2.6:80 -m -w 1"), "{save}");

    // 5. An ipvsadm line from the `:` bar.
    t.console();
    t.keys_one_by_one(&[":"]);
    t.text("ipvsadm -a -t 198.51.100.20:80 -r 192.0.2.7 -m -w 2");
    t.keys_one_by_one(&["Enter"]);
    t.wait_for("Review the change", Duration::from_secs(10));
    t.keys_one_by_one(&["Enter"]);
    t.wait_for("applied: ipvsadm -a", Duration::from_secs(10));
    let save = t.quit_and_save(5);
    assert!(
        save.contains("-a -t 198.51.100.20:80 -r 192.0.2.7:80 -m -w 2"),
        "{save}"
    );

    // The audit log: one `#` line per change, then its replayable line.
    let log = t.shell(6, "cat /tmp/audit.log");
    println!("--- audit log:\n{log}");
    let changes = log.lines().filter(|l| l.starts_with("# ")).count();
    assert_eq!(changes, 6, "{log}");
    assert!(
        log.contains("-d -t 198.51.100.10:80 -r 192.0.2.6:80"),
        "{log}"
    );
    // Replayed by `lvsdeck adm -R` over the starting table, it rebuilds the final one.
    let replay = t.shell(
        7,
        "ipvsadm -C && ipvsadm -A -t 198.51.100.10:80 -s rr && \
         ipvsadm -a -t 198.51.100.10:80 -r 192.0.2.5 -m -w 3 && \
         ipvsadm -a -t 198.51.100.10:80 -r 192.0.2.6 -m -w 1 && \
         lvsdeck adm -R < /tmp/audit.log && echo REPLAY-OK && ipvsadm -Sn",
    );
    println!("--- replay:\n{replay}");
    assert!(replay.lines().any(|l| l == "REPLAY-OK"), "{replay}");
    assert!(
        replay.contains("-a -t 198.51.100.20:80 -r 192.0.2.7:80 -m -w 2"),
        "{replay}"
    );

    t.keys_one_by_one(&["poweroff -f", "Enter"]);
}
