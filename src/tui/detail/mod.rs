//! The detail view (`Enter`): everything about one service or real server, its rate
//! history (`history`) and the connections through it; its keys (`keys`) and its view
//! (`view`).

pub mod history;
pub mod keys;
pub mod view;
