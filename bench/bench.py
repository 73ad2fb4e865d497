#!/usr/bin/env python3
"""Benchmarks fault-summary against the Python reference (issue 4). Stdlib only.

    python3 bench/bench.py                      # everything (about 6 min the first time)
    python3 bench/bench.py --only scan,absent   # parts: scan absent all logs report scaling harness testprofile history rows nextest editors build
    python3 bench/bench.py --only scan --size-mib 64 --ref-runs 1

What each part does:

  scan     3 soak logs of --size-mib MiB, metric lines throughout, the last ones
           near the end: fault-summary and the reference alternate on the same
           run directory; medians, ratio, peak RSS, bytes read; outputs compared
           byte for byte; page-cache read rate of the same files (`cat`).
  absent   the same with RTP_METRICS never printed, so the whole log is read.
  all      the soak run judged by a suite with `over: all` limits on every scenario
           (every metric line read, forward), alternated with the token-absent
           scan of the same size: the ratio of the medians.
  logs     the soak run's lines written as Docker json-file records (same size), read
           with "logs": "auto", alternated with the plain-text soak run: the tail scan
           and the over-all limits of `all`, the ratio of the medians; the metrics read
           must equal the plain run's.
  report   the soak run with --html and --markdown (every checked metric charted over
           the whole log), alternated with the token-absent scan: the ratio of the
           medians, peak RSS, and the HTML file's size.
  scaling  fault-summary on soak runs of 1 MiB .. 1 GiB logs: time growth factor.
  harness  the fault_suite test binary (debug and/or release) over the bundled
           sample run: all tests, and one --exact test.
  testprofile  the fault_suite test binary as plain `cargo test` builds it (the test
           profile: fault-scan optimized, the rest not), and as it is built with
           fault-harness optimized too (the settings the README gives crates that use
           the harness), on the soak run with `over: all`
           limits and FAULT_HTML, alternated with the release fault-summary on the same
           run, suite and --html: the ratios.
  history  the release fault_suite binary over a folder of 1,000 small nightly runs in
           one process, with the regression tests (each run against the 7 before it)
           and without them (`"regression": false`), alternated.
  rows     a manifest of --rows rows (100,000), each its own folder with a tiny log,
           fault-summary and the reference alternated from the run's folder:
           medians, ratio, peak RSS; outputs compared byte for byte.
  nextest  `cargo nextest run --release --test fault_suite` (one process per test) over
           folders of 10 and 100 small nightly runs, alternated: how the time grows.
  build    clean `cargo build --release` then `cargo test --no-run`, -j 2, in a
           fresh CARGO_TARGET_DIR.

Generated run directories go to bench-data/ (ignored by git) and are reused
while their parameters match. Commands run through bench/spawn.c (compiled
with `cc` into a folder under /tmp), a tiny launcher that reports the wall
time, the peak RSS (ru_maxrss from wait4) and the bytes read (rchar from
/proc/<pid>/io) of each child. Timings are wall-clock medians with a warm
page cache.
"""

from __future__ import annotations

import argparse
import datetime
import json
import queue
import os
import random
import shutil
import statistics
import re
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
MIB = 1 << 20
PARTS = ("scan", "absent", "all", "logs", "report", "scaling", "harness", "testprofile",
         "history", "rows", "fsync", "nextest", "editors", "build")
GEN_VERSION = 1

# Targets of issue 4, item 2.
TARGET_SCAN_SPEEDUP = 1000.0
TARGET_ABSENT_SPEEDUP = 20.0
TARGET_RSS_MIB = 32.0
TARGET_SCALING_GROWTH = 2.0
TARGET_HARNESS_ALL_MS = 20.0
TARGET_HARNESS_EXACT_MS = 10.0
TARGET_BUILD_S = 60.0
# The harness under plain `cargo test` against the release CLI, on the soak with
# over-all limits and the HTML report (issue 19).
TARGET_TEST_PROFILE_RATIO = 2.0
# What the README tells a crate that uses the harness to put in its own Cargo.toml,
# besides the fault-scan section this workspace's Cargo.toml already has.
DEPENDENT_SETTING = "profile.dev.package.fault-harness.opt-level=2"
# Issue 10: a limit judged over every line reads the whole log forward once.
TARGET_ALL_VS_ABSENT = 1.5
# Issue 20: Docker json-file logs read with "logs": "auto" within 1.5x of plain text.
TARGET_LOGS_VS_PLAIN = 1.5
# Issue 12: the HTML report charts every checked metric in one forward pass.
TARGET_REPORT_VS_ABSENT = 1.5
TARGET_REPORT_RSS_MIB = 64.0
TARGET_REPORT_HTML_MIB = 2.0
# Issue 11: a folder of 1,000 runs judged with regression within 2x the time without.
TARGET_HISTORY_RATIO = 2.0
# Issue 13: the whole folder of 1,000 runs in one process, default threads.
TARGET_FOLDER_MS = 200.0
HISTORY_RUNS = 1000
# Issue 13: a manifest of 100,000 rows with tiny logs, against the reference.
TARGET_ROWS_SPEEDUP = 10.0
TARGET_ROWS_RSS_MIB = 64.0
# Issue 13: nextest over 100 runs within 1.5x of 10x its time over 10 runs.
TARGET_NEXTEST_LINEAR = 1.5
EXACT_TEST = "nightly_0305::torn_read::p99_us_max"
# Issue 18: the editor stubs of a folder of 100 runs written in under a second.
TARGET_STUBS_S = 1.0
EDITOR_RUNS = 100
STUBS_MARKER = "// fault-harness: editor stubs below (FAULT_STUBS=write cargo test --test fault_suite)"

SCENARIOS = (
    ("torn_read", "Torn frame reads under concurrent overwrite", "torn_read_events"),
    ("sink_stall", "Network sink blocks for 2 s", "sink_stall_events"),
    ("reset_storm", "Producer resets the ring every 500 ms", "reset_events"),
)
COUNTERS = ("torn_read_events", "sink_stall_events", "reset_events")
STARTED_AT = "2026-03-05T12:00:00Z"
FINISHED_AT = "2026-03-06T12:00:00Z"
RUN_START = datetime.datetime(2026, 3, 5, 12, 0, 0)


def log(msg: str) -> None:
    print(f"[bench] {msg}", file=sys.stderr, flush=True)


# ---------------------------------------------------------------- generation


def stamp(seconds: float) -> str:
    """Formats seconds after the run start as the streamer's UTC timestamp."""
    t = RUN_START + datetime.timedelta(milliseconds=round(seconds * 1000))
    return t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}Z"


def metric_lines(t: float, scenario: str, rng: random.Random, absent: bool,
                 frames: int, events: int, final: bool = False) -> list[str]:
    """Returns one periodic block of metric lines, as the streamer prints them."""
    dropped = rng.randint(0, 6)
    p50 = rng.randint(300, 480)
    p95 = rng.randint(1100, 1600)
    p99 = rng.randint(1500, 1950)
    mx = rng.randint(2500, 6000)
    ppm = rng.randint(500, 1800)
    if final:  # distinct values, so a wrong line would show in the outputs
        p50, p95, p99, mx, ppm = 417, 1379, 1777, 5555, 1234
    own = {sid: counter for sid, _, counter in SCENARIOS}[scenario]
    counters = " ".join(f"{c}={events if c == own else 0}" for c in COUNTERS)
    ts1, ts2 = stamp(t + 1.001), stamp(t + 1.002)  # just after second t
    lines = [
        f"{ts1} INFO cvmmap_streamer::metrics PIPELINE_METRICS frames_in={frames} "
        f"frames_out={frames - dropped} frames_dropped={dropped} queue_depth={rng.randint(0, 4)}",
        f"{ts1} INFO cvmmap_streamer::metrics LATENCY_METRICS p50_us={p50} p95_us={p95} "
        f"p99_us={p99} max_us={mx} ingest_to_emit_samples={frames} drop_ratio_ppm={ppm}",
        f"{ts2} INFO cvmmap_streamer::metrics FAULT_COUNTERS {counters}",
    ]
    if not absent:
        lines.append(
            f"{ts2} INFO cvmmap_streamer::metrics RTP_METRICS packets_sent={frames * 7} "
            f"bytes_sent={frames * 8260} rtcp_sr_sent={frames // 150} ssrc=0x5eed0001"
        )
    return lines


def second_lines(t: float, seq: int, scenario: str, rng: random.Random) -> list[str]:
    """Returns the ordinary INFO/DEBUG/WARN chatter of one second."""
    out = []
    if rng.random() < 0.3:
        out.append(f"{stamp(t + 0.120)} DEBUG cvmmap_streamer::reader frame seq={seq} "
                   f"slot={seq % 8} gen={seq // 8}")
    if rng.random() < 0.08:
        warn = {
            "torn_read": f"WARN cvmmap_streamer::reader retry after torn read seq={seq} "
                         f"bytes={rng.randint(9000, 14000)}",
            "sink_stall": f"WARN cvmmap_streamer::sink send blocked seq={seq} "
                          f"waited_ms={rng.randint(200, 2100)}",
            "reset_storm": f"WARN cvmmap_streamer::reader ring reset seq={seq} "
                           f"gen={seq // 8 + 1}",
        }[scenario]
        out.append(f"{stamp(t + 0.500)} {warn}")
    else:
        kind = rng.choice(("reader frame ok", "sink queue ok", "rtp sent frame"))
        out.append(f"{stamp(t + 0.500)} INFO cvmmap_streamer::{kind.split()[0]} "
                   f"{' '.join(kind.split()[1:])} seq={seq} bytes={rng.randint(9000, 14000)}")
    out.append(f"{stamp(t + 0.750)} INFO cvmmap_streamer::rtp sent frame seq={seq + 15} "
               f"bytes={rng.randint(9000, 14000)}")
    out.append(f"{stamp(t + 0.900)} DEBUG cvmmap_streamer::clock drift_us={rng.randint(-40, 40)}")
    return out


METRIC_PERIOD_S = 10
FPS = 30


def body_block(scenario: str, absent: bool, target_bytes: int = 4 * MIB) -> bytes:
    """Returns about target_bytes of log: chatter every second, metrics every 10 s."""
    rng = random.Random(f"{scenario}-{absent}")
    lines: list[str] = []
    size = 0
    t = 0
    events = 0
    while size < target_bytes:
        new = second_lines(float(t), t * FPS, scenario, rng)
        if t % METRIC_PERIOD_S == METRIC_PERIOD_S - 1:
            events += rng.randint(1, 6)
            new += metric_lines(float(t), scenario, rng, absent, (t + 1) * FPS, events)
        lines += new
        size += sum(len(x) + 1 for x in new)
        t += 1
    return ("\n".join(lines) + "\n").encode()


def tail_block(scenario: str, absent: bool, seconds: int) -> bytes:
    """Returns the end of the log: the final metric lines, then shutdown."""
    rng = random.Random(f"tail-{scenario}")
    t = float(seconds)
    lines = second_lines(t, seconds * FPS, scenario, rng)
    lines += metric_lines(t, scenario, rng, absent, seconds * FPS, 10_000 + seconds % 997,
                          final=True)
    lines += second_lines(t + 1, (seconds + 1) * FPS, scenario, rng)
    lines.append(f"{stamp(t + 1.990)} INFO cvmmap_streamer shutdown requested, draining")
    return ("\n".join(lines) + "\n").encode()


_BLOCKS: dict[tuple[str, bool, bool], bytes] = {}


def docker_lines(text: bytes) -> bytes:
    """Rewrites each line as Docker's json-file driver records it."""
    out = []
    for line in text.decode().splitlines():
        out.append(json.dumps({"log": line + "\n", "stream": "stdout",
                               "time": line[:23] + "123456Z"}, separators=(",", ":")))
    return ("\n".join(out) + "\n").encode()


def write_log(path: Path, scenario: str, absent: bool, size: int, docker: bool = False) -> int:
    """Writes a streamer log of about size bytes (cut at a line end) and returns its size;
    with docker, each line a Docker json-file record."""
    key = (scenario, absent, docker)
    if key not in _BLOCKS:
        block = body_block(scenario, absent)
        _BLOCKS[key] = docker_lines(block) if docker else block
    block = _BLOCKS[key]
    # The run's duration implied by the size (about 300 bytes of log a second).
    seconds = max(20, size // 300)
    tail = tail_block(scenario, absent, seconds)
    if docker:
        tail = docker_lines(tail)
    body = max(0, size - len(tail))
    chunk = block * max(1, (16 * MIB) // len(block))
    written = 0
    with open(path, "wb", buffering=0) as f:
        while body - written >= len(chunk):
            f.write(chunk)
            written += len(chunk)
        while body - written >= len(block):
            f.write(block)
            written += len(block)
        rest = body - written
        cut = block.rfind(b"\n", 0, rest) + 1
        f.write(block[:cut])
        f.write(tail)
        written += cut + len(tail)
    return written


def generate_run(root: Path, name: str, size: int, absent: bool, regen: bool,
                 docker: bool = False) -> Path:
    """Creates (or reuses) run directory root/name with three logs of about size bytes."""
    run = root / name
    params = {"version": GEN_VERSION, "size": size, "absent": absent}
    if docker:
        params["docker"] = True
    done = run / ".complete"
    if not regen and done.exists():
        try:
            if json.loads(done.read_text()) == params:
                return run
        except ValueError:
            pass
    if run.exists():
        shutil.rmtree(run)
    run.mkdir(parents=True)
    start = time.perf_counter()
    header = ("order\tscenario_id\tname\tstatus\treason\tduration_ms\tsim_rc\tstreamer_rc\t"
              "tester_rc\tsim_log\tstreamer_log\ttester_log\tsdp_path\n")
    rows = []
    for order, (sid, title, _) in enumerate(SCENARIOS, 1):
        d = run / sid
        d.mkdir()
        write_log(d / "streamer.log", sid, absent, size, docker)
        (d / "sim.log").write_text(
            f"{STARTED_AT} INFO sim started scenario={sid}\n{FINISHED_AT} INFO sim done rc=0\n")
        (d / "tester.log").write_text(
            f"{STARTED_AT} INFO tester started\n{FINISHED_AT} INFO tester done rc=0\n")
        (d / "stream.sdp").write_text(
            "v=0\no=- 0 0 IN IP4 127.0.0.1\ns=cvmmap\nm=video 5004 RTP/AVP 96\n"
            "a=rtpmap:96 H264/90000\n")
        rows.append(f"{order}\t{sid}\t{title}\tPASS\t\t86400000\t0\t0\t0\t{sid}/sim.log\t"
                    f"{sid}/streamer.log\t{sid}/tester.log\t{sid}/stream.sdp\n")
    (run / "manifest.tsv").write_text(header + "".join(rows))
    (run / "run.json").write_text(json.dumps(
        {"run_id": name, "mode": "degraded", "started_at": STARTED_AT,
         "finished_at": FINISHED_AT}, indent=2) + "\n")
    done.write_text(json.dumps(params))
    total = sum(log_sizes(run))
    log(f"generated {run} ({total / MIB:.0f} MiB) in {time.perf_counter() - start:.1f} s")
    return run


def settle() -> None:
    """Waits for generated data to reach the disk, so that writeback does not disturb timings."""
    start = time.perf_counter()
    os.sync()
    log(f"sync took {time.perf_counter() - start:.1f} s")


def log_sizes(run: Path) -> list[int]:
    return [(run / sid / "streamer.log").stat().st_size for sid, _, _ in SCENARIOS]


# ---------------------------------------------------------------- measuring


@dataclass
class Sample:
    wall_s: float
    maxrss_kib: int
    rchar: int
    exit: int
    cpu_s: float = 0.0  # user + system time of the command and the children it waited for


@dataclass
class Series:
    samples: list[Sample] = field(default_factory=list)

    def median_s(self) -> float:
        return statistics.median(s.wall_s for s in self.samples)

    def max_rss_mib(self) -> float:
        return max(s.maxrss_kib for s in self.samples) / 1024

    def median_rchar(self) -> int:
        return int(statistics.median(s.rchar for s in self.samples))


class Spawner:
    """Runs commands through the compiled bench/spawn.c launcher."""

    def __init__(self, workdir: Path):
        self.workdir = workdir
        src = REPO / "bench" / "spawn.c"
        self.exe = workdir / "spawn"
        if not self.exe.exists() or self.exe.stat().st_mtime < src.stat().st_mtime:
            subprocess.run(["cc", "-O2", "-o", str(self.exe), str(src)], check=True)
        self.result = workdir / "spawn-result"

    def run(self, argv: list[str], cwd: Path | None = None, env: dict | None = None,
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE) -> Sample:
        proc = subprocess.run([str(self.exe), str(self.result), *argv], cwd=cwd, env=env,
                              stdout=stdout, stderr=stderr)
        fields = dict(kv.split("=") for kv in self.result.read_text().split())
        self.result.unlink()
        sample = Sample(int(fields["wall_ns"]) / 1e9, int(fields["maxrss_kib"]),
                        int(fields["rchar"]), int(fields["exit"]),
                        (int(fields["utime_us"]) + int(fields["stime_us"])) / 1e6)
        if sample.exit != 0:
            if proc.stderr:
                sys.stderr.write(proc.stderr.decode(errors="replace"))
            raise SystemExit(f"command failed with exit {sample.exit}: {' '.join(argv)}")
        return sample


def cargo(args: list[str], env: dict | None = None, capture: bool = False) -> str:
    log("$ cargo " + " ".join(args))
    proc = subprocess.run(["cargo", *args], cwd=REPO, env=env, check=True,
                          stdout=subprocess.PIPE if capture else None)
    return proc.stdout.decode() if capture else ""


def fmt_time(s: float) -> str:
    if s >= 1:
        return f"{s:.2f} s"
    return f"{s * 1000:.1f} ms" if s >= 0.01 else f"{s * 1000:.2f} ms"


def fmt_mib(b: float) -> str:
    return f"{b / MIB:.1f} MiB"


class Report:
    def __init__(self) -> None:
        self.rows: list[tuple[str, ...]] = []
        self.targets: list[tuple[str, str, str, bool]] = []
        self.data: dict = {}

    def row(self, *cells: str) -> None:
        self.rows.append(tuple(cells))
        log(" | ".join(cells))

    def target(self, name: str, want: str, got: str, ok: bool) -> None:
        self.targets.append((name, want, got, ok))

    def print(self) -> None:
        header = ("part", "dataset", "command", "median", "runs", "peak RSS", "read", "note")
        table = [header, *self.rows]
        widths = [max(len(r[i]) if i < len(r) else 0 for r in table) for i in range(len(header))]
        print()
        for r in table:
            print("  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip())
        if self.targets:
            print()
            tw = [max(len(t[i]) for t in self.targets) for i in range(3)]
            for name, want, got, ok in self.targets:
                print(f"{name.ljust(tw[0])}  target {want.ljust(tw[1])}  got {got.ljust(tw[2])}"
                      f"  {'MET' if ok else 'MISSED'}")
        print(flush=True)


def cat_rate(spawn: Spawner, files: list[Path], runs: int) -> Series:
    series = Series()
    for _ in range(runs):
        series.samples.append(spawn.run(["cat", *map(str, files)]))
    return series


def compare(run: Path, spawn: Spawner, ours: Path, args, report: Report, part: str,
            label: str) -> dict:
    """Alternates fault-summary and the reference on run; returns the figures."""
    logs = [run / sid / "streamer.log" for sid, _, _ in SCENARIOS]
    total = sum(p.stat().st_size for p in logs)
    out_dir = Path(tempfile.mkdtemp(prefix="fh-bench-out-", dir=spawn.workdir))
    cat = cat_rate(spawn, logs, args.cat_runs)  # also warms the page cache

    def argv(out: Path) -> list[str]:
        return ["--manifest", str(run / "manifest.tsv"), "--output", str(out),
                "--run-id", run.name, "--run-dir", str(run), "--started-at", STARTED_AT,
                "--finished-at", FINISHED_AT, "--mode", "degraded"]

    spawn.run([str(ours), *argv(out_dir / "warmup.json")], cwd=run)
    mine, ref = Series(), Series()
    outputs: dict[str, list[bytes]] = {"ours": [], "ref": []}
    for i in range(max(args.runs, args.ref_runs)):
        if i < args.runs:
            out = out_dir / f"ours-{i}.json"
            mine.samples.append(spawn.run([str(ours), *argv(out)], cwd=run))
            outputs["ours"].append(out.read_bytes())
        if i < args.ref_runs:
            out = out_dir / f"ref-{i}.json"
            ref.samples.append(spawn.run([args.python, str(args.reference), *argv(out)], cwd=run))
            outputs["ref"].append(out.read_bytes())
            log(f"{part}: reference run {i + 1}/{args.ref_runs}: {fmt_time(ref.samples[-1].wall_s)}")
    shutil.rmtree(out_dir)
    all_out = outputs["ours"] + outputs["ref"]
    summary = json.loads(all_out[0])  # the generated data must be what it claims to be
    if not summary["all_pass"]:
        raise SystemExit(f"generated run {run} does not pass all its checks")
    rtp_found = [bool(sc["metrics"]["rtp"]) for sc in summary["scenarios"]]
    if rtp_found != [part != "absent"] * len(SCENARIOS):
        raise SystemExit(f"generated run {run}: RTP_METRICS found where not expected")
    identical = bool(outputs["ref"]) and all(o == all_out[0] for o in all_out)
    cat_s = cat.median_s()
    report.row(part, label, "cat (page cache)", fmt_time(cat_s), str(len(cat.samples)),
               f"{cat.max_rss_mib():.1f} MiB", fmt_mib(cat.median_rchar()),
               f"{total / cat_s / 1e9:.2f} GB/s")
    share = mine.median_rchar() / total
    report.row(part, label, "fault-summary", fmt_time(mine.median_s()), str(len(mine.samples)),
               f"{mine.max_rss_mib():.1f} MiB", fmt_mib(mine.median_rchar()),
               f"{total / mine.median_s() / 1e9:.2f} GB/s; read/log {share:.4f}" if share > 0.5
               else f"read/log {share:.4f}")
    r = {
        "log_bytes": total,
        "ours_median_s": mine.median_s(), "ours_runs_s": [s.wall_s for s in mine.samples],
        "ours_peak_rss_mib": mine.max_rss_mib(), "ours_rchar": mine.median_rchar(),
        "cat_median_s": cat.median_s(), "cat_gb_per_s": total / cat_s / 1e9,
    }
    if ref.samples:
        ratio = ref.median_s() / mine.median_s()
        report.row(part, label, "reference", fmt_time(ref.median_s()), str(len(ref.samples)),
                   f"{ref.max_rss_mib():.1f} MiB", fmt_mib(ref.median_rchar()),
                   f"ours {ratio:,.0f}x faster; outputs identical: {'yes' if identical else 'NO'}")
        r.update({
            "ref_median_s": ref.median_s(), "ref_runs_s": [s.wall_s for s in ref.samples],
            "ref_peak_rss_mib": ref.max_rss_mib(), "ref_rchar": ref.median_rchar(),
            "ratio": ratio, "identical": identical,
        })
    return r


# ---------------------------------------------------------------- parts


def part_scan(args, spawn, ours, report, absent: bool) -> None:
    part = "absent" if absent else "scan"
    size = args.size_mib * MIB
    name = f"{'absent' if absent else 'soak'}-{args.size_mib}m"
    run = generate_run(args.data_dir, name, size, absent, args.regen)
    settle()
    label = f"3x{args.size_mib} MiB" + (" no RTP_METRICS" if absent else " soak")
    r = compare(run, spawn, ours, args, report, part, label)
    report.data[part] = r
    speed_target = TARGET_ABSENT_SPEEDUP if absent else TARGET_SCAN_SPEEDUP
    if "ratio" in r:
        report.target(f"{part}: speedup vs reference", f">= {speed_target:.0f}x",
                      f"{r['ratio']:,.0f}x", r["ratio"] >= speed_target)
    report.target(f"{part}: peak RSS", f"<= {TARGET_RSS_MIB:.0f} MiB",
                  f"{r['ours_peak_rss_mib']:.1f} MiB", r["ours_peak_rss_mib"] <= TARGET_RSS_MIB)
    if "identical" in r:
        report.target(f"{part}: outputs byte-identical", "yes", "yes" if r["identical"] else "no",
                      r["identical"])
    if not absent:
        tail_against_floor(args, spawn, ours, run, report)
        line_numbers_cost(args, spawn, ours, run, report)
    if absent:
        # One read of each file: the bytes read (rchar, which also counts the manifest,
        # the dynamic loader and re-reading the few hit lines) exceed the logs' size by
        # at most 64 KiB per log. A second pass over a log would add its whole size.
        extra = r["ours_rchar"] - r["log_bytes"]
        limit = 64 * 1024 * len(SCENARIOS)
        report.target("absent: one read of each file", f"0 <= read - logs <= {limit // 1024} KiB",
                      f"{extra / 1024:+,.0f} KiB", 0 <= extra <= limit)


def tail_against_floor(args, spawn, ours, run: Path, report) -> None:
    """Issue 13's tail targets: fault-summary on the soak run against `fault-summary
    --version` (the floor: starting the process), alternated; and the bytes it reads
    beyond the floor's and the manifest, per log."""
    out_dir = Path(tempfile.mkdtemp(prefix="fh-bench-tail-", dir=spawn.workdir))
    argv = [str(ours), "--manifest", str(run / "manifest.tsv"), "--run-id", run.name,
            "--run-dir", str(run), "--started-at", STARTED_AT, "--finished-at", FINISHED_AT,
            "--mode", "degraded", "--output", str(out_dir / "summary.json"), "--quiet"]
    tail, floor = Series(), Series()
    for i in range(2 * args.scaling_runs + 1):  # the first round only warms up
        t = spawn.run(argv, cwd=run)
        f = spawn.run([str(ours), "--version"], cwd=run)
        if i > 0:
            tail.samples.append(t)
            floor.samples.append(f)
    shutil.rmtree(out_dir)
    logs = len(SCENARIOS)
    per_log = (tail.median_rchar() - floor.median_rchar()
               - (run / "manifest.tsv").stat().st_size) / logs
    ratio = tail.median_s() / floor.median_s()
    label = f"3x{args.size_mib} MiB soak"
    report.row("scan", label, "fault-summary --version (floor)", fmt_time(floor.median_s()),
               str(len(floor.samples)), f"{floor.max_rss_mib():.1f} MiB",
               fmt_mib(floor.median_rchar()), "")
    report.row("scan", label, "fault-summary, alternated with the floor",
               fmt_time(tail.median_s()), str(len(tail.samples)), f"{tail.max_rss_mib():.1f} MiB",
               fmt_mib(tail.median_rchar()),
               f"{ratio:.2f}x the floor; {per_log / 1024:.1f} KiB read per log")
    report.data["tail"] = {"ours_s": tail.median_s(), "floor_s": floor.median_s(),
                           "ratio": ratio, "read_per_log": per_log}
    report.target("tail: read per log (metric lines in the last 64 KiB)", "<= 64 KiB",
                  f"{per_log / 1024:.1f} KiB", per_log <= 64 * 1024)
    report.target("tail: against the --version floor", "<= 2.0x", f"{ratio:.2f}x", ratio <= 2.0)


def line_numbers_cost(args, spawn, ours, run: Path, report) -> None:
    """What naming the line of a failing check costs: the soak run summarized with a JUnit
    report (whose messages name lines), once with every check passing and once with
    every scenario's p50_us_max at 1, so that one check per log fails and its line is
    found by counting line breaks from the log's start."""
    out_dir = Path(tempfile.mkdtemp(prefix="fh-bench-lines-", dir=spawn.workdir))
    suite = json.loads(subprocess.run([str(ours), "--print-suite"], capture_output=True,
                                      check=True, text=True).stdout)
    for table in suite["modes"]["degraded"].values():
        if "p50_us_max" in table:
            table["p50_us_max"] = 1
    failing = out_dir / "failing-suite.json"
    failing.write_text(json.dumps(suite))

    def argv(extra: list[str]) -> list[str]:
        return [str(ours), "--manifest", str(run / "manifest.tsv"), "--run-id", run.name,
                "--run-dir", str(run), "--mode", "degraded", "--output",
                str(out_dir / "summary.json"), "--junit", str(out_dir / "junit.xml"), "--quiet",
                *extra]

    passing, failed = Series(), Series()
    for i in range(args.runs + 1):  # the first round only warms up
        p = spawn.run(argv([]), cwd=run)
        f = spawn.run(argv(["--suite", str(failing)]), cwd=run)
        if i > 0:
            passing.samples.append(p)
            failed.samples.append(f)
    junit = (out_dir / "junit.xml").read_text()
    shutil.rmtree(out_dir)
    named = len(re.findall(r"streamer\.log:\d+", junit))
    label = f"3x{args.size_mib} MiB soak, --junit"
    report.row("scan", label, "every check passing", fmt_time(passing.median_s()),
               str(len(passing.samples)), f"{passing.max_rss_mib():.1f} MiB",
               fmt_mib(passing.median_rchar()), "byte offsets only")
    report.row("scan", label, "one failing check per log", fmt_time(failed.median_s()),
               str(len(failed.samples)), f"{failed.max_rss_mib():.1f} MiB",
               fmt_mib(failed.median_rchar()),
               f"{named} line numbers named; +{fmt_time(failed.median_s() - passing.median_s())}")
    report.data["line_numbers"] = {"passing_s": passing.median_s(), "failing_s": failed.median_s(),
                                   "passing_rchar": passing.median_rchar(),
                                   "failing_rchar": failed.median_rchar(), "named": named}


def soak_and_absent(args) -> tuple[Path, Path]:
    """Returns the soak run and the token-absent run of --size-mib, generated if needed."""
    size = args.size_mib * MIB
    soak = generate_run(args.data_dir, f"soak-{args.size_mib}m", size, False, args.regen)
    absent = generate_run(args.data_dir, f"absent-{args.size_mib}m", size, True, args.regen)
    settle()
    return soak, absent


def against_absent(args, spawn, ours, soak: Path, absent: Path, out_dir: Path,
                   extra) -> tuple[Series, Series]:
    """Alternates fault-summary on the soak run, with extra(i) flags on run i and its
    summary written to out_dir/soak-<i>.json, with the token-absent scan of the same size."""

    def flags(run: Path, out: Path) -> list[str]:
        return ["--manifest", str(run / "manifest.tsv"), "--run-id", run.name, "--run-dir",
                str(run), "--started-at", STARTED_AT, "--finished-at", FINISHED_AT,
                "--mode", "degraded", "--output", str(out), "--quiet"]

    measured, absent_runs = Series(), Series()
    for run in (soak, absent):  # warm the page cache
        cat_rate(spawn, [run / sid / "streamer.log" for sid, _, _ in SCENARIOS], 1)
    for i in range(args.runs):
        measured.samples.append(spawn.run(
            [str(ours), *flags(soak, out_dir / f"soak-{i}.json"), *extra(i)], cwd=soak))
        absent_runs.samples.append(spawn.run(
            [str(ours), *flags(absent, out_dir / f"absent-{i}.json")], cwd=absent))
    return measured, absent_runs


def rows_against_absent(args, report, part: str, soak: Path, what: str, measured: Series,
                        absent_runs: Series, note: str = "") -> float:
    """Reports the token-absent scan and the measured command; returns their ratio."""
    total = sum((soak / sid / "streamer.log").stat().st_size for sid, _, _ in SCENARIOS)
    ratio = measured.median_s() / absent_runs.median_s()
    label = f"3x{args.size_mib} MiB"
    report.row(part, label, "token-absent scan", fmt_time(absent_runs.median_s()),
               str(len(absent_runs.samples)), f"{absent_runs.max_rss_mib():.1f} MiB",
               fmt_mib(absent_runs.median_rchar()), "")
    report.row(part, label, what, fmt_time(measured.median_s()),
               str(len(measured.samples)), f"{measured.max_rss_mib():.1f} MiB",
               fmt_mib(measured.median_rchar()),
               f"{ratio:.2f}x the token-absent scan; {total / measured.median_s() / 1e9:.2f} GB/s"
               + note)
    return ratio


def over_all_suite(ours: Path, out_dir: Path) -> Path:
    """Writes the built-in suite with p99_us and drop_ratio_ppm judged over every line of
    each scenario to out_dir/all-suite.json, and returns its path."""
    suite = json.loads(subprocess.run([str(ours), "--print-suite"], capture_output=True,
                                      check=True, text=True).stdout)
    for sid, _, _ in SCENARIOS:
        table = suite["modes"]["degraded"][sid]
        table["p99_us_max"] = {"limit": table.get("p99_us_max", 2000), "over": "all"}
        table["drop_ratio_ppm_max"] = {"limit": table["drop_ratio_ppm_max"], "over": "all"}
    suite_path = out_dir / "all-suite.json"
    suite_path.write_text(json.dumps(suite, indent=2))
    return suite_path


def part_all(args, spawn, ours, report) -> None:
    soak, absent = soak_and_absent(args)
    out_dir = Path(tempfile.mkdtemp(prefix="fh-bench-out-", dir=spawn.workdir))
    # The built-in limits, and on each scenario p99_us and drop_ratio_ppm over every line.
    suite_path = over_all_suite(ours, out_dir)
    all_runs, absent_runs = against_absent(args, spawn, ours, soak, absent, out_dir,
                                           lambda i: ["--suite", str(suite_path)])
    summary = json.loads((out_dir / "soak-0.json").read_text())
    if not summary["all_pass"]:
        raise SystemExit(f"the over-all suite fails the generated run {soak}")
    shutil.rmtree(out_dir)
    ratio = rows_against_absent(args, report, "all", soak, "over: all (6 limits)", all_runs,
                                absent_runs)
    report.data["all"] = {"all_median_s": all_runs.median_s(),
                          "absent_median_s": absent_runs.median_s(), "ratio": ratio,
                          "all_peak_rss_mib": all_runs.max_rss_mib()}
    report.target("all: over-all limits vs token-absent scan",
                  f"<= {TARGET_ALL_VS_ABSENT}x", f"{ratio:.2f}x", ratio <= TARGET_ALL_VS_ABSENT)


def part_logs(args, spawn, ours, report) -> None:
    size = args.size_mib * MIB
    plain = generate_run(args.data_dir, f"soak-{args.size_mib}m", size, False, args.regen)
    docker = generate_run(args.data_dir, f"docker-{args.size_mib}m", size, False, args.regen,
                          docker=True)
    settle()
    out_dir = Path(tempfile.mkdtemp(prefix="fh-bench-out-", dir=spawn.workdir))
    suite = json.loads(subprocess.run([str(ours), "--print-suite"], capture_output=True,
                                      check=True, text=True).stdout)
    auto = out_dir / "auto-suite.json"
    auto.write_text(json.dumps({"logs": "auto"}))
    for sid, _, _ in SCENARIOS:
        table = suite["modes"]["degraded"][sid]
        table["p99_us_max"] = {"limit": table.get("p99_us_max", 2000), "over": "all"}
        table["drop_ratio_ppm_max"] = {"limit": table["drop_ratio_ppm_max"], "over": "all"}
    all_plain = out_dir / "all-suite.json"
    all_plain.write_text(json.dumps(suite))
    all_auto = out_dir / "all-auto-suite.json"
    all_auto.write_text(json.dumps({**suite, "logs": "auto"}))

    def flags(run: Path, out: Path, suite_file: Path | None) -> list[str]:
        return ["--manifest", str(run / "manifest.tsv"), "--run-id", run.name, "--run-dir",
                str(run), "--started-at", STARTED_AT, "--finished-at", FINISHED_AT,
                "--mode", "degraded", "--output", str(out), "--quiet",
                *(["--suite", str(suite_file)] if suite_file else [])]

    for run in (plain, docker):  # warm the page cache
        cat_rate(spawn, [run / sid / "streamer.log" for sid, _, _ in SCENARIOS], 1)
    total = sum((docker / sid / "streamer.log").stat().st_size for sid, _, _ in SCENARIOS)
    label = f"3x{args.size_mib} MiB"
    for what, plain_suite, docker_suite, rounds in (
            ("tail", None, auto, 2 * args.scaling_runs),
            ("over: all (6 limits)", all_plain, all_auto, args.runs)):
        mine, base = Series(), Series()
        for i in range(rounds + 1):  # the first round only warms up
            p = spawn.run([str(ours), *flags(plain, out_dir / "plain.json", plain_suite)],
                          cwd=plain)
            d = spawn.run([str(ours), *flags(docker, out_dir / "docker.json", docker_suite)],
                          cwd=docker)
            if i > 0:
                base.samples.append(p)
                mine.samples.append(d)
        read = json.loads((out_dir / "docker.json").read_text())
        want = json.loads((out_dir / "plain.json").read_text())
        if not read["all_pass"] or [sc["metrics"] for sc in read["scenarios"]] != \
                [sc["metrics"] for sc in want["scenarios"]]:
            raise SystemExit(f"logs: the Docker run {docker} is not read as the plain one")
        ratio = mine.median_s() / base.median_s()
        report.row("logs", label, f"{what}, plain text", fmt_time(base.median_s()),
                   str(len(base.samples)), f"{base.max_rss_mib():.1f} MiB",
                   fmt_mib(base.median_rchar()), "")
        report.row("logs", label, f"{what}, Docker json-file, \"logs\": \"auto\"",
                   fmt_time(mine.median_s()), str(len(mine.samples)),
                   f"{mine.max_rss_mib():.1f} MiB", fmt_mib(mine.median_rchar()),
                   f"{ratio:.2f}x plain text; {total / mine.median_s() / 1e9:.2f} GB/s"
                   if what != "tail" else f"{ratio:.2f}x plain text")
        key = "tail" if what == "tail" else "all"
        report.data.setdefault("logs", {})[key] = {
            "plain_median_s": base.median_s(), "docker_median_s": mine.median_s(),
            "ratio": ratio, "docker_peak_rss_mib": mine.max_rss_mib()}
        report.target(f"logs: {key}, Docker json-file vs plain text",
                      f"<= {TARGET_LOGS_VS_PLAIN}x", f"{ratio:.2f}x",
                      ratio <= TARGET_LOGS_VS_PLAIN)
    shutil.rmtree(out_dir)


def part_report(args, spawn, ours, report) -> None:
    soak, absent = soak_and_absent(args)
    out_dir = Path(tempfile.mkdtemp(prefix="fh-bench-out-", dir=spawn.workdir))
    pages, absent_runs = against_absent(
        args, spawn, ours, soak, absent, out_dir,
        lambda i: ["--html", str(out_dir / f"report-{i}.html"),
                   "--markdown", str(out_dir / f"summary-{i}.md")])
    html = (out_dir / "report-0.html").read_text()
    md_bytes = (out_dir / "summary-0.md").stat().st_size
    html_bytes = len(html.encode())
    charts = html.count('<svg class="chart"')
    if '<div class="banner pass">' not in html or charts != 15:
        raise SystemExit(f"the report of {soak} is not a passing report with 15 charts")
    if any(u in html for u in ("http:", "https:", "<script")):
        raise SystemExit("the report fetches something")
    shutil.rmtree(out_dir)
    ratio = rows_against_absent(
        args, report, "report", soak, "--html --markdown", pages, absent_runs,
        f"; HTML {html_bytes / 1024:.0f} KiB ({charts} charts), Markdown {md_bytes} B")
    report.data["report"] = {"report_median_s": pages.median_s(),
                             "absent_median_s": absent_runs.median_s(), "ratio": ratio,
                             "report_peak_rss_mib": pages.max_rss_mib(),
                             "html_bytes": html_bytes, "markdown_bytes": md_bytes}
    report.target("report: --html --markdown vs token-absent scan",
                  f"<= {TARGET_REPORT_VS_ABSENT}x", f"{ratio:.2f}x",
                  ratio <= TARGET_REPORT_VS_ABSENT)
    report.target("report: peak RSS", f"<= {TARGET_REPORT_RSS_MIB:.0f} MiB",
                  f"{pages.max_rss_mib():.1f} MiB", pages.max_rss_mib() <= TARGET_REPORT_RSS_MIB)
    report.target("report: HTML file size", f"<= {TARGET_REPORT_HTML_MIB:.0f} MiB",
                  f"{html_bytes / MIB:.2f} MiB", html_bytes <= TARGET_REPORT_HTML_MIB * MIB)


def part_scaling(args, spawn, ours, report) -> None:
    sizes = [int(x) for x in args.scaling_mib.split(",")]
    runs = {mib: generate_run(args.data_dir, f"soak-{mib}m", mib * MIB, False, args.regen)
            for mib in sizes}
    settle()
    out_dir = Path(tempfile.mkdtemp(prefix="fh-bench-out-", dir=spawn.workdir))

    def flags(run: Path) -> list[str]:
        return ["--manifest", str(run / "manifest.tsv"), "--run-id", run.name, "--run-dir",
                str(run), "--started-at", STARTED_AT, "--finished-at", FINISHED_AT,
                "--mode", "degraded"]

    series = {mib: Series() for mib in sizes}
    for mib, run in runs.items():  # warm the page cache and the binary
        cat_rate(spawn, [run / sid / "streamer.log" for sid, _, _ in SCENARIOS], 1)
        spawn.run([str(ours), *flags(run), "--output", str(out_dir / f"{mib}.json")], cwd=run)
    # Round robin, so that other work on the machine weighs on every size alike.
    for i in range(args.scaling_runs):
        for mib, run in runs.items():
            out = out_dir / f"{mib}-{i}.json"
            series[mib].samples.append(spawn.run([str(ours), *flags(run), "--output", str(out)],
                                                 cwd=run))
    times = {}
    for mib, run in runs.items():
        note = ""
        if mib <= args.scaling_ref_max_mib:
            ref = out_dir / f"{mib}-ref.json"
            spawn.run([args.python, str(args.reference), *flags(run), "--output", str(ref)],
                      cwd=run)
            same = all(ref.read_bytes() == (out_dir / f"{mib}-{i}.json").read_bytes()
                       for i in range(args.scaling_runs))
            note = f"identical to reference: {'yes' if same else 'NO'}"
            report.target(f"scaling {mib} MiB: outputs byte-identical", "yes",
                          "yes" if same else "no", same)
        s = series[mib]
        times[mib] = s.median_s()
        report.row("scaling", f"3x{mib} MiB soak", "fault-summary", fmt_time(s.median_s()),
                   str(len(s.samples)), f"{s.max_rss_mib():.1f} MiB", fmt_mib(s.median_rchar()),
                   note)
    shutil.rmtree(out_dir)
    growth = times[sizes[-1]] / times[sizes[0]]
    report.data["scaling"] = {"median_s": times, "growth": growth,
                              "runs_s": {m: [x.wall_s for x in series[m].samples] for m in sizes}}
    report.row("scaling", f"{sizes[0]} -> {sizes[-1]} MiB", "time growth", f"{growth:.2f}x")
    report.target(f"scaling: time {sizes[0]} MiB -> {sizes[-1]} MiB",
                  f"<= {TARGET_SCALING_GROWTH:.0f}x", f"{growth:.2f}x",
                  growth <= TARGET_SCALING_GROWTH)


def test_binary(release: bool, config: list[str] | None = None) -> Path:
    args = ["test", "--no-run", "--test", "fault_suite", "--message-format=json"]
    if release:
        args.insert(1, "--release")
    for setting in config or []:
        args[1:1] = ["--config", setting]
    exe = None
    for line in cargo(args, capture=True).splitlines():
        msg = json.loads(line)
        if (msg.get("reason") == "compiler-artifact" and msg["target"]["name"] == "fault_suite"
                and msg["profile"]["test"] and msg.get("executable")):
            exe = Path(msg["executable"])
    if exe is None:
        raise SystemExit("cargo did not report the fault_suite test binary")
    return exe


def part_harness(args, spawn, report) -> None:
    run_dir = REPO / "fault-runs" / "nightly-0305"
    env = dict(os.environ, FAULT_RUN_DIR=str(run_dir))
    env.pop("FAULT_MODE", None)
    env.pop("FAULT_JUNIT", None)
    profiles = {"both": (False, True), "debug": (False,), "release": (True,)}[args.harness_profile]
    out = spawn.workdir / "harness-stdout"
    report.data["harness"] = {}
    for release in profiles:
        profile = "release" if release else "debug"
        exe = test_binary(release)
        for what, extra, target in (("all tests", [], TARGET_HARNESS_ALL_MS),
                                    ("--exact 1 test", [EXACT_TEST, "--exact"],
                                     TARGET_HARNESS_EXACT_MS)):
            series = Series()
            for _ in range(args.harness_runs + 1):  # the first run only warms up
                with open(out, "wb") as f:
                    series.samples.append(spawn.run([str(exe), *extra], cwd=REPO, env=env,
                                                    stdout=f))
            series.samples.pop(0)
            result = [l for l in out.read_text().splitlines() if l.startswith("test result")]
            counts = result[-1].split(". ", 1)[-1].split("; ")[:2] if result else []
            ran = "; ".join(counts) or "no test result line"
            if extra and not ran.startswith("1 passed"):
                raise SystemExit(f"--exact {EXACT_TEST} did not run exactly one test: {ran}")
            ms = series.median_s() * 1000
            report.row("harness", f"nightly-0305 ({profile})", f"fault_suite {what}",
                       fmt_time(series.median_s()), str(len(series.samples)),
                       f"{series.max_rss_mib():.1f} MiB", fmt_mib(series.median_rchar()), ran)
            report.data["harness"][f"{profile} {what}"] = ms
            report.target(f"harness ({profile}): {what}", f"<= {target:.0f} ms", f"{ms:.1f} ms",
                          ms <= target)
    out.unlink(missing_ok=True)


def part_testprofile(args, spawn, ours, report) -> None:
    """The harness as plain `cargo test` builds it, on the soak run with over-all limits
    and FAULT_HTML, alternated with the release fault-summary doing the same."""
    size = args.size_mib * MIB
    soak = generate_run(args.data_dir, f"soak-{args.size_mib}m", size, False, args.regen)
    settle()
    out_dir = Path(tempfile.mkdtemp(prefix="fh-bench-out-", dir=spawn.workdir))
    suite_path = over_all_suite(ours, out_dir)
    # As this crate's `cargo test` builds it (fault-scan optimized), and as a crate that
    # uses the harness builds it with the settings the README gives (the libraries
    # optimized, their tests not).
    builds = [("cargo test's profile", test_binary(release=False)),
              ("cargo test's profile, " + DEPENDENT_SETTING,
               test_binary(release=False, config=[DEPENDENT_SETTING]))]
    # The soak alone in a folder (a link to it): its siblings in bench-data are other
    # benchmarks' runs, not its history.
    alone = out_dir / "alone"
    alone.mkdir()
    (alone / soak.name).symlink_to(soak)
    env = dict(os.environ, FAULT_RUN_DIR=str(alone / soak.name), FAULT_SUITE=str(suite_path),
               FAULT_MODE="degraded", FAULT_HTML=str(out_dir / "harness.html"))
    for var in ("FAULT_JUNIT", "FAULT_MARKDOWN", "FAULT_CONFINE", "FAULT_HISTORY",
                "NEXTEST_EXECUTION_MODE", "NEXTEST_RUN_ID"):
        env.pop(var, None)
    cli = [str(ours), "--manifest", str(soak / "manifest.tsv"), "--run-id", soak.name,
           "--run-dir", str(soak), "--started-at", STARTED_AT, "--finished-at", FINISHED_AT,
           "--mode", "degraded", "--suite", str(suite_path), "--output",
           str(out_dir / "summary.json"), "--html", str(out_dir / "cli.html"), "--quiet"]
    cat_rate(spawn, [soak / sid / "streamer.log" for sid, _, _ in SCENARIOS], 1)
    harnesses = [Series() for _ in builds]
    release = Series()
    out = out_dir / "harness-stdout"
    for i in range(args.runs + 1):  # the first round only warms up
        samples = []
        for _, exe in builds:
            with open(out, "wb") as f:
                samples.append(spawn.run([str(exe)], cwd=REPO, env=env, stdout=f))
            result = [l for l in out.read_text().splitlines() if l.startswith("test result")]
            if not result or not result[-1].startswith("test result: ok"):
                raise SystemExit(f"the harness does not pass the soak run {soak}: {result}")
        r = spawn.run(cli, cwd=soak)
        if i > 0:
            for series, sample in zip(harnesses, samples):
                series.samples.append(sample)
            release.samples.append(r)
    charts = (out_dir / "harness.html").read_text().count('<svg class="chart"')
    shutil.rmtree(out_dir)
    label = f"3x{args.size_mib} MiB soak, over: all, HTML"
    report.row("testprofile", label, "fault-summary (release)", fmt_time(release.median_s()),
               str(len(release.samples)), f"{release.max_rss_mib():.1f} MiB",
               fmt_mib(release.median_rchar()), "")
    report.data["testprofile"] = {"release_median_s": release.median_s()}
    for (what, _), harness in zip(builds, harnesses):
        ratio = harness.median_s() / release.median_s()
        report.row("testprofile", label, f"fault_suite ({what})",
                   fmt_time(harness.median_s()), str(len(harness.samples)),
                   f"{harness.max_rss_mib():.1f} MiB", fmt_mib(harness.median_rchar()),
                   f"{ratio:.2f}x the release CLI; {charts} charts")
        report.data["testprofile"][what] = {"median_s": harness.median_s(), "ratio": ratio}
    ratio = harnesses[0].median_s() / release.median_s()
    report.target("testprofile: harness as plain cargo test builds it vs release CLI",
                  f"<= {TARGET_TEST_PROFILE_RATIO}x", f"{ratio:.2f}x",
                  ratio <= TARGET_TEST_PROFILE_RATIO)
    ratio = harnesses[1].median_s() / release.median_s()
    report.target("testprofile: harness as a dependent's cargo test builds it vs release CLI",
                  f"<= {TARGET_TEST_PROFILE_RATIO}x", f"{ratio:.2f}x",
                  ratio <= TARGET_TEST_PROFILE_RATIO)


def generate_history(root: Path, runs: int) -> Path:
    """Writes `runs` small nightly run directories (three scenarios each) with start times."""
    folder = root / f"history-v2-{runs}"
    if (folder / f"run-{runs - 1:05d}" / "run.json").exists():
        return folder
    shutil.rmtree(folder, ignore_errors=True)
    rng = random.Random(11)
    start = datetime.datetime(2024, 1, 1, 2, 0, 0)
    header = "order\tscenario_id\tname\tstatus\treason\tduration_ms\tsim_rc\tstreamer_rc\ttester_rc\tsim_log\tstreamer_log\ttester_log\tsdp_path\n"
    for i in range(runs):
        run = folder / f"run-{i:05d}"
        rows = [header]
        for order, (sid, name, counter) in enumerate(SCENARIOS, 1):
            (run / sid).mkdir(parents=True, exist_ok=True)
            lines = [f"{stamp(s)} INFO cvmmap_streamer::reader frame ok seq={s}" for s in range(20)]
            # Steady nightlies (a few percent of noise): no regression test fails.
            lines.append(f"{stamp(21)} INFO cvmmap_streamer::metrics LATENCY_METRICS p50_us={rng.randint(390, 410)} "
                         f"p95_us={rng.randint(1280, 1320)} p99_us={rng.randint(1680, 1720)} max_us=5000 "
                         f"ingest_to_emit_samples=3000 drop_ratio_ppm={rng.randint(980, 1020)}")
            lines.append(f"{stamp(22)} INFO cvmmap_streamer::metrics FAULT_COUNTERS "
                         + " ".join(f"{c}={300 if c == counter else 0}" for c in COUNTERS))
            (run / sid / "streamer.log").write_text("\n".join(lines) + "\n")
            rows.append(f"{order}\t{sid}\t{name}\tPASS\t\t60000\t0\t0\t0\t{sid}/sim.log\t"
                        f"{sid}/streamer.log\t{sid}/tester.log\t{sid}/stream.sdp\n")
        (run / "manifest.tsv").write_text("".join(rows))
        t = (start + datetime.timedelta(days=i)).strftime("%Y-%m-%dT%H:%M:%SZ")
        (run / "run.json").write_text(json.dumps({"run_id": run.name, "mode": "degraded",
                                                  "started_at": t}) + "\n")
    return folder


def part_history(args, spawn, report) -> None:
    folder = generate_history(args.data_dir, HISTORY_RUNS)
    exe = test_binary(True)
    # The built-in table without regression checks.
    cargo(["build", "--release", "--bin", "fault-summary"])
    suite = json.loads(subprocess.run([str(REPO / "target" / "release" / "fault-summary"),
                                       "--print-suite"], capture_output=True, check=True,
                                      text=True).stdout)
    suite["regression"] = False
    off = spawn.workdir / "no-regression.json"
    off.write_text(json.dumps(suite))
    out = spawn.workdir / "history-stdout"
    base = dict(os.environ, FAULT_RUN_DIR=str(folder))
    for var in ("FAULT_MODE", "FAULT_JUNIT", "FAULT_SUITE", "FAULT_HISTORY"):
        base.pop(var, None)
    cases = {"with regression": (base, []),
             "without": (dict(base, FAULT_SUITE=str(off)), []),
             "with regression, --test-threads 1": (base, ["--test-threads", "1"])}
    series = {name: Series() for name in cases}
    counts = {}
    for i in range(args.harness_runs + 1):
        for name, (env, extra) in cases.items():
            with open(out, "wb") as f:
                sample = spawn.run([str(exe), "--quiet", *extra], cwd=REPO, env=env, stdout=f)
            result = [l for l in out.read_text().splitlines() if l.startswith("test result")]
            counts[name] = result[-1].split(". ", 1)[-1].split("; ")[0] if result else "?"
            if i > 0:  # the first round only warms up
                series[name].samples.append(sample)
    out.unlink(missing_ok=True)
    ratio = series["with regression"].median_s() / series["without"].median_s()
    for name, s in series.items():
        report.row("history", f"{HISTORY_RUNS} runs (release)", f"fault_suite, {name}",
                   fmt_time(s.median_s()), str(len(s.samples)), f"{s.max_rss_mib():.1f} MiB",
                   fmt_mib(s.median_rchar()), counts[name])
    report.data["history"] = {name: s.median_s() for name, s in series.items()}
    report.data["history"]["ratio"] = ratio
    report.target("history: 1,000 runs with regression vs without", f"<= {TARGET_HISTORY_RATIO}x",
                  f"{ratio:.2f}x", ratio <= TARGET_HISTORY_RATIO)
    # One --exact test: a folder of one run against the 1,000-run folder, alternated.
    single = generate_history(args.data_dir, 1)
    # Test names are Rust paths: the folder run-00000 is the module run_00000.
    exact_cases = {1: (single, "run_00000"), HISTORY_RUNS: (folder, f"run_{HISTORY_RUNS - 1:05d}")}
    exact = {runs: Series() for runs in exact_cases}
    for i in range(args.harness_runs + 1):
        for runs, (where, run) in exact_cases.items():
            env = dict(base, FAULT_RUN_DIR=str(where))
            with open(out, "wb") as f:
                sample = spawn.run([str(exe), "--exact", f"{run}::{EXACT_TEST.split('::', 1)[1]}"],
                                   cwd=REPO, env=env, stdout=f)
            if "1 passed" not in out.read_text():
                raise SystemExit(f"--exact in {where} did not pass exactly one test")
            if i > 0:
                exact[runs].samples.append(sample)
    out.unlink(missing_ok=True)
    for runs, s in exact.items():
        report.row("history", f"{runs} run{'s' if runs > 1 else ''} (release)",
                   "fault_suite --exact 1 test", fmt_time(s.median_s()), str(len(s.samples)),
                   f"{s.max_rss_mib():.1f} MiB", fmt_mib(s.median_rchar()), "1 passed")
    exact_ratio = exact[HISTORY_RUNS].median_s() / exact[1].median_s()
    report.data["history"]["exact"] = {str(r): s.median_s() for r, s in exact.items()}
    report.target("--exact 1 test: 1,000 runs vs 1 run", "<= 2.0x", f"{exact_ratio:.2f}x",
                  exact_ratio <= 2.0)
    default_s = series["with regression"].median_s()
    one_s = series["with regression, --test-threads 1"].median_s()
    report.target("one process over 1,000 runs (default threads)",
                  f"<= {TARGET_FOLDER_MS:.0f} ms", fmt_time(default_s),
                  default_s * 1000 <= TARGET_FOLDER_MS)
    report.target("one process over 1,000 runs: default vs --test-threads 1", "<= 1.00x",
                  f"{default_s / one_s:.2f}x", default_s <= one_s)


def generate_rows(root: Path, rows: int) -> Path:
    """Writes one run whose manifest has `rows` rows, each with its own tiny streamer log."""
    run = root / f"rows-v1-{rows}"
    if (run / "manifest.tsv").exists():
        return run
    shutil.rmtree(run, ignore_errors=True)
    rng = random.Random(13)
    header = "order\tscenario_id\tname\tstatus\treason\tduration_ms\tsim_rc\tstreamer_rc\ttester_rc\tsim_log\tstreamer_log\ttester_log\tsdp_path\n"
    manifest = [header]
    for i in range(rows):
        sid, name, counter = SCENARIOS[i % len(SCENARIOS)]
        folder = f"s{i // 1000:03d}/{i}"
        (run / folder).mkdir(parents=True, exist_ok=True)
        lines = [f"{stamp(s)} INFO cvmmap_streamer::reader frame ok seq={s}" for s in range(4)]
        lines.append(f"{stamp(5)} INFO cvmmap_streamer::metrics PIPELINE_METRICS frames_in=3000 "
                     f"frames_out={rng.randint(2990, 3000)} frames_dropped=2 queue_depth=3")
        lines.append(f"{stamp(6)} INFO cvmmap_streamer::metrics LATENCY_METRICS p50_us={rng.randint(390, 410)} "
                     f"p95_us={rng.randint(1280, 1320)} p99_us={rng.randint(1680, 1720)} max_us=5000 "
                     f"ingest_to_emit_samples=3000 drop_ratio_ppm={rng.randint(980, 1020)}")
        lines.append(f"{stamp(7)} INFO cvmmap_streamer::metrics FAULT_COUNTERS "
                     + " ".join(f"{c}={300 if c == counter else 0}" for c in COUNTERS))
        lines.append(f"{stamp(8)} INFO cvmmap_streamer::metrics RTP_METRICS packets_sent=21000 "
                     "bytes_sent=24000000 rtcp_sr=60")
        (run / folder / "streamer.log").write_text("\n".join(lines) + "\n")
        manifest.append(f"{i + 1}\t{sid}\t{name} #{i}\tPASS\t\t60000\t0\t0\t0\t{folder}/sim.log\t"
                        f"{folder}/streamer.log\t{folder}/tester.log\t{folder}/stream.sdp\n")
    (run / "manifest.tsv.part").write_text("".join(manifest))
    (run / "manifest.tsv.part").rename(run / "manifest.tsv")
    return run


def part_rows(args, spawn, ours, report) -> None:
    run = generate_rows(args.data_dir, args.rows)
    out_dir = Path(tempfile.mkdtemp(prefix="fh-bench-rows-", dir=spawn.workdir))

    def argv(out: Path) -> list[str]:
        return ["--manifest", "manifest.tsv", "--output", str(out), "--run-id", run.name,
                "--run-dir", ".", "--started-at", STARTED_AT, "--finished-at", FINISHED_AT,
                "--mode", "degraded"]

    spawn.run([str(ours), *argv(out_dir / "warmup.json")], cwd=run)  # warms the page cache
    mine, ref = Series(), Series()
    same = True
    first = None
    for i in range(max(args.rows_runs, args.ref_runs)):
        # Each run writes a 203 MiB summary: the last run's must reach the disk first,
        # or its writeback competes with the run measured (and its fsync waits for it).
        if i < args.rows_runs:
            out = out_dir / "ours.json"
            os.sync()
            mine.samples.append(spawn.run([str(ours), *argv(out)], cwd=run))
            first = first or out.read_bytes()
            same = same and out.read_bytes() == first
        if i < args.ref_runs:
            out = out_dir / "ref.json"
            os.sync()
            ref.samples.append(spawn.run([args.python, str(args.reference), *argv(out)], cwd=run))
            first = first or out.read_bytes()
            same = same and out.read_bytes() == first
            log(f"rows: reference run {i + 1}/{args.ref_runs}: {fmt_time(ref.samples[-1].wall_s)}")
    shutil.rmtree(out_dir)
    label = f"{args.rows:,} rows"
    ratio = ref.median_s() / mine.median_s()
    report.row("rows", label, "fault-summary", fmt_time(mine.median_s()), str(len(mine.samples)),
               f"{mine.max_rss_mib():.1f} MiB", fmt_mib(mine.median_rchar()),
               f"summary {len(first or b'') / MIB:.0f} MiB")
    report.row("rows", label, "reference", fmt_time(ref.median_s()), str(len(ref.samples)),
               f"{ref.max_rss_mib():.1f} MiB", fmt_mib(ref.median_rchar()),
               f"ours {ratio:.1f}x faster; outputs identical: {'yes' if same else 'NO'}")
    report.data["rows"] = {"rows": args.rows, "ours_median_s": mine.median_s(),
                           "ref_median_s": ref.median_s(), "ratio": ratio,
                           "ours_peak_rss_mib": mine.max_rss_mib(),
                           "ref_peak_rss_mib": ref.max_rss_mib(), "identical": same}
    report.target(f"rows: {label} vs reference", f">= {TARGET_ROWS_SPEEDUP:.0f}x",
                  f"{ratio:.1f}x", ratio >= TARGET_ROWS_SPEEDUP)
    report.target(f"rows: {label} peak RSS", f"<= {TARGET_ROWS_RSS_MIB:.0f} MiB",
                  f"{mine.max_rss_mib():.0f} MiB", mine.max_rss_mib() <= TARGET_ROWS_RSS_MIB)
    report.target("rows: outputs byte-identical", "yes", "yes" if same else "no", same)


def fsync_seconds(strace_log: Path) -> float:
    """Sums the time `strace -T` gives the fsync calls it logged."""
    total = 0.0
    for line in strace_log.read_text().splitlines():
        match = re.search(r"\bfsync\(.*<([0-9.]+)>$", line)
        if match:
            total += float(match.group(1))
    return total


def part_fsync(args, spawn, ours, report) -> None:
    """The fsync before the rename, measured apart: strace -T times it inside a normal run."""
    strace = shutil.which("strace")
    if strace is None:
        report.row("fsync", "-", "skipped", "-", "0", "-", "-", "strace not installed")
        return
    small = generate_history(args.data_dir, 10) / "run-00000"
    rows = generate_rows(args.data_dir, args.rows)
    out_dir = Path(tempfile.mkdtemp(prefix="fh-bench-fsync-", dir=spawn.workdir))
    cases = {
        "one small run": (small, ["--run-dir", str(small)]),
        f"{args.rows:,} rows": (rows, ["--manifest", "manifest.tsv", "--run-id", rows.name,
                                       "--run-dir", ".", "--mode", "degraded"]),
    }
    for label, (cwd, argv) in cases.items():
        out = out_dir / "summary.json"
        trace = out_dir / "strace.log"
        spent, walls = [], Series()
        command = [str(ours), *argv, "--output", str(out), "--quiet"]
        for i in range(args.runs + 1):  # the first round only warms up
            # Traced and untraced runs alternate; seccomp stops only on fsync, so the
            # traced run is timed as it would run otherwise.
            spawn.run([strace, "-f", "--seccomp-bpf", "-T", "-e", "trace=fsync", "-o",
                       str(trace), *command], cwd=cwd)
            sample = spawn.run(command, cwd=cwd)
            if i > 0:
                spent.append(fsync_seconds(trace))
                walls.samples.append(sample)
        size = out.stat().st_size
        fsync_s = statistics.median(spent)
        share = fsync_s / walls.median_s()
        report.row("fsync", label, "fsync before the rename", fmt_time(fsync_s), str(len(spent)),
                   "-", "-", f"summary {size / MIB:.1f} MiB; {share:.0%} of the run "
                   f"({fmt_time(walls.median_s())} untraced)")
        report.data.setdefault("fsync", {})[label] = {"fsync_s": fsync_s,
                                                      "run_s": walls.median_s(),
                                                      "summary_bytes": size}
    shutil.rmtree(out_dir)


def part_nextest(args, spawn, report) -> None:
    if shutil.which("cargo-nextest") is None:
        report.row("nextest", "-", "skipped", "-", "0", "-", "-", "cargo-nextest not installed")
        return
    folders = {runs: generate_history(args.data_dir, runs) for runs in (10, 100)}
    base = dict(os.environ)
    for var in ("FAULT_MODE", "FAULT_JUNIT", "FAULT_SUITE", "FAULT_HISTORY", "FAULT_HTML",
                "FAULT_MARKDOWN"):
        base.pop(var, None)
    argv = ["cargo", "nextest", "run", "--release", "--test", "fault_suite", "--no-fail-fast",
            "--hide-progress-bar", "--status-level", "none", "--final-status-level", "none"]
    out = spawn.workdir / "nextest-output"
    series = {runs: Series() for runs in folders}
    counts: dict[int, str] = {}
    for i in range(args.nextest_runs + 1):  # the first round builds and warms up
        for runs, folder in folders.items():
            with open(out, "wb") as f:
                sample = spawn.run(argv, cwd=REPO, env=dict(base, FAULT_RUN_DIR=str(folder)),
                                   stdout=f, stderr=subprocess.STDOUT)
            summary = [l for l in out.read_text(errors="replace").splitlines()
                       if "tests run:" in l]
            counts[runs] = summary[-1].strip() if summary else "?"
            if i > 0:
                series[runs].samples.append(sample)
    out.unlink(missing_ok=True)
    for runs, s in series.items():
        report.row("nextest", f"{runs} runs (release)", "cargo nextest run", fmt_time(s.median_s()),
                   str(len(s.samples)), f"{s.max_rss_mib():.1f} MiB", fmt_mib(s.median_rchar()),
                   counts[runs])
    growth = series[100].median_s() / (10 * series[10].median_s())
    report.data["nextest"] = {str(r): s.median_s() for r, s in series.items()}
    report.data["nextest"]["growth_vs_linear"] = growth
    report.target("nextest: 100 runs vs 10x 10 runs", f"<= {TARGET_NEXTEST_LINEAR}x",
                  f"{growth:.2f}x", growth <= TARGET_NEXTEST_LINEAR)


class Lsp:
    """A rust-analyzer process spoken to over stdio (Content-Length frames)."""

    def __init__(self, root: Path, deadline_s: float = 600.0):
        # The default toolchain's component; the index as cached (a new crate's lock).
        env = dict(os.environ, CARGO_NET_OFFLINE="true")
        env.pop("RUSTUP_TOOLCHAIN", None)
        self.proc = subprocess.Popen(["rust-analyzer"], cwd=root, env=env, stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        self.inbox: "queue.Queue[dict | None]" = queue.Queue()
        self.next_id = 0
        self.deadline = time.perf_counter() + deadline_s
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        out = self.proc.stdout
        while True:
            length = None
            while True:
                line = out.readline()
                if not line:
                    self.inbox.put(None)
                    return
                line = line.decode().strip()
                if not line:
                    break
                name, _, value = line.partition(":")
                if name.lower() == "content-length":
                    length = int(value)
            self.inbox.put(json.loads(out.read(length)))

    def send(self, message: dict) -> None:
        body = json.dumps(message).encode()
        self.proc.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.proc.stdin.flush()

    def next(self, waiting_for: str) -> dict:
        while True:
            left = self.deadline - time.perf_counter()
            try:
                message = self.inbox.get(timeout=max(left, 0.001))
            except queue.Empty:
                raise SystemExit(f"rust-analyzer: {waiting_for}: no answer in time")
            if message is None:
                raise SystemExit(f"rust-analyzer ended while {waiting_for}")
            if "id" in message and "method" in message:
                self.send({"jsonrpc": "2.0", "id": message["id"], "result": None})
                continue
            return message

    def request(self, method: str, params: dict):
        self.next_id += 1
        self.send({"jsonrpc": "2.0", "id": self.next_id, "method": method, "params": params})
        while True:
            message = self.next(method)
            if message.get("id") == self.next_id and "method" not in message:
                if "error" in message:
                    raise SystemExit(f"rust-analyzer: {method}: {message['error']}")
                return message["result"]

    def initialize(self, root: Path) -> None:
        uri = root.as_uri()
        self.request("initialize", {
            "processId": os.getpid(), "rootUri": uri,
            "workspaceFolders": [{"uri": uri, "name": root.name}],
            "capabilities": {"experimental": {"testExplorer": True,
                                              "serverStatusNotification": True}},
            # As the project's test: the source only, no build scripts or checks.
            "initializationOptions": {"cargo": {"buildScripts": {"enable": False}},
                                      "procMacro": {"enable": False}, "checkOnSave": False,
                                      "cachePriming": {"enable": False}}})
        self.send({"jsonrpc": "2.0", "method": "initialized", "params": {}})
        while True:
            message = self.next("waiting for quiescence")
            if (message.get("method") == "experimental/serverStatus"
                    and message["params"].get("quiescent")):
                return

    def close(self) -> None:
        self.proc.kill()
        self.proc.wait()


def editor_crate(root: Path, runs: Path) -> Path:
    """Writes a crate using the harness from another crate (README), its runs a link to `runs`."""
    crate = root / "editors-crate"
    shutil.rmtree(crate, ignore_errors=True)
    (crate / "tests").mkdir(parents=True)
    (crate / "Cargo.toml").write_text(
        '[package]\nname = "editors-bench"\nversion = "0.1.0"\nedition = "2021"\n\n'
        f'[dev-dependencies]\nfault-harness = {{ path = "{REPO}" }}\n\n'
        '[[test]]\nname = "fault_suite"\nharness = false\n')
    (crate / "tests" / "fault_suite.rs").write_text(
        'fn main() -> std::process::ExitCode {\n    fault_harness::harness::main("fault-runs")\n}\n\n'
        + STUBS_MARKER + "\n")
    (crate / "fault-runs").symlink_to(runs, target_is_directory=True)
    # A lock file of the project's versions: rust-analyzer's `cargo metadata` resolves offline.
    shutil.copy(REPO / "Cargo.lock", crate / "Cargo.lock")
    return crate


def rust_analyzer_nodes(crate: Path) -> tuple[float, float, float, int]:
    """Returns the seconds to quiescence, the median seconds to expand one run's node, the
    seconds to every test node of `fault_suite`, and how many test nodes there are."""
    started = time.perf_counter()
    lsp = Lsp(crate)
    try:
        lsp.initialize(crate)
        quiescent = time.perf_counter() - started
        top = lsp.request("experimental/discoverTest", {"testId": "fault_suite"})
        runs = [t["id"] for t in top["tests"] if t.get("parent") == "fault_suite"]
        tests = set()
        expand = []
        for run in runs:
            before = time.perf_counter()
            found = lsp.request("experimental/discoverTest", {"testId": run})
            expand.append(time.perf_counter() - before)
            # A run's answer holds the target's node too (kind "test"): not a test.
            tests.update(t["id"] for t in found["tests"]
                         if t["kind"] == "test" and t["id"].startswith("fault_suite::"))
        one = statistics.median(expand) if expand else 0.0
        return quiescent, one, time.perf_counter() - started, len(tests)
    finally:
        lsp.close()


def part_editors(args, spawn, report) -> None:
    if shutil.which("rust-analyzer") is None:
        report.row("editors", "-", "skipped", "-", "0", "-", "-", "rust-analyzer not installed")
        return
    runs = generate_history(args.data_dir, EDITOR_RUNS)
    crate = editor_crate(spawn.workdir, runs)
    source = crate / "tests" / "fault_suite.rs"
    bare = source.read_text()
    exe = test_binary(False)
    # The project's own fault_suite binary, its crate root the bench crate's: it plans
    # the 100 runs and writes their stubs into the bench crate's tests/fault_suite.rs.
    env = dict(os.environ, CARGO_MANIFEST_DIR=str(crate), FAULT_STUBS="write")
    for var in ("FAULT_RUN_DIR", "FAULT_MODE", "FAULT_JUNIT", "FAULT_SUITE", "FAULT_HISTORY"):
        env.pop(var, None)
    series = Series()
    for _ in range(args.harness_runs + 1):  # the first run only warms up
        source.write_text(bare)
        series.samples.append(spawn.run([str(exe), "--list"], cwd=crate, env=env,
                                        stderr=subprocess.DEVNULL))
    series.samples.pop(0)
    written = source.read_text()
    stubs = written.count("#[test]")
    listed = subprocess.run([str(exe), "--list", "--format", "terse"], cwd=crate, env=env,
                            capture_output=True, text=True, check=True).stdout.count(": test")
    if stubs != listed:
        raise SystemExit(f"{stubs} stubs written for {listed} tests listed")
    s = series.median_s()
    report.row("editors", f"{EDITOR_RUNS} runs (debug)", "FAULT_STUBS=write fault_suite --list",
               fmt_time(s), str(len(series.samples)), f"{series.max_rss_mib():.1f} MiB",
               fmt_mib(series.median_rchar()), f"{stubs} stubs, {len(written) // 1024} KiB")
    report.target(f"editors: stubs of {EDITOR_RUNS} runs written", f"< {TARGET_STUBS_S:.0f} s",
                  fmt_time(s), s < TARGET_STUBS_S)
    report.data["editors"] = {"stubs_s": s, "stubs": stubs}
    for what, text in (("without stubs", bare), ("with stubs", written)):
        source.write_text(text)
        rounds = [rust_analyzer_nodes(crate) for _ in range(max(1, args.nextest_runs))]
        quiescent = statistics.median(r[0] for r in rounds)
        one_run = statistics.median(r[1] for r in rounds)
        listed_s = statistics.median(r[2] for r in rounds)
        nodes = rounds[-1][3]
        label = f"{EDITOR_RUNS} runs, {what}"
        report.row("editors", label, "rust-analyzer: quiescent", fmt_time(quiescent),
                   str(len(rounds)), "-", "-", "")
        report.row("editors", label, "rust-analyzer: one run's node expanded",
                   fmt_time(one_run) if nodes else "-", str(len(rounds)), "-", "-",
                   "median over the runs")
        report.row("editors", label, "rust-analyzer: all nodes listed", fmt_time(listed_s),
                   str(len(rounds)), "-", "-", f"{nodes} test nodes")
        report.data["editors"][what] = {"quiescent_s": quiescent, "one_run_s": one_run,
                                        "listed_s": listed_s, "nodes": nodes}
        if what == "with stubs" and nodes != stubs:
            raise SystemExit(f"rust-analyzer lists {nodes} test nodes for {stubs} stubs")


def slowest_units(html: Path, count: int = 4) -> str:
    """Returns the slowest compile units of a `cargo --timings` report, as "name 12.3 s"."""
    try:
        text = html.read_text()
        start = text.index("const UNIT_DATA = ") + len("const UNIT_DATA = ")
        units, _ = json.JSONDecoder().raw_decode(text, start)
        units.sort(key=lambda u: -u["duration"])
        return ", ".join(f"{u['name']}{u['target'].rstrip()} {u['duration']:.1f} s"
                         for u in units[:count])
    except (OSError, ValueError, KeyError) as err:
        return f"(no timings: {err})"


def part_build(args, spawn, report) -> None:
    cargo(["fetch"])  # downloads are not part of the measurement
    target = Path(tempfile.mkdtemp(prefix="fh-bench-target-"))
    env = dict(os.environ, CARGO_TARGET_DIR=str(target))
    for var in ("RUSTC_WRAPPER", "RUSTC_WORKSPACE_WRAPPER", "CARGO_INCREMENTAL"):
        env.pop(var, None)  # no compiler cache, cargo's default profiles
    try:
        times, cpu = {}, {}
        for name, cmd in (("cargo build --release", ["build", "--release"]),
                          ("cargo test --no-run", ["test", "--no-run"])):
            log(f"$ CARGO_TARGET_DIR={target} {name} -j {args.jobs} --timings")
            sample = spawn.run(["cargo", *cmd, "-j", str(args.jobs), "--timings"], cwd=REPO,
                               env=env, stdout=None, stderr=None)
            times[name], cpu[name] = sample.wall_s, sample.cpu_s
            slowest = slowest_units(target / "cargo-timings" / "cargo-timing.html")
            report.row("build", f"fresh target, -j {args.jobs}", name, fmt_time(sample.wall_s),
                       "1", f"{sample.maxrss_kib / 1024:.0f} MiB", "",
                       f"cpu {sample.cpu_s:.1f} s; slowest: {slowest}")
        total = sum(times.values())
        report.row("build", f"fresh target, -j {args.jobs}", "both", fmt_time(total), "1", "", "",
                   f"cpu {sum(cpu.values()):.1f} s")
        report.data["build"] = {"wall_s": {**times, "total": total},
                                "cpu_s": {**cpu, "total": sum(cpu.values())}}
        report.target(f"build: clean release build + test --no-run (-j {args.jobs})",
                      f"< {TARGET_BUILD_S:.0f} s", f"{total:.1f} s", total < TARGET_BUILD_S)
    finally:
        shutil.rmtree(target, ignore_errors=True)


def machine() -> str:
    """Describes the machine: cores, memory, CPU, kernel, toolchain."""
    def first(path: str, key: str) -> str:
        try:
            for line in Path(path).read_text().splitlines():
                if line.startswith(key):
                    return line.split(":", 1)[1].strip()
        except OSError:
            pass
        return "?"

    def version(cmd: list[str]) -> str:
        try:
            return subprocess.run(cmd, capture_output=True, text=True).stdout.strip()
        except OSError:
            return "?"

    mem_kib = int(first("/proc/meminfo", "MemTotal").split()[0])
    return (f"machine: {os.cpu_count()} CPUs ({first('/proc/cpuinfo', 'model name')}), "
            f"{mem_kib / 1024 / 1024:.1f} GiB RAM, Linux {os.uname().release}, "
            f"{version(['rustc', '-V'])}, Python {sys.version.split()[0]}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter,
                                 epilog=__doc__.split("\n", 2)[2])
    ap.add_argument("--only", default=",".join(PARTS),
                    help="comma-separated parts to run (default: all): " + " ".join(PARTS))
    ap.add_argument("--size-mib", type=int, default=256, help="log size for scan/absent (256)")
    ap.add_argument("--runs", type=int, default=5, help="timed runs of fault-summary (5)")
    ap.add_argument("--ref-runs", type=int, default=3, help="timed runs of the reference (3)")
    ap.add_argument("--cat-runs", type=int, default=5, help="timed `cat` runs (5)")
    ap.add_argument("--scaling-mib", default="1,4,16,64,256,1024",
                    help="log sizes of the scaling series, smallest first (1,...,1024)")
    ap.add_argument("--scaling-runs", type=int, default=11, help="runs per scaling size (11)")
    ap.add_argument("--scaling-ref-max-mib", type=int, default=64,
                    help="also check outputs against the reference up to this size (64)")
    ap.add_argument("--harness-profile", choices=("both", "debug", "release"), default="both")
    ap.add_argument("--harness-runs", type=int, default=15, help="runs per harness case (15)")
    ap.add_argument("--rows", type=int, default=100_000, help="manifest rows of the rows part")
    ap.add_argument("--rows-runs", type=int, default=3, help="timed runs of the rows part (3)")
    ap.add_argument("--nextest-runs", type=int, default=3, help="timed rounds of the nextest part (3)")
    ap.add_argument("--jobs", type=int, default=2, help="cargo -j for the build part (2)")
    ap.add_argument("--data-dir", type=Path, default=REPO / "bench-data")
    ap.add_argument("--reference", type=Path,
                    default=Path(os.environ.get("FAULT_REFERENCE", REPO.parent / "shared" /
                                                "reference" / "fault_summary_helper.py")))
    ap.add_argument("--python", default=sys.executable, help="interpreter for the reference")
    ap.add_argument("--regen", action="store_true", help="regenerate the run directories")
    ap.add_argument("--no-build", action="store_true",
                    help="use target/release/fault-summary as it is")
    ap.add_argument("--fault-summary", type=Path,
                    help="benchmark this binary instead of building target/release/fault-summary")
    ap.add_argument("--json", type=Path, help="also write the figures to this file")
    ap.add_argument("--make-history", nargs=2, metavar=("RUNS", "DIR"),
                    help="only write RUNS small nightly runs into DIR (for CI's partition test)")
    args = ap.parse_args()
    if args.make_history:
        count, folder = int(args.make_history[0]), Path(args.make_history[1])
        folder.mkdir(parents=True, exist_ok=True)
        print(generate_history(folder, count))
        return 0
    parts = [p.strip() for p in args.only.split(",") if p.strip()]
    unknown = set(parts) - set(PARTS)
    if unknown:
        ap.error(f"unknown part(s): {', '.join(sorted(unknown))}")
    args.data_dir = args.data_dir.resolve()
    args.reference = args.reference.resolve()
    if {"scan", "absent", "rows"} & set(parts) and not args.reference.exists():
        ap.error(f"reference not found: {args.reference} (set --reference or FAULT_REFERENCE)")
    work = Path(tempfile.gettempdir()) / f"fault-harness-bench-{os.getuid()}"
    work.mkdir(exist_ok=True)
    spawn = Spawner(work)
    report = Report()
    started = time.perf_counter()
    load_before = Path("/proc/loadavg").read_text().split()[:3]
    ours = REPO / "target" / "release" / "fault-summary"
    if args.fault_summary:
        ours = args.fault_summary.resolve()
    if {"scan", "absent", "all", "logs", "report", "scaling", "testprofile", "rows", "fsync"} & set(parts):
        if not args.no_build and not args.fault_summary:
            cargo(["build", "--release", "--bin", "fault-summary"])
        args.data_dir.mkdir(parents=True, exist_ok=True)
    for part in PARTS:
        if part not in parts:
            continue
        if part == "scan":
            part_scan(args, spawn, ours, report, absent=False)
        elif part == "absent":
            part_scan(args, spawn, ours, report, absent=True)
        elif part == "all":
            part_all(args, spawn, ours, report)
        elif part == "logs":
            part_logs(args, spawn, ours, report)
        elif part == "report":
            part_report(args, spawn, ours, report)
        elif part == "scaling":
            part_scaling(args, spawn, ours, report)
        elif part == "harness":
            part_harness(args, spawn, report)
        elif part == "testprofile":
            part_testprofile(args, spawn, ours, report)
        elif part == "history":
            args.data_dir.mkdir(parents=True, exist_ok=True)
            part_history(args, spawn, report)
        elif part == "rows":
            part_rows(args, spawn, ours, report)
        elif part == "fsync":
            part_fsync(args, spawn, ours, report)
        elif part == "nextest":
            args.data_dir.mkdir(parents=True, exist_ok=True)
            part_nextest(args, spawn, report)
        elif part == "editors":
            args.data_dir.mkdir(parents=True, exist_ok=True)
            part_editors(args, spawn, report)
        elif part == "build":
            part_build(args, spawn, report)
    print(machine())
    report.print()
    if args.size_mib != 256 and {"scan", "absent"} & set(parts):
        print("note: issue 4 states the scan/absent targets for 3 x 256 MiB logs")
    load_after = Path("/proc/loadavg").read_text().split()[:3]
    print(f"load average (1/5/15 min) before: {' '.join(load_before)}, after: "
          f"{' '.join(load_after)}; other work on the machine makes the figures noisy")
    log(f"done in {time.perf_counter() - started:.0f} s")
    if args.json:
        args.json.write_text(json.dumps(report.data, indent=2, default=str) + "\n")
    return 0 if all(t[3] for t in report.targets) else 1


if __name__ == "__main__":
    raise SystemExit(main())
