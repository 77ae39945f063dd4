//! The drift list's keys: `w` opens it, `r` reverts the selected difference, `k` keeps it
//! (until reconciled or the configuration is reloaded), and `R`/`K` (keymap actions) do it
//! for all. Pure: commands leave as effects.

use ratatui::crossterm::event::{KeyCode, KeyEvent};

use crate::tui::action::{Action, Mode};
use crate::tui::app::App;
use crate::tui::event::Effect;
use crate::tui::health::HealthCmd;
use crate::tui::ui::key::Key;

/// Fixed keys of the list, for the footer and help.
pub const LIST_KEYS: [(&str, &str); 5] = [
    ("Up/Down", "entry"),
    ("r", "revert it"),
    ("k", "keep it"),
    ("R/K", "all"),
    ("Esc", "back"),
];

/// Opens the list.
pub fn open(app: &mut App) -> Vec<Effect> {
    app.mode = Mode::Drift;
    app.drift.cursor = 0;
    app.dirty = true;
    Vec::new()
}

/// Keys while the list is open.
pub fn list_key(app: &mut App, ev: &KeyEvent, k: Key) -> Vec<Effect> {
    app.dirty = true;
    let n = app.health.drift().len();
    let cur = app.drift.cursor.min(n.saturating_sub(1));
    match ev.code {
        KeyCode::Esc => app.mode = Mode::Table,
        KeyCode::Up => app.drift.cursor = cur.saturating_sub(1),
        KeyCode::Down => app.drift.cursor = (cur + 1).min(n.saturating_sub(1)),
        KeyCode::Char('r') if !k.ctrl && !k.alt => return one(app, cur, false),
        KeyCode::Char('k') if !k.ctrl && !k.alt => return one(app, cur, true),
        _ => match app.keymap.action(&k) {
            Some(Action::DriftList) => app.mode = Mode::Table,
            Some(a @ (Action::ReconcileAll | Action::KeepAll | Action::Quit)) => {
                return crate::tui::update::action_of(app, a)
            }
            _ => {}
        },
    }
    Vec::new()
}

/// Reverts (`keep == false`) or keeps the entry at `i`.
fn one(app: &mut App, i: usize, keep: bool) -> Vec<Effect> {
    let Some(item) = app.health.drift().get(i).cloned() else {
        app.edit.error("drift: nothing to act on");
        return Vec::new();
    };
    if let Some(reason) = app.read_only() {
        let reason = reason.to_string();
        app.edit
            .error(format!("drift: refused, read-only ({reason})"));
        return Vec::new();
    }
    if keep && item.kept {
        app.edit
            .error(format!("drift: {} is already kept", item.key));
        return Vec::new();
    }
    if keep {
        app.edit.info(format!("drift: keeping {}", item.key));
        vec![Effect::Health(HealthCmd::Keep(item.key))]
    } else {
        app.edit.info(format!(
            "drift: reverting with ipvsadm {}",
            item.revert_line()
        ));
        vec![Effect::Health(HealthCmd::Reconcile(item.key))]
    }
}

/// `R`/`K`: every entry at once.
pub fn all(app: &mut App, keep: bool) -> Vec<Effect> {
    let drift = app.health.drift();
    if drift.is_empty() {
        app.edit.info("drift: none");
        return Vec::new();
    }
    if let Some(reason) = app.read_only() {
        let reason = reason.to_string();
        app.edit
            .error(format!("drift: refused, read-only ({reason})"));
        return Vec::new();
    }
    if !keep {
        app.edit.info("drift: reconciling");
        return vec![Effect::Health(HealthCmd::ReconcileAll)];
    }
    let effects: Vec<Effect> = drift
        .iter()
        .filter(|i| !i.kept)
        .map(|i| Effect::Health(HealthCmd::Keep(i.key)))
        .collect();
    app.edit
        .info(format!("drift: keeping {} item(s)", effects.len()));
    effects
}
