//! The Prometheus/OpenMetrics endpoint (`--metrics ADDR` on `lvsdeck daemon` and the
//! console): [`families`] turns what one scrape read (the kernel table through the one
//! netlink client, the director's picture) into metric families — pure, unit-tested —
//! and [`edge`] is the HTTP listener that reads the sources and streams the text.

pub mod edge;
pub mod families;
