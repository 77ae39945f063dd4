//! The health side of the engine: the checkers' decisions become the reconciler's health
//! layer ([`verdicts`], pure); [`checks`] runs one generation of checkers; [`scripts`] runs
//! their notify and quorum scripts; [`operator`] maps an operator's drain onto the policy;
//! [`status`] is the picture the console and the control socket show.

pub mod checks;
pub mod latency;
pub mod operator;
pub mod scripts;
pub mod status;
pub mod verdicts;
