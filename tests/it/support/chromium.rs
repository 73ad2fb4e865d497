//! Headless Chromium (Debian's `chromium`): renders a page to a PNG and reports
//! what the page wrote to its console. Missing, it is skipped by the tool rule
//! (`tools.rs`: a note, or a failure under `FAULT_REQUIRE_TOOLS=1`).

use super::runs::run_bounded;
use super::{tools, Scratch};
use std::path::Path;
use std::process::Command;
use std::sync::OnceLock;

/// The names Chromium goes by; Debian's is the first.
const NAMES: [&str; 3] = ["chromium", "chromium-browser", "google-chrome"];

/// Returns the Chromium to run, probed once; else skips `what` and returns `None`.
pub fn find(what: &str) -> Option<&'static str> {
    static FOUND: OnceLock<Result<&'static str, String>> = OnceLock::new();
    let found = FOUND.get_or_init(|| {
        NAMES
            .iter()
            .copied()
            .find(|name| tools::missing(name).is_none())
            .ok_or_else(|| "chromium not found (Debian: apt-get install chromium)".to_string())
    });
    match found {
        Ok(name) => Some(name),
        Err(reason) => {
            tools::skip(reason, what);
            None
        }
    }
}

/// Prints the file `page` headless to `pdf`, as a reader's print does (print media), and
/// returns the number of pages (the PDF's largest `/Count`).
pub fn print(chromium: &str, page: &Path, pdf: &Path) -> usize {
    let profile = Scratch::new("chromium-profile");
    let mut command = headless(chromium, &profile);
    command
        .arg("--no-pdf-header-footer")
        .arg(format!("--print-to-pdf={}", pdf.display()))
        .arg(format!("file://{}", page.display()));
    let output = run_bounded(command);
    let bytes = std::fs::read(pdf).unwrap_or_default();
    assert!(
        output.status.success() && bytes.starts_with(b"%PDF"),
        "chromium wrote no PDF ({}): {}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    let text = String::from_utf8_lossy(&bytes);
    text.match_indices("/Count ")
        .filter_map(|(at, key)| {
            let digits: String = text[at + key.len()..]
                .chars()
                .take_while(char::is_ascii_digit)
                .collect();
            digits.parse().ok()
        })
        .max()
        .unwrap_or(0)
}

/// Returns a headless Chromium command with the usual quiet flags and its own profile.
fn headless(chromium: &str, profile: &Scratch) -> Command {
    let mut command = Command::new(chromium);
    command.args([
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
    ]);
    command.arg(format!("--user-data-dir={}", profile.path().display()));
    command
}

/// Renders the file `page` headless at `width`×`height` CSS pixels into `png`, and
/// returns the page's console messages (its `CONSOLE` log lines).
pub fn screenshot(chromium: &str, page: &Path, png: &Path, width: u32, height: u32) -> Vec<String> {
    let profile = Scratch::new("chromium-profile");
    let mut command = headless(chromium, &profile);
    command
        .args(["--hide-scrollbars", "--enable-logging=stderr", "--v=0"])
        .arg(format!("--window-size={width},{height}"))
        .arg(format!("--screenshot={}", png.display()))
        .arg(format!("file://{}", page.display()));
    let output = run_bounded(command);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success() && png.exists(),
        "chromium wrote no screenshot ({}): {stderr}",
        output.status
    );
    stderr
        .lines()
        .filter(|line| line.contains(":CONSOLE"))
        .map(str::to_string)
        .collect()
}
