//! keepalived's script security (`check_script_secure` in lib/notify.c): a script that runs
//! as root (or is set-uid/gid root) must not be replaceable by anyone else, so neither the
//! file nor any directory on its path (as written and as resolved) may be owned by another
//! user, or writable by a non-root group or by everyone (a directory with the sticky bit, like
//! /tmp, is fine). With `enable_script_security` such a script is refused; without, it is a
//! warning. Checked once, when the configuration is loaded.

use std::ffi::OsStr;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};

use super::notify::Line;
use crate::linux::script;

const S_ISVTX: u32 = 0o1000;
const S_ISUID: u32 = 0o4000;
const S_ISGID: u32 = 0o2000;

/// Why a script is not safe to run as root.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Insecure {
    #[error("script '{0}' not found")]
    NotFound(String),
    #[error("unknown user '{0}'")]
    UnknownUser(String),
    #[error("'{path}' is {why}, so the script could be replaced by a non-root user")]
    Unsafe { path: String, why: &'static str },
    #[error("'{0}' is not a directory or a regular file")]
    WrongType(String),
    #[error(
        "no user to run it as: set script_user (or create the user keepalived_script); \
         with enable_script_security keepalived does not fall back to root"
    )]
    NoUser,
}

/// keepalived's default script user: `script_user`, else `keepalived_script` when that user
/// exists, else the engine's own user, which `enable_script_security` does not allow.
/// `None`: the engine's own user.
pub fn default_user(
    script_user: Option<&String>,
    enforce: bool,
) -> Result<Option<String>, Insecure> {
    const KEEPALIVED_SCRIPT: &str = "keepalived_script";
    if let Some(u) = script_user {
        return Ok(Some(u.clone()));
    }
    if script::resolve(KEEPALIVED_SCRIPT).is_some() {
        return Ok(Some(KEEPALIVED_SCRIPT.to_string()));
    }
    if enforce {
        return Err(Insecure::NoUser);
    }
    Ok(None)
}

/// The verdict for one script line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Runs as a non-root user (nothing to protect) or is safe.
    Secure,
    /// Insecure, and `enable_script_security` is off: run it, but say so.
    Warn(Insecure),
}

/// Checks `line` as keepalived does; `enforce` is `enable_script_security`. `Err`: refuse.
pub fn check(line: &Line, enforce: bool) -> Result<Verdict, Insecure> {
    let Some(prog) = line.argv.first() else {
        return Ok(Verdict::Secure);
    };
    let uid_gid = match &line.user {
        Some(u) => {
            let r = script::resolve(u).ok_or_else(|| Insecure::UnknownUser(u.clone()))?;
            (r.uid, r.gid)
        }
        None => (crate::linux::sys::euid(), crate::linux::sys::egid()),
    };
    let found = match find(prog) {
        Some(p) => p,
        None if enforce => return Err(Insecure::NotFound(prog.clone())),
        None => return Ok(Verdict::Warn(Insecure::NotFound(prog.clone()))),
    };
    let real = std::fs::canonicalize(&found).unwrap_or_else(|_| found.clone());
    let meta = std::fs::metadata(&real).map_err(|_| Insecure::NotFound(prog.clone()))?;
    let mode = meta.permissions().mode();
    let as_root = uid_gid.0 == 0 || uid_gid.1 == 0;
    let setid_root = (meta.uid() == 0 && mode & 0o100 != 0 && mode & S_ISUID != 0)
        || (meta.gid() == 0 && mode & 0o010 != 0 && mode & S_ISGID != 0);
    if !as_root && !setid_root {
        return Ok(Verdict::Secure);
    }
    // keepalived checks the path with its directories resolved (the file name kept, as some
    // programs care what they are called), then the fully resolved file.
    let named = match (found.parent(), found.file_name()) {
        (Some(dir), Some(file)) => std::fs::canonicalize(if dir.as_os_str().is_empty() {
            Path::new(".")
        } else {
            dir
        })
        .map(|d| d.join(file))
        .unwrap_or_else(|_| found.clone()),
        _ => found.clone(),
    };
    let mut result = path_secure(&named);
    if result.is_ok() && real != named {
        result = path_secure(&real);
    }
    match result {
        Ok(()) => Ok(Verdict::Secure),
        Err(e) if enforce => Err(e),
        Err(e) => Ok(Verdict::Warn(e)),
    }
}

/// Whether `line` runs as root (its user, or the engine's own when it names none).
pub fn runs_as_root(line: &Line) -> bool {
    match &line.user {
        Some(u) => script::resolve(u).is_some_and(|r| r.uid == 0 || r.gid == 0),
        None => crate::linux::sys::euid() == 0,
    }
}

/// keepalived's warning when scripts run as root without `enable_script_security`.
pub fn violation(lines: &[&Line], enforce: bool) -> Option<String> {
    (!enforce && lines.iter().any(|l| runs_as_root(l))).then(|| {
        "SECURITY VIOLATION - scripts are being executed as root but enable_script_security is \
         not set (set script_user, or enable_script_security in global_defs)"
            .to_string()
    })
}

/// A bare name is looked up in PATH, as execvp would.
fn find(prog: &str) -> Option<PathBuf> {
    if prog.contains('/') {
        let p = PathBuf::from(prog);
        return p.exists().then_some(p);
    }
    let path = std::env::var_os("PATH").unwrap_or_else(|| "/usr/bin:/bin".into());
    std::env::split_paths(&path)
        .map(|d| d.join(prog))
        .find(|p| p.is_file())
}

/// Every prefix of `path` from `/`, without following the last symlink of each (lstat).
fn path_secure(path: &Path) -> Result<(), Insecure> {
    let abs = if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir()
            .map(|d| d.join(path))
            .unwrap_or_else(|_| path.to_path_buf())
    };
    let mut prefix = PathBuf::new();
    let parts: Vec<&OsStr> = abs.iter().collect();
    for (k, part) in parts.iter().enumerate() {
        prefix.push(part);
        let last = k + 1 == parts.len();
        let shown = prefix.display().to_string();
        let m =
            std::fs::symlink_metadata(&prefix).map_err(|_| Insecure::NotFound(shown.clone()))?;
        let ft = m.file_type();
        if !last && !ft.is_dir() {
            return Err(Insecure::WrongType(shown));
        }
        if last && !(ft.is_file() || ft.is_symlink()) {
            return Err(Insecure::WrongType(shown));
        }
        let mode = m.permissions().mode();
        let checks_write = (ft.is_dir() && mode & S_ISVTX == 0) || ft.is_file();
        let why = if m.uid() != 0 {
            Some("owned by a non-root user")
        } else if checks_write && m.gid() != 0 && mode & 0o020 != 0 {
            Some("writable by a non-root group")
        } else if checks_write && mode & 0o002 != 0 {
            Some("writable by everyone")
        } else {
            None
        };
        if let Some(why) = why {
            return Err(Insecure::Unsafe { path: shown, why });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    /// A scratch directory under /tmp (sticky, so it passes itself), removed on drop.
    struct Scratch(PathBuf);

    impl Scratch {
        fn new(tag: &str) -> Scratch {
            let p = std::env::temp_dir().join(format!("lvsdeck-sec-{tag}-{}", std::process::id()));
            let _ = fs::remove_dir_all(&p);
            fs::create_dir(&p).expect("scratch dir");
            fs::set_permissions(&p, fs::Permissions::from_mode(0o755)).expect("chmod");
            Scratch(p)
        }

        fn script(&self, name: &str, mode: u32) -> String {
            let p = self.0.join(name);
            fs::write(&p, "#!/bin/sh\nexit 0\n").expect("write");
            fs::set_permissions(&p, fs::Permissions::from_mode(mode)).expect("chmod");
            p.display().to_string()
        }
    }

    impl Drop for Scratch {
        fn drop(&mut self) {
            let _ = fs::remove_dir_all(&self.0);
        }
    }

    fn line(prog: &str, user: Option<&str>) -> Line {
        Line {
            argv: vec![prog.to_string(), "arg".to_string()],
            user: user.map(str::to_string),
        }
    }

    fn root() -> bool {
        crate::linux::sys::euid() == 0
    }

    #[test]
    fn root_owned_scripts_in_safe_directories_pass() {
        if !root() {
            eprintln!("skipped: needs root to own files as root");
            return;
        }
        let s = Scratch::new("ok");
        let p = s.script("ok.sh", 0o755);
        assert_eq!(check(&line(&p, None), true), Ok(Verdict::Secure));
        assert_eq!(check(&line("true", None), true), Ok(Verdict::Secure));
    }

    #[test]
    fn world_or_group_writable_scripts_and_directories_are_refused() {
        if !root() {
            eprintln!("skipped: needs root to own files as root");
            return;
        }
        let s = Scratch::new("bad");
        let p = s.script("w.sh", 0o757);
        let e = check(&line(&p, None), true).expect_err("world-writable file");
        assert_eq!(
            e,
            Insecure::Unsafe {
                path: p.clone(),
                why: "writable by everyone"
            }
        );
        // Without enable_script_security: a warning, the script still runs.
        assert!(matches!(
            check(&line(&p, None), false),
            Ok(Verdict::Warn(_))
        ));
        // As a non-root user there is nothing to protect.
        assert_eq!(check(&line(&p, Some("nobody")), true), Ok(Verdict::Secure));

        // A world-writable directory without the sticky bit.
        let g = s.script("g.sh", 0o755);
        fs::set_permissions(&s.0, fs::Permissions::from_mode(0o777)).expect("chmod");
        let e = check(&line(&g, None), true).expect_err("writable dir");
        assert!(
            matches!(&e, Insecure::Unsafe { path, .. } if *path == s.0.display().to_string()),
            "{e}"
        );
        // The sticky bit (as on /tmp) makes the directory acceptable.
        fs::set_permissions(&s.0, fs::Permissions::from_mode(0o1777)).expect("chmod");
        assert_eq!(check(&line(&g, None), true), Ok(Verdict::Secure));

        // Group-writable with a non-root group.
        fs::set_permissions(&s.0, fs::Permissions::from_mode(0o755)).expect("chmod");
        let gw = s.script("gw.sh", 0o775);
        std::os::unix::fs::chown(&gw, None, Some(65534)).expect("chgrp nogroup");
        let e = check(&line(&gw, None), true).expect_err("group-writable");
        assert!(
            e.to_string().contains("writable by a non-root group"),
            "{e}"
        );
    }

    #[test]
    fn a_script_owned_by_another_user_or_reached_through_an_unsafe_link_is_refused() {
        if !root() {
            eprintln!("skipped: needs root to chown");
            return;
        }
        let s = Scratch::new("own");
        let p = s.script("o.sh", 0o755);
        std::os::unix::fs::chown(&p, Some(65534), None).expect("chown nobody");
        let e = check(&line(&p, None), true).expect_err("owned by nobody");
        assert!(e.to_string().contains("owned by a non-root user"), "{e}");

        // A safe-looking symlink to a script in an unsafe directory: the resolved path counts.
        let bad = Scratch::new("own-target");
        let t = bad.script("t.sh", 0o755);
        fs::set_permissions(&bad.0, fs::Permissions::from_mode(0o777)).expect("chmod");
        let link = s.0.join("link.sh");
        std::os::unix::fs::symlink(&t, &link).expect("symlink");
        let e = check(&line(&link.display().to_string(), None), true).expect_err("via link");
        assert!(
            matches!(&e, Insecure::Unsafe { path, .. } if *path == bad.0.display().to_string()),
            "{e}"
        );
    }

    #[test]
    fn spec_building_refuses_an_insecure_script_with_its_file_and_line() {
        if !root() {
            eprintln!("skipped: needs root");
            return;
        }
        let s = Scratch::new("spec");
        let p = s.script("chk.sh", 0o777);
        let n = s.script("notify.sh", 0o755);
        let conf = |sec: &str, notify: &str| {
            format!(
                "global_defs {{\n{sec}}}\nvrrp_script chk {{\n script \"{p} x\"\n}}\n\
                 vrrp_instance VI {{\n interface e\n virtual_router_id 1\n\
                 virtual_ipaddress {{\n 192.0.2.1\n }}\n track_script {{\n chk\n }}\n\
                 notify_master \"{notify}\"\n}}\n"
            )
        };
        let build = |text: String| {
            let l = crate::config::parse_str(&text, Path::new("k.conf"));
            assert!(l.is_ok(), "{:?}", l.diagnostics.items);
            let i = &l.config.instances[0];
            crate::engine::vrrp::Spec::from_config(i, &l.config.global, &l.config.scripts)
                .map_err(|e| e.to_string())
        };
        let enforced = " enable_script_security\n script_user root\n";
        let e = build(conf(enforced, &n)).expect_err("refused");
        assert!(
            e.starts_with("k.conf:5: vrrp_script chk: ") && e.contains("writable by everyone"),
            "{e}"
        );
        // Without enable_script_security the same file loads (with a warning).
        assert!(build(conf("", &n)).is_ok());
        // A notify script is checked the same way, named by its own line.
        fs::set_permissions(&p, fs::Permissions::from_mode(0o755)).expect("chmod");
        fs::set_permissions(&n, fs::Permissions::from_mode(0o666)).expect("chmod");
        let e = build(conf(enforced, &n)).expect_err("notify refused");
        assert!(e.starts_with("k.conf:17: vrrp_instance VI: "), "{e}");
        // Secure files, but no script_user and no keepalived_script user: not as root.
        fs::set_permissions(&n, fs::Permissions::from_mode(0o755)).expect("chmod");
        assert!(build(conf(enforced, &n)).is_ok());
        if script::resolve("keepalived_script").is_none() {
            let e = build(conf(" enable_script_security\n", &n)).expect_err("no user");
            assert!(
                e.starts_with("k.conf:16: vrrp_instance VI: ") && e.contains("script_user"),
                "{e}"
            );
        }
    }

    #[test]
    fn missing_scripts_are_refused_only_when_enforcing() {
        let l = line("/nonexistent/lvsdeck-no-such-script", None);
        assert!(matches!(check(&l, true), Err(Insecure::NotFound(_))));
        assert!(matches!(check(&l, false), Ok(Verdict::Warn(_))));
    }
}
