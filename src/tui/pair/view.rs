//! Draws the pair view: a pure function of the two pictures and the pair's state.

use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::{Paragraph, Wrap};
use ratatui::Frame;

use super::{Director, PairState};
use crate::engine::control::protocol::VrrpReport;
use crate::pair::invariants::{vrids, Severity, Side};
use crate::pair::state::DirectorState;
use crate::tui::ui::format::age;
use crate::tui::ui::theme::{Slot, Theme};

const COL: usize = 44;

pub fn render(
    frame: &mut Frame<'_>,
    area: Rect,
    pair: &PairState,
    a: Director<'_>,
    b: Director<'_>,
    theme: &Theme,
) {
    let lines: Vec<Line<'_>> = lines(pair, a, b)
        .into_iter()
        .map(|(slot, text)| Line::styled(text, theme.style(slot)))
        .collect();
    frame.render_widget(
        Paragraph::new(lines)
            .style(theme.style(Slot::Text))
            .wrap(Wrap { trim: false })
            .scroll((pair.scroll, 0)),
        area,
    );
}

fn pad(s: &str) -> String {
    let n = s.chars().count();
    if n >= COL {
        let cut: String = s.chars().take(COL - 1).collect();
        format!("{cut}… ")
    } else {
        format!("{s}{}", " ".repeat(COL - n))
    }
}

fn side_by_side(label: &str, left: &str, right: &str) -> String {
    format!(" {label:<8}{}{right}", pad(left))
}

fn instance_text(v: Option<&VrrpReport>, s: Option<&DirectorState>) -> [String; 3] {
    let Some(v) = v else {
        return ["not running".into(), String::new(), String::new()];
    };
    let state = format!(
        "{} {} prio {}/{}  {}",
        v.name,
        v.state,
        v.effective_priority,
        v.configured_priority,
        age(std::time::Duration::from_millis(v.in_state_ms))
    );
    let hears = match (&v.master, v.master_priority) {
        (Some(m), Some(p)) => format!("hears {m}/{p}"),
        (Some(m), None) => format!("hears {m}"),
        _ => "hears no master".into(),
    };
    let held: Vec<String> = s
        .and_then(|s| s.meta())
        .map(|m| {
            v.vips
                .iter()
                .filter_map(|vip| {
                    let addr = vip.split(['/', ' ']).next()?;
                    let here = m
                        .addresses
                        .iter()
                        .any(|a| a.split(['/', ' ']).next() == Some(addr));
                    Some(if here {
                        format!("{addr} held")
                    } else {
                        format!("{addr} -")
                    })
                })
                .collect()
        })
        .unwrap_or_default();
    [state, hears, format!("VIPs {}", held.join(", "))]
}

fn sync_text(s: Option<&DirectorState>) -> String {
    let Some(s) = s else { return String::new() };
    let daemons: Vec<String> = s
        .sync()
        .map(|d| format!("{} {} id {}", d.role, d.interface, d.syncid))
        .collect();
    let conns = s
        .meta()
        .map(|m| format!("{} local, {} synced", m.conns.all.local, m.conns.all.synced))
        .unwrap_or_default();
    if daemons.is_empty() {
        format!("no sync daemon; {conns}")
    } else {
        format!("{}; {conns}", daemons.join(" + "))
    }
}

/// The view's lines with their style slots (the tests read these).
pub fn lines(pair: &PairState, a: Director<'_>, b: Director<'_>) -> Vec<(Slot, String)> {
    let mut out = Vec::new();
    let title = |d: Director<'_>| match d.mark {
        Some(m) => format!("{} {m}", d.name),
        None => d.name.to_string(),
    };
    out.push((Slot::ColumnHeader, side_by_side("", &title(a), &title(b))));
    let (Some(sa), Some(sb)) = (a.state, b.state) else {
        let who = if a.state.is_none() { a.name } else { b.name };
        out.push((Slot::Muted, format!(" waiting for {who}'s first state")));
        return out;
    };
    let (side_a, side_b) = (
        Side {
            name: a.name,
            state: sa,
        },
        Side {
            name: b.name,
            state: sb,
        },
    );
    for (vrid, (va, vb)) in vrids(side_a, side_b) {
        let (ta, tb) = (instance_text(va, Some(sa)), instance_text(vb, Some(sb)));
        let label = format!("VRID {vrid}");
        out.push((Slot::Accent, side_by_side(&label, &ta[0], &tb[0])));
        out.push((Slot::Text, side_by_side("", &ta[1], &tb[1])));
        out.push((Slot::Text, side_by_side("", &ta[2], &tb[2])));
    }
    out.push((
        Slot::Text,
        side_by_side("sync", &sync_text(Some(sa)), &sync_text(Some(sb))),
    ));
    let services: std::collections::BTreeSet<&String> = sa
        .meta()
        .into_iter()
        .chain(sb.meta())
        .flat_map(|m| m.conns.by_service.keys())
        .collect();
    for svc in services {
        let count = |s: &DirectorState| {
            s.meta()
                .and_then(|m| m.conns.by_service.get(svc))
                .map(|o| format!("{} local {} synced", o.local, o.synced))
                .unwrap_or_else(|| "-".into())
        };
        out.push((
            Slot::Muted,
            side_by_side("", &format!("{svc} {}", count(sa)), &count(sb)),
        ));
    }
    let digest = |s: &DirectorState| {
        s.meta()
            .and_then(|m| m.config.as_ref())
            .map(|c| format!("{} {}", c.path, c.shared_sha256.get(..12).unwrap_or("")))
            .unwrap_or_else(|| "no daemon configuration".into())
    };
    out.push((
        Slot::Muted,
        side_by_side("config", &digest(sa), &digest(sb)),
    ));
    out.push((Slot::Text, String::new()));
    if let Some(why) = &pair.unchecked {
        out.push((Slot::Warning, format!(" {why}")));
    }
    if pair.raised().is_empty() && pair.unchecked.is_none() {
        out.push((Slot::Success, " invariants hold".into()));
    }
    for breach in pair.raised() {
        let slot = match breach.severity {
            Severity::Alert => Slot::Failure,
            Severity::Warning => Slot::Warning,
        };
        out.push((slot, format!(" ! {}", breach.text)));
        for d in &breach.details {
            out.push((Slot::Muted, format!("     {d}")));
        }
    }
    if let Some(d) = &pair.drill {
        out.push((Slot::Text, String::new()));
        out.push((Slot::Accent, " drill under way".into()));
        for l in d.report().lines() {
            out.push((Slot::Text, format!(" {l}")));
        }
    }
    for r in pair.drills.iter().rev() {
        out.push((Slot::Text, String::new()));
        for l in r.lines() {
            out.push((Slot::Text, format!(" {l}")));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pair::state::{Item, Meta};

    fn director(state: &str, vip: bool) -> DirectorState {
        let mut s = DirectorState::default();
        let mut m = Meta::default();
        if vip {
            m.addresses.push("198.51.100.10/24 dev eth0".into());
        }
        s.items.insert("meta".into(), Item::Meta(m));
        s.items.insert(
            "vrrp VI_1".into(),
            Item::Vrrp(VrrpReport {
                name: "VI_1".into(),
                interface: "eth0".into(),
                vrid: 51,
                state: state.into(),
                configured_priority: 150,
                effective_priority: 150,
                master: Some("192.0.2.1".into()),
                master_priority: Some(150),
                vips: vec!["198.51.100.10/24".into()],
                in_state_ms: 61_000,
                rejected: 0,
            }),
        );
        s
    }

    #[test]
    fn both_directors_side_by_side_and_the_breach_raised() {
        let (a, b) = (director("MASTER", true), director("MASTER", true));
        let da = Director {
            name: "lb1",
            state: Some(&a),
            mark: None,
            current: true,
        };
        let db = Director {
            name: "lb2",
            state: Some(&b),
            mark: Some("(peer)"),
            current: true,
        };
        let mut p = PairState::default();
        let t0 = crate::clock::Instant::from_since_epoch(std::time::Duration::from_secs(9));
        p.refresh(da, db, t0);
        assert!(p.header().is_none(), "inside the grace period");
        p.refresh(da, db, t0 + super::super::GRACE);
        let text: Vec<String> = lines(&p, da, db).into_iter().map(|(_, t)| t).collect();
        let all = text.join("\n");
        assert!(
            all.contains("VRID 51 VI_1 MASTER prio 150/150  1m01s"),
            "{all}"
        );
        assert!(all.contains("VIPs 198.51.100.10 held"), "{all}");
        assert!(all.contains("lb2 (peer)"), "{all}");
        assert!(
            all.contains(" ! split brain: VRID 51 is MASTER on both lb1 and lb2"),
            "{all}"
        );
        assert!(p.header().unwrap().starts_with("PAIR: split brain"));
    }

    #[test]
    fn a_stale_side_is_not_checked() {
        let (a, b) = (director("MASTER", true), director("BACKUP", false));
        let da = Director {
            name: "lb1",
            state: Some(&a),
            mark: None,
            current: true,
        };
        let db = Director {
            name: "lb2",
            state: Some(&b),
            mark: Some("UNREACHABLE (last state 12s old)"),
            current: false,
        };
        let mut p = PairState::default();
        p.refresh(
            da,
            db,
            crate::clock::Instant::from_since_epoch(Default::default()),
        );
        let all: Vec<String> = lines(&p, da, db).into_iter().map(|(_, t)| t).collect();
        assert!(all
            .join("\n")
            .contains("pair not checked: no current state from lb2"));
        assert!(!all.join("\n").contains("invariants hold"));
    }
}
