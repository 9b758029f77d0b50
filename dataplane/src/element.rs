//! The element model: what every element implements, and what the
//! generated pipelines and the generic runner call.
//!
//! An element knows no neighbour. It sees packets arrive on an input and
//! says which output each leaves on:
//!
//! - **push**: [`Element::push`] takes a batch arriving on an input and
//!   sorts its packets into one batch per output. The default runs
//!   [`Element::process`] on each packet; an element overrides `push` only
//!   where working on the whole batch saves time (Counter, Discard, Tee).
//! - **pull**: queues hand out packets when asked ([`Element::pull`]). An
//!   element between a queue and its consumer is pulled through: the caller
//!   pulls from upstream and pushes the batch through it.
//! - **tasks**: sources and device elements do their work when the poll
//!   loop runs them ([`Element::run_task`]); a task may first pull packets
//!   from the element's input ([`Element::task_wants`]).
//! - **handlers**: named read and write entry points reachable at run time
//!   (`c.count`, `c.reset`), as Click's.

use alloc::string::String;
use alloc::vec::Vec;
use core::cell::RefCell;
use core::fmt;

use crate::batch::Batch;
use crate::packet::{Packet, PacketPool};

/// Where a packet goes after [`Element::process`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Out {
    /// To this output port.
    Port(usize),
    /// Nowhere: the packet is freed.
    Drop,
}

/// What an element sees of the world when it runs: the time, and the pool
/// new packets come from. The poll loop refreshes it once per round, so
/// time is as coarse as a round (Click's jiffies are coarser).
#[derive(Clone, Copy)]
pub struct Context {
    /// Monotonic time, nanoseconds.
    pub now: u64,
    /// Wall-clock time, nanoseconds since the Unix epoch (for timestamps).
    pub wall: u64,
    /// The pool new packets come from.
    pub pool: &'static PacketPool,
    /// Where Print, IPPrint and warnings write their lines.
    pub console: &'static dyn Console,
}

/// Where elements' messages go: stderr on linux, the serial or PV console
/// in images. Each call writes one whole line, without its newline.
pub trait Console {
    /// Writes one line.
    fn line(&self, line: &str);
}

/// A console that forgets everything.
#[derive(Clone, Copy, Debug, Default)]
pub struct NullConsole;

impl Console for NullConsole {
    fn line(&self, _line: &str) {}
}

/// A console that keeps every line, for tests and tools.
#[derive(Debug, Default)]
pub struct Captured {
    lines: RefCell<Vec<String>>,
}

impl Captured {
    /// A new, empty capture that lives for the rest of the program.
    pub fn leak() -> &'static Captured {
        alloc::boxed::Box::leak(alloc::boxed::Box::default())
    }

    /// Takes the lines written so far.
    pub fn take(&self) -> Vec<String> {
        core::mem::take(&mut *self.lines.borrow_mut())
    }
}

impl Console for Captured {
    fn line(&self, line: &str) {
        self.lines.borrow_mut().push(line.into());
    }
}

impl Context {
    /// A context at monotonic and wall-clock time `now` whose console
    /// discards everything (tests, tools).
    pub fn at(pool: &'static PacketPool, now: u64) -> Context {
        Context {
            now,
            wall: now,
            pool,
            console: &NullConsole,
        }
    }
}

impl fmt::Debug for Context {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Context")
            .field("now", &self.now)
            .field("wall", &self.wall)
            .finish_non_exhaustive()
    }
}

/// Why a handler call failed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum HandlerError {
    /// The element has no such handler (or not in that direction).
    NoSuchHandler,
    /// The handler refused the value; the message says why.
    Invalid(String),
}

/// Something that wants the poll loop to stop (Click's `STOP true` on a
/// source, a write to `stop`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum TaskResult {
    /// Nothing to do this time.
    #[default]
    Idle,
    /// Work was done.
    Busy,
    /// The element asks the whole configuration to stop.
    Stop,
}

impl TaskResult {
    /// The result of two task runs together: a stop request wins, then
    /// work done.
    #[inline]
    pub fn merge(self, other: TaskResult) -> TaskResult {
        match (self, other) {
            (TaskResult::Stop, _) | (_, TaskResult::Stop) => TaskResult::Stop,
            (TaskResult::Busy, _) | (_, TaskResult::Busy) => TaskResult::Busy,
            _ => TaskResult::Idle,
        }
    }
}

/// One element instance.
///
/// Every method has a default, so an element writes only what it does.
/// The trait is object-safe: the generic runner holds `Box<dyn Element>`,
/// while generated pipelines call the concrete types directly.
pub trait Element {
    /// Handles one packet that arrived on push input `input`: changes it
    /// in place and says where it goes. The default passes it to output 0.
    #[inline]
    fn process(&mut self, cx: &Context, input: usize, p: &mut Packet) -> Out {
        let _ = (cx, input, p);
        Out::Port(0)
    }

    /// Handles a batch that arrived on push input `input`, appending each
    /// packet to the batch of the output it leaves on (`outs[k]` for output
    /// `k`; `outs` has one batch per output, empty on entry). Packets sent
    /// to an output the element does not have are freed. With one output
    /// the batch is filtered in place and handed on whole.
    #[inline]
    fn push(&mut self, cx: &Context, input: usize, batch: Batch, outs: &mut [Batch]) {
        if let [out] = outs {
            let mut batch = batch;
            batch.retain(|p| self.process(cx, input, p) == Out::Port(0));
            *out = batch;
            return;
        }
        for mut p in batch {
            if let Out::Port(k) = self.process(cx, input, &mut p) {
                if let Some(out) = outs.get_mut(k) {
                    // An output batch cannot overflow: it receives at most
                    // the packets of one input batch.
                    let _ = out.push(p);
                }
            }
        }
    }

    /// Hands out up to `max` packets from pull output `output` (queues).
    /// The default has none.
    #[inline]
    fn pull(&mut self, cx: &Context, output: usize, max: usize) -> Batch {
        let _ = (cx, output, max);
        Batch::new()
    }

    /// How many packets the element's task wants pulled from its input 0
    /// before it runs (ToDevice: room in the transmit ring; Unqueue: its
    /// burst). The default is none.
    #[inline]
    fn task_wants(&self) -> usize {
        0
    }

    /// Runs the element's task once: `pulled` holds what was pulled for it
    /// (see [`Element::task_wants`]); packets it emits go to `outs` as in
    /// [`Element::push`]. The default has no task.
    #[inline]
    fn run_task(&mut self, cx: &Context, pulled: Batch, outs: &mut [Batch]) -> TaskResult {
        let _ = (cx, pulled, outs);
        TaskResult::Idle
    }

    /// True when the element has a task for the poll loop to run. A source
    /// whose output is pulled has none: it hands out packets in `pull`.
    fn has_task(&self) -> bool {
        false
    }

    /// Tells the element how many inputs and outputs the configuration
    /// gave it (Click's `ninputs()`/`noutputs()`), once, after configure,
    /// for classes whose port count is a range (Tee, RoundRobinSwitch).
    fn set_ports(&mut self, ninputs: usize, noutputs: usize) {
        let _ = (ninputs, noutputs);
    }

    /// A write-handler call the element asks the runtime to make, once
    /// (Counter's `COUNT_CALL`, a source's `END_CALL`): `(handler, value)`,
    /// with `handler` as `element.name` or a global handler. The runtime
    /// asks after each round.
    fn take_call(&mut self) -> Option<(String, String)> {
        None
    }

    /// Reads handler `name`.
    fn read_handler(&self, name: &str) -> Result<String, HandlerError> {
        let _ = name;
        Err(HandlerError::NoSuchHandler)
    }

    /// Writes `value` to handler `name`.
    fn write_handler(&mut self, name: &str, value: &str) -> Result<(), HandlerError> {
        let _ = (name, value);
        Err(HandlerError::NoSuchHandler)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Sends even first bytes to output 0, odd to 1, and drops 0xff.
    struct EvenOdd;

    impl Element for EvenOdd {
        fn process(&mut self, _cx: &Context, _input: usize, p: &mut Packet) -> Out {
            match p.data()[0] {
                0xff => Out::Drop,
                b => Out::Port((b % 2) as usize),
            }
        }
    }

    #[test]
    fn the_default_push_sorts_by_output_and_keeps_order() {
        let pool = PacketPool::new(40);
        for n in [0usize, 1, 31, 32] {
            let mut batch = Batch::new();
            for i in 0..n {
                let b = if i % 5 == 4 { 0xff } else { i as u8 };
                batch.push(pool.alloc_with(&[b]).unwrap()).unwrap();
            }
            let mut outs = [Batch::new(), Batch::new()];
            EvenOdd.push(&Context::at(pool, 0), 0, batch, &mut outs);
            let firsts = |b: &Batch| {
                b.iter()
                    .map(|p| p.data()[0])
                    .collect::<alloc::vec::Vec<_>>()
            };
            let want = |r: u8| {
                (0..n as u8)
                    .filter(|i| i % 5 != 4 && i % 2 == r)
                    .collect::<alloc::vec::Vec<_>>()
            };
            assert_eq!(firsts(&outs[0]), want(0), "n={n}");
            assert_eq!(firsts(&outs[1]), want(1), "n={n}");
            drop(outs);
            assert_eq!(pool.available(), 40, "dropped packets went back");
        }
    }

    #[test]
    fn packets_for_missing_outputs_are_freed() {
        let pool = PacketPool::new(2);
        let mut batch = Batch::new();
        batch.push(pool.alloc_with(&[1]).unwrap()).unwrap();
        let mut outs = [Batch::new()];
        EvenOdd.push(&Context::at(pool, 0), 0, batch, &mut outs);
        assert!(outs[0].is_empty());
        assert_eq!(pool.available(), 2);
    }

    #[test]
    fn one_output_filters_in_place() {
        /// Drops packets whose first byte is 2.
        struct NotTwo;
        impl Element for NotTwo {
            fn process(&mut self, _cx: &Context, _input: usize, p: &mut Packet) -> Out {
                if p.data()[0] == 2 {
                    Out::Drop
                } else {
                    Out::Port(0)
                }
            }
        }
        let pool = PacketPool::new(4);
        let mut batch = Batch::new();
        for b in [1u8, 2, 3, 4] {
            batch.push(pool.alloc_with(&[b]).unwrap()).unwrap();
        }
        let mut outs = [Batch::new()];
        NotTwo.push(&Context::at(pool, 0), 0, batch, &mut outs);
        assert_eq!(outs[0].len(), 3);
        assert_eq!(pool.available(), 1);
    }
}
