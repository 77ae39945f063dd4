//! The `:` bar: an ipvsadm command line (a leading `ipvsadm` is fine), with history. Read by
//! `rules::parse_line` like a `-R` line, names not resolved (update never blocks).

use tui_textarea::TextArea;

use crate::rules::{parse_line, Command, NoResolver};

/// Lines kept in the history.
pub const HISTORY: usize = 100;

#[derive(Debug, Clone, Default)]
pub struct CommandBar {
    pub input: TextArea<'static>,
    /// Position in the history while browsing with Up/Down (`None`: a new line).
    pub browsing: Option<usize>,
    pub error: Option<String>,
}

impl CommandBar {
    pub fn text(&self) -> String {
        self.input.lines().concat()
    }

    pub fn set_text(&mut self, text: &str) {
        self.input = TextArea::new(vec![text.to_string()]);
        self.input.move_cursor(tui_textarea::CursorMove::End);
    }

    /// Up (`older`) or Down through `history`.
    pub fn browse(&mut self, history: &[String], older: bool) {
        if history.is_empty() {
            return;
        }
        let next = match (self.browsing, older) {
            (None, true) => Some(history.len() - 1),
            (None, false) => None,
            (Some(i), true) => Some(i.saturating_sub(1)),
            (Some(i), false) if i + 1 < history.len() => Some(i + 1),
            (Some(_), false) => None,
        };
        self.browsing = next;
        match next {
            Some(i) => self.set_text(&history[i]),
            None => self.set_text(""),
        }
    }
}

/// Adds a line to the history (not twice in a row), keeping the last `HISTORY`.
pub fn remember(history: &mut Vec<String>, line: &str) {
    let line = line.trim();
    if line.is_empty() || history.last().is_some_and(|l| l == line) {
        return;
    }
    history.push(line.to_string());
    if history.len() > HISTORY {
        history.remove(0);
    }
}

/// What a `:` line asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Parsed {
    Nothing,
    Command(Command),
}

pub fn parse(line: &str) -> Result<Parsed, String> {
    match parse_line(line, &NoResolver) {
        Ok(None) => Ok(Parsed::Nothing),
        Ok(Some(c)) => Ok(Parsed::Command(c)),
        Err(e) => Err(e.message_for("ipvsadm")),
    }
}
