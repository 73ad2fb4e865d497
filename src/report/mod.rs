//! Rendering the evaluated model: `summary.json` in the reference's bytes,
//! named test cases and their messages, JUnit XML, the HTML report with its
//! pictures, the Markdown summary, and the command's warnings.

pub mod cases;
pub mod html;
pub mod junit;
pub mod markdown;
pub mod markup;
pub mod overview;
pub mod summary;
pub mod svg;
pub mod warnings;
