//! Which options go with which command, and which tunnel options with which tunnel type:
//! ipvsadm's two compatibility tables, checked in its order so the first complaint is
//! the same one ipvsadm would make.

use super::error::RuleError;
use super::options::{Bit, Cmd, ALL_BITS};
use crate::ipvs::TunnelType;

/// One row per command (in `Cmd` order), one cell per `Bit` (in `ALL_BITS` order):
/// `+` required, `x` illegal, `1` at most one of the `1`s, `.` optional.
const COMMAND_TABLE: [&str; 14] = [
    // n c s v s p M r f w x y m t d s r t p s s e o p b g p t s t t t n c r s
    "x x + . . . x x x x x x x x x x x x x x x . . . x x x x x x x x x x x", // add-service
    "x x + . . . x x x x x x x x x x x x x x x . . . x x x x x x x x x x x", // edit-service
    "x x + x x x x x x x x x x x x x x x x x x x x x x x x x x x x x x x x", // delete-service
    "x x x x x x x x x x x x x x x x x x x x x x x x x x x x x x x x x x x", // flush
    ". 1 1 x x x x x x x x x 1 1 . . . . . . . x x x x x x x . x x x x x x", // list
    "x x + x x x + . . . . x x x x x x x x x x x x x x x x x x . . . . . x", // add-server
    "x x + x x x + x x x x x x x x x x x x x x x x x x x x x x x x x x x x", // delete-server
    "x x + x x x + . . . . x x x x x x x x x x x x x x x x x x . . . . . x", // edit-server
    "x x x x x x x x x x x x x x x x x x x x x x x x x x x x x x x x x x x", // set
    "x x x x x x x x x x x . x x x x x x x . x x x x . . . . x x x x x x x", // start-daemon
    "x x x x x x x x x x x x x x x x x x x . x x x x x x x x x x x x x x x", // stop-daemon
    "x x x x x x x x x x x x x x x x x x x x x x x x x x x x x x x x x x x", // restore
    ". x x x x x x x x x x x x x x x x x x x x x x x x x x x x x x x x x .", // save
    "x x . x x x x x x x x x x x x x x x x x x x x x x x x x x x x x x x x", // zero
];

/// The rule in `column`: cells are one byte each, one space apart (checked by a test), so a
/// lookup is an index, not a walk over the row (this runs for every restored line).
fn cell(row: &str, column: usize) -> u8 {
    row.as_bytes().get(column * 2).copied().unwrap_or(b'x')
}

/// Checks the options given (`Bit` masks) against `cmd`'s row.
pub fn check_command(cmd: Cmd, given: u64) -> Result<(), RuleError> {
    let row = COMMAND_TABLE[cmd.index()];
    let mut first_exclusive: Option<Bit> = None;
    for (column, bit) in ALL_BITS.iter().enumerate() {
        let rule = cell(row, column);
        if given & bit.mask() == 0 {
            if rule == b'+' {
                return Err(RuleError::MissingOption {
                    option: bit.name(),
                    command: cmd.name(),
                });
            }
            continue;
        }
        match rule {
            b'x' => {
                return Err(RuleError::IllegalOption {
                    option: bit.name(),
                    command: cmd.name(),
                })
            }
            b'1' => match first_exclusive {
                None => first_exclusive = Some(*bit),
                Some(other) => {
                    return Err(RuleError::ConflictingOptions {
                        option: bit.name(),
                        other: other.name(),
                        command: cmd.name(),
                    })
                }
            },
            _ => {}
        }
    }
    Ok(())
}

/// The tunnel options, in the tunnel table's column order.
const TUNNEL_BITS: [Bit; 4] = [Bit::TunPort, Bit::TunNocsum, Bit::TunCsum, Bit::TunRemcsum];

pub fn tunnel_name(t: TunnelType) -> &'static str {
    match t {
        TunnelType::Ipip => "ipip",
        TunnelType::Gue => "gue",
        TunnelType::Gre => "gre",
    }
}

/// Checks the tunnel options given against the tunnel type.
pub fn check_tunnel(tun: TunnelType, given: u64) -> Result<(), RuleError> {
    let row = match tun {
        TunnelType::Ipip => "x x x x",
        TunnelType::Gue => "+ 1 1 1",
        TunnelType::Gre => "x 1 1 x",
    };
    let tunnel = tunnel_name(tun);
    let mut first_exclusive: Option<Bit> = None;
    for (column, bit) in TUNNEL_BITS.iter().enumerate() {
        let rule = cell(row, column);
        if given & bit.mask() == 0 {
            if rule == b'+' {
                return Err(RuleError::MissingTunnelOption {
                    option: bit.name(),
                    tunnel,
                });
            }
            continue;
        }
        match rule {
            b'x' => {
                return Err(RuleError::IllegalTunnelOption {
                    option: bit.name(),
                    tunnel,
                })
            }
            b'1' => match first_exclusive {
                None => first_exclusive = Some(*bit),
                Some(other) => {
                    return Err(RuleError::ConflictingTunnelOptions {
                        option: bit.name(),
                        other: other.name(),
                        tunnel,
                    })
                }
            },
            _ => {}
        }
    }
    Ok(())
}

/// List modifiers that cannot be combined (beyond the table's `1`s).
pub fn check_list(given: u64) -> Result<(), RuleError> {
    let any = |bits: &[Bit]| bits.iter().any(|b| given & b.mask() != 0);
    let mode = any(&[Bit::Connection, Bit::Timeout, Bit::Daemon]);
    let columns = any(&[Bit::Stats, Bit::Rate, Bit::Thresholds]);
    let timeout_or_daemon = any(&[Bit::Timeout, Bit::Daemon]);
    if (mode && columns) || (timeout_or_daemon && any(&[Bit::PersistentConn])) {
        return Err(RuleError::ListConflict);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_row_has_a_cell_per_option() {
        for row in COMMAND_TABLE {
            assert_eq!(row.split_whitespace().count(), ALL_BITS.len(), "{row}");
        }
    }

    #[test]
    fn first_complaint_in_table_order() {
        let given = Bit::Weight.mask() | Bit::Numeric.mask();
        assert_eq!(
            check_command(Cmd::DelDest, given).map_err(|e| e.to_string()),
            Err("Illegal 'numeric' option with the 'delete-server' command".into())
        );
        assert_eq!(
            check_command(Cmd::List, Bit::Connection.mask() | Bit::Service.mask())
                .map_err(|e| e.to_string()),
            Err("The option 'service-address' conflicts with the 'connection' option in the 'list' command".into())
        );
        assert_eq!(
            check_command(Cmd::EditDest, Bit::Service.mask()).map_err(|e| e.to_string()),
            Err("You need to supply the 'real-server' option for the 'edit-server' command".into())
        );
        assert!(check_command(Cmd::Save, Bit::SaveThresholds.mask()).is_ok());
        assert!(check_command(Cmd::List, Bit::SaveThresholds.mask()).is_err());
    }

    #[test]
    fn table_rows_are_one_byte_cells_one_space_apart() {
        for row in COMMAND_TABLE {
            assert_eq!(row.len(), ALL_BITS.len() * 2 - 1, "{row}");
            for (i, b) in row.bytes().enumerate() {
                if i % 2 == 1 {
                    assert_eq!(b, b' ', "{row}");
                } else {
                    assert!(b"+x1.".contains(&b), "{row}");
                }
            }
        }
    }

    #[test]
    fn tunnel_rules() {
        assert!(check_tunnel(TunnelType::Gue, Bit::TunPort.mask()).is_ok());
        assert_eq!(
            check_tunnel(TunnelType::Gue, 0).map_err(|e| e.to_string()),
            Err("You need to supply the 'tun-port' option for the 'gue' tunnel type".into())
        );
        assert_eq!(
            check_tunnel(TunnelType::Gre, Bit::TunRemcsum.mask()).map_err(|e| e.to_string()),
            Err("Illegal 'tun-remcsum' option with the 'gre' tunnel type".into())
        );
        assert!(check_list(Bit::Stats.mask() | Bit::Daemon.mask()).is_err());
        assert!(check_list(Bit::Stats.mask() | Bit::Numeric.mask()).is_ok());
    }
}
