//! Command-line flags of `fault-summary`, parsed as the reference's argparse parser accepts them.
//!
//! Long flags take their value as the next argument or after `=`, may be
//! abbreviated to any unique prefix, and the last occurrence wins. Values are
//! kept as raw bytes: the summary echoes them as Python would.

use std::ffi::OsString;
use std::os::unix::ffi::OsStringExt;

/// The usage text printed with `--help` and on a usage error.
pub const USAGE: &str = "\
usage: fault-summary --run-dir DIR [--manifest PATH] [--output PATH] [--run-id ID]
                     [--started-at TIME] [--finished-at TIME] [--mode baseline|degraded]
                     [--suite FILE] [--junit PATH] [--history DIR] [--html PATH]
                     [--markdown PATH] [--strict] [--exit-code] [--confine] [--quiet]
       fault-summary --print-suite [--run-dir DIR] [--suite FILE]

Evaluates a fault-suite run and writes its summary.json, byte for byte as
fault_summary_helper.py does when given the same seven flags.

  --run-dir DIR        the run directory (echoed into the summary)
  --manifest PATH      manifest to read            [default: DIR/manifest.tsv]
  --output PATH        summary to write            [default: DIR/summary.json]
  --run-id ID          run id                      [default: run.json, else DIR's name]
  --started-at TIME    start time                  [default: run.json, else \"\"]
  --finished-at TIME   end time                    [default: run.json, else \"\"]
  --mode MODE          threshold table             [default: run.json; required somewhere]
  --suite FILE         scenarios, tokens and limits   [default: FAULT_SUITE, else
                       fault-suite.json in DIR, else in DIR's folder, else the reference's table]
  --print-suite        print the suite in effect (the reference's table without a file) and exit
  --junit PATH         also write a JUnit XML report of the checks
  --history DIR        a folder of earlier runs: the JUnit report also judges each metric
                       of the suite's \"regression\" section against them
  --html PATH          also write a self-contained HTML report: checks against their
                       limits, each checked metric charted over the whole log
  --markdown PATH      also write a Markdown summary table (for $GITHUB_STEP_SUMMARY,
                       merge-request notes)
  --strict             a metric that never appeared fails its check (default: counts as 0)
  --exit-code          exit 1 when the summary recommends it (default: exit 0 once written)
  --confine            refuse streamer logs outside the run directory (the manifest's
                       folder): not read, their metrics absent (default: read, with a warning)
  --quiet              print no result line on stderr (warnings and errors still show)
  -h, --help           print this help
  -V, --version        print the version

Exit status: 0 once the summary is written (or as recommended with --exit-code),
2 on a usage error or when no summary could be written.";

/// Parsed flags; `None` where a flag was not given.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Args {
    pub run_dir: Option<Vec<u8>>,
    pub manifest: Option<Vec<u8>>,
    pub output: Option<Vec<u8>>,
    pub run_id: Option<Vec<u8>>,
    pub started_at: Option<Vec<u8>>,
    pub finished_at: Option<Vec<u8>>,
    pub mode: Option<Vec<u8>>,
    pub junit: Option<Vec<u8>>,
    pub html: Option<Vec<u8>>,
    pub markdown: Option<Vec<u8>>,
    pub strict: bool,
    pub exit_code: bool,
    pub confine: bool,
    pub quiet: bool,
    pub suite: Option<Vec<u8>>,
    pub print_suite: bool,
    pub history: Option<Vec<u8>>,
}

/// What the command line asks for.
#[derive(Debug, PartialEq, Eq)]
pub enum Command {
    Run(Box<Args>),
    Help,
    Version,
}

/// The reference's own flags (argparse adds `--help`); an abbreviation is matched
/// against these first, so `--h` stays `--help` beside `--html`.
const REFERENCE: [&str; 8] = [
    "--run-dir",
    "--manifest",
    "--output",
    "--run-id",
    "--started-at",
    "--finished-at",
    "--mode",
    "--help",
];
/// Flags of our own.
const EXTRA: [&str; 11] = [
    "--suite",
    "--history",
    "--print-suite",
    "--junit",
    "--html",
    "--markdown",
    "--strict",
    "--exit-code",
    "--confine",
    "--quiet",
    "--version",
];

/// Returns the full flag name `given` stands for: exact, or a unique prefix of
/// a reference flag, or else of one of ours.
fn expand(given: &str) -> Result<&'static str, String> {
    if let Some(exact) = REFERENCE
        .iter()
        .chain(EXTRA.iter())
        .find(|name| **name == given)
    {
        return Ok(exact);
    }
    for names in [&REFERENCE[..], &EXTRA[..]] {
        let matches: Vec<&'static str> = names
            .iter()
            .filter(|n| n.starts_with(given))
            .copied()
            .collect();
        match matches.as_slice() {
            [] => continue,
            [one] if given.len() > 2 => return Ok(one),
            many => {
                return Err(format!(
                    "ambiguous option: {given} could match {}",
                    many.join(", ")
                ))
            }
        }
    }
    Err(format!("unrecognized argument: {given}"))
}

/// Parses the arguments after the program name.
pub fn parse(args: impl IntoIterator<Item = OsString>) -> Result<Command, String> {
    let mut parsed = Args::default();
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        let bytes = arg.into_vec();
        let text = String::from_utf8_lossy(&bytes);
        match text.as_ref() {
            "-h" => return Ok(Command::Help),
            "-V" => return Ok(Command::Version),
            _ => {}
        }
        if !text.starts_with("--") || text == "--" {
            return Err(format!("unrecognized argument: {text}"));
        }
        let (name, inline) = match bytes.iter().position(|b| *b == b'=') {
            Some(eq) => (
                String::from_utf8_lossy(&bytes[..eq]).into_owned(),
                Some(bytes[eq + 1..].to_vec()),
            ),
            None => (text.into_owned(), None),
        };
        let flag = expand(&name)?;
        let slot = match flag {
            "--help" => return Ok(Command::Help),
            "--version" => return Ok(Command::Version),
            "--strict" | "--exit-code" | "--confine" | "--quiet" | "--print-suite" => {
                if inline.is_some() {
                    return Err(format!("argument {flag}: ignored explicit argument"));
                }
                match flag {
                    "--strict" => parsed.strict = true,
                    "--exit-code" => parsed.exit_code = true,
                    "--quiet" => parsed.quiet = true,
                    "--print-suite" => parsed.print_suite = true,
                    _ => parsed.confine = true,
                }
                continue;
            }
            "--run-dir" => &mut parsed.run_dir,
            "--manifest" => &mut parsed.manifest,
            "--output" => &mut parsed.output,
            "--run-id" => &mut parsed.run_id,
            "--started-at" => &mut parsed.started_at,
            "--finished-at" => &mut parsed.finished_at,
            "--mode" => &mut parsed.mode,
            "--suite" => &mut parsed.suite,
            "--html" => &mut parsed.html,
            "--markdown" => &mut parsed.markdown,
            "--history" => &mut parsed.history,
            _ => &mut parsed.junit,
        };
        let value = match inline {
            Some(value) => value,
            None => args
                .next()
                .map(OsStringExt::into_vec)
                .ok_or_else(|| format!("argument {flag}: expected one argument"))?,
        };
        *slot = Some(value);
    }
    if parsed.run_dir.is_none() && !parsed.print_suite {
        return Err("the following arguments are required: --run-dir".to_string());
    }
    if let Some(mode) = &parsed.mode {
        if mode != b"baseline" && mode != b"degraded" {
            return Err(format!(
                "argument --mode: invalid choice: {:?} (choose from 'baseline', 'degraded')",
                String::from_utf8_lossy(mode)
            ));
        }
    }
    Ok(Command::Run(Box::new(parsed)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(args: &[&str]) -> Result<Command, String> {
        parse(args.iter().map(OsString::from))
    }

    #[test]
    fn values_come_separate_inline_or_abbreviated() {
        let Ok(Command::Run(args)) = run(&[
            "--run-dir",
            "d",
            "--mode=degraded",
            "--out",
            "o.json",
            "--run-i=",
            "--exit-code",
        ]) else {
            panic!("should parse");
        };
        assert_eq!(args.run_dir.as_deref(), Some(&b"d"[..]));
        assert_eq!(args.mode.as_deref(), Some(&b"degraded"[..]));
        assert_eq!(args.output.as_deref(), Some(&b"o.json"[..]));
        assert_eq!(args.run_id.as_deref(), Some(&b""[..]));
        assert!(args.exit_code && !args.strict);
    }

    #[test]
    fn bad_flags_are_usage_errors() {
        assert!(run(&["--mode", "fast", "--run-dir", "d"])
            .unwrap_err()
            .contains("invalid choice"));
        assert!(run(&["--manifest", "m"]).unwrap_err().contains("--run-dir"));
        assert!(run(&["--run-dir"])
            .unwrap_err()
            .contains("expected one argument"));
        assert!(run(&["--run-dir", "d", "--bogus"])
            .unwrap_err()
            .contains("unrecognized"));
        // `--run` could be --run-dir or --run-id, as argparse also says.
        assert!(run(&["--run-dir", "d", "--run", "x"])
            .unwrap_err()
            .contains("ambiguous"));
        // `--st` means --started-at, as in the reference, though --strict starts so too.
        let Ok(Command::Run(args)) = run(&["--run-dir", "d", "--st", "x"]) else {
            panic!("should parse");
        };
        assert_eq!(args.started_at.as_deref(), Some(&b"x"[..]));
        assert!(!args.strict);
        assert_eq!(run(&["--he"]), Ok(Command::Help));
        // `--h` is the reference's --help, though --html starts so too.
        assert_eq!(run(&["--h"]), Ok(Command::Help));
    }

    #[test]
    fn pages_take_paths_and_abbreviate_past_the_references_flags() {
        let Ok(Command::Run(args)) = run(&["--run-dir", "d", "--ht", "r.html", "--mark=s.md"])
        else {
            panic!("should parse");
        };
        assert_eq!(args.html.as_deref(), Some(&b"r.html"[..]));
        assert_eq!(args.markdown.as_deref(), Some(&b"s.md"[..]));
        // `--ma` is still the reference's --manifest.
        let Ok(Command::Run(args)) = run(&["--run-dir", "d", "--ma", "m.tsv"]) else {
            panic!("should parse");
        };
        assert_eq!(args.manifest.as_deref(), Some(&b"m.tsv"[..]));
        assert!(args.markdown.is_none());
    }

    #[test]
    fn confine_is_a_switch() {
        let Ok(Command::Run(args)) = run(&["--run-dir", "d", "--conf"]) else {
            panic!("should parse");
        };
        assert!(args.confine && !args.strict && !args.exit_code);
        assert!(run(&["--run-dir", "d", "--confine=yes"])
            .unwrap_err()
            .contains("ignored explicit argument"));
    }

    #[test]
    fn last_occurrence_wins() {
        let Ok(Command::Run(args)) = run(&["--run-dir", "a", "--run-dir", "b"]) else {
            panic!("should parse");
        };
        assert_eq!(args.run_dir.as_deref(), Some(&b"b"[..]));
    }
}
