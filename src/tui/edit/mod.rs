//! Changing the table from the console: forms, the `:` bar, previews, confirmations, undo and
//! drains, with their keys (`keys`, `flow`) and their dialogs' view (`view`). Pure like
//! `update`: keys come in, `Effect::Apply` goes out; the runner applies it atomically and
//! writes the audit log.

pub mod command_bar;
pub mod confirm;
pub mod drain;
pub mod flow;
pub mod form;
pub mod keys;
pub mod undo;
pub mod view;

use std::collections::HashMap;
use std::time::Instant;

use crate::ipvs::Op;

use super::table::columns::RowKey;
use command_bar::CommandBar;
use confirm::Confirm;
use drain::Drain;
use form::Form;

/// One change as the operator sees it: what it is, and the ops that make it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    pub title: String,
    pub ops: Vec<Op>,
}

impl Change {
    pub fn new(title: impl Into<String>, ops: Vec<Op>) -> Change {
        Change {
            title: title.into(),
            ops,
        }
    }

    /// The ipvsadm lines that make this change, as the preview and the audit log print them.
    pub fn lines(&self) -> Vec<String> {
        self.ops
            .iter()
            .map(|op| format!("ipvsadm {}", line(op)))
            .collect()
    }
}

/// The replayable ipvsadm line of one op (thresholds kept): see [`crate::rules::replay_line`].
pub use crate::rules::replay_line as line;

/// A change shown before it is applied: Enter applies, Esc goes back (to the form, if any).
#[derive(Debug, Clone)]
pub struct Preview {
    pub change: Change,
    pub back: Option<Form>,
    /// The kernel's refusal, shown in the dialog.
    pub error: Option<String>,
}

/// The one modal thing on screen, if any.
#[derive(Debug, Clone)]
pub enum Dialog {
    Form(Form),
    Preview(Preview),
    Confirm(Confirm),
    Command(CommandBar),
}

/// A change sent to the runner, waiting for `Event::Applied`.
#[derive(Debug, Clone)]
pub struct InFlight {
    pub change: Change,
    /// What undoes it, computed from the table before it (`None`: cannot be undone).
    pub inverse: Option<Change>,
    /// Drain bookkeeping to do when it succeeds.
    pub drain: Option<drain::Update>,
    /// The dialog to reopen with the kernel's message if the change is refused.
    pub back: Option<Dialog>,
}

/// The status line after a change: the line applied, or why it failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Message {
    Info(String),
    Error(String),
}

#[derive(Debug, Clone, Default)]
pub struct EditState {
    pub dialog: Option<Dialog>,
    /// `:` lines entered, oldest first.
    pub history: Vec<String>,
    /// The inverse of the last applied change.
    pub undo: Option<Change>,
    pub drains: HashMap<RowKey, Drain>,
    pub in_flight: Option<InFlight>,
    pub message: Option<Message>,
    /// `--read-only`: refuse every change, say so in the header.
    pub read_only: bool,
}

impl EditState {
    pub fn info(&mut self, text: impl Into<String>) {
        self.message = Some(Message::Info(text.into()));
    }

    pub fn error(&mut self, text: impl Into<String>) {
        self.message = Some(Message::Error(text.into()));
    }
}

/// When a drain started, for the elapsed time on its row.
pub fn elapsed(since: Instant, now: Instant) -> std::time::Duration {
    now.saturating_duration_since(since)
}
