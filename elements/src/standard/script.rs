//! # Script — script a Click router configuration
//!
//! ```click
//! Script([TYPE type,] INSTRUCTIONS...)
//! ```
//!
//! Ports: any number of inputs and outputs (`-/-`). Processing: agnostic
//! port 0, push on later ports (`ah/ah`).
//!
//! Runs a small program of instructions, one per argument, that reads and
//! writes handlers, waits, prints and branches; tests use it to drive a
//! router and to stop it. An instruction is a lower-case word followed by
//! its argument text:
//!
//! - `wait` / `pause` / `wait_step` / `wait_stop` *[N]* — wait until the
//!   script is stepped N times (default 1); `wait T` with a time (`1s`,
//!   `250ms`) waits that long, as do `wait_time T` and `wait_for T`.
//! - `print` / `printn` *TEXT* — print TEXT, unquoted (`printn`: no
//!   newline); TEXT starting with a letter, `_` or `@` is a handler whose
//!   value is printed (`print c.count`; write `print "text"` for words).
//!   `printq`, `printnq` unquote the handler's argument.
//! - `read` / `readq` *HANDLER [ARGS]* — print a handler's value.
//! - `write` / `writeq` *HANDLER [VALUE]* — call a write handler; `$?` holds
//!   its status afterwards.
//! - `set` / `setq` *VAR EXPR* — set a variable; `init` / `initq` *VAR [EXPR]*
//!   sets it once, before the script runs; `export` / `exportq` *VAR [EXPR]*
//!   also makes it a handler.
//! - `label` *NAME* — a jump target; `goto` *LABEL [CONDITION]* jumps when
//!   CONDITION is true or absent (`begin`, `end`, `exit`, `error` are
//!   built-in labels); `loop` jumps back to the start.
//! - `return` / `returnq` *[VALUE]* — end the run, giving VALUE to `run`
//!   (outside `run`, the script stays at the `return`).
//! - `end` — end the script; `exit` — leave this run; `stop` — stop the
//!   router; `error` / `errorq` *[MESSAGE]* — end with an error.
//!
//! Arguments are expanded when their instruction runs: `$VAR` and `${VAR}`
//! give a variable, `$?` the last `write`'s status (0, or a negative
//! errno), and `$(…)` the value of a read handler (`$(c.count)`) or of a
//! Script function: `add`, `sub`, `mul`, `div`, `idiv`, `min`, `max`,
//! `mod`, `rem`, `neg`, `abs` (integers, or decimals as soon as one operand
//! is one), `eq`, `ne`, `lt`, `gt`, `le`, `ge` (numbers, else strings),
//! `not`, `and`, `or`, `nand`, `nor`, `if C A B`, `in W LIST…`, `first`,
//! `length`, `unquote`, `sprintf FORMAT ARGS…`, `get VAR`, `random [N1
//! [N2]]` and `now` (the wall clock, seconds since 1970 with
//! microseconds). `$` references Click cannot resolve stay as written;
//! `'…'` quotes protect from expansion. A `goto` condition must be a
//! boolean (`true`, `false`, `1`, `0`, `yes`, `no`, …); an empty one
//! jumps.
//!
//! A driver script ends with an implicit `stop`. The write handler `stop`
//! (`write stop`) asks the router to stop.
//!
//! ## Keywords
//! - `TYPE` — `ACTIVE` (default: runs at start-up), `PASSIVE` (runs only when
//!   its `run` handler is called), `DRIVER` (decides when the router stops,
//!   like DriverManager), `PROXY`, `PACKET`, or `SIGNAL` followed by signal
//!   names (`INT`, `TERM`, `HUP`, `USR1`, `USR2`, `QUIT`, `ABRT`, `PIPE`, `TSTP`).
//!
//! ## Handlers
//! - `step` (write) — advance the script by N steps (default 1). Not yet
//!   in nfc.
//! - `goto` (write) — jump to a label. Not yet in nfc.
//! - `run` (read/write) — run a passive script, returning its `return`
//!   value. Not yet in nfc.
//!
//! ## Examples
//! ```click
//! Script(wait 5s, read c.count, write stop);
//! Script(set i 0, label again, print "round $i", set i $(add $i 1),
//!        wait 1s, goto again $(lt $i 10));
//! ```
//!
//! ## Differences from Click
//! - The handlers `step`, `goto` and `run` are not there yet, so a
//!   `PASSIVE`, `PROXY`, `PACKET` or `SIGNAL` script never runs (`TYPE
//!   SIGNAL` is accepted, but no platform delivers signals to scripts),
//!   and `$args`, `$#`, `$0`, `$1`… are always empty. Neither are the
//!   function handlers as handlers (`read s.add 1 2` from outside), nor
//!   `get`/`set`/`shift` as write handlers, nor `export`ed variables as
//!   read handlers.
//! - Not implemented: the functions `readable`, `writable`, `htons`,
//!   `htonl`, `ntohs`, `ntohl`, `cat`, `catq`, `kill`; `$$`; the
//!   instructions `save` and `append`; `print >FILE`; handler read
//!   parameters for element handlers (`read e.h ARG` is an error).
//! - Only the global handler `stop` exists. A non-driver script's `write
//!   stop` (and its `stop` instruction) stops the router at the end of the
//!   step even when a driver script is present (Click steps the driver
//!   instead); a driver script's own `write stop` steps it once, as in
//!   Click.
//! - Element names are not resolved relative to a compound element.
//! - `wait` takes a literal time, checked at configuration (Click expands
//!   `$` in it at run time). Timed waits and `now` are as fine as a poll
//!   round.
//! - Decimals are doubles printed as C's `%.12g`, as in Click at user
//!   level; `now` has microseconds, as Click without nanosecond
//!   timestamps. `random` is an xorshift generator seeded from the clock,
//!   not for secrets.
//! - Integer `mod`/`rem` by zero report `division by zero` (Click
//!   crashes); a
//!   `write` to a missing handler sets `$?` to -2 (Click leaves it).
//! - `sprintf` takes no `*` width or precision (Click's rejects them too).
//! - Errors print as `While executing 'NAME':` and indented lines; the
//!   name is the class's unless the platform names the element
//!   (`Script::named`). `read` output goes to the same console as
//!   `print`.

use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;
use core::time::Duration;
use nfc_dataplane::args::{split, ConfigError, ConfigErrors};
use nfc_dataplane::element::Context;
use nfc_dataplane::parse;
use nfc_dataplane::pipeline::{Driver, DriverEvent, DriverStep, Pipeline};

use super::script_runner::Runner;
use super::{error, error_hint, sub_span, words};
use crate::{ElementSpec, Ports};

/// When a script runs.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum ScriptType {
    /// Runs when the router starts.
    #[default]
    Active,
    /// Runs only when its `run` handler is called.
    Passive,
    /// Decides when the router stops.
    Driver,
    /// Forwards handler calls.
    Proxy,
    /// Runs once per packet.
    Packet,
    /// Runs when one of these signals arrives (names as written).
    Signal(Vec<String>),
}

/// How a `set`-like instruction treats its variable.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SetKind {
    /// `set`: assigned when executed.
    Set,
    /// `init`: assigned once before the script runs.
    Init,
    /// `export`: like `init`, and readable as a handler.
    Export,
}

/// One instruction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Instruction {
    /// Wait until the script is stepped this many times.
    WaitSteps(u32),
    /// Wait this long.
    WaitTime(Duration),
    /// Print text (or a handler's value).
    Print {
        /// The text, unexpanded.
        text: String,
        /// Whether a newline follows.
        newline: bool,
        /// Whether the text is unquoted after expansion.
        unquote: bool,
    },
    /// Read a handler and print its value.
    Read {
        /// Handler and arguments, unexpanded.
        text: String,
        /// Whether the text is unquoted after expansion.
        unquote: bool,
    },
    /// Call a write handler.
    Write {
        /// Handler and value, unexpanded.
        text: String,
        /// Whether the text is unquoted after expansion.
        unquote: bool,
    },
    /// Assign a variable.
    Set {
        /// Which assignment.
        kind: SetKind,
        /// The variable name.
        var: String,
        /// The value expression, unexpanded.
        value: String,
        /// Whether the value is unquoted after expansion.
        unquote: bool,
    },
    /// A jump target.
    Label(String),
    /// Jump to a label when the condition is true or absent.
    Goto {
        /// The target label (`begin` for `loop`).
        label: String,
        /// The condition, unexpanded.
        condition: Option<String>,
    },
    /// End this run with a value.
    Return {
        /// The value, unexpanded.
        value: String,
        /// Whether the value is unquoted after expansion.
        unquote: bool,
    },
    /// End the script.
    End,
    /// Leave this run.
    Exit,
    /// Stop the router.
    Stop,
    /// End with an error message.
    Error {
        /// The message, unexpanded.
        message: String,
        /// Whether the message is unquoted after expansion.
        unquote: bool,
    },
}

/// Script's configuration, and its state while it runs.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Script {
    /// When the script runs.
    pub script_type: ScriptType,
    /// The program.
    pub instructions: Vec<Instruction>,
    /// The interpreter: instruction pointer, variables, waits.
    runner: Runner,
}

/// Labels every script has.
const BUILTIN_LABELS: &[&str] = &["begin", "end", "exit", "error"];
const SIGNALS: &[&str] = &[
    "INT", "TERM", "HUP", "USR1", "USR2", "QUIT", "ABRT", "PIPE", "TSTP",
];
const INSTRUCTIONS: &[&str] = &[
    "wait",
    "pause",
    "wait_step",
    "wait_stop",
    "wait_time",
    "wait_for",
    "print",
    "printn",
    "printq",
    "printnq",
    "read",
    "readq",
    "write",
    "writeq",
    "set",
    "setq",
    "init",
    "initq",
    "export",
    "exportq",
    "label",
    "goto",
    "loop",
    "return",
    "returnq",
    "end",
    "exit",
    "stop",
    "error",
    "errorq",
];

fn parse_type(text: &str) -> Result<ScriptType, String> {
    let w: Vec<&str> = text.split_whitespace().collect();
    match w.as_slice() {
        ["ACTIVE"] => Ok(ScriptType::Active),
        ["PASSIVE"] => Ok(ScriptType::Passive),
        ["DRIVER"] => Ok(ScriptType::Driver),
        ["PROXY"] => Ok(ScriptType::Proxy),
        ["PACKET"] => Ok(ScriptType::Packet),
        ["SIGNAL", sigs @ ..] if !sigs.is_empty() => {
            match sigs.iter().find(|s| !SIGNALS.contains(s)) {
                Some(bad) => Err(format!("unknown signal \"{bad}\"")),
                None => Ok(ScriptType::Signal(
                    sigs.iter().map(|s| s.to_string()).collect(),
                )),
            }
        }
        _ => Err(format!("bad TYPE \"{text}\"")),
    }
}

/// Parses a script program; `driver` is DriverManager's fixed `TYPE DRIVER`
/// (a TYPE argument is then an error).
pub(crate) fn parse_script(config: &str, driver: bool) -> Result<Script, ConfigErrors> {
    let mut errs: Vec<ConfigError> = Vec::new();
    let mut script = Script {
        script_type: if driver {
            ScriptType::Driver
        } else {
            ScriptType::Active
        },
        instructions: Vec::new(),
        runner: Runner::named(if driver { "DriverManager" } else { "Script" }),
    };
    // (label name, span) of every goto, checked once all labels are known.
    let mut gotos: Vec<(String, core::ops::Range<usize>)> = Vec::new();
    let mut labels: Vec<String> = Vec::new();
    for arg in split(config) {
        let w = words(&arg.text);
        let Some(&(_, op)) = w.first() else {
            continue; // empty instructions are harmless
        };
        let op_span = sub_span(config, &arg, 0..op.len());
        let rest_text = arg.text.get(op.len()..).unwrap_or("").trim();
        let rest = rest_text.to_string();
        let rest_span = match w.get(1) {
            Some(&(p, _)) => sub_span(config, &arg, p..arg.text.len()),
            None => op_span.clone(),
        };
        if op == "TYPE" {
            if driver {
                errs.push(error(
                    op_span,
                    "DriverManager does not take TYPE; it is always a driver",
                ));
                continue;
            }
            match parse_type(rest_text) {
                Ok(t) => script.script_type = t,
                Err(m) => errs.push(error_hint(
                    rest_span,
                    m,
                    "TYPE is ACTIVE, PASSIVE, DRIVER, PROXY, PACKET or SIGNAL followed by signal names",
                )),
            }
            continue;
        }
        let unquote = op.ends_with('q') && op != "wait_for";
        let insn = match op {
            "wait" | "pause" | "wait_step" | "wait_stop" if rest.is_empty() => {
                Some(Instruction::WaitSteps(1))
            }
            "wait" | "pause" | "wait_step" | "wait_stop" | "wait_time" | "wait_for" => {
                let steps = matches!(op, "wait" | "pause" | "wait_step" | "wait_stop")
                    .then(|| parse::unsigned::<u32>(&rest).ok())
                    .flatten();
                match steps {
                    Some(n) => Some(Instruction::WaitSteps(n)),
                    None if matches!(op, "pause" | "wait_step" | "wait_stop") => {
                        errs.push(error(
                            rest_span,
                            format!("{op} takes a step count, found \"{rest}\""),
                        ));
                        None
                    }
                    None => match parse::duration(&rest) {
                        Ok(d) => Some(Instruction::WaitTime(d)),
                        Err(e) => {
                            errs.push(ConfigError {
                                span: Some(rest_span),
                                message: e.message,
                                hint: Some(
                                    "wait takes a step count or a time such as 1s or 250ms".into(),
                                ),
                            });
                            None
                        }
                    },
                }
            }
            "print" | "printn" | "printq" | "printnq" => Some(Instruction::Print {
                text: rest,
                newline: !op.starts_with("printn"),
                unquote,
            }),
            "read" | "readq" | "write" | "writeq" => {
                if rest.is_empty() {
                    errs.push(error(op_span, format!("{op} needs a handler name")));
                    None
                } else if op.starts_with("read") {
                    Some(Instruction::Read {
                        text: rest,
                        unquote,
                    })
                } else {
                    Some(Instruction::Write {
                        text: rest,
                        unquote,
                    })
                }
            }
            "set" | "setq" | "init" | "initq" | "export" | "exportq" | "return" | "returnq" => {
                let is_return = op.starts_with("return");
                let (var, value) = if is_return {
                    (String::from("_"), rest)
                } else {
                    match w.get(1) {
                        Some(&(p, v)) => (
                            v.to_string(),
                            arg.text.get(p + v.len()..).unwrap_or("").trim().to_string(),
                        ),
                        None => (String::new(), String::new()),
                    }
                };
                if var.is_empty() {
                    errs.push(error(op_span, format!("{op} needs a variable name")));
                    None
                } else if op.starts_with("set") && value.is_empty() {
                    errs.push(error(
                        rest_span,
                        format!("{op} needs a value after the variable"),
                    ));
                    None
                } else if is_return {
                    Some(Instruction::Return { value, unquote })
                } else {
                    let kind = match op {
                        "set" | "setq" => SetKind::Set,
                        "init" | "initq" => SetKind::Init,
                        _ => SetKind::Export,
                    };
                    Some(Instruction::Set {
                        kind,
                        var,
                        value,
                        unquote,
                    })
                }
            }
            "label" => {
                if w.len() != 2 {
                    errs.push(error(
                        if w.len() < 2 { op_span } else { rest_span },
                        "label takes exactly one name",
                    ));
                    None
                } else {
                    labels.push(rest.clone());
                    Some(Instruction::Label(rest))
                }
            }
            "goto" => match w.get(1) {
                Some(&(p, l)) => {
                    gotos.push((l.to_string(), sub_span(config, &arg, p..p + l.len())));
                    let cond = arg.text.get(p + l.len()..).unwrap_or("").trim();
                    Some(Instruction::Goto {
                        label: l.to_string(),
                        condition: (!cond.is_empty()).then(|| cond.to_string()),
                    })
                }
                None => {
                    errs.push(error(op_span, "goto needs a label"));
                    None
                }
            },
            "loop" | "end" | "exit" | "stop" if !rest.is_empty() => {
                errs.push(error(rest_span, format!("{op} takes no argument")));
                None
            }
            "loop" => Some(Instruction::Goto {
                label: "begin".into(),
                condition: None,
            }),
            "end" => Some(Instruction::End),
            "exit" => Some(Instruction::Exit),
            "stop" => Some(Instruction::Stop),
            "error" | "errorq" => Some(Instruction::Error {
                message: rest,
                unquote,
            }),
            _ => {
                let hint = INSTRUCTIONS
                    .iter()
                    .find(|i| i.eq_ignore_ascii_case(op))
                    .map(|i| format!("did you mean `{i}`?"))
                    .unwrap_or_else(|| {
                        "instructions are wait, print, read, write, set, init, label, goto, loop, return, end, exit, stop, error …".into()
                    });
                errs.push(error_hint(
                    op_span,
                    format!("unknown instruction \"{op}\""),
                    hint,
                ));
                None
            }
        };
        script.instructions.extend(insn);
    }
    for (label, span) in gotos {
        if !labels.contains(&label) && !BUILTIN_LABELS.contains(&label.as_str()) {
            errs.push(error(span, format!("no such label \"{label}\"")));
        }
    }
    if errs.is_empty() {
        Ok(script)
    } else {
        Err(ConfigErrors(errs))
    }
}

impl Script {
    /// Parses Script's configuration string.
    pub fn configure(config: &str) -> Result<Self, ConfigErrors> {
        parse_script(config, false)
    }

    /// Names the element in the script's messages (`While executing
    /// 'name':`); the class name is used until then.
    #[must_use]
    pub fn named(mut self, name: &str) -> Self {
        self.runner.set_name(name);
        self
    }
}

impl Driver for Script {
    fn is_driver(&self) -> bool {
        self.script_type == ScriptType::Driver
    }

    fn step(
        &mut self,
        pipeline: &mut dyn Pipeline,
        cx: &Context,
        event: DriverEvent,
    ) -> DriverStep {
        self.runner
            .step(&self.script_type, &self.instructions, pipeline, cx, event)
    }
}

/// Script's spec.
pub const SPEC: ElementSpec = ElementSpec {
    class: "Script",
    port_count: "-/-",
    processing: "ah/ah",
    flow_code: "x/x",
    keywords: &["TYPE"],
    handlers: &["step (write)", "goto (write)", "run (read/write)"],
    summary: "script a Click router configuration",
    source: include_str!("script.rs"),
    check: |c| Script::configure(c).map(|_| Ports::DECLARED),
};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::standard::testing::{errors, has};

    #[test]
    fn program() {
        let s = Script::configure(
            "TYPE PASSIVE, wait 5s, pause, wait 3, label again, print \"hi\", \
             read c.count, write c.reset, set x $(add 1 2), goto again $(lt $x 3), loop, stop",
        )
        .unwrap();
        assert_eq!(s.script_type, ScriptType::Passive);
        assert_eq!(
            s.instructions[0],
            Instruction::WaitTime(Duration::from_secs(5))
        );
        assert_eq!(s.instructions[1], Instruction::WaitSteps(1));
        assert_eq!(s.instructions[2], Instruction::WaitSteps(3));
        assert_eq!(s.instructions[3], Instruction::Label("again".into()));
        assert_eq!(
            s.instructions[7],
            Instruction::Set {
                kind: SetKind::Set,
                var: "x".into(),
                value: "$(add 1 2)".into(),
                unquote: false
            }
        );
        assert_eq!(
            s.instructions[8],
            Instruction::Goto {
                label: "again".into(),
                condition: Some("$(lt $x 3)".into())
            }
        );
        assert_eq!(s.instructions.last(), Some(&Instruction::Stop));
        assert_eq!(
            Script::configure("TYPE SIGNAL INT TERM")
                .unwrap()
                .script_type,
            ScriptType::Signal(alloc::vec!["INT".into(), "TERM".into()])
        );
    }

    #[test]
    fn errors_point_at_the_instruction() {
        let cfg = "wiat 1, wait soon, goto nowhere, label a b, TYPE BUSY, stop now, set x, Print x";
        let errs = errors(cfg, Script::configure(cfg));
        assert_eq!(errs.len(), 8, "{errs:?}");
        assert!(has(&errs, "unknown instruction", "wiat"), "{errs:?}");
        assert!(has(&errs, "", "soon"), "{errs:?}");
        assert!(has(&errs, "no such label", "nowhere"), "{errs:?}");
        assert!(has(&errs, "exactly one", "a b"), "{errs:?}");
        assert!(has(&errs, "bad TYPE", "BUSY"), "{errs:?}");
        assert!(has(&errs, "no argument", "now"), "{errs:?}");
        assert!(has(&errs, "needs a value", "x"), "{errs:?}");
        assert!(has(&errs, "unknown instruction", "Print"), "{errs:?}");
    }
}
