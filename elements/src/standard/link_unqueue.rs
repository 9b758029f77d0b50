//! # LinkUnqueue — link emulator
//!
//! ```click
//! LinkUnqueue(LATENCY, BANDWIDTH)
//! ```
//!
//! Ports: 1 input, 1 output (`1/1`). Processing: pull input, push output (`l/h`).
//!
//! Pulls packets from its input and pushes them out its output as if they
//! had crossed a serial link with latency LATENCY and bandwidth BANDWIDTH:
//! every packet is delayed by LATENCY, by its length at BANDWIDTH, and by
//! the packets ahead of it on the link. Packets pulled back to back queue
//! behind each other; a packet that finds the link idle starts LATENCY
//! after it was pulled. LinkUnqueue pulls only while there is room on the
//! link (the last packet on it leaves within LATENCY), so to emulate a
//! link fed by a packet queue, use `Queue -> LinkUnqueue`. A packet's
//! length counts with its extra-length annotation (bytes a trace
//! described but did not hold). It sets each packet's timestamp
//! annotation to the time it leaves.
//!
//! ## Keywords
//! - `LATENCY` *duration* — the link's latency; mandatory.
//! - `BANDWIDTH` *bandwidth* — the link's bandwidth (`384kbps`), at least
//!   100 bytes per second; mandatory. Click counts it in units of 100
//!   bytes per second, rounding down, and so does nfc.
//!
//! ## Handlers
//! - `latency` (read/write) — LATENCY, in seconds.
//! - `bandwidth` (read/write) — BANDWIDTH in bytes per second (as Click
//!   rounded it).
//! - `size` (read) — packets on the link.
//! - `reset` (write) — drop the packets on the link. Writing `latency` or
//!   `bandwidth` also does.
//!
//! ## Examples
//! ```click
//! FromDevice(eth0) -> Queue -> LinkUnqueue(5ms, 1Mbps) -> ToDevice(eth1);
//! ```
//!
//! ## Differences from Click
//! - A run pulls one packet; when room opens on the link the task takes
//!   one empty run before it pulls (on simulated time both happen at the
//!   same instant).
//! - nfc has no empty notifier here: while there is room the task polls
//!   its input.

use alloc::collections::VecDeque;
use alloc::string::{String, ToString};
use core::time::Duration;
use nfc_dataplane::args::{Args, ConfigErrors};
use nfc_dataplane::batch::Batch;
use nfc_dataplane::element::{Context, Element, HandlerError, TaskResult};
use nfc_dataplane::packet::Packet;
use nfc_dataplane::parse;

use super::rated_splitter::bandwidth_u32;
use super::timed_source::seconds;
use super::truncate::extra_length;
use crate::{ElementSpec, Ports};

/// LinkUnqueue's configuration and the packets on its link.
pub struct LinkUnqueue {
    /// LATENCY, nanoseconds.
    latency: u64,
    /// BANDWIDTH in units of 100 bytes a second (Click's unit).
    bandwidth: u32,
    /// Packets on the link and when each leaves (monotonic ns), in order.
    link: VecDeque<(Packet, u64)>,
    /// The last packet was pulled right after the one before it, so the
    /// next queues behind it.
    back_to_back: bool,
    /// There was room on the link at the last run: the next run pulls.
    room: bool,
}

impl core::fmt::Debug for LinkUnqueue {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("LinkUnqueue")
            .field("latency", &self.latency)
            .field("bandwidth", &self.bandwidth)
            .field("size", &self.link.len())
            .finish_non_exhaustive()
    }
}

/// BANDWIDTH in Click's units of 100 bytes a second, or why not.
fn bandwidth_units(s: &str) -> Result<u32, parse::ParseError> {
    let b = bandwidth_u32(s)?;
    if b < 100 {
        return Err(parse::ParseError::new(
            "bandwidth too small, minimum 100Bps",
        ));
    }
    Ok(b / 100)
}

/// A duration in nanoseconds (saturating).
pub(crate) fn nanos(d: Duration) -> u64 {
    u64::try_from(d.as_nanos()).unwrap_or(u64::MAX)
}

impl LinkUnqueue {
    /// Parses LinkUnqueue's configuration string.
    pub fn configure(config: &str) -> Result<Self, ConfigErrors> {
        let mut args = Args::new(config);
        let latency = args.read_mp("LATENCY", parse::duration);
        let bandwidth = args.read_mp("BANDWIDTH", bandwidth_units);
        args.complete()?;
        Ok(LinkUnqueue {
            latency: latency.map_or(0, nanos),
            bandwidth: bandwidth.unwrap_or(1),
            link: VecDeque::new(),
            back_to_back: false,
            room: true,
        })
    }

    /// Packets on the link.
    pub fn size(&self) -> usize {
        self.link.len()
    }

    /// How long `p` takes to cross at the bandwidth, nanoseconds, with
    /// Click's microsecond rounding: its length and extra length count.
    fn transmission(&self, p: &Packet) -> u64 {
        let len = p.len() as u64 + u64::from(extra_length(p));
        len * 10_000 / u64::from(self.bandwidth) * 1_000
    }

    /// Whether the link has room at `now`: the last packet leaves within
    /// LATENCY.
    fn has_room(&self, now: u64) -> bool {
        self.link
            .back()
            .is_none_or(|(_, due)| *due <= now.saturating_add(self.latency))
    }

    /// Drops every packet on the link.
    fn reset(&mut self) {
        self.link.clear();
        self.back_to_back = false;
        self.room = true;
    }
}

impl Element for LinkUnqueue {
    fn has_task(&self) -> bool {
        true
    }

    fn task_wants(&self) -> usize {
        usize::from(self.room)
    }

    /// Puts the pulled packet on the link, then pushes out the packets
    /// whose time has come.
    fn run_task(&mut self, cx: &Context, batch: &mut Batch, _others: &mut [Batch]) -> TaskResult {
        let now = cx.now;
        let delayed = now.saturating_add(self.latency);
        let asked = self.room;
        let mut worked = false;
        let pulled = core::mem::take(batch);
        if asked && pulled.is_empty() {
            self.back_to_back = false;
        }
        for mut p in pulled {
            let start = match self.link.back() {
                Some((_, due)) if self.back_to_back => *due,
                _ => delayed,
            };
            let due = start.saturating_add(self.transmission(&p));
            p.set_timestamp(due.wrapping_add(cx.wall.wrapping_sub(cx.now)));
            self.link.push_back((p, due));
            self.back_to_back = true;
            worked = true;
        }
        while self.link.front().is_some_and(|(_, due)| *due <= now) && !batch.is_full() {
            if let Some((p, _)) = self.link.pop_front() {
                let _ = batch.push(p);
                worked = true;
            }
        }
        self.room = self.has_room(now);
        if worked || (!asked && self.room) {
            TaskResult::Busy
        } else {
            TaskResult::Idle
        }
    }

    fn next_event(&self) -> Option<u64> {
        let (_, head) = self.link.front()?;
        let (_, tail) = self.link.back()?;
        if self.room {
            Some(*head)
        } else {
            Some((*head).min(tail.saturating_sub(self.latency)))
        }
    }

    fn read_handler(&self, name: &str) -> Result<String, HandlerError> {
        match name {
            "latency" => Ok(seconds(Duration::from_nanos(self.latency))),
            "bandwidth" => Ok((u64::from(self.bandwidth) * 100).to_string()),
            "size" => Ok(self.size().to_string()),
            _ => Err(HandlerError::NoSuchHandler),
        }
    }

    fn write_handler(&mut self, name: &str, value: &str) -> Result<(), HandlerError> {
        let invalid = |e: parse::ParseError| HandlerError::Invalid(e.message);
        match name {
            "latency" => self.latency = nanos(parse::duration(value.trim()).map_err(invalid)?),
            "bandwidth" => self.bandwidth = bandwidth_units(value.trim()).map_err(invalid)?,
            "reset" => {}
            _ => return Err(HandlerError::NoSuchHandler),
        }
        self.reset();
        Ok(())
    }
}

/// LinkUnqueue's spec.
pub const SPEC: ElementSpec = ElementSpec {
    class: "LinkUnqueue",
    port_count: "1/1",
    processing: "l/h",
    flow_code: "x/x",
    keywords: &["LATENCY", "BANDWIDTH"],
    handlers: &[
        "latency (read/write)",
        "bandwidth (read/write)",
        "size (read)",
        "reset (write)",
    ],
    summary: "link emulator",
    source: include_str!("link_unqueue.rs"),
    check: |c| LinkUnqueue::configure(c).map(|_| Ports::DECLARED),
};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::harness;
    use crate::standard::rated_unqueue::tests::START;
    use crate::standard::testing::errors;

    const MS: u64 = 1_000_000;

    /// Feeds `lengths` (a queue holding them all at the start) through
    /// `u` on simulated time; returns when each left, relative to
    /// [`START`], in microseconds.
    fn run(u: &mut LinkUnqueue, lengths: &[usize]) -> alloc::vec::Vec<u64> {
        let pool = harness::pool();
        let mut queue: VecDeque<Packet> = lengths
            .iter()
            .map(|&n| pool.alloc_with(&alloc::vec![0u8; n]).unwrap())
            .collect();
        let mut left = alloc::vec::Vec::new();
        let mut now = START;
        for _ in 0..10_000 {
            let mut batch = Batch::new();
            for _ in 0..u.task_wants() {
                if let Some(p) = queue.pop_front() {
                    batch.push(p).unwrap();
                }
            }
            let r = u.run_task(&Context::at(pool, now), &mut batch, &mut []);
            left.extend(batch.iter().map(|p| {
                assert_eq!(p.timestamp(), now, "stamped with the time it left");
                (now - START) / 1_000
            }));
            if r == TaskResult::Idle {
                match u.next_event() {
                    Some(at) => now = at.max(now + 1),
                    None => break,
                }
            }
        }
        left
    }

    #[test]
    fn click_test_timing() {
        // Click's test/standard/LinkUnqueue-01: 5 ms at 100 kbit/s
        // (12500 bytes a second: 1.6 ms for 20 bytes, 128 ms for 1600).
        let mut u = LinkUnqueue::configure("0.005s, 100kb/s").unwrap();
        let left = run(&mut u, &[20, 20, 1600, 20, 1600, 20]);
        let first = left[0];
        let rel: alloc::vec::Vec<u64> = left.iter().map(|t| t - first).collect();
        assert_eq!(rel, [0, 1_600, 129_600, 131_200, 259_200, 260_800]);
        assert_eq!(first, 6_600, "latency plus the first packet's time");
        assert_eq!(u.size(), 0);
        // 20 bytes present and 1580 described: 1600 bytes' time.
        let pool = harness::pool();
        let mut p = pool.alloc_with(&[0; 20]).unwrap();
        crate::standard::truncate::set_extra_length(&mut p, 1_580);
        assert_eq!(u.transmission(&p), 128 * MS);
    }

    #[test]
    fn room_opens_a_latency_before_the_tail_leaves() {
        // 1000 bytes at 1 MB/s take 1 ms; the latency is 10 ms.
        let mut u = LinkUnqueue::configure("10ms, 1MBps").unwrap();
        let pool = harness::pool();
        let at = |ms: u64| Context::at(pool, START + ms * MS);
        let mut b = Batch::new();
        b.push(pool.alloc_with(&[0; 1000]).unwrap()).unwrap();
        assert_eq!(u.run_task(&at(0), &mut b, &mut []), TaskResult::Busy);
        assert!(b.is_empty());
        assert_eq!((u.size(), u.task_wants()), (1, 0), "the link is full");
        assert_eq!(u.next_event(), Some(START + MS), "room at 11 ms - 10 ms");
        assert_eq!(
            u.run_task(&at(1), &mut Batch::new(), &mut []),
            TaskResult::Busy
        );
        assert_eq!(u.task_wants(), 1);
        // Nothing to pull: the next packet will not queue behind.
        assert_eq!(
            u.run_task(&at(1), &mut Batch::new(), &mut []),
            TaskResult::Idle
        );
        assert_eq!(u.next_event(), Some(START + 11 * MS));
        let mut out = Batch::new();
        u.run_task(&at(11), &mut out, &mut []);
        assert_eq!(out.len(), 1);
        assert_eq!(u.next_event(), None);
        let mut b = Batch::new();
        b.push(pool.alloc_with(&[0; 1000]).unwrap()).unwrap();
        u.run_task(&at(12), &mut b, &mut []);
        // It leaves at 12 + 10 + 1 ms; room again 10 ms before.
        assert_eq!(u.next_event(), Some(START + 13 * MS));
    }

    #[test]
    fn handlers_and_errors() {
        let mut u = LinkUnqueue::configure("LATENCY 5ms, BANDWIDTH 1234Bps").unwrap();
        assert_eq!(u.read_handler("latency"), Ok("0.005".into()));
        assert_eq!(u.read_handler("bandwidth"), Ok("1200".into()));
        assert_eq!(u.read_handler("size"), Ok("0".into()));
        u.write_handler("bandwidth", "1Mbps").unwrap();
        assert_eq!(u.read_handler("bandwidth"), Ok("125000".into()));
        assert!(u.write_handler("bandwidth", "50Bps").is_err());
        u.write_handler("reset", "").unwrap();
        let cfg = "5ms, 99Bps";
        let errs = errors(cfg, LinkUnqueue::configure(cfg));
        assert!(errs[0].0.contains("too small"), "{errs:?}");
        let errs = errors("5ms", LinkUnqueue::configure("5ms"));
        assert!(errs[0].0.contains("BANDWIDTH"), "{errs:?}");
    }
}
