//! # InfiniteSource — generates packets whenever scheduled
//!
//! ```click
//! InfiniteSource([DATA, LIMIT, BURST, ACTIVE, KEYWORDS])
//! ```
//!
//! Ports: no inputs, 1 output (`0/1`). Processing: agnostic (`a/a`).
//!
//! Emits packets holding DATA as fast as it is scheduled: BURST packets per
//! task run when pushing, as many as are asked for when pulled. It stops
//! after LIMIT packets (never, when LIMIT is negative), and can then stop
//! the router (STOP) or call a write handler (END_CALL). Each packet's
//! timestamp annotation is set to the time it was made. Handy for tests
//! and benchmarks.
//!
//! When pulled, it is an empty notifier: active at first, off after a pull
//! finds it inactive or at LIMIT, on again when a handler write leaves it
//! active and under LIMIT. The `scheduled` handler of the element pulling
//! from it reads the signal.
//!
//! ## Keywords
//! - `DATA` *data* — packet contents (`\<0800…>`, quoted strings); default:
//!   Click's 69 bytes of filler text.
//! - `LIMIT` *integer* — packets to send; default -1 (no limit).
//! - `BURST` *integer ≥ 1* — packets per task run; default 1.
//! - `ACTIVE` *boolean* — whether packets are sent; default true.
//! - `LENGTH` *integer* — pad (by repeating DATA) or cut DATA to this
//!   many bytes; default -1 (use DATA as is). `DATASIZE` is the same
//!   (Click's deprecated name).
//! - `STOP` *boolean* — stop the router after LIMIT packets; default false.
//! - `END_CALL` *handler [value]* — write handler called after LIMIT packets.
//!
//! ## Handlers
//! - `count` (read) — packets sent.
//! - `reset` (write) — zero `count` and start sending again.
//! - `burst` (read/write) — BURST.
//! - `data`, `datasize`, `limit`, `active` (read/write) — the settings, as
//!   for every source (RatedSource, TimedSource); `-1` reads as "none".
//!
//! ## Examples
//! ```click
//! InfiniteSource(\<0800>, LIMIT 1000, STOP true) -> Queue -> Discard;
//! ```
//!
//! ## Differences from Click
//! - Packets are at most 1920 bytes (a buffer less its headroom): longer
//!   DATA or DATASIZE is a configuration error.
//! - A task run emits at most one batch (32 packets), even when BURST is
//!   larger.
//! - With STOP, the task returns "stop" to the poll loop; when pulled, the
//!   source calls the global write handler `stop`, as Click does in both
//!   cases.
//! - The timestamp is the time the poll loop read at the start of the round.

use alloc::borrow::Cow;
use alloc::string::{String, ToString};
use alloc::vec::Vec;
use nfc_dataplane::args::{Args, ConfigError, ConfigErrors};
use nfc_dataplane::batch::{Batch, BURST};
use nfc_dataplane::element::{Context, Element, HandlerError, TaskResult};
use nfc_dataplane::packet::{BUF_SIZE, HEADROOM};
use nfc_dataplane::parse;

use super::discard::bool_value;
use super::unqueue::{count_text, optional_count};
use crate::{ElementSpec, Ports};

/// The packet contents Click's sources send when DATA is not given.
pub const DEFAULT_DATA: &[u8] =
    b"Random bullshit in a packet, at least 64 bytes long. Well, now it is.";

/// The longest packet a source can make: a buffer less its headroom.
pub const MAX_LENGTH: usize = BUF_SIZE - HEADROOM;

/// The global write handler that stops the router (Click's `stop`).
pub const STOP_HANDLER: &str = "stop";

/// The bytes of a source's packets: DATA, cut to DATASIZE or repeated up
/// to it, as Click's sources make them. `Err` when they would not fit a
/// buffer (checked before anything is allocated).
fn packet_bytes(data: &[u8], datasize: Option<u32>) -> Result<Vec<u8>, String> {
    let len = datasize.map_or(data.len(), |n| n as usize);
    if len > MAX_LENGTH {
        return Err(alloc::format!(
            "packets of {len} bytes do not fit a packet buffer (at most {MAX_LENGTH} bytes)"
        ));
    }
    if data.is_empty() {
        // Nothing to repeat: zeros.
        return Ok(alloc::vec![0; len]);
    }
    Ok(data.iter().copied().cycle().take(len).collect())
}

/// What every packet source shares (InfiniteSource, RatedSource,
/// TimedSource): the packet it sends, LIMIT and ACTIVE, the count, and
/// what happens once LIMIT packets are out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Source {
    /// Packet contents; `None` means [`DEFAULT_DATA`].
    pub data: Option<Vec<u8>>,
    /// Length packets are padded or cut to; `None` keeps DATA's length.
    pub datasize: Option<u32>,
    /// Packets to send; `None` means no limit.
    pub limit: Option<u64>,
    /// Whether packets are sent.
    pub active: bool,
    /// Stop the router after LIMIT packets.
    pub stop: bool,
    /// Write handler (and value) called after LIMIT packets.
    pub end_call: Option<String>,
    /// The bytes of every packet.
    packet: Vec<u8>,
    /// Packets sent.
    count: u64,
    /// The end of LIMIT was acted on (END_CALL or `stop` asked for).
    ended: bool,
    /// A handler call waiting for the runtime.
    pending: Option<(String, String)>,
}

impl Source {
    /// Checks a source's settings (negative LIMIT and DATASIZE mean none),
    /// recording errors in `args`.
    pub(crate) fn new(
        args: &mut Args,
        data: Option<Vec<u8>>,
        limit: i64,
        active: bool,
        datasize: i64,
        stop: bool,
        end_call: Option<String>,
    ) -> Source {
        let datasize = u32::try_from(datasize).ok();
        let packet = match packet_bytes(data.as_deref().unwrap_or(DEFAULT_DATA), datasize) {
            Ok(bytes) => bytes,
            Err(message) => {
                let span = args.span_of(if datasize.is_some() {
                    "DATASIZE"
                } else {
                    "DATA"
                });
                args.error(ConfigError::new(span, message));
                Vec::new()
            }
        };
        if stop && end_call.is_some() {
            let span = args.span_of("END_CALL");
            args.error(ConfigError::new(
                span,
                "STOP and END_CALL cannot both be given",
            ));
        }
        Source {
            data,
            datasize,
            limit: u64::try_from(limit).ok(),
            active,
            stop,
            end_call,
            packet,
            count: 0,
            ended: false,
            pending: None,
        }
    }

    /// Packets sent so far.
    pub fn count(&self) -> u64 {
        self.count
    }

    /// The length of the packets sent.
    pub fn packet_len(&self) -> usize {
        self.packet.len()
    }

    /// True once LIMIT packets are out.
    fn at_limit(&self) -> bool {
        self.limit.is_some_and(|l| self.count >= l)
    }

    /// How many of `n` packets may go now: none while inactive, fewer near
    /// LIMIT, at most a batch.
    #[inline]
    pub(crate) fn allowed(&self, n: usize) -> usize {
        if !self.active {
            return 0;
        }
        let n = n.min(BURST);
        match self.limit {
            Some(limit) => n.min(usize::try_from(limit.saturating_sub(self.count)).unwrap_or(n)),
            None => n,
        }
    }

    /// Makes up to `n` packets into `out` (fewer when the pool or the
    /// batch runs out of room); returns how many.
    #[inline]
    pub(crate) fn emit(&mut self, cx: &Context, n: usize, out: &mut Batch) -> usize {
        let mut made = 0;
        while made < n && !out.is_full() {
            let Some(mut p) = cx.pool.alloc_with(&self.packet) else {
                break;
            };
            p.set_timestamp(cx.wall);
            // Not full, checked above.
            let _ = out.push(p);
            made += 1;
        }
        self.count += made as u64;
        made
    }

    /// A task's [`Source::emit`] to output 0; returns Busy when packets
    /// went out.
    #[inline]
    pub(crate) fn emit_to(&mut self, cx: &Context, n: usize, out: &mut Batch) -> TaskResult {
        if n > 0 && self.emit(cx, n, out) > 0 {
            TaskResult::Busy
        } else {
            TaskResult::Idle
        }
    }

    /// What a task run that may send nothing returns: once LIMIT packets
    /// are out, Stop with STOP, or END_CALL made — once, as Click's
    /// source asks the driver to stop once (a second request would end a
    /// driver script's next wait early); `reset` re-arms it.
    pub(crate) fn task_end(&mut self) -> TaskResult {
        if !self.active || !self.at_limit() {
            return TaskResult::Idle;
        }
        if self.stop {
            return if core::mem::replace(&mut self.ended, true) {
                TaskResult::Idle
            } else {
                TaskResult::Stop
            };
        }
        self.end(None);
        TaskResult::Idle
    }

    /// Once LIMIT packets are out, asks the runtime (once) for END_CALL,
    /// or for `extra` (the `stop` handler, when pulled with STOP).
    fn end(&mut self, extra: Option<&str>) {
        if self.ended {
            return;
        }
        self.ended = true;
        self.pending = match (&self.end_call, extra) {
            (Some(call), _) => {
                let call = call.trim();
                let (h, v) = call.split_once(char::is_whitespace).unwrap_or((call, ""));
                Some((h.to_string(), v.trim().to_string()))
            }
            (None, Some(h)) => Some((h.to_string(), String::new())),
            (None, None) => None,
        };
    }

    /// The pull path: up to `max` packets now, into `out`; at LIMIT,
    /// END_CALL or (with STOP) the `stop` handler is asked for.
    pub(crate) fn pull(&mut self, cx: &Context, max: usize, out: &mut Batch) {
        let n = self.allowed(max);
        if n > 0 {
            self.emit(cx, n, out);
        } else if self.active && self.at_limit() {
            self.end(self.stop.then_some(STOP_HANDLER));
        }
    }

    /// The handler call the source waits to have made.
    pub(crate) fn take_call(&mut self) -> Option<(String, String)> {
        self.pending.take()
    }

    /// The read handlers every source has.
    pub(crate) fn read_handler(&self, name: &str) -> Result<String, HandlerError> {
        Ok(match name {
            "count" => self.count.to_string(),
            "data" => match String::from_utf8_lossy(self.data.as_deref().unwrap_or(DEFAULT_DATA)) {
                Cow::Borrowed(s) => s.to_string(),
                Cow::Owned(s) => s,
            },
            "datasize" => count_text(self.datasize),
            "limit" => count_text(self.limit),
            "active" => self.active.to_string(),
            _ => return Err(HandlerError::NoSuchHandler),
        })
    }

    /// The write handlers every source has. `data` takes the value's bytes
    /// as they are (Click's raw handler).
    pub(crate) fn write_handler(&mut self, name: &str, value: &str) -> Result<(), HandlerError> {
        match name {
            "data" => {
                self.packet =
                    packet_bytes(value.as_bytes(), self.datasize).map_err(HandlerError::Invalid)?;
                self.data = Some(value.as_bytes().to_vec());
            }
            "datasize" => {
                let datasize = optional_count::<u32>(value)?;
                self.packet = packet_bytes(self.data.as_deref().unwrap_or(DEFAULT_DATA), datasize)
                    .map_err(HandlerError::Invalid)?;
                self.datasize = datasize;
            }
            "limit" => {
                self.limit = optional_count(value)?;
                self.ended = false;
            }
            "active" => self.active = bool_value(value)?,
            "reset" => {
                self.count = 0;
                self.ended = false;
            }
            _ => return Err(HandlerError::NoSuchHandler),
        }
        Ok(())
    }
}

/// InfiniteSource's configuration and its state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InfiniteSource {
    /// DATA, DATASIZE, LIMIT, ACTIVE, STOP, END_CALL and the count.
    pub source: Source,
    /// Packets per task run (at least 1).
    pub burst: u32,
    /// Click's empty notifier, for the pull path.
    empty_note: bool,
}

impl InfiniteSource {
    /// Parses InfiniteSource's configuration string.
    pub fn configure(config: &str) -> Result<Self, ConfigErrors> {
        let mut args = Args::new(config);
        let data = args.read_p("DATA", parse::data);
        let limit = args.read_p("LIMIT", parse::integer::<i64>).unwrap_or(-1);
        let burst = args.read_p("BURST", parse::integer::<i64>).unwrap_or(1);
        let active = args.read_p("ACTIVE", parse::boolean).unwrap_or(true);
        // LENGTH is Click's name, DATASIZE its deprecated one.
        let length = args.read("LENGTH", parse::integer::<i64>);
        let datasize = args
            .read("DATASIZE", parse::integer::<i64>)
            .or(length)
            .unwrap_or(-1);
        let stop = args.read("STOP", parse::boolean).unwrap_or(false);
        let end_call = args.read("END_CALL", parse::any);
        let burst = match u32::try_from(burst) {
            Ok(b) if b >= 1 => b,
            _ => {
                let span = args.span_of("BURST");
                args.error(ConfigError::new(span, "BURST must be at least 1"));
                1
            }
        };
        let source = Source::new(&mut args, data, limit, active, datasize, stop, end_call);
        args.complete()?;
        Ok(InfiniteSource {
            source,
            burst,
            empty_note: true,
        })
    }
}

impl Element for InfiniteSource {
    fn has_task(&self) -> bool {
        true
    }

    /// Emits BURST packets (at most a batch) to output 0; once LIMIT
    /// packets are out, returns Stop with STOP, or has END_CALL made.
    fn run_task(&mut self, cx: &Context, out: &mut Batch, _others: &mut [Batch]) -> TaskResult {
        let n = self.source.allowed(self.burst as usize);
        if n == 0 {
            return self.source.task_end();
        }
        self.source.emit_to(cx, n, out)
    }

    /// A pull that finds the source inactive or at LIMIT before `max`
    /// packets are out turns the empty notifier off (Click's pull of one
    /// packet too many).
    fn pull(&mut self, cx: &Context, _output: usize, max: usize, out: &mut Batch) {
        let before = out.len();
        self.source.pull(cx, max, out);
        if out.len() - before < max && self.source.allowed(1) == 0 {
            self.empty_note = false;
        }
    }

    fn empty_signal(&self) -> Option<bool> {
        Some(self.empty_note)
    }

    /// Sleeps while every queue downstream is full, as Click's does.
    fn waits_for_room(&self) -> bool {
        true
    }

    fn take_call(&mut self) -> Option<(String, String)> {
        self.source.take_call()
    }

    fn read_handler(&self, name: &str) -> Result<String, HandlerError> {
        match name {
            "burst" => Ok(self.burst.to_string()),
            _ => self.source.read_handler(name),
        }
    }

    fn write_handler(&mut self, name: &str, value: &str) -> Result<(), HandlerError> {
        match name {
            "burst" => match parse::unsigned::<u32>(value.trim()) {
                Ok(b) if b >= 1 => self.burst = b,
                _ => {
                    return Err(HandlerError::Invalid(
                        "burst must be an integer >= 1".into(),
                    ))
                }
            },
            _ => self.source.write_handler(name, value)?,
        }
        // Click wakes the notifier after any setting changes, when the
        // source may send again.
        if self.source.allowed(1) > 0 {
            self.empty_note = true;
        }
        Ok(())
    }
}

/// InfiniteSource's spec.
pub const SPEC: ElementSpec = ElementSpec {
    class: "InfiniteSource",
    port_count: "0/1",
    processing: "a/a",
    flow_code: "x/x",
    keywords: &[
        "DATA", "LIMIT", "BURST", "ACTIVE", "LENGTH", "DATASIZE", "STOP", "END_CALL",
    ],
    handlers: &[
        "count (read)",
        "reset (write)",
        "data (read/write)",
        "datasize (read/write)",
        "limit (read/write)",
        "burst (read/write)",
        "active (read/write)",
    ],
    summary: "generates packets whenever scheduled",
    source: include_str!("infinite_source.rs"),
    check: |c| InfiniteSource::configure(c).map(|_| Ports::DECLARED),
};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::harness;
    use crate::standard::testing::{errors, has};

    #[test]
    fn values() {
        let s = InfiniteSource::configure("").unwrap();
        assert_eq!(
            (&s.source.data, s.source.limit, s.burst, s.source.active),
            (&None, None, 1, true)
        );
        assert_eq!(s.source.packet_len(), 69);
        let s = InfiniteSource::configure("\\<0800 0001>, 10, 4, false, STOP true, DATASIZE 60")
            .unwrap();
        assert_eq!(s.source.data.as_deref(), Some(&[8u8, 0, 0, 1][..]));
        assert_eq!(
            (s.source.limit, s.burst, s.source.active, s.source.stop),
            (Some(10), 4, false, true)
        );
        assert_eq!(s.source.datasize, Some(60));
        assert_eq!(s.source.packet[56..], [8, 0, 0, 1], "DATA repeated");
        let s = InfiniteSource::configure("LIMIT 5, END_CALL stop.run").unwrap();
        assert_eq!(s.source.end_call.as_deref(), Some("stop.run"));
    }

    #[test]
    fn bad_values() {
        let cfg = "DATA \\<0g>, BURST 0, LIMIT many";
        let errs = errors(cfg, InfiniteSource::configure(cfg));
        assert_eq!(errs.len(), 3, "{errs:?}");
        assert!(has(&errs, "at least 1", "0"), "{errs:?}");
        assert!(has(&errs, "", "many"), "{errs:?}");
        let cfg = "STOP true, END_CALL x.y";
        let errs = errors(cfg, InfiniteSource::configure(cfg));
        assert!(has(&errs, "cannot both", "x.y"), "{errs:?}");
        let cfg = "DATASIZE 4000000000";
        let errs = errors(cfg, InfiniteSource::configure(cfg));
        assert!(has(&errs, "do not fit", "4000000000"), "{errs:?}");
    }

    fn run(s: &mut InfiniteSource, cx: &Context) -> (TaskResult, Vec<Vec<u8>>) {
        let mut outs = [Batch::new()];
        let r = harness::task(s, cx, Batch::new(), &mut outs);
        (r, outs[0].iter().map(|p| p.data().to_vec()).collect())
    }

    #[test]
    fn bursts_up_to_the_limit_then_stops() {
        let mut s = InfiniteSource::configure("\\<01 02>, LIMIT 5, BURST 2, STOP true").unwrap();
        assert!(s.has_task());
        let pool = harness::pool();
        let mut cx = harness::cx(pool);
        cx.wall = 77;
        let mut outs = [Batch::new()];
        assert_eq!(
            harness::task(&mut s, &cx, Batch::new(), &mut outs),
            TaskResult::Busy
        );
        assert_eq!(outs[0].len(), 2);
        assert!(outs[0]
            .iter()
            .all(|p| p.data() == [1, 2] && p.timestamp() == 77));
        assert_eq!(run(&mut s, &cx).1.len(), 2);
        assert_eq!(run(&mut s, &cx).1.len(), 1, "the last one, up to LIMIT");
        assert_eq!(run(&mut s, &cx), (TaskResult::Stop, Vec::new()));
        assert_eq!(run(&mut s, &cx), (TaskResult::Idle, Vec::new()), "once");
        assert_eq!(s.read_handler("count"), Ok("5".into()));
        assert_eq!(s.take_call(), None, "STOP stops through the task result");
        s.write_handler("reset", "").unwrap();
        assert_eq!(run(&mut s, &cx).0, TaskResult::Busy);
        drop(outs);
        assert_eq!(pool.available(), pool.capacity());
    }

    #[test]
    fn end_call_is_made_once() {
        let mut s = InfiniteSource::configure("LIMIT 1, END_CALL c.count_call 5 x").unwrap();
        let cx = harness::cx(harness::pool());
        assert_eq!(run(&mut s, &cx).0, TaskResult::Busy);
        assert_eq!(run(&mut s, &cx).0, TaskResult::Idle);
        assert_eq!(s.take_call(), Some(("c.count_call".into(), "5 x".into())));
        run(&mut s, &cx);
        assert_eq!(s.take_call(), None);
        s.write_handler("limit", "2").unwrap();
        assert_eq!(run(&mut s, &cx).1.len(), 1);
        run(&mut s, &cx);
        assert!(s.take_call().is_some(), "again after a new limit");
    }

    #[test]
    fn pulled() {
        let mut s = InfiniteSource::configure("LIMIT 40, BURST 1, STOP true").unwrap();
        let cx = harness::cx(harness::pool());
        assert_eq!(
            harness::pull(&mut s, &cx, 0, 100).len(),
            BURST,
            "at most a batch"
        );
        assert_eq!(harness::pull(&mut s, &cx, 0, 3).len(), 3);
        assert_eq!(harness::pull(&mut s, &cx, 0, 10).len(), 5);
        assert!(harness::pull(&mut s, &cx, 0, 10).is_empty());
        assert_eq!(s.take_call(), Some((STOP_HANDLER.into(), String::new())));
        assert!(harness::pull(&mut s, &cx, 0, 10).is_empty());
        assert_eq!(s.take_call(), None);
    }

    #[test]
    fn pulled_empty_notifier() {
        let mut s = InfiniteSource::configure("LIMIT 4").unwrap();
        let cx = harness::cx(harness::pool());
        assert_eq!(s.empty_signal(), Some(true), "active at first");
        assert_eq!(harness::pull(&mut s, &cx, 0, 4).len(), 4);
        assert_eq!(s.empty_signal(), Some(true), "no pull failed yet");
        assert!(harness::pull(&mut s, &cx, 0, 4).is_empty());
        assert_eq!(s.empty_signal(), Some(false), "off at LIMIT");
        s.write_handler("burst", "2").unwrap();
        assert_eq!(s.empty_signal(), Some(false), "still at LIMIT");
        s.write_handler("limit", "6").unwrap();
        assert_eq!(s.empty_signal(), Some(true), "under LIMIT again");
        assert_eq!(harness::pull(&mut s, &cx, 0, 5).len(), 2);
        assert_eq!(s.empty_signal(), Some(false), "ran out within the pull");
        s.write_handler("active", "false").unwrap();
        s.write_handler("reset", "").unwrap();
        assert_eq!(s.empty_signal(), Some(false), "inactive: no wake");
        s.write_handler("active", "true").unwrap();
        assert_eq!(s.empty_signal(), Some(true));
        assert!(harness::pull(&mut s, &cx, 0, 3).len() == 3);
        s.write_handler("active", "false").unwrap();
        assert!(harness::pull(&mut s, &cx, 0, 3).is_empty());
        assert_eq!(s.empty_signal(), Some(false), "pulled while inactive");
    }

    #[test]
    fn inactive_and_exhausted_pool() {
        let mut s = InfiniteSource::configure("ACTIVE false, BURST 8").unwrap();
        let pool = nfc_dataplane::packet::PacketPool::new(3);
        let cx = harness::cx(pool);
        assert_eq!(run(&mut s, &cx), (TaskResult::Idle, Vec::new()));
        assert!(harness::pull(&mut s, &cx, 0, 4).is_empty());
        s.write_handler("active", "true").unwrap();
        assert_eq!(run(&mut s, &cx).1.len(), 3, "as many as the pool has");
        assert_eq!(s.source.count(), 3);
        assert_eq!(run(&mut s, &cx).0, TaskResult::Busy);
    }

    #[test]
    fn handlers() {
        let mut s = InfiniteSource::configure("").unwrap();
        assert!(s.read_handler("data").unwrap().starts_with("Random"));
        s.write_handler("data", "abc").unwrap();
        s.write_handler("datasize", "7").unwrap();
        assert_eq!(s.source.packet, b"abcabca");
        assert_eq!(s.read_handler("datasize"), Ok("7".into()));
        assert!(s.write_handler("datasize", "5000").is_err());
        assert_eq!(s.source.packet, b"abcabca", "unchanged after an error");
        s.write_handler("datasize", "-1").unwrap();
        assert_eq!(s.source.packet, b"abc");
        s.write_handler("burst", "9").unwrap();
        assert_eq!(s.read_handler("burst"), Ok("9".into()));
        assert!(s.write_handler("burst", "0").is_err());
        assert_eq!(s.read_handler("limit"), Ok("-1".into()));
        assert_eq!(s.read_handler("active"), Ok("true".into()));
        assert_eq!(s.read_handler("rate"), Err(HandlerError::NoSuchHandler));
        assert_eq!(
            s.write_handler("count", "1"),
            Err(HandlerError::NoSuchHandler)
        );
    }
}
