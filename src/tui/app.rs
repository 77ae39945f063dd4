//! The console's state. No I/O here: it changes only through `update`, and views only read it.

use std::time::{Duration, Instant};

use super::action::Mode;
use super::conns::Conns;
use super::detail::DetailState;
use super::drift::DriftState;
use super::event::{Snapshot, Source};
use super::table::changes::Changes;
use super::table::columns::RowKey;
use super::table::rows::{self, RowRef};
use super::table::sort::Sort;
use super::table::FilterState;
use super::ui::keymap::Keymap;
use super::ui::layout;

/// Totals over the whole table, for the header; computed once per applied refresh.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Totals {
    pub services: usize,
    pub dests: usize,
    pub active: u64,
    pub inact: u64,
    pub cps: u64,
    pub inbps: u64,
    pub outbps: u64,
}

#[derive(Debug, Clone)]
pub struct App {
    pub host: String,
    pub interval: Duration,
    pub keymap: Keymap,
    pub mode: Mode,
    /// First line of the `?` popup when it scrolls (a short terminal).
    pub help_scroll: u16,
    /// How the table is read (netlink, or /proc and why).
    pub source: Option<Source>,
    /// The table shown.
    pub snapshot: Option<Snapshot>,
    /// A newer read held back while frozen.
    pub pending: Option<Snapshot>,
    pub changes: Changes,
    pub totals: Totals,
    pub sort: Sort,
    pub filter: FilterState,
    /// Visible order of the rows (all of them, not only on screen).
    pub rows: Vec<RowRef>,
    /// The selected row, by key; survives refreshes and re-sorts.
    pub selected: Option<RowKey>,
    /// Position of `selected` in `rows` (or where it was, if it vanished).
    pub cursor: usize,
    /// First row on screen.
    pub offset: usize,
    /// Table rows that fit on screen, from the last resize.
    pub page: usize,
    /// Terminal size (columns, lines) from the last resize.
    pub size: (u16, u16),
    pub exact: bool,
    pub frozen: bool,
    /// A read is under way; no second one is started.
    pub refreshing: bool,
    pub last_error: Option<String>,
    /// The clock of the last event, for the data age.
    pub now: Instant,
    /// Something visible changed since the last draw.
    pub dirty: bool,
    pub quit: bool,
    /// The detail view: its row and the rate history.
    pub detail: DetailState,
    /// The connections list (the connections view's, and the detail view's) and its prompt.
    pub conns: Conns,
    /// The drift list's selection.
    pub drift: DriftState,
    /// Forms, dialogs, undo, drains and the last change's message (`edit`).
    pub edit: super::edit::EditState,
    /// The embedded VRRP instances, the panel and its dialogs (`vrrp`).
    pub vrrp: super::vrrp::VrrpState,
    /// The embedded health checkers and reconciler (`health`); a peer's while it is shown.
    pub health: super::health::HealthState,
    /// This director and its peers, and which one is shown (`directors`).
    pub directors: super::directors::Directors,
}

impl App {
    pub fn new(host: String, interval: Duration, keymap: Keymap, now: Instant) -> App {
        App {
            host,
            interval,
            keymap,
            mode: Mode::Table,
            help_scroll: 0,
            source: None,
            snapshot: None,
            pending: None,
            changes: Changes::default(),
            totals: Totals::default(),
            sort: Sort::default(),
            filter: FilterState::default(),
            rows: Vec::new(),
            selected: None,
            cursor: 0,
            offset: 0,
            page: 20,
            size: (80, 24),
            exact: false,
            frozen: false,
            refreshing: false,
            last_error: None,
            now,
            dirty: true,
            quit: false,
            detail: DetailState::default(),
            conns: Conns::default(),
            drift: DriftState::default(),
            edit: Default::default(),
            vrrp: Default::default(),
            health: Default::default(),
            directors: super::directors::Directors::new(now),
        }
    }

    pub fn entries(&self) -> &[crate::ipvs::ServiceEntry] {
        self.snapshot.as_ref().map_or(&[], |s| s.entries.as_slice())
    }

    /// Why changes are impossible, if they are.
    pub fn read_only(&self) -> Option<&str> {
        read_only_reason(self.edit.read_only, self.source.as_ref())
    }

    /// Why changes to the director shown are impossible: the console's own reasons, or
    /// the peer's (read-only, unreachable, not connected yet).
    pub fn refusal(&self) -> Option<String> {
        if let Some(r) = read_only_reason(self.edit.read_only, self.source.as_ref()) {
            return Some(r.to_string());
        }
        self.directors.shown_peer().and_then(|p| p.refusal())
    }

    /// How old the table on screen is.
    pub fn age(&self) -> Option<Duration> {
        self.snapshot
            .as_ref()
            .map(|s| self.now.saturating_duration_since(s.taken_at))
    }

    /// Rebuilds the row order and puts the cursor back on the selected key.
    pub fn rebuild(&mut self) {
        let entries = self
            .snapshot
            .as_ref()
            .map_or(&[][..], |s| s.entries.as_slice());
        rows::build_into(&mut self.rows, entries, &self.sort, &self.filter.query);
        let found = self.selected.and_then(|sel| {
            self.rows
                .iter()
                .position(|r| r.key(entries).as_ref() == Some(&sel))
        });
        match found {
            Some(i) => self.cursor = i,
            None => {
                // The selected row is gone: stay at the same height, on whatever is there.
                self.cursor = self.cursor.min(self.rows.len().saturating_sub(1));
                self.selected = self.rows.get(self.cursor).and_then(|r| r.key(entries));
            }
        }
        self.scroll_to_cursor();
        self.dirty = true;
    }

    /// Moves the selection to a position in `rows`.
    pub fn select(&mut self, pos: usize) {
        if self.rows.is_empty() {
            return;
        }
        self.cursor = pos.min(self.rows.len() - 1);
        self.selected = self.rows[self.cursor].key(self.entries());
        self.scroll_to_cursor();
        self.dirty = true;
    }

    /// Whether the filter line shows: while typing a query, or while one is in force.
    pub fn shows_filter(&self) -> bool {
        self.mode == Mode::Filter || !self.filter.applied.is_empty()
    }

    /// Fits the table to the terminal and the filter line after either changed.
    pub fn relayout(&mut self) {
        self.page = layout::page(self.size, self.shows_filter());
        self.scroll_to_cursor();
        self.dirty = true;
    }

    /// Keeps the cursor on screen.
    pub fn scroll_to_cursor(&mut self) {
        let page = self.page.max(1);
        if self.cursor < self.offset {
            self.offset = self.cursor;
        } else if self.cursor >= self.offset + page {
            self.offset = self.cursor + 1 - page;
        }
        self.offset = self.offset.min(self.rows.len().saturating_sub(page));
    }

    /// Takes a new table: marks what changed against the old one (then dropped), recomputes
    /// totals.
    pub fn apply_snapshot(&mut self, snap: Snapshot) {
        let old = self
            .snapshot
            .as_ref()
            .map_or(&[][..], |s| s.entries.as_slice());
        self.changes.compare(old, &snap.entries);
        self.totals = totals(&snap);
        self.source = Some(snap.source.clone());
        self.snapshot = Some(snap);
        self.rebuild();
        // One history sample for the rows being looked at: on screen, and the selected one.
        let entries = self
            .snapshot
            .as_ref()
            .map_or(&[][..], |s| s.entries.as_slice());
        let end = (self.offset + self.page).min(self.rows.len());
        let mut watched: Vec<_> = self.rows.get(self.offset..end).unwrap_or(&[]).to_vec();
        if let Some(r) = self.rows.get(self.cursor) {
            watched.push(*r);
        }
        self.detail.history.record(entries, &self.rows, &watched);
    }
}

/// `App::read_only` from its two parts, for a handler that borrows `App::edit` mutably
/// beside it.
pub fn read_only_reason(flag: bool, source: Option<&Source>) -> Option<&str> {
    if flag {
        return Some("--read-only");
    }
    match source {
        Some(Source::Procfs { reason }) => Some(reason),
        _ => None,
    }
}

fn totals(snap: &Snapshot) -> Totals {
    let mut t = Totals {
        services: snap.entries.len(),
        ..Totals::default()
    };
    for e in &snap.entries {
        t.dests += e.dests.len();
        t.cps += e.service.stats.cps;
        t.inbps += e.service.stats.inbps;
        t.outbps += e.service.stats.outbps;
        for d in &e.dests {
            t.active += u64::from(d.active_conns);
            t.inact += u64::from(d.inact_conns);
        }
    }
    t
}
