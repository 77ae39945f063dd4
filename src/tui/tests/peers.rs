//! A peer in the console, on the pure update: its stream's frames make its table, Tab
//! shows it (the header names it), a weight key sends ipvsadm lines to it and its reply
//! finishes the change, a silent stream turns it UNREACHABLE with the age of its last
//! state, a read-only peer refuses changes before anything is sent, and the `:` bar's
//! `NAME:` prefix switches to the director it names.

use std::time::Duration;

use ratatui::crossterm::event::KeyCode;

use super::fixture::{app, code, key, screen, table};
use crate::engine::control::protocol::Reply;
use crate::pair::state::{DirectorState, Item, Meta, META};
use crate::pair::wire::{ClientFrame, Hello, ServerFrame, VERSION};
use crate::tui::directors::{Peer, PeerMsg};
use crate::tui::event::{Effect, Event};
use crate::tui::update;

fn hello(read_only: bool) -> ServerFrame {
    ServerFrame::Hello(Hello {
        version: VERSION,
        capabilities: vec![],
        host: "lb2".into(),
        read_only,
        lvsdeck: "0.1.0".into(),
        interval_ms: Some(1000),
    })
}

/// The fixture table as the peer serves it.
fn picture() -> DirectorState {
    let mut s = DirectorState::default();
    s.put_table(&table());
    s.items.insert(
        META.into(),
        Item::Meta(Meta {
            host: "lb2".into(),
            ..Meta::default()
        }),
    );
    s
}

fn peer_app(read_only: bool) -> (crate::tui::App, std::time::Instant) {
    let (mut app, now) = app(140, 30);
    app.directors
        .peers
        .push(Peer::new("ops@lb2".into(), Duration::from_secs(1)));
    let ev = |m| Event::Peer(0, m);
    update(&mut app, ev(PeerMsg::Started("ssh ...".into())), now);
    update(&mut app, ev(PeerMsg::Frame(hello(read_only))), now);
    let snap = ServerFrame::Snapshot {
        seq: 1,
        clock_ms: 0,
        wall_secs: None,
        wall_ms: None,
        state: picture(),
    };
    update(&mut app, ev(PeerMsg::Frame(snap)), now);
    (app, now)
}

#[test]
fn tab_shows_the_peer_and_a_weight_change_goes_to_it() {
    let (mut app, now) = peer_app(false);
    let text = screen(&app);
    assert!(text.contains("lb1 (1 of 2; Tab: next)"), "{text}");
    update(&mut app, code(KeyCode::Tab), now);
    let text = screen(&app);
    assert!(text.contains("peer ops@lb2 (lb2)"), "{text}");
    assert_eq!(
        app.entries().len(),
        table().len(),
        "the peer's table is shown"
    );
    // Select a real server (row 2 is the first one) and raise its weight.
    update(&mut app, key('j'), now);
    let effects = update(&mut app, key('+'), now);
    let [Effect::PeerSend(0, ClientFrame::Apply { id, lines })] = &effects[..] else {
        panic!("{effects:?}")
    };
    assert_eq!(lines.len(), 1);
    assert!(lines[0].starts_with("-e -t "), "{lines:?}");
    let reply = ServerFrame::Reply {
        id: *id,
        reply: Reply::Done {
            message: "applied 1 change".into(),
            applied: lines.clone(),
        },
    };
    update(&mut app, Event::Peer(0, PeerMsg::Frame(reply)), now);
    assert!(app.edit.in_flight.is_none());
    assert!(
        screen(&app).contains("applied: ipvsadm -e"),
        "{}",
        screen(&app)
    );
    // No local read while the peer is shown.
    let effects = update(&mut app, Event::Tick, now + Duration::from_millis(500));
    assert!(!effects.contains(&Effect::Refresh), "{effects:?}");
    // Back to this director: its table is read again.
    let effects = update(&mut app, code(KeyCode::Tab), now);
    assert!(effects.contains(&Effect::Refresh), "{effects:?}");
}

#[test]
fn a_silent_peer_is_unreachable_and_refuses_changes() {
    let (mut app, now) = peer_app(false);
    update(&mut app, code(KeyCode::Tab), now);
    let later = now + Duration::from_millis(2500);
    update(&mut app, Event::Tick, later);
    let text = screen(&app);
    assert!(text.contains("UNREACHABLE (last state 2.5s old)"), "{text}");
    update(&mut app, key('j'), later);
    let effects = update(&mut app, key('+'), later);
    assert!(effects.is_empty(), "{effects:?}");
    assert!(
        screen(&app).contains("ops@lb2 is UNREACHABLE"),
        "{}",
        screen(&app)
    );
    // The transport's own words when it ended.
    update(
        &mut app,
        Event::Peer(
            0,
            PeerMsg::Ended {
                message: "Host key verification failed. (ssh: exit 255)".into(),
                retry_in: Duration::from_secs(4),
            },
        ),
        later,
    );
    assert!(
        screen(&app).contains("Host key verification failed. (ssh: exit 255); retry in 4s"),
        "{}",
        screen(&app)
    );
}

#[test]
fn a_read_only_peer_refuses_before_anything_is_sent() {
    let (mut app, now) = peer_app(true);
    update(&mut app, code(KeyCode::Tab), now);
    update(&mut app, key('j'), now);
    assert!(update(&mut app, key('+'), now).is_empty());
    let text = screen(&app);
    assert!(text.contains("READ-ONLY"), "{text}");
    assert!(text.contains("ops@lb2 serves read-only"), "{text}");
}

#[test]
fn the_command_bar_prefix_names_the_director() {
    let (mut app, now) = peer_app(false);
    update(&mut app, key(':'), now);
    for c in "lb2: -Z".chars() {
        update(&mut app, key(c), now);
    }
    update(&mut app, code(KeyCode::Enter), now);
    assert_eq!(app.directors.shown, Some(0), "lb2 (its host name) is shown");
    // The zero is previewed there; Enter applies it on the peer.
    let effects = update(&mut app, code(KeyCode::Enter), now);
    assert!(
        matches!(&effects[..], [Effect::PeerSend(0, ClientFrame::Apply { lines, .. })] if lines == &["-Z".to_string()]),
        "{effects:?}"
    );
    // An unknown name is said, nothing switches.
    update(
        &mut app,
        Event::Peer(
            0,
            PeerMsg::Frame(ServerFrame::Heartbeat {
                seq: 2,
                clock_ms: 1,
            }),
        ),
        now,
    );
    app.edit.in_flight = None;
    update(&mut app, key(':'), now);
    for c in "lb9: -Z".chars() {
        update(&mut app, key(c), now);
    }
    update(&mut app, code(KeyCode::Enter), now);
    assert!(
        screen(&app).contains("no director `lb9`"),
        "{}",
        screen(&app)
    );
}

#[test]
fn this_directors_policy_lines_reach_its_audit_log_while_a_peer_is_shown() {
    let (mut app, now) = peer_app(false);
    update(&mut app, code(KeyCode::Tab), now);
    let op = crate::ipvs::Op::Zero(None);
    let effects = update(
        &mut app,
        Event::Health(crate::tui::health::Msg::Applied(vec![op.clone()])),
        now,
    );
    assert!(effects.contains(&Effect::Audit(vec![op])), "{effects:?}");
    // Its health picture goes on being kept aside, not shown as the peer's.
    update(
        &mut app,
        Event::Health(crate::tui::health::Msg::Failed("x".into())),
        now,
    );
    assert!(app.health.failed.is_none());
    assert_eq!(
        app.directors
            .local_health
            .as_ref()
            .and_then(|h| h.failed.as_deref()),
        Some("x")
    );
}

/// This director's stream, attached to a daemon: its health picture, a restart said
/// (gone, asked again), then back.
#[test]
fn the_attached_daemon_through_this_directors_stream() {
    let (mut app, now) = app(140, 30);
    update(
        &mut app,
        Event::Health(crate::tui::health::Msg::Attached(
            "/run/lvsdeck/control.sock".into(),
        )),
        now,
    );
    let frame = |seq, daemon: bool| {
        let mut s = DirectorState::default();
        s.items.insert(
            META.into(),
            Item::Meta(Meta {
                host: "lb1".into(),
                daemon,
                problems: if daemon {
                    vec![]
                } else {
                    vec!["daemon: the daemon closed the connection".into()]
                },
                ..Meta::default()
            }),
        );
        Event::Local(ServerFrame::Snapshot {
            seq,
            clock_ms: seq * 1000,
            wall_secs: None,
            wall_ms: None,
            state: s,
        })
    };
    update(&mut app, Event::Local(hello(false)), now);
    update(&mut app, frame(1, true), now);
    assert!(app.health.status.is_some());
    assert!(app.health.failed.is_none());
    update(&mut app, frame(2, false), now);
    let text = screen(&app);
    assert!(
        text.contains("daemon: the daemon closed the connection; asking again every second"),
        "{text}"
    );
    update(&mut app, frame(3, true), now);
    assert!(app.health.failed.is_none(), "{:?}", app.health.failed);
}
