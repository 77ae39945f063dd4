//! Printing and parsing are inverses: for any valid `Op`, `parse(print(op)) == op`; for
//! any line ipvsadm accepts, its canonical form parses back to the same `Op`; and the
//! parser never panics, whatever the words.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use proptest::prelude::*;

use crate::ipvs::svc_flags::{ONEPACKET, PERSISTENT, SCHED1, SCHED2, SCHED3};
use crate::ipvs::{
    tun_flags, Daemon, DaemonState, DestConfig, Family, Forward, Op, Protocol, ServiceConfig,
    ServiceKey, Timeouts, TunnelType,
};
use crate::rules::sched_flags::SCHED_MASK;
use crate::rules::{
    format_sched_flags, op_line, parse, parse_line, Command, NoResolver, Numeric, SaveFormat,
    MAX_TIMEOUT, MAX_WEIGHT,
};

fn ipv4() -> impl Strategy<Value = IpAddr> {
    any::<[u8; 4]>().prop_map(|b| IpAddr::V4(Ipv4Addr::from(b)))
}

fn ipv6() -> impl Strategy<Value = IpAddr> {
    any::<[u16; 8]>().prop_map(|w| IpAddr::V6(Ipv6Addr::from(w)))
}

fn addr_of(family: Family) -> BoxedStrategy<IpAddr> {
    match family {
        Family::Inet => ipv4().boxed(),
        Family::Inet6 => ipv6().boxed(),
    }
}

fn family() -> impl Strategy<Value = Family> {
    prop_oneof![Just(Family::Inet), Just(Family::Inet6)]
}

fn protocol() -> impl Strategy<Value = Protocol> {
    prop_oneof![
        Just(Protocol::Tcp),
        Just(Protocol::Udp),
        Just(Protocol::Sctp)
    ]
}

fn key() -> impl Strategy<Value = ServiceKey> {
    prop_oneof![
        (protocol(), prop_oneof![ipv4(), ipv6()], any::<u16>()).prop_map(
            |(protocol, addr, port)| ServiceKey::Addr {
                protocol,
                addr,
                port
            }
        ),
        (1..=u32::MAX, family()).prop_map(|(mark, family)| ServiceKey::Fwmark { mark, family }),
    ]
}

fn scheduler() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(vec![
            "wlc", "rr", "wrr", "lc", "sh", "mh", "sed", "nq", "fo", "ovf", "lblc", "lblcr", "dh",
            "twos"
        ])
        .prop_map(str::to_string),
        "x[a-z0-9_]{0,14}",
    ]
}

/// A service `ipvsadm -A` accepts and `-S` prints without loss.
fn service() -> impl Strategy<Value = ServiceConfig> {
    (
        key(),
        scheduler(),
        any::<bool>(),
        any::<bool>(),
        any::<u32>(),
        1..=MAX_TIMEOUT as u32,
        any::<u32>(),
        prop::option::of(prop_oneof![Just("sip".to_string()), "p[a-z]{0,15}"]),
    )
        .prop_map(
            |(key, scheduler, persistent, ops, sched_bits, timeout, mask_seed, pe_name)| {
                let mut key = key;
                let mut flags = 0;
                if persistent {
                    flags |= PERSISTENT;
                }
                let ops_allowed = match key {
                    ServiceKey::Fwmark { .. } => true,
                    ServiceKey::Addr { protocol, .. } => protocol == Protocol::Udp,
                };
                if ops && ops_allowed {
                    flags |= ONEPACKET;
                }
                let settable = match scheduler.as_str() {
                    "sh" | "mh" => SCHED1 | SCHED2,
                    _ => SCHED1 | SCHED2 | SCHED3,
                };
                flags |= sched_bits & settable;
                if let ServiceKey::Addr { port, .. } = &mut key {
                    if !persistent && *port == 0 {
                        *port = 80;
                    }
                }
                let netmask = match (persistent, key.family()) {
                    (false, Family::Inet) => 0xffff_ffff,
                    (false, Family::Inet6) => 128,
                    (true, Family::Inet) => mask_seed,
                    (true, Family::Inet6) => 1 + mask_seed % 128,
                };
                ServiceConfig {
                    key,
                    scheduler,
                    flags,
                    timeout: if persistent { timeout } else { 0 },
                    netmask,
                    pe_name,
                }
            },
        )
}

/// A real server `ipvsadm -a` accepts for `key`.
fn dest_for(key: ServiceKey, keep_thresholds: bool) -> impl Strategy<Value = DestConfig> {
    let forward = prop_oneof![
        Just(Forward::Masq),
        Just(Forward::Route),
        Just(Forward::Tunnel)
    ];
    (
        forward,
        any::<u16>(),
        0..=MAX_WEIGHT as u32,
        0..=i32::MAX as u32,
        0..=i32::MAX as u32,
    )
        .prop_flat_map(move |(forward, port, weight, u, l)| {
            let family = if forward == Forward::Tunnel {
                family().boxed()
            } else {
                Just(key.family()).boxed()
            };
            let tunnel = prop_oneof![
                Just((TunnelType::Ipip, 0u16, tun_flags::NOCSUM)),
                (1..=u16::MAX, 0..=2u16).prop_map(|(p, f)| (TunnelType::Gue, p, f)),
                (0..=1u16).prop_map(|f| (TunnelType::Gre, 0, f)),
            ];
            (family, tunnel).prop_flat_map(move |(family, tunnel)| {
                addr_of(family).prop_map(move |addr| {
                    let port = match key {
                        ServiceKey::Addr { port: svc_port, .. } if forward != Forward::Masq => {
                            svc_port
                        }
                        _ => port,
                    };
                    let (tun_type, tun_port, tun_flags) = if forward == Forward::Tunnel {
                        tunnel
                    } else {
                        (TunnelType::Ipip, 0, tun_flags::NOCSUM)
                    };
                    DestConfig {
                        addr,
                        port,
                        forward,
                        weight,
                        u_threshold: if keep_thresholds { u } else { 0 },
                        l_threshold: if keep_thresholds { l } else { 0 },
                        tun_type,
                        tun_port,
                        tun_flags,
                    }
                })
            })
        })
}

fn mcast_group() -> impl Strategy<Value = IpAddr> {
    prop_oneof![
        (224u8..=239, any::<[u8; 3]>())
            .prop_map(|(a, [b, c, d])| IpAddr::V4(Ipv4Addr::new(a, b, c, d))),
        any::<[u16; 7]>().prop_map(|w| IpAddr::V6(Ipv6Addr::new(
            0xff00 | (w[0] & 0xff),
            w[1],
            w[2],
            w[3],
            w[4],
            w[5],
            w[6],
            w[0]
        ))),
    ]
}

fn daemon_state() -> impl Strategy<Value = DaemonState> {
    prop_oneof![Just(DaemonState::Master), Just(DaemonState::Backup)]
}

fn op(keep_thresholds: bool) -> impl Strategy<Value = Op> {
    let dest_op = key().prop_flat_map(move |k| {
        (dest_for(k, keep_thresholds), any::<bool>()).prop_map(move |(d, edit)| {
            if edit {
                Op::EditDest(k, d)
            } else {
                Op::AddDest(k, d)
            }
        })
    });
    let timeout = 0..=MAX_TIMEOUT as u32;
    prop_oneof![
        service().prop_map(Op::AddService),
        service().prop_map(Op::EditService),
        key().prop_map(Op::DelService),
        Just(Op::Flush),
        dest_op,
        (key(), prop_oneof![ipv4(), ipv6()], any::<u16>()).prop_map(|(service, addr, port)| {
            Op::DelDest {
                service,
                addr,
                port,
            }
        }),
        prop::option::of(key()).prop_map(Op::Zero),
        (timeout.clone(), timeout.clone(), timeout)
            .prop_map(|(tcp, tcp_fin, udp)| { Op::SetTimeouts(Timeouts { tcp, tcp_fin, udp }) }),
        (
            daemon_state(),
            "(eth|bond|ens)[0-9]{1,3}",
            0..=255u32,
            prop::option::of(1..=65507u16),
            prop::option::of(mcast_group()),
            prop::option::of(1..=u16::MAX),
            prop::option::of(1..=u8::MAX),
        )
            .prop_map(
                |(state, mcast_ifn, syncid, sync_maxlen, mcast_group, mcast_port, mcast_ttl)| {
                    Op::StartDaemon(Daemon {
                        state,
                        mcast_ifn,
                        syncid,
                        sync_maxlen,
                        mcast_group,
                        mcast_port,
                        mcast_ttl,
                    })
                }
            ),
        daemon_state().prop_map(Op::StopDaemon),
    ]
}

fn reparse(line: &str) -> Result<Command, crate::rules::RuleError> {
    let words: Vec<&str> = line.split_whitespace().collect();
    parse(&words, &NoResolver)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn print_then_parse_is_identity(op in op(false)) {
        let line = op.to_string();
        prop_assert_eq!(reparse(&line), Ok(Command::Change(op.clone())), "{}", line);
        prop_assert_eq!(parse_line(&line, &NoResolver), Ok(Some(Command::Change(op))));
    }

    #[test]
    fn thresholds_survive_with_keep_thresholds(op in op(true)) {
        let format = SaveFormat { names: &Numeric, keep_thresholds: true };
        let line = op_line(&op, format);
        prop_assert_eq!(reparse(&line), Ok(Command::Change(op)), "{}", line);
    }

    /// Whatever ipvsadm accepts, its canonical line means the same change (up to what
    /// `-S` does not save: `-M` without `-p`).
    #[test]
    fn canonical_form_is_a_fixpoint(words in prop::collection::vec(prop::sample::select(WORDS), 1..10)) {
        if let Ok(Command::Change(op)) = parse(&words, &NoResolver) {
            let op = without_unsaved(op);
            let format = SaveFormat { names: &Numeric, keep_thresholds: true };
            let line = op_line(&op, format);
            let sched_flags_unprintable = matches!(&op, Op::AddService(s) | Op::EditService(s)
                if s.flags & SCHED_MASK != 0 && format_sched_flags(&s.scheduler, s.flags).is_empty());
            if !sched_flags_unprintable {
                prop_assert_eq!(reparse(&line), Ok(Command::Change(op)), "{:?} -> {}", words, line);
            }
        }
    }

    #[test]
    fn parser_never_panics_on_any_words(words in prop::collection::vec(".{0,12}", 0..10)) {
        let _ = parse(&words, &NoResolver);
    }

    #[test]
    fn parser_never_panics_on_option_soup(words in prop::collection::vec(
        prop_oneof![prop::sample::select(WORDS).prop_map(str::to_string), "-{1,2}[a-zA-Z0-9=:,\\[\\]-]{0,10}"], 0..12)) {
        let _ = parse(&words, &NoResolver);
    }

    #[test]
    fn restore_never_panics_on_any_line(line in ".{0,80}") {
        let _ = parse_line(&line, &NoResolver);
    }
}

/// Drops what `-S` does not print, as the kernel's table then reads back.
fn without_unsaved(op: Op) -> Op {
    let reset = |mut s: ServiceConfig| {
        if !s.persistent() {
            s.netmask = match s.key.family() {
                Family::Inet => 0xffff_ffff,
                Family::Inet6 => 128,
            };
        }
        s
    };
    match op {
        Op::AddService(s) => Op::AddService(reset(s)),
        Op::EditService(s) => Op::EditService(reset(s)),
        other => other,
    }
}

const WORDS: &[&str] = &[
    "-A",
    "-E",
    "-D",
    "-C",
    "-a",
    "-e",
    "-d",
    "-Z",
    "--set",
    "--start-daemon",
    "--stop-daemon",
    "master",
    "backup",
    "-t",
    "-u",
    "--sctp-service",
    "-f",
    "1",
    "0",
    "-6",
    "1.2.3.4:80",
    "1.2.3.4:0",
    "1.2.3.4",
    "[::1]:80",
    "[2001:db8::2]:8080",
    "10.1:8",
    "-s",
    "rr",
    "sh",
    "mh",
    "-p",
    "30",
    "-M",
    "255.255.255.0",
    "64",
    "-r",
    "5.6.7.8",
    "5.6.7.8:8080",
    "[::2]:80",
    "-g",
    "-i",
    "-m",
    "-w",
    "65536",
    "-x",
    "-y",
    "100",
    "-o",
    "--pe",
    "sip",
    "-b",
    "sh-port",
    "flag-3",
    "flag-1,flag-2",
    "mh-port",
    "--mcast-interface",
    "eth1",
    "--syncid",
    "5",
    "--mcast-group",
    "239.1.1.1",
    "ff02::5",
    "--mcast-port",
    "8848",
    "--mcast-ttl",
    "2",
    "--sync-maxlen",
    "1400",
    "--tun-type",
    "gue",
    "gre",
    "ipip",
    "--tun-port",
    "6080",
    "--tun-nocsum",
    "--tun-csum",
    "--tun-remcsum",
    "-p5",
    "--weight=3",
];

/// Restore's hot path: numeric lines never reach the resolver and parse quickly.
#[test]
fn numeric_restore_never_resolves() {
    use crate::rules::Resolver;
    use std::cell::Cell;
    struct Counting(Cell<u32>);
    impl Resolver for Counting {
        fn host_v4(&self, _: &str) -> Option<Ipv4Addr> {
            self.0.set(self.0.get() + 1);
            None
        }
        fn service_port(&self, _: &str, _: Protocol) -> Option<u16> {
            self.0.set(self.0.get() + 1);
            None
        }
    }
    let counting = Counting(Cell::new(0));
    let started = std::time::Instant::now();
    for i in 0..10_000u32 {
        let [_, _, a, b] = i.to_be_bytes();
        let line = format!("-a -t 10.0.{a}.{b}:80 -r 192.168.{b}.{a}:8080 -m -w 3");
        let parsed = parse_line(&line, &counting);
        assert!(
            matches!(parsed, Ok(Some(Command::Change(Op::AddDest(..))))),
            "{line}"
        );
        let line = format!("-A -t [2001:db8::{i:x}]:443 -s sh -b sh-port -p 30 -M 64");
        assert!(parse_line(&line, &counting).is_ok(), "{line}");
    }
    assert_eq!(counting.0.get(), 0);
    eprintln!("20000 restore lines parsed in {:?}", started.elapsed());
}
