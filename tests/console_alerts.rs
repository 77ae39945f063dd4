//! The console runs the same Director as the daemon, so keepalived.conf's VRRP mail alerts
//! go out from the console too (before the one-engine layout they existed in the daemon
//! only). For real: `ip netns exec NS lvsdeck -f CONF` in tmux, one VRRP instance alone on a
//! veth in a namespace this test made, and a small SMTP server listening inside that
//! namespace, which must receive keepalived's "Entering MASTER state" mail. Needs root,
//! `ip`, tmux.

// Tests state what they expect with unwrap/expect/panic (the lints are for the library).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
// It enters the network namespace it made, through libc.
#![allow(unsafe_code)]

use std::fs;
use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::os::fd::AsRawFd;
use std::path::PathBuf;
use std::process::Command;
use std::sync::mpsc;
use std::time::{Duration, Instant};

const SMTP_PORT: u16 = 2525;

/// What this test made, removed on drop even when it fails.
struct Scene {
    ns: String,
    tmux: String,
    dir: PathBuf,
}

impl Drop for Scene {
    fn drop(&mut self) {
        let _ = Command::new("tmux")
            .args(["-L", &self.tmux, "kill-server"])
            .status();
        // The console leaves on the hang-up; give it a moment before the namespace goes.
        std::thread::sleep(Duration::from_millis(500));
        let _ = Command::new("ip").args(["netns", "del", &self.ns]).status();
        let _ = fs::remove_dir_all(&self.dir);
    }
}

fn ip(args: &[&str]) {
    let ok = Command::new("ip")
        .args(args)
        .status()
        .expect("ip")
        .success();
    assert!(ok, "ip {}", args.join(" "));
}

fn can_run() -> bool {
    let root = Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0");
    let tmux = Command::new("tmux").arg("-V").output().is_ok();
    root && tmux
}

/// A listener bound inside `ns` (the thread enters it, binds, and serves from there).
fn smtp_in(ns: &str, out: mpsc::Sender<String>) {
    let path = format!("/run/netns/{ns}");
    let (ready_tx, ready_rx) = mpsc::channel();
    std::thread::spawn(move || {
        let nsfile = fs::File::open(&path).expect("netns file");
        // SAFETY: setns on this thread only, with a namespace fd we hold open.
        let rc = unsafe { libc::setns(nsfile.as_raw_fd(), libc::CLONE_NEWNET) };
        assert_eq!(rc, 0, "setns");
        let l = TcpListener::bind(("127.0.0.1", SMTP_PORT)).expect("bind in the namespace");
        let _ = ready_tx.send(());
        // Bounded: a few connections at most, each one mail.
        for _ in 0..8 {
            let Ok((s, _)) = l.accept() else { return };
            let _ = s.set_read_timeout(Some(Duration::from_secs(10)));
            let mut w = s.try_clone().expect("clone");
            let mut lines = BufReader::new(s).lines();
            let _ = w.write_all(b"220 test ESMTP\r\n");
            let mut data = String::new();
            while let Some(Ok(line)) = lines.next() {
                let upper = line.to_ascii_uppercase();
                if upper == "DATA" {
                    let _ = w.write_all(b"354 go on\r\n");
                    for l in lines.by_ref() {
                        let Ok(l) = l else { break };
                        if l == "." {
                            break;
                        }
                        data.push_str(&l);
                        data.push('\n');
                    }
                    let _ = out.send(data.replace("\n ", " "));
                    data = String::new();
                    let _ = w.write_all(b"250 queued\r\n");
                } else if upper == "QUIT" {
                    let _ = w.write_all(b"221 bye\r\n");
                    break;
                } else {
                    let _ = w.write_all(b"250 ok\r\n");
                }
            }
        }
    });
    ready_rx
        .recv_timeout(Duration::from_secs(5))
        .expect("SMTP server up");
}

#[test]
fn the_console_mails_vrrp_state_changes_as_the_daemon_does() {
    if !can_run() {
        eprintln!("skipped: needs root and tmux");
        return;
    }
    let pid = std::process::id();
    let scene = Scene {
        ns: format!("lvca{pid}"),
        tmux: format!("lvsdeck-alerts-{pid}"),
        dir: std::env::temp_dir().join(format!("lvsdeck-alerts-{pid}")),
    };
    fs::create_dir_all(&scene.dir).unwrap();
    ip(&["netns", "add", &scene.ns]);
    let n = scene.ns.as_str();
    ip(&["-n", n, "link", "set", "lo", "up"]);
    ip(&[
        "-n", n, "link", "add", "ca0", "type", "veth", "peer", "name", "ca1",
    ]);
    ip(&["-n", n, "addr", "add", "198.51.100.2/24", "dev", "ca0"]);
    ip(&["-n", n, "link", "set", "ca0", "up"]);
    ip(&["-n", n, "link", "set", "ca1", "up"]);
    let (mails_tx, mails) = mpsc::channel();
    smtp_in(n, mails_tx);

    let conf = scene.dir.join("keepalived.conf");
    fs::write(
        &conf,
        format!(
            "global_defs {{\n  router_id console-lab\n  notification_email {{\n    \
             ops@example.com\n  }}\n  notification_email_from lvs@example.net\n  \
             smtp_server 127.0.0.1 {SMTP_PORT}\n  smtp_connect_timeout 3\n}}\n\
             vrrp_instance VI_MAIL {{\n  state BACKUP\n  interface ca0\n  \
             virtual_router_id 71\n  priority 100\n  advert_int 1\n  smtp_alert\n  \
             virtual_ipaddress {{\n    198.51.100.171/24\n  }}\n}}\n"
        ),
    )
    .unwrap();
    let console = format!(
        "ip netns exec {n} {} -f {} --audit-log {} --control {}",
        env!("CARGO_BIN_EXE_lvsdeck"),
        conf.display(),
        scene.dir.join("audit.log").display(),
        scene.dir.join("none.sock").display(),
    );
    let started = Command::new("tmux")
        .args([
            "-L",
            &scene.tmux,
            "new-session",
            "-d",
            "-s",
            "t",
            "-x",
            "140",
        ])
        .args(["-y", "40", &console])
        .status()
        .expect("tmux")
        .success();
    assert!(started, "tmux new-session");

    // Alone on the link the instance enters BACKUP, then MASTER after
    // Master_Down_Interval (~3.6 s): one mail each, as keepalived sends them.
    let t0 = Instant::now();
    let mut got: Vec<String> = Vec::new();
    let master = loop {
        let left = Duration::from_secs(20).saturating_sub(t0.elapsed());
        match mails.recv_timeout(left) {
            Ok(m) if m.contains("Entering MASTER state") => break m,
            Ok(m) => got.push(m),
            Err(_) => {
                let screen = Command::new("tmux")
                    .args(["-L", &scene.tmux, "capture-pane", "-p", "-t", "t"])
                    .output()
                    .map(|o| String::from_utf8_lossy(&o.stdout).to_string())
                    .unwrap_or_default();
                panic!("no MASTER mail within 20 s; mails: {got:?}\nscreen:\n{screen}")
            }
        }
    };
    eprintln!(
        "FIGURE console: VRRP MASTER mail alert {} ms after start",
        t0.elapsed().as_millis()
    );
    assert!(
        got.iter()
            .any(|m| m
                .contains("Subject: [console-lab] VRRP Instance VI_MAIL - Entering BACKUP state")),
        "no BACKUP mail first: {got:?}"
    );
    assert!(
        master.contains("Subject: [console-lab] VRRP Instance VI_MAIL - Entering MASTER state"),
        "{master}"
    );
    assert!(master.contains("To: ops@example.com"), "{master}");
    // And the console really is master: the VIP is on its interface.
    let addrs = Command::new("ip")
        .args(["-n", n, "addr", "show", "dev", "ca0"])
        .output()
        .unwrap();
    assert!(
        String::from_utf8_lossy(&addrs.stdout).contains("198.51.100.171/24"),
        "the VIP is not on ca0"
    );
}
