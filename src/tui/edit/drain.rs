//! Draining a real server: weight 0 now, the old weight remembered, the row shows its
//! connections falling and for how long; at zero, removal is offered (default No).

use std::time::{Duration, Instant};

use super::confirm::Confirm;
use super::{Change, Dialog, EditState};
use crate::ipvs::Op;
use crate::tui::action::Mode;
use crate::tui::event::Snapshot;
use crate::tui::table::columns::RowKey;
use crate::tui::ui::format::age;

/// A server being drained.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Drain {
    /// The weight to restore on undrain.
    pub weight: u32,
    pub since: Instant,
    /// Removal was offered once already.
    pub offered: bool,
}

/// Drain bookkeeping that waits for the change to succeed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Update {
    Start(RowKey, u32),
    Stop(RowKey),
}

/// A read that raced the change may still show the old weight: only reads this much after
/// the drain started may end it.
const SETTLE: Duration = Duration::from_secs(2);

/// Keeps the bookkeeping of a drain change that succeeded.
pub fn record(edit: &mut EditState, update: Update, now: Instant) {
    match update {
        Update::Start(key, weight) => {
            edit.drains.insert(
                key,
                Drain {
                    weight,
                    since: now,
                    offered: false,
                },
            );
        }
        Update::Stop(key) => {
            edit.drains.remove(&key);
        }
    }
}

/// `draining 1m05s`, for the row's name cell.
pub fn label(drain: &Drain, now: Instant) -> String {
    format!(
        "draining {}",
        age(now.saturating_duration_since(drain.since))
    )
}

/// After each table read: forget drains whose server is gone or has a weight again, and offer
/// to remove a drained server once its connections reach zero (only on the table, with no
/// dialog open: `mode` is the console's).
pub fn after_refresh(edit: &mut EditState, snapshot: Option<&Snapshot>, mode: Mode, now: Instant) {
    let Some(snap) = snapshot else { return };
    let taken = snap.taken_at;
    let mut gone = Vec::new();
    let mut empty = None;
    for (key, drain) in &edit.drains {
        let RowKey::Dest(svc, addr, port) = *key else {
            continue;
        };
        let dest = snap
            .entries
            .iter()
            .filter(|e| e.service.config.key == svc)
            .flat_map(|e| e.dests.iter())
            .find(|d| d.config.addr == addr && d.config.port == port);
        let settled = taken.saturating_duration_since(drain.since) >= SETTLE;
        match dest {
            None => gone.push(*key),
            Some(d) if d.config.weight != 0 && settled => gone.push(*key),
            Some(d) if d.active_conns == 0 && d.inact_conns == 0 && !drain.offered => {
                empty = Some((*key, svc, addr, port, drain.since));
            }
            Some(_) => {}
        }
    }
    for key in gone {
        edit.drains.remove(&key);
    }
    let idle = edit.dialog.is_none() && mode == Mode::Table;
    if let (Some((key, service, addr, port, since)), true) = (empty, idle) {
        if let Some(d) = edit.drains.get_mut(&key) {
            d.offered = true;
        }
        let label =
            crate::rules::join_host_port(&addr, &crate::rules::ip_text(&addr), &port.to_string());
        let took = age(now.saturating_duration_since(since));
        let change = Change::new(
            format!("{label} is drained (no connections after {took}). Remove it?"),
            vec![Op::DelDest {
                service,
                addr,
                port,
            }],
        );
        edit.dialog = Some(Dialog::Confirm(Confirm::yes_no(change)));
    }
}
