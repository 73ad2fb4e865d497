//! The architecture holds: each stage of `src/` uses only the stages before it
//! (no import cycles), and the renderers in `report/` touch no file.

use crate::support::crate_root;
use std::path::Path;

/// The stages in flow order, each with the stages it may use besides itself (and
/// `testing`, the unit tests' support, which only `#[cfg(test)]` code can reach).
/// `fs`, `py` and `timestamp` serve the stages and use none.
const ALLOWED: [(&str, &[&str]); 7] = [
    ("fs", &[]),
    ("py", &[]),
    ("timestamp", &[]),
    ("input", &["fs", "py"]),
    ("scan", &["py"]),
    ("eval", &["fs", "py", "timestamp", "input", "scan"]),
    ("report", &["eval", "input", "py", "timestamp"]),
];

/// Every stage a `crate::<module>` path may name, and the harness glue above them all.
const MODULES: [&str; 8] = [
    "fs",
    "py",
    "timestamp",
    "input",
    "scan",
    "eval",
    "report",
    "harness",
];

/// Returns the Rust files below `dir`, with their text.
fn sources(dir: &Path) -> Vec<(String, String)> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).expect("read a source folder") {
        let path = entry.expect("a folder entry").path();
        if path.is_dir() {
            found.extend(sources(&path));
        } else if path.extension().is_some_and(|ext| ext == "rs") {
            let text = std::fs::read_to_string(&path).expect("read a source file");
            found.push((path.display().to_string(), text));
        }
    }
    found
}

#[test]
fn each_stage_uses_only_the_stages_before_it() {
    let mut violations = Vec::new();
    for (stage, allowed) in ALLOWED {
        let folder = crate_root().join("src").join(stage);
        let files = if folder.is_dir() {
            sources(&folder)
        } else {
            // A stage of one module is a file beside the folders.
            let file = folder.with_extension("rs");
            let text = std::fs::read_to_string(&file).expect("read a stage's source file");
            vec![(file.display().to_string(), text)]
        };
        assert!(!files.is_empty(), "src/{stage} holds no Rust file");
        for (path, text) in files {
            for module in MODULES {
                let used = text.contains(&format!("crate::{module}::"))
                    || text.contains(&format!("crate::{module};"))
                    || text.contains(&format!("crate::{module} "));
                if used && module != stage && !allowed.contains(&module) {
                    violations.push(format!("{path} uses crate::{module}"));
                }
            }
        }
    }
    assert!(violations.is_empty(), "{violations:#?}");
}

#[test]
fn renderers_open_no_file() {
    for (path, text) in sources(&crate_root().join("src/report")) {
        for io in [
            "std::fs",
            "File::",
            "crate::fs",
            "std::io::Read",
            "read_to_string",
        ] {
            assert!(!text.contains(io), "{path} does I/O ({io})");
        }
    }
}
