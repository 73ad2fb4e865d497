//! Files on disk: opening run files safely, writing outputs atomically, and the few
//! system calls both need beyond std.

pub mod atomic;
pub(crate) mod open;
#[allow(unsafe_code)]
pub(crate) mod sys;
