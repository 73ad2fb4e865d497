//! The `key=value` rule of metric lines, as the reference's regex applies it.
//!
//! The reference runs `re.finditer(r"([a-zA-Z0-9_]+)=([^\s]+)", line)` and
//! stores each match in a dict. This module reproduces that as a state machine
//! fed decoded text in pieces, so a huge line needs no more memory than the
//! pairs it yields. Typing values is left to [`crate::py::value`]; finding the line
//! is left to [`crate::scan::tail`].
//!
//! Memory is bounded: a line keeps at most [`LINE_BUDGET`] bytes of pairs
//! (text plus a fixed cost per pair). A line beyond it is *cut*: the pairs
//! before the cut are kept, a value that crosses it keeps its first bytes, and
//! [`PairParser::finish_raw`] says so, so that a metric lost to the cut is never
//! taken for an absent one. Real metric lines hold a few hundred bytes.

use crate::py::unicode::is_space;
use crate::py::value::{to_number, Value};
use std::collections::HashMap;

/// Metric pairs of one line in the reference's dict order: a repeated key keeps
/// its first position and takes its last value.
pub type Pairs = Vec<(String, Value)>;

/// Bytes of pairs one line keeps at most: key and value text plus 64 bytes per pair.
pub const LINE_BUDGET: usize = 1 << 20;

/// What a stored pair costs beyond its text (two strings, an index entry), for [`LINE_BUDGET`].
const PAIR_COST: usize = 64;

/// Where the parser stands within the regex.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
enum State {
    /// Between matches, looking for a key character.
    #[default]
    Idle,
    /// Inside a run of key characters.
    Key,
    /// Right after `key=`, needing one non-space character.
    Eq,
    /// Inside a value, which runs to the next whitespace.
    Value,
}

/// Incremental parser of `([a-zA-Z0-9_]+)=([^\s]+)` matches over a line fed in pieces.
#[derive(Debug, Default)]
pub struct PairParser {
    state: State,
    key: String,
    value: String,
    pairs: Vec<(String, String)>,
    index: HashMap<String, usize>,
    /// Budget used by the pairs stored.
    used: usize,
    /// The key being read lost bytes to the budget.
    key_cut: bool,
    /// The value being read lost bytes to the budget.
    value_cut: bool,
    /// A pair, or part of a value, was dropped for the budget.
    cut: bool,
}

/// Returns true if and only if `b` is in the ASCII class `[a-zA-Z0-9_]`.
fn is_key_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// Returns true if and only if the ASCII byte `b` is Python whitespace.
fn is_ascii_space(b: u8) -> bool {
    matches!(b, b'\t'..=b'\r' | 0x1c..=0x1f | b' ')
}

/// Finds the first whitespace character in `s` and returns its offset and length.
fn find_space(s: &str) -> Option<(usize, usize)> {
    let bytes = s.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b < 0x80 {
            if is_ascii_space(b) {
                return Some((i, 1));
            }
            i += 1;
        } else {
            let c = s[i..].chars().next()?;
            if is_space(c) {
                return Some((i, c.len_utf8()));
            }
            i += c.len_utf8();
        }
    }
    None
}

impl PairParser {
    /// Returns a parser at the start of a line.
    pub fn new() -> PairParser {
        PairParser::default()
    }

    /// Feeds the next piece of the (already decoded) line.
    pub fn feed(&mut self, text: &str) {
        let mut rest = text;
        while !rest.is_empty() {
            match self.state {
                State::Idle => match rest.bytes().position(is_key_byte) {
                    // Key bytes are ASCII, so `i` is a char boundary.
                    Some(i) => {
                        self.key.clear();
                        self.key_cut = false;
                        self.state = State::Key;
                        rest = &rest[i..];
                    }
                    None => rest = "",
                },
                State::Key => {
                    let n = rest.bytes().take_while(|&b| is_key_byte(b)).count();
                    // Key bytes are ASCII, so any cut is a char boundary.
                    let keep = n.min(self.room());
                    self.key.push_str(&rest[..keep]);
                    self.key_cut |= keep < n;
                    rest = &rest[n..];
                    match rest.as_bytes().first() {
                        None => {}
                        Some(b'=') => {
                            self.state = State::Eq;
                            rest = &rest[1..];
                        }
                        // The failed key is abandoned; the byte here starts no key.
                        Some(_) => self.state = State::Idle,
                    }
                }
                State::Eq => {
                    let Some(c) = rest.chars().next() else {
                        break;
                    };
                    if is_space(c) {
                        self.state = State::Idle;
                        rest = &rest[c.len_utf8()..];
                    } else {
                        self.value.clear();
                        self.value_cut = false;
                        self.state = State::Value;
                    }
                }
                State::Value => match find_space(rest) {
                    Some((i, n)) => {
                        self.push_value(&rest[..i]);
                        self.emit();
                        self.state = State::Idle;
                        rest = &rest[i + n..];
                    }
                    None => {
                        self.push_value(rest);
                        rest = "";
                    }
                },
            }
        }
    }

    /// Returns how many more bytes the key and value being read may hold.
    fn room(&self) -> usize {
        // Outside a value, `value` still holds the previous pair's and does not count.
        let value = if self.state == State::Value {
            self.value.len()
        } else {
            0
        };
        LINE_BUDGET.saturating_sub(self.used + PAIR_COST + self.key.len() + value)
    }

    /// Appends as much of `text` to the value as the budget allows, cut at a char boundary.
    fn push_value(&mut self, text: &str) {
        let room = self.room();
        if text.len() <= room {
            self.value.push_str(text);
            return;
        }
        let mut keep = room;
        while !text.is_char_boundary(keep) {
            keep -= 1;
        }
        self.value.push_str(&text[..keep]);
        self.value_cut = true;
    }

    /// Stores the current key and value with the dict's keep-first-position rule.
    fn emit(&mut self) {
        if self.key_cut {
            // A key that lost bytes is not the key of the line: drop the pair.
            self.cut = true;
            return;
        }
        self.cut |= self.value_cut;
        match self.index.get(self.key.as_str()) {
            Some(&i) => {
                let slot = &mut self.pairs[i].1;
                self.used = self.used - slot.len() + self.value.len();
                slot.clear();
                slot.push_str(&self.value);
            }
            None => {
                self.used += PAIR_COST + self.key.len() + self.value.len();
                self.index.insert(self.key.clone(), self.pairs.len());
                self.pairs.push((self.key.clone(), self.value.clone()));
            }
        }
    }

    /// Ends the line and returns its pairs with values as raw strings, and true if
    /// and only if the line was cut: pairs or parts of values were dropped for
    /// [`LINE_BUDGET`] (a key that runs past it but is never followed by `=` cuts nothing).
    pub fn finish_raw(mut self) -> (Vec<(String, String)>, bool) {
        if self.state == State::Value {
            self.emit();
        }
        (self.pairs, self.cut)
    }

    /// Ends the line and returns its pairs (see [`PairParser::finish_raw`] for cut lines).
    pub fn finish(self) -> Pairs {
        self.finish_raw()
            .0
            .into_iter()
            .map(|(k, v)| {
                let value = to_number(&v);
                (k, value)
            })
            .collect()
    }
}

/// Parses a whole decoded line.
pub fn parse_line(line: &str) -> Pairs {
    let mut parser = PairParser::new();
    parser.feed(line);
    parser.finish()
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

    fn raw(line: &str) -> Vec<(String, String)> {
        parse_line_raw(line)
    }

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

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

    /// Feeds `pieces` one after another and returns the raw pairs and the cut flag.
    fn fed(pieces: &[&str]) -> (Vec<(String, String)>, bool) {
        let mut parser = PairParser::new();
        for piece in pieces {
            parser.feed(piece);
        }
        parser.finish_raw()
    }

    #[test]
    fn a_huge_value_keeps_its_first_bytes_and_cuts_the_line() {
        let junk = "\0".repeat(LINE_BUDGET);
        let (pairs, cut) = fed(&["a=1 p50_us=998", &junk, &junk, " b=2"]);
        assert!(cut);
        assert_eq!(pairs.len(), 2, "the pair after the cut is dropped");
        assert_eq!(pairs[0], ("a".to_string(), "1".to_string()));
        assert_eq!(pairs[1].0, "p50_us");
        assert!(pairs[1].1.starts_with("998\0"));
        let kept: usize = pairs
            .iter()
            .map(|(k, v)| k.len() + v.len() + PAIR_COST)
            .sum();
        assert!(kept <= LINE_BUDGET, "{kept}");
    }

    #[test]
    fn a_value_is_cut_at_a_char_boundary() {
        let wide = "\u{fc}".repeat(LINE_BUDGET);
        let (pairs, cut) = fed(&["k=", &wide]);
        assert!(cut);
        assert!(pairs[0].1.chars().all(|c| c == '\u{fc}'));
        assert!(pairs[0].1.len() > LINE_BUDGET - 2 * PAIR_COST);
    }

    #[test]
    fn a_huge_key_without_equals_cuts_nothing() {
        let keyish = "x".repeat(3 * LINE_BUDGET);
        assert_eq!(fed(&[&keyish, " a=1"]), (pairs(&[("a", "1")]), false));
        // With `=` it would make a pair whose key lost bytes: dropped, the line is cut.
        assert_eq!(fed(&[&keyish, "=1 a=1"]), (pairs(&[("a", "1")]), true));
    }

    #[test]
    fn many_pairs_stop_at_the_budget() {
        let line: String = (0..200_000).map(|i| format!("k{i}=v ")).collect();
        let (pairs, cut) = fed(&[&line]);
        assert!(cut);
        assert!(pairs.len() < LINE_BUDGET / PAIR_COST, "{}", pairs.len());
        assert_eq!(pairs[0], ("k0".to_string(), "v".to_string()));
        // Repeated keys replace values in place and need no more budget.
        let line = "a=1 ".repeat(500_000);
        assert_eq!(fed(&[&line]), (pairs_of("a", "1"), false));
    }

    fn pairs_of(k: &str, v: &str) -> Vec<(String, String)> {
        pairs(&[(k, v)])
    }
}
