//! The audit log's file, shared by every writer (the console, and `lvsdeck serve` for
//! the changes a peer's console asks of this director): `# <RFC3339 time> <who>` comment
//! lines then replayable ipvsadm lines, so `lvsdeck adm -R < audit.log` replays it (`#`
//! lines are skipped). Where it is, who is writing, appending, and the time stamp.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::UNIX_EPOCH;

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
pub fn rfc3339(time: std::time::SystemTime) -> String {
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

/// One entry of changes made on someone's behalf: the comment line naming who and from
/// where, then the ipvsadm lines as they are.
pub fn entry_lines(time: std::time::SystemTime, who: &str, lines: &[String]) -> String {
    let mut out = format!("# {} {who}\n", rfc3339(time));
    for l in lines {
        out.push_str(l.trim());
        out.push('\n');
    }
    out
}
