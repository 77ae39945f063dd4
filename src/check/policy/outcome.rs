//! What one check found.

use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Up,
    /// Up with this weight (MISC_CHECK with `misc_dynamic`, exit code - 2).
    Weight(u32),
    /// Down, and why.
    Down(String),
}

impl Outcome {
    pub fn is_up(&self) -> bool {
        !matches!(self, Outcome::Down(_))
    }

    pub fn down(why: impl fmt::Display) -> Outcome {
        Outcome::Down(why.to_string())
    }
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Outcome::Up => f.write_str("ok"),
            Outcome::Weight(w) => write!(f, "ok, weight {w}"),
            Outcome::Down(why) => f.write_str(why),
        }
    }
}
