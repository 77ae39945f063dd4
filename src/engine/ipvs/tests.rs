//! Pure tests of ownership, plans and drift: a simulated kernel table, configs from text.

use std::net::IpAddr;
use std::path::Path;

use crate::config::{self, IpvsService};
use crate::ipvs::{
    Dest, DestConfig, Op, Protocol, Service, ServiceConfig, ServiceEntry, ServiceKey, Stats,
};

use crate::engine::ipvs::desired::{duplicates, Presence, ServerId};
use crate::engine::ipvs::drift::DriftKey;
use crate::engine::ipvs::reconcile::{DriftPolicy, Reconciler, Scope};
use crate::engine::ipvs::state_file;

const BASE: &str = "
virtual_server 198.51.100.10 80 {
    lb_algo wrr
    lb_kind NAT
    protocol TCP
    real_server 192.0.2.1 80 {
        weight 3
    }
    real_server 192.0.2.2 80 {
        weight 1
    }
}
virtual_server 198.51.100.11 443 {
    lb_algo rr
    lb_kind DR
    persistence_timeout 300
    protocol TCP
    sorry_server 192.0.2.9 443
    real_server 192.0.2.3 443 {
        weight 2
    }
}
";

fn services(text: &str) -> Vec<IpvsService> {
    let loaded = config::parse_str(text, Path::new("test.conf"));
    assert!(loaded.is_ok(), "{:?}", loaded.diagnostics);
    loaded.config.ipvs_services()
}

fn key(last: u8, port: u16) -> ServiceKey {
    ServiceKey::Addr {
        protocol: Protocol::Tcp,
        addr: IpAddr::from([198, 51, 100, last]),
        port,
    }
}

fn rs(last: u8) -> IpAddr {
    IpAddr::from([192, 0, 2, last])
}

fn server(svc: ServiceKey, last: u8, port: u16) -> ServerId {
    ServerId {
        service: svc,
        addr: rs(last),
        port,
    }
}

fn dest(config: DestConfig) -> Dest {
    Dest {
        config,
        active_conns: 5,
        inact_conns: 0,
        persist_conns: 0,
        stats: Stats::default(),
    }
}

/// A service somebody made by hand with ipvsadm.
fn hand_made() -> ServiceEntry {
    let k = key(99, 8080);
    ServiceEntry {
        service: Service {
            config: ServiceConfig::new(k),
            stats: Stats::default(),
        },
        dests: vec![dest(DestConfig::new(rs(50), 8080))],
    }
}

/// Applies ops as the kernel would, refusing what the kernel refuses.
fn apply(table: &mut Vec<ServiceEntry>, ops: &[Op]) {
    if let Err((i, e)) = crate::ipvs::table::apply_all(table, ops) {
        panic!("{}: {e}", ops[i]);
    }
}

fn lines(ops: &[Op]) -> Vec<String> {
    ops.iter().map(ToString::to_string).collect()
}

/// A reconciler that has made `kernel` converge (the hand-made service next to it).
fn converged(text: &str, policy: DriftPolicy) -> (Reconciler, Vec<ServiceEntry>) {
    let mut rec = Reconciler::new(services(text), policy);
    let mut kernel = vec![hand_made()];
    let ops = rec.plan(&kernel, Scope::All);
    apply(&mut kernel, &ops);
    rec.committed(Scope::All);
    assert!(rec.plan(&kernel, Scope::All).is_empty());
    (rec, kernel)
}

#[test]
fn first_plan_adds_the_config_and_leaves_hand_made_services_alone() {
    let rec = Reconciler::new(services(BASE), DriftPolicy::Reconcile);
    let kernel = vec![hand_made()];
    let ops = rec.plan(&kernel, Scope::Nothing);
    assert_eq!(
        lines(&ops),
        [
            "-A -t 198.51.100.10:80 -s wrr",
            "-A -t 198.51.100.11:443 -s rr -p 300",
            "-a -t 198.51.100.10:80 -r 192.0.2.1:80 -m -w 3",
            "-a -t 198.51.100.10:80 -r 192.0.2.2:80 -m -w 1",
            "-a -t 198.51.100.11:443 -r 192.0.2.3:443 -g -w 2",
        ]
    );
    let mut after = kernel.clone();
    apply(&mut after, &ops);
    assert!(after.contains(&hand_made()));
}

#[test]
fn unowned_services_are_never_in_a_plan_even_after_a_reload() {
    let (mut rec, kernel) = converged(BASE, DriftPolicy::Reconcile);
    rec.reload(services(""));
    let ops = rec.plan(&kernel, Scope::All);
    assert_eq!(
        lines(&ops),
        ["-D -t 198.51.100.10:80", "-D -t 198.51.100.11:443"]
    );
    assert!(ops
        .iter()
        .all(|o| crate::engine::ipvs::ownership::op_service(o) != Some(key(99, 8080))));
}

#[test]
fn reload_applies_exactly_the_changed_weights() {
    let (mut rec, kernel) = converged(BASE, DriftPolicy::Reconcile);
    rec.reload(services(&BASE.replace("weight 3", "weight 7")));
    assert_eq!(
        lines(&rec.plan(&kernel, Scope::Nothing)),
        ["-e -t 198.51.100.10:80 -r 192.0.2.1:80 -m -w 7"]
    );
}

#[test]
fn reload_removes_a_removed_server_and_adds_a_new_one() {
    let (mut rec, kernel) = converged(BASE, DriftPolicy::Reconcile);
    let text = BASE.replace("real_server 192.0.2.2 80", "real_server 192.0.2.4 80");
    rec.reload(services(&text));
    assert_eq!(
        lines(&rec.plan(&kernel, Scope::Nothing)),
        [
            "-d -t 198.51.100.10:80 -r 192.0.2.2:80",
            "-a -t 198.51.100.10:80 -r 192.0.2.4:80 -m -w 1",
        ]
    );
}

#[test]
fn a_dropped_virtual_server_is_deleted_once_and_then_forgotten() {
    let (mut rec, mut kernel) = converged(BASE, DriftPolicy::Reconcile);
    let only_first = BASE
        .split("virtual_server 198.51.100.11")
        .next()
        .unwrap_or("");
    rec.reload(services(only_first));
    let ops = rec.plan(&kernel, Scope::Nothing);
    assert_eq!(lines(&ops), ["-D -t 198.51.100.11:443"]);
    apply(&mut kernel, &ops);
    rec.committed(Scope::Nothing);
    // Somebody makes the same service by hand afterwards: it is theirs now.
    let mut again = hand_made();
    again.service.config.key = key(11, 443);
    again.dests.clear();
    kernel.push(again);
    assert!(rec.plan(&kernel, Scope::All).is_empty());
    assert!(rec.drift(&kernel).is_empty());
}

#[test]
fn a_previous_run_saved_in_the_state_file_is_owned_too() {
    let (rec, kernel) = converged(BASE, DriftPolicy::Reconcile);
    let saved = state_file::render(rec.applied());
    let applied = state_file::parse(&saved, Path::new("state")).expect("parses");
    let only_first = BASE
        .split("virtual_server 198.51.100.11")
        .next()
        .unwrap_or("");
    let next = Reconciler::new(services(only_first), DriftPolicy::Reconcile).resume(applied);
    assert!(next.drift(&kernel).is_empty());
    assert_eq!(
        lines(&next.plan(&kernel, Scope::Nothing)),
        ["-D -t 198.51.100.11:443"]
    );
}

#[test]
fn state_file_keeps_every_settable_field() {
    let text = BASE.replace(
        "weight 1\n",
        "weight 1\n        uthreshold 100\n        lthreshold 10\n",
    );
    let (rec, _) = converged(&text, DriftPolicy::Reconcile);
    let saved = state_file::render(rec.applied());
    assert!(saved.contains("-x 100 -y 10"), "{saved}");
    let back = state_file::parse(&saved, Path::new("state")).expect("parses");
    assert_eq!(back, rec.applied());
    let err = state_file::parse("-C\n", Path::new("state")).unwrap_err();
    assert!(format!("{err:#}").starts_with("state:1:"), "{err:#}");
}

#[test]
fn health_takes_servers_out_and_back_in() {
    let (mut rec, mut kernel) = converged(BASE, DriftPolicy::Reconcile);
    let s1 = server(key(10, 80), 1, 80);
    rec.health.set(s1, Presence::Out);
    let ops = rec.plan(&kernel, Scope::Nothing);
    assert_eq!(lines(&ops), ["-d -t 198.51.100.10:80 -r 192.0.2.1:80"]);
    apply(&mut kernel, &ops);
    rec.committed(Scope::Nothing);
    // Our own change is not drift.
    assert!(rec.drift(&kernel).is_empty());
    rec.health.clear(&s1);
    assert_eq!(
        lines(&rec.plan(&kernel, Scope::Nothing)),
        ["-a -t 198.51.100.10:80 -r 192.0.2.1:80 -m -w 3"]
    );
    rec.health.set(s1, Presence::Inhibited);
    assert_eq!(
        lines(&rec.plan(&kernel, Scope::Nothing)),
        ["-a -t 198.51.100.10:80 -r 192.0.2.1:80 -m -w 0"]
    );
}

#[test]
fn the_operator_overrides_health_and_the_sorry_server_needs_a_verdict() {
    let (mut rec, kernel) = converged(BASE, DriftPolicy::Reconcile);
    let s2 = server(key(10, 80), 2, 80);
    rec.health.set(s2, Presence::In { weight: 5 });
    rec.operator.set(s2, Presence::Inhibited);
    let sorry = server(key(11, 443), 9, 443);
    rec.health.set(sorry, Presence::In { weight: 1 });
    assert_eq!(
        lines(&rec.plan(&kernel, Scope::Nothing)),
        [
            "-e -t 198.51.100.10:80 -r 192.0.2.2:80 -m -w 0",
            "-a -t 198.51.100.11:443 -r 192.0.2.9:443 -g -w 1",
        ]
    );
}

fn delete_by_hand(kernel: &mut [ServiceEntry], svc: ServiceKey, addr: IpAddr) {
    for e in kernel.iter_mut().filter(|e| e.service.config.key == svc) {
        e.dests.retain(|d| d.config.addr != addr);
    }
}

#[test]
fn hand_changes_are_drift_with_expected_and_found_lines() {
    let (rec, mut kernel) = converged(BASE, DriftPolicy::Reconcile);
    delete_by_hand(&mut kernel, key(10, 80), rs(2));
    apply(
        &mut kernel,
        &[Op::EditService({
            let mut c = ServiceConfig::new(key(11, 443));
            c.scheduler = "wlc".into();
            c
        })],
    );
    // A change to the hand-made service is nobody's business.
    apply(
        &mut kernel,
        &[Op::AddDest(key(99, 8080), DestConfig::new(rs(51), 8080))],
    );
    let drift = rec.drift(&kernel);
    let shown: Vec<String> = drift.items.iter().map(ToString::to_string).collect();
    assert_eq!(
        shown,
        [
            "drift -t 198.51.100.10:80 -r 192.0.2.2:80: expected -a -t 198.51.100.10:80 -r 192.0.2.2:80 -m -w 1, found nothing",
            "drift -t 198.51.100.11:443: expected -A -t 198.51.100.11:443 -s rr -p 300, found -A -t 198.51.100.11:443 -s wlc",
        ]
    );
    assert_eq!(
        lines(&rec.plan(&kernel, Scope::Nothing)),
        [
            "-E -t 198.51.100.11:443 -s rr -p 300",
            "-a -t 198.51.100.10:80 -r 192.0.2.2:80 -m -w 1",
        ]
    );
}

#[test]
fn kept_drift_stays_until_the_operator_releases_it() {
    let (mut rec, mut kernel) = converged(BASE, DriftPolicy::Reconcile);
    delete_by_hand(&mut kernel, key(10, 80), rs(2));
    delete_by_hand(&mut kernel, key(11, 443), rs(3));
    let k = DriftKey {
        service: key(10, 80),
        server: Some((rs(2), 80)),
    };
    rec.keep(k);
    let ops = rec.plan(&kernel, Scope::Nothing);
    assert_eq!(
        lines(&ops),
        ["-a -t 198.51.100.11:443 -r 192.0.2.3:443 -g -w 2"]
    );
    apply(&mut kernel, &ops);
    rec.committed(Scope::Nothing);
    // Still reported, marked kept, and never reverted by later periods.
    let drift = rec.drift(&kernel);
    assert_eq!(drift.items.len(), 1);
    assert!(drift.items[0].kept && drift.items[0].key == k);
    assert!(rec.plan(&kernel, Scope::Nothing).is_empty());
    // The operator says reconcile: it comes back, and is no longer kept.
    let ops = rec.plan(&kernel, Scope::One(k));
    assert_eq!(
        lines(&ops),
        ["-a -t 198.51.100.10:80 -r 192.0.2.2:80 -m -w 1"]
    );
    apply(&mut kernel, &ops);
    rec.committed(Scope::One(k));
    assert!(rec.kept().is_empty());
    assert!(rec.drift(&kernel).is_empty());
}

#[test]
fn keeping_a_service_holds_back_all_of_its_servers() {
    let (mut rec, mut kernel) = converged(BASE, DriftPolicy::Reconcile);
    delete_by_hand(&mut kernel, key(10, 80), rs(1));
    delete_by_hand(&mut kernel, key(10, 80), rs(2));
    rec.keep(DriftKey {
        service: key(10, 80),
        server: None,
    });
    assert!(rec.plan(&kernel, Scope::Nothing).is_empty());
    assert!(rec.drift(&kernel).items.iter().all(|i| i.kept));
    assert_eq!(rec.plan(&kernel, Scope::All).len(), 2);
}

#[test]
fn ask_policy_reports_drift_and_waits_for_the_operator() {
    let (mut rec, mut kernel) = converged(BASE, DriftPolicy::Ask);
    delete_by_hand(&mut kernel, key(10, 80), rs(1));
    // A config change still applies while the drift waits.
    rec.reload(services(&BASE.replace("weight 2", "weight 4")));
    assert_eq!(
        lines(&rec.plan(&kernel, Scope::Nothing)),
        ["-e -t 198.51.100.11:443 -r 192.0.2.3:443 -g -w 4"]
    );
    assert!(!rec.drift(&kernel).items[0].kept);
    assert_eq!(
        lines(&rec.plan(&kernel, Scope::All)),
        [
            "-a -t 198.51.100.10:80 -r 192.0.2.1:80 -m -w 3",
            "-e -t 198.51.100.11:443 -r 192.0.2.3:443 -g -w 4",
        ]
    );
}

#[test]
fn a_service_declared_twice_is_an_error_naming_both_lines() {
    let text = format!("{BASE}virtual_server 198.51.100.10 80 {{\n    lb_algo rr\n}}\n");
    let d = duplicates(&services(&text));
    assert_eq!(
        d,
        ["test.conf:23: error: service -t 198.51.100.10:80 is already declared at test.conf:2"]
    );
    assert!(duplicates(&services(BASE)).is_empty());
}

#[test]
fn kept_drift_ends_with_a_reload() {
    let (mut rec, mut kernel) = converged(BASE, DriftPolicy::Reconcile);
    delete_by_hand(&mut kernel, key(10, 80), rs(2));
    rec.keep(DriftKey {
        service: key(10, 80),
        server: Some((rs(2), 80)),
    });
    assert!(rec.plan(&kernel, Scope::Nothing).is_empty());
    // The configuration is reloaded: the keep was against the old one, the server returns.
    rec.reload(services(BASE));
    assert!(rec.kept().is_empty());
    assert_eq!(
        lines(&rec.plan(&kernel, Scope::Nothing)),
        ["-a -t 198.51.100.10:80 -r 192.0.2.2:80 -m -w 1"]
    );
}

/// An operator's drain travels policy → verdicts → reconciler: the kernel gets weight 0,
/// the console's reconciler (Ask) sees no drift, and check results in either direction leave
/// it at 0 until undrain puts it back at its weight.
#[test]
fn an_operator_drain_holds_through_checks_and_is_not_drift() {
    use crate::check::{CheckerId, OperatorCommand, Outcome, Policy};
    use crate::clock::Instant;
    use std::time::Duration;
    let text = "
virtual_server 198.51.100.10 80 {
    delay_loop 1
    lb_kind NAT
    protocol TCP
    real_server 192.0.2.1 80 {
        weight 3
        TCP_CHECK {
            connect_timeout 1
            retry 1
        }
    }
}
";
    let loaded = config::parse_str(text, Path::new("test.conf"));
    let specs = crate::check::build::build(&loaded.config, "t", None).specs;
    let (mut rec, mut kernel) = converged(text, DriftPolicy::Ask);
    let mut verdicts = crate::engine::health::verdicts::Verdicts::new(&services(text));
    let mut policy = Policy::new(specs.clone());
    let t = |s| Instant::from_since_epoch(Duration::from_secs(s));
    policy.start(t(0), |_, _| Duration::ZERO);
    let id = crate::engine::health::operator::resolve(&specs, &server(key(10, 80), 1, 80))
        .expect("checked");
    let ck = CheckerId {
        server: id,
        index: 0,
    };
    let mut step = |ops: Vec<Op>, kernel: &mut Vec<ServiceEntry>| {
        verdicts.apply(&ops);
        rec.health = verdicts.overrides.clone();
        let plan = rec.plan(kernel, Scope::Nothing);
        apply(kernel, &plan);
        rec.committed(Scope::Nothing);
        assert!(rec.drift(kernel).is_empty(), "{:?}", rec.drift(kernel));
        let d = &kernel[1].dests;
        d.iter().map(|d| d.config.weight).collect::<Vec<_>>()
    };
    let o = policy.command(t(1), OperatorCommand::Drain(id));
    assert_eq!(step(o.ops, &mut kernel), [0]);
    for (s, outcome) in [
        (2, Outcome::down("refused")),
        (3, Outcome::down("refused")),
        (4, Outcome::Up),
        (5, Outcome::Up),
    ] {
        let o = policy.on_result(t(s), ck, &outcome, Duration::ZERO);
        assert_eq!(step(o.ops, &mut kernel), [0], "after {outcome:?} at {s} s");
    }
    let o = policy.command(t(6), OperatorCommand::Undrain(id));
    assert_eq!(step(o.ops, &mut kernel), [3]);
}
