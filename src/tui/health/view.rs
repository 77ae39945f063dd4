//! What the views show of the health picture, as text: the marker next to a checked real
//! server (table, detail), the header slot, a server's detail block and a drift item's
//! two lines.

use std::time::Duration;

use super::HealthState;
use crate::check::{Health, Intent};
use crate::engine::health::status::{ServerView, Why};
use crate::engine::ipvs::drift::DriftItem;

/// The compact marker next to a real server's address.
pub fn marker(v: &ServerView) -> &'static str {
    match v.why {
        Why::Weight(_) => "up",
        Why::CheckerDown => "DOWN",
        Why::Inhibited => "inhibited",
        Why::OperatorDrained => "drained",
        Why::OperatorDisabled => "disabled",
        Why::SorryServerInstead => "up, sorry",
        Why::SorryServer(true) => "sorry",
        Why::SorryServer(false) => "sorry idle",
    }
}

pub use crate::engine::health::status::why_text;

/// The header slot: `None` without the checkers.
pub fn header_text(h: &HealthState) -> Option<String> {
    if !h.configured {
        return None;
    }
    let attached = if h.attached.is_some() {
        "daemon: attached │ "
    } else {
        ""
    };
    if let Some(e) = &h.failed {
        return Some(format!("{attached}health: {e}"));
    }
    let Some(s) = &h.status else {
        return Some(format!("{attached}health: starting…"));
    };
    let down = s
        .servers
        .iter()
        .filter(|v| matches!(v.why, Why::CheckerDown | Why::Inhibited))
        .count();
    let mut out = String::new();
    if h.attached.is_some() {
        out.push_str("daemon: attached │ ");
    }
    out.push_str(&format!("health: {} checked, {down} down", s.servers.len()));
    let open = s.reconciler.drift.items.iter().filter(|i| !i.kept).count();
    let kept = s.reconciler.drift.items.len() - open;
    if open > 0 {
        out.push_str(&format!(" │ drift: {open} (w list, R reconcile, K keep)"));
    }
    if kept > 0 {
        out.push_str(&format!(" │ {kept} kept"));
    }
    if let Some(e) = &s.reconciler.error {
        out.push_str(&format!(" │ reconciler: {e}"));
    }
    if let Some(w) = &h.warning {
        out.push_str(&format!(" │ {w}"));
    }
    Some(out)
}

/// `3.2 s`, `12 ms`: a latency.
fn latency(d: Duration) -> String {
    if d >= Duration::from_secs(1) {
        format!("{:.1} s", d.as_secs_f64())
    } else {
        format!("{} ms", d.as_millis())
    }
}

fn health_name(h: Health) -> &'static str {
    match h {
        Health::Up => "up",
        Health::Down => "DOWN",
    }
}

/// The detail block of a real server: why, then per checker its last result, failures in a
/// row and next check, then the recent transitions (newest first).
pub fn detail_lines(
    v: &ServerView,
    now: Option<crate::clock::Instant>,
    wall_secs: Option<u64>,
    undrain_key: &str,
) -> Vec<(String, String)> {
    let mut out = vec![("Why".to_string(), why_text(v.why))];
    let Some(s) = &v.status else {
        return out;
    };
    if s.intent != Intent::Auto {
        let what = if s.intent == Intent::Drain {
            "drained"
        } else {
            "disabled"
        };
        // When: the newest transition that set this intent, on the wall clock.
        let at = s
            .transitions
            .iter()
            .rev()
            .find(|t| t.intent == s.intent)
            .zip(now.zip(wall_secs))
            .map(|(t, (now, wall))| {
                let ago = now.saturating_since(t.at).as_secs();
                format!(" at {}", hms(wall.saturating_sub(ago)))
            })
            .unwrap_or_default();
        out.push((
            "Operator".into(),
            format!("operator: {what}{at}; undrain with {undrain_key}"),
        ));
    }
    out.push((
        "Health".into(),
        format!(
            "{}, weight {}{}",
            health_name(s.health),
            s.weight,
            match s.in_table {
                Some(w) => format!(", in the table at {w}"),
                None => ", not in the table".into(),
            }
        ),
    ));
    for c in &s.checkers {
        let last = match &c.last {
            Some(l) => format!(
                "{} {} in {}",
                if l.ok { "ok" } else { "FAILED" },
                l.detail,
                latency(l.latency)
            ),
            None => "not run yet".into(),
        };
        let next = match (c.next_check, now) {
            (Some(n), Some(now)) => format!(", next in {} s", n.saturating_since(now).as_secs()),
            _ => String::new(),
        };
        out.push((
            c.name.to_string(),
            format!(
                "{}: {last}, {} failures in a row{next}",
                if c.up { "up" } else { "down" },
                c.consecutive_failures
            ),
        ));
    }
    for t in s.transitions.iter().rev().take(5) {
        let ago = match now {
            Some(now) => format!("{} s ago", now.saturating_since(t.at).as_secs()),
            None => String::new(),
        };
        out.push((
            "Transition".into(),
            format!("{ago}: {}, {}", health_name(t.health), t.reason),
        ));
    }
    out
}

/// One drift item as two lines: expected, found.
pub fn drift_lines(i: &DriftItem) -> [String; 2] {
    let side = |l: &Option<String>| l.clone().unwrap_or_else(|| "nothing".into());
    [
        format!(
            "{}expected {}",
            if i.kept { "(kept) " } else { "" },
            side(&i.expected)
        ),
        format!("   found {}", side(&i.found)),
    ]
}

/// `HH:MM:SS` (UTC) of Unix seconds.
pub fn hms(secs: u64) -> String {
    let d = secs % 86_400;
    format!("{:02}:{:02}:{:02}", d / 3600, d / 60 % 60, d % 60)
}
