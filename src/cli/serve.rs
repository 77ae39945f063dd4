//! `lvsdeck serve --stdio`: this director's picture as a stream on stdin/stdout, for a
//! peer's console that runs it over SSH (see [`crate::pair::edge::serve`]). Nothing
//! listens: the operator's own SSH carries it.

use std::process::ExitCode;

pub use crate::pair::edge::serve::Options;

pub async fn run(opts: Options) -> anyhow::Result<ExitCode> {
    // Logs go to stderr, which ssh shows the watching end when the session ends.
    super::init_tracing();
    crate::pair::edge::serve::serve_stdio(opts).await?;
    Ok(ExitCode::SUCCESS)
}
