//! The VRRP panel, header slot, drills and the quit question, driven by events as the
//! embedded engine would send them.

use std::net::IpAddr;
use std::time::Duration;

use ratatui::crossterm::event::KeyCode;

use super::fixture::{app, code, key, screen, v4};
use crate::engine::vrrp::InstanceCommand;
use crate::tui::event::{Effect, Event};
use crate::tui::update;
use crate::tui::vrrp::{header_text, InstanceInfo, Msg};
use crate::tui::App;
use crate::vrrp::{Counters, Instant as VInstant, Reason, State, Status, Transition};

fn status(state: State, prio: u8, master: Option<(IpAddr, u8)>) -> Status {
    let t = |s: u64, from, to, reason| Transition {
        at: VInstant::from_since_epoch(Duration::from_secs(s)),
        from,
        to,
        reason,
    };
    let mut transitions = vec![t(1, State::Initialize, State::Backup, Reason::Startup)];
    if state == State::Master {
        transitions.push(t(5, State::Backup, State::Master, Reason::MasterDown));
    }
    Status {
        vrid: 51,
        state,
        time_in_state: Duration::from_secs(12),
        configured_priority: 150,
        effective_priority: prio,
        master,
        advert_interval_cs: 100,
        learned_interval_cs: 100,
        held_until: None,
        priority_override: None,
        fault: false,
        next_deadline: None,
        counters: Counters {
            adverts_received: 4,
            adverts_sent: 40,
            became_master: 1,
            ttl_errors: 2,
            auth_failures: 1,
            ..Counters::default()
        },
        transitions,
    }
}

fn started(app: &mut App, now: std::time::Instant) {
    let info = InstanceInfo {
        name: "VI_1".into(),
        interface: "veth0".into(),
        vips: vec!["192.0.2.100/32".into()],
    };
    update(
        app,
        Event::Vrrp(Msg::Started {
            running: vec![info],
            failed: vec!["vrrp_instance VI_2: interface eth9: no such device".into()],
        }),
        now,
    );
}

fn send(app: &mut App, s: Status, now: std::time::Instant) {
    update(
        app,
        Event::Vrrp(Msg::Status("VI_1".into(), Box::new(s))),
        now,
    );
}

fn master_app() -> (App, std::time::Instant) {
    let (mut app, now) = app(110, 24);
    started(&mut app, now);
    send(
        &mut app,
        status(State::Master, 150, Some((v4(192, 0, 2, 1), 150))),
        now,
    );
    (app, now)
}

#[test]
fn header_slot_says_role_priority_and_master() {
    let (mut app, now) = app(110, 24);
    assert_eq!(header_text(&app.vrrp), "VRRP: —");
    started(&mut app, now);
    assert_eq!(header_text(&app.vrrp), "VRRP: starting (VI_1)");
    send(
        &mut app,
        status(State::Master, 150, Some((v4(192, 0, 2, 1), 150))),
        now,
    );
    assert_eq!(header_text(&app.vrrp), "VRRP: MASTER 150 (VI_1)");
    send(
        &mut app,
        status(State::Backup, 100, Some((v4(192, 0, 2, 1), 150))),
        now,
    );
    assert_eq!(
        header_text(&app.vrrp),
        "VRRP: BACKUP 100, master 192.0.2.1/150 (VI_1)"
    );
    insta::assert_snapshot!(screen(&app).lines().next().unwrap_or_default());
}

#[test]
fn panel_shows_the_instance() {
    let (mut app, now) = master_app();
    update(&mut app, key('v'), now);
    insta::assert_snapshot!(screen(&app));
}

#[test]
fn panel_counts_adverts_for_vrids_not_run_here() {
    let (mut app, now) = master_app();
    update(&mut app, key('v'), now);
    let counts = |v: Vec<(&str, u64)>| {
        Event::Vrrp(Msg::UnknownVrid(
            v.into_iter().map(|(i, n)| (i.to_string(), n)).collect(),
        ))
    };
    update(&mut app, counts(vec![("veth0", 0)]), now);
    assert!(screen(&app).contains("adverts for VRIDs not run here: veth0 0"));
    update(&mut app, counts(vec![("eth1", 2), ("veth0", 17)]), now);
    assert!(!app.vrrp.on_msg(
        Msg::UnknownVrid(vec![("eth1".into(), 2), ("veth0".into(), 17)]),
        now
    ));
    insta::assert_snapshot!(screen(&app));
}

#[test]
fn panel_without_instances_says_how_to_get_them() {
    let (mut app, now) = app(110, 10);
    update(&mut app, key('v'), now);
    assert!(screen(&app).contains("start the console with -f keepalived.conf"));
    update(&mut app, code(KeyCode::Esc), now);
    assert_eq!(app.mode, crate::tui::action::Mode::Table);
}

#[test]
fn give_up_drill_needs_the_name_and_measures_the_takeover() {
    let (mut app, now) = master_app();
    update(&mut app, key('v'), now);
    update(&mut app, key('g'), now);
    update(&mut app, code(KeyCode::Right), now);
    for c in "VI_".chars() {
        update(&mut app, key(c), now);
    }
    // A wrong name sends nothing.
    assert!(update(&mut app, code(KeyCode::Enter), now).is_empty());
    update(&mut app, key('1'), now);
    insta::assert_snapshot!("drill_confirmation", screen(&app));
    let fx = update(&mut app, code(KeyCode::Enter), now);
    assert_eq!(
        fx,
        vec![Effect::Vrrp(
            "VI_1".into(),
            InstanceCommand::GiveUpMastership(Duration::from_secs(40))
        )]
    );
    // Our instance goes backup at once, the peer's advert shows 3.62 s later.
    let t1 = now + Duration::from_millis(2);
    send(
        &mut app,
        status(State::Backup, 0, Some((v4(192, 0, 2, 1), 0))),
        t1,
    );
    assert!(app.vrrp.instances[0].drill.is_some());
    let t2 = now + Duration::from_millis(3620);
    send(
        &mut app,
        status(State::Backup, 150, Some((v4(192, 0, 2, 2), 100))),
        t2,
    );
    let inst = &app.vrrp.instances[0];
    assert!(inst.drill.is_none());
    let line = inst.measured.back().map(|m| m.line()).unwrap_or_default();
    assert_eq!(
        line,
        "drill give up 40s: BACKUP after 2ms, master 192.0.2.2/100 after 3.620s"
    );
    app.now = t2 + Duration::from_secs(1);
    insta::assert_snapshot!("panel_after_drill", screen(&app));
}

#[test]
fn priority_drill_without_takeover_expires() {
    let (mut app, now) = master_app();
    update(&mut app, key('v'), now);
    update(&mut app, key('+'), now);
    update(&mut app, code(KeyCode::Down), now);
    for c in "VI_1".chars() {
        update(&mut app, key(c), now);
    }
    let fx = update(&mut app, code(KeyCode::Enter), now);
    assert_eq!(
        fx,
        vec![Effect::Vrrp(
            "VI_1".into(),
            InstanceCommand::SetPriority(244, Duration::from_secs(30))
        )]
    );
    update(&mut app, Event::Tick, now + Duration::from_secs(29));
    assert!(app.vrrp.instances[0].drill.is_some());
    update(&mut app, Event::Tick, now + Duration::from_secs(30));
    let inst = &app.vrrp.instances[0];
    assert!(inst.drill.is_none());
    assert_eq!(
        inst.measured.back().map(|m| m.line()).unwrap_or_default(),
        "drill priority 244 30s: no takeover seen"
    );
}

#[test]
fn quitting_as_master_asks_first_no_by_default() {
    let (mut app, now) = master_app();
    assert!(update(&mut app, key('q'), now).is_empty());
    insta::assert_snapshot!("quit_confirmation", screen(&app));
    // Enter on the default answer (No) stays.
    assert!(update(&mut app, code(KeyCode::Enter), now).is_empty());
    assert!(app.vrrp.dialog.is_none());
    update(&mut app, key('q'), now);
    update(&mut app, code(KeyCode::Right), now);
    assert_eq!(
        update(&mut app, code(KeyCode::Enter), now),
        vec![Effect::Quit]
    );
}

#[test]
fn quitting_as_backup_does_not_ask() {
    let (mut app, now) = app(110, 24);
    started(&mut app, now);
    send(
        &mut app,
        status(State::Backup, 100, Some((v4(192, 0, 2, 1), 150))),
        now,
    );
    assert_eq!(update(&mut app, key('q'), now), vec![Effect::Quit]);
}

#[test]
fn read_only_refuses_drills_but_a_procfs_table_does_not() {
    let (mut app, now) = master_app();
    app.source = Some(crate::tui::event::Source::Procfs {
        reason: "netlink unavailable".into(),
    });
    update(&mut app, key('v'), now);
    update(&mut app, key('g'), now);
    assert!(
        app.vrrp.dialog.is_some(),
        "a /proc table must not block drills"
    );
    update(&mut app, code(KeyCode::Esc), now);
    app.edit.read_only = true;
    update(&mut app, key('g'), now);
    assert!(app.vrrp.dialog.is_none());
    assert!(screen(&app).contains("failover drills refused"));
}

#[test]
fn ctrl_c_in_the_connections_filter_still_asks_as_master() {
    use ratatui::crossterm::event::{KeyEvent, KeyModifiers};
    let (mut app, now) = master_app();
    update(&mut app, key('c'), now);
    update(&mut app, key('/'), now);
    let ctrl_c = Event::Key(KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL));
    assert!(update(&mut app, ctrl_c, now).is_empty());
    assert!(app.vrrp.dialog.is_some());
}

#[test]
fn two_instances_header_counts_the_rest_and_the_panel_selects() {
    let (mut app, now) = app(110, 24);
    let info = |n: &str| InstanceInfo {
        name: n.into(),
        interface: "veth0".into(),
        vips: vec![],
    };
    update(
        &mut app,
        Event::Vrrp(Msg::Started {
            running: vec![info("VI_1"), info("VI_2")],
            failed: vec![],
        }),
        now,
    );
    send(&mut app, status(State::Master, 150, None), now);
    assert_eq!(header_text(&app.vrrp), "VRRP: MASTER 150 (VI_1) +1");
    update(&mut app, key('v'), now);
    update(&mut app, key('j'), now);
    update(&mut app, key('j'), now);
    assert_eq!(app.vrrp.cursor, 1);
    assert!(screen(&app).contains("waiting for the first status"));
    // A drill on VI_2 is typed with its own name.
    update(&mut app, key('g'), now);
    for c in "VI_2".chars() {
        update(&mut app, key(c), now);
    }
    let fx = update(&mut app, code(KeyCode::Enter), now);
    assert!(matches!(&fx[..], [Effect::Vrrp(n, _)] if n == "VI_2"));
}

#[test]
fn panel_has_one_line_per_sync_daemon() {
    use crate::engine::conn_sync::status::SyncStatus;
    use crate::ipvs::{Daemon, DaemonState};
    let (mut app, now) = master_app();
    update(&mut app, key('v'), now);
    let daemon = Daemon {
        state: DaemonState::Master,
        mcast_ifn: "veth0".into(),
        syncid: 7,
        sync_maxlen: Some(1472),
        mcast_group: None,
        mcast_port: Some(8848),
        mcast_ttl: Some(1),
    };
    let sync = SyncStatus {
        setting: Some("lvs_sync_daemon veth0 VI_1 id 7".into()),
        instance: Some("VI_1".into()),
        instance_state: Some("MASTER".into()),
        wanted: vec![DaemonState::Master],
        daemons: vec![daemon],
        local: Some(120),
        synced: Some(0),
        error: None,
    };
    let picture = crate::engine::HealthStatus {
        sync: Some(sync),
        ..crate::engine::HealthStatus::default()
    };
    update(
        &mut app,
        Event::Health(crate::tui::health::Msg::Status(Box::new(picture))),
        now,
    );
    let s = screen(&app);
    assert!(
        s.contains(
            "sync master on veth0 syncid 7 · follows VI_1 (MASTER) · 120 local, 0 synced conns"
        ),
        "{s}"
    );
}
