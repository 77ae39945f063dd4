//! What a receiver must check before an advert may touch the state machine (RFC 3768 §7.1,
//! RFC 5798 §7.1, keepalived's `vrrp_check_packet`). Each rejection has its own counter.
//!
//! Deviations from keepalived, on purpose: an address owner drops adverts (RFC; keepalived only
//! with `owner_ignore_adverts`); the length must be exact (raw IPv4 sockets already trim the
//! Ethernet padding keepalived tolerates).

use std::net::IpAddr;

use thiserror::Error;

use super::advert::{
    checksum_dialect, Addrs, Advert, Auth, DecodeError, Dialect, Family, Path, Version, TTL,
};

/// A VRRP packet as the socket layer hands it over.
#[derive(Debug, Clone, Copy)]
pub struct Received<'a> {
    pub src: IpAddr,
    pub dst: IpAddr,
    /// IPv4 TTL or IPv6 hop limit.
    pub ttl: u8,
    /// The VRRP message (after the IP header).
    pub payload: &'a [u8],
}

/// What to do with an advert whose address list differs from ours.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum AddressCheck {
    Ignore,
    /// Count it and accept the advert (keepalived).
    #[default]
    Count,
    /// Count it and drop the advert.
    Reject,
}

/// The instance settings the checks need.
#[derive(Debug, Clone)]
pub struct Policy<'a> {
    pub vrid: u8,
    pub version: Version,
    pub family: Family,
    /// Configured as the address owner (priority 255).
    pub owner: bool,
    /// v2 authentication expected.
    pub auth: &'a Auth,
    /// Our advert interval in centiseconds (must match exactly in v2).
    pub interval_cs: u16,
    pub vips: &'a [IpAddr],
    pub addresses: AddressCheck,
}

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum Rejection {
    #[error("invalid TTL/hop limit {0}, expected 255")]
    Ttl(u8),
    #[error("wrong VRRP version {0}")]
    Version(u8),
    #[error("not an advertisement (type {0})")]
    Type(u8),
    #[error("length does not match the address count")]
    Length,
    #[error("address family differs from the instance's")]
    Family,
    #[error("invalid checksum")]
    Checksum,
    #[error("VRID {0} is not configured")]
    Vrid(u8),
    #[error("we are the address owner: advert dropped")]
    Owner,
    #[error("auth type {got}, expected {want}")]
    AuthType { got: u8, want: u8 },
    #[error("invalid password")]
    AuthPassword,
    #[error("advertisement interval mismatch: received {got} cs, ours {want} cs")]
    Interval { got: u16, want: u16 },
    #[error("address list differs from ours")]
    AddressList,
}

/// An advert that passed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Accepted {
    pub advert: Advert,
    pub dialect: Dialect,
    /// False when the address list differs from ours (and the policy let it through).
    pub addresses_match: bool,
}

/// Runs every check in RFC order: TTL, version, type, length, checksum, VRID, owner, auth,
/// interval, addresses. The TTL/hop limit is checked on multicast adverts only, as keepalived
/// does: its IPv6 unicast adverts leave with the kernel's default hop limit (64).
pub fn check(pkt: &Received<'_>, policy: &Policy<'_>) -> Result<Accepted, Rejection> {
    if pkt.ttl != TTL && pkt.dst.is_multicast() {
        return Err(Rejection::Ttl(pkt.ttl));
    }
    if Family::of(pkt.src) != policy.family || Family::of(pkt.dst) != policy.family {
        return Err(Rejection::Family);
    }
    let advert = Advert::decode(pkt.payload, policy.family).map_err(|e| match e {
        DecodeError::TooShort(_) | DecodeError::Length { .. } => Rejection::Length,
        DecodeError::Version(v) => Rejection::Version(v),
        DecodeError::Type(t) => Rejection::Type(t),
    })?;
    // Version before the checksum: a v3 checksum means nothing to a v2 instance.
    if advert.version != policy.version {
        return Err(Rejection::Version(advert.version.number()));
    }
    let path = Path {
        src: pkt.src,
        dst: pkt.dst,
    };
    let dialect =
        checksum_dialect(pkt.payload, advert.version, &path).ok_or(Rejection::Checksum)?;
    let addresses_match = check_advert(&advert, policy)?;
    Ok(Accepted {
        advert,
        dialect,
        addresses_match,
    })
}

/// The checks that need only the parsed advert and our settings: version, VRID, owner, auth,
/// interval, addresses. Returns whether the address list matches ours.
pub fn check_advert(advert: &Advert, policy: &Policy<'_>) -> Result<bool, Rejection> {
    if advert.version != policy.version {
        return Err(Rejection::Version(advert.version.number()));
    }
    if advert.addrs.family() != policy.family {
        return Err(Rejection::Family);
    }
    if advert.vrid != policy.vrid {
        return Err(Rejection::Vrid(advert.vrid));
    }
    if policy.owner {
        return Err(Rejection::Owner);
    }
    if advert.version == Version::V2 {
        check_auth(&advert.auth, policy.auth)?;
        if advert.interval_cs != policy.interval_cs {
            return Err(Rejection::Interval {
                got: advert.interval_cs,
                want: policy.interval_cs,
            });
        }
    }
    let addresses_match =
        policy.addresses == AddressCheck::Ignore || same_set(&advert.addrs, policy.vips);
    if !addresses_match && policy.addresses == AddressCheck::Reject {
        return Err(Rejection::AddressList);
    }
    Ok(addresses_match)
}

fn check_auth(got: &Auth, want: &Auth) -> Result<(), Rejection> {
    if got.auth_type() != want.auth_type() {
        return Err(Rejection::AuthType {
            got: got.auth_type(),
            want: want.auth_type(),
        });
    }
    match (got, want) {
        (Auth::Pass(a), Auth::Pass(b)) if !constant_time_eq(a, b) => Err(Rejection::AuthPassword),
        _ => Ok(()),
    }
}

/// Compares without an early exit so timing does not reveal how much of a guess was right.
fn constant_time_eq(a: &[u8; 8], b: &[u8; 8]) -> bool {
    let diff = a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y));
    std::hint::black_box(diff) == 0
}

/// Same addresses, order aside (the lists hold distinct addresses).
fn same_set(addrs: &Addrs, vips: &[IpAddr]) -> bool {
    let got = addrs.to_ip_vec();
    got.len() == vips.len() && vips.iter().all(|v| got.contains(v))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::Ipv6Addr;

    fn v6(s: &str) -> IpAddr {
        s.parse().expect("address")
    }

    #[test]
    fn ipv6_hop_limit_is_checked_on_multicast_only_as_keepalived_does() {
        let vip: Ipv6Addr = "2001:db8::100".parse().expect("address");
        let advert = Advert {
            version: Version::V3,
            vrid: 51,
            priority: 150,
            interval_cs: 100,
            addrs: Addrs::V6(vec![vip]),
            auth: Auth::None,
        };
        let vips = [IpAddr::V6(vip)];
        let policy = Policy {
            vrid: 51,
            version: Version::V3,
            family: Family::V6,
            owner: false,
            auth: &Auth::None,
            interval_cs: 100,
            vips: &vips,
            addresses: AddressCheck::Count,
        };
        for (src, dst) in [("fe80::1", "ff02::12"), ("2001:db8::1", "2001:db8::2")] {
            let path = Path {
                src: v6(src),
                dst: v6(dst),
            };
            let bytes = advert.encode(&path).expect("encodes");
            let rx = |ttl| Received {
                src: path.src,
                dst: path.dst,
                ttl,
                payload: &bytes,
            };
            assert!(check(&rx(255), &policy).is_ok(), "{dst}");
            let low = check(&rx(64), &policy);
            if dst == "ff02::12" {
                assert_eq!(low, Err(Rejection::Ttl(64)));
            } else {
                assert!(
                    low.is_ok(),
                    "unicast at the kernel's default hop limit: {low:?}"
                );
            }
            // The pseudo-header checksum covers the addresses: another destination fails.
            let moved = Received {
                dst: v6("2001:db8::3"),
                ..rx(255)
            };
            assert_eq!(check(&moved, &policy), Err(Rejection::Checksum));
        }
    }
}
