//! JUnit reports checked against Jenkins' schema (`tests/schemas/jenkins-junit.xsd`):
//! always structurally in Rust, and with `xmllint --schema` where it is installed.

use super::crate_root;
use super::tools::{missing, skip};
use super::xsd::Schema;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

/// Returns Jenkins' JUnit schema, kept in the crate.
pub fn junit_schema() -> PathBuf {
    crate_root().join("tests/schemas/jenkins-junit.xsd")
}

/// Returns the schema's declarations, read once.
pub fn schema() -> &'static Schema {
    static SCHEMA: OnceLock<Schema> = OnceLock::new();
    SCHEMA.get_or_init(|| {
        let path = junit_schema();
        let text = std::fs::read_to_string(&path)
            .unwrap_or_else(|err| panic!("{}: {err}", path.display()));
        Schema::parse(&text).unwrap_or_else(|err| panic!("{}: {err}", path.display()))
    })
}

/// Returns why `xmllint` cannot run, or `None` when it can; probed once.
fn xmllint_missing() -> Option<&'static str> {
    static MISSING: OnceLock<Option<String>> = OnceLock::new();
    MISSING.get_or_init(|| missing("xmllint")).as_deref()
}

/// Validates `xml` with `xmllint --schema`: `Some(success, messages)`, or `None` after
/// skipping `what` when xmllint is missing (a failure under `FAULT_REQUIRE_TOOLS=1`).
pub fn xmllint(xml: &Path, what: &str) -> Option<(bool, String)> {
    if let Some(reason) = xmllint_missing() {
        skip(reason, what);
        return None;
    }
    let output = Command::new("xmllint")
        .arg("--noout")
        .arg("--schema")
        .arg(junit_schema())
        .arg(xml)
        .output()
        .expect("xmllint ran a moment ago");
    let messages = String::from_utf8_lossy(&output.stderr).into_owned();
    Some((output.status.success(), messages))
}

/// Asserts that `xml` follows Jenkins' JUnit schema: its structure checked in Rust, then
/// validated with xmllint where it is installed.
pub fn assert_valid_junit(xml: &Path) {
    let text =
        std::fs::read_to_string(xml).unwrap_or_else(|err| panic!("{}: {err}", xml.display()));
    let problems = schema().check(&text);
    assert!(
        problems.is_empty(),
        "{} does not follow {}:\n{problems}",
        xml.display(),
        junit_schema().display()
    );
    let what = format!(
        "schema validation of {} (its structure was checked in Rust)",
        xml.display()
    );
    if let Some((valid, messages)) = xmllint(xml, &what) {
        assert!(
            valid,
            "{} does not validate against {}:\n{messages}",
            xml.display(),
            junit_schema().display()
        );
    }
}
