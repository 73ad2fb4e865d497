//! The architecture holds: each stage of `src/` uses only the stages before it, no
//! module imports another that imports it back (no import circle), and the renderers
//! in `report/` neither touch a file nor decide a verdict, by text and by call graph:
//! no function of `report/` calls, directly or through other functions of the crate,
//! one that opens a file or one that decides a verdict.

use crate::support::crate_root;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// The stages in flow order, each with the stages it may use besides itself (and
/// `testing`, the unit tests' support, which only `#[cfg(test)]` code can reach).
/// `fs`, `scan::py` and `scan::timestamp` serve the stages and use none. `scan` is a
/// package of its own (`src/scan/Cargo.toml`) whose `py` and `timestamp` the library
/// names as `crate::py` and `crate::timestamp` (`src/lib.rs`).
const ALLOWED: [(&str, &[&str]); 8] = [
    ("fs", &[]),
    ("scan::py", &[]),
    ("scan::timestamp", &[]),
    ("scan", &["scan::py", "scan::timestamp"]),
    // The suite's "logs" section is read into the scanner's `Readings`.
    ("input", &["fs", "scan::py", "scan"]),
    (
        "eval",
        &["fs", "scan::py", "scan::timestamp", "input", "scan"],
    ),
    ("report", &["eval", "input", "scan::py", "scan::timestamp"]),
    // Every stage before it.
    ("plan", MODULES.split_at(7).0),
];

/// Every stage a `crate::<module>` path may name, and the glue above them all.
const MODULES: [&str; 10] = [
    "fs",
    "scan::py",
    "scan::timestamp",
    "scan",
    "input",
    "eval",
    "report",
    "plan",
    "publish",
    "harness",
];

/// Returns the stage `path` (a module path, `scan::py::value`) lies in: the longest of
/// `MODULES` it starts with.
fn stage_of(path: &str) -> Option<&'static str> {
    MODULES
        .iter()
        .copied()
        .filter(|stage| path == *stage || path.starts_with(&format!("{stage}::")))
        .max_by_key(|stage| stage.len())
}

/// Returns the paths the code names after `crate::` (`eval::case::Case`), but those of
/// the unit tests' support (`testing`).
fn crate_paths(code: &str) -> impl Iterator<Item = String> + '_ {
    code.match_indices("crate::").filter_map(|(at, _)| {
        let rest = &code[at + "crate::".len()..];
        let path: String = rest
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == ':')
            .collect();
        let path = path.trim_end_matches(':').to_string();
        (!path.split("::").any(|part| part == "testing")).then_some(path)
    })
}

/// A Rust file below `src/`: its module path (`eval::case`) and its code, comments removed.
struct Source {
    module: String,
    path: String,
    code: String,
}

/// Removes `//` comments (doc comments included) from `text`, keeping string literals.
fn without_comments(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for line in text.lines() {
        let mut in_string = false;
        let mut cut = line.len();
        let bytes = line.as_bytes();
        let mut i = 0;
        while i < bytes.len() {
            match bytes[i] {
                b'\\' if in_string => i += 1,
                b'"' => in_string = !in_string,
                b'/' if !in_string && bytes.get(i + 1) == Some(&b'/') => {
                    cut = i;
                    break;
                }
                _ => {}
            }
            i += 1;
        }
        out.push_str(&line[..cut]);
        out.push('\n');
    }
    out
}

/// Returns the Rust files below `dir`, `module` being the module path of `dir`. A
/// folder with a `Cargo.toml` is a package of the workspace: its `lib.rs` is the
/// folder's module, and its code's `crate::` is written as the library names it
/// (`crate::scan::`).
fn sources(dir: &Path, module: &str) -> Vec<Source> {
    let package = dir.join("Cargo.toml").is_file();
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).expect("read a source folder") {
        let path = entry.expect("a folder entry").path();
        let name = path.file_stem().unwrap().to_string_lossy().into_owned();
        let joined = match (module, name.as_str()) {
            ("", _) => name.clone(),
            (_, "mod") => module.to_string(),
            (_, "lib") if package => module.to_string(),
            _ => format!("{module}::{name}"),
        };
        if path.is_dir() {
            if name != "bin" {
                found.extend(sources(&path, &joined));
            }
        } else if path.extension().is_some_and(|ext| ext == "rs") {
            let text = std::fs::read_to_string(&path).expect("read a source file");
            found.push(Source {
                module: joined,
                path: path.display().to_string(),
                code: without_comments(&text),
            });
        }
    }
    if package {
        for source in &mut found {
            source.code = source
                .code
                .replace("crate::", &format!("crate::{module}::"));
        }
    }
    found
}

/// Returns every Rust file of the library, the names `src/lib.rs` brings in from a
/// package (`pub use scan::timestamp;`) written out (`crate::scan::timestamp`).
fn library() -> Vec<Source> {
    let src = crate_root().join("src");
    let lib = std::fs::read_to_string(src.join("lib.rs")).expect("read src/lib.rs");
    let brought: Vec<(String, String)> = lib
        .lines()
        .filter_map(|line| {
            let used = line.trim().strip_suffix(';')?.split("use ").nth(1)?;
            let (package, name) = used.split_once("::")?;
            let is_package = src.join(package).join("Cargo.toml").is_file();
            is_package.then(|| (name.to_string(), used.to_string()))
        })
        .collect();
    assert!(
        !brought.is_empty(),
        "src/lib.rs brings in the scanner's py and timestamp"
    );
    let mut sources = sources(&src, "");
    for source in &mut sources {
        for (name, path) in &brought {
            for end in ["::", ";", " "] {
                source.code = source.code.replace(
                    &format!("crate::{name}{end}"),
                    &format!("crate::{path}{end}"),
                );
            }
        }
    }
    sources
}

#[test]
fn each_stage_uses_only_the_stages_before_it() {
    let mut violations = Vec::new();
    for source in library() {
        let Some(stage) = stage_of(&source.module) else {
            continue;
        };
        let Some((_, allowed)) = ALLOWED.iter().find(|(name, _)| *name == stage) else {
            continue;
        };
        for path in crate_paths(&source.code) {
            let Some(used) = stage_of(&path) else {
                continue;
            };
            if used != stage && !allowed.contains(&used) {
                violations.push(format!("{} uses crate::{path}", source.path));
            }
        }
    }
    assert!(violations.is_empty(), "{violations:#?}");
}

/// Returns the modules each module's library code names (`crate::eval::case::…`),
/// itself excluded; its unit tests, which only `cargo test` compiles, are left out.
fn imports(sources: &[Source]) -> BTreeMap<String, BTreeSet<String>> {
    let modules: BTreeSet<&str> = sources.iter().map(|s| s.module.as_str()).collect();
    let mut graph = BTreeMap::new();
    for source in sources {
        let mut named = BTreeSet::new();
        let code = source.code.split("#[cfg(test)]").next().unwrap_or_default();
        for (at, _) in code.match_indices("crate::") {
            let rest = &code[at + "crate::".len()..];
            let path: String = rest
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == ':')
                .collect();
            // The longest module the path names: `eval::case::Case` names `eval::case`.
            let parts: Vec<&str> = path.split("::").filter(|p| !p.is_empty()).collect();
            let target = (1..=parts.len())
                .rev()
                .map(|n| parts[..n].join("::"))
                .find(|candidate| modules.contains(candidate.as_str()));
            if let Some(target) = target.filter(|t| *t != source.module) {
                named.insert(target);
            }
        }
        graph.insert(source.module.clone(), named);
    }
    graph
}

#[test]
fn no_module_imports_one_that_imports_it_back() {
    let graph = imports(&library());
    let mut circles = Vec::new();
    for start in graph.keys() {
        // A path back to `start` through the modules it names.
        let mut stack: Vec<(String, Vec<String>)> = vec![(start.clone(), vec![start.clone()])];
        let mut seen = BTreeSet::new();
        while let Some((module, path)) = stack.pop() {
            for next in graph.get(&module).into_iter().flatten() {
                if next == start {
                    let mut circle = path.clone();
                    circle.push(start.clone());
                    circles.push(circle.join(" -> "));
                } else if seen.insert(next.clone()) {
                    let mut longer = path.clone();
                    longer.push(next.clone());
                    stack.push((next.clone(), longer));
                }
            }
        }
    }
    assert!(
        circles.is_empty(),
        "import circles:\n{}",
        circles.join("\n")
    );
}

/// A function of the library: where it is, the type whose `impl` holds it, whether it
/// takes `self`, and its body.
struct Function {
    module: String,
    name: String,
    owner: Option<String>,
    method: bool,
    body: String,
}

/// Returns the end of the block that opens at `open` (a `{`) in `code`.
fn block_end(code: &str, open: usize) -> usize {
    let mut depth = 0usize;
    for (i, c) in code[open..].char_indices() {
        match c {
            '{' => depth += 1,
            '}' => {
                depth -= 1;
                if depth == 0 {
                    return open + i + 1;
                }
            }
            _ => {}
        }
    }
    code.len()
}

/// Returns the identifier that starts `text`.
fn ident(text: &str) -> &str {
    let end = text
        .find(|c: char| !(c.is_alphanumeric() || c == '_'))
        .unwrap_or(text.len());
    &text[..end]
}

/// Returns the positions of `word` in `code` that stand as a whole word.
fn words<'a>(code: &'a str, word: &'a str) -> impl Iterator<Item = usize> + 'a {
    code.match_indices(word)
        .map(|(at, _)| at)
        .filter(move |&at| {
            let before = code[..at].chars().next_back();
            let after = code[at + word.len()..].chars().next();
            !before.is_some_and(|c| c.is_alphanumeric() || c == '_')
                && !after.is_some_and(|c| c.is_alphanumeric() || c == '_')
        })
}

/// Returns the functions of `source` with bodies, nested ones within their outer one.
fn functions(source: &Source) -> Vec<Function> {
    let code = &source.code;
    // Each `impl` block: its range and the type it is for.
    let mut impls: Vec<(usize, usize, String)> = Vec::new();
    for at in words(code, "impl") {
        let head_end = code[at..].find('{').map_or(code.len(), |i| at + i);
        let head = &code[at + 4..head_end];
        let head = head.split(" where ").next().unwrap_or(head);
        let target = head.rsplit(" for ").next().unwrap_or(head).trim();
        let target = target.trim_start_matches(['<', '\'']);
        // `impl<T> Type<T>`: skip the generics of `impl` itself.
        let target = match target.find('>') {
            Some(close) if head.trim_start().starts_with('<') && !head.contains(" for ") => {
                target[close + 1..].trim()
            }
            _ => target,
        };
        let name = ident(target.rsplit("::").next().unwrap_or(target)).to_string();
        if head_end < code.len() {
            impls.push((head_end, block_end(code, head_end), name));
        }
    }
    let mut found = Vec::new();
    for at in words(code, "fn") {
        let name = ident(code[at + 2..].trim_start()).to_string();
        if name.is_empty() {
            continue;
        }
        // The body: from the first `{` before any `;` to its matching `}`.
        let rest = &code[at..];
        let (Some(open), semi) = (rest.find('{'), rest.find(';')) else {
            continue;
        };
        if semi.is_some_and(|semi| semi < open) {
            continue;
        }
        let signature = &rest[..open];
        let owner = impls
            .iter()
            .filter(|(start, end, _)| *start < at && at < *end)
            .min_by_key(|(start, end, _)| end - start)
            .map(|(_, _, name)| name.clone());
        found.push(Function {
            module: source.module.clone(),
            name,
            owner,
            method: signature.contains("self"),
            body: rest[open..block_end(rest, open)].to_string(),
        });
    }
    found
}

/// How a body calls a function: `.name(` a method, `Type::name(` or `module::name(` a
/// path, `name(` a function in scope.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Call {
    /// `self.name(`: a method of the caller's own type.
    Own(String),
    Method(String),
    Path(String, String),
    Bare(String),
}

/// Returns the calls in `body`; a macro `name!(` is not a call, nor a closure the body binds.
fn calls(body: &str) -> BTreeSet<Call> {
    let bound: BTreeSet<&str> = body
        .match_indices("let ")
        .map(|(at, _)| ident(body[at + 4..].trim_start_matches("mut ")))
        .collect();
    let mut found = BTreeSet::new();
    let bytes = body.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        if !(c.is_ascii_alphabetic() || c == b'_')
            || (i > 0 && (bytes[i - 1].is_ascii_alphanumeric() || bytes[i - 1] == b'_'))
        {
            i += 1;
            continue;
        }
        let name = ident(&body[i..]);
        let after = &body[i + name.len()..];
        let is_call = after.starts_with('(') || after.starts_with("::<");
        if is_call {
            let before = &body[..i];
            let call = if before.ends_with("self.") {
                Call::Own(name.to_string())
            } else if before.ends_with('.') {
                Call::Method(name.to_string())
            } else if let Some(path) = before.strip_suffix("::") {
                let owner_start = path
                    .rfind(|c: char| !(c.is_alphanumeric() || c == '_'))
                    .map_or(0, |p| p + 1);
                Call::Path(path[owner_start..].to_string(), name.to_string())
            } else if bound.contains(name) {
                i += name.len();
                continue;
            } else {
                Call::Bare(name.to_string())
            };
            found.insert(call);
        }
        i += name.len();
    }
    found
}

/// Returns the positions in `all` of the functions `call`, made by `caller`, may be.
fn targets(all: &[Function], caller: &Function, call: &Call) -> Vec<usize> {
    (0..all.len())
        .filter(|&i| {
            let f = &all[i];
            match call {
                Call::Own(name) => {
                    f.method
                        && f.name == *name
                        && f.owner == caller.owner
                        && f.module == caller.module
                }
                Call::Method(name) => f.method && f.name == *name,
                Call::Path(owner, name) => {
                    f.name == *name
                        && (f.owner.as_deref() == Some(owner.as_str())
                            || f.module.rsplit("::").next() == Some(owner.as_str())
                            || (owner == "Self" && f.owner.is_some()))
                }
                Call::Bare(name) => f.owner.is_none() && f.name == *name,
            }
        })
        .collect()
}

/// What a function of `report/` must not reach: opening or reading a file, and
/// deciding a verdict (the model's `verdict`s and the judging functions).
const FILE_ACCESS: [&str; 9] = [
    "std::fs",
    "File::",
    "OpenOptions",
    "read_to_string",
    "read_dir",
    "symlink_metadata",
    "canonicalize",
    "regular_file",
    "FileExt",
];
const DECIDING: [(&str, &str); 3] = [
    ("eval::judgement", "judge"),
    ("eval::regression", "judge"),
    ("eval::regression", "verdict"),
];

#[test]
fn renderers_neither_touch_a_file_nor_decide_a_verdict() {
    let sources = library();
    for source in sources.iter().filter(|s| s.module.starts_with("report")) {
        for io in FILE_ACCESS
            .iter()
            .chain(["crate::fs", "std::io::Read"].iter())
        {
            assert!(!source.code.contains(io), "{} does I/O ({io})", source.path);
        }
    }
    // Functions outside the tests; a call reaches what any function it may be reaches
    // (a cautious guess where names repeat).
    let all: Vec<Function> = sources
        .iter()
        .flat_map(|source| {
            let code = source.code.split("#[cfg(test)]").next().unwrap_or_default();
            functions(&Source {
                module: source.module.clone(),
                path: source.path.clone(),
                code: code.to_string(),
            })
        })
        .collect();
    let mut reaches: Vec<BTreeSet<String>> = all
        .iter()
        .map(|function| {
            let mut what: BTreeSet<String> = FILE_ACCESS
                .iter()
                .filter(|io| function.body.contains(*io))
                .map(|io| format!("{}::{} uses {io}", function.module, function.name))
                .collect();
            if DECIDING.contains(&(function.module.as_str(), function.name.as_str())) {
                what.insert(format!(
                    "{}::{} decides a verdict",
                    function.module, function.name
                ));
            }
            what
        })
        .collect();
    let edges: Vec<Vec<(Call, Vec<usize>)>> = all
        .iter()
        .map(|f| {
            calls(&f.body)
                .into_iter()
                .map(|call| {
                    let to = targets(&all, f, &call);
                    (call, to)
                })
                .collect()
        })
        .collect();
    // Spread what each function reaches through the calls, until nothing changes.
    loop {
        let mut changed = false;
        for (caller, callees) in edges.iter().enumerate() {
            for (_, to) in callees {
                for &callee in to {
                    if callee == caller {
                        continue;
                    }
                    let gained: Vec<String> = reaches[callee]
                        .difference(&reaches[caller])
                        .cloned()
                        .collect();
                    changed |= !gained.is_empty();
                    reaches[caller].extend(gained);
                }
            }
        }
        if !changed {
            break;
        }
    }
    let mut violations = Vec::new();
    for (i, function) in all.iter().enumerate() {
        if !function.module.starts_with("report") {
            continue;
        }
        for (call, to) in &edges[i] {
            for what in to.iter().flat_map(|&callee| &reaches[callee]) {
                violations.push(format!(
                    "{}::{} calls {call:?}, which reaches {what}",
                    function.module, function.name
                ));
            }
        }
    }
    assert!(violations.is_empty(), "{violations:#?}");
}
