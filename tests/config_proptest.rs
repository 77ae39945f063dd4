//! The parser never panics, whatever the input, and every message names a line of it.

// Tests and benches state what they expect with unwrap/expect/panic (the lints are for
// the library; see Cargo.toml).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::Path;

use proptest::prelude::*;

fn fragments() -> impl Strategy<Value = String> {
    let words = prop::sample::select(vec![
        "{",
        "}",
        "\"",
        "#",
        "!",
        "\\",
        "include x*",
        "vrrp_instance V",
        "virtual_server",
        "real_server",
        "HTTP_GET",
        "url",
        "path",
        "priority",
        "255",
        "-1",
        "1.5",
        "fwmark",
        "group",
        "10.0.0.1",
        "10.0.0.1-9",
        "::1",
        "weight",
        "state",
        "MASTER",
        "\n",
        "virtual_server_group",
        "track_script",
        "global_defs",
        "lb_kind",
        "TUN",
        "type",
        "gue",
        "persistence_granularity",
        "status_code",
        "200-299",
        "\u{a0}",
        "@x",
        "$V=1",
    ]);
    prop::collection::vec(words, 0..60).prop_map(|w| w.join(" "))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn keyword_soup_never_panics(text in fragments()) {
        let l = lvsdeck::config::parse_str(&text, Path::new("p.conf"));
        let lines = text.split('\n').count() as u32;
        for d in &l.diagnostics.items {
            prop_assert!(d.at.line >= 1 && d.at.line <= lines, "{}", d);
        }
        let _ = l.config.ipvs_services();
        let _ = lvsdeck::config::summary::summary(&l.config);
    }

    #[test]
    fn arbitrary_text_never_panics(text in "\\PC{0,400}") {
        let l = lvsdeck::config::parse_str(&text, Path::new("p.conf"));
        let _ = l.config.ipvs_services();
    }
}
