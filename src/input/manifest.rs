//! The manifest: `manifest.tsv` read exactly as the reference's `csv.DictReader` reads it.
//!
//! This module owns turning the manifest file into [`Row`]s: refusing paths that are not
//! regular files, strict UTF-8 decoding, CPython 3.11's `_csv` reader state machine with
//! the tab dialect (quotechar `"`, doubled quotes, non-strict, no escape character), and
//! `DictReader`'s mapping of header names to values. What the values mean (`int()` of
//! `order`, exit codes, evidence paths) belongs to the modules that read the rows.
//!
//! Deliberate differences from the reference, all on inputs where it crashes:
//! invalid UTF-8 is an error naming the line and byte, a field may be longer than
//! `csv.field_size_limit()` (131072 characters, where the reference raises), and a
//! leading byte order mark is dropped when it hides the `order` column (see [`parse_str`]).
//! One more bounds memory: a file larger than [`SIZE_LIMIT`] is refused.

use crate::fs::open::{self, OpenError};
use std::fmt;
use std::path::{Path, PathBuf};

/// The columns the reference reads, in its order; others are ignored.
pub const COLUMNS: [&str; 13] = [
    "order",
    "scenario_id",
    "name",
    "status",
    "reason",
    "duration_ms",
    "sim_rc",
    "streamer_rc",
    "tester_rc",
    "sim_log",
    "streamer_log",
    "tester_log",
    "sdp_path",
];

/// One manifest record: the thirteen columns the reference reads, `""` where absent.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Row {
    /// 1-based physical line of the manifest where this record starts.
    pub line: u64,
    pub order: String,
    pub scenario_id: String,
    pub name: String,
    pub status: String,
    pub reason: String,
    pub duration_ms: String,
    pub sim_rc: String,
    pub streamer_rc: String,
    pub tester_rc: String,
    pub sim_log: String,
    pub streamer_log: String,
    pub tester_log: String,
    pub sdp_path: String,
}

impl Row {
    /// Returns the row's values in [`COLUMNS`] order.
    pub fn values(&self) -> [&str; 13] {
        let Row {
            line: _,
            order,
            scenario_id,
            name,
            status,
            reason,
            duration_ms,
            sim_rc,
            streamer_rc,
            tester_rc,
            sim_log,
            streamer_log,
            tester_log,
            sdp_path,
        } = self;
        [
            order,
            scenario_id,
            name,
            status,
            reason,
            duration_ms,
            sim_rc,
            streamer_rc,
            tester_rc,
            sim_log,
            streamer_log,
            tester_log,
            sdp_path,
        ]
    }

    /// Builds a row from the values of [`COLUMNS`], in that order.
    fn from_columns(line: u64, values: [String; 13]) -> Row {
        let [order, scenario_id, name, status, reason, duration_ms, sim_rc, streamer_rc, tester_rc, sim_log, streamer_log, tester_log, sdp_path] =
            values;
        Row {
            line,
            order,
            scenario_id,
            name,
            status,
            reason,
            duration_ms,
            sim_rc,
            streamer_rc,
            tester_rc,
            sim_log,
            streamer_log,
            tester_log,
            sdp_path,
        }
    }
}

/// A parsed manifest.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Manifest {
    pub path: PathBuf,
    /// Records in file order (blank lines skipped, as DictReader does).
    pub rows: Vec<Row>,
}

/// Why a manifest could not be read.
#[derive(Debug)]
pub enum ManifestError {
    /// The file could not be opened or read.
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    /// The path exists but is not a regular file (directory, FIFO, device).
    NotAFile { path: PathBuf },
    /// The file is not valid UTF-8: 1-based line and the 0-based byte offset of the first bad byte.
    NotUtf8 {
        path: PathBuf,
        line: u64,
        offset: u64,
    },
    /// The file is larger than [`SIZE_LIMIT`] bytes: no manifest of a real run is.
    TooLarge { path: PathBuf, limit: u64 },
}

impl fmt::Display for ManifestError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ManifestError::Io { path, source } => {
                write!(f, "{}: cannot read: {source}", path.display())
            }
            ManifestError::NotAFile { path } => {
                write!(f, "{}: not a regular file", path.display())
            }
            ManifestError::NotUtf8 { path, line, offset } => {
                write!(
                    f,
                    "{}:{line}: invalid utf-8 at byte offset {offset}",
                    path.display()
                )
            }
            ManifestError::TooLarge { path, limit } => {
                write!(
                    f,
                    "{}: larger than {limit} bytes; not a manifest",
                    path.display()
                )
            }
        }
    }
}

impl std::error::Error for ManifestError {}

/// Largest manifest read, in bytes: ten times a manifest of 100,000 rows with long
/// paths, and a bound on the memory a hostile file can take.
pub const SIZE_LIMIT: u64 = 256 << 20;

/// Reads and parses the manifest at `path`, refusing anything but a regular UTF-8 file
/// of at most [`SIZE_LIMIT`] bytes.
pub fn read(path: &Path) -> Result<Manifest, ManifestError> {
    read_limited(path, SIZE_LIMIT)
}

/// Reads like [`read`] with a size limit of `limit` bytes.
fn read_limited(path: &Path, limit: u64) -> Result<Manifest, ManifestError> {
    let bytes = open::read_regular(path, limit).map_err(|err| match err {
        OpenError::Missing => ManifestError::Io {
            path: path.to_path_buf(),
            source: std::io::Error::from(std::io::ErrorKind::NotFound),
        },
        OpenError::Io(source) => ManifestError::Io {
            path: path.to_path_buf(),
            source,
        },
        OpenError::NotAFile { .. } => ManifestError::NotAFile {
            path: path.to_path_buf(),
        },
        OpenError::TooLarge { limit } => ManifestError::TooLarge {
            path: path.to_path_buf(),
            limit,
        },
    })?;
    let text = String::from_utf8(bytes).map_err(|error| {
        let offset = error.utf8_error().valid_up_to();
        ManifestError::NotUtf8 {
            path: path.to_path_buf(),
            line: line_at(error.as_bytes(), offset),
            offset: offset as u64,
        }
    })?;
    Ok(Manifest {
        path: path.to_path_buf(),
        rows: parse_str(&text),
    })
}

/// Returns the 1-based line holding byte `offset`, counting `\n`, `\r\n` and `\r` as breaks.
fn line_at(bytes: &[u8], offset: usize) -> u64 {
    let prefix = bytes.get(..offset).unwrap_or(bytes);
    let breaks = prefix
        .iter()
        .enumerate()
        .filter(|&(index, &byte)| {
            byte == b'\n' || (byte == b'\r' && bytes.get(index + 1) != Some(&b'\n'))
        })
        .count();
    1 + breaks as u64
}

/// Parses manifest text as `csv.DictReader(handle, delimiter="\t")` over a file opened with `newline=""`.
///
/// The header is the first record, even a blank one (which leaves no named columns);
/// later blank lines are skipped. A name repeated in the header takes the value at its
/// last position, and a record too short for that position gives `""` there, as
/// `DictReader`'s `restval` does. Extra fields are ignored.
///
/// One deliberate difference: the reference decodes as `utf-8`, not `utf-8-sig`, so a
/// byte order mark becomes part of the first header name. When the first name without
/// the mark is `order`, the mark is dropped here: the reference then either finds a later
/// `order` column (dropping changes nothing) or none, and crashes on any record. Any
/// other first name keeps the mark, and so the reference's output (a blank value for
/// that column), as byte-compatibility requires.
pub fn parse_str(text: &str) -> Vec<Row> {
    let text = match text.strip_prefix('\u{feff}') {
        Some(rest) if header_starts_with_order(rest) => rest,
        _ => text,
    };
    let mut records = Records::new(text, 0);
    records.positions = Some([None; 13]);
    if records.next().is_none() {
        return Vec::new();
    }
    // Position of each column in the header.
    let positions = records.positions.take().unwrap_or_default();
    records.keep = positions.iter().flatten().max().map_or(0, |last| last + 1);
    records
        .filter(|record| record.count > 0)
        .map(
            |Record {
                 line, mut fields, ..
             }| {
                // Distinct columns have distinct positions, so each field is taken at most once.
                let values = positions.map(|position| {
                    position
                        .and_then(|index| fields.get_mut(index))
                        .map(std::mem::take)
                        .unwrap_or_default()
                });
                Row::from_columns(line, values)
            },
        )
        .collect()
}

/// Returns true if and only if the first header name of `text` is exactly `order`.
fn header_starts_with_order(text: &str) -> bool {
    Records::new(text, 1)
        .next()
        .is_some_and(|header| header.fields.first().map(String::as_str) == Some("order"))
}

/// Splits text into lines as a file opened with `newline=""` yields them, terminators kept.
struct Lines<'a> {
    rest: &'a str,
}

impl<'a> Iterator for Lines<'a> {
    type Item = &'a str;

    fn next(&mut self) -> Option<&'a str> {
        if self.rest.is_empty() {
            return None;
        }
        let bytes = self.rest.as_bytes();
        let end = match memchr::memchr2(b'\n', b'\r', bytes) {
            None => bytes.len(),
            Some(index) if bytes.get(index..index + 2) == Some(b"\r\n") => index + 2,
            Some(index) => index + 1,
        };
        let (line, rest) = self.rest.split_at(end);
        self.rest = rest;
        Some(line)
    }
}

/// A state of CPython's `_csv` reader (the escape-character states never occur here).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    StartRecord,
    StartField,
    InField,
    InQuotedField,
    QuoteInQuotedField,
    EatCrnl,
}

/// One record: its start line, the fields kept and how many fields it had.
struct Record {
    line: u64,
    fields: Vec<String>,
    /// Fields of the record, kept or not; 0 for a blank line.
    count: usize,
}

/// Yields each record as `csv.reader` with the tab dialect does.
///
/// Memory stays proportional to the text: only the first `keep` fields of a
/// record are stored (a line of a million tabs must not become a million
/// `String`s), and in header mode none are, only the columns' positions.
struct Records<'a> {
    lines: Lines<'a>,
    /// Lines consumed so far, Python's `reader.line_num`.
    line_num: u64,
    state: State,
    fields: Vec<String>,
    field: String,
    /// Fields of the current record so far, kept or not.
    count: usize,
    /// Fields stored per record.
    keep: usize,
    /// In header mode, the last position of each of [`COLUMNS`] among the fields read.
    positions: Option<[Option<usize>; 13]>,
}

impl<'a> Records<'a> {
    /// Starts reading records at the beginning of `text`, storing `keep` fields of each.
    fn new(text: &'a str, keep: usize) -> Records<'a> {
        Records {
            lines: Lines { rest: text },
            line_num: 0,
            state: State::StartRecord,
            fields: Vec::new(),
            field: String::new(),
            count: 0,
            keep,
            positions: None,
        }
    }

    /// Moves the current field into the record, or only counts it.
    fn save_field(&mut self) {
        let field = std::mem::take(&mut self.field);
        if let Some(positions) = self.positions.as_mut() {
            // Header mode: a later duplicate name overrides an earlier one.
            if let Some(column) = COLUMNS.iter().position(|wanted| *wanted == field) {
                positions[column] = Some(self.count);
            }
        } else if self.fields.len() < self.keep {
            self.fields.push(field);
        }
        self.count += 1;
    }

    /// Ends the record at a line break (`Some`) or at the end of the line (`None`).
    fn end_record(&mut self, c: Option<char>) {
        self.save_field();
        self.state = if c.is_none() {
            State::StartRecord
        } else {
            State::EatCrnl
        };
    }

    /// Feeds one character, or `None` for the end of a line, to the state machine.
    fn step(&mut self, c: Option<char>) {
        match self.state {
            State::StartRecord => match c {
                // An empty line yields an empty record.
                None => {}
                Some('\n' | '\r') => self.state = State::EatCrnl,
                Some(_) => {
                    self.state = State::StartField;
                    self.start_field(c);
                }
            },
            State::StartField => self.start_field(c),
            State::InField => match c {
                None | Some('\n' | '\r') => self.end_record(c),
                Some('\t') => {
                    self.save_field();
                    self.state = State::StartField;
                }
                Some(other) => self.field.push(other),
            },
            State::InQuotedField => match c {
                None => {}
                Some('"') => self.state = State::QuoteInQuotedField,
                Some(other) => self.field.push(other),
            },
            State::QuoteInQuotedField => match c {
                Some('"') => {
                    self.field.push('"');
                    self.state = State::InQuotedField;
                }
                Some('\t') => {
                    self.save_field();
                    self.state = State::StartField;
                }
                None | Some('\n' | '\r') => self.end_record(c),
                // Not strict: text after a closing quote joins the field.
                Some(other) => {
                    self.field.push(other);
                    self.state = State::InField;
                }
            },
            // Only the `\n` of a `\r\n` can follow a line break within a line, so the
            // "new-line character seen in unquoted field" error of Python cannot occur.
            State::EatCrnl => {
                if c.is_none() {
                    self.state = State::StartRecord;
                }
            }
        }
    }

    /// Handles a character at the start of a field.
    fn start_field(&mut self, c: Option<char>) {
        match c {
            None | Some('\n' | '\r') => self.end_record(c),
            Some('"') => self.state = State::InQuotedField,
            Some('\t') => self.save_field(),
            Some(other) => {
                self.field.push(other);
                self.state = State::InField;
            }
        }
    }
}

impl Iterator for Records<'_> {
    type Item = Record;

    fn next(&mut self) -> Option<Record> {
        self.fields.clear();
        self.field.clear();
        self.count = 0;
        self.state = State::StartRecord;
        let start = self.line_num + 1;
        loop {
            let Some(line) = self.lines.next() else {
                // End of input inside a quoted field: not strict, so keep what was read.
                if self.field.is_empty() && self.state != State::InQuotedField {
                    return None;
                }
                self.save_field();
                break;
            };
            self.line_num += 1;
            for c in line.chars() {
                self.step(Some(c));
            }
            self.step(None);
            if self.state == State::StartRecord {
                break;
            }
        }
        Some(Record {
            line: start,
            fields: std::mem::take(&mut self.fields),
            count: self.count,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;
    use std::process::{Command, Stdio};

    type Expected<'a> = &'a [(u64, &'a [(&'a str, &'a str)])];

    /// Asserts that `text` parses to rows with these start lines and non-empty columns.
    fn check(text: &str, expected: Expected<'_>) {
        let rows = parse_str(text);
        let actual: Vec<(u64, Vec<(&str, &str)>)> = rows
            .iter()
            .map(|row| {
                let pairs = COLUMNS
                    .iter()
                    .zip(row.values())
                    .filter(|(_, value)| !value.is_empty())
                    .map(|(name, value)| (*name, value))
                    .collect();
                (row.line, pairs)
            })
            .collect();
        let expected: Vec<(u64, Vec<(&str, &str)>)> = expected
            .iter()
            .map(|(line, pairs)| (*line, pairs.to_vec()))
            .collect();
        assert_eq!(actual, expected, "text: {text:?}");
    }

    // The expected values of the tests below up to `bom_*` were obtained by running
    // Python 3.11's csv.DictReader(io.StringIO(text, newline=""), delimiter="\t") and
    // reducing each dict to the thirteen columns as the reference does; the start lines
    // are one past csv.reader's line_num after the previous record.

    #[test]
    fn reads_canonical_manifest() {
        check(
            "order\tscenario_id\tname\tstatus\treason\tduration_ms\tsim_rc\tstreamer_rc\ttester_rc\tsim_log\tstreamer_log\ttester_log\tsdp_path\n\
             2\tsink_stall\tSink stall\tok\t\t1500\t0\t0\t0\tsink_stall/sim.log\tsink_stall/streamer.log\tsink_stall/tester.log\tsink_stall/stream.sdp\n\
             1\ttorn_read\tTorn read\tok\t\t1200\t0\t0\t0\ttorn_read/sim.log\ttorn_read/streamer.log\ttorn_read/tester.log\ttorn_read/stream.sdp\n",
            &[
                (
                    2,
                    &[
                        ("order", "2"),
                        ("scenario_id", "sink_stall"),
                        ("name", "Sink stall"),
                        ("status", "ok"),
                        ("duration_ms", "1500"),
                        ("sim_rc", "0"),
                        ("streamer_rc", "0"),
                        ("tester_rc", "0"),
                        ("sim_log", "sink_stall/sim.log"),
                        ("streamer_log", "sink_stall/streamer.log"),
                        ("tester_log", "sink_stall/tester.log"),
                        ("sdp_path", "sink_stall/stream.sdp"),
                    ],
                ),
                (
                    3,
                    &[
                        ("order", "1"),
                        ("scenario_id", "torn_read"),
                        ("name", "Torn read"),
                        ("status", "ok"),
                        ("duration_ms", "1200"),
                        ("sim_rc", "0"),
                        ("streamer_rc", "0"),
                        ("tester_rc", "0"),
                        ("sim_log", "torn_read/sim.log"),
                        ("streamer_log", "torn_read/streamer.log"),
                        ("tester_log", "torn_read/tester.log"),
                        ("sdp_path", "torn_read/stream.sdp"),
                    ],
                ),
            ],
        );
    }

    #[test]
    fn skips_blank_lines_and_counts_every_line_ending() {
        check(
            "order\tname\r\n\r\n1\tone\r\n\r\n\r\n2\ttwo\r\n\r\n",
            &[
                (3, &[("order", "1"), ("name", "one")]),
                (6, &[("order", "2"), ("name", "two")]),
            ],
        );
        check(
            "order\tname\r1\tone\r\r2\ttwo",
            &[
                (2, &[("order", "1"), ("name", "one")]),
                (4, &[("order", "2"), ("name", "two")]),
            ],
        );
    }

    #[test]
    fn reads_quoted_fields() {
        check(
            "order\tname\treason\n1\t\"say \"\"hi\"\"\"\t\"tab\there\"\n2\t\"two\nlines\"\t\"crlf\r\ninside\"\n3\tthird\t\n",
            &[
                (2, &[("order", "1"), ("name", "say \"hi\""), ("reason", "tab\there")]),
                (3, &[("order", "2"), ("name", "two\nlines"), ("reason", "crlf\r\ninside")]),
                (6, &[("order", "3"), ("name", "third")]),
            ],
        );
        check(
            "\"order\"\t\"scen\"\"ario\"\t\"na\nme\"\n7\tx\ty\n",
            &[(3, &[("order", "7")])],
        );
    }

    #[test]
    fn joins_text_after_a_closing_quote() {
        check(
            "order\tname\treason\n\"1\"2\t\"ab\"cd\ta\"b\"\n\"x\" \"y\"\t\"\"\t\"\"\"\"\n",
            &[
                (
                    2,
                    &[("order", "12"), ("name", "abcd"), ("reason", "a\"b\"")],
                ),
                (3, &[("order", "x \"y\""), ("reason", "\"")]),
            ],
        );
    }

    #[test]
    fn keeps_a_quoted_field_open_at_end_of_input() {
        check(
            "order\tname\n1\t\"open\nto the end\t",
            &[(2, &[("order", "1"), ("name", "open\nto the end\t")])],
        );
    }

    #[test]
    fn keeps_nul_characters() {
        check(
            "order\tname\n1\ta\0b\n\"\0\"\t\0\n",
            &[
                (2, &[("order", "1"), ("name", "a\0b")]),
                (3, &[("order", "\0"), ("name", "\0")]),
            ],
        );
    }

    #[test]
    fn maps_short_rows_extra_fields_and_duplicate_names() {
        check(
            "order\tname\torder\tstatus\n1\tn\n1\tn\t3\n1\tn\t3\tok\textra\tmore\n",
            &[
                (2, &[("name", "n")]),
                (3, &[("order", "3"), ("name", "n")]),
                (4, &[("order", "3"), ("name", "n"), ("status", "ok")]),
            ],
        );
        check(
            "name\tstatus\nn\tok\n",
            &[(2, &[("name", "n"), ("status", "ok")])],
        );
        check(
            "order \tName\t\"name\"\n1\tA\tB\n",
            &[(2, &[("name", "B")])],
        );
    }

    #[test]
    fn treats_a_blank_first_line_as_a_header_without_names() {
        check("\norder\tname\n1\tone\n", &[(2, &[]), (3, &[])]);
    }

    #[test]
    fn keeps_records_of_empty_fields() {
        check("order\tname\n\"\"\n\t\n", &[(2, &[]), (3, &[])]);
    }

    #[test]
    fn reads_no_rows_without_records() {
        check("", &[]);
        check("order\tname\r\n", &[]);
        check("\n\n\n", &[]);
    }

    #[test]
    fn bom_before_order_is_dropped() {
        check(
            "\u{feff}order\tname\n1\tone\n",
            &[(2, &[("order", "1"), ("name", "one")])],
        );
        check(
            "\u{feff}\"order\"\tname\n1\tone\n",
            &[(2, &[("order", "1"), ("name", "one")])],
        );
    }

    #[test]
    fn bom_before_other_names_is_kept_as_the_reference_keeps_it() {
        // Python: the first name is "\ufeffscenario_id", so scenario_id is always "".
        check(
            "\u{feff}scenario_id\torder\ntorn_read\t1\n",
            &[(2, &[("order", "1")])],
        );
        check("\u{feff}\n1\n", &[(2, &[])]);
    }

    #[test]
    fn accepts_fields_beyond_pythons_size_limit() {
        let long = "x".repeat(200_000);
        let rows = parse_str(&format!("order\tname\n1\t\"{long}\"\n"));
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].name, long);
    }

    #[test]
    fn reads_a_hundred_thousand_rows() {
        let mut text = String::from("order\tscenario_id\n");
        for index in 0..100_000 {
            text.push_str(&format!("{index}\ts{index}\r\n"));
        }
        let rows = parse_str(&text);
        assert_eq!(rows.len(), 100_000);
        assert_eq!(rows[99_999].line, 100_001);
        assert_eq!(rows[99_999].scenario_id, "s99999");
    }

    #[test]
    fn keeps_only_the_fields_it_needs() {
        // A million tabs make a million fields; only those up to the last column are kept.
        let tabs = "\t".repeat(1_000_000);
        let text = format!("x\torder\tname\n{tabs}\n7\t1\tone{tabs}end\n");
        let mut records = Records::new(&text, 2);
        assert!(records.next().is_some_and(|header| header.count == 3));
        let record = records.next().expect("a record");
        assert_eq!((record.count, record.fields.len()), (1_000_001, 2));
        let rows = parse_str(&text);
        assert_eq!(rows.len(), 2);
        assert_eq!(
            (rows[1].order.as_str(), rows[1].name.as_str()),
            ("1", "one")
        );
        // A header of a million names still finds a column at its end.
        let text = format!("{tabs}order\n{tabs}5\n");
        assert_eq!(parse_str(&text)[0].order, "5");
    }

    #[test]
    fn counts_lines_before_an_offset() {
        assert_eq!(line_at(b"a\r\nb\rc\nd", 7), 4);
        assert_eq!(line_at(b"a\r\nb", 2), 1);
        assert_eq!(line_at(b"a\r", 2), 2);
        assert_eq!(line_at(b"", 0), 1);
    }

    /// Returns a fresh path in the temporary directory for test `name`.
    fn temp_path(name: &str) -> PathBuf {
        std::env::temp_dir().join(format!(
            "fault-harness-manifest-{}-{name}",
            std::process::id()
        ))
    }

    #[test]
    fn reads_a_file() -> Result<(), Box<dyn std::error::Error>> {
        let path = temp_path("good.tsv");
        std::fs::write(&path, "order\tname\n1\tone\n")?;
        let manifest = read(&path);
        std::fs::remove_file(&path)?;
        let manifest = manifest?;
        assert_eq!(manifest.path, path);
        assert_eq!(manifest.rows.len(), 1);
        assert_eq!(manifest.rows[0].name, "one");
        Ok(())
    }

    #[test]
    fn reports_invalid_utf8_with_line_and_offset() -> Result<(), Box<dyn std::error::Error>> {
        let path = temp_path("latin1.tsv");
        std::fs::write(&path, b"order\tname\r\n1\tcaf\xe9\n")?;
        let result = read(&path);
        std::fs::remove_file(&path)?;
        match result {
            Err(
                error @ ManifestError::NotUtf8 {
                    line: 2,
                    offset: 17,
                    ..
                },
            ) => {
                assert_eq!(
                    error.to_string(),
                    format!("{}:2: invalid utf-8 at byte offset 17", path.display())
                );
            }
            other => panic!("unexpected result: {other:?}"),
        }
        Ok(())
    }

    #[test]
    fn refuses_a_directory() {
        let dir = std::env::temp_dir();
        match read(&dir) {
            Err(error @ ManifestError::NotAFile { .. }) => {
                assert_eq!(
                    error.to_string(),
                    format!("{}: not a regular file", dir.display())
                );
            }
            other => panic!("unexpected result: {other:?}"),
        }
    }

    #[test]
    fn refuses_a_fifo_without_blocking() -> Result<(), Box<dyn std::error::Error>> {
        let path = temp_path("fifo");
        let made = Command::new("mkfifo").arg(&path).status();
        if !made.is_ok_and(|status| status.success()) {
            eprintln!("note: mkfifo is not runnable; skipping the FIFO test");
            return Ok(());
        }
        let result = read(&path);
        std::fs::remove_file(&path)?;
        assert!(
            matches!(result, Err(ManifestError::NotAFile { .. })),
            "{result:?}"
        );
        Ok(())
    }

    #[test]
    fn refuses_a_file_over_the_limit() -> Result<(), Box<dyn std::error::Error>> {
        let path = temp_path("large.tsv");
        std::fs::write(&path, "order\tname\n1\tone\n")?;
        let over = read_limited(&path, 16);
        let at = read_limited(&path, 17);
        std::fs::remove_file(&path)?;
        match over {
            Err(error @ ManifestError::TooLarge { limit: 16, .. }) => assert_eq!(
                error.to_string(),
                format!("{}: larger than 16 bytes; not a manifest", path.display())
            ),
            other => panic!("unexpected result: {other:?}"),
        }
        assert_eq!(at?.rows.len(), 1);
        Ok(())
    }

    #[test]
    fn reports_a_missing_file() {
        let path = temp_path("missing.tsv");
        match read(&path) {
            Err(error @ ManifestError::Io { .. }) => {
                let message = error.to_string();
                assert!(
                    message.starts_with(&format!("{}: cannot read: ", path.display())),
                    "{message}"
                );
            }
            other => panic!("unexpected result: {other:?}"),
        }
    }

    /// Generates pseudo-random numbers (SplitMix64), enough for test inputs.
    struct Rng(u64);

    impl Rng {
        /// Returns the next number below `bound`.
        fn below(&mut self, bound: usize) -> usize {
            self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
            let mut z = self.0;
            z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
            z ^= z >> 31;
            (z % bound as u64) as usize
        }

        /// Returns one of `items` chosen by weight.
        fn weighted<'a>(&mut self, items: &[(&'a str, usize)]) -> &'a str {
            let total: usize = items.iter().map(|(_, weight)| weight).sum();
            let mut pick = self.below(total);
            for (item, weight) in items {
                if pick < *weight {
                    return item;
                }
                pick -= weight;
            }
            ""
        }
    }

    /// Pieces of random manifest text, weighted towards what trips up CSV readers.
    const PIECES: [(&str, usize); 12] = [
        ("\t", 8),
        ("\"", 5),
        ("\r", 2),
        ("\n", 4),
        ("\r\n", 2),
        ("a", 4),
        ("1", 3),
        (" ", 2),
        ("\0", 1),
        ("é", 1),
        ("\"\"", 1),
        ("\u{feff}", 1),
    ];

    /// Header names: the columns, near misses, quoted and unknown names.
    const NAMES: [&str; 21] = [
        "order",
        "scenario_id",
        "name",
        "status",
        "reason",
        "duration_ms",
        "sim_rc",
        "streamer_rc",
        "tester_rc",
        "sim_log",
        "streamer_log",
        "tester_log",
        "sdp_path",
        "order",
        "name",
        "Order",
        "order ",
        "\"order\"",
        "\"na\"me",
        "x",
        "",
    ];

    /// Returns a random manifest text.
    fn random_manifest(rng: &mut Rng) -> String {
        let mut text = String::new();
        if rng.below(8) == 0 {
            text.push('\u{feff}');
        }
        if rng.below(4) == 0 {
            for _ in 0..rng.below(12) {
                text.push_str(rng.weighted(&PIECES));
            }
        } else {
            let count = rng.below(9);
            for index in 0..count {
                if index > 0 {
                    text.push('\t');
                }
                text.push_str(NAMES[rng.below(NAMES.len())]);
            }
            text.push_str(["\n", "\r\n", "\r", ""][rng.below(4)]);
        }
        for _ in 0..rng.below(50) {
            text.push_str(rng.weighted(&PIECES));
        }
        text
    }

    /// Parses each text with Python's csv.DictReader; mirrors `parse_str`'s BOM rule.
    const PYTHON: &str = r#"
import csv, io, json, sys
if sys.version_info[:2] < (3, 11):
    json.dump({"skip": sys.version}, sys.stdout)
    sys.exit(0)
COLUMNS = ["order", "scenario_id", "name", "status", "reason", "duration_ms", "sim_rc",
           "streamer_rc", "tester_rc", "sim_log", "streamer_log", "tester_log", "sdp_path"]
def records(text):
    return csv.reader(io.StringIO(text, newline=""), delimiter="\t")
def start_lines(text):
    reader, starts, previous = records(text), [], 0
    for index, record in enumerate(reader):
        if index > 0 and record != []:
            starts.append(previous + 1)
        previous = reader.line_num
    return starts
results = []
for text in json.load(sys.stdin):
    if text.startswith("\ufeff") and next(records(text[1:]), [])[:1] == ["order"]:
        text = text[1:]
    rows = []
    for raw in csv.DictReader(io.StringIO(text, newline=""), delimiter="\t"):
        values = [raw.get(key, "") for key in COLUMNS]
        rows.append(["" if value is None else str(value) for value in values])
    results.append({"starts": start_lines(text), "rows": rows})
json.dump({"results": results}, sys.stdout)
"#;

    /// Runs Python's reader over `texts`, or returns `None` if Python 3.11+ is not runnable.
    fn python_parse(texts: &[String]) -> Option<Vec<serde_json::Value>> {
        let mut child = match Command::new("python3")
            .args(["-c", PYTHON])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
        {
            Ok(child) => child,
            Err(error) => {
                eprintln!(
                    "note: python3 is not runnable ({error}); skipping the differential test"
                );
                return None;
            }
        };
        let input = serde_json::to_vec(texts).expect("strings serialize");
        child
            .stdin
            .take()
            .expect("stdin is piped")
            .write_all(&input)
            .expect("python reads stdin");
        let output = child.wait_with_output().expect("python3 runs");
        assert!(
            output.status.success(),
            "python3 failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        let value: serde_json::Value =
            serde_json::from_slice(&output.stdout).expect("python prints JSON");
        if let Some(version) = value.get("skip") {
            eprintln!(
                "note: python3 is {version}, older than 3.11; skipping the differential test"
            );
            return None;
        }
        Some(
            value["results"]
                .as_array()
                .expect("results is a list")
                .clone(),
        )
    }

    #[test]
    fn matches_python_on_random_manifests() {
        let mut rng = Rng(0x5eed_1234_abcd_0042);
        let texts: Vec<String> = (0..2000).map(|_| random_manifest(&mut rng)).collect();
        let Some(results) = python_parse(&texts) else {
            return;
        };
        assert_eq!(results.len(), texts.len());
        let mut rows_seen = 0;
        for (text, result) in texts.iter().zip(&results) {
            let rows = parse_str(text);
            let expected_rows: Vec<Vec<&str>> = result["rows"]
                .as_array()
                .expect("rows is a list")
                .iter()
                .map(|row| {
                    row.as_array()
                        .expect("row is a list")
                        .iter()
                        .map(|value| value.as_str().expect("value is a string"))
                        .collect()
                })
                .collect();
            let actual_rows: Vec<Vec<&str>> =
                rows.iter().map(|row| row.values().to_vec()).collect();
            assert_eq!(actual_rows, expected_rows, "text: {text:?}");
            let expected_starts: Vec<u64> = result["starts"]
                .as_array()
                .expect("starts is a list")
                .iter()
                .map(|start| start.as_u64().expect("start is a number"))
                .collect();
            let actual_starts: Vec<u64> = rows.iter().map(|row| row.line).collect();
            assert_eq!(actual_starts, expected_starts, "text: {text:?}");
            rows_seen += rows.len();
        }
        // Guard against a generator that only makes trivial manifests.
        assert!(rows_seen > 2000, "only {rows_seen} rows generated");
    }
}
