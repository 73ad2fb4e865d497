//! Files on disk: writing outputs atomically.

pub mod atomic;
