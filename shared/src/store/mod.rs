//! The only I/O of the library: session state, run record, transcript reader.
pub mod record;
