//! Drawing: one file per screen region. Views read the state and the theme, nothing else.

mod conn_list;
mod connections;
mod detail;
mod dialog;
mod drift;
mod filter_bar;
mod footer;
mod header;
mod help;
mod table;
pub mod vrrp;

pub use help::max_scroll as help_max_scroll;

use ratatui::layout::Rect;
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
    // The detail and connections views take the table's place, its filter line included.
    let body = Rect {
        height: r.footer.y.saturating_sub(r.table.y),
        ..r.table
    };
    match app.mode {
        Mode::Detail => detail::render(frame, body, app, theme),
        Mode::Conns | Mode::ConnFilter => connections::render(frame, body, app, theme),
        Mode::Vrrp => vrrp::render(frame, body, app, theme),
        Mode::Drift => drift::render(frame, body, app, theme),
        _ => {
            table::render(frame, r.table, app, theme);
            if let Some(f) = r.filter {
                filter_bar::render(frame, f, app, theme);
            }
        }
    }
    footer::render(frame, r.footer, app, theme);
    if app.mode == Mode::Help {
        help::render(frame, area, app, theme);
    }
    dialog::render(frame, area, app, theme);
    vrrp::render_dialog(frame, area, app, theme);
}
