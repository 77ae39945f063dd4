//! `update`: the only place state changes. Pure: no I/O, no clock (`now` comes in), never
//! blocks; what must happen outside is returned as effects. It hands each key to the
//! feature whose mode has the keyboard and runs the console-wide `Action` a feature gives
//! back (`Handled`), so features never call back into it.

use std::time::Instant;

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyEventKind};

use super::action::{Action, Mode};
use super::app::{self, App};
use super::drift::DriftState;
use super::event::{Effect, Event, Handled};
use super::ui::key::Key;
use super::ui::layout;
use super::{conns, detail, directors, drift, edit, table, vrrp};

pub fn update(app: &mut App, event: Event, now: Instant) -> Vec<Effect> {
    app.now = now;
    match event {
        // What the operator asks for goes to the director shown.
        Event::Key(k) if k.kind == KeyEventKind::Press => {
            let effects = key(app, &k);
            route(app, effects)
        }
        Event::Key(_) => Vec::new(),
        Event::Action(a) => {
            let effects = action(app, a);
            route(app, effects)
        }
        Event::Peer(i, msg) => peer(app, i, msg, now),
        Event::Local(frame) => {
            directors::on_local(app, frame, now);
            Vec::new()
        }
        Event::PeerClock => {
            if app.directors.on_tick(now) {
                app.dirty = true;
            }
            Vec::new()
        }
        // A read of this director's table started before a peer was shown.
        Event::Table(_) if app.directors.shown.is_some() => {
            app.refreshing = false;
            Vec::new()
        }
        // This director's health picture while a peer's is shown (the policy's applied
        // lines still go to this director's audit log, below).
        Event::Health(msg)
            if app.directors.shown.is_some() && !matches!(msg, super::health::Msg::Applied(_)) =>
        {
            if let Some(h) = app.directors.local_health.as_mut() {
                h.on_msg(msg);
            }
            Vec::new()
        }
        Event::Opened(source) => {
            app.source = Some(source);
            app.dirty = true;
            Vec::new()
        }
        Event::Tick => {
            // The data age on screen moves.
            app.dirty = true;
            app.vrrp.on_tick(now);
            app.directors.on_tick(now);
            directors::build_shown(app, now);
            let mut effects = refresh(app);
            effects.extend(conns::keys::on_tick(app));
            effects
        }
        Event::Conns(id, msg) => {
            conns::keys::on_conns(app, id, msg);
            Vec::new()
        }
        Event::Table(Ok(snap)) => {
            app.refreshing = false;
            app.last_error = None;
            if app.frozen {
                app.pending = Some(snap);
            } else {
                app.apply_snapshot(snap);
                edit::drain::after_refresh(&mut app.edit, app.snapshot.as_ref(), app.mode, now);
            }
            app.dirty = true;
            Vec::new()
        }
        Event::Table(Err(e)) => {
            app.refreshing = false;
            app.last_error = Some(e);
            app.dirty = true;
            Vec::new()
        }
        Event::Applied(results) if edit::flow::applied(app, &results, now) => refresh(app),
        Event::AuditFailed(e) => {
            app.edit
                .error(format!("applied, but the audit log failed: {e}"));
            app.dirty = true;
            Vec::new()
        }
        Event::Applied(results) => {
            let failed: Vec<String> = results.into_iter().filter_map(Result::err).collect();
            if !failed.is_empty() {
                app.last_error = Some(failed.join("; "));
            }
            app.dirty = true;
            refresh(app)
        }
        Event::Vrrp(msg) => {
            app.dirty |= app.vrrp.on_msg(msg, now);
            Vec::new()
        }
        Event::Health(super::health::Msg::Applied(ops)) => {
            let lines: Vec<String> = ops.iter().map(edit::line).collect();
            app.edit.info(format!(
                "applied by the health policy: {}",
                lines.join(" ; ")
            ));
            app.dirty = true;
            // Into the audit log, and the table shows the new weight at once.
            let mut effects = vec![Effect::Audit(ops)];
            effects.extend(refresh(app));
            effects
        }
        Event::Health(msg) => {
            app.dirty |= app.health.on_msg(msg);
            Vec::new()
        }
        Event::Resize(w, h) => {
            app.size = (w, h);
            app.relayout();
            Vec::new()
        }
    }
}

/// Starts a read unless one is under way (a peer's table comes with its stream).
fn refresh(app: &mut App) -> Vec<Effect> {
    if app.refreshing || app.directors.shown.is_some() {
        return Vec::new();
    }
    app.refreshing = true;
    vec![Effect::Refresh]
}

fn key(app: &mut App, ev: &KeyEvent) -> Vec<Effect> {
    let k = Key::from_event(ev);
    if app.vrrp.dialog.is_some() {
        return vrrp::keys::dialog_key(app, ev);
    }
    if app.edit.dialog.is_some() {
        return edit::keys::key(app, ev);
    }
    let handled = match app.mode {
        Mode::Table => match app.keymap.action(&k) {
            Some(a) => Handled::Action(a),
            None => Handled::Effects(Vec::new()),
        },
        Mode::Drift => {
            app.dirty = true;
            let (state, cx) = drift_cx(app);
            drift::keys::list_key(state, cx, ev, k)
        }
        Mode::Help => {
            let closes = ev.code == KeyCode::Esc
                || k == Key::char('q')
                || app.keymap.action(&k) == Some(Action::Help);
            if closes {
                app.mode = Mode::Table;
                app.help_scroll = 0;
            } else {
                help_scroll(app, ev);
            }
            app.dirty = true;
            Handled::Effects(Vec::new())
        }
        Mode::Filter => table::keys::filter_key(app, ev, k),
        Mode::Detail => detail::keys::key(app, ev, k),
        Mode::Conns | Mode::ConnFilter => conns::keys::key(app, ev, k),
        Mode::Vrrp => vrrp::keys::panel_key(app, ev, k).into(),
    };
    match handled {
        Handled::Effects(effects) => effects,
        Handled::Action(a) => action(app, a),
    }
}

/// The drift list's own state and what its keys use of the rest, borrowed side by side.
fn drift_cx(app: &mut App) -> (&mut DriftState, drift::keys::Cx<'_>) {
    let cx = drift::keys::Cx {
        items: app.health.drift(),
        read_only: app::read_only_reason(app.edit.read_only, app.source.as_ref()),
        keymap: &app.keymap,
        edit: &mut app.edit,
        mode: &mut app.mode,
    };
    (&mut app.drift, cx)
}

/// j/k, arrows, PageUp/PageDown, Home/End inside a `?` popup too long for the terminal.
fn help_scroll(app: &mut App, ev: &KeyEvent) {
    let max = layout::help_max_scroll(app.size.1);
    let page = app.size.1.saturating_sub(3).max(1);
    let s = app.help_scroll;
    app.help_scroll = match ev.code {
        KeyCode::Down | KeyCode::Char('j') => s.saturating_add(1),
        KeyCode::Up | KeyCode::Char('k') => s.saturating_sub(1),
        KeyCode::PageDown => s.saturating_add(page),
        KeyCode::PageUp => s.saturating_sub(page),
        KeyCode::Home => 0,
        KeyCode::End => max,
        _ => s,
    }
    .min(max);
}

fn action(app: &mut App, a: Action) -> Vec<Effect> {
    app.dirty = true;
    match a {
        Action::Quit => vrrp::keys::quit(app),
        Action::NextDirector => {
            let next = app.directors.next();
            directors::show(app, next, app.now)
        }
        Action::Vrrp | Action::Connections if app.directors.shown.is_some() => {
            app.edit.error(
                "a peer's VRRP instances are in the header and its connections are not streamed; \
                 Tab back to this director for the panel",
            );
            Vec::new()
        }
        Action::Help => {
            app.mode = Mode::Help;
            Vec::new()
        }
        Action::Refresh => refresh(app),
        Action::Detail => detail::keys::open(app),
        Action::Connections => conns::keys::open(app),
        Action::Vrrp => vrrp::keys::open(app),
        Action::DriftList => drift::keys::open(&mut app.drift, &mut app.mode),
        Action::ReconcileAll => drift::keys::all(drift_cx(app).1, false),
        Action::KeepAll => drift::keys::all(drift_cx(app).1, true),
        // The list of editing actions is `Action::edits`, written once.
        a if a.edits() => edit::flow::action(app, a, app.now),
        // The rest are the table's own: move, sort, filter, exact numbers, freeze.
        a => {
            table::keys::action(app, a);
            Vec::new()
        }
    }
}

/// A message of peer `i`'s transport: the follower takes it; a reply to the change in
/// flight finishes it as a kernel result would; the shown table follows the picture.
fn peer(app: &mut App, i: usize, msg: directors::PeerMsg, now: Instant) -> Vec<Effect> {
    let out = directors::on_msg(&mut app.directors, i, msg, now);
    app.dirty = true;
    let mut effects: Vec<Effect> = out
        .send
        .into_iter()
        .map(|f| Effect::PeerSend(i, f))
        .collect();
    if let Some(results) = out.applied {
        if !edit::flow::applied(app, &results, now) {
            let failed: Vec<String> = results.into_iter().filter_map(Result::err).collect();
            if !failed.is_empty() {
                app.last_error = Some(failed.join("; "));
            }
        }
    }
    match out.info {
        Some(Ok(m)) => app.edit.info(m),
        Some(Err(m)) => app.edit.error(m),
        None => {}
    }
    if app.directors.shown == Some(i) {
        directors::build_shown(app, now);
    }
    effects.shrink_to_fit();
    effects
}

/// The operator's effects, sent to the director shown: a peer gets changes as ipvsadm
/// lines and health commands as control requests; this director's table reads, scans
/// and drills do not apply to it.
fn route(app: &mut App, effects: Vec<Effect>) -> Vec<Effect> {
    let Some(i) = app.directors.shown else {
        return effects;
    };
    let mut out = Vec::new();
    for e in effects {
        match e {
            Effect::Apply(ops) => match directors::apply_frame(&mut app.directors, i, &ops) {
                Some(f) => out.push(Effect::PeerSend(i, f)),
                None => {
                    edit::flow::applied(app, &[Err("no such peer".into())], app.now);
                }
            },
            Effect::Health(cmd) => {
                if let Some(f) = directors::request_frame(&mut app.directors, i, cmd.request()) {
                    out.push(Effect::PeerSend(i, f));
                }
            }
            Effect::Refresh | Effect::ScanConns { .. } | Effect::StopConns => {}
            Effect::Vrrp(..) => app
                .edit
                .error("drills go to this director's instances only (Tab back to it)"),
            other => out.push(other),
        }
    }
    out
}
