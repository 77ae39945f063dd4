//! What a key can ask for, by the names keymap files use, and the mode that decides which
//! actions are valid now (the footer and `?` help are built from this one table).

/// Which part of the console has the keyboard.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// The live table.
    Table,
    /// Typing a filter after `/`.
    Filter,
    /// The `?` popup.
    Help,
    /// Everything about one service or real server (`Enter`).
    Detail,
    /// The connection table (`c`).
    Conns,
    /// Typing the connections view's filter.
    ConnFilter,
}

/// A remappable command of the console.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Action {
    Quit,
    Help,
    Up,
    Down,
    PageUp,
    PageDown,
    Top,
    Bottom,
    SortNext,
    SortReverse,
    Filter,
    ClearFilter,
    ToggleExact,
    Freeze,
    Refresh,
    Detail,
    Connections,
}

impl Action {
    /// Every action, in the order help lists them.
    pub const ALL: [Action; 17] = [
        Action::Up,
        Action::Down,
        Action::PageUp,
        Action::PageDown,
        Action::Top,
        Action::Bottom,
        Action::SortNext,
        Action::SortReverse,
        Action::Filter,
        Action::ClearFilter,
        Action::ToggleExact,
        Action::Freeze,
        Action::Refresh,
        Action::Detail,
        Action::Connections,
        Action::Help,
        Action::Quit,
    ];

    /// The name used in keymap files.
    pub fn name(self) -> &'static str {
        match self {
            Action::Quit => "quit",
            Action::Help => "help",
            Action::Up => "up",
            Action::Down => "down",
            Action::PageUp => "page_up",
            Action::PageDown => "page_down",
            Action::Top => "top",
            Action::Bottom => "bottom",
            Action::SortNext => "sort_next",
            Action::SortReverse => "sort_reverse",
            Action::Filter => "filter",
            Action::ClearFilter => "clear_filter",
            Action::ToggleExact => "toggle_exact",
            Action::Freeze => "freeze",
            Action::Refresh => "refresh",
            Action::Detail => "detail",
            Action::Connections => "connections",
        }
    }

    pub fn from_name(name: &str) -> Option<Action> {
        Action::ALL.into_iter().find(|a| a.name() == name)
    }

    /// Short label for the footer.
    pub fn label(self) -> &'static str {
        match self {
            Action::Quit => "quit",
            Action::Help => "help",
            Action::Up => "up",
            Action::Down => "down",
            Action::PageUp => "page up",
            Action::PageDown => "page down",
            Action::Top => "top",
            Action::Bottom => "bottom",
            Action::SortNext => "sort",
            Action::SortReverse => "reverse",
            Action::Filter => "filter",
            Action::ClearFilter => "clear filter",
            Action::ToggleExact => "exact",
            Action::Freeze => "freeze",
            Action::Refresh => "refresh",
            Action::Detail => "detail",
            Action::Connections => "conns",
        }
    }

    /// One line for the help popup.
    pub fn description(self) -> &'static str {
        match self {
            Action::Quit => "leave the console",
            Action::Help => "show or hide this help",
            Action::Up => "select the row above",
            Action::Down => "select the row below",
            Action::PageUp => "one screen up",
            Action::PageDown => "one screen down",
            Action::Top => "first row",
            Action::Bottom => "last row",
            Action::SortNext => "sort by the next column (address, then each number column)",
            Action::SortReverse => "reverse the sort order",
            Action::Filter => "filter: text, weight=0 active>100 fwd=masq sched=rr (AND)",
            Action::ClearFilter => "drop the filter",
            Action::ToggleExact => "exact numbers instead of human units",
            Action::Freeze => "freeze the display (collection goes on)",
            Action::Refresh => "read the table now",
            Action::Detail => "everything about the selected row, rate history, its connections",
            Action::Connections => "the connection table (/proc/net/ip_vs_conn), filtered",
        }
    }

    /// Whether the footer lists it (navigation is assumed known; help lists everything).
    pub fn in_footer(self) -> bool {
        !matches!(
            self,
            Action::Up
                | Action::Down
                | Action::PageUp
                | Action::PageDown
                | Action::Top
                | Action::Bottom
        )
    }
}

/// Keys of the filter prompt: text editing, fixed, listed for the footer and help.
pub const FILTER_KEYS: [(&str, &str); 3] = [
    ("Enter", "apply"),
    ("Esc", "cancel"),
    ("Backspace", "delete"),
];
