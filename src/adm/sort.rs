//! ipvsadm's listing order, computed correctly.
//!
//! ipvsadm sorts services by fwmark, family, protocol, address, port and real servers by
//! address, port, but its comparators subtract unsigned values into an `int`, which overflows:
//! 200.0.0.1 sorts before 10.0.0.1 and fwmark 3000000000 before every other service. This
//! order is the numeric one ipvsadm means; it differs from ipvsadm's only when two addresses
//! (or marks) are more than 2^31 apart. Real servers of mixed families (tunnels) sort IPv4
//! first; ipvsadm compares their raw address words there.

use std::cmp::Ordering;
use std::net::IpAddr;

use crate::ipvs::{Dest, Family, ServiceEntry, ServiceKey};

/// The address as one number, IPv4 and IPv6 in their own ranges (callers compare family first).
fn addr_value(addr: &IpAddr) -> u128 {
    match addr {
        IpAddr::V4(a) => u128::from(u32::from(*a)),
        IpAddr::V6(a) => u128::from(*a),
    }
}

/// (fwmark, family, protocol, address, port): fwmark 0 for address services, as in ipvsadm,
/// so address services come first; fwmark services carry no protocol.
fn service_sort_key(key: &ServiceKey) -> (u32, Family, u16, u128, u16) {
    match key {
        ServiceKey::Addr {
            protocol,
            addr,
            port,
        } => (
            0,
            Family::of(addr),
            protocol.number(),
            addr_value(addr),
            *port,
        ),
        ServiceKey::Fwmark { mark, family } => (*mark, *family, 0, 0, 0),
    }
}

/// Service order of `ipvsadm -L`/`-S` without `--nosort`.
pub fn cmp_services(a: &ServiceKey, b: &ServiceKey) -> Ordering {
    service_sort_key(a).cmp(&service_sort_key(b))
}

/// Real-server order within a service.
pub fn cmp_dests(a: &Dest, b: &Dest) -> Ordering {
    let key = |d: &Dest| {
        (
            Family::of(&d.config.addr),
            addr_value(&d.config.addr),
            d.config.port,
        )
    };
    key(a).cmp(&key(b))
}

/// Sorts services and, within each, real servers, as a listing shows them.
pub fn sort_table(entries: &mut [ServiceEntry]) {
    entries.sort_by(|a, b| cmp_services(&a.service.config.key, &b.service.config.key));
    for entry in entries.iter_mut() {
        entry.dests.sort_by(cmp_dests);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ipvs::{DestConfig, Protocol, Stats};

    fn tcp(addr: &str, port: u16) -> ServiceKey {
        ServiceKey::Addr {
            protocol: Protocol::Tcp,
            addr: addr.parse().unwrap(),
            port,
        }
    }

    fn dest(addr: &str, port: u16) -> Dest {
        Dest {
            config: DestConfig::new(addr.parse().unwrap(), port),
            active_conns: 0,
            inact_conns: 0,
            persist_conns: 0,
            stats: Stats::default(),
        }
    }

    #[test]
    fn addresses_far_apart_sort_numerically_unlike_ipvsadm() {
        assert_eq!(
            cmp_services(&tcp("10.0.0.1", 80), &tcp("200.0.0.1", 80)),
            Ordering::Less
        );
        assert_eq!(
            cmp_dests(&dest("200.0.0.2", 80), &dest("10.0.0.2", 80)),
            Ordering::Greater
        );
        let big = ServiceKey::Fwmark {
            mark: 3_000_000_000,
            family: Family::Inet,
        };
        let small = ServiceKey::Fwmark {
            mark: 1,
            family: Family::Inet,
        };
        assert_eq!(cmp_services(&small, &big), Ordering::Less);
        assert_eq!(cmp_services(&tcp("10.0.0.1", 80), &small), Ordering::Less);
    }

    #[test]
    fn family_then_protocol_then_address_then_port() {
        let udp4 = ServiceKey::Addr {
            protocol: Protocol::Udp,
            addr: "1.1.1.1".parse().unwrap(),
            port: 1,
        };
        assert_eq!(cmp_services(&tcp("9.9.9.9", 9), &udp4), Ordering::Less);
        assert_eq!(cmp_services(&udp4, &tcp("2001:db8::1", 1)), Ordering::Less);
        assert_eq!(
            cmp_services(&tcp("1.1.1.1", 80), &tcp("1.1.1.1", 443)),
            Ordering::Less
        );
        assert_eq!(
            cmp_dests(&dest("2001:db8::2", 80), &dest("2001:db8::11", 80)),
            Ordering::Less
        );
        assert_eq!(
            cmp_dests(&dest("198.51.100.18", 80), &dest("2001:db8::2", 80)),
            Ordering::Less
        );
    }
}
