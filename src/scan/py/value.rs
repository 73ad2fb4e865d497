//! Metric values as the reference types them, and Python's float `repr`.
//!
//! This module owns `to_number` (a `key=value` string becomes an int, a
//! float or stays a string, by the reference's two regexes), `int(value)` as
//! the checks compute it, and `repr(float)` as `json.dumps` writes floats.
//! Integer parsing is `pyint`'s; the digits are `unicode`'s.
//!
//! Python 3.11's `\d` is the 660 decimal digits of Unicode 14.0, while the
//! regex crate's `\d` follows Unicode 16 (760 digits). `[\d&&\p{Age=14.0}]`
//! would hold it back (it matches the same 660), but needs the `unicode-age`
//! tables and takes about 1.5 ms per use to build in a debug build, which
//! every harness process would pay. So `\d` here is `unicode::digit_class`,
//! built from the table of digit values: a digit always has a value.

use crate::py::int::{self as pyint, PyInt};
use crate::py::unicode;
use regex::Regex;
use std::sync::LazyLock;

/// A metric value: an int, a float or a string, as the reference's `to_number` yields it.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Int(PyInt),
    Float(f64),
    Str(String),
}

impl Value {
    /// Returns the value as it stood in the log, for messages.
    pub fn text(&self) -> String {
        match self {
            Value::Int(int) => int.to_string(),
            Value::Float(float) => float_repr(*float),
            Value::Str(text) => text.clone(),
        }
    }
}

/// The reference's `re.fullmatch(r"-?\d+", value)`.
static INT: LazyLock<Regex> = LazyLock::new(|| {
    let digit = unicode::digit_class();
    Regex::new(&format!(r"\A-?{digit}+\z")).expect("a fixed, valid pattern")
});

/// The reference's `re.fullmatch(r"-?\d+\.\d+", value)`.
static FLOAT: LazyLock<Regex> = LazyLock::new(|| {
    let digit = unicode::digit_class();
    Regex::new(&format!(r"\A-?{digit}+\.{digit}+\z")).expect("a fixed, valid pattern")
});

/// Returns true if and only if `s` is `-?[0-9]+`: what [`INT`] matches of ASCII text,
/// where Python's `\d` is `[0-9]`.
///
/// Values are almost always ASCII, and compiling the patterns costs more than reading
/// a log's tail: a run whose values are all ASCII never compiles them. A test holds
/// these equal to the patterns.
fn ascii_int(s: &[u8]) -> bool {
    ascii_digits(s.strip_prefix(b"-").unwrap_or(s))
}

/// Returns true if and only if `s` is `-?[0-9]+\.[0-9]+`: what [`FLOAT`] matches of ASCII text.
fn ascii_float(s: &[u8]) -> bool {
    let unsigned = s.strip_prefix(b"-").unwrap_or(s);
    let mut parts = unsigned.splitn(2, |&b| b == b'.');
    let whole = parts.next().unwrap_or_default();
    parts
        .next()
        .is_some_and(|fraction| ascii_digits(whole) && ascii_digits(fraction))
}

/// Returns true if and only if `s` is one or more of `[0-9]`.
fn ascii_digits(s: &[u8]) -> bool {
    !s.is_empty() && s.iter().all(u8::is_ascii_digit)
}

/// Returns the value of a plain decimal of at most 18 digits (`-?[0-9]+`), the form
/// metric values take, without the general path's typing and big integers: `int()` of
/// [`to_number`] of it, where that is an int of 18 digits or fewer.
pub fn small_int(raw: &[u8]) -> Option<i64> {
    // Runs for every value judged over all lines: indexes and plain arithmetic.
    let negative = !raw.is_empty() && raw[0] == b'-';
    let from = usize::from(negative);
    let len = raw.len() - from;
    if len == 0 || len > 18 {
        return None;
    }
    let mut value: i64 = 0;
    let mut i = from;
    while i < raw.len() {
        let digit = raw[i].wrapping_sub(b'0');
        if digit > 9 {
            return None;
        }
        value = value * 10 + i64::from(digit);
        i += 1;
    }
    Some(if negative { -value } else { value })
}

/// Types `s` as the reference's `to_number` does.
pub fn to_number(s: &str) -> Value {
    let ascii = s.is_ascii();
    let (int, float) = match ascii {
        true => (ascii_int(s.as_bytes()), ascii_float(s.as_bytes())),
        false => (INT.is_match(s), FLOAT.is_match(s)),
    };
    if int {
        // Only the 4300-digit limit can make `int()` raise here.
        return match PyInt::parse(s) {
            Ok(v) => Value::Int(v),
            Err(_) => Value::Str(s.to_owned()),
        };
    }
    if float {
        // `float()` maps Unicode digits to ASCII first.
        let ascii: String = s
            .chars()
            .map(|c| match unicode::decimal_value(c) {
                Some(d) => char::from(b'0' + d as u8),
                None => c,
            })
            .collect();
        if let Ok(f) = ascii.parse::<f64>() {
            return Value::Float(f);
        }
    }
    Value::Str(s.to_owned())
}

/// Formats `f` as Python's `repr(float)` does (`1e-05`, `100.0`, `-0.0`, `inf`).
pub fn float_repr(f: f64) -> String {
    if f.is_nan() {
        return "nan".to_owned();
    }
    if f.is_infinite() {
        return if f > 0.0 { "inf" } else { "-inf" }.to_owned();
    }
    let sci = shortest_sci(f);
    let (mantissa, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let (sign, mantissa) = match mantissa.strip_prefix('-') {
        Some(m) => ("-", m),
        None => ("", mantissa),
    };
    let digits: String = mantissa.chars().filter(|&c| c != '.').collect();
    let mut out = String::from(sign);
    if !(-4..16).contains(&exp) {
        // CPython switches to exponent form outside 1e-4 <= |f| < 1e16.
        out.push_str(&digits[..1]);
        if digits.len() > 1 {
            out.push('.');
            out.push_str(&digits[1..]);
        }
        let exp_sign = if exp < 0 { '-' } else { '+' };
        out.push_str(&format!("e{exp_sign}{:02}", exp.unsigned_abs()));
    } else if exp < 0 {
        out.push_str("0.");
        out.push_str(&"0".repeat(exp.unsigned_abs() as usize - 1));
        out.push_str(&digits);
    } else {
        let point = exp as usize + 1;
        if digits.len() <= point {
            out.push_str(&digits);
            out.push_str(&"0".repeat(point - digits.len()));
            out.push_str(".0");
        } else {
            out.push_str(&digits[..point]);
            out.push('.');
            out.push_str(&digits[point..]);
        }
    }
    out
}

/// Returns CPython's shortest round-trip digits of finite `f` in Rust's `{:e}` layout.
fn shortest_sci(f: f64) -> String {
    // Rust's `{:e}` gives the shortest digits that read back as `f`, but when
    // two such candidates are equally close it may take the upper one, where
    // CPython's `dtoa` rounds half to even (`1000000000000000.2`, not `.3`).
    // Rust's fixed-precision `{:.*e}` is exact with ties to even, so it
    // settles those cases whenever its result still reads back as `f`.
    let shortest = format!("{f:e}");
    let mantissa = shortest.split('e').next().unwrap_or_default();
    let digits = mantissa.bytes().filter(u8::is_ascii_digit).count();
    let nearest = format!("{:.*e}", digits.saturating_sub(1), f);
    if nearest != shortest && nearest.parse::<f64>() == Ok(f) {
        nearest
    } else {
        shortest
    }
}

impl Value {
    /// Returns `int(value)` as the reference's checks compute it, or why Python would raise.
    pub fn to_int(&self) -> Result<PyInt, String> {
        match self {
            Value::Int(v) => Ok(v.clone()),
            Value::Float(f) => PyInt::from_f64_trunc(*f).ok_or_else(|| {
                if f.is_nan() {
                    "cannot convert float NaN to integer".to_owned()
                } else {
                    "cannot convert float infinity to integer".to_owned()
                }
            }),
            Value::Str(s) => pyint::parse_with_message(s),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{code_points_matching, hex, python3, python_code_points, Needs, Rng};

    /// Checks, over every code point, that the `\d` of the patterns is the `\d` of
    /// Python's `re` on `str`, which the regex crate's `\d` is not.
    #[test]
    fn digit_class_is_python_digit_over_every_code_point() {
        let actual = code_points_matching(&unicode::digit_class());
        assert_eq!(actual.lines().count(), 660);
        // The crate's own `\d` follows a later Unicode, which added digits.
        assert!(code_points_matching(r"\d").lines().count() > 660);
        let what = "the digit class compared with Python 3.11's \\d";
        let Some(expected) = python_code_points(r"\d", what) else {
            return;
        };
        assert_eq!(actual, expected);
    }

    fn int(s: &str) -> Value {
        match PyInt::parse(s) {
            Ok(v) => Value::Int(v),
            Err(e) => panic!("{s:?}: {e:?}"),
        }
    }

    fn text(s: &str) -> Value {
        Value::Str(s.to_owned())
    }

    #[test]
    fn reprs_floats_like_python() {
        let cases = [
            (0.0, "0.0"),                                         // python3: repr(0.0)
            (-0.0, "-0.0"),                                       // python3: repr(-0.0)
            (1.0, "1.0"),                                         // python3: repr(1.0)
            (100.0, "100.0"),                                     // python3: repr(100.0)
            (-100.0, "-100.0"),                                   // python3: repr(-100.0)
            (0.1, "0.1"),                                         // python3: repr(0.1)
            (0.0001, "0.0001"),                                   // python3: repr(0.0001)
            (1e-05, "1e-05"),                                     // python3: repr(1e-05)
            (0.00012345, "0.00012345"),                           // python3: repr(0.00012345)
            (1e16, "1e+16"),                                      // python3: repr(1e16)
            (1e15, "1000000000000000.0"),                         // python3: repr(1e15)
            (9999999999999998.0, "9999999999999998.0"), // python3: repr(9999999999999998.0)
            (1.2345678901234569e23, "1.2345678901234569e+23"), // python3: repr(1.2345678901234569e23)
            (1e22, "1e+22"),                                   // python3: repr(1e22)
            (123456789012345680.0, "1.2345678901234568e+17"), // python3: repr(123456789012345680.0)
            (5e-324, "5e-324"),                               // python3: repr(5e-324)
            (2.2250738585072014e-308, "2.2250738585072014e-308"), // python3: repr(2.2250738585072014e-308)
            (f64::MAX, "1.7976931348623157e+308"), // python3: repr(sys.float_info.max)
            (0.3, "0.3"),                          // python3: repr(0.3)
            (2.0 / 3.0, "0.6666666666666666"),     // python3: repr(2/3)
            (-1.5e-7, "-1.5e-07"),                 // python3: repr(-1.5e-7)
            (1e100, "1e+100"),                     // python3: repr(1e100)
            (12345.678, "12345.678"),              // python3: repr(12345.678)
            (0.00010000000000000003, "0.00010000000000000003"), // python3: repr(1e-4*1.0000000000000002)
            (1e15 + 0.25, "1000000000000000.2"), // python3: repr(1000000000000000.25), a tie
            (1e15 + 0.75, "1000000000000000.8"), // python3: repr(1000000000000000.75), a tie
            (f64::INFINITY, "inf"),              // python3: repr(float('inf'))
            (f64::NEG_INFINITY, "-inf"),         // python3: repr(float('-inf'))
            (f64::NAN, "nan"),                   // python3: repr(float('nan'))
        ];
        for (f, want) in cases {
            assert_eq!(float_repr(f), want, "{f:e}");
        }
    }

    #[test]
    fn types_numbers_like_the_reference() {
        let cases = [
            ("007", int("7")),   // python3: to_number('007') == 7
            ("-007", int("-7")), // python3: to_number('-007') == -7
            ("0", int("0")),     // python3: to_number('0') == 0
            ("-0", int("0")),    // python3: to_number('-0') == 0
            (
                "2500000000000000000000000",
                int("2500000000000000000000000"),
            ), // python3: exact int
            (
                "123456789012345678901234567890",
                int("123456789012345678901234567890"),
            ), // python3: exact int
            ("1.5", Value::Float(1.5)), // python3: to_number('1.5') == 1.5
            ("-0.50", Value::Float(-0.5)), // python3: to_number('-0.50') == -0.5
            ("00.000", Value::Float(0.0)), // python3: to_number('00.000') == 0.0
            ("\u{663}\u{664}", int("34")), // python3: to_number('٣٤') == 34
            ("-\u{663}", int("-3")), // python3: to_number('-٣') == -3
            ("\u{663}.\u{665}", Value::Float(3.5)), // python3: to_number('٣.٥') == 3.5
            ("\u{ff11}\u{ff12}.\u{ff15}", Value::Float(12.5)), // python3: to_number('１２.５') == 12.5
            ("1.", text("1.")),                                // python3: to_number('1.') == '1.'
            (".5", text(".5")),                                // python3: to_number('.5') == '.5'
            ("1.2.3", text("1.2.3")), // python3: to_number('1.2.3') == '1.2.3'
            ("+5", text("+5")),       // python3: to_number('+5') == '+5'
            ("1_000", text("1_000")), // python3: to_number('1_000') == '1_000'
            ("abc", text("abc")),     // python3: to_number('abc') == 'abc'
            ("", text("")),           // python3: to_number('') == ''
            ("-", text("-")),         // python3: to_number('-') == '-'
            ("1e5", text("1e5")),     // python3: to_number('1e5') == '1e5'
            (" 5", text(" 5")),       // python3: to_number(' 5') == ' 5'
            ("5 ", text("5 ")),       // python3: to_number('5 ') == '5 '
            ("--5", text("--5")),     // python3: to_number('--5') == '--5'
            ("1\u{b2}", text("1\u{b2}")), // python3: to_number('1²') == '1²'
        ];
        for (s, want) in cases {
            assert_eq!(to_number(s), want, "{s:?}");
        }
        // python3: to_number('1' * 4301) == '1' * 4301 (int() raises, the string stays)
        let long = "1".repeat(4301);
        assert_eq!(to_number(&long), Value::Str(long.clone()));
        let long_neg = format!("-{long}");
        assert_eq!(to_number(&long_neg), Value::Str(long_neg.clone()));
        // python3: to_number('1' * 400 + '.0') == inf
        assert_eq!(
            to_number(&format!("{}.0", "1".repeat(400))),
            Value::Float(f64::INFINITY)
        );
        // python3: to_number('0.' + '0' * 400 + '1') == 0.0
        assert_eq!(
            to_number(&format!("0.{}1", "0".repeat(400))),
            Value::Float(0.0)
        );
    }

    #[test]
    fn converts_to_int_like_python() {
        let v = |s: &str| to_number(s).to_int().map(|i| i.to_string());
        assert_eq!(v("42"), Ok("42".to_owned())); // python3: int(42) == 42
        assert_eq!(v("-2.9"), Ok("-2".to_owned())); // python3: int(-2.9) == -2
        assert_eq!(v("+5"), Ok("5".to_owned())); // python3: int('+5') == 5
        assert_eq!(v("1_000"), Ok("1000".to_owned())); // python3: int('1_000') == 1000
                                                       // python3: int(float('1' * 400 + '.0')) raises OverflowError
        assert_eq!(
            v(&format!("{}.0", "1".repeat(400))),
            Err("cannot convert float infinity to integer".to_owned())
        );
        // python3: int(float('nan')) raises ValueError
        assert_eq!(
            Value::Float(f64::NAN).to_int(),
            Err("cannot convert float NaN to integer".to_owned())
        );
        // python3: int('abc') raises ValueError
        assert_eq!(
            v("abc"),
            Err("invalid literal for int() with base 10: 'abc'".to_owned())
        );
        // python3: int('1' * 4301) raises ValueError with this message
        assert_eq!(
            v(&"1".repeat(4301)),
            Err(
                "Exceeds the limit (4300 digits) for integer string conversion: value has 4301 \
                 digits; use sys.set_int_max_str_digits() to increase the limit"
                    .to_owned()
            )
        );
    }

    /// Returns floats that stress `repr`: random bits, near powers of ten and subnormals.
    fn awkward_floats(rng: &mut Rng) -> Vec<f64> {
        let mut out: Vec<f64> = (0..3000).map(|_| f64::from_bits(rng.next_u64())).collect();
        for e in -325..=308 {
            let p: f64 = format!("1e{e}").parse().unwrap_or(0.0);
            let bits = p.to_bits();
            for delta in [0u64, 1, 2, 3] {
                out.push(f64::from_bits(bits.wrapping_add(delta)));
                out.push(-f64::from_bits(bits.wrapping_sub(delta)));
            }
        }
        out.extend((0..500).map(|_| f64::from_bits(rng.next_u64() & ((1 << 52) - 1))));
        out.extend((0..500).map(|_| f64::from_bits(rng.next_u64() & ((1 << 12) - 1))));
        out.extend((0..500).map(|_| (rng.next_u64() % 1_000_000) as f64 / 100.0));
        out.extend((0..64).map(|i| (2f64).powi(i) * 3.0));
        // Ties between two shortest candidates: quarter steps near 1e15, odd steps near 2^60.
        out.extend((0..500).map(|_| 1e15 + (rng.next_u64() % 4_000_000) as f64 * 0.25));
        out.extend(
            (0..500).map(|_| (1u64 << 60) as f64 + (rng.next_u64() % 1_000_000) as f64 * 256.0),
        );
        out
    }

    /// Compares `float_repr` and `to_number` on thousands of inputs with python3.
    #[test]
    fn differential_against_python() {
        let mut rng = Rng::new(0xF10A7);
        let floats = awkward_floats(&mut rng);
        let alphabet = [
            "0",
            "1",
            "2",
            "5",
            "9",
            "7",
            "0",
            "-",
            "-",
            ".",
            ".",
            "\u{663}",
            "\u{ff15}",
            "\u{1d7ce}",
            "\u{966}",
            "\u{b2}",
            "_",
            "+",
            " ",
            "e",
            "a",
            "\u{1c}",
        ];
        let mut strings: Vec<String> = (0..3000)
            .map(|_| {
                let len = 1 + rng.below(10);
                (0..len).map(|_| rng.pick(&alphabet)).collect()
            })
            .collect();
        for n in [17, 300, 4300, 4301] {
            strings.push("9".repeat(n));
            strings.push(format!("-{}", "0".repeat(n)));
            strings.push(format!("{}.{}", "7".repeat(n), "3".repeat(n)));
            strings.push(format!("0.{}1", "0".repeat(n)));
        }
        let mut input = String::new();
        for f in &floats {
            input.push_str(&format!("f {:016x}\n", f.to_bits()));
        }
        for s in &strings {
            input.push_str(&format!("s {}\n", hex(s)));
        }
        let script = r#"
import re, struct, sys
def to_number(value):
    if re.fullmatch(r"-?\d+", value):
        try:
            return int(value)
        except ValueError:
            return value
    if re.fullmatch(r"-?\d+\.\d+", value):
        try:
            return float(value)
        except ValueError:
            return value
    return value
out = []
for line in sys.stdin.read().splitlines():
    kind, arg = line.split(' ')
    if kind == 'f':
        out.append(repr(struct.unpack('>d', bytes.fromhex(arg))[0]))
    else:
        v = to_number(bytes.fromhex(arg).decode())
        tag = {int: 'i', float: 'f', str: 's'}[type(v)]
        out.append(tag + ' ' + (v if tag == 's' else str(v) if tag == 'i' else repr(v)))
sys.stdout.buffer.write(('\n'.join(out) + '\n').encode())
"#;
        let what = "the differential check of float repr and to_number against python3";
        let Some(expected) = python3(Needs::AnyPython3, what).map(|py| py.run(script, &input))
        else {
            return;
        };
        let actual = floats
            .iter()
            .map(|&f| float_repr(f))
            .chain(strings.iter().map(|s| match to_number(s) {
                Value::Int(v) => format!("i {v}"),
                Value::Float(f) => format!("f {}", float_repr(f)),
                Value::Str(s) => format!("s {s}"),
            }));
        let mut count = 0;
        for (want, got) in expected.lines().zip(actual) {
            count += 1;
            assert_eq!(got, want);
        }
        assert_eq!(count, floats.len() + strings.len());
    }

    #[test]
    fn ascii_values_are_typed_as_the_patterns_type_them() {
        let alphabet = b"0123456789-.+e_ x";
        let mut rng = Rng::new(0xd161_7500);
        for _ in 0..20_000 {
            let len = rng.below(8);
            let text: String = (0..len)
                .map(|_| char::from(alphabet[rng.below(alphabet.len())]))
                .collect();
            let bytes = text.as_bytes();
            assert_eq!(ascii_int(bytes), INT.is_match(&text), "{text:?}");
            assert_eq!(ascii_float(bytes), FLOAT.is_match(&text), "{text:?}");
        }
    }
}
