//! Per-instance counters the console shows: traffic, transitions and every kind of rejection,
//! because operators read them when a pair misbehaves.

use super::checks::Rejection;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Counters {
    /// Adverts that passed every check and reached the state machine.
    pub adverts_received: u64,
    pub adverts_sent: u64,
    pub priority_zero_received: u64,
    pub priority_zero_sent: u64,
    pub became_master: u64,
    pub left_master: u64,
    /// v3/IPv4 adverts accepted with a message-only checksum (Cisco/Juniper dialect).
    pub checksum_without_pseudo_header: u64,

    pub ttl_errors: u64,
    pub version_errors: u64,
    pub type_errors: u64,
    pub length_errors: u64,
    pub family_errors: u64,
    pub checksum_errors: u64,
    pub vrid_errors: u64,
    pub owner_drops: u64,
    pub auth_type_errors: u64,
    pub auth_failures: u64,
    pub interval_errors: u64,
    /// Address list differing from ours (counted; dropped only under `AddressCheck::Reject`).
    pub address_list_errors: u64,
}

impl Counters {
    /// Counts one rejected packet under its reason.
    pub fn reject(&mut self, r: &Rejection) {
        *self.slot(r) += 1;
    }

    /// How many packets were rejected for the same reason as `r` (for the log).
    pub fn of(&self, r: &Rejection) -> u64 {
        *self.clone().slot(r)
    }

    fn slot(&mut self, r: &Rejection) -> &mut u64 {
        match r {
            Rejection::Ttl(_) => &mut self.ttl_errors,
            Rejection::Version(_) => &mut self.version_errors,
            Rejection::Type(_) => &mut self.type_errors,
            Rejection::Length => &mut self.length_errors,
            Rejection::Family => &mut self.family_errors,
            Rejection::Checksum => &mut self.checksum_errors,
            Rejection::Vrid(_) => &mut self.vrid_errors,
            Rejection::Owner => &mut self.owner_drops,
            Rejection::AuthType { .. } => &mut self.auth_type_errors,
            Rejection::AuthPassword => &mut self.auth_failures,
            Rejection::Interval { .. } => &mut self.interval_errors,
            Rejection::AddressList => &mut self.address_list_errors,
        }
    }

    /// Sum of all rejections.
    pub fn rejected(&self) -> u64 {
        self.ttl_errors
            + self.version_errors
            + self.type_errors
            + self.length_errors
            + self.family_errors
            + self.checksum_errors
            + self.vrid_errors
            + self.owner_drops
            + self.auth_type_errors
            + self.auth_failures
            + self.interval_errors
            + self.address_list_errors
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_rejection_counts_under_its_own_reason() {
        let mut c = Counters::default();
        c.reject(&Rejection::Ttl(64));
        c.reject(&Rejection::Ttl(1));
        c.reject(&Rejection::AuthPassword);
        assert_eq!(c.of(&Rejection::Ttl(0)), 2);
        assert_eq!(c.ttl_errors, 2);
        assert_eq!(c.of(&Rejection::AuthPassword), 1);
        assert_eq!(c.of(&Rejection::Checksum), 0);
        assert_eq!(c.rejected(), 3);
    }
}
