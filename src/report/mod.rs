//! Rendering the evaluated model: `summary.json` in the reference's bytes,
//! named test cases and their messages, and JUnit XML.

pub mod cases;
pub mod junit;
pub mod summary;
