//! Keys of the connections view (`c`) and its `/` prompt, and the scans behind both
//! connection lists (this view's and the detail view's): when to scan again, and each
//! scan's batches as they come back.

use ratatui::crossterm::event::{KeyCode, KeyEvent};

use super::query;
use super::state::{row_filter, ConnMsg};
use crate::tui::action::{Action, Mode, FILTER_KEYS};
use crate::tui::app::App;
use crate::tui::event::{Effect, Handled};
use crate::tui::table::columns::RowKey;
use crate::tui::ui::key::Key;
use crate::tui::ui::layout::HEADER_LINES;

/// Fixed keys of the view (Esc cannot be remapped: it is also `clear_filter`).
pub const CONNS_KEYS: [(&str, &str); 1] = [("Esc", "back")];

/// `c`: every connection, or, from the detail view, those of its row.
pub fn open(app: &mut App) -> Vec<Effect> {
    let from = app.mode;
    app.conns.back = Some(from);
    app.mode = Mode::Conns;
    app.dirty = true;
    let text = match (from, app.detail.row) {
        (Mode::Detail, Some(key)) => row_query(&key),
        _ => String::new(),
    };
    app.conns.query_input = text.clone();
    app.conns.query_applied = text;
    app.conns.query_error = None;
    apply_query(app)
}

/// Starts over on the connections of one row (the detail view's).
pub fn scan_row(app: &mut App, key: RowKey) -> Vec<Effect> {
    let (filter, servers) = row_filter(&key, app.entries());
    let (id, filter) = app.conns.list.retarget(filter, servers, app.now);
    vec![Effect::ScanConns { id, filter }]
}

/// The `/` text that selects a row's connections, where the query can say it.
fn row_query(key: &RowKey) -> String {
    use crate::ipvs::ServiceKey;
    let ep = |a: std::net::IpAddr, p: u16| match a {
        std::net::IpAddr::V4(_) => format!("{a}:{p}"),
        std::net::IpAddr::V6(_) => format!("[{a}]:{p}"),
    };
    let svc = match key {
        RowKey::Service(k) | RowKey::Dest(k, ..) => k,
    };
    let mut words = Vec::new();
    if let ServiceKey::Addr {
        protocol,
        addr,
        port,
    } = svc
    {
        words.push(format!("vip={}", ep(*addr, *port)));
        words.push(format!(
            "proto={}",
            crate::adm::fields::protocol_name(*protocol).to_lowercase()
        ));
    }
    if let RowKey::Dest(_, a, p) = key {
        words.push(format!("rs={}", ep(*a, *p)));
    }
    words.join(" ")
}

/// Scans with the applied query (it parsed when applied).
fn apply_query(app: &mut App) -> Vec<Effect> {
    let filter = query::parse(&app.conns.query_applied).unwrap_or_default();
    let (id, filter) = app.conns.list.retarget(filter, Vec::new(), app.now);
    vec![Effect::ScanConns { id, filter }]
}

/// Esc: back to the detail view this one was opened from, else to the table.
fn back(app: &mut App) -> Vec<Effect> {
    if app.conns.back != Some(Mode::Detail) {
        return leave(app);
    }
    app.dirty = true;
    // The detail view, with its own connections again.
    match app.detail.row {
        Some(key) => {
            app.mode = Mode::Detail;
            scan_row(app, key)
        }
        None => {
            app.mode = Mode::Table;
            Vec::new()
        }
    }
}

/// Back to the table from the detail or the connections view: no view shows connections
/// any more, so the scan stops.
pub fn leave(app: &mut App) -> Vec<Effect> {
    app.dirty = true;
    app.mode = Mode::Table;
    app.detail.row = None;
    app.conns.list.stop();
    vec![Effect::StopConns]
}

/// Keys while the connections view is open.
pub fn key(app: &mut App, ev: &KeyEvent, k: Key) -> Handled {
    if app.mode == Mode::ConnFilter {
        return query_key(app, ev, k);
    }
    if ev.code == KeyCode::Esc && !k.ctrl && !k.alt {
        return back(app).into();
    }
    app.dirty = true;
    match app.keymap.action(&k) {
        Some(Action::Quit) => Handled::Action(Action::Quit),
        Some(Action::Filter) => {
            app.mode = Mode::ConnFilter;
            app.conns.query_input = app.conns.query_applied.clone();
            Handled::Effects(Vec::new())
        }
        a => list_action(app, a).into(),
    }
}

/// The keys both connection lists share: scroll, scan again, exact numbers.
pub fn list_action(app: &mut App, a: Option<Action>) -> Vec<Effect> {
    let page = page(app);
    let c = &mut app.conns.list;
    match a {
        Some(Action::Refresh) => {
            let (id, filter) = c.start(app.now);
            return vec![Effect::ScanConns { id, filter }, Effect::Refresh];
        }
        Some(Action::Up) => c.select(c.cursor.saturating_sub(1), page),
        Some(Action::Down) => c.select(c.cursor.saturating_add(1), page),
        Some(Action::PageUp) => c.select(c.cursor.saturating_sub(page), page),
        Some(Action::PageDown) => c.select(c.cursor.saturating_add(page), page),
        Some(Action::Top) => c.select(0, page),
        Some(Action::Bottom) => c.select(usize::MAX, page),
        Some(Action::ToggleExact) => app.exact = !app.exact,
        _ => {}
    }
    Vec::new()
}

/// Keys of the `/` prompt: the query is checked as it is typed, applied on Enter.
fn query_key(app: &mut App, ev: &KeyEvent, k: Key) -> Handled {
    app.dirty = true;
    let v = &mut app.conns;
    match ev.code {
        KeyCode::Esc => {
            v.query_input = v.query_applied.clone();
            v.query_error = None;
            app.mode = Mode::Conns;
        }
        KeyCode::Enter => match query::parse(&v.query_input) {
            Ok(_) => {
                v.query_applied = v.query_input.trim().to_string();
                v.query_error = None;
                app.mode = Mode::Conns;
                return apply_query(app).into();
            }
            Err(e) => v.query_error = Some(e),
        },
        KeyCode::Backspace => {
            v.query_input.pop();
            v.query_error = query::parse(&v.query_input).err();
        }
        KeyCode::Char('c') if k.ctrl => return Handled::Action(Action::Quit),
        KeyCode::Char(ch) if !k.ctrl && !k.alt => {
            v.query_input.push(ch);
            v.query_error = query::parse(&v.query_input).err();
        }
        _ => {}
    }
    Handled::Effects(Vec::new())
}

/// A scan's message; redraws only for the scan wanted.
pub fn on_conns(app: &mut App, id: u64, msg: ConnMsg) {
    if app.conns.list.on_msg(id, msg, app.now) {
        let page = page(app);
        let c = &mut app.conns.list;
        c.clamp_offset(page);
        app.dirty = true;
    }
}

/// On each tick: rescan the connections of an open view when due.
pub fn on_tick(app: &mut App) -> Vec<Effect> {
    let open = matches!(app.mode, Mode::Detail | Mode::Conns | Mode::ConnFilter);
    if !open || !app.conns.list.due(app.now) {
        return Vec::new();
    }
    let (id, filter) = app.conns.list.start(app.now);
    vec![Effect::ScanConns { id, filter }]
}

/// Connection rows that fit in the connections view.
pub fn page(app: &App) -> usize {
    let prompt = u16::from(app.mode == Mode::ConnFilter || !app.conns.query_applied.is_empty());
    // Header, footer, the counts line and the column titles.
    usize::from(app.size.1.saturating_sub(HEADER_LINES + 1 + 2 + prompt)).max(1)
}

/// The footer's keys in this view and its prompt.
pub fn hints(app: &App) -> Vec<(String, &'static str)> {
    match app.mode {
        Mode::ConnFilter => app.keymap.hints_of(&FILTER_KEYS, &[]),
        _ => app.keymap.hints_of(
            &CONNS_KEYS,
            &[
                Action::Filter,
                Action::PageDown,
                Action::Refresh,
                Action::Quit,
            ],
        ),
    }
}
