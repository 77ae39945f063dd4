//! What the console's features share for presenting themselves: colours by meaning
//! (`theme`), key bindings (`keymap`) and key notation (`key`), numbers for people
//! (`format`), screen geometry (`layout`), dialog boxes (`popup`) and the errors of
//! user-editable files (`config_error`). Nothing here knows a feature.

pub mod config_error;
pub mod format;
pub mod key;
pub mod keymap;
pub mod layout;
pub mod popup;
pub mod theme;
