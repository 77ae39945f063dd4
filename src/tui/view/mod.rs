//! Drawing the whole screen: the regions from `ui::layout`, the chrome every mode shares
//! (header, footer, the `?` popup) here, the body and the dialogs by each feature's `view`.
//! Views read the state and the theme, nothing else.

mod footer;
mod header;
mod help;

use ratatui::layout::Rect;
use ratatui::Frame;

use super::action::Mode;
use super::app::App;
use super::ui::layout::regions;
use super::ui::theme::{Slot, Theme};
use super::{conns, detail, drift, edit, table, vrrp};

/// Draws the whole console.
pub fn render(frame: &mut Frame<'_>, app: &App, theme: &Theme) {
    let area = frame.area();
    frame.render_widget(
        ratatui::widgets::Block::default().style(theme.style(Slot::Text)),
        area,
    );
    let r = regions(area, app.shows_filter());
    header::render(frame, r.header, app, theme);
    // The detail and connections views take the table's place, its filter line included.
    let body = Rect {
        height: r.footer.y.saturating_sub(r.table.y),
        ..r.table
    };
    match app.mode {
        Mode::Detail => detail::view::render(frame, body, app, theme),
        Mode::Conns | Mode::ConnFilter => conns::view::render(frame, body, app, theme),
        Mode::Vrrp => {
            let sync = app.health.status.as_ref().and_then(|s| s.sync.as_ref());
            vrrp::view::render(frame, body, &app.vrrp, sync, app.now, theme)
        }
        Mode::Drift => drift::view::render(frame, body, &app.drift, &app.health, theme),
        _ => {
            table::view::render(frame, r.table, app, theme);
            if let Some(f) = r.filter {
                table::filter_bar::render(frame, f, app, theme);
            }
        }
    }
    footer::render(frame, r.footer, app, theme);
    if app.mode == Mode::Help {
        help::render(frame, area, app, theme);
    }
    edit::view::render(frame, area, &app.edit, theme);
    vrrp::view::render_dialog(frame, area, &app.vrrp, theme);
}
