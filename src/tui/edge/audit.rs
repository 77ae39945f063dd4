//! The audit log: every change the console applied, as `# <RFC3339 time> <user>` and the
//! ipvsadm lines, so `lvsdeck adm -R < audit.log` replays it (`#` lines are skipped).
//! `entry` is pure; `append` is the runner's I/O.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use crate::ipvs::Op;

/// `$XDG_STATE_HOME/lvsdeck/audit.log`, else `~/.local/state/lvsdeck/audit.log`.
pub fn default_path() -> Option<PathBuf> {
    let base = match std::env::var_os("XDG_STATE_HOME").filter(|v| !v.is_empty()) {
        Some(dir) => PathBuf::from(dir),
        None => {
            PathBuf::from(std::env::var_os("HOME").filter(|v| !v.is_empty())?).join(".local/state")
        }
    };
    Some(base.join("lvsdeck/audit.log"))
}

/// Who made the change: the sudo caller if any, else the login name, else the uid.
pub fn user() -> String {
    ["SUDO_USER", "LOGNAME", "USER"]
        .iter()
        .find_map(|v| std::env::var(v).ok().filter(|s| !s.is_empty()))
        .unwrap_or_else(|| format!("uid{}", crate::linux::sys::uid()))
}

/// One change: the comment line, then one ipvsadm line per op (no program name).
pub fn entry(time: SystemTime, user: &str, ops: &[Op]) -> String {
    let mut out = format!("# {} {user}\n", rfc3339(time));
    for op in ops {
        out.push_str(&crate::tui::edit::line(op));
        out.push('\n');
    }
    out
}

/// Appends `text`, creating the file and its folder (0700) if needed.
pub fn append(path: &Path, text: &str) -> std::io::Result<()> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    let mut f = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)?;
    f.write_all(text.as_bytes())
}

/// `2024-05-01T12:34:56Z` (UTC, whole seconds).
pub fn rfc3339(time: SystemTime) -> String {
    let secs = time
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64);
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// Days since 1970-01-01 to (year, month, day), Howard Hinnant's algorithm.
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

#[cfg(test)]
mod tests {
    use std::net::IpAddr;
    use std::time::Duration;

    use super::*;
    use crate::ipvs::{DestConfig, Forward, Protocol, ServiceKey};
    use crate::rules::{parse_line, Command};

    #[test]
    fn times_are_rfc3339_utc() {
        let t = |s| rfc3339(UNIX_EPOCH + Duration::from_secs(s));
        assert_eq!(t(0), "1970-01-01T00:00:00Z");
        assert_eq!(t(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(t(1_714_566_896), "2024-05-01T12:34:56Z");
    }

    #[test]
    fn entries_replay_to_the_same_ops() {
        let key = ServiceKey::Addr {
            protocol: Protocol::Tcp,
            addr: IpAddr::from([198, 51, 100, 10]),
            port: 80,
        };
        let mut d = DestConfig::new(IpAddr::from([192, 0, 2, 5]), 80);
        d.forward = Forward::Masq;
        d.weight = 2;
        d.u_threshold = 100;
        let ops = vec![
            Op::AddDest(key, d.clone()),
            Op::DelDest {
                service: key,
                addr: d.addr,
                port: 80,
            },
        ];
        let time = UNIX_EPOCH + Duration::from_secs(1_714_566_896);
        let text = entry(time, "alice", &ops);
        assert_eq!(
            text,
            "# 2024-05-01T12:34:56Z alice\n\
             -a -t 198.51.100.10:80 -r 192.0.2.5:80 -m -w 2 -x 100 -y 0\n\
             -d -t 198.51.100.10:80 -r 192.0.2.5:80\n"
        );
        let back: Vec<Op> = text
            .lines()
            .filter_map(|l| {
                parse_line(l, &crate::rules::NoResolver).unwrap_or_else(|e| panic!("{l}: {e}"))
            })
            .map(|c| match c {
                Command::Change(op) => op,
                other => panic!("{other:?}"),
            })
            .collect();
        assert_eq!(back, ops);
    }
}
