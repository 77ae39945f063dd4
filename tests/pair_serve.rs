//! `lvsdeck serve --stdio` driven over pipes as a peer's console drives it: hello, a
//! snapshot, then changes only (a VRRP state change at the daemon), heartbeats when nothing
//! changed, the daemon's configuration file digested (SHA-256), a daemon restart noticed (Meta.daemon false meanwhile), a drain forwarded to
//! the daemon and recorded in this director's audit log with who asked and over which SSH
//! connection, ipvsadm lines checked by the rule language, bad and oversized lines
//! answered with an error frame (never a crash), and `--read-only` refusing every change.
//! The daemon is a stand-in on a unix socket (this machine has no IPVS: the kernel part
//! of the picture says so in Meta.problems).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "support/fake_daemon.rs"]
mod fake_daemon;

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use fake_daemon::FakeDaemon;
use lvsdeck::engine::control::protocol::Reply;
use lvsdeck::pair::state::Item;
use lvsdeck::pair::wire::{parse_server_frame, ServerFrame, MAX_FRAME};

struct Serve {
    child: Child,
    stdin: Option<ChildStdin>,
    frames: mpsc::Receiver<String>,
}

impl Serve {
    fn start(dir: &std::path::Path, extra: &[&str]) -> Serve {
        let mut child = Command::new(env!("CARGO_BIN_EXE_lvsdeck"))
            .args(["serve", "--stdio", "--interval", "0.2", "--control"])
            .arg(dir.join("control.sock"))
            .arg("--audit-log")
            .arg(dir.join("audit.log"))
            .args(extra)
            .env("SSH_CONNECTION", "192.0.2.1 50022 192.0.2.2 22")
            .env("RUST_LOG", "warn")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(l) = line else { return };
                if tx.send(l).is_err() {
                    return;
                }
            }
        });
        Serve {
            stdin: child.stdin.take(),
            child,
            frames: rx,
        }
    }

    fn send(&mut self, line: &str) {
        let w = self.stdin.as_mut().unwrap();
        w.write_all(line.as_bytes()).unwrap();
        w.write_all(b"\n").unwrap();
        w.flush().unwrap();
    }

    fn next(&self) -> ServerFrame {
        let line = self
            .frames
            .recv_timeout(Duration::from_secs(10))
            .expect("a frame within 10 s");
        parse_server_frame(&line).unwrap_or_else(|e| panic!("{e}: {line}"))
    }

    /// The next frame that `want` accepts, within `secs`.
    fn until(&self, secs: u64, what: &str, want: impl Fn(&ServerFrame) -> bool) -> ServerFrame {
        let end = Instant::now() + Duration::from_secs(secs);
        while Instant::now() < end {
            let f = self.next();
            if want(&f) {
                return f;
            }
        }
        panic!("no {what} within {secs} s");
    }
}

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn tempdir(name: &str) -> std::path::PathBuf {
    let d = std::env::temp_dir().join(format!("lvsdeck-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn daemon_up(f: &ServerFrame) -> Option<bool> {
    let meta = match f {
        ServerFrame::Snapshot { state, .. } => state.meta().cloned(),
        ServerFrame::Changes { changes, .. } => match changes.upsert.get("meta") {
            Some(Item::Meta(m)) => Some(m.clone()),
            _ => None,
        },
        _ => None,
    };
    meta.map(|m| m.daemon)
}

#[test]
fn hello_snapshot_changes_heartbeats_and_a_daemon_restart() {
    let dir = tempdir("serve");
    let mut daemon = FakeDaemon::start(&dir.join("control.sock"), "BACKUP");
    let mut s = Serve::start(&dir, &[]);
    let ServerFrame::Hello(h) = s.next() else {
        panic!("not a hello first")
    };
    assert_eq!(h.version, 1);
    assert!(!h.read_only);
    assert_eq!(h.interval_ms, Some(200));
    assert!(h.capabilities.iter().any(|c| c == "commands"), "{h:?}");
    s.send(r#"{"t":"hello","version":1,"from":"alice@lb1"}"#);

    let ServerFrame::Snapshot { seq, state, .. } = s.next() else {
        panic!("not a snapshot second")
    };
    let meta = state.meta().unwrap();
    assert!(meta.daemon, "{meta:?}");
    assert!(
        meta.problems.iter().any(|p| p.starts_with("IPVS")),
        "{meta:?}"
    );
    assert_eq!(state.vrrp().next().unwrap().state, "BACKUP");
    // The daemon's configuration file, by the path it reports, and its SHA-256.
    let digest = meta.config.as_ref().expect("a config digest");
    assert!(digest.path.ends_with("keepalived.conf"), "{digest:?}");
    let want = Command::new("sha256sum")
        .arg(&digest.path)
        .output()
        .unwrap();
    let want = String::from_utf8_lossy(&want.stdout);
    assert_eq!(want.split_whitespace().next(), Some(digest.sha256.as_str()));
    let mut last = seq;
    // Nothing changes: heartbeats, in sequence.
    for _ in 0..2 {
        match s.next() {
            ServerFrame::Heartbeat { seq, .. } => {
                assert_eq!(seq, last + 1);
                last = seq;
            }
            other => panic!("not a heartbeat: {other:?}"),
        }
    }
    // A change at the daemon: only that item travels.
    daemon.set("MASTER");
    let f = s.until(5, "changes", |f| matches!(f, ServerFrame::Changes { .. }));
    let ServerFrame::Changes { changes, .. } = f else {
        unreachable!()
    };
    assert_eq!(changes.upsert.keys().collect::<Vec<_>>(), ["vrrp VI_1"]);
    match changes.upsert.get("vrrp VI_1") {
        Some(Item::Vrrp(v)) => assert_eq!(v.state, "MASTER"),
        other => panic!("{other:?}"),
    }
    // The daemon restarts: noticed (daemon false, its items gone), then back.
    daemon.stop();
    let f = s.until(5, "daemon down", |f| daemon_up(f) == Some(false));
    if let ServerFrame::Changes { changes, .. } = &f {
        assert!(
            changes.remove.iter().any(|k| k == "vrrp VI_1"),
            "{changes:?}"
        );
    }
    daemon.restart();
    s.until(5, "daemon back", |f| daemon_up(f) == Some(true));

    // A resync gives a whole snapshot.
    s.send(r#"{"t":"resync"}"#);
    s.until(5, "snapshot", |f| matches!(f, ServerFrame::Snapshot { .. }));

    // A drain, forwarded to the daemon, recorded here with who and from where.
    s.send(r#"{"t":"request","id":7,"request":{"cmd":"drain","server":"-t 198.51.100.10:80 -r 192.0.2.21:80"}}"#);
    let f = s.until(5, "reply 7", |f| {
        matches!(f, ServerFrame::Reply { id: 7, .. })
    });
    let ServerFrame::Reply { reply, .. } = f else {
        unreachable!()
    };
    assert!(matches!(reply, Reply::Done { .. }), "{reply:?}");
    let audit = std::fs::read_to_string(dir.join("audit.log")).unwrap();
    assert!(
        audit.contains("alice@lb1 via lvsdeck serve (ssh 192.0.2.1 50022 192.0.2.2 22) as "),
        "{audit}"
    );
    assert!(
        audit.contains("\n-e -t 198.51.100.10:80 -r 192.0.2.21:80 -g -w 0\n"),
        "{audit}"
    );

    // ipvsadm lines: checked by the rule language; this machine's kernel has no IPVS.
    s.send(r#"{"t":"apply","id":8,"lines":["-e -t 198.51.100.10:80 -r nonsense -w 0"]}"#);
    let f = s.until(5, "reply 8", |f| {
        matches!(f, ServerFrame::Reply { id: 8, .. })
    });
    let ServerFrame::Reply {
        reply: Reply::Error { message },
        ..
    } = f
    else {
        panic!("{f:?}")
    };
    assert!(message.starts_with("line 1: "), "{message}");
    s.send(r#"{"t":"apply","id":9,"lines":["-e -t 198.51.100.10:80 -r 192.0.2.21:80 -w 0"]}"#);
    let f = s.until(5, "reply 9", |f| {
        matches!(f, ServerFrame::Reply { id: 9, .. })
    });
    let ServerFrame::Reply {
        reply: Reply::Error { message },
        ..
    } = f
    else {
        panic!("{f:?}")
    };
    assert!(message.contains("IPVS"), "{message}");

    // Bad lines: an error frame each, and the stream goes on.
    s.send("this is not JSON");
    let f = s.until(5, "error", |f| matches!(f, ServerFrame::Error { .. }));
    let ServerFrame::Error { message } = f else {
        unreachable!()
    };
    assert!(message.contains("not a frame"), "{message}");
    s.send(r#"{"t":"request","id":1,"request":{"cmd":"explode"}}"#);
    s.until(5, "error", |f| matches!(f, ServerFrame::Error { .. }));
    s.send(&"x".repeat(MAX_FRAME + 10));
    let f = s.until(10, "error", |f| matches!(f, ServerFrame::Error { .. }));
    let ServerFrame::Error { message } = f else {
        unreachable!()
    };
    assert!(message.contains("longer than"), "{message}");
    s.until(5, "heartbeat", |f| {
        matches!(f, ServerFrame::Heartbeat { .. })
    });

    // The watching end leaves: serve ends by itself.
    drop(s.stdin.take());
    let end = Instant::now() + Duration::from_secs(5);
    while Instant::now() < end && s.child.try_wait().unwrap().is_none() {
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(
        s.child.try_wait().unwrap().is_some(),
        "serve did not end with its input"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn read_only_refuses_every_change() {
    let dir = tempdir("serve-ro");
    let daemon = FakeDaemon::start(&dir.join("control.sock"), "BACKUP");
    let mut s = Serve::start(&dir, &["--read-only"]);
    let ServerFrame::Hello(h) = s.next() else {
        panic!("not a hello first")
    };
    assert!(h.read_only);
    assert!(!h.capabilities.iter().any(|c| c == "commands"), "{h:?}");
    s.send(r#"{"t":"request","id":1,"request":{"cmd":"drain","server":"-t 198.51.100.10:80 -r 192.0.2.21:80"}}"#);
    s.send(r#"{"t":"apply","id":2,"lines":["-e -t 198.51.100.10:80 -r 192.0.2.21:80 -w 0"]}"#);
    s.send(r#"{"t":"request","id":3,"request":{"cmd":"status"}}"#);
    for id in [1, 2] {
        let f = s.until(
            5,
            "reply",
            move |f| matches!(f, ServerFrame::Reply { id: i, .. } if *i == id),
        );
        let ServerFrame::Reply {
            reply: Reply::Error { message },
            ..
        } = f
        else {
            panic!("{f:?}")
        };
        assert!(message.contains("read-only"), "{message}");
    }
    // Reading is not a change.
    let f = s.until(5, "reply 3", |f| {
        matches!(f, ServerFrame::Reply { id: 3, .. })
    });
    assert!(
        matches!(
            f,
            ServerFrame::Reply {
                reply: Reply::Status(_),
                ..
            }
        ),
        "{f:?}"
    );
    // The drain never reached the daemon.
    assert!(!daemon
        .requests
        .lock()
        .unwrap()
        .iter()
        .any(|r| r.contains("drain")));
    assert!(!dir.join("audit.log").exists());
    let _ = std::fs::remove_dir_all(&dir);
}
