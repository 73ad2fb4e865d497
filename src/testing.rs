//! Support shared by the crate's unit tests: one random number generator and
//! one python3 runner for the differential checks against Python.

use std::io::Write;
use std::process::{Command, Stdio};

/// Generates deterministic pseudo-random numbers (SplitMix64).
pub(crate) struct Rng(u64);

impl Rng {
    /// Creates a generator from `seed`.
    pub(crate) fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    /// Returns the next 64 random bits.
    pub(crate) fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Returns a number in `0..n`.
    pub(crate) fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }

    /// Returns a random element of `items`.
    pub(crate) fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// Encodes `s` as lowercase hex of its UTF-8 bytes, for `bytes.fromhex` on the Python side.
pub(crate) fn hex(s: &str) -> String {
    s.bytes().map(|b| format!("{b:02x}")).collect()
}

/// Runs `script` with python3 (isolated mode) feeding `input` on stdin, or returns `None`
/// (after printing a note) when python3 is not runnable.
pub(crate) fn python3(script: &str, input: &str) -> Option<String> {
    let child = Command::new("python3")
        .args(["-I", "-c", script])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn();
    let mut child = match child {
        Ok(child) => child,
        Err(err) => {
            eprintln!("note: python3 not runnable ({err}); skipping differential check");
            return None;
        }
    };
    let mut stdin = child.stdin.take()?;
    let input = input.to_owned();
    let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
    let output = child.wait_with_output().ok()?;
    assert!(
        matches!(writer.join(), Ok(Ok(()))),
        "writing to python3 failed"
    );
    assert!(output.status.success(), "python3 script failed");
    let stdout = String::from_utf8(output.stdout).ok()?;
    Some(stdout)
}

/// Returns every code point that the one-character pattern `class` matches, as
/// lowercase hex, one a line (the form the Python side of a test prints).
pub(crate) fn code_points_matching(class: &str) -> String {
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
