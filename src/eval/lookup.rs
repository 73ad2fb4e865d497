//! What one forward pass over a log looks for: the tokens it searches and the keys
//! it looks up on each line holding one, each given an index as the judged series
//! (`series`) and the charts (`chart`) ask for them. Reading the log is `sweep`'s.

use crate::scan::forward::TokenLine;

/// What one forward pass looks for: the tokens it searches, and the keys it looks up
/// on each line holding one.
#[derive(Debug)]
pub(crate) struct Lookup {
    /// The suite's tokens, searched all when something reads the lines of any token.
    suite_tokens: Vec<String>,
    tokens: Vec<String>,
    keys: Vec<String>,
}

impl Lookup {
    /// Starts a lookup of nothing; `suite_tokens` are the tokens a line of any token may hold.
    pub(crate) fn new(suite_tokens: &[String]) -> Lookup {
        Lookup {
            suite_tokens: suite_tokens.to_vec(),
            tokens: Vec::new(),
            keys: Vec::new(),
        }
    }

    /// Returns the index of `token` among the tokens searched, adding it; for `None`
    /// (the lines of any token) adds every token of the suite and returns `None`.
    pub(crate) fn token(&mut self, token: Option<&str>) -> Option<usize> {
        match token {
            Some(token) => Some(index_of(&mut self.tokens, token)),
            None => {
                for token in self.suite_tokens.clone() {
                    index_of(&mut self.tokens, &token);
                }
                None
            }
        }
    }

    /// Returns the index of `key` among the keys looked up, adding it.
    pub(crate) fn key(&mut self, key: &str) -> usize {
        index_of(&mut self.keys, key)
    }

    /// Returns the tokens to search and the keys to look up, in the order of their indexes.
    pub(crate) fn into_parts(self) -> (Vec<String>, Vec<String>) {
        let Lookup {
            suite_tokens: _,
            tokens,
            keys,
        } = self;
        (tokens, keys)
    }
}

/// Returns the position of `name` in `names`, appending it if absent.
fn index_of(names: &mut Vec<String>, name: &str) -> usize {
    match names.iter().position(|known| known == name) {
        Some(index) => index,
        None => {
            names.push(name.to_string());
            names.len() - 1
        }
    }
}

/// Returns the value of the key at index `key` on `line`, whose looked-up values are
/// `values`, where the line holds the token at index `token` (`None`: any token).
///
/// Runs for every line and every series or chart, also unoptimized: inlined there too.
#[inline(always)]
pub(crate) fn value_on<'a>(
    line: &TokenLine<'_>,
    values: &[Option<&'a [u8]>],
    token: Option<usize>,
    key: usize,
) -> Option<&'a [u8]> {
    let reads = match token {
        Some(token) => line.holds(token),
        None => true,
    };
    if reads {
        values[key]
    } else {
        None
    }
}
