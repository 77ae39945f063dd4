//! The VRRP advertisement as a value, and its wire form (RFC 3768 §5, RFC 5798 §5).
//!
//! v2 (IPv4 only): `ver|type, VRID, priority, count, auth type, adver int (s), checksum,
//! addresses, 8 auth bytes` — the auth bytes are always there, zeros without authentication,
//! because keepalived demands the exact length. v3: `ver|type, VRID, priority, count,
//! rsvd(4)|max adver int (12 bits, cs), checksum, addresses`. Decoding checks structure only;
//! the checksum needs the IP addresses and is verified by [`checksum_dialect`].

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use thiserror::Error;

use super::checksum;

/// IPv4 multicast group of VRRP.
pub const GROUP_V4: Ipv4Addr = Ipv4Addr::new(224, 0, 0, 18);
/// IPv6 multicast group of VRRP.
pub const GROUP_V6: Ipv6Addr = Ipv6Addr::new(0xff02, 0, 0, 0, 0, 0, 0, 0x12);
/// TTL / hop limit every VRRP packet is sent with and must arrive with.
pub const TTL: u8 = 255;
/// The only packet type: ADVERTISEMENT.
pub const TYPE_ADVERT: u8 = 1;
const HEADER_LEN: usize = 8;
const AUTH_LEN: usize = 8;

/// Protocol version.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Version {
    V2,
    V3,
}

impl Version {
    pub fn number(self) -> u8 {
        match self {
            Version::V2 => 2,
            Version::V3 => 3,
        }
    }
}

/// Address family of an instance (and of the addresses its adverts carry).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Family {
    V4,
    V6,
}

impl Family {
    pub fn of(addr: IpAddr) -> Family {
        match addr {
            IpAddr::V4(_) => Family::V4,
            IpAddr::V6(_) => Family::V6,
        }
    }

    /// The VRRP multicast group of this family.
    pub fn group(self) -> IpAddr {
        match self {
            Family::V4 => IpAddr::V4(GROUP_V4),
            Family::V6 => IpAddr::V6(GROUP_V6),
        }
    }

    fn addr_len(self) -> usize {
        match self {
            Family::V4 => 4,
            Family::V6 => 16,
        }
    }
}

/// The virtual router MAC of `vrid` (RFC 5798 §7.3): 00:00:5e:00:01:VRID for IPv4,
/// 00:00:5e:00:02:VRID for IPv6 (keepalived's `use_vmac`).
pub fn virtual_mac(family: Family, vrid: u8) -> [u8; 6] {
    let f = match family {
        Family::V4 => 1,
        Family::V6 => 2,
    };
    [0x00, 0x00, 0x5e, 0x00, f, vrid]
}

/// The virtual addresses an advert carries; one family per advert.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Addrs {
    V4(Vec<Ipv4Addr>),
    V6(Vec<Ipv6Addr>),
}

impl Addrs {
    pub fn family(&self) -> Family {
        match self {
            Addrs::V4(_) => Family::V4,
            Addrs::V6(_) => Family::V6,
        }
    }

    pub fn len(&self) -> usize {
        match self {
            Addrs::V4(a) => a.len(),
            Addrs::V6(a) => a.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn to_ip_vec(&self) -> Vec<IpAddr> {
        match self {
            Addrs::V4(a) => a.iter().copied().map(IpAddr::V4).collect(),
            Addrs::V6(a) => a.iter().copied().map(IpAddr::V6).collect(),
        }
    }
}

/// v2 authentication (RFC 3768 §5.3.6). v3 has none: its adverts always carry `Auth::None`.
#[derive(Clone, PartialEq, Eq, Hash)]
pub enum Auth {
    /// Type 0; the 8 auth bytes are zero.
    None,
    /// Type 1, simple text password: 8 bytes, zero-padded.
    Pass([u8; AUTH_LEN]),
    /// Any other type as received (2 is the deprecated IP AH, which lvsdeck does not speak).
    Other { auth_type: u8, data: [u8; AUTH_LEN] },
}

impl Auth {
    /// keepalived's `auth_pass`: truncated to 8 bytes and zero-padded.
    pub fn pass(password: &str) -> Auth {
        let mut data = [0u8; AUTH_LEN];
        for (d, s) in data.iter_mut().zip(password.as_bytes()) {
            *d = *s;
        }
        Auth::Pass(data)
    }

    pub fn auth_type(&self) -> u8 {
        match self {
            Auth::None => 0,
            Auth::Pass(_) => 1,
            Auth::Other { auth_type, .. } => *auth_type,
        }
    }

    fn data(&self) -> [u8; AUTH_LEN] {
        match self {
            Auth::None => [0; AUTH_LEN],
            Auth::Pass(d) | Auth::Other { data: d, .. } => *d,
        }
    }
}

/// Passwords stay out of logs.
impl std::fmt::Debug for Auth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Auth::None => f.write_str("None"),
            Auth::Pass(_) => f.write_str("Pass(..)"),
            Auth::Other { auth_type, .. } => write!(f, "Other {{ auth_type: {auth_type}, .. }}"),
        }
    }
}

/// One advertisement.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Advert {
    pub version: Version,
    pub vrid: u8,
    pub priority: u8,
    /// Advertisement interval in centiseconds; v2 carries whole seconds (×100 here).
    pub interval_cs: u16,
    pub addrs: Addrs,
    pub auth: Auth,
}

/// Source and destination of the IP packet: v3 checksums cover them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Path {
    pub src: IpAddr,
    pub dst: IpAddr,
}

impl Path {
    /// From `src` to the VRRP group of its family.
    pub fn multicast(src: IpAddr) -> Path {
        Path {
            src,
            dst: Family::of(src).group(),
        }
    }
}

/// How a checksum was (or is to be) computed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    /// Over the message only: v2, or v3/IPv4 as Cisco and Juniper send it.
    MessageOnly,
    /// Over the IP pseudo-header plus message: v3 the way keepalived and RFC 5798 do it.
    PseudoHeader,
}

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum EncodeError {
    #[error("VRID must be 1..255")]
    Vrid,
    #[error("VRRPv2 carries only IPv4 addresses")]
    V2Ipv6,
    #[error("VRRPv2 advertisement interval must be 1..255 whole seconds, got {0} cs")]
    V2Interval(u16),
    #[error("VRRPv3 advertisement interval must be 1..4095 cs, got {0}")]
    V3Interval(u16),
    #[error("VRRPv3 has no authentication")]
    V3Auth,
    #[error("at most 255 addresses per advertisement, got {0}")]
    TooManyAddrs(usize),
    #[error("addresses and packet path are of different families")]
    FamilyMismatch,
}

/// Why bytes are not an advertisement; each maps to one receive counter.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum DecodeError {
    #[error("packet of {0} bytes is shorter than the VRRP header")]
    TooShort(usize),
    #[error("VRRP version {0} (expected 2 or 3; 2 only over IPv4)")]
    Version(u8),
    #[error("VRRP packet type {0} (expected 1, advertisement)")]
    Type(u8),
    #[error("length {got} does not fit {count} addresses (expected {expected})")]
    Length {
        count: u8,
        expected: usize,
        got: usize,
    },
}

impl Advert {
    /// The wire form, checksummed keepalived's way (v3/IPv4 with the pseudo-header).
    pub fn encode(&self, path: &Path) -> Result<Vec<u8>, EncodeError> {
        self.encode_with(path, Dialect::PseudoHeader)
    }

    /// The wire form with a chosen v3/IPv4 checksum dialect (ignored for v2 and v3/IPv6,
    /// which have only one).
    pub fn encode_with(&self, path: &Path, v3_ipv4: Dialect) -> Result<Vec<u8>, EncodeError> {
        if self.vrid == 0 {
            return Err(EncodeError::Vrid);
        }
        if self.addrs.len() > 255 {
            return Err(EncodeError::TooManyAddrs(self.addrs.len()));
        }
        if Family::of(path.src) != self.addrs.family()
            || Family::of(path.dst) != self.addrs.family()
        {
            return Err(EncodeError::FamilyMismatch);
        }
        let count = self.addrs.len() as u8;
        let mut out = Vec::with_capacity(HEADER_LEN + 16 * self.addrs.len() + AUTH_LEN);
        match self.version {
            Version::V2 => {
                if self.addrs.family() == Family::V6 {
                    return Err(EncodeError::V2Ipv6);
                }
                let secs = self.interval_cs / 100;
                if !self.interval_cs.is_multiple_of(100) || secs == 0 || secs > 255 {
                    return Err(EncodeError::V2Interval(self.interval_cs));
                }
                out.extend_from_slice(&[
                    0x20 | TYPE_ADVERT,
                    self.vrid,
                    self.priority,
                    count,
                    self.auth.auth_type(),
                    secs as u8,
                    0,
                    0,
                ]);
            }
            Version::V3 => {
                if self.interval_cs == 0 || self.interval_cs > 0x0fff {
                    return Err(EncodeError::V3Interval(self.interval_cs));
                }
                if self.auth != Auth::None {
                    return Err(EncodeError::V3Auth);
                }
                let [hi, lo] = self.interval_cs.to_be_bytes();
                out.extend_from_slice(&[0x30 | TYPE_ADVERT, self.vrid, self.priority, count]);
                out.extend_from_slice(&[hi, lo, 0, 0]);
            }
        }
        match &self.addrs {
            Addrs::V4(a) => a.iter().for_each(|x| out.extend_from_slice(&x.octets())),
            Addrs::V6(a) => a.iter().for_each(|x| out.extend_from_slice(&x.octets())),
        }
        if self.version == Version::V2 {
            out.extend_from_slice(&self.auth.data());
        }
        let ck = match (self.version, path.src, path.dst, v3_ipv4) {
            (Version::V3, IpAddr::V4(s), IpAddr::V4(d), Dialect::PseudoHeader) => {
                checksum::ipv4_pseudo(s, d, &out)
            }
            (Version::V3, IpAddr::V6(s), IpAddr::V6(d), _) => checksum::ipv6_pseudo(s, d, &out),
            _ => checksum::message(&out),
        };
        out[6..8].copy_from_slice(&ck.to_be_bytes());
        Ok(out)
    }

    /// Parses the VRRP message of a packet of `family` (structure only, no checksum).
    /// Order: version, type, then the exact length for the address count.
    pub fn decode(bytes: &[u8], family: Family) -> Result<Advert, DecodeError> {
        let Some(head) = bytes.get(..HEADER_LEN) else {
            return Err(DecodeError::TooShort(bytes.len()));
        };
        let version = match (head[0] >> 4, family) {
            (2, Family::V4) => Version::V2,
            (3, _) => Version::V3,
            (v, _) => return Err(DecodeError::Version(v)),
        };
        if head[0] & 0x0f != TYPE_ADVERT {
            return Err(DecodeError::Type(head[0] & 0x0f));
        }
        let count = head[3];
        let trailer = if version == Version::V2 { AUTH_LEN } else { 0 };
        let expected = HEADER_LEN + usize::from(count) * family.addr_len() + trailer;
        if bytes.len() != expected {
            return Err(DecodeError::Length {
                count,
                expected,
                got: bytes.len(),
            });
        }
        let body = &bytes[HEADER_LEN..expected - trailer];
        let addrs = match family {
            Family::V4 => Addrs::V4(
                body.chunks_exact(4)
                    .map(|c| Ipv4Addr::new(c[0], c[1], c[2], c[3]))
                    .collect(),
            ),
            Family::V6 => Addrs::V6(
                body.chunks_exact(16)
                    .map(|c| {
                        let mut o = [0u8; 16];
                        o.copy_from_slice(c);
                        Ipv6Addr::from(o)
                    })
                    .collect(),
            ),
        };
        let (interval_cs, auth) = match version {
            Version::V2 => {
                let mut data = [0u8; AUTH_LEN];
                data.copy_from_slice(&bytes[expected - AUTH_LEN..]);
                let auth = match head[4] {
                    0 => Auth::None,
                    1 => Auth::Pass(data),
                    t => Auth::Other { auth_type: t, data },
                };
                (u16::from(head[5]) * 100, auth)
            }
            Version::V3 => (u16::from_be_bytes([head[4], head[5]]) & 0x0fff, Auth::None),
        };
        Ok(Advert {
            version,
            vrid: head[1],
            priority: head[2],
            interval_cs,
            addrs,
            auth,
        })
    }
}

/// Which checksum dialect `bytes` (a decoded message of `version`) is valid under, if any.
/// v2: message only. v3/IPv6: pseudo-header only. v3/IPv4: either (keepalived's first).
pub fn checksum_dialect(bytes: &[u8], version: Version, path: &Path) -> Option<Dialect> {
    let pseudo = match (path.src, path.dst) {
        (IpAddr::V4(s), IpAddr::V4(d)) => checksum::ipv4_pseudo(s, d, bytes) == 0,
        (IpAddr::V6(s), IpAddr::V6(d)) => checksum::ipv6_pseudo(s, d, bytes) == 0,
        _ => false,
    };
    let plain = checksum::message(bytes) == 0;
    match (version, Family::of(path.src)) {
        (Version::V2, _) => plain.then_some(Dialect::MessageOnly),
        (Version::V3, Family::V6) => pseudo.then_some(Dialect::PseudoHeader),
        (Version::V3, Family::V4) if pseudo => Some(Dialect::PseudoHeader),
        (Version::V3, Family::V4) => plain.then_some(Dialect::MessageOnly),
    }
}
