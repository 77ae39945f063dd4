//! The console with embedded VRRP, for real: `ip netns exec NS lvsdeck -f CONF` in tmux,
//! keepalived 2.2.7 in the other namespace of the interop lab. The panel must match who holds
//! the VIP, quitting as MASTER must ask, and a give-up drill typed in tmux must move the VIP to
//! keepalived and show the takeover the console measured. Needs root, `ip`, tmux, keepalived.

// Tests and benches state what they expect with unwrap/expect/panic (the lints are for
// the library; see Cargo.toml).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "support/vrrp_lab.rs"]
mod vrrp_lab;

use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

use vrrp_lab::*;

/// A tmux server of our own, killed on drop.
struct Tmux {
    socket: String,
}

impl Tmux {
    /// A tmux server `socket` with one detached session `t` (120x32) running the shell line
    /// `cmd`.
    fn start(socket: String, cmd: &str) -> Tmux {
        let t = Tmux { socket };
        t.run(&[
            "new-session",
            "-d",
            "-s",
            "t",
            "-x",
            "120",
            "-y",
            "32",
            "sh",
            "-c",
            cmd,
        ]);
        t
    }

    fn run(&self, args: &[&str]) -> String {
        let out = Command::new("timeout")
            .args(["10", "tmux", "-L", &self.socket])
            .args(args)
            .output()
            .expect("tmux");
        String::from_utf8_lossy(&out.stdout).to_string()
    }

    fn screen(&self) -> String {
        self.run(&["capture-pane", "-p", "-t", "t"])
    }

    fn keys(&self, keys: &[&str]) {
        for k in keys {
            self.run(&["send-keys", "-t", "t", k]);
            std::thread::sleep(Duration::from_millis(150));
        }
    }

    fn wait_for(&self, needle: &str, within: Duration, lab: &Lab) -> String {
        let t0 = Instant::now();
        loop {
            let s = self.screen();
            if s.contains(needle) {
                return s;
            }
            assert!(
                t0.elapsed() < within,
                "timed out waiting for {needle:?}; screen:\n{s}\n{}",
                lab.dump()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = Command::new("tmux")
            .args(["-L", &self.socket, "kill-server"])
            .status();
    }
}

/// A lab with keepalived (100) master, and lvsdeck's configuration (150, which preempts it)
/// written to `lvsdeck.conf`; its path.
fn lab_under_keepalived(tag: &str) -> (Lab, PathBuf) {
    let ka = conf(&Peer::secret(100, 2));
    let lv = conf(&Peer::secret(150, 2));
    let mut lab = Lab::new(tag);
    lab.start_keepalived_master(&ka);
    let c = lab.path("lvsdeck.conf");
    std::fs::write(&c, &lv).expect("write conf");
    (lab, c)
}

#[test]
fn console_panel_drill_and_quit_against_keepalived() {
    let (lab, c) = lab_under_keepalived("con");
    // The shell prints the console's exit code when it ends.
    let cmd = format!(
        "ip netns exec {} {} -f {} --audit-log {}; echo console-exit=$?; sleep 60",
        lab.lv_ns,
        env!("CARGO_BIN_EXE_lvsdeck"),
        c.display(),
        lab.path("audit.log").display()
    );
    let t = Tmux::start(format!("lvsdeck-vrrp-{}", std::process::id()), &cmd);

    // lvsdeck at 150 preempts keepalived at 100: the panel and `ip -n` must agree.
    let s = t.wait_for("VRRP: MASTER 150 (VI_1)", Duration::from_secs(15), &lab);
    assert!(
        lab.until_vip(&lab.lv_ns, true, Duration::from_secs(5))
            .is_some(),
        "header says MASTER but the VIP is not in lvsdeck's namespace\n{s}"
    );
    lab.expect_vip(&lab.ka_ns, false, 5, "keepalived kept the VIP");
    t.keys(&["v"]);
    let s = t.wait_for("recent transitions", Duration::from_secs(5), &lab);
    assert!(s.contains("VI_1        MASTER"), "{s}");
    assert!(s.contains("BACKUP -> MASTER"), "{s}");
    println!("panel as MASTER:\n{s}");

    // Quitting as MASTER asks and says what happens; Esc stays.
    t.keys(&["q"]);
    let s = t.wait_for("Quit while MASTER?", Duration::from_secs(5), &lab);
    assert!(s.contains("the peer takes over"), "{s}");
    t.keys(&["Escape"]);
    std::thread::sleep(Duration::from_millis(400));
    assert!(!t.screen().contains("Quit while MASTER?"));
    assert!(lab.has_vip(&lab.lv_ns), "Esc on the quit question let go");

    // The give-up drill: the name typed, then Enter.
    t.keys(&["g"]);
    t.wait_for("Type VI_1 to start the drill", Duration::from_secs(5), &lab);
    t.keys(&["V", "I", "_", "1"]);
    let sent = Instant::now();
    t.keys(&["Enter"]);
    let moved = lab.until_vip(&lab.ka_ns, true, Duration::from_secs(10));
    assert!(
        moved.is_some(),
        "VIP never reached keepalived\n{}",
        lab.dump()
    );
    lab.expect_vip(&lab.lv_ns, false, 2, "lvsdeck kept the VIP after giving up");
    println!(
        "VIP in keepalived's namespace {:?} after Enter",
        sent.elapsed()
    );
    let s = t.wait_for("master 192.0.2.1/100 after", Duration::from_secs(10), &lab);
    assert!(s.contains("drill give up 30s: BACKUP after"), "{s}");
    assert!(s.contains("VRRP: BACKUP"), "{s}");
    println!("panel after the drill:\n{s}");

    // Once the hold ends lvsdeck preempts again.
    t.wait_for("VRRP: MASTER 150", Duration::from_secs(45), &lab);
    assert!(lab
        .until_vip(&lab.lv_ns, true, Duration::from_secs(5))
        .is_some());

    // Lower priority to 1 for 20 s: keepalived (100) ignores our adverts and takes over.
    t.keys(&["-"]);
    t.wait_for("Type VI_1 to start the drill", Duration::from_secs(5), &lab);
    t.keys(&["Left", "V", "I", "_", "1", "Enter"]);
    lab.expect_vip(
        &lab.ka_ns,
        true,
        10,
        "lowering our priority did not hand over",
    );
    let s = t.wait_for(
        "drill priority 1 20s: BACKUP after",
        Duration::from_secs(10),
        &lab,
    );
    println!("panel after the lower-priority drill:\n{s}");
    t.wait_for("VRRP: MASTER 150", Duration::from_secs(35), &lab);
    assert!(lab
        .until_vip(&lab.lv_ns, true, Duration::from_secs(5))
        .is_some());

    // Quitting as MASTER asks; Yes stops the instance and keepalived takes over.
    t.keys(&["q", "y", "Enter"]);
    t.wait_for("console-exit=0", Duration::from_secs(15), &lab);
    lab.expect_vip(
        &lab.ka_ns,
        true,
        10,
        "keepalived did not take over after quit",
    );
    assert!(!lab.has_vip(&lab.lv_ns), "the VIP stayed after quitting");
}

/// SIGTERM to a console that is MASTER (no question can be asked): it still leaves cleanly,
/// priority 0 and VIPs removed, so keepalived takes over at once (Skew_Time, not 3 s).
#[test]
fn sigterm_to_a_master_console_hands_over() {
    let (lab, c) = lab_under_keepalived("cst");
    let pidfile = lab.path("console.pid");
    let cmd = format!(
        "ip netns exec {} {} -f {} --audit-log {} </dev/tty & echo $! > {}; wait $!; \
         echo console-exit=$?; sleep 60",
        lab.lv_ns,
        env!("CARGO_BIN_EXE_lvsdeck"),
        c.display(),
        lab.path("audit.log").display(),
        pidfile.display()
    );
    let t = Tmux::start(format!("lvsdeck-vrrp-term-{}", std::process::id()), &cmd);
    t.wait_for("VRRP: MASTER 150 (VI_1)", Duration::from_secs(15), &lab);
    assert!(lab
        .until_vip(&lab.lv_ns, true, Duration::from_secs(5))
        .is_some());
    let pid: i32 = std::fs::read_to_string(&pidfile)
        .ok()
        .and_then(|s| s.trim().parse().ok())
        .expect("console pid");
    kill(pid, libc::SIGTERM);
    let took = lab.until_vip(&lab.ka_ns, true, Duration::from_secs(10));
    println!("console SIGTERM -> VIP on keepalived: {took:?}");
    let took = took.unwrap_or_else(|| panic!("no takeover\n{}", lab.dump()));
    // Priority 0 makes keepalived take over after Skew_Time (0.61 s at 100), well before
    // Master_Down_Interval (3.6 s) that a silent exit would cost.
    assert!(took < Duration::from_millis(2500), "took {took:?}");
    t.wait_for("console-exit=143", Duration::from_secs(10), &lab);
    assert!(!lab.has_vip(&lab.lv_ns), "the VIP stayed after SIGTERM");
}
