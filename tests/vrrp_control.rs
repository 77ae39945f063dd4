//! `lvsdeck control status` lists the daemon's VRRP instances: a daemon with one instance
//! alone on a veth pair in its own namespace becomes MASTER, and the status reply (read
//! through the real CLI and control socket) says so with its priorities and VIPs.

// Tests and benches state what they expect with unwrap/expect/panic (the lints are for
// the library; see Cargo.toml).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
// It signals, times or enters the processes and namespaces it made itself, through libc.
#![allow(unsafe_code)]

#[path = "support/vrrp_lab.rs"]
mod vrrp_lab;

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use lvsdeck::engine::control::protocol::{parse_reply, Reply, VrrpReport};

use vrrp_lab::{kill, run};

const ADDR: &str = "203.0.113.61";
const VIP: &str = "203.0.113.160";

/// The namespace, its temp dir and the daemon; all removed on drop (the daemon by PID).
struct Lab {
    ns: String,
    dir: PathBuf,
    daemon: Option<Child>,
}

impl Drop for Lab {
    fn drop(&mut self) {
        if let Some(mut c) = self.daemon.take() {
            kill(c.id() as i32, libc::SIGKILL);
            let _ = c.wait();
        }
        let _ = Command::new("ip").args(["netns", "del", &self.ns]).status();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

impl Lab {
    fn new() -> Lab {
        let id = std::process::id();
        let lab = Lab {
            ns: format!("vvsctl{id}"),
            dir: std::env::temp_dir().join(format!("lvsdeck-vvs-control-{id}")),
            daemon: None,
        };
        let _ = std::fs::remove_dir_all(&lab.dir);
        std::fs::create_dir_all(&lab.dir).expect("temp dir");
        run(&["ip", "netns", "add", &lab.ns]);
        let ns = lab.ns.as_str();
        run(&[
            "ip", "-n", ns, "link", "add", "vvs0", "type", "veth", "peer", "name", "vvs1",
        ]);
        run(&["ip", "-n", ns, "link", "set", "lo", "up"]);
        run(&["ip", "-n", ns, "link", "set", "vvs1", "up"]);
        run(&["ip", "-n", ns, "link", "set", "vvs0", "up"]);
        run(&[
            "ip",
            "-n",
            ns,
            "addr",
            "add",
            &format!("{ADDR}/24"),
            "dev",
            "vvs0",
        ]);
        lab
    }

    fn socket(&self) -> PathBuf {
        self.dir.join("control.sock")
    }

    fn start(&mut self, conf: &str) {
        let c = self.dir.join("lvsdeck.conf");
        std::fs::write(&c, conf).expect("write conf");
        let log = std::fs::File::create(self.dir.join("lvsdeck.log")).expect("log");
        let child = Command::new("ip")
            .args(["netns", "exec", &self.ns, env!("CARGO_BIN_EXE_lvsdeck")])
            .args(["daemon", "-f"])
            .arg(&c)
            .arg("--control")
            .arg(self.socket())
            .env("RUST_LOG", "info")
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .expect("lvsdeck daemon");
        self.daemon = Some(child);
    }

    fn log(&self) -> String {
        std::fs::read_to_string(self.dir.join("lvsdeck.log")).unwrap_or_default()
    }

    /// `lvsdeck control --control PATH status`, parsed; `None` while nobody answers.
    fn status(&self) -> Option<Vec<VrrpReport>> {
        let out = Command::new(env!("CARGO_BIN_EXE_lvsdeck"))
            .arg("control")
            .arg("--control")
            .arg(self.socket())
            .arg("status")
            .output()
            .expect("lvsdeck control");
        if !out.status.success() {
            return None;
        }
        match parse_reply(&String::from_utf8_lossy(&out.stdout)) {
            Ok(Reply::Status(s)) => Some(s.vrrp),
            other => panic!("status reply: {other:?}"),
        }
    }
}

#[test]
fn control_status_lists_the_vrrp_instance_as_master() {
    let mut lab = Lab::new();
    lab.start(&format!(
        "global_defs {{\n    router_id vvsctl\n}}\n\
         vrrp_instance VVS_CTL {{\n    state BACKUP\n    interface vvs0\n    \
         virtual_router_id 61\n    priority 150\n    advert_int 1\n    \
         virtual_ipaddress {{\n        {VIP}/24\n    }}\n}}\n"
    ));
    let started = Instant::now();
    let mut first: Option<VrrpReport> = None;
    let mut master: Option<(VrrpReport, Duration)> = None;
    while started.elapsed() < Duration::from_secs(15) {
        if let Some(list) = lab.status() {
            assert_eq!(list.len(), 1, "{list:?}");
            let r = list.into_iter().next().expect("one instance");
            if first.is_none() {
                first = Some(r.clone());
            }
            if r.state == "MASTER" {
                master = Some((r, started.elapsed()));
                break;
            }
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    let first = first.unwrap_or_else(|| panic!("no status reply\n{}", lab.log()));
    assert!(
        first.state == "BACKUP" || first.state == "MASTER",
        "{first:?}"
    );
    let (m, after) = master.unwrap_or_else(|| panic!("never MASTER: {first:?}\n{}", lab.log()));
    println!(
        "FIGURE control status shows MASTER after {} ms",
        after.as_millis()
    );
    assert_eq!(m.name, "VVS_CTL");
    assert_eq!(m.interface, "vvs0");
    assert_eq!(m.vrid, 61);
    assert_eq!((m.configured_priority, m.effective_priority), (150, 150));
    // As master it names itself, at its own priority.
    assert_eq!(m.master.as_deref(), Some(ADDR), "{m:?}");
    assert_eq!(m.master_priority, Some(150));
    assert_eq!(m.vips, vec![format!("{VIP}/24")]);
    assert_eq!(m.rejected, 0);
    // Time in state counts on between two replies.
    assert!(m.in_state_ms < 15_000, "{m:?}");
    std::thread::sleep(Duration::from_millis(1200));
    let again = lab.status().expect("second status");
    let later = &again[0];
    assert_eq!(later.state, "MASTER");
    assert!(
        later.in_state_ms >= m.in_state_ms + 1000,
        "{} then {}",
        m.in_state_ms,
        later.in_state_ms
    );
}
