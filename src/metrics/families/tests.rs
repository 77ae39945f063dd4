//! The mapping's tests: small pictures (a two-service table, one VRRP instance, one
//! checked server with drift and sync) and the exact lines they must encode to.

use super::*;
use crate::engine::control::protocol::{
    CheckerReport, DriftReport, SyncDaemonReport, SyncReport, WhyReport,
};
use crate::ipvs::model::{DestConfig, Protocol, Service, ServiceConfig};
use crate::vrrp::{Counters, Status, Transition};

fn table() -> Vec<ServiceEntry> {
    let key = ServiceKey::Addr {
        protocol: Protocol::Tcp,
        addr: "198.51.100.10".parse().unwrap(),
        port: 80,
    };
    let mut cfg = DestConfig::new("192.0.2.1".parse().unwrap(), 8080);
    cfg.weight = 3;
    vec![
        ServiceEntry {
            service: Service {
                config: ServiceConfig::new(key),
                stats: Stats {
                    conns: 7,
                    inbytes: 1234,
                    cps: 2,
                    ..Stats::default()
                },
            },
            dests: vec![Dest {
                config: cfg,
                active_conns: 4,
                inact_conns: 5,
                persist_conns: 0,
                stats: Stats {
                    conns: 7,
                    outpkts: 11,
                    ..Stats::default()
                },
            }],
        },
        ServiceEntry {
            service: Service {
                config: ServiceConfig::new(ServiceKey::Fwmark {
                    mark: 26,
                    family: crate::ipvs::model::Family::Inet,
                }),
                stats: Stats::default(),
            },
            dests: vec![],
        },
    ]
}

fn at(ms: u64) -> Instant {
    Instant::from_since_epoch(Duration::from_millis(ms))
}

fn director() -> DirectorRead {
    let mut counters = Counters {
        adverts_sent: 40,
        adverts_received: 9,
        became_master: 2,
        left_master: 1,
        ..Counters::default()
    };
    counters.auth_failures = 3;
    let status = Status {
        vrid: 51,
        state: State::Master,
        time_in_state: Duration::ZERO,
        configured_priority: 100,
        effective_priority: 100,
        master: Some(("192.0.2.2".parse().unwrap(), 100)),
        advert_interval_cs: 100,
        learned_interval_cs: 100,
        held_until: None,
        priority_override: None,
        fault: false,
        next_deadline: None,
        counters,
        transitions: vec![Transition {
            at: at(10_000),
            from: State::Backup,
            to: State::Master,
            reason: Reason::MasterDown,
        }],
    };
    let mut latency = LatencyBook::default();
    let mut h = crate::engine::health::latency::Histogram::default();
    h.counts[2] = 1;
    h.count = 1;
    h.sum_secs = 0.004;
    latency.checkers.insert(
        crate::engine::health::latency::CheckerKey {
            virtual_server: "198.51.100.10 80".into(),
            addr: "192.0.2.1".parse().unwrap(),
            port: 8080,
            index: 0,
        },
        h,
    );
    DirectorRead {
        status: StatusReply {
            wall_secs: Some(1_000),
            servers: vec![ServerReport {
                virtual_server: "198.51.100.10 80".into(),
                services: vec!["-t 198.51.100.10:80".into()],
                server: "-t 198.51.100.10:80 -r 192.0.2.1:8080".into(),
                why: WhyReport::OperatorDrained,
                reason: "drained".into(),
                health: Some("down".into()),
                intent: Some("drain".into()),
                weight: Some(3),
                in_table: None,
                checkers: vec![CheckerReport {
                    name: "TCP_CHECK".into(),
                    up: false,
                    last: None,
                    last_ok: Some(false),
                    last_ago_ms: Some(100),
                    latency_ms: Some(4),
                    consecutive_failures: 6,
                    next_in_ms: None,
                }],
                transitions: vec![],
            }],
            drift: vec![DriftReport {
                entry: "-t 198.51.100.10:80".into(),
                expected: None,
                found: None,
                revert: String::new(),
                kept: true,
            }],
            reconciler_error: None,
            vrrp: vec![],
            config: None,
            sync: Some(SyncReport {
                setting: Some("lvs_sync_daemon eth0 VI_1 id 7".into()),
                wanted: vec!["master".into()],
                daemons: vec![SyncDaemonReport {
                    role: "master".into(),
                    interface: "eth0".into(),
                    syncid: 7,
                    maxlen: None,
                    group: None,
                    port: None,
                    ttl: None,
                }],
                local_connections: Some(12),
                synced_connections: Some(0),
                ..SyncReport::default()
            }),
        },
        now: Some(at(15_000)),
        vrrp: vec![InstancePicture {
            name: "VI_1".into(),
            interface: "eth0".into(),
            status,
        }],
        latency,
    }
}

fn picture() -> Picture {
    Picture {
        now_unix: 1_000.5,
        ipvs: Some(Read {
            value: Ok(table()),
            at_unix: 1_000.25,
            took: Duration::from_millis(2),
        }),
        sync_daemons: None,
        director: Some(Read {
            value: Ok(director()),
            at_unix: 1_000.0,
            took: Duration::from_millis(1),
        }),
    }
}

fn has(text: &str, line: &str) {
    assert!(
        text.lines().any(|l| l == line),
        "missing `{line}` in:\n{text}"
    );
}

#[test]
fn ipvs_families_carry_node_exporter_labels() {
    let t = encode(&picture(), Format::OpenMetrics);
    let svc = r#"proto="TCP",local_address="198.51.100.10",local_port="80",local_mark="""#;
    has(
        &t,
        &format!("lvsdeck_ipvs_service_connections_total{{{svc}}} 7"),
    );
    has(
        &t,
        &format!("lvsdeck_ipvs_service_incoming_bytes_total{{{svc}}} 1234"),
    );
    has(
        &t,
        &format!("lvsdeck_ipvs_service_connection_rate{{{svc}}} 2"),
    );
    has(
        &t,
        &format!("lvsdeck_ipvs_service_info{{{svc},scheduler=\"wlc\"}} 1"),
    );
    has(
        &t,
        r#"lvsdeck_ipvs_service_connections_total{proto="FWM",local_address="",local_port="0",local_mark="1A"} 0"#,
    );
    let rs = format!(r#"remote_address="192.0.2.1",remote_port="8080",{svc}"#);
    has(&t, &format!("lvsdeck_ipvs_server_weight{{{rs}}} 3"));
    has(
        &t,
        &format!("lvsdeck_ipvs_server_active_connections{{{rs}}} 4"),
    );
    has(
        &t,
        &format!("lvsdeck_ipvs_server_inactive_connections{{{rs}}} 5"),
    );
    has(
        &t,
        &format!("lvsdeck_ipvs_server_outgoing_packets_total{{{rs}}} 11"),
    );
    has(&t, "# TYPE lvsdeck_ipvs_server_incoming_bytes counter");
    has(&t, "# UNIT lvsdeck_ipvs_server_incoming_bytes bytes");
    assert!(t.ends_with("# EOF\n"));
}

#[test]
fn every_source_says_how_stale_it_is() {
    let t = encode(&picture(), Format::OpenMetrics);
    has(&t, r#"lvsdeck_scrape_up{source="ipvs"} 1"#);
    has(&t, r#"lvsdeck_scrape_up{source="director"} 1"#);
    has(&t, r#"lvsdeck_scrape_up{source="sync"} 1"#);
    has(&t, r#"lvsdeck_scrape_age_seconds{source="ipvs"} 0.25"#);
    has(&t, r#"lvsdeck_scrape_age_seconds{source="director"} 0.5"#);
    has(
        &t,
        r#"lvsdeck_scrape_timestamp_seconds{source="ipvs"} 1000.25"#,
    );
    has(
        &t,
        r#"lvsdeck_scrape_duration_seconds{source="ipvs"} 0.002"#,
    );
    // A failed read: up 0, and its families are absent rather than stale.
    let mut p = picture();
    p.ipvs = Some(Read {
        value: Err("IPVS: no such family".into()),
        at_unix: 1_000.0,
        took: Duration::ZERO,
    });
    let t = encode(&p, Format::OpenMetrics);
    has(&t, r#"lvsdeck_scrape_up{source="ipvs"} 0"#);
    assert!(
        !t.contains("lvsdeck_ipvs_service_connections_total{"),
        "{t}"
    );
    // A console without a daemon: no director series at all.
    p.director = None;
    let t = encode(&p, Format::OpenMetrics);
    assert!(!t.contains(r#"source="director""#) && !t.contains("lvsdeck_vrrp_state{"));
}

#[test]
fn vrrp_families() {
    let t = encode(&picture(), Format::OpenMetrics);
    let l = r#"vrrp_instance="VI_1",interface="eth0",vrid="51""#;
    has(&t, &format!("lvsdeck_vrrp_state{{{l},state=\"MASTER\"}} 1"));
    has(&t, &format!("lvsdeck_vrrp_state{{{l},state=\"BACKUP\"}} 0"));
    has(&t, &format!("lvsdeck_vrrp_state_code{{{l}}} 2"));
    has(&t, &format!("lvsdeck_vrrp_adverts_sent_total{{{l}}} 40"));
    has(&t, &format!("lvsdeck_vrrp_adverts_received_total{{{l}}} 9"));
    has(&t, &format!("lvsdeck_vrrp_became_master_total{{{l}}} 2"));
    has(
        &t,
        &format!("lvsdeck_vrrp_adverts_dropped_total{{{l},reason=\"auth\"}} 3"),
    );
    has(
        &t,
        &format!("lvsdeck_vrrp_adverts_dropped_total{{{l},reason=\"ttl\"}} 0"),
    );
    has(&t, &format!("lvsdeck_vrrp_master_priority{{{l}}} 100"));
    has(
        &t,
        &format!("lvsdeck_vrrp_state_duration_seconds{{{l}}} 5.0"),
    );
    has(
        &t,
        &format!("lvsdeck_vrrp_last_transition_timestamp_seconds{{{l}}} 995.0"),
    );
    // 3 × 1 s + (256 − 100) / 256 s.
    has(
        &t,
        &format!("lvsdeck_vrrp_last_takeover_seconds{{{l}}} 3.609375"),
    );
}

#[test]
fn takeover_waits() {
    assert_eq!(
        takeover_secs(Reason::MasterDown, 100, 255),
        3.0 + 1.0 / 256.0
    );
    assert_eq!(takeover_secs(Reason::MasterResigned, 200, 128), 1.0);
    assert_eq!(takeover_secs(Reason::Preempted, 100, 100), 0.0);
}

#[test]
fn health_intent_drift_sync_families() {
    let t = encode(&picture(), Format::OpenMetrics);
    let s = r#"virtual_server="198.51.100.10 80",server="-t 198.51.100.10:80 -r 192.0.2.1:8080""#;
    has(&t, &format!("lvsdeck_server_up{{{s}}} 0"));
    has(&t, &format!("lvsdeck_server_weight{{{s}}} 3"));
    has(&t, &format!("lvsdeck_server_in_table{{{s}}} 0"));
    has(
        &t,
        &format!("lvsdeck_server_intent{{{s},intent=\"drain\"}} 1"),
    );
    has(
        &t,
        &format!("lvsdeck_server_intent{{{s},intent=\"auto\"}} 0"),
    );
    let c = format!(r#"{s},checker="TCP_CHECK",index="0""#);
    has(&t, &format!("lvsdeck_checker_up{{{c}}} 0"));
    has(
        &t,
        &format!("lvsdeck_checker_consecutive_failures{{{c}}} 6"),
    );
    has(
        &t,
        &format!("lvsdeck_checker_last_latency_seconds{{{c}}} 0.004"),
    );
    has(
        &t,
        &format!("lvsdeck_checker_latency_seconds_bucket{{le=\"0.005\",{c}}} 1"),
    );
    has(
        &t,
        &format!("lvsdeck_checker_latency_seconds_bucket{{le=\"0.0025\",{c}}} 0"),
    );
    has(
        &t,
        &format!("lvsdeck_checker_latency_seconds_count{{{c}}} 1"),
    );
    has(&t, r#"lvsdeck_drift_entries{kept="true"} 1"#);
    has(&t, r#"lvsdeck_drift_entries{kept="false"} 0"#);
    has(
        &t,
        r#"lvsdeck_sync_daemon_info{role="master",interface="eth0",syncid="7"} 1"#,
    );
    has(&t, r#"lvsdeck_sync_wanted{role="master"} 1"#);
    has(&t, r#"lvsdeck_sync_connections{origin="local"} 12"#);
    has(&t, r#"lvsdeck_sync_connections{origin="synced"} 0"#);
}

#[test]
fn label_values_are_escaped() {
    let mut p = picture();
    if let Some(Read { value: Ok(d), .. }) = &mut p.director {
        d.status.servers[0].virtual_server = "group \"web\"\nx".into();
    }
    let t = encode(&p, Format::OpenMetrics);
    assert!(t.contains(r#"virtual_server="group \"web\"\nx""#), "{t}");
}

#[test]
fn classic_format_names_counters_by_their_samples() {
    let t = encode(&picture(), Format::Classic);
    has(&t, "# TYPE lvsdeck_vrrp_adverts_sent_total counter");
    has(&t, "# HELP lvsdeck_vrrp_adverts_sent_total Adverts sent.");
    has(&t, "# TYPE lvsdeck_vrrp_state gauge");
    assert!(!t.contains("# UNIT") && !t.contains("# EOF"), "{t}");
    assert_eq!(
        Format::negotiate(Some(
            "application/openmetrics-text;version=1.0.0,text/plain;q=0.5"
        )),
        Format::OpenMetrics
    );
    assert_eq!(Format::negotiate(Some("*/*")), Format::Classic);
    assert_eq!(Format::negotiate(None), Format::Classic);
}
