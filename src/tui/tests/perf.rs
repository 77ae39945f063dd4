//! A big table (10 000 services × 10 real servers): one frame and one re-sort, timed and
//! printed (`cargo test perf -- --nocapture`), not asserted: machines differ.

use std::time::Instant;

use ratatui::backend::TestBackend;
use ratatui::Terminal;

use super::fixture::{dest, service, snapshot, tcp, v4};
use crate::ipvs::{Forward, ServiceEntry};
use crate::tui::event::Event;
use crate::tui::ui::keymap::Keymap;
use crate::tui::ui::theme::Theme;
use crate::tui::{update, view, App};

/// `services` services of `per` real servers each, distinct counters.
pub fn big_table(services: u32, per: u32) -> Vec<ServiceEntry> {
    (0..services)
        .map(|s| {
            let [_, _, a, b] = s.to_be_bytes();
            let dests = (0..per)
                .map(|d| {
                    let n = u64::from(s * per + d);
                    dest(
                        v4(10, a, b, d as u8),
                        80,
                        Forward::Route,
                        d % 3,
                        (n % 997) as u32,
                        n,
                    )
                })
                .collect();
            service(tcp(v4(172, 16, a, b), 80), "wlc", u64::from(s), dests)
        })
        .collect()
}

#[test]
fn perf_frame_of_a_100k_server_table() {
    let t0 = Instant::now();
    let keymap = Keymap::default_map().unwrap_or_else(|e| panic!("{e}"));
    let mut app = App::new("big".into(), std::time::Duration::from_secs(1), keymap, t0);
    update(&mut app, Event::Resize(200, 50), t0);
    let table = big_table(10_000, 10);
    let built = t0.elapsed();

    let t = Instant::now();
    update(&mut app, Event::Table(Ok(snapshot(table.clone(), t0))), t0);
    update(&mut app, Event::Table(Ok(snapshot(table, t0))), t0);
    let refresh = t.elapsed() / 2;
    assert_eq!(app.rows.len(), 110_000);

    let t = Instant::now();
    for _ in 0..12 {
        update(&mut app, super::fixture::key('s'), t0);
    }
    let sort = t.elapsed() / 12;

    let theme = Theme::mono();
    let mut term = Terminal::new(TestBackend::new(200, 50)).unwrap_or_else(|e| panic!("{e}"));
    let t = Instant::now();
    for _ in 0..10 {
        term.draw(|f| view::render(f, &app, &theme))
            .unwrap_or_else(|e| panic!("{e}"));
    }
    let frame = t.elapsed() / 10;
    println!(
        "perf (debug build): table built {built:?}; refresh applied {refresh:?}; \
         re-sort {sort:?}; frame {frame:?} for 110000 rows"
    );
}
