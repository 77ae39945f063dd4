//! Connections from /proc/net/ip_vs_conn, read incrementally.
