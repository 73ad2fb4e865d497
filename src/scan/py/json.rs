//! A JSON writer that reproduces Python's `json.dumps(obj, indent=2)` byte for byte.
//!
//! It owns the document tree and its text form: `ensure_ascii` escapes,
//! `float.__repr__` numbers, `Infinity`, and the indent-2 layout. What goes
//! into a document is the summary writer's business.

use crate::py::int::PyInt;
use crate::py::value::{float_repr, Value};
use std::borrow::Cow;
use std::fmt::Write;

/// A JSON document, with object keys in insertion order. It borrows what it can from
/// what it describes: a summary's documents are built and dropped once per scenario.
#[derive(Clone, Debug, PartialEq)]
pub enum Json<'a> {
    Bool(bool),
    Int(Cow<'a, PyInt>),
    Float(f64),
    Str(Cow<'a, str>),
    /// Bytes decoded as Python decodes `sys.argv` on POSIX: UTF-8 with `surrogateescape`.
    ArgStr(&'a [u8]),
    Array(Vec<Json<'a>>),
    Object(Vec<(Cow<'a, str>, Json<'a>)>),
}

impl<'a> From<&'a Value> for Json<'a> {
    fn from(value: &'a Value) -> Json<'a> {
        match value {
            Value::Int(i) => Json::Int(Cow::Borrowed(i)),
            Value::Float(f) => Json::Float(*f),
            Value::Str(s) => Json::Str(Cow::Borrowed(s)),
        }
    }
}

/// Renders `doc` as `json.dumps(doc, indent=2)` does, without a trailing newline.
pub fn dumps(doc: &Json) -> String {
    let mut out = String::new();
    write_value(&mut out, doc, 0);
    out
}

/// Appends `doc` to `out` as `json.dumps` lays it out `level` levels deep in a
/// document (its inner lines indented by `level + 1` steps), for writing one item
/// of a long array at a time.
pub fn dump_at(out: &mut String, doc: &Json, level: usize) {
    write_value(out, doc, level);
}

/// Appends a line break and `level` steps of indent, as `json.dumps(indent=2)` does.
pub fn newline_at(out: &mut String, level: usize) {
    newline_indent(out, level);
}

fn newline_indent(out: &mut String, level: usize) {
    out.push('\n');
    for _ in 0..level {
        out.push_str("  ");
    }
}

fn write_value(out: &mut String, doc: &Json, level: usize) {
    match doc {
        Json::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Json::Int(i) => {
            let _ = write!(out, "{}", i.as_ref());
        }
        Json::Float(f) => write_float(out, *f),
        Json::Str(s) => write_str(out, s),
        Json::ArgStr(bytes) => write_arg_str(out, bytes),
        Json::Array(items) => {
            if items.is_empty() {
                out.push_str("[]");
                return;
            }
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                newline_indent(out, level + 1);
                write_value(out, item, level + 1);
            }
            newline_indent(out, level);
            out.push(']');
        }
        Json::Object(members) => {
            if members.is_empty() {
                out.push_str("{}");
                return;
            }
            out.push('{');
            for (i, (key, item)) in members.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                newline_indent(out, level + 1);
                write_str(out, key);
                out.push_str(": ");
                write_value(out, item, level + 1);
            }
            newline_indent(out, level);
            out.push('}');
        }
    }
}

/// Writes a float as `json` does: `float.__repr__`, with `Infinity` for infinities.
fn write_float(out: &mut String, f: f64) {
    if f.is_nan() {
        out.push_str("NaN");
    } else if f == f64::INFINITY {
        out.push_str("Infinity");
    } else if f == f64::NEG_INFINITY {
        out.push_str("-Infinity");
    } else {
        out.push_str(&float_repr(f));
    }
}

/// Writes one UTF-16 code unit the way `ensure_ascii` escapes it.
fn write_unit(out: &mut String, unit: u32) {
    let _ = write!(out, "\\u{unit:04x}");
}

fn write_char(out: &mut String, c: char) {
    match c {
        '"' => out.push_str("\\\""),
        '\\' => out.push_str("\\\\"),
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        '\t' => out.push_str("\\t"),
        '\u{8}' => out.push_str("\\b"),
        '\u{c}' => out.push_str("\\f"),
        ' '..='~' => out.push(c),
        _ => {
            let mut units = [0u16; 2];
            for unit in c.encode_utf16(&mut units) {
                write_unit(out, u32::from(*unit));
            }
        }
    }
}

/// Writes a string literal with `ensure_ascii` escaping.
fn write_str(out: &mut String, s: &str) {
    out.push('"');
    let mut rest = s;
    while !rest.is_empty() {
        // Printable ASCII other than `"` and `\` is written as it is, a run at a time.
        let plain = rest
            .bytes()
            .position(|b| !(b' '..=b'~').contains(&b) || b == b'"' || b == b'\\')
            .unwrap_or(rest.len());
        // The bytes before `plain` are ASCII, so it falls on a character boundary.
        let (run, tail) = rest.split_at(plain);
        out.push_str(run);
        let mut chars = tail.chars();
        if let Some(c) = chars.next() {
            write_char(out, c);
        }
        rest = chars.as_str();
    }
    out.push('"');
}

/// Writes argv bytes: valid UTF-8 as text, each other byte as the lone surrogate `U+DC00 + byte`.
fn write_arg_str(out: &mut String, mut bytes: &[u8]) {
    out.push('"');
    loop {
        match std::str::from_utf8(bytes) {
            Ok(text) => {
                text.chars().for_each(|c| write_char(out, c));
                break;
            }
            Err(err) => {
                let (good, rest) = bytes.split_at(err.valid_up_to());
                // `good` is valid UTF-8 by construction of `valid_up_to`.
                String::from_utf8_lossy(good)
                    .chars()
                    .for_each(|c| write_char(out, c));
                let bad = err.error_len().unwrap_or(rest.len());
                for byte in &rest[..bad] {
                    write_unit(out, 0xdc00 + u32::from(*byte));
                }
                bytes = &rest[bad..];
            }
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;

    // Expected strings below are what `python3 -c 'import json; print(json.dumps(X, indent=2))'` prints.
    #[test]
    fn layout_matches_indent_2() {
        let doc = Json::Object(vec![
            ("a".into(), Json::Array(vec![])),
            ("b".into(), Json::Object(vec![])),
            (
                "c".into(),
                Json::Array(vec![
                    Json::Bool(true),
                    Json::Object(vec![("d".into(), Json::Bool(false))]),
                ]),
            ),
        ]);
        assert_eq!(
            dumps(&doc),
            "{\n  \"a\": [],\n  \"b\": {},\n  \"c\": [\n    true,\n    {\n      \"d\": false\n    }\n  ]\n}"
        );
    }

    #[test]
    fn strings_escape_as_ensure_ascii() {
        // json.dumps('"\\\n\r\t\b\f\x01\x7f ü😀~')
        let mut out = String::new();
        write_str(&mut out, "\"\\\n\r\t\u{8}\u{c}\u{1}\u{7f} ü😀~");
        assert_eq!(out, r#""\"\\\n\r\t\b\f\u0001\u007f \u00fc\ud83d\ude00~""#);
    }

    #[test]
    fn argv_bytes_use_surrogateescape() {
        // python3 - a$'\xff'b: json.dumps(sys.argv[1]) == '"a\\udcffb"'
        let mut out = String::new();
        write_arg_str(&mut out, b"a\xffb\xc3\xbc\xe2\x80");
        assert_eq!(out, r#""a\udcffb\u00fc\udce2\udc80""#);
    }

    #[test]
    fn infinities_are_javascript_names() {
        let mut out = String::new();
        write_float(&mut out, f64::INFINITY);
        out.push(' ');
        write_float(&mut out, f64::NEG_INFINITY);
        assert_eq!(out, "Infinity -Infinity");
    }
}
