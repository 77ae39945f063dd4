//! The drift list's keys: `w` opens it, `r` reverts the selected difference, `k` keeps it
//! (until reconciled or the configuration is reloaded), and `R`/`K` (keymap actions) do it
//! for all. Pure: commands leave as effects. The keys take the list's own state and a small
//! context, not the whole `App`.

use ratatui::crossterm::event::{KeyCode, KeyEvent};

use super::DriftState;
use crate::engine::ipvs::drift::DriftItem;
use crate::tui::action::{Action, Mode};
use crate::tui::edit::EditState;
use crate::tui::event::{Effect, Handled};
use crate::tui::health::HealthCmd;
use crate::tui::ui::key::Key;
use crate::tui::ui::keymap::Keymap;

/// Fixed keys of the list, for the footer and help.
pub const LIST_KEYS: [(&str, &str); 5] = [
    ("Up/Down", "entry"),
    ("r", "revert it"),
    ("k", "keep it"),
    ("R/K", "all"),
    ("Esc", "back"),
];

/// What the drift keys use of the rest of the console.
pub struct Cx<'a> {
    /// The reconciler's differences (`HealthState::drift`).
    pub items: &'a [DriftItem],
    /// Why changes are refused, if they are (`App::read_only`).
    pub read_only: Option<&'a str>,
    pub keymap: &'a Keymap,
    /// Where the list says what it did (the message line under the header).
    pub edit: &'a mut EditState,
    pub mode: &'a mut Mode,
}

/// Opens the list.
pub fn open(state: &mut DriftState, mode: &mut Mode) -> Vec<Effect> {
    *mode = Mode::Drift;
    state.cursor = 0;
    Vec::new()
}

/// Keys while the list is open.
pub fn list_key(state: &mut DriftState, cx: Cx<'_>, ev: &KeyEvent, k: Key) -> Handled {
    let n = cx.items.len();
    let cur = state.cursor.min(n.saturating_sub(1));
    match ev.code {
        KeyCode::Esc => *cx.mode = Mode::Table,
        KeyCode::Up => state.cursor = cur.saturating_sub(1),
        KeyCode::Down => state.cursor = (cur + 1).min(n.saturating_sub(1)),
        KeyCode::Char('r') if !k.ctrl && !k.alt => return one(cx, cur, false).into(),
        KeyCode::Char('k') if !k.ctrl && !k.alt => return one(cx, cur, true).into(),
        _ => match cx.keymap.action(&k) {
            Some(Action::DriftList) => *cx.mode = Mode::Table,
            Some(a @ (Action::ReconcileAll | Action::KeepAll | Action::Quit)) => {
                return Handled::Action(a)
            }
            _ => {}
        },
    }
    Handled::Effects(Vec::new())
}

/// Reverts (`keep == false`) or keeps the entry at `i`.
fn one(cx: Cx<'_>, i: usize, keep: bool) -> Vec<Effect> {
    let Some(item) = cx.items.get(i).cloned() else {
        cx.edit.error("drift: nothing to act on");
        return Vec::new();
    };
    if let Some(reason) = cx.read_only {
        cx.edit
            .error(format!("drift: refused, read-only ({reason})"));
        return Vec::new();
    }
    if keep && item.kept {
        cx.edit
            .error(format!("drift: {} is already kept", item.key));
        return Vec::new();
    }
    if keep {
        cx.edit.info(format!("drift: keeping {}", item.key));
        vec![Effect::Health(HealthCmd::Keep(item.key))]
    } else {
        cx.edit.info(format!(
            "drift: reverting with ipvsadm {}",
            item.revert_line()
        ));
        vec![Effect::Health(HealthCmd::Reconcile(item.key))]
    }
}

/// `R`/`K`: every entry at once.
pub fn all(cx: Cx<'_>, keep: bool) -> Vec<Effect> {
    let drift = cx.items;
    if drift.is_empty() {
        cx.edit.info("drift: none");
        return Vec::new();
    }
    if let Some(reason) = cx.read_only {
        cx.edit
            .error(format!("drift: refused, read-only ({reason})"));
        return Vec::new();
    }
    if !keep {
        cx.edit.info("drift: reconciling");
        return vec![Effect::Health(HealthCmd::ReconcileAll)];
    }
    let effects: Vec<Effect> = drift
        .iter()
        .filter(|i| !i.kept)
        .map(|i| Effect::Health(HealthCmd::Keep(i.key)))
        .collect();
    cx.edit
        .info(format!("drift: keeping {} item(s)", effects.len()));
    effects
}
