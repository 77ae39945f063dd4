//! Mail alerts end to end on loopback: keepalived.conf's notification_email, smtp_server
//! and smtp_alert; a real server's listener goes away, the checker says down, the alert
//! goes out through lettre to a small SMTP server in this test, which checks the envelope
//! and the message.

// Tests and benches state what they expect with unwrap/expect/panic (the lints are for
// the library; see Cargo.toml).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::Path;
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;
use tokio::sync::mpsc;
use tokio::time::timeout;

use lvsdeck::engine::alerts::{vrrp_alert, Alerter, MailConfig, Mailer};
use lvsdeck::engine::health::checks::{Checks, Down};

/// One received mail: the envelope and the DATA text.
#[derive(Debug, Default)]
struct Mail {
    from: String,
    to: Vec<String>,
    data: String,
}

/// A minimal SMTP server: one connection at a time, mails reported on `out`.
async fn smtp_server(l: TcpListener, out: mpsc::UnboundedSender<Mail>) {
    while let Ok((s, _)) = l.accept().await {
        let (r, mut w) = s.into_split();
        let mut lines = BufReader::new(r).lines();
        let _ = w.write_all(b"220 test ESMTP\r\n").await;
        let mut mail = Mail::default();
        while let Ok(Some(line)) = lines.next_line().await {
            let upper = line.to_ascii_uppercase();
            let reply: &[u8] = if upper.starts_with("EHLO") || upper.starts_with("HELO") {
                b"250 test\r\n"
            } else if upper.starts_with("MAIL FROM:") {
                mail.from = line[10..].trim().to_string();
                b"250 ok\r\n"
            } else if upper.starts_with("RCPT TO:") {
                mail.to.push(line[8..].trim().to_string());
                b"250 ok\r\n"
            } else if upper == "DATA" {
                let _ = w.write_all(b"354 go on\r\n").await;
                while let Ok(Some(l)) = lines.next_line().await {
                    if l == "." {
                        break;
                    }
                    mail.data.push_str(&l);
                    mail.data.push('\n');
                }
                // Headers unfolded (RFC 5322: a line break before white space is folding).
                mail.data = mail.data.replace("\n ", " ");
                let _ = out.send(std::mem::take(&mut mail));
                b"250 queued\r\n"
            } else if upper == "QUIT" {
                let _ = w.write_all(b"221 bye\r\n").await;
                break;
            } else {
                b"250 ok\r\n"
            };
            let _ = w.write_all(reply).await;
        }
    }
}

fn conf(smtp: u16, up: u16, dead: u16) -> String {
    format!(
        "global_defs {{
  router_id lab1
  notification_email {{
    ops@example.com
    oncall@example.org
  }}
  notification_email_from lvs@example.net
  smtp_server 127.0.0.1 {smtp}
  smtp_connect_timeout 3
}}
virtual_server 127.0.0.1 8000 {{
  delay_loop 0.2
  lb_kind NAT
  protocol TCP
  smtp_alert
  real_server 127.0.0.1 {up} {{
    smtp_alert off
    TCP_CHECK {{
      connect_timeout 0.5
      retry 0
      warmup 0
    }}
  }}
  real_server 127.0.0.1 {dead} {{
    TCP_CHECK {{
      connect_timeout 0.5
      retry 0
      warmup 0
    }}
  }}
}}
"
    )
}

#[tokio::test]
async fn real_server_down_and_vrrp_state_are_mailed() {
    let smtp = TcpListener::bind("127.0.0.1:0").await.expect("bind smtp");
    let smtp_port = smtp.local_addr().expect("addr").port();
    let (mail_tx, mut mails) = mpsc::unbounded_channel();
    tokio::spawn(smtp_server(smtp, mail_tx));
    let up = TcpListener::bind("127.0.0.1:0").await.expect("bind up");
    let up_port = up.local_addr().expect("addr").port();
    let dying = TcpListener::bind("127.0.0.1:0").await.expect("bind dying");
    let dead_port = dying.local_addr().expect("addr").port();

    let loaded =
        lvsdeck::config::parse_str(&conf(smtp_port, up_port, dead_port), Path::new("a.conf"));
    assert!(loaded.is_ok(), "{:?}", loaded.diagnostics);
    let cfg = MailConfig::from_global(&loaded.config.global).expect("mail configured");
    let mailer = Mailer::spawn(cfg.clone());
    let (tx, mut events) = mpsc::unbounded_channel();
    let checks = Checks::start(&loaded.config, &Down::new(), tx);
    let mut alerter = Alerter::default();
    tokio::time::sleep(Duration::from_millis(300)).await;
    alerter.seed(&checks.statuses().await);

    // Both listeners close: only the server with smtp_alert on (inherited) is mailed.
    drop((up, dying));
    let mut sent = 0;
    let end = tokio::time::Instant::now() + Duration::from_secs(5);
    while sent < 1 {
        let e = timeout(end - tokio::time::Instant::now(), events.recv()).await;
        assert!(matches!(e, Ok(Some(_))), "no down decision");
        for a in alerter.changes(&cfg.router_id, &checks.specs, &checks.statuses().await) {
            mailer.send(a);
            sent += 1;
        }
    }
    mailer.send(vrrp_alert(&cfg.router_id, "VI_1", "MASTER"));

    let m = timeout(Duration::from_secs(5), mails.recv())
        .await
        .expect("mail in time")
        .expect("mail");
    assert_eq!(m.from, "<lvs@example.net>");
    assert_eq!(m.to, vec!["<ops@example.com>", "<oncall@example.org>"]);
    let subject = format!("Subject: [lab1] Realserver [127.0.0.1]:{dead_port} of virtual server 127.0.0.1 8000 - DOWN");
    assert!(m.data.contains(&subject), "{}", m.data);
    assert!(
        m.data.contains("TCP_CHECK"),
        "the reason is in the body: {}",
        m.data
    );
    let v = timeout(Duration::from_secs(5), mails.recv())
        .await
        .expect("mail in time")
        .expect("mail");
    assert!(
        v.data
            .contains("Subject: [lab1] VRRP Instance VI_1 - Entering MASTER state"),
        "{}",
        v.data
    );
    // No mail for the server whose smtp_alert is off.
    tokio::time::sleep(Duration::from_millis(500)).await;
    while let Ok(e) = events.try_recv() {
        drop(e);
    }
    assert!(alerter
        .changes(&cfg.router_id, &checks.specs, &checks.statuses().await)
        .is_empty());
    assert!(
        mails.try_recv().is_err(),
        "an alert for a server with smtp_alert off"
    );
    checks.stop().await;
}
