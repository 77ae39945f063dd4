//! lvsdeck's ipvsadm formatters against the bytes the real ipvsadm 1.31 printed in the lab VM
//! (`tests/fixtures/ipvsadm/capture.sh` holds the exact commands that built the table).

// Tests and benches state what they expect with unwrap/expect/panic (the lints are for
// the library; see Cargo.toml).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use lvsdeck::adm::{self, NameTable, NoNames};
use lvsdeck::ipvs::{
    svc_flags, tun_flags, Connection, Daemon, DaemonState, Dest, DestConfig, Family, Forward, Info,
    Protocol, Service, ServiceConfig, ServiceEntry, ServiceKey, Stats, Timeouts, TunnelType,
};
use lvsdeck::rules::ListOptions;

fn fixture(name: &str) -> String {
    let path = format!(
        "{}/tests/fixtures/ipvsadm/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn ip(s: &str) -> IpAddr {
    s.parse().unwrap()
}

fn addr_key(protocol: Protocol, addr: &str, port: u16) -> ServiceKey {
    ServiceKey::Addr {
        protocol,
        addr: ip(addr),
        port,
    }
}

fn fwmark(mark: u32, family: Family) -> ServiceKey {
    ServiceKey::Fwmark { mark, family }
}

/// A service as ipvsadm's options set it: scheduler, then tweaks.
fn svc(key: ServiceKey, sched: &str, tweak: impl FnOnce(&mut ServiceConfig)) -> ServiceConfig {
    let mut c = ServiceConfig::new(key);
    c.scheduler = sched.to_string();
    tweak(&mut c);
    c
}

fn persistent(c: &mut ServiceConfig, timeout: u32) {
    c.flags |= svc_flags::PERSISTENT;
    c.timeout = timeout;
}

fn dest(addr: &str, port: u16, forward: Forward, weight: u32) -> DestConfig {
    let mut d = DestConfig::new(ip(addr), port);
    d.forward = forward;
    d.weight = weight;
    d
}

fn thresholds(mut d: DestConfig, upper: u32, lower: u32) -> DestConfig {
    d.u_threshold = upper;
    d.l_threshold = lower;
    d
}

fn tunnel(mut d: DestConfig, kind: TunnelType, port: u16, flags: u16) -> DestConfig {
    d.tun_type = kind;
    d.tun_port = port;
    d.tun_flags = flags;
    d
}

fn entry(config: ServiceConfig, dests: Vec<DestConfig>) -> ServiceEntry {
    ServiceEntry {
        service: Service {
            config,
            stats: Stats::default(),
        },
        dests: dests
            .into_iter()
            .map(|config| Dest {
                config,
                active_conns: 0,
                inact_conns: 0,
                persist_conns: 0,
                stats: Stats::default(),
            })
            .collect(),
    }
}

/// The lab table, services and servers in the kernel's order (as `--nosort` showed it).
fn lab_table() -> Vec<ServiceEntry> {
    use Forward::*;
    use Protocol::*;
    vec![
        entry(
            svc(addr_key(Udp, "192.0.2.30", 5060), "rr", |c| {
                persistent(c, 60);
                c.pe_name = Some("sip".into());
            }),
            vec![dest("198.51.100.8", 5060, Masq, 1)],
        ),
        entry(
            svc(addr_key(Udp, "2001:db8::40", 53), "dh", |c| {
                c.flags |= svc_flags::ONEPACKET
            }),
            vec![],
        ),
        entry(
            svc(addr_key(Tcp, "192.0.2.50", 8443), "mh", |c| {
                c.flags |= svc_flags::SCHED1 | svc_flags::SCHED2
            }),
            vec![dest("198.51.100.15", 8443, Route, 1)],
        ),
        entry(
            svc(addr_key(Tcp, "2001:db8::10", 80), "sed", |_| {}),
            vec![
                thresholds(dest("2001:db8::11", 80, Masq, 7), 50, 5),
                dest("2001:db8::2", 80, Route, 1),
                dest("198.51.100.18", 80, Tunnel, 1),
            ],
        ),
        entry(
            svc(addr_key(Tcp, "192.0.2.40", 443), "sh", |c| {
                c.flags |= svc_flags::SCHED1 | svc_flags::SCHED2
            }),
            vec![
                dest("198.51.100.14", 443, Tunnel, 2),
                tunnel(
                    dest("198.51.100.13", 443, Tunnel, 1),
                    TunnelType::Gre,
                    0,
                    tun_flags::NOCSUM,
                ),
                tunnel(
                    dest("198.51.100.12", 443, Tunnel, 1),
                    TunnelType::Gre,
                    0,
                    tun_flags::CSUM,
                ),
                tunnel(
                    dest("198.51.100.11", 443, Tunnel, 1),
                    TunnelType::Gue,
                    6082,
                    tun_flags::NOCSUM,
                ),
                tunnel(
                    dest("198.51.100.10", 443, Tunnel, 1),
                    TunnelType::Gue,
                    6081,
                    tun_flags::REMCSUM,
                ),
                tunnel(
                    dest("198.51.100.9", 443, Tunnel, 1),
                    TunnelType::Gue,
                    6080,
                    tun_flags::CSUM,
                ),
            ],
        ),
        entry(
            svc(addr_key(Sctp, "192.0.2.10", 3868), "lc", |_| {}),
            vec![dest("198.51.100.6", 3868, Route, 1)],
        ),
        entry(
            svc(
                addr_key(Tcp, "2001:db8:1234:5678:9abc:def0:1234:5678", 65535),
                "fo",
                |c| {
                    persistent(c, 300);
                    c.netmask = 64;
                },
            ),
            vec![dest(
                "2001:db8:1234:5678:9abc:def0:1234:5679",
                65535,
                Masq,
                1,
            )],
        ),
        entry(
            svc(addr_key(Udp, "192.0.2.70", 514), "nq", |c| {
                persistent(c, 360);
                c.flags |= svc_flags::ONEPACKET;
            }),
            vec![],
        ),
        entry(
            svc(addr_key(Tcp, "192.0.2.10", 80), "rr", |_| {}),
            vec![
                dest("127.0.0.1", 80, Route, 1),
                dest("198.51.100.1", 80, Route, 1),
                dest("198.51.100.2", 8080, Masq, 0),
                dest("198.51.100.3", 80, Tunnel, 65535),
            ],
        ),
        entry(
            svc(addr_key(Sctp, "2001:db8::30", 2905), "ovf", |_| {}),
            vec![],
        ),
        entry(
            svc(addr_key(Tcp, "192.0.2.20", 0), "wrr", |c| {
                persistent(c, 600);
                c.netmask = u32::from(Ipv4Addr::new(255, 255, 255, 0));
            }),
            vec![dest("198.51.100.7", 0, Route, 5)],
        ),
        entry(
            svc(addr_key(Tcp, "192.0.2.60", 25), "wlc", |c| {
                c.flags |= svc_flags::SCHED1 | svc_flags::SCHED3
            }),
            vec![],
        ),
        entry(
            svc(addr_key(Udp, "192.0.2.10", 53), "wlc", |c| {
                c.flags |= svc_flags::ONEPACKET
            }),
            vec![
                thresholds(dest("198.51.100.4", 5353, Masq, 3), 100, 10),
                thresholds(dest("198.51.100.5", 53, Masq, 2), 2000, 0),
            ],
        ),
        entry(
            svc(fwmark(1, Family::Inet), "rr", |_| {}),
            vec![
                dest("198.51.100.16", 8080, Masq, 4),
                dest("198.51.100.17", 0, Route, 1),
            ],
        ),
        entry(
            svc(fwmark(2, Family::Inet6), "lblc", |c| {
                persistent(c, 120);
                c.netmask = 64;
            }),
            vec![dest("2001:db8::20", 80, Masq, 1)],
        ),
    ]
}

const INFO: Info = Info {
    version: 0x010201,
    conn_tab_size: 4096,
};

fn numeric() -> ListOptions {
    ListOptions {
        numeric: true,
        ..ListOptions::default()
    }
}

/// The names the lab VM knew: its /etc/hosts additions and Debian's /etc/services entries for
/// the ports in the table (ports absent here have no entry for that protocol there).
fn lab_names() -> NameTable {
    let mut names = NameTable::default();
    for (addr, name) in [
        ("127.0.0.1", "localhost"),
        ("::1", "localhost"),
        ("192.0.2.10", "vip.example"),
        ("198.51.100.1", "web1.example"),
        ("198.51.100.2", "a-rather-long-real-server-name.example"),
        ("192.0.2.40", "a-long-virtual-service-host-name.example"),
        ("2001:db8::11", "web6.example"),
    ] {
        names.hosts.insert(ip(addr), name.to_string());
    }
    for (port, proto, name) in [
        (80, Protocol::Tcp, "http"),
        (443, Protocol::Tcp, "https"),
        (8080, Protocol::Tcp, "http-alt"),
        (8081, Protocol::Tcp, "tproxy"),
        (25, Protocol::Tcp, "smtp"),
        (53, Protocol::Udp, "domain"),
        (5353, Protocol::Udp, "mdns"),
        (5060, Protocol::Udp, "sip"),
        (514, Protocol::Udp, "syslog"),
    ] {
        names.services.insert((port, proto), name.to_string());
    }
    names
}

fn list(opts: ListOptions) -> String {
    adm::list_all(&lab_table(), &INFO, &opts, &NoNames)
}

#[test]
fn default_listing() {
    assert_eq!(list(numeric()), fixture("Ln.txt"));
}

#[test]
fn nosort_keeps_kernel_order() {
    let opts = ListOptions {
        nosort: true,
        ..numeric()
    };
    assert_eq!(list(opts), fixture("Ln-nosort.txt"));
}

#[test]
fn stats_rate_thresholds_persistent_tuninfo_exact() {
    type Case = (&'static str, fn(&mut ListOptions));
    let cases: [Case; 6] = [
        ("Ln-stats.txt", |o| o.stats = true),
        ("Ln-rate.txt", |o| o.rate = true),
        ("Ln-thresholds.txt", |o| o.thresholds = true),
        ("Ln-persistent-conn.txt", |o| o.persistent_conn = true),
        ("Ln-tun-info.txt", |o| o.tun_info = true),
        ("Ln-exact-stats.txt", |o| {
            o.exact = true;
            o.stats = true
        }),
    ];
    for (name, set) in cases {
        let mut opts = numeric();
        set(&mut opts);
        assert_eq!(list(opts), fixture(name), "{name}");
    }
}

#[test]
fn one_service() {
    let table = lab_table();
    let find = |key: ServiceKey| {
        table
            .iter()
            .find(|e| e.service.config.key == key)
            .unwrap()
            .clone()
    };
    let cases = [
        (
            addr_key(Protocol::Tcp, "192.0.2.40", 443),
            "Ln-service-tcp.txt",
        ),
        (fwmark(2, Family::Inet6), "Ln-service-fwm6.txt"),
        (
            addr_key(Protocol::Tcp, "2001:db8::10", 80),
            "Ln-service-tcp6.txt",
        ),
    ];
    for (key, name) in cases {
        let opts = ListOptions {
            service: Some(key),
            ..numeric()
        };
        assert_eq!(
            adm::list_service(&find(key), &opts, &NoNames),
            fixture(name),
            "{name}"
        );
    }
    let named = adm::list_service(
        &find(addr_key(Protocol::Tcp, "192.0.2.10", 80)),
        &ListOptions::default(),
        &lab_names(),
    );
    assert_eq!(named, fixture("L-service-tcp.txt"));
}

#[test]
fn names_without_numeric() {
    let names = lab_names();
    let table = lab_table();
    assert_eq!(
        adm::list_all(&table, &INFO, &ListOptions::default(), &names),
        fixture("L.txt")
    );
    let stats = ListOptions {
        stats: true,
        ..ListOptions::default()
    };
    assert_eq!(
        adm::list_all(&table, &INFO, &stats, &names),
        fixture("L-stats.txt")
    );
    assert_eq!(
        adm::save(&table, &ListOptions::default(), &names),
        fixture("S.txt")
    );
}

#[test]
fn save_numeric() {
    assert_eq!(
        adm::save(&lab_table(), &numeric(), &NoNames),
        fixture("Sn.txt")
    );
}

#[test]
fn numeric_resolver_equals_dash_n() {
    let table = lab_table();
    assert_eq!(
        adm::list_all(&table, &INFO, &ListOptions::default(), &NoNames),
        adm::list_all(&table, &INFO, &numeric(), &lab_names())
    );
}

/// `--save-thresholds`: the exact lines the lab fed to the real `ipvsadm -R` (which accepted
/// them and listed the thresholds back, see restore-thresholds.txt).
#[test]
fn save_thresholds_form_was_accepted_by_ipvsadm() {
    let table: Vec<ServiceEntry> = lab_table()
        .into_iter()
        .filter_map(|mut e| match e.service.config.key {
            ServiceKey::Addr { port: 53, .. } if e.service.config.key.family() == Family::Inet => {
                Some(e)
            }
            ServiceKey::Addr { port: 443, .. } => {
                e.service.config.flags = 0;
                e.dests.retain(|d| {
                    d.config.addr == ip("198.51.100.9") || d.config.addr == ip("198.51.100.12")
                });
                for d in &mut e.dests {
                    if d.config.addr == ip("198.51.100.9") {
                        d.config.u_threshold = 7;
                        d.config.l_threshold = 3;
                    } else {
                        d.config.tun_flags = tun_flags::NOCSUM;
                    }
                }
                Some(e)
            }
            _ => None,
        })
        .collect();
    let opts = ListOptions {
        keep_thresholds: true,
        nosort: true,
        ..numeric()
    };
    let mut saved: Vec<String> = adm::save(&table, &opts, &NoNames)
        .lines()
        .map(String::from)
        .collect();
    let mut fed: Vec<String> = fixture("restore-thresholds-input.txt")
        .lines()
        .map(String::from)
        .collect();
    saved.sort();
    fed.sort();
    assert_eq!(saved, fed);
}

#[test]
fn ipvsadm_overflowing_sort_is_not_copied() {
    // ipvsadm printed these in its overflowed order; lvsdeck's numeric order is the reverse
    // for the two address services and puts fwmark 1 before fwmark 3000000000.
    let table = vec![
        entry(
            svc(addr_key(Protocol::Tcp, "10.0.0.1", 80), "wlc", |_| {}),
            vec![
                dest("200.0.0.2", 80, Forward::Route, 1),
                dest("10.0.0.2", 80, Forward::Route, 1),
            ],
        ),
        entry(
            svc(fwmark(3_000_000_000, Family::Inet), "wlc", |_| {}),
            vec![],
        ),
        entry(svc(fwmark(1, Family::Inet), "wlc", |_| {}), vec![]),
        entry(
            svc(addr_key(Protocol::Tcp, "200.0.0.1", 80), "wlc", |_| {}),
            vec![],
        ),
    ];
    let real: Vec<String> = fixture("overflow-Sn.txt")
        .lines()
        .map(String::from)
        .collect();
    let ours: Vec<String> = adm::save(&table, &numeric(), &NoNames)
        .lines()
        .map(String::from)
        .collect();
    // Same lines apart from the mark ipvsadm prints signed...
    let fix_mark = |l: &String| l.replace("-1294967296", "3000000000");
    let mut a: Vec<String> = real.iter().map(fix_mark).collect();
    let mut b = ours.clone();
    a.sort();
    b.sort();
    assert_eq!(a, b);
    // ...in numeric order.
    assert_eq!(
        ours,
        [
            "-A -t 10.0.0.1:80 -s wlc",
            "-a -t 10.0.0.1:80 -r 10.0.0.2:80 -g -w 1",
            "-a -t 10.0.0.1:80 -r 200.0.0.2:80 -g -w 1",
            "-A -t 200.0.0.1:80 -s wlc",
            "-A -f 1 -s wlc",
            "-A -f 3000000000 -s wlc",
        ]
    );
}

#[test]
fn help_and_version() {
    assert_eq!(
        adm::help("ipvsadm", &adm::help::ipvsadm_version_line()),
        fixture("help.txt")
    );
    assert_eq!(adm::help::ipvsadm_version_line(), fixture("version.txt"));
    let ours = adm::version_line();
    assert!(ours.starts_with(&format!("lvsdeck v{} (", env!("CARGO_PKG_VERSION"))));
    let own_help = adm::help("/usr/sbin/lvsdeck", &ours);
    assert!(own_help.starts_with(&ours));
    assert!(own_help.contains("\n  /usr/sbin/lvsdeck -S [-n]\n"));
}

#[test]
fn timeouts_and_daemons() {
    let t = Timeouts {
        tcp: 900,
        tcp_fin: 120,
        udp: 300,
    };
    assert_eq!(adm::list_timeouts(&t), fixture("Ln-timeout.txt"));
    let t = Timeouts {
        tcp: 1000,
        tcp_fin: 100,
        udp: 200,
    };
    assert_eq!(adm::list_timeouts(&t), fixture("Ln-timeout-set.txt"));
    let daemons = [
        Daemon {
            state: DaemonState::Master,
            mcast_ifn: "lo".into(),
            syncid: 7,
            sync_maxlen: Some(1472),
            mcast_group: Some(ip("224.0.0.81")),
            mcast_port: Some(8848),
            mcast_ttl: Some(1),
        },
        Daemon {
            state: DaemonState::Backup,
            mcast_ifn: "lo".into(),
            syncid: 9,
            sync_maxlen: Some(1400),
            mcast_group: Some(ip("239.1.2.3")),
            mcast_port: Some(8849),
            mcast_ttl: Some(3),
        },
    ];
    assert_eq!(adm::list_daemons(&daemons), fixture("Ln-daemon.txt"));
}

/// A minimal reader of /proc/net/ip_vs_conn for this test only (the real one is in `ipvs`).
fn parse_proc_conns(text: &str) -> Vec<Connection> {
    fn addr(s: &str) -> IpAddr {
        if s.contains(':') {
            IpAddr::V6(s.parse::<Ipv6Addr>().unwrap())
        } else {
            IpAddr::V4(Ipv4Addr::from(u32::from_str_radix(s, 16).unwrap()))
        }
    }
    let port = |s: &str| u16::from_str_radix(s, 16).unwrap();
    text.lines()
        .skip(1)
        .map(|line| {
            let f: Vec<&str> = line.split_whitespace().collect();
            Connection {
                protocol: f[0].to_string(),
                client_addr: addr(f[1]),
                client_port: port(f[2]),
                virtual_addr: addr(f[3]),
                virtual_port: port(f[4]),
                dest_addr: addr(f[5]),
                dest_port: port(f[6]),
                state: f[7].to_string(),
                expires: f[8].parse().unwrap(),
                pe_name: f.get(9).map(|s| s.to_string()),
                pe_data: f.get(10).map(|s| s.to_string()),
            }
        })
        .collect()
}

#[test]
fn connections_after_real_traffic() {
    let conns = parse_proc_conns(&fixture("ip_vs_conn.txt"));
    assert_eq!(conns.len(), 7);
    let names = lab_names();
    let cases = [
        (true, false, "Lnc.txt"),
        (false, false, "Lc.txt"),
        (true, true, "Lnc-persistent-conn.txt"),
        (false, true, "Lc-persistent-conn.txt"),
    ];
    for (numeric, persistent_conn, name) in cases {
        let opts = ListOptions {
            numeric,
            connections: true,
            persistent_conn,
            ..ListOptions::default()
        };
        assert_eq!(
            adm::list_connections(&conns, &opts, &names),
            fixture(name),
            "{name}"
        );
    }
}

#[test]
fn traffic_counters() {
    let mut table = vec![
        entry(
            svc(addr_key(Protocol::Tcp, "198.51.100.100", 80), "rr", |_| {}),
            vec![
                dest("127.0.0.1", 8080, Forward::Masq, 1),
                dest("127.0.0.1", 8081, Forward::Masq, 1),
            ],
        ),
        entry(
            svc(addr_key(Protocol::Udp, "198.51.100.100", 5060), "rr", |c| {
                persistent(c, 60);
                c.pe_name = Some("sip".into());
            }),
            vec![dest("127.0.0.1", 5070, Forward::Masq, 1)],
        ),
        entry(
            svc(addr_key(Protocol::Tcp, "2001:db8::100", 80), "rr", |_| {}),
            vec![dest("::1", 8082, Forward::Masq, 1)],
        ),
    ];
    let counters = |conns, inpkts, outpkts, inbytes, outbytes| Stats {
        conns,
        inpkts,
        outpkts,
        inbytes,
        outbytes,
        ..Stats::default()
    };
    table[0].service.stats = counters(4, 27, 21, 1744, 1976);
    table[0].dests[0].stats = counters(2, 14, 10, 898, 962);
    table[0].dests[1].stats = counters(2, 13, 11, 846, 1014);
    table[1].service.stats = counters(1, 7, 7, 504, 700);
    table[1].dests[0].stats = counters(1, 7, 7, 504, 700);
    table[2].service.stats = counters(1, 6, 6, 518, 653);
    table[2].dests[0].stats = counters(1, 6, 6, 518, 653);
    let opts = ListOptions {
        stats: true,
        ..numeric()
    };
    assert_eq!(
        adm::list_all(&table, &INFO, &opts, &NoNames),
        fixture("traffic-Ln-stats.txt")
    );
}
