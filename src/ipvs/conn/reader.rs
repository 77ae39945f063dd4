//! A synchronous, line-at-a-time reader of the connection files, for `lvsdeck adm -c` (which
//! prints as it reads, as ipvsadm does) and for the background scan.

use std::borrow::Cow;
use std::fs::File;
use std::io::{self, BufRead, BufReader};
use std::path::{Path, PathBuf};

use thiserror::Error;

use super::line::{parse_line, parse_sync_line, ConnParseError, SyncConnection};
use crate::ipvs::model::Connection;

/// Read buffer: the kernel hands out a seq_file a page or so per read(2); a larger buffer
/// keeps the syscall count down on big tables.
pub(crate) const READ_BUFFER: usize = 256 * 1024;

#[derive(Debug, Error)]
pub enum ConnReadError {
    #[error("cannot open {}: {source}", path.display())]
    Open { path: PathBuf, source: io::Error },
    #[error("reading the connection table: {0}")]
    Read(#[from] io::Error),
    #[error("line {line}: {source}")]
    Parse { line: u64, source: ConnParseError },
}

/// Reads one line into `buf` (cleared first); `Ok(false)` at the end of the input.
pub(crate) fn next_line<R: BufRead>(reader: &mut R, buf: &mut Vec<u8>) -> io::Result<bool> {
    buf.clear();
    Ok(reader.read_until(b'\n', buf)? > 0)
}

/// The line as text. The kernel writes ASCII, except PE data which is copied from packets:
/// never fail on it, replace what is not UTF-8.
pub(crate) fn as_text(buf: &[u8]) -> Cow<'_, str> {
    // The strict check first: it is much faster than the lossy one on valid text.
    match std::str::from_utf8(buf) {
        Ok(s) => Cow::Borrowed(s),
        Err(_) => String::from_utf8_lossy(buf),
    }
}

/// Connections from a reader of the file's text, header and blank lines skipped.
/// Each item is one line: a bad line is an error item, and reading goes on after it.
pub struct ConnLines<R, T> {
    reader: R,
    buf: Vec<u8>,
    line: u64,
    done: bool,
    parse: fn(&str) -> Result<T, ConnParseError>,
}

impl<R: BufRead, T> Iterator for ConnLines<R, T> {
    type Item = Result<T, ConnReadError>;

    fn next(&mut self) -> Option<Self::Item> {
        while !self.done {
            match next_line(&mut self.reader, &mut self.buf) {
                Ok(true) => {}
                Ok(false) => self.done = true,
                Err(e) => {
                    self.done = true;
                    return Some(Err(e.into()));
                }
            }
            if self.done {
                break;
            }
            self.line += 1;
            match (self.parse)(&as_text(&self.buf)) {
                Ok(v) => return Some(Ok(v)),
                Err(ConnParseError::Header | ConnParseError::Empty) => continue,
                Err(source) => {
                    return Some(Err(ConnReadError::Parse {
                        line: self.line,
                        source,
                    }))
                }
            }
        }
        None
    }
}

/// /proc/net/ip_vs_conn's text from any reader.
pub fn conn_lines<R: BufRead>(reader: R) -> ConnLines<R, Connection> {
    ConnLines {
        reader,
        buf: Vec::with_capacity(256),
        line: 0,
        done: false,
        parse: parse_line,
    }
}

/// /proc/net/ip_vs_conn_sync's text from any reader.
pub fn sync_conn_lines<R: BufRead>(reader: R) -> ConnLines<R, SyncConnection> {
    ConnLines {
        reader,
        buf: Vec::with_capacity(256),
        line: 0,
        done: false,
        parse: parse_sync_line,
    }
}

pub(crate) fn open(path: &Path) -> Result<BufReader<File>, ConnReadError> {
    let file = File::open(path).map_err(|source| ConnReadError::Open {
        path: path.to_path_buf(),
        source,
    })?;
    Ok(BufReader::with_capacity(READ_BUFFER, file))
}

/// Opens a connection file (normally [`super::CONN_PATH`]) for reading line by line.
pub fn read_conns(path: &Path) -> Result<ConnLines<BufReader<File>, Connection>, ConnReadError> {
    Ok(conn_lines(open(path)?))
}

/// Opens a sync connection file (normally [`super::CONN_SYNC_PATH`]).
pub fn read_sync_conns(
    path: &Path,
) -> Result<ConnLines<BufReader<File>, SyncConnection>, ConnReadError> {
    Ok(sync_conn_lines(open(path)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str =
        "Pro FromIP   FPrt ToIP     TPrt DestIP   DPrt State       Expires PEName PEData\n\
TCP C633640A ACCC C633640A 0050 7F000001 1F91 TIME_WAIT       115\n\
TCP C633640A ACCC C633640A 0050 7F000001 NOPE TIME_WAIT       115\n\
\n\
UDP C633640C 0000 C633640C 13C4 7F000001 13C4 NONE             55 sip abc@127.0.0.1\n";

    #[test]
    fn skips_header_reports_bad_lines_and_goes_on() {
        let items: Vec<_> = conn_lines(TEXT.as_bytes()).collect();
        assert_eq!(items.len(), 3);
        assert_eq!(items[0].as_ref().unwrap().dest_port, 0x1F91);
        match &items[1] {
            Err(ConnReadError::Parse { line, source }) => {
                assert_eq!(*line, 3);
                assert!(source.to_string().contains("DPrt"));
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(items[2].as_ref().unwrap().pe_name.as_deref(), Some("sip"));
    }

    #[test]
    fn missing_file_names_the_path() {
        let err = read_conns(Path::new("/nonexistent/ip_vs_conn"))
            .err()
            .unwrap();
        assert!(err.to_string().contains("/nonexistent/ip_vs_conn"), "{err}");
    }

    #[test]
    fn last_line_without_newline() {
        let text = "TCP C633640A ACCC C633640A 0050 7F000001 1F91 TIME_WAIT 5";
        let conns: Vec<_> = conn_lines(text.as_bytes()).collect();
        assert_eq!(conns.len(), 1);
        assert_eq!(conns[0].as_ref().unwrap().expires, 5);
    }
}
