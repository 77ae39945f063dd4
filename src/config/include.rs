//! Reads files into one stream of located tokens, splicing `include GLOB` in place.
//!
//! keepalived splices includes textually (an include may sit inside a block), so this
//! works below the tree. Patterns are relative to the including file's directory; a
//! literal path that cannot be read is an error, a wildcard that matches nothing only a
//! warning (keepalived is silent there by default). A file that includes itself, directly
//! or through others, is reported at the include line and not read again.

use std::path::{Path, PathBuf};

use super::diag::{Diagnostics, Location};
use super::lexer::{lex_line, Line, Token};

/// A token and where it was read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Located {
    pub token: Token,
    pub at: Location,
    /// Index of the physical line in the whole stream: tokens of one line share it, so
    /// the tree can tell "same line" from "next line" even across includes.
    pub line_id: usize,
}

/// The top-level file could not be read at all.
#[derive(Debug, thiserror::Error)]
#[error("cannot read {}: {source}", path.display())]
pub struct ReadError {
    pub path: PathBuf,
    #[source]
    pub source: std::io::Error,
}

/// Bounds a glob that fans out into an absurd number of files.
const MAX_FILES: usize = 1000;

struct Loader<'d> {
    diags: &'d mut Diagnostics,
    /// Canonical paths of the files being read, outermost first.
    stack: Vec<PathBuf>,
    out: Vec<Located>,
    files_read: usize,
    line_id: usize,
}

/// Reads `path` and everything it includes.
pub fn load_file(path: &Path, diags: &mut Diagnostics) -> Result<Vec<Located>, ReadError> {
    let bytes = std::fs::read(path).map_err(|source| ReadError {
        path: path.to_path_buf(),
        source,
    })?;
    let text = String::from_utf8_lossy(&bytes);
    Ok(load_text(&text, path, diags))
}

/// Lexes `text` as if it were the file `name` (includes resolve from `name`'s directory).
pub fn load_text(text: &str, name: &Path, diags: &mut Diagnostics) -> Vec<Located> {
    let mut loader = Loader {
        diags,
        stack: Vec::new(),
        out: Vec::new(),
        files_read: 1,
        line_id: 0,
    };
    loader
        .stack
        .push(std::fs::canonicalize(name).unwrap_or_else(|_| name.to_path_buf()));
    loader.text(text, name);
    loader.out
}

fn has_wildcard(p: &str) -> bool {
    p.contains(['*', '?', '['])
}

impl Loader<'_> {
    fn text(&mut self, text: &str, file: &Path) {
        let mut warned_unicode_space = false;
        for (n, raw) in text.split('\n').enumerate() {
            let line_no = u32::try_from(n + 1).unwrap_or(u32::MAX);
            let at = Location::new(file, line_no);
            let raw = raw.strip_suffix('\r').unwrap_or(raw);
            self.line_id += 1;
            // Pasted from web pages: non-breaking spaces. keepalived would glue them to
            // words; lvsdeck separates words at them and says so once per file.
            if !warned_unicode_space && raw.chars().any(|c| c.is_whitespace() && !c.is_ascii()) {
                warned_unicode_space = true;
                self.diags.warning(
                    &at,
                    "non-ASCII white space (e.g. a non-breaking space) is read as a space here and below; keepalived would not",
                );
            }
            let trimmed = raw.trim_start();
            if let Some(first) = trimmed.chars().next().filter(|c| "$@~".contains(*c)) {
                let what = match first {
                    '$' => "parameter definitions ($NAME=...)",
                    '@' => "conditional lines (@ID ...)",
                    _ => "~SEQ/~LST expansions",
                };
                self.diags
                    .warning(&at, format!("{what} are not supported; line ignored"));
                continue;
            }
            match lex_line(raw) {
                Ok(Line::Tokens(tokens)) => {
                    for token in tokens {
                        self.out.push(Located {
                            token,
                            at: at.clone(),
                            line_id: self.line_id,
                        });
                    }
                }
                Ok(Line::Include(pattern)) => self.include(&pattern, file, &at),
                Err(e) => self.diags.error(&at, e.to_string()),
            }
        }
    }

    fn include(&mut self, pattern: &str, from: &Path, at: &Location) {
        if pattern.is_empty() {
            self.diags.error(at, "include needs a file name or pattern");
            return;
        }
        let base = from.parent().unwrap_or_else(|| Path::new(""));
        let full = base.join(pattern);
        let full_text = full.to_string_lossy().to_string();
        let files: Vec<PathBuf> = if has_wildcard(pattern) {
            let paths = match glob::glob(&full_text) {
                Ok(p) => p,
                Err(e) => {
                    self.diags
                        .error(at, format!("bad include pattern '{pattern}': {e}"));
                    return;
                }
            };
            let mut files = Vec::new();
            for p in paths {
                match p {
                    Ok(p) => files.push(p),
                    Err(e) => self.diags.error(at, format!("include '{pattern}': {e}")),
                }
            }
            if files.is_empty() {
                self.diags
                    .warning(at, format!("include '{pattern}' matched no files"));
            }
            files
        } else {
            vec![full]
        };
        for file in files {
            self.one_file(&file, at);
        }
    }

    fn one_file(&mut self, file: &Path, at: &Location) {
        if file.is_dir() {
            self.diags.warning(
                at,
                format!("included '{}' is a directory; skipped", file.display()),
            );
            return;
        }
        let canonical = std::fs::canonicalize(file).unwrap_or_else(|_| file.to_path_buf());
        if self.stack.contains(&canonical) {
            self.diags.error(
                at,
                format!(
                    "include loop: '{}' is already being read; not included again",
                    file.display()
                ),
            );
            return;
        }
        if self.files_read >= MAX_FILES {
            self.diags.error(
                at,
                format!(
                    "more than {MAX_FILES} files included; '{}' skipped",
                    file.display()
                ),
            );
            return;
        }
        let bytes = match std::fs::read(file) {
            Ok(b) => b,
            Err(e) => {
                self.diags.error(
                    at,
                    format!("cannot read included file '{}': {e}", file.display()),
                );
                return;
            }
        };
        self.files_read += 1;
        self.stack.push(canonical);
        self.text(&String::from_utf8_lossy(&bytes), file);
        self.stack.pop();
    }
}
