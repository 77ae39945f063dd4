//! The `?` popup, generated from the active keymap so it never drifts from behaviour.

use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};
use ratatui::Frame;

use crate::tui::action::{Action, FILTER_KEYS};
use crate::tui::app::App;
use crate::tui::theme::{Slot, Theme};

pub fn render(frame: &mut Frame<'_>, area: Rect, app: &App, theme: &Theme) {
    let key = theme.style(Slot::Key);
    let text = theme.style(Slot::Text);
    let accent = theme.style(Slot::Accent);
    let keys: Vec<(String, &str)> = Action::ALL
        .iter()
        .map(|a| {
            let k = app
                .keymap
                .keys_text(*a)
                .unwrap_or_else(|| "(unbound)".into());
            (k, a.description())
        })
        .collect();
    let width = keys
        .iter()
        .map(|(k, _)| k.chars().count())
        .chain(FILTER_KEYS.iter().map(|(k, _)| k.len()))
        .max()
        .unwrap_or(0);
    let mut lines: Vec<Line<'_>> = keys
        .into_iter()
        .map(|(k, d)| {
            Line::from(vec![
                Span::styled(format!(" {k:<width$} "), key),
                Span::styled(format!(" {d}"), text),
            ])
        })
        .collect();
    lines.push(Line::default());
    lines.push(Line::styled("While typing a filter", accent));
    for (k, d) in FILTER_KEYS {
        lines.push(Line::from(vec![
            Span::styled(format!(" {k:<width$} "), key),
            Span::styled(format!(" {d}"), text),
        ]));
    }
    lines.push(Line::default());
    lines.push(Line::styled("Rows", accent));
    lines.push(Line::styled(
        " dim: weight 0, drained │ bold warning: weight 0, still active",
        text,
    ));
    lines.push(Line::styled(
        " failure: service with no server taking traffic │ ↑/↓: changed since last refresh",
        text,
    ));

    let h = (lines.len() as u16 + 2).min(area.height);
    let w = lines
        .iter()
        .map(|l| l.width() as u16 + 2)
        .max()
        .unwrap_or(20)
        .min(area.width);
    let popup = Rect {
        x: area.x + (area.width - w) / 2,
        y: area.y + (area.height - h) / 2,
        width: w,
        height: h,
    };
    let title = format!(" Help: keymap {} ", app.keymap.name);
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.style(Slot::Border))
        .title(Span::styled(title, accent));
    frame.render_widget(Clear, popup);
    frame.render_widget(Paragraph::new(lines).block(block).style(text), popup);
}
