//! # DelayShaper — shaper that stalls packets at least a given duration
//!
//! ```click
//! DelayShaper(DELAY)
//! ```
//!
//! Ports: 1 input, 1 output (`1/1`). Processing: pull (`l/l`).
//!
//! Pulls packets from its input and hands each out when pulled, but not
//! before DELAY has passed since the packet's timestamp annotation: a
//! packet with no timestamp (less than a second since the epoch, as
//! Click's test) is stamped with the time it was pulled. The packet
//! leaves with its timestamp set to the time it left. DelayShaper holds
//! at most one packet, so a Queue upstream holds the rest; it pulls the
//! next one only once the one it holds has left.
//!
//! ## Keywords
//! - `DELAY` *duration* — the least delay; mandatory.
//!
//! ## Handlers
//! - `delay` (read/write) — DELAY, in seconds.
//!
//! ## Examples
//! ```click
//! FromDevice(eth0) -> SetTimestamp -> Queue -> DelayShaper(50ms) -> ToDevice(eth1);
//! ```
//!
//! ## Differences from Click
//! - A pull hands out every packet that is due (up to what was asked),
//!   where Click's hands out one; with time standing still between them
//!   the order and times are the same.
//! - nfc has no empty notifier: the puller polls; the next time a held
//!   packet is due is the element's next event.

use alloc::string::String;
use core::time::Duration;
use nfc_dataplane::args::{Args, ConfigErrors};
use nfc_dataplane::batch::Batch;
use nfc_dataplane::element::{Context, Element, HandlerError, Inputs};
use nfc_dataplane::packet::Packet;
use nfc_dataplane::parse;

use super::link_unqueue::nanos;
use super::timed_source::seconds;
use crate::{ElementSpec, Ports};

/// A timestamp with a zero seconds part counts as unset (Click's test).
const ONE_SECOND: u64 = 1_000_000_000;

/// DelayShaper's configuration and the packet it holds.
pub struct DelayShaper {
    /// DELAY, nanoseconds.
    delay: u64,
    /// The packet waiting for its time, and that time (wall clock, ns).
    held: Option<(Packet, u64)>,
    /// When the held packet is due on the monotonic clock.
    due: Option<u64>,
}

impl core::fmt::Debug for DelayShaper {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("DelayShaper")
            .field("delay", &self.delay)
            .field("due", &self.due)
            .finish_non_exhaustive()
    }
}

impl DelayShaper {
    /// Parses DelayShaper's configuration string.
    pub fn configure(config: &str) -> Result<Self, ConfigErrors> {
        let mut args = Args::new(config);
        let delay = args.read_mp("DELAY", parse::duration);
        args.complete()?;
        Ok(DelayShaper {
            delay: delay.map_or(0, nanos),
            held: None,
            due: None,
        })
    }
}

impl Element for DelayShaper {
    /// Hands out the held packet once it is due, then pulls the next.
    fn pull_inputs(
        &mut self,
        cx: &Context,
        _output: usize,
        max: usize,
        batch: &mut Batch,
        inputs: &mut dyn Inputs,
    ) {
        let mut given = 0;
        while given < max && !batch.is_full() {
            if self.held.is_none() {
                let mut one = Batch::new();
                inputs.pull(cx, 0, 1, &mut one);
                let Some(mut p) = one.pop() else {
                    break;
                };
                if p.timestamp() < ONE_SECOND {
                    p.set_timestamp(cx.wall);
                }
                let at = p.timestamp().saturating_add(self.delay);
                // The same instant on the monotonic clock.
                self.due = Some(cx.now.saturating_add(at.saturating_sub(cx.wall)));
                self.held = Some((p, at));
            }
            match self.held.take() {
                Some((mut p, at)) if at <= cx.wall => {
                    p.set_timestamp(cx.wall);
                    self.due = None;
                    let _ = batch.push(p);
                    given += 1;
                }
                held => {
                    self.held = held;
                    break;
                }
            }
        }
    }

    fn next_event(&self) -> Option<u64> {
        self.due
    }

    fn read_handler(&self, name: &str) -> Result<String, HandlerError> {
        match name {
            "delay" => Ok(seconds(Duration::from_nanos(self.delay))),
            _ => Err(HandlerError::NoSuchHandler),
        }
    }

    fn write_handler(&mut self, name: &str, value: &str) -> Result<(), HandlerError> {
        match name {
            "delay" => {
                let d =
                    parse::duration(value.trim()).map_err(|e| HandlerError::Invalid(e.message))?;
                self.delay = nanos(d);
                Ok(())
            }
            _ => Err(HandlerError::NoSuchHandler),
        }
    }
}

/// DelayShaper's spec.
pub const SPEC: ElementSpec = ElementSpec {
    class: "DelayShaper",
    port_count: "1/1",
    processing: "l/l",
    flow_code: "x/x",
    keywords: &["DELAY"],
    handlers: &["delay (read/write)"],
    summary: "shaper that stalls packets at least a given duration",
    source: include_str!("delay_shaper.rs"),
    check: |c| DelayShaper::configure(c).map(|_| Ports::DECLARED),
};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::harness;
    use crate::standard::testing::errors;
    use alloc::collections::VecDeque;
    use alloc::vec::Vec;

    /// Packets waiting upstream, stamped with the given times.
    struct Upstream(VecDeque<Packet>);

    impl Inputs for Upstream {
        fn pull(&mut self, _cx: &Context, input: usize, max: usize, batch: &mut Batch) {
            assert_eq!(input, 0);
            for _ in 0..max {
                match self.0.pop_front() {
                    Some(p) => batch.push(p).unwrap(),
                    None => break,
                }
            }
        }
    }

    const S: u64 = ONE_SECOND;
    const MS: u64 = 1_000_000;

    fn upstream(stamps: &[u64]) -> Upstream {
        let pool = harness::pool();
        Upstream(
            stamps
                .iter()
                .map(|&t| {
                    let mut p = pool.alloc_with(&[t as u8]).unwrap();
                    p.set_timestamp(t);
                    p
                })
                .collect(),
        )
    }

    fn pull_at(d: &mut DelayShaper, up: &mut Upstream, now: u64) -> Vec<u64> {
        let cx = Context::at(harness::pool(), now);
        let mut b = Batch::new();
        d.pull_inputs(&cx, 0, 32, &mut b, up);
        b.iter().map(|p| p.timestamp()).collect()
    }

    #[test]
    fn holds_each_packet_for_the_delay() {
        let mut d = DelayShaper::configure("50ms").unwrap();
        let mut up = upstream(&[100 * S, 100 * S, 100 * S + 70 * MS]);
        assert_eq!(pull_at(&mut d, &mut up, 100 * S), Vec::<u64>::new());
        assert_eq!(d.next_event(), Some(100 * S + 50 * MS));
        // Both due at 50 ms leave then, stamped with the time they left;
        // the third waits until 120 ms.
        let t = 100 * S + 60 * MS;
        assert_eq!(pull_at(&mut d, &mut up, t), [t, t]);
        assert_eq!(d.next_event(), Some(100 * S + 120 * MS));
        let t = 100 * S + 120 * MS;
        assert_eq!(pull_at(&mut d, &mut up, t), [t]);
        assert_eq!(d.next_event(), None);
    }

    #[test]
    fn unstamped_packets_wait_from_when_they_were_pulled() {
        let mut d = DelayShaper::configure("DELAY 1s").unwrap();
        let mut up = upstream(&[0, 5]);
        assert!(pull_at(&mut d, &mut up, 10 * S).is_empty());
        assert_eq!(d.next_event(), Some(11 * S));
        assert_eq!(pull_at(&mut d, &mut up, 11 * S), [11 * S]);
        assert_eq!(d.next_event(), Some(12 * S), "the next pulled at 11 s");
    }

    #[test]
    fn handlers_and_errors() {
        let mut d = DelayShaper::configure("0.05s").unwrap();
        assert_eq!(d.read_handler("delay"), Ok("0.05".into()));
        d.write_handler("delay", "2ms").unwrap();
        assert_eq!(d.read_handler("delay"), Ok("0.002".into()));
        assert!(d.write_handler("delay", "soon").is_err());
        let errs = errors("", DelayShaper::configure(""));
        assert!(errs[0].0.contains("DELAY"), "{errs:?}");
    }
}
