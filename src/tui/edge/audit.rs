//! The audit log: every change the console applied, as `# <RFC3339 time> <user>` and the
//! ipvsadm lines, so `lvsdeck adm -R < audit.log` replays it (`#` lines are skipped).
//! `entry` is pure; the file's path, `append` and the time stamp are `engine::audit`'s,
//! shared with `lvsdeck serve`.

use std::time::SystemTime;

pub use crate::engine::audit::{append, default_path, rfc3339, user};

use crate::ipvs::Op;

/// One change: the comment line, then one ipvsadm line per op (no program name).
pub fn entry(time: SystemTime, user: &str, ops: &[Op]) -> String {
    let mut out = format!("# {} {user}\n", rfc3339(time));
    for op in ops {
        out.push_str(&crate::tui::edit::line(op));
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use std::net::IpAddr;
    use std::time::Duration;

    use super::*;
    use crate::ipvs::{DestConfig, Forward, Protocol, ServiceKey};
    use crate::rules::{parse_line, Command};
    use std::time::UNIX_EPOCH;

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
