//! One line of `ipvsadm -R` input.
//!
//! Like ipvsadm: words are split on spaces, tabs, CR and LF, every literal `ipvsadm`
//! word is dropped, and a line with nothing left is skipped. Comments: ipvsadm -R itself
//! knows none (ipvsadm-restore filters `^#` with grep before it), so operators' files
//! have them; a line whose first word starts with `#` is skipped here, leading blanks
//! allowed. A `#` later in a line is not a comment (ipvsadm refuses it as an unexpected
//! argument, and so do we). `-R` inside restore input is refused as ipvsadm does.

use super::error::RuleError;
use super::parser::parse;
use super::resolve::Resolver;
use super::Command;

/// Parses one restore line, names asked of `resolver`; `Ok(None)` for blank and comment
/// lines. The caller adds the line number to an error.
pub fn parse_line(line: &str, resolver: &dyn Resolver) -> Result<Option<Command>, RuleError> {
    let mut words = line
        .split([' ', '\t', '\r', '\n'])
        .filter(|w| !w.is_empty() && *w != "ipvsadm")
        .peekable();
    match words.peek() {
        None => return Ok(None),
        Some(w) if w.starts_with('#') => return Ok(None),
        Some(_) => {}
    }
    let words: Vec<&str> = words.collect();
    match parse(&words, resolver)? {
        Command::Restore => Err(RuleError::TryHelp),
        other => Ok(Some(other)),
    }
}
