//! The words ipvsadm prints for model values, shared by the listing and `-S`.

use crate::ipvs::{svc_flags, tun_flags, DestConfig, Forward, Protocol, ServiceConfig, TunnelType};

/// `TCP`, `UDP`, `SCTP`: the protocol column of a listing.
pub fn protocol_name(p: Protocol) -> &'static str {
    match p {
        Protocol::Tcp => "TCP",
        Protocol::Udp => "UDP",
        Protocol::Sctp => "SCTP",
    }
}

/// `-t`, `-u`, `--sctp-service`: the service option of a `-S` line.
pub fn protocol_option(p: Protocol) -> &'static str {
    match p {
        Protocol::Tcp => "-t",
        Protocol::Udp => "-u",
        Protocol::Sctp => "--sctp-service",
    }
}

/// The Forward column.
pub fn forward_name(f: Forward) -> &'static str {
    match f {
        Forward::Masq => "Masq",
        Forward::Local => "Local",
        Forward::Tunnel => "Tunnel",
        Forward::Route => "Route",
    }
}

/// The forwarding switch of a `-S` line; a local server is saved as `-g`, like ipvsadm.
pub fn forward_switch(f: Forward) -> &'static str {
    match f {
        Forward::Masq => "-m",
        Forward::Tunnel => "-i",
        Forward::Local | Forward::Route => "-g",
    }
}

pub fn tunnel_name(t: TunnelType) -> &'static str {
    match t {
        TunnelType::Ipip => "ipip",
        TunnelType::Gue => "gue",
        TunnelType::Gre => "gre",
    }
}

/// `-c`, `+c`, `r+c`: checksum mode in `--tun-info`; `None` for flag values ipvsadm has no
/// word for (it would index past its table).
pub fn tunnel_flags_short(flags: u16) -> Option<&'static str> {
    match flags {
        tun_flags::NOCSUM => Some("-c"),
        tun_flags::CSUM => Some("+c"),
        tun_flags::REMCSUM => Some("r+c"),
        _ => None,
    }
}

/// `--tun-nocsum`, `--tun-csum`, `--tun-remcsum`: checksum mode in `-S`.
pub fn tunnel_flags_option(flags: u16) -> Option<&'static str> {
    match flags {
        tun_flags::NOCSUM => Some("--tun-nocsum"),
        tun_flags::CSUM => Some("--tun-csum"),
        tun_flags::REMCSUM => Some("--tun-remcsum"),
        _ => None,
    }
}

/// The `--tun-info` cell: `ipip`, `gue:PORT:FLAGS`, `gre:FLAGS`, or `None` (printed `n/a`)
/// for servers that are not tunnelled.
pub fn tunnel_info(d: &DestConfig) -> Option<String> {
    if d.forward != Forward::Tunnel {
        return None;
    }
    match d.tun_type {
        TunnelType::Ipip => Some("ipip".to_string()),
        TunnelType::Gue => Some(format!(
            "gue:{}:{}",
            d.tun_port,
            tunnel_flags_short(d.tun_flags)?
        )),
        TunnelType::Gre => Some(format!("gre:{}", tunnel_flags_short(d.tun_flags)?)),
    }
}

/// Scheduler flags as ipvsadm names them (named after the scheduler for sh and mh), comma
/// separated; `None` when no scheduler flag is set. May be empty (sh with only flag 3), as
/// in ipvsadm, which then prints `()` or a bare `-b`.
pub fn sched_flags_text(cfg: &ServiceConfig) -> Option<String> {
    let any = svc_flags::SCHED1 | svc_flags::SCHED2 | svc_flags::SCHED3;
    if cfg.flags & any == 0 {
        return None;
    }
    let names: [(u32, &str); 3] = match cfg.scheduler.as_str() {
        "sh" => [
            (svc_flags::SCHED1, "sh-fallback"),
            (svc_flags::SCHED2, "sh-port"),
            (0, ""),
        ],
        "mh" => [
            (svc_flags::SCHED1, "mh-fallback"),
            (svc_flags::SCHED2, "mh-port"),
            (0, ""),
        ],
        _ => [
            (svc_flags::SCHED1, "flag-1"),
            (svc_flags::SCHED2, "flag-2"),
            (svc_flags::SCHED3, "flag-3"),
        ],
    };
    let set: Vec<&str> = names
        .iter()
        .filter(|(bit, _)| *bit != 0 && cfg.flags & bit != 0)
        .map(|(_, name)| *name)
        .collect();
    Some(set.join(","))
}

/// Cuts a cell to `max` bytes as ipvsadm's fixed buffers do (on a character boundary).
pub fn cut(mut s: String, max: usize) -> String {
    if s.len() > max {
        let mut end = max;
        while !s.is_char_boundary(end) {
            end -= 1;
        }
        s.truncate(end);
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ipvs::ServiceKey;

    #[test]
    fn sched_flags_are_named_after_the_scheduler() {
        let mut cfg = ServiceConfig::new(ServiceKey::Fwmark {
            mark: 1,
            family: crate::ipvs::Family::Inet,
        });
        assert_eq!(sched_flags_text(&cfg), None);
        cfg.flags = svc_flags::SCHED1 | svc_flags::SCHED3 | svc_flags::PERSISTENT;
        assert_eq!(sched_flags_text(&cfg).as_deref(), Some("flag-1,flag-3"));
        cfg.scheduler = "sh".into();
        assert_eq!(sched_flags_text(&cfg).as_deref(), Some("sh-fallback"));
        cfg.flags = svc_flags::SCHED3;
        assert_eq!(sched_flags_text(&cfg).as_deref(), Some(""));
    }

    #[test]
    fn cut_keeps_short_strings() {
        assert_eq!(cut("abcdef".into(), 4), "abcd");
        assert_eq!(cut("ab".into(), 4), "ab");
    }
}
