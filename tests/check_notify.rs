//! The checkers' scripts for real: a TCP_CHECK against a tokio listener on loopback that is
//! stopped and restarted drives notify_down / quorum_down then notify_up / quorum_up, which
//! run as `nobody` without a shell and append to a file; MISC_CHECK `user` runs its check as
//! that user. Needs root (to switch users), as the daemon does.

// Tests and benches state what they expect with unwrap/expect/panic (the lints are for
// the library; see Cargo.toml).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use tokio::net::TcpListener;
use tokio::sync::mpsc;

use lvsdeck::check::build::build;
use lvsdeck::engine::health::checks::{Checks, Down};
use lvsdeck::engine::health::scripts::HealthScripts;

/// A directory anyone may write to (the scripts run as nobody), removed on drop.
struct Scratch(PathBuf);

impl Scratch {
    fn new(tag: &str) -> Scratch {
        let p = std::env::temp_dir().join(format!("lvsdeck-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&p);
        std::fs::create_dir_all(&p).expect("scratch dir");
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o777)).expect("chmod");
        Scratch(p)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn uid_of(user: &str) -> u32 {
    lvsdeck::linux::script::resolve(user)
        .expect("user exists")
        .uid
}

fn lines(p: &Path) -> Vec<String> {
    std::fs::read_to_string(p)
        .unwrap_or_default()
        .lines()
        .map(str::to_string)
        .collect()
}

/// Waits (bounded) until `p` holds `n` lines.
async fn wait_lines(p: &Path, n: usize, within: Duration) -> Vec<String> {
    let t0 = Instant::now();
    loop {
        let l = lines(p);
        if l.len() >= n || t0.elapsed() > within {
            return l;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

fn conf(port: u16, log: &Path) -> String {
    let log = log.display();
    // `$(id -u)` is the shell's, asked for by the line; the `'` quoting is keepalived's.
    let sh = |word: &str| format!("\"/bin/sh -c 'echo {word} $(id -u) >> {log}'\" nobody");
    format!(
        "global_defs {{\n  script_user root\n}}\n\
         virtual_server 127.0.0.1 8000 {{\n  delay_loop 0.2\n  lb_kind NAT\n  protocol TCP\n  \
         quorum 1\n  quorum_up {qup}\n  quorum_down {qdown}\n  \
         real_server 127.0.0.1 {port} {{\n    weight 1\n    notify_up {up}\n    notify_down {down}\n    \
         TCP_CHECK {{\n      connect_timeout 0.5\n      retry 0\n      warmup 0\n    }}\n  }}\n}}\n",
        qup = sh("quorum_up"),
        qdown = sh("quorum_down"),
        up = sh("up"),
        down = sh("down"),
    )
}

#[tokio::test]
async fn notify_and_quorum_scripts_follow_a_real_listener_as_nobody() {
    let dir = Scratch::new("notify");
    let log = dir.0.join("events");
    let l = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let port = l.local_addr().expect("addr").port();
    let loaded = lvsdeck::config::parse_str(&conf(port, &log), Path::new("notify.conf"));
    assert!(loaded.is_ok(), "{:?}", loaded.diagnostics);
    let cfg = loaded.config;
    let (tx, mut events) = mpsc::unbounded_channel();
    let checks = Checks::start(&cfg, &Down::new(), tx);
    let mut scripts = HealthScripts::new(cfg.global.script_user.clone(), Duration::from_secs(5));
    let nobody = uid_of("nobody");

    // Accept (and drop) connections while "up"; closing the listener makes the port refuse.
    let accept = tokio::spawn(async move {
        loop {
            if l.accept().await.is_err() {
                return;
            }
        }
    });
    let pump = |events: &mut mpsc::UnboundedReceiver<_>, scripts: &mut HealthScripts| {
        while let Ok(ev) = events.try_recv() {
            let ev: lvsdeck::check::runner::Event = ev;
            for a in &ev.output.actions {
                scripts.run(a, &checks.specs);
            }
        }
    };
    // Up from the start: nothing runs for a while.
    let t0 = Instant::now();
    while t0.elapsed() < Duration::from_millis(800) {
        pump(&mut events, &mut scripts);
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(
        lines(&log),
        Vec::<String>::new(),
        "no transition, no script"
    );

    accept.abort();
    let _ = accept.await;
    let t_down = Instant::now();
    let mut got = Vec::new();
    while t_down.elapsed() < Duration::from_secs(5) && got.len() < 2 {
        pump(&mut events, &mut scripts);
        got = lines(&log);
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let down_ms = t_down.elapsed().as_millis();
    got.sort();
    assert_eq!(
        got,
        vec![format!("down {nobody}"), format!("quorum_down {nobody}")],
        "both down scripts ran once, as nobody"
    );

    let l = TcpListener::bind(("127.0.0.1", port))
        .await
        .expect("rebind");
    let accept = tokio::spawn(async move { while l.accept().await.is_ok() {} });
    let t_up = Instant::now();
    while t_up.elapsed() < Duration::from_secs(5) && lines(&log).len() < 4 {
        pump(&mut events, &mut scripts);
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let up_ms = t_up.elapsed().as_millis();
    let got = wait_lines(&log, 4, Duration::from_secs(1)).await;
    let mut back: Vec<String> = got[2.min(got.len())..].to_vec();
    back.sort();
    assert_eq!(
        back,
        vec![format!("quorum_up {nobody}"), format!("up {nobody}")],
        "both up scripts ran once, as nobody: {got:?}"
    );
    eprintln!("scripts ran {down_ms} ms after the listener stopped, {up_ms} ms after it came back");
    accept.abort();
    checks.abandon();
    scripts.drain(Duration::from_secs(2)).await;
}

#[tokio::test]
async fn misc_check_runs_as_its_user() {
    let dir = Scratch::new("misc");
    let out = dir.0.join("uid");
    let text = format!(
        "virtual_server 127.0.0.1 8000 {{\n  protocol TCP\n  real_server 127.0.0.1 9 {{\n    \
         MISC_CHECK {{\n      misc_path \"/bin/sh -c 'id -u > {o}; id -g >> {o}'\"\n      \
         user nobody nogroup\n    }}\n  }}\n}}\n",
        o = out.display()
    );
    let loaded = lvsdeck::config::parse_str(&text, Path::new("misc.conf"));
    assert!(loaded.is_ok(), "{:?}", loaded.diagnostics);
    let built = build(&loaded.config, "h", None);
    assert_eq!(built.problems, Vec::<String>::new());
    let (_, check) = &built.checks[0];
    let lvsdeck::check::Probe::Misc(spec) = &check.probe else {
        panic!("not a MISC_CHECK: {:?}", check.probe);
    };
    assert!(lvsdeck::check::probe::misc::check(spec).await.is_up());
    let who = lvsdeck::linux::script::resolve("nobody:nogroup").expect("nobody:nogroup");
    assert_eq!(
        lines(&out),
        vec![who.uid.to_string(), who.gid.to_string()],
        "the check saw nobody's uid and nogroup's gid"
    );
    // An unknown user leaves the checker out, as keepalived does.
    let bad = text.replace("user nobody nogroup", "user no-such-user-lvsdeck");
    let loaded = lvsdeck::config::parse_str(&bad, Path::new("misc.conf"));
    let built = build(&loaded.config, "h", None);
    assert_eq!(built.checks.len(), 0);
    assert!(
        built.problems[0].contains("unknown user or group 'no-such-user-lvsdeck'"),
        "{:?}",
        built.problems
    );
}
