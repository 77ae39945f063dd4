//! The footer: the keys valid now, from the active keymap (the same list as `?` help).

use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

use crate::tui::app::App;
use crate::tui::theme::{Slot, Theme};

pub fn render(frame: &mut Frame<'_>, area: Rect, app: &App, theme: &Theme) {
    let key = theme.style(Slot::Key);
    let text = theme.style(Slot::Text);
    let mut spans = Vec::new();
    let hints = match &app.edit.dialog {
        Some(d) => crate::tui::edit::keys::hints(d),
        None => app.keymap.hints(app.mode),
    };
    for (keys, label) in hints {
        spans.push(Span::styled(format!(" {keys} "), key));
        spans.push(Span::styled(format!(" {label}  "), text));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}
