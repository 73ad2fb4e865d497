//! Rendering the evaluated model: `summary.json` in the reference's bytes,
//! named test cases and their messages, JUnit XML, and the command's warnings.

pub mod cases;
pub mod junit;
pub mod summary;
pub mod warnings;
