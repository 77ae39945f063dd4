//! Key sequences against live refreshes: the selection follows its row, marks follow change.

use std::time::Duration;

use ratatui::crossterm::event::KeyCode;

use super::fixture::{app, code, key, screen, snapshot, table, v4};
use crate::tui::event::{Effect, Event};
use crate::tui::table::columns::RowKey;
use crate::tui::update;

#[test]
fn filter_select_resort_keeps_the_selection() {
    let (mut app, now) = app(120, 16);
    update(&mut app, key('/'), now);
    for c in "10.0.0".chars() {
        update(&mut app, key(c), now);
    }
    update(&mut app, code(KeyCode::Enter), now);
    // Service 192.0.2.10:80, then .1 .2 .3: select 10.0.0.3.
    for _ in 0..3 {
        update(&mut app, key('j'), now);
    }
    let web = super::fixture::tcp(v4(192, 0, 2, 10), 80);
    let want = RowKey::Dest(web, v4(10, 0, 0, 3), 80);
    assert_eq!(app.selected, Some(want));
    // Sort by ActiveConn (5 presses: Name Sched Forward Weight Active), biggest first.
    for _ in 0..5 {
        update(&mut app, key('s'), now);
    }
    assert_eq!(app.selected, Some(want));
    let before = app.cursor;
    // Smallest first: the :443 service (600 active) and its two servers come before :80,
    // whose servers go .4 .3 .2 .1; the cursor follows .3 from row 3 to row 5.
    update(&mut app, key('S'), now);
    assert_eq!(app.selected, Some(want));
    assert_eq!(
        (before, app.cursor),
        (3, 5),
        "the row moved, the cursor followed"
    );
    // A refresh with the row moved in kernel order keeps it too.
    let mut t = table();
    t[0].dests.reverse();
    update(&mut app, Event::Table(Ok(snapshot(t, now))), now);
    assert_eq!(app.selected, Some(want));
    let r = app.rows[app.cursor];
    assert_eq!(r.key(app.entries()), Some(want));
}

#[test]
fn refresh_marks_changed_cells() {
    let (mut app, now) = app(200, 16);
    let mut t = table();
    t[0].dests[0].active_conns += 5;
    t[0].dests[1].stats.inbps -= 1_000_000;
    let later = now + Duration::from_secs(1);
    update(&mut app, Event::Table(Ok(snapshot(t, later))), later);
    let text = screen(&app);
    let row = |addr: &str| {
        text.lines()
            .find(|l| l.contains(addr))
            .unwrap_or_else(|| panic!("no {addr} in\n{text}"))
            .to_string()
    };
    assert!(row("10.0.0.1:80").contains("1205↑"), "{text}");
    assert!(row("10.0.0.2:80").contains('↓'), "{text}");
    assert!(!row("10.0.0.3:80").contains(['↑', '↓']), "{text}");
    insta::assert_snapshot!(text);
}

#[test]
fn ticks_ask_for_one_refresh_at_a_time() {
    let (mut app, now) = app(80, 20);
    assert_eq!(update(&mut app, Event::Tick, now), vec![Effect::Refresh]);
    assert_eq!(update(&mut app, Event::Tick, now), vec![]);
    update(&mut app, Event::Table(Ok(snapshot(table(), now))), now);
    assert_eq!(update(&mut app, Event::Tick, now), vec![Effect::Refresh]);
}

#[test]
fn freeze_holds_new_data_until_released() {
    let (mut app, now) = app(80, 20);
    update(&mut app, key('f'), now);
    let mut t = table();
    t.pop();
    update(&mut app, Event::Table(Ok(snapshot(t, now))), now);
    assert_eq!(app.entries().len(), 4, "frozen: still the old table");
    update(&mut app, key('f'), now);
    assert_eq!(app.entries().len(), 3, "released: the held table applies");
}

#[test]
fn selection_survives_its_row_vanishing() {
    let (mut app, now) = app(80, 20);
    update(&mut app, code(KeyCode::End), now);
    let mut t = table();
    t.pop();
    update(&mut app, Event::Table(Ok(snapshot(t, now))), now);
    assert!(app.cursor < app.rows.len());
    assert_eq!(app.selected, app.rows[app.cursor].key(app.entries()));
}

#[test]
fn quit_is_an_effect() {
    let (mut app, now) = app(80, 20);
    assert_eq!(update(&mut app, key('q'), now), vec![Effect::Quit]);
}

#[test]
fn read_only_is_known_before_the_first_read() {
    let t0 = std::time::Instant::now();
    let keymap = crate::tui::ui::keymap::Keymap::default_map().unwrap_or_else(|e| panic!("{e}"));
    let mut app = crate::tui::App::new("lb".into(), Duration::from_secs(1), keymap, t0);
    update(&mut app, Event::Resize(100, 6), t0);
    let reason = "no CAP_NET_ADMIN".to_string();
    update(
        &mut app,
        Event::Opened(crate::tui::Source::Procfs { reason }),
        t0,
    );
    update(&mut app, Event::Table(Err("no /proc/net/ip_vs".into())), t0);
    assert_eq!(app.read_only(), Some("no CAP_NET_ADMIN"));
    let text = screen(&app);
    assert!(text.contains("READ-ONLY: no CAP_NET_ADMIN"), "{text}");
    assert!(
        text.contains("Cannot read the IPVS table: no /proc/net/ip_vs"),
        "{text}"
    );
}
