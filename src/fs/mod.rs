//! Files on disk: opening run files safely and writing outputs atomically.

pub mod atomic;
pub(crate) mod open;
