//! ipvsadm's `print_largenum`: counters in a 9-character cell, scaled by decimal units.

/// One counter cell as ipvsadm prints it, leading separator space included when it fits.
///
/// Without `exact`, numbers below 10^8 are printed whole (`%9`); above, they are cut to
/// thousands (`K`, below 10^9), millions (`M`, below 10^11), billions (`G`, below 10^14) or
/// trillions (`T`), truncating, in 8 digits plus the unit letter. With `exact` (`-X`), the
/// whole number is printed right-aligned in 9 characters, or in its length plus one when it has
/// more than 8 digits, so a space always separates cells.
pub fn largenum(n: u64, exact: bool) -> String {
    let mut s = String::with_capacity(10);
    push_largenum(&mut s, n, exact);
    s
}

/// [`largenum`] appended to `out` without an allocation per cell (listings print hundreds of
/// thousands of them).
pub fn push_largenum(out: &mut String, n: u64, exact: bool) {
    use std::fmt::Write as _;
    const K: u64 = 1_000;
    const M: u64 = 1_000_000;
    const G: u64 = 1_000_000_000;
    const T: u64 = 1_000_000_000_000;
    // Writing into a String cannot fail.
    let _ = if exact {
        // 9 wide, or the digits plus one separating space when there are more than 8.
        if n < 100 * M {
            write!(out, "{n:>9}")
        } else {
            write!(out, " {n}")
        }
    } else if n < 100 * M {
        write!(out, "{n:>9}")
    } else if n < G {
        write!(out, "{:>8}K", n / K)
    } else if n < 100 * G {
        write!(out, "{:>8}M", n / M)
    } else if n < 100 * T {
        write!(out, "{:>8}G", n / G)
    } else {
        write!(out, "{:>8}T", n / T)
    };
}

#[cfg(test)]
mod tests {
    use super::largenum;

    #[test]
    fn unit_boundaries() {
        assert_eq!(largenum(0, false), "        0");
        assert_eq!(largenum(99_999_999, false), " 99999999");
        assert_eq!(largenum(100_000_000, false), "  100000K");
        assert_eq!(largenum(999_999_999, false), "  999999K");
        assert_eq!(largenum(1_000_000_000, false), "    1000M");
        assert_eq!(largenum(99_999_999_999, false), "   99999M");
        assert_eq!(largenum(100_000_000_000, false), "     100G");
        assert_eq!(largenum(99_999_999_999_999, false), "   99999G");
        assert_eq!(largenum(100_000_000_000_000, false), "     100T");
        assert_eq!(largenum(u64::MAX, false), "18446744T");
    }

    #[test]
    fn every_cell_is_nine_wide_even_at_u64_max() {
        for n in [
            0,
            7,
            99_999_999,
            123_456_789,
            4_000_000_000,
            1 << 50,
            1 << 60,
        ] {
            assert_eq!(largenum(n, false).len(), 9, "{n}");
        }
    }

    #[test]
    fn exact_widens_past_eight_digits() {
        assert_eq!(largenum(0, true), "        0");
        assert_eq!(largenum(99_999_999, true), " 99999999");
        assert_eq!(largenum(100_000_000, true), " 100000000");
        assert_eq!(largenum(100_000_000_000_000, true), " 100000000000000");
        assert_eq!(largenum(u64::MAX, true), format!(" {}", u64::MAX));
    }
}
