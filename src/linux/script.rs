//! Running scripts the way keepalived does (`notify.c`, `system_call_script`): the command
//! line is split into words here (no shell unless the line names one), the program runs as
//! `script_user` (with that user's supplementary groups) in its own process group, with the
//! inherited environment minus IFS, LD_PRELOAD and LD_LIBRARY_PATH, dies with lvsdeck
//! (PR_SET_PDEATHSIG), and past its timeout the whole group is killed. VRRP track and notify
//! scripts, MISC_CHECK and the checkers' notify/quorum scripts all run through here.

use std::ffi::CString;
use std::process::Stdio;
use std::time::Duration;

use tokio::process::Command;
use tokio::sync::mpsc;

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

/// The command for `prog args` as keepalived starts a script (see the module doc).
fn command(prog: &str, args: &[String], who: Option<RunAs>) -> Command {
    let mut cmd = Command::new(prog);
    cmd.args(args)
        .env_remove("IFS")
        .env_remove("LD_PRELOAD")
        .env_remove("LD_LIBRARY_PATH")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .process_group(0)
        .kill_on_drop(true);
    // Computed before the fork: getgrouplist reads files, which a forked child must not do.
    let switch = who.map(|w| (w, supplementary(w)));
    // SAFETY: the closure runs in the forked child before exec and only makes
    // async-signal-safe system calls (prctl, setgroups, setgid, setuid) on owned data.
    unsafe {
        cmd.pre_exec(move || {
            libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGTERM);
            if let Some((w, groups)) = &switch {
                let same = libc::getuid() == w.uid && libc::getgid() == w.gid;
                if (!same || libc::getuid() == 0)
                    && (libc::setgroups(groups.len(), groups.as_ptr()) != 0
                        || libc::setgid(w.gid) != 0
                        || libc::setuid(w.uid) != 0)
                {
                    return Err(std::io::Error::last_os_error());
                }
            }
            Ok(())
        });
    }
    cmd
}

/// `who`'s supplementary groups (its primary group when the lookup fails).
fn supplementary(who: RunAs) -> Vec<libc::gid_t> {
    let mut buf = vec![0u8; 16 * 1024];
    // SAFETY: passwd is plain C data (integers and pointers); all-zero is a valid value.
    let mut pwd: libc::passwd = unsafe { std::mem::zeroed() };
    let mut res: *mut libc::passwd = std::ptr::null_mut();
    // SAFETY: getpwuid_r writes into our buffers only; `res` is null or points at `pwd`.
    let rc = unsafe {
        libc::getpwuid_r(
            who.uid,
            &mut pwd,
            buf.as_mut_ptr().cast(),
            buf.len(),
            &mut res,
        )
    };
    if rc != 0 || res.is_null() {
        return vec![who.gid];
    }
    let mut groups = vec![0 as libc::gid_t; 256];
    let mut n = groups.len() as libc::c_int;
    // SAFETY: pw_name is a NUL-terminated string in `buf`; `groups` holds `n` entries.
    let rc = unsafe { libc::getgrouplist(pwd.pw_name, who.gid, groups.as_mut_ptr(), &mut n) };
    if rc < 0 {
        return vec![who.gid];
    }
    groups.truncate(usize::try_from(n).unwrap_or(0));
    groups
}

/// Runs `argv` as `who` (None: as ourselves), waits at most `timeout`.
pub async fn run(argv: &[String], who: Option<RunAs>, timeout: Duration) -> Exit {
    let Some((prog, args)) = argv.split_first() else {
        return Exit::Failed("empty command".into());
    };
    let mut cmd = command(prog, args, who);
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

/// One script to run, with what the log should call it.
#[derive(Debug, Clone)]
pub struct Job {
    pub argv: Vec<String>,
    pub who: Option<RunAs>,
    /// `notify_up of 192.0.2.1:80 (file:line)`, for the failure log.
    pub what: String,
}

/// A queue that runs jobs one after the other on its own task, so the caller never waits
/// and the scripts of one owner are seen in order; failures are logged with the script,
/// the user and how it ended.
pub struct Queue {
    tx: mpsc::UnboundedSender<Job>,
    join: tokio::task::JoinHandle<()>,
}

impl Queue {
    pub fn start(timeout: Duration) -> Queue {
        let (tx, mut rx) = mpsc::unbounded_channel::<Job>();
        let join = tokio::spawn(async move {
            while let Some(job) = rx.recv().await {
                let exit = run(&job.argv, job.who, timeout).await;
                if exit.ok() {
                    tracing::info!("{}: {:?} ran", job.what, job.argv);
                } else {
                    let who = job.who.map_or("lvsdeck's user".into(), |w| {
                        format!("uid {} gid {}", w.uid, w.gid)
                    });
                    tracing::warn!("{}: {:?} as {who} ended {exit:?}", job.what, job.argv);
                }
            }
        });
        Queue { tx, join }
    }

    pub fn push(&self, job: Job) {
        let _ = self.tx.send(job);
    }

    /// Lets the queued jobs finish within `within`; what still runs then is killed.
    pub async fn drain(self, within: Duration) {
        let Queue { tx, mut join } = self;
        drop(tx);
        if tokio::time::timeout(within, &mut join).await.is_err() {
            join.abort();
            tracing::warn!("scripts still running after {within:?}: killed");
        }
    }
}

/// Words of a command line: blanks separate, '…' and "…" group, \ escapes in "…" and outside.
pub fn split(line: &str) -> Option<Vec<String>> {
    let mut words = Vec::new();
    let mut cur = String::new();
    let mut in_word = false;
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            ' ' | '\t' => {
                if in_word {
                    words.push(std::mem::take(&mut cur));
                    in_word = false;
                }
            }
            '\'' => {
                in_word = true;
                loop {
                    match chars.next()? {
                        '\'' => break,
                        c => cur.push(c),
                    }
                }
            }
            '"' => {
                in_word = true;
                loop {
                    match chars.next()? {
                        '"' => break,
                        '\\' => cur.push(chars.next()?),
                        c => cur.push(c),
                    }
                }
            }
            '\\' => {
                in_word = true;
                cur.push(chars.next()?);
            }
            c => {
                in_word = true;
                cur.push(c);
            }
        }
    }
    if in_word {
        words.push(cur);
    }
    Some(words)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn argv(s: &str) -> Vec<String> {
        split(s).unwrap_or_default()
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

    #[test]
    fn splits_like_a_shell_without_running_one() {
        let w = |s: &[&str]| Some(s.iter().map(|s| s.to_string()).collect::<Vec<_>>());
        assert_eq!(
            split("/bin/check  -a 'b c' \"d \\\"e\\\"\" f\\ g"),
            w(&["/bin/check", "-a", "b c", "d \"e\"", "f g"])
        );
        assert_eq!(split("a '' b"), w(&["a", "", "b"]));
        assert_eq!(split("a 'open"), None);
        assert_eq!(split("   "), w(&[]));
    }
}
