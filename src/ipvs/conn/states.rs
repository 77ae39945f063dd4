//! Connections per protocol state, for the table's summary line.

/// Counts in first-seen order. A linear list, not a map: a table has about a dozen distinct
/// states, and looking a borrowed `&str` up here allocates nothing per line.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StateCounts {
    counts: Vec<(String, u64)>,
}

impl StateCounts {
    pub fn add(&mut self, state: &str) {
        match self.counts.iter_mut().find(|(s, _)| s == state) {
            Some((_, n)) => *n += 1,
            None => self.counts.push((state.to_string(), 1)),
        }
    }

    pub fn get(&self, state: &str) -> u64 {
        self.counts
            .iter()
            .find(|(s, _)| s == state)
            .map_or(0, |(_, n)| *n)
    }

    pub fn total(&self) -> u64 {
        self.counts.iter().map(|(_, n)| n).sum()
    }

    pub fn iter(&self) -> impl Iterator<Item = (&str, u64)> {
        self.counts.iter().map(|(s, n)| (s.as_str(), *n))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_each_state() {
        let mut c = StateCounts::default();
        for s in ["TIME_WAIT", "ESTABLISHED", "TIME_WAIT"] {
            c.add(s);
        }
        assert_eq!(c.get("TIME_WAIT"), 2);
        assert_eq!(c.get("ESTABLISHED"), 1);
        assert_eq!(c.get("SYN_RECV"), 0);
        assert_eq!(c.total(), 3);
        assert_eq!(
            c.iter().collect::<Vec<_>>(),
            [("TIME_WAIT", 2), ("ESTABLISHED", 1)]
        );
    }
}
