//! The connections view (`c`): counts per state, the paged list, and its `/` prompt.

use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

use super::list_view;
use crate::tui::action::Mode;
use crate::tui::app::App;
use crate::tui::ui::theme::{Slot, Theme};

pub fn render(frame: &mut Frame<'_>, area: Rect, app: &App, theme: &Theme) {
    let c = &app.conns.list;
    let v = &app.conns;
    let prompt = app.mode == Mode::ConnFilter || !v.query_applied.is_empty();
    let mut rest = area;
    if rest.height == 0 {
        return;
    }
    frame.render_widget(
        Paragraph::new(list_view::counts_line(app, c, theme)),
        Rect { height: 1, ..rest },
    );
    rest.y += 1;
    rest.height -= 1;
    if prompt && rest.height > 0 {
        rest.height -= 1;
        let line = Rect {
            y: rest.y + rest.height,
            height: 1,
            ..rest
        };
        frame.render_widget(Paragraph::new(prompt_line(app, theme)), line);
    }
    list_view::render_rows(frame, rest, c, Some(c.cursor), theme);
}

fn prompt_line(app: &App, theme: &Theme) -> Line<'static> {
    let v = &app.conns;
    let accent = theme.style(Slot::Accent);
    let mut spans = if app.mode == Mode::ConnFilter {
        vec![
            Span::styled("/", accent),
            Span::styled(v.query_input.clone(), theme.style(Slot::Text)),
            Span::styled("█", accent),
        ]
    } else {
        vec![
            Span::styled("filter: ", accent),
            Span::styled(v.query_applied.clone(), theme.style(Slot::Text)),
        ]
    };
    let rows = app.conns.list.shown.rows.len();
    if rows > 0 {
        spans.push(Span::styled(
            format!("  (row {} of {rows})", app.conns.list.cursor + 1),
            theme.style(Slot::Muted),
        ));
    }
    if app.mode == Mode::ConnFilter {
        let hint = v
            .query_error
            .clone()
            .unwrap_or_else(|| "client= vip= rs= state= proto=".to_string());
        let slot = if v.query_error.is_some() {
            Slot::Warning
        } else {
            Slot::Muted
        };
        spans.push(Span::styled(format!("  {hint}"), theme.style(slot)));
    }
    Line::from(spans)
}
