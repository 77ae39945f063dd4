//! Real-kernel smoke test of the IPVS netlink client (run as root where `ip_vs` is loaded,
//! e.g. in the lab VM). It adds services of every kind, edits, lists, zeroes, flushes,
//! sets timeouts, runs sync daemons and provokes the mapped errors, checking each answer
//! against what it asked for. It prints `CHECK ok|FAIL <what>` lines, and between
//! `=== save ===` markers the table in `ipvsadm -Sn` form (sorted) and between
//! `=== thresholds ===` markers dest lines as `ipvsadm -Ln --thresholds` prints them, so a
//! script can diff both with ipvsadm's own output. Exit status 1 if any check failed.
//!
//! Usage: netlink_smoke [populate|check|cleanup]   (default: all three in a row)
//! `populate` leaves the table in place for ipvsadm to list; `check` compares and tests.

// Tests and benches state what they expect with unwrap/expect/panic (the lints are for
// the library; see Cargo.toml).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::process::ExitCode;

use lvsdeck::ipvs::error::IpvsError;
use lvsdeck::ipvs::netlink::Client;
use lvsdeck::ipvs::{
    svc_flags, tun_flags, Daemon, DaemonState, DestConfig, Family, Forward, Op, Protocol,
    ServiceConfig, ServiceEntry, ServiceKey, Timeouts, TunnelType,
};

fn v4(a: u8, b: u8, c: u8, d: u8) -> IpAddr {
    IpAddr::V4(Ipv4Addr::new(a, b, c, d))
}

fn v6(last: u16) -> IpAddr {
    IpAddr::V6(Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, last))
}

fn tcp(addr: IpAddr, port: u16) -> ServiceKey {
    ServiceKey::Addr {
        protocol: Protocol::Tcp,
        addr,
        port,
    }
}

fn dest(addr: IpAddr, port: u16, forward: Forward, weight: u32) -> DestConfig {
    DestConfig {
        forward,
        weight,
        ..DestConfig::new(addr, port)
    }
}

/// The table the smoke test builds: (service, its dests), after the edits.
fn scenario() -> Vec<(ServiceConfig, Vec<DestConfig>)> {
    let mut out = Vec::new();

    let mut s = ServiceConfig::new(tcp(v4(192, 0, 2, 1), 80));
    s.scheduler = "rr".into();
    let mut thresholds = dest(v4(192, 0, 2, 11), 8080, Forward::Masq, 3);
    thresholds.u_threshold = 100;
    thresholds.l_threshold = 10;
    out.push((
        s,
        vec![
            dest(v4(192, 0, 2, 10), 8080, Forward::Masq, 1),
            thresholds,
            dest(v4(192, 0, 2, 12), 80, Forward::Route, 0),
            dest(v4(192, 0, 2, 13), 80, Forward::Route, 65535),
        ],
    ));

    let mut s = ServiceConfig::new(ServiceKey::Addr {
        protocol: Protocol::Udp,
        addr: v4(192, 0, 2, 1),
        port: 53,
    });
    s.flags = svc_flags::ONEPACKET;
    out.push((s, vec![dest(v4(192, 0, 2, 20), 53, Forward::Masq, 1)]));

    let mut s = ServiceConfig::new(ServiceKey::Addr {
        protocol: Protocol::Sctp,
        addr: v4(192, 0, 2, 1),
        port: 9000,
    });
    s.scheduler = "sh".into();
    s.flags = svc_flags::SCHED1 | svc_flags::SCHED2;
    out.push((s, vec![dest(v4(192, 0, 2, 30), 9000, Forward::Masq, 2)]));

    let mut s = ServiceConfig::new(ServiceKey::Fwmark {
        mark: 7,
        family: Family::Inet,
    });
    s.scheduler = "lc".into();
    s.flags = svc_flags::PERSISTENT;
    s.timeout = 600;
    s.netmask = 0xffff_ff00;
    let mut ipip = dest(v4(198, 51, 100, 1), 0, Forward::Tunnel, 1);
    ipip.tun_type = TunnelType::Ipip;
    let mut gue = dest(v4(198, 51, 100, 2), 0, Forward::Tunnel, 1);
    gue.tun_type = TunnelType::Gue;
    gue.tun_port = 6080;
    gue.tun_flags = tun_flags::CSUM;
    let mut gue_rem = dest(v4(198, 51, 100, 3), 0, Forward::Tunnel, 1);
    gue_rem.tun_type = TunnelType::Gue;
    gue_rem.tun_port = 6081;
    gue_rem.tun_flags = tun_flags::REMCSUM;
    let mut gre = dest(v4(198, 51, 100, 4), 0, Forward::Tunnel, 1);
    gre.tun_type = TunnelType::Gre;
    gre.tun_flags = tun_flags::CSUM;
    let mut gre_plain = dest(v4(198, 51, 100, 5), 0, Forward::Tunnel, 1);
    gre_plain.tun_type = TunnelType::Gre;
    // A real server of the other family: only allowed with tunnel forwarding.
    let mut mixed = dest(v6(0x55), 0, Forward::Tunnel, 4);
    mixed.tun_type = TunnelType::Ipip;
    out.push((s, vec![ipip, gue, gue_rem, gre, gre_plain, mixed]));

    let mut s = ServiceConfig::new(tcp(v6(1), 443));
    s.scheduler = "wrr".into();
    s.flags = svc_flags::PERSISTENT;
    s.timeout = 300;
    s.netmask = 64;
    out.push((
        s,
        vec![
            dest(v6(0x10), 443, Forward::Masq, 1),
            dest(v6(0x11), 443, Forward::Route, 2),
        ],
    ));

    let mut s = ServiceConfig::new(ServiceKey::Fwmark {
        mark: 8,
        family: Family::Inet6,
    });
    s.scheduler = "mh".into();
    s.flags = svc_flags::SCHED2;
    out.push((s, vec![dest(v6(0x20), 0, Forward::Route, 1)]));

    let mut s = ServiceConfig::new(ServiceKey::Addr {
        protocol: Protocol::Udp,
        addr: v4(192, 0, 2, 5),
        port: 5060,
    });
    s.scheduler = "wlc".into();
    s.flags = svc_flags::PERSISTENT | svc_flags::ONEPACKET;
    s.timeout = 60;
    s.pe_name = Some("sip".into());
    out.push((s, vec![dest(v4(192, 0, 2, 50), 5060, Forward::Masq, 1)]));

    out
}

/// The ops that build `scenario()`, with two entries first added differently and then edited.
fn populate_ops() -> (Vec<Op>, Vec<Op>) {
    let mut adds = Vec::new();
    let mut edits = Vec::new();
    for (i, (svc, dests)) in scenario().into_iter().enumerate() {
        if i == 0 {
            // Added as wlc with the ops flag, then edited to plain rr.
            let mut first = svc.clone();
            first.scheduler = "wlc".into();
            first.flags = svc_flags::ONEPACKET;
            adds.push(Op::AddService(first));
            edits.push(Op::EditService(svc.clone()));
        } else {
            adds.push(Op::AddService(svc.clone()));
        }
        for (j, d) in dests.into_iter().enumerate() {
            if i == 0 && j == 1 {
                // Added without thresholds, then edited.
                adds.push(Op::AddDest(
                    svc.key,
                    DestConfig {
                        u_threshold: 0,
                        l_threshold: 0,
                        weight: 1,
                        ..d.clone()
                    },
                ));
                edits.push(Op::EditDest(svc.key, d));
            } else {
                adds.push(Op::AddDest(svc.key, d));
            }
        }
    }
    (adds, edits)
}

struct Checks {
    failed: usize,
}

impl Checks {
    fn check(&mut self, ok: bool, what: &str) {
        if ok {
            println!("CHECK ok   {what}");
        } else {
            self.failed += 1;
            println!("CHECK FAIL {what}");
        }
    }

    /// Checks that `r` failed with exactly `text`.
    fn check_err<T: std::fmt::Debug>(&mut self, r: Result<T, IpvsError>, text: &str, what: &str) {
        match r {
            Err(e) => {
                let got = e.to_string();
                self.check(
                    got == text,
                    &format!("{what}: {got:?} (errno {:?})", e.errno()),
                );
            }
            Ok(v) => self.check(false, &format!("{what}: unexpectedly succeeded: {v:?}")),
        }
    }
}

fn addrport(addr: &IpAddr, port: u16) -> String {
    match addr {
        IpAddr::V4(a) => format!("{a}:{port}"),
        IpAddr::V6(a) => format!("[{a}]:{port}"),
    }
}

/// The service part of an `ipvsadm -Sn` line.
fn save_name(key: &ServiceKey) -> String {
    match key {
        ServiceKey::Fwmark {
            mark,
            family: Family::Inet,
        } => format!("-f {mark}"),
        ServiceKey::Fwmark { mark, .. } => format!("-f {mark} -6"),
        ServiceKey::Addr {
            protocol,
            addr,
            port,
        } => {
            let opt = match protocol {
                Protocol::Tcp => "-t",
                Protocol::Udp => "-u",
                Protocol::Sctp => "--sctp-service",
            };
            format!("{opt} {}", addrport(addr, *port))
        }
    }
}

fn sched_flag_names(cfg: &ServiceConfig) -> Vec<&'static str> {
    let names: [(u32, &str); 3] = match cfg.scheduler.as_str() {
        "sh" => [
            (svc_flags::SCHED1, "sh-fallback"),
            (svc_flags::SCHED2, "sh-port"),
            (0, ""),
        ],
        "mh" => [
            (svc_flags::SCHED1, "mh-fallback"),
            (svc_flags::SCHED2, "mh-port"),
            (0, ""),
        ],
        _ => [
            (svc_flags::SCHED1, "flag-1"),
            (svc_flags::SCHED2, "flag-2"),
            (svc_flags::SCHED3, "flag-3"),
        ],
    };
    names
        .iter()
        .filter(|(bit, _)| *bit != 0 && cfg.flags & bit != 0)
        .map(|(_, n)| *n)
        .collect()
}

/// `ipvsadm -Sn` lines (a small re-implementation for comparison only).
fn save_lines(table: &[ServiceEntry]) -> Vec<String> {
    let mut lines = Vec::new();
    for e in table {
        let c = &e.service.config;
        let name = save_name(&c.key);
        let mut line = format!("-A {name} -s {}", c.scheduler);
        if c.persistent() {
            line += &format!(" -p {}", c.timeout);
            match c.key.family() {
                Family::Inet if c.netmask != 0xffff_ffff => {
                    line += &format!(" -M {}", Ipv4Addr::from(c.netmask))
                }
                Family::Inet6 if c.netmask != 128 => line += &format!(" -M {}", c.netmask),
                _ => {}
            }
        }
        if let Some(pe) = &c.pe_name {
            line += &format!(" --pe {pe}");
        }
        if c.one_packet() {
            line += " -o";
        }
        let flags = sched_flag_names(c);
        if !flags.is_empty() {
            line += &format!(" -b {}", flags.join(","));
        }
        lines.push(line);
        for d in &e.dests {
            let d = &d.config;
            let sw = match d.forward {
                Forward::Masq => "-m",
                Forward::Tunnel => "-i",
                Forward::Local | Forward::Route => "-g",
            };
            let mut line = format!(
                "-a {name} -r {} {sw} -w {}",
                addrport(&d.addr, d.port),
                d.weight
            );
            let flag_opt = match d.tun_flags {
                tun_flags::CSUM => "--tun-csum",
                tun_flags::REMCSUM => "--tun-remcsum",
                _ => "--tun-nocsum",
            };
            if d.forward == Forward::Tunnel {
                match d.tun_type {
                    TunnelType::Ipip => line += " --tun-type ipip",
                    TunnelType::Gue => {
                        line += &format!(" --tun-type gue --tun-port {} {flag_opt}", d.tun_port)
                    }
                    TunnelType::Gre => line += &format!(" --tun-type gre {flag_opt}"),
                }
            }
            lines.push(line);
        }
    }
    lines.sort();
    lines
}

/// Dest lines of `ipvsadm -Ln --thresholds`.
fn threshold_lines(table: &[ServiceEntry]) -> Vec<String> {
    let mut lines: Vec<String> = table
        .iter()
        .flat_map(|e| e.dests.iter())
        .map(|d| {
            let mut name = addrport(&d.config.addr, d.config.port);
            if d.config.family() == Family::Inet {
                name.truncate(28);
            }
            format!(
                "  -> {:<28} {:<10} {:<10} {:<10} {:<10}",
                name, d.config.u_threshold, d.config.l_threshold, d.active_conns, d.inact_conns
            )
        })
        .collect();
    lines.sort();
    lines
}

async fn populate(client: &Client, c: &mut Checks) {
    let (adds, edits) = populate_ops();
    let results = client.apply_all(&adds).await;
    let failed: Vec<_> = results
        .iter()
        .zip(&adds)
        .filter_map(|(r, op)| r.as_ref().err().map(|e| format!("{op:?}: {e}")))
        .collect();
    c.check(
        failed.is_empty(),
        &format!("apply_all of {} adds: {failed:?}", adds.len()),
    );
    for op in &edits {
        let r = client.apply(op).await;
        c.check(r.is_ok(), &format!("edit {op:?}: {r:?}"));
    }
}

async fn check(client: &Client, c: &mut Checks) {
    match client.info().await {
        Ok(info) => c.check(
            info.version_string().starts_with("1.") && info.conn_tab_size > 0,
            &format!(
                "info version {} conn_tab_size {}",
                info.version_string(),
                info.conn_tab_size
            ),
        ),
        Err(e) => c.check(false, &format!("info: {e}")),
    }

    let table = match client.table().await {
        Ok(t) => t,
        Err(e) => {
            c.check(false, &format!("table: {e}"));
            return;
        }
    };
    // What we asked for, against what the kernel reports (order-insensitive).
    let mut want: Vec<String> = scenario()
        .into_iter()
        .flat_map(|(s, ds)| {
            let head = format!("{s:?}");
            std::iter::once(head.clone())
                .chain(ds.into_iter().map(move |d| format!("{head} {d:?}")))
        })
        .collect();
    let mut got: Vec<String> = table
        .iter()
        .flat_map(|e| {
            let head = format!("{:?}", e.service.config);
            std::iter::once(head.clone()).chain(
                e.dests
                    .iter()
                    .map(move |d| format!("{head} {:?}", d.config)),
            )
        })
        .collect();
    want.sort();
    got.sort();
    for w in &want {
        c.check(got.contains(w), &format!("kernel has {w}"));
    }
    c.check(
        want.len() == got.len(),
        &format!("entry count {} == {}", got.len(), want.len()),
    );

    println!("=== save ===");
    for l in save_lines(&table) {
        println!("{l}");
    }
    println!("=== end save ===");
    println!("=== thresholds ===");
    for l in threshold_lines(&table) {
        println!("{l}");
    }
    println!("=== end thresholds ===");

    // Single lookups agree with the dump.
    for e in &table {
        let key = e.service.config.key;
        match client.service(&key).await {
            Ok(s) => c.check(s.config == e.service.config, &format!("service({key:?})")),
            Err(err) => c.check(false, &format!("service({key:?}): {err}")),
        }
        match client.dests(&key).await {
            Ok(ds) => c.check(
                ds == e.dests,
                &format!("dests({key:?}) {} entries", ds.len()),
            ),
            Err(err) => c.check(false, &format!("dests({key:?}): {err}")),
        }
    }

    let vip = tcp(v4(192, 0, 2, 1), 80);
    let r = client.apply(&Op::Zero(Some(vip))).await;
    c.check(r.is_ok(), &format!("zero one service: {r:?}"));
    let r = client.apply(&Op::Zero(None)).await;
    c.check(r.is_ok(), &format!("zero all: {r:?}"));

    // Timeouts: set, read back; 0 leaves a value unchanged.
    let set = Timeouts {
        tcp: 901,
        tcp_fin: 121,
        udp: 301,
    };
    let r = client.apply(&Op::SetTimeouts(set)).await;
    c.check(r.is_ok(), &format!("set timeouts: {r:?}"));
    let r = client
        .apply(&Op::SetTimeouts(Timeouts {
            tcp: 0,
            tcp_fin: 0,
            udp: 302,
        }))
        .await;
    c.check(r.is_ok(), &format!("set udp timeout only: {r:?}"));
    match client.timeouts().await {
        Ok(t) => {
            c.check(
                t == Timeouts { udp: 302, ..set },
                &format!("timeouts read back {t:?}"),
            );
            println!("TIMEOUTS {} {} {}", t.tcp, t.tcp_fin, t.udp);
        }
        Err(e) => c.check(false, &format!("timeouts: {e}")),
    }

    // Sync daemons.
    let master = Daemon {
        state: DaemonState::Master,
        mcast_ifn: "lo".into(),
        syncid: 5,
        sync_maxlen: Some(1400),
        mcast_group: Some(v4(224, 0, 0, 81)),
        mcast_port: Some(8850),
        mcast_ttl: Some(2),
    };
    let backup = Daemon {
        state: DaemonState::Backup,
        mcast_ifn: "lo".into(),
        syncid: 6,
        sync_maxlen: None,
        mcast_group: None,
        mcast_port: None,
        mcast_ttl: None,
    };
    // Sync is refused while the table holds a mixed-family real server.
    let r = client.apply(&Op::StartDaemon(master.clone())).await;
    c.check(
        matches!(&r, Err(e) if e.to_string().contains("another address family")),
        &format!("sync refused with a mixed-family dest: {r:?}"),
    );
    let r = client
        .apply(&Op::DelDest {
            service: ServiceKey::Fwmark {
                mark: 7,
                family: Family::Inet,
            },
            addr: v6(0x55),
            port: 0,
        })
        .await;
    c.check(r.is_ok(), &format!("delete the mixed-family dest: {r:?}"));
    for d in [&master, &backup] {
        let r = client.apply(&Op::StartDaemon(d.clone())).await;
        c.check(r.is_ok(), &format!("start {:?} daemon: {r:?}", d.state));
    }
    match client.daemons().await {
        Ok(ds) => {
            for d in &ds {
                println!(
                    "DAEMON {:?} {} syncid={} maxlen={:?} group={:?} port={:?} ttl={:?}",
                    d.state,
                    d.mcast_ifn,
                    d.syncid,
                    d.sync_maxlen,
                    d.mcast_group,
                    d.mcast_port,
                    d.mcast_ttl
                );
            }
            c.check(ds.len() == 2, &format!("{} daemons listed", ds.len()));
            c.check(ds.contains(&master), "master daemon reads back as started");
            c.check(
                ds.iter().any(|d| {
                    d.state == DaemonState::Backup && d.syncid == 6 && d.mcast_ifn == "lo"
                }),
                "backup daemon reads back",
            );
        }
        Err(e) => c.check(false, &format!("daemons: {e}")),
    }

    // Error mapping.
    let first = scenario().remove(0);
    c.check_err(
        client.apply(&Op::AddService(first.0.clone())).await,
        "Service already exists",
        "duplicate service",
    );
    c.check_err(
        client.apply(&Op::AddDest(vip, first.1[0].clone())).await,
        "Destination already exists",
        "duplicate dest",
    );
    let missing = tcp(v4(203, 0, 113, 99), 1);
    c.check_err(
        client.apply(&Op::DelService(missing)).await,
        "No such service",
        "delete missing service",
    );
    c.check_err(
        client
            .apply(&Op::EditService(ServiceConfig::new(missing)))
            .await,
        "No such service",
        "edit missing service",
    );
    c.check_err(
        client.service(&missing).await,
        "No such service",
        "get missing service",
    );
    c.check_err(
        client.dests(&missing).await,
        "No such service",
        "dests of missing service",
    );
    c.check_err(
        client
            .apply(&Op::AddDest(
                missing,
                dest(v4(192, 0, 2, 9), 80, Forward::Masq, 1),
            ))
            .await,
        "No such service",
        "dest on missing service",
    );
    c.check_err(
        client
            .apply(&Op::EditDest(
                vip,
                dest(v4(192, 0, 2, 99), 80, Forward::Masq, 1),
            ))
            .await,
        "No such destination",
        "edit missing dest",
    );
    c.check_err(
        client
            .apply(&Op::DelDest {
                service: vip,
                addr: v4(192, 0, 2, 99),
                port: 80,
            })
            .await,
        "No such destination",
        "delete missing dest",
    );
    let mut bad = ServiceConfig::new(tcp(v4(192, 0, 2, 200), 80));
    bad.scheduler = "nosuch".into();
    c.check_err(
        client.apply(&Op::AddService(bad)).await,
        "Scheduler \"nosuch\" not found",
        "unknown scheduler",
    );
    let mut bad_pe = ServiceConfig::new(tcp(v4(192, 0, 2, 201), 80));
    bad_pe.pe_name = Some("nope".into());
    bad_pe.flags = svc_flags::PERSISTENT;
    bad_pe.timeout = 10;
    c.check_err(
        client.apply(&Op::AddService(bad_pe)).await,
        "Scheduler \"wlc\" or persistence engine \"nope\" not found",
        "unknown persistence engine",
    );
    let mut gue_no_port = dest(v4(192, 0, 2, 98), 80, Forward::Tunnel, 1);
    gue_no_port.tun_type = TunnelType::Gue;
    c.check_err(
        client.apply(&Op::AddDest(vip, gue_no_port)).await,
        "Invalid real server: a GUE tunnel needs a tunnel port",
        "gue without port",
    );
    c.check_err(
        client
            .apply(&Op::AddDest(vip, dest(v6(0x99), 80, Forward::Masq, 1)))
            .await,
        "Invalid real server: another address family than the service needs tunnel forwarding (-i)",
        "mixed family without tunnel",
    );
    let mut bad_th = dest(v4(192, 0, 2, 97), 80, Forward::Masq, 1);
    bad_th.u_threshold = 5;
    bad_th.l_threshold = 9;
    c.check_err(
        client.apply(&Op::AddDest(vip, bad_th)).await,
        "Invalid thresholds: lower threshold 9 is above upper threshold 5",
        "lower threshold above upper",
    );
    c.check_err(
        client.apply(&Op::StartDaemon(master.clone())).await,
        "Daemon has already run",
        "second master daemon",
    );

    // A pipelined batch with failures in the middle keeps per-op results in order.
    let batch = vec![
        Op::AddService(ServiceConfig::new(tcp(v4(192, 0, 2, 150), 1))),
        Op::AddService(ServiceConfig::new(tcp(v4(192, 0, 2, 150), 1))),
        Op::DelService(missing),
        Op::DelService(tcp(v4(192, 0, 2, 150), 1)),
    ];
    let r = client.apply_all(&batch).await;
    let texts: Vec<String> = r
        .iter()
        .map(|r| match r {
            Ok(()) => "ok".to_string(),
            Err(e) => e.to_string(),
        })
        .collect();
    c.check(
        texts == ["ok", "Service already exists", "No such service", "ok"],
        &format!("batch results in order: {texts:?}"),
    );
}

async fn cleanup(client: &Client, c: &mut Checks) {
    for s in [DaemonState::Master, DaemonState::Backup] {
        let r = client.apply(&Op::StopDaemon(s)).await;
        c.check(r.is_ok(), &format!("stop {s:?} daemon: {r:?}"));
    }
    c.check_err(
        client.apply(&Op::StopDaemon(DaemonState::Master)).await,
        "No daemon is running",
        "stop a stopped daemon",
    );
    match client.daemons().await {
        Ok(ds) => c.check(ds.is_empty(), &format!("no daemons after stop: {ds:?}")),
        Err(e) => c.check(false, &format!("daemons: {e}")),
    }
    let first = scenario().remove(0);
    let r = client
        .apply(&Op::DelDest {
            service: first.0.key,
            addr: first.1[0].addr,
            port: first.1[0].port,
        })
        .await;
    c.check(r.is_ok(), &format!("delete one dest: {r:?}"));
    let r = client.apply(&Op::DelService(first.0.key)).await;
    c.check(r.is_ok(), &format!("delete one service: {r:?}"));
    match client.services().await {
        Ok(s) => c.check(
            s.len() == scenario().len() - 1,
            &format!("{} services after one delete", s.len()),
        ),
        Err(e) => c.check(false, &format!("services: {e}")),
    }
    let r = client.apply(&Op::Flush).await;
    c.check(r.is_ok(), &format!("flush: {r:?}"));
    match client.table().await {
        Ok(t) => c.check(
            t.is_empty(),
            &format!("table empty after flush ({})", t.len()),
        ),
        Err(e) => c.check(false, &format!("table: {e}")),
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let stage = std::env::args().nth(1).unwrap_or_else(|| "all".into());
    let client = match Client::connect().await {
        Ok(c) => c,
        Err(e) => {
            println!("CHECK FAIL connect: {e}");
            return ExitCode::FAILURE;
        }
    };
    let mut c = Checks { failed: 0 };
    if matches!(stage.as_str(), "populate" | "all") {
        populate(&client, &mut c).await;
    }
    if matches!(stage.as_str(), "check" | "all") {
        check(&client, &mut c).await;
    }
    if matches!(stage.as_str(), "cleanup" | "all") {
        cleanup(&client, &mut c).await;
    }
    println!("SMOKE {} failed check(s)", c.failed);
    if c.failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
