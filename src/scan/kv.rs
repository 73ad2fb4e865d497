//! The `key=value` rule of metric lines, as the reference's regex applies it.
//!
//! The reference runs `re.finditer(r"([a-zA-Z0-9_]+)=([^\s]+)", line)` and
//! stores each match in a dict. This module runs the same pattern with the
//! `regex` crate over a line fed in pieces: a pair never spans whitespace, so
//! once 64 KiB of text are held, what precedes their last whitespace is
//! matched and only the rest is kept for the next piece. Typing values is left
//! to `py::value`; finding the line is left to [`crate::tail`].
//!
//! The rule is spelled twice here and nowhere else: as the regex `PAIR`, and for
//! ASCII text as one scan of the `=` signs (`ascii_matches`), which both the parser
//! and the forward scan's lookup of a few keys ([`Keys`]) go through; tests hold the
//! two equal.
//!
//! Python's `\s` for `str` is Unicode White_Space plus `\x1c`-`\x1f` (what
//! `str.isspace()` holds), so the value class here is `[^\s\x1C-\x1F]`; a test
//! checks that against python3 over every code point.
//!
//! Memory is bounded by what a scenario holds, not by a line's length: a line
//! is read whole, a run of text without white space (which holds at most one
//! pair) is held up to [`VALUE_MAX`] bytes, and the pairs kept hold at most the
//! budget the parser is given ([`PAIRS_BUDGET`] for all the lines of a
//! scenario). A line whose run or pairs went past them is *cut*: the pairs
//! before are kept, a value that crosses the bound keeps its first bytes, and
//! [`PairParser::finish_raw`] says so, so that a metric lost to the cut is never
//! taken for an absent one. Real metric lines hold a few hundred bytes; a
//! histogram dump of 70,000 pairs (1.4 MB) is read whole, as the reference reads it.

use crate::py::value::Value;
use regex::Regex;
use std::collections::HashMap;
use std::sync::LazyLock;

/// Metric pairs of one line in the reference's dict order: a repeated key keeps
/// its first position and takes its last value.
pub type Pairs = Vec<(String, Value)>;

/// What the `with_values` of a line calls: with the value of each key asked for, in
/// order, `None` where the line has none.
pub type ValuesVisit<'f> = dyn FnMut(&[Option<&[u8]>]) + 'f;

/// Bytes of a run of text without white space held at most: a longer value keeps its
/// first bytes, and the rest of the run is skipped.
pub const VALUE_MAX: usize = 1 << 20;

/// Bytes of pairs (keys and values) that the metric lines of one scenario keep at most.
pub const PAIRS_BUDGET: usize = 64 << 20;

/// Python's `\s` for `str`, as the inside of a class: the regex crate's `\s`
/// (Unicode White_Space) and `\x1c`-`\x1f`.
const SPACE: &str = r"\s\x1C-\x1F";

/// The reference's `([a-zA-Z0-9_]+)=([^\s]+)` with Python's `\s`.
static PAIR: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(r"([a-zA-Z0-9_]+)=([^{SPACE}]+)")).expect("a fixed, valid pattern")
});

/// Returns true if and only if `c` is white space to Python's `\s` on `str`: Unicode
/// White_Space and `\x1c`-`\x1f` (the class of [`SPACE`]).
fn is_space(c: char) -> bool {
    c.is_whitespace() || ('\x1c'..='\x1f').contains(&c)
}

/// Returns where the first white space of `text` is, looking at ASCII bytes by a test.
fn first_space(text: &str) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] < 0x80 {
            if ascii_space(bytes[i]) {
                return Some(i);
            }
            i += 1;
            continue;
        }
        let c = text[i..].chars().next()?;
        if is_space(c) {
            return Some(i);
        }
        i += c.len_utf8();
    }
    None
}

/// Returns whether `byte` is white space to Python's `\s` on ASCII text:
/// `[\t\n\x0B\x0C\r\x1C-\x1F ]`.
pub(crate) fn ascii_space(byte: u8) -> bool {
    matches!(byte, b'\t'..=b'\r' | 0x1C..=0x1F | b' ')
}

/// The bytes of a key, `[a-zA-Z0-9_]`.
pub(crate) const KEY_BYTE: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 256 {
        table[b] = (b as u8).is_ascii_alphanumeric() || b == b'_' as usize;
        b += 1;
    }
    table
};

/// Returns, for each of [`PAIR`]'s matches in ASCII `text` in order, the position of
/// its `=` and the end of its value: each `=` with a key character before it and a value
/// character after it makes a match whose value runs to the next white space, and the
/// next match is looked for after it. The one ASCII spelling of the pair rule; a test
/// holds it equal to [`PAIR`].
///
/// Metric lines are almost always ASCII, and compiling the pattern (Unicode classes
/// or not) costs about 120 µs, more than reading and parsing a log's tail: a run whose
/// lines are all ASCII never compiles it.
#[inline]
fn ascii_matches(text: &[u8]) -> AsciiMatches<'_> {
    ascii_matches_by(text, UNOPTIMIZED)
}

/// Whether the crate is built as `cargo test` builds it, unoptimized (taken from its
/// debug assertions): the hot loops then leave the bytes to `memchr`, where a loop of
/// the crate's own costs a few nanoseconds a byte. Both spellings are held equal by tests.
pub(crate) const UNOPTIMIZED: bool = cfg!(debug_assertions);

/// Returns [`ascii_matches`] of `text`, finding the ends of values by `memchr` if
/// `by_search`, else by a loop over their bytes.
fn ascii_matches_by(text: &[u8], by_search: bool) -> AsciiMatches<'_> {
    AsciiMatches {
        text,
        signs: memchr::memchr_iter(b'=', text),
        at: 0,
        next_break: 0,
        by_search,
    }
}

/// The matches of [`ascii_matches`]. The `=` signs are found by `memchr`; the white
/// space that ends a value, optimized, by a loop over the value's bytes, and
/// unoptimized (as `cargo test` builds the crate), where such a loop costs a few
/// nanoseconds a byte, by `memchr` too.
struct AsciiMatches<'a> {
    text: &'a [u8],
    signs: memchr::Memchr<'a>,
    /// Where the last value ended: its `=` signs start no match (a value ends at white
    /// space, which no key holds).
    at: usize,
    /// Unoptimized: where the first white space other than ` `, `\t` and `\x1f` at or
    /// after `at` is (a line break; `text.len()` if none), once searched for; 0 before.
    next_break: usize,
    /// Whether the ends of values are searched by `memchr` (see [`UNOPTIMIZED`]).
    by_search: bool,
}

impl AsciiMatches<'_> {
    /// Returns where the value that starts at `from` ends: at the next white space.
    #[inline(always)]
    fn value_end(&mut self, from: usize) -> usize {
        let text = self.text;
        if !self.by_search {
            let len = text[from..].iter().position(|&b| ascii_space(b));
            return len.map_or(text.len(), |len| from + len);
        }
        if self.next_break < from {
            self.next_break = next_break(text, from);
        }
        let blank = memchr::memchr3(b' ', b'\t', 0x1f, &text[from..self.next_break]);
        blank.map_or(self.next_break, |at| from + at)
    }
}

impl Iterator for AsciiMatches<'_> {
    type Item = (usize, usize);

    // Always inlined: it runs once per `=` of every line read, optimized or not.
    #[inline(always)]
    fn next(&mut self) -> Option<(usize, usize)> {
        let text = self.text;
        let n = text.len();
        while let Some(eq) = self.signs.next() {
            if eq < self.at || eq == 0 || !KEY_BYTE[usize::from(text[eq - 1])] {
                continue;
            }
            if eq + 1 >= n || ascii_space(text[eq + 1]) {
                continue;
            }
            let stop = self.value_end(eq + 1);
            self.at = stop;
            return Some((eq, stop));
        }
        None
    }
}

/// Returns where the first white space of ASCII `text` other than ` `, `\t` and `\x1f`
/// (those that break a line: `\n`, `\x0b`, `\x0c`, `\r`, `\x1c`-`\x1e`) is at or after
/// `from`, or `text.len()`.
fn next_break(text: &[u8], from: usize) -> usize {
    let rest = &text[from..];
    let first = memchr::memchr3(b'\n', b'\r', 0x0b, rest);
    let rest = &rest[..first.unwrap_or(rest.len())];
    let second = memchr::memchr3(0x0c, 0x1c, 0x1d, rest);
    let rest = &rest[..second.unwrap_or(rest.len())];
    from + memchr::memchr(0x1e, rest).unwrap_or(rest.len())
}

/// Returns the spans of [`PAIR`]'s matches in ASCII `text`, in order, as the regex
/// finds them: from the start of each match's key run (see [`ascii_matches`]).
fn ascii_pairs(text: &[u8]) -> impl Iterator<Item = std::ops::Range<usize>> + '_ {
    ascii_matches(text).map(|(eq, end)| {
        // A key's run never reaches back past the white space that ended the last value.
        let key = text[..eq]
            .iter()
            .rev()
            .take_while(|&&b| KEY_BYTE[usize::from(b)])
            .count();
        eq - key..end
    })
}

/// Finds the value of the last `key=value` pair of an ASCII line whose key is `key`.
#[cfg(test)]
pub(crate) fn ascii_value<'a>(line: &'a [u8], key: &[u8]) -> Option<&'a [u8]> {
    let key = std::str::from_utf8(key).ok()?;
    ascii_values(line, &[key]).pop().flatten()
}

/// Finds, for each of `keys`, the value of the last `key=value` pair of an ASCII line
/// with that key, by the reference's rule applied left to right ([`ascii_matches`]).
pub(crate) fn ascii_values<'a>(line: &'a [u8], keys: &[&str]) -> Vec<Option<&'a [u8]>> {
    let keys = Keys::new(keys);
    let mut found = vec![None; keys.names.len()];
    ascii_values_into(line, &keys, &mut found);
    found
}

/// Keys to look up on lines, prepared once: by their last two bytes, so that the keys
/// that may end at an `=` are found by one look in a table.
#[derive(Clone, Debug)]
pub struct Keys {
    names: Vec<String>,
    /// The keys of two bytes or more that the pair rule can match (only
    /// `[a-zA-Z0-9_]`), by [`end_bucket`] of their last two bytes.
    by_end: Vec<Vec<KeyEnd>>,
    /// The keys of one byte the pair rule can match, by that byte; none in most lookups.
    by_byte: Vec<Vec<KeyEnd>>,
    /// Whether any key has one byte.
    single: bool,
    /// The keys the pair rule can match, each with the word of its last (up to) eight
    /// bytes: what an optimized build compares, a few integer comparisons per key.
    words: Vec<KeyWord>,
}

/// A key as the word of its last (up to) eight bytes, with the mask of their bytes.
#[derive(Clone, Debug)]
struct KeyWord {
    slot: usize,
    name: Box<[u8]>,
    tail: u64,
    mask: u64,
}

/// A key that may end at an `=`, as [`Keys`] files it.
#[derive(Clone, Debug)]
struct KeyEnd {
    /// The key's position among the keys looked up.
    slot: usize,
    name: Box<[u8]>,
    /// The key's third byte from the end, if it has one: keys that share their last two
    /// bytes (`p50_us`, `p99_us`) mostly differ there, so one byte compared saves a
    /// comparison of the whole key.
    probe: Option<u8>,
}

/// Returns the bucket of [`Keys::by_end`] for a key ending with the bytes `before`, `last`.
fn end_bucket(before: u8, last: u8) -> usize {
    (usize::from(before) << 3 ^ usize::from(last)) & 0xff
}

impl Keys {
    /// Prepares `names`.
    pub fn new<S: AsRef<str>>(names: &[S]) -> Keys {
        let names: Vec<String> = names.iter().map(|name| name.as_ref().to_string()).collect();
        let mut by_end = vec![Vec::new(); 256];
        let mut by_byte = vec![Vec::new(); 256];
        for (slot, name) in names.iter().enumerate() {
            let bytes = name.as_bytes();
            if bytes.is_empty() || !bytes.iter().all(|&b| KEY_BYTE[usize::from(b)]) {
                continue;
            }
            let end = KeyEnd {
                slot,
                name: bytes.into(),
                probe: bytes.len().checked_sub(3).map(|at| bytes[at]),
            };
            match bytes {
                [.., before, last] => by_end[end_bucket(*before, *last)].push(end),
                [last] => by_byte[usize::from(*last)].push(end),
                [] => {}
            }
        }
        let single = by_byte.iter().any(|keys| !keys.is_empty());
        let words = (by_end.iter().chain(&by_byte).flatten())
            .map(|end| {
                let tail = &end.name[end.name.len().saturating_sub(8)..];
                KeyWord {
                    slot: end.slot,
                    name: end.name.clone(),
                    tail: word_ending(tail, tail.len()),
                    mask: mask(tail.len()),
                }
            })
            .collect();
        Keys {
            names,
            by_end,
            by_byte,
            single,
            words,
        }
    }

    /// Returns the keys, in order.
    pub fn names(&self) -> &[String] {
        &self.names
    }
}

/// Fills `found` (one slot per key) as [`ascii_values`] does.
pub(crate) fn ascii_values_into<'a>(line: &'a [u8], keys: &Keys, found: &mut [Option<&'a [u8]>]) {
    values_of_matches(ascii_matches(line), keys, found);
}

/// Fills `found` like [`ascii_values_into`] for `line`, ASCII text known to hold no line
/// break (a line of a log without its break), where only ` `, `\t` and `\x1f` end a
/// value: the search for the others is left out.
pub(crate) fn ascii_line_values_into<'a>(
    line: &'a [u8],
    keys: &Keys,
    found: &mut [Option<&'a [u8]>],
) {
    let mut matches = ascii_matches(line);
    matches.next_break = line.len();
    values_of_matches(matches, keys, found);
}

/// Fills `found` with the values of `keys` among `matches`, the last of each.
fn values_of_matches<'a>(matches: AsciiMatches<'a>, keys: &Keys, found: &mut [Option<&'a [u8]>]) {
    if UNOPTIMIZED {
        values_by_buckets(matches, keys, found);
    } else {
        values_by_words(matches, keys, found);
    }
}

/// Fills `found` like [`values_of_matches`], comparing the word ending at each `=` with
/// each key's last bytes: a few integer comparisons per key, optimized.
fn values_by_words<'a>(matches: AsciiMatches<'a>, keys: &Keys, found: &mut [Option<&'a [u8]>]) {
    let line = matches.text;
    {
        for (eq, stop) in matches {
            let word = word_ending(line, eq);
            for key in &keys.words {
                let len = key.name.len();
                if word & key.mask != key.tail || len > eq {
                    continue;
                }
                let start = eq - len;
                let whole = len <= 8 || line[start..eq - 8] == key.name[..len - 8];
                if whole && (start == 0 || !KEY_BYTE[usize::from(line[start - 1])]) {
                    found[key.slot] = Some(&line[eq + 1..stop]);
                }
            }
        }
    }
}

/// Fills `found` like [`values_of_matches`], comparing only the few keys filed under the
/// last bytes before each `=`: unoptimized, a loop over every key costs much.
fn values_by_buckets<'a>(matches: AsciiMatches<'a>, keys: &Keys, found: &mut [Option<&'a [u8]>]) {
    let line = matches.text;
    for (eq, stop) in matches {
        // The match's key is the run of key characters that ends at the `=`; a wanted
        // key is that run if its bytes end there and no key character comes before
        // them: a key is all key characters, so it is the whole run or none of it.
        let last = line[eq - 1];
        if eq >= 2 {
            for end in &keys.by_end[end_bucket(line[eq - 2], last)] {
                let probed = match end.probe {
                    Some(byte) => eq >= 3 && line[eq - 3] == byte,
                    None => true,
                };
                if probed && is_run_before(line, eq, &end.name) {
                    found[end.slot] = Some(&line[eq + 1..stop]);
                }
            }
        }
        if keys.single {
            for end in &keys.by_byte[usize::from(last)] {
                if is_run_before(line, eq, &end.name) {
                    found[end.slot] = Some(&line[eq + 1..stop]);
                }
            }
        }
    }
}

/// Returns the mask of the top `len` (1 to 8) bytes of a word.
fn mask(len: usize) -> u64 {
    u64::MAX << (8 * (8 - len.min(8)))
}

/// Returns the (up to) eight bytes of `bytes` that end at `end` as a little-endian
/// word, its last byte the top one; bytes before the start are zero.
fn word_ending(bytes: &[u8], end: usize) -> u64 {
    if let Some(eight) = end.checked_sub(8).and_then(|from| bytes.get(from..end)) {
        let eight: [u8; 8] = eight.try_into().unwrap_or_default();
        return u64::from_le_bytes(eight);
    }
    let mut word = [0u8; 8];
    let from = end.saturating_sub(8);
    word[8 - (end - from)..].copy_from_slice(&bytes[from..end]);
    u64::from_le_bytes(word)
}

/// Returns true if and only if `key` (key characters only) is the whole run of key
/// characters that ends at `line[eq]`.
fn is_run_before(line: &[u8], eq: usize, key: &[u8]) -> bool {
    let Some(start) = eq.checked_sub(key.len()) else {
        return false;
    };
    line[start..eq] == *key && (start == 0 || !KEY_BYTE[usize::from(line[start - 1])])
}

/// The last whitespace character of a text and the word after it.
static LAST_SPACE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(r"[{SPACE}][^{SPACE}]*\z")).expect("a fixed, valid pattern")
});

/// Pairs of a line up to which a repeated key is found by looking along them; a line
/// with more is indexed (metric lines hold a handful, a hostile one a quarter million).
const SCANNED_PAIRS: usize = 16;

/// Bytes of text held at least before what precedes their last whitespace is matched.
const HELD: usize = 64 * 1024;

/// Parser of the reference's `key=value` matches over a line fed in pieces.
///
/// Public for the property tests only.
#[doc(hidden)]
#[derive(Debug, Default)]
pub struct PairParser {
    /// Text fed and not yet matched.
    text: String,
    /// Twice what `text` kept at its last match: a long run without whitespace is
    /// searched again only once it has doubled, so the searches stay linear.
    next_match: usize,
    pairs: Vec<(String, String)>,
    /// Where each key is in `pairs`, once there are more than [`SCANNED_PAIRS`] of them;
    /// fewer are found by a look along `pairs`.
    index: HashMap<String, usize>,
    /// Bytes of pairs the parser may keep, and how many it has kept.
    budget: usize,
    kept: usize,
    /// A run of text went past [`VALUE_MAX`] bytes, or the pairs past the budget.
    cut: bool,
    /// The rest of an over-long run is being skipped, up to the next white space.
    skipping: bool,
    /// The budget is spent: nothing more is read.
    full: bool,
}

impl PairParser {
    /// Returns a parser at the start of a line that may keep [`PAIRS_BUDGET`] bytes of pairs.
    pub fn new() -> PairParser {
        PairParser::with_budget(PAIRS_BUDGET)
    }

    /// Returns a parser at the start of a line that may keep `budget` bytes of pairs.
    pub fn with_budget(budget: usize) -> PairParser {
        PairParser {
            budget,
            ..PairParser::default()
        }
    }

    /// Feeds the next piece of the (already decoded) line.
    pub fn feed(&mut self, text: &str) {
        if self.full {
            return;
        }
        let mut text = text;
        if self.skipping {
            match first_space(text) {
                Some(at) => {
                    self.skipping = false;
                    text = &text[at..];
                }
                None => return,
            }
        }
        self.text.push_str(text);
        if self.text.len() >= HELD.max(self.next_match) {
            let mut held = std::mem::take(&mut self.text);
            if let Some(last) = LAST_SPACE.find(&held) {
                // No pair spans the space: all before it is matched now, the rest kept.
                self.store(&held[..last.start()]);
                held.drain(..last.start());
            }
            self.bound_run(&mut held);
            self.next_match = 2 * held.len();
            self.text = held;
        }
    }

    /// Cuts `held`, one run without white space after the space that starts it (which
    /// holds one pair at most, its value running to the run's end), when it is longer
    /// than [`VALUE_MAX`]: its first bytes are matched, and the rest of the run skipped.
    fn bound_run(&mut self, held: &mut String) {
        let space = held
            .chars()
            .next()
            .filter(|&c| is_space(c))
            .map_or(0, char::len_utf8);
        if held.len() - space > VALUE_MAX {
            let mut keep = space + VALUE_MAX;
            while !held.is_char_boundary(keep) {
                keep -= 1;
            }
            self.store(&held[..keep]);
            held.clear();
            self.cut = true;
            self.skipping = true;
        }
    }

    /// Stores the pairs of `text` with the dict's keep-first-position rule.
    fn store(&mut self, text: &str) {
        if text.is_ascii() {
            // Every match is ASCII, so its ends fall on character boundaries.
            for found in ascii_pairs(text.as_bytes()) {
                self.store_pair(text.get(found).unwrap_or_default());
            }
        } else {
            for found in PAIR.find_iter(text) {
                self.store_pair(found.as_str());
            }
        }
    }

    /// Stores one `key=value` match, unless the budget is spent.
    fn store_pair(&mut self, found: &str) {
        // A key holds no `=`, so the first one ends it (group 1 of the pattern).
        let Some((key, value)) = found.split_once('=') else {
            return;
        };
        if self.full {
            return;
        }
        let found = if self.pairs.len() <= SCANNED_PAIRS {
            self.pairs.iter().position(|(known, _)| known == key)
        } else {
            if self.index.is_empty() {
                let keys = self.pairs.iter().enumerate();
                self.index = keys.map(|(i, (known, _))| (known.clone(), i)).collect();
            }
            self.index.get(key).copied()
        };
        // What the pairs grow by: a repeated key only by a longer value.
        let grows = match found {
            Some(i) => value.len().saturating_sub(self.pairs[i].1.len()),
            None => key.len() + value.len(),
        };
        if self.kept + grows > self.budget {
            self.full = true;
            self.cut = true;
            return;
        }
        self.kept += grows;
        match found {
            Some(i) => {
                let slot = &mut self.pairs[i].1;
                slot.clear();
                slot.push_str(value);
            }
            None => {
                if !self.index.is_empty() {
                    self.index.insert(key.to_owned(), self.pairs.len());
                }
                self.pairs.push((key.to_owned(), value.to_owned()));
            }
        }
    }

    /// Returns true if and only if the budget is spent: nothing more of the line is read.
    pub fn is_full(&self) -> bool {
        self.full
    }

    /// Returns the bytes of pairs kept so far.
    pub fn kept(&self) -> usize {
        self.kept
    }

    /// Ends the line and returns its pairs with values as raw strings, and true if
    /// and only if the line was cut: a run past [`VALUE_MAX`] bytes or the pairs past
    /// the budget.
    pub fn finish_raw(mut self) -> (Vec<(String, String)>, bool) {
        let mut held = std::mem::take(&mut self.text);
        // Only text longer than the bound can end in a run past it (and the pattern is
        // compiled only for that: compiling it costs more than a log's tail).
        if held.len() > VALUE_MAX {
            if let Some(last) = LAST_SPACE.find(&held) {
                self.store(&held[..last.start()]);
                held.drain(..last.start());
            }
            self.bound_run(&mut held);
        }
        self.store(&held);
        (self.pairs, self.cut)
    }
}

/// Returns `list` as owned pairs, for tests.
#[cfg(test)]
pub(crate) fn owned_pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// Parses a whole decoded line and returns its pairs with values as raw strings.
#[cfg(test)]
pub(crate) fn parse_line_raw(line: &str) -> Vec<(String, String)> {
    let mut parser = PairParser::new();
    parser.feed(line);
    parser.finish_raw().0
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{code_points_matching, python_code_points, Rng};

    /// Checks, over every code point, that the class of [`SPACE`] is the `\s` of Python's `re` on `str`.
    #[test]
    fn space_class_is_python_whitespace_over_every_code_point() {
        let what = "the key=value rule's white space compared with Python 3.11's \\s";
        let Some(expected) = python_code_points(r"\s", what) else {
            return;
        };
        let actual = code_points_matching(&format!("[{SPACE}]"));
        assert_eq!(actual, expected);
        // Unicode White_Space (the regex crate's `\s`) and `\x1c`-`\x1f`: 29 characters.
        assert_eq!(actual.lines().count(), 29);
    }

    fn raw(line: &str) -> Vec<(String, String)> {
        parse_line_raw(line)
    }

    use super::owned_pairs as pairs;

    // Expected values below come from python3.11 running the reference's
    // regex: `{m.group(1): m.group(2) for m in KV_PATTERN.finditer(line)}`.

    #[test]
    fn value_keeps_later_equals_signs() {
        assert_eq!(raw("a=b=c"), pairs(&[("a", "b=c")]));
        assert_eq!(raw("a==b"), pairs(&[("a", "=b")]));
    }

    #[test]
    fn repeated_key_keeps_first_position_and_last_value() {
        assert_eq!(
            raw("a=1 b=2 a=3 c=4 b=5"),
            pairs(&[("a", "3"), ("b", "5"), ("c", "4")])
        );
    }

    #[test]
    fn unit_separator_is_whitespace() {
        assert_eq!(raw("a=1\x1fb=2"), pairs(&[("a", "1"), ("b", "2")]));
        assert_eq!(
            raw("a=1\u{85}b=2\u{a0}c=3"),
            pairs(&[("a", "1"), ("b", "2"), ("c", "3")])
        );
        assert_eq!(
            raw("a=1\u{3000}b=\u{2003}c=3"),
            pairs(&[("a", "1"), ("c", "3")])
        );
    }

    #[test]
    fn non_ascii_letters_are_not_key_characters() {
        // python: {} for 'ü=1'; {'b': '2'} for 'aü=1 b=2'; {'_': '1'} for 'ü_=1'.
        assert_eq!(raw("ü=1"), pairs(&[]));
        assert_eq!(raw("aü=1 b=2"), pairs(&[("b", "2")]));
        assert_eq!(raw("ü_=1"), pairs(&[("_", "1")]));
        assert_eq!(raw("k=ü"), pairs(&[("k", "ü")]));
    }

    #[test]
    fn missing_key_or_value_yields_nothing() {
        assert_eq!(raw("=x"), pairs(&[]));
        assert_eq!(raw("a= b"), pairs(&[]));
        assert_eq!(raw("a="), pairs(&[]));
        assert_eq!(raw("a"), pairs(&[]));
        assert_eq!(raw(""), pairs(&[]));
        // python: {'b': 'c'} for 'a b=c' and {'c': 'd'} for 'a-b= c=d'.
        assert_eq!(raw("a b=c"), pairs(&[("b", "c")]));
        assert_eq!(raw("a-b= c=d"), pairs(&[("c", "d")]));
    }

    #[test]
    fn metric_line_parses_in_order() {
        assert_eq!(raw("p50_us=12 x"), pairs(&[("p50_us", "12")]));
        assert_eq!(
            raw("T LATENCY_METRICS p50_us=412 p95_us=1380 drop=-0.5"),
            pairs(&[("p50_us", "412"), ("p95_us", "1380"), ("drop", "-0.5")])
        );
        // python: {'x': 'a=b', 'c': 'd'} for 'x=a=b c=d'; the value swallowed `b`.
        assert_eq!(raw("x=a=b c=d"), pairs(&[("x", "a=b"), ("c", "d")]));
    }

    #[test]
    fn replacement_characters_are_value_characters() {
        assert_eq!(
            raw("a=\u{fffd}1 \u{fffd}b=2 c\u{fffd}=3"),
            pairs(&[("a", "\u{fffd}1"), ("b", "2")])
        );
    }

    #[test]
    fn split_feeding_equals_one_shot() {
        let lines = [
            "a=b=c x_1=2\x1fy=\u{fffd}z ü=1 aü=2 =x a= b p50_us=12 x a=9",
            "k=v\u{2003}k=w\u{3000}\u{85}m=\u{a0}n=1_000 \t q=",
            "__=_ 0=0 a=b=c=d\u{fffd}\u{fffd}=e",
        ];
        for line in lines {
            let whole = raw(line);
            let cuts: Vec<usize> = (0..=line.len())
                .filter(|&i| line.is_char_boundary(i))
                .collect();
            for &i in &cuts {
                for &j in cuts.iter().filter(|&&j| j >= i) {
                    let mut parser = PairParser::new();
                    parser.feed(&line[..i]);
                    parser.feed(&line[i..j]);
                    parser.feed(&line[j..]);
                    assert_eq!(parser.finish_raw().0, whole, "cuts {i} {j} of {line:?}");
                }
            }
            let mut parser = PairParser::new();
            for (k, c) in line.char_indices() {
                parser.feed(&line[k..k + c.len_utf8()]);
            }
            assert_eq!(parser.finish_raw().0, whole, "char by char {line:?}");
        }
    }

    #[test]
    fn long_lines_fed_in_pieces_equal_one_match_of_the_whole() {
        let mut rng = crate::testing::Rng::new(0x4B56);
        let words = [
            "a=1",
            "p50_us=412",
            "k=v=w",
            "x",
            "=",
            "b=",
            "\u{fc}=1",
            "c=\u{fc}",
            "\u{fffd}",
        ];
        let spaces = [" ", "\t", "\x1f", "\u{a0}", "\u{3000}", "\u{85}"];
        for round in 0..6 {
            let mut line = String::new();
            while line.len() < 300_000 {
                if rng.below(400) == 0 {
                    // A run without whitespace longer than what the parser holds.
                    line.push_str(&"y".repeat(rng.below(3 * HELD)));
                }
                let key = rng.below(2000);
                let (word, space) = (rng.pick(&words), rng.pick(&spaces));
                match rng.below(3) {
                    0 => line.push_str(&format!("k{key}={round}")),
                    _ => line.push_str(word),
                }
                line.push_str(space);
            }
            // One match of the whole line, folded into the dict by hand.
            let mut whole: Vec<(String, String)> = Vec::new();
            for found in PAIR.find_iter(&line) {
                let (k, v) = found.as_str().split_once('=').unwrap();
                match whole.iter_mut().find(|(key, _)| key == k) {
                    Some(slot) => slot.1 = v.to_string(),
                    None => whole.push((k.to_string(), v.to_string())),
                }
            }
            let mut parser = PairParser::new();
            let mut at = 0;
            while at < line.len() {
                let mut to = (at + 1 + rng.below(if round % 2 == 0 { 100 } else { 100_000 }))
                    .min(line.len());
                while !line.is_char_boundary(to) {
                    to += 1;
                }
                parser.feed(&line[at..to]);
                at = to;
            }
            assert_eq!(parser.finish_raw(), (whole, false), "round {round}");
        }
    }

    /// The budget of pairs the tests below give a parser.
    const BUDGET: usize = 1 << 20;

    /// Feeds `pieces` one after another to a parser with a scenario's budget and returns
    /// the raw pairs and the cut flag.
    fn fed(pieces: &[&str]) -> (Vec<(String, String)>, bool) {
        fed_within(PAIRS_BUDGET, pieces)
    }

    /// Feeds `pieces` like [`fed`] to a parser that may keep `budget` bytes of pairs.
    fn fed_within(budget: usize, pieces: &[&str]) -> (Vec<(String, String)>, bool) {
        let mut parser = PairParser::with_budget(budget);
        for piece in pieces {
            parser.feed(piece);
        }
        parser.finish_raw()
    }

    #[test]
    fn a_huge_value_keeps_its_first_bytes_and_the_line_is_read_on() {
        let junk = "\0".repeat(VALUE_MAX);
        let (pairs, cut) = fed(&["a=1 p50_us=998", &junk, &junk, " b=2"]);
        assert!(cut);
        assert_eq!(pairs.len(), 3, "the pair after the long run is read");
        assert_eq!(pairs[0], ("a".to_string(), "1".to_string()));
        assert_eq!(pairs[1].0, "p50_us");
        assert!(pairs[1].1.starts_with("998\0"));
        // The run (`p50_us=` and the value) keeps VALUE_MAX bytes.
        assert_eq!(pairs[1].1.len(), VALUE_MAX - "p50_us=".len());
        assert_eq!(pairs[2], ("b".to_string(), "2".to_string()));
    }

    #[test]
    fn a_value_is_cut_at_a_char_boundary() {
        let wide = "\u{fc}".repeat(VALUE_MAX);
        let (pairs, cut) = fed(&["k=", &wide]);
        assert!(cut);
        assert!(pairs[0].1.chars().all(|c| c == '\u{fc}'));
        assert_eq!(pairs[0].1.len(), VALUE_MAX - 2);
    }

    #[test]
    fn only_a_run_longer_than_the_bound_is_cut_however_it_is_fed() {
        let keyish = "x".repeat(3 * VALUE_MAX);
        assert_eq!(fed(&[&keyish, " a=1"]), (pairs(&[("a", "1")]), true));
        assert_eq!(fed(&["a=1 ", &keyish]), (pairs(&[("a", "1")]), true));
        // A run of exactly the bound is not cut; one more byte is, fed whole or in pieces.
        let full = format!("a=1 k={}", "x".repeat(VALUE_MAX - 2));
        let (kept, cut) = fed(&[&full]);
        assert!(!cut && kept.len() == 2 && kept[1].1.len() == VALUE_MAX - 2);
        assert!(fed(&[&full, "x"]).1);
        let pieces: Vec<&str> = full
            .as_bytes()
            .chunks(1000)
            .map(|c| std::str::from_utf8(c).unwrap())
            .collect();
        assert_eq!(fed(&pieces), fed(&[&full]));
        let mut longer = pieces.clone();
        longer.push("x");
        assert!(fed(&longer).1);
    }

    #[test]
    fn a_line_under_the_budget_keeps_every_pair() {
        // The reproduction of a bug: 15,000 short pairs (about 124 KB) once used up the budget.
        let mut line = String::from("LATENCY_METRICS");
        for i in 0..15_000 {
            line.push_str(&format!(" b{i}=1"));
        }
        line.push_str(" p50_us=400 p99_us=1500 ingest_to_emit_samples=3000 drop_ratio_ppm=10");
        let (pairs, cut) = fed(&[&line]);
        assert!(!cut);
        assert_eq!(pairs.len(), 15_004);
        assert_eq!(
            pairs[15_003],
            ("drop_ratio_ppm".to_string(), "10".to_string())
        );
        // A line of as many distinct pairs as the budget holds: 3-character keys and
        // a 1-character value keep 4 bytes each.
        let alphabet: Vec<char> = ('a'..='z').chain('A'..='Z').chain('0'..='9').collect();
        let mut dense = String::new();
        let mut count = 0;
        'fill: for a in &alphabet {
            for b in &alphabet {
                for c in &alphabet {
                    if (count + 1) * 4 > BUDGET {
                        break 'fill;
                    }
                    dense.extend([*a, *b, *c, '=', '1', ' ']);
                    count += 1;
                }
            }
        }
        let (pairs, cut) = fed_within(BUDGET, &[&dense]);
        assert!(!cut);
        assert_eq!(pairs.len(), count);
        assert_eq!(count, (62usize.pow(3)).min(BUDGET / 4));
        // A histogram dump of 70,000 pairs (1.4 MB) is read whole with the scenario's budget.
        let dump: String = (0..70_000)
            .map(|i| format!(" bucket_{i:06}_us={i}"))
            .collect();
        let mut parser = PairParser::new();
        parser.feed(&format!("LATENCY_METRICS p50_us=1{dump} p99_us=2"));
        let (pairs, cut) = parser.finish_raw();
        assert!(!cut);
        assert_eq!(pairs.len(), 70_002);
        assert_eq!(pairs[70_001], ("p99_us".to_string(), "2".to_string()));
    }

    #[test]
    fn many_pairs_stop_at_the_budget() {
        let line: String = (0..200_000).map(|i| format!("k{i}=v ")).collect();
        let (pairs, cut) = fed_within(BUDGET, &[&line]);
        assert!(cut);
        let kept: usize = pairs.iter().map(|(k, v)| k.len() + v.len()).sum();
        assert!(kept <= BUDGET, "{kept}");
        assert!(pairs.len() > 100_000, "{}", pairs.len());
        assert_eq!(pairs[0], ("k0".to_string(), "v".to_string()));
        // Repeated keys replace values in place, and keep nothing more.
        let line = "a=1 ".repeat(400_000);
        assert_eq!(fed_within(BUDGET, &[&line]), (pairs_of("a", "1"), false));
    }

    fn pairs_of(k: &str, v: &str) -> Vec<(String, String)> {
        pairs(&[(k, v)])
    }

    /// Returns a text of fewer than `max` characters drawn from `alphabet`.
    fn random_text(rng: &mut Rng, alphabet: &[char], max: usize) -> String {
        let len = rng.below(max);
        (0..len)
            .map(|_| alphabet[rng.below(alphabet.len())])
            .collect()
    }

    /// Returns the value of `key` among `pairs` (the dict's order, a key once), as bytes.
    fn value_in<'a>(pairs: &'a [(String, String)], key: &str) -> Option<&'a [u8]> {
        let found = pairs.iter().find(|(k, _)| k == key);
        found.map(|(_, v)| v.as_bytes())
    }

    #[test]
    fn ascii_text_gives_the_pairs_of_the_pattern() {
        // Every ASCII character, the white space among them most often.
        let alphabet: Vec<char> = (0u8..128)
            .map(char::from)
            .chain("= \t\n\x0b\x0c\r\x1c\x1d\x1e\x1fk=v_9".chars())
            .collect();
        let mut rng = Rng::new(0x5eed_a5c1);
        for _ in 0..20_000 {
            let text = random_text(&mut rng, &alphabet, 60);
            let unicode: Vec<&str> = PAIR.find_iter(&text).map(|m| m.as_str()).collect();
            let ascii: Vec<&str> = ascii_pairs(text.as_bytes()).map(|m| &text[m]).collect();
            assert_eq!(ascii, unicode, "{text:?}");
        }
    }

    #[test]
    fn ascii_lookups_give_the_last_value_of_the_pattern() {
        let alphabet: Vec<char> = "= \t\x1fkv_9ab".chars().collect();
        let keys = ["k", "kv", "k_9", "ab", "b", "9", "kkkkkkkkkv", "a.b", ""];
        let mut rng = Rng::new(0x4b45_5953);
        for _ in 0..20_000 {
            let text = random_text(&mut rng, &alphabet, 40);
            let found = ascii_values(text.as_bytes(), &keys);
            let whole = raw(&text);
            for (key, value) in keys.iter().zip(found) {
                let expected = value_in(&whole, key);
                assert_eq!(value, expected, "{key:?} in {text:?}");
            }
        }
    }

    #[test]
    fn every_spelling_of_the_ascii_lookup_gives_the_last_value_of_the_pattern() {
        // White space of every kind, line breaks among it; keys sharing their last bytes.
        let alphabet: Vec<char> = "= \t\n\r\x0b\x0c\x1c\x1e\x1fkv_9abp0us.".chars().collect();
        let keys = [
            "k",
            "kv",
            "k_9",
            "ab",
            "b",
            "9",
            "kkkkkkkkkv",
            "p0_us",
            "p9_us",
            "a.b",
            "",
        ];
        let prepared = Keys::new(&keys);
        let mut rng = Rng::new(0x5350_454c);
        for _ in 0..20_000 {
            let text = random_text(&mut rng, &alphabet, 40);
            let whole = raw(&text);
            let line = text.as_bytes();
            for by_search in [false, true] {
                let matches = || ascii_matches_by(line, by_search);
                let expected: Vec<(usize, usize)> = ascii_matches_by(line, !by_search).collect();
                assert_eq!(matches().collect::<Vec<_>>(), expected, "{text:?}");
                let mut by_words = vec![None; keys.len()];
                values_by_words(matches(), &prepared, &mut by_words);
                let mut by_buckets = vec![None; keys.len()];
                values_by_buckets(matches(), &prepared, &mut by_buckets);
                for (i, key) in keys.iter().enumerate() {
                    let expected = value_in(&whole, key);
                    assert_eq!(by_words[i], expected, "{key:?} in {text:?}");
                    assert_eq!(by_buckets[i], expected, "{key:?} in {text:?}");
                }
            }
        }
    }

    #[test]
    fn repeated_keys_keep_their_place_past_the_pairs_looked_along() {
        // Python: {m.group(1): m.group(2) for m in ...} keeps each key's first place
        // and its last value, however many pairs come before.
        let mut line: Vec<String> = (0..40).map(|i| format!("k{i}=a")).collect();
        line.extend(["k3=b", "k30=c", "k0=d", "k40=e", "k3=f"].map(String::from));
        let mut expected: Vec<(String, String)> = (0..40)
            .map(|i| (format!("k{i}"), "a".to_string()))
            .collect();
        expected[3].1 = "f".to_string();
        expected[30].1 = "c".to_string();
        expected[0].1 = "d".to_string();
        expected.push(("k40".to_string(), "e".to_string()));
        assert_eq!(raw(&line.join(" ")), expected);
    }
}
