//! Every check of the bundled sample runs in `fault-runs/` (or of the run that
//! `FAULT_RUN_DIR` names) as a named test; see `fault_harness::harness`.
//!
//! Below the marker line: one empty `#[test]` function per test of `fault-runs/`,
//! at the test's name, for the editors' test explorers (`fault_harness::stubs`).
//! With `harness = false` they compile to nothing.

fn main() -> std::process::ExitCode {
    // Relative: taken from the crate's root as the test runs, so that it survives
    // nextest's --workspace-remap on another machine.
    fault_harness::harness::main("fault-runs")
}

// fault-harness: editor stubs below (FAULT_STUBS=write cargo test --test fault_suite)
#[allow(non_snake_case)]
mod nightly_0305 {
    mod reset_storm {
        /// drop_ratio_ppm ≤ 20,000 (degraded)
        #[test]
        fn drop_ratio_ppm_max() {}
        /// ingest_to_emit_samples ≥ 100 (degraded)
        #[test]
        fn ingest_to_emit_samples_min() {}
        /// p50_us ≤ 1,000 (degraded)
        #[test]
        fn p50_us_max() {}
        /// p99_us ≤ 2,000 (degraded)
        #[test]
        fn p99_us_max() {}
        /// reset_storm: its three exit codes are 0
        #[test]
        fn process_exit() {}
        /// reset_events ≥ 20 (degraded)
        #[test]
        fn reset_events_min() {}
    }
    mod sink_stall {
        /// drop_ratio_ppm ≤ 20,000 (degraded)
        #[test]
        fn drop_ratio_ppm_max() {}
        /// ingest_to_emit_samples ≥ 100 (degraded)
        #[test]
        fn ingest_to_emit_samples_min() {}
        /// p50_us ≤ 1,000 (degraded)
        #[test]
        fn p50_us_max() {}
        /// p95_us ≤ 2,000 (degraded)
        #[test]
        fn p95_us_max() {}
        /// sink_stall: its three exit codes are 0
        #[test]
        fn process_exit() {}
        /// sink_stall_events ≥ 200 (degraded)
        #[test]
        fn sink_stall_events_min() {}
    }
    mod suite {
        /// the run holds the suite's expected scenarios, once each
        #[test]
        fn expected_scenarios() {}
    }
    mod torn_read {
        /// drop_ratio_ppm ≤ 20,000 (degraded)
        #[test]
        fn drop_ratio_ppm_max() {}
        /// ingest_to_emit_samples ≥ 100 (degraded)
        #[test]
        fn ingest_to_emit_samples_min() {}
        /// p50_us ≤ 1,000 (degraded)
        #[test]
        fn p50_us_max() {}
        /// p99_us ≤ 2,000 (degraded)
        #[test]
        fn p99_us_max() {}
        /// torn_read: its three exit codes are 0
        #[test]
        fn process_exit() {}
        /// torn_read_events ≥ 200 (degraded)
        #[test]
        fn torn_read_events_min() {}
    }
}
