//! Skew_Time and Master_Down_Interval (RFC 3768 §6.1, RFC 5798 §6.1), in keepalived's integer
//! arithmetic: microseconds, truncated. Priority 100 at 1 s gives 3.609375 s exactly.

use std::time::Duration;

use super::advert::Version;

/// Adverts a backup may miss before it declares the master down.
pub const DOWN_ADVERTS: u32 = 3;

/// v2: (256 - priority) / 256 s. v3: ((256 - priority) × Master_Adver_Interval) / 256.
pub fn skew(version: Version, priority: u8, master_adver_int_cs: u16) -> Duration {
    let p = 256 - u64::from(priority);
    let us = match version {
        Version::V2 => p * 1_000_000 / 256,
        // cs × 10_000 / 256 µs = cs × 625 / 16 µs
        Version::V3 => p * u64::from(master_adver_int_cs) * 625 / 16,
    };
    Duration::from_micros(us)
}

/// 3 × Master_Adver_Interval + Skew_Time. In v2 the interval is ours (adverts with another are
/// dropped); in v3 it is the one learned from the master.
pub fn master_down(version: Version, priority: u8, master_adver_int_cs: u16) -> Duration {
    crate::clock::centis(u64::from(master_adver_int_cs)) * DOWN_ADVERTS
        + skew(version, priority, master_adver_int_cs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reference_examples() {
        assert_eq!(
            master_down(Version::V2, 100, 100),
            Duration::from_micros(3_609_375)
        );
        assert_eq!(
            master_down(Version::V2, 50, 100),
            Duration::from_micros(3_804_687)
        );
        assert_eq!(
            master_down(Version::V3, 100, 100),
            Duration::from_micros(3_609_375)
        );
        assert_eq!(
            master_down(Version::V3, 50, 100),
            Duration::from_micros(3_804_687)
        );
    }

    #[test]
    fn v3_skew_scales_with_the_interval_v2_does_not() {
        assert_eq!(skew(Version::V3, 100, 50), Duration::from_micros(304_687));
        assert_eq!(skew(Version::V2, 100, 50), Duration::from_micros(609_375));
        assert_eq!(skew(Version::V3, 255, 4095), Duration::from_micros(159_960));
    }

    #[test]
    fn adjacent_priorities_never_share_a_down_interval() {
        for p in 1..255u8 {
            assert!(skew(Version::V2, p, 100) > skew(Version::V2, p + 1, 100));
            assert!(skew(Version::V3, p, 1) > skew(Version::V3, p + 1, 1));
        }
    }
}
