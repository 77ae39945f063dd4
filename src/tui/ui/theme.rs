//! Colours by meaning (accent, muted, warning, ...), read from TOML, adapted to the terminal:
//! `NO_COLOR` gives a monochrome theme (reverse video for the selection, bold for changes);
//! without `COLORTERM=truecolor|24bit`, RGB and 256-palette colours are mapped to the nearest
//! of the 16 basic ANSI colours, which every terminal, tmux and screen draw the same way.

use std::collections::BTreeMap;
use std::str::FromStr;

use ratatui::style::{Color, Modifier, Style};

use crate::tui::ui::config_error::{line_of, syntax, ConfigError, ConfigErrors, ReadFile, Source};

pub const BUILTIN: [(&str, &str); 3] = [
    ("dark", include_str!("../../../themes/dark.toml")),
    ("light", include_str!("../../../themes/light.toml")),
    (
        "high-contrast",
        include_str!("../../../themes/high-contrast.toml"),
    ),
];

/// What the table's row styles mean, for the `?` popup's legend (here because it is the
/// theme's vocabulary, and `layout` counts its lines).
pub const ROW_LEGEND: [&str; 4] = [
    "dim: weight 0, drained",
    "bold warning: weight 0, still active",
    "failure: service with no server taking traffic",
    "↑/↓: changed since last refresh",
];

/// A semantic style slot.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Slot {
    /// Ordinary text.
    Text,
    /// Titles, the sorted column, the host name.
    Accent,
    /// Drained real servers, secondary text.
    Muted,
    /// Healthy state (read-write).
    Success,
    /// Draining servers, frozen display, read-only.
    Warning,
    /// Services with no usable server, refresh errors.
    Failure,
    /// The selected row.
    Selection,
    /// The header block.
    Header,
    /// Column titles.
    ColumnHeader,
    /// Service rows.
    Service,
    /// Cells that changed since the previous refresh.
    Changed,
    /// Key names in the footer and help.
    Key,
    /// Popup borders.
    Border,
}

impl Slot {
    pub const ALL: [Slot; 13] = [
        Slot::Text,
        Slot::Accent,
        Slot::Muted,
        Slot::Success,
        Slot::Warning,
        Slot::Failure,
        Slot::Selection,
        Slot::Header,
        Slot::ColumnHeader,
        Slot::Service,
        Slot::Changed,
        Slot::Key,
        Slot::Border,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Slot::Text => "text",
            Slot::Accent => "accent",
            Slot::Muted => "muted",
            Slot::Success => "success",
            Slot::Warning => "warning",
            Slot::Failure => "failure",
            Slot::Selection => "selection",
            Slot::Header => "header",
            Slot::ColumnHeader => "column_header",
            Slot::Service => "service",
            Slot::Changed => "changed",
            Slot::Key => "key",
            Slot::Border => "border",
        }
    }
}

/// What the terminal can show.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColorSupport {
    None,
    Basic16,
    TrueColor,
}

impl ColorSupport {
    /// From `NO_COLOR` (set and not empty: none) and `COLORTERM`.
    pub fn detect(no_color: Option<&str>, colorterm: Option<&str>) -> ColorSupport {
        if no_color.is_some_and(|v| !v.is_empty()) {
            ColorSupport::None
        } else if colorterm.is_some_and(|v| v == "truecolor" || v == "24bit") {
            ColorSupport::TrueColor
        } else {
            ColorSupport::Basic16
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Theme {
    styles: BTreeMap<Slot, Style>,
    pub name: String,
}

impl Theme {
    pub fn style(&self, slot: Slot) -> Style {
        self.styles.get(&slot).copied().unwrap_or_default()
    }

    /// `--theme NAME|PATH`, adapted to `support`; a PATH is read with `read`.
    pub fn load(
        spec: &str,
        support: ColorSupport,
        read: ReadFile<'_>,
    ) -> Result<Theme, ConfigErrors> {
        if support == ColorSupport::None {
            return Ok(Theme::mono());
        }
        let src = Source::resolve(spec, "themes", &BUILTIN, read)?;
        let theme = Theme::parse(&src, spec)?;
        Ok(match support {
            ColorSupport::Basic16 => theme.to_basic16(),
            _ => theme,
        })
    }

    /// No colours at all: what `NO_COLOR` asks for, and what snapshot tests use.
    pub fn mono() -> Theme {
        let m = |m: Modifier| Style::default().add_modifier(m);
        let styles = [
            (Slot::Muted, m(Modifier::DIM)),
            (Slot::Warning, m(Modifier::BOLD)),
            (Slot::Failure, m(Modifier::BOLD | Modifier::UNDERLINED)),
            (Slot::Selection, m(Modifier::REVERSED)),
            (Slot::Header, m(Modifier::BOLD)),
            (Slot::ColumnHeader, m(Modifier::BOLD | Modifier::UNDERLINED)),
            (Slot::Service, m(Modifier::BOLD)),
            (Slot::Changed, m(Modifier::BOLD)),
            (Slot::Key, m(Modifier::REVERSED)),
            (Slot::Accent, m(Modifier::BOLD)),
        ];
        Theme {
            styles: styles.into_iter().collect(),
            name: "mono".into(),
        }
    }

    /// Reads slots: `slot = "colour"` (foreground) or `slot = { fg, bg, bold, dim, italic,
    /// underline, reverse }`. Colours: names (`red`, `darkgray`, `lightblue`), `#rrggbb`,
    /// palette numbers. Slots not given stay plain.
    pub fn parse(src: &Source, name: &str) -> Result<Theme, ConfigErrors> {
        let table: BTreeMap<toml::Spanned<String>, toml::Spanned<toml::Value>> =
            toml::from_str(&src.text).map_err(|e| syntax(&src.file, &src.text, &e))?;
        let mut errors = Vec::new();
        let mut styles = BTreeMap::new();
        for (key, value) in &table {
            let line = line_of(&src.text, key.span().start);
            let mut fail = |message: String| {
                errors.push(ConfigError {
                    file: src.file.clone(),
                    line,
                    message,
                })
            };
            let Some(slot) = Slot::ALL.into_iter().find(|s| s.name() == key.get_ref()) else {
                let known: Vec<&str> = Slot::ALL.iter().map(|s| s.name()).collect();
                fail(format!(
                    "unknown slot `{}` (slots: {})",
                    key.get_ref(),
                    known.join(", ")
                ));
                continue;
            };
            match style_of(value.get_ref()) {
                Ok(style) => {
                    styles.insert(slot, style);
                }
                Err(message) => fail(format!("{}: {message}", slot.name())),
            }
        }
        if errors.is_empty() {
            Ok(Theme {
                styles,
                name: name.to_string(),
            })
        } else {
            Err(ConfigErrors(errors))
        }
    }

    /// Every colour mapped to the nearest basic ANSI colour.
    pub fn to_basic16(&self) -> Theme {
        let styles = self
            .styles
            .iter()
            .map(|(slot, s)| {
                let mut s = *s;
                s.fg = s.fg.map(basic16);
                s.bg = s.bg.map(basic16);
                (*slot, s)
            })
            .collect();
        Theme {
            styles,
            name: self.name.clone(),
        }
    }
}

fn color(text: &str) -> Result<Color, String> {
    Color::from_str(text).map_err(|_| {
        format!("`{text}` is not a colour (a name like red or darkgray, #rrggbb, or 0..255)")
    })
}

fn style_of(value: &toml::Value) -> Result<Style, String> {
    match value {
        toml::Value::String(s) => Ok(Style::default().fg(color(s)?)),
        toml::Value::Table(t) => {
            let mut style = Style::default();
            for (k, v) in t {
                match (k.as_str(), v) {
                    ("fg", toml::Value::String(c)) => style = style.fg(color(c)?),
                    ("bg", toml::Value::String(c)) => style = style.bg(color(c)?),
                    (m, toml::Value::Boolean(on)) => {
                        let modifier = match m {
                            "bold" => Modifier::BOLD,
                            "dim" => Modifier::DIM,
                            "italic" => Modifier::ITALIC,
                            "underline" => Modifier::UNDERLINED,
                            "reverse" => Modifier::REVERSED,
                            _ => return Err(format!("unknown attribute `{m}`")),
                        };
                        if *on {
                            style = style.add_modifier(modifier);
                        }
                    }
                    (other, _) => return Err(format!("unexpected value for `{other}`")),
                }
            }
            Ok(style)
        }
        _ => Err("expected a colour or a table { fg, bg, bold, ... }".into()),
    }
}

/// The 16 ANSI colours with xterm's default RGB values.
const BASIC: [(Color, (u8, u8, u8)); 16] = [
    (Color::Black, (0, 0, 0)),
    (Color::Red, (205, 0, 0)),
    (Color::Green, (0, 205, 0)),
    (Color::Yellow, (205, 205, 0)),
    (Color::Blue, (0, 0, 238)),
    (Color::Magenta, (205, 0, 205)),
    (Color::Cyan, (0, 205, 205)),
    (Color::Gray, (229, 229, 229)),
    (Color::DarkGray, (127, 127, 127)),
    (Color::LightRed, (255, 0, 0)),
    (Color::LightGreen, (0, 255, 0)),
    (Color::LightYellow, (255, 255, 0)),
    (Color::LightBlue, (92, 92, 255)),
    (Color::LightMagenta, (255, 0, 255)),
    (Color::LightCyan, (0, 255, 255)),
    (Color::White, (255, 255, 255)),
];

/// Nearest basic colour by squared RGB distance; named colours pass through.
pub fn basic16(c: Color) -> Color {
    let rgb = match c {
        Color::Rgb(r, g, b) => (r, g, b),
        Color::Indexed(n) if n < 16 => return BASIC[usize::from(n)].0,
        Color::Indexed(n) => palette256(n),
        other => return other,
    };
    let dist = |(r, g, b): (u8, u8, u8)| {
        let d = |a: u8, b: u8| (i32::from(a) - i32::from(b)).pow(2);
        d(r, rgb.0) + d(g, rgb.1) + d(b, rgb.2)
    };
    BASIC
        .iter()
        .min_by_key(|(_, v)| dist(*v))
        .map_or(Color::Reset, |(c, _)| *c)
}

/// xterm's 256-colour palette above 15: a 6x6x6 cube, then 24 greys.
fn palette256(n: u8) -> (u8, u8, u8) {
    if n >= 232 {
        let v = 8 + (n - 232) * 10;
        return (v, v, v);
    }
    let i = n - 16;
    let level = |x: u8| if x == 0 { 0 } else { 55 + x * 40 };
    (level(i / 36), level((i / 6) % 6), level(i % 6))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tui::ui::config_error::no_files;

    #[test]
    fn builtins_parse() {
        for (name, _) in BUILTIN {
            let t = Theme::load(name, ColorSupport::TrueColor, &no_files)
                .unwrap_or_else(|e| panic!("{e}"));
            assert_ne!(t.style(Slot::Selection), Style::default(), "{name}");
        }
    }

    #[test]
    fn errors_name_file_and_line() {
        let src = Source {
            file: "t.toml".into(),
            text: "accent = \"cyan\"\nshiny = \"red\"\nmuted = \"greyish\"\n".into(),
        };
        let err = Theme::parse(&src, "t").unwrap_err().to_string();
        assert!(err.contains("t.toml:2: unknown slot `shiny`"), "{err}");
        assert!(
            err.contains("t.toml:3: muted: `greyish` is not a colour"),
            "{err}"
        );
    }

    #[test]
    fn no_color_wins_and_reverses_the_selection() {
        assert_eq!(
            ColorSupport::detect(Some("1"), Some("truecolor")),
            ColorSupport::None
        );
        assert_eq!(
            ColorSupport::detect(Some(""), Some("24bit")),
            ColorSupport::TrueColor
        );
        assert_eq!(ColorSupport::detect(None, None), ColorSupport::Basic16);
        let t =
            Theme::load("dark", ColorSupport::None, &no_files).unwrap_or_else(|e| panic!("{e}"));
        assert!(t
            .style(Slot::Selection)
            .add_modifier
            .contains(Modifier::REVERSED));
        assert!(t.styles.values().all(|s| s.fg.is_none() && s.bg.is_none()));
    }

    #[test]
    fn sixteen_colour_fallback_maps_to_neighbours() {
        assert_eq!(basic16(Color::Rgb(250, 10, 10)), Color::LightRed);
        assert_eq!(basic16(Color::Rgb(40, 40, 60)), Color::Black);
        assert_eq!(basic16(Color::Indexed(244)), Color::DarkGray);
        assert_eq!(basic16(Color::Cyan), Color::Cyan);
    }
}
