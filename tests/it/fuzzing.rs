//! The fuzz targets' oracles in the normal test run: every input the fuzzers
//! ever crashed on, kept in `tests/fixtures/fuzz/<target>/`, replays through
//! the same oracle; and property tests drive the backward log scanner and the
//! `key=value` parser against the naive forward rules with proptest.

use crate::support::logs::{BREAKS, INVALID, SPACES, WORDS};
use crate::support::oracles;
use crate::support::{fixtures, Scratch};
use fault_harness::scan::kv::PairParser;
use fault_harness::scan::tail::TOKENS;
use proptest::prelude::*;
use std::path::PathBuf;

/// Returns the saved inputs of fuzz target `target`, sorted by name.
fn saved(target: &str) -> Vec<(String, Vec<u8>)> {
    let dir = fixtures("fuzz").join(target);
    let mut inputs: Vec<(String, Vec<u8>)> = std::fs::read_dir(&dir)
        .unwrap_or_else(|err| panic!("{}: {err}", dir.display()))
        .map(|entry| {
            let path = entry.expect("a readable entry").path();
            let name = path
                .file_name()
                .expect("a file name")
                .to_string_lossy()
                .into_owned();
            (name, std::fs::read(&path).expect("a readable input"))
        })
        .collect();
    inputs.sort();
    inputs
}

/// Replays the saved inputs of `target` through `check`, naming the input that fails.
fn replay(target: &str, check: impl Fn(&[u8], &std::path::Path)) {
    let scratch = Scratch::new(&format!("fuzz-replay-{target}"));
    let inputs = saved(target);
    assert!(!inputs.is_empty(), "no saved inputs for {target}");
    for (name, bytes) in inputs {
        let path = scratch.path().join("input");
        let outcome =
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| check(&bytes, &path)));
        assert!(
            outcome.is_ok(),
            "tests/fixtures/fuzz/{target}/{name} fails its oracle again"
        );
    }
}

#[test]
fn saved_manifest_inputs_pass_the_oracle() {
    replay("manifest", oracles::check_manifest);
}

#[test]
fn saved_scan_inputs_pass_the_oracle() {
    replay("scan", oracles::check_scan);
}

#[test]
fn saved_run_inputs_pass_the_oracle() {
    replay("run", oracles::check_run);
}

/// Returns one piece of a log.
fn piece() -> impl Strategy<Value = Vec<u8>> {
    let pick =
        |items: &'static [&'static [u8]]| prop::sample::select(items).prop_map(<[u8]>::to_vec);
    prop_oneof![
        4 => pick(&BREAKS),
        2 => pick(INVALID),
        3 => pick(SPACES),
        3 => pick(WORDS),
        3 => (pick(&[b"k", b"p99_us", b"a", b"\xc3\xbc_", b"A9"]), pick(&[b"1", b"v", b"", b"x=y", b"\xff2", b"-0.5"]))
            .prop_map(|(k, v)| [k, b"=".to_vec(), v].concat()),
        3 => prop::sample::select(&TOKENS[..]).prop_map(|t| t.as_bytes().to_vec()),
        // A token cut short or grown: near misses of the search.
        1 => (prop::sample::select(&TOKENS[..]), 1..16usize)
            .prop_map(|(t, n)| t.as_bytes()[..n.min(t.len())].to_vec()),
        // A very long run: lines longer than the preview and than any small block.
        1 => (pick(WORDS), 500..6000usize).prop_map(|(w, n)| w.repeat(n)),
        2 => any::<u8>().prop_map(|b| vec![b]),
    ]
}

/// Returns a random log of up to 60 pieces.
fn log() -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(piece(), 0..60).prop_map(|pieces| pieces.concat())
}

/// Returns a block size: mostly tiny, so that tokens, breaks and characters straddle
/// reads, sometimes around the preview's 4096 bytes.
fn block() -> impl Strategy<Value = usize> {
    prop_oneof![4 => 1..=24usize, 1 => 4090..=4100usize]
}

/// Returns a fresh scratch file path for one property.
fn scratch_file(scratch: &Scratch, name: &str) -> PathBuf {
    scratch.path().join(name)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn backward_scan_agrees_with_a_forward_scan(log in log(), block in block()) {
        let scratch = Scratch::new("prop-scan");
        oracles::check_scan_log(&scratch_file(&scratch, "log"), &log, block);
    }

    #[test]
    fn pair_parser_fed_in_pieces_agrees_with_the_regex_rule(
        bytes in log(),
        cuts in prop::collection::vec(any::<prop::sample::Index>(), 0..6),
    ) {
        let line = String::from_utf8_lossy(&bytes).into_owned();
        let mut bounds: Vec<usize> = cuts.iter().map(|cut| cut.index(line.len() + 1)).collect();
        bounds.push(0);
        bounds.push(line.len());
        bounds.sort_unstable();
        let mut parser = PairParser::new();
        for pair in bounds.windows(2) {
            // Pieces end on char boundaries, as the scanner's decoder hands them over.
            let (mut from, mut to) = (pair[0], pair[1]);
            while !line.is_char_boundary(from) { from -= 1; }
            while !line.is_char_boundary(to) { to -= 1; }
            if from < to {
                parser.feed(&line[from..to]);
            }
        }
        let (pairs, cut) = parser.finish_raw();
        prop_assert!(!cut);
        prop_assert_eq!(pairs, oracles::naive_pairs(&line));
    }
}
