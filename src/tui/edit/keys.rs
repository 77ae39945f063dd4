//! Keys while a dialog is open: it has the keyboard until Esc, Enter or a decision.

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::command_bar::{self, Parsed};
use super::confirm::Confirm;
use super::flow::{review, submit};
use super::form::{Form, Input};
use super::{Change, Dialog, Preview};
use crate::rules::Command;
use crate::tui::app::App;
use crate::tui::event::Effect;

/// Fixed keys of each dialog, for the footer.
pub fn hints(dialog: &Dialog) -> Vec<(String, &'static str)> {
    let h: &[(&str, &'static str)] = match dialog {
        Dialog::Form(_) => &[
            ("Tab/Shift-Tab", "next/previous field"),
            ("Left/Right/Space", "choose"),
            ("Enter", "review"),
            ("Esc", "cancel"),
        ],
        Dialog::Preview(_) => &[("Enter", "apply"), ("Esc", "back")],
        Dialog::Confirm(c) if c.typed.is_some() => &[("Enter", "confirm"), ("Esc", "cancel")],
        Dialog::Confirm(_) => &[
            ("Left/Right", "No/Yes"),
            ("Enter", "answer"),
            ("Esc", "cancel"),
        ],
        Dialog::Command(_) => &[("Enter", "run"), ("Up/Down", "history"), ("Esc", "close")],
    };
    h.iter().map(|(k, l)| (k.to_string(), *l)).collect()
}

pub fn key(app: &mut App, ev: &KeyEvent) -> Vec<Effect> {
    app.dirty = true;
    let Some(dialog) = app.edit.dialog.take() else {
        return Vec::new();
    };
    match dialog {
        Dialog::Form(f) => form_key(app, f, ev),
        Dialog::Preview(p) => preview_key(app, p, ev),
        Dialog::Confirm(c) => confirm_key(app, c, ev),
        Dialog::Command(c) => command_key(app, c, ev),
    }
}

fn form_key(app: &mut App, mut f: Form, ev: &KeyEvent) -> Vec<Effect> {
    match ev.code {
        KeyCode::Esc => return Vec::new(),
        KeyCode::Tab | KeyCode::Down => f.step(true),
        KeyCode::BackTab | KeyCode::Up => f.step(false),
        KeyCode::Enter => {
            if let Some(op) = f.validate() {
                if f.op_fits(&op) {
                    let change = Change::new(f.title(), vec![op]);
                    app.edit.dialog = Some(Dialog::Preview(Preview {
                        change,
                        back: Some(f),
                        error: None,
                    }));
                    return Vec::new();
                }
                f.error = Some("the form made a different change than it shows".into());
            }
        }
        _ => {
            if let Some(field) = f.fields.get_mut(f.focus) {
                match &mut field.input {
                    Input::Choice { options, index } => match ev.code {
                        KeyCode::Left => *index = (*index + options.len() - 1) % options.len(),
                        KeyCode::Right | KeyCode::Char(' ') => {
                            *index = (*index + 1) % options.len()
                        }
                        _ => {}
                    },
                    Input::Text(t) => {
                        if !ev.modifiers.contains(KeyModifiers::CONTROL)
                            || matches!(ev.code, KeyCode::Char('h' | 'w' | 'u' | 'a' | 'e'))
                        {
                            t.input(*ev);
                        }
                    }
                }
                field.error = None;
            }
        }
    }
    app.edit.dialog = Some(Dialog::Form(f));
    Vec::new()
}

fn preview_key(app: &mut App, p: Preview, ev: &KeyEvent) -> Vec<Effect> {
    match ev.code {
        KeyCode::Enter => {
            let change = p.change.clone();
            let back = Preview { error: None, ..p };
            submit(app, change, Some(Dialog::Preview(back)), None)
        }
        KeyCode::Esc => {
            app.edit.dialog = p.back.map(Dialog::Form);
            Vec::new()
        }
        _ => {
            app.edit.dialog = Some(Dialog::Preview(p));
            Vec::new()
        }
    }
}

fn confirm_key(app: &mut App, mut c: Confirm, ev: &KeyEvent) -> Vec<Effect> {
    match (ev.code, c.typed.is_some()) {
        (KeyCode::Esc, _) | (KeyCode::Char('n' | 'N'), false) => return Vec::new(),
        (KeyCode::Enter, _) => {
            if c.typed.is_none() && !c.yes {
                return Vec::new();
            }
            if c.accepted() {
                let change = c.change.clone();
                let mut back = c;
                back.error = None;
                back.yes = false;
                return submit(app, change, Some(Dialog::Confirm(back)), None);
            }
        }
        (KeyCode::Left | KeyCode::Right | KeyCode::Tab | KeyCode::BackTab, false) => c.yes = !c.yes,
        (KeyCode::Char('y' | 'Y'), false) => c.yes = true,
        (_, true) => {
            if let Some(t) = &mut c.typed {
                if ev.code != KeyCode::Tab {
                    t.input.input(*ev);
                }
            }
            c.error = None;
        }
        _ => {}
    }
    app.edit.dialog = Some(Dialog::Confirm(c));
    Vec::new()
}

fn command_key(app: &mut App, mut c: command_bar::CommandBar, ev: &KeyEvent) -> Vec<Effect> {
    match ev.code {
        KeyCode::Esc => return Vec::new(),
        KeyCode::Up => c.browse(&app.edit.history, true),
        KeyCode::Down => c.browse(&app.edit.history, false),
        KeyCode::Enter => {
            let line = c.text();
            command_bar::remember(&mut app.edit.history, &line);
            c.browsing = None;
            // `NAME: LINE` shows director NAME, then runs LINE there.
            if let Some((name, rest)) = crate::tui::directors::split_prefix(&line) {
                let Some(target) = app.directors.find(name, &app.host) else {
                    let mut known = vec![app.host.clone()];
                    known.extend(app.directors.peers.iter().map(|p| p.name.clone()));
                    c.error = Some(format!(
                        "no director `{name}` (known: {})",
                        known.join(", ")
                    ));
                    app.edit.dialog = Some(Dialog::Command(c));
                    return Vec::new();
                };
                let now = app.now;
                let mut effects = crate::tui::directors::show(app, target, now);
                if app.directors.shown != target {
                    // Refused (a change in flight): its message is in the header.
                    return effects;
                }
                match command_bar::parse(rest) {
                    Err(e) => {
                        c.error = Some(e);
                        c.set_text(&line);
                    }
                    Ok(Parsed::Nothing) => return effects,
                    Ok(Parsed::Command(cmd)) => {
                        effects.extend(run(app, c, cmd));
                        return effects;
                    }
                }
                app.edit.dialog = Some(Dialog::Command(c));
                return effects;
            }
            match command_bar::parse(&line) {
                Err(e) => c.error = Some(e),
                Ok(Parsed::Nothing) => return Vec::new(),
                Ok(Parsed::Command(cmd)) => return run(app, c, cmd),
            }
        }
        _ => {
            c.input.input(*ev);
            c.error = None;
        }
    }
    app.edit.dialog = Some(Dialog::Command(c));
    Vec::new()
}

/// A parsed `:` line: changes go through the same review as keys; the rest get a message.
fn run(app: &mut App, mut bar: command_bar::CommandBar, cmd: Command) -> Vec<Effect> {
    let t = app.totals;
    match cmd {
        Command::Change(op) => {
            if let Some(reason) = app.refusal() {
                bar.error = Some(format!("read-only ({reason}): change refused"));
                app.edit.dialog = Some(Dialog::Command(bar));
                return Vec::new();
            }
            let title = format!(": ipvsadm {}", super::line(&op));
            review(app, Change::new(title, vec![op]));
        }
        Command::List(_) => app.edit.info(format!(
            "the table on screen is the listing: {} services, {} real servers \
             (lvsdeck adm -Ln prints ipvsadm's text)",
            t.services, t.dests
        )),
        Command::Save(_) => app
            .edit
            .info("-S: run lvsdeck adm -Sn in a shell (the console shows the table)"),
        Command::Restore => app.edit.info("-R: run lvsdeck adm -R < FILE in a shell"),
        Command::Help => app
            .edit
            .info("ipvsadm lines: -A/-E/-D service, -a/-e/-d server, -Z, -C, --set; -L lists"),
        Command::Version => app
            .edit
            .info(format!("lvsdeck {}", env!("CARGO_PKG_VERSION"))),
    }
    Vec::new()
}
