//! Property checks over the tests' one generator ([`Rng`]): each case is drawn from
//! a seed of its own, so a run checks the same cases every time and a failing case
//! replays from its seed; a failing case is made smaller, one step at a time, for as
//! long as it still fails, and reported with its seed and the panic it raised.

use super::rng::Rng;
use std::fmt::Debug;
use std::panic::{catch_unwind, AssertUnwindSafe};

/// The seed of case `case` of the property named `name`: the name's bytes folded in
/// (FNV-1a), so that two properties never draw the same cases.
fn seed(name: &str, case: u64) -> u64 {
    let folded = name.bytes().fold(0xcbf2_9ce4_8422_2325u64, |hash, b| {
        (hash ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    });
    folded ^ case.wrapping_mul(0x9E37_79B9_7F4A_7C15)
}

/// Returns the panic message of `holds(value)`, or `None` where it passes.
fn failure<T>(holds: &impl Fn(&T), value: &T) -> Option<String> {
    let outcome = catch_unwind(AssertUnwindSafe(|| holds(value)));
    let payload = outcome.err()?;
    Some(match payload.downcast_ref::<String>() {
        Some(text) => text.clone(),
        None => payload.downcast_ref::<&str>().map_or_else(
            || "a panic without a message".to_string(),
            |t| t.to_string(),
        ),
    })
}

/// Checks that `holds` (which panics where it does not) holds for `cases` values that
/// `generate` draws. A failing value is replaced by the first of `smaller(value)` that
/// still fails, until none does, and the test fails naming the case, its seed, the
/// smallest failing value and its panic.
pub fn check<T: Debug>(
    name: &str,
    cases: u64,
    generate: impl Fn(&mut Rng) -> T,
    smaller: impl Fn(&T) -> Vec<T>,
    holds: impl Fn(&T),
) {
    for case in 0..cases {
        let seed = seed(name, case);
        let value = generate(&mut Rng::new(seed));
        let Some(mut message) = failure(&holds, &value) else {
            continue;
        };
        let mut value = value;
        let mut steps = 0;
        'shrink: while steps < 1000 {
            for candidate in smaller(&value) {
                if let Some(why) = failure(&holds, &candidate) {
                    (value, message) = (candidate, why);
                    steps += 1;
                    continue 'shrink;
                }
            }
            break;
        }
        panic!(
            "{name}: case {case} (Rng::new({seed:#x})) fails, after {steps} steps of \
             making it smaller:\n{value:#?}\n{message}"
        );
    }
}

/// Returns copies of `value`, each with one item fewer in the list `field` picks, the
/// later items removed first: what `smaller` returns for a list.
pub fn fewer<T: Clone, I>(value: &T, field: impl Fn(&mut T) -> &mut Vec<I>) -> Vec<T> {
    let len = field(&mut value.clone()).len();
    (0..len)
        .rev()
        .map(|skip| {
            let mut smaller = value.clone();
            field(&mut smaller).remove(skip);
            smaller
        })
        .collect()
}

/// Returns a number in `range` (inclusive), drawn evenly.
pub fn between(rng: &mut Rng, range: std::ops::RangeInclusive<usize>) -> usize {
    range.start() + rng.below(range.end() - range.start() + 1)
}

/// Returns a string of `len` characters drawn from `chars`.
pub fn text_of(rng: &mut Rng, chars: &[char], len: std::ops::RangeInclusive<usize>) -> String {
    (0..between(rng, len)).map(|_| rng.pick(chars)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A property that fails for lists holding a 7 is reported with the smallest
    /// failing list, `[7]`, and its seed; one that holds passes.
    #[test]
    fn a_failing_case_is_made_smallest_and_named_with_its_seed() {
        let generate = |rng: &mut Rng| -> Vec<usize> {
            (0..between(rng, 5..=30)).map(|_| rng.below(10)).collect()
        };
        let outcome = catch_unwind(|| {
            check(
                "holds-no-seven",
                200,
                generate,
                |list| fewer(list, |list| list),
                |list| assert!(!list.contains(&7), "a seven in {list:?}"),
            )
        });
        let payload = outcome.expect_err("some list of 5 to 30 digits holds a 7");
        let message = payload
            .downcast_ref::<String>()
            .expect("a formatted message");
        assert!(message.starts_with("holds-no-seven: case "), "{message}");
        assert!(message.contains(" (Rng::new(0x"), "{message}");
        assert!(
            message.contains("[\n    7,\n]\na seven in [7]"),
            "{message}"
        );
        check(
            "digits-below-ten",
            50,
            generate,
            |list| fewer(list, |list| list),
            |list| assert!(list.iter().all(|&d| d < 10)),
        );
    }
}
