//! A peer over a real OpenSSH server: sshd on loopback in a network namespace this test
//! makes (generated host and user keys, its own sshd_config, started by PID and killed
//! even when the test fails), the console in tmux inside the same namespace with
//! `--peer lb2 --peer lb2-wrong` and the operator's ssh config (through
//! LVSDECK_SSH_COMMAND='ssh -F CONFIG', as GIT_SSH_COMMAND: ssh reads ~/.ssh from the
//! passwd entry, not $HOME). The remote finds lvsdeck on the session's PATH (sshd's
//! SetEnv here; /usr/local/bin on a real director), as a wrapper that names the test's
//! control socket, where a stand-in daemon answers with a VRRP state the test flips.
//!
//! Checked: the peer appears (Tab shows it, its VRRP state in the header); a change on
//! the peer reaches the screen (measured, printed); killing sshd's session makes it
//! UNREACHABLE at once and it comes back; a serving end that stops sending (SIGSTOP) is
//! UNREACHABLE within two refresh intervals and back on SIGCONT; a wrong host key is refused
//! with SSH's own message on the screen, and so are a key the server does not accept
//! (`Permission denied`) and a remote without the command (`not found`, exit 127). Needs root, ip, tmux, sshd and ssh.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "support/fake_daemon.rs"]
mod fake_daemon;
#[path = "support/tmux.rs"]
mod tmux;

use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::time::{Duration, Instant};

use fake_daemon::FakeDaemon;
use tmux::Tmux;

const PORT: u16 = 2222;

/// What this test made, removed on drop even when it fails.
struct Scene {
    ns: String,
    dir: PathBuf,
    sshd: Option<Child>,
}

impl Drop for Scene {
    fn drop(&mut self) {
        if let Some(mut c) = self.sshd.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
        // Sessions the listener forked (killed with their namespace's processes).
        let _ = Command::new("ip")
            .args(["netns", "pids", &self.ns])
            .output()
            .map(|o| {
                for pid in String::from_utf8_lossy(&o.stdout).split_whitespace() {
                    let _ = Command::new("kill").args(["-9", pid]).status();
                }
            });
        let _ = Command::new("ip").args(["netns", "del", &self.ns]).status();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn can_run() -> bool {
    let root = Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0");
    root && Path::new("/usr/sbin/sshd").exists()
        && Command::new("ssh").arg("-V").output().is_ok()
        && Command::new("tmux").arg("-V").output().is_ok()
}

fn run(cmd: &str, args: &[&str]) {
    let st = Command::new(cmd).args(args).status().unwrap();
    assert!(st.success(), "{cmd} {args:?}: {st}");
}

fn keygen(path: &Path) -> String {
    run(
        "ssh-keygen",
        &[
            "-q",
            "-t",
            "ed25519",
            "-N",
            "",
            "-f",
            path.to_str().unwrap(),
        ],
    );
    std::fs::read_to_string(path.with_extension("pub")).unwrap()
}

fn setup() -> (Scene, FakeDaemon) {
    let pid = std::process::id();
    let dir = PathBuf::from(format!("/tmp/lvsdeck-peer-ssh-{pid}"));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("bin")).unwrap();
    let d = dir.display().to_string();
    let host_pub = keygen(&dir.join("host_key"));
    let other_pub = keygen(&dir.join("other_key"));
    let user_pub = keygen(&dir.join("id"));
    std::fs::write(dir.join("authorized_keys"), user_pub).unwrap();
    std::fs::write(
        dir.join("known_hosts"),
        format!("[127.0.0.1]:{PORT} {host_pub}"),
    )
    .unwrap();
    std::fs::write(
        dir.join("known_hosts_wrong"),
        format!("[127.0.0.1]:{PORT} {other_pub}"),
    )
    .unwrap();
    // The remote's lvsdeck: this build, with the test's control socket and audit log.
    let wrapper = format!(
        "#!/bin/sh\nexec {} \"$@\" --control {d}/control.sock --audit-log {d}/audit.log\n",
        env!("CARGO_BIN_EXE_lvsdeck")
    );
    let bin = dir.join("bin/lvsdeck");
    std::fs::write(&bin, wrapper).unwrap();
    run("chmod", &["755", bin.to_str().unwrap()]);
    std::fs::write(
        dir.join("sshd_config"),
        format!(
            "Port {PORT}\nListenAddress 127.0.0.1\nHostKey {d}/host_key\nPidFile {d}/sshd.pid\n\
             AuthorizedKeysFile {d}/authorized_keys\nStrictModes no\nUsePAM no\n\
             PasswordAuthentication no\nKbdInteractiveAuthentication no\n\
             PermitRootLogin prohibit-password\nSetEnv PATH={d}/bin:/usr/sbin:/usr/bin:/sbin:/bin\n\
             LogLevel ERROR\n"
        ),
    )
    .unwrap();
    let host = |name: &str, known: &str| {
        format!(
            "Host {name}\n  HostName 127.0.0.1\n  Port {PORT}\n  User root\n  IdentityFile {d}/id\n  \
             IdentitiesOnly yes\n  UserKnownHostsFile {d}/{known}\n  GlobalKnownHostsFile /dev/null\n"
        )
    };
    // A key the server does not know, for "Permission denied".
    keygen(&dir.join("stranger"));
    let stranger = format!(
        "Host lb2-stranger\n  HostName 127.0.0.1\n  Port {PORT}\n  User root\n  IdentityFile {d}/stranger\n  \
         IdentitiesOnly yes\n  UserKnownHostsFile {d}/known_hosts\n  GlobalKnownHostsFile /dev/null\n"
    );
    std::fs::write(
        dir.join("ssh_config"),
        format!(
            "{}{}{stranger}",
            host("lb2", "known_hosts"),
            host("lb2-wrong", "known_hosts_wrong")
        ),
    )
    .unwrap();
    let ns = format!("lvsdeck-ssh-{pid}");
    let mut scene = Scene {
        ns: ns.clone(),
        dir: dir.clone(),
        sshd: None,
    };
    run("ip", &["netns", "add", &ns]);
    run("ip", &["-n", &ns, "link", "set", "lo", "up"]);
    // sshd's privilege separation directory.
    std::fs::create_dir_all("/run/sshd").unwrap();
    scene.sshd = Some(
        Command::new("ip")
            .args(["netns", "exec", &ns, "/usr/sbin/sshd", "-D", "-e", "-f"])
            .arg(dir.join("sshd_config"))
            .spawn()
            .unwrap(),
    );
    let daemon = FakeDaemon::start(&dir.join("control.sock"), "BACKUP");
    (scene, daemon)
}

/// The sshd processes serving sessions (the listener's children).
fn sessions(scene: &Scene) -> Vec<String> {
    let pid = scene.sshd.as_ref().unwrap().id();
    // `ip netns exec` execs sshd: the child's PID is the listener's.
    let out = Command::new("pgrep")
        .args(["-P", &pid.to_string()])
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout)
        .split_whitespace()
        .map(str::to_string)
        .collect()
}

/// Waits for `needle` on the screen, polling every 20 ms; the time it took.
fn time_until(t: &Tmux, needle: &str, timeout: Duration) -> Duration {
    let start = Instant::now();
    loop {
        if t.screen().contains(needle) {
            return start.elapsed();
        }
        assert!(
            start.elapsed() < timeout,
            "no {needle:?} within {timeout:?}; screen:\n{}",
            t.screen()
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn a_peer_over_openssh_appears_goes_unreachable_comes_back_and_a_wrong_key_is_refused() {
    if !can_run() {
        eprintln!("skipped: needs root, sshd, ssh and tmux");
        return;
    }
    let (scene, daemon) = setup();
    let d = scene.dir.display().to_string();
    let line = format!(
        "ip netns exec {ns} env LVSDECK_SSH_COMMAND='ssh -F {d}/ssh_config' TERM=xterm-256color \
         {bin} --peer lb2 --peer lb2-wrong --peer lb2-stranger \
         --peer-command 'ssh -F {d}/ssh_config -T -o BatchMode=yes lb2 lvsdeck-nowhere serve --stdio' \
         --interval 1 --control {d}/none.sock \
         --audit-log {d}/console-audit.log",
        ns = scene.ns,
        bin = env!("CARGO_BIN_EXE_lvsdeck"),
    );
    let t = Tmux::start(
        format!("lvsdeck-peer-ssh-{}", std::process::id()),
        "peer",
        200,
        30,
        &["sh", "-c", &line],
    );
    t.wait_for("(1 of 5; Tab: next)", Duration::from_secs(20));
    t.keys(&["Tab"]);
    t.wait_for("peer lb2", Duration::from_secs(5));
    // The peer appears: its daemon's VRRP state is in the header.
    let first = time_until(&t, "VRRP: BACKUP 150 (VI_1)", Duration::from_secs(20));
    eprintln!("peer shown {first:?} after Tab");
    assert!(!t.screen().contains("UNREACHABLE"), "{}", t.screen());

    // A change on the peer reaches the screen: flipped at the daemon, timed on the screen.
    let mut took = Vec::new();
    for (i, state) in ["MASTER", "BACKUP", "MASTER", "BACKUP", "MASTER", "BACKUP"]
        .iter()
        .enumerate()
    {
        // Spread over the refresh interval.
        std::thread::sleep(Duration::from_millis(300 + 170 * i as u64));
        daemon.set(state);
        took.push(time_until(
            &t,
            &format!("VRRP: {state} 150 (VI_1)"),
            Duration::from_secs(5),
        ));
    }
    took.sort();
    eprintln!(
        "change on the peer -> screen over ssh at a 1 s refresh: min {:?} median {:?} max {:?}",
        took[0],
        took[took.len() / 2],
        took[took.len() - 1]
    );
    assert!(
        took[took.len() - 1] < Duration::from_millis(2500),
        "{took:?}"
    );

    // sshd's session killed: UNREACHABLE within two refresh intervals, then back.
    let s = sessions(&scene);
    assert!(!s.is_empty(), "no sshd session");
    for pid in &s {
        // The wrong-key peer's attempts come and go: a PID may be gone already.
        let _ = Command::new("kill").args(["-9", pid]).status();
    }
    let gone = time_until(&t, "UNREACHABLE", Duration::from_secs(2));
    eprintln!("UNREACHABLE {gone:?} after the session was killed");
    let screen = t.screen();
    assert!(screen.contains("retry in"), "{screen}");
    let back = Instant::now();
    loop {
        let s = t.screen();
        if !s.contains("UNREACHABLE") && !s.contains("retry in") && s.contains("VRRP: BACKUP 150") {
            break;
        }
        assert!(
            back.elapsed() < Duration::from_secs(15),
            "not back; screen:\n{s}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    eprintln!("back {:?} after UNREACHABLE", back.elapsed());

    // The serving end stops sending while the session stays up (SIGSTOP): no frame
    // within two refresh intervals is UNREACHABLE, with the age of the last state.
    let pat = format!("serve --stdio --interval 1 --control {d}/control.sock");
    let out = Command::new("pgrep").args(["-f", &pat]).output().unwrap();
    let serving: Vec<String> = String::from_utf8_lossy(&out.stdout)
        .split_whitespace()
        .map(str::to_string)
        .collect();
    if serving.is_empty() {
        let ps = Command::new("ps")
            .args(["-eo", "pid,args"])
            .output()
            .unwrap();
        panic!("no serve process:\n{}", String::from_utf8_lossy(&ps.stdout));
    }
    for pid in &serving {
        run("kill", &["-STOP", pid]);
    }
    let stopped = Instant::now();
    time_until(&t, "UNREACHABLE (last state", Duration::from_secs(4));
    let silent = stopped.elapsed();
    eprintln!("UNREACHABLE {silent:?} after the serving end stopped sending");
    assert!(silent >= Duration::from_millis(1000), "{silent:?}");
    // The last frame came at most an interval before the stop; judged every 200 ms.
    assert!(silent < Duration::from_millis(2400), "{silent:?}");
    for pid in &serving {
        run("kill", &["-CONT", pid]);
    }
    let back = Instant::now();
    while t.screen().contains("UNREACHABLE") {
        assert!(back.elapsed() < Duration::from_secs(5), "{}", t.screen());
        std::thread::sleep(Duration::from_millis(50));
    }

    // The peer with the wrong host key: SSH's refusal as SSH said it.
    t.keys(&["Tab"]);
    t.wait_for("peer lb2-wrong", Duration::from_secs(5));
    let screen = t.wait_for("Host key verification failed.", Duration::from_secs(20));
    assert!(screen.contains("UNREACHABLE (no state yet)"), "{screen}");
    assert!(screen.contains("exit 255"), "{screen}");
    // A key the server does not accept, and a remote without the command: as SSH said it.
    t.keys(&["Tab"]);
    t.wait_for("peer lb2-stranger", Duration::from_secs(5));
    t.wait_for("Permission denied (publickey).", Duration::from_secs(20));
    t.keys(&["Tab"]);
    t.wait_for("peer lb2#2", Duration::from_secs(5));
    let screen = t.wait_for("not found", Duration::from_secs(20));
    assert!(screen.contains("lvsdeck-nowhere"), "{screen}");
    assert!(screen.contains("exit 127"), "{screen}");
    t.keys(&["q"]);
}
