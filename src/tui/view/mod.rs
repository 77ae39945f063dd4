//! Drawing: one file per screen region. Views read the state and the theme, nothing else.

mod dialog;
mod filter_bar;
mod footer;
mod header;
mod help;
mod table;

use ratatui::Frame;

use super::action::Mode;
use super::app::App;
use super::layout::regions;
use super::theme::{Slot, Theme};

/// Draws the whole console.
pub fn render(frame: &mut Frame<'_>, app: &App, theme: &Theme) {
    let area = frame.area();
    frame.render_widget(
        ratatui::widgets::Block::default().style(theme.style(Slot::Text)),
        area,
    );
    let r = regions(area, app);
    header::render(frame, r.header, app, theme);
    table::render(frame, r.table, app, theme);
    if let Some(f) = r.filter {
        filter_bar::render(frame, f, app, theme);
    }
    footer::render(frame, r.footer, app, theme);
    if app.mode == Mode::Help {
        help::render(frame, area, app, theme);
    }
    dialog::render(frame, area, app, theme);
}
