//! # TimedSource — periodically generates a packet
//!
//! ```click
//! TimedSource([INTERVAL, DATA, KEYWORDS])
//! ```
//!
//! Ports: no inputs, 1 output (`0/1`). Processing: push (`h/h`).
//!
//! Pushes a packet holding DATA out its output about once every INTERVAL,
//! the first one INTERVAL after the router starts. After LIMIT packets it
//! stops sending, and with STOP it then stops the router. Each packet's
//! timestamp annotation is set to the time it was made.
//!
//! ## Keywords
//! - `INTERVAL` *time* — time between packets; default 500 ms.
//! - `DATA` *data* — packet contents; default: Click's 69 bytes of filler
//!   text.
//! - `LIMIT` *integer* — packets to send; default -1 (no limit).
//! - `ACTIVE` *boolean* — whether packets are sent; default true.
//! - `STOP` *boolean* — stop the router once LIMIT packets are sent;
//!   default false.
//! - `HEADROOM` *unsigned* — headroom of generated packets (accepted and
//!   ignored: nfc's packets always have 128 bytes).
//!
//! ## Handlers
//! - `count` (read) — packets sent.
//! - `reset` (write) — zero `count` and start sending again.
//! - `interval` (read/write) — INTERVAL, in seconds (`0.5`); it must not be
//!   zero.
//! - `data`, `limit`, `active` (read/write) — the settings, as for every
//!   source; `-1` reads as "none".
//!
//! ## Examples
//! ```click
//! TimedSource(INTERVAL 0.333) -> Print(tick) -> Discard;
//! TimedSource(1, \<0800>, LIMIT 5, STOP true) -> ...;
//! ```
//!
//! ## Differences from Click
//! - HEADROOM is ignored and has no handler.
//! - Packets are at most 1920 bytes: longer DATA is a configuration error.
//! - The timer is the poll loop's clock, checked once a round. A source
//!   that fell a whole INTERVAL behind (ACTIVE false, a stalled loop) sends
//!   one packet and starts counting again from then, instead of sending
//!   the missed packets back to back.

use alloc::format;
use alloc::string::String;
use core::time::Duration;
use nfc_dataplane::args::{Args, ConfigErrors};
use nfc_dataplane::batch::Batch;
use nfc_dataplane::element::{Context, Element, HandlerError, TaskResult};
use nfc_dataplane::parse;

use super::infinite_source::Source;
use crate::{ElementSpec, Ports};

/// TimedSource's configuration and its state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimedSource {
    /// DATA, LIMIT, ACTIVE, STOP and the count.
    pub source: Source,
    /// Time between packets.
    pub interval: Duration,
    /// HEADROOM, as given (ignored).
    pub headroom: Option<u32>,
    /// When the next packet is due (monotonic ns); `None` before the
    /// first run.
    next: Option<u64>,
}

/// Prints a duration as seconds, without trailing zeros: `0.5`, `2`.
pub(crate) fn seconds(d: Duration) -> String {
    let mut s = format!("{}.{:09}", d.as_secs(), d.subsec_nanos());
    let keep = s.trim_end_matches('0').trim_end_matches('.').len();
    s.truncate(keep);
    s
}

impl TimedSource {
    /// Parses TimedSource's configuration string.
    pub fn configure(config: &str) -> Result<Self, ConfigErrors> {
        let mut args = Args::new(config);
        let interval = args
            .read_p("INTERVAL", parse::duration)
            .unwrap_or(Duration::from_millis(500));
        let data = args.read_p("DATA", parse::data);
        let limit = args.read("LIMIT", parse::integer::<i64>).unwrap_or(-1);
        let active = args.read("ACTIVE", parse::boolean).unwrap_or(true);
        let stop = args.read("STOP", parse::boolean).unwrap_or(false);
        let headroom = args.read("HEADROOM", parse::unsigned::<u32>);
        let source = Source::new(&mut args, data, limit, active, -1, stop, None);
        args.complete()?;
        Ok(TimedSource {
            source,
            interval,
            headroom,
            next: None,
        })
    }

    fn interval_ns(&self) -> u64 {
        u64::try_from(self.interval.as_nanos()).unwrap_or(u64::MAX)
    }
}

impl Element for TimedSource {
    fn has_task(&self) -> bool {
        true
    }

    /// Sends one packet when it is due; once LIMIT packets are out, the
    /// next time one would be due returns Stop with STOP.
    fn run_task(&mut self, cx: &Context, out: &mut Batch, _others: &mut [Batch]) -> TaskResult {
        let interval = self.interval_ns();
        let Some(due) = self.next else {
            self.next = Some(cx.now.saturating_add(interval));
            return TaskResult::Idle;
        };
        if cx.now < due {
            return TaskResult::Idle;
        }
        if self.source.allowed(1) == 0 {
            return self.source.task_end();
        }
        let next = due.saturating_add(interval);
        self.next = Some(if next <= cx.now {
            cx.now.saturating_add(interval)
        } else {
            next
        });
        self.source.emit_to(cx, 1, out)
    }

    fn next_event(&self) -> Option<u64> {
        self.next.filter(|_| self.source.allowed(1) > 0)
    }

    fn read_handler(&self, name: &str) -> Result<String, HandlerError> {
        match name {
            "interval" => Ok(seconds(self.interval)),
            "datasize" => Err(HandlerError::NoSuchHandler),
            _ => self.source.read_handler(name),
        }
    }

    fn write_handler(&mut self, name: &str, value: &str) -> Result<(), HandlerError> {
        match name {
            "interval" => match parse::duration(value.trim()) {
                Ok(d) if !d.is_zero() => self.interval = d,
                _ => return Err(HandlerError::Invalid("bad interval".into())),
            },
            "datasize" => return Err(HandlerError::NoSuchHandler),
            "active" | "reset" => {
                self.source.write_handler(name, value)?;
                // Send at the next run, as Click schedules its timer now.
                if self.source.active {
                    self.next = Some(0);
                }
            }
            _ => self.source.write_handler(name, value)?,
        }
        Ok(())
    }
}

/// TimedSource's spec.
pub const SPEC: ElementSpec = ElementSpec {
    class: "TimedSource",
    port_count: "0/1",
    processing: "h/h",
    flow_code: "x/x",
    keywords: &["INTERVAL", "DATA", "LIMIT", "ACTIVE", "STOP", "HEADROOM"],
    handlers: &[
        "count (read)",
        "reset (write)",
        "interval (read/write)",
        "data (read/write)",
        "limit (read/write)",
        "active (read/write)",
    ],
    summary: "periodically generates a packet",
    source: include_str!("timed_source.rs"),
    check: |c| TimedSource::configure(c).map(|_| Ports::DECLARED),
};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::harness;
    use crate::standard::testing::{errors, has};
    use alloc::vec::Vec;

    #[test]
    fn values() {
        let t = TimedSource::configure("").unwrap();
        assert_eq!(t.interval, Duration::from_millis(500));
        assert_eq!((t.source.limit, t.source.active), (None, true));
        let t = TimedSource::configure("1.5, \\<0800>, LIMIT 3, STOP true, HEADROOM 40").unwrap();
        assert_eq!(t.interval, Duration::from_millis(1500));
        assert_eq!(t.source.data.as_deref(), Some(&[8u8, 0][..]));
        assert_eq!(
            (t.source.limit, t.source.stop, t.headroom),
            (Some(3), true, Some(40))
        );
        let t = TimedSource::configure("INTERVAL 20ms, ACTIVE false").unwrap();
        assert_eq!(
            (t.interval, t.source.active),
            (Duration::from_millis(20), false)
        );
    }

    #[test]
    fn bad_values() {
        let cfg = "soon, LIMIT x, DATASIZE 3";
        let errs = errors(cfg, TimedSource::configure(cfg));
        assert_eq!(errs.len(), 3, "{errs:?}");
        assert!(has(&errs, "", "soon"), "{errs:?}");
        assert!(has(&errs, "", "x"), "{errs:?}");
        let long = alloc::format!("1, \"{}\"", "a".repeat(2000));
        let errs = errors(&long, TimedSource::configure(&long));
        assert!(errs[0].0.contains("do not fit"), "{errs:?}");
    }

    const MS: u64 = 1_000_000;

    /// Runs the task at each of `times` (ms); returns the times a packet
    /// came out and the last result.
    fn run_at(t: &mut TimedSource, times: &[u64]) -> (Vec<u64>, TaskResult) {
        let pool = harness::pool();
        let mut sent = Vec::new();
        let mut last = TaskResult::Idle;
        for &ms in times {
            let mut cx = Context::at(pool, ms * MS);
            cx.wall = ms;
            let mut outs = [Batch::new()];
            last = harness::task(t, &cx, Batch::new(), &mut outs);
            if let Some(p) = outs[0].pop() {
                assert_eq!(p.timestamp(), ms);
                sent.push(ms);
            }
        }
        (sent, last)
    }

    #[test]
    fn one_packet_per_interval() {
        let mut t = TimedSource::configure("10ms").unwrap();
        assert!(t.has_task());
        let times: Vec<u64> = (0..=55).collect();
        assert_eq!(run_at(&mut t, &times).0, [10, 20, 30, 40, 50]);
        // Late runs keep the schedule when they are less than an interval late.
        let mut t = TimedSource::configure("10ms").unwrap();
        assert_eq!(run_at(&mut t, &[0, 13, 21, 29, 31]).0, [13, 21, 31]);
        // A long stall sends one packet, then restarts the count.
        let mut t = TimedSource::configure("10ms").unwrap();
        assert_eq!(run_at(&mut t, &[0, 10, 95, 96, 104, 105]).0, [10, 95, 105]);
    }

    #[test]
    fn limit_then_stop() {
        let mut t = TimedSource::configure("10ms, LIMIT 2, STOP true").unwrap();
        let (sent, last) = run_at(&mut t, &[0, 10, 20, 25]);
        assert_eq!((sent, last), (alloc::vec![10, 20], TaskResult::Idle));
        assert_eq!(run_at(&mut t, &[30]).1, TaskResult::Stop);
        assert_eq!(run_at(&mut t, &[31]).1, TaskResult::Idle, "asked once");
        assert_eq!(t.read_handler("count"), Ok("2".into()));
        t.write_handler("reset", "").unwrap();
        assert_eq!(
            run_at(&mut t, &[31, 40, 41]).0,
            [31, 41],
            "at once, then an interval later"
        );
        let mut quiet = TimedSource::configure("10ms, LIMIT 0").unwrap();
        assert_eq!(
            run_at(&mut quiet, &[0, 10, 20]),
            (Vec::new(), TaskResult::Idle)
        );
    }

    #[test]
    fn handlers() {
        let mut t = TimedSource::configure("ACTIVE false").unwrap();
        assert_eq!(run_at(&mut t, &[0, 600, 1200]).0, Vec::<u64>::new());
        t.write_handler("active", "true").unwrap();
        assert_eq!(run_at(&mut t, &[1300]).0, [1300]);
        assert_eq!(t.read_handler("interval"), Ok("0.5".into()));
        t.write_handler("interval", "2").unwrap();
        assert_eq!(t.read_handler("interval"), Ok("2".into()));
        t.write_handler("interval", "1ms").unwrap();
        assert_eq!(t.read_handler("interval"), Ok("0.001".into()));
        assert!(t.write_handler("interval", "0").is_err());
        assert!(t.write_handler("interval", "later").is_err());
        t.write_handler("data", "hi").unwrap();
        assert_eq!(t.read_handler("data"), Ok("hi".into()));
        assert_eq!(t.read_handler("datasize"), Err(HandlerError::NoSuchHandler));
        assert_eq!(
            t.write_handler("datasize", "3"),
            Err(HandlerError::NoSuchHandler)
        );
        assert_eq!(t.read_handler("limit"), Ok("-1".into()));
    }
}
