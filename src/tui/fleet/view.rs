//! Draws the fleet overview.

use humansize::{format_size, DECIMAL};
use ratatui::layout::{Constraint, Rect};
use ratatui::widgets::{Cell, Row as TableRow, Table};
use ratatui::Frame;

use super::FleetState;
use crate::pair::fleet::Row;
use crate::tui::ui::theme::{Slot, Theme};

pub const HEADER: [&str; 9] = [
    "PAIR", "DIRECTOR", "VRRP", "SVC", "RS", "CONN/S", "IN/OUT", "HEALTH", "STATE",
];

/// The cells of a row (the tests read these).
pub fn cells(r: &Row) -> [String; 9] {
    let state = match &r.unreachable {
        None if r.alerts > 0 => {
            format!("{} alert{}", r.alerts, if r.alerts == 1 { "" } else { "s" })
        }
        None => "ok".into(),
        Some((Some(age), why)) => format!("UNREACHABLE {age}s: {why}"),
        Some((None, why)) => format!("UNREACHABLE: {why}"),
    };
    [
        r.pair.clone(),
        r.director.clone(),
        r.roles.clone(),
        r.services.to_string(),
        r.servers.to_string(),
        r.cps.to_string(),
        format!(
            "{}/{}",
            format_size(r.in_bps, DECIMAL),
            format_size(r.out_bps, DECIMAL)
        ),
        r.health.clone(),
        state,
    ]
}

pub fn render(frame: &mut Frame<'_>, area: Rect, s: &FleetState, theme: &Theme) {
    let rows = s.rows.iter().enumerate().map(|(i, r)| {
        let slot = if i == s.cursor {
            Slot::Selection
        } else if r.unreachable.is_some() || r.alerts > 0 {
            Slot::Failure
        } else {
            Slot::Text
        };
        TableRow::new(cells(r).map(Cell::from)).style(theme.style(slot))
    });
    let widths = [
        Constraint::Length(12),
        Constraint::Length(20),
        Constraint::Length(22),
        Constraint::Length(4),
        Constraint::Length(5),
        Constraint::Length(7),
        Constraint::Length(18),
        Constraint::Length(10),
        Constraint::Min(10),
    ];
    let table = Table::new(rows, widths)
        .header(TableRow::new(HEADER).style(theme.style(Slot::ColumnHeader)))
        .style(theme.style(Slot::Text));
    frame.render_widget(table, area);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unreachable_director_says_since_when_and_why() {
        let r = Row {
            pair: "web".into(),
            director: "lb2".into(),
            unreachable: Some((
                Some(12),
                "ssh: connect to host lb2 port 22: Connection refused".into(),
            )),
            ..Row::default()
        };
        assert_eq!(
            cells(&r)[8],
            "UNREACHABLE 12s: ssh: connect to host lb2 port 22: Connection refused"
        );
        let ok = Row {
            alerts: 2,
            in_bps: 1_500_000,
            ..Row::default()
        };
        assert_eq!(cells(&ok)[8], "2 alerts");
        assert_eq!(cells(&ok)[6], "1.50 MB/0 B");
    }
}
