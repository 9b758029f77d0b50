//! FromIPSummaryDump and ToIPSummaryDump: Click's text packet summaries,
//! read and written line by line. The format itself (fields, building
//! packets, printing them) is `nfc_elements::devices::ip_summary_dump`;
//! this module does the file I/O.
//!
//! FromIPSummaryDump reads its file through a buffered reader, one line at
//! a time, never the whole file. ToIPSummaryDump writes through a buffer
//! flushed when the element is dropped (at the end of [`crate::main`]) and
//! on a write to its `flush` handler.

use std::fs::File;
use std::io::{self, BufRead, BufReader, BufWriter, Cursor, Write};

use nfc_dataplane::batch::Batch;
use nfc_dataplane::element::{Context, Element, HandlerError, TaskResult};
use nfc_dataplane::packet::Packet;
use nfc_dataplane::parse;
use nfc_elements::devices::from_ip_summary_dump;
use nfc_elements::devices::ip_summary_dump::{LineError, VERSION};
use nfc_elements::devices::to_ip_summary_dump;

use crate::platform::Linux;

/// What reading the next packet gave.
enum Next {
    Packet(Packet),
    /// The end of the dump.
    End,
    /// No buffer is free now; try again later.
    Wait,
}

/// FromIPSummaryDump on linux: emits a dump's packets.
///
/// When its output is pushed, the task emits one packet per run (Click's
/// pace, which keeps packet order through splits); when it is pulled,
/// `pull` hands packets out and the poll loop does not run the task.
pub struct FromIPSummaryDump {
    config: from_ip_summary_dump::FromIPSummaryDump,
    /// The dump, until its end.
    input: Option<Box<dyn BufRead>>,
    /// Lines read so far.
    line_no: u64,
    /// The first line is still to be checked for the banner.
    first: bool,
    /// A packet line read while no buffer was free.
    pending: Option<String>,
    active: bool,
    count: u64,
    bad_lines: u64,
    /// A parse error was reported (Click reports the first only).
    complained: bool,
    /// TIMING: (monotonic time, dump time) of the first packet emitted.
    clock: Option<(u64, u64)>,
    /// A packet whose time has not come (TIMING).
    held: Option<Packet>,
    ended: bool,
    /// Handler calls waiting for the runtime (a pulled STOP, `stop`).
    calls: Vec<(String, String)>,
}

impl std::fmt::Debug for FromIPSummaryDump {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FromIPSummaryDump")
            .field("filename", &self.config.filename)
            .field("count", &self.count)
            .field("ended", &self.ended)
            .finish_non_exhaustive()
    }
}

impl FromIPSummaryDump {
    /// Parses `config` (FromIPSummaryDump's syntax) and opens the dump
    /// (`-`: standard input; DATA: the configuration's text).
    pub fn new(plat: &mut Linux, config: &str) -> Result<Self, String> {
        let _ = plat;
        let config = from_ip_summary_dump::FromIPSummaryDump::configure(config)
            .map_err(|e| format!("FromIPSummaryDump: {e}"))?;
        let input: Option<Box<dyn BufRead>> = if let Some(data) = &config.data {
            Some(Box::new(Cursor::new(data.clone().into_bytes())))
        } else if config.filename == "-" {
            Some(Box::new(BufReader::new(io::stdin())))
        } else {
            match File::open(&config.filename) {
                Ok(f) => Some(Box::new(BufReader::new(f))),
                Err(e) if e.kind() == io::ErrorKind::NotFound && config.allow_nonexistent => None,
                Err(e) => return Err(format!("FromIPSummaryDump: {}: {e}", config.filename)),
            }
        };
        Ok(FromIPSummaryDump {
            active: config.active,
            config,
            input,
            line_no: 0,
            first: true,
            pending: None,
            count: 0,
            bad_lines: 0,
            complained: false,
            clock: None,
            held: None,
            ended: false,
            calls: Vec::new(),
        })
    }

    /// Packets emitted.
    pub fn count(&self) -> u64 {
        self.count
    }

    /// Lines dropped because no field parsed.
    pub fn bad_lines(&self) -> u64 {
        self.bad_lines
    }

    fn name(&self) -> &str {
        if self.config.data.is_some() {
            "<data>"
        } else if self.config.filename == "-" {
            "<stdin>"
        } else {
            &self.config.filename
        }
    }

    fn warn(&self, cx: &Context, message: &str) {
        cx.console.line(&format!(
            "FromIPSummaryDump: {}:{}: {message}",
            self.name(),
            self.line_no
        ));
    }

    /// The next line of the dump, without its line end; `None` at the end
    /// (or on a read error, reported).
    fn next_line(&mut self, cx: &Context) -> Option<String> {
        let input = self.input.as_mut()?;
        let mut buf = Vec::new();
        match input.read_until(b'\n', &mut buf) {
            Ok(0) => None,
            Ok(_) => {
                self.line_no += 1;
                while buf.last().is_some_and(|&b| b == b'\n' || b == b'\r') {
                    buf.pop();
                }
                Some(String::from_utf8_lossy(&buf).into_owned())
            }
            Err(e) => {
                self.warn(cx, &e.to_string());
                None
            }
        }
    }

    /// Checks the dump's first line: the `!IPSummaryDump X.Y` banner is
    /// read (and consumed); a dump that starts with neither it nor another
    /// `!` line Click writes first gets a warning. True when the line is
    /// still to be handled.
    fn banner(&mut self, cx: &Context, line: &str) -> bool {
        if let Some(rest) = line.strip_prefix("!IPSummaryDump") {
            let version = rest
                .trim()
                .split_once('.')
                .and_then(|(a, b)| Some((a.parse::<u32>().ok()?, b.parse::<u32>().ok()?)));
            if let Some((major, minor)) = version {
                if major != VERSION.0 || minor > VERSION.1 {
                    self.warn(
                        cx,
                        &format!("unexpected IPSummaryDump version {major}.{minor}"),
                    );
                } else {
                    self.config.reader.minor_version = minor;
                }
            }
            return false;
        }
        let known = ["!creator", "!data", "!contents", "!proto", "!flowid"];
        if !known.iter().any(|k| line.starts_with(k)) && !self.config.reader.has_fields() {
            self.warn(cx, "missing banner line; is this an IP summary dump?");
        }
        true
    }

    /// The next packet of the dump.
    fn read_next(&mut self, cx: &Context) -> Next {
        if let Some(p) = self.held.take() {
            return Next::Packet(p);
        }
        loop {
            let line = match self.pending.take() {
                Some(l) => l,
                None => match self.next_line(cx) {
                    Some(l) => l,
                    None => {
                        self.input = None;
                        return Next::End;
                    }
                },
            };
            if std::mem::take(&mut self.first) && !self.banner(cx, &line) {
                continue;
            }
            if line.starts_with('#') || line.trim().is_empty() {
                continue;
            }
            if line.starts_with('!') {
                for w in self.config.reader.bang_line(&line) {
                    self.warn(cx, &w);
                }
                continue;
            }
            let Some(mut p) = cx.pool.alloc() else {
                self.pending = Some(line);
                return Next::Wait;
            };
            match self.config.reader.build(&line, &mut p) {
                Ok(()) => return Next::Packet(p),
                Err(e) => {
                    self.bad_lines += 1;
                    if !self.complained || e == LineError::TooLong {
                        self.complained = true;
                        self.warn(cx, &e.to_string());
                    }
                }
            }
        }
    }

    /// Emits up to `max` packets to `emit`. Returns whether any left, and
    /// whether the end, reached now, asks to stop (once, as Click's
    /// source asks once: a second request would end a driver script's
    /// next wait early).
    fn emit(&mut self, cx: &Context, max: usize, mut emit: impl FnMut(Packet)) -> (bool, bool) {
        let mut n = 0;
        let mut end = false;
        while n < max && self.active && !self.ended {
            let p = match self.read_next(cx) {
                Next::Packet(p) => p,
                Next::Wait => break,
                Next::End => {
                    self.ended = true;
                    end = true;
                    break;
                }
            };
            if self.config.timing {
                let ts = p.timestamp();
                let (t0, f0) = *self.clock.get_or_insert((cx.now, ts));
                if cx.now < t0 + ts.saturating_sub(f0) {
                    self.held = Some(p);
                    break;
                }
            }
            n += 1;
            self.count += 1;
            emit(p);
        }
        (n > 0, end && self.config.stop)
    }
}

impl Element for FromIPSummaryDump {
    fn has_task(&self) -> bool {
        true
    }

    fn run_task(&mut self, cx: &Context, out: &mut Batch, _others: &mut [Batch]) -> TaskResult {
        let (any, stop) = self.emit(cx, 1, |p| {
            let _ = out.push(p);
        });
        if stop {
            TaskResult::Stop
        } else if any {
            TaskResult::Busy
        } else {
            TaskResult::Idle
        }
    }

    fn pull(&mut self, cx: &Context, output: usize, max: usize, batch: &mut Batch) {
        if output != 0 {
            return;
        }
        let was_ended = self.ended;
        let (_, stop) = self.emit(cx, max, |p| {
            let _ = batch.push(p);
        });
        if stop && !was_ended {
            self.calls.push(("stop".into(), String::new()));
        }
    }

    fn take_call(&mut self) -> Option<(String, String)> {
        (!self.calls.is_empty()).then(|| self.calls.remove(0))
    }

    fn read_handler(&self, name: &str) -> Result<String, HandlerError> {
        Ok(match name {
            "active" => self.active.to_string(),
            "encap" => "IP".into(),
            "filename" => self.config.filename.clone(),
            "count" => self.count.to_string(),
            "bad_lines" => self.bad_lines.to_string(),
            _ => return Err(HandlerError::NoSuchHandler),
        })
    }

    fn write_handler(&mut self, name: &str, value: &str) -> Result<(), HandlerError> {
        match name {
            "active" => {
                self.active = parse::boolean(value.trim())
                    .map_err(|e| HandlerError::Invalid(e.to_string()))?;
            }
            "stop" => {
                self.active = false;
                self.calls.push(("stop".into(), String::new()));
            }
            _ => return Err(HandlerError::NoSuchHandler),
        }
        Ok(())
    }
}

/// ToIPSummaryDump on linux: writes a line per packet.
///
/// Pushed packets are written, then go on out of output 0 when it exists.
/// With a pulled input, the task pulls packets, writes them, and pushes
/// them out of output 0.
pub struct ToIPSummaryDump {
    config: to_ip_summary_dump::ToIPSummaryDump,
    /// The file; `None` once writing failed.
    out: Option<BufWriter<Box<dyn Write>>>,
    /// The current line, reused.
    line: String,
    count: u64,
}

impl std::fmt::Debug for ToIPSummaryDump {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ToIPSummaryDump")
            .field("filename", &self.config.filename)
            .field("count", &self.count)
            .finish_non_exhaustive()
    }
}

impl ToIPSummaryDump {
    /// Parses `config` (ToIPSummaryDump's syntax), creates the file (`-`:
    /// standard output) and writes the header.
    pub fn new(plat: &mut Linux, config: &str) -> Result<Self, String> {
        let _ = plat;
        let config = to_ip_summary_dump::ToIPSummaryDump::configure(config)
            .map_err(|e| format!("ToIPSummaryDump: {e}"))?;
        let target = crate::dump::create_output("ToIPSummaryDump", &config.filename)?;
        let mut out = BufWriter::new(target);
        if config.header {
            out.write_all(config.writer.header(config.banner.as_deref()).as_bytes())
                .map_err(|e| format!("ToIPSummaryDump: {}: {e}", config.filename))?;
        }
        Ok(ToIPSummaryDump {
            config,
            out: Some(out),
            line: String::new(),
            count: 0,
        })
    }

    /// Lines written.
    pub fn count(&self) -> u64 {
        self.count
    }

    /// Writes the lines of `batch`'s packets.
    fn write(&mut self, cx: &Context, batch: &Batch) {
        let Some(out) = self.out.as_mut() else {
            return;
        };
        for p in batch.iter() {
            self.line.clear();
            self.config.writer.line(p, &mut self.line);
            if let Err(e) = out.write_all(self.line.as_bytes()) {
                cx.console.line(&format!(
                    "ToIPSummaryDump({}): {e}; no longer writing",
                    self.config.filename
                ));
                self.out = None;
                return;
            }
            self.count += 1;
        }
    }
}

impl Element for ToIPSummaryDump {
    fn push(&mut self, cx: &Context, _input: usize, batch: &mut Batch, _others: &mut [Batch]) {
        // The batch goes on as it is (output 0, when there is one).
        self.write(cx, batch);
    }

    fn has_task(&self) -> bool {
        true
    }

    /// A batch when the input is pulled (nothing comes otherwise).
    fn task_wants(&self) -> usize {
        nfc_dataplane::batch::BURST
    }

    fn run_task(&mut self, cx: &Context, pulled: &mut Batch, _others: &mut [Batch]) -> TaskResult {
        if pulled.is_empty() {
            return TaskResult::Idle;
        }
        self.write(cx, pulled);
        // What was pulled goes on out of output 0.
        TaskResult::Busy
    }

    fn read_handler(&self, name: &str) -> Result<String, HandlerError> {
        match name {
            "count" => Ok(self.count.to_string()),
            _ => Err(HandlerError::NoSuchHandler),
        }
    }

    fn write_handler(&mut self, name: &str, _value: &str) -> Result<(), HandlerError> {
        match name {
            "flush" => {
                if let Some(out) = self.out.as_mut() {
                    out.flush()
                        .map_err(|e| HandlerError::Invalid(e.to_string()))?;
                }
                Ok(())
            }
            _ => Err(HandlerError::NoSuchHandler),
        }
    }
}

impl Drop for ToIPSummaryDump {
    fn drop(&mut self) {
        if let Some(out) = self.out.as_mut() {
            let _ = out.flush();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use nfc_dataplane::packet::PacketPool;

    #[test]
    fn a_dump_read_and_written_again_is_the_same() {
        let mut plat = Linux::new(PacketPool::new(16));
        let cx = Context::at(plat.pool(), 0);
        let data = "!IPSummaryDump 1.3\n!data timestamp ip_src sport tcp_flags payload\n\
                    1.5 10.0.0.1 80 SA \"hi\\000\"\nnot a packet\n\n# comment\n\
                    2.25 10.0.0.2 - . -\n";
        let config = format!("DATA {}, STOP true", parse_quote(data));
        let mut from = FromIPSummaryDump::new(&mut plat, &config).unwrap();
        let path = std::env::temp_dir().join(format!("nfc-ipsumdump-{}.txt", std::process::id()));
        let name = path.to_str().unwrap();
        let fields = "timestamp ip_src sport tcp_flags payload";
        let mut to = ToIPSummaryDump::new(&mut plat, &format!("{name}, FIELDS {fields}")).unwrap();
        let mut results = Vec::new();
        loop {
            let mut out = Batch::new();
            let r = from.run_task(&cx, &mut out, &mut []);
            assert!(out.len() <= 1, "one packet per task run, as Click");
            to.push(&cx, 0, &mut out, &mut []);
            results.push(r);
            if r == TaskResult::Stop {
                break;
            }
        }
        assert_eq!(
            results,
            [TaskResult::Busy, TaskResult::Busy, TaskResult::Stop]
        );
        assert_eq!(from.read_handler("count").unwrap(), "2");
        assert_eq!(from.read_handler("bad_lines").unwrap(), "1");
        assert_eq!(to.count(), 2);
        drop(to);
        let written = std::fs::read_to_string(&path).unwrap();
        let _ = std::fs::remove_file(&path);
        assert_eq!(
            written,
            format!(
                "!IPSummaryDump 1.3\n!data {fields}\n\
                 1.500000 10.0.0.1 80 SA \"hi\\000\"\n2.250000 10.0.0.2 0 . \"\"\n"
            )
        );
    }

    #[test]
    fn pulled_and_inactive_sources() {
        let mut plat = Linux::new(PacketPool::new(16));
        let cx = Context::at(plat.pool(), 0);
        let config = "DATA \"!data ip_src\n1.0.0.1\n1.0.0.2\n1.0.0.3\", ACTIVE false, STOP true";
        let mut from = FromIPSummaryDump::new(&mut plat, config).unwrap();
        let mut batch = Batch::new();
        from.pull(&cx, 0, 32, &mut batch);
        assert!(batch.is_empty(), "inactive");
        from.write_handler("active", "true").unwrap();
        from.pull(&cx, 0, 2, &mut batch);
        assert_eq!(batch.len(), 2);
        from.pull(&cx, 0, 32, &mut batch);
        assert_eq!(batch.len(), 3);
        assert_eq!(from.take_call(), Some(("stop".into(), String::new())));
        assert!(FromIPSummaryDump::new(&mut plat, "/nonexistent/nfc.txt").is_err());
        let mut gone =
            FromIPSummaryDump::new(&mut plat, "/nonexistent/nfc.txt, ALLOW_NONEXISTENT true")
                .unwrap();
        let mut out = Batch::new();
        assert_eq!(gone.run_task(&cx, &mut out, &mut []), TaskResult::Idle);
    }

    /// `text` as a double-quoted Click string.
    fn parse_quote(text: &str) -> String {
        let mut s = String::from("\"");
        for c in text.chars() {
            match c {
                '"' | '\\' => {
                    s.push('\\');
                    s.push(c);
                }
                _ => s.push(c),
            }
        }
        s.push('"');
        s
    }
}
