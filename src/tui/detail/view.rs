//! The detail view (`Enter`): every attribute of one service or real server, its rate
//! history as sparklines, and the connections through it.

use std::net::Ipv4Addr;

use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Sparkline};
use ratatui::Frame;

use crate::adm::fields::{forward_name, sched_flags_text, tunnel_info};
use crate::ipvs::{Dest, Family, ServiceEntry, ServiceKey, Stats};
use crate::tui::app::App;
use crate::tui::conns::list_view;
use crate::tui::detail::history::{Ring, Sample};
use crate::tui::table::columns::{service_label, RowData, RowKey};
use crate::tui::ui::format::{self, Unit};
use crate::tui::ui::theme::{Slot, Theme};

/// Lines of the attribute and history block.
const BLOCK: u16 = 13;

pub fn render(frame: &mut Frame<'_>, area: Rect, app: &App, theme: &Theme) {
    let Some(key) = app.detail.row else {
        return;
    };
    let row = find(app.entries(), &key);
    let health_lines = row
        .as_ref()
        .map_or_else(Vec::new, |r| health(app, r, theme));
    let [title, block, health_area, conns] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(BLOCK),
        Constraint::Length(u16::try_from(health_lines.len()).unwrap_or(u16::MAX)),
        Constraint::Min(0),
    ])
    .areas(area);
    let accent = theme.style(Slot::Accent);
    let title_text = match (&row, &key) {
        (Some(RowData::Service(_)), RowKey::Service(k)) => format!("Service {}", service_label(k)),
        (Some(r @ RowData::Dest(..)), RowKey::Dest(k, ..)) => {
            format!("Real server {} of {}", r.label(), service_label(k))
        }
        _ => "Gone from the table".to_string(),
    };
    frame.render_widget(Paragraph::new(Line::styled(title_text, accent)), title);
    let Some(row) = row else {
        return;
    };
    let [config, stats, history] = Layout::horizontal([
        Constraint::Length(44),
        Constraint::Length(26),
        Constraint::Min(10),
    ])
    .areas(block);
    let pairs = match row {
        RowData::Service(e) => service_config(e),
        RowData::Dest(_, d) => dest_config(d),
    };
    frame.render_widget(Paragraph::new(lines(&pairs, 15, theme)), config);
    let s = match row {
        RowData::Service(e) => e.service.stats,
        RowData::Dest(_, d) => d.stats,
    };
    frame.render_widget(
        Paragraph::new(lines(&stats_pairs(&s, app.exact), 10, theme)),
        stats,
    );
    sparklines(frame, history, app, &key, theme);
    frame.render_widget(Paragraph::new(health_lines), health_area);
    if conns.height > 0 {
        let [counts, list] =
            Layout::vertical([Constraint::Length(1), Constraint::Min(0)]).areas(conns);
        let c = &app.conns.list;
        frame.render_widget(
            Paragraph::new(list_view::counts_line(app, c, theme)),
            counts,
        );
        list_view::render_rows(frame, list, c, None, theme);
    }
}

/// A real server's health (why it is where it is, its checkers, transitions), or a
/// service's drift (expected vs found); nothing without the embedded checkers.
fn health(app: &App, row: &RowData<'_>, theme: &Theme) -> Vec<Line<'static>> {
    let h = &app.health;
    let muted = theme.style(Slot::Muted);
    match row {
        RowData::Dest(e, d) => {
            let Some(v) = h.server(&e.service.config.key, d.config.addr, d.config.port) else {
                return Vec::new();
            };
            let now = h.status.as_ref().and_then(|s| s.now);
            let wall = h.status.as_ref().and_then(|s| s.wall_secs);
            let undrain = app
                .keymap
                .keys_text(crate::tui::action::Action::Undrain)
                .unwrap_or_else(|| "undrain".into());
            let mut out = vec![Line::styled(
                format!("Health [{}]", crate::tui::health::view::marker(v)),
                theme.style(Slot::Accent),
            )];
            for (k, val) in crate::tui::health::view::detail_lines(v, now, wall, &undrain) {
                out.push(Line::from(vec![
                    Span::styled(format!("{k:<15}"), muted),
                    Span::styled(val, theme.style(Slot::Text)),
                ]));
            }
            out
        }
        RowData::Service(e) => {
            let items: Vec<_> = h.drift_of(&e.service.config.key).collect();
            if items.is_empty() {
                return Vec::new();
            }
            let mut out = vec![Line::styled(
                format!("Drift: {} (R reconcile, K keep)", items.len()),
                theme.style(Slot::Warning),
            )];
            for i in items {
                for l in crate::tui::health::view::drift_lines(i) {
                    out.push(Line::styled(l, theme.style(Slot::Text)));
                }
            }
            out
        }
    }
}

fn find<'a>(entries: &'a [ServiceEntry], key: &RowKey) -> Option<RowData<'a>> {
    let svc = match key {
        RowKey::Service(k) | RowKey::Dest(k, ..) => k,
    };
    let e = entries.iter().find(|e| e.service.config.key == *svc)?;
    match key {
        RowKey::Service(_) => Some(RowData::Service(e)),
        RowKey::Dest(_, addr, port) => e
            .dests
            .iter()
            .find(|d| d.config.addr == *addr && d.config.port == *port)
            .map(|d| RowData::Dest(e, d)),
    }
}

fn lines(pairs: &[(&'static str, String)], width: usize, theme: &Theme) -> Vec<Line<'static>> {
    pairs
        .iter()
        .map(|(k, v)| {
            Line::from(vec![
                Span::styled(format!("{k:<width$}"), theme.style(Slot::Muted)),
                Span::styled(v.clone(), theme.style(Slot::Text)),
            ])
        })
        .collect()
}

fn yes_no(b: bool) -> String {
    if b { "yes" } else { "no" }.to_string()
}

fn service_config(e: &ServiceEntry) -> Vec<(&'static str, String)> {
    let cfg = &e.service.config;
    let mut out = match cfg.key {
        ServiceKey::Addr { .. } => vec![("Virtual", service_label(&cfg.key))],
        ServiceKey::Fwmark { mark, family } => vec![
            ("Firewall mark", mark.to_string()),
            (
                "Family",
                match family {
                    Family::Inet => "IPv4",
                    Family::Inet6 => "IPv6",
                }
                .to_string(),
            ),
        ],
    };
    out.push(("Scheduler", cfg.scheduler.clone()));
    out.push((
        "Sched flags",
        sched_flags_text(cfg).unwrap_or_else(|| "none".into()),
    ));
    out.push((
        "Persistent",
        if cfg.persistent() {
            format!("{} s", cfg.timeout)
        } else {
            "no".into()
        },
    ));
    let mask = match cfg.key.family() {
        Family::Inet => Ipv4Addr::from(cfg.netmask).to_string(),
        Family::Inet6 => format!("/{}", cfg.netmask),
    };
    out.push(("Netmask", mask));
    out.push(("One-packet", yes_no(cfg.one_packet())));
    out.push((
        "Persist. eng.",
        cfg.pe_name.clone().unwrap_or_else(|| "none".into()),
    ));
    let up = e.dests.iter().filter(|d| d.config.weight > 0).count();
    out.push((
        "Real servers",
        format!("{} ({up} with weight > 0)", e.dests.len()),
    ));
    let sum = |f: fn(&Dest) -> u32| e.dests.iter().map(|d| u64::from(f(d))).sum::<u64>();
    out.push(("ActiveConn", sum(|d| d.active_conns).to_string()));
    out.push(("InActConn", sum(|d| d.inact_conns).to_string()));
    out.push(("PersistConn", sum(|d| d.persist_conns).to_string()));
    out
}

fn dest_config(d: &Dest) -> Vec<(&'static str, String)> {
    let c = &d.config;
    let threshold = |t: u32| {
        if t == 0 {
            "none".to_string()
        } else {
            t.to_string()
        }
    };
    vec![
        ("Forward", forward_name(c.forward).to_string()),
        ("Weight", c.weight.to_string()),
        ("Upper thresh.", threshold(c.u_threshold)),
        ("Lower thresh.", threshold(c.l_threshold)),
        ("Tunnel", tunnel_info(c).unwrap_or_else(|| "n/a".into())),
        ("ActiveConn", d.active_conns.to_string()),
        ("InActConn", d.inact_conns.to_string()),
        ("PersistConn", d.persist_conns.to_string()),
    ]
}

fn stats_pairs(s: &Stats, exact: bool) -> Vec<(&'static str, String)> {
    let n = |v: u64, u: Unit| format::number(v, u, exact);
    vec![
        ("Conns", n(s.conns, Unit::Count)),
        ("InPkts", n(s.inpkts, Unit::Count)),
        ("OutPkts", n(s.outpkts, Unit::Count)),
        ("InBytes", n(s.inbytes, Unit::Bytes)),
        ("OutBytes", n(s.outbytes, Unit::Bytes)),
        ("CPS", n(s.cps, Unit::Count)),
        ("InPPS", n(s.inpps, Unit::Count)),
        ("OutPPS", n(s.outpps, Unit::Count)),
        ("InBPS", n(s.inbps, Unit::Bytes)),
        ("OutBPS", n(s.outbps, Unit::Bytes)),
    ]
}

type Series = (&'static str, fn(&Sample) -> u64, Unit);

const SERIES: [Series; 4] = [
    ("CPS", |s| s.cps, Unit::Count),
    ("InBPS", |s| s.inbps, Unit::Bytes),
    ("OutBPS", |s| s.outbps, Unit::Bytes),
    ("ActiveConn", |s| s.active, Unit::Count),
];

/// Four series, a title line and two lines of bars each, newest on the right.
fn sparklines(frame: &mut Frame<'_>, area: Rect, app: &App, key: &RowKey, theme: &Theme) {
    let ring: Option<&Ring> = app.detail.history.get(key);
    let n = ring.map_or(0, |r| r.samples().len());
    let span = app.interval * u32::try_from(n).unwrap_or(u32::MAX);
    let areas = Layout::vertical([Constraint::Length(3); 4]).split(area);
    for ((name, pick, unit), a) in SERIES.iter().zip(areas.iter()) {
        let data: Vec<u64> = ring.map_or_else(Vec::new, |r| r.series(*pick));
        let width = usize::from(a.width);
        let tail = &data[data.len().saturating_sub(width)..];
        let now = tail.last().copied().unwrap_or(0);
        let max = tail.iter().copied().max().unwrap_or(0);
        let title = format!(
            "{name} {} (max {}, last {})",
            format::number(now, *unit, app.exact),
            format::number(max, *unit, app.exact),
            format::age(span)
        );
        let [t, bars] = Layout::vertical([Constraint::Length(1), Constraint::Length(2)]).areas(*a);
        frame.render_widget(
            Paragraph::new(Line::styled(title, theme.style(Slot::Muted))),
            t,
        );
        frame.render_widget(
            Sparkline::default()
                .data(tail)
                .style(theme.style(Slot::Accent)),
            bars,
        );
    }
}
