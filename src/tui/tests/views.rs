//! The detail and connections views: what they show, and the key flows through them.

use std::time::Duration;

use ratatui::crossterm::event::KeyCode;

use super::fixture::{app, code, key, screen, snapshot, table, tcp, v4};
use crate::ipvs::conn::{parse_line, ConnFilter, Endpoint, ScanSummary};
use crate::ipvs::Connection;
use crate::tui::action::Mode;
use crate::tui::conns::state::{ConnMsg, RESCAN};
use crate::tui::event::{Effect, Event};
use crate::tui::table::columns::RowKey;
use crate::tui::{update, App};

/// `n` connections from distinct clients to 192.0.2.10:80 via 10.0.0.1..3, states mixed.
fn conns(n: u32) -> Vec<Connection> {
    (0..n)
        .map(|i| {
            let state = ["ESTABLISHED", "TIME_WAIT", "FIN_WAIT", "ESTABLISHED"][i as usize % 4];
            parse_line(&format!(
                "TCP C6336{:03X} {:04X} C000020A 0050 0A00000{} 0050 {state} {}",
                i + 1,
                40000 + i,
                i % 3 + 1,
                (i * 7) % 900
            ))
            .unwrap_or_else(|e| panic!("{e}"))
        })
        .collect()
}

/// The id of the scan asked for, and its filter.
fn scan_of(effects: &[Effect]) -> (u64, ConnFilter) {
    effects
        .iter()
        .find_map(|e| match e {
            Effect::ScanConns { id, filter } => Some((*id, filter.clone())),
            _ => None,
        })
        .unwrap_or_else(|| panic!("no scan in {effects:?}"))
}

fn deliver(app: &mut App, id: u64, rows: Vec<Connection>, table_lines: u64) {
    let now = app.now;
    update(app, Event::Conns(id, ConnMsg::Batch(rows)), now);
    let summary = ScanSummary {
        lines: table_lines,
        ..ScanSummary::default()
    };
    update(app, Event::Conns(id, ConnMsg::Done(summary)), now);
}

#[test]
fn detail_view_with_sparklines_and_connections() {
    let (mut app, mut now) = app(140, 36);
    // A minute of refreshes with the first real server's rates ramping up and down.
    for i in 0..60u64 {
        let mut t = table();
        let d = &mut t[0].dests[0];
        d.stats.cps = (i % 20) * 4_000;
        d.stats.inbps = 30_000_000 * (i % 30);
        d.stats.outbps = 100_000_000 * (60 - i);
        d.active_conns = 1000 + (i as u32) * 5;
        now += Duration::from_secs(1);
        update(&mut app, Event::Table(Ok(snapshot(t, now))), now);
    }
    update(&mut app, key('j'), now);
    let web = tcp(v4(192, 0, 2, 10), 80);
    let want = RowKey::Dest(web, v4(10, 0, 0, 1), 80);
    assert_eq!(app.selected, Some(want));
    let (id, filter) = scan_of(&update(&mut app, code(KeyCode::Enter), now));
    assert_eq!(app.mode, Mode::Detail);
    assert_eq!(
        filter.virtual_service,
        Some(Endpoint::with_port(v4(192, 0, 2, 10), 80))
    );
    assert_eq!(
        filter.real_server,
        Some(Endpoint::with_port(v4(10, 0, 0, 1), 80))
    );
    let mine: Vec<_> = conns(12)
        .into_iter()
        .filter(|c| filter.matches_connection(c))
        .collect();
    assert_eq!(mine.len(), 4);
    deliver(&mut app, id, mine, 12);
    insta::assert_snapshot!(screen(&app));
}

#[test]
fn detail_of_a_firewall_mark_service_keeps_its_servers_connections() {
    let (mut app, now) = app(120, 30);
    update(&mut app, code(KeyCode::End), now);
    update(&mut app, key('k'), now);
    let (id, filter) = scan_of(&update(&mut app, code(KeyCode::Enter), now));
    assert!(filter.is_empty(), "a mark has no address to filter on");
    let mut mine = conns(2);
    mine[0].dest_addr = v4(10, 0, 1, 1);
    mine[0].dest_port = 0;
    deliver(&mut app, id, mine, 2);
    assert_eq!(app.conns.list.shown.rows.len(), 1);
    let text = screen(&app);
    assert!(text.contains("Firewall mark  42"), "{text}");
    assert!(text.contains("10.0.1.1:0"), "{text}");
}

#[test]
fn enter_detail_then_esc_keeps_the_selection() {
    let (mut app, now) = app(120, 30);
    for _ in 0..6 {
        update(&mut app, key('j'), now);
    }
    let before = (app.selected, app.cursor);
    update(&mut app, code(KeyCode::Enter), now);
    assert_eq!(app.mode, Mode::Detail);
    // A refresh while in the detail view: the view follows its row.
    update(&mut app, Event::Table(Ok(snapshot(table(), now))), now);
    assert!(screen(&app).contains("Real server 10.0.0.11:443"));
    let effects = update(&mut app, code(KeyCode::Esc), now);
    assert_eq!(effects, vec![Effect::StopConns]);
    assert_eq!(app.mode, Mode::Table);
    assert_eq!((app.selected, app.cursor), before);
}

#[test]
fn connections_view_filter_and_page() {
    let (mut app, now) = app(120, 20);
    let (id, filter) = scan_of(&update(&mut app, key('c'), now));
    assert_eq!(app.mode, Mode::Conns);
    assert!(filter.is_empty());
    deliver(&mut app, id, conns(40), 40);
    // `/` then a query: a new scan with the filter, the old list dropped.
    update(&mut app, key('/'), now);
    assert_eq!(app.mode, Mode::ConnFilter);
    let mut last = Vec::new();
    for ch in "state=established rs=10.0.0.2:80".chars() {
        last = update(&mut app, key(ch), now);
    }
    assert!(last.is_empty(), "no scan while typing");
    let (id2, filter) = scan_of(&update(&mut app, code(KeyCode::Enter), now));
    assert!(id2 > id);
    assert_eq!(filter.state.as_deref(), Some("ESTABLISHED"));
    assert_eq!(app.conns.list.shown.rows.len(), 0);
    // Late batches of the old scan are ignored.
    update(&mut app, Event::Conns(id, ConnMsg::Batch(conns(5))), now);
    assert_eq!(app.conns.list.shown.rows.len(), 0);
    let many = conns(400);
    let mine: Vec<_> = many
        .into_iter()
        .filter(|c| filter.matches_connection(c))
        .collect();
    let n = mine.len();
    deliver(&mut app, id2, mine, 400);
    update(&mut app, code(KeyCode::PageDown), now);
    assert!(app.conns.list.offset > 0);
    assert!(app.conns.list.cursor < n);
    insta::assert_snapshot!(screen(&app));
}

#[test]
fn a_bad_query_stays_open_with_its_error() {
    let (mut app, now) = app(120, 20);
    update(&mut app, key('c'), now);
    update(&mut app, key('/'), now);
    for ch in "vip=10.0".chars() {
        update(&mut app, key(ch), now);
    }
    assert_eq!(update(&mut app, code(KeyCode::Enter), now), vec![]);
    assert_eq!(app.mode, Mode::ConnFilter);
    assert!(screen(&app).contains("`10.0` is not an address"));
}

#[test]
fn connections_are_rescanned_on_a_slower_cadence_and_on_r() {
    let (mut app, now) = app(120, 20);
    let (id, _) = scan_of(&update(&mut app, key('c'), now));
    // While a scan runs, ticks start no other.
    assert_eq!(update(&mut app, Event::Tick, now), vec![Effect::Refresh]);
    update(&mut app, Event::Table(Ok(snapshot(table(), now))), now);
    deliver(&mut app, id, conns(3), 3);
    let soon = now + Duration::from_secs(1);
    assert_eq!(update(&mut app, Event::Tick, soon), vec![Effect::Refresh]);
    update(&mut app, Event::Table(Ok(snapshot(table(), soon))), soon);
    let later = now + RESCAN;
    let effects = update(&mut app, Event::Tick, later);
    let (id2, _) = scan_of(&effects);
    assert!(id2 > id);
    // `r` restarts at once, even mid-scan.
    let (id3, _) = scan_of(&update(&mut app, key('r'), later));
    assert!(id3 > id2);
    // The list on screen stays while the rescan runs, with a progress mark.
    assert_eq!(app.conns.list.shown.rows.len(), 3);
    update(&mut app, Event::Conns(id3, ConnMsg::Batch(conns(2))), later);
    let text = screen(&app);
    assert!(text.contains("reading… 2 found"), "{text}");
    // Esc back to the table stops the scan.
    assert_eq!(
        update(&mut app, code(KeyCode::Esc), later),
        vec![Effect::StopConns]
    );
}
