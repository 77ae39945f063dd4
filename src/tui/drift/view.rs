//! The drift list (`w`): one entry per difference, as the ipvsadm line that reverts it and
//! what the kernel has, kept entries marked.

use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

use super::DriftState;
use crate::tui::health::HealthState;
use crate::tui::ui::theme::{Slot, Theme};

pub fn render(
    frame: &mut Frame<'_>,
    area: Rect,
    state: &DriftState,
    h: &HealthState,
    theme: &Theme,
) {
    let items = h.drift();
    let mut out: Vec<Line<'_>> = vec![Line::styled(
        format!(
            " Drift: {} entr{}",
            items.len(),
            if items.len() == 1 { "y" } else { "ies" }
        ),
        theme.style(Slot::Accent),
    )];
    if !h.configured {
        out.push(Line::styled(
            " no reconciler: start the console with -f keepalived.conf, or run lvsdeck daemon",
            theme.style(Slot::Muted),
        ));
    } else if items.is_empty() {
        out.push(Line::styled(
            " the kernel holds what lvsdeck made",
            theme.style(Slot::Muted),
        ));
    }
    let cur = state.cursor.min(items.len().saturating_sub(1));
    for (i, item) in items.iter().enumerate() {
        let selected = i == cur;
        let mark = if selected { "▶ " } else { "  " };
        let line_style = if selected {
            theme.style(Slot::Selection)
        } else {
            theme.style(Slot::Text)
        };
        out.push(Line::from(vec![
            Span::styled(mark, theme.style(Slot::Accent)),
            Span::styled(format!("{}", item.key), line_style),
            Span::styled(
                if item.kept { "  (kept)" } else { "" },
                theme.style(Slot::Warning),
            ),
        ]));
        out.push(Line::from(vec![
            Span::styled("    revert: ", theme.style(Slot::Muted)),
            Span::styled(
                format!("ipvsadm {}", item.revert_line()),
                theme.style(Slot::Text),
            ),
        ]));
        out.push(Line::from(vec![
            Span::styled("    kernel: ", theme.style(Slot::Muted)),
            Span::styled(item.kernel_text(), theme.style(Slot::Warning)),
        ]));
    }
    frame.render_widget(Paragraph::new(out).style(theme.style(Slot::Text)), area);
}
