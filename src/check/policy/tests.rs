//! The policy on a simulated clock: every keepalived rule it implements, and operator intent.

use std::net::{IpAddr, Ipv4Addr};
use std::time::Duration;

use crate::clock::Instant;
use crate::ipvs::{DestConfig, Op, Protocol, ServiceKey};

use super::outcome::Outcome;
use super::spec::{CheckSpec, CheckerId, RsIndex, RsSpec, VsSpec};
use super::status::{Health, Intent, RING};
use super::{OperatorCommand, Output, Policy, ScriptAction};

const SEC: Duration = Duration::from_secs(1);

fn svc(port: u16) -> ServiceKey {
    ServiceKey::Addr {
        protocol: Protocol::Tcp,
        addr: IpAddr::V4(Ipv4Addr::new(127, 1, 0, 1)),
        port,
    }
}

fn dest(last: u8, weight: u32) -> DestConfig {
    let mut d = DestConfig::new(IpAddr::V4(Ipv4Addr::new(127, 2, 0, last)), 80);
    d.weight = weight;
    d
}

fn check(retry: u32, alpha: bool) -> CheckSpec {
    CheckSpec {
        name: "TCP_CHECK",
        retry,
        delay_before_retry: 2 * SEC,
        delay_loop: 10 * SEC,
        warmup: Duration::ZERO,
        alpha,
    }
}

fn rs(last: u8, weight: u32, c: CheckSpec) -> RsSpec {
    RsSpec {
        dest: dest(last, weight),
        inhibit: false,
        notify_up: Some(format!("/bin/up {last}").into()),
        notify_down: Some(format!("/bin/down {last}").into()),
        smtp_alert: false,
        checkers: vec![c],
    }
}

fn vs(servers: Vec<RsSpec>) -> VsSpec {
    VsSpec {
        name: "127.1.0.1 80".into(),
        services: vec![svc(80)],
        servers,
        quorum: 1,
        hysteresis: 0,
        sorry: None,
        sorry_inhibit: false,
        quorum_up: None,
        quorum_down: None,
        omega: false,
    }
}

fn at(s: u64) -> Instant {
    Instant::from_since_epoch(Duration::from_secs(s))
}

fn ck(rs: usize) -> CheckerId {
    CheckerId {
        server: sid(rs),
        index: 0,
    }
}

fn sid(rs: usize) -> RsIndex {
    RsIndex { vs: 0, rs }
}

fn started(specs: Vec<VsSpec>) -> (Policy, Output) {
    let mut p = Policy::new(specs);
    let out = p.start(at(0), |_, _| Duration::ZERO);
    (p, out)
}

fn del(last: u8) -> Op {
    Op::DelDest {
        service: svc(80),
        addr: dest(last, 0).addr,
        port: 80,
    }
}

fn edit(last: u8, w: u32) -> Op {
    Op::EditDest(svc(80), dest(last, w))
}

fn add(last: u8, w: u32) -> Op {
    Op::AddDest(svc(80), dest(last, w))
}

fn fail() -> Outcome {
    Outcome::down("connection refused")
}

/// Runs a checker on the simulated clock, following the policy's next check times, with
/// `up(t)` saying whether the server answers at time t; returns when it goes down.
fn time_to_down(p: &mut Policy, id: CheckerId, mut t: Instant, limit: Instant) -> Option<Instant> {
    while t <= limit {
        let out = p.on_result(t, id, &fail(), Duration::ZERO);
        if out.ops.contains(&del(1)) {
            return Some(t);
        }
        t = out.next_check?;
    }
    None
}

#[test]
fn down_after_retries_spaced_by_delay_before_retry_and_back_after_one_success() {
    let (mut p, out) = started(vec![vs(vec![
        rs(1, 5, check(3, false)),
        rs(2, 5, check(3, false)),
    ])]);
    assert_eq!(
        out.ops,
        vec![],
        "non-alpha servers start up: nothing to change"
    );
    let s = p.server(sid(0)).cloned();
    assert_eq!(s.and_then(|s| s.checkers[0].next_check), Some(at(0)));

    let ok = p.on_result(at(0), ck(0), &Outcome::Up, Duration::from_millis(3));
    assert_eq!(
        ok.next_check,
        Some(at(10)),
        "success: next after delay_loop"
    );
    // First failure at 10 s, retries at 12, 14, 16: down at the 4th failure (retry 3).
    let down = time_to_down(&mut p, ck(0), at(10), at(100));
    assert_eq!(down, Some(at(16)));
    let st = p.server(sid(0)).cloned();
    let st = st.as_ref();
    assert_eq!(st.map(|s| s.health), Some(Health::Down));
    assert_eq!(st.map(|s| s.checkers[0].consecutive_failures), Some(4));
    assert_eq!(st.and_then(|s| s.checkers[0].next_check), Some(at(26)));
    assert_eq!(st.map(|s| s.in_table), Some(None));

    let back = p.on_result(at(26), ck(0), &Outcome::Up, Duration::ZERO);
    assert_eq!(back.ops, vec![add(1, 5)]);
    assert_eq!(
        back.actions,
        vec![ScriptAction::NotifyUp {
            server: sid(0),
            script: "/bin/up 1".into()
        }]
    );
}

#[test]
fn the_down_transition_notifies_once() {
    let (mut p, _) = started(vec![vs(vec![
        rs(1, 1, check(0, false)),
        rs(2, 1, check(0, false)),
    ])]);
    let out = p.on_result(at(1), ck(0), &fail(), Duration::ZERO);
    assert_eq!(out.ops, vec![del(1)]);
    assert_eq!(
        out.actions,
        vec![ScriptAction::NotifyDown {
            server: sid(0),
            script: "/bin/down 1".into()
        }]
    );
    let again = p.on_result(at(11), ck(0), &fail(), Duration::ZERO);
    assert_eq!(
        again,
        Output {
            next_check: Some(at(21)),
            ..Output::default()
        }
    );
}

#[test]
fn alpha_starts_down_until_the_first_success() {
    let (mut p, out) = started(vec![vs(vec![
        rs(1, 3, check(1, true)),
        rs(2, 3, check(1, false)),
    ])]);
    assert_eq!(out.ops, vec![del(1)]);
    assert_eq!(p.server(sid(0)).map(|s| s.health), Some(Health::Down));
    let f = p.on_result(at(0), ck(0), &fail(), Duration::ZERO);
    assert_eq!(
        (f.ops.len(), f.next_check),
        (0, Some(at(10))),
        "no retry while down"
    );
    let up = p.on_result(at(10), ck(0), &Outcome::Up, Duration::ZERO);
    assert_eq!(up.ops, vec![add(1, 3)]);
}

#[test]
fn inhibit_on_failure_sets_weight_zero_instead_of_removing() {
    let mut a = rs(1, 4, check(0, false));
    a.inhibit = true;
    let (mut p, _) = started(vec![vs(vec![a, rs(2, 1, check(0, false))])]);
    let down = p.on_result(at(1), ck(0), &fail(), Duration::ZERO);
    assert_eq!(down.ops, vec![edit(1, 0)]);
    assert_eq!(p.server(sid(0)).map(|s| s.in_table), Some(Some(0)));
    let up = p.on_result(at(2), ck(0), &Outcome::Up, Duration::ZERO);
    assert_eq!(up.ops, vec![edit(1, 4)]);
}

#[test]
fn quorum_with_hysteresis_swaps_the_sorry_server_in_and_out() {
    // Four servers of weight 1, quorum 3, hysteresis 1: lost below 2, regained at 4.
    let mut v = vs((1..=4).map(|i| rs(i, 1, check(0, false))).collect());
    v.quorum = 3;
    v.hysteresis = 1;
    v.sorry = Some(dest(99, 1));
    v.quorum_up = Some("/bin/qup".into());
    v.quorum_down = Some("/bin/qdown".into());
    let (mut p, out) = started(vec![v]);
    assert_eq!(out.ops, vec![]);
    let o = p.on_result(at(1), ck(0), &fail(), Duration::ZERO);
    assert_eq!(o.ops, vec![del(1)]);
    let o = p.on_result(at(1), ck(1), &fail(), Duration::ZERO);
    assert_eq!(
        o.ops,
        vec![del(2)],
        "live weight 2 is still >= quorum - hysteresis"
    );
    assert_eq!(p.quorum_up(0), Some(true));
    let o = p.on_result(at(1), ck(2), &fail(), Duration::ZERO);
    // Live weight 1 < 2: quorum lost; the last live server makes way for the sorry server.
    assert_eq!(p.quorum_up(0), Some(false));
    assert_eq!(o.ops, vec![del(3), del(4), add(99, 1)]);
    assert!(o.actions.contains(&ScriptAction::QuorumDown {
        vs: 0,
        script: "/bin/qdown".into()
    }));
    // Back to 3 live: below quorum + hysteresis = 4, the sorry server stays.
    for i in 0..2 {
        let o = p.on_result(at(2), ck(i), &Outcome::Up, Duration::ZERO);
        assert_eq!(o.ops, vec![]);
        assert_eq!(p.quorum_up(0), Some(false));
    }
    let o = p.on_result(at(3), ck(2), &Outcome::Up, Duration::ZERO);
    assert_eq!(
        o.ops,
        vec![add(1, 1), add(2, 1), add(3, 1), add(4, 1), del(99)]
    );
    assert!(o.actions.contains(&ScriptAction::QuorumUp {
        vs: 0,
        script: "/bin/qup".into()
    }));
    assert_eq!(p.wanted(0).len(), 4);
}

#[test]
fn sorry_server_inhibit_keeps_it_at_weight_zero() {
    let mut v = vs(vec![rs(1, 1, check(0, false))]);
    v.sorry = Some(dest(99, 2));
    v.sorry_inhibit = true;
    let (mut p, out) = started(vec![v]);
    assert_eq!(out.ops, vec![add(99, 0)]);
    let o = p.on_result(at(1), ck(0), &fail(), Duration::ZERO);
    assert_eq!(o.ops, vec![del(1), edit(99, 2)]);
    let o = p.on_result(at(2), ck(0), &Outcome::Up, Duration::ZERO);
    assert_eq!(o.ops, vec![add(1, 1), edit(99, 0)]);
}

#[test]
fn operator_drain_wins_over_passing_checks_until_undrain() {
    let (mut p, _) = started(vec![vs(vec![
        rs(1, 5, check(0, false)),
        rs(2, 5, check(0, false)),
    ])]);
    let o = p.command(at(1), OperatorCommand::Drain(sid(0)));
    assert_eq!(o.ops, vec![edit(1, 0)]);
    // A failure and a recovery while drained change health, never the table.
    let o = p.on_result(at(2), ck(0), &fail(), Duration::ZERO);
    assert_eq!(o.ops, vec![]);
    let o = p.on_result(at(3), ck(0), &Outcome::Up, Duration::ZERO);
    assert_eq!(o.ops, vec![]);
    assert_eq!(
        p.server(sid(0)).map(|s| (s.health, s.intent)),
        Some((Health::Up, Intent::Drain))
    );
    let o = p.command(at(4), OperatorCommand::Disable(sid(0)));
    assert_eq!(o.ops, vec![del(1)]);
    let o = p.on_result(at(5), ck(0), &Outcome::Up, Duration::ZERO);
    assert_eq!(o.ops, vec![]);
    let o = p.command(at(6), OperatorCommand::Undrain(sid(0)));
    assert_eq!(o.ops, vec![add(1, 5)]);
    // Undrain of a server that is down keeps it out.
    p.on_result(at(7), ck(1), &fail(), Duration::ZERO);
    p.command(at(8), OperatorCommand::Drain(sid(1)));
    let o = p.command(at(9), OperatorCommand::Undrain(sid(1)));
    assert_eq!(o.ops, vec![del(2)]);
}

#[test]
fn a_drained_server_does_not_count_for_quorum() {
    let mut v = vs(vec![rs(1, 1, check(0, false)), rs(2, 1, check(0, false))]);
    v.quorum = 2;
    v.sorry = Some(dest(99, 1));
    let (mut p, _) = started(vec![v]);
    let o = p.command(at(1), OperatorCommand::Drain(sid(0)));
    assert_eq!(p.quorum_up(0), Some(false));
    assert_eq!(o.ops, vec![edit(1, 0), del(2), add(99, 1)]);
}

#[test]
fn omega_clears_the_pool_on_shutdown_and_runs_down_notifiers() {
    let mut a = rs(1, 1, check(0, false));
    a.inhibit = true;
    let mut v = vs(vec![a, rs(2, 1, check(0, false))]);
    v.omega = true;
    v.quorum_down = Some("/bin/qdown".into());
    let mut plain = vs(vec![rs(3, 1, check(0, false))]);
    plain.services = vec![svc(81)];
    let (mut p, _) = started(vec![v, plain]);
    p.on_result(at(1), ck(0), &fail(), Duration::ZERO);
    let o = p.shutdown(at(2));
    // Inhibited (weight 0) servers are removed too; the VS without omega is left alone.
    assert_eq!(o.ops, vec![del(1), del(2)]);
    assert_eq!(
        o.actions,
        vec![
            ScriptAction::NotifyDown {
                server: sid(1),
                script: "/bin/down 2".into()
            },
            ScriptAction::QuorumDown {
                vs: 0,
                script: "/bin/qdown".into()
            }
        ]
    );
}

#[test]
fn misc_dynamic_weight_edits_the_weight_and_exit_zero_keeps_it() {
    let (mut p, _) = started(vec![vs(vec![rs(1, 5, check(0, false))])]);
    let o = p.on_result(at(1), ck(0), &Outcome::Weight(7), Duration::ZERO);
    assert_eq!(o.ops, vec![edit(1, 7)]);
    let o = p.on_result(at(2), ck(0), &Outcome::Up, Duration::ZERO);
    assert_eq!(o.ops, vec![]);
    assert_eq!(p.server(sid(0)).map(|s| s.weight), Some(7));
}

#[test]
fn every_checker_must_pass_and_every_service_of_a_group_gets_the_ops() {
    let mut a = rs(1, 1, check(0, false));
    a.checkers.push(check(0, false));
    let mut v = vs(vec![a, rs(2, 1, check(0, false))]);
    v.services = vec![svc(80), svc(81)];
    let (mut p, _) = started(vec![v]);
    let second = CheckerId {
        server: sid(0),
        index: 1,
    };
    let o = p.on_result(at(1), second, &fail(), Duration::ZERO);
    assert_eq!(o.ops.len(), 2);
    assert!(o.ops.contains(&Op::DelDest {
        service: svc(81),
        addr: dest(1, 0).addr,
        port: 80
    }));
    let o = p.on_result(at(2), ck(0), &Outcome::Up, Duration::ZERO);
    assert_eq!(o.ops, vec![], "one checker still down");
    let o = p.on_result(at(3), second, &Outcome::Up, Duration::ZERO);
    assert_eq!(o.ops, vec![add(1, 1), Op::AddDest(svc(81), dest(1, 1))]);
}

#[test]
fn status_keeps_latency_detail_and_a_bounded_transition_log() {
    let (mut p, _) = started(vec![vs(vec![rs(1, 1, check(0, false))])]);
    for i in 0..(RING as u64 + 4) {
        let o = if i % 2 == 0 { fail() } else { Outcome::Up };
        p.on_result(at(i), ck(0), &o, Duration::from_millis(i));
    }
    let s = p.server(sid(0)).cloned();
    let s = s.as_ref();
    assert_eq!(s.map(|s| s.transitions.len()), Some(RING));
    let last = s.and_then(|s| s.checkers[0].last.clone());
    assert_eq!(
        last.as_ref().map(|l| (l.ok, l.latency)),
        Some((true, Duration::from_millis(19)))
    );
    assert_eq!(
        s.and_then(|s| s.transitions.back())
            .map(|t| t.reason.as_str()),
        Some("TCP_CHECK: ok")
    );
    assert_eq!(
        s.and_then(|s| s.transitions.front()).map(|t| t.at),
        Some(at(4)),
        "the oldest transitions were dropped"
    );
}

#[test]
fn warmup_spreads_the_first_checks_within_the_bound() {
    let mut c = check(0, false);
    c.warmup = 5 * SEC;
    let mut p = Policy::new(vec![vs(vec![rs(1, 1, c.clone()), rs(2, 1, c)])]);
    p.start(at(0), |id, _| {
        Duration::from_secs(3 + 10 * id.server.rs as u64)
    });
    let next = |r| p.server(sid(r)).and_then(|s| s.checkers[0].next_check);
    assert_eq!((next(0), next(1)), (Some(at(3)), Some(at(5))));
}

#[test]
fn unknown_ids_are_ignored() {
    let (mut p, _) = started(vec![vs(vec![rs(1, 1, check(0, false))])]);
    let bad = CheckerId {
        server: RsIndex { vs: 3, rs: 0 },
        index: 0,
    };
    assert_eq!(
        p.on_result(at(1), bad, &fail(), Duration::ZERO),
        Output::default()
    );
    assert_eq!(
        p.command(at(1), OperatorCommand::Drain(RsIndex { vs: 0, rs: 9 })),
        Output::default()
    );
}

#[test]
fn assume_down_carries_a_verdict_over_a_reload() {
    let mut p = Policy::new(vec![vs(vec![
        rs(1, 2, check(1, false)),
        rs(2, 3, check(1, false)),
    ])]);
    p.assume_down(sid(0));
    let out = p.start(at(0), |_, _| Duration::ZERO);
    assert_eq!(out.ops, vec![del(1)]);
    // Still down after another failure, with no retry round: it was down before.
    let out = p.on_result(at(1), ck(0), &fail(), SEC);
    assert!(out.ops.is_empty());
    assert_eq!(out.next_check, Some(at(11)));
    // One success brings it back.
    let out = p.on_result(at(11), ck(0), &Outcome::Up, SEC);
    assert_eq!(out.ops, vec![add(1, 2)]);
}
