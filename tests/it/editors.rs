//! The tests as editors see them: the `#[test]` stubs at the end of
//! `tests/fault_suite.rs` through the real rust-analyzer over LSP (what VS Code's
//! Testing panel, Zed and Neovim ask it), and the JSON events RustRover reads.
//!
//! rust-analyzer is the rustup component of the default toolchain; where it cannot
//! run, the test says what it skipped (a failure under `FAULT_REQUIRE_TOOLS=1`).

use crate::support::harness::{fault_suite, fault_suite_command};
use crate::support::runs::{copy_run, run_bounded};
use crate::support::tools::skip;
use crate::support::{crate_root, fixture, Scratch};
use fault_harness::plan::{self, Request};
use fault_harness::stubs;
use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

/// How long the whole conversation with rust-analyzer may take: its first indexing
/// of this crate takes seconds to tens of seconds on a busy machine.
const PATIENCE: Duration = Duration::from_secs(300);

/// The test target the stubs live in.
const TARGET: &str = "fault_suite";

/// Returns the names of the tests of the sample runs, as the harness plans them.
fn sample_names() -> BTreeSet<String> {
    let runs = crate::support::utf8(crate_root().join("fault-runs"));
    plan::plan(&Request::new(runs))
        .names()
        .into_iter()
        .collect()
}

/// Returns the test paths of the stubs `tests/fault_suite.rs` holds below its marker.
fn stub_paths() -> BTreeSet<String> {
    let source = std::fs::read_to_string(crate_root().join("tests/fault_suite.rs")).unwrap();
    let at = source
        .find(stubs::MARKER)
        .expect("tests/fault_suite.rs holds the marker");
    stubs::paths(&source[at..])
}

#[test]
fn the_committed_stubs_are_the_sample_runs_tests_and_current() {
    assert_eq!(stub_paths(), sample_names());
    let source = std::fs::read_to_string(crate_root().join("tests/fault_suite.rs")).unwrap();
    let runs = crate::support::utf8(crate_root().join("fault-runs"));
    let rendered = stubs::render(&plan::plan(&Request::new(runs)).tests());
    assert!(
        source.ends_with(&format!("\n{rendered}")),
        "tests/fault_suite.rs: stale stubs; refresh: FAULT_STUBS=write cargo test --test fault_suite"
    );
    assert!(rendered.contains("/// p99_us ≤ 2,000 (degraded)\n"));
}

#[test]
fn rustrovers_json_events_name_the_stubs_once_each() {
    let output = run_bounded({
        let mut command = fault_suite_command(&crate_root().join("fault-runs"));
        command.args(["-Z", "unstable-options", "--format", "json"]);
        command
    });
    assert_eq!(output.status.code(), Some(0));
    let stdout = String::from_utf8_lossy(&output.stdout);
    let mut finished: BTreeMap<String, usize> = BTreeMap::new();
    for line in stdout.lines() {
        let event: Value =
            serde_json::from_str(line).unwrap_or_else(|err| panic!("not JSON ({err}): {line}"));
        if event["type"] == "test" && event["event"] != "started" {
            let name = event["name"].as_str().expect("a test event names its test");
            *finished.entry(name.to_string()).or_default() += 1;
        }
    }
    assert!(finished.values().all(|&count| count == 1), "{finished:?}");
    let names: BTreeSet<String> = finished.into_keys().collect();
    assert_eq!(names, stub_paths());
}

/// Returns a command running the real `fault_suite` binary as if built in the crate at
/// `root` (its `CARGO_MANIFEST_DIR`), over that crate's default folder of runs.
fn harness_of_crate(root: &Path) -> Command {
    let mut command = Command::new(fault_suite());
    command
        .current_dir(root)
        .env("CARGO_MANIFEST_DIR", root)
        .env_remove("FAULT_RUN_DIR")
        .env_remove("FAULT_STUBS")
        .env_remove("FAULT_MODE")
        .env_remove("FAULT_SUITE")
        .env_remove("FAULT_HISTORY")
        .env_remove("FAULT_JUNIT")
        .env_remove("NEXTEST_EXECUTION_MODE");
    command
}

#[test]
fn stale_stubs_are_said_once_per_listing_and_rewritten_for_the_default_folder_only() {
    // Another crate (README): its own fault-runs/ and the marker line, its stubs stale.
    let scratch = Scratch::new("editors-crate");
    let root = scratch.path();
    copy_run(
        &fixture("passing"),
        &root.join("fault-runs").join("nightly-0306"),
    );
    let source = root.join("tests").join("fault_suite.rs");
    std::fs::create_dir_all(source.parent().unwrap()).unwrap();
    let stale = format!(
        "fn main() {{}}\n\n{} (FAULT_STUBS=write cargo test --test fault_suite)\nmod gone {{\n    /// gone\n    #[test]\n    fn gone() {{}}\n}}\n",
        stubs::MARKER
    );
    std::fs::write(&source, &stale).unwrap();
    let stderr =
        |output: &std::process::Output| String::from_utf8_lossy(&output.stderr).into_owned();

    // The whole list: one line saying how many are missing and extra, and how to refresh.
    let output = run_bounded(harness_of_crate(root));
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let notes: Vec<String> = stderr(&output)
        .lines()
        .filter(|line| line.contains("editor stubs"))
        .map(str::to_string)
        .collect();
    assert_eq!(
        notes,
        ["note: tests/fault_suite.rs: the editor stubs are stale (19 tests missing, 1 extra); refresh: FAULT_STUBS=write cargo test --test fault_suite"]
    );
    // One test, as nextest runs each: no note.
    let mut exact = harness_of_crate(root);
    exact.args(["--exact", "nightly_0306::torn_read::p99_us_max"]);
    let output = run_bounded(exact);
    assert_eq!(output.status.code(), Some(0));
    assert!(
        !stderr(&output).contains("editor stubs"),
        "{}",
        stderr(&output)
    );

    // Another folder never rewrites them, even when asked to.
    let mut elsewhere = harness_of_crate(root);
    elsewhere
        .env("FAULT_RUN_DIR", fixture("failing-thresholds"))
        .env("FAULT_STUBS", "write");
    let output = run_bounded(elsewhere);
    assert_eq!(output.status.code(), Some(101));
    assert!(
        stderr(&output).contains("not written"),
        "{}",
        stderr(&output)
    );
    assert_eq!(std::fs::read_to_string(&source).unwrap(), stale);

    // FAULT_STUBS=write over the default folder: the stubs of its tests, below the marker.
    let mut write = harness_of_crate(root);
    write.env("FAULT_STUBS", "write");
    let output = run_bounded(write);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("note: tests/fault_suite.rs: wrote 19 editor stubs"),
        "{}",
        stderr(&output)
    );
    let written = std::fs::read_to_string(&source).unwrap();
    let at = written.find(stubs::MARKER).unwrap();
    assert!(written.starts_with("fn main() {}\n\n"), "{written}");
    let runs = crate::support::utf8(root.join("fault-runs"));
    let names: BTreeSet<String> = plan::plan(&Request::new(runs))
        .names()
        .into_iter()
        .collect();
    assert_eq!(stubs::paths(&written[at..]), names);
    let output = run_bounded(harness_of_crate(root));
    assert!(
        !stderr(&output).contains("editor stubs"),
        "{}",
        stderr(&output)
    );
}

/// A rust-analyzer process spoken to over stdio (LSP's JSON-RPC, `Content-Length` frames).
struct Server {
    child: Child,
    stdin: ChildStdin,
    messages: Receiver<Value>,
    next_id: u64,
    deadline: Instant,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Reads one framed message, or `None` at the end of the stream or on a broken frame.
fn read_message(reader: &mut impl BufRead) -> Option<Value> {
    let mut length = None;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).ok()? == 0 {
            return None;
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some((name, value)) = line.split_once(':') {
            if name.eq_ignore_ascii_case("content-length") {
                length = value.trim().parse::<usize>().ok();
            }
        }
    }
    let mut body = vec![0; length?];
    reader.read_exact(&mut body).ok()?;
    serde_json::from_slice(&body).ok()
}

impl Server {
    /// Starts rust-analyzer on `root`, or returns why it cannot run.
    fn start(root: &Path) -> Result<Server, String> {
        // The default toolchain's component, whichever toolchain runs these tests
        // (rustup's proxy fails for a toolchain without the component).
        let probe = Command::new("rust-analyzer")
            .arg("--version")
            .env_remove("RUSTUP_TOOLCHAIN")
            .stdin(Stdio::null())
            .output();
        match probe {
            Ok(output) if output.status.success() => {}
            Ok(output) => {
                return Err(format!(
                    "rust-analyzer --version failed ({}: {}); install it with `rustup component add rust-analyzer`",
                    output.status,
                    String::from_utf8_lossy(&output.stderr).trim()
                ))
            }
            Err(err) => {
                return Err(format!(
                    "rust-analyzer not runnable ({err}); install it with `rustup component add rust-analyzer`"
                ))
            }
        }
        let spawned = Command::new("rust-analyzer")
            .env_remove("RUSTUP_TOOLCHAIN")
            .current_dir(root)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn();
        let mut child = spawned.map_err(|err| format!("rust-analyzer not runnable ({err})"))?;
        let stdin = child.stdin.take().ok_or("rust-analyzer: no stdin")?;
        let stdout = child.stdout.take().ok_or("rust-analyzer: no stdout")?;
        let (sender, messages) = mpsc::channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            while let Some(message) = read_message(&mut reader) {
                if sender.send(message).is_err() {
                    return;
                }
            }
        });
        Ok(Server {
            child,
            stdin,
            messages,
            next_id: 0,
            deadline: Instant::now() + PATIENCE,
        })
    }

    /// Sends one message.
    fn send(&mut self, message: &Value) {
        let body = message.to_string();
        let frame = format!("Content-Length: {}\r\n\r\n{body}", body.len());
        self.stdin
            .write_all(frame.as_bytes())
            .and_then(|()| self.stdin.flush())
            .expect("write to rust-analyzer");
    }

    /// Returns the next message, answering the server's own requests on the way;
    /// fails the test past the deadline or when the server ends.
    fn next(&mut self, waiting_for: &str) -> Value {
        loop {
            let left = self.deadline.saturating_duration_since(Instant::now());
            let message = match self.messages.recv_timeout(left) {
                Ok(message) => message,
                Err(RecvTimeoutError::Timeout) => panic!(
                    "rust-analyzer: {waiting_for}: nothing within {} s",
                    PATIENCE.as_secs()
                ),
                Err(RecvTimeoutError::Disconnected) => {
                    panic!("rust-analyzer ended while {waiting_for}")
                }
            };
            match (message.get("id"), message.get("method")) {
                // A request of the server's (configuration, progress): no opinion.
                (Some(id), Some(_)) => {
                    let id = id.clone();
                    self.send(&json!({"jsonrpc": "2.0", "id": id, "result": null}));
                }
                _ => return message,
            }
        }
    }

    /// Sends a request and returns its result.
    fn request(&mut self, method: &str, params: Value) -> Value {
        self.next_id += 1;
        let id = self.next_id;
        self.send(&json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        loop {
            let message = self.next(method);
            if message.get("id") == Some(&json!(id)) {
                if let Some(error) = message.get("error") {
                    panic!("rust-analyzer: {method}: {error}");
                }
                return message["result"].clone();
            }
        }
    }

    /// Initializes the server on `root` as a client with a test explorer, and waits
    /// until it has loaded the workspace and is quiescent.
    fn initialize(&mut self, root: &Path) {
        let uri = format!("file://{}", root.display());
        self.request(
            "initialize",
            json!({
                "processId": std::process::id(),
                "rootUri": uri,
                "workspaceFolders": [{"uri": uri, "name": "fault-harness"}],
                "capabilities": {
                    "experimental": {"testExplorer": true, "serverStatusNotification": true}
                },
                // Read the source only: no build scripts, proc macros or checks, which
                // would build in the target folder while the tests run.
                "initializationOptions": {
                    "cargo": {"buildScripts": {"enable": false}},
                    "procMacro": {"enable": false},
                    "checkOnSave": false,
                    "cachePriming": {"enable": false}
                }
            }),
        );
        self.send(&json!({"jsonrpc": "2.0", "method": "initialized", "params": {}}));
        loop {
            let message = self.next("waiting for experimental/serverStatus quiescent");
            if message["method"] == "experimental/serverStatus" {
                let status = &message["params"];
                assert_ne!(status["health"], "error", "rust-analyzer: {status}");
                if status["quiescent"] == true {
                    return;
                }
            }
        }
    }
}

/// Returns the test items below `id` (itself excluded), by id.
fn discover(server: &mut Server, id: &str) -> BTreeMap<String, Value> {
    let found = server.request("experimental/discoverTest", json!({"testId": id}));
    found["tests"]
        .as_array()
        .expect("discoverTest gives tests")
        .iter()
        .filter(|item| item["id"] != id)
        .map(|item| {
            (
                item["id"].as_str().unwrap_or_default().to_string(),
                item.clone(),
            )
        })
        .collect()
}

/// Runs a rust-analyzer runnable's cargo command with `extra` variables and returns
/// its exit code and stdout.
fn run_runnable(runnable: &Value, extra: &[(&str, &Path)]) -> (Option<i32>, String) {
    let args = &runnable["args"];
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut command = Command::new(cargo);
    let strings = |value: &Value| -> Vec<String> {
        value
            .as_array()
            .map(|items| {
                items
                    .iter()
                    .filter_map(Value::as_str)
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default()
    };
    command
        .args(strings(&args["cargoArgs"]))
        .args(strings(&args["cargoExtraArgs"]))
        .arg("--")
        .args(strings(&args["executableArgs"]))
        .current_dir(args["cwd"].as_str().expect("a runnable has a cwd"))
        .env_remove("FAULT_RUN_DIR")
        .env_remove("FAULT_STUBS")
        .env_remove("FAULT_JUNIT")
        .env_remove("NEXTEST_EXECUTION_MODE")
        .env("NO_COLOR", "1");
    if let Some(environment) = args["environment"].as_object() {
        for (name, value) in environment {
            command.env(name, value.as_str().unwrap_or_default());
        }
    }
    for (name, value) in extra {
        command.env(name, value);
    }
    let output = run_bounded(command);
    (
        output.status.code(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
    )
}

#[test]
fn rust_analyzer_shows_every_test_as_a_node_and_runs_exactly_it() {
    let root = crate_root();
    let mut server = match Server::start(root) {
        Ok(server) => server,
        Err(reason) => {
            return skip(
                &reason,
                "the editors' view of the tests through rust-analyzer",
            );
        }
    };
    server.initialize(root);

    // The top level: the test target is a node.
    let top = server.request("experimental/discoverTest", json!({}));
    let targets: Vec<&str> = top["tests"]
        .as_array()
        .expect("discoverTest gives tests")
        .iter()
        .filter_map(|item| item["id"].as_str())
        .collect();
    assert!(targets.contains(&TARGET), "{targets:?}");

    // Every run below it, and all below each run: run → scenario → check.
    let mut items = BTreeMap::new();
    let runs: Vec<String> = discover(&mut server, TARGET)
        .into_iter()
        .filter(|(_, item)| item["parent"] == TARGET)
        .map(|(id, _)| id)
        .collect();
    assert!(!runs.is_empty(), "no run below {TARGET}");
    for run in &runs {
        items.extend(discover(&mut server, run));
    }
    let prefix = format!("{TARGET}::");
    let tests: BTreeMap<String, &Value> = items
        .iter()
        .filter(|(_, item)| item["kind"] == "test")
        .filter_map(|(id, item)| Some((id.strip_prefix(&prefix)?.to_string(), item)))
        .collect();
    let names = sample_names();
    assert_eq!(tests.keys().cloned().collect::<BTreeSet<_>>(), names);
    for (name, item) in &tests {
        let (parent, label) = name.rsplit_once("::").expect("a test below a run");
        assert_eq!(item["label"], label, "{name}");
        assert_eq!(item["parent"], format!("{prefix}{parent}"), "{name}");
        // Each module above it is a node whose parent is the module above that.
        let mut module = parent;
        while let Some((above, _)) = module.rsplit_once("::") {
            let node = &items[&format!("{prefix}{module}")];
            assert_eq!(node["kind"], "module", "{module}");
            assert_eq!(node["parent"], format!("{prefix}{above}"), "{module}");
            module = above;
        }
        assert!(runs.contains(&format!("{prefix}{module}")), "{name}");
    }

    // Each node's Run Test: `cargo test --package … --test fault_suite -- NAME --exact`.
    let mut runnables = BTreeMap::new();
    for (name, item) in &tests {
        let at = item["range"]["end"].clone();
        let found = server.request(
            "experimental/runnables",
            json!({"textDocument": item["textDocument"], "position": at}),
        );
        let label = format!("test {name}");
        let runnable = found
            .as_array()
            .and_then(|all| all.iter().find(|runnable| runnable["label"] == label))
            .unwrap_or_else(|| panic!("no runnable {label:?} at the node: {found}"))
            .clone();
        assert_eq!(
            runnable["args"]["cargoArgs"],
            json!(["test", "--package", "fault-harness", "--test", TARGET]),
            "{name}"
        );
        let executable = &runnable["args"]["executableArgs"];
        assert_eq!(executable[0], name.as_str(), "{name}: {executable}");
        assert!(
            executable.as_array().unwrap().contains(&json!("--exact")),
            "{name}: {executable}"
        );
        runnables.insert(name.clone(), runnable);
    }
    drop(server);

    // Run through cargo, one passing test and (its run replaced by a failing copy) one
    // failing: exactly that test runs, with its verdict.
    let name = "nightly_0305::torn_read::p99_us_max";
    let runnable = &runnables[name];
    let (code, stdout) = run_runnable(runnable, &[]);
    assert_eq!(code, Some(0), "{stdout}");
    assert!(stdout.contains(&format!("test {name} ... ok")), "{stdout}");
    assert!(stdout.contains("1 passed; 0 failed"), "{stdout}");
    assert!(
        stdout.contains(&format!("{} filtered out", names.len() - 1)),
        "{stdout}"
    );
    // failing-thresholds misses p99_us_max in torn_read; as nightly-0305 it takes that name.
    let scratch = Scratch::new("editors-failing");
    copy_run(
        &fixture("failing-thresholds"),
        &scratch.path().join("nightly-0305"),
    );
    let (code, stdout) = run_runnable(runnable, &[("FAULT_RUN_DIR", scratch.path())]);
    assert_eq!(code, Some(101), "{stdout}");
    assert!(
        stdout.contains(&format!("test {name} ... FAILED")),
        "{stdout}"
    );
    assert!(stdout.contains("p99_us=2500 > 2000"), "{stdout}");
    assert!(stdout.contains("0 passed; 1 failed"), "{stdout}");
}
