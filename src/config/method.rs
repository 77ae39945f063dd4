//! `lb_kind` / `lvs_method`: NAT | DR | TUN [type ipip|gue port N|gre] [nocsum|csum|remcsum].

use crate::ipvs::{tun_flags, Forward, TunnelType};

use super::diag::Diagnostics;
use super::tree::Item;
use super::value as v;

/// How packets reach real servers; NAT is keepalived's default.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Method {
    pub forward: Forward,
    pub tun_type: TunnelType,
    pub tun_port: u16,
    pub tun_flags: u16,
}

impl Default for Method {
    fn default() -> Self {
        Method {
            forward: Forward::Masq,
            tun_type: TunnelType::Ipip,
            tun_port: 0,
            tun_flags: tun_flags::NOCSUM,
        }
    }
}

pub fn parse(c: &Item, d: &mut Diagnostics) -> Option<Method> {
    let kind = v::need(c, 0, d)?;
    let forward = match kind {
        "NAT" => Forward::Masq,
        "DR" => Forward::Route,
        "TUN" => Forward::Tunnel,
        _ => {
            d.error(
                &c.at,
                format!("'{}' must be NAT, DR or TUN, not '{kind}'", c.keyword),
            );
            return None;
        }
    };
    let mut m = Method {
        forward,
        ..Method::default()
    };
    let mut rest = c.args[1..].iter().map(String::as_str);
    if m.forward != Forward::Tunnel {
        v::extra(c, 1, d);
        return Some(m);
    }
    while let Some(word) = rest.next() {
        match word {
            "type" => match rest.next() {
                Some("ipip") => m.tun_type = TunnelType::Ipip,
                Some("gre") => m.tun_type = TunnelType::Gre,
                Some("gue") => {
                    m.tun_type = TunnelType::Gue;
                    let port = match (rest.next(), rest.next()) {
                        (Some("port"), Some(p)) => {
                            v::parse_u64(p).filter(|p| (1..=65535).contains(p))
                        }
                        _ => None,
                    };
                    match port {
                        Some(p) => m.tun_port = p as u16,
                        None => {
                            d.error(&c.at, "tunnel type gue needs 'port N' (1..65535)");
                            return None;
                        }
                    }
                }
                other => {
                    d.error(
                        &c.at,
                        format!(
                            "tunnel type must be ipip, gue or gre, not '{}'",
                            other.unwrap_or("")
                        ),
                    );
                    return None;
                }
            },
            "nocsum" => m.tun_flags = tun_flags::NOCSUM,
            "csum" => m.tun_flags = tun_flags::CSUM,
            "remcsum" => m.tun_flags = tun_flags::REMCSUM,
            other => {
                d.error(&c.at, format!("unknown tunnel option '{other}'"));
                return None;
            }
        }
    }
    Some(m)
}
