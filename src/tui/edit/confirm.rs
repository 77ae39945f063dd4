//! The confirmation before a delete, a zero or a clear. It shows the exact lines that will
//! run; the answer starts at **No**; the most dangerous changes need a word typed.

use tui_textarea::TextArea;

use super::Change;

#[derive(Debug, Clone)]
pub struct Confirm {
    pub change: Change,
    /// `Yes` is highlighted (never the starting point).
    pub yes: bool,
    /// When set, the operator must type this (a service address, the host name).
    pub typed: Option<Typed>,
    /// The kernel's refusal or a wrong typed word.
    pub error: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Typed {
    pub expect: String,
    pub input: TextArea<'static>,
}

impl Confirm {
    /// Yes/No, starting at No.
    pub fn yes_no(change: Change) -> Confirm {
        Confirm {
            change,
            yes: false,
            typed: None,
            error: None,
        }
    }

    /// Applies only after `expect` is typed exactly.
    pub fn typed(change: Change, expect: String) -> Confirm {
        Confirm {
            change,
            yes: false,
            typed: Some(Typed {
                expect,
                input: TextArea::default(),
            }),
            error: None,
        }
    }

    /// Whether Enter may apply now; sets the reason when not.
    pub fn accepted(&mut self) -> bool {
        match &self.typed {
            None => self.yes,
            Some(t) => {
                let typed = t.input.lines().concat();
                if typed.trim() == t.expect {
                    true
                } else {
                    self.error = Some(format!(
                        "type {} exactly to confirm (Esc cancels)",
                        t.expect
                    ));
                    false
                }
            }
        }
    }
}
