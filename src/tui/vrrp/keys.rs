//! Keys of the VRRP panel and its dialogs, and the quit question.

use ratatui::crossterm::event::{KeyCode, KeyEvent};

use super::drill::{self, DrillForm, Kind, VrrpDialog};
use crate::tui::action::{Action, Mode};
use crate::tui::app::App;
use crate::tui::event::Effect;
use crate::tui::ui::key::Key;

/// Fixed keys of the panel, for the footer and help.
pub const PANEL_KEYS: [(&str, &str); 5] = [
    ("Up/Down", "instance"),
    ("g", "give up mastership"),
    ("+/-", "raise/lower priority"),
    ("Esc", "back"),
    ("q", "quit"),
];

/// Keys of the drill dialog.
pub const DRILL_KEYS: [(&str, &str); 4] = [
    ("type the name", "confirm"),
    ("Up/Down", "priority"),
    ("Left/Right", "seconds"),
    ("Esc", "cancel"),
];

pub const QUIT_KEYS: [(&str, &str); 3] = [
    ("Left/Right", "No/Yes"),
    ("Enter", "answer"),
    ("Esc", "stay"),
];

/// `v`: opens the panel.
pub fn open(app: &mut App) -> Vec<Effect> {
    app.mode = Mode::Vrrp;
    app.dirty = true;
    Vec::new()
}

/// Quit: asks first while an instance is master (it will stop and the peer takes over).
pub fn quit(app: &mut App) -> Vec<Effect> {
    app.dirty = true;
    if app.vrrp.masters().next().is_some() {
        app.vrrp.dialog = Some(VrrpDialog::Quit { yes: false });
        return Vec::new();
    }
    app.quit = true;
    vec![Effect::Quit]
}

/// Keys while the panel is open (no dialog).
pub fn panel_key(app: &mut App, ev: &KeyEvent, k: Key) -> Vec<Effect> {
    app.dirty = true;
    let n = app.vrrp.instances.len();
    match ev.code {
        KeyCode::Esc => app.mode = Mode::Table,
        KeyCode::Char('g') => return drill_dialog(app, Kind::GiveUp),
        KeyCode::Char('+') => return drill_dialog(app, Kind::Raise),
        KeyCode::Char('-') => return drill_dialog(app, Kind::Lower),
        _ => match app.keymap.action(&k) {
            Some(Action::Quit) => return quit(app),
            Some(Action::Vrrp) => app.mode = Mode::Table,
            Some(Action::Up) => app.vrrp.cursor = app.vrrp.cursor.saturating_sub(1),
            Some(Action::Down) if n > 0 => app.vrrp.cursor = (app.vrrp.cursor + 1).min(n - 1),
            _ => {}
        },
    }
    Vec::new()
}

fn drill_dialog(app: &mut App, kind: Kind) -> Vec<Effect> {
    // --read-only refuses drills too; a table read from /proc does not (VRRP needs no IPVS).
    if app.edit.read_only {
        app.edit
            .error("read-only (--read-only): failover drills refused");
        return Vec::new();
    }
    let Some(inst) = app.vrrp.selected() else {
        app.edit
            .error("no VRRP instance runs in this console (start it with -f FILE)");
        return Vec::new();
    };
    app.vrrp.dialog = Some(VrrpDialog::Drill(DrillForm::new(inst, kind)));
    Vec::new()
}

/// Keys while a VRRP dialog is open.
pub fn dialog_key(app: &mut App, ev: &KeyEvent) -> Vec<Effect> {
    app.dirty = true;
    let Some(dialog) = app.vrrp.dialog.take() else {
        return Vec::new();
    };
    match dialog {
        VrrpDialog::Quit { yes } => match ev.code {
            KeyCode::Esc | KeyCode::Char('n' | 'N') => Vec::new(),
            KeyCode::Enter if yes => {
                app.quit = true;
                vec![Effect::Quit]
            }
            KeyCode::Enter => Vec::new(),
            KeyCode::Char('y' | 'Y') => {
                app.vrrp.dialog = Some(VrrpDialog::Quit { yes: true });
                Vec::new()
            }
            KeyCode::Left | KeyCode::Right | KeyCode::Tab | KeyCode::BackTab => {
                app.vrrp.dialog = Some(VrrpDialog::Quit { yes: !yes });
                Vec::new()
            }
            _ => {
                app.vrrp.dialog = Some(VrrpDialog::Quit { yes });
                Vec::new()
            }
        },
        VrrpDialog::Drill(f) => drill_key(app, f, ev),
    }
}

fn drill_key(app: &mut App, mut f: DrillForm, ev: &KeyEvent) -> Vec<Effect> {
    match ev.code {
        KeyCode::Esc => return Vec::new(),
        KeyCode::Enter if f.typed.trim() == f.instance => {
            let now = app.now;
            let cmd = f.command();
            let name = f.instance.clone();
            let Some(inst) = app.vrrp.get_mut(&name) else {
                app.edit.error(format!("{name} no longer runs"));
                return Vec::new();
            };
            drill::start(inst, &f, now);
            app.edit.info(format!("drill sent: {}", f.summary()));
            return vec![Effect::Vrrp(name, cmd)];
        }
        KeyCode::Enter => {
            f.error = Some(format!(
                "type {} exactly to confirm (Esc cancels)",
                f.instance
            ))
        }
        KeyCode::Up => f.step_priority(true),
        KeyCode::Down => f.step_priority(false),
        KeyCode::Right => f.step_seconds(true),
        KeyCode::Left => f.step_seconds(false),
        KeyCode::Backspace => {
            f.typed.pop();
            f.error = None;
        }
        KeyCode::Char(c)
            if !ev
                .modifiers
                .contains(ratatui::crossterm::event::KeyModifiers::CONTROL) =>
        {
            f.typed.push(c);
            f.error = None;
        }
        _ => {}
    }
    app.vrrp.dialog = Some(VrrpDialog::Drill(f));
    Vec::new()
}
