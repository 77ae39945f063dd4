//! Running track and notify scripts the way keepalived does: the command line is split into
//! words here (no shell unless the line names one), the program runs as `script_user` in its
//! own process group, and past its timeout the whole group is killed.

use std::ffi::CString;
use std::process::Stdio;
use std::time::Duration;

use tokio::process::Command;

/// Who a script runs as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RunAs {
    pub uid: u32,
    pub gid: u32,
}

/// `user[:group]` to ids via the passwd/group databases; `None` when unknown.
pub fn resolve(spec: &str) -> Option<RunAs> {
    let (user, group) = match spec.split_once(':') {
        Some((u, g)) => (u, Some(g)),
        None => (spec, None),
    };
    let cu = CString::new(user).ok()?;
    // SAFETY: getpwnam returns NULL or a pointer to static storage, read at once; the engine
    // resolves users from one thread at a time (configuration load).
    let pw = unsafe { libc::getpwnam(cu.as_ptr()) };
    if pw.is_null() {
        return None;
    }
    // SAFETY: non-null result of getpwnam.
    let (uid, mut gid) = unsafe { ((*pw).pw_uid, (*pw).pw_gid) };
    if let Some(g) = group {
        let cg = CString::new(g).ok()?;
        // SAFETY: as above, for getgrnam.
        let gr = unsafe { libc::getgrnam(cg.as_ptr()) };
        if gr.is_null() {
            return None;
        }
        // SAFETY: non-null result of getgrnam.
        gid = unsafe { (*gr).gr_gid };
    }
    Some(RunAs { uid, gid })
}

/// How a script ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Exit {
    Code(i32),
    Signal,
    TimedOut,
    /// Could not start (missing program, bad user...).
    Failed(String),
}

impl Exit {
    pub fn ok(&self) -> bool {
        *self == Exit::Code(0)
    }
}

/// Runs `argv` as `who` (None: as ourselves), waits at most `timeout`.
pub async fn run(argv: &[String], who: Option<RunAs>, timeout: Duration) -> Exit {
    let Some((prog, args)) = argv.split_first() else {
        return Exit::Failed("empty command".into());
    };
    let mut cmd = Command::new(prog);
    cmd.args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .process_group(0)
        .kill_on_drop(true);
    if let Some(w) = who {
        cmd.uid(w.uid).gid(w.gid);
    }
    let mut child = match cmd.spawn() {
        Ok(c) => c,
        Err(e) => return Exit::Failed(format!("{prog}: {e}")),
    };
    match tokio::time::timeout(timeout, child.wait()).await {
        Ok(Ok(s)) => s.code().map_or(Exit::Signal, Exit::Code),
        Ok(Err(e)) => Exit::Failed(format!("wait: {e}")),
        Err(_) => {
            if let Some(pid) = child.id().and_then(|p| i32::try_from(p).ok()) {
                // SAFETY: kill(2) on the process group we created; no memory involved.
                unsafe { libc::kill(-pid, libc::SIGKILL) };
            }
            let _ = child.wait().await;
            Exit::TimedOut
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn argv(s: &str) -> Vec<String> {
        crate::check::misc::split(s).unwrap_or_default()
    }

    #[tokio::test]
    async fn exit_codes_no_shell_and_timeout_kills_the_group() {
        let t = Duration::from_secs(5);
        assert_eq!(run(&argv("/bin/true"), None, t).await, Exit::Code(0));
        assert_eq!(run(&argv("/bin/false"), None, t).await, Exit::Code(1));
        // Without a shell, `;` is an argument to test, which then fails to parse.
        assert_eq!(
            run(&argv("/usr/bin/test -e / ; /bin/true"), None, t).await,
            Exit::Code(2)
        );
        assert!(matches!(
            run(&argv("/nonexistent"), None, t).await,
            Exit::Failed(_)
        ));
        let dir = std::env::temp_dir().join(format!("lvsdeck-proc-{}", std::process::id()));
        let _ = std::fs::create_dir_all(&dir);
        let marker = dir.join("grandchild-survived");
        let line = format!(
            "/bin/sh -c '(sleep 1; touch {}) & sleep 5'",
            marker.display()
        );
        let t0 = std::time::Instant::now();
        assert_eq!(
            run(&argv(&line), None, Duration::from_millis(200)).await,
            Exit::TimedOut
        );
        assert!(t0.elapsed() < Duration::from_secs(2));
        tokio::time::sleep(Duration::from_millis(1300)).await;
        assert!(!marker.exists(), "the background child was not killed");
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn resolves_users_and_groups() {
        assert_eq!(resolve("root"), Some(RunAs { uid: 0, gid: 0 }));
        assert_eq!(
            resolve("nobody:root").map(|r| r.gid),
            Some(0),
            "explicit group wins"
        );
        assert_eq!(resolve("no-such-user-lvsdeck"), None);
    }
}
