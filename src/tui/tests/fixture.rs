//! A fixed table with the cases that matter on screen: IPv6, a firewall mark, a drained and
//! a draining server, counters past u32, a service with no server taking traffic.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::time::{Duration, Instant};

use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;

use crate::ipvs::{
    svc_flags, Dest, DestConfig, Family, Forward, Info, Protocol, Service, ServiceConfig,
    ServiceEntry, ServiceKey, Stats,
};
use crate::tui::event::{Event, Snapshot, Source};
use crate::tui::ui::keymap::Keymap;
use crate::tui::ui::theme::Theme;
use crate::tui::{update, view, App};

pub fn v4(a: u8, b: u8, c: u8, d: u8) -> IpAddr {
    IpAddr::V4(Ipv4Addr::new(a, b, c, d))
}

pub fn stats(scale: u64) -> Stats {
    Stats {
        conns: 12 * scale,
        inpkts: 340 * scale,
        outpkts: 310 * scale,
        inbytes: 51_000 * scale,
        outbytes: 420_000 * scale,
        cps: scale / 10,
        inpps: scale / 3,
        outpps: scale / 4,
        inbps: 1_300 * scale,
        outbps: 9_100 * scale,
    }
}

pub fn dest(addr: IpAddr, port: u16, fwd: Forward, weight: u32, active: u32, scale: u64) -> Dest {
    let mut config = DestConfig::new(addr, port);
    config.forward = fwd;
    config.weight = weight;
    Dest {
        config,
        active_conns: active,
        inact_conns: active / 3,
        persist_conns: 0,
        stats: stats(scale),
    }
}

pub fn service(key: ServiceKey, sched: &str, scale: u64, dests: Vec<Dest>) -> ServiceEntry {
    let mut config = ServiceConfig::new(key);
    config.scheduler = sched.to_string();
    ServiceEntry {
        service: Service {
            config,
            stats: stats(scale),
        },
        dests,
    }
}

pub fn tcp(addr: IpAddr, port: u16) -> ServiceKey {
    ServiceKey::Addr {
        protocol: Protocol::Tcp,
        addr,
        port,
    }
}

pub fn table() -> Vec<ServiceEntry> {
    let web = tcp(v4(192, 0, 2, 10), 80);
    let mut https = service(
        tcp(v4(192, 0, 2, 10), 443),
        "wlc",
        40,
        vec![
            dest(v4(10, 0, 0, 11), 443, Forward::Route, 100, 310, 20),
            dest(v4(10, 0, 0, 12), 443, Forward::Route, 100, 290, 19),
        ],
    );
    https.service.config.flags |= svc_flags::PERSISTENT;
    https.service.config.timeout = 300;
    let v6 = ServiceKey::Addr {
        protocol: Protocol::Udp,
        addr: IpAddr::V6(Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, 0x53)),
        port: 53,
    };
    vec![
        service(
            web,
            "rr",
            1_000_000,
            vec![
                // Counters past 2^32 and rates in the MB/s.
                dest(v4(10, 0, 0, 1), 80, Forward::Masq, 1, 1200, 600_000),
                dest(v4(10, 0, 0, 2), 80, Forward::Masq, 1, 980, 400_000),
                // Drained, still finishing connections.
                dest(v4(10, 0, 0, 3), 80, Forward::Masq, 0, 7, 3),
                // Drained and idle.
                dest(v4(10, 0, 0, 4), 80, Forward::Masq, 0, 0, 0),
            ],
        ),
        https,
        service(
            v6,
            "sh",
            90,
            vec![dest(
                IpAddr::V6(Ipv6Addr::new(0x2001, 0xdb8, 1, 0, 0, 0, 0, 0x10)),
                53,
                Forward::Tunnel,
                5,
                0,
                90,
            )],
        ),
        service(
            ServiceKey::Fwmark {
                mark: 42,
                family: Family::Inet,
            },
            "lc",
            0,
            vec![dest(v4(10, 0, 1, 1), 0, Forward::Route, 0, 0, 0)],
        ),
    ]
}

pub fn snapshot(entries: Vec<ServiceEntry>, taken_at: Instant) -> Snapshot {
    Snapshot {
        info: Some(Info {
            version: (1 << 16) | (2 << 8) | 1,
            conn_tab_size: 4096,
        }),
        entries,
        taken_at,
        source: Source::Netlink,
    }
}

/// An app of `w`×`h` with the fixture table loaded, data 400 ms old.
pub fn app(w: u16, h: u16) -> (App, Instant) {
    let t0 = Instant::now();
    let keymap = Keymap::default_map().unwrap_or_else(|e| panic!("{e}"));
    let mut app = App::new("lb1".into(), Duration::from_secs(1), keymap, t0);
    update(&mut app, Event::Resize(w, h), t0);
    update(&mut app, Event::Table(Ok(snapshot(table(), t0))), t0);
    let now = t0 + Duration::from_millis(400);
    app.now = now;
    (app, now)
}

pub fn key(c: char) -> Event {
    Event::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE))
}

pub fn code(c: KeyCode) -> Event {
    Event::Key(KeyEvent::new(c, KeyModifiers::NONE))
}

/// The screen as text, one line per row (trailing spaces trimmed).
pub fn screen(app: &App) -> String {
    let (w, h) = app.size;
    let mut term = Terminal::new(TestBackend::new(w, h)).unwrap_or_else(|e| panic!("{e}"));
    let theme = Theme::mono();
    term.draw(|f| view::render(f, app, &theme))
        .unwrap_or_else(|e| panic!("{e}"));
    let buf = term.backend().buffer();
    let mut out = String::new();
    for y in 0..h {
        let line: String = (0..w)
            .map(|x| buf.cell((x, y)).map_or(" ", |c| c.symbol()))
            .collect();
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}
