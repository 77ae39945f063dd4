//! From an operator's intent to `Effect::Apply`: which dialog a change needs (preview,
//! confirmation, typed confirmation), the read-only and one-at-a-time checks, and what
//! happens when the runner reports back.

use std::time::Instant;

use super::command_bar::CommandBar;
use super::confirm::Confirm;
use super::drain::{self, Update};
use super::form::Form;
use super::{undo, Change, Dialog, InFlight, Preview};
use crate::check::Intent;
use crate::engine::ServerId as EngineServer;
use crate::ipvs::{Op, ServiceEntry, ServiceKey};
use crate::rules::{ip_text, join_host_port, MAX_WEIGHT};
use crate::tui::action::Action;
use crate::tui::app::App;
use crate::tui::event::Effect;
use crate::tui::health::HealthCmd;
use crate::tui::table::columns::{service_label, RowKey};

/// Weights the `+`/`-` keys stay within (ipvsadm's documented range).
pub const WEIGHT_MAX: u32 = 65_535;
const _: () = assert!(WEIGHT_MAX as i64 <= MAX_WEIGHT);

/// The console's editing actions.
pub fn action(app: &mut App, a: Action, now: Instant) -> Vec<Effect> {
    app.dirty = true;
    if a == Action::Command {
        app.edit.dialog = Some(Dialog::Command(CommandBar::default()));
        return Vec::new();
    }
    if let Some(reason) = app.refusal() {
        let reason = reason.to_string();
        app.edit
            .error(format!("read-only ({reason}): {} refused", a.label()));
        return Vec::new();
    }
    match a {
        Action::AddService => app.edit.dialog = Some(Dialog::Form(Form::add_service())),
        Action::AddServer => match selected_service(app) {
            Some(e) => {
                let key = e.service.config.key;
                app.edit.dialog = Some(Dialog::Form(Form::add_dest(key)));
            }
            None => app.edit.error("select a service to add a real server to"),
        },
        Action::Edit => match selection(app) {
            Some((e, None)) => {
                let f = Form::edit_service(&e.service.config);
                app.edit.dialog = Some(Dialog::Form(f));
            }
            Some((e, Some(i))) => {
                let f = Form::edit_dest(e.service.config.key, &e.dests[i].config);
                app.edit.dialog = Some(Dialog::Form(f));
            }
            None => app.edit.error("select a row to edit"),
        },
        Action::Delete => delete(app),
        Action::WeightUp | Action::WeightDown => return weight(app, a == Action::WeightUp),
        Action::Drain => return drain_toggle(app),
        Action::Undrain => return undrain(app),
        Action::Disable => return disable(app),
        Action::Undo => match app.edit.undo.clone() {
            Some(change) => review(app, change),
            None => app.edit.error("nothing to undo"),
        },
        Action::Zero => match selected_service(app) {
            Some(e) => {
                let key = e.service.config.key;
                let title = format!("Zero the counters of {}", service_label(&key));
                review(app, Change::new(title, vec![Op::Zero(Some(key))]));
            }
            None => app.edit.error("select a service to zero"),
        },
        Action::ZeroAll => review(
            app,
            Change::new("Zero the counters of every service", vec![Op::Zero(None)]),
        ),
        Action::Clear => review(
            app,
            Change::new("Clear the whole IPVS table (-C)", vec![Op::Flush]),
        ),
        _ => {}
    }
    let _ = now;
    Vec::new()
}

/// Opens the dialog a change needs: a typed confirmation to clear the table or delete a
/// service that has real servers, Yes/No (default No) for other deletes, else a preview.
pub fn review(app: &mut App, change: Change) {
    let dialog = match change.ops.as_slice() {
        [Op::Flush] => {
            let host = app.host.clone();
            Dialog::Confirm(Confirm::typed(change, host))
        }
        [Op::DelService(key)] if dest_count(app.entries(), key) > 0 => {
            let expect = address_word(key);
            Dialog::Confirm(Confirm::typed(change, expect))
        }
        [Op::DelService(_)] | [Op::DelDest { .. }] => Dialog::Confirm(Confirm::yes_no(change)),
        _ => Dialog::Preview(Preview {
            change,
            back: None,
            error: None,
        }),
    };
    app.edit.dialog = Some(dialog);
    app.dirty = true;
}

/// Sends a change to the runner. `back` is the dialog to reopen, with the kernel's message,
/// if it is refused.
pub fn submit(
    app: &mut App,
    change: Change,
    back: Option<Dialog>,
    drain: Option<Update>,
) -> Vec<Effect> {
    app.dirty = true;
    if let Some(reason) = app.refusal() {
        let reason = reason.to_string();
        app.edit
            .error(format!("read-only ({reason}): change refused"));
        return Vec::new();
    }
    if app.edit.in_flight.is_some() {
        app.edit.dialog = back;
        app.edit
            .error("the previous change is still being applied; try again");
        return Vec::new();
    }
    let inverse = undo::inverse(app.entries(), &change.ops)
        .map(|ops| Change::new(format!("Undo: {}", change.title), ops));
    app.edit
        .info(format!("applying: {}", change.lines().join(" ; ")));
    let ops = change.ops.clone();
    app.edit.in_flight = Some(InFlight {
        change,
        inverse,
        drain,
        back,
    });
    vec![Effect::Apply(ops)]
}

/// `Event::Applied` for a change of ours; `false` when none was waiting.
pub fn applied(app: &mut App, results: &[Result<(), String>], now: Instant) -> bool {
    let Some(done) = app.edit.in_flight.take() else {
        return false;
    };
    app.dirty = true;
    let errors: Vec<&str> = results
        .iter()
        .filter_map(|r| r.as_ref().err().map(String::as_str))
        .collect();
    if errors.is_empty() {
        app.edit
            .info(format!("applied: {}", done.change.lines().join(" ; ")));
        if let Some(inv) = done.inverse {
            app.edit.undo = Some(inv);
        }
        if let Some(u) = done.drain {
            drain::record(&mut app.edit, u, now);
        }
    } else {
        let why = errors.join("; ");
        app.edit.error(format!(
            "refused: {}: {why}",
            done.change.lines().join(" ; ")
        ));
        let mut back = done.back;
        match &mut back {
            Some(Dialog::Preview(p)) => p.error = Some(why),
            Some(Dialog::Confirm(c)) => c.error = Some(why),
            Some(Dialog::Form(f)) => f.error = Some(why),
            Some(Dialog::Command(c)) => c.error = Some(why),
            None => {}
        }
        if app.edit.dialog.is_none() {
            app.edit.dialog = back;
        }
    }
    true
}

fn delete(app: &mut App) {
    match selection(app) {
        Some((e, None)) => {
            let key = e.service.config.key;
            let n = e.dests.len();
            let title = if n > 0 {
                format!(
                    "Delete {} and its {n} real server{}",
                    service_label(&key),
                    if n == 1 { "" } else { "s" }
                )
            } else {
                format!("Delete {}", service_label(&key))
            };
            review(app, Change::new(title, vec![Op::DelService(key)]));
        }
        Some((e, Some(i))) => {
            let key = e.service.config.key;
            let d = &e.dests[i].config;
            let title = format!(
                "Delete real server {} from {}",
                join_host_port(&d.addr, &ip_text(&d.addr), &d.port.to_string()),
                service_label(&key)
            );
            let op = Op::DelDest {
                service: key,
                addr: d.addr,
                port: d.port,
            };
            review(app, Change::new(title, vec![op]));
        }
        None => app.edit.error("select a row to delete"),
    }
}

fn weight(app: &mut App, up: bool) -> Vec<Effect> {
    let Some((e, Some(i))) = selection(app) else {
        app.edit.error("select a real server to change its weight");
        return Vec::new();
    };
    let key = e.service.config.key;
    let mut d = e.dests[i].config.clone();
    let w = d.weight.min(WEIGHT_MAX);
    let new = if up {
        (w + 1).min(WEIGHT_MAX)
    } else {
        w.saturating_sub(1)
    };
    if new == d.weight {
        app.edit.error(format!("weight already {new}"));
        return Vec::new();
    }
    d.weight = new;
    let title = format!("Weight {} -> {new}", e.dests[i].config.weight);
    submit(
        app,
        Change::new(title, vec![Op::EditDest(key, d)]),
        None,
        None,
    )
}

/// The selected real server when the health engine checks it (its drain, disable and
/// undrain are policy commands, so a passing check does not undo them), with its intent.
fn checked_selection(app: &App) -> Option<(EngineServer, Intent)> {
    let Some(RowKey::Dest(service, addr, port)) = app.selected else {
        return None;
    };
    let v = app.health.checked(&service, addr, port)?;
    let intent = v.status.as_ref()?.intent;
    Some((
        EngineServer {
            service,
            addr,
            port,
        },
        intent,
    ))
}

/// Sends an operator command to the health engine (embedded or the attached daemon).
fn operator(app: &mut App, server: EngineServer, intent: Intent) -> Vec<Effect> {
    let what = match intent {
        Intent::Drain => "drain",
        Intent::Disable => "disable",
        Intent::Auto => "undrain",
    };
    let to = if app.health.attached.is_some() {
        "the daemon"
    } else {
        "the health policy"
    };
    app.edit.info(format!(
        "{what} {}: sent to {to}",
        crate::engine::health::operator::server_text(&server)
    ));
    vec![Effect::Health(HealthCmd::Operator(server, intent))]
}

fn disable(app: &mut App) -> Vec<Effect> {
    match checked_selection(app) {
        Some((_, Intent::Disable)) => {
            app.edit.error("already disabled");
            Vec::new()
        }
        Some((server, _)) => operator(app, server, Intent::Disable),
        None => {
            app.edit.error(
                "disable is for real servers the configuration checks (-f); delete this one",
            );
            Vec::new()
        }
    }
}

fn drain_toggle(app: &mut App) -> Vec<Effect> {
    let Some(sel) = app.selected.filter(|k| matches!(k, RowKey::Dest(..))) else {
        app.edit.error("select a real server to drain");
        return Vec::new();
    };
    if let Some((server, intent)) = checked_selection(app) {
        let next = if intent == Intent::Auto {
            Intent::Drain
        } else {
            Intent::Auto
        };
        return operator(app, server, next);
    }
    if app.edit.drains.contains_key(&sel) {
        return undrain(app);
    }
    let Some((e, Some(i))) = selection(app) else {
        return Vec::new();
    };
    let key = e.service.config.key;
    let mut d = e.dests[i].config.clone();
    if d.weight == 0 {
        app.edit
            .error("weight is already 0 (nothing to restore; edit it with e)");
        return Vec::new();
    }
    let old = d.weight;
    d.weight = 0;
    let title = format!("Drain (weight {old} -> 0)");
    submit(
        app,
        Change::new(title, vec![Op::EditDest(key, d)]),
        None,
        Some(Update::Start(sel, old)),
    )
}

fn undrain(app: &mut App) -> Vec<Effect> {
    let Some(sel) = app.selected else {
        return Vec::new();
    };
    if let Some((server, intent)) = checked_selection(app) {
        if intent == Intent::Auto {
            app.edit.error("this server is not drained or disabled");
            return Vec::new();
        }
        return operator(app, server, Intent::Auto);
    }
    let Some(drain) = app.edit.drains.get(&sel).copied() else {
        app.edit.error("this server is not being drained");
        return Vec::new();
    };
    let Some((e, Some(i))) = selection(app) else {
        return Vec::new();
    };
    let key = e.service.config.key;
    let mut d = e.dests[i].config.clone();
    d.weight = drain.weight;
    let title = format!("Undrain (weight 0 -> {})", drain.weight);
    submit(
        app,
        Change::new(title, vec![Op::EditDest(key, d)]),
        None,
        Some(Update::Stop(sel)),
    )
}

/// The selected service entry and, on a real-server row, the server's index.
fn selection(app: &App) -> Option<(&ServiceEntry, Option<usize>)> {
    let sel = app.selected?;
    let (svc, dest) = match sel {
        RowKey::Service(k) => (k, None),
        RowKey::Dest(k, a, p) => (k, Some((a, p))),
    };
    let e = app.entries().iter().find(|e| e.service.config.key == svc)?;
    match dest {
        None => Some((e, None)),
        Some((a, p)) => {
            let i = e
                .dests
                .iter()
                .position(|d| d.config.addr == a && d.config.port == p)?;
            Some((e, Some(i)))
        }
    }
}

fn selected_service(app: &App) -> Option<&ServiceEntry> {
    selection(app).map(|(e, _)| e)
}

fn dest_count(entries: &[ServiceEntry], key: &ServiceKey) -> usize {
    entries
        .iter()
        .find(|e| e.service.config.key == *key)
        .map_or(0, |e| e.dests.len())
}

/// What to type to delete a service: its address:port, or its mark.
pub fn address_word(key: &ServiceKey) -> String {
    match key {
        ServiceKey::Addr { addr, port, .. } => {
            join_host_port(addr, &ip_text(addr), &port.to_string())
        }
        ServiceKey::Fwmark { mark, .. } => mark.to_string(),
    }
}
