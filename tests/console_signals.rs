//! The console at the edge, in a real terminal (tmux): SIGTERM and SIGHUP (an SSH session
//! dropping) end it with the terminal restored (cooked mode, echo) and the signal's exit code,
//! and killing its terminal does not leave it running.

// Tests and benches state what they expect with unwrap/expect/panic (the lints are for
// the library; see Cargo.toml).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
// It signals, times or enters the processes and namespaces it made itself, through libc.
#![allow(unsafe_code)]

#[path = "support/tmux.rs"]
mod tmux;

use std::time::{Duration, Instant};

use tmux::Tmux;

/// How long a screen may take to show what a step waits for.
const WAIT: Duration = Duration::from_secs(30);

/// Starts the console in tmux; then, once it is gone, the shell prints its exit code and
/// the terminal's modes. Returns the session and the console's pid.
fn start(tag: &str) -> (Tmux, i32) {
    let pidfile =
        std::env::temp_dir().join(format!("lvsdeck-sig-{tag}-{}.pid", std::process::id()));
    let _ = std::fs::remove_file(&pidfile);
    let script = format!(
        "{} </dev/tty & echo $! > {}; wait $!; echo exit=$?; stty -a | tr ' ;' '\\n\\n' | grep -x -- '-\\?icanon\\|-\\?echo'; echo modes-done; sleep 60",
        env!("CARGO_BIN_EXE_lvsdeck"),
        pidfile.display()
    );
    let socket = format!("lvsdeck-sig-{tag}-{}", std::process::id());
    let t = Tmux::start(socket, "t", 100, 30, &["sh", "-c", &script]);
    t.wait_for(" lvsdeck ", WAIT);
    let pid = std::fs::read_to_string(&pidfile)
        .ok()
        .and_then(|s| s.trim().parse().ok())
        .expect("the console's pid");
    let _ = std::fs::remove_file(&pidfile);
    (t, pid)
}

fn signal_restores(tag: &str, sig: i32, code: i32) {
    let (t, pid) = start(tag);
    // SAFETY: kill(2) on the pid we started.
    assert_eq!(unsafe { libc::kill(pid, sig) }, 0);
    let screen = t.wait_for("modes-done", WAIT);
    assert!(screen.contains(&format!("exit={code}")), "{screen}");
    let modes: Vec<&str> = screen
        .lines()
        .filter(|l| l.ends_with("icanon") || l.ends_with("echo"))
        .collect();
    assert!(
        modes.contains(&"icanon") && modes.contains(&"echo"),
        "{screen}"
    );
    assert!(
        !screen.contains(" lvsdeck "),
        "still the console's screen:\n{screen}"
    );
}

#[test]
fn sigterm_restores_the_terminal() {
    signal_restores("term", libc::SIGTERM, 143);
}

#[test]
fn sighup_restores_the_terminal() {
    signal_restores("hup", libc::SIGHUP, 129);
}

#[test]
fn closing_the_terminal_ends_the_console() {
    let (t, pid) = start("close");
    t.run(&["kill-server"]);
    let start = Instant::now();
    while running(pid) {
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "the console outlived its terminal"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Alive and not a zombie waiting for a parent to reap it.
fn running(pid: i32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .ok()
        .and_then(|s| s.rsplit_once(") ").map(|(_, rest)| !rest.starts_with('Z')))
        .unwrap_or(false)
}
