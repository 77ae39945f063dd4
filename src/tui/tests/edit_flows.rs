//! Editing key flows on the pure update: form -> preview -> `Effect::Apply` with the right
//! ops, validation under the field, confirmations, undo, drain, the `:` bar, read-only.

use std::time::Duration;

use ratatui::crossterm::event::KeyCode;

use super::fixture::{app, code, key, screen, snapshot, table, tcp, v4};
use crate::ipvs::{DestConfig, Forward, Op, ServiceConfig};
use crate::tui::action::Action;
use crate::tui::edit::form::FieldId;
use crate::tui::edit::{Dialog, Message};
use crate::tui::event::{Effect, Event};
use crate::tui::table::columns::RowKey;
use crate::tui::{update, App};

pub fn select(app: &mut App, want: RowKey) {
    let pos = app
        .rows
        .iter()
        .position(|r| r.key(app.entries()) == Some(want))
        .unwrap_or_else(|| panic!("no row {want:?}"));
    app.select(pos);
}

pub fn typed(app: &mut App, text: &str) {
    let now = app.now;
    for c in text.chars() {
        update(app, key(c), now);
    }
}

pub fn erase(app: &mut App, n: usize) {
    let now = app.now;
    for _ in 0..n {
        update(app, code(KeyCode::Backspace), now);
    }
}

pub fn web() -> crate::ipvs::ServiceKey {
    tcp(v4(192, 0, 2, 10), 80)
}

pub fn dest_key(last: u8) -> RowKey {
    RowKey::Dest(web(), v4(10, 0, 0, last), 80)
}

fn ok(app: &mut App, n: usize) -> Vec<Effect> {
    let now = app.now;
    update(app, Event::Applied(vec![Ok(()); n]), now)
}

#[test]
fn add_service_form_previews_then_applies() {
    let (mut app, now) = app(120, 30);
    update(&mut app, key('A'), now);
    update(&mut app, code(KeyCode::Tab), now);
    typed(&mut app, "198.51.100.20:80");
    update(&mut app, code(KeyCode::Tab), now);
    update(&mut app, code(KeyCode::Tab), now);
    erase(&mut app, 3);
    typed(&mut app, "rr");
    assert_eq!(update(&mut app, code(KeyCode::Enter), now), vec![]);
    let Some(Dialog::Preview(p)) = &app.edit.dialog else {
        panic!("no preview: {:?}", app.edit.dialog);
    };
    assert_eq!(
        p.change.lines(),
        vec!["ipvsadm -A -t 198.51.100.20:80 -s rr".to_string()]
    );
    let mut want = ServiceConfig::new(tcp(v4(198, 51, 100, 20), 80));
    want.scheduler = "rr".into();
    assert_eq!(
        update(&mut app, code(KeyCode::Enter), now),
        vec![Effect::Apply(vec![Op::AddService(want)])]
    );
    assert!(app.edit.dialog.is_none());
    // Success: the line is reported and a refresh follows.
    assert_eq!(ok(&mut app, 1), vec![Effect::Refresh]);
    assert!(screen(&app).contains("applied: ipvsadm -A -t 198.51.100.20:80 -s rr"));
}

#[test]
fn escape_in_the_preview_goes_back_to_the_form_and_esc_cancels() {
    let (mut app, now) = app(120, 30);
    select(&mut app, RowKey::Service(web()));
    update(&mut app, key('a'), now);
    typed(&mut app, "192.0.2.5");
    update(&mut app, code(KeyCode::Enter), now);
    assert!(matches!(app.edit.dialog, Some(Dialog::Preview(_))));
    update(&mut app, code(KeyCode::Esc), now);
    assert!(matches!(app.edit.dialog, Some(Dialog::Form(_))));
    assert_eq!(update(&mut app, code(KeyCode::Esc), now), vec![]);
    assert!(app.edit.dialog.is_none());
}

#[test]
fn a_bad_weight_is_named_under_its_field_and_changes_nothing() {
    let (mut app, now) = app(120, 30);
    select(&mut app, dest_key(1));
    update(&mut app, key('e'), now);
    // Server is the key (locked): focus starts on Forward; Tab to Weight.
    update(&mut app, code(KeyCode::Tab), now);
    erase(&mut app, 5);
    typed(&mut app, "7x");
    assert_eq!(update(&mut app, code(KeyCode::Enter), now), vec![]);
    let Some(Dialog::Form(f)) = &app.edit.dialog else {
        panic!("the form closed");
    };
    let w = f.fields.iter().find(|x| x.id == FieldId::Weight);
    assert_eq!(
        w.and_then(|x| x.error.clone()).as_deref(),
        Some("Weight: illegal weight specified")
    );
    assert!(f
        .fields
        .iter()
        .all(|x| x.id == FieldId::Weight || x.error.is_none()));
    insta::assert_snapshot!("form_bad_weight", screen(&app));
}

#[test]
fn tunnel_options_without_tunnel_name_the_forward_field() {
    let (mut app, now) = app(120, 30);
    select(&mut app, dest_key(1));
    update(&mut app, key('e'), now);
    // Forward stays masq; Tunnel type (4 Tabs on) set to gre.
    for _ in 0..4 {
        update(&mut app, code(KeyCode::Tab), now);
    }
    update(&mut app, code(KeyCode::Right), now);
    update(&mut app, code(KeyCode::Right), now);
    update(&mut app, code(KeyCode::Right), now);
    update(&mut app, code(KeyCode::Enter), now);
    let Some(Dialog::Form(f)) = &app.edit.dialog else {
        panic!("the form closed");
    };
    let fwd = f.fields.iter().find(|x| x.id == FieldId::Forward);
    assert!(
        fwd.and_then(|x| x.error.as_deref())
            .is_some_and(|e| e.starts_with("Forward: ")),
        "{f:?}"
    );
}

#[test]
fn delete_asks_and_defaults_to_no() {
    let (mut app, now) = app(120, 30);
    select(&mut app, dest_key(4));
    update(&mut app, code(KeyCode::Delete), now);
    insta::assert_snapshot!("confirm_delete_server", screen(&app));
    // Enter on the default answer: nothing happens.
    assert_eq!(update(&mut app, code(KeyCode::Enter), now), vec![]);
    assert!(app.edit.dialog.is_none());
    update(&mut app, code(KeyCode::Delete), now);
    update(&mut app, code(KeyCode::Right), now);
    assert_eq!(
        update(&mut app, code(KeyCode::Enter), now),
        vec![Effect::Apply(vec![Op::DelDest {
            service: web(),
            addr: v4(10, 0, 0, 4),
            port: 80
        }])]
    );
}

#[test]
fn deleting_a_service_with_servers_needs_its_address_typed() {
    let (mut app, now) = app(120, 30);
    select(&mut app, RowKey::Service(web()));
    update(&mut app, code(KeyCode::Delete), now);
    // Yes/No keys do nothing here; Enter without the word is refused.
    update(&mut app, key('y'), now);
    assert_eq!(update(&mut app, code(KeyCode::Enter), now), vec![]);
    typed(&mut app, "192.0.2.10:8");
    assert_eq!(update(&mut app, code(KeyCode::Enter), now), vec![]);
    insta::assert_snapshot!("confirm_typed_delete_service", screen(&app));
    erase(&mut app, 20);
    typed(&mut app, "192.0.2.10:80");
    assert_eq!(
        update(&mut app, code(KeyCode::Enter), now),
        vec![Effect::Apply(vec![Op::DelService(web())])]
    );
}

#[test]
fn clearing_the_table_needs_the_host_name() {
    let (mut app, now) = app(120, 30);
    update(&mut app, key('C'), now);
    assert_eq!(update(&mut app, code(KeyCode::Enter), now), vec![]);
    typed(&mut app, "lb1");
    assert_eq!(
        update(&mut app, code(KeyCode::Enter), now),
        vec![Effect::Apply(vec![Op::Flush])]
    );
}

#[test]
fn weight_keys_apply_at_once_and_clamp() {
    let (mut app, now) = app(120, 30);
    select(&mut app, dest_key(1));
    let mut want = app.entries()[0].dests[0].config.clone();
    want.weight = 2;
    assert_eq!(
        update(&mut app, key('+'), now),
        vec![Effect::Apply(vec![Op::EditDest(web(), want)])]
    );
    assert!(screen(&app).contains("applying: ipvsadm -e -t 192.0.2.10:80 -r 10.0.0.1:80 -m -w 2"));
    ok(&mut app, 1);
    // A drained server cannot go below 0.
    select(&mut app, dest_key(4));
    assert_eq!(update(&mut app, key('-'), now), vec![]);
    assert!(screen(&app).contains("weight already 0"));
}

#[test]
fn undo_previews_and_applies_the_inverse() {
    let (mut app, now) = app(120, 30);
    select(&mut app, dest_key(2));
    update(&mut app, code(KeyCode::Delete), now);
    update(&mut app, key('y'), now);
    update(&mut app, code(KeyCode::Enter), now);
    ok(&mut app, 1);
    let mut t = table();
    let gone = t[0].dests.remove(1);
    update(&mut app, Event::Table(Ok(snapshot(t, now))), now);
    update(&mut app, key('u'), now);
    insta::assert_snapshot!("preview_undo", screen(&app));
    assert_eq!(
        update(&mut app, code(KeyCode::Enter), now),
        vec![Effect::Apply(vec![Op::AddDest(web(), gone.config)])]
    );
    // The undo of the undo deletes it again.
    ok(&mut app, 1);
    let undo = app.edit.undo.clone().map(|c| c.ops);
    assert_eq!(
        undo,
        Some(vec![Op::DelDest {
            service: web(),
            addr: v4(10, 0, 0, 2),
            port: 80
        }])
    );
}

#[test]
fn drain_shows_falling_counters_and_undrain_restores_the_weight() {
    let (mut app, now) = app(200, 16);
    select(&mut app, dest_key(1));
    let mut zero: DestConfig = app.entries()[0].dests[0].config.clone();
    zero.weight = 0;
    assert_eq!(
        update(&mut app, key('d'), now),
        vec![Effect::Apply(vec![Op::EditDest(web(), zero.clone())])]
    );
    ok(&mut app, 1);
    let mut t = table();
    t[0].dests[0].config.weight = 0;
    t[0].dests[0].active_conns = 400;
    t[0].dests[0].inact_conns = 150;
    let later = now + Duration::from_secs(65);
    update(
        &mut app,
        Event::Table(Ok(snapshot(t.clone(), later))),
        later,
    );
    let text = screen(&app);
    let row = text
        .lines()
        .find(|l| l.contains("-> 10.0.0.1:80"))
        .unwrap_or_default()
        .to_string();
    assert!(row.contains("draining 1m05s"), "{text}");
    assert!(row.contains("400↓") && row.contains("150↓"), "{text}");
    insta::assert_snapshot!("draining_row", text);
    // `d` again undrains to the remembered weight.
    let mut back = zero;
    back.weight = 1;
    assert_eq!(
        update(&mut app, key('d'), later),
        vec![Effect::Apply(vec![Op::EditDest(web(), back)])]
    );
    ok(&mut app, 1);
    assert!(app.edit.drains.is_empty());
    assert!(app.edit.undo.is_some());
    let _ = Forward::Masq;
}

#[test]
fn a_drained_server_at_zero_is_offered_for_removal_default_no() {
    let (mut app, now) = app(120, 30);
    select(&mut app, dest_key(2));
    update(&mut app, key('D'), now);
    assert!(screen(&app).contains("not being drained"));
    update(&mut app, key('d'), now);
    ok(&mut app, 1);
    let mut t = table();
    t[0].dests[1].config.weight = 0;
    t[0].dests[1].active_conns = 0;
    t[0].dests[1].inact_conns = 0;
    let later = now + Duration::from_secs(30);
    update(&mut app, Event::Table(Ok(snapshot(t, later))), later);
    let Some(Dialog::Confirm(c)) = &app.edit.dialog else {
        panic!("no removal offered");
    };
    assert!(!c.yes);
    assert!(c.change.title.contains("drained"), "{}", c.change.title);
    assert_eq!(update(&mut app, code(KeyCode::Enter), later), vec![]);
}

#[test]
fn command_bar_parses_ipvsadm_lines_and_keeps_history() {
    let (mut app, now) = app(120, 30);
    let line = "ipvsadm -a -t 198.51.100.10:80 -r 192.0.2.5 -m -w 2";
    update(&mut app, key(':'), now);
    typed(&mut app, line);
    update(&mut app, code(KeyCode::Enter), now);
    let Some(Dialog::Preview(p)) = &app.edit.dialog else {
        panic!("no preview: {:?}", app.edit.dialog);
    };
    assert_eq!(
        p.change.lines(),
        vec!["ipvsadm -a -t 198.51.100.10:80 -r 192.0.2.5:80 -m -w 2".to_string()]
    );
    let Some(Effect::Apply(ops)) = update(&mut app, code(KeyCode::Enter), now).pop() else {
        panic!("not applied");
    };
    let mut d = DestConfig::new(v4(192, 0, 2, 5), 80);
    d.forward = Forward::Masq;
    d.weight = 2;
    assert_eq!(ops, vec![Op::AddDest(tcp(v4(198, 51, 100, 10), 80), d)]);
    ok(&mut app, 1);
    // A bad line stays open with ipvsadm's message; a listing is answered with a message.
    update(&mut app, key(':'), now);
    typed(&mut app, "-a -t 198.51.100.10:80 -r 192.0.2.6 -w x");
    update(&mut app, code(KeyCode::Enter), now);
    let Some(Dialog::Command(c)) = &app.edit.dialog else {
        panic!("the bar closed");
    };
    assert_eq!(c.error.as_deref(), Some("illegal weight specified"));
    update(&mut app, code(KeyCode::Esc), now);
    update(&mut app, key(':'), now);
    typed(&mut app, "-Ln");
    update(&mut app, code(KeyCode::Enter), now);
    assert!(app.edit.dialog.is_none());
    assert!(screen(&app).contains("4 services"));
    // History: Up goes back through the lines, newest first.
    update(&mut app, key(':'), now);
    update(&mut app, code(KeyCode::Up), now);
    update(&mut app, code(KeyCode::Up), now);
    let Some(Dialog::Command(c)) = &app.edit.dialog else {
        panic!("the bar closed");
    };
    assert_eq!(c.text(), "-a -t 198.51.100.10:80 -r 192.0.2.6 -w x");
    update(&mut app, code(KeyCode::Up), now);
    update(&mut app, code(KeyCode::Down), now);
    let Some(Dialog::Command(c)) = &app.edit.dialog else {
        panic!("the bar closed");
    };
    assert_eq!(c.text(), "-a -t 198.51.100.10:80 -r 192.0.2.6 -w x");
    assert_eq!(app.edit.history.len(), 3);
    assert_eq!(app.edit.history[0], line);
}

#[test]
fn read_only_refuses_every_change_with_one_line() {
    let (mut app, now) = app(120, 30);
    app.edit.read_only = true;
    select(&mut app, dest_key(1));
    for c in ['+', '-', 'd', 'D', 'A', 'a', 'e', 'u', 'z', 'Z', 'C'] {
        assert_eq!(update(&mut app, key(c), now), vec![], "{c}");
        assert!(app.edit.dialog.is_none(), "{c}");
    }
    assert_eq!(update(&mut app, code(KeyCode::Delete), now), vec![]);
    let text = screen(&app);
    assert!(text.contains("READ-ONLY: --read-only"), "{text}");
    assert!(
        text.contains("read-only (--read-only): delete refused"),
        "{text}"
    );
    // The bar still answers listings but refuses changes.
    update(&mut app, key(':'), now);
    typed(&mut app, "-D -t 192.0.2.10:80");
    assert_eq!(update(&mut app, code(KeyCode::Enter), now), vec![]);
    let Some(Dialog::Command(c)) = &app.edit.dialog else {
        panic!("the bar closed");
    };
    assert!(c.error.as_deref().is_some_and(|e| e.contains("read-only")));
}

/// `Action::edits` is the one list `update` hands to the edit flow: read-only, each of them
/// is refused by name (`:` opens its bar, which refuses inside), and no other action is.
#[test]
fn update_hands_exactly_the_editing_actions_to_the_edit_flow() {
    for a in Action::ALL {
        let (mut app, now) = app(120, 30);
        app.edit.read_only = true;
        update(&mut app, Event::Action(a), now);
        let refusal = format!("read-only (--read-only): {} refused", a.label());
        let refused = matches!(&app.edit.message, Some(Message::Error(m)) if *m == refusal);
        let bar = matches!(app.edit.dialog, Some(Dialog::Command(_)));
        assert_eq!(refused || bar, a.edits(), "{a:?}");
    }
}

#[test]
fn a_kernel_refusal_reopens_the_dialog_with_its_message() {
    let (mut app, now) = app(120, 30);
    update(&mut app, key('z'), now);
    update(&mut app, code(KeyCode::Enter), now);
    let err = "ipvsadm -Z -t 192.0.2.10:80: No such service".to_string();
    update(&mut app, Event::Applied(vec![Err(err.clone())]), now);
    let Some(Dialog::Preview(p)) = &app.edit.dialog else {
        panic!("no dialog");
    };
    assert_eq!(p.error.as_deref(), Some(err.as_str()));
    assert!(screen(&app).contains("No such service"));
}
