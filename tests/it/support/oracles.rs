//! Oracles of the fuzz targets, shared with the crate's tests.
//!
//! Each `check_*` function takes the fuzzer's raw bytes, runs the real code on
//! them and panics when an oracle disagrees. The fuzz targets call them: the
//! fuzz crate includes this file with `#[path]` (`fuzz/src/lib.rs`), so it
//! uses only `fault_harness`, `serde_json` and `std`. The tests replay the
//! saved crashers and seeds through them and drive the scanner's property and
//! random tests with them (`fuzzing.rs`, `scan.rs`). The rules are written out
//! again here, the slow and obvious way, so that they check the real code
//! rather than repeat it.

use camino::Utf8Path;
use fault_harness::eval::chart::MAX_POINTS;
use fault_harness::eval::evaluation::{Evaluation, Options};
use fault_harness::eval::model::{LogStatus, Scenario, Strictness, Tally};
use fault_harness::input::manifest;
use fault_harness::input::mode::{Mode, ModeChoice};
use fault_harness::input::suite::Suite;
use fault_harness::plan;
use fault_harness::report::overview::Run;
use fault_harness::report::summary::{self, Header};
use fault_harness::report::{html, markdown};
use fault_harness::scan::tail::{self as scan, TOKENS};
use std::fs::File;
use std::path::{Component, Path};
use std::sync::Arc;

/// Returns true if and only if `c` is whitespace as Python's `str.isspace` and regex `\s` see it.
pub fn is_py_space(c: char) -> bool {
    // Python's set is Unicode's White_Space plus the four ASCII separators.
    c.is_whitespace() || ('\x1c'..='\x1f').contains(&c)
}

/// Splits `text` as Python's `str.splitlines` does.
pub fn splitlines(text: &str) -> Vec<&str> {
    let mut lines = Vec::new();
    let mut start = 0;
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        let end = match c {
            '\r' => match chars.peek() {
                Some(&(j, '\n')) => {
                    chars.next();
                    j + 1
                }
                _ => i + 1,
            },
            '\n' | '\x0b' | '\x0c' | '\x1c' | '\x1d' | '\x1e' | '\u{85}' | '\u{2028}'
            | '\u{2029}' => i + c.len_utf8(),
            _ => continue,
        };
        lines.push(&text[start..i]);
        start = end;
    }
    if start < text.len() {
        lines.push(&text[start..]);
    }
    lines
}

/// Applies `re.finditer(r"([a-zA-Z0-9_]+)=([^\s]+)", line)` into a dict, by hand.
pub fn naive_pairs(line: &str) -> Vec<(String, String)> {
    let is_key = |c: char| c.is_ascii_alphanumeric() || c == '_';
    let chars: Vec<char> = line.chars().collect();
    let n = chars.len();
    let mut out: Vec<(String, String)> = Vec::new();
    let mut i = 0;
    while i < n {
        if !is_key(chars[i]) {
            i += 1;
            continue;
        }
        // The greedy key run; a shorter run would end before a key character, not `=`,
        // and a match starting later in the run would end at the same place.
        let mut j = i;
        while j < n && is_key(chars[j]) {
            j += 1;
        }
        if j + 1 < n && chars[j] == '=' && !is_py_space(chars[j + 1]) {
            let mut k = j + 1;
            while k < n && !is_py_space(chars[k]) {
                k += 1;
            }
            let key: String = chars[i..j].iter().collect();
            let value: String = chars[j + 1..k].iter().collect();
            match out.iter_mut().find(|(k, _)| *k == key) {
                Some(slot) => slot.1 = value,
                None => out.push((key, value)),
            }
            i = k;
        } else {
            i = j;
        }
    }
    out
}

/// What the reference finds for one token: 1-based line number, the line and its pairs.
pub type Expected = Option<(u64, String, Vec<(String, String)>)>;

/// Finds each token's last line the way the reference does: decode, split, search forward.
pub fn naive_scan(bytes: &[u8]) -> [Expected; 4] {
    let text = String::from_utf8_lossy(bytes);
    let lines = splitlines(&text);
    TOKENS.map(|token| {
        let mut found = None;
        for (i, line) in lines.iter().enumerate() {
            if line.contains(token) {
                found = Some((i as u64 + 1, line.to_string(), naive_pairs(line)));
            }
        }
        found
    })
}

/// Returns the first 4096 bytes of `s`, cut back to a char boundary (the scanner's preview).
fn preview_of(s: &str) -> &str {
    let mut cut = s.len().min(4096);
    while !s.is_char_boundary(cut) {
        cut -= 1;
    }
    &s[..cut]
}

/// Checks the backward scanner on `log`, read in blocks of `block` bytes, against [`naive_scan`].
///
/// `file` is a scratch path the log is written to.
pub fn check_scan_log(file: &Path, log: &[u8], block: usize) {
    std::fs::write(file, log).expect("write the scratch log");
    let opened = File::open(file).expect("open the scratch log");
    let hits =
        scan::scan_raw(&opened, log.len() as u64, block, &TOKENS).expect("scan the scratch log");
    let expected = naive_scan(log);
    for (t, (hit, want)) in hits.iter().zip(&expected).enumerate() {
        let token = TOKENS[t];
        match (hit, want) {
            (None, None) => {}
            (Some(hit), Some((number, line, pairs))) => {
                let span = log
                    .get(hit.start as usize..hit.end as usize)
                    .expect("the hit lies within the log");
                assert_eq!(&String::from_utf8_lossy(span), line, "{token}: line text");
                assert_eq!(&hit.pairs, pairs, "{token}: pairs of {line:?}");
                assert_eq!(hit.preview, preview_of(line), "{token}: preview");
                // A line shorter than the longest run held is never cut.
                if line.len() < fault_harness::scan::kv::VALUE_MAX {
                    assert!(!hit.cut, "{token}: a short line was cut");
                }
                let got = fault_harness::scan::lines::line_number_with(&opened, hit.start, block)
                    .expect("count lines of the scratch log");
                assert_eq!(got, *number, "{token}: line number");
            }
            _ => panic!("{token}: scanner found {hit:?}, the forward scan {want:?}"),
        }
    }
}

/// Fuzz input of the scanner: the first byte picks the block size, the rest is the log.
pub fn check_scan(data: &[u8], file: &Path) {
    let Some((&first, log)) = data.split_first() else {
        return;
    };
    // Blocks of 1 to 64 bytes split tokens, breaks and UTF-8 sequences between reads.
    let block = usize::from(first % 64) + 1;
    check_scan_log(file, log, block);
}

/// Returns the physical lines of quote-free manifest text as Python's `newline=""` reads them.
fn physical_lines(text: &str) -> Vec<&str> {
    let mut lines = Vec::new();
    let mut rest = text;
    while !rest.is_empty() {
        let (line, after) = match rest.find(['\r', '\n']) {
            None => (rest, ""),
            Some(i) if rest[i..].starts_with("\r\n") => (&rest[..i], &rest[i + 2..]),
            Some(i) => (&rest[..i], &rest[i + 1..]),
        };
        lines.push(line);
        rest = after;
    }
    lines
}

/// Reads quote-free manifest text as `csv.DictReader` does, by hand: one record per line.
fn naive_dict_reader(text: &str) -> Vec<(u64, [String; 13])> {
    let mut text = text;
    if let Some(rest) = text.strip_prefix('\u{feff}') {
        // The crate's one deliberate difference: a BOM hiding `order` is dropped.
        let first = physical_lines(rest)
            .first()
            .and_then(|l| l.split('\t').next());
        if first == Some("order") {
            text = rest;
        }
    }
    let lines = physical_lines(text);
    let Some(header) = lines.first() else {
        return Vec::new();
    };
    let names: Vec<&str> = if header.is_empty() {
        Vec::new()
    } else {
        header.split('\t').collect()
    };
    let position = |column: &str| names.iter().rposition(|name| *name == column);
    let mut rows = Vec::new();
    for (i, line) in lines.iter().enumerate().skip(1) {
        if line.is_empty() {
            continue;
        }
        let fields: Vec<&str> = line.split('\t').collect();
        let values = manifest::COLUMNS.map(|column| {
            position(column)
                .and_then(|p| fields.get(p))
                .map_or_else(String::new, |v| v.to_string())
        });
        rows.push((i as u64 + 1, values));
    }
    rows
}

/// Counts the physical lines of manifest text (`\r\n`, `\r` and `\n` end a line).
fn line_count(text: &str) -> u64 {
    physical_lines(text).len() as u64
}

/// Checks the manifest parser on fuzz bytes; `file` is a scratch path for [`manifest::read`].
pub fn check_manifest(data: &[u8], file: &Path) {
    std::fs::write(file, data).expect("write the scratch manifest");
    let read = manifest::read(Utf8Path::from_path(file).expect("scratch paths are UTF-8"));
    let text = match std::str::from_utf8(data) {
        Ok(text) => text,
        Err(err) => {
            match read {
                Err(manifest::ManifestError::NotUtf8 {
                    line, offset, byte, ..
                }) => {
                    assert_eq!(offset, err.valid_up_to() as u64, "offset of the bad byte");
                    assert_eq!(Some(&byte), data.get(err.valid_up_to()), "the bad byte");
                    let before = std::str::from_utf8(&data[..err.valid_up_to()]).unwrap_or("");
                    // The bad byte is on the line after the breaks before it (a `\r`
                    // right before it is a break of its own).
                    let breaks = before.matches('\n').count() + before.matches('\r').count()
                        - before.matches("\r\n").count();
                    assert_eq!(line, breaks as u64 + 1, "line of the bad byte");
                }
                other => panic!("invalid UTF-8 read as {other:?}"),
            }
            return;
        }
    };
    let rows = manifest::parse_str(text);
    match read {
        Ok(read) => assert_eq!(read.rows, rows, "read and parse_str disagree"),
        Err(err) => panic!("valid UTF-8 not read: {err}"),
    }
    // Records start on strictly increasing lines after the header, within the text.
    let lines = line_count(text);
    let mut previous = 1;
    for row in &rows {
        assert!(
            row.line > previous,
            "row lines {previous} then {}",
            row.line
        );
        assert!(row.line <= lines, "row line {} of {lines} lines", row.line);
        previous = row.line;
    }
    if !text.contains('"') {
        let expected = naive_dict_reader(text);
        let got: Vec<(u64, [String; 13])> = rows
            .iter()
            .map(|row| {
                let (line, values) = (row.line, row.values());
                (line, values.map(str::to_string))
            })
            .collect();
        assert_eq!(got, expected, "quote-free manifest {text:?}");
    }
}

/// Returns true if and only if `named` could leave the scratch run: absolute or through `..`.
fn leaves(named: &str) -> bool {
    let path = Path::new(named);
    path.is_absolute()
        || path
            .components()
            .any(|c| matches!(c, Component::ParentDir | Component::RootDir))
}

/// Replaces the numbers outside strings that serde_json cannot hold by `0`: Python
/// writes `Infinity`, `NaN` and integers of any size.
fn neutralize_numbers(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    let mut in_string = false;
    while let Some(c) = chars.next() {
        if in_string {
            out.push(c);
            match c {
                '\\' => out.extend(chars.next()),
                '"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match c {
            '"' => {
                in_string = true;
                out.push(c);
            }
            '-' | '0'..='9' | 'I' | 'N' => {
                let mut token = String::from(c);
                while let Some(&next) = chars.peek() {
                    if !(next.is_ascii_alphanumeric() || matches!(next, '.' | '+' | '-')) {
                        break;
                    }
                    token.push(next);
                    chars.next();
                }
                let huge = token.len() > 15 || token.contains(['I', 'N']);
                out.push_str(if huge { "0" } else { &token });
            }
            _ => out.push(c),
        }
    }
    out
}

/// Checks the pages of an evaluated run: a chart per check, its points in log order
/// and no more than the most kept, and whatever the log and manifest hold, no markup
/// of theirs in the HTML and a Markdown summary of bounded size.
fn check_pages(evaluation: &Evaluation, scenarios: &[&Scenario]) {
    for scenario in scenarios {
        if matches!(scenario.log, LogStatus::Read { .. }) {
            assert_eq!(
                scenario.charts.len(),
                scenario.checks.len(),
                "a chart per check"
            );
        }
        for chart in &scenario.charts {
            assert!(
                chart.points.len() <= MAX_POINTS,
                "{} points",
                chart.points.len()
            );
            assert!(chart
                .points
                .windows(2)
                .all(|pair| pair[0].offset < pair[1].offset));
            assert!(chart.points.len() as u64 <= chart.lines);
        }
    }
    let run = Run {
        name: "fuzz".to_string(),
        evaluation: Some(evaluation),
        judged: plan::judge_run("fuzz", evaluation),
        started_at: None,
        finished_at: None,
    };
    let page = html::render(std::slice::from_ref(&run), "the fuzz oracle");
    let lower = page.to_ascii_lowercase();
    for markup in ["<script", "<img", "<link", "<iframe", "url("] {
        assert!(!lower.contains(markup), "the page holds {markup}");
    }
    assert_eq!(
        page.matches("<section class=\"scenario").count(),
        scenarios.len()
    );
    let summary = markdown::render(&[run]);
    assert!(
        summary.len() <= markdown::MAX_BYTES,
        "{} bytes",
        summary.len()
    );
    assert!(!summary.contains("<script"), "{summary}");
}

/// Fuzz input of whole runs: flags, a manifest and one log, evaluated and rendered.
///
/// Layout: byte 0 holds flags (mode, locating lines, strictness, confinement, charts,
/// resolving the streamer log only, and the HTML and Markdown pages), bytes 1-2
/// the manifest's length (little-endian, cut to what is there), then the
/// manifest, then the log, written as `a.log` and `torn_read/streamer.log`
/// beside the manifest in the scratch folder `dir`.
pub fn check_run(data: &[u8], dir: &Path) {
    let Some((&flags, rest)) = data.split_first() else {
        return;
    };
    let (length, rest) = match rest {
        [a, b, rest @ ..] => (usize::from(u16::from_le_bytes([*a, *b])), rest),
        _ => (0, rest),
    };
    let (manifest_bytes, log) = rest.split_at(length.min(rest.len()));
    let _ = std::fs::remove_dir_all(dir);
    std::fs::create_dir_all(dir.join("torn_read")).expect("create the scratch run");
    let manifest_path = dir.join("manifest.tsv");
    std::fs::write(&manifest_path, manifest_bytes).expect("write the scratch manifest");
    std::fs::write(dir.join("a.log"), log).expect("write the scratch log");
    std::fs::write(dir.join("torn_read/streamer.log"), log).expect("write the scratch log");
    let manifest =
        match manifest::read(Utf8Path::from_path(&manifest_path).expect("scratch paths are UTF-8"))
        {
            Ok(manifest) => manifest,
            Err(err) => {
                let message = err.to_string();
                assert!(message.contains("manifest.tsv"), "{message}");
                return;
            }
        };
    // Stay inside the scratch folder: no absolute paths, no `..` (think of /proc/kcore).
    if manifest.rows.iter().any(|row| leaves(row.streamer_log())) {
        return;
    }
    let mode = if flags & 1 == 0 {
        Mode::Baseline
    } else {
        Mode::Degraded
    };
    let options = Options {
        locate_lines: flags & 2 != 0,
        confine: flags & 8 != 0,
        charts: flags & 16 != 0,
        streamer_log_only: flags & 32 != 0,
    };
    let strictness = if flags & 4 == 0 {
        Strictness::Reference
    } else {
        Strictness::Strict
    };
    let header = Header {
        mode,
        // Not `\xff`: argv bytes become lone surrogates, which serde_json refuses to parse.
        run_id: "fuzz-\u{e9}".as_bytes().to_vec(),
        run_dir: dir.as_os_str().as_encoded_bytes().to_vec(),
        started_at: Vec::new(),
        finished_at: Vec::new(),
    };
    let utf8_dir = Utf8Path::from_path(dir).expect("the scratch folder's path is UTF-8");
    let choice = ModeChoice {
        mode,
        origin: "fuzz".to_string(),
    };
    let suite = Arc::new(Suite::builtin());
    let evaluate = || {
        Evaluation::open(
            utf8_dir,
            &utf8_dir.join("manifest.tsv"),
            Some(choice.clone()),
            Arc::clone(&suite),
            options,
        )
    };
    let evaluation = match evaluate() {
        Ok(evaluation) => evaluation,
        Err(err) => {
            let message = err.to_string();
            assert!(message.contains("manifest.tsv:"), "{message}");
            assert!(message.contains("order"), "{message}");
            return;
        }
    };
    let scenarios: Vec<&Scenario> = evaluation.scenarios().collect();
    assert_eq!(scenarios.len(), manifest.rows.len());
    for pair in scenarios.windows(2) {
        assert!(pair[0].order <= pair[1].order, "scenarios out of order");
    }
    // Line numbers, where located, point at a line holding the metric's token.
    let text = String::from_utf8_lossy(log);
    let lines = splitlines(&text);
    for scenario in &scenarios {
        let read_our_log = matches!(
            scenario.row.streamer_log(),
            "a.log" | "torn_read/streamer.log" | "./a.log" | "./torn_read/streamer.log"
        );
        // Confinement refuses exactly the logs outside the run, and ours are inside it.
        let log = &scenario.files.streamer_log;
        let refused = scenario.log == LogStatus::Refused;
        assert_eq!(refused, options.confine && log.outside.is_some(), "{log:?}");
        if read_our_log {
            assert_eq!(log.outside, None, "{log:?}");
        }
        for token in ["LATENCY_METRICS", "FAULT_COUNTERS"] {
            let line = scenario.metrics.line(token);
            if let (true, Some(line)) = (read_our_log, line) {
                if let Some(number) = line.line {
                    let found = lines.get(number as usize - 1).copied().unwrap_or_default();
                    assert!(found.contains(token), "{token}: line {number} is {found:?}");
                }
            }
        }
    }
    let tables = suite.mode(mode).expect("the built-in suite has both modes");
    let text = summary::render(&header, &suite, tables, &scenarios, strictness);
    assert!(text.is_ascii(), "summary is not ASCII");
    assert!(
        text.starts_with("{\n") && text.ends_with("}\n"),
        "summary framing"
    );
    // Streamed as fault-summary streams it (two threads, each scenario evaluated afresh
    // and dropped once rendered, the head written last), the summary has the same bytes.
    let mut stream = summary::Stream::new(&header, &suite, tables);
    let mut body = Vec::new();
    evaluation
        .map_in_order(
            Some(2),
            false,
            |index, scenario| summary::Item::render(index, scenario, &suite, strictness),
            summary::Item::len,
            |item| stream.push(&mut body, &item),
        )
        .expect("writing to memory");
    let (head, tail) = stream.frame().expect("a summary head");
    let streamed = format!("{head}{}{tail}", String::from_utf8_lossy(&body));
    assert_eq!(streamed, text, "streamed summary differs");
    let doc: serde_json::Value =
        serde_json::from_str(&neutralize_numbers(&text)).expect("summary is JSON");
    let total = doc["counts"]["total"].as_u64().expect("counts.total");
    let pass = doc["counts"]["pass"].as_u64().expect("counts.pass");
    let fail = doc["counts"]["fail"].as_u64().expect("counts.fail");
    assert_eq!(total as usize, scenarios.len());
    assert_eq!(pass + fail, total);
    let json_scenarios = doc["scenarios"].as_array().expect("scenarios");
    assert_eq!(json_scenarios.len(), scenarios.len());
    for (json, scenario) in json_scenarios.iter().zip(&scenarios) {
        assert_eq!(json["id"].as_str(), Some(scenario.row.scenario_id()));
        let passed = json["status"] == "PASS";
        assert_eq!(passed, scenario.passes(strictness));
        let violations = json["violations"].as_array().expect("violations").len();
        assert_eq!(passed, scenario.exit.all_zero() && violations == 0);
    }
    assert_eq!(
        doc["all_pass"] == true,
        Tally::of(&scenarios, 3, strictness).all_pass
    );
    if options.charts {
        check_pages(&evaluation, &scenarios);
    }
    // Evaluation is a function of its inputs.
    let again = evaluate().expect("evaluates again");
    let again: Vec<&Scenario> = again.scenarios().collect();
    assert_eq!(again, scenarios, "a second evaluation differs");
}
