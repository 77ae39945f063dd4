//! TCP_CHECK: the server is up when a connection opens.

use std::time::Duration;

use super::target::Target;
use crate::check::Outcome;

pub async fn check(t: &Target) -> Outcome {
    match t.tcp().await {
        Ok(s) => {
            // Reset instead of FIN: thousands of checks a second would otherwise leave as
            // many sockets in TIME_WAIT on the director.
            // A zero linger never blocks: the close is an immediate RST.
            let _ = socket2::SockRef::from(&s).set_linger(Some(Duration::ZERO));
            Outcome::Up
        }
        Err(e) => Outcome::down(format!("connect: {e}")),
    }
}
