//! Click's ControlSocket protocol, without a transport: a [`Session`]
//! takes the bytes a client sent and queues the bytes to send back, calling
//! handlers on a [`Pipeline`] in between. Every platform carries it its
//! own way: over TCP or Unix sockets on linux, over the serial console on
//! kvm, over the PV console on xen.
//!
//! The protocol (Click's `ControlSocket` manual, version 1.3): the server
//! greets with `Click::ControlSocket/1.3`; each command is one line (ended
//! by CR, LF or CRLF); each reply is lines `CODE text` (`CODE-text` for all
//! but the last), ended by CRLF, and for reads a `DATA n` line followed by
//! n bytes. Commands: `READ`/`GET`, `WRITE`/`SET`, `READDATA`,
//! `WRITEDATA`/`SETDATA`, `READUNTIL`, `WRITEUNTIL`, `CHECKREAD`,
//! `CHECKWRITE`, `LLRPC` (refused: 501), `HELP`, `QUIT`/`CLOSE`. Codes: 200
//! OK, 500 syntax error, 501 unimplemented, 510 no such element, 511 no
//! such handler, 520 handler error, 530 permission denied.
//!
//! Handler names are `element.handler`, `N.handler` (the Nth element,
//! from 1) or a global handler: `version`, `list`, `classes` (read) and
//! `stop` (write: stops the configuration). Every element also has the
//! read handlers `name`, `class` and `handlers`, as in Click; which
//! handlers a class has, and whether they read or write, comes from its
//! spec in this crate's registry.

use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;
use core::fmt::Write as _;

use nfc_dataplane::element::HandlerError;
use nfc_dataplane::pipeline::Pipeline;

/// The greeting, without its CRLF.
pub const BANNER: &str = "Click::ControlSocket/1.3";

/// Reply codes (Click's `CSERR_*`).
mod code {
    pub const OK: u16 = 200;
    pub const SYNTAX: u16 = 500;
    pub const UNIMPLEMENTED: u16 = 501;
    pub const NO_SUCH_ELEMENT: u16 = 510;
    pub const NO_SUCH_HANDLER: u16 = 511;
    pub const HANDLER_ERROR: u16 = 520;
    pub const PERMISSION: u16 = 530;
}

/// The most bytes of unanswered input a connection may hold (a WRITEDATA
/// of a large rule set fits; a client that sends endlessly does not).
const MAX_INPUT: usize = 1 << 20;

/// One connection's protocol state.
#[derive(Debug)]
pub struct Session {
    input: Vec<u8>,
    output: Vec<u8>,
    read_only: bool,
    /// The client said QUIT: close once the output is sent.
    quit: bool,
    /// A CR at the end of the input ends its line now ([`Session::pause`]).
    cr_ends_line: bool,
}

/// What a handler name refers to.
enum Target {
    /// A global handler.
    Global(String),
    /// An element's handler: `(element name, class, handler)`.
    Element(String, String, String),
}

/// What a command found in the input.
enum Parsed {
    /// Nothing more to do until more input arrives.
    Wait,
    /// One command was handled.
    Done,
}

impl Session {
    /// A new session, its greeting already queued.
    pub fn new(read_only: bool) -> Session {
        Session {
            input: Vec::new(),
            output: format!("{BANNER}\r\n").into_bytes(),
            read_only,
            quit: false,
            cr_ends_line: false,
        }
    }

    /// True once the client said QUIT (or sent too much).
    pub fn is_done(&self) -> bool {
        self.quit
    }

    /// Bytes to send to the client.
    pub fn output(&self) -> &[u8] {
        &self.output
    }

    /// Forgets the first `n` bytes of [`Session::output`] (they were sent).
    pub fn consume_output(&mut self, n: usize) {
        self.output.drain(..n.min(self.output.len()));
    }

    /// Takes bytes from the client and answers every complete command in
    /// them; `eof` says the client will send nothing more. Returns
    /// `Some(reason)` when a command asked the configuration to stop.
    pub fn feed(&mut self, bytes: &[u8], eof: bool, pipeline: &mut dyn Pipeline) -> Option<String> {
        if self.quit {
            return None;
        }
        self.input.extend_from_slice(bytes);
        if self.input.len() > MAX_INPUT {
            self.reply(code::SYNTAX, "Too much input");
            self.quit = true;
            return None;
        }
        let mut stop = None;
        while !self.quit && !self.input.is_empty() {
            match self.command(eof, pipeline, &mut stop) {
                Parsed::Wait => break,
                Parsed::Done => {}
            }
        }
        stop
    }

    /// Tells the session that no byte has come for a while. A CR that
    /// ends the input then ends its line, where [`Session::feed`] waits to
    /// see whether an LF follows: a terminal sends CR alone for Enter. An
    /// LF that comes after all is an empty line, which is ignored. Returns
    /// what [`Session::feed`] returns.
    pub fn pause(&mut self, pipeline: &mut dyn Pipeline) -> Option<String> {
        if self.quit || self.input.last() != Some(&b'\r') {
            return None;
        }
        self.cr_ends_line = true;
        let stop = self.feed(&[], false, pipeline);
        self.cr_ends_line = false;
        stop
    }

    fn reply(&mut self, code: u16, text: &str) {
        self.message(code, text, false);
    }

    fn message(&mut self, code: u16, text: &str, more: bool) {
        let sep = if more { '-' } else { ' ' };
        let text: String = text
            .chars()
            .map(|c| if c.is_control() { '?' } else { c })
            .collect();
        self.output
            .extend_from_slice(format!("{code}{sep}{text}\r\n").as_bytes());
    }

    fn data(&mut self, data: &[u8]) {
        self.output
            .extend_from_slice(format!("DATA {}\r\n", data.len()).as_bytes());
        self.output.extend_from_slice(data);
    }

    /// Handles the first command of the input, if it is complete.
    fn command(
        &mut self,
        eof: bool,
        pipeline: &mut dyn Pipeline,
        stop: &mut Option<String>,
    ) -> Parsed {
        let Some(end) = self.input.iter().position(|&b| b == b'\r' || b == b'\n') else {
            if !eof {
                return Parsed::Wait;
            }
            // The last line, without its end.
            let line = core::mem::take(&mut self.input);
            self.run(&line, &[], eof, pipeline, stop);
            return Parsed::Done;
        };
        let mut next = end + 1;
        if self.input[end] == b'\r' && self.input.get(next) == Some(&b'\n') {
            next += 1;
        } else if self.input[end] == b'\r' && next == self.input.len() && !eof && !self.cr_ends_line
        {
            // A CR that may be the start of a CRLF: wait for the next byte.
            return Parsed::Wait;
        }
        let line = self.input[..end].to_vec();
        let rest = self.input[next..].to_vec();
        match self.run(&line, &rest, eof, pipeline, stop) {
            Some(_) if self.quit => {
                self.input.clear();
                Parsed::Done
            }
            Some(used) => {
                self.input.drain(..next + used);
                Parsed::Done
            }
            None => Parsed::Wait,
        }
    }

    /// Runs command `line`, with `rest` the input after it; returns how
    /// many bytes of `rest` it used, or `None` to wait for more input.
    fn run(
        &mut self,
        line: &[u8],
        rest: &[u8],
        eof: bool,
        pipeline: &mut dyn Pipeline,
        stop: &mut Option<String>,
    ) -> Option<usize> {
        let line = String::from_utf8_lossy(line);
        let words: Vec<&str> = line.split_ascii_whitespace().collect();
        let Some(first) = words.first() else {
            return Some(0);
        };
        // The text after the handler name, as Click takes it.
        let args = |n: usize| -> String {
            let mut text: &str = &line;
            for w in &words[..n] {
                text = &text[text.find(w).unwrap_or(0) + w.len()..];
            }
            text.trim().to_string()
        };
        match first.to_ascii_uppercase().as_str() {
            cmd @ ("READ" | "GET" | "WRITE" | "SET") => {
                if words.len() < 2 {
                    self.reply(code::SYNTAX, "Wrong number of arguments");
                } else if cmd.starts_with('W') || cmd.starts_with('S') {
                    self.write(words[1], &args(2), pipeline, stop);
                } else {
                    self.read(words[1], &args(2), pipeline);
                }
                Some(0)
            }
            cmd @ ("READDATA" | "WRITEDATA" | "SETDATA") => {
                let len = match (words.len(), words.get(2).map(|w| w.parse::<usize>())) {
                    (3, Some(Ok(len))) => len,
                    (3, _) => {
                        self.reply(code::SYNTAX, &format!("Syntax error in '{cmd}'"));
                        return Some(0);
                    }
                    _ => {
                        self.reply(code::SYNTAX, "Wrong number of arguments");
                        return Some(0);
                    }
                };
                if rest.len() < len {
                    if !eof {
                        return None;
                    }
                    self.reply(code::SYNTAX, "Not enough data");
                    return Some(rest.len());
                }
                let data = String::from_utf8_lossy(&rest[..len]).into_owned();
                if cmd.starts_with('R') {
                    self.read(words[1], &data, pipeline);
                } else {
                    self.write(words[1], &data, pipeline, stop);
                }
                Some(len)
            }
            cmd @ ("READUNTIL" | "WRITEUNTIL") => {
                if words.len() < 2 {
                    self.reply(code::SYNTAX, "Wrong number of arguments");
                    return Some(0);
                }
                let until = args(2);
                let Some((data, used)) = until_line(rest, &until) else {
                    if !eof {
                        return None;
                    }
                    self.reply(code::SYNTAX, "Connection closed");
                    return Some(rest.len());
                };
                let data = String::from_utf8_lossy(data).into_owned();
                if cmd.starts_with('R') {
                    self.read(words[1], &data, pipeline);
                } else {
                    self.write(words[1], &data, pipeline, stop);
                }
                Some(used)
            }
            cmd @ ("CHECKREAD" | "CHECKWRITE") => {
                if words.len() != 2 {
                    self.reply(code::SYNTAX, "Wrong number of arguments");
                } else {
                    self.check(words[1], cmd == "CHECKWRITE", pipeline);
                }
                Some(0)
            }
            "LLRPC" => {
                if words.len() != 2 && words.len() != 3 {
                    self.reply(code::SYNTAX, "Wrong number of arguments");
                    return Some(0);
                }
                let len = match words.get(2).map(|w| w.parse::<usize>()) {
                    None => 0,
                    Some(Ok(len)) => len,
                    Some(Err(_)) => {
                        self.reply(code::SYNTAX, "Syntax error in 'llrpc'");
                        return Some(0);
                    }
                };
                if rest.len() < len && !eof {
                    return None;
                }
                let name = words[1].split('#').next().unwrap_or_default();
                if find_element(pipeline, name).is_none() {
                    self.reply(code::NO_SUCH_ELEMENT, &format!("No element named '{name}'"));
                } else {
                    self.reply(
                        code::UNIMPLEMENTED,
                        &format!(
                            "Cannot call LLRPC '{}' remotely (nfc has no LLRPCs)",
                            words[1]
                        ),
                    );
                }
                Some(len.min(rest.len()))
            }
            "QUIT" | "CLOSE" => {
                if words.len() != 1 {
                    self.reply(code::SYNTAX, "Bad command syntax");
                }
                self.reply(code::OK, "Goodbye!");
                self.quit = true;
                Some(0)
            }
            "HELP" => {
                for line in [
                    "Commands supported:",
                    "READ handler [arg...]   call read handler, return DATA",
                    "READDATA handler len    call read handler, return DATA",
                    "READUNTIL handler term  call read handler, return DATA",
                    "WRITE handler [arg...]  call write handler",
                    "WRITEDATA handler len   call write handler, pass len data bytes",
                    "WRITEUNTIL handler term call write handler, take data until term",
                    "CHECKREAD handler       check if read handler is valid",
                    "CHECKWRITE handler      check if write handler is valid",
                ] {
                    self.message(code::OK, line, true);
                }
                self.reply(code::OK, "QUIT                    close connection");
                Some(0)
            }
            _ => {
                let cmd = first.to_ascii_uppercase();
                self.reply(
                    code::UNIMPLEMENTED,
                    &format!("Command '{cmd}' unimplemented"),
                );
                Some(0)
            }
        }
    }

    /// Resolves handler name `full`, replying with an error when it names
    /// no element.
    fn target(&mut self, full: &str, pipeline: &dyn Pipeline) -> Option<Target> {
        match resolve(full, pipeline) {
            Ok(target) => Some(target),
            Err(element) => {
                self.reply(
                    code::NO_SUCH_ELEMENT,
                    &format!("No element named '{element}'"),
                );
                None
            }
        }
    }

    fn read(&mut self, full: &str, param: &str, pipeline: &mut dyn Pipeline) {
        match call_read(pipeline, full, param, true) {
            Ok(data) => {
                self.reply(code::OK, &format!("Read handler '{full}' OK"));
                self.data(data.as_bytes());
            }
            Err(ReadError::NoElement(element)) => {
                self.reply(
                    code::NO_SUCH_ELEMENT,
                    &format!("No element named '{element}'"),
                );
            }
            Err(ReadError::WriteOnly) => {
                self.reply(code::PERMISSION, &format!("Handler '{full}' write-only"));
            }
            Err(ReadError::NoHandler) => {
                self.reply(code::NO_SUCH_HANDLER, &format!("No handler named '{full}'"));
            }
            Err(ReadError::Failed(why)) => {
                self.message(
                    code::HANDLER_ERROR,
                    &format!("Read handler '{full}' error:"),
                    true,
                );
                self.reply(code::HANDLER_ERROR, &why);
            }
        }
    }

    fn write(
        &mut self,
        full: &str,
        value: &str,
        pipeline: &mut dyn Pipeline,
        stop: &mut Option<String>,
    ) {
        let Some(target) = self.target(full, pipeline) else {
            return;
        };
        let result = match &target {
            Target::Global(h) if matches!(h.as_str(), "stop" | "stop.run") => {
                if self.read_only {
                    Err(None)
                } else {
                    *stop = Some("control".into());
                    Ok(())
                }
            }
            Target::Global(_) => Err(Some(HandlerError::NoSuchHandler)),
            Target::Element(_, class, h)
                if spec_access(pipeline, class, h) == Some((true, false)) =>
            {
                self.reply(code::PERMISSION, &format!("Handler '{full}' read-only"));
                return;
            }
            Target::Element(..) if self.read_only => Err(None),
            Target::Element(name, _, h) => pipeline.write(name, h, value).map_err(Some),
        };
        match result {
            Ok(()) => self.reply(code::OK, &format!("Write handler '{full}' OK")),
            Err(None) => self.reply(code::PERMISSION, &format!("Permission denied for '{full}'")),
            Err(Some(HandlerError::NoSuchHandler)) => {
                self.reply(code::NO_SUCH_HANDLER, &format!("No handler named '{full}'"));
            }
            Err(Some(HandlerError::Invalid(why))) => {
                self.message(
                    code::HANDLER_ERROR,
                    &format!("Write handler '{full}' error:"),
                    true,
                );
                self.reply(code::HANDLER_ERROR, &why);
            }
        }
    }

    fn check(&mut self, full: &str, write: bool, pipeline: &dyn Pipeline) {
        let Some(target) = self.target(full, pipeline) else {
            return;
        };
        let (readable, writable) = match &target {
            Target::Global(h) => match h.as_str() {
                "version" | "list" | "classes" => (true, false),
                "stop" => (false, true),
                _ => (false, false),
            },
            Target::Element(_, _, h) if matches!(h.as_str(), "name" | "class" | "handlers") => {
                (true, false)
            }
            Target::Element(name, class, h) => spec_access(pipeline, class, h)
                .unwrap_or_else(|| (pipeline.read(name, h).is_ok(), false)),
        };
        let kind = if write { "write" } else { "read" };
        if write && writable && self.read_only {
            self.reply(code::PERMISSION, &format!("Permission denied for '{full}'"));
        } else if (write && writable) || (!write && readable) {
            let kind = if write { "Write" } else { "Read" };
            self.reply(code::OK, &format!("{kind} handler '{full}' OK"));
        } else if readable || writable {
            self.reply(
                code::NO_SUCH_HANDLER,
                &format!("Handler '{full}' not {kind}able"),
            );
        } else {
            self.reply(
                code::NO_SUCH_HANDLER,
                &format!("No {kind} handler named '{full}'"),
            );
        }
    }
}

/// Why [`read_handler`] gave no value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ReadError {
    /// No element has this name (or number).
    NoElement(String),
    /// The element, or the router for a global handler, has no such
    /// handler.
    NoHandler,
    /// The handler exists but can only be written.
    WriteOnly,
    /// The handler refused; the message says why.
    Failed(String),
}

/// What a read handler name leads to: a value known at once (global and
/// generic handlers), or an element's handler to call.
enum Found {
    Value(Result<String, HandlerError>),
    Call(String, String),
}

/// Resolves read handler `full`; `public` hides private handlers (a
/// script's `cat`), as Click hides them from control sockets.
fn find_read(pipeline: &dyn Pipeline, full: &str, public: bool) -> Result<Found, ReadError> {
    Ok(
        match resolve(full, pipeline).map_err(ReadError::NoElement)? {
            Target::Global(h) => Found::Value(global_read(&h, pipeline)),
            Target::Element(name, class, h) => match h.as_str() {
                "name" => Found::Value(Ok(name)),
                "class" => Found::Value(Ok(class)),
                "handlers" => Found::Value(Ok(handler_list(pipeline, &class))),
                _ if public && private(pipeline, &class, &h) => return Err(ReadError::NoHandler),
                _ if spec_access(pipeline, &class, &h) == Some((false, true)) => {
                    return Err(ReadError::WriteOnly)
                }
                _ => Found::Call(name, h),
            },
        },
    )
}

fn read_error(e: HandlerError) -> ReadError {
    match e {
        HandlerError::NoSuchHandler => ReadError::NoHandler,
        HandlerError::Invalid(why) => ReadError::Failed(why),
    }
}

/// Reads handler `full` of `pipeline` as a ControlSocket `READ` does:
/// `element.handler`, `N.handler` (the Nth element, from 1) or a global
/// handler (`version`, `list`, `classes`); every element also has `name`,
/// `class` and `handlers`. Private handlers are hidden.
pub fn read_handler(pipeline: &dyn Pipeline, full: &str) -> Result<String, ReadError> {
    match find_read(pipeline, full, true)? {
        Found::Value(v) => v,
        Found::Call(name, h) => pipeline.read(&name, &h),
    }
    .map_err(read_error)
}

/// [`read_handler`] with a parameter (`READ s.add 1 1`), as a call that
/// may change state ([`Pipeline::call_read`]: a script's `run`);
/// `public` hides private handlers, as for a control socket (a script
/// calls them).
pub fn call_read(
    pipeline: &mut dyn Pipeline,
    full: &str,
    param: &str,
    public: bool,
) -> Result<String, ReadError> {
    match find_read(pipeline, full, public)? {
        Found::Value(v) => v,
        Found::Call(name, h) => pipeline.call_read(&name, &h, param),
    }
    .map_err(read_error)
}

/// What handler name `full` refers to; `Err(element)` when it names an
/// element that does not exist.
fn resolve(full: &str, pipeline: &dyn Pipeline) -> Result<Target, String> {
    let canonical = match full.find('.') {
        Some(0) => &full[1..],
        Some(1) if full.starts_with('0') => &full[2..],
        _ => full,
    };
    let Some((element, handler)) = canonical.split_once('.') else {
        return Ok(Target::Global(canonical.into()));
    };
    match find_element(pipeline, element) {
        Some((name, class)) => Ok(Target::Element(name, class, handler.into())),
        None => Err(element.into()),
    }
}

/// The data of a READUNTIL/WRITEUNTIL in `rest`: the bytes before the
/// first line equal to `until` (trailing spaces ignored; a blank line when
/// `until` is empty), and how many bytes that used up.
fn until_line<'a>(rest: &'a [u8], until: &str) -> Option<(&'a [u8], usize)> {
    let mut start = 0;
    while start < rest.len() {
        let end = rest[start..]
            .iter()
            .position(|&b| b == b'\r' || b == b'\n')
            .map(|i| start + i)?;
        let mut next = end + 1;
        if rest[end] == b'\r' && rest.get(next) == Some(&b'\n') {
            next += 1;
        }
        let line = String::from_utf8_lossy(&rest[start..end]);
        if line.trim_end() == until.trim_end() {
            return Some((&rest[..start], next));
        }
        start = next;
    }
    None
}

/// The element named `name` (or numbered `name`, from 1): its name and
/// class.
fn find_element(pipeline: &dyn Pipeline, name: &str) -> Option<(String, String)> {
    let elements = pipeline.elements();
    let by_name = elements.iter().find(|(n, _)| *n == name);
    let by_number = || {
        name.parse::<usize>()
            .ok()
            .filter(|&i| i >= 1)
            .and_then(|i| elements.get(i - 1))
    };
    by_name
        .or_else(by_number)
        .map(|(n, c)| (n.to_string(), c.to_string()))
}

/// Whether handler `handler` of class `class` is (readable, writable), by
/// the class's spec as `pipeline` knows it; `None` when the spec does not
/// list it.
fn spec_access(pipeline: &dyn Pipeline, class: &str, handler: &str) -> Option<(bool, bool)> {
    let handlers = pipeline.class_handlers(class)?;
    handlers.iter().find_map(|h| {
        let (name, access) = h.split_once(' ')?;
        (name == handler).then_some(match access {
            "(read)" | "(private)" => (true, false),
            "(write)" => (false, true),
            _ => (true, true),
        })
    })
}

/// Whether class `class` marks handler `handler` private (`cat
/// (private)` in its spec): hidden from control sockets, as in Click.
fn private(pipeline: &dyn Pipeline, class: &str, handler: &str) -> bool {
    pipeline.class_handlers(class).is_some_and(|handlers| {
        handlers
            .iter()
            .any(|h| h.split_once(' ') == Some((handler, "(private)")))
    })
}

/// Click's `handlers` handler: one `name<TAB>flags` line per handler
/// (private ones left out).
fn handler_list(pipeline: &dyn Pipeline, class: &str) -> String {
    let mut out = String::from("name\tr\nclass\tr\nhandlers\tr\n");
    if let Some(handlers) = pipeline.class_handlers(class) {
        for h in handlers {
            if let Some((name, access)) = h.split_once(' ') {
                if access == "(private)" {
                    continue;
                }
                let flags = match access {
                    "(read)" => "r",
                    "(write)" => "w",
                    _ => "rw",
                };
                let _ = writeln!(out, "{name}\t{flags}");
            }
        }
    }
    out
}

/// The global read handlers.
fn global_read(handler: &str, pipeline: &dyn Pipeline) -> Result<String, HandlerError> {
    let elements = pipeline.elements();
    match handler {
        "version" => Ok(env!("CARGO_PKG_VERSION").into()),
        "list" => {
            let mut out = format!("{}\n", elements.len());
            for (name, _) in &elements {
                let _ = writeln!(out, "{name}");
            }
            Ok(out)
        }
        "classes" => {
            let mut out = String::new();
            for class in pipeline.classes() {
                let _ = writeln!(out, "{class}");
            }
            Ok(out)
        }
        _ => Err(HandlerError::NoSuchHandler),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::standard::counter::Counter;
    use alloc::boxed::Box;
    use nfc_dataplane::router::Router;

    fn router() -> Router {
        let mut r = Router::new();
        r.set_registry(crate::REGISTRY);
        let c = Counter::configure("").unwrap();
        r.add("c", "Counter", Box::new(c), 1, 1, false);
        r
    }

    /// Feeds `input` in one piece and returns the output after the banner.
    fn talk(read_only: bool, input: &str) -> (String, Option<String>, bool) {
        let mut r = router();
        let mut s = Session::new(read_only);
        let stop = s.feed(input.as_bytes(), false, &mut r);
        let out = String::from_utf8(s.output().to_vec()).unwrap();
        let out = out
            .strip_prefix("Click::ControlSocket/1.3\r\n")
            .expect("banner")
            .to_string();
        (out, stop, s.is_done())
    }

    #[test]
    fn reads_and_writes() {
        let (out, stop, done) = talk(false, "READ c.count\r\nWRITE c.reset\nread c.count\r\n");
        assert_eq!(
            out,
            "200 Read handler 'c.count' OK\r\nDATA 1\r\n0\
             200 Write handler 'c.reset' OK\r\n\
             200 Read handler 'c.count' OK\r\nDATA 1\r\n0"
        );
        assert_eq!((stop, done), (None, false));
        let (out, ..) = talk(false, "READ 1.count\r\nGET c.class\r\nREAD c.name\r\n");
        assert!(
            out.starts_with("200 Read handler '1.count' OK\r\nDATA 1\r\n0"),
            "{out}"
        );
        assert!(out.contains("DATA 7\r\nCounter"), "{out}");
        assert!(out.ends_with("DATA 1\r\nc"), "{out}");
    }

    #[test]
    fn errors_have_clicks_codes() {
        let (out, ..) = talk(
            false,
            "READ c.nope\nREAD d.count\nWRITE c.count 3\nWRITE c.count_call 1\nREAD\nFROB x\nREAD c.reset\n",
        );
        let codes: Vec<&str> = out.lines().map(|l| &l[..4]).collect();
        assert_eq!(
            codes,
            ["511 ", "510 ", "530 ", "520-", "520 ", "500 ", "501 ", "530 "],
            "{out}"
        );
        assert!(out.contains("No handler named 'c.nope'"), "{out}");
        assert!(out.contains("No element named 'd'"), "{out}");
        assert!(out.contains("Command 'FROB' unimplemented"), "{out}");
    }

    #[test]
    fn llrpc_is_refused() {
        let (out, ..) = talk(false, "LLRPC c#1234\nLLRPC x#1\nLLRPC\n");
        let codes: Vec<&str> = out.lines().map(|l| &l[..3]).collect();
        assert_eq!(codes, ["501", "510", "500"], "{out}");
    }

    #[test]
    fn data_and_until_forms() {
        let (out, ..) = talk(false, "WRITEDATA c.reset 3\r\nabcREADDATA c.count 0\r\n");
        assert_eq!(
            out,
            "200 Write handler 'c.reset' OK\r\n200 Read handler 'c.count' OK\r\nDATA 1\r\n0"
        );
        let (out, ..) = talk(
            false,
            "WRITEUNTIL c.reset END\r\nline 1\r\nEND  \r\nREAD c.count\n",
        );
        assert!(
            out.starts_with("200 Write handler 'c.reset' OK\r\n200 Read"),
            "{out}"
        );
        // Incomplete data waits for more input.
        let mut r = router();
        let mut s = Session::new(false);
        s.consume_output(usize::MAX);
        assert_eq!(s.feed(b"WRITEDATA c.reset 4\r\nab", false, &mut r), None);
        assert!(s.output().is_empty());
        s.feed(b"cd", false, &mut r);
        assert_eq!(s.output(), b"200 Write handler 'c.reset' OK\r\n");
        s.consume_output(usize::MAX);
        s.feed(b"READ c.count", false, &mut r);
        assert!(s.output().is_empty(), "no line end yet");
        s.feed(b"", true, &mut r);
        assert!(
            s.output().starts_with(b"200 Read handler"),
            "the last line counts at EOF"
        );
    }

    #[test]
    fn globals_checks_and_stop() {
        let (out, ..) = talk(false, "READ list\nREAD version\nREAD classes\n");
        assert!(out.contains("DATA 4\r\n1\nc\n"), "{out}");
        assert!(out.contains(env!("CARGO_PKG_VERSION")), "{out}");
        assert!(out.contains("\nFromDump\n"), "{out}");
        let (out, ..) = talk(
            false,
            "CHECKREAD c.count\nCHECKWRITE c.count\nCHECKWRITE c.reset\nCHECKREAD c.x\nCHECKREAD c.handlers\n",
        );
        let codes: Vec<&str> = out.lines().map(|l| &l[..3]).collect();
        assert_eq!(codes, ["200", "511", "200", "511", "200"], "{out}");
        let (out, ..) = talk(false, "READ c.handlers\n");
        assert!(
            out.contains("count\tr\n") && out.contains("reset\tw\n"),
            "{out}"
        );
        let (out, stop, _) = talk(false, "WRITE stop\n");
        assert_eq!(out, "200 Write handler 'stop' OK\r\n");
        assert_eq!(stop.as_deref(), Some("control"));
    }

    #[test]
    fn read_only_sessions_refuse_writes() {
        let (out, stop, _) = talk(
            true,
            "WRITE c.reset\nWRITE stop\nCHECKWRITE c.reset\nREAD c.count\n",
        );
        let codes: Vec<&str> = out.lines().map(|l| l.get(..3).unwrap_or(l)).collect();
        assert_eq!(codes, ["530", "530", "530", "200", "DAT", "0"], "{out}");
        assert_eq!(stop, None);
    }

    #[test]
    fn quit_says_goodbye_and_ignores_the_rest() {
        let (out, _, done) = talk(false, "QUIT\nREAD c.count\n");
        assert_eq!(out, "200 Goodbye!\r\n");
        assert!(done);
        let (out, ..) = talk(false, "HELP\n");
        assert!(out.starts_with("200-Commands supported:\r\n"), "{out}");
        assert!(
            out.ends_with("200 QUIT                    close connection\r\n"),
            "{out}"
        );
    }

    #[test]
    fn a_lone_cr_ends_a_line_after_a_pause() {
        let mut r = router();
        let mut s = Session::new(false);
        s.consume_output(usize::MAX);
        assert_eq!(s.pause(&mut r), None, "nothing pending");
        s.feed(b"WRITE c.reset\r", false, &mut r);
        assert!(s.output().is_empty(), "an LF may follow the CR");
        s.pause(&mut r);
        assert_eq!(s.output(), b"200 Write handler 'c.reset' OK\r\n");
        s.consume_output(usize::MAX);
        // The LF that comes late is an empty line: no reply.
        s.feed(b"\nREAD c.count\r", false, &mut r);
        assert!(s.output().is_empty());
        // A CR inside a WRITEDATA's data is data, pause or not.
        s.feed(b"\n", false, &mut r);
        s.consume_output(usize::MAX);
        s.feed(b"WRITEDATA c.reset 3\r\na\r", false, &mut r);
        s.pause(&mut r);
        assert!(s.output().is_empty(), "{:?}", s.output());
        s.feed(b"b", false, &mut r);
        assert_eq!(s.output(), b"200 Write handler 'c.reset' OK\r\n");
    }

    #[test]
    fn until_lines() {
        assert_eq!(
            until_line(b"a\r\nb\nEND\nrest", "END"),
            Some((&b"a\r\nb\n"[..], 9))
        );
        assert_eq!(until_line(b"a\n\nrest", ""), Some((&b"a\n"[..], 3)));
        assert_eq!(until_line(b"a\nEN", "END"), None);
    }
}
