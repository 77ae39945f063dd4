//! The `?` popup, generated from the active keymap so it never drifts from behaviour.
//!
//! It needs about 45 lines; a shorter terminal gets it in two columns when wide enough, else
//! one column that scrolls (j/k, PageUp/PageDown, Home/End; `App::help_scroll`).

use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};
use ratatui::Frame;

use crate::tui::action::{Action, FILTER_KEYS};
use crate::tui::app::App;
use crate::tui::ui::layout::help_max_scroll;
use crate::tui::ui::theme::{Slot, Theme, ROW_LEGEND};

/// The popup's lines; `narrow` puts each legend entry on its own line (then there are
/// `layout::HELP_LINES` of them), else they go side by side in pairs.
fn lines<'a>(app: &'a App, theme: &Theme, narrow: bool) -> Vec<Line<'a>> {
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
    if narrow {
        lines.extend(
            ROW_LEGEND
                .iter()
                .map(|l| Line::styled(format!(" {l}"), text)),
        );
    } else {
        for pair in ROW_LEGEND.chunks(2) {
            lines.push(Line::styled(format!(" {}", pair.join(" │ ")), text));
        }
    }
    lines
}

fn widest(lines: &[Line<'_>]) -> u16 {
    lines
        .iter()
        .map(|l| u16::try_from(l.width()).unwrap_or(u16::MAX))
        .max()
        .unwrap_or(18)
}

pub fn render(frame: &mut Frame<'_>, area: Rect, app: &App, theme: &Theme) {
    let accent = theme.style(Slot::Accent);
    let text = theme.style(Slot::Text);
    let wide = lines(app, theme, false);
    let mut title = format!(" Help: keymap {} ", app.keymap.name);
    let mut more = None;
    // Whole, as one column, when it fits.
    let (body, w, h): (Vec<Line<'_>>, u16, u16) =
        if u16::try_from(wide.len()).unwrap_or(u16::MAX) + 2 <= area.height {
            let w = widest(&wide) + 2;
            let h = wide.len() as u16 + 2;
            (wide, w, h)
        } else {
            let narrow = lines(app, theme, true);
            let half = narrow.len().div_ceil(2);
            let (left, right) = narrow.split_at(half);
            let (lw, rw) = (widest(left), widest(right));
            if half as u16 + 2 <= area.height && lw + rw + 5 <= area.width {
                // Two columns, side by side, a rule between.
                let body = (0..half)
                    .map(|i| {
                        let mut spans = left[i].spans.clone();
                        let pad = usize::from(lw).saturating_sub(left[i].width());
                        spans.push(Span::raw(" ".repeat(pad + 1)));
                        spans.push(Span::styled("│ ", theme.style(Slot::Border)));
                        if let Some(r) = right.get(i) {
                            spans.extend(r.spans.iter().cloned());
                        }
                        Line::from(spans)
                    })
                    .collect();
                (body, lw + rw + 5, half as u16 + 2)
            } else {
                // One column that scrolls.
                let h = area.height;
                let top = app.help_scroll.min(help_max_scroll(h));
                let shown = usize::from(h.saturating_sub(2));
                let n = narrow.len();
                let end = (usize::from(top) + shown).min(n);
                title = format!("{title}{}-{end}/{n} ", usize::from(top) + 1);
                more = Some(" j/k PgUp/PgDn ");
                let w = widest(&narrow) + 2;
                let body = narrow
                    .into_iter()
                    .skip(usize::from(top))
                    .take(shown)
                    .collect();
                (body, w, h)
            }
        };
    let (w, h) = (w.min(area.width), h.min(area.height));
    let popup = Rect {
        x: area.x + (area.width - w) / 2,
        y: area.y + (area.height - h) / 2,
        width: w,
        height: h,
    };
    let mut block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.style(Slot::Border))
        .title(Span::styled(title, accent));
    if let Some(m) = more {
        block = block.title_bottom(Span::styled(m, accent));
    }
    frame.render_widget(Clear, popup);
    frame.render_widget(Paragraph::new(body).block(block).style(text), popup);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tui::ui::layout::HELP_LINES;

    /// `update` stops the scrolling at `layout::help_max_scroll`, counted without drawing.
    #[test]
    fn layout_counts_the_one_column_lines() {
        let (app, _) = crate::tui::tests::fixture::app(100, 34);
        assert_eq!(lines(&app, &Theme::mono(), true).len(), HELP_LINES);
    }
}
