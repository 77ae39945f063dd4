//! Reading one line at most `max` bytes long from a stream that may send anything: a
//! longer line is skipped up to its end and reported by its length, never held whole in
//! memory; bytes that are not UTF-8 are replaced.

use std::io;

use tokio::io::{AsyncBufRead, AsyncBufReadExt};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Line {
    Text(String),
    /// A line longer than the limit (its length), skipped.
    TooLong(usize),
    /// The stream ended.
    End,
}

/// The next line, without its newline.
pub async fn next_line<R: AsyncBufRead + Unpin>(r: &mut R, max: usize) -> io::Result<Line> {
    let mut buf: Vec<u8> = Vec::new();
    let mut len = 0usize;
    loop {
        let chunk = r.fill_buf().await?;
        if chunk.is_empty() {
            // The end: a last line without its newline still counts.
            return Ok(match len {
                0 => Line::End,
                n if n > max => Line::TooLong(n),
                _ => Line::Text(String::from_utf8_lossy(&buf).into_owned()),
            });
        }
        let (take, done) = match chunk.iter().position(|b| *b == b'\n') {
            Some(i) => (i, true),
            None => (chunk.len(), false),
        };
        if len + take <= max {
            buf.extend_from_slice(&chunk[..take]);
        } else if !buf.is_empty() {
            buf = Vec::new();
        }
        len += take;
        r.consume(if done { take + 1 } else { take });
        if done {
            if len > max {
                return Ok(Line::TooLong(len));
            }
            let mut s = String::from_utf8_lossy(&buf).into_owned();
            if s.ends_with('\r') {
                s.pop();
            }
            return Ok(Line::Text(s));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn long_lines_are_skipped_and_the_next_one_is_read() {
        let input = format!("short\n{}\nafter\n\u{0}\u{ff}tail", "x".repeat(100));
        let mut r = tokio::io::BufReader::with_capacity(7, input.as_bytes());
        assert_eq!(
            next_line(&mut r, 10).await.unwrap(),
            Line::Text("short".into())
        );
        assert_eq!(next_line(&mut r, 10).await.unwrap(), Line::TooLong(100));
        assert_eq!(
            next_line(&mut r, 10).await.unwrap(),
            Line::Text("after".into())
        );
        assert!(
            matches!(next_line(&mut r, 10).await.unwrap(), Line::Text(t) if t.ends_with("tail"))
        );
        assert_eq!(next_line(&mut r, 10).await.unwrap(), Line::End);
    }
}
