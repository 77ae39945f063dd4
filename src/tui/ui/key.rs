//! Key notation for keymap files and the help screen: `q`, `S`, `Ctrl+c`, `PageDown`, `F1`.
//!
//! One spelling per key, so the footer prints back exactly what the file says.

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// A key as the keymap sees it: code plus Ctrl/Alt. Shift is folded into the character
/// (`S`, `?`) because terminals disagree on whether they report it for printable keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Key {
    pub code: KeyCode,
    pub ctrl: bool,
    pub alt: bool,
}

impl Key {
    pub const fn plain(code: KeyCode) -> Key {
        Key {
            code,
            ctrl: false,
            alt: false,
        }
    }

    pub const fn char(c: char) -> Key {
        Key::plain(KeyCode::Char(c))
    }

    /// The key of a terminal event, normalised like the parser's output.
    pub fn from_event(ev: &KeyEvent) -> Key {
        Key {
            code: ev.code,
            ctrl: ev.modifiers.contains(KeyModifiers::CONTROL),
            alt: ev.modifiers.contains(KeyModifiers::ALT),
        }
    }

    /// Parses `Ctrl+c`, `Alt+x`, `q`, `Space`, `PageDown`, `F5`; `None` if not a key.
    pub fn parse(text: &str) -> Option<Key> {
        let mut ctrl = false;
        let mut alt = false;
        let mut rest = text;
        loop {
            if let Some(r) = strip_prefix_ci(rest, "ctrl+") {
                ctrl = true;
                rest = r;
            } else if let Some(r) = strip_prefix_ci(rest, "alt+") {
                alt = true;
                rest = r;
            } else {
                break;
            }
        }
        let code = named_code(rest).or_else(|| {
            let mut chars = rest.chars();
            match (chars.next(), chars.next()) {
                (Some(c), None) if !c.is_control() && c != ' ' => Some(KeyCode::Char(c)),
                _ => None,
            }
        })?;
        Some(Key { code, ctrl, alt })
    }
}

fn strip_prefix_ci<'a>(s: &'a str, prefix: &str) -> Option<&'a str> {
    let head = s.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| &s[prefix.len()..])
}

/// Named keys, in the spelling `Display` uses.
const NAMES: &[(&str, KeyCode)] = &[
    ("Up", KeyCode::Up),
    ("Down", KeyCode::Down),
    ("Left", KeyCode::Left),
    ("Right", KeyCode::Right),
    ("PageUp", KeyCode::PageUp),
    ("PageDown", KeyCode::PageDown),
    ("Home", KeyCode::Home),
    ("End", KeyCode::End),
    ("Enter", KeyCode::Enter),
    ("Esc", KeyCode::Esc),
    ("Tab", KeyCode::Tab),
    ("BackTab", KeyCode::BackTab),
    ("Backspace", KeyCode::Backspace),
    ("Delete", KeyCode::Delete),
    ("Insert", KeyCode::Insert),
    ("Space", KeyCode::Char(' ')),
];

fn named_code(s: &str) -> Option<KeyCode> {
    if let Some(n) = NAMES.iter().find(|(n, _)| n.eq_ignore_ascii_case(s)) {
        return Some(n.1);
    }
    let num = strip_prefix_ci(s, "f")?;
    match num.parse::<u8>() {
        Ok(n @ 1..=12) => Some(KeyCode::F(n)),
        _ => None,
    }
}

impl std::fmt::Display for Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.ctrl {
            f.write_str("Ctrl+")?;
        }
        if self.alt {
            f.write_str("Alt+")?;
        }
        if let Some((name, _)) = NAMES.iter().find(|(_, c)| *c == self.code) {
            return f.write_str(name);
        }
        match self.code {
            KeyCode::Char(c) => write!(f, "{c}"),
            KeyCode::F(n) => write!(f, "F{n}"),
            other => write!(f, "{other:?}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_every_spelling() {
        for text in [
            "q", "S", "?", "/", "Ctrl+c", "Alt+x", "PageDown", "F5", "Space", "Esc",
        ] {
            let key = Key::parse(text).unwrap_or_else(|| panic!("{text}"));
            assert_eq!(key.to_string(), text);
        }
        assert_eq!(
            Key::parse("ctrl+C"),
            Some(Key {
                code: KeyCode::Char('C'),
                ctrl: true,
                alt: false
            })
        );
    }

    #[test]
    fn rejects_non_keys() {
        for text in ["", "qq", "Ctrl+", "F13", "Hyper+x", "PgDn"] {
            assert_eq!(Key::parse(text), None, "{text}");
        }
    }

    #[test]
    fn shift_is_folded_into_the_character() {
        let ev = KeyEvent::new(KeyCode::Char('S'), KeyModifiers::SHIFT);
        assert_eq!(Key::from_event(&ev), Key::char('S'));
    }
}
