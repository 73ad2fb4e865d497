//! Arbitrary-size integers with the semantics of Python's `int()` on strings.
//!
//! This module owns `PyInt` and the two ways the reference makes one:
//! `int(s)` for a `str` in base 10 (CPython 3.11's `PyLong_FromUnicodeObject`,
//! including its 4300-digit limit) and `int(f)` for a float. Digits and
//! their values come from `unicode`; typing metric strings is `value`'s.
//!
//! CPython first maps the string to ASCII: non-ASCII whitespace becomes
//! `' '`, a non-ASCII decimal digit becomes its ASCII digit, and anything
//! else non-ASCII ends the string with an invalid marker. It then skips
//! ASCII whitespace (`" \t\n\v\f\r"`, so `'\x1c5'` is invalid although
//! `'\x1c'.isspace()`), so in all it skips Unicode White_Space, which is
//! Rust's `char::is_whitespace`. It then takes a sign, and scans a run of
//! digits and single underscores. The limit counts the digits of that run
//! (leading zeros too, underscores and sign not) and is checked before
//! anything after the run, so `'1' * 4301 + 'x'` exceeds the limit rather
//! than being invalid.

use std::cmp::Ordering;
use std::fmt;

use crate::py::unicode;

/// CPython's default `sys.get_int_max_str_digits()`.
const MAX_STR_DIGITS: usize = 4300;

/// An integer of any size, as Python's `int` holds it.
///
/// Stored as a sign and ASCII decimal digits without leading zeros
/// (zero is `"0"` and never negative).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct PyInt {
    negative: bool,
    digits: String,
}

/// Why Python's `int()` rejects a string.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum IntError {
    /// `invalid literal for int() with base 10`.
    Invalid,
    /// More than 4300 digits (CPython's `sys.get_int_max_str_digits()` default).
    TooManyDigits,
}

/// Why a parse failed, with the digit count the limit message names.
enum Fail {
    Invalid,
    TooManyDigits(usize),
}

impl PyInt {
    /// Returns the integer `v`.
    pub fn from_i64(v: i64) -> PyInt {
        PyInt::from_parts(v < 0, v.unsigned_abs().to_string())
    }

    /// Parses `s` as Python's `int(s)` does for a `str` in base 10.
    pub fn parse(s: &str) -> Result<PyInt, IntError> {
        parse_inner(s).map_err(|fail| match fail {
            Fail::Invalid => IntError::Invalid,
            Fail::TooManyDigits(_) => IntError::TooManyDigits,
        })
    }

    /// Returns `int(f)`: `f` truncated toward zero, exactly; `None` for inf/nan.
    pub fn from_f64_trunc(f: f64) -> Option<PyInt> {
        if !f.is_finite() {
            return None;
        }
        let t = f.trunc();
        if t == 0.0 {
            return Some(PyInt::zero());
        }
        // |t| >= 1, so t is normal: |t| = mantissa * 2^exp with exp >= -52.
        let bits = t.to_bits();
        let mantissa = (bits & ((1u64 << 52) - 1)) | (1u64 << 52);
        let exp = ((bits >> 52) & 0x7FF) as i32 - 1075;
        let digits = if exp < 0 {
            (mantissa >> exp.unsigned_abs()).to_string()
        } else {
            shifted_decimal(mantissa, exp.unsigned_abs())
        };
        Some(PyInt::from_parts(t < 0.0, digits))
    }

    /// Returns true if and only if the value is zero.
    pub fn is_zero(&self) -> bool {
        self.digits == "0"
    }

    /// Returns the value as `i64` when it fits.
    pub fn to_i64(&self) -> Option<i64> {
        if self.digits.len() > 20 {
            return None;
        }
        let magnitude: i128 = self.digits.parse().ok()?;
        i64::try_from(if self.negative { -magnitude } else { magnitude }).ok()
    }

    /// Returns the nearest `f64`, for drawing (infinite past its range).
    pub fn to_f64(&self) -> f64 {
        let magnitude: f64 = self.digits.parse().unwrap_or(f64::INFINITY);
        if self.negative {
            -magnitude
        } else {
            magnitude
        }
    }

    /// Returns zero.
    fn zero() -> PyInt {
        PyInt {
            negative: false,
            digits: "0".to_owned(),
        }
    }

    /// Builds a value from a sign and ASCII digits, dropping leading zeros.
    fn from_parts(negative: bool, digits: String) -> PyInt {
        let trimmed = digits.trim_start_matches('0');
        if trimmed.is_empty() {
            return PyInt::zero();
        }
        let digits = if trimmed.len() == digits.len() {
            digits
        } else {
            trimmed.to_owned()
        };
        PyInt { negative, digits }
    }
}

/// Parses `s` as `int(s)` does, or returns the message of the `ValueError` Python raises.
pub(crate) fn parse_with_message(s: &str) -> Result<PyInt, String> {
    parse_inner(s).map_err(|fail| match fail {
        Fail::Invalid => {
            // CPython formats the literal with `%.200R`: its repr cut to 200 characters.
            let repr: String = unicode::repr_str(s).chars().take(200).collect();
            format!("invalid literal for int() with base 10: {repr}")
        }
        Fail::TooManyDigits(n) => format!(
            "Exceeds the limit ({MAX_STR_DIGITS} digits) for integer string conversion: \
             value has {n} digits; use sys.set_int_max_str_digits() to increase the limit"
        ),
    })
}

/// Parses `s` following CPython 3.11's `PyLong_FromString` step by step.
fn parse_inner(s: &str) -> Result<PyInt, Fail> {
    let mut rest = s.trim_start_matches(char::is_whitespace);
    let mut negative = false;
    if let Some(r) = rest.strip_prefix('+') {
        rest = r;
    } else if let Some(r) = rest.strip_prefix('-') {
        rest = r;
        negative = true;
    }
    if rest.starts_with('_') {
        return Err(Fail::Invalid);
    }
    let mut digits = String::new();
    let mut count = 0usize;
    let mut prev_underscore = false;
    let mut end = rest.len();
    for (i, c) in rest.char_indices() {
        if c == '_' {
            if prev_underscore {
                return Err(Fail::Invalid);
            }
            prev_underscore = true;
        } else if let Some(d) = unicode::decimal_value(c) {
            prev_underscore = false;
            count += 1;
            if count <= MAX_STR_DIGITS {
                digits.push(char::from(b'0' + d as u8));
            }
        } else {
            end = i;
            break;
        }
    }
    if prev_underscore {
        return Err(Fail::Invalid);
    }
    if count > MAX_STR_DIGITS {
        return Err(Fail::TooManyDigits(count));
    }
    if count == 0 || !rest[end..].chars().all(char::is_whitespace) {
        return Err(Fail::Invalid);
    }
    Ok(PyInt::from_parts(negative, digits))
}

/// Returns the decimal digits of `mantissa * 2^shift`.
fn shifted_decimal(mantissa: u64, shift: u32) -> String {
    const BASE: u64 = 1_000_000_000;
    // Little-endian limbs in base 10^9; each limb < 2^30, so limb << 32 fits in u64.
    let mut limbs = vec![
        mantissa % BASE,
        (mantissa / BASE) % BASE,
        mantissa / BASE / BASE,
    ];
    let mut left = shift;
    while left > 0 {
        let step = left.min(32);
        left -= step;
        let mut carry = 0u64;
        for limb in &mut limbs {
            let v = (*limb << step) + carry;
            *limb = v % BASE;
            carry = v / BASE;
        }
        while carry > 0 {
            limbs.push(carry % BASE);
            carry /= BASE;
        }
    }
    while limbs.len() > 1 && limbs.last() == Some(&0) {
        limbs.pop();
    }
    let mut out = String::new();
    for (i, limb) in limbs.iter().rev().enumerate() {
        if i == 0 {
            out.push_str(&limb.to_string());
        } else {
            out.push_str(&format!("{limb:09}"));
        }
    }
    out
}

impl PyInt {
    /// Compares with a machine integer without building a `PyInt` for it.
    pub fn cmp_i64(&self, other: i64) -> std::cmp::Ordering {
        match self.to_i64() {
            Some(mine) => mine.cmp(&other),
            None => self.cmp(&PyInt::from_i64(other)),
        }
    }
}

impl Ord for PyInt {
    fn cmp(&self, other: &Self) -> Ordering {
        let magnitude = || {
            self.digits
                .len()
                .cmp(&other.digits.len())
                .then_with(|| self.digits.cmp(&other.digits))
        };
        match (self.negative, other.negative) {
            (false, false) => magnitude(),
            (true, true) => magnitude().reverse(),
            (false, true) => Ordering::Greater,
            (true, false) => Ordering::Less,
        }
    }
}

impl PartialOrd for PyInt {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl fmt::Display for PyInt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.negative {
            f.write_str("-")?;
        }
        f.write_str(&self.digits)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{hex, python3, Needs, Rng};

    /// Checks, over every code point, that `char::is_whitespace` is the whitespace
    /// `int()` accepts around digits.
    #[test]
    fn whitespace_is_int_whitespace_over_every_code_point() {
        let script = r#"
import sys
def skipped(ch):
    try:
        int(ch + '1' + ch)
        return not ch.isdecimal()
    except ValueError:
        return False
sys.stdout.write(''.join('%x\n' % c for c in range(0x110000) if skipped(chr(c))))
"#;
        let actual: String = (0..0x110000u32)
            .filter_map(char::from_u32)
            .filter(|c| c.is_whitespace())
            .map(|c| format!("{:x}\n", u32::from(c)))
            .collect();
        // Python's `str.isspace()` without `\x1c`-`\x1f`: 25 characters.
        assert_eq!(actual.lines().count(), 25);
        let what = "int()'s whitespace compared with Python 3.11's";
        let Some(expected) = python3(Needs::Python311, what).map(|py| py.run(script, "")) else {
            return;
        };
        assert_eq!(actual, expected);
    }

    fn ok(s: &str) -> String {
        match PyInt::parse(s) {
            Ok(v) => v.to_string(),
            Err(e) => panic!("{s:?} rejected: {e:?}"),
        }
    }

    #[test]
    fn parses_like_python() {
        let cases = [
            ("0", "0"),                                     // python3: int('0') == 0
            ("-0", "0"),                                    // python3: int('-0') == 0
            ("+5", "5"),                                    // python3: int('+5') == 5
            (" 5 ", "5"),                                   // python3: int(' 5 ') == 5
            ("\t-5\n", "-5"),                               // python3: int('\t-5\n') == -5
            ("007", "7"),                                   // python3: int('007') == 7
            ("0_1", "1"),                                   // python3: int('0_1') == 1
            ("1_000", "1000"),                              // python3: int('1_000') == 1000
            ("-1_000_000", "-1000000"), // python3: int('-1_000_000') == -1000000
            ("\u{3000}5\u{3000}", "5"), // python3: int('\u30005\u3000') == 5
            ("\u{85}5", "5"),           // python3: int('\x855') == 5
            ("\u{663}", "3"),           // python3: int('\u0663') == 3
            ("1\u{663}", "13"),         // python3: int('1\u0663') == 13
            ("\u{ff11}\u{ff12}", "12"), // python3: int('\uff11\uff12') == 12
            ("\u{1d7d9}", "1"),         // python3: int('\U0001d7d9') == 1
            ("9223372036854775808", "9223372036854775808"), // python3: int('9223372036854775808') == 9223372036854775808
            (
                "123456789012345678901234567890",
                "123456789012345678901234567890",
            ), // python3: int('123456789012345678901234567890') == 123456789012345678901234567890
        ];
        for (s, want) in cases {
            assert_eq!(ok(s), want, "{s:?}");
        }
    }

    #[test]
    fn rejects_like_python() {
        // python3: each of these raises "invalid literal for int() with base 10: <repr>"
        let cases = [
            "\x1c5", "5\x1c", "- 5", "+_5", "1__0", "_1", "1_", "", " ", "+", "-", "0x10", "1e3",
            "1 0", "1.0", "abc", "12a", "\0", "1\0", "++1", "\u{b2}",
        ];
        for s in cases {
            assert_eq!(PyInt::parse(s), Err(IntError::Invalid), "{s:?}");
        }
        // python3: str(ValueError from int('abc'))
        assert_eq!(
            parse_with_message("abc").err().as_deref(),
            Some("invalid literal for int() with base 10: 'abc'")
        );
        // python3: str(ValueError from int('\x1c5'))
        assert_eq!(
            parse_with_message("\x1c5").err().as_deref(),
            Some("invalid literal for int() with base 10: '\\x1c5'")
        );
        // python3: the message of int('a' * 300) ends in "'" + 'a' * 199 (repr cut to 200 chars)
        let long = parse_with_message(&"a".repeat(300))
            .err()
            .unwrap_or_default();
        assert_eq!(
            long,
            format!(
                "invalid literal for int() with base 10: '{}",
                "a".repeat(199)
            )
        );
    }

    #[test]
    fn digit_limit() {
        let too_many = |n: usize| {
            format!(
                "Exceeds the limit (4300 digits) for integer string conversion: value has {n} \
                 digits; use sys.set_int_max_str_digits() to increase the limit"
            )
        };
        // python3: len(str(int('1' * 4300))) == 4300
        assert_eq!(ok(&"1".repeat(4300)).len(), 4300);
        // python3: len(str(int('-' + '1' * 4300))) == 4301 (the sign is not a digit)
        assert_eq!(ok(&format!("-{}", "1".repeat(4300))).len(), 4301);
        // python3: int('1_' * 4299 + '1') has 4300 digits (underscores do not count)
        assert_eq!(ok(&format!("{}1", "1_".repeat(4299))).len(), 4300);
        // python3: int(' ' * 10 + '1' * 4300 + ' ') is fine (whitespace does not count)
        assert_eq!(ok(&format!("          {} ", "1".repeat(4300))).len(), 4300);
        // python3: int('1' * 4301) -> "... value has 4301 digits; ..."
        assert_eq!(
            parse_with_message(&"1".repeat(4301)).err(),
            Some(too_many(4301))
        );
        let over = [
            "0".repeat(4301),                      // python3: leading zeros count
            format!("{}1", "0".repeat(4300)),      // python3: 4301 digits
            format!("{}1", "1_".repeat(4300)),     // python3: 4301 digits
            format!("{}x", "1".repeat(4301)),      // python3: limit before garbage
            format!("{} 1", "1".repeat(4301)),     // python3: limit before garbage
            format!("{}\u{e9}", "1".repeat(4301)), // python3: limit before garbage
            format!("{}{}", "1".repeat(4200), "\u{663}".repeat(101)), // python3: Nd digits count
        ];
        for s in &over {
            assert_eq!(PyInt::parse(s), Err(IntError::TooManyDigits));
        }
        let invalid = [
            format!("x{}", "1".repeat(4301)),   // python3: invalid literal
            format!("{}_", "1".repeat(4301)),   // python3: invalid literal
            format!("{}__1", "1".repeat(4301)), // python3: invalid literal
            format!("{}__{}", "1".repeat(2000), "1".repeat(4000)), // python3: invalid literal
        ];
        for s in &invalid {
            assert_eq!(PyInt::parse(s), Err(IntError::Invalid));
        }
    }

    #[test]
    fn truncates_floats_like_python() {
        let cases = [
            (0.0, "0"),                                      // python3: int(0.0) == 0
            (-0.0, "0"),                                     // python3: int(-0.0) == 0
            (0.5, "0"),                                      // python3: int(0.5) == 0
            (-0.5, "0"),                                     // python3: int(-0.5) == 0
            (0.9999999999999999, "0"), // python3: int(0.9999999999999999) == 0
            (1.0, "1"),                // python3: int(1.0) == 1
            (-1.5, "-1"),              // python3: int(-1.5) == -1
            (4503599627370495.5, "4503599627370495"), // python3: int(4503599627370495.5)
            (1e16, "10000000000000000"), // python3: int(1e16)
            (1e23, "99999999999999991611392"), // python3: int(1e23)
            (-1e23, "-99999999999999991611392"), // python3: int(-1e23)
            (9.223372036854776e18, "9223372036854775808"), // python3: int(2.0**63)
            (1.8446744073709552e19, "18446744073709551616"), // python3: int(2.0**64)
            (5e-324, "0"),             // python3: int(5e-324) == 0
            (-1e-300, "0"),            // python3: int(-1e-300) == 0
            (123456.789, "123456"),    // python3: int(123456.789) == 123456
        ];
        for (f, want) in cases {
            assert_eq!(
                PyInt::from_f64_trunc(f).map(|v| v.to_string()).as_deref(),
                Some(want)
            );
        }
        // python3: str(int(1e300))
        let e300 = "1000000000000000052504760255204420248704468581108159154915854115511802457988908195786371375080447864043704443832883878176942523235360430575644792184786706982848387200926575803737830233794788090059368953234970799945081119038967640880074652742780142494579258788820056842838115669472196386865459400540160";
        assert_eq!(
            PyInt::from_f64_trunc(1e300)
                .map(|v| v.to_string())
                .as_deref(),
            Some(e300)
        );
        // python3: str(int(1.7976931348623157e308))
        let max = "179769313486231570814527423731704356798070567525844996598917476803157260780028538760589558632766878171540458953514382464234321326889464182768467546703537516986049910576551282076245490090389328944075868508455133942304583236903222948165808559332123348274797826204144723168738177180919299881250404026184124858368";
        assert_eq!(
            PyInt::from_f64_trunc(f64::MAX)
                .map(|v| v.to_string())
                .as_deref(),
            Some(max)
        );
        // python3: int(float('inf')), int(float('nan')) raise
        assert_eq!(PyInt::from_f64_trunc(f64::INFINITY), None);
        assert_eq!(PyInt::from_f64_trunc(f64::NEG_INFINITY), None);
        assert_eq!(PyInt::from_f64_trunc(f64::NAN), None);
    }

    #[test]
    fn orders_and_converts() {
        // python3: sorted([10, -3, 0, 2, -20, 10**30, -10**30, 7])
        let mut v: Vec<PyInt> = [
            "10",
            "-3",
            "0",
            "2",
            "-20",
            "1000000000000000000000000000000",
            "-1000000000000000000000000000000",
            "7",
        ]
        .iter()
        .filter_map(|s| PyInt::parse(s).ok())
        .collect();
        v.sort();
        let got: Vec<String> = v.iter().map(ToString::to_string).collect();
        assert_eq!(
            got,
            [
                "-1000000000000000000000000000000",
                "-20",
                "-3",
                "0",
                "2",
                "7",
                "10",
                "1000000000000000000000000000000"
            ]
        );
        assert!(PyInt::from_i64(0).is_zero());
        assert!(!PyInt::from_i64(-1).is_zero());
        assert_eq!(PyInt::parse("-0"), Ok(PyInt::from_i64(0)));
        for v in [0, 1, -1, 42, i64::MAX, i64::MIN] {
            assert_eq!(PyInt::from_i64(v).to_i64(), Some(v));
            assert_eq!(PyInt::from_i64(v).to_string(), v.to_string());
        }
        // python3: int('9223372036854775808') > 2**63 - 1
        assert_eq!(
            PyInt::parse("9223372036854775808")
                .ok()
                .and_then(|v| v.to_i64()),
            None
        );
        assert_eq!(
            PyInt::parse("-9223372036854775809")
                .ok()
                .and_then(|v| v.to_i64()),
            None
        );
        assert_eq!(
            PyInt::parse("-9223372036854775808")
                .ok()
                .and_then(|v| v.to_i64()),
            Some(i64::MIN)
        );
    }

    /// Compares `int(s)` on random strings and `int(f)` on random floats with python3.
    #[test]
    fn differential_against_python() {
        let alphabet = [
            "0",
            "1",
            "5",
            "9",
            "0",
            "7",
            "_",
            "_",
            "-",
            "+",
            " ",
            "\t",
            "\n",
            "\x0b",
            "\x1c",
            "\x1f",
            "\u{85}",
            "\u{a0}",
            "\u{3000}",
            "\u{663}",
            "\u{ff15}",
            "\u{1d7ce}",
            "\u{b2}",
            "a",
            "x",
            ".",
            "e",
            "\0",
            "\u{e9}",
        ];
        let mut rng = Rng::new(0x0005_EED1);
        let mut strings: Vec<String> = (0..3000)
            .map(|_| {
                let len = rng.below(8);
                (0..len).map(|_| rng.pick(&alphabet)).collect()
            })
            .collect();
        for n in [4299, 4300, 4301, 5000] {
            strings.push("3".repeat(n));
            strings.push(format!(" -{} ", "0".repeat(n)));
            strings.push(format!("{}\u{e9}", "\u{663}".repeat(n)));
            strings.push(format!("{}_1", "2".repeat(n - 1)));
        }
        let mut floats: Vec<f64> = (0..2000).map(|_| f64::from_bits(rng.next_u64())).collect();
        floats.extend((0..300).map(|i| 1.5f64.powi(i) * if i % 2 == 0 { 1.0 } else { -1.0 }));
        floats.extend((0..200).map(|_| (rng.next_u64() % 10_000_000) as f64 / 1000.0));
        let mut input = String::new();
        for s in &strings {
            input.push_str(&format!("s {}\n", hex(s)));
        }
        for f in &floats {
            input.push_str(&format!("f {:016x}\n", f.to_bits()));
        }
        let script = r#"
import struct, sys
out = []
for line in sys.stdin.read().splitlines():
    kind, arg = line.split(' ')
    v = bytes.fromhex(arg).decode() if kind == 's' else struct.unpack('>d', bytes.fromhex(arg))[0]
    try:
        out.append('ok ' + str(int(v)))
    except (ValueError, OverflowError) as e:
        out.append('err ' + str(e))
sys.stdout.buffer.write(('\n'.join(out) + '\n').encode())
"#;
        let what = "the differential check of int() against Python 3.11";
        let Some(expected) = python3(Needs::Python311, what).map(|py| py.run(script, &input))
        else {
            return;
        };
        let actual = strings.iter().map(|s| parse_with_message(s)).chain(
            floats
                .iter()
                .map(|&f| PyInt::from_f64_trunc(f).ok_or_else(|| "non-finite".to_owned())),
        );
        let mut count = 0;
        for (line, got) in expected.lines().zip(actual) {
            count += 1;
            match got {
                Ok(v) => assert_eq!(line, format!("ok {v}")),
                Err(msg) if msg == "non-finite" => {
                    assert!(line.starts_with("err cannot convert float"))
                }
                Err(msg) => assert_eq!(line, format!("err {msg}")),
            }
        }
        assert_eq!(count, strings.len() + floats.len());
    }
}
