//! SMTP_CHECK: a 220 greeting, then `HELO helo_name` answered by 250; QUIT is sent politely
//! and its answer not awaited.

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

use super::target::{within, Target};
use crate::check::Outcome;

pub async fn check(t: &Target, helo: &str) -> Outcome {
    match run(t, helo).await {
        Ok(()) => Outcome::Up,
        Err(e) => Outcome::Down(e),
    }
}

async fn run(t: &Target, helo: &str) -> Result<(), String> {
    let stream = t.tcp().await.map_err(|e| format!("connect: {e}"))?;
    let mut s = BufReader::new(stream);
    expect(t, &mut s, 220, "greeting").await?;
    let line = format!("HELO {helo}\r\n");
    within(t.timeout, "HELO", s.get_mut().write_all(line.as_bytes()))
        .await
        .map_err(|e| e.to_string())?;
    expect(t, &mut s, 250, "HELO").await?;
    let _ = s.get_mut().write_all(b"QUIT\r\n").await;
    Ok(())
}

/// Reads one reply, continuation lines (`220-...`) included, and checks its code.
async fn expect(
    t: &Target,
    s: &mut BufReader<tokio::net::TcpStream>,
    code: u16,
    step: &str,
) -> Result<(), String> {
    for _ in 0..64 {
        let mut line = String::new();
        let n = within(t.timeout, step, s.read_line(&mut line))
            .await
            .map_err(|e| e.to_string())?;
        if n == 0 {
            return Err(format!("{step}: connection closed"));
        }
        let got = line.get(..3).and_then(|c| c.parse::<u16>().ok());
        if got != Some(code) {
            return Err(format!(
                "{step}: expected {code}, got '{}'",
                line.trim_end()
            ));
        }
        if line.as_bytes().get(3) != Some(&b'-') {
            return Ok(());
        }
    }
    Err(format!("{step}: reply too long"))
}
