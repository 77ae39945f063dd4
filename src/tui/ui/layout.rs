//! Where each screen region goes. Shared by the views and by `update`, which needs the table's
//! height to keep the cursor on screen.

use ratatui::layout::Rect;

use crate::tui::action::Mode;
use crate::tui::app::App;

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

/// Header on top, footer at the bottom, filter line above the footer when there is one.
pub fn regions(area: Rect, app: &App) -> Regions {
    let show_filter = app.mode == Mode::Filter || !app.filter.applied.is_empty();
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

/// Data rows that fit in the table region (its title line excluded).
pub fn page(app: &App) -> usize {
    let (w, h) = app.size;
    let r = regions(Rect::new(0, 0, w, h), app);
    usize::from(r.table.height.saturating_sub(1)).max(1)
}
