//! The manifest: `manifest.tsv` read exactly as the reference's `csv.DictReader` reads it.
//!
//! This module owns turning the manifest file into [`Row`]s: refusing paths that are not
//! regular files, strict UTF-8 decoding, and the thin layer that makes the `csv` crate's
//! reader (tab delimiter, quote `"`, doubled quotes, no escape character, flexible
//! records) read as Python's `csv.reader` with `newline=""` does: a leading byte order
//! mark, a blank first line, record start lines counted over `\r\n`, `\r` and `\n`, and
//! `DictReader`'s mapping of header names to values. Tokenizing fields is the crate's
//! work; what the values mean (`int()` of `order`, exit codes, evidence paths) belongs
//! to the modules that read the rows.
//!
//! Deliberate differences from the reference, all on inputs where it crashes:
//! invalid UTF-8 is an error naming the line and byte, a field may be longer than
//! `csv.field_size_limit()` (131072 characters, where the reference raises; such fields
//! are listed in [`Manifest::long_fields`] for a warning), and a leading byte order mark
//! is dropped when it hides the `order` column (see [`parse_str`]).
//! One more bounds memory: a file larger than [`SIZE_LIMIT`] is refused.

use crate::fs::open::{self, OpenError};
use camino::{Utf8Path, Utf8PathBuf};
use csv::ByteRecord;
use std::fmt;
use std::io::Read;

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
///
/// The values are kept one after another in one string, so that a row costs one
/// allocation: a 100,000-row manifest is held in about 27 MB instead of 77 MB.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Row {
    /// 1-based physical line of the manifest where this record starts.
    pub line: u64,
    /// The values in [`COLUMNS`] order, concatenated.
    text: String,
    /// Where each value ends in `text` (a manifest is under 4 GiB: see [`SIZE_LIMIT`]).
    ends: [u32; 13],
}

/// Defines the accessor of each column, by its index in [`COLUMNS`].
macro_rules! columns {
    ($($index:literal $name:ident),* $(,)?) => {
        impl Row {
            $(
                #[doc = concat!("Returns the `", stringify!($name), "` value.")]
                pub fn $name(&self) -> &str {
                    self.value($index)
                }
            )*
        }
    };
}

columns!(
    0 order,
    1 scenario_id,
    2 name,
    3 status,
    4 reason,
    5 duration_ms,
    6 sim_rc,
    7 streamer_rc,
    8 tester_rc,
    9 sim_log,
    10 streamer_log,
    11 tester_log,
    12 sdp_path,
);

impl Row {
    /// Builds a row starting at manifest line `line` from the values of [`COLUMNS`], in that order.
    pub fn new<S: AsRef<str>>(line: u64, values: [S; 13]) -> Row {
        let mut text = String::with_capacity(values.iter().map(|v| v.as_ref().len()).sum());
        let mut ends = [0u32; 13];
        for (end, value) in ends.iter_mut().zip(&values) {
            text.push_str(value.as_ref());
            // Values come from a manifest of at most SIZE_LIMIT bytes.
            *end = u32::try_from(text.len()).unwrap_or(u32::MAX);
        }
        Row { line, text, ends }
    }

    /// Returns value `index` of [`COLUMNS`].
    fn value(&self, index: usize) -> &str {
        let start = match index {
            0 => 0,
            _ => self.ends[index - 1] as usize,
        };
        self.text
            .get(start..self.ends[index] as usize)
            .unwrap_or_default()
    }

    /// Returns the row's values in [`COLUMNS`] order.
    pub fn values(&self) -> [&str; 13] {
        std::array::from_fn(|index| self.value(index))
    }
}

impl fmt::Debug for Row {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut row = f.debug_struct("Row");
        row.field("line", &self.line);
        for (column, value) in COLUMNS.iter().zip(self.values()) {
            row.field(column, &value);
        }
        row.finish()
    }
}

/// A parsed manifest.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Manifest {
    pub path: Utf8PathBuf,
    /// Records in file order (blank lines skipped, as DictReader does).
    pub rows: Vec<Row>,
    /// Fields longer than [`FIELD_LIMIT`] characters, in file order: the reference
    /// raises `field larger than field limit` on each, this crate reads them.
    pub long_fields: Vec<LongField>,
}

/// Python's default `csv.field_size_limit()`, in characters: a longer field makes the
/// reference raise.
pub const FIELD_LIMIT: usize = 131_072;

/// Where a field longer than [`FIELD_LIMIT`] characters sits, for a warning.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LongField {
    /// 1-based line where the field's record starts (line 1 for the header).
    pub line: u64,
    /// 0-based position of the field in its record.
    pub index: usize,
    /// Column of [`COLUMNS`] whose value the field gives, if any (never for the header).
    pub column: Option<&'static str>,
    /// Length of the field in characters.
    pub chars: usize,
}

impl fmt::Display for LongField {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let LongField {
            line,
            index,
            column,
            chars,
        } = self;
        write!(f, "{line}: field {}", index + 1)?;
        if let Some(column) = column {
            write!(f, " ({column})")?;
        }
        write!(
            f,
            " has {chars} characters, over Python's csv limit of {FIELD_LIMIT}"
        )
    }
}

/// Why a manifest could not be read.
#[derive(Debug)]
pub enum ManifestError {
    /// The file could not be opened or read.
    Io {
        path: Utf8PathBuf,
        source: std::io::Error,
    },
    /// The path exists but is not a regular file (directory, FIFO, device).
    NotAFile { path: Utf8PathBuf },
    /// The file is not valid UTF-8: 1-based line, 0-based byte offset and value of the
    /// first bad byte.
    NotUtf8 {
        path: Utf8PathBuf,
        line: u64,
        offset: u64,
        byte: u8,
    },
    /// The file is larger than [`SIZE_LIMIT`] bytes: no manifest of a real run is.
    TooLarge { path: Utf8PathBuf, limit: u64 },
    /// The header holds no tab but `commas` commas, and records follow: the file is
    /// comma-separated (the reference stops on it, finding no `order` column).
    NotTabSeparated { path: Utf8PathBuf, commas: usize },
}

impl fmt::Display for ManifestError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ManifestError::Io { path, source } => {
                write!(f, "{}: cannot read: {source}", path)
            }
            ManifestError::NotAFile { path } => {
                write!(f, "{}: not a regular file", path)
            }
            ManifestError::NotUtf8 {
                path,
                line,
                offset,
                byte,
            } => {
                write!(
                    f,
                    "{}:{line}: invalid utf-8 at byte offset {offset} (byte {byte:#04x})",
                    path
                )?;
                // Bytes that start no UTF-8 character but are Windows-1252's punctuation
                // (dashes, curly quotes, €), as a spreadsheet saves them.
                if (0x80..=0x9f).contains(byte) {
                    f.write_str("; saved as Windows-1252? save it as UTF-8")?;
                }
                Ok(())
            }
            ManifestError::TooLarge { path, limit } => {
                write!(f, "{}: larger than {limit} bytes; not a manifest", path)
            }
            ManifestError::NotTabSeparated { path, commas } => write!(
                f,
                "{path}:1: no tab in the header, but {commas} comma{}: the file is not tab-separated (saved as CSV?); save it with tabs between the columns",
                if *commas == 1 { "" } else { "s" }
            ),
        }
    }
}

impl std::error::Error for ManifestError {}

/// Largest manifest read, in bytes: ten times a manifest of 100,000 rows with long
/// paths, and a bound on the memory a hostile file can take.
pub const SIZE_LIMIT: u64 = 256 << 20;

/// Reads and parses the manifest at `path`, refusing anything but a regular UTF-8 file
/// of at most [`SIZE_LIMIT`] bytes.
pub fn read(path: &Utf8Path) -> Result<Manifest, ManifestError> {
    read_limited(path, SIZE_LIMIT)
}

/// Reads like [`read`] with a size limit of `limit` bytes.
fn read_limited(path: &Utf8Path, limit: u64) -> Result<Manifest, ManifestError> {
    let bytes = open::read_regular(path.as_std_path(), limit).map_err(|err| match err {
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
    // The csv crate decodes nothing: the whole file is checked here, in place.
    let text = String::from_utf8(bytes).map_err(|error| {
        let offset = error.utf8_error().valid_up_to();
        let bytes = error.as_bytes();
        ManifestError::NotUtf8 {
            path: path.to_path_buf(),
            line: Lines::new(bytes).line_at(offset),
            offset: offset as u64,
            byte: bytes.get(offset).copied().unwrap_or_default(),
        }
    })?;
    let Parsed { rows, long_fields } = parse(&text);
    if let (false, Some(commas)) = (rows.is_empty(), commas_instead_of_tabs(&text)) {
        return Err(ManifestError::NotTabSeparated {
            path: path.to_path_buf(),
            commas,
        });
    }
    Ok(Manifest {
        path: path.to_path_buf(),
        rows,
        long_fields,
    })
}

/// Returns the commas of the header line when it holds no tab but commas: a header
/// of one column, which cannot be `order`, so the reference finds no `order` in any
/// record.
fn commas_instead_of_tabs(text: &str) -> Option<usize> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let header = text.split(['\n', '\r']).next().unwrap_or_default();
    let commas = header.matches(',').count();
    (!header.contains('\t') && commas > 0).then_some(commas)
}

/// Counts lines as Python's `newline=""` reading does, forward through one text.
struct Lines<'a> {
    bytes: &'a [u8],
    /// Offset counted up to.
    offset: usize,
    /// 1-based line holding byte `offset`.
    line: u64,
}

impl<'a> Lines<'a> {
    /// Starts counting at the beginning of `bytes`.
    fn new(bytes: &'a [u8]) -> Lines<'a> {
        Lines {
            bytes,
            offset: 0,
            line: 1,
        }
    }

    /// Returns the 1-based line holding byte `offset`, counting `\n`, `\r\n` and `\r`
    /// as breaks; linear over increasing offsets.
    fn line_at(&mut self, offset: usize) -> u64 {
        let offset = offset.min(self.bytes.len());
        if offset < self.offset {
            *self = Lines::new(self.bytes);
        }
        let span = self.bytes.get(self.offset..offset).unwrap_or_default();
        let breaks = memchr::memchr2_iter(b'\n', b'\r', span)
            .filter(|&index| {
                // A `\r` is a break of its own unless a `\n` follows, even past `offset`.
                span[index] == b'\n' || self.bytes.get(self.offset + index + 1) != Some(&b'\n')
            })
            .count();
        self.offset = offset;
        self.line += breaks as u64;
        self.line
    }
}

/// Rows of a manifest text and the fields Python's csv would refuse as too long.
struct Parsed {
    rows: Vec<Row>,
    long_fields: Vec<LongField>,
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
    parse(text).rows
}

/// What the csv reader reads in place of a leading byte order mark that is kept: an
/// ordinary byte, so that the first field is unquoted as Python's `\ufeff...` is.
///
/// Shim: csv-core always strips a leading UTF-8 byte order mark, Python keeps it.
const MARK_STAND_IN: &[u8] = b"x";

/// Parses manifest text into rows, noting fields beyond Python's size limit.
///
/// Rows are built as records are read; besides the text and the rows, only the record
/// being read is held (in the reader's buffer, reused from one record to the next).
fn parse(text: &str) -> Parsed {
    let mut parsed = Parsed {
        rows: Vec::new(),
        long_fields: Vec::new(),
    };
    // The reader reads `prefix` then `text[skip..]`: its offset `o` is `o + shift` in
    // `text`, the stand-in counting as the last byte of the mark it replaces.
    let (prefix, skip): (&[u8], usize) = match text.strip_prefix('\u{feff}') {
        None => (b"", 0),
        Some(rest) if first_name_is_order(rest) => (b"", 3),
        Some(_) => (MARK_STAND_IN, 3),
    };
    let (mark_kept, shift) = (!prefix.is_empty(), skip - prefix.len());
    let bytes = text.as_bytes();
    let mut reader = csv_reader(prefix.chain(bytes.get(skip..).unwrap_or_default()));
    let mut lines = Lines::new(bytes);
    let mut record = ByteRecord::new();
    // Position of each column in the header, once it is read.
    let mut positions: Option<[Option<usize>; 13]> = None;
    while let Some(offset) = next_record(&mut reader, &mut record) {
        let start = record_start(bytes, offset + shift);
        let line = lines.line_at(start);
        let columns = match positions {
            Some(columns) => columns,
            None => {
                if start == shift {
                    let header = header_positions(&record, mark_kept);
                    positions = Some(header);
                    note_long_fields(&record, line, None, &mut parsed.long_fields);
                    continue;
                }
                // Shim: csv-core skips a blank first line, Python reads it as a header
                // without names; this record already follows it.
                positions = Some([None; 13]);
                [None; 13]
            }
        };
        note_long_fields(&record, line, Some(&columns), &mut parsed.long_fields);
        let values = columns.map(|position| {
            position
                .and_then(|index| record.get(index))
                .map(field_text)
                .unwrap_or_default()
        });
        parsed.rows.push(Row::new(line, values));
    }
    parsed
}

/// Returns a csv reader of Python's default dialect with a tab delimiter over `input`.
fn csv_reader<R: Read>(input: R) -> csv::Reader<R> {
    csv::ReaderBuilder::new()
        .delimiter(b'\t')
        .quote(b'"')
        .double_quote(true)
        .escape(None)
        .quoting(true)
        .comment(None)
        .flexible(true)
        .has_headers(false)
        .from_reader(input)
}

/// Reads the next non-blank record into `record`, returning the reader's offset before it.
fn next_record<R: Read>(reader: &mut csv::Reader<R>, record: &mut ByteRecord) -> Option<usize> {
    // Reading bytes from memory into a flexible byte record cannot fail.
    let found = reader.read_byte_record(record).unwrap_or(false);
    let offset = record.position().map_or(0, |position| position.byte());
    found.then_some(usize::try_from(offset).unwrap_or(usize::MAX))
}

/// Returns the offset where the record read from `offset` starts: past the line breaks
/// (blank lines and the rest of the previous terminator) that the reader skipped.
fn record_start(bytes: &[u8], offset: usize) -> usize {
    let rest = bytes.get(offset..).unwrap_or_default();
    offset
        + rest
            .iter()
            .take_while(|&&byte| byte == b'\r' || byte == b'\n')
            .count()
}

/// Returns the last position of each of [`COLUMNS`] in a header record; with
/// `mark_kept`, the first name starts with a byte order mark and matches none.
fn header_positions(header: &ByteRecord, mark_kept: bool) -> [Option<usize>; 13] {
    let mut positions = [None; 13];
    for (index, name) in header.iter().enumerate().skip(usize::from(mark_kept)) {
        if let Some(column) = COLUMNS.iter().position(|wanted| wanted.as_bytes() == name) {
            positions[column] = Some(index);
        }
    }
    positions
}

/// Returns true if and only if the first record of `text` is on its first line and
/// starts with the name `order`.
fn first_name_is_order(text: &str) -> bool {
    // The reader would strip a second mark that Python keeps in the name.
    if text.starts_with('\u{feff}') {
        return false;
    }
    let mut reader = csv_reader(text.as_bytes());
    let mut record = ByteRecord::new();
    next_record(&mut reader, &mut record)
        .is_some_and(|offset| record_start(text.as_bytes(), offset) == 0)
        && record.get(0) == Some(b"order".as_slice())
}

/// Appends to `long` each field of `record` longer than [`FIELD_LIMIT`] characters.
fn note_long_fields(
    record: &ByteRecord,
    line: u64,
    columns: Option<&[Option<usize>; 13]>,
    long: &mut Vec<LongField>,
) {
    for (index, field) in record.iter().enumerate() {
        if field.len() <= FIELD_LIMIT {
            continue;
        }
        // Characters of valid UTF-8: the bytes that do not continue a sequence.
        let chars = field.iter().filter(|&&byte| (byte & 0xc0) != 0x80).count();
        if chars > FIELD_LIMIT {
            let column = columns
                .and_then(|columns| columns.iter().position(|&p| p == Some(index)))
                .and_then(|column| COLUMNS.get(column).copied());
            long.push(LongField {
                line,
                index,
                column,
                chars,
            });
        }
    }
}

/// Returns a field as text, without a copy.
///
/// The reader splits valid UTF-8 only at ASCII bytes (tab, quote, line breaks), so every
/// field is valid UTF-8 and nothing is ever replaced.
fn field_text(field: &[u8]) -> std::borrow::Cow<'_, str> {
    String::from_utf8_lossy(field)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{python3, Needs, Rng};
    use std::process::Command;

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
        // A mark before a quote leaves the quote literal, as in any unquoted field.
        check("\u{feff}\"name\"\torder\n1\t2\n", &[(2, &[("order", "2")])]);
        check("\u{feff}\"na\nme\"\torder\n1\t2\n", &[(2, &[]), (3, &[])]);
        // A second mark stays in the name: the first name is not `order` without the first.
        check(
            "\u{feff}\u{feff}order\tname\n1\tone\n",
            &[(2, &[("name", "one")])],
        );
    }

    #[test]
    fn accepts_fields_beyond_pythons_size_limit() {
        let long = "x".repeat(200_000);
        let rows = parse_str(&format!("order\tname\n1\t\"{long}\"\n"));
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].name(), long);
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
        assert_eq!(rows[99_999].scenario_id(), "s99999");
    }

    #[test]
    fn keeps_only_the_fields_it_needs() {
        // A million tabs make a million fields; the columns are still found among them.
        let tabs = "\t".repeat(1_000_000);
        let text = format!("x\torder\tname\n{tabs}\n7\t1\tone{tabs}end\n");
        let rows = parse_str(&text);
        assert_eq!(rows.len(), 2);
        assert_eq!((rows[1].order(), rows[1].name()), ("1", "one"));
        // A header of a million names still finds a column at its end.
        let text = format!("{tabs}order\n{tabs}5\n");
        assert_eq!(parse_str(&text)[0].order(), "5");
    }

    #[test]
    fn counts_lines_before_an_offset() {
        let line_at = |bytes: &[u8], offset| Lines::new(bytes).line_at(offset);
        assert_eq!(line_at(b"a\r\nb\rc\nd", 7), 4);
        assert_eq!(line_at(b"a\r\nb", 2), 1);
        assert_eq!(line_at(b"a\r", 2), 2);
        assert_eq!(line_at(b"", 0), 1);
        // Forward in steps, a `\r\n` split between two steps is one break.
        let mut lines = Lines::new(b"a\r\nb\rc\nd");
        let steps: Vec<u64> = [0, 1, 2, 3, 5, 7, 8]
            .map(|offset| lines.line_at(offset))
            .to_vec();
        assert_eq!(steps, [1, 1, 1, 2, 3, 4, 4]);
        // Going back starts over rather than counting wrong.
        assert_eq!(lines.line_at(4), 2);
    }

    /// Returns a fresh path in the temporary directory for test `name`.
    fn temp_path(name: &str) -> Utf8PathBuf {
        Utf8PathBuf::from_path_buf(std::env::temp_dir())
            .unwrap()
            .join(format!(
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
        assert_eq!(manifest.rows[0].name(), "one");
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
                    byte: 0xe9,
                    ..
                },
            ) => {
                assert_eq!(
                    error.to_string(),
                    format!("{}:2: invalid utf-8 at byte offset 17 (byte 0xe9)", path)
                );
            }
            other => panic!("unexpected result: {other:?}"),
        }
        Ok(())
    }

    #[test]
    fn refuses_a_directory() {
        let dir = Utf8PathBuf::from_path_buf(std::env::temp_dir()).unwrap();
        match read(&dir) {
            Err(error @ ManifestError::NotAFile { .. }) => {
                assert_eq!(error.to_string(), format!("{}: not a regular file", dir));
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
                format!("{}: larger than 16 bytes; not a manifest", path)
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
                    message.starts_with(&format!("{}: cannot read: ", path)),
                    "{message}"
                );
            }
            other => panic!("unexpected result: {other:?}"),
        }
    }

    #[test]
    fn reports_a_cp1252_manifest_with_the_offending_byte() -> Result<(), Box<dyn std::error::Error>>
    {
        let path = temp_path("cp1252.tsv");
        // 0x96 is an en dash in cp1252 and a lone continuation byte in UTF-8.
        std::fs::write(&path, b"order\tscenario_id\n1\ttorn\x96read\n")?;
        let result = read(&path);
        std::fs::remove_file(&path)?;
        match result {
            Err(
                error @ ManifestError::NotUtf8 {
                    line: 2,
                    offset: 24,
                    byte: 0x96,
                    ..
                },
            ) => assert_eq!(
                error.to_string(),
                format!(
                    "{}:2: invalid utf-8 at byte offset 24 (byte 0x96); saved as Windows-1252? save it as UTF-8",
                    path
                )
            ),
            other => panic!("unexpected result: {other:?}"),
        }
        Ok(())
    }

    #[test]
    fn lists_fields_over_pythons_size_limit() -> Result<(), Box<dyn std::error::Error>> {
        let at = "x".repeat(FIELD_LIMIT);
        let over = "x".repeat(FIELD_LIMIT + 1);
        // Characters count, not bytes: 131072 two-byte characters are within the limit.
        let wide = "é".repeat(FIELD_LIMIT);
        // A doubled quote is one character of the field.
        let quoted = format!("\"{}\"", "\"\"".repeat(FIELD_LIMIT + 1));
        let text = format!(
            "order\tname\t{over}\n1\t{at}\t{wide}\n\n2\t{over}\n3\t{quoted}\textra\t{over}\n"
        );
        let path = temp_path("long.tsv");
        std::fs::write(&path, &text)?;
        let manifest = read(&path);
        std::fs::remove_file(&path)?;
        let manifest = manifest?;
        let long = |line, index, column| LongField {
            line,
            index,
            column,
            chars: FIELD_LIMIT + 1,
        };
        assert_eq!(
            manifest.long_fields,
            [
                long(1, 2, None),
                long(4, 1, Some("name")),
                long(5, 1, Some("name")),
                long(5, 3, None),
            ]
        );
        assert_eq!(manifest.rows.len(), 3);
        assert_eq!(manifest.rows[1].name(), over);
        assert_eq!(
            manifest.long_fields[1].to_string(),
            "4: field 2 (name) has 131073 characters, over Python's csv limit of 131072"
        );
        assert_eq!(parse_str(&text), manifest.rows);
        Ok(())
    }

    /// Tells for each text whether Python's csv reader raises its field size error.
    const PYTHON_LIMIT: &str = r#"
import csv, io, json, sys
results = []
for text in json.load(sys.stdin):
    try:
        list(csv.reader(io.StringIO(text, newline=""), delimiter="\t"))
        results.append(False)
    except csv.Error as error:
        assert "field larger than field limit" in str(error), error
        results.append(True)
json.dump(results, sys.stdout)
"#;

    #[test]
    fn lists_long_fields_exactly_where_python_raises() {
        let texts: Vec<String> = [
            (FIELD_LIMIT, "x", ""),
            (FIELD_LIMIT + 1, "x", ""),
            (FIELD_LIMIT, "\u{2028}", "\t"),
            (FIELD_LIMIT + 1, "\u{feff}", "\r\n"),
            (FIELD_LIMIT, "\"\"", "\""),
            (FIELD_LIMIT + 1, "\"\"", "\""),
            (FIELD_LIMIT + 1, "\n", "\""),
        ]
        .iter()
        .map(|(count, piece, quote)| {
            format!(
                "order\tname\n1\t{quote}{}{quote}\t2\n",
                piece.repeat(*count)
            )
        })
        .collect();
        let input = serde_json::to_string(&texts).expect("strings serialize");
        let what = "the csv field limit compared with Python's";
        let Some(output) = python3(Needs::AnyPython3, what).map(|py| py.run(PYTHON_LIMIT, &input))
        else {
            return;
        };
        let raises: Vec<bool> = serde_json::from_str(&output).expect("python prints JSON");
        let listed: Vec<bool> = texts
            .iter()
            .map(|text| !parse(text).long_fields.is_empty())
            .collect();
        assert_eq!(listed, raises);
        assert_eq!(raises, [false, true, false, true, false, true, true]);
    }

    /// Returns one of `items` chosen by weight.
    fn weighted<'a>(rng: &mut Rng, items: &[(&'a str, usize)]) -> &'a str {
        let total: usize = items.iter().map(|(_, weight)| weight).sum();
        let mut pick = rng.below(total);
        for (item, weight) in items {
            if pick < *weight {
                return item;
            }
            pick -= weight;
        }
        ""
    }

    /// Pieces of random manifest text, weighted towards what trips up CSV readers; the
    /// last ones are line breaks for `str.splitlines` but not for a file's lines.
    const PIECES: [(&str, usize); 16] = [
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
        ("\x0b", 1),
        ("\x0c", 1),
        ("\u{85}", 1),
        ("\u{2028}", 1),
    ];

    /// Header names besides the columns: repeats, near misses, quoted and unknown names.
    const OTHER_NAMES: [&str; 9] = [
        "order",
        "name",
        "Order",
        "order ",
        "\"order\"",
        "\"na\"me",
        "\u{feff}order",
        "x",
        "",
    ];

    /// Returns a random manifest text.
    fn random_manifest(rng: &mut Rng) -> String {
        let names: Vec<&str> = COLUMNS.iter().chain(&OTHER_NAMES).copied().collect();
        let mut text = String::new();
        if rng.below(8) == 0 {
            text.push('\u{feff}');
        }
        if rng.below(4) == 0 {
            for _ in 0..rng.below(12) {
                text.push_str(weighted(rng, &PIECES));
            }
        } else {
            let count = rng.below(9);
            for index in 0..count {
                if index > 0 {
                    text.push('\t');
                }
                text.push_str(rng.pick::<&str>(&names));
            }
            text.push_str(rng.pick::<&str>(&["\n", "\r\n", "\r", ""]));
        }
        for _ in 0..rng.below(50) {
            text.push_str(weighted(rng, &PIECES));
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

    #[test]
    fn matches_python_on_random_manifests() {
        let mut rng = Rng::new(0x5eed_1234_abcd_0042);
        let texts: Vec<String> = (0..4000).map(|_| random_manifest(&mut rng)).collect();
        let input = serde_json::to_string(&texts).expect("strings serialize");
        let what = "random manifests compared with Python's csv.DictReader";
        let Some(output) = python3(Needs::AnyPython3, what).map(|py| py.run(PYTHON, &input)) else {
            return;
        };
        let output: serde_json::Value = serde_json::from_str(&output).expect("python prints JSON");
        if let Some(version) = output.get("skip") {
            eprintln!(
                "note: python3 is {version}, older than 3.11; skipping the differential test"
            );
            return;
        }
        let results = output["results"].as_array().expect("results is a list");
        assert_eq!(results.len(), texts.len());
        let (mut rows_seen, mut bom_texts, mut blank_headers) = (0, 0, 0);
        for (text, result) in texts.iter().zip(results) {
            let starts = result["starts"].as_array().expect("starts is a list");
            let expected_starts: Vec<u64> =
                starts.iter().filter_map(|start| start.as_u64()).collect();
            let expected_rows: Vec<Vec<&str>> = result["rows"]
                .as_array()
                .expect("rows is a list")
                .iter()
                .map(|row| {
                    let values = row.as_array().expect("row is a list");
                    values.iter().filter_map(|value| value.as_str()).collect()
                })
                .collect();
            let rows = parse_str(text);
            let actual_rows: Vec<Vec<&str>> =
                rows.iter().map(|row| row.values().to_vec()).collect();
            assert_eq!(actual_rows, expected_rows, "text: {text:?}");
            let actual_starts: Vec<u64> = rows.iter().map(|row| row.line).collect();
            assert_eq!(actual_starts, expected_starts, "text: {text:?}");
            rows_seen += rows.len();
            bom_texts += usize::from(text.starts_with('\u{feff}'));
            blank_headers += usize::from(text.starts_with(['\r', '\n']));
        }
        // Guard against a generator that only makes trivial manifests.
        assert!(rows_seen > 4000, "only {rows_seen} rows generated");
        assert!(
            bom_texts > 300 && blank_headers > 50,
            "{bom_texts} marks, {blank_headers} blank headers"
        );
    }
}
