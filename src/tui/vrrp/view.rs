//! The VRRP panel (`v`): the selected instance's state, priorities, master, VIPs, timers,
//! counters and recent transitions with measured drills; one line per kernel sync daemon
//! (`lvs_sync_daemon`: its role, interface, syncid, the instance it follows, local and
//! synced connections); and the drill and quit dialogs.

use std::time::{Duration, Instant};

use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

use super::drill::{self, DrillForm, Kind, VrrpDialog};
use super::keys::{DRILL_KEYS, QUIT_KEYS};
use super::{state_name, Instance, VrrpState};
use crate::engine::conn_sync::status::{self as sync_status, SyncStatus};
use crate::tui::ui::format::age;
use crate::tui::ui::popup;
use crate::tui::ui::theme::{Slot, Theme};
use crate::vrrp::counters::Counters;
use crate::vrrp::State;

/// Transition lines shown.
const RECENT: usize = 8;

pub fn render(
    frame: &mut Frame<'_>,
    area: Rect,
    v: &VrrpState,
    sync: Option<&SyncStatus>,
    now: Instant,
    theme: &Theme,
) {
    let mut out: Vec<Line<'_>> = Vec::new();
    if v.instances.is_empty() {
        let why = if v.configured {
            "no VRRP instance runs"
        } else {
            "no VRRP instances: start the console with -f keepalived.conf to run them here"
        };
        out.push(Line::styled(format!(" {why}"), theme.style(Slot::Muted)));
    }
    for (i, inst) in v.instances.iter().enumerate() {
        out.push(summary(inst, i == v.cursor, theme));
    }
    if let Some(s) = sync {
        let slot = if sync_status::healthy(s) {
            Slot::Text
        } else {
            Slot::Failure
        };
        for l in sync_status::lines(s) {
            out.push(Line::styled(format!("  {l}"), theme.style(slot)));
        }
    }
    if let Some(e) = &v.error {
        out.push(Line::styled(format!("   {e}"), theme.style(Slot::Failure)));
    }
    for f in &v.failed {
        out.push(Line::styled(
            format!("   not started: {f}"),
            theme.style(Slot::Failure),
        ));
    }
    if let Some(l) = unknown_vrid(&v.unknown_vrid, theme) {
        out.push(l);
    }
    if let Some(inst) = v.selected() {
        out.push(Line::default());
        out.extend(detail(inst, now, theme));
    }
    frame.render_widget(Paragraph::new(out).style(theme.style(Slot::Text)), area);
}

fn state_style(s: Option<State>, theme: &Theme) -> Style {
    theme.style(match s {
        Some(State::Master) => Slot::Success,
        Some(State::Backup) => Slot::Text,
        Some(State::Fault) => Slot::Failure,
        _ => Slot::Warning,
    })
}

fn summary<'a>(inst: &Instance, selected: bool, theme: &Theme) -> Line<'a> {
    let marker = if selected { "▶ " } else { "  " };
    let state = inst.state().map_or("starting", state_name);
    let prio = inst.status.as_ref().map_or(String::new(), |s| {
        format!("priority {}", s.effective_priority)
    });
    Line::from(vec![
        Span::styled(marker, theme.style(Slot::Accent)),
        Span::styled(format!("{:<12}", inst.info.name), theme.style(Slot::Accent)),
        Span::styled(format!("{state:<8}"), state_style(inst.state(), theme)),
        Span::raw(format!(
            " {prio}  on {}  VIPs {}",
            inst.info.interface,
            inst.info.vips.join(" ")
        )),
    ])
}

/// The shared receivers' count of adverts for VRIDs nobody here runs, per interface: a
/// peer with a VRID typo, or another cluster on the link.
fn unknown_vrid<'a>(counts: &[(String, u64)], theme: &Theme) -> Option<Line<'a>> {
    if counts.is_empty() {
        return None;
    }
    let any = counts.iter().any(|(_, n)| *n > 0);
    let list: Vec<String> = counts.iter().map(|(i, n)| format!("{i} {n}")).collect();
    Some(Line::styled(
        format!("   adverts for VRIDs not run here: {}", list.join(", ")),
        theme.style(if any { Slot::Warning } else { Slot::Muted }),
    ))
}

fn interval(cs: u16) -> String {
    format!("{}.{:02}s", cs / 100, cs % 100)
}

fn detail<'a>(inst: &Instance, now: Instant, theme: &Theme) -> Vec<Line<'a>> {
    let mut out = Vec::new();
    let muted = theme.style(Slot::Muted);
    let Some(s) = &inst.status else {
        out.push(Line::styled("  waiting for the first status…", muted));
        return out;
    };
    let master = match s.master {
        Some((a, p)) => format!("{a}/{p}"),
        None => "none heard".to_string(),
    };
    let in_state = inst.time_in_state(now).unwrap_or_default();
    out.push(Line::from(vec![
        Span::styled(format!("  {} ", inst.info.name), theme.style(Slot::Accent)),
        Span::styled(state_name(s.state), state_style(Some(s.state), theme)),
        Span::raw(format!(
            " for {}   vrid {}   priority {} (configured {})   master {master}",
            age(in_state),
            s.vrid,
            s.effective_priority,
            s.configured_priority
        )),
    ]));
    out.push(Line::raw(format!(
        "  advert {} (learned {})   VIPs {}{}",
        interval(s.advert_interval_cs),
        interval(s.learned_interval_cs),
        inst.info.vips.join(" "),
        if s.fault { "   FAULT" } else { "" }
    )));
    if let Some((p, _)) = s.priority_override {
        out.push(Line::styled(
            format!("  drill: running at priority {p}"),
            theme.style(Slot::Warning),
        ));
    }
    if s.held_until.is_some() {
        out.push(Line::styled(
            "  drill: holding BACKUP (gave up mastership)",
            theme.style(Slot::Warning),
        ));
    }
    out.extend(counters(&s.counters, theme));
    out.push(Line::styled("  recent transitions and drills:", muted));
    for (_, line) in recent(inst, now) {
        out.push(line);
    }
    if let Some(d) = &inst.drill {
        out.push(Line::styled(
            format!(
                "    now   drill {}: waiting for a takeover ({} so far)",
                d.title,
                drill::ms(now.saturating_duration_since(d.sent))
            ),
            theme.style(Slot::Warning),
        ));
    }
    out
}

fn counters<'a>(c: &Counters, theme: &Theme) -> Vec<Line<'a>> {
    let kinds = [
        ("ttl", c.ttl_errors),
        ("version", c.version_errors),
        ("type", c.type_errors),
        ("length", c.length_errors),
        ("family", c.family_errors),
        ("checksum", c.checksum_errors),
        ("vrid", c.vrid_errors),
        ("owner", c.owner_drops),
        ("auth type", c.auth_type_errors),
        ("password", c.auth_failures),
        ("interval", c.interval_errors),
        ("addresses", c.address_list_errors),
    ];
    let bad: Vec<String> = kinds
        .iter()
        .filter(|(_, n)| *n > 0)
        .map(|(k, n)| format!("{k} {n}"))
        .collect();
    let rejected = if bad.is_empty() {
        Line::styled("  rejected: none", theme.style(Slot::Muted))
    } else {
        Line::styled(
            format!("  rejected {}: {}", c.rejected(), bad.join(", ")),
            theme.style(Slot::Failure),
        )
    };
    vec![
        Line::raw(format!(
            "  adverts in {} out {}   priority 0 in {} out {}   became master {} left {}",
            c.adverts_received,
            c.adverts_sent,
            c.priority_zero_received,
            c.priority_zero_sent,
            c.became_master,
            c.left_master
        )),
        rejected,
    ]
}

/// Transitions and measured drills, newest first, with how long ago.
fn recent<'a>(inst: &Instance, now: Instant) -> Vec<(Duration, Line<'a>)> {
    let mut rows: Vec<(Duration, Line<'a>)> = Vec::new();
    if let Some(s) = &inst.status {
        let since = inst
            .received
            .map_or(Duration::ZERO, |r| now.saturating_duration_since(r));
        // The engine's clock at the snapshot: the last transition plus the time in state.
        let engine_now = s.transitions.last().map(|t| t.at + s.time_in_state);
        for t in &s.transitions {
            let ago = engine_now.map_or(Duration::ZERO, |n| n.saturating_since(t.at)) + since;
            rows.push((
                ago,
                Line::raw(format!(
                    "    -{:<6} {} -> {} ({:?})",
                    age(ago),
                    state_name(t.from),
                    state_name(t.to),
                    t.reason
                )),
            ));
        }
    }
    for m in &inst.measured {
        let ago = now.saturating_duration_since(m.sent);
        rows.push((ago, Line::raw(format!("    -{:<6} {}", age(ago), m.line()))));
    }
    rows.sort_by_key(|(ago, _)| *ago);
    rows.truncate(RECENT);
    rows
}

/// Fixed keys of a VRRP dialog, for the footer.
pub fn hints(d: &VrrpDialog) -> Vec<(String, &'static str)> {
    let keys: &[(&str, &'static str)] = match d {
        VrrpDialog::Drill(_) => &DRILL_KEYS,
        VrrpDialog::Quit { .. } => &QUIT_KEYS,
    };
    keys.iter().map(|(k, l)| (k.to_string(), *l)).collect()
}

/// The drill or quit dialog over whatever is on screen.
pub fn render_dialog(frame: &mut Frame<'_>, area: Rect, v: &VrrpState, theme: &Theme) {
    let Some(d) = &v.dialog else {
        return;
    };
    let (title, lines) = match d {
        VrrpDialog::Drill(f) => (
            format!(" Failover drill: {} ", f.kind.title()),
            drill_lines(f, theme),
        ),
        VrrpDialog::Quit { yes } => (
            " Quit while MASTER? ".to_string(),
            quit_lines(v, *yes, theme),
        ),
    };
    let at = popup::centred(area, &lines, 50);
    popup::draw(frame, at, &title, lines, theme);
}

fn drill_lines<'a>(f: &DrillForm, theme: &Theme) -> Vec<Line<'a>> {
    let mut out = vec![Line::raw(f.summary()), Line::default()];
    let settings = match f.kind {
        Kind::GiveUp => format!("hold BACKUP for {} s (Left/Right)", f.seconds),
        Kind::Raise | Kind::Lower => format!(
            "priority {} (Up/Down)   for {} s (Left/Right)",
            f.priority, f.seconds
        ),
    };
    out.push(Line::styled(settings, theme.style(Slot::Accent)));
    out.push(Line::raw(
        "The peer may take over the VIPs; the takeover time is measured.",
    ));
    out.push(Line::default());
    out.push(Line::styled(
        format!("Type {} to start the drill:", f.instance),
        theme.style(Slot::Warning),
    ));
    out.push(Line::from(vec![
        Span::styled("> ", theme.style(Slot::Accent)),
        Span::raw(f.typed.clone()),
        Span::styled("█", theme.style(Slot::Accent)),
    ]));
    if let Some(e) = &f.error {
        out.push(Line::styled(format!("⚠ {e}"), theme.style(Slot::Failure)));
    }
    out
}

fn quit_lines<'a>(v: &VrrpState, yes: bool, theme: &Theme) -> Vec<Line<'a>> {
    let names: Vec<String> = v.masters().map(|i| i.info.name.clone()).collect();
    let vips: Vec<String> = v
        .masters()
        .flat_map(|i| i.info.vips.iter().cloned())
        .collect();
    let button = |label: &'static str, on: bool| {
        let style = if on {
            theme.style(Slot::Selection)
        } else {
            Style::default()
        };
        Span::styled(format!("[ {label} ]"), style)
    };
    vec![
        Line::raw(format!("This console is MASTER for {}.", names.join(", "))),
        Line::raw("Quitting stops its VRRP instances: they send priority 0,"),
        Line::raw(format!(
            "remove {} and the peer takes over.",
            vips.join(" ")
        )),
        Line::default(),
        Line::from(vec![
            Span::raw("Quit?  "),
            button("No", !yes),
            Span::raw("  "),
            button("Yes", yes),
        ]),
    ]
}
