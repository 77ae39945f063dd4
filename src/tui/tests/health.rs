//! The embedded health checkers as the console shows them, from a hand-built picture:
//! markers in the table, the detail block, the drift header and the R/K keys.

use std::collections::VecDeque;
use std::time::Duration;

use ratatui::crossterm::event::KeyCode;

use super::fixture::{app, code, key, screen, tcp, v4};
use crate::check::{CheckerStatus, Health, Intent, LastResult, ServerStatus, Transition};
use crate::clock::Instant as VInstant;
use crate::engine::health::status::{HealthStatus, ServerView, Why};
use crate::engine::ipvs::drift::{Drift, DriftItem, DriftKey};
use crate::engine::ipvs::reconciler;
use crate::tui::event::{Effect, Event};
use crate::tui::health::view::header_text;
use crate::tui::health::{HealthCmd, Msg};
use crate::tui::update;
use crate::tui::App;

fn at(s: u64) -> VInstant {
    VInstant::from_since_epoch(Duration::from_secs(s))
}

fn checked(health: Health, intent: Intent, in_table: Option<u32>, fails: u32) -> ServerStatus {
    let mut transitions = VecDeque::new();
    transitions.push_back(Transition {
        at: at(2),
        health: Health::Up,
        intent: Intent::Auto,
        reason: "HTTP_GET: HTTP 200".into(),
    });
    if health == Health::Down {
        transitions.push_back(Transition {
            at: at(90),
            health: Health::Down,
            intent: Intent::Auto,
            reason: "HTTP_GET: connection refused".into(),
        });
    }
    if intent != Intent::Auto {
        transitions.push_back(Transition {
            at: at(95),
            health,
            intent,
            reason: format!("operator: {intent:?}"),
        });
    }
    ServerStatus {
        health,
        intent,
        weight: 1,
        in_table,
        checkers: vec![CheckerStatus {
            name: "HTTP_GET",
            up: health == Health::Up,
            last: Some(LastResult {
                at: at(98),
                ok: fails == 0,
                detail: if fails == 0 {
                    "HTTP 200".into()
                } else {
                    "connection refused".into()
                },
                latency: Duration::from_millis(12),
            }),
            consecutive_failures: fails,
            next_check: Some(at(103)),
        }],
        transitions,
    }
}

fn picture() -> HealthStatus {
    let web = tcp(v4(192, 0, 2, 10), 80);
    let view = |last: u8, why, status| ServerView {
        virtual_server: "192.0.2.10 80".into(),
        services: vec![web],
        addr: v4(10, 0, 0, last),
        port: 80,
        why,
        status,
    };
    let drift = Drift {
        items: vec![
            DriftItem {
                key: DriftKey {
                    service: web,
                    server: Some((v4(10, 0, 0, 2), 80)),
                },
                expected: Some("-a -t 192.0.2.10:80 -r 10.0.0.2:80 -m -w 1".into()),
                found: Some("-a -t 192.0.2.10:80 -r 10.0.0.2:80 -m -w 5".into()),
                kept: false,
            },
            DriftItem {
                key: DriftKey {
                    service: web,
                    server: Some((v4(10, 0, 0, 9), 80)),
                },
                expected: None,
                found: Some("-a -t 192.0.2.10:80 -r 10.0.0.9:80 -m -w 1".into()),
                kept: false,
            },
        ],
    };
    HealthStatus {
        now: Some(at(100)),
        wall_secs: Some(1_800_000_100),
        servers: vec![
            view(
                1,
                Why::Weight(1),
                Some(checked(Health::Up, Intent::Auto, Some(1), 0)),
            ),
            view(
                2,
                Why::Inhibited,
                Some(checked(Health::Down, Intent::Auto, Some(0), 3)),
            ),
            view(
                3,
                Why::OperatorDrained,
                Some(checked(Health::Up, Intent::Drain, Some(0), 0)),
            ),
            view(4, Why::SorryServer(false), None),
        ],
        reconciler: reconciler::ReconcilerStatus {
            drift,
            ..reconciler::ReconcilerStatus::default()
        },
        sync: None,
    }
}

fn with_health(w: u16, h: u16) -> (App, std::time::Instant) {
    let (mut app, now) = app(w, h);
    update(
        &mut app,
        Event::Health(Msg::Status(Box::new(picture()))),
        now,
    );
    (app, now)
}

#[test]
fn table_marks_each_checked_server() {
    let (app, _) = with_health(110, 16);
    let s = screen(&app);
    assert!(s.contains("10.0.0.1:80 [up]"), "{s}");
    assert!(s.contains("10.0.0.2:80 [inhibited]"), "{s}");
    assert!(s.contains("10.0.0.3:80 [drained]"), "{s}");
    assert!(s.contains("10.0.0.4:80 [sorry idle]"), "{s}");
    insta::assert_snapshot!(s);
}

#[test]
fn header_counts_drift_and_down() {
    let (app, _) = with_health(110, 16);
    assert_eq!(
        header_text(&app.health).as_deref(),
        Some("health: 4 checked, 1 down │ drift: 2 (w list, R reconcile, K keep)")
    );
    insta::assert_snapshot!(screen(&app).lines().nth(2).unwrap_or_default());
}

#[test]
fn without_checkers_nothing_changes() {
    let (app, _) = app(110, 16);
    assert_eq!(header_text(&app.health), None);
    assert!(!screen(&app).contains("[up]"));
}

#[test]
fn detail_of_a_server_says_why_and_how_its_checks_go() {
    let (mut app, now) = with_health(120, 30);
    update(&mut app, key('j'), now);
    update(&mut app, key('j'), now);
    update(&mut app, code(KeyCode::Enter), now);
    let s = screen(&app);
    assert!(s.contains("checkers say down, inhibit_on_failure"), "{s}");
    assert!(s.contains("3 failures in a row, next in 3 s"), "{s}");
    insta::assert_snapshot!(s);
}

#[test]
fn detail_of_a_service_lists_its_drift() {
    let (mut app, now) = with_health(120, 30);
    update(&mut app, code(KeyCode::Enter), now);
    let s = screen(&app);
    assert!(s.contains("Drift: 2 (R reconcile, K keep)"), "{s}");
    assert!(s.contains("expected nothing"), "{s}");
    insta::assert_snapshot!(s);
    // R works in the detail view too.
    assert_eq!(
        update(&mut app, key('R'), now),
        vec![Effect::Health(HealthCmd::ReconcileAll)]
    );
}

#[test]
fn r_reconciles_and_k_keeps_what_is_not_kept() {
    let (mut app, now) = with_health(110, 16);
    assert_eq!(
        update(&mut app, key('R'), now),
        vec![Effect::Health(HealthCmd::ReconcileAll)]
    );
    let keys: Vec<DriftKey> = app.health.drift().iter().map(|i| i.key).collect();
    assert_eq!(
        update(&mut app, key('K'), now),
        keys.into_iter()
            .map(|k| Effect::Health(HealthCmd::Keep(k)))
            .collect::<Vec<_>>()
    );
    // Without drift the keys do nothing.
    let mut p = picture();
    p.reconciler.drift.items.clear();
    update(&mut app, Event::Health(Msg::Status(Box::new(p))), now);
    assert!(update(&mut app, key('R'), now).is_empty());
    // Read-only refuses.
    update(
        &mut app,
        Event::Health(Msg::Status(Box::new(picture()))),
        now,
    );
    app.edit.read_only = true;
    assert!(update(&mut app, key('K'), now).is_empty());
}

/// Moves the selection down `n` rows.
fn down(app: &mut App, n: usize, now: std::time::Instant) {
    for _ in 0..n {
        update(app, key('j'), now);
    }
}

fn server(last: u8) -> crate::engine::ServerId {
    crate::engine::ServerId {
        service: tcp(v4(192, 0, 2, 10), 80),
        addr: v4(10, 0, 0, last),
        port: 80,
    }
}

#[test]
fn drain_of_a_checked_server_is_a_policy_command_not_a_kernel_edit() {
    let (mut app, now) = with_health(110, 16);
    down(&mut app, 1, now);
    assert_eq!(
        update(&mut app, key('d'), now),
        vec![Effect::Health(HealthCmd::Operator(
            server(1),
            Intent::Drain
        ))]
    );
    assert!(
        app.edit.in_flight.is_none(),
        "nothing applied to the kernel"
    );
    // Disable (X) too.
    assert_eq!(
        update(&mut app, key('X'), now),
        vec![Effect::Health(HealthCmd::Operator(
            server(1),
            Intent::Disable
        ))]
    );
    // D on a server the operator did not hold is refused, with a reason.
    assert!(update(&mut app, key('D'), now).is_empty());
    // The drained one: d toggles back, D undrains.
    down(&mut app, 2, now);
    let undrain = vec![Effect::Health(HealthCmd::Operator(server(3), Intent::Auto))];
    assert_eq!(update(&mut app, key('d'), now), undrain);
    assert_eq!(update(&mut app, key('D'), now), undrain);
}

#[test]
fn a_server_the_configuration_does_not_own_is_drained_in_the_kernel() {
    let (mut app, now) = with_health(110, 16);
    // 10.0.0.11:443 of the https service: no checker, the console edits the kernel.
    down(&mut app, 6, now);
    let effects = update(&mut app, key('d'), now);
    assert!(
        matches!(effects.as_slice(), [Effect::Apply(ops)] if ops.len() == 1),
        "{effects:?}"
    );
    // And X is refused there (nothing to hold it out).
    assert!(update(&mut app, key('X'), now).is_empty());
}

#[test]
fn the_policy_ops_of_a_drain_go_to_the_audit_log() {
    let (mut app, now) = with_health(110, 16);
    let op = crate::ipvs::Op::DelDest {
        service: tcp(v4(192, 0, 2, 10), 80),
        addr: v4(10, 0, 0, 1),
        port: 80,
    };
    let effects = update(&mut app, Event::Health(Msg::Applied(vec![op.clone()])), now);
    assert_eq!(effects[0], Effect::Audit(vec![op]));
    assert!(effects.contains(&Effect::Refresh));
}

#[test]
fn detail_of_a_drained_server_says_when_and_how_to_undrain() {
    let (mut app, now) = with_health(120, 30);
    down(&mut app, 3, now);
    update(&mut app, code(KeyCode::Enter), now);
    let s = screen(&app);
    // now = 100 s at wall 1_800_000_100 (08:01:40 UTC); drained at 95 s.
    assert!(
        s.contains("operator: drained at 08:01:35; undrain with D"),
        "{s}"
    );
    insta::assert_snapshot!(s);
    // D in the detail view undrains it.
    assert_eq!(
        update(&mut app, key('D'), now),
        vec![Effect::Health(HealthCmd::Operator(server(3), Intent::Auto))]
    );
}

#[test]
fn drift_list_reverts_or_keeps_one_entry() {
    let (mut app, now) = with_health(110, 16);
    update(&mut app, key('w'), now);
    let s = screen(&app);
    assert!(
        s.contains("revert: ipvsadm -e -t 192.0.2.10:80 -r 10.0.0.2:80 -m -w 1"),
        "{s}"
    );
    assert!(
        s.contains("revert: ipvsadm -d -t 192.0.2.10:80 -r 10.0.0.9:80"),
        "{s}"
    );
    insta::assert_snapshot!(s);
    let keys: Vec<DriftKey> = app.health.drift().iter().map(|i| i.key).collect();
    assert_eq!(
        update(&mut app, key('r'), now),
        vec![Effect::Health(HealthCmd::Reconcile(keys[0]))]
    );
    update(&mut app, code(KeyCode::Down), now);
    assert_eq!(
        update(&mut app, key('k'), now),
        vec![Effect::Health(HealthCmd::Keep(keys[1]))]
    );
    // R still means all, from the list too.
    assert_eq!(
        update(&mut app, key('R'), now),
        vec![Effect::Health(HealthCmd::ReconcileAll)]
    );
    update(&mut app, code(KeyCode::Esc), now);
    assert_eq!(app.mode, crate::tui::action::Mode::Table);
    // Read-only refuses a single entry too.
    app.edit.read_only = true;
    update(&mut app, key('w'), now);
    assert!(update(&mut app, key('r'), now).is_empty());
}

#[test]
fn drift_list_shows_a_service_gone_from_the_kernel() {
    let (mut app, now) = with_health(110, 16);
    let mut p = picture();
    p.reconciler.drift.items = vec![DriftItem {
        key: DriftKey {
            service: tcp(v4(192, 0, 2, 20), 80),
            server: None,
        },
        expected: Some("-A -t 192.0.2.20:80 -s rr".into()),
        found: None,
        kept: true,
    }];
    update(&mut app, Event::Health(Msg::Status(Box::new(p))), now);
    update(&mut app, key('w'), now);
    let s = screen(&app);
    assert!(
        s.contains("revert: ipvsadm -A -t 192.0.2.20:80 -s rr"),
        "{s}"
    );
    assert!(s.contains("no such service"), "{s}");
    assert!(s.contains("(kept)"), "{s}");
    // Already kept: k says so and sends nothing.
    assert!(update(&mut app, key('k'), now).is_empty());
}

#[test]
fn attached_to_a_daemon_the_header_says_so() {
    let (mut app, now) = with_health(110, 16);
    update(
        &mut app,
        Event::Health(Msg::Attached("/run/lvsdeck/control.sock".into())),
        now,
    );
    assert!(header_text(&app.health)
        .unwrap_or_default()
        .starts_with("daemon: attached │ health: 4 checked"));
}

#[test]
fn a_warning_stays_in_the_header() {
    let (mut app, now) = with_health(110, 16);
    let w = "a lvsdeck daemon runs here (/run/lvsdeck/control.sock): run the console without -f to attach to it";
    update(&mut app, Event::Health(Msg::Warning(w.into())), now);
    update(
        &mut app,
        Event::Health(Msg::Status(Box::new(picture()))),
        now,
    );
    assert!(header_text(&app.health).unwrap_or_default().ends_with(w));
}
