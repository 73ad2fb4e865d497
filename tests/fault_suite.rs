//! Every check of the bundled sample runs in `fault-runs/` (or of the run that
//! `FAULT_RUN_DIR` names) as a named test; see `fault_harness::harness`.

fn main() -> std::process::ExitCode {
    // Relative: taken from the crate's root as the test runs, so that it survives
    // nextest's --workspace-remap on another machine.
    fault_harness::harness::main("fault-runs")
}
