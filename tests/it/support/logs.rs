//! Pieces of hostile streamer logs, from which the scanner's random tests
//! (`scan.rs` and `fuzzing.rs`, with [`Rng`](super::rng::Rng)) build
//! their logs: every line break, invalid UTF-8, Python whitespace and words.

use fault_harness::scan::lines::LINE_BREAKS;

/// Line breaks of every kind `str.splitlines` knows, and runs of them.
pub const BREAKS: [&[u8]; 14] = {
    let mut all: [&[u8]; 14] = [b"\n\n"; 14];
    let mut i = 0;
    while i < LINE_BREAKS.len() {
        all[i] = LINE_BREAKS[i];
        i += 1;
    }
    all[12] = b"\r\r\n";
    all[13] = b"\n\r";
    all
};

/// Invalid UTF-8: lone continuation bytes, cut sequences, overlongs, surrogates, and
/// broken line breaks (`\x85` alone, `\xe2\x80` before `\xa8` missing).
pub const INVALID: &[&[u8]] = &[
    b"\x80",
    b"\x80\x80",
    b"\x85",
    b"\xa8",
    b"\xc2",
    b"\xe2",
    b"\xe2\x80",
    b"\xe2\x85",
    b"\xf0\x9f\x98",
    b"\xed\xa0\x80",
    b"\xc0\xaf",
    b"\xff",
    b"\xfe\xfe",
    b"\xf4\x90\x80\x80",
    b"\xc2\xc2\x85",
    b"\xe2\xe2\x80\xa8",
    b"\xe0\x80\xa8",
];

/// Whitespace of Python's `\s`, ASCII and not, and a near miss (`\xc2\xa0` is; `\xe2\x80\x8b` is not).
pub const SPACES: &[&[u8]] = &[
    b" ",
    b"\t",
    b"\x1f",
    b"\xc2\xa0",
    b"\xe3\x80\x80",
    b"\xe2\x80\x83",
    b"\xe2\x80\x8b",
    b"  ",
];

/// Words: metric names, numbers, `=` runs, non-ASCII letters, token fragments and
/// near misses of a line break (`\xe2\x80\xa7`).
pub const WORDS: &[&[u8]] = &[
    b"a",
    b"p50_us",
    b"x_1",
    b"=",
    b"==",
    b"12",
    b"-3.5",
    b"007",
    b"\xc3\xbc",
    b"\xc3\xa9",
    b"\xf0\x9f\x98\x80",
    b"INFO",
    b"METRICS",
    b"_METRICS",
    b"PIPELINE_MET",
    b"RTP_",
    b"FAULT_COUNTER",
    b"\xe2\x80",
    b"\xe2\x80\xa7",
    b"\0",
];
