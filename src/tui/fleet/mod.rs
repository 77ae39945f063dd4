//! The fleet overview (`--fleet FILE`): a row per director — its pair, roles per VRID,
//! services, conn/s, rates, health, the pair's alerts, reachability — and Enter opens the
//! selected director's pair.

pub mod view;

use crate::pair::fleet::{Fleet, Row};

#[derive(Debug, Clone, Default)]
pub struct FleetState {
    pub rows: Vec<Row>,
    pub cursor: usize,
    pub offset: usize,
}

impl FleetState {
    /// One empty row per director, in the file's order.
    pub fn new(fleet: &Fleet) -> FleetState {
        let rows = fleet
            .pairs
            .iter()
            .flat_map(|p| p.directors.iter().map(move |d| Row::of(&p.name, d, None)))
            .collect();
        FleetState {
            rows,
            cursor: 0,
            offset: 0,
        }
    }

    /// Replaces the row of `director`, keeping its place.
    pub fn update(&mut self, row: Row) {
        if let Some(r) = self.rows.iter_mut().find(|r| r.director == row.director) {
            *r = row;
        }
    }

    pub fn move_cursor(&mut self, by: isize) {
        let last = self.rows.len().saturating_sub(1) as isize;
        self.cursor = (self.cursor as isize + by).clamp(0, last) as usize;
    }

    /// The pair Enter opens.
    pub fn selected_pair(&self) -> Option<&str> {
        self.rows.get(self.cursor).map(|r| r.pair.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_per_director_and_the_cursor_opens_its_pair() {
        let f = crate::pair::fleet::parse(
            "f",
            "[[pair]]\nname = \"web\"\ndirectors = [\"lb1\", \"lb2\"]\n[[pair]]\nname = \"dns\"\ndirectors = [\"d1\", \"d2\"]\n",
        )
        .unwrap();
        let mut s = FleetState::new(&f);
        assert_eq!(s.rows.len(), 4);
        s.move_cursor(2);
        assert_eq!(s.selected_pair(), Some("dns"));
        s.move_cursor(10);
        assert_eq!(s.cursor, 3);
        let mut r = s.rows[3].clone();
        r.roles = "53 MASTER".into();
        s.update(r);
        assert_eq!(s.rows[3].roles, "53 MASTER");
    }
}
