//! The /proc readers against text captured from a real kernel (Debian 6.1 in the lab VM, see
//! tests/fixtures/proc/capture.sh), checked against what ipvsadm 1.31 printed for the same
//! table in the same capture.

// Tests and benches state what they expect with unwrap/expect/panic (the lints are for
// the library; see Cargo.toml).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use lvsdeck::ipvs::conn::{self, Origin};
use lvsdeck::ipvs::procfs;
use lvsdeck::ipvs::{Connection, Forward, ServiceKey};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/proc")
        .join(name)
}

fn text(name: &str) -> String {
    std::fs::read_to_string(fixture(name)).unwrap()
}

/// ipvsadm's `addr:port` / `[addr]:port`.
fn sockaddr(s: &str) -> SocketAddr {
    s.parse()
        .unwrap_or_else(|_| panic!("{s:?} is not ADDR:PORT"))
}

/// One `ipvsadm -Lnc` line: protocol, expire mm:ss, state, source, virtual, destination,
/// then pe name and data with --persistent-conn.
struct AdmConn {
    protocol: String,
    expires: u32,
    state: String,
    client: SocketAddr,
    virt: SocketAddr,
    dest: SocketAddr,
    pe: Option<(String, String)>,
}

fn adm_conns(name: &str) -> Vec<AdmConn> {
    text(name)
        .lines()
        .skip(2)
        .map(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            let (m, s) = f[1].split_once(':').unwrap();
            AdmConn {
                protocol: f[0].to_string(),
                expires: m.parse::<u32>().unwrap() * 60 + s.parse::<u32>().unwrap(),
                state: f[2].to_string(),
                client: sockaddr(f[3]),
                virt: sockaddr(f[4]),
                dest: sockaddr(f[5]),
                pe: (f.len() == 8).then(|| (f[6].to_string(), f[7].to_string())),
            }
        })
        .collect()
}

fn assert_same_conn(c: &Connection, a: &AdmConn) {
    assert_eq!(c.protocol, a.protocol);
    assert_eq!(c.state, a.state);
    assert_eq!(SocketAddr::new(c.client_addr, c.client_port), a.client);
    assert_eq!(SocketAddr::new(c.virtual_addr, c.virtual_port), a.virt);
    assert_eq!(SocketAddr::new(c.dest_addr, c.dest_port), a.dest);
    // Two reads one after the other: a second may tick between them.
    assert!(
        c.expires.abs_diff(a.expires) <= 1,
        "expires {} vs ipvsadm {}",
        c.expires,
        a.expires
    );
}

#[test]
fn connections_match_ipvsadm_lnc() {
    let conns: Vec<Connection> = conn::read_conns(&fixture("ip_vs_conn.txt"))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let adm = adm_conns("ipvsadm-Lnc-pe.txt");
    assert_eq!(conns.len(), adm.len());
    assert_eq!(conns.len(), text("ip_vs_conn.txt").lines().count() - 1);
    for (c, a) in conns.iter().zip(&adm) {
        assert_same_conn(c, a);
        let pe = c.pe_name.clone().zip(c.pe_data.clone());
        assert_eq!(pe, a.pe);
    }
    // The capture has each kind the parser must handle.
    assert!(conns.iter().any(|c| c.client_addr.is_ipv6()));
    assert!(conns.iter().any(|c| c.client_addr.is_ipv4()));
    assert!(conns.iter().any(|c| c.pe_name.is_some()));
    assert!(conns.iter().any(|c| c.state == "ESTABLISHED"));
    // Without --persistent-conn ipvsadm prints the same entries.
    for (c, a) in conns.iter().zip(&adm_conns("ipvsadm-Lnc.txt")) {
        assert_same_conn(c, a);
    }
}

#[test]
fn sync_file_lists_the_same_connections() {
    let plain: Vec<Connection> = conn::read_conns(&fixture("ip_vs_conn.txt"))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let sync: Vec<_> = conn::read_sync_conns(&fixture("ip_vs_conn_sync.txt"))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(plain.len(), sync.len());
    for (p, s) in plain.iter().zip(&sync) {
        assert_eq!(s.origin, Origin::Local, "no sync daemon ran in the capture");
        let strip = |c: &Connection| Connection {
            pe_name: None,
            pe_data: None,
            expires: 0,
            ..c.clone()
        };
        assert_eq!(strip(&s.conn), strip(p));
        assert!(s.conn.expires.abs_diff(p.expires) <= 1);
    }
}

#[tokio::test]
async fn background_scan_of_the_capture() {
    let established = conn::ConnFilter {
        state: Some("established".into()),
        ..Default::default()
    };
    let mut scan = conn::spawn_scan(
        fixture("ip_vs_conn.txt"),
        established.clone(),
        conn::ScanOptions::default(),
    );
    let mut got = Vec::new();
    let summary = loop {
        match scan.events.recv().await.unwrap() {
            conn::ScanEvent::Batch(b) => got.extend(b),
            conn::ScanEvent::Done(s) => break s,
            conn::ScanEvent::Failed(e) => panic!("{e}"),
        }
    };
    let adm = adm_conns("ipvsadm-Lnc.txt");
    let adm_established: Vec<&AdmConn> = adm.iter().filter(|a| a.state == "ESTABLISHED").collect();
    assert_eq!(got.len(), adm_established.len());
    for (c, a) in got.iter().zip(adm_established) {
        assert_same_conn(c, a);
    }
    assert_eq!(summary.lines, adm.len() as u64);
    assert_eq!(summary.malformed, 0);
    for a in &adm {
        let n = adm.iter().filter(|b| b.state == a.state).count() as u64;
        assert_eq!(summary.states.get(&a.state), n, "{}", a.state);
    }
}

/// What `ipvsadm -Ln` says of one service, in a form /proc's can be compared with.
#[derive(Debug, PartialEq, Eq)]
struct AdmService {
    scheduler: String,
    ops: bool,
    /// (seconds, mask as printed after "mask", if any)
    persistent: Option<(u32, Option<String>)>,
    /// (real server, forward, weight, active, inactive)
    dests: Vec<(SocketAddr, String, u32, u32, u32)>,
}

/// `ipvsadm -Ln` keyed by how it prints the service (`TCP 198.51.100.10:80`, `FWM 43 IPv6`).
fn adm_services() -> BTreeMap<String, AdmService> {
    let mut out = BTreeMap::new();
    let mut current: Option<String> = None;
    for l in text("ipvsadm-Ln.txt").lines().skip(3) {
        let f: Vec<&str> = l.split_whitespace().collect();
        if f[0] == "->" {
            let svc: &mut AdmService = out.get_mut(current.as_ref().unwrap()).unwrap();
            svc.dests.push((
                sockaddr(f[1]),
                f[2].to_string(),
                f[3].parse().unwrap(),
                f[4].parse().unwrap(),
                f[5].parse().unwrap(),
            ));
            continue;
        }
        let (key, rest) = if f[0] == "FWM" && f.get(2) == Some(&"IPv6") {
            (format!("FWM {} IPv6", f[1]), &f[3..])
        } else {
            (format!("{} {}", f[0], f[1]), &f[2..])
        };
        let mut svc = AdmService {
            scheduler: rest[0].to_string(),
            ops: false,
            persistent: None,
            dests: Vec::new(),
        };
        let mut i = 1;
        while i < rest.len() {
            match rest[i] {
                "ops" => svc.ops = true,
                "persistent" => {
                    let secs = rest[i + 1].parse().unwrap();
                    let mask = (rest.get(i + 2) == Some(&"mask")).then(|| rest[i + 3].to_string());
                    i += if mask.is_some() { 3 } else { 1 };
                    svc.persistent = Some((secs, mask));
                }
                "pe" => i += 1, // not in /proc
                other => panic!("unknown ipvsadm flag {other}"),
            }
            i += 1;
        }
        current = Some(key.clone());
        out.insert(key, svc);
    }
    out
}

fn ipv4_mask(m: u32) -> String {
    std::net::Ipv4Addr::from(m).to_string()
}

#[test]
fn service_table_matches_ipvsadm_ln() {
    let hz = procfs::hz_from_config(&text("kernel-config.txt")).unwrap();
    let table = procfs::read_table(&fixture("ip_vs.txt"), hz).unwrap();
    assert_eq!(table.info.version_string(), "1.2.1");
    assert_eq!(table.info.conn_tab_size, 4096);
    let adm = adm_services();

    let mut seen = BTreeMap::new();
    for entry in &table.services {
        let c = &entry.service.config;
        let key = match c.key {
            ServiceKey::Addr {
                protocol,
                addr,
                port,
            } => format!("{protocol:?} {}", SocketAddr::new(addr, port)).to_uppercase(),
            ServiceKey::Fwmark { mark, family } => match family {
                lvsdeck::ipvs::Family::Inet => format!("FWM {mark}"),
                lvsdeck::ipvs::Family::Inet6 => format!("FWM {mark} IPv6"),
            },
        };
        let full_mask = match c.key.family() {
            lvsdeck::ipvs::Family::Inet => 0xffff_ffff,
            lvsdeck::ipvs::Family::Inet6 => 128,
        };
        let persistent = c.persistent().then(|| {
            let mask = (c.netmask != full_mask).then(|| ipv4_mask(c.netmask));
            (c.timeout, mask)
        });
        let dests = entry
            .dests
            .iter()
            .map(|d| {
                let fwd = match d.config.forward {
                    Forward::Masq => "Masq",
                    Forward::Local => "Local",
                    Forward::Tunnel => "Tunnel",
                    Forward::Route => "Route",
                };
                (
                    SocketAddr::new(d.config.addr, d.config.port),
                    fwd.to_string(),
                    d.config.weight,
                    d.active_conns,
                    d.inact_conns,
                )
            })
            .collect();
        let svc = AdmService {
            scheduler: c.scheduler.clone(),
            ops: c.one_packet(),
            persistent,
            dests,
        };
        seen.insert(key, svc);
    }
    // Keys: one case for both. Real servers: ipvsadm sorts them, /proc is in kernel order.
    let normalise = |m: BTreeMap<String, AdmService>| -> BTreeMap<String, AdmService> {
        m.into_iter()
            .map(|(k, mut v)| {
                v.dests.sort();
                (k.to_uppercase(), v)
            })
            .collect()
    };
    let (adm, seen) = (normalise(adm), normalise(seen));
    assert_eq!(seen.len(), 10, "the capture's services");
    assert_eq!(seen, adm);
}

/// `ipvsadm -Ln --stats --exact` / `--rate --exact`: the five numbers of each service line.
fn adm_service_rows(name: &str) -> Vec<[u64; 5]> {
    text(name)
        .lines()
        .skip(3)
        .filter(|l| !l.trim_start().starts_with("->"))
        .map(|l| {
            let f: Vec<u64> = l
                .split_whitespace()
                .rev()
                .take(5)
                .map(|v| v.parse().unwrap())
                .collect();
            [f[4], f[3], f[2], f[1], f[0]]
        })
        .collect()
}

#[test]
fn totals_match_the_sum_of_services() {
    let stats = procfs::read_stats(&fixture("ip_vs_stats.txt")).unwrap();
    let rows = adm_service_rows("ipvsadm-Ln-stats.txt");
    let sum = |i: usize| rows.iter().map(|r| r[i]).sum::<u64>();
    // Every counted packet is counted once in its service and once in the totals.
    assert_eq!(
        [
            stats.conns,
            stats.inpkts,
            stats.outpkts,
            stats.inbytes,
            stats.outbytes
        ],
        [sum(0), sum(1), sum(2), sum(3), sum(4)]
    );
    assert!(stats.conns > 0, "the capture has traffic");

    // Rates come from separate estimators, each rounded: the sum may be off by under one
    // per service.
    let rates = adm_service_rows("ipvsadm-Ln-rate.txt");
    let rate_sum = |i: usize| rates.iter().map(|r| r[i]).sum::<u64>();
    let total = [
        stats.cps,
        stats.inpps,
        stats.outpps,
        stats.inbps,
        stats.outbps,
    ];
    for (i, t) in total.iter().enumerate() {
        assert!(
            t.abs_diff(rate_sum(i)) <= rates.len() as u64,
            "rate {i}: total {t} vs services {}",
            rate_sum(i)
        );
    }
    assert!(stats.inbps > 0, "the capture has rates");
}

#[test]
fn ipvsadm_addresses_parse() {
    // Guard for the helpers above: the capture's service keys are the addresses we set up.
    let adm = adm_services();
    assert!(adm.contains_key("TCP [2001:db8::1]:80"));
    assert!(adm.contains_key("FWM 43 IPv6"));
    assert_eq!(
        adm["UDP 198.51.100.10:53"].dests[0].0,
        sockaddr("192.0.2.6:53")
    );
}
