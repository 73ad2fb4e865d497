//! How the suite file's JSON objects are read, beside the shapes that `suite` and
//! `regression` derive: a `"//"` note is skipped in any object, a key met twice
//! is refused, an unknown key is named with the closest known one, a map keeps
//! the file's order, and a value is checked where it stands, so that every error
//! keeps serde_json's line and column. [`locate`] finds the position of a value
//! that is judged only once the whole file is read.
//!
//! A derived struct (`#[serde(deny_unknown_fields)]`) is read through
//! [`Noted`], which words serde's unknown, missing and repeated fields; its key
//! list is its fields. A value checked by `try_from` would be checked after its
//! reader returned, and its error would take the position of whatever the
//! enclosing object read next; [`Checked`] checks it inside the reader instead.

use serde::de::value::{MapAccessDeserializer, SeqAccessDeserializer, StrDeserializer};
use serde::de::{self, DeserializeOwned, DeserializeSeed, IgnoredAny, IntoDeserializer, Visitor};
use serde::{Deserialize, Deserializer};
use std::fmt;
use std::marker::PhantomData;

/// The key of a note, allowed in any object and skipped.
pub(crate) const NOTE: &str = "//";

/// A struct derived with `deny_unknown_fields`, read as a suite object through [`Noted`].
pub(crate) trait Object: DeserializeOwned {
    /// What the object is, for messages: `suite`, `limit`.
    const NOUN: &'static str;
    /// What the file must hold here, for a value of another type.
    const EXPECTING: &'static str;

    /// Checks what the object says as a whole, once all its keys are read.
    fn check(self) -> Result<Self, String> {
        Ok(self)
    }
}

/// An object read into `T`, its notes skipped and its key errors worded.
pub(crate) struct Noted<T>(pub T);

impl<'de, T: Object> Deserialize<'de> for Noted<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_map(NotedVisitor(PhantomData))
    }
}

struct NotedVisitor<T>(PhantomData<T>);

impl<'de, T: Object> Visitor<'de> for NotedVisitor<T> {
    type Value = Noted<T>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(T::EXPECTING)
    }

    fn visit_map<A: de::MapAccess<'de>>(self, map: A) -> Result<Noted<T>, A::Error> {
        let object = T::deserialize(MapAccessDeserializer::new(Entries(map)))
            .map_err(|err| err.word(T::NOUN))?;
        object.check().map(Noted).map_err(de::Error::custom)
    }
}

/// The entries of an object with its notes skipped, for a derived struct.
struct Entries<A>(A);

impl<'de, A: de::MapAccess<'de>> de::MapAccess<'de> for Entries<A> {
    type Error = KeyError<A::Error>;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, Self::Error> {
        while let Some(key) = self.0.next_key::<String>().map_err(KeyError::Read)? {
            if key == NOTE {
                self.0.next_value::<IgnoredAny>().map_err(KeyError::Read)?;
                continue;
            }
            return seed.deserialize(StrDeserializer::new(&key)).map(Some);
        }
        Ok(None)
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(
        &mut self,
        seed: V,
    ) -> Result<V::Value, Self::Error> {
        self.0.next_value_seed(seed).map_err(KeyError::Read)
    }
}

/// An error of a derived struct's keys, worded by [`KeyError::word`] once the object is known;
/// an error of reading (its values included) passes as it is, with its position.
#[derive(Debug)]
enum KeyError<E> {
    Read(E),
    Unknown {
        key: String,
        known: &'static [&'static str],
    },
    Missing(&'static str),
    Repeated(&'static str),
    Other(String),
}

impl<E: de::Error> KeyError<E> {
    /// Returns the error as the reader's, worded for an object that is a `noun`.
    fn word(self, noun: &str) -> E {
        match self {
            KeyError::Read(err) => err,
            KeyError::Unknown { key, known } => E::custom(unknown_key(&key, noun, known)),
            KeyError::Missing(key) => E::custom(format!("this {noun} has no {key:?}")),
            KeyError::Repeated(key) => E::custom(twice(key, key)),
            KeyError::Other(message) => E::custom(message),
        }
    }
}

impl<E: fmt::Display> fmt::Display for KeyError<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            KeyError::Read(err) => err.fmt(f),
            KeyError::Unknown { key, .. } => write!(f, "unknown key {key:?}"),
            KeyError::Missing(key) => write!(f, "no {key:?}"),
            KeyError::Repeated(key) => f.write_str(&twice(key, key)),
            KeyError::Other(message) => f.write_str(message),
        }
    }
}

impl<E: fmt::Debug + fmt::Display> std::error::Error for KeyError<E> {}

impl<E: de::Error> de::Error for KeyError<E> {
    fn custom<T: fmt::Display>(message: T) -> Self {
        KeyError::Other(message.to_string())
    }

    fn unknown_field(field: &str, expected: &'static [&'static str]) -> Self {
        KeyError::Unknown {
            key: field.to_string(),
            known: expected,
        }
    }

    fn missing_field(field: &'static str) -> Self {
        KeyError::Missing(field)
    }

    fn duplicate_field(field: &'static str) -> Self {
        KeyError::Repeated(field)
    }
}

/// Words an unknown key: the keys the object has, and the closest to `key`.
fn unknown_key(key: &str, noun: &str, known: &[&str]) -> String {
    let names: Vec<String> = known.iter().map(|name| format!("{name:?}")).collect();
    format!(
        "unknown key {key:?}: a {noun} has {} and {NOTE:?} notes{}",
        names.join(", "),
        did_you_mean(key, known.iter().copied())
    )
}

/// Words a key met twice in one object; `earlier` is how it was spelled first.
fn twice(key: &str, earlier: &str) -> String {
    if key == earlier {
        format!("key {key:?} is given twice in this object")
    } else {
        format!("key {key:?} is given twice in this object, first as {earlier:?}")
    }
}

/// The key of an [`Ordered`] map: parsed from its text, compared for repeats.
pub(crate) trait Key: Sized + PartialEq {
    /// What the map holds, for a value of another type: "an object of modes".
    const MAP: &'static str;

    /// Parses a key as the file spells it, or says why it is not one.
    fn parse(key: &str) -> Result<Self, String>;

    /// Returns the key as the file spelled it.
    fn spelled(&self) -> &str;
}

/// An object read as a map in the file's order, its notes skipped and a key met twice refused.
#[derive(Debug)]
pub(crate) struct Ordered<K, V>(pub Vec<(K, V)>);

impl<K, V> Default for Ordered<K, V> {
    fn default() -> Self {
        Ordered(Vec::new())
    }
}

impl<'de, K: Key, V: Deserialize<'de>> Deserialize<'de> for Ordered<K, V> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_map(OrderedVisitor(PhantomData))
    }
}

struct OrderedVisitor<K, V>(PhantomData<(K, V)>);

impl<'de, K: Key, V: Deserialize<'de>> Visitor<'de> for OrderedVisitor<K, V> {
    type Value = Ordered<K, V>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(K::MAP)
    }

    fn visit_map<A: de::MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut entries: Vec<(K, V)> = Vec::new();
        while let Some(text) = map.next_key::<String>()? {
            if text == NOTE {
                map.next_value::<IgnoredAny>()?;
                continue;
            }
            let key = K::parse(&text).map_err(de::Error::custom)?;
            if let Some((earlier, _)) = entries.iter().find(|(known, _)| *known == key) {
                return Err(de::Error::custom(twice(&text, earlier.spelled())));
            }
            let value = map.next_value()?;
            entries.push((key, value));
        }
        Ok(Ordered(entries))
    }
}

/// A value read as its [`Check::Raw`] form and checked where it stands in the file.
pub(crate) trait Check: Sized {
    /// What the file holds before the check: `Vec<String>`, `u64`.
    type Raw: DeserializeOwned;
    /// What the file must hold, for a value of another type: "a list of scenario names".
    const EXPECTING: &'static str;

    /// Returns the value, or a message that names its key and what it holds.
    fn check(raw: Self::Raw) -> Result<Self, String>;
}

/// A value of `T` that was checked while its reader stood just after it.
#[derive(Debug)]
pub(crate) struct Checked<T>(pub T);

impl<'de, T: Check> Deserialize<'de> for Checked<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(CheckedVisitor(PhantomData))
    }
}

struct CheckedVisitor<T>(PhantomData<T>);

impl<T: Check> CheckedVisitor<T> {
    /// Reads the raw value from `from` and checks it.
    fn check<'de, D: Deserializer<'de>>(from: D) -> Result<Checked<T>, D::Error> {
        let raw = T::Raw::deserialize(from)?;
        T::check(raw).map(Checked).map_err(de::Error::custom)
    }

    /// Reads and checks a value that is not a list or an object; a value the raw form
    /// refuses is said to be of the wrong type, in the words of [`Check::EXPECTING`].
    fn scalar<'de, E: de::Error, V: IntoDeserializer<'de, E>>(
        self,
        value: V,
        unexpected: de::Unexpected<'_>,
    ) -> Result<Checked<T>, E> {
        let raw = T::Raw::deserialize(value.into_deserializer())
            .map_err(|_: E| E::invalid_type(unexpected, &self))?;
        T::check(raw).map(Checked).map_err(E::custom)
    }
}

impl<'de, T: Check> Visitor<'de> for CheckedVisitor<T> {
    type Value = Checked<T>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(T::EXPECTING)
    }

    fn visit_bool<E: de::Error>(self, value: bool) -> Result<Self::Value, E> {
        self.scalar(value, de::Unexpected::Bool(value))
    }

    fn visit_i64<E: de::Error>(self, value: i64) -> Result<Self::Value, E> {
        self.scalar(value, de::Unexpected::Signed(value))
    }

    fn visit_u64<E: de::Error>(self, value: u64) -> Result<Self::Value, E> {
        self.scalar(value, de::Unexpected::Unsigned(value))
    }

    fn visit_f64<E: de::Error>(self, value: f64) -> Result<Self::Value, E> {
        self.scalar(value, de::Unexpected::Float(value))
    }

    fn visit_str<E: de::Error>(self, value: &str) -> Result<Self::Value, E> {
        self.scalar(value, de::Unexpected::Str(value))
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        self.scalar((), de::Unexpected::Unit)
    }

    fn visit_seq<A: de::SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
        Self::check(SeqAccessDeserializer::new(seq))
    }

    fn visit_map<A: de::MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        Self::check(MapAccessDeserializer::new(map))
    }
}

/// A key's value that the file may leave out; `null` is refused like any value of the
/// wrong type (an `Option` would take it for "left out").
#[derive(Debug)]
pub(crate) struct Given<T>(pub Option<T>);

impl<T> Default for Given<T> {
    fn default() -> Self {
        Given(None)
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Given<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        T::deserialize(deserializer).map(|value| Given(Some(value)))
    }
}

/// Returns `"; did you mean \"<name>\"?"` for the name among `known` closest to `word`,
/// or nothing when none is close (more than a third of its letters differ).
pub(crate) fn did_you_mean<'a>(word: &str, known: impl IntoIterator<Item = &'a str>) -> String {
    closest(word, known).map_or_else(String::new, |name| format!("; did you mean {name:?}?"))
}

/// Returns the name among `known` closest to `word` in edits (a letter added, dropped,
/// changed, or two neighbours swapped), when at most a third of its letters differ.
pub(crate) fn closest<'a>(word: &str, known: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let close = (word.chars().count() / 3).max(1);
    known
        .into_iter()
        .map(|name| (distance(word, name), name))
        .filter(|(apart, _)| *apart <= close)
        .min_by_key(|(apart, _)| *apart)
        .map(|(_, name)| name)
}

/// Returns how many letters must be added, removed, changed or swapped with their
/// neighbour to turn `a` into `b` (the optimal string alignment distance).
fn distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    // rows[i][j]: the distance between the first i letters of a and the first j of b.
    let mut rows = vec![vec![0; b.len() + 1]; a.len() + 1];
    for (i, row) in rows.iter_mut().enumerate() {
        row[0] = i;
    }
    rows[0] = (0..=b.len()).collect();
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let change = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (rows[i - 1][j] + 1)
                .min(rows[i][j - 1] + 1)
                .min(rows[i - 1][j - 1] + change);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(rows[i - 2][j - 2] + 1);
            }
            rows[i][j] = best;
        }
    }
    rows[a.len()][b.len()]
}

/// Returns the line and column (1-based, as serde_json counts them) just after the value
/// that `path` leads to through the objects of the JSON `text`, or `None` when there is none.
pub(crate) fn locate(text: &str, path: &[&str]) -> Option<(usize, usize)> {
    let mut deserializer = serde_json::Deserializer::from_str(text);
    match Follow(path).deserialize(&mut deserializer) {
        Err(err) if err.classify() == serde_json::error::Category::Data => {
            Some((err.line(), err.column()))
        }
        _ => None,
    }
}

/// Follows a path of keys; fails (with the reader's position) just after the value at its end.
struct Follow<'p>(&'p [&'p str]);

impl<'de> DeserializeSeed<'de> for Follow<'_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Follow<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_map<A: de::MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let Some((first, rest)) = self.0.split_first() else {
            while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
            return Err(de::Error::custom("here"));
        };
        while let Some(key) = map.next_key::<String>()? {
            if key == *first {
                map.next_value_seed(Follow(rest))?;
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(())
    }

    fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        self.here()
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<(), E> {
        self.here()
    }

    fn visit_i64<E: de::Error>(self, _: i64) -> Result<(), E> {
        self.here()
    }

    fn visit_u64<E: de::Error>(self, _: u64) -> Result<(), E> {
        self.here()
    }

    fn visit_f64<E: de::Error>(self, _: f64) -> Result<(), E> {
        self.here()
    }

    fn visit_str<E: de::Error>(self, _: &str) -> Result<(), E> {
        self.here()
    }

    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        self.here()
    }
}

impl Follow<'_> {
    /// Stops the reader at the end of a value that is not an object: here, if the path ends.
    fn here<E: de::Error>(&self) -> Result<(), E> {
        if self.0.is_empty() {
            Err(E::custom("here"))
        } else {
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Deserialize, Debug)]
    #[serde(deny_unknown_fields)]
    struct Pair {
        left: u32,
        #[serde(default)]
        right: Given<Checked<Even>>,
    }

    impl Object for Pair {
        const NOUN: &'static str = "pair";
        const EXPECTING: &'static str = "a pair object";
    }

    #[derive(Debug)]
    struct Even(u64);

    impl Check for Even {
        type Raw = u64;
        const EXPECTING: &'static str = "an even number";
        fn check(raw: u64) -> Result<Even, String> {
            if raw.is_multiple_of(2) {
                Ok(Even(raw))
            } else {
                Err(format!("\"right\" is {raw}: it is even"))
            }
        }
    }

    fn read(text: &str) -> Result<Pair, String> {
        serde_json::from_str::<Noted<Pair>>(text)
            .map(|Noted(pair)| pair)
            .map_err(|err| err.to_string())
    }

    #[test]
    fn notes_are_skipped_and_keys_worded_with_their_position() {
        let pair = read(r#"{"//": 1, "left": 3, "//": [2], "right": 4}"#).unwrap();
        assert_eq!(
            (pair.left, pair.right.0.map(|Checked(even)| even.0)),
            (3, Some(4))
        );
        let err = read("{\"left\": 1,\n \"rigth\": 2}").unwrap_err();
        assert_eq!(
            err,
            "unknown key \"rigth\": a pair has \"left\", \"right\" and \"//\" notes; did you mean \"right\"? at line 2 column 8"
        );
        let err = read(r#"{"left": 1, "left": 2}"#).unwrap_err();
        assert_eq!(
            err,
            "key \"left\" is given twice in this object at line 1 column 18"
        );
        let err = read(r#"{"right": 2}"#).unwrap_err();
        assert_eq!(err, "this pair has no \"left\" at line 1 column 12");
        let err = read("[1]").unwrap_err();
        assert!(
            err.starts_with("invalid type: sequence, expected a pair object"),
            "{err}"
        );
    }

    #[test]
    fn a_checked_value_fails_where_it_stands() {
        // The value is the last of its object and its line: the error stays on it, not
        // on the closing brace a line below (where a `try_from` check would put it).
        let err = read("{\"left\": 1, \"right\": 3\n}").unwrap_err();
        assert_eq!(err, "\"right\" is 3: it is even at line 1 column 22");
        let err = read("{\"left\": 1, \"right\": \"3\"}").unwrap_err();
        assert!(
            err.starts_with("invalid type: string \"3\", expected an even number"),
            "{err}"
        );
        // Left out is not null: null is a value of the wrong type.
        assert!(read("{\"left\": 1}").unwrap().right.0.is_none());
        let err = read("{\"left\": 1, \"right\": null}").unwrap_err();
        assert!(
            err.starts_with("invalid type: null, expected an even number"),
            "{err}"
        );
    }

    #[test]
    fn an_ordered_map_keeps_the_order_and_refuses_a_repeat() {
        #[derive(PartialEq, Debug)]
        struct Word(String);
        impl Key for Word {
            const MAP: &'static str = "an object of words";
            fn parse(key: &str) -> Result<Word, String> {
                Ok(Word(key.to_lowercase()))
            }
            fn spelled(&self) -> &str {
                &self.0
            }
        }
        let map: Ordered<Word, u8> = serde_json::from_str(r#"{"b": 1, "//": 0, "a": 2}"#).unwrap();
        let keys: Vec<&str> = map.0.iter().map(|(key, _)| key.spelled()).collect();
        assert_eq!(keys, ["b", "a"]);
        let err = serde_json::from_str::<Ordered<Word, u8>>(r#"{"a": 1, "A": 2}"#)
            .unwrap_err()
            .to_string();
        assert_eq!(
            err,
            "key \"A\" is given twice in this object, first as \"a\" at line 1 column 12"
        );
    }

    #[test]
    fn the_closest_name_is_suggested_only_when_close() {
        let keys = ["scenarios", "tokens", "modes", "regression"];
        assert_eq!(did_you_mean("tokns", keys), "; did you mean \"tokens\"?");
        assert_eq!(
            did_you_mean("regresion", keys),
            "; did you mean \"regression\"?"
        );
        assert_eq!(did_you_mean("mdoes", keys), "; did you mean \"modes\"?");
        assert_eq!(did_you_mean("thresholds", keys), "");
        assert_eq!(distance("precent", "percent"), 1);
        assert_eq!(distance("", "abc"), 3);
    }

    #[test]
    fn locate_finds_the_end_of_a_nested_value() {
        let text = "{\"a\": {\"//\": \"x\",\n  \"b\": \"tok\"}, \"c\": [1, 2]}";
        assert_eq!(locate(text, &["a", "b"]), Some((2, 12)));
        assert_eq!(locate(text, &["c"]), Some((2, 26)));
        assert_eq!(locate(text, &["a", "z"]), None);
    }
}
