//! # Counter — measures packet count and rate
//!
//! ```click
//! Counter([KEYWORDS])
//! ```
//!
//! Ports: 1 input, 1 output (`1/1`). Processing: agnostic (`a/a`).
//!
//! Passes every packet through unchanged and keeps statistics on the way:
//! how many packets and bytes went by since the last reset, and a recent
//! arrival rate (an exponentially weighted moving average, in packets and in
//! bytes per second). It can call a write handler once a count reaches a
//! threshold, which is how a test stops a router after N packets.
//!
//! ## Keywords
//! - `COUNT_CALL` *N HANDLER [VALUE]* — once the packet count reaches *N*,
//!   call write handler *HANDLER* (`element.handler`) with *VALUE*.
//! - `BYTE_COUNT_CALL` *N HANDLER [VALUE]* — the same when the byte count
//!   reaches or passes *N*.
//!
//! ## Handlers
//! - `count` (read) — packets seen since the last reset.
//! - `byte_count` (read) — bytes seen since the last reset.
//! - `rate` (read) — recent packet rate, packets per second.
//! - `bit_rate` (read), `byte_rate` (read) — recent rate in bits / bytes per second.
//! - `reset_counts` (write), `reset` (write) — zero the counts and rates.
//! - `count_call` (write), `byte_count_call` (write) — replace the
//!   `COUNT_CALL` / `BYTE_COUNT_CALL` setting.
//!
//! ## Examples
//! ```click
//! FromDevice(eth0) -> c :: Counter(COUNT_CALL 1000 stop.run) -> Discard;
//! ```
//!
//! ## Differences from Click
//! - none in the configuration; Click's `llrpc` calls do not exist in nfc.

use alloc::string::{String, ToString};
use nfc_dataplane::args::{Args, ConfigErrors};
use nfc_dataplane::batch::Batch;
use nfc_dataplane::element::{Context, Element, HandlerError, Out};
use nfc_dataplane::packet::Packet;
use nfc_dataplane::parse::{self, ParseError};

use super::words;
use crate::{ElementSpec, Ports};

/// A write-handler call made when a counter reaches a threshold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CountCall {
    /// The count (packets or bytes) that triggers the call.
    pub threshold: u64,
    /// The write handler to call, `element.handler` or a global handler.
    pub handler: String,
    /// The value written to the handler, if any (kept as written).
    pub value: Option<String>,
}

/// Parses `N HANDLER [VALUE]`.
pub fn count_call(text: &str) -> Result<CountCall, ParseError> {
    let w = words(text);
    let Some(&(_, n)) = w.first() else {
        return Err(ParseError {
            message: "expected `N HANDLER [VALUE]`, found nothing".to_string(),
            hint: Some("for example `COUNT_CALL 1000 stop.run`".to_string()),
        });
    };
    let threshold = parse::unsigned::<u64>(n)?;
    let Some(&(hpos, handler)) = w.get(1) else {
        return Err(ParseError {
            message: alloc::format!("expected a handler name after \"{n}\""),
            hint: Some("for example `COUNT_CALL 1000 stop.run`".to_string()),
        });
    };
    let value = text
        .get(hpos + handler.len()..)
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(ToString::to_string);
    Ok(CountCall {
        threshold,
        handler: handler.to_string(),
        value,
    })
}

/// Counter: its configuration and what it has counted.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Counter {
    /// Handler called when the packet count reaches a threshold.
    pub count_call: Option<CountCall>,
    /// Handler called when the byte count reaches a threshold.
    pub byte_count_call: Option<CountCall>,
    count: u64,
    byte_count: u64,
    rate: Rate,
    /// A count call that fired and waits for the runtime.
    pending: Option<(String, String)>,
}

/// A packets-and-bytes rate: an exponentially weighted moving average over
/// one-second periods (weight 1/4 for the newest period), updated as
/// packets pass.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
struct Rate {
    /// End of the current period, ns.
    period_end: u64,
    /// Packets and bytes in the current period.
    packets: u64,
    bytes: u64,
    /// Averages, per second, scaled by 2^8.
    avg_packets: u64,
    avg_bytes: u64,
}

const SECOND: u64 = 1_000_000_000;

impl Rate {
    #[inline]
    fn add(&mut self, now: u64, packets: u64, bytes: u64) {
        if now >= self.period_end {
            self.roll(now);
        }
        self.packets += packets;
        self.bytes += bytes;
    }

    /// Closes the periods that ended by `now`.
    fn roll(&mut self, now: u64) {
        if self.period_end == 0 {
            self.period_end = now + SECOND;
            return;
        }
        let ewma = |avg: u64, new: u64| (avg * 3 + (new << 8)) / 4;
        self.avg_packets = ewma(self.avg_packets, self.packets);
        self.avg_bytes = ewma(self.avg_bytes, self.bytes);
        // Periods with no packet at all.
        let idle = ((now - self.period_end) / SECOND).min(64);
        for _ in 0..idle {
            self.avg_packets = ewma(self.avg_packets, 0);
            self.avg_bytes = ewma(self.avg_bytes, 0);
        }
        self.period_end += (idle + 1) * SECOND;
        self.packets = 0;
        self.bytes = 0;
    }
}

impl Counter {
    /// Parses Counter's configuration string.
    pub fn configure(config: &str) -> Result<Self, ConfigErrors> {
        let mut args = Args::new(config);
        let count_call = args.read("COUNT_CALL", count_call);
        let byte_count_call = args.read("BYTE_COUNT_CALL", self::count_call);
        args.complete()?;
        Ok(Counter {
            count_call,
            byte_count_call,
            ..Counter::default()
        })
    }

    /// Packets counted since the last reset.
    pub fn count(&self) -> u64 {
        self.count
    }

    /// Bytes counted since the last reset.
    pub fn byte_count(&self) -> u64 {
        self.byte_count
    }

    #[inline]
    fn add(&mut self, now: u64, packets: u64, bytes: u64) {
        let (c0, b0) = (self.count, self.byte_count);
        self.count += packets;
        self.byte_count += bytes;
        self.rate.add(now, packets, bytes);
        let crossed = |call: &Option<CountCall>, before: u64, after: u64| {
            call.as_ref()
                .filter(|c| before < c.threshold && after >= c.threshold)
                .map(|c| (c.handler.clone(), c.value.clone().unwrap_or_default()))
        };
        if let Some(call) = crossed(&self.count_call, c0, self.count)
            .or_else(|| crossed(&self.byte_count_call, b0, self.byte_count))
        {
            self.pending = Some(call);
        }
    }
}

impl Element for Counter {
    #[inline]
    fn process(&mut self, cx: &Context, _input: usize, p: &mut Packet) -> Out {
        self.add(cx.now, 1, p.len() as u64);
        Out::Port(0)
    }

    #[inline]
    fn push(&mut self, cx: &Context, _input: usize, batch: &mut Batch, _others: &mut [Batch]) {
        if batch.is_empty() {
            return;
        }
        // The batch stays as it is: output 0.
        let bytes = batch.iter().map(|p| p.len() as u64).sum();
        self.add(cx.now, batch.len() as u64, bytes);
    }

    fn take_call(&mut self) -> Option<(String, String)> {
        self.pending.take()
    }

    fn read_handler(&self, name: &str) -> Result<String, HandlerError> {
        let r = &self.rate;
        Ok(match name {
            "count" => self.count.to_string(),
            "byte_count" => self.byte_count.to_string(),
            "rate" => (r.avg_packets >> 8).to_string(),
            "byte_rate" => (r.avg_bytes >> 8).to_string(),
            "bit_rate" => ((r.avg_bytes * 8) >> 8).to_string(),
            _ => return Err(HandlerError::NoSuchHandler),
        })
    }

    fn write_handler(&mut self, name: &str, value: &str) -> Result<(), HandlerError> {
        let call = |v: &str| {
            if v.trim().is_empty() {
                Ok(None)
            } else {
                count_call(v)
                    .map(Some)
                    .map_err(|e| HandlerError::Invalid(e.message))
            }
        };
        match name {
            "reset" | "reset_counts" => {
                self.count = 0;
                self.byte_count = 0;
                self.rate = Rate::default();
            }
            "count_call" => self.count_call = call(value)?,
            "byte_count_call" => self.byte_count_call = call(value)?,
            _ => return Err(HandlerError::NoSuchHandler),
        }
        Ok(())
    }
}

/// Counter's spec.
pub const SPEC: ElementSpec = ElementSpec {
    class: "Counter",
    port_count: "1/1",
    processing: "a/a",
    flow_code: "x/x",
    keywords: &["COUNT_CALL", "BYTE_COUNT_CALL"],
    handlers: &[
        "count (read)",
        "byte_count (read)",
        "rate (read)",
        "bit_rate (read)",
        "byte_rate (read)",
        "reset_counts (write)",
        "reset (write)",
        "count_call (write)",
        "byte_count_call (write)",
    ],
    summary: "measures packet count and rate",
    source: include_str!("counter.rs"),
    check: |c| Counter::configure(c).map(|_| Ports::DECLARED),
};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::harness::{self, check_batch_path, run_push};
    use crate::standard::testing::{errors, has};

    #[test]
    fn empty_config() {
        assert_eq!(Counter::configure("").unwrap(), Counter::default());
    }

    #[test]
    fn count_calls() {
        let c = Counter::configure("COUNT_CALL 10 stop.run, BYTE_COUNT_CALL 0x100 s.write 1 2")
            .unwrap();
        assert_eq!(
            c.count_call,
            Some(CountCall {
                threshold: 10,
                handler: "stop.run".into(),
                value: None
            })
        );
        let b = c.byte_count_call.unwrap();
        assert_eq!(b.threshold, 256);
        assert_eq!(b.handler, "s.write");
        assert_eq!(b.value.as_deref(), Some("1 2"));
    }

    #[test]
    fn bad_arguments_are_all_reported() {
        let cfg = "COUNT_CALL ten x.y, BYTE_COUNT_CALL 5, 12";
        let errs = errors(cfg, Counter::configure(cfg));
        assert!(has(&errs, "ten", "ten x.y"), "{errs:?}");
        assert!(has(&errs, "handler name", "5"), "{errs:?}");
        assert!(errs.len() >= 3, "{errs:?}");
    }

    #[test]
    fn counts_packets_and_bytes_on_both_paths() {
        let c = Counter::configure("").unwrap();
        check_batch_path(&c, 0, 1, |i, pool| {
            pool.alloc_with(&[0u8; 64][..i % 64]).unwrap()
        });
        let mut c = c;
        let pool = harness::pool();
        let sent = run_push(
            &mut c,
            &harness::cx(pool),
            0,
            (0..33)
                .map(|i| pool.alloc_with(&[0u8; 64][..i]).unwrap())
                .collect(),
            1,
        );
        assert_eq!(sent.len(), 33);
        assert_eq!(c.read_handler("count"), Ok("33".into()));
        assert_eq!(
            c.read_handler("byte_count"),
            Ok((0..33).sum::<usize>().to_string())
        );
        c.write_handler("reset", "").unwrap();
        assert_eq!(c.count(), 0);
        assert_eq!(c.read_handler("nope"), Err(HandlerError::NoSuchHandler));
    }

    #[test]
    fn rate_follows_the_traffic() {
        let mut c = Counter::configure("").unwrap();
        let pool = harness::pool();
        // 1000 packets of 100 bytes in each of ten seconds.
        for s in 0..10u64 {
            let cx = Context::at(pool, s * SECOND + 1);
            for _ in 0..1000 {
                let mut p = pool.alloc_with(&[0; 100]).unwrap();
                c.process(&cx, 0, &mut p);
            }
        }
        let rate: u64 = c.read_handler("rate").unwrap().parse().unwrap();
        assert!((900..=1000).contains(&rate), "{rate}");
        let bits: u64 = c.read_handler("bit_rate").unwrap().parse().unwrap();
        assert!((720_000..=800_000).contains(&bits), "{bits}");
    }

    #[test]
    fn count_call_fires_once_at_the_threshold() {
        let mut c = Counter::configure("COUNT_CALL 3 stop.run yes").unwrap();
        let pool = harness::pool();
        let cx = harness::cx(pool);
        for i in 0..5 {
            let mut p = pool.alloc_with(&[0]).unwrap();
            c.process(&cx, 0, &mut p);
            let call = c.take_call();
            assert_eq!(call.is_some(), i == 2, "packet {i}: {call:?}");
            if let Some((h, v)) = call {
                assert_eq!((h.as_str(), v.as_str()), ("stop.run", "yes"));
            }
        }
        c.write_handler("count_call", "x").unwrap_err();
        c.write_handler("count_call", "").unwrap();
        assert_eq!(c.count_call, None);
    }

    #[test]
    fn unknown_keyword() {
        let cfg = "COUNT_CAL 1 a.b";
        let errs = errors(cfg, Counter::configure(cfg));
        assert_eq!(errs.len(), 1, "{errs:?}");
    }
}
