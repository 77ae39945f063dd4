//! The header: who and what (host, IPVS version, VRRP slot), totals, and the state an
//! operator must never miss: read-only, frozen, failed refreshes, data age.

use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

use crate::tui::app::App;
use crate::tui::ui::format::{age, bytes, count};
use crate::tui::ui::theme::{Slot, Theme};

const SEP: &str = " │ ";

pub fn render(frame: &mut Frame<'_>, area: Rect, app: &App, theme: &Theme) {
    let base = theme.style(Slot::Header);
    let accent = base.patch(theme.style(Slot::Accent));
    let warn = base.patch(theme.style(Slot::Warning));
    let fail = base.patch(theme.style(Slot::Failure));
    let ok = base.patch(theme.style(Slot::Success));
    let sep = || Span::styled(SEP, base.patch(theme.style(Slot::Muted)));

    let ipvs = match app.snapshot.as_ref().and_then(|s| s.info) {
        Some(info) => format!(
            "IPVS {} (size={})",
            info.version_string(),
            info.conn_tab_size
        ),
        None => "IPVS ?".to_string(),
    };
    let (name, flags) = crate::tui::directors::header_words(&app.directors, &app.host, app.now);
    // What goes stale or wrong first, so a narrow terminal still shows it.
    let mut first = vec![
        Span::styled(" lvsdeck ", accent),
        sep(),
        Span::styled(name, accent),
        sep(),
    ];
    if let Some(f) = flags {
        first.push(Span::styled(f, fail));
        first.push(sep());
    }
    first.extend([
        Span::styled(
            match app.age() {
                Some(a) => format!("age {}", age(a)),
                None => "reading…".to_string(),
            },
            base,
        ),
        sep(),
        Span::styled(format!("every {}", age(app.interval)), base),
    ]);
    if app.frozen {
        first.push(sep());
        let held = if app.pending.is_some() {
            " (newer data held)"
        } else {
            ""
        };
        first.push(Span::styled(format!("FROZEN{held}"), warn));
    }
    first.extend([
        sep(),
        Span::styled(ipvs, base),
        sep(),
        // Role and priority of the director shown.
        match app.directors.shown_peer() {
            Some(p) => Span::styled(crate::tui::directors::vrrp_words(p), base),
            None => Span::styled(
                crate::tui::vrrp::header_text(&app.vrrp),
                match app.vrrp.instances.first().and_then(|i| i.state()) {
                    Some(crate::vrrp::State::Master) => ok,
                    Some(crate::vrrp::State::Fault) => fail,
                    _ => base,
                },
            ),
        },
    ]);

    let t = &app.totals;
    let second = Line::from(vec![
        Span::styled(
            format!(" {} services, {} real servers", t.services, t.dests),
            base,
        ),
        sep(),
        Span::styled(
            format!("active {}  inactive {}", count(t.active), count(t.inact)),
            base,
        ),
        sep(),
        Span::styled(
            format!(
                "{} conn/s  in {}/s  out {}/s",
                count(t.cps),
                bytes(t.inbps),
                bytes(t.outbps)
            ),
            base,
        ),
    ]);

    let mut third = vec![match app.refusal() {
        Some(reason) => Span::styled(format!(" READ-ONLY: {reason}"), warn),
        None if app.source.is_some() => Span::styled(" read-write (netlink)", ok),
        None => Span::styled(" connecting…", base),
    }];
    if let Some(h) = crate::tui::health::view::header_text(&app.health) {
        let style = if app.health.failed.is_some() || app.health.drift().iter().any(|i| !i.kept) {
            warn
        } else {
            base
        };
        third.push(sep());
        third.push(Span::styled(h, style));
    }
    if let Some(e) = &app.last_error {
        third.push(sep());
        third.push(Span::styled(format!("refresh failed: {e}"), fail));
    }
    match &app.edit.message {
        Some(crate::tui::edit::Message::Info(m)) => {
            third.push(sep());
            third.push(Span::styled(m.clone(), base));
        }
        Some(crate::tui::edit::Message::Error(m)) => {
            third.push(sep());
            third.push(Span::styled(m.clone(), fail));
        }
        None => {}
    }
    let text = vec![Line::from(first), second, Line::from(third)];
    frame.render_widget(Paragraph::new(text).style(base), area);
}
