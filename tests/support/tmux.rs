//! A tmux session for driving the console as a person would: keys in, screen text out;
//! the server is killed when the value drops, even when a test fails.

#![allow(dead_code)]

use std::process::Command;
use std::time::{Duration, Instant};

pub struct Tmux {
    pub socket: String,
    pub session: &'static str,
}

impl Tmux {
    pub fn run(&self, args: &[&str]) -> String {
        let out = Command::new("tmux")
            .arg("-L")
            .arg(&self.socket)
            .args(args)
            .output()
            .expect("tmux");
        String::from_utf8_lossy(&out.stdout).to_string()
    }

    pub fn screen(&self) -> String {
        self.run(&["capture-pane", "-p", "-t", self.session])
    }

    pub fn wait_for(&self, needle: &str, timeout: Duration) -> String {
        let start = Instant::now();
        loop {
            let s = self.screen();
            if s.contains(needle) {
                return s;
            }
            assert!(
                start.elapsed() < timeout,
                "timed out waiting for {needle:?}; screen:\n{s}"
            );
            std::thread::sleep(Duration::from_millis(500));
        }
    }

    pub fn keys(&self, keys: &[&str]) {
        let mut args = vec!["send-keys", "-t", self.session];
        args.extend_from_slice(keys);
        self.run(&args);
    }

    /// Sends tmux key names (`Enter`, `Tab`, `DC` for Delete) one at a time: over the lab's
    /// slow serial line, keys sent together can arrive as one escape sequence.
    pub fn keys_one_by_one(&self, keys: &[&str]) {
        for k in keys {
            self.run(&["send-keys", "-t", self.session, k]);
            std::thread::sleep(Duration::from_millis(150));
        }
    }

    /// Types literal text.
    pub fn text(&self, text: &str) {
        self.run(&["send-keys", "-l", "-t", self.session, text]);
        std::thread::sleep(Duration::from_millis(300));
    }

    /// Runs a shell line (after `clear`) and returns its output, up to the line `END<n>`.
    pub fn shell(&self, n: u32, line: &str) -> String {
        self.text(&format!("clear; {line}; echo END{n}"));
        self.keys_one_by_one(&["Enter"]);
        let marker = format!("END{n}");
        let start = Instant::now();
        loop {
            let s = self.screen();
            let lines: Vec<&str> = s.lines().collect();
            if let Some(i) = lines.iter().position(|l| l.trim() == marker) {
                return lines[..i].join("\n");
            }
            assert!(
                start.elapsed() < Duration::from_secs(60),
                "timed out waiting for {marker}; screen:\n{s}"
            );
            std::thread::sleep(Duration::from_millis(300));
        }
    }

    pub fn alive(&self) -> bool {
        Command::new("tmux")
            .arg("-L")
            .arg(&self.socket)
            .args(["has-session", "-t", self.session])
            .status()
            .is_ok_and(|s| s.success())
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = Command::new("tmux")
            .arg("-L")
            .arg(&self.socket)
            .arg("kill-server")
            .status();
    }
}
