//! The run-time part of Script and DriverManager: Click's script
//! interpreter.
//!
//! A [`Runner`] holds what Click's `Script` element keeps while it runs:
//! the instruction pointer, the variables, how many steps each `wait` has
//! seen, the deadline of a timed wait, and `$?`. The poll loop calls it
//! through [`nfc_dataplane::pipeline::Driver`]; Script and DriverManager
//! implement that trait by handing their program to their runner.
//!
//! The semantics are those of Click's `elements/standard/script.cc`:
//!
//! - A step runs instructions until one waits. `wait N` consumes steps
//!   (a driver script is stepped by each stop request); `wait T` consumes
//!   one step too, which a stop request or the expiry of its deadline
//!   gives. A `wait` passed once stays passed until a `goto` jumps back
//!   over it.
//! - A script whose first instruction is not a wait runs at start-up; one
//!   that starts with `wait T` starts its clock at start-up.
//! - A driver script ends with an implicit `stop`; DriverManager without
//!   instructions waits for one stop request, then stops.
//! - Arguments are expanded when an instruction runs: `$VAR`, `${VAR}`,
//!   `$?`, and `$(…)`, which reads a handler (`$(c.count)`) or calls a
//!   Script function (`$(add $x 1)`). A name no variable or handler
//!   answers stays as written.

use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;
use core::cmp::Ordering;
use core::time::Duration;

use nfc_dataplane::args::unquote;
use nfc_dataplane::element::{Context, HandlerError};
use nfc_dataplane::parse;
use nfc_dataplane::pipeline::{DriverEvent, DriverStep, Pipeline};

use super::control_protocol::{call_read, ReadError};

use super::script::{Instruction, ScriptType, SetKind};
use super::words;

/// Jumps one step may take before the script gives up (Click's
/// `max_jumps`).
const MAX_JUMPS: u32 = 1000;

/// How deep `$` expansions nest (Click's `cp_expand` limit).
const MAX_DEPTH: u32 = 10;

/// `$?` after a write to a handler that does not exist (`-ENOENT`).
const STATUS_NO_HANDLER: i32 = -2;

/// `$?` after a write handler refused its value (`-EINVAL`).
const STATUS_INVALID: i32 = -22;

/// DriverManager's program when it has no instructions: wait for one stop
/// request (the implicit `stop` follows), as Click adds.
static WAIT_ONE: [Instruction; 1] = [Instruction::WaitSteps(1)];

/// The state of a running script.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct Runner {
    /// The element's name, for messages.
    name: String,
    /// The element's class, for messages (`s0 :: Script: …`).
    class: &'static str,
    /// `init` and `export` variables have their values.
    initialized: bool,
    /// `DriverEvent::Start` has been handled.
    started: bool,
    /// A handler run asked the router to stop: the next step says so.
    stop_pending: bool,
    /// The arguments of the current `run` (`$args`, `$1`, `$#`).
    run_args: String,
    /// The handler that started the current run (`$0`), and whether it
    /// was written (`$write`).
    run_handler: &'static str,
    run_write: bool,
    /// The script ended; it runs no more.
    finished: bool,
    /// The instruction that runs next.
    pos: usize,
    /// Steps each `wait N` has consumed, by instruction index.
    waited: Vec<u32>,
    /// When the current `wait T` ends (monotonic nanoseconds).
    deadline: Option<u64>,
    /// Variables, in order of first assignment.
    vars: Vec<(String, String)>,
    /// `$?`: the status of the last `write`.
    write_status: i32,
    /// Printed text not yet ended by a newline (`printn`).
    pending: String,
    /// `write stop` calls made during the current step.
    stop_requests: u32,
    /// Errors reported so far (`print` adds no newline after one).
    errors: u64,
    /// The `While executing` line of the current step was written.
    context_shown: bool,
    /// xorshift state for `$(random)`.
    rng: u64,
}

/// How a step ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Outcome {
    /// At a wait.
    Wait,
    /// At a `return`: the value is in the variable `_`.
    Return,
    /// At `stop`, or the implicit end of a driver script.
    Stop,
    /// At `end` (or `goto end`), or the end of the program.
    End,
    /// At `exit`, `error` (or a `goto` to them), or after too many jumps.
    Exit,
}

/// What a handler call on a script asks for (Click's `step_handler`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Call {
    /// `run ARGS`: from the start, with arguments.
    Run,
    /// `step [N]`: N steps.
    Step,
    /// `goto LABEL`: jump, then run.
    Goto,
}

/// Where a `goto` goes.
enum Target {
    /// To this instruction.
    Index(usize),
    /// Out of the script (`end`, `exit`, `error`).
    Out,
}

/// What a step sees of the world.
struct Env<'a> {
    prog: &'a [Instruction],
    driver: bool,
    pipeline: &'a mut dyn Pipeline,
    cx: &'a Context,
}

/// A number in a Script function: Click computes with 64-bit integers
/// while every operand is one, and with doubles otherwise.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Num {
    Int(i64),
    Float(f64),
}

impl Runner {
    /// A runner whose messages name `name`.
    pub(crate) fn named(class: &'static str) -> Runner {
        Runner {
            name: class.into(),
            class,
            ..Runner::default()
        }
    }

    /// Renames the element in messages.
    pub(crate) fn set_name(&mut self, name: &str) {
        self.name = name.into();
    }

    /// When the current timed wait (`wait T`) ends, if the script is in
    /// one (monotonic nanoseconds).
    pub fn deadline(&self) -> Option<u64> {
        if self.finished {
            None
        } else {
            self.deadline
        }
    }

    /// Runs `instructions`, a script of type `script_type`, for `event`
    /// (the body of [`nfc_dataplane::pipeline::Driver::step`]).
    pub(crate) fn step(
        &mut self,
        script_type: &ScriptType,
        instructions: &[Instruction],
        pipeline: &mut dyn Pipeline,
        cx: &Context,
        event: DriverEvent,
    ) -> DriverStep {
        if core::mem::take(&mut self.stop_pending) {
            return DriverStep::Stop;
        }
        if self.finished {
            return DriverStep::Ended;
        }
        let driver = *script_type == ScriptType::Driver;
        let steps = match event {
            DriverEvent::Start if !self.started => None,
            DriverEvent::StopRequest if driver && self.started => Some(1),
            DriverEvent::Round if self.deadline.is_some_and(|d| cx.now >= d) => {
                self.deadline = None;
                Some(1)
            }
            _ => return DriverStep::Wait,
        };
        let prog = if driver && instructions.is_empty() {
            &WAIT_ONE[..]
        } else {
            instructions
        };
        let mut env = Env {
            prog,
            driver,
            pipeline,
            cx,
        };
        self.context_shown = false;
        let mut outcome = match steps {
            None => self.start(&mut env, script_type),
            Some(n) => self.exec(&mut env, n),
        };
        // A driver script's own `write stop` is a stop request: it steps
        // the script again, as Click's driver loop does. One that asks
        // without end stops the router.
        let mut rounds = 0;
        while driver && outcome == Outcome::Wait && self.stop_requests > 0 && rounds < MAX_JUMPS {
            self.stop_requests -= 1;
            rounds += 1;
            outcome = self.exec(&mut env, 1);
        }
        let stop_request = core::mem::take(&mut self.stop_requests) > 0;
        match outcome {
            Outcome::Wait | Outcome::Return if !stop_request => DriverStep::Wait,
            Outcome::End | Outcome::Exit if driver || !stop_request => {
                self.flush(cx);
                self.finished = true;
                DriverStep::Ended
            }
            _ => {
                self.flush(cx);
                DriverStep::Stop
            }
        }
    }

    /// Start-up: `init` and `export` variables get their values, then an
    /// active or driver script runs unless it starts with a wait.
    fn start(&mut self, env: &mut Env<'_>, script_type: &ScriptType) -> Outcome {
        self.started = true;
        self.initialize(env);
        if !matches!(script_type, ScriptType::Active | ScriptType::Driver) {
            return Outcome::Wait;
        }
        match env.prog.first() {
            Some(Instruction::WaitTime(d)) => {
                self.deadline = Some(env.cx.now.saturating_add(nanos(d)));
                Outcome::Wait
            }
            Some(Instruction::WaitSteps(_)) => Outcome::Wait,
            // Click's initial step is consumed by the start itself.
            _ => self.exec(env, 0),
        }
    }

    /// Gives `init` and `export` variables their values, once, before
    /// anything runs (Click's `initialize`).
    fn initialize(&mut self, env: &mut Env<'_>) {
        if core::mem::replace(&mut self.initialized, true) {
            return;
        }
        self.waited = alloc::vec![0; env.prog.len()];
        self.rng = (env.cx.seed ^ env.cx.now.rotate_left(32) ^ 0x9e37_79b9_7f4a_7c15) | 1;
        let prog = env.prog;
        for insn in prog {
            if let Instruction::Set {
                kind: SetKind::Init | SetKind::Export,
                var,
                value,
                unquote: q,
            } = insn
            {
                let v = self.expand(env, value, false);
                self.set_var(var, if *q { unquote(&v) } else { v });
            }
        }
    }

    /// A handler call on the script (`run`, `step`, `goto`; Click's
    /// `step_handler`): runs it, with `value` as the arguments of `run`,
    /// the step count of `step`, the label of `goto`, and returns what the
    /// run returned (`return`'s value; `0` at the `end` of a packet
    /// script). `write` says whether the handler was written (`$write`).
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn call(
        &mut self,
        call: Call,
        value: &str,
        write: bool,
        script_type: &ScriptType,
        instructions: &[Instruction],
        pipeline: &mut dyn Pipeline,
        cx: &Context,
    ) -> Result<String, HandlerError> {
        let mut env = Env {
            prog: instructions,
            driver: *script_type == ScriptType::Driver,
            pipeline,
            cx,
        };
        self.initialize(&mut env);
        self.context_shown = false;
        self.run_handler = match call {
            Call::Run => "run",
            Call::Step => "step",
            Call::Goto => "goto",
        };
        self.run_write = write;
        self.run_args = String::new();
        let steps = match call {
            Call::Run => {
                self.pos = 0;
                self.run_args = value.into();
                0
            }
            Call::Goto => match find_label(instructions, value.trim()) {
                Target::Index(t) if !value.trim().is_empty() => {
                    for i in t..instructions.len() {
                        if let (Some(Instruction::WaitSteps(_)), Some(w)) =
                            (instructions.get(i), self.waited.get_mut(i))
                        {
                            *w = 0;
                        }
                    }
                    self.pos = t;
                    0
                }
                _ => return Err(HandlerError::Invalid("jump to nonexistent label".into())),
            },
            Call::Step => match value.trim() {
                "" | "router" => 1,
                n => parse::unsigned::<u32>(n)
                    .map_err(|_| HandlerError::Invalid("syntax error".into()))?,
            },
        };
        self.finished = false;
        let outcome = self.exec(&mut env, steps);
        self.flush(cx);
        if outcome == Outcome::Stop || core::mem::take(&mut self.stop_requests) > 0 {
            self.stop_pending = true;
        }
        Ok(match outcome {
            Outcome::Return => self.var("_").unwrap_or_default().into(),
            Outcome::End if *script_type == ScriptType::Packet => "0".into(),
            _ => String::new(),
        })
    }

    /// Runs a packet script for a packet that arrived on `input` (Click's
    /// `Script::push`): the variable `input` holds the port, the script
    /// runs from the start, and `return N` sends the packet to output N
    /// (`end`: output 0); `None` drops it (`exit`, `error`, a wait, a
    /// value that is no port). The second value is true when the script
    /// asked the router to stop.
    pub(crate) fn packet(
        &mut self,
        input: usize,
        instructions: &[Instruction],
        pipeline: &mut dyn Pipeline,
        cx: &Context,
    ) -> (Option<usize>, bool) {
        self.set_var("input", input.to_string());
        let out = self.call(
            Call::Run,
            "",
            false,
            &ScriptType::Packet,
            instructions,
            pipeline,
            cx,
        );
        let port = out
            .ok()
            .and_then(|v| parse::unsigned::<usize>(v.trim()).ok());
        (port, core::mem::take(&mut self.stop_pending))
    }

    /// The value of exported (or any) variable `name`, for the script's
    /// read handlers.
    pub(crate) fn variable(&self, name: &str) -> Option<&str> {
        self.var(name)
    }

    /// Reads the script's own handler `handler` with `param`: a variable
    /// (`export`), or a Script function (`add`, `cat`, …). `None` when
    /// there is no such handler.
    pub(crate) fn own_read(
        &mut self,
        handler: &str,
        param: &str,
        exported: &[&str],
        cx: &Context,
    ) -> Option<Result<String, String>> {
        if exported.contains(&handler) {
            return Some(Ok(self.var(handler).unwrap_or_default().into()));
        }
        self.function(cx, handler, param)
    }

    /// Runs instructions with `steps` steps to give to waits, until one
    /// waits or the script ends (Click's `Script::step`).
    fn exec(&mut self, env: &mut Env<'_>, mut steps: u32) -> Outcome {
        let prog = env.prog;
        let mut jumps = 0;
        loop {
            if jumps >= MAX_JUMPS {
                self.errors += 1;
                env.cx.console.line(&format!(
                    "{}: too many jumps, giving up",
                    self.declaration()
                ));
                self.pos = prog.len();
                self.deadline = None;
                return Outcome::Exit;
            }
            let ipos = self.pos;
            let Some(insn) = prog.get(ipos) else {
                return if env.driver {
                    Outcome::Stop
                } else {
                    Outcome::End
                };
            };
            self.pos = ipos + 1;
            match insn {
                Instruction::WaitSteps(n) => {
                    if let Some(w) = self.waited.get_mut(ipos) {
                        let take = n.saturating_sub(*w).min(steps);
                        *w += take;
                        steps -= take;
                        if *w < *n {
                            self.pos = ipos;
                            return Outcome::Wait;
                        }
                    }
                }
                Instruction::WaitTime(d) => {
                    if steps == 0 {
                        self.deadline = Some(env.cx.now.saturating_add(nanos(d)));
                        self.pos = ipos;
                        return Outcome::Wait;
                    }
                    steps -= 1;
                    self.deadline = None;
                }
                Instruction::Print {
                    text,
                    newline,
                    unquote: q,
                } => self.print(env, text, *newline, *q),
                Instruction::Read { text, unquote: q } => self.read(env, text, *q),
                Instruction::Write { text, unquote: q } => self.write(env, text, *q),
                Instruction::Set {
                    kind: SetKind::Set,
                    var,
                    value,
                    unquote: q,
                } => {
                    let v = self.expand(env, value, false);
                    self.set_var(var, if *q { unquote(&v) } else { v });
                }
                // `init` and `export` took their values at start-up.
                Instruction::Set { .. } | Instruction::Label(_) => {}
                Instruction::Goto { label, condition } => {
                    let cond = match condition {
                        Some(c) => self.expand(env, c, false),
                        None => String::new(),
                    };
                    // An empty condition (`goto l $v` with `v` empty) jumps, as in
                    // Click.
                    let jump = cond.is_empty()
                        || parse::boolean(&cond).unwrap_or_else(|_| {
                            self.report(env.cx, &format!("bad condition '{cond}'"));
                            false
                        });
                    if jump {
                        match find_label(prog, label) {
                            Target::Index(t) => {
                                for i in t..ipos {
                                    if let (Some(Instruction::WaitSteps(_)), Some(w)) =
                                        (prog.get(i), self.waited.get_mut(i))
                                    {
                                        *w = 0;
                                    }
                                }
                                self.pos = t;
                            }
                            Target::Out => {
                                self.pos = ipos;
                                return if label == "end" {
                                    Outcome::End
                                } else {
                                    Outcome::Exit
                                };
                            }
                        }
                    }
                }
                Instruction::Return { value, unquote: q } => {
                    let v = self.expand(env, value, false);
                    self.set_var("_", if *q { unquote(&v) } else { v });
                    self.pos = ipos;
                    return Outcome::Return;
                }
                Instruction::End => {
                    self.pos = ipos;
                    return Outcome::End;
                }
                Instruction::Exit => {
                    self.pos = ipos;
                    return Outcome::Exit;
                }
                Instruction::Stop => {
                    self.pos = ipos;
                    return Outcome::Stop;
                }
                Instruction::Error {
                    message,
                    unquote: q,
                } => {
                    let m = self.expand(env, message, false);
                    let m = if *q { unquote(&m) } else { m };
                    if !m.is_empty() {
                        self.report(env.cx, &m);
                    }
                    self.pos = ipos;
                    return Outcome::Exit;
                }
            }
            if self.pos != ipos + 1 {
                jumps += 1;
            }
        }
    }

    // -----------------------------------------------------------------
    // Instructions
    // -----------------------------------------------------------------

    /// `print`: a handler's value when TEXT starts like a handler name,
    /// else TEXT expanded and unquoted; a newline follows unless `printn`
    /// or an error.
    fn print(&mut self, env: &mut Env<'_>, text: &str, newline: bool, unquote_param: bool) {
        let before = self.errors;
        // `>FILE` or `>>FILE` first: the text goes to that file.
        let (file, text) = match text.strip_prefix('>') {
            Some(rest) => {
                let (append, rest) = match rest.strip_prefix('>') {
                    Some(r) => (true, r),
                    None => (false, rest),
                };
                let (name, rest) = pop_word(rest.trim_start());
                let name = unquote(&self.expand(env, name, false));
                (Some((name, append)), rest)
            }
            None => (None, text),
        };
        let mut out = if text.starts_with(|c: char| c.is_ascii_alphabetic() || c == '@' || c == '_')
        {
            let call = self.expand(env, text, false);
            self.read_call(env, &call, unquote_param)
                .map(|(_, v)| v)
                .unwrap_or_default()
        } else {
            unquote(&self.expand(env, text, true))
        };
        if self.errors == before && newline && !out.ends_with('\n') {
            out.push('\n');
        }
        if let Some((name, append)) = file {
            if let Err(e) = env.cx.console.print(Some(&name), append, &out) {
                self.report(env.cx, &e);
            }
            return;
        }
        self.pending.push_str(&out);
        if let Some(nl) = self.pending.rfind('\n') {
            let lines: String = self.pending.drain(..=nl).collect();
            if let Err(e) = env.cx.console.print(None, false, &lines) {
                self.report(env.cx, &e);
            }
        }
    }

    /// `read`: prints `handler:` and the value on the lines after it.
    fn read(&mut self, env: &mut Env<'_>, text: &str, unquote_param: bool) {
        let call = self.expand(env, text, false);
        if let Some((name, value)) = self.read_call(env, &call, unquote_param) {
            env.cx.console.line(&format!("{name}:"));
            for line in value.strip_suffix('\n').unwrap_or(&value).split('\n') {
                env.cx.console.line(line);
            }
        }
    }

    /// `write`: calls a write handler and keeps its status in `$?`.
    fn write(&mut self, env: &mut Env<'_>, text: &str, unquote_value: bool) {
        let call = self.expand(env, text, false);
        let (handler, value) = pop_word(&call);
        let value = if unquote_value {
            unquote(value)
        } else {
            value.to_string()
        };
        let handler = match handler.split_once('.') {
            Some((element, name)) if element == self.name() => name,
            _ => handler,
        };
        self.write_status = match handler.split_once('.') {
            Some((element, name)) => match env.pipeline.write(element, name, &value) {
                Ok(()) => 0,
                Err(HandlerError::NoSuchHandler) => {
                    self.report(env.cx, &format!("no '{handler}' write handler"));
                    STATUS_NO_HANDLER
                }
                Err(HandlerError::Invalid(m)) => {
                    self.report_call(env.cx, handler, &value, &m);
                    STATUS_INVALID
                }
            },
            // The script's own `set VAR VALUE`.
            None if handler == "set" => {
                let (var, value) = pop_word(&value);
                if var.is_empty() {
                    self.report_call(env.cx, handler, "", "syntax error");
                    STATUS_INVALID
                } else {
                    let value = String::from(value);
                    self.set_var(var, value);
                    0
                }
            }
            // The global `stop` handler: a stop request.
            None if handler == "stop" => {
                self.stop_requests += 1;
                0
            }
            None => {
                self.report(env.cx, &format!("no '{handler}' write handler"));
                STATUS_NO_HANDLER
            }
        };
    }

    /// Reads the handler `desc` names (`element.handler`, or a Script
    /// function with its arguments): its full name and value, or `None`
    /// when there is no such handler. Errors are reported.
    fn read_call(
        &mut self,
        env: &mut Env<'_>,
        desc: &str,
        unquote_param: bool,
    ) -> Option<(String, String)> {
        let (handler, param) = pop_word(desc);
        let param = if unquote_param {
            unquote(param)
        } else {
            param.to_string()
        };
        let own = match handler.split_once('.') {
            Some((element, name)) if element == self.name() => name,
            Some(_) => {
                return match call_read(env.pipeline, handler, &param, false) {
                    Ok(v) => Some((handler.into(), v)),
                    Err(ReadError::Failed(m)) => {
                        self.report_call(env.cx, handler, &param, &m);
                        Some((handler.into(), String::new()))
                    }
                    Err(_) => {
                        self.report(env.cx, &format!("no '{handler}' read handler"));
                        None
                    }
                };
            }
            None => handler,
        };
        let full = format!("{}.{own}", self.name());
        let exported = exported(env.prog);
        match self.own_read(own, &param, &exported, env.cx) {
            Some(Ok(v)) => Some((full, v)),
            Some(Err(m)) => {
                self.report_call(env.cx, handler, &param, &m);
                Some((full, String::new()))
            }
            None => {
                let what = if handler.is_empty() {
                    "empty handler name"
                } else {
                    handler
                };
                self.report(env.cx, &format!("no '{what}' read handler"));
                None
            }
        }
    }

    // -----------------------------------------------------------------
    // Expansion
    // -----------------------------------------------------------------

    /// Expands `$` references in `text` (Click's `cp_expand`). With
    /// `quote_values`, values outside quotes are quoted, so that a later
    /// unquote gives them back as they were (`print`).
    fn expand(&mut self, env: &mut Env<'_>, text: &str, quote_values: bool) -> String {
        self.expand_at(env, text, quote_values, 0)
    }

    fn expand_at(
        &mut self,
        env: &mut Env<'_>,
        text: &str,
        quote_values: bool,
        depth: u32,
    ) -> String {
        if !text.contains('$') {
            return text.into();
        }
        let s = text.as_bytes();
        let mut out = String::new();
        // Start of the text not yet copied to `out`.
        let mut from = 0;
        let mut quote = 0u8;
        let mut i = 0;
        while i < s.len() {
            match s[i] {
                b'\\' if quote == b'"' => i += 1,
                c @ (b'"' | b'\'') => {
                    if quote == 0 {
                        quote = c;
                    } else if quote == c {
                        quote = 0;
                    }
                }
                b'$' if i + 1 < s.len() && quote != b'\'' && depth <= MAX_DEPTH => {
                    let Some((kind, name, end)) = reference(text, i) else {
                        if matches!(s[i + 1], b'{' | b'(') {
                            break; // unterminated: the rest stays as written
                        }
                        i += 1;
                        continue;
                    };
                    out.push_str(&text[from..i]);
                    let nested = name.contains('$');
                    let name = if nested {
                        self.expand_at(env, name, false, depth + 1)
                    } else {
                        name.into()
                    };
                    match self.lookup(env, &name, kind) {
                        Some(v) if quote == b'"' => out.push_str(&quote_inner(&v)),
                        Some(v) if quote_values && quote == 0 => {
                            out.push('"');
                            out.push_str(&quote_inner(&v));
                            out.push('"');
                        }
                        Some(v) => out.push_str(&v),
                        None if nested => {
                            let (open, close) = match kind {
                                b'(' => ("(", ")"),
                                _ => ("{", "}"),
                            };
                            out.push('$');
                            out.push_str(open);
                            out.push_str(&name);
                            out.push_str(close);
                        }
                        None => {
                            from = i;
                            i = end;
                            continue;
                        }
                    }
                    from = end;
                    i = end;
                    continue;
                }
                _ => {}
            }
            i += 1;
        }
        out.push_str(&text[from..]);
        out
    }

    /// The value of `$name` (`kind` `a`), `${name}` (`{`) or `$(name)`
    /// (`(`), as Click's Script expander gives it.
    fn lookup(&mut self, env: &mut Env<'_>, name: &str, kind: u8) -> Option<String> {
        if let Some(v) = self.var(name) {
            return Some(v.into());
        }
        match name {
            "?" => Some(self.write_status.to_string()),
            "args" => Some(self.run_args.clone()),
            "0" => Some(self.run_handler.into()),
            "#" => Some(words(&self.run_args).len().to_string()),
            "write" => Some(bool_text(self.run_write)),
            n if n.starts_with(|c: char| ('1'..='9').contains(&c))
                && n.bytes().all(|c| c.is_ascii_digit()) =>
            {
                let k: usize = n.parse().unwrap_or(usize::MAX);
                let args = words(&self.run_args);
                Some(args.get(k - 1).map_or("", |&(_, w)| w).into())
            }
            _ if kind == b'(' => self.read_call(env, name, false).map(|(_, v)| v),
            _ => None,
        }
    }

    // -----------------------------------------------------------------
    // Script functions
    // -----------------------------------------------------------------

    /// Calls the Script function `name` with `param`: `None` when there
    /// is no such function, `Err` with Click's message when it fails.
    fn function(
        &mut self,
        cx: &Context,
        name: &str,
        param: &str,
    ) -> Option<Result<String, String>> {
        let w: Vec<&str> = words(param).into_iter().map(|(_, w)| w).collect();
        let syntax = || String::from("syntax error");
        Some(match name {
            "add" | "sub" | "mul" | "div" | "idiv" | "min" | "max" => arith(name, &w),
            "mod" | "rem" => modrem(name == "mod", &w),
            "neg" | "abs" => match number(param.trim()) {
                Some(Num::Int(x)) => Ok(Num::Int(if name == "neg" || x < 0 {
                    x.wrapping_neg()
                } else {
                    x
                })),
                Some(Num::Float(x)) => Ok(Num::Float(if name == "neg" {
                    -x
                } else {
                    f64::from_bits(x.to_bits() & !(1 << 63))
                })),
                None => Err("expected one number".into()),
            }
            .map(|n| n.to_string()),
            "eq" | "ne" | "lt" | "gt" | "le" | "ge" => compare(name, &w),
            "not" => parse::boolean(param.trim())
                .map(|b| bool_text(!b))
                .map_err(|_| syntax()),
            "and" | "or" | "nand" | "nor" => logic(name, &w),
            "if" => {
                let cond = parse::boolean(w.first().copied().unwrap_or("")).map_err(|_| syntax());
                cond.map(|c| w.get(if c { 1 } else { 2 }).copied().unwrap_or("").into())
            }
            "in" => {
                let word = w.first().map(|x| unquote(x)).unwrap_or_default();
                let found = !word.is_empty() && w.iter().skip(1).any(|x| unquote(x) == word);
                Ok(bool_text(found))
            }
            "first" => Ok(w.first().copied().unwrap_or("").into()),
            "length" => Ok(param.len().to_string()),
            "unquote" => Ok(unquote(param)),
            "sprintf" => sprintf(&w),
            "cat" | "catq" => {
                let file = unquote(param.trim());
                if file.is_empty() {
                    Err("bad FILE".into())
                } else {
                    cx.console.read_file(&file).map(|text| {
                        if name == "catq" {
                            format!("\"{}\"", quote_inner(&text))
                        } else {
                            text
                        }
                    })
                }
            }
            "now" if !param.is_empty() => Err("read handler 'now' does not take parameters".into()),
            "now" => Ok(format!(
                "{}.{:06}",
                cx.wall / 1_000_000_000,
                cx.wall % 1_000_000_000 / 1000
            )),
            "random" => self.random(&w),
            "htonl" | "ntohl" => match parse::unsigned::<u32>(param.trim()) {
                Ok(x) if name == "htonl" => Ok(x.to_be().to_string()),
                Ok(x) => Ok(u32::from_be(x).to_string()),
                Err(_) => Err("expected one 32-bit number".into()),
            },
            "htons" | "ntohs" => match parse::unsigned::<u16>(param.trim()) {
                Ok(x) if name == "htons" => Ok(x.to_be().to_string()),
                Ok(x) => Ok(u16::from_be(x).to_string()),
                Err(_) => Err("expected one 16-bit number".into()),
            },
            "shift" => match w.as_slice() {
                [v] => match self.var(v) {
                    Some(value) => {
                        let (first, rest) = pop_word(value);
                        let (first, rest) = (String::from(first), String::from(rest));
                        self.set_var(v, rest);
                        Ok(first)
                    }
                    None => Err(format!("undefined variable '{v}'")),
                },
                _ => Err("syntax error".into()),
            },
            "get" => match w.as_slice() {
                [] => Err("no variable".into()),
                ["args"] => Ok(String::new()),
                [v] => self
                    .var(v)
                    .map(String::from)
                    .ok_or_else(|| format!("undefined variable '{v}'")),
                _ => Err("too many arguments".into()),
            },
            _ => return None,
        })
    }

    /// `random`, `random N` (0 to N-1), `random N1 N2` (N1 to N2).
    fn random(&mut self, w: &[&str]) -> Result<String, String> {
        let n = |s: &str| {
            parse::unsigned::<u32>(s)
                .map(u64::from)
                .map_err(|e| e.message)
        };
        let (low, span) = match *w {
            [] => (0, 1u64 << 31),
            [a] => match n(a)? {
                0 => return Err("bad N".into()),
                a => (0, a),
            },
            [a, b] => {
                let (a, b) = (n(a)?, n(b)?);
                if b < a {
                    return Err("bad N".into());
                }
                (a, b - a + 1)
            }
            _ => return Err("too many arguments".into()),
        };
        // xorshift64*: not for secrets, only for scripts.
        self.rng ^= self.rng >> 12;
        self.rng ^= self.rng << 25;
        self.rng ^= self.rng >> 27;
        let r = self.rng.wrapping_mul(0x2545_f491_4f6c_dd1d) >> 32;
        Ok((low + r % span).to_string())
    }

    // -----------------------------------------------------------------
    // Variables, messages, output
    // -----------------------------------------------------------------

    fn var(&self, name: &str) -> Option<&str> {
        self.vars
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    fn set_var(&mut self, name: &str, value: String) {
        match self.vars.iter_mut().find(|(n, _)| n == name) {
            Some((_, v)) => *v = value,
            None => self.vars.push((name.into(), value)),
        }
    }

    /// Sets variable `name` to `value` (the `set` write handler).
    pub(crate) fn set_variable(&mut self, name: &str, value: &str) {
        self.set_var(name, value.into());
    }

    /// The element's name, as messages and handler names use it.
    pub(crate) fn name(&self) -> &str {
        if self.name.is_empty() {
            "Script"
        } else {
            &self.name
        }
    }

    /// `name :: Class`, as Click names an element in its messages; the
    /// class alone while the element has no name of its own.
    fn declaration(&self) -> String {
        if self.name.is_empty() || self.name == self.class {
            String::from(self.name())
        } else {
            format!("{} :: {}", self.name, self.class)
        }
    }

    /// Reports an error as Click does, under a `While executing` line
    /// written once per step.
    fn report(&mut self, cx: &Context, message: &str) {
        self.errors += 1;
        if !self.context_shown {
            self.context_shown = true;
            cx.console
                .line(&format!("While executing '{}':", self.name()));
        }
        for line in message.split('\n') {
            cx.console.line(&format!("  {line}"));
        }
    }

    /// Reports a handler's failure, naming the call.
    fn report_call(&mut self, cx: &Context, handler: &str, value: &str, message: &str) {
        let call = if value.is_empty() {
            String::from(handler)
        } else {
            format!("{handler} {value}")
        };
        self.report(cx, &format!("While calling '{call}':\n  {message}"));
    }

    /// Writes out a `printn` line left unfinished.
    fn flush(&mut self, cx: &Context) {
        if !self.pending.is_empty() {
            let text = core::mem::take(&mut self.pending);
            if let Err(e) = cx.console.print(None, false, &text) {
                self.report(cx, &e);
            }
        }
    }
}

/// The `$` reference at `text[i]`: its kind (`a` for `$name`, `{`, `(`),
/// the name inside, and where it ends. `None` when `$` starts none, or a
/// `${`/`$(` is not closed.
fn reference(text: &str, i: usize) -> Option<(u8, &str, usize)> {
    let s = text.as_bytes();
    match *s.get(i + 1)? {
        b'{' => {
            let close = i + 2 + text[i + 2..].find('}')?;
            Some((b'{', &text[i + 2..close], close + 1))
        }
        b'(' => {
            let mut level = 1;
            let mut quote = 0u8;
            let mut j = i + 2;
            while j < s.len() {
                match s[j] {
                    b'(' if quote == 0 => level += 1,
                    b')' if quote == 0 => {
                        level -= 1;
                        if level == 0 {
                            return Some((b'(', &text[i + 2..j], j + 1));
                        }
                    }
                    c @ (b'"' | b'\'') => {
                        if quote == 0 {
                            quote = c;
                        } else if quote == c {
                            quote = 0;
                        }
                    }
                    b'\\' if quote != b'\'' => j += 1,
                    _ => {}
                }
                j += 1;
            }
            None
        }
        c if c.is_ascii_alphanumeric() || c == b'_' => {
            let end = s[i + 1..]
                .iter()
                .position(|c| !(c.is_ascii_alphanumeric() || *c == b'_'))
                .map_or(s.len(), |p| i + 1 + p);
            Some((b'a', &text[i + 1..end], end))
        }
        b'?' | b'#' | b'$' => Some((b'a', &text[i + 1..i + 2], i + 2)),
        _ => None,
    }
}

/// `value` escaped for the inside of a double-quoted string, so that
/// unquoting gives it back.
fn quote_inner(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            '\\' | '"' => {
                out.push('\\');
                out.push(c);
            }
            '\n' => out.push_str("\\n"),
            _ => out.push(c),
        }
    }
    out
}

/// The first word of `s` and the rest after it.
fn pop_word(s: &str) -> (&str, &str) {
    let s = s.trim_start();
    match words(s).first() {
        Some(&(p, w)) => (w, s[p + w.len()..].trim_start()),
        None => ("", ""),
    }
}

/// The variables `prog` exports as read handlers.
pub(crate) fn exported(prog: &[Instruction]) -> Vec<&str> {
    prog.iter()
        .filter_map(|i| match i {
            Instruction::Set {
                kind: SetKind::Export,
                var,
                ..
            } => Some(var.as_str()),
            _ => None,
        })
        .collect()
}

/// Where `goto label` goes: a `label` instruction first, then the
/// built-in labels.
fn find_label(prog: &[Instruction], label: &str) -> Target {
    match prog
        .iter()
        .position(|i| matches!(i, Instruction::Label(l) if l == label))
    {
        Some(i) => Target::Index(i),
        None if matches!(label, "begin" | "loop") => Target::Index(0),
        // `end`, `exit`, `error`; configure rejected any other label.
        None => Target::Out,
    }
}

fn nanos(d: &Duration) -> u64 {
    u64::try_from(d.as_nanos()).unwrap_or(u64::MAX)
}

fn bool_text(b: bool) -> String {
    String::from(if b { "true" } else { "false" })
}

/// A number as Click's Script functions read one: a 64-bit integer
/// (decimal, `0x` hex, octal with a leading `0`), else a double.
fn number(s: &str) -> Option<Num> {
    match parse::integer::<i64>(s) {
        Ok(i) => Some(Num::Int(i)),
        Err(_) => float(s).map(Num::Float),
    }
}

fn float(s: &str) -> Option<f64> {
    s.parse::<f64>().ok()
}

impl core::fmt::Display for Num {
    /// Integers as integers, doubles as C's `%.12g` (Click's
    /// `String(double)`).
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let x = match *self {
            Num::Int(i) => return write!(f, "{i}"),
            Num::Float(x) => x,
        };
        if x.is_nan() {
            return f.write_str("nan");
        }
        if x.is_infinite() {
            return f.write_str(if x < 0.0 { "-inf" } else { "inf" });
        }
        if x == 0.0 {
            return f.write_str(if x.is_sign_negative() { "-0" } else { "0" });
        }
        // The exponent %g decides with is that of %.11e, after rounding.
        let e = format!("{x:.11e}");
        let (mantissa, exp) = e.split_once('e').unwrap_or((&e, "0"));
        let exp: i32 = exp.parse().unwrap_or(0);
        if (-4..12).contains(&exp) {
            let decimals = usize::try_from(11 - exp).unwrap_or(0);
            f.write_str(trim_zeros(&format!("{x:.decimals$}")))
        } else {
            let sign = if exp < 0 { '-' } else { '+' };
            write!(
                f,
                "{}e{sign}{:02}",
                trim_zeros(mantissa),
                exp.unsigned_abs()
            )
        }
    }
}

/// `1.500` → `1.5`, `2.000` → `2`.
fn trim_zeros(s: &str) -> &str {
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.')
    } else {
        s
    }
}

/// `add`, `sub`, `mul`, `div`, `idiv`, `min`, `max` over a list of
/// numbers (Click's `arithmetic_handler`).
fn arith(op: &str, w: &[&str]) -> Result<String, String> {
    let unit: i32 = if matches!(op, "add" | "sub") { 0 } else { 1 };
    let mut int = i64::from(unit);
    let mut dbl = f64::from(unit);
    let mut use_dbl = matches!(op, "div" | "idiv");
    for (k, word) in w.iter().enumerate() {
        let first = k == 0;
        if !use_dbl {
            if let Ok(a) = parse::integer::<i64>(word) {
                int = match op {
                    _ if first => a,
                    "add" => int.wrapping_add(a),
                    "sub" => int.wrapping_sub(a),
                    "min" => int.min(a),
                    "max" => int.max(a),
                    _ => int.wrapping_mul(a),
                };
                continue;
            }
            use_dbl = true;
            dbl = int as f64;
        }
        let a = float(word).ok_or("expected list of numbers")?;
        dbl = match op {
            _ if first => a,
            "add" => dbl + a,
            "sub" => dbl - a,
            // Comparisons, not `f64::min`: images have no libm `fmin`.
            "min" if a < dbl => a,
            "max" if a > dbl => a,
            "min" | "max" => dbl,
            "mul" => dbl * a,
            _ => dbl / a,
        };
    }
    Ok(match (op, use_dbl) {
        ("idiv", _) => Num::Int(dbl as i64),
        (_, true) => Num::Float(dbl),
        _ => Num::Int(int),
    }
    .to_string())
}

/// `and`, `or`, `nand`, `nor` over a list of booleans, stopping at the
/// first that decides.
fn logic(op: &str, w: &[&str]) -> Result<String, String> {
    let zero = matches!(op, "and" | "nand");
    let mut value = zero;
    for word in w {
        if value != zero {
            break;
        }
        value = parse::boolean(word).map_err(|_| String::from("syntax error"))?;
    }
    Ok(bool_text(value != matches!(op, "nand" | "nor")))
}

/// `mod` (integers only) and `rem` (doubles too) of two numbers.
fn modrem(is_mod: bool, w: &[&str]) -> Result<String, String> {
    let two = || String::from("expected two numbers");
    let [a, b] = *w else {
        return Err(two());
    };
    match (parse::integer::<i64>(a), parse::integer::<i64>(b)) {
        (Ok(_), Ok(0)) => Err("division by zero".into()),
        (Ok(x), Ok(y)) => Ok(x.wrapping_rem(y).to_string()),
        _ if is_mod => Err(two()),
        _ => match (float(a), float(b)) {
            (Some(x), Some(y)) => Ok(Num::Float(fmod(x, y)).to_string()),
            _ => Err(two()),
        },
    }
}

/// C's `fmod`: `x - n*y` for the integer `n` nearest `x/y` toward zero,
/// computed exactly on the bits (musl's method). Images have no libm, so
/// the `%` operator on doubles would not link.
fn fmod(x: f64, y: f64) -> f64 {
    const MANT: u32 = 52;
    const IMPLICIT: u64 = 1 << MANT;
    let (xb, yb) = (x.to_bits(), y.to_bits());
    let mut ex = ((xb >> MANT) & 0x7ff) as i32;
    let mut ey = ((yb >> MANT) & 0x7ff) as i32;
    let sign = xb & (1 << 63);
    if yb << 1 == 0 || y.is_nan() || ex == 0x7ff {
        return f64::NAN;
    }
    if xb << 1 <= yb << 1 {
        return if xb << 1 == yb << 1 { 0.0 * x } else { x };
    }
    // The mantissas with their implicit bit, subnormals normalized.
    let mantissa = |bits: u64, e: &mut i32| {
        if *e == 0 {
            let mut i = bits << 12;
            while i >> 63 == 0 {
                *e -= 1;
                i <<= 1;
            }
            bits << (1 - *e)
        } else {
            (bits & (IMPLICIT - 1)) | IMPLICIT
        }
    };
    let mut mx = mantissa(xb, &mut ex);
    let my = mantissa(yb, &mut ey);
    while ex > ey {
        if mx >= my {
            if mx == my {
                return 0.0 * x;
            }
            mx -= my;
        }
        mx <<= 1;
        ex -= 1;
    }
    if mx >= my {
        if mx == my {
            return 0.0 * x;
        }
        mx -= my;
    }
    while mx >> MANT == 0 {
        mx <<= 1;
        ex -= 1;
    }
    let bits = if ex > 0 {
        (mx - IMPLICIT) | ((ex as u64) << MANT)
    } else {
        mx >> (1 - ex)
    };
    f64::from_bits(bits | sign)
}

/// `eq`, `ne`, `lt`, `gt`, `le`, `ge`: numbers compare as numbers, other
/// words as unquoted strings.
fn compare(op: &str, w: &[&str]) -> Result<String, String> {
    let [a, b] = *w else {
        return Err("expected two numbers".into());
    };
    let ord = match (parse::integer::<i64>(a), parse::integer::<i64>(b)) {
        (Ok(x), Ok(y)) => x.cmp(&y),
        _ => match (float(a), float(b)) {
            (Some(x), Some(y)) if x < y => Ordering::Less,
            (Some(x), Some(y)) if x == y => Ordering::Equal,
            (Some(_), Some(_)) => Ordering::Greater,
            _ => unquote(a).cmp(&unquote(b)),
        },
    };
    Ok(bool_text(match op {
        "eq" => ord == Ordering::Equal,
        "ne" => ord != Ordering::Equal,
        "lt" => ord == Ordering::Less,
        "gt" => ord == Ordering::Greater,
        "le" => ord != Ordering::Greater,
        _ => ord != Ordering::Less,
    }))
}

/// One `%` conversion's flags, width and precision.
#[derive(Default)]
struct Spec {
    left: bool,
    zero: bool,
    plus: bool,
    space: bool,
    alt: bool,
    width: usize,
    precision: Option<usize>,
}

impl Spec {
    /// `sign`, `prefix` and `digits` padded to the width.
    fn pad(&self, sign: &str, prefix: &str, digits: &str, numeric: bool) -> String {
        let len = sign.len() + prefix.len() + digits.chars().count();
        let fill = self.width.saturating_sub(len);
        let spaces = " ".repeat(fill);
        if self.left {
            format!("{sign}{prefix}{digits}{spaces}")
        } else if self.zero && numeric && self.precision.is_none() {
            format!("{sign}{prefix}{}{digits}", "0".repeat(fill))
        } else {
            format!("{spaces}{sign}{prefix}{digits}")
        }
    }

    /// An integer conversion of magnitude `v`.
    fn int(&self, negative: bool, v: u64, conv: u8) -> String {
        let mut digits = match conv {
            b'o' => format!("{v:o}"),
            b'x' => format!("{v:x}"),
            b'X' => format!("{v:X}"),
            _ => format!("{v}"),
        };
        if let Some(p) = self.precision {
            if p == 0 && v == 0 {
                digits.clear();
            }
            if digits.len() < p {
                digits.insert_str(0, &"0".repeat(p - digits.len()));
            }
        }
        if conv == b'o' && self.alt && !digits.starts_with('0') {
            digits.insert(0, '0');
        }
        let sign = match (negative, self.plus, self.space) {
            (true, _, _) => "-",
            (false, true, _) if matches!(conv, b'd' | b'i') => "+",
            (false, false, true) if matches!(conv, b'd' | b'i') => " ",
            _ => "",
        };
        let prefix = match conv {
            b'x' if self.alt && v != 0 => "0x",
            b'X' if self.alt && v != 0 => "0X",
            _ => "",
        };
        self.pad(sign, prefix, &digits, true)
    }
}

/// `sprintf FORMAT ARGS…`: C's conversions `%d %i %u %o %x %X %s %%`
/// with flags, width and precision (Click's `sprintf_handler`).
fn sprintf(w: &[&str]) -> Result<String, String> {
    let syntax = || String::from("syntax error");
    let format = unquote(w.first().copied().unwrap_or(""));
    let f = format.as_bytes();
    let mut args = w.iter().skip(1).copied();
    let mut next = || args.next().ok_or_else(syntax);
    let mut out = String::new();
    let mut i = 0;
    while let Some(off) = format[i..].find('%') {
        out.push_str(&format[i..i + off]);
        let mut j = i + off + 1;
        let mut spec = Spec::default();
        while let Some(&c) = f.get(j) {
            match c {
                b'-' => spec.left = true,
                b'0' => spec.zero = true,
                b'+' => spec.plus = true,
                b' ' => spec.space = true,
                b'#' => spec.alt = true,
                _ => break,
            }
            j += 1;
        }
        let digits = |j: &mut usize| {
            let mut n = 0usize;
            while let Some(&c @ b'0'..=b'9') = f.get(*j) {
                n = n.saturating_mul(10).saturating_add(usize::from(c - b'0'));
                *j += 1;
            }
            n
        };
        spec.width = digits(&mut j);
        if f.get(j) == Some(&b'.') {
            j += 1;
            spec.precision = Some(digits(&mut j));
        }
        let mut short = false;
        while let Some(&c) = f.get(j) {
            match c {
                b'h' => short = true,
                b'l' | b'L' | b'q' => short = false,
                _ => break,
            }
            j += 1;
        }
        let conv = *f.get(j).ok_or_else(syntax)?;
        let piece = match conv {
            b'd' | b'i' => {
                let v = parse::integer::<i64>(next()?).map_err(|_| syntax())?;
                let v = if short { i64::from(v as i16) } else { v };
                spec.int(v < 0, v.unsigned_abs(), conv)
            }
            b'u' | b'o' | b'x' | b'X' => {
                let v = parse::unsigned::<u64>(next()?).map_err(|_| syntax())?;
                let v = if short { u64::from(v as u16) } else { v };
                spec.int(false, v, conv)
            }
            b's' => {
                let s = parse::string(next()?).map_err(|_| syntax())?;
                let s: String = match spec.precision {
                    Some(p) => s.chars().take(p).collect(),
                    None => s,
                };
                spec.pad("", "", &s, false)
            }
            b'%' => "%".into(),
            _ => return Err(syntax()),
        };
        out.push_str(&piece);
        i = j + 1;
    }
    if next().is_ok() {
        return Err(syntax());
    }
    out.push_str(&format[i..]);
    Ok(out)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::standard::script::Script;
    use alloc::boxed::Box;
    use alloc::vec;
    use nfc_dataplane::element::{Captured, TaskResult};
    use nfc_dataplane::packet::PacketPool;
    use nfc_dataplane::pipeline::Driver;

    /// A configuration with a few handlers: `c.count` (read), `c.reset`
    /// (write, zeroes it), `x.bad` (write, always refused), `x.err`
    /// (read, always fails), and every write recorded.
    #[derive(Default)]
    pub(crate) struct FakePipeline {
        /// `(element, handler, value)` of the readable handlers.
        pub(crate) values: Vec<(String, String, String)>,
        /// `(element.handler, value)` of every successful write.
        pub(crate) writes: Vec<(String, String)>,
    }

    impl FakePipeline {
        pub(crate) fn with(values: &[(&str, &str, &str)]) -> FakePipeline {
            FakePipeline {
                values: values
                    .iter()
                    .map(|&(e, h, v)| (e.into(), h.into(), v.into()))
                    .collect(),
                writes: Vec::new(),
            }
        }

        pub(crate) fn set(&mut self, element: &str, handler: &str, value: &str) {
            for (e, h, v) in &mut self.values {
                if e == element && h == handler {
                    *v = value.into();
                }
            }
        }
    }

    impl Pipeline for FakePipeline {
        fn run_tasks(&mut self, _cx: &Context) -> TaskResult {
            TaskResult::Idle
        }

        fn read(&self, element: &str, handler: &str) -> Result<String, HandlerError> {
            if (element, handler) == ("x", "err") {
                return Err(HandlerError::Invalid("cannot read now".into()));
            }
            self.values
                .iter()
                .find(|(e, h, _)| e == element && h == handler)
                .map(|(_, _, v)| v.clone())
                .ok_or(HandlerError::NoSuchHandler)
        }

        fn write(&mut self, element: &str, handler: &str, value: &str) -> Result<(), HandlerError> {
            match (element, handler) {
                ("c", "reset") => self.set("c", "count", "0"),
                ("x", "bad") => return Err(HandlerError::Invalid("bad value".into())),
                ("x", "log") => {}
                _ => return Err(HandlerError::NoSuchHandler),
            }
            self.writes
                .push((format!("{element}.{handler}"), value.into()));
            Ok(())
        }

        fn take_calls(&mut self, _calls: &mut Vec<(String, String)>) {}

        fn elements(&self) -> Vec<(&str, &str)> {
            let mut all = vec![("c", "Counter"), ("x", "Test")];
            for (e, _, _) in &self.values {
                if !all.iter().any(|(n, _)| n == e) {
                    all.push((e.as_str(), "Test"));
                }
            }
            all
        }

        fn class_handlers(&self, class: &str) -> Option<&'static [&'static str]> {
            crate::lookup(class).map(|spec| spec.handlers)
        }

        fn classes(&self) -> Vec<&'static str> {
            vec!["Counter"]
        }
    }

    /// A context at monotonic time `now` and wall time `wall`
    /// (nanoseconds), printing to `console`.
    pub(crate) fn cx_at(console: &'static Captured, now: u64, wall: u64) -> Context {
        Context {
            now,
            wall,
            pool: PacketPool::new(1),
            console,
            seed: nfc_dataplane::element::TEST_SEED,
        }
    }

    /// A configured script, its pipeline and console.
    struct Run {
        script: Script,
        pipeline: FakePipeline,
        console: &'static Captured,
        now: u64,
    }

    impl Run {
        fn new(config: &str) -> Run {
            Run {
                script: Script::configure(config).expect("valid script"),
                pipeline: FakePipeline::with(&[("c", "count", "5")]),
                console: Captured::leak(),
                now: 0,
            }
        }

        fn event(&mut self, event: DriverEvent) -> DriverStep {
            let cx = cx_at(self.console, self.now, self.now);
            self.script.step(&mut self.pipeline, &cx, event)
        }

        fn start(&mut self) -> DriverStep {
            self.event(DriverEvent::Start)
        }

        fn lines(&self) -> Vec<String> {
            self.console.take()
        }
    }

    /// Runs an active script from start to its end; returns what it
    /// printed.
    fn output(config: &str) -> Vec<String> {
        let mut r = Run::new(config);
        assert_eq!(r.start(), DriverStep::Ended, "{config}");
        r.lines()
    }

    #[test]
    fn print_variants() {
        assert_eq!(
            output(r#"print "hello, world", print 'a  b' "c", print, print "x\ty""#),
            ["hello, world", "a  b c", "", "x\ty"]
        );
        assert_eq!(
            output(r#"printn "a", printn "b", print "c", printn "tail""#),
            ["abc", "tail"],
            "printn joins lines; the end flushes"
        );
        assert_eq!(output("print c.count"), ["5"], "a handler's value");
        assert_eq!(output(r#"printq "x y""#), ["x y"]);
        assert_eq!(output(r#"printnq "a", print "b""#), ["ab"]);
        assert_eq!(
            output(r#"print "two\nlines""#),
            ["two", "lines"],
            "one console line per line"
        );
    }

    #[test]
    fn read_prints_name_and_value() {
        assert_eq!(output("read c.count"), ["c.count:", "5"]);
        let mut r = Run::new("read c.count, write c.reset, read c.count");
        assert_eq!(r.start(), DriverStep::Ended);
        assert_eq!(r.lines(), ["c.count:", "5", "c.count:", "0"]);
        assert_eq!(output("readq add 1 2"), ["Script.add:", "3"]);
    }

    #[test]
    fn write_calls_the_handler_and_sets_status() {
        let mut r = Run::new(
            r#"write x.log hello world, print "s=$?", write x.bad 1, print "s=$?", writeq x.log "a b", write x.nope, print "s=$?""#,
        );
        assert_eq!(r.start(), DriverStep::Ended);
        assert_eq!(
            r.pipeline.writes,
            [
                ("x.log".to_string(), "hello world".to_string()),
                ("x.log".to_string(), "a b".to_string())
            ]
        );
        assert_eq!(
            r.lines(),
            [
                "s=0",
                "While executing 'Script':",
                "  While calling 'x.bad 1':",
                "    bad value",
                "s=-22",
                "  no 'x.nope' write handler",
                "s=-2",
            ]
        );
    }

    #[test]
    fn unknown_handlers_are_reported_not_fatal() {
        let mut r = Run::new(
            "read nosuch.count, read c.count extra, print $(nosuch.h)x, print bogus, read x.err, print 'done'",
        );
        r.script = r.script.named("s1");
        assert_eq!(r.start(), DriverStep::Ended);
        assert_eq!(
            r.lines(),
            [
                "While executing 's1':",
                "  no 'nosuch.count' read handler",
                "  While calling 'c.count extra':",
                "    read handler 'c.count' does not take parameters",
                "c.count:",
                "",
                "  no 'nosuch.h' read handler",
                "  no 'bogus' read handler",
                "  While calling 'x.err':",
                "    cannot read now",
                "x.err:",
                "",
                // An unanswered $( ) stays as written, and a print with an
                // error ends without a newline.
                "$(nosuch.h)xdone",
            ]
        );
    }

    #[test]
    fn variables_and_expansions() {
        assert_eq!(
            output(
                r#"set x 5, set y $x$x, print "$x ${y} $(x) $(add $x 1) $nosuch \$x '$x'", setq q "a b", print $q, set r "a $x", print $r"#
            ),
            ["5 55 5 6 $nosuch $x '5'", "a b", "\"a 5\""],
            "set keeps quotes, setq removes them"
        );
        assert_eq!(
            output(r#"setq v "q\"uote", print "[$v]", print [$v]"#),
            [r#"[q"uote]"#, r#"[q"uote]"#],
            "expanded values print as they are"
        );
        assert_eq!(
            output(r#"set n 3, print $(mul $(add $n 1) 2), set f add, print $($f 2 2)"#),
            ["8", "4"],
            "nested expansions"
        );
        assert_eq!(
            output("init a 1, print $a, set a 2, export b $a, print $b"),
            ["1", "1"],
            "init and export take their values before the script runs"
        );
        assert_eq!(output("initq a \"x y\", print $a"), ["x y"]);
        assert_eq!(output(r#"print "$? $# [$args] [$1]""#), ["0 0 [] []"]);
    }

    fn eval(expr: &str) -> String {
        let mut lines = output(&format!("print $({expr})"));
        assert_eq!(lines.len(), 1, "{expr}: {lines:?}");
        lines.remove(0)
    }

    #[test]
    fn arithmetic() {
        for (expr, want) in [
            ("add 1 2 3", "6"),
            ("add", "0"),
            ("sub 10 1 2", "7"),
            ("sub -5", "-5"),
            ("mul 4 5", "20"),
            ("mul", "1"),
            ("div 7 2", "3.5"),
            ("div 6 3", "2"),
            ("idiv 7 2", "3"),
            ("idiv -7 2", "-3"),
            ("add 1.5 2", "3.5"),
            ("add 0.1 0.2", "0.3"),
            ("sub 1700000001.25 1700000000", "1.25"),
            ("mul 1e20 10", "1e+21"),
            ("div 1 3", "0.333333333333"),
            ("div 1 100000", "1e-05"),
            ("div 1 0", "inf"),
            ("min 3 1 2", "1"),
            ("max 3 1.5 2", "3"),
            ("mod 7 3", "1"),
            ("mod -7 3", "-1"),
            ("rem 7.5 2", "1.5"),
            ("rem -7.5 2", "-1.5"),
            ("rem 1e300 3.5", "1"),
            ("rem 0.5 2", "0.5"),
            ("rem 5.25 0.5", "0.25"),
            ("rem 6.5 0.5", "0"),
            ("abs -0.5", "0.5"),
            ("min 2.5 1 3", "1"),
            ("neg 4", "-4"),
            ("neg -2.5", "2.5"),
            ("abs -4", "4"),
            ("abs 4", "4"),
            ("add 0x10 1", "17"),
        ] {
            assert_eq!(eval(expr), want, "{expr}");
        }
    }

    #[test]
    fn fmod_matches_the_rem_operator() {
        let mut state: u64 = 0x2545_f491_4f6c_dd1d;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        let special = [0.0, -0.0, 1.0, -3.5, 1e-310, 5e-324, 1e308, f64::INFINITY];
        for k in 0..20_000 {
            let (x, y) = if k < special.len() * special.len() {
                (special[k / special.len()], special[k % special.len()])
            } else {
                // Random bit patterns cover subnormals, huge ratios, NaN.
                (f64::from_bits(next()), f64::from_bits(next()))
            };
            let (got, want) = (fmod(x, y), x % y);
            assert!(
                got.to_bits() == want.to_bits() || (got.is_nan() && want.is_nan()),
                "fmod({x:e}, {y:e}) = {got:e}, want {want:e}"
            );
        }
    }

    #[test]
    fn comparisons_and_logic() {
        for (expr, want) in [
            ("eq 1 1", "true"),
            ("eq 1 1.0", "true"),
            ("ne 1 2", "true"),
            ("lt 2 10", "true"),
            ("lt abc abd", "true"),
            ("lt b a", "false"),
            ("eq \"a b\" 'a b'", "true"),
            ("gt 2.5 2", "true"),
            ("le 2 2", "true"),
            ("ge 1 2", "false"),
            ("not true", "false"),
            ("not 0", "true"),
            ("and true yes 1", "true"),
            ("and true false", "false"),
            ("and", "true"),
            ("or false true", "true"),
            ("or", "false"),
            ("nand true true", "false"),
            ("nor false false", "true"),
            ("if true a b", "a"),
            ("if false a b", "b"),
            ("if false a", ""),
            ("in b a b c", "true"),
            ("in d a b c", "false"),
            ("first x y", "x"),
            ("length abc de", "6"),
            ("unquote \"a b\"", "a b"),
            ("get x", "1"),
        ] {
            let got = output(&format!("set x 1, print $({expr})"));
            assert_eq!(got, [want], "{expr}");
        }
    }

    #[test]
    fn sprintf_formats() {
        for (expr, want) in [
            (r#"sprintf "%d-%5d|%-4d|%04d" 1 2 3 4"#, "1-    2|3   |0004"),
            (
                r#"sprintf "%x %X %#x %o %#o %u" 255 255 255 8 8 7"#,
                "ff FF 0xff 10 010 7",
            ),
            (r#"sprintf "%+d % d %.3d" 5 5 5"#, "+5  5 005"),
            (
                r#"sprintf "[%s] [%5s] [%-3s] [%.2s]" a b c "hello""#,
                "[a] [    b] [c  ] [he]",
            ),
            (r#"sprintf "100%%""#, "100%"),
            (r#"sprintf "%hd" 65537"#, "1"),
            (r#"sprintf "%d" -42"#, "-42"),
        ] {
            assert_eq!(eval(expr), want, "{expr}");
        }
    }

    #[test]
    fn byte_order_shift_and_set() {
        assert_eq!(eval("htonl $(ntohl 6)"), "6");
        assert_eq!(eval("htons $(ntohs 6)"), "6");
        // The host is little-endian on every platform nfc builds for.
        assert_eq!(eval("htonl 1"), "16777216");
        assert_eq!(eval("ntohs 256"), "1");
        assert_eq!(
            output(
                "write set v foo bar baz, print $(shift v), print $(shift v), print $(get v), \
                 print $(shift v), print [$(get v)]"
            ),
            ["foo", "bar", "baz", "baz", "[]"]
        );
        let lines = output("print $(htonl x), print $(shift nosuch), write set");
        assert!(
            lines
                .iter()
                .any(|l| l.contains("expected one 32-bit number"))
                && lines
                    .iter()
                    .any(|l| l.contains("undefined variable 'nosuch'"))
                && lines.iter().any(|l| l.contains("While calling 'set'")),
            "{lines:?}"
        );
    }

    #[test]
    fn print_to_a_file_needs_a_platform_with_files() {
        // The test console has no files: the error is reported, and
        // nothing is printed.
        let lines = output(r#"print >OUT "hello", printn >>OUT "x""#);
        assert_eq!(
            lines,
            [
                "While executing 'Script':",
                "  OUT: no files on this platform",
                "  OUT: no files on this platform"
            ]
        );
    }

    #[test]
    fn function_errors() {
        for (expr, message) in [
            ("add 1 x", "expected list of numbers"),
            ("lt 1", "expected two numbers"),
            ("mod 1.5 2", "expected two numbers"),
            ("mod 1 0", "division by zero"),
            ("neg x", "expected one number"),
            ("not maybe", "syntax error"),
            ("sprintf \"%d\"", "syntax error"),
            ("sprintf \"%d\" 1 2", "syntax error"),
            ("sprintf \"%f\" 1", "syntax error"),
            ("get nope", "undefined variable 'nope'"),
            ("random 0", "bad N"),
            ("now 1", "read handler 'now' does not take parameters"),
        ] {
            // A failed call gives the empty string; the print then ends
            // without a newline, so `[]` comes out at the end.
            assert_eq!(
                output(&format!("print [$({expr})]")),
                [
                    "While executing 'Script':".to_string(),
                    format!("  While calling '{expr}':"),
                    format!("    {message}"),
                    "[]".into(),
                ],
                "{expr}"
            );
        }
    }

    #[test]
    fn random_stays_in_range() {
        let mut r = Run::new("set i 0, label l, set a $(random 3), set b $(random 5 7), set c $(random), print \"$a $b $c\", set i $(add $i 1), goto l $(lt $i 50)");
        r.now = 12345;
        assert_eq!(r.start(), DriverStep::Ended);
        let lines = r.lines();
        assert_eq!(lines.len(), 50);
        let mut seen = [false; 3];
        for l in &lines {
            let v: Vec<u64> = l.split(' ').map(|x| x.parse().unwrap()).collect();
            assert!(v[0] < 3 && (5..=7).contains(&v[1]) && v[2] < 1 << 31, "{l}");
            seen[v[0] as usize] = true;
        }
        assert_eq!(seen, [true; 3], "every value comes up");
    }

    #[test]
    fn now_reads_the_wall_clock() {
        let mut r = Run::new("print $(now)");
        let cx = cx_at(r.console, 0, 1_700_000_000_123_456_789);
        assert_eq!(
            r.script.step(&mut r.pipeline, &cx, DriverEvent::Start),
            DriverStep::Ended
        );
        assert_eq!(r.lines(), ["1700000000.123456"]);
    }

    #[test]
    fn goto_and_loop_with_conditions() {
        assert_eq!(
            output("set i 0, label top, set i $(add $i 1), print $i, goto top $(lt $i 3), print 'done'"),
            ["1", "2", "3", "done"]
        );
        assert_eq!(
            output("goto skip, print 'no', label skip, print 'yes'"),
            ["yes"]
        );
        assert_eq!(output("print 'a', goto end, print 'b'"), ["a"]);
        assert_eq!(output("print 'a', goto exit, print 'b'"), ["a"]);
        assert_eq!(
            output("goto l maybe, label l, print 'after'"),
            [
                "While executing 'Script':",
                "  bad condition 'maybe'",
                "after"
            ]
        );
        assert_eq!(
            output("goto l $unset, print 'skipped', label l, print 'jumped'"),
            [
                "While executing 'Script':",
                "  bad condition '$unset'",
                "skipped",
                "jumped"
            ],
            "an unknown $name stays as written: not a boolean"
        );
        assert_eq!(
            output("init e, goto l $e, print 'skipped', label l, print 'jumped'"),
            ["jumped"],
            "an empty condition jumps, as in Click"
        );
    }

    #[test]
    fn loop_and_too_many_jumps() {
        assert_eq!(
            output("init n 0, set n $(add $n 1), print $n, goto end $(ge $n 3), loop"),
            ["1", "2", "3"]
        );
        let lines = output("label a, goto a");
        assert_eq!(lines, ["Script: too many jumps, giving up"]);
    }

    #[test]
    fn end_exit_error_return() {
        assert_eq!(output("print 'a', end, print 'b'"), ["a"]);
        assert_eq!(output("print 'a', exit, print 'b'"), ["a"]);
        assert_eq!(
            output("set x 2, error \"bad $x\", print 'b'"),
            ["While executing 'Script':", "  \"bad 2\""]
        );
        assert_eq!(
            output("set x 2, errorq \"bad $x\", print 'b'"),
            ["While executing 'Script':", "  bad 2"]
        );
        // `return` outside `run` holds the script where it is.
        let mut r = Run::new("print 'a', return 5, print 'b'");
        assert_eq!(r.start(), DriverStep::Wait);
        assert_eq!(r.lines(), ["a"]);
    }

    #[test]
    fn stop_and_write_stop() {
        let mut r = Run::new("print 'a', stop, print 'b'");
        assert_eq!(r.start(), DriverStep::Stop);
        assert_eq!(r.lines(), ["a"]);
        let mut r = Run::new("printn 'a', write stop, print 'b', wait 1s, print 'c'");
        assert_eq!(r.start(), DriverStep::Stop, "the step finishes, then stops");
        assert_eq!(r.lines(), ["ab"]);
    }

    #[test]
    fn step_waits_hold_active_scripts() {
        let mut r = Run::new("print 'a', wait, print 'b'");
        assert_eq!(r.start(), DriverStep::Wait);
        assert_eq!(r.event(DriverEvent::Round), DriverStep::Wait);
        assert_eq!(
            r.event(DriverEvent::StopRequest),
            DriverStep::Wait,
            "stop requests step driver scripts only"
        );
        assert_eq!(r.lines(), ["a"]);
    }

    #[test]
    fn timed_waits() {
        let mut r = Run::new(
            "print 'a', wait 2s, print 'b', wait_time 500ms, print 'c', wait_for 1, print 'd'",
        );
        r.now = 1_000;
        assert_eq!(r.start(), DriverStep::Wait);
        assert_eq!(r.lines(), ["a"]);
        r.now = 2_000_000_999;
        assert_eq!(r.event(DriverEvent::Round), DriverStep::Wait);
        assert!(r.lines().is_empty(), "not yet");
        r.now = 2_000_001_000;
        assert_eq!(r.event(DriverEvent::Round), DriverStep::Wait);
        assert_eq!(r.lines(), ["b"]);
        r.now += 499_999_999;
        assert_eq!(r.event(DriverEvent::Round), DriverStep::Wait);
        r.now += 1;
        assert_eq!(r.event(DriverEvent::Round), DriverStep::Wait);
        assert_eq!(r.lines(), ["c"]);
        r.now += 1_000_000_000;
        assert_eq!(r.event(DriverEvent::Round), DriverStep::Ended);
        assert_eq!(r.lines(), ["d"]);
        assert_eq!(
            r.event(DriverEvent::Round),
            DriverStep::Ended,
            "ended stays ended"
        );
    }

    #[test]
    fn a_leading_timed_wait_starts_its_clock_at_start() {
        let mut r = Run::new("wait 1s, print 'a', loop");
        r.now = 10;
        assert_eq!(r.start(), DriverStep::Wait);
        assert!(r.lines().is_empty());
        for k in 1..=3u64 {
            r.now = 10 + k * 1_000_000_000;
            assert_eq!(r.event(DriverEvent::Round), DriverStep::Wait);
            assert_eq!(r.lines(), ["a"], "round {k}");
        }
    }

    #[test]
    fn passive_scripts_do_not_run() {
        let mut r = Run::new("TYPE PASSIVE, print 'a'");
        assert_eq!(r.start(), DriverStep::Wait);
        assert_eq!(r.event(DriverEvent::Round), DriverStep::Wait);
        assert!(r.lines().is_empty());
        assert!(!r.script.is_driver());
    }

    #[test]
    fn driver_scripts_are_stepped_by_stop_requests() {
        let mut r = Run::new("TYPE DRIVER, print 'a', wait_stop 2, print 'b', wait, print 'c'");
        assert!(r.script.is_driver());
        assert_eq!(r.start(), DriverStep::Wait);
        assert_eq!(r.lines(), ["a"]);
        assert_eq!(r.event(DriverEvent::StopRequest), DriverStep::Wait);
        assert!(r.lines().is_empty(), "one of two");
        assert_eq!(r.event(DriverEvent::StopRequest), DriverStep::Wait);
        assert_eq!(r.lines(), ["b"]);
        assert_eq!(
            r.event(DriverEvent::StopRequest),
            DriverStep::Stop,
            "a driver script ends with an implicit stop"
        );
        assert_eq!(r.lines(), ["c"]);
    }

    #[test]
    fn a_stop_request_cuts_a_driver_timed_wait_short() {
        let mut r = Run::new("TYPE DRIVER, wait 10s, print 'a', end");
        assert_eq!(r.start(), DriverStep::Wait);
        assert_eq!(r.event(DriverEvent::StopRequest), DriverStep::Ended);
        assert_eq!(r.lines(), ["a"]);
    }

    #[test]
    fn goto_back_over_a_wait_resets_it() {
        let mut r = Run::new("TYPE DRIVER, label top, wait_stop 2, print 'tick', goto top");
        assert_eq!(r.start(), DriverStep::Wait);
        for _ in 0..3 {
            assert_eq!(r.event(DriverEvent::StopRequest), DriverStep::Wait);
            assert!(r.lines().is_empty());
            assert_eq!(r.event(DriverEvent::StopRequest), DriverStep::Wait);
            assert_eq!(r.lines(), ["tick"]);
        }
    }

    #[test]
    fn a_driver_write_stop_steps_itself() {
        let mut r = Run::new("TYPE DRIVER, write stop, wait, print 'a', wait, print 'b'");
        assert_eq!(r.start(), DriverStep::Wait);
        assert_eq!(r.lines(), ["a"]);
        assert_eq!(r.event(DriverEvent::StopRequest), DriverStep::Stop);
        assert_eq!(r.lines(), ["b"]);
    }

    #[test]
    fn a_driver_that_keeps_asking_to_stop_stops() {
        let mut r = Run::new("TYPE DRIVER, label a, write stop, wait, goto a");
        assert_eq!(r.start(), DriverStep::Stop);
    }

    #[test]
    fn scripts_run_under_the_poll_loop() {
        use nfc_dataplane::pipeline::{run, Platform, Stopped};

        /// Time moves 1 ms per round; elements ask to stop in round 5.
        struct Clock(u64);
        impl Platform for Clock {
            fn now(&self) -> u64 {
                self.0
            }
            fn wall(&self) -> u64 {
                self.0
            }
            fn entropy(&mut self) -> u64 {
                4
            }
            fn poll_control(&mut self, _p: &mut dyn Pipeline) -> Option<String> {
                self.0 += 1_000_000;
                None
            }
        }
        struct StopAt(FakePipeline, u32);
        impl Pipeline for StopAt {
            fn run_tasks(&mut self, _cx: &Context) -> TaskResult {
                self.1 += 1;
                // Idle: the poll loop runs the tasks once per round.
                if self.1 == 5 {
                    TaskResult::Stop
                } else {
                    TaskResult::Idle
                }
            }
            fn read(&self, e: &str, h: &str) -> Result<String, HandlerError> {
                self.0.read(e, h)
            }
            fn write(&mut self, e: &str, h: &str, v: &str) -> Result<(), HandlerError> {
                self.0.write(e, h, v)
            }
            fn take_calls(&mut self, _calls: &mut Vec<(String, String)>) {}
            fn elements(&self) -> Vec<(&str, &str)> {
                self.0.elements()
            }
            fn class_handlers(&self, class: &str) -> Option<&'static [&'static str]> {
                self.0.class_handlers(class)
            }
            fn classes(&self) -> Vec<&'static str> {
                self.0.classes()
            }
        }
        let console = Captured::leak();
        let mut p = StopAt(FakePipeline::with(&[("c", "count", "7")]), 0);
        let mut drivers: Vec<Box<dyn Driver>> = vec![
            Box::new(Script::configure("wait 2ms, print 'tick'").unwrap()),
            Box::new(
                crate::standard::driver_manager::DriverManager::configure(
                    "print 'start', wait_stop, read c.count",
                )
                .unwrap(),
            ),
        ];
        let stopped = run(
            &mut p,
            &mut Clock(0),
            PacketPool::new(1),
            console,
            &mut drivers,
            Some(100),
        );
        assert_eq!(stopped, Stopped::Elements);
        assert_eq!(console.take(), ["start", "tick", "c.count:", "7"]);
    }
}
