//! A dialog box over the screen: bordered, titled, cleared underneath, centred on its
//! lines. The edit and drill dialogs draw through it.

use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};
use ratatui::Frame;

use super::theme::{Slot, Theme};

/// The box for `lines` centred in `area`: two rows and four columns of border and margin
/// around the widest line, at least `min_width` wide, never beyond `area`.
pub fn centred(area: Rect, lines: &[Line<'_>], min_width: u16) -> Rect {
    let h = (lines.len() as u16 + 2).min(area.height);
    let w = lines
        .iter()
        .map(|l| l.width() as u16 + 4)
        .chain([min_width])
        .max()
        .unwrap_or(min_width)
        .min(area.width);
    Rect {
        x: area.x + (area.width - w) / 2,
        y: area.y + (area.height - h) / 2,
        width: w,
        height: h,
    }
}

/// Draws `lines` in a bordered box titled `title` at `at`, over whatever was there.
pub fn draw(frame: &mut Frame<'_>, at: Rect, title: &str, lines: Vec<Line<'_>>, theme: &Theme) {
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.style(Slot::Border))
        .title(Span::styled(title.to_string(), theme.style(Slot::Accent)));
    frame.render_widget(Clear, at);
    frame.render_widget(
        Paragraph::new(lines)
            .block(block)
            .style(theme.style(Slot::Text)),
        at,
    );
}
