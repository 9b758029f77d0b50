//! # DriverManager — a Script that manages driver stop events
//!
//! ```click
//! DriverManager(INSTRUCTIONS...)
//! ```
//!
//! Ports: any number of inputs and outputs (`-/-`). Processing: agnostic
//! port 0, push on later ports (`ah/ah`).
//!
//! A Script of type DRIVER: it decides when the router stops. Elements
//! that ask the router to stop (FromDump with `STOP true`, InfiniteSource
//! with a LIMIT and `STOP true`) step the script instead of stopping it,
//! and the router stops when the script reaches its end or a `stop`
//! instruction. Without instructions it stops at the first stop request.
//! The instruction language is Script's (see `nfc elements Script`):
//! `wait`, `wait_stop`, `wait_time`, `print`, `read`, `write`, `set`,
//! `label`, `goto`, `loop`, `stop` and the rest.
//!
//! ## Keywords
//! None; every argument is an instruction.
//!
//! ## Handlers
//! - `step` (write) — advance the script by N steps (default 1). Not yet
//!   in nfc.
//! - `goto` (write) — jump to a label. Not yet in nfc.
//!
//! ## Examples
//! ```click
//! FromDump(in.pcap, STOP true) -> c :: Counter -> ToDump(out.pcap);
//! DriverManager(wait_stop, read c.count, stop);
//! DriverManager(set t0 $(now), wait, set t1 $(now),
//!               print "elapsed $(sub $t1 $t0) s");
//! ```
//!
//! ## Differences from Click
//! - Those of Script (`step` and `goto` are not there yet; which
//!   functions and handlers exist).

use alloc::string::String;
use nfc_dataplane::args::ConfigErrors;
use nfc_dataplane::element::{Context, HandlerError};
use nfc_dataplane::pipeline::{Driver, DriverEvent, DriverStep, Pipeline};

use super::script::{parse_script, Script};
use crate::{ElementSpec, Ports};

/// DriverManager's configuration: a driver script.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DriverManager {
    /// The script, of type [`ScriptType::Driver`](super::script::ScriptType::Driver).
    pub script: Script,
}

impl DriverManager {
    /// Parses DriverManager's configuration string.
    pub fn configure(config: &str) -> Result<Self, ConfigErrors> {
        parse_script(config, true).map(|script| DriverManager { script })
    }

    /// Names the element in the script's messages (`While executing
    /// 'name':`); the class name is used until then.
    #[must_use]
    pub fn named(self, name: &str) -> Self {
        DriverManager {
            script: self.script.named(name),
        }
    }
}

/// A DriverManager runs as its script does; it is always a driver.
impl Driver for DriverManager {
    fn is_driver(&self) -> bool {
        true
    }

    fn step(
        &mut self,
        pipeline: &mut dyn Pipeline,
        cx: &Context,
        event: DriverEvent,
    ) -> DriverStep {
        self.script.step(pipeline, cx, event)
    }

    fn next_event(&self) -> Option<u64> {
        self.script.next_event()
    }

    fn name(&self) -> &str {
        self.script.name()
    }

    fn read_handler(
        &mut self,
        handler: &str,
        param: &str,
        pipeline: &mut dyn Pipeline,
        cx: &Context,
    ) -> Result<String, HandlerError> {
        self.script.read_handler(handler, param, pipeline, cx)
    }

    fn write_handler(
        &mut self,
        handler: &str,
        value: &str,
        pipeline: &mut dyn Pipeline,
        cx: &Context,
    ) -> Result<(), HandlerError> {
        self.script.write_handler(handler, value, pipeline, cx)
    }
}

/// DriverManager's spec.
pub const SPEC: ElementSpec = ElementSpec {
    class: "DriverManager",
    port_count: "-/-",
    processing: "ah/ah",
    flow_code: "x/x",
    keywords: &[],
    handlers: super::script::HANDLERS,
    summary: "a Script that manages driver stop events",
    source: include_str!("driver_manager.rs"),
    check: |c| DriverManager::configure(c).map(|_| Ports::DECLARED),
};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::standard::script::{Instruction, ScriptType};
    use crate::standard::script_runner::tests::{cx_at, FakePipeline};
    use crate::standard::testing::{errors, has};
    use nfc_dataplane::element::Captured;

    #[test]
    fn program() {
        let d = DriverManager::configure("wait_stop 2, read c.count, stop").unwrap();
        assert_eq!(d.script.script_type, ScriptType::Driver);
        assert_eq!(d.script.instructions[0], Instruction::WaitSteps(2));
        assert!(DriverManager::configure("")
            .unwrap()
            .script
            .instructions
            .is_empty());
    }

    /// The script every bench configuration ends with.
    const BENCH: &str = r#"set t0 $(now), wait, set t1 $(now), print "RESULT cin $(cin.count) out $(cout.count) elapsed $(sub $t1 $t0)""#;

    #[test]
    fn the_bench_script_reports_counts_and_elapsed_time() {
        let mut dm = DriverManager::configure(BENCH).unwrap();
        assert!(dm.is_driver());
        let mut p = FakePipeline::with(&[("cin", "count", "0"), ("cout", "count", "0")]);
        let console = Captured::leak();
        let start = cx_at(console, 5, 1_700_000_000_250_000_000);
        assert_eq!(
            dm.step(&mut p, &start, DriverEvent::Start),
            DriverStep::Wait
        );
        let round = cx_at(console, 6, 1_700_000_001_000_000_000);
        assert_eq!(
            dm.step(&mut p, &round, DriverEvent::Round),
            DriverStep::Wait
        );
        assert!(console.take().is_empty());
        p.set("cin", "count", "1000000");
        p.set("cout", "count", "999872");
        let end = cx_at(console, 7, 1_700_000_012_750_000_000);
        assert_eq!(
            dm.step(&mut p, &end, DriverEvent::StopRequest),
            DriverStep::Stop
        );
        assert_eq!(
            console.take(),
            ["RESULT cin 1000000 out 999872 elapsed 12.5"]
        );
    }

    #[test]
    fn without_instructions_it_stops_at_the_first_stop_request() {
        let mut dm = DriverManager::configure("").unwrap();
        let mut p = FakePipeline::default();
        let console = Captured::leak();
        let cx = cx_at(console, 0, 0);
        assert_eq!(dm.step(&mut p, &cx, DriverEvent::Start), DriverStep::Wait);
        assert_eq!(dm.step(&mut p, &cx, DriverEvent::Round), DriverStep::Wait);
        assert_eq!(
            dm.step(&mut p, &cx, DriverEvent::StopRequest),
            DriverStep::Stop
        );
        assert!(console.take().is_empty());
    }

    #[test]
    fn stop_requests_step_the_program() {
        let mut dm = DriverManager::configure("wait_stop 2, read c.count, wait_stop, print 'bye'")
            .unwrap()
            .named("dm");
        let mut p = FakePipeline::with(&[("c", "count", "3")]);
        let console = Captured::leak();
        let cx = cx_at(console, 0, 0);
        assert_eq!(dm.step(&mut p, &cx, DriverEvent::Start), DriverStep::Wait);
        assert_eq!(
            dm.step(&mut p, &cx, DriverEvent::StopRequest),
            DriverStep::Wait
        );
        assert!(console.take().is_empty());
        assert_eq!(
            dm.step(&mut p, &cx, DriverEvent::StopRequest),
            DriverStep::Wait
        );
        assert_eq!(console.take(), ["c.count:", "3"]);
        assert_eq!(
            dm.step(&mut p, &cx, DriverEvent::StopRequest),
            DriverStep::Stop
        );
        assert_eq!(console.take(), ["bye"]);
        // Errors name the element.
        let mut dm = DriverManager::configure("read c.nope, end")
            .unwrap()
            .named("dm");
        assert_eq!(dm.step(&mut p, &cx, DriverEvent::Start), DriverStep::Ended);
        assert_eq!(
            console.take(),
            ["While executing 'dm':", "  no 'c.nope' read handler"]
        );
    }

    #[test]
    fn bad_programs() {
        let cfg = "TYPE ACTIVE, wait_stop x, jump";
        let errs = errors(cfg, DriverManager::configure(cfg));
        assert_eq!(errs.len(), 3, "{errs:?}");
        assert!(has(&errs, "does not take TYPE", "TYPE"), "{errs:?}");
        assert!(has(&errs, "step count", "x"), "{errs:?}");
        assert!(has(&errs, "unknown instruction", "jump"), "{errs:?}");
    }
}
