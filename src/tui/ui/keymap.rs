//! Key bindings: action name -> key(s), read from TOML. Every file is laid over the built-in
//! default, so a user file may rebind just one action (gitui's partial override). Unknown
//! actions, unknown keys and one key bound to two actions are errors with file and line.

use std::collections::{BTreeMap, HashMap};

use crate::tui::action::{Action, Mode, FILTER_KEYS};
use crate::tui::ui::config_error::{
    line_of, no_files, syntax, ConfigError, ConfigErrors, ReadFile, Source,
};
use crate::tui::ui::key::Key;

/// Keymaps shipped in `keymaps/`, selectable by name.
pub const BUILTIN: [(&str, &str); 2] = [
    ("default", include_str!("../../../keymaps/default.toml")),
    ("vim", include_str!("../../../keymaps/vim.toml")),
];

/// Where a binding was set, for conflict messages.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Origin {
    file: String,
    line: usize,
}

#[derive(Debug, Clone)]
pub struct Keymap {
    /// Keys of each action, in `Action::ALL` order.
    bindings: BTreeMap<Action, (Vec<Key>, Origin)>,
    lookup: HashMap<Key, Action>,
    /// What `--keymap` named, for the help title.
    pub name: String,
}

impl Keymap {
    /// The built-in default keymap.
    pub fn default_map() -> Result<Keymap, ConfigErrors> {
        let src = Source::resolve("default", "keymaps", &BUILTIN, &no_files)?;
        Keymap::empty().overlay(&src, "default")
    }

    /// `--keymap NAME|PATH`, laid over the default.
    pub fn load(spec: &str, read: ReadFile<'_>) -> Result<Keymap, ConfigErrors> {
        let base = Keymap::default_map()?;
        if spec == "default" {
            return Ok(base);
        }
        let src = Source::resolve(spec, "keymaps", &BUILTIN, read)?;
        base.overlay(&src, spec)
    }

    fn empty() -> Keymap {
        Keymap {
            bindings: BTreeMap::new(),
            lookup: HashMap::new(),
            name: String::new(),
        }
    }

    /// This keymap with the bindings of `src` replacing those of the actions it names.
    pub fn overlay(&self, src: &Source, name: &str) -> Result<Keymap, ConfigErrors> {
        let table: BTreeMap<toml::Spanned<String>, toml::Spanned<toml::Value>> =
            toml::from_str(&src.text).map_err(|e| syntax(&src.file, &src.text, &e))?;
        let mut errors = Vec::new();
        let mut out = self.clone();
        out.name = name.to_string();
        let err = |line: usize, message: String| ConfigError {
            file: src.file.clone(),
            line,
            message,
        };
        for (name, value) in &table {
            let line = line_of(&src.text, name.span().start);
            let Some(action) = Action::from_name(name.get_ref()) else {
                let known: Vec<&str> = Action::ALL.iter().map(|a| a.name()).collect();
                errors.push(err(
                    line,
                    format!(
                        "unknown action `{}` (actions: {})",
                        name.get_ref(),
                        known.join(", ")
                    ),
                ));
                continue;
            };
            let texts: Vec<&str> = match value.get_ref() {
                toml::Value::String(s) => vec![s.as_str()],
                toml::Value::Array(items) => {
                    let strs: Vec<&str> = items.iter().filter_map(toml::Value::as_str).collect();
                    if strs.len() != items.len() {
                        errors.push(err(
                            line,
                            format!("`{}`: keys must be strings", name.get_ref()),
                        ));
                        continue;
                    }
                    strs
                }
                _ => {
                    errors.push(err(
                        line,
                        format!("`{}`: expected a key or a list of keys", name.get_ref()),
                    ));
                    continue;
                }
            };
            let mut keys = Vec::new();
            for t in texts {
                match Key::parse(t) {
                    Some(k) => keys.push(k),
                    None => errors.push(err(
                        line,
                        format!(
                            "unknown key `{t}` for {} (write q, S, Ctrl+c, Alt+x, Up, PageDown, \
                             Home, Enter, Esc, Tab, Space, F1..F12)",
                            name.get_ref()
                        ),
                    )),
                }
            }
            out.bindings.insert(
                action,
                (
                    keys,
                    Origin {
                        file: src.file.clone(),
                        line,
                    },
                ),
            );
        }
        out.lookup.clear();
        for (action, (keys, origin)) in &out.bindings {
            for key in keys {
                match out.lookup.get(key) {
                    Some(other) if other != action => {
                        let first = (*other, &out.bindings[other].1);
                        let second = (*action, origin);
                        // Report at the line of the file being loaded, naming the other side.
                        let (here, there) = if first.1.file == src.file && second.1.file != src.file
                        {
                            (first, second)
                        } else {
                            (second, first)
                        };
                        errors.push(ConfigError {
                            file: here.1.file.clone(),
                            line: here.1.line,
                            message: format!(
                                "`{key}` is bound to both {} and {} ({}:{})",
                                here.0.name(),
                                there.0.name(),
                                there.1.file,
                                there.1.line
                            ),
                        });
                    }
                    _ => {
                        out.lookup.insert(*key, *action);
                    }
                }
            }
        }
        if errors.is_empty() {
            Ok(out)
        } else {
            errors.sort_by_key(|e| e.line);
            Err(ConfigErrors(errors))
        }
    }

    /// The action bound to a key.
    pub fn action(&self, key: &Key) -> Option<Action> {
        self.lookup.get(key).copied()
    }

    pub fn keys(&self, action: Action) -> &[Key] {
        self.bindings
            .get(&action)
            .map_or(&[], |(k, _)| k.as_slice())
    }

    /// `q`, `j/Down`: an action's keys for display; `None` when unbound.
    pub fn keys_text(&self, action: Action) -> Option<String> {
        let keys = self.keys(action);
        (!keys.is_empty()).then(|| {
            keys.iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("/")
        })
    }

    /// The commands valid in `mode` as (keys, label) for the footer; help lists every action
    /// from the same bindings.
    /// A view's footer: its fixed keys, then the bound keys of these actions.
    pub fn hints_of(
        &self,
        fixed: &[(&str, &'static str)],
        actions: &[Action],
    ) -> Vec<(String, &'static str)> {
        let fixed = fixed.iter().map(|(k, l)| (k.to_string(), *l));
        let bound = actions
            .iter()
            .filter_map(|a| Some((self.keys_text(*a)?, a.label())));
        fixed.chain(bound).collect()
    }

    pub fn hints(&self, mode: Mode) -> Vec<(String, &'static str)> {
        match mode {
            Mode::Table => Action::ALL
                .iter()
                .filter(|a| a.in_footer())
                .filter_map(|a| Some((self.keys_text(*a)?, a.label())))
                .collect(),
            Mode::Filter => FILTER_KEYS
                .iter()
                .map(|(k, l)| (k.to_string(), *l))
                .collect(),
            Mode::Detail | Mode::Conns | Mode::ConnFilter | Mode::Vrrp | Mode::Drift => Vec::new(),
            Mode::Help => {
                let mut close = String::from("Esc");
                if let Some(k) = self.keys_text(Action::Help) {
                    close = format!("{k}/{close}");
                }
                vec![(close, "close help")]
            }
        }
    }

    /// The effective keymap as a TOML file (`--print-keymap`), loadable with `--keymap`.
    pub fn to_toml(&self) -> String {
        let mut out = format!("# lvsdeck keymap `{}`: action = key or [keys]\n", self.name);
        for action in Action::ALL {
            let keys: Vec<String> = self
                .keys(action)
                .iter()
                .map(|k| format!("{:?}", k.to_string()))
                .collect();
            out.push_str(&format!(
                "{} = [{}]  # {}\n",
                action.name(),
                keys.join(", "),
                action.description()
            ));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn src(text: &str) -> Source {
        Source {
            file: "my.toml".into(),
            text: text.into(),
        }
    }

    fn load(text: &str) -> Result<Keymap, String> {
        let base = Keymap::default_map().map_err(|e| e.to_string())?;
        base.overlay(&src(text), "test").map_err(|e| e.to_string())
    }

    #[test]
    fn builtins_load_and_bind_every_action() {
        for (name, _) in BUILTIN {
            let map = Keymap::load(name, &no_files).unwrap_or_else(|e| panic!("{e}"));
            for a in Action::ALL {
                assert!(!map.keys(a).is_empty(), "{name}: {} unbound", a.name());
            }
        }
        let vim = Keymap::load("vim", &no_files).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(vim.action(&Key::char('j')), Some(Action::Down));
    }

    #[test]
    fn partial_override_rebinds_one_action() {
        let map = load("freeze = \"F\"\n").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(map.action(&Key::char('F')), Some(Action::Freeze));
        assert_eq!(map.action(&Key::char('f')), None);
        assert_eq!(map.action(&Key::char('q')), Some(Action::Quit));
    }

    #[test]
    fn unknown_action_and_key_name_their_lines() {
        let err = load("quit = \"q\"\nfrobnicate = \"z\"\nhelp = \"Hyper+h\"\n").unwrap_err();
        assert!(
            err.contains("my.toml:2: unknown action `frobnicate`"),
            "{err}"
        );
        assert!(
            err.contains("my.toml:3: unknown key `Hyper+h` for help"),
            "{err}"
        );
    }

    #[test]
    fn conflicts_name_both_sides() {
        let err = load("\n\nquit = \"x\"\n").unwrap_err();
        assert!(
            err.starts_with("my.toml:3: `x` is bound to both quit and"),
            "{err}"
        );
        assert!(err.contains("toggle_exact (keymaps/default.toml:"), "{err}");
    }

    #[test]
    fn syntax_errors_have_a_line() {
        let err = load("quit = \"q\"\nhelp = [\n").unwrap_err();
        assert!(err.starts_with("my.toml:"), "{err}");
        assert!(!err.starts_with("my.toml:1:"), "{err}");
    }

    #[test]
    fn printed_keymap_loads_back_identically() {
        let vim = Keymap::load("vim", &no_files).unwrap_or_else(|e| panic!("{e}"));
        let again = load(&vim.to_toml()).unwrap_or_else(|e| panic!("{e}"));
        for a in Action::ALL {
            assert_eq!(vim.keys(a), again.keys(a), "{}", a.name());
        }
    }
}
