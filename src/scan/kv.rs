//! The `key=value` rule of metric lines, as the reference's regex applies it.
//!
//! The reference runs `re.finditer(r"([a-zA-Z0-9_]+)=([^\s]+)", line)` and
//! stores each match in a dict. This module reproduces that as a state machine
//! fed decoded text in pieces, so a huge line needs no more memory than the
//! pairs it yields. Typing values is left to [`crate::py::value`]; finding the line
//! is left to [`crate::scan::tail`].
//!
//! Memory is bounded: only the first [`LINE_BUDGET`] bytes of a line's text
//! are read for pairs, so the pairs kept hold at most that much text and
//! number at most a quarter of it (`k=v` and a space each). A longer line is
//! *cut*: the pairs before the cut are kept, a value that crosses it keeps its
//! first bytes, and [`PairParser::finish_raw`] says so, so that a metric lost
//! to the cut is never taken for an absent one. Every pair of a shorter line is
//! kept. Real metric lines hold a few hundred bytes.

use crate::py::unicode::is_space;
use crate::py::value::{to_number, Value};
use std::collections::HashMap;

/// Metric pairs of one line in the reference's dict order: a repeated key keeps
/// its first position and takes its last value.
pub type Pairs = Vec<(String, Value)>;

/// Bytes of a line's text read for pairs at most; the rest of a longer line is not read.
pub const LINE_BUDGET: usize = 1 << 20;

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
    /// Bytes of the line's text read so far.
    read: usize,
    /// The line holds more than [`LINE_BUDGET`] bytes of text: the rest was not read.
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

    /// Feeds the next piece of the (already decoded) line; text past [`LINE_BUDGET`] is dropped.
    pub fn feed(&mut self, text: &str) {
        if self.cut {
            return;
        }
        let room = LINE_BUDGET - self.read;
        let text = if text.len() > room {
            self.cut = true;
            let mut keep = room;
            while !text.is_char_boundary(keep) {
                keep -= 1;
            }
            &text[..keep]
        } else {
            text
        };
        self.read += text.len();
        let mut rest = text;
        while !rest.is_empty() {
            match self.state {
                State::Idle => match rest.bytes().position(is_key_byte) {
                    // Key bytes are ASCII, so `i` is a char boundary.
                    Some(i) => {
                        self.key.clear();
                        self.state = State::Key;
                        rest = &rest[i..];
                    }
                    None => rest = "",
                },
                State::Key => {
                    let n = rest.bytes().take_while(|&b| is_key_byte(b)).count();
                    self.key.push_str(&rest[..n]);
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
                        self.state = State::Value;
                    }
                }
                State::Value => match find_space(rest) {
                    Some((i, n)) => {
                        self.value.push_str(&rest[..i]);
                        self.emit();
                        self.state = State::Idle;
                        rest = &rest[i + n..];
                    }
                    None => {
                        self.value.push_str(rest);
                        rest = "";
                    }
                },
            }
        }
    }

    /// Stores the current key and value with the dict's keep-first-position rule.
    fn emit(&mut self) {
        match self.index.get(self.key.as_str()) {
            Some(&i) => {
                let slot = &mut self.pairs[i].1;
                slot.clear();
                slot.push_str(&self.value);
            }
            None => {
                self.index.insert(self.key.clone(), self.pairs.len());
                self.pairs.push((self.key.clone(), self.value.clone()));
            }
        }
    }

    /// Returns true if and only if the line was cut: it holds more than [`LINE_BUDGET`] bytes of text.
    pub fn is_cut(&self) -> bool {
        self.cut
    }

    /// Ends the line and returns its pairs with values as raw strings, and true if
    /// and only if the line was cut: text past [`LINE_BUDGET`] was not read.
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
        // The value runs to the cut, exactly LINE_BUDGET bytes into the line.
        assert_eq!(pairs[1].1.len(), LINE_BUDGET - "a=1 p50_us=".len());
    }

    #[test]
    fn a_value_is_cut_at_a_char_boundary() {
        let wide = "\u{fc}".repeat(LINE_BUDGET);
        let (pairs, cut) = fed(&["k=", &wide]);
        assert!(cut);
        assert!(pairs[0].1.chars().all(|c| c == '\u{fc}'));
        assert_eq!(pairs[0].1.len(), LINE_BUDGET - 2);
    }

    #[test]
    fn a_line_longer_than_the_budget_is_cut_whatever_it_holds() {
        let keyish = "x".repeat(3 * LINE_BUDGET);
        assert_eq!(fed(&[&keyish, " a=1"]), (pairs(&[]), true));
        assert_eq!(fed(&["a=1 ", &keyish]), (pairs(&[("a", "1")]), true));
        // Exactly the budget is not cut; one more byte is.
        let full = format!("a=1 {}", "x".repeat(LINE_BUDGET - 4));
        assert_eq!(fed(&[&full]), (pairs(&[("a", "1")]), false));
        assert_eq!(fed(&[&full, " "]), (pairs(&[("a", "1")]), true));
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
        // A line of as many distinct pairs as the budget holds: 3-character keys, `=1 `.
        let alphabet: Vec<char> = ('a'..='z').chain('A'..='Z').chain('0'..='9').collect();
        let mut dense = String::new();
        let mut count = 0;
        'fill: for a in &alphabet {
            for b in &alphabet {
                for c in &alphabet {
                    if dense.len() + 6 > LINE_BUDGET {
                        break 'fill;
                    }
                    dense.extend([*a, *b, *c, '=', '1', ' ']);
                    count += 1;
                }
            }
        }
        let (pairs, cut) = fed(&[&dense]);
        assert!(!cut);
        assert_eq!(pairs.len(), count);
        assert_eq!(count, LINE_BUDGET / 6);
    }

    #[test]
    fn many_pairs_stop_at_the_budget() {
        let line: String = (0..200_000).map(|i| format!("k{i}=v ")).collect();
        let (pairs, cut) = fed(&[&line]);
        assert!(cut);
        let kept: usize = pairs.iter().map(|(k, v)| k.len() + v.len() + 2).sum();
        assert!(kept <= LINE_BUDGET, "{kept}");
        assert!(pairs.len() > 100_000, "{}", pairs.len());
        assert_eq!(pairs[0], ("k0".to_string(), "v".to_string()));
        // Repeated keys replace values in place.
        let line = "a=1 ".repeat(200_000);
        assert_eq!(fed(&[&line]), (pairs_of("a", "1"), false));
    }

    fn pairs_of(k: &str, v: &str) -> Vec<(String, String)> {
        pairs(&[(k, v)])
    }
}
