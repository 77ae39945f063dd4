//! Where each screen region goes, and how tall the `?` popup is. Shared by the views and by
//! `update`, which needs the table's height to keep the cursor on screen and the popup's to
//! stop its scrolling; so it takes sizes, not the state, and draws nothing.

use ratatui::layout::Rect;

use super::theme::ROW_LEGEND;
use crate::tui::action::{Action, FILTER_KEYS};

/// Lines of the header block.
pub const HEADER_LINES: u16 = 3;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Regions {
    pub header: Rect,
    /// Column titles included (its first line).
    pub table: Rect,
    /// The `/` prompt, while typing or while a filter is in force.
    pub filter: Option<Rect>,
    pub footer: Rect,
}

/// Header on top, footer at the bottom, filter line above the footer when there is one
/// (`show_filter`: `App::shows_filter`).
pub fn regions(area: Rect, show_filter: bool) -> Regions {
    let mut rest = area;
    let header_h = HEADER_LINES.min(rest.height);
    let header = Rect {
        height: header_h,
        ..rest
    };
    rest.y += header_h;
    rest.height -= header_h;
    let footer_h = 1.min(rest.height);
    let footer = Rect {
        y: rest.y + rest.height - footer_h,
        height: footer_h,
        ..rest
    };
    rest.height -= footer_h;
    let filter = (show_filter && rest.height > 0).then(|| {
        rest.height -= 1;
        Rect {
            y: rest.y + rest.height,
            height: 1,
            ..rest
        }
    });
    Regions {
        header,
        table: rest,
        filter,
        footer,
    }
}

/// Data rows that fit in the table region (its title line excluded) of a terminal `size`
/// (columns, lines).
pub fn page(size: (u16, u16), show_filter: bool) -> usize {
    let (w, h) = size;
    let r = regions(Rect::new(0, 0, w, h), show_filter);
    usize::from(r.table.height.saturating_sub(1)).max(1)
}

/// Lines of the `?` popup in one column: one per action, then a blank line and a title
/// before the filter keys and before the row legend, one line each.
pub const HELP_LINES: usize = Action::ALL.len() + 2 + FILTER_KEYS.len() + 2 + ROW_LEGEND.len();

/// How far the one-column `?` popup can scroll in a terminal `height` lines high (its
/// border takes two).
pub fn help_max_scroll(height: u16) -> u16 {
    u16::try_from(HELP_LINES)
        .unwrap_or(u16::MAX)
        .saturating_sub(height.saturating_sub(2))
}
