//! The fuzz targets' oracles in the normal test run: every input the fuzzers
//! ever crashed on, kept in `tests/fixtures/fuzz/<target>/`, replays through
//! the same oracle; and property tests drive the backward log scanner and the
//! `key=value` parser against the naive forward rules with random logs
//! (`support::property`).

use crate::support::logs::{BREAKS, INVALID, SPACES, WORDS};
use crate::support::oracles;
use crate::support::property::{self, between, fewer};
use crate::support::rng::Rng;
use crate::support::{fixtures, Scratch};
use fault_harness::scan::kv::PairParser;
use fault_harness::scan::tail::TOKENS;

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

/// Returns one piece of a log, each kind as often as its weight says.
fn piece(rng: &mut Rng) -> Vec<u8> {
    const KEYS: [&[u8]; 5] = [b"k", b"p99_us", b"a", b"\xc3\xbc_", b"A9"];
    const VALUES: [&[u8]; 6] = [b"1", b"v", b"", b"x=y", b"\xff2", b"-0.5"];
    // Weights: breaks 4, invalid UTF-8 2, spaces 3, words 3, pairs 3, tokens 3, near
    // misses 1, long runs 1, single bytes 2.
    let mut roll = rng.below(22);
    let mut next = |weight: usize| {
        let hit = roll < weight;
        roll = roll.wrapping_sub(weight);
        hit
    };
    if next(4) {
        rng.pick(&BREAKS).to_vec()
    } else if next(2) {
        rng.pick(INVALID).to_vec()
    } else if next(3) {
        rng.pick(SPACES).to_vec()
    } else if next(3) {
        rng.pick(WORDS).to_vec()
    } else if next(3) {
        [rng.pick(&KEYS), b"=", rng.pick(&VALUES)].concat()
    } else if next(3) {
        rng.pick(&TOKENS).as_bytes().to_vec()
    } else if next(1) {
        // A token cut short or grown: near misses of the search.
        let token = rng.pick(&TOKENS).as_bytes();
        token[..between(rng, 1..=15).min(token.len())].to_vec()
    } else if next(1) {
        // A very long run: lines longer than the preview and than any small block.
        rng.pick(WORDS).repeat(between(rng, 500..=5999))
    } else {
        vec![rng.next_u64() as u8]
    }
}

/// Returns the pieces of a random log, up to 59 of them.
fn log(rng: &mut Rng) -> Vec<Vec<u8>> {
    (0..rng.below(60)).map(|_| piece(rng)).collect()
}

/// Returns a block size: mostly tiny, so that tokens, breaks and characters straddle
/// reads, sometimes around the preview's 4096 bytes.
fn block(rng: &mut Rng) -> usize {
    match rng.chance(80) {
        true => between(rng, 1..=24),
        false => between(rng, 4090..=4100),
    }
}

/// A log in pieces and a block size; a failing one is made smaller a piece at a time.
#[derive(Clone, Debug)]
struct ScanCase {
    pieces: Vec<Vec<u8>>,
    block: usize,
}

#[test]
fn backward_scan_agrees_with_a_forward_scan() {
    let scratch = Scratch::new("prop-scan");
    let path = scratch.path().join("log");
    property::check(
        "backward-scan",
        400,
        |rng| ScanCase {
            pieces: log(rng),
            block: block(rng),
        },
        |case| fewer(case, |case| &mut case.pieces),
        |case| oracles::check_scan_log(&path, &case.pieces.concat(), case.block),
    );
}

/// A line from a log's pieces and where the parser is fed a new piece of it.
#[derive(Clone, Debug)]
struct PairsCase {
    pieces: Vec<Vec<u8>>,
    cuts: Vec<u64>,
}

#[test]
fn pair_parser_fed_in_pieces_agrees_with_the_regex_rule() {
    property::check(
        "pair-parser",
        400,
        |rng| PairsCase {
            pieces: log(rng),
            cuts: (0..rng.below(6)).map(|_| rng.next_u64()).collect(),
        },
        |case| {
            let pieces = fewer(case, |case| &mut case.pieces);
            [pieces, fewer(case, |case| &mut case.cuts)].concat()
        },
        |case| {
            let line = String::from_utf8_lossy(&case.pieces.concat()).into_owned();
            let mut bounds: Vec<usize> = case
                .cuts
                .iter()
                .map(|cut| (cut % (line.len() as u64 + 1)) as usize)
                .collect();
            bounds.push(0);
            bounds.push(line.len());
            bounds.sort_unstable();
            let mut parser = PairParser::new();
            for pair in bounds.windows(2) {
                // Pieces end on char boundaries, as the scanner's decoder hands them over.
                let (mut from, mut to) = (pair[0], pair[1]);
                while !line.is_char_boundary(from) {
                    from -= 1;
                }
                while !line.is_char_boundary(to) {
                    to -= 1;
                }
                if from < to {
                    parser.feed(&line[from..to]);
                }
            }
            let (pairs, cut) = parser.finish_raw();
            assert!(!cut);
            assert_eq!(pairs, oracles::naive_pairs(&line));
        },
    );
}
