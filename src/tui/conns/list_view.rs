//! A list of connections with its counts line: shared by the connections view (with a
//! cursor) and the detail view (the first ones through the row).

use std::fmt::Write as _;
use std::net::IpAddr;

use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

use crate::ipvs::Connection;
use crate::tui::app::App;
use crate::tui::conns::state::{ConnsState, MAX_ROWS};
use crate::tui::ui::format;
use crate::tui::ui::theme::{Slot, Theme};

/// Counts per state, whether a scan is running, and how old the list is.
pub fn counts_line(app: &App, c: &ConnsState, theme: &Theme) -> Line<'static> {
    let accent = theme.style(Slot::Accent);
    let muted = theme.style(Slot::Muted);
    let mut spans = vec![Span::styled(
        format!("Connections {}", c.shown.matched),
        accent,
    )];
    if let Some(s) = &c.summary {
        if s.lines != c.shown.matched {
            spans.push(Span::styled(format!(" of {}", s.lines), muted));
        }
    }
    for (state, n) in c.shown.states.iter() {
        spans.push(Span::styled(
            format!("  {state} {n}"),
            theme.style(Slot::Text),
        ));
    }
    if let Some(p) = c.scanning {
        let secs = app.now.saturating_duration_since(p.started);
        spans.push(Span::styled(
            format!(
                "  ⟳ reading… {} found ({})",
                c.progress(),
                format::age(secs)
            ),
            theme.style(Slot::Warning),
        ));
    } else if let Some(t) = c.last_done {
        let age = app.now.saturating_duration_since(t);
        spans.push(Span::styled(
            format!("  read {} ago", format::age(age)),
            muted,
        ));
    }
    if c.shown.matched > MAX_ROWS as u64 {
        spans.push(Span::styled(
            format!("  (first {MAX_ROWS} listed: narrow with /)"),
            theme.style(Slot::Warning),
        ));
    }
    if let Some(e) = &c.error {
        spans.push(Span::styled(format!("  {e}"), theme.style(Slot::Failure)));
    }
    Line::from(spans)
}

const TITLES: &str = "Pro  Expire State        Client                       Virtual                      Real server";

/// Column titles and `rows` connections from `offset`; `cursor` highlighted when given.
pub fn render_rows(
    frame: &mut Frame<'_>,
    area: Rect,
    c: &ConnsState,
    cursor: Option<usize>,
    theme: &Theme,
) {
    let mut lines = vec![Line::styled(TITLES, theme.style(Slot::ColumnHeader))];
    let rows = usize::from(area.height.saturating_sub(1));
    let offset = if cursor.is_some() { c.offset } else { 0 };
    let end = (offset + rows).min(c.shown.rows.len());
    for (i, conn) in c.shown.rows[offset.min(end)..end].iter().enumerate() {
        let style = if cursor == Some(offset + i) {
            theme.style(Slot::Selection)
        } else {
            theme.style(Slot::Text)
        };
        lines.push(Line::styled(row_text(conn), style));
    }
    if c.shown.rows.is_empty() && c.scanning.is_none() && c.error.is_none() {
        lines.push(Line::styled(
            "  no connections match",
            theme.style(Slot::Muted),
        ));
    }
    frame.render_widget(Paragraph::new(lines), area);
}

fn endpoint(addr: IpAddr, port: u16) -> String {
    match addr {
        IpAddr::V4(_) => format!("{addr}:{port}"),
        IpAddr::V6(_) => format!("[{addr}]:{port}"),
    }
}

/// One line, as `ipvsadm -Lcn` orders it (expiry as mm:ss).
fn row_text(c: &Connection) -> String {
    let mut s = String::with_capacity(120);
    let _ = write!(
        s,
        "{:<4} {:02}:{:02}  {:<12} {:<28} {:<28} {}",
        c.protocol,
        c.expires / 60,
        c.expires % 60,
        c.state,
        endpoint(c.client_addr, c.client_port),
        endpoint(c.virtual_addr, c.virtual_port),
        endpoint(c.dest_addr, c.dest_port),
    );
    s
}
