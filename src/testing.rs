//! Support of the crate's unit tests: the tests' one random number generator,
//! scratch-folder type and python3 runner, which live in the integration
//! tests' support module and are included from there by path (they use `std`
//! only).
//!
//! A differential check against Python asks for the Python it needs
//! ([`Needs`]); where python3 is missing or another version, the check says
//! what it skipped, and `FAULT_REQUIRE_TOOLS=1` makes that a failure.

// Each side uses part of these files (the integration tests the rest).
#[allow(dead_code)]
#[path = "../tests/it/support/rng.rs"]
mod rng;
#[path = "../tests/it/support/scratch.rs"]
mod scratch;
#[allow(dead_code)]
#[path = "../tests/it/support/tools.rs"]
mod tools;

pub(crate) use rng::Rng;
pub(crate) use scratch::Scratch;
pub(crate) use tools::{python3, Needs};
