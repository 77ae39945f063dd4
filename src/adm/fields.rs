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

/// The Forward column.
pub fn forward_name(f: Forward) -> &'static str {
    match f {
        Forward::Masq => "Masq",
        Forward::Local => "Local",
        Forward::Tunnel => "Tunnel",
        Forward::Route => "Route",
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

/// Scheduler flags as ipvsadm names them (the rule language's names), or `None` when no
/// scheduler flag is set. May be empty (sh with only flag 3), as in ipvsadm, which then prints
/// `()` or a bare `-b`.
pub fn sched_flags_text(cfg: &ServiceConfig) -> Option<String> {
    let any = svc_flags::SCHED1 | svc_flags::SCHED2 | svc_flags::SCHED3;
    (cfg.flags & any != 0).then(|| crate::rules::format_sched_flags(&cfg.scheduler, cfg.flags))
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
}
