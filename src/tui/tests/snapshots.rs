//! What the operator sees, state by state (mono theme, so the text is the whole story).

use ratatui::crossterm::event::KeyCode;

use super::fixture::{app, code, key, screen};
use crate::tui::event::{Event, Source};
use crate::tui::update;

#[test]
fn main_view_wide() {
    let (app, _) = app(200, 16);
    insta::assert_snapshot!(screen(&app));
}

#[test]
fn main_view_exact_numbers() {
    let (mut app, now) = app(200, 16);
    update(&mut app, key('x'), now);
    insta::assert_snapshot!(screen(&app));
}

#[test]
fn main_view_drops_columns_on_a_standard_terminal() {
    let (app, _) = app(120, 16);
    insta::assert_snapshot!(screen(&app));
}

#[test]
fn help_popup_lists_the_active_keymap() {
    let (mut app, now) = app(100, 34);
    update(&mut app, key('?'), now);
    insta::assert_snapshot!(screen(&app));
    // Too short for all of it: the rest is a scroll away.
    update(&mut app, code(KeyCode::End), now);
    insta::assert_snapshot!("help_popup_scrolled_to_the_end", screen(&app));
    update(&mut app, key('k'), now);
    update(&mut app, code(KeyCode::PageUp), now);
    update(&mut app, code(KeyCode::PageUp), now);
    update(&mut app, key('j'), now);
    assert_eq!(app.help_scroll, 1);
}

#[test]
fn help_popup_in_two_columns_when_short_and_wide() {
    let (mut app, now) = app(200, 30);
    update(&mut app, key('?'), now);
    insta::assert_snapshot!(screen(&app));
}

#[test]
fn filter_typing_and_applied() {
    let (mut app, now) = app(120, 16);
    update(&mut app, key('/'), now);
    for c in "weight=0".chars() {
        update(&mut app, key(c), now);
    }
    insta::assert_snapshot!("filter_typing", screen(&app));
    update(&mut app, code(KeyCode::Enter), now);
    insta::assert_snapshot!("filter_applied", screen(&app));
}

#[test]
fn filter_error_keeps_the_last_good_query() {
    let (mut app, now) = app(120, 12);
    update(&mut app, key('/'), now);
    for c in "colour=red".chars() {
        update(&mut app, key(c), now);
    }
    insta::assert_snapshot!(screen(&app));
}

#[test]
fn sorted_by_outbps_reversed() {
    let (mut app, now) = app(120, 16);
    // Name, Sched, Forward, ..., OutBPS is the 16th column.
    for _ in 0..16 {
        update(&mut app, key('s'), now);
    }
    update(&mut app, key('S'), now);
    insta::assert_snapshot!(screen(&app));
}

#[test]
fn read_only_frozen_and_failed_header() {
    let (mut app, now) = app(140, 8);
    let mut snap = app
        .snapshot
        .clone()
        .unwrap_or_else(|| panic!("no snapshot"));
    snap.source = Source::Procfs {
        reason: crate::tui::edge::reader::procfs_reason(
            &crate::ipvs::error::IpvsError::PermissionDenied { errno: 1 },
        ),
    };
    update(&mut app, Event::Table(Ok(snap)), now);
    update(&mut app, key('f'), now);
    update(
        &mut app,
        Event::Table(Err("netlink socket error".into())),
        now,
    );
    insta::assert_snapshot!(screen(&app));
}

#[test]
fn small_terminals_do_not_panic() {
    for (w, h) in [(60, 15), (40, 6), (20, 3), (1, 1), (0, 0), (200, 1)] {
        let (mut app, now) = app(w, h);
        let _ = screen(&app);
        update(&mut app, key('?'), now);
        let _ = screen(&app);
        update(&mut app, code(KeyCode::Esc), now);
        update(&mut app, key('/'), now);
        let _ = screen(&app);
    }
    let (app, _) = app(60, 15);
    insta::assert_snapshot!(screen(&app));
}
