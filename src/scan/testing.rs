//! Support of the unit tests, the scanner's and the library's (`src/lib.rs`
//! includes this file too): the tests' one random number generator,
//! scratch-folder type and python3 runner, which live in the integration
//! tests' support module and are included from there by path (they use `std`
//! only), and `hex` and the code-point helpers of the differential checks.
//!
//! A differential check against Python asks for the Python it needs
//! ([`Needs`]); where python3 is missing or another version, the check says
//! what it skipped, and `FAULT_REQUIRE_TOOLS=1` makes that a failure.

// Each side uses part of these files (the integration tests the rest).
#[allow(dead_code)]
#[path = "../../tests/it/support/rng.rs"]
mod rng;
#[path = "../../tests/it/support/scratch.rs"]
mod scratch;
#[allow(dead_code)]
#[path = "../../tests/it/support/tools.rs"]
mod tools;

pub use rng::Rng;
pub use scratch::Scratch;
pub use tools::{python3, Needs};

/// Encodes `s` as lowercase hex of its UTF-8 bytes, for `bytes.fromhex` on the Python side.
pub fn hex(s: &str) -> String {
    s.bytes().map(|b| format!("{b:02x}")).collect()
}

/// Returns every code point that the one-character pattern `class` matches, as
/// lowercase hex, one a line (the form the Python side of a test prints).
pub fn code_points_matching(class: &str) -> String {
    let all: String = (0..0x110000u32).filter_map(char::from_u32).collect();
    let Ok(regex) = regex::Regex::new(class) else {
        panic!("bad pattern {class:?}");
    };
    regex
        .find_iter(&all)
        .flat_map(|found| found.as_str().chars())
        .map(|c| format!("{:x}\n", u32::from(c)))
        .collect()
}

/// Returns the code points Python 3.11's `re` matches with the one-character
/// `pattern` on `str`, in the form of [`code_points_matching`], or `None` (after
/// saying what was skipped) where that Python cannot run.
pub fn python_code_points(pattern: &str, what: &str) -> Option<String> {
    let script = format!(
        "import re, sys\nclass_ = re.compile(r\"{pattern}\")\n\
         sys.stdout.write(''.join('%x\\n' % c for c in range(0x110000) if class_.fullmatch(chr(c))))\n"
    );
    python3(Needs::Python311, what).map(|py| py.run(&script, ""))
}
