//! The pair's edges, where its I/O lives: reading this director's picture ([`picture`]:
//! the kernel table, sync daemons, connection origins, the daemon's status over its control
//! socket), serving it as a stream ([`serve`]: `lvsdeck serve --stdio`, and the same
//! producer in-process for the console's own director), the bounded line reader both ends
//! use ([`lines`]), and carrying the stream over the operator's own SSH ([`transport`]).

pub mod lines;
pub mod picture;
pub mod serve;
pub mod transport;
