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
//! - `step` (write) — advance the script by N steps (default 1).
//! - `goto` (write) — jump to a label.
//!
//! ## Examples
//! ```click
//! FromDump(in.pcap, STOP true) -> c :: Counter -> ToDump(out.pcap);
//! DriverManager(wait_stop, read c.count, stop);
//! ```
//!
//! ## Differences from Click
//! - none in the language; see Script.

use nfc_dataplane::args::ConfigErrors;

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
}

/// DriverManager's spec.
pub const SPEC: ElementSpec = ElementSpec {
    class: "DriverManager",
    port_count: "-/-",
    processing: "ah/ah",
    flow_code: "x/x",
    keywords: &[],
    handlers: &["step (write)", "goto (write)"],
    summary: "a Script that manages driver stop events",
    source: include_str!("driver_manager.rs"),
    check: |c| DriverManager::configure(c).map(|_| Ports::DECLARED),
};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::standard::script::{Instruction, ScriptType};
    use crate::standard::testing::{errors, has};

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
