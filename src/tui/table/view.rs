//! The live table: services with their real servers under them. Only the rows on screen are
//! built; columns that do not fit are dropped, least useful first.

use ratatui::layout::{Alignment, Constraint, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Paragraph, Row, Table, TableState};
use ratatui::Frame;

use crate::tui::app::App;
use crate::tui::table::columns::{Column, RowData};
use crate::tui::table::rows::RowRef;
use crate::tui::ui::format::{number, Unit};
use crate::tui::ui::theme::{Slot, Theme};

pub fn render(frame: &mut Frame<'_>, area: Rect, app: &App, theme: &Theme) {
    if area.height == 0 {
        return;
    }
    let entries = app.entries();
    if app.rows.is_empty() {
        let msg = match (&app.snapshot, &app.last_error) {
            (None, Some(e)) => format!("Cannot read the IPVS table: {e}"),
            (None, None) => "Reading the IPVS table…".to_string(),
            _ if !app.filter.query.is_empty() => {
                "No row matches the filter (Esc clears it)".to_string()
            }
            _ => "No virtual services (add one with ipvsadm -A, or lvsdeck adm -A)".to_string(),
        };
        frame.render_widget(Paragraph::new(msg).style(theme.style(Slot::Muted)), area);
        return;
    }
    let page = usize::from(area.height.saturating_sub(1)).max(1);
    // Keep the cursor on screen even if the last resize was not seen yet.
    let cursor = app.cursor.min(app.rows.len() - 1);
    let offset = app.offset.clamp(cursor.saturating_sub(page - 1), cursor);
    let on_screen = &app.rows[offset..(offset + page).min(app.rows.len())];
    let visible: Vec<(RowRef, RowData<'_>)> = on_screen
        .iter()
        .filter_map(|r| r.data(entries).map(|d| (*r, d)))
        .collect();

    let data: Vec<RowData<'_>> = visible.iter().map(|(_, d)| *d).collect();
    let columns = fit(area.width, &widths(app, &data));
    let header = Row::new(columns.iter().map(|(c, _)| {
        let mut title = c.title().to_string();
        let mut style = theme.style(Slot::ColumnHeader);
        if app.sort.column == Some(*c) {
            title.push_str(app.sort.arrow());
            style = style.patch(theme.style(Slot::Accent));
        }
        let line = Line::from(title);
        let line = match c {
            Column::Name | Column::Sched | Column::Forward => line,
            _ => line.alignment(Alignment::Right),
        };
        Cell::from(line).style(style)
    }));
    let rows = visible
        .iter()
        .map(|(at, row)| build_row(app, theme, *at, row, &columns));
    let table = Table::new(rows, columns.iter().map(|(_, w)| Constraint::Length(*w)))
        .header(header)
        .column_spacing(1)
        .row_highlight_style(theme.style(Slot::Selection));
    let mut state = TableState::default().with_selected(Some(cursor - offset));
    frame.render_stateful_widget(table, area, &mut state);
}

/// The width each column needs for the rows on screen.
fn widths(app: &App, visible: &[RowData<'_>]) -> Vec<(Column, u16)> {
    Column::ALL
        .iter()
        .map(|c| {
            let title = c.title().chars().count() + usize::from(app.sort.column == Some(*c));
            let content = match c {
                Column::Name => visible
                    .iter()
                    .filter_map(|r| {
                        // Room for a drain's ` ⇣ draining 1m05s`.
                        let extra = app.edit.drains.get(&r.key()).map_or(0, |_| 18)
                            + health_marker(app, r).map_or(0, |m| m.chars().count() + 3);
                        c.text(r).map(|t| t.chars().count() + extra)
                    })
                    .max()
                    .unwrap_or(0)
                    .clamp(22, 50),
                Column::Sched => visible
                    .iter()
                    .filter_map(|r| c.text(r))
                    .map(|t| t.chars().count())
                    .max()
                    .unwrap_or(0)
                    .min(28),
                Column::Forward => 6,
                _ if app.exact => {
                    visible
                        .iter()
                        .filter_map(|r| c.value(r))
                        .map(|v| v.to_string().len())
                        .max()
                        .unwrap_or(1)
                        + 1
                }
                // Human units: `99999`/`12.3M` counts, `999.9 kB` bytes, plus the mark.
                _ => match c.unit() {
                    Unit::Count => 6,
                    Unit::Bytes => 9,
                },
            };
            let w = if *c == Column::Name {
                content
            } else {
                title.max(content)
            };
            (*c, u16::try_from(w).unwrap_or(u16::MAX))
        })
        .collect()
}

/// Drops the least useful columns until the rest fit in `width`.
fn fit(width: u16, cols: &[(Column, u16)]) -> Vec<(Column, u16)> {
    let mut kept: Vec<(Column, u16)> = cols.to_vec();
    let total = |k: &[(Column, u16)]| -> usize {
        k.iter().map(|(_, w)| usize::from(*w) + 1).sum::<usize>()
    };
    while total(&kept) > usize::from(width) && kept.len() > 1 {
        let Some(worst) = kept
            .iter()
            .enumerate()
            .max_by_key(|(i, (c, _))| (c.priority(), *i))
            .map(|(i, _)| i)
        else {
            break;
        };
        kept.remove(worst);
    }
    kept
}

/// The health of a real server, when the embedded checkers know it.
fn health_marker(app: &App, row: &RowData<'_>) -> Option<&'static str> {
    match row {
        RowData::Dest(e, d) => app
            .health
            .server(&e.service.config.key, d.config.addr, d.config.port)
            .map(crate::tui::health::view::marker),
        RowData::Service(_) => None,
    }
}

fn row_style(theme: &Theme, row: &RowData<'_>) -> Style {
    match row {
        RowData::Service(e) => {
            let s = theme.style(Slot::Service);
            if e.dests.iter().all(|d| d.config.weight == 0) {
                s.patch(theme.style(Slot::Failure))
            } else {
                s
            }
        }
        RowData::Dest(_, d) if d.config.weight == 0 && d.active_conns > 0 => {
            theme.style(Slot::Warning)
        }
        RowData::Dest(_, d) if d.config.weight == 0 => theme.style(Slot::Muted),
        RowData::Dest(..) => theme.style(Slot::Text),
    }
}

fn build_row<'a>(
    app: &App,
    theme: &Theme,
    at: RowRef,
    row: &RowData<'_>,
    columns: &[(Column, u16)],
) -> Row<'a> {
    let key = row.key();
    let changed = theme.style(Slot::Changed);
    let cells = columns.iter().map(|(c, _)| {
        if let Some(mut t) = c.text(row) {
            if *c == Column::Name {
                if let Some(m) = health_marker(app, row) {
                    t = format!("{t} [{m}]");
                }
                if let Some(d) = app.edit.drains.get(&key) {
                    t = format!("{t} ⇣ {}", crate::tui::edit::drain::label(d, app.now));
                }
            }
            let style = if *c == Column::Name && app.changes.is_new(at) {
                changed
            } else {
                Style::default()
            };
            return Cell::from(Span::styled(t, style));
        }
        let Some(v) = c.value(row) else {
            return Cell::from("");
        };
        let mark = app.changes.mark(at, *c);
        let text = format!(
            "{}{}",
            number(v, c.unit(), app.exact),
            mark.map_or(' ', |m| m.glyph())
        );
        let style = if mark.is_some() {
            changed
        } else {
            Style::default()
        };
        Cell::from(Line::from(Span::styled(text, style)).alignment(Alignment::Right))
    });
    let mut style = row_style(theme, row);
    if health_marker(app, row) == Some("DOWN") {
        style = style.patch(theme.style(Slot::Failure));
    }
    Row::new(cells.collect::<Vec<_>>()).style(style)
}
