//! Codec test vectors: bytes written out by hand from the RFC layout (checksums worked out
//! independently, e.g. v2: 2133+6401+0101+c0a8+0164+7365+6372+6574 = 2848c → 848e → !7b71).

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use crate::vrrp::advert::*;

fn v4(s: &str) -> Ipv4Addr {
    s.parse().unwrap()
}
fn v6(s: &str) -> Ipv6Addr {
    s.parse().unwrap()
}

fn v2_secret() -> (Advert, Vec<u8>) {
    let advert = Advert {
        version: Version::V2,
        vrid: 51,
        priority: 100,
        interval_cs: 100,
        addrs: Addrs::V4(vec![v4("192.168.1.100")]),
        auth: Auth::pass("secret"),
    };
    #[rustfmt::skip]
    let bytes = vec![
        0x21, 51, 100, 1,          // v2|advert, VRID 51, priority 100, 1 address
        0x01, 0x01, 0x7b, 0x71,    // auth type PASS, 1 s, checksum
        192, 168, 1, 100,          // VIP
        b's', b'e', b'c', b'r', b'e', b't', 0, 0, // "secret" zero-padded to 8
    ];
    (advert, bytes)
}

fn v3_ipv4() -> (Advert, Vec<u8>) {
    let advert = Advert {
        version: Version::V3,
        vrid: 51,
        priority: 150,
        interval_cs: 100,
        addrs: Addrs::V4(vec![v4("192.0.2.10"), v4("192.0.2.11")]),
        auth: Auth::None,
    };
    #[rustfmt::skip]
    let bytes = vec![
        0x31, 51, 150, 2,          // v3|advert, VRID 51, priority 150, 2 addresses
        0x00, 0x64, 0x11, 0xbb,    // rsvd|100 cs, checksum over pseudo-header + message
        192, 0, 2, 10,
        192, 0, 2, 11,
    ];
    (advert, bytes)
}

fn v3_ipv6() -> (Advert, Vec<u8>) {
    let advert = Advert {
        version: Version::V3,
        vrid: 7,
        priority: 200,
        interval_cs: 50,
        addrs: Addrs::V6(vec![v6("2001:db8::10")]),
        auth: Auth::None,
    };
    #[rustfmt::skip]
    let bytes = vec![
        0x31, 7, 200, 1,
        0x00, 0x32, 0xda, 0xdc,    // 50 cs, checksum over the IPv6 pseudo-header + message
        0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10,
    ];
    (advert, bytes)
}

fn path4() -> Path {
    Path::multicast(IpAddr::V4(v4("192.0.2.1")))
}
fn path6() -> Path {
    Path::multicast(IpAddr::V6(v6("fe80::1")))
}

#[test]
fn v2_pass_secret_vector() {
    let (advert, bytes) = v2_secret();
    let path = Path::multicast(IpAddr::V4(v4("192.168.1.1")));
    assert_eq!(advert.encode(&path).unwrap(), bytes);
    assert_eq!(Advert::decode(&bytes, Family::V4).unwrap(), advert);
    assert_eq!(
        checksum_dialect(&bytes, Version::V2, &path),
        Some(Dialect::MessageOnly)
    );
}

#[test]
fn v3_ipv4_vector_keepalived_checksum() {
    let (advert, bytes) = v3_ipv4();
    assert_eq!(advert.encode(&path4()).unwrap(), bytes);
    assert_eq!(Advert::decode(&bytes, Family::V4).unwrap(), advert);
    assert_eq!(
        checksum_dialect(&bytes, Version::V3, &path4()),
        Some(Dialect::PseudoHeader)
    );
}

#[test]
fn v3_ipv4_vector_without_pseudo_header_is_accepted() {
    let (advert, mut bytes) = v3_ipv4();
    bytes[6..8].copy_from_slice(&[0xb4, 0x4f]);
    assert_eq!(
        advert.encode_with(&path4(), Dialect::MessageOnly).unwrap(),
        bytes
    );
    assert_eq!(
        checksum_dialect(&bytes, Version::V3, &path4()),
        Some(Dialect::MessageOnly)
    );
}

#[test]
fn v3_ipv4_checksum_depends_on_source() {
    let (_, bytes) = v3_ipv4();
    let other = Path::multicast(IpAddr::V4(v4("192.0.2.2")));
    assert_eq!(checksum_dialect(&bytes, Version::V3, &other), None);
}

#[test]
fn v3_ipv6_vector() {
    let (advert, bytes) = v3_ipv6();
    assert_eq!(advert.encode(&path6()).unwrap(), bytes);
    assert_eq!(Advert::decode(&bytes, Family::V6).unwrap(), advert);
    assert_eq!(
        checksum_dialect(&bytes, Version::V3, &path6()),
        Some(Dialect::PseudoHeader)
    );
    // IPv6 has one dialect only: the message-only sum is not accepted.
    let mut plain = bytes.clone();
    plain[6..8].copy_from_slice(&[0, 0]);
    let ck = crate::vrrp::checksum::message(&plain);
    plain[6..8].copy_from_slice(&ck.to_be_bytes());
    assert_eq!(checksum_dialect(&plain, Version::V3, &path6()), None);
}

#[test]
fn v2_without_auth_still_carries_eight_zero_bytes() {
    let (mut advert, _) = v2_secret();
    advert.auth = Auth::None;
    let bytes = advert.encode(&path4()).unwrap();
    assert_eq!(bytes.len(), 8 + 4 + 8);
    assert_eq!(bytes[4], 0);
    assert_eq!(&bytes[12..], &[0u8; 8]);
}

#[test]
fn password_is_truncated_to_eight_bytes() {
    assert_eq!(Auth::pass("0123456789"), Auth::Pass(*b"01234567"));
    assert_eq!(Auth::pass(""), Auth::Pass([0; 8]));
    assert_eq!(format!("{:?}", Auth::pass("secret")), "Pass(..)");
}

#[test]
fn decode_rejections() {
    let (_, bytes) = v2_secret();
    assert_eq!(
        Advert::decode(&bytes[..7], Family::V4),
        Err(DecodeError::TooShort(7))
    );
    let mut b = bytes.clone();
    b[0] = 0x41;
    assert_eq!(Advert::decode(&b, Family::V4), Err(DecodeError::Version(4)));
    assert_eq!(
        Advert::decode(&bytes, Family::V6),
        Err(DecodeError::Version(2))
    );
    b[0] = 0x22;
    assert_eq!(Advert::decode(&b, Family::V4), Err(DecodeError::Type(2)));
    b[0] = 0x21;
    b[3] = 2;
    assert!(matches!(
        Advert::decode(&b, Family::V4),
        Err(DecodeError::Length {
            count: 2,
            expected: 24,
            got: 20
        })
    ));
    // v2 without the 8 auth bytes is short (keepalived demands them).
    assert!(matches!(
        Advert::decode(&bytes[..12], Family::V4),
        Err(DecodeError::Length { .. })
    ));
}

#[test]
fn v3_reserved_bits_are_ignored() {
    let (advert, mut bytes) = v3_ipv4();
    bytes[4] |= 0xf0;
    assert_eq!(Advert::decode(&bytes, Family::V4).unwrap(), advert);
}

#[test]
fn encode_rejections() {
    let (mut a, _) = v2_secret();
    a.interval_cs = 150;
    assert_eq!(a.encode(&path4()), Err(EncodeError::V2Interval(150)));
    a.interval_cs = 25600;
    assert_eq!(a.encode(&path4()), Err(EncodeError::V2Interval(25600)));
    let (mut a, _) = v3_ipv4();
    a.interval_cs = 4096;
    assert_eq!(a.encode(&path4()), Err(EncodeError::V3Interval(4096)));
    a.interval_cs = 100;
    a.auth = Auth::pass("x");
    assert_eq!(a.encode(&path4()), Err(EncodeError::V3Auth));
    let (a, _) = v3_ipv6();
    assert_eq!(a.encode(&path4()), Err(EncodeError::FamilyMismatch));
    let mut a = a;
    a.version = Version::V2;
    a.interval_cs = 100;
    assert_eq!(a.encode(&path6()), Err(EncodeError::V2Ipv6));
    a.vrid = 0;
    assert_eq!(a.encode(&path6()), Err(EncodeError::Vrid));
}

#[test]
fn virtual_router_macs_per_family() {
    use crate::vrrp::{virtual_mac, Family};
    assert_eq!(virtual_mac(Family::V4, 51), [0, 0, 0x5e, 0, 1, 51]);
    assert_eq!(virtual_mac(Family::V6, 255), [0, 0, 0x5e, 0, 2, 255]);
}
