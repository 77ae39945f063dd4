//! The footer: the keys valid now, from the active keymap (the same list as `?` help).

use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

use crate::tui::action::Mode;
use crate::tui::app::App;
use crate::tui::theme::{Slot, Theme};
use crate::tui::views;

pub fn render(frame: &mut Frame<'_>, area: Rect, app: &App, theme: &Theme) {
    let key = theme.style(Slot::Key);
    let text = theme.style(Slot::Text);
    let mut spans = Vec::new();
    let hints = match (&app.edit.dialog, app.mode) {
        (Some(d), _) => crate::tui::edit::keys::hints(d),
        (None, Mode::Detail | Mode::Conns | Mode::ConnFilter) => views::hints(app),
        (None, mode) => app.keymap.hints(mode),
    };
    for (keys, label) in hints {
        spans.push(Span::styled(format!(" {keys} "), key));
        spans.push(Span::styled(format!(" {label}  "), text));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}
