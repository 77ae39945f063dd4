//! Quorum with hysteresis, as keepalived's `update_quorum_state`: lost when the live weight
//! falls below `quorum - hysteresis` (or to 0), regained at `quorum + hysteresis`, so a
//! weight hovering at the quorum does not flap the sorry server in and out.

/// The new quorum state, given the current one and the weight of live servers.
pub fn next(up: bool, live_weight: u64, quorum: u32, hysteresis: u32) -> bool {
    let (q, h) = (u64::from(quorum), u64::from(hysteresis));
    if up {
        !(live_weight == 0 || live_weight < q.saturating_sub(h))
    } else {
        live_weight >= q + h
    }
}

#[cfg(test)]
mod tests {
    use super::next;

    #[test]
    fn hysteresis_band() {
        // quorum 5, hysteresis 2: down below 3, up again at 7.
        assert!(next(true, 3, 5, 2));
        assert!(!next(true, 2, 5, 2));
        assert!(!next(false, 6, 5, 2));
        assert!(next(false, 7, 5, 2));
        // Zero live weight always loses quorum, even when quorum - hysteresis is 0.
        assert!(!next(true, 0, 1, 1));
        assert!(next(false, 1, 1, 0));
    }
}
