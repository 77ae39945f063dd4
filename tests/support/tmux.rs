//! A tmux session for driving the console as a person would: keys in, screen text out;
//! the server is killed when the value drops, even when a test fails. Also the steps the
//! lab-VM console tests share: `lvsdeck lab` in a new session, out of the lab's first
//! console to the VM's shell, health.conf's real servers, `poweroff -f`.

#![allow(dead_code)]

use std::process::Command;
use std::time::{Duration, Instant};

/// The health fixture the lab tests pass with `--file` (in the VM: /opt/bin/health.conf).
pub const HEALTH_CONF: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fixtures/health/health.conf"
);

/// A line for the VM's shell: health.conf's real servers (busybox httpd in the foreground of
/// background jobs, PIDs in /tmp/pid_PORT) and its VIPs on lo.
pub const HEALTH_SERVERS: &str = "mkdir -p /srv/www; echo ok >/srv/www/index.html; \
    ip addr add 198.51.100.10/32 dev lo; ip addr add 198.51.100.20/32 dev lo; \
    for p in 8081 8082 8083 8084 8090; do httpd -f -p 127.0.0.1:$p -h /srv/www & echo $! >/tmp/pid_$p; done";

pub struct Tmux {
    pub socket: String,
    pub session: &'static str,
}

impl Tmux {
    /// `lvsdeck lab ARGS` (the binary under test) in a new detached session `session`,
    /// `width` x `height`, on a tmux server of its own (`SOCKET-PID`).
    pub fn lab(socket: &str, session: &'static str, width: u16, height: u16, args: &str) -> Tmux {
        let cmd = format!("{} lab{args}", env!("CARGO_BIN_EXE_lvsdeck"));
        let socket = format!("{socket}-{}", std::process::id());
        Tmux::start(socket, session, width, height, &[&cmd])
    }

    /// A tmux server of its own (`socket`) with one detached session `session`, `width` x
    /// `height`, running `command` (tmux's words after the size: a shell line, or
    /// `sh -c LINE`).
    pub fn start(
        socket: String,
        session: &'static str,
        width: u16,
        height: u16,
        command: &[&str],
    ) -> Tmux {
        let t = Tmux { socket, session };
        let (x, y) = (width.to_string(), height.to_string());
        let mut args = vec!["new-session", "-d", "-s", session, "-x", &x, "-y", &y];
        args.extend_from_slice(command);
        t.run(&args);
        t
    }

    /// Waits for the console the lab opens once the VM is up, and leaves it (`q`) for the
    /// VM's shell.
    pub fn lab_shell(&self) {
        self.wait_for("VRRP", Duration::from_secs(240));
        self.keys_one_by_one(&["q"]);
        self.wait_for("director:~#", Duration::from_secs(30));
    }

    /// `poweroff -f` in the VM's shell; waits up to 60 s for the lab to end.
    pub fn poweroff(&self) {
        self.keys(&["-l", "poweroff -f"]);
        self.keys(&["Enter"]);
        let start = Instant::now();
        while self.alive() && start.elapsed() < Duration::from_secs(60) {
            std::thread::sleep(Duration::from_millis(500));
        }
    }

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
