//! /proc/net/ip_vs_stats: the director's totals (`ip_vs_stats_show`), all hex.
//!
//! Two header lines, a row `Conns InPkts OutPkts InBytes OutBytes`, a blank line, a header,
//! and a row of the estimator's rates `CPS InPPS OutPPS InBPS OutBPS`.

use super::error::ProcError;
use super::hex;
use crate::ipvs::model::Stats;

const TOTAL_FIELDS: [&str; 5] = ["Conns", "InPkts", "OutPkts", "InBytes", "OutBytes"];
const RATE_FIELDS: [&str; 5] = [
    "Conns/s",
    "InPkts/s",
    "OutPkts/s",
    "InBytes/s",
    "OutBytes/s",
];

/// A counter row: five columns that are all hex. Header words ("Conns", "Bytes/s") are not.
fn is_counter_row(line: &str) -> bool {
    let mut n = 0;
    for token in line.split_ascii_whitespace() {
        if !token.bytes().all(|b| b.is_ascii_hexdigit()) {
            return false;
        }
        n += 1;
    }
    n > 0
}

fn row(line_no: usize, line: &str, names: &[&'static str; 5]) -> Result<[u64; 5], ProcError> {
    let mut values = [0u64; 5];
    let mut tokens = line.split_ascii_whitespace();
    for (value, name) in values.iter_mut().zip(names) {
        let token = tokens.next().ok_or(ProcError::Missing {
            line: line_no,
            field: name,
        })?;
        *value = hex::parse_u64(token)
            .ok_or_else(|| ProcError::invalid(line_no, name, token, "a hex counter"))?;
    }
    if let Some(extra) = tokens.next() {
        return Err(ProcError::invalid(line_no, "end of line", extra, "nothing"));
    }
    Ok(values)
}

/// The totals and rates in `text`.
pub fn parse_stats(text: &str) -> Result<Stats, ProcError> {
    let rows: Vec<(usize, &str)> = text
        .lines()
        .enumerate()
        .map(|(i, l)| (i + 1, l))
        .filter(|(_, l)| is_counter_row(l))
        .collect();
    let [(tl, totals), (rl, rates)] = rows[..] else {
        return Err(ProcError::StatsRows {
            expected: 2,
            found: rows.len(),
        });
    };
    let [conns, inpkts, outpkts, inbytes, outbytes] = row(tl, totals, &TOTAL_FIELDS)?;
    let [cps, inpps, outpps, inbps, outbps] = row(rl, rates, &RATE_FIELDS)?;
    Ok(Stats {
        conns,
        inpkts,
        outpkts,
        inbytes,
        outbytes,
        cps,
        inpps,
        outpps,
        inbps,
        outbps,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "   Total Incoming Outgoing         Incoming         Outgoing
   Conns  Packets  Packets            Bytes            Bytes
      10       59       48             184A             1B34

 Conns/s   Pkts/s   Pkts/s          Bytes/s          Bytes/s
       1        8        7              244              28B
";

    #[test]
    fn totals_and_rates() {
        let s = parse_stats(TEXT).unwrap();
        assert_eq!((s.conns, s.inpkts, s.outpkts), (0x10, 0x59, 0x48));
        assert_eq!((s.inbytes, s.outbytes), (0x184A, 0x1B34));
        assert_eq!(
            (s.cps, s.inpps, s.outpps, s.inbps, s.outbps),
            (1, 8, 7, 0x244, 0x28B)
        );
    }

    #[test]
    fn wide_counters_keep_64_bits() {
        let text = TEXT.replace("1B34", "123456789ABCDEF0");
        assert_eq!(parse_stats(&text).unwrap().outbytes, 0x1234_5678_9ABC_DEF0);
    }

    #[test]
    fn errors_name_the_field() {
        let err = parse_stats(&TEXT.replace("      1        8", "      1")).unwrap_err();
        assert!(
            err.to_string().contains("line 6: OutBytes/s is missing"),
            "{err}"
        );
        let err = parse_stats("nothing here\n").unwrap_err();
        assert!(
            matches!(err, ProcError::StatsRows { found: 0, .. }),
            "{err}"
        );
    }
}
