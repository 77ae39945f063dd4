//! `lvsdeck control`: one request to a running daemon's control socket, its reply printed.

use std::path::Path;
use std::process::ExitCode;

use crate::engine::control::client::{short_form, Client};
use crate::engine::control::protocol::{to_line, Reply};

/// `lvsdeck control [--control PATH] REQUEST`: REQUEST is a JSON line (sent as it is), or
/// the short forms `status`, `drain|disable|undrain SERVICE -r SERVER`, `reconcile|keep
/// [ENTRY]`, and the VRRP drills `give-up INSTANCE [--for 30s]` and `priority INSTANCE
/// 1..254 [--for 30s]` (30 s when not given; the daemon logs each). Prints the reply line; exits 1 on an error reply, 2 on a bad short form.
pub async fn run(path: &Path, words: &[String]) -> anyhow::Result<ExitCode> {
    let joined = words.join(" ");
    let line = if joined.trim_start().starts_with('{') {
        joined
    } else {
        match short_form(words) {
            Ok(r) => to_line(&r),
            Err(e) => {
                eprintln!("lvsdeck control: {e}");
                return Ok(ExitCode::from(2));
            }
        }
    };
    let mut c = Client::connect(path).await?;
    let reply = c.request_line(&line).await?;
    print!("{}", to_line(&reply));
    Ok(ExitCode::from(if matches!(reply, Reply::Error { .. }) {
        1
    } else {
        0
    }))
}
