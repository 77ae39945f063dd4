//! The table's keys: its own actions (move the selection, sort, filter, exact numbers,
//! freeze) and the `/` prompt, which filters as the user types.

use ratatui::crossterm::event::{KeyCode, KeyEvent};

use super::filter::Filter;
use crate::tui::action::{Action, Mode};
use crate::tui::app::App;
use crate::tui::event::Handled;
use crate::tui::ui::key::Key;

/// One of the table's own actions; `update` dispatches the others.
pub fn action(app: &mut App, a: Action) {
    let page = app.page.max(1);
    match a {
        Action::Up => app.select(app.cursor.saturating_sub(1)),
        Action::Down => app.select(app.cursor.saturating_add(1)),
        Action::PageUp => app.select(app.cursor.saturating_sub(page)),
        Action::PageDown => app.select(app.cursor.saturating_add(page)),
        Action::Top => app.select(0),
        Action::Bottom => app.select(usize::MAX),
        Action::SortNext => {
            app.sort = app.sort.next();
            app.rebuild();
        }
        Action::SortReverse => {
            app.sort = app.sort.reverse();
            app.rebuild();
        }
        Action::Filter => {
            app.mode = Mode::Filter;
            app.filter.input = app.filter.applied.clone();
            app.relayout();
        }
        Action::ClearFilter => {
            app.filter = Default::default();
            app.rebuild();
            app.relayout();
        }
        Action::ToggleExact => app.exact = !app.exact,
        Action::Freeze => {
            app.frozen = !app.frozen;
            if !app.frozen {
                if let Some(snap) = app.pending.take() {
                    app.apply_snapshot(snap);
                }
            }
        }
        // Dispatched by `update` before it gets here.
        _ => {}
    }
}

/// Keys while the `/` prompt is open.
pub fn filter_key(app: &mut App, ev: &KeyEvent, k: Key) -> Handled {
    // Ctrl+c (or another Ctrl quit key) still quits; plain letters are the query.
    if k.ctrl && app.keymap.action(&k) == Some(Action::Quit) {
        return Handled::Action(Action::Quit);
    }
    match ev.code {
        KeyCode::Esc => {
            app.filter.input = app.filter.applied.clone();
            set_query(app);
            app.mode = Mode::Table;
            app.relayout();
        }
        // A query that does not parse stays open for correction.
        KeyCode::Enter if app.filter.error.is_none() => {
            app.filter.applied = app.filter.input.trim().to_string();
            app.filter.input = app.filter.applied.clone();
            app.mode = Mode::Table;
            app.relayout();
        }
        KeyCode::Backspace => {
            app.filter.input.pop();
            set_query(app);
        }
        KeyCode::Char(c) if !k.ctrl && !k.alt => {
            app.filter.input.push(c);
            set_query(app);
        }
        _ => {}
    }
    app.dirty = true;
    Handled::Effects(Vec::new())
}

/// Filters as the user types; a query that does not parse leaves the last good one in force.
fn set_query(app: &mut App) {
    match Filter::parse(&app.filter.input) {
        Ok(q) => {
            app.filter.error = None;
            if q != app.filter.query {
                app.filter.query = q;
                app.rebuild();
            }
        }
        Err(e) => app.filter.error = Some(e),
    }
}
