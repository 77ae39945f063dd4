//! The console in a real terminal (tmux) follows resizes: the footer moves to the new last
//! line, columns are dropped when narrow, and a tiny terminal neither panics nor garbles.
//! (On this machine there is no IPVS: the console runs read-only from its fallback, which is
//! what a resize test needs; the lab tests cover the kernel.)

// Tests and benches state what they expect with unwrap/expect/panic (the lints are for
// the library; see Cargo.toml).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::process::Command;
use std::time::{Duration, Instant};

struct Tmux(String);

impl Tmux {
    fn run(&self, args: &[&str]) -> String {
        let out = Command::new("tmux")
            .arg("-L")
            .arg(&self.0)
            .args(args)
            .output()
            .expect("tmux");
        String::from_utf8_lossy(&out.stdout).to_string()
    }

    fn lines(&self) -> Vec<String> {
        self.run(&["capture-pane", "-p", "-t", "r"])
            .lines()
            .map(String::from)
            .collect()
    }

    /// Waits until `pred` holds for the screen, or fails with the screen.
    fn until(&self, what: &str, pred: impl Fn(&[String]) -> bool) -> Vec<String> {
        let start = Instant::now();
        loop {
            let l = self.lines();
            if pred(&l) {
                return l;
            }
            assert!(
                start.elapsed() < Duration::from_secs(20),
                "timed out waiting for {what}; {} lines; screen:\n{}",
                l.len(),
                l.join("\n")
            );
            std::thread::sleep(Duration::from_millis(200));
        }
    }

    fn alive(&self) -> bool {
        self.run(&["list-panes", "-t", "r", "-F", "#{pane_dead}"])
            .trim()
            .starts_with('0')
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = Command::new("tmux")
            .args(["-L", &self.0, "kill-server"])
            .status();
    }
}

/// The footer (the keys valid now, starting with the default keymap's `s  sort`) is on the
/// terminal's last line.
fn footer_on_last_line(l: &[String], rows: usize) -> bool {
    l.len() == rows && l[rows - 1].trim_start().starts_with("s  sort")
}

#[test]
fn console_follows_resizes() {
    let t = Tmux(format!("lvsdeck-resize-{}", std::process::id()));
    t.run(&[
        "new-session",
        "-d",
        "-s",
        "r",
        "-x",
        "150",
        "-y",
        "40",
        env!("CARGO_BIN_EXE_lvsdeck"),
    ]);
    t.run(&["set-option", "-t", "r", "remain-on-exit", "on"]);
    t.until("the console at 150x40", |l| {
        l.iter().any(|s| s.contains("lvsdeck")) && footer_on_last_line(l, 40)
    });
    for (cols, rows) in [(100u16, 25usize), (60, 15), (30, 6), (150, 40)] {
        t.run(&[
            "resize-window",
            "-t",
            "r",
            "-x",
            &cols.to_string(),
            "-y",
            &rows.to_string(),
        ]);
        let l = t.until(&format!("a redraw at {cols}x{rows}"), |l| {
            l.len() == rows && (rows < 8 || footer_on_last_line(l, rows))
        });
        assert!(
            t.alive(),
            "the console died at {cols}x{rows}:\n{}",
            l.join("\n")
        );
        // Nothing is drawn past the right edge (tmux would wrap it onto the next line).
        assert!(
            l.iter().all(|s| s.chars().count() <= cols as usize),
            "{}",
            l.join("\n")
        );
    }
    t.run(&["send-keys", "-t", "r", "q"]);
    let start = Instant::now();
    while t.alive() && start.elapsed() < Duration::from_secs(10) {
        std::thread::sleep(Duration::from_millis(200));
    }
    assert!(!t.alive(), "q did not end the console");
}
