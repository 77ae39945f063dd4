//! The netlink codec: decoding never panics on arbitrary bytes, encoding round-trips through
//! decoding, and replies shaped like the kernel's decode to the right model values.

// Tests and benches state what they expect with unwrap/expect/panic (the lints are for
// the library; see Cargo.toml).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use lvsdeck::ipvs::netlink::decode::{
    decode_daemon, decode_dest, decode_info, decode_service, decode_stats, decode_timeouts,
    split_genl, top_level,
};
use lvsdeck::ipvs::netlink::encode::encode_op;
use lvsdeck::ipvs::netlink::frame::Frames;
use lvsdeck::ipvs::netlink::nla::{Attrs, NlaWriter};
use lvsdeck::ipvs::netlink::wire::{cmd_attr, dest_attr, stats_attr, svc_attr};
use lvsdeck::ipvs::{
    svc_flags, DestConfig, Family, Forward, Op, Protocol, ServiceConfig, ServiceKey, TunnelType,
};
use proptest::prelude::*;

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn decoders_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
        let _ = decode_service(&bytes);
        let _ = decode_dest(&bytes, Family::Inet);
        let _ = decode_dest(&bytes, Family::Inet6);
        let _ = decode_daemon(&bytes);
        let _ = decode_stats(&bytes);
        let _ = decode_info(&bytes);
        let _ = decode_timeouts(&bytes);
        let _ = split_genl(&bytes);
        let _ = top_level(&bytes, cmd_attr::SERVICE, "service");
        for a in Attrs::new(&bytes) { let _ = a; }
        for f in Frames::new(&bytes).flatten() {
            let _ = f.answer();
        }
    }

    /// Arbitrary bytes inside well-formed attribute headers reach the value parsers too.
    #[test]
    fn decoders_never_panic_on_well_framed_garbage(
        attrs in proptest::collection::vec((0u16..20, proptest::collection::vec(any::<u8>(), 0..24)), 0..16)
    ) {
        let mut w = NlaWriter::new();
        for (ty, payload) in &attrs {
            w.put(*ty, payload);
        }
        let bytes = w.into_bytes();
        let _ = decode_service(&bytes);
        let _ = decode_dest(&bytes, Family::Inet);
        let _ = decode_daemon(&bytes);
        let _ = decode_stats(&bytes);
        let _ = decode_info(&bytes);
        let _ = decode_timeouts(&bytes);
    }

    #[test]
    fn service_config_round_trips(
        v6 in any::<bool>(), fwmark in any::<Option<u32>>(), proto in 0usize..3,
        addr in any::<[u8; 16]>(), port in any::<u16>(), sched in "[a-z]{1,15}",
        flags in any::<u32>(), timeout in any::<u32>(), netmask in any::<u32>(),
        pe in proptest::option::of("[a-z]{1,15}"),
    ) {
        let family = if v6 { Family::Inet6 } else { Family::Inet };
        let key = match fwmark {
            Some(mark) => ServiceKey::Fwmark { mark, family },
            None => ServiceKey::Addr {
                protocol: [Protocol::Tcp, Protocol::Udp, Protocol::Sctp][proto],
                addr: if v6 {
                    IpAddr::V6(Ipv6Addr::from(addr))
                } else {
                    IpAddr::V4(Ipv4Addr::new(addr[0], addr[1], addr[2], addr[3]))
                },
                port,
            },
        };
        let cfg = ServiceConfig {
            key,
            scheduler: sched,
            flags: flags & !svc_flags::HASHED,
            timeout,
            netmask,
            pe_name: pe,
        };
        let req = encode_op(&Op::AddService(cfg.clone())).unwrap();
        let nested = top_level(req.attrs(), cmd_attr::SERVICE, "service").unwrap();
        prop_assert_eq!(decode_service(nested).unwrap().config, cfg);
    }

    #[test]
    fn dest_config_round_trips(
        v6 in any::<bool>(), addr in any::<[u8; 16]>(), port in any::<u16>(), fwd in 0u32..4,
        weight in any::<u32>(), u in any::<u32>(), l in any::<u32>(), tun in 0u8..3,
        tun_port in any::<u16>(), tun_flags in any::<u16>(),
    ) {
        let ip = if v6 {
            IpAddr::V6(Ipv6Addr::from(addr))
        } else {
            IpAddr::V4(Ipv4Addr::new(addr[0], addr[1], addr[2], addr[3]))
        };
        let d = DestConfig {
            addr: ip,
            port,
            forward: Forward::from_kernel(fwd).unwrap(),
            weight,
            u_threshold: u,
            l_threshold: l,
            tun_type: TunnelType::from_kernel(tun).unwrap(),
            tun_port,
            tun_flags,
        };
        let key = ServiceKey::Fwmark { mark: 1, family: Family::Inet };
        let req = encode_op(&Op::AddDest(key, d.clone())).unwrap();
        let nested = top_level(req.attrs(), cmd_attr::DEST, "dest").unwrap();
        // The service family is the other one: ADDR_FAMILY in the request must win.
        let other = if v6 { Family::Inet } else { Family::Inet6 };
        prop_assert_eq!(decode_dest(nested, other).unwrap().config, d);
    }
}

/// Stats as the kernel nests them: u64 values preceded by PAD attributes.
fn put_stats(w: &mut NlaWriter, ty: u16, base: u64, wide: bool) {
    w.nest(ty, |n| {
        for (i, attr) in (stats_attr::CONNS..=stats_attr::OUTBPS).enumerate() {
            let v = base + i as u64;
            if wide || attr == stats_attr::INBYTES || attr == stats_attr::OUTBYTES {
                n.put(stats_attr::PAD, &[]);
                n.put(attr, &v.to_ne_bytes());
            } else {
                n.put_u32(attr, v as u32);
            }
        }
    });
}

#[test]
fn kernel_shaped_service_reply_decodes() {
    let mut w = NlaWriter::new();
    w.put_u16(svc_attr::AF, 2);
    w.put_u16(svc_attr::PROTOCOL, 6);
    let mut addr = [0u8; 16];
    addr[..4].copy_from_slice(&[192, 0, 2, 1]);
    w.put(svc_attr::ADDR, &addr);
    w.put_be16(svc_attr::PORT, 443);
    w.put_str(svc_attr::SCHED_NAME, "wrr");
    let mut flags = [0u8; 8];
    flags[..4].copy_from_slice(&(svc_flags::PERSISTENT | svc_flags::HASHED).to_ne_bytes());
    flags[4..].copy_from_slice(&u32::MAX.to_ne_bytes());
    w.put(svc_attr::FLAGS, &flags);
    w.put_u32(svc_attr::TIMEOUT, 300);
    w.put(svc_attr::NETMASK, &[255, 255, 255, 0]);
    put_stats(&mut w, svc_attr::STATS, 1000, false);
    put_stats(&mut w, svc_attr::STATS64, 5_000_000_000, true);
    w.put_u32(99, 7); // an attribute from a future kernel
    let svc = decode_service(w.as_bytes()).unwrap();
    assert_eq!(
        svc.config.key,
        ServiceKey::Addr {
            protocol: Protocol::Tcp,
            addr: IpAddr::V4(Ipv4Addr::new(192, 0, 2, 1)),
            port: 443
        }
    );
    assert_eq!(svc.config.flags, svc_flags::PERSISTENT, "HASHED is cleared");
    assert_eq!(svc.config.netmask, 0xffff_ff00, "network order on the wire");
    assert_eq!(svc.config.timeout, 300);
    assert_eq!(svc.config.pe_name, None);
    assert_eq!(svc.stats.conns, 5_000_000_000, "STATS64 wins over STATS");
    assert_eq!(svc.stats.outbps, 5_000_000_009);
}

#[test]
fn kernel_shaped_dest_reply_decodes() {
    let mut w = NlaWriter::new();
    let mut addr = [0u8; 16];
    addr[..4].copy_from_slice(&[198, 51, 100, 7]);
    w.put(dest_attr::ADDR, &addr);
    w.put_be16(dest_attr::PORT, 8080);
    w.put_u32(dest_attr::FWD_METHOD, 2);
    w.put_u32(dest_attr::WEIGHT, 70_000);
    w.put_u32(dest_attr::U_THRESH, 100);
    w.put_u32(dest_attr::L_THRESH, 10);
    w.put_u32(dest_attr::ACTIVE_CONNS, 70_000);
    w.put_u32(dest_attr::INACT_CONNS, 3);
    w.put_u32(dest_attr::PERSIST_CONNS, 4);
    put_stats(&mut w, dest_attr::STATS, 1, false);
    w.put_u8(dest_attr::TUN_TYPE, 1);
    w.put_be16(dest_attr::TUN_PORT, 6080);
    w.put_u16(dest_attr::TUN_FLAGS, 2);
    // No ADDR_FAMILY (older kernels): the service's family applies. Only STATS: used.
    let d = decode_dest(w.as_bytes(), Family::Inet).unwrap();
    assert_eq!(d.config.addr, IpAddr::V4(Ipv4Addr::new(198, 51, 100, 7)));
    assert_eq!(d.config.port, 8080);
    assert_eq!(d.config.forward, Forward::Tunnel);
    assert_eq!(d.config.weight, 70_000);
    assert_eq!((d.config.u_threshold, d.config.l_threshold), (100, 10));
    assert_eq!(
        (d.active_conns, d.inact_conns, d.persist_conns),
        (70_000, 3, 4)
    );
    assert_eq!(
        (d.config.tun_type, d.config.tun_port, d.config.tun_flags),
        (TunnelType::Gue, 6080, 2)
    );
    assert_eq!(d.stats.conns, 1);
    assert_eq!(d.stats.inbytes, 4);
}

#[test]
fn missing_and_bad_fields_are_named() {
    let mut w = NlaWriter::new();
    w.put_u16(svc_attr::AF, 2);
    w.put_u32(svc_attr::FWMARK, 1);
    let e = decode_service(w.as_bytes()).unwrap_err();
    assert_eq!(e.to_string(), "service flags is missing");
    let mut w = NlaWriter::new();
    w.put_u16(svc_attr::AF, 99);
    let e = decode_service(w.as_bytes()).unwrap_err();
    assert_eq!(e.to_string(), "service af has the unknown value 99");
    let mut w = NlaWriter::new();
    w.put(dest_attr::ADDR, &[1, 2]);
    w.put_u32(dest_attr::FWD_METHOD, 0);
    let e = decode_dest(w.as_bytes(), Family::Inet).unwrap_err();
    assert!(e.to_string().starts_with("dest addr has 2 byte(s)"), "{e}");
}
