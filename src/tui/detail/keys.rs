//! Keys of the detail view (`Enter`): back, the row's connections in full (`c`), scrolling
//! its connection list, and the drift and drain actions of its row, which `update` runs.

use ratatui::crossterm::event::{KeyCode, KeyEvent};

use crate::tui::action::{Action, Mode};
use crate::tui::app::App;
use crate::tui::conns;
use crate::tui::event::{Effect, Handled};
use crate::tui::ui::key::Key;

/// Fixed keys of the view (Esc cannot be remapped: it is also `clear_filter`).
pub const DETAIL_KEYS: [(&str, &str); 1] = [("Esc", "back")];

/// Enter on the selected row.
pub fn open(app: &mut App) -> Vec<Effect> {
    let Some(key) = app.selected else {
        return Vec::new();
    };
    app.detail.row = Some(key);
    app.mode = Mode::Detail;
    app.dirty = true;
    conns::keys::scan_row(app, key)
}

/// Keys while the detail view is open.
pub fn key(app: &mut App, ev: &KeyEvent, k: Key) -> Handled {
    if ev.code == KeyCode::Esc && !k.ctrl && !k.alt {
        return conns::keys::leave(app).into();
    }
    app.dirty = true;
    match app.keymap.action(&k) {
        Some(Action::Connections) => conns::keys::open(app).into(),
        // Quit, and what the row's health and drift allow, as from the table.
        Some(
            a @ (Action::Quit
            | Action::ReconcileAll
            | Action::KeepAll
            | Action::DriftList
            | Action::Drain
            | Action::Undrain
            | Action::Disable),
        ) => Handled::Action(a),
        a => conns::keys::list_action(app, a).into(),
    }
}

/// The footer's keys in this view.
pub fn hints(app: &App) -> Vec<(String, &'static str)> {
    app.keymap.hints_of(
        &DETAIL_KEYS,
        &[Action::Connections, Action::Refresh, Action::Quit],
    )
}
