//! Markup that is safe by construction: an [`Html`] value is built only by
//! escaping text or from a template written in this crate, so that text from
//! a run (an id, a name, a log line) stays text in the HTML report by type,
//! not by care at each call.
//!
//! The [`html!`](crate::html) macro appends a template with its holes filled:
//! the template must be a string literal whose only holes are `{}` (no names,
//! no captured variables, no format specifications; checked at compile time by
//! [`check_template`]), and each hole takes a [`Fragment`]: an `Html` as it is,
//! text escaped, a number as digits. What the report shows is `html`'s and
//! `svg`'s; this module only keeps the markup honest.

use std::fmt;

/// Markup: escaped text and the crate's own templates, nothing else.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Html(String);

impl Html {
    /// Returns empty markup.
    pub fn new() -> Html {
        Html(String::new())
    }

    /// Returns `text` escaped for HTML and SVG content and attribute values.
    pub fn text(text: &str) -> Html {
        let mut out = Html(String::with_capacity(text.len()));
        escape_into(&mut out.0, text);
        out
    }

    /// Returns markup written in this crate, as it is.
    pub fn literal(markup: &'static str) -> Html {
        Html(markup.to_string())
    }

    /// Appends `other`.
    pub fn push(&mut self, other: &Html) {
        self.0.push_str(&other.0);
    }

    /// Appends `text`, escaped.
    pub fn push_text(&mut self, text: &str) {
        escape_into(&mut self.0, text);
    }

    /// Appends a literal of this crate's, as it is.
    pub fn push_literal(&mut self, markup: &'static str) {
        self.0.push_str(markup);
    }

    /// Appends a coordinate with one decimal (`12.5`).
    pub fn push_coordinate(&mut self, value: f64) {
        use std::fmt::Write;
        let _ = write!(self.0, "{value:.1}");
    }

    /// Returns true if and only if there is no markup.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Returns the markup as a string slice.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Returns the markup as a string.
    pub fn into_string(self) -> String {
        self.0
    }

    /// Appends `template` with each `{}` filled by the next of `args` (see [`html!`](crate::html)).
    pub fn fill(&mut self, template: &'static str, args: &[&dyn Fragment]) {
        let mut args = args.iter();
        let mut rest = template;
        while let Some(at) = rest.find(['{', '}']) {
            self.0.push_str(&rest[..at]);
            let tail = &rest[at..];
            let skip = if tail.starts_with("{}") {
                if let Some(arg) = args.next() {
                    arg.write_to(self);
                }
                2
            } else {
                // `{{` or `}}` stand for one brace; check_template allows no other, and
                // a lone one (a template it did not check) stays as it is.
                self.0.push_str(&tail[..1]);
                if tail.starts_with("{{") || tail.starts_with("}}") {
                    2
                } else {
                    1
                }
            };
            rest = &tail[skip..];
        }
        self.0.push_str(rest);
    }
}

impl fmt::Display for Html {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Escapes `text` onto `out`: `& < > " '` become entities, and control characters but
/// tab and newline (not allowed in HTML text) the replacement character.
fn escape_into(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if c.is_control() && c != '\n' && c != '\t' => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
}

/// A value that may fill a hole of a template: markup as it is, text escaped, a
/// number as its digits.
pub trait Fragment {
    /// Appends the value to `out`.
    fn write_to(&self, out: &mut Html);
}

impl Fragment for Html {
    fn write_to(&self, out: &mut Html) {
        out.push(self);
    }
}

impl Fragment for str {
    fn write_to(&self, out: &mut Html) {
        out.push_text(self);
    }
}

impl Fragment for String {
    fn write_to(&self, out: &mut Html) {
        out.push_text(self);
    }
}

impl<T: Fragment + ?Sized> Fragment for &T {
    fn write_to(&self, out: &mut Html) {
        (**self).write_to(out);
    }
}

/// Coordinates and sizes: one decimal.
impl Fragment for f64 {
    fn write_to(&self, out: &mut Html) {
        out.push_coordinate(*self);
    }
}

macro_rules! integer_fragments {
    ($($t:ty),*) => {$(
        impl Fragment for $t {
            fn write_to(&self, out: &mut Html) {
                use std::fmt::Write;
                let _ = write!(out.0, "{self}");
            }
        }
    )*};
}
integer_fragments!(i64, u64, usize, u32);

/// Returns the number of `{}` holes of `template`, refusing (at compile time, where it is
/// called in a constant) any other use of a brace: a named or captured hole would let
/// unescaped text in.
pub const fn check_template(template: &str) -> usize {
    let bytes = template.as_bytes();
    let mut holes = 0;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'{' if i + 1 < bytes.len() && bytes[i + 1] == b'{' => i += 2,
            b'{' if i + 1 < bytes.len() && bytes[i + 1] == b'}' => {
                holes += 1;
                i += 2;
            }
            b'{' => panic!("an html! template's only holes are `{{}}`"),
            b'}' if i + 1 < bytes.len() && bytes[i + 1] == b'}' => i += 2,
            b'}' => panic!("an html! template has a lone `}}`"),
            _ => i += 1,
        }
    }
    holes
}

/// Builds [`Html`](crate::report::markup::Html) from a template whose holes are `{}`,
/// each filled by a [`Fragment`](crate::report::markup::Fragment): `html!("<b>{}</b>",
/// name)` returns new markup, `html!(out, "<b>{}</b>", name)` appends to `out`.
#[macro_export]
macro_rules! html {
    ($template:literal $(, $arg:expr)* $(,)?) => {{
        let mut out = $crate::report::markup::Html::new();
        $crate::html!(out, $template $(, $arg)*);
        out
    }};
    ($out:expr, $template:literal $(, $arg:expr)* $(,)?) => {{
        const _: () = assert!(
            $crate::report::markup::check_template($template)
                == <[&str]>::len(&[$(stringify!($arg)),*]),
            "an html! template's holes and arguments differ in number"
        );
        $out.fill($template, &[$(&$arg as &dyn $crate::report::markup::Fragment),*]);
    }};
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped_and_templates_are_not() {
        assert_eq!(
            Html::text("<script>alert('x\")</script>&\u{7}").as_str(),
            "&lt;script&gt;alert(&#39;x&quot;)&lt;/script&gt;&amp;\u{fffd}"
        );
        let id = "<img src=x>";
        let markup = crate::html!("<b title=\"{}\">{}</b> {{}} {}", id, Html::text(id), 2.26);
        assert_eq!(
            markup.as_str(),
            "<b title=\"&lt;img src=x&gt;\">&lt;img src=x&gt;</b> {} 2.3"
        );
        let mut out = Html::literal("<p>");
        crate::html!(out, "{} of {}", 3usize, "a&b".to_string());
        crate::html!(out, "</p>");
        assert_eq!(out.as_str(), "<p>3 of a&amp;b</p>");
    }

    #[test]
    fn templates_allow_only_empty_holes() {
        assert_eq!(check_template("a {} b {{x}} {}"), 2);
        assert_eq!(check_template("none"), 0);
    }
}
