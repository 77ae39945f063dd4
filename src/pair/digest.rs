//! The configuration digests a pair compares. Two directors of a pair never have the same
//! keepalived.conf byte for byte: each has its own `priority`, often its own `state`,
//! `unicast_src_ip` and `unicast_peer` (the other's address), `router_id`. What must agree
//! is everything else: the instances and their VRIDs, the VIPs, the virtual and real
//! servers, the checkers. So a director reports the digest of its file and the digest of
//! its shared part: the file without comments, blank lines and those per-director lines.
//! (`include`d files are not followed: the digest is of the file the daemon was given.)

use sha2::{Digest, Sha256};

use super::state::ConfigDigest;

/// Keywords whose value is this director's own.
const PER_DIRECTOR: &[&str] = &[
    "state",
    "priority",
    "unicast_src_ip",
    "mcast_src_ip",
    "router_id",
    "lvs_id",
    "nopreempt",
    "preempt_delay",
];

/// Blocks whose contents are this director's own (`unicast_peer { 192.0.2.2 }`).
const PER_DIRECTOR_BLOCKS: &[&str] = &["unicast_peer"];

/// The file's text with only what both directors must share, one normalized line each.
pub fn shared_text(text: &str) -> String {
    let mut out = String::new();
    let mut skip_depth: Option<usize> = None;
    let mut depth = 0usize;
    for raw in text.lines() {
        let line = raw
            .split(['#', '!'])
            .next()
            .unwrap_or_default()
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        if line.is_empty() {
            continue;
        }
        let first = line.split(' ').next().unwrap_or_default();
        let opens = line.matches('{').count();
        let closes = line.matches('}').count();
        let before = depth;
        depth = (depth + opens).saturating_sub(closes);
        if let Some(d) = skip_depth {
            if depth <= d {
                skip_depth = None;
            }
            continue;
        }
        if PER_DIRECTOR_BLOCKS.contains(&first) {
            if opens > closes {
                skip_depth = Some(before);
            }
            continue;
        }
        if PER_DIRECTOR.contains(&first) {
            continue;
        }
        out.push_str(&line);
        out.push('\n');
    }
    out
}

fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The digests of a configuration file read from `path`.
pub fn digests(path: &str, bytes: &[u8]) -> ConfigDigest {
    ConfigDigest {
        path: path.to_string(),
        sha256: sha256_hex(bytes),
        shared_sha256: sha256_hex(shared_text(&String::from_utf8_lossy(bytes)).as_bytes()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const A: &str = "! lb1\nvrrp_instance VI_1 {\n    state MASTER\n    interface eth0\n    virtual_router_id 51\n    priority 150\n    unicast_src_ip 192.0.2.1\n    unicast_peer {\n        192.0.2.2\n    }\n    virtual_ipaddress {\n        198.51.100.10/24\n    }\n}\n";
    const B: &str = "# lb2, the backup\nvrrp_instance VI_1 {\n  state BACKUP\n  interface eth0\n  virtual_router_id 51\n  priority 100   # lower\n  unicast_src_ip 192.0.2.2\n  unicast_peer { 192.0.2.1 }\n\n  virtual_ipaddress {\n    198.51.100.10/24\n  }\n}\n";

    #[test]
    fn the_two_halves_of_a_pair_share_a_digest() {
        let (a, b) = (digests("a", A.as_bytes()), digests("b", B.as_bytes()));
        assert_ne!(a.sha256, b.sha256);
        assert_eq!(shared_text(A), shared_text(B));
        assert_eq!(a.shared_sha256, b.shared_sha256);
        assert_eq!(a.sha256.len(), 64);
    }

    #[test]
    fn a_different_vip_or_vrid_is_a_different_digest() {
        let c = B.replace("198.51.100.10/24", "198.51.100.11/24");
        assert_ne!(shared_text(A), shared_text(&c));
        let d = B.replace("virtual_router_id 51", "virtual_router_id 52");
        assert_ne!(shared_text(A), shared_text(&d));
        // What follows a skipped block is kept.
        assert!(shared_text(A).contains("virtual_ipaddress {\n198.51.100.10/24\n}"));
    }
}
