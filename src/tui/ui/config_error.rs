//! Errors in user-editable files (themes, keymaps), each with file and line so a typo is
//! found at once; all of a file's errors are reported together.

use std::fmt;

/// How a theme or keymap file is read: the console's edge passes the file system; tests
/// and built-in names need none ([`no_files`]). The loaders stay pure.
pub type ReadFile<'a> = &'a dyn Fn(&str) -> std::io::Result<String>;

/// Reads nothing: every path is missing (built-in names still load).
pub fn no_files(_path: &str) -> std::io::Result<String> {
    Err(std::io::ErrorKind::NotFound.into())
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    pub file: String,
    /// 1-based.
    pub line: usize,
    pub message: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Line 0: the file as a whole (missing, unreadable).
        match self.line {
            0 => write!(f, "{}: {}", self.file, self.message),
            n => write!(f, "{}:{n}: {}", self.file, self.message),
        }
    }
}

/// Every error found in one load.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigErrors(pub Vec<ConfigError>);

impl fmt::Display for ConfigErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{e}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ConfigErrors {}

impl ConfigErrors {
    pub fn one(file: &str, line: usize, message: impl Into<String>) -> ConfigErrors {
        ConfigErrors(vec![ConfigError {
            file: file.to_string(),
            line,
            message: message.into(),
        }])
    }
}

/// The 1-based line of a byte offset.
pub fn line_of(text: &str, offset: usize) -> usize {
    let end = offset.min(text.len());
    text.as_bytes()[..end]
        .iter()
        .filter(|b| **b == b'\n')
        .count()
        + 1
}

/// A TOML syntax error, at its line.
pub fn syntax(file: &str, text: &str, e: &toml::de::Error) -> ConfigErrors {
    let line = e.span().map_or(1, |s| line_of(text, s.start));
    ConfigErrors::one(file, line, e.message().to_string())
}

/// Where a file comes from: a built-in name, or a path read at start.
#[derive(Debug, Clone)]
pub struct Source {
    /// How errors name it (`keymaps/vim.toml`, or the path given).
    pub file: String,
    pub text: String,
}

impl Source {
    /// `spec` is a built-in name (looked up in `builtins`) or a path to read.
    pub fn resolve(
        spec: &str,
        dir: &str,
        builtins: &[(&str, &'static str)],
        read: ReadFile<'_>,
    ) -> Result<Source, ConfigErrors> {
        if let Some((name, text)) = builtins.iter().find(|(n, _)| *n == spec) {
            return Ok(Source {
                file: format!("{dir}/{name}.toml"),
                text: (*text).to_string(),
            });
        }
        let looks_like_path = spec.contains('/') || spec.ends_with(".toml");
        match read(spec) {
            Ok(text) => Ok(Source {
                file: spec.to_string(),
                text,
            }),
            Err(e) if looks_like_path => Err(ConfigErrors::one(spec, 0, e.to_string())),
            Err(_) => {
                let names: Vec<&str> = builtins.iter().map(|(n, _)| *n).collect();
                Err(ConfigErrors::one(
                    spec,
                    0,
                    format!("no such file, and not one of: {}", names.join(", ")),
                ))
            }
        }
    }
}
