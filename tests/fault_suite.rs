//! Every check of the bundled sample runs in `fault-runs/` (or of the run that
//! `FAULT_RUN_DIR` names) as a named test; see `fault_harness::harness`.

fn main() -> std::process::ExitCode {
    fault_harness::harness::main(concat!(env!("CARGO_MANIFEST_DIR"), "/fault-runs"))
}
