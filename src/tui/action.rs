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
    /// The VRRP panel (`v`).
    Vrrp,
    /// The drift list: each difference the reconciler found, to revert or keep one by one.
    Drift,
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
    AddService,
    AddServer,
    Edit,
    Delete,
    WeightUp,
    WeightDown,
    Drain,
    Undrain,
    Undo,
    Command,
    Zero,
    ZeroAll,
    Clear,
    Vrrp,
    Disable,
    DriftList,
    ReconcileAll,
    KeepAll,
    /// Show the next director (this one, then each peer).
    NextDirector,
}

impl Action {
    /// Every action, in the order help lists them.
    pub const ALL: [Action; 36] = [
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
        Action::Vrrp,
        Action::DriftList,
        Action::ReconcileAll,
        Action::KeepAll,
        Action::NextDirector,
        Action::AddService,
        Action::AddServer,
        Action::Edit,
        Action::Delete,
        Action::WeightUp,
        Action::WeightDown,
        Action::Drain,
        Action::Undrain,
        Action::Disable,
        Action::Undo,
        Action::Command,
        Action::Zero,
        Action::ZeroAll,
        Action::Clear,
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
            Action::AddService => "add_service",
            Action::AddServer => "add_server",
            Action::Edit => "edit",
            Action::Delete => "delete",
            Action::WeightUp => "weight_up",
            Action::WeightDown => "weight_down",
            Action::Drain => "drain",
            Action::Undrain => "undrain",
            Action::Undo => "undo",
            Action::Command => "command",
            Action::Zero => "zero",
            Action::ZeroAll => "zero_all",
            Action::Clear => "clear",
            Action::Vrrp => "vrrp",
            Action::Disable => "disable",
            Action::DriftList => "drift",
            Action::ReconcileAll => "reconcile_all",
            Action::KeepAll => "keep_all",
            Action::NextDirector => "next_director",
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
            Action::AddService => "add service",
            Action::AddServer => "add server",
            Action::Edit => "edit",
            Action::Delete => "delete",
            Action::WeightUp => "weight+",
            Action::WeightDown => "weight-",
            Action::Drain => "drain",
            Action::Undrain => "undrain",
            Action::Undo => "undo",
            Action::Command => "ipvsadm",
            Action::Zero => "zero",
            Action::ZeroAll => "zero all",
            Action::Clear => "clear",
            Action::Vrrp => "vrrp",
            Action::Disable => "disable",
            Action::DriftList => "drift",
            Action::ReconcileAll => "reconcile all",
            Action::KeepAll => "keep all",
            Action::NextDirector => "director",
        }
    }

    /// One line for the help popup.
    pub fn description(self) -> &'static str {
        match self {
            Action::Quit => "leave the console (the IPVS table stays as it is)",
            Action::Help => "show or hide this help",
            Action::Up => "select the row above",
            Action::Down => "select the row below",
            Action::PageUp => "one screen up",
            Action::PageDown => "one screen down",
            Action::Top => "first row",
            Action::Bottom => "last row",
            Action::SortNext => "sort by the next column (then kernel order, then ipvsadm's)",
            Action::SortReverse => "reverse the sort order",
            Action::Filter => "filter: text, weight=0 active>100 fwd=masq sched=rr (AND)",
            Action::ClearFilter => "drop the filter",
            Action::ToggleExact => "exact numbers instead of human units",
            Action::Freeze => "freeze the display (collection goes on)",
            Action::Refresh => "read the table now",
            Action::Detail => "everything about the selected row, rate history, its connections",
            Action::Connections => "the connection table (/proc/net/ip_vs_conn), filtered",
            Action::AddService => "add a virtual service (form)",
            Action::AddServer => "add a real server to the selected service (form)",
            Action::Edit => "edit the selected service or real server (form)",
            Action::Delete => "delete the selected row (asks first)",
            Action::WeightUp => "raise the selected server's weight by 1 (applies now)",
            Action::WeightDown => "lower the selected server's weight by 1 (applies now)",
            Action::Drain => {
                "drain the selected server (weight 0, held over its checks); again to undrain"
            }
            Action::Undrain => "undrain: the weight it had, or back to its checks (-f, daemon)",
            Action::Undo => "undo the last change (previewed first)",
            Action::Command => "type an ipvsadm command line",
            Action::Zero => "zero the selected service's counters",
            Action::ZeroAll => "zero every counter",
            Action::Clear => "clear the whole table (-C, type the host name)",
            Action::Vrrp => "the VRRP panel: instances, counters, transitions, failover drills",
            Action::Disable => "take a checked real server out until undrained (-f, or the daemon)",
            Action::DriftList => {
                "drift list: changes made behind lvsdeck's back; revert or keep each"
            }
            Action::ReconcileAll => {
                "revert all drift to the configuration (and release what was kept)"
            }
            Action::KeepAll => "keep all drift not kept yet (until reconciled or reloaded)",
            Action::NextDirector => {
                "show the next director (--peer); `:NAME: LINE` runs an ipvsadm line on NAME"
            }
        }
    }

    /// Whether it changes the table (refused when read-only). The one list of editing
    /// actions: `update` hands exactly these to `edit::flow`.
    pub fn edits(self) -> bool {
        matches!(
            self,
            Action::AddService
                | Action::AddServer
                | Action::Edit
                | Action::Delete
                | Action::WeightUp
                | Action::WeightDown
                | Action::Drain
                | Action::Undrain
                | Action::Disable
                | Action::Undo
                | Action::Command
                | Action::Zero
                | Action::ZeroAll
                | Action::Clear
        )
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
                | Action::AddServer
                | Action::Undrain
                | Action::Zero
                | Action::ZeroAll
                | Action::Clear
                | Action::WeightUp
                | Action::WeightDown
                | Action::Vrrp
                | Action::Disable
                | Action::DriftList
                | Action::ReconcileAll
                | Action::KeepAll
                | Action::NextDirector
        )
    }
}

/// Keys of the filter prompt: text editing, fixed, listed for the footer and help.
pub const FILTER_KEYS: [(&str, &str); 3] = [
    ("Enter", "apply"),
    ("Esc", "cancel"),
    ("Backspace", "delete"),
];
