//! The filter line: the query being typed (with its error), or the one in force.

use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

use crate::tui::action::Mode;
use crate::tui::app::App;
use crate::tui::ui::theme::{Slot, Theme};

pub fn render(frame: &mut Frame<'_>, area: Rect, app: &App, theme: &Theme) {
    let accent = theme.style(Slot::Accent);
    let mut spans = if app.mode == Mode::Filter {
        vec![
            Span::styled("/", accent),
            Span::styled(app.filter.input.clone(), theme.style(Slot::Text)),
            Span::styled("█", accent),
        ]
    } else {
        vec![
            Span::styled("filter: ", accent),
            Span::styled(app.filter.applied.clone(), theme.style(Slot::Text)),
        ]
    };
    spans.push(Span::styled(
        format!("  ({} rows)", app.rows.len()),
        theme.style(Slot::Muted),
    ));
    if let Some(e) = &app.filter.error {
        spans.push(Span::styled(format!("  {e}"), theme.style(Slot::Warning)));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}
