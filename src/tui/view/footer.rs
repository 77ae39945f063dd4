//! The footer: the keys valid now, from the active keymap (the same list as `?` help).

use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

use crate::tui::action::Mode;
use crate::tui::app::App;
use crate::tui::ui::theme::{Slot, Theme};

pub fn render(frame: &mut Frame<'_>, area: Rect, app: &App, theme: &Theme) {
    let key = theme.style(Slot::Key);
    let text = theme.style(Slot::Text);
    let mut spans = Vec::new();
    let hints = match (&app.vrrp.dialog, &app.edit.dialog, app.mode) {
        (Some(d), _, _) => crate::tui::vrrp::view::hints(d),
        (None, d, m) => other(d, m, app),
    };
    for (keys, label) in hints {
        spans.push(Span::styled(format!(" {keys} "), key));
        spans.push(Span::styled(format!(" {label}  "), text));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}

fn other(
    dialog: &Option<crate::tui::edit::Dialog>,
    mode: Mode,
    app: &App,
) -> Vec<(String, &'static str)> {
    match (dialog, mode) {
        (Some(d), _) => crate::tui::edit::keys::hints(d),
        (None, Mode::Detail) => crate::tui::detail::keys::hints(app),
        (None, Mode::Conns | Mode::ConnFilter) => crate::tui::conns::keys::hints(app),
        (None, Mode::Vrrp) => crate::tui::vrrp::keys::PANEL_KEYS
            .iter()
            .map(|(k, l)| (k.to_string(), *l))
            .collect(),
        (None, Mode::Drift) => crate::tui::drift::keys::LIST_KEYS
            .iter()
            .map(|(k, l)| (k.to_string(), *l))
            .collect(),
        (None, mode) => app.keymap.hints(mode),
    }
}
