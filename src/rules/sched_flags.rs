//! `-b` scheduler flags: names depend on the scheduler (`sh-*` for sh, `mh-*` for mh,
//! `flag-N` for any), as ipvsadm reads and prints them.

use super::error::RuleError;
use crate::ipvs::svc_flags::{SCHED1, SCHED2, SCHED3};

/// All three scheduler flag bits.
pub const SCHED_MASK: u32 = SCHED1 | SCHED2 | SCHED3;

/// Reads a `-b` value for `scheduler`. Empty items are skipped like `strtok` does; a
/// value with no item at all is refused (ipvsadm 1.31 crashes on it).
pub fn parse_sched_flags(scheduler: &str, value: &str) -> Result<u32, RuleError> {
    let mut flags = 0;
    let mut any = false;
    for flag in value.split(',').filter(|f| !f.is_empty()) {
        any = true;
        let (bit, needs) = match flag {
            "flag-1" => (SCHED1, None),
            "flag-2" => (SCHED2, None),
            "flag-3" => (SCHED3, None),
            "sh-fallback" => (SCHED1, Some("sh")),
            "sh-port" => (SCHED2, Some("sh")),
            "mh-fallback" => (SCHED1, Some("mh")),
            "mh-port" => (SCHED2, Some("mh")),
            _ => {
                return Err(RuleError::SchedFlag {
                    flag: flag.to_string(),
                })
            }
        };
        if needs.is_some_and(|s| s != scheduler) {
            return Err(RuleError::SchedFlagScheduler {
                flag: flag.to_string(),
                scheduler: scheduler.to_string(),
            });
        }
        flags |= bit;
    }
    if !any {
        return Err(RuleError::SchedFlag {
            flag: value.to_string(),
        });
    }
    Ok(flags)
}

/// The comma list ipvsadm prints for `flags` (may be empty: SCHED3 has no sh/mh name).
pub fn format_sched_flags(scheduler: &str, flags: u32) -> String {
    let names: &[(u32, &str)] = match scheduler {
        "sh" => &[(SCHED1, "sh-fallback"), (SCHED2, "sh-port")],
        "mh" => &[(SCHED1, "mh-fallback"), (SCHED2, "mh-port")],
        _ => &[(SCHED1, "flag-1"), (SCHED2, "flag-2"), (SCHED3, "flag-3")],
    };
    names
        .iter()
        .filter(|(bit, _)| flags & bit != 0)
        .map(|(_, name)| *name)
        .collect::<Vec<_>>()
        .join(",")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_follow_the_scheduler() {
        assert_eq!(
            parse_sched_flags("sh", "sh-fallback,sh-port"),
            Ok(SCHED1 | SCHED2)
        );
        assert_eq!(
            parse_sched_flags("rr", "flag-3,,flag-1"),
            Ok(SCHED1 | SCHED3)
        );
        assert_eq!(
            parse_sched_flags("rr", "sh-port").map_err(|e| e.to_string()),
            Err("incompatible scheduler flag `sh-port'".to_string())
        );
        assert_eq!(
            parse_sched_flags("sh", "sh-port,foo").map_err(|e| e.to_string()),
            Err("invalid scheduler flag `foo'".to_string())
        );
        assert!(parse_sched_flags("sh", ",").is_err());
        assert_eq!(
            format_sched_flags("mh", SCHED2 | SCHED1),
            "mh-fallback,mh-port"
        );
        assert_eq!(format_sched_flags("sh", SCHED3), "");
        assert_eq!(format_sched_flags("wlc", SCHED2 | SCHED3), "flag-2,flag-3");
    }
}
