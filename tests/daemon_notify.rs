//! `lvsdeck daemon` under systemd's notify protocol, against a real NOTIFY_SOCKET listener
//! (a unix datagram socket this test binds): READY=1 once the VRRP instance runs, WATCHDOG=1
//! at half WATCHDOG_USEC, RELOADING=1 then READY=1 around SIGHUP, STOPPING=1 on SIGTERM.
//! The daemon runs one VRRP instance in a namespace this test makes. Needs root and `ip`.

// Tests state what they expect with unwrap/expect/panic (the lints are for the library).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
// It signals the daemon it started, through libc.
#![allow(unsafe_code)]

use std::os::unix::net::UnixDatagram;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

struct Scene {
    ns: String,
    dir: std::path::PathBuf,
    daemon: Option<Child>,
}

impl Drop for Scene {
    fn drop(&mut self) {
        if let Some(mut c) = self.daemon.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
        let _ = Command::new("ip").args(["netns", "del", &self.ns]).status();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn ip(args: &[&str]) {
    assert!(
        Command::new("ip").args(args).status().unwrap().success(),
        "ip {args:?}"
    );
}

fn signal(pid: u32, sig: i32) {
    // SAFETY: kill(2) on the PID this test started.
    unsafe { libc::kill(pid as i32, sig) };
}

/// The next notification within `within`.
fn next(sock: &UnixDatagram, within: Duration) -> Option<String> {
    sock.set_read_timeout(Some(within)).unwrap();
    let mut buf = [0u8; 4096];
    let n = sock.recv(&mut buf).ok()?;
    Some(String::from_utf8_lossy(&buf[..n]).to_string())
}

/// Waits for a notification containing `needle`, skipping watchdog pings.
fn expect(sock: &UnixDatagram, needle: &str, within: Duration) -> String {
    let t0 = Instant::now();
    while t0.elapsed() < within {
        if let Some(m) = next(sock, within.saturating_sub(t0.elapsed())) {
            if m.contains(needle) {
                return m;
            }
            assert!(
                m.contains("WATCHDOG=1"),
                "unexpected before {needle}: {m:?}"
            );
        }
    }
    panic!("no {needle} within {within:?}");
}

#[test]
fn readiness_reload_watchdog_and_stop_are_notified() {
    let root = Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0");
    if !root {
        eprintln!("skipped: needs root");
        return;
    }
    let pid = std::process::id();
    let mut scene = Scene {
        ns: format!("lvnt{pid}"),
        dir: std::env::temp_dir().join(format!("lvsdeck-notify-{pid}")),
        daemon: None,
    };
    std::fs::create_dir_all(&scene.dir).unwrap();
    let n = scene.ns.clone();
    ip(&["netns", "add", &n]);
    ip(&["-n", &n, "link", "set", "lo", "up"]);
    ip(&[
        "-n", &n, "link", "add", "nt0", "type", "veth", "peer", "name", "nt1",
    ]);
    ip(&["-n", &n, "addr", "add", "198.51.100.2/24", "dev", "nt0"]);
    ip(&["-n", &n, "link", "set", "nt0", "up"]);
    ip(&["-n", &n, "link", "set", "nt1", "up"]);
    let conf = scene.dir.join("keepalived.conf");
    std::fs::write(
        &conf,
        "vrrp_instance VI_N {\n  interface nt0\n  virtual_router_id 72\n  priority 100\n  \
         advert_int 1\n  virtual_ipaddress {\n    198.51.100.172/24\n  }\n}\n",
    )
    .unwrap();
    let notify = scene.dir.join("notify.sock");
    let sock = UnixDatagram::bind(&notify).unwrap();
    let daemon = Command::new("ip")
        .args([
            "netns",
            "exec",
            &n,
            env!("CARGO_BIN_EXE_lvsdeck"),
            "daemon",
            "-f",
        ])
        .arg(&conf)
        .arg("--control")
        .arg(scene.dir.join("control.sock"))
        .env("NOTIFY_SOCKET", &notify)
        .env("WATCHDOG_USEC", "400000")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let dpid = daemon.id();
    scene.daemon = Some(daemon);

    let ready = expect(&sock, "READY=1", Duration::from_secs(10));
    assert!(ready.contains("STATUS=1 VRRP instances"), "{ready:?}");

    // Pings every 0.2 s (half of 0.4 s): over 2 s, at least 7, none more than 0.35 s apart.
    let t0 = Instant::now();
    let mut last = Instant::now();
    let mut pings = 0;
    let mut widest = Duration::ZERO;
    while t0.elapsed() < Duration::from_secs(2) {
        if let Some(m) = next(&sock, Duration::from_secs(1)) {
            assert_eq!(m.trim(), "WATCHDOG=1", "{m:?}");
            widest = widest.max(last.elapsed());
            last = Instant::now();
            pings += 1;
        }
    }
    eprintln!(
        "FIGURE watchdog: {pings} pings in 2 s, widest gap {} ms (WATCHDOG_USEC 400 ms)",
        widest.as_millis()
    );
    assert!(pings >= 7, "{pings} pings");
    assert!(widest <= Duration::from_millis(350), "{widest:?}");

    signal(dpid, libc::SIGHUP);
    let reloading = expect(&sock, "RELOADING=1", Duration::from_secs(5));
    assert!(reloading.contains("MONOTONIC_USEC="), "{reloading:?}");
    expect(&sock, "READY=1", Duration::from_secs(5));

    signal(dpid, libc::SIGTERM);
    expect(&sock, "STOPPING=1", Duration::from_secs(5));
    let mut daemon = scene.daemon.take().unwrap();
    let t0 = Instant::now();
    while daemon.try_wait().unwrap().is_none() && t0.elapsed() < Duration::from_secs(10) {
        std::thread::sleep(Duration::from_millis(50));
    }
    assert_eq!(daemon.wait().unwrap().code(), Some(0));
}
