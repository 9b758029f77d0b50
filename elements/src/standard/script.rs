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
//! - `print` / `printn` *[>FILE | >>FILE] TEXT* — print TEXT, unquoted
//!   (`printn`: no newline), on standard output (the console in images),
//!   or into FILE (`>` replaces it, `>>` appends; linux only); TEXT
//!   starting with a letter, `_` or `@` is a handler whose value is
//!   printed (`print c.count`; write `print "text"` for words). `printq`,
//!   `printnq` unquote the handler's argument.
//! - `read` / `readq` *HANDLER [ARGS]* — print `HANDLER:` and its value on
//!   the console (standard error on linux).
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
//! `length`, `unquote`, `sprintf FORMAT ARGS…`, `get VAR`, `shift VAR`
//! (removes VAR's first word and gives it), `htonl`, `ntohl`, `htons`,
//! `ntohs` (byte order), `random [N1 [N2]]` and `now` (the wall clock,
//! seconds since 1970 with microseconds). `write set VAR VALUE` sets a
//! variable as the `set` instruction does. `$` references Click cannot resolve stay as written;
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
//! A `TYPE PACKET` script (or one with inputs and no TYPE) sits in the
//! packet path: each packet runs it from the start, with `$input` the
//! input port; `return N` sends the packet to output N, `end` (or the end
//! of the program) to output 0, and `exit`, `error` or a wait drop it.
//!
//! ## Handlers
//! - `step` (write) — advance the script by N steps (default 1).
//! - `goto` (write) — jump to a label and run from there.
//! - `run` (read/write) — run the script from the start with the
//!   arguments as `$args`, `$1`, `$2`…, `$#`; a read returns the `return`
//!   value.
//! - `set` (write) — `set VAR VALUE`.
//! - every function (`add`, `sprintf`, …) as a read handler with
//!   parameters (`read s.add 1 2`), and every `export`ed variable.
//! - `cat`, `catq` (private: hidden from control sockets) — a file's
//!   contents.
//!
//! ## Examples
//! ```click
//! Script(wait 5s, read c.count, write stop);
//! Script(set i 0, label again, print "round $i", set i $(add $i 1),
//!        wait 1s, goto again $(lt $i 10));
//! ```
//!
//! ## Differences from Click
//! - A packet script's `write`s of other elements' handlers are made
//!   after the task run that brought the packet (one packet for most
//!   sources), not at once, and `$?` is 0 after them; it cannot read
//!   other elements' handlers (that is an error). Packet scripts run on
//!   the generic runner (`nfc click`) only.
//! - `TYPE SIGNAL` is accepted, but no platform delivers signals to
//!   scripts; `PROXY` forwards nothing. A non-PACKET script with ports is
//!   not refused (Click refuses it); its packets are dropped.
//! - Not implemented: the functions `readable`, `writable`, `kill`;
//!   `$$`; the instructions `save` and `append`. A script cannot call its
//!   own `run`, `step` or `goto` from inside a run.
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

use alloc::collections::VecDeque;
use alloc::format;
use alloc::rc::Rc;
use alloc::string::{String, ToString};
use alloc::vec::Vec;
use core::cell::RefCell;
use core::time::Duration;
use nfc_dataplane::args::{split, ConfigError, ConfigErrors};
use nfc_dataplane::element::{Context, Element, HandlerError, Out, TaskResult};
use nfc_dataplane::packet::Packet;
use nfc_dataplane::parse;
use nfc_dataplane::pipeline::{Driver, DriverEvent, DriverStep, Pipeline};

use super::script_runner::{exported, Call, Runner};
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
    /// TYPE was given: ports do not make the script a packet script.
    explicit_type: bool,
    /// The interpreter: instruction pointer, variables, waits.
    runner: Runner,
    /// Write-handler calls a packet script made, waiting for the runtime
    /// ([`Element::take_call`]).
    calls: VecDeque<(String, String)>,
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
        explicit_type: driver,
        runner: Runner::named(if driver { "DriverManager" } else { "Script" }),
        calls: VecDeque::new(),
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
                Ok(t) => {
                    script.script_type = t;
                    script.explicit_type = true;
                }
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
                // As Click's: `wait` with an argument waits for a time
                // (`wait 10` is ten seconds); only the step waits count.
                let steps = matches!(op, "pause" | "wait_step" | "wait_stop")
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
                                hint: Some("wait takes a time such as 10, 1s or 250ms".into()),
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

    /// Splits the script into its two halves, which share its state: the
    /// element that sits in the packet path and answers its variables
    /// (for the router), and the driver the poll loop steps and whose
    /// handlers (`run`, `step`, functions) reach the rest of the
    /// configuration.
    pub fn split(self) -> (ScriptElement, ScriptDriver) {
        let name = String::from(self.runner.name());
        let shared = Rc::new(RefCell::new(self));
        (ScriptElement(shared.clone()), ScriptDriver { name, shared })
    }

    /// Reads the script's own handler `handler`: `run` with `param` as its
    /// arguments, an exported variable, or a function (`add 1 2`).
    fn read_own(
        &mut self,
        handler: &str,
        param: &str,
        pipeline: &mut dyn Pipeline,
        cx: &Context,
    ) -> Result<String, HandlerError> {
        if handler == "run" {
            return self.runner.call(
                Call::Run,
                param,
                false,
                &self.script_type,
                &self.instructions,
                pipeline,
                cx,
            );
        }
        match self
            .runner
            .own_read(handler, param, &exported(&self.instructions), cx)
        {
            Some(r) => r.map_err(HandlerError::Invalid),
            None => Err(HandlerError::NoSuchHandler),
        }
    }

    /// Writes the script's own handler `handler`: `run`, `step`, `goto`,
    /// or `set VAR VALUE`.
    fn write_own(
        &mut self,
        handler: &str,
        value: &str,
        pipeline: &mut dyn Pipeline,
        cx: &Context,
    ) -> Result<(), HandlerError> {
        let call = match handler {
            "run" => Call::Run,
            "step" => Call::Step,
            "goto" => Call::Goto,
            "set" => {
                let w = words(value);
                let Some(&(p, var)) = w.first() else {
                    return Err(HandlerError::Invalid("no variable".into()));
                };
                let rest = value[p + var.len()..].trim_start();
                self.runner.set_variable(var, rest);
                return Ok(());
            }
            _ => return Err(HandlerError::NoSuchHandler),
        };
        self.runner
            .call(
                call,
                value,
                true,
                &self.script_type,
                &self.instructions,
                pipeline,
                cx,
            )
            .map(|_| ())
    }
}

/// A script's element half ([`Script::split`]): in the router, it runs a
/// packet script on each packet and answers the exported variables.
#[derive(Debug)]
pub struct ScriptElement(Rc<RefCell<Script>>);

/// A script's driver half ([`Script::split`]): the poll loop steps it,
/// and handler calls on its name reach it.
#[derive(Debug)]
pub struct ScriptDriver {
    name: String,
    shared: Rc<RefCell<Script>>,
}

/// What a packet script sees of the rest of the configuration while a
/// packet passes: writes wait in the script's call queue until the
/// runtime makes them, after the task run ([`Element::take_call`]);
/// reads of other elements' handlers are refused.
struct Deferred<'a>(&'a mut VecDeque<(String, String)>);

impl Pipeline for Deferred<'_> {
    fn run_tasks(&mut self, _cx: &Context) -> TaskResult {
        TaskResult::Idle
    }

    fn read(&self, element: &str, handler: &str) -> Result<String, HandlerError> {
        Err(HandlerError::Invalid(format!(
            "a packet script cannot read '{element}.{handler}'"
        )))
    }

    fn write(&mut self, element: &str, handler: &str, value: &str) -> Result<(), HandlerError> {
        self.0
            .push_back((format!("{element}.{handler}"), value.into()));
        Ok(())
    }

    fn take_calls(&mut self, _calls: &mut Vec<(String, String)>) {}

    fn elements(&self) -> Vec<(&str, &str)> {
        Vec::new()
    }

    fn class_handlers(&self, _class: &str) -> Option<&'static [&'static str]> {
        None
    }

    fn classes(&self) -> Vec<&'static str> {
        Vec::new()
    }
}

impl Element for ScriptElement {
    fn set_ports(&mut self, ninputs: usize, _noutputs: usize) {
        if let Ok(mut s) = self.0.try_borrow_mut() {
            // As Click's test suite has it: a script with inputs and no
            // TYPE is a packet script.
            if !s.explicit_type && ninputs > 0 {
                s.script_type = ScriptType::Packet;
            }
        }
    }

    fn process(&mut self, cx: &Context, input: usize, _p: &mut Packet) -> Out {
        let Ok(mut s) = self.0.try_borrow_mut() else {
            return Out::Drop;
        };
        if s.script_type != ScriptType::Packet {
            return Out::Drop;
        }
        let Script {
            runner,
            instructions,
            calls,
            ..
        } = &mut *s;
        let (port, stop) = runner.packet(input, instructions, &mut Deferred(calls), cx);
        if stop {
            calls.push_back(("stop".into(), String::new()));
        }
        port.map_or(Out::Drop, Out::Port)
    }

    fn take_call(&mut self) -> Option<(String, String)> {
        self.0.try_borrow_mut().ok()?.calls.pop_front()
    }

    fn read_handler(&self, name: &str) -> Result<String, HandlerError> {
        let s = self
            .0
            .try_borrow()
            .map_err(|_| HandlerError::Invalid("the script is running".into()))?;
        if exported(&s.instructions).contains(&name) {
            Ok(s.runner.variable(name).unwrap_or_default().into())
        } else {
            Err(HandlerError::NoSuchHandler)
        }
    }
}

impl Driver for ScriptDriver {
    fn is_driver(&self) -> bool {
        self.shared.try_borrow().is_ok_and(|s| s.is_driver())
    }

    fn step(
        &mut self,
        pipeline: &mut dyn Pipeline,
        cx: &Context,
        event: DriverEvent,
    ) -> DriverStep {
        match self.shared.try_borrow_mut() {
            Ok(mut s) => s.step(pipeline, cx, event),
            Err(_) => DriverStep::Wait,
        }
    }

    fn next_event(&self) -> Option<u64> {
        self.shared.try_borrow().ok()?.next_event()
    }

    fn name(&self) -> &str {
        &self.name
    }

    fn read_handler(
        &mut self,
        handler: &str,
        param: &str,
        pipeline: &mut dyn Pipeline,
        cx: &Context,
    ) -> Result<String, HandlerError> {
        let mut s = self.shared.try_borrow_mut().map_err(|_| busy())?;
        Driver::read_handler(&mut *s, handler, param, pipeline, cx)
    }

    fn write_handler(
        &mut self,
        handler: &str,
        value: &str,
        pipeline: &mut dyn Pipeline,
        cx: &Context,
    ) -> Result<(), HandlerError> {
        let mut s = self.shared.try_borrow_mut().map_err(|_| busy())?;
        Driver::write_handler(&mut *s, handler, value, pipeline, cx)
    }
}

fn busy() -> HandlerError {
    HandlerError::Invalid("the script is running".into())
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

    fn next_event(&self) -> Option<u64> {
        self.runner.deadline()
    }

    fn name(&self) -> &str {
        self.runner.name()
    }

    fn read_handler(
        &mut self,
        handler: &str,
        param: &str,
        pipeline: &mut dyn Pipeline,
        cx: &Context,
    ) -> Result<String, HandlerError> {
        self.read_own(handler, param, pipeline, cx)
    }

    fn write_handler(
        &mut self,
        handler: &str,
        value: &str,
        pipeline: &mut dyn Pipeline,
        cx: &Context,
    ) -> Result<(), HandlerError> {
        self.write_own(handler, value, pipeline, cx)
    }
}

/// The handlers of Script and DriverManager, as their specs list them:
/// besides these, every function (`add`, `sprintf`, …) and every
/// exported variable is a read handler. `cat` and `catq` are private:
/// hidden from control sockets, as in Click.
pub(crate) const HANDLERS: &[&str] = &[
    "step (write)",
    "goto (write)",
    "run (read/write)",
    "set (write)",
    "cat (private)",
    "catq (private)",
];

/// Script's spec.
pub const SPEC: ElementSpec = ElementSpec {
    class: "Script",
    port_count: "-/-",
    processing: "ah/ah",
    flow_code: "x/x",
    keywords: &["TYPE"],
    handlers: HANDLERS,
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
        assert_eq!(
            s.instructions[2],
            Instruction::WaitTime(Duration::from_secs(3)),
            "wait N is N seconds, as in Click"
        );
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

    /// Runs packets with inputs `inputs` through a packet script; returns
    /// where each went and the calls it left.
    fn packets(config: &str, inputs: &[usize]) -> (Vec<Out>, Vec<(String, String)>) {
        use nfc_dataplane::element::Captured;
        use nfc_dataplane::packet::PacketPool;
        let (mut element, mut driver) = Script::configure(config).unwrap().named("s").split();
        element.set_ports(2, 3);
        let pool = PacketPool::new(4);
        let mut cx = Context::at(pool, 0);
        cx.console = Captured::leak();
        let mut fake = crate::standard::script_runner::tests::FakePipeline::default();
        assert_eq!(
            driver.step(&mut fake, &cx, DriverEvent::Start),
            DriverStep::Wait
        );
        let outs = inputs
            .iter()
            .map(|&i| {
                let mut p = pool.alloc_with(&[0]).unwrap();
                element.process(&cx, i, &mut p)
            })
            .collect();
        let calls = core::iter::from_fn(|| element.take_call()).collect();
        (outs, calls)
    }

    #[test]
    fn packet_scripts_choose_the_output() {
        let (outs, _) = packets(
            "init i 0, set j $i, set i $(if $(eq $i 0) 1 0), return $j",
            &[0, 0, 0],
        );
        assert_eq!(
            outs,
            [Out::Port(0), Out::Port(1), Out::Port(0)],
            "inputs make it PACKET"
        );
        let (outs, _) = packets("TYPE PACKET, return $input", &[1, 0]);
        assert_eq!(outs, [Out::Port(1), Out::Port(0)]);
        assert_eq!(packets("TYPE PACKET, end", &[0]).0, [Out::Port(0)]);
        assert_eq!(packets("TYPE PACKET", &[0]).0, [Out::Port(0)]);
        assert_eq!(packets("TYPE PACKET, exit", &[0]).0, [Out::Drop]);
        assert_eq!(packets("TYPE PACKET, return x", &[0]).0, [Out::Drop]);
        let (outs, calls) = packets("TYPE PACKET, write sw.switch $input, stop", &[1]);
        assert_eq!(outs, [Out::Drop], "stop drops the packet");
        assert_eq!(
            calls,
            [
                ("sw.switch".to_string(), "1".to_string()),
                ("stop".to_string(), String::new())
            ],
            "writes wait for the runtime"
        );
    }

    #[test]
    fn handlers_reach_scripts_through_the_driver_list() {
        use crate::standard::script_runner::tests::FakePipeline;
        use nfc_dataplane::element::Captured;
        use nfc_dataplane::packet::PacketPool;
        use nfc_dataplane::pipeline::Scripted;
        let console = Captured::leak();
        let mut cx = Context::at(PacketPool::new(1), 0);
        cx.console = console;
        let mut drivers: Vec<alloc::boxed::Box<dyn Driver>> = alloc::vec![
            alloc::boxed::Box::new(
                Script::configure("print $(s.run a \"b c\" d), print $(s.n), write s.set n 7, print $(s.n), print $(s.add 1 2)")
                    .unwrap()
                    .named("s0")
            ),
            alloc::boxed::Box::new(
                Script::configure("TYPE PASSIVE, export n 3, returnq \"$# $2 $0\"")
                    .unwrap()
                    .named("s")
            ),
        ];
        let mut fake = FakePipeline::default();
        let mut scripted = Scripted {
            pipeline: &mut fake,
            drivers: &mut drivers,
            cx,
        };
        assert_eq!(scripted.step(1, DriverEvent::Start), DriverStep::Wait);
        assert_eq!(scripted.step(0, DriverEvent::Start), DriverStep::Ended);
        assert_eq!(console.take(), ["3 \"b c\" run", "3", "7", "3"]);
        assert_eq!(scripted.call_read("s", "run", "x"), Ok("1  run".into()));
        assert_eq!(
            scripted.call_read("s", "nope", ""),
            Err(HandlerError::NoSuchHandler)
        );
        assert!(scripted.write("s", "goto", "nowhere").is_err());
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
