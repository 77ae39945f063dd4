//! The detail and connections views: their state, their keys and when they scan. `update`
//! hands them the events of their modes.

use ratatui::crossterm::event::{KeyCode, KeyEvent};

use crate::tui::action::{Action, Mode};
use crate::tui::app::App;
use crate::tui::conns::query as conn_query;
use crate::tui::conns::state::{row_filter, ConnMsg, ConnsState};
use crate::tui::detail::history::History;
use crate::tui::event::Effect;
use crate::tui::table::columns::RowKey;
use crate::tui::ui::key::Key;
use crate::tui::ui::layout::HEADER_LINES;
/// Fixed keys of the two views (Esc cannot be remapped: it is also `clear_filter`).
pub const DETAIL_KEYS: [(&str, &str); 1] = [("Esc", "back")];
pub const CONNS_KEYS: [(&str, &str); 1] = [("Esc", "back")];
#[derive(Debug, Clone, Default)]
pub struct ViewsState {
    /// The row the detail view shows, by key (it follows the row across refreshes).
    pub detail: Option<RowKey>,
    pub history: History,
    pub conns: ConnsState,
    /// Where Esc goes from the connections view.
    pub conns_back: Option<Mode>,
    /// The connections view's `/` prompt: typed text, applied text, parse error.
    pub query_input: String,
    pub query_applied: String,
    pub query_error: Option<String>,
}
/// Enter on the selected row.
pub fn open_detail(app: &mut App) -> Vec<Effect> {
    let Some(key) = app.selected else {
        return Vec::new();
    };
    app.views.detail = Some(key);
    app.mode = Mode::Detail;
    app.dirty = true;
    let (filter, servers) = row_filter(&key, app.entries());
    let (id, filter) = app.views.conns.retarget(filter, servers, app.now);
    vec![Effect::ScanConns { id, filter }]
}

/// `c`: every connection, or, from the detail view, those of its row.
pub fn open_conns(app: &mut App) -> Vec<Effect> {
    let from = app.mode;
    app.views.conns_back = Some(from);
    app.mode = Mode::Conns;
    app.dirty = true;
    let text = match (from, app.views.detail) {
        (Mode::Detail, Some(key)) => row_query(&key),
        _ => String::new(),
    };
    app.views.query_input = text.clone();
    app.views.query_applied = text;
    app.views.query_error = None;
    apply_query(app)
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
    let filter = conn_query::parse(&app.views.query_applied).unwrap_or_default();
    let (id, filter) = app.views.conns.retarget(filter, Vec::new(), app.now);
    vec![Effect::ScanConns { id, filter }]
}

/// Leaves the detail or connections view.
fn back(app: &mut App) -> Vec<Effect> {
    app.dirty = true;
    match app.mode {
        Mode::Conns if app.views.conns_back == Some(Mode::Detail) => {
            // The detail view, with its own connections again.
            let effects = open_detail_of(app);
            if effects.is_empty() {
                app.mode = Mode::Table;
            }
            effects
        }
        _ => {
            app.mode = Mode::Table;
            app.views.detail = None;
            app.views.conns.stop();
            vec![Effect::StopConns]
        }
    }
}
fn open_detail_of(app: &mut App) -> Vec<Effect> {
    let Some(key) = app.views.detail else {
        return Vec::new();
    };
    let saved = app.selected;
    app.selected = Some(key);
    let effects = open_detail(app);
    app.selected = saved;
    effects
}

/// Keys while the detail or connections view is open.
pub fn key(app: &mut App, ev: &KeyEvent, k: Key) -> Vec<Effect> {
    if app.mode == Mode::ConnFilter {
        return query_key(app, ev, k);
    }
    if ev.code == KeyCode::Esc && !k.ctrl && !k.alt {
        return back(app);
    }
    let page = conns_page(app);
    let c = &mut app.views.conns;
    app.dirty = true;
    match app.keymap.action(&k) {
        Some(Action::Quit) => return crate::tui::vrrp::keys::quit(app),
        Some(Action::Connections) if app.mode == Mode::Detail => return open_conns(app),
        Some(Action::Filter) if app.mode == Mode::Conns => {
            app.mode = Mode::ConnFilter;
            app.views.query_input = app.views.query_applied.clone();
        }
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
        Some(
            a @ (Action::ReconcileAll
            | Action::KeepAll
            | Action::DriftList
            | Action::Drain
            | Action::Undrain
            | Action::Disable),
        ) if app.mode == Mode::Detail => return crate::tui::update::action_of(app, a),
        _ => {}
    }
    Vec::new()
}
fn query_key(app: &mut App, ev: &KeyEvent, k: Key) -> Vec<Effect> {
    app.dirty = true;
    let v = &mut app.views;
    match ev.code {
        KeyCode::Esc => {
            v.query_input = v.query_applied.clone();
            v.query_error = None;
            app.mode = Mode::Conns;
        }
        KeyCode::Enter => match conn_query::parse(&v.query_input) {
            Ok(_) => {
                v.query_applied = v.query_input.trim().to_string();
                v.query_error = None;
                app.mode = Mode::Conns;
                return apply_query(app);
            }
            Err(e) => v.query_error = Some(e),
        },
        KeyCode::Backspace => {
            v.query_input.pop();
            v.query_error = conn_query::parse(&v.query_input).err();
        }
        KeyCode::Char('c') if k.ctrl => return crate::tui::vrrp::keys::quit(app),
        KeyCode::Char(ch) if !k.ctrl && !k.alt => {
            v.query_input.push(ch);
            v.query_error = conn_query::parse(&v.query_input).err();
        }
        _ => {}
    }
    Vec::new()
}

/// A scan's message; redraws only for the scan wanted.
pub fn on_conns(app: &mut App, id: u64, msg: ConnMsg) {
    if app.views.conns.on_msg(id, msg, app.now) {
        let page = conns_page(app);
        let c = &mut app.views.conns;
        c.clamp_offset(page);
        app.dirty = true;
    }
}

/// On each tick: rescan the connections of an open view when due.
pub fn on_tick(app: &mut App) -> Vec<Effect> {
    let open = matches!(app.mode, Mode::Detail | Mode::Conns | Mode::ConnFilter);
    if !open || !app.views.conns.due(app.now) {
        return Vec::new();
    }
    let (id, filter) = app.views.conns.start(app.now);
    vec![Effect::ScanConns { id, filter }]
}

/// Connection rows that fit in the connections view.
pub fn conns_page(app: &App) -> usize {
    let prompt = u16::from(app.mode == Mode::ConnFilter || !app.views.query_applied.is_empty());
    // Header, footer, the counts line and the column titles.
    usize::from(app.size.1.saturating_sub(HEADER_LINES + 1 + 2 + prompt)).max(1)
}
/// After each applied table: one history sample for the rows being looked at.
pub fn after_refresh(app: &mut App) {
    let entries = app
        .snapshot
        .as_ref()
        .map_or(&[][..], |s| s.entries.as_slice());
    let end = (app.offset + app.page).min(app.rows.len());
    let mut watched: Vec<_> = app.rows.get(app.offset..end).unwrap_or(&[]).to_vec();
    if let Some(r) = app.rows.get(app.cursor) {
        watched.push(*r);
    }
    app.views.history.record(entries, &app.rows, &watched);
}
/// The footer's keys in these views.
pub fn hints(app: &App) -> Vec<(String, &'static str)> {
    let km = &app.keymap;
    let mut out: Vec<(String, &'static str)> = Vec::new();
    let fixed: &[(&str, &str)] = match app.mode {
        Mode::Detail => &DETAIL_KEYS,
        Mode::ConnFilter => &crate::tui::action::FILTER_KEYS,
        _ => &CONNS_KEYS,
    };
    out.extend(fixed.iter().map(|(k, l)| (k.to_string(), *l)));
    let actions: &[Action] = match app.mode {
        Mode::Detail => &[Action::Connections, Action::Refresh, Action::Quit],
        Mode::Conns => &[
            Action::Filter,
            Action::PageDown,
            Action::Refresh,
            Action::Quit,
        ],
        _ => &[],
    };
    out.extend(
        actions
            .iter()
            .filter_map(|a| Some((km.keys_text(*a)?, a.label()))),
    );
    out
}
