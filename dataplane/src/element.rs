//! The element model: what every element implements, and what the
//! generated pipelines and the generic runner call.
//!
//! An element knows no neighbour. It sees packets arrive on an input and
//! says which output each leaves on:
//!
//! - **push**: [`Element::push`] takes a batch arriving on an input and
//!   sorts its packets by output, in place: packets for output 0 stay in
//!   the batch, those for other outputs move to one batch per output. The
//!   default runs [`Element::process`] on each packet; an element overrides
//!   `push` only where working on the whole batch saves time (Counter,
//!   Discard) or does what `process` cannot (Tee, queues).
//!
//!   Where Click differs: Click pushes one packet at a time, so packets
//!   that split at an element and meet again downstream keep their input
//!   order. A batch is handed on output by output (output 0's packets
//!   first, then output 1's, ...), so there they arrive grouped by path,
//!   as in FastClick. A Queue and `Unqueue(BURST 1)` restore packet order
//!   where a configuration needs it.
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

/// What an element that pulls from its inputs pulls through
/// ([`Element::pull_inputs`]): the runner's view of what lies upstream.
pub trait Inputs {
    /// Appends up to `max` packets pulled from input `input` to `batch`;
    /// nothing when the input is not connected or has nothing.
    fn pull(&mut self, cx: &Context, input: usize, max: usize, batch: &mut Batch);
}

/// How a pull on an element's output is served ([`Element::pull_route`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PullRoute {
    /// By the element itself: [`Element::pull`] or [`Element::pull_inputs`].
    Element,
    /// From input `k`, unchanged: the runner pulls it directly.
    Input(usize),
    /// Nothing comes out.
    Nothing,
}

/// Where a packet goes after [`Element::process`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Out {
    /// To this output port.
    Port(usize),
    /// Nowhere: the packet is freed.
    Drop,
}

/// The output batches of an element that places packets itself (Tee,
/// switches, queues with an overflow output): output 0 is the batch that
/// came in, outputs 1 and up are the `others` of [`Element::push`]. An
/// element typically takes the input out of the batch first
/// (`core::mem::take(batch)`), then sorts it into its outputs.
pub struct Outputs<'a> {
    zero: &'a mut Batch,
    others: &'a mut [Batch],
}

impl<'a> Outputs<'a> {
    /// Output 0 is `zero`, output `k >= 1` is `others[k - 1]`.
    #[inline]
    pub fn new(zero: &'a mut Batch, others: &'a mut [Batch]) -> Outputs<'a> {
        Outputs { zero, others }
    }

    /// The number of outputs (at least one: output 0 is always there).
    #[inline]
    pub fn count(&self) -> usize {
        1 + self.others.len()
    }

    /// The batch of output `k`, if the element has it.
    #[inline]
    pub fn get_mut(&mut self, k: usize) -> Option<&mut Batch> {
        match k {
            0 => Some(self.zero),
            k => self.others.get_mut(k - 1),
        }
    }

    /// Appends `p` to output `k`; frees it when there is no such output or
    /// the output's batch is full.
    #[inline]
    pub fn push(&mut self, k: usize, p: Packet) {
        if let Some(out) = self.get_mut(k) {
            let _ = out.push(p);
        }
    }
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
    /// A random number the platform drew once, at start, from its entropy
    /// source (RDSEED/RDRAND in x86_64 images, the kernel's on linux):
    /// the seed of elements' generators (IP IDs, script `$(random)`), so
    /// that no two runs share them.
    pub seed: u64,
}

/// Where elements' messages go: stderr on linux, the serial or PV console
/// in images. Each call writes one whole line, without its newline.
pub trait Console {
    /// Writes one line.
    fn line(&self, line: &str);

    /// Writes `text` where a script's `print` goes: Click's Script writes
    /// to standard output, or to the file `file` (`print >FILE`, which
    /// replaces the file, or `print >>FILE` with `append`, which adds to
    /// it). `text` holds its own newlines. The default has no files and
    /// writes `text`'s lines (and a last, unfinished one) to
    /// [`Console::line`]; linux writes standard output and files.
    fn print(&self, file: Option<&str>, append: bool, text: &str) -> Result<(), String> {
        let _ = append;
        if let Some(file) = file {
            return Err(alloc::format!("{file}: no files on this platform"));
        }
        for line in text.split_inclusive('\n') {
            self.line(line.strip_suffix('\n').unwrap_or(line));
        }
        Ok(())
    }

    /// The contents of file `path`, for a script's `cat` (Click's Script
    /// reads files at user level). The default has no files; linux reads
    /// the file system.
    fn read_file(&self, path: &str) -> Result<String, String> {
        Err(alloc::format!("{path}: no files on this platform"))
    }
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

/// The seed of [`Context::at`]'s contexts: tests repeat.
pub const TEST_SEED: u64 = 0x9e37_79b9_7f4a_7c15;

impl Context {
    /// A context at monotonic and wall-clock time `now` whose console
    /// discards everything and whose seed is fixed (tests, tools).
    pub fn at(pool: &'static PacketPool, now: u64) -> Context {
        Context {
            now,
            wall: now,
            pool,
            console: &NullConsole,
            seed: TEST_SEED,
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

/// State an element lends to the elements that name it in their
/// configurations — a rewriter's mapping table to ICMPRewriter's `MAPS`, a
/// mapper's patterns to a rewriter's input spec. The borrower downcasts it
/// to the type it expects ([`Element::shared`], [`Element::link`]).
pub type Shared = alloc::rc::Rc<dyn core::any::Any>;

/// Links a configuration's elements, once every one is configured: hands
/// each element what the others lend ([`Element::shared`], with their
/// names, in configuration order) through [`Element::link`]. Returns every
/// link that failed, as `name: message`. Both runners call it when they
/// build a configuration.
pub fn link_all(elements: &mut [(&str, &mut dyn Element)]) -> Result<(), Vec<String>> {
    let lent: Vec<(&str, Shared)> = elements
        .iter()
        .filter_map(|(name, e)| e.shared().map(|s| (*name, s)))
        .collect();
    let mut errors = Vec::new();
    for (name, e) in elements.iter_mut() {
        if let Err(message) = e.link(&lent) {
            errors.push(alloc::format!("{name}: {message}"));
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
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

    /// Handles a batch that arrived on push input `input`, in place: on
    /// return `batch` holds, in order, the packets that leave on output 0,
    /// and `others[k - 1]` (empty on entry) those that leave on output
    /// `k >= 1`. Packets for an output the element does not have are freed;
    /// an element with no outputs leaves `batch` empty (or its caller frees
    /// what is left). Output 0 being the input batch itself is what lets a
    /// batch cross a chain of elements without being copied.
    #[inline]
    fn push(&mut self, cx: &Context, input: usize, batch: &mut Batch, others: &mut [Batch]) {
        batch.route(others, |p| self.process(cx, input, p));
    }

    /// Appends up to `max` packets from pull output `output` to `batch`
    /// (queues; `max` never exceeds the room in `batch`). The default has
    /// none.
    #[inline]
    fn pull(&mut self, cx: &Context, output: usize, max: usize, batch: &mut Batch) {
        let _ = (cx, output, max, batch);
    }

    /// How many packets the element's task wants pulled from its input 0
    /// before it runs (ToDevice: room in the transmit ring; Unqueue: its
    /// burst). The default is none.
    #[inline]
    fn task_wants(&self) -> usize {
        0
    }

    /// Runs the element's task once. On entry `batch` holds what was
    /// pulled for it (see [`Element::task_wants`]), else nothing; on return
    /// it holds the packets the task emits on output 0, and `others` those
    /// for the other outputs, as in [`Element::push`]. The default has no
    /// task.
    #[inline]
    fn run_task(&mut self, cx: &Context, batch: &mut Batch, others: &mut [Batch]) -> TaskResult {
        let _ = (cx, batch, others);
        TaskResult::Idle
    }

    /// Appends up to `max` packets from pull output `output` to `batch`,
    /// for an element that pulls from its own pull inputs to do it
    /// (schedulers, PullSwitch, Shaper): `inputs` pulls from them. The
    /// default ignores `inputs` and calls [`Element::pull`], which is all a
    /// queue needs.
    #[inline]
    fn pull_inputs(
        &mut self,
        cx: &Context,
        output: usize,
        max: usize,
        batch: &mut Batch,
        inputs: &mut dyn Inputs,
    ) {
        let _ = inputs;
        self.pull(cx, output, max, batch);
    }

    /// For an element that only chooses which input a pull goes to and
    /// passes packets on unchanged (Bypass, PullSwitch, PullNull): where a
    /// pull on `output` goes now. The runner then pulls that input itself,
    /// so a pull path may leave the element and come back into it (Click's
    /// Bypass detours). The default: the element serves its pulls.
    fn pull_route(&self, output: usize) -> PullRoute {
        let _ = output;
        PullRoute::Element
    }

    /// Click's empty notifier: whether a pull on the element's outputs may
    /// find packets now. `Some(true)` while it may (a Queue that holds
    /// packets, a pulled InfiniteSource that is active and under LIMIT, a
    /// PullSwitch whose notifier is on), `Some(false)` while it may not (an
    /// empty Queue, Idle). `None`, the default: not a notifier; the runner
    /// looks further upstream through the element's inputs (Print,
    /// SimplePullSwitch), and takes an element with no pull input to look
    /// through (a source, a queue without notifier) as always active. The
    /// runner answers Click's `scheduled` handler of a task that pulls
    /// with the signal upstream of its input (pullers still poll).
    fn empty_signal(&self) -> Option<bool> {
        None
    }

    /// For an element that routes pulls ([`Element::pull_route`]) and has
    /// an empty notifier of its own that follows its inputs (PullSwitch):
    /// the runner says what happened on the route. `pulled` is `Some(got)`
    /// after a pull the runner routed to an input (`got`: packets came),
    /// `None` after a handler write to the element; `input_active` is the
    /// empty signal upstream of the input the route leads to now (true
    /// when packets came). Not called while the route leads nowhere
    /// ([`PullRoute::Nothing`]). The default ignores it.
    fn route_signal(&mut self, pulled: Option<bool>, input_active: bool) {
        let _ = (pulled, input_active);
    }

    /// True when the element has a task for the poll loop to run. A source
    /// whose output is pulled has none: it hands out packets in `pull`.
    fn has_task(&self) -> bool {
        false
    }

    /// The monotonic time at which the element next has work that waits
    /// for a time (Click's timer expiry): a rated source's next token, a
    /// shaper's next release, a delay's end. `None` when nothing waits.
    /// The poll loop hands the earliest of all to the platform when a
    /// round did no work, and a simulated clock (`nfc click --simtime`)
    /// jumps there. The default waits for nothing.
    fn next_event(&self) -> Option<u64> {
        None
    }

    /// For a storage element (a queue): whether it is full now. Sources
    /// that wait for room ([`Element::waits_for_room`]) sleep while every
    /// storage element they push into is full, as Click's full notifier
    /// has them do. `None`, the default: not a storage element; packets
    /// pass through it to what lies downstream.
    fn full(&self) -> Option<bool> {
        None
    }

    /// True for a source whose task sleeps while everything it pushes into
    /// is full (Click's InfiniteSource and RatedSource), rather than
    /// making packets only for them to be dropped. The default does not
    /// wait.
    fn waits_for_room(&self) -> bool {
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

    /// What the element lends to elements that name it in their
    /// configurations (see [`link_all`]); the default lends nothing.
    fn shared(&self) -> Option<Shared> {
        None
    }

    /// Takes what other elements lend, once every element is configured
    /// ([`link_all`]): `lent` holds each lending element's name and state.
    /// Fails, saying what is missing, when an element the configuration
    /// names is not there or lends the wrong thing. The default needs
    /// nothing.
    fn link(&mut self, lent: &[(&str, Shared)]) -> Result<(), String> {
        let _ = lent;
        Ok(())
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

    /// Calls read handler `name` with parameter `param`, for Click's read
    /// handlers that take one (a route table's `lookup ADDR`): what
    /// [`Pipeline::call_read`](crate::pipeline::Pipeline::call_read) (a
    /// script's `read x.h PARAM`, a ControlSocket `READ x.h PARAM`) reaches.
    /// A call may change state, hence `&mut`. The default reads `name` when
    /// `param` is empty and refuses a parameter otherwise.
    fn read_handler_with(&mut self, name: &str, param: &str) -> Result<String, HandlerError> {
        if param.trim().is_empty() {
            self.read_handler(name)
        } else {
            Err(HandlerError::Invalid(alloc::format!(
                "read handler '{name}' does not take parameters"
            )))
        }
    }
}

/// Implements [`Element`](crate::element::Element) for a wrapper by
/// handing every call to its field `.0`: a platform's device elements are
/// wrappers of the generic runtime in nfc-elements.
#[macro_export]
macro_rules! delegate_element {
    ($wrapper:ty) => {
        impl $crate::element::Element for $wrapper {
            #[inline]
            fn process(
                &mut self,
                cx: &$crate::element::Context,
                input: usize,
                p: &mut $crate::packet::Packet,
            ) -> $crate::element::Out {
                self.0.process(cx, input, p)
            }

            #[inline]
            fn push(
                &mut self,
                cx: &$crate::element::Context,
                input: usize,
                batch: &mut $crate::batch::Batch,
                others: &mut [$crate::batch::Batch],
            ) {
                self.0.push(cx, input, batch, others)
            }

            #[inline]
            fn pull(
                &mut self,
                cx: &$crate::element::Context,
                output: usize,
                max: usize,
                batch: &mut $crate::batch::Batch,
            ) {
                self.0.pull(cx, output, max, batch)
            }

            #[inline]
            fn task_wants(&self) -> usize {
                self.0.task_wants()
            }

            #[inline]
            fn run_task(
                &mut self,
                cx: &$crate::element::Context,
                batch: &mut $crate::batch::Batch,
                others: &mut [$crate::batch::Batch],
            ) -> $crate::element::TaskResult {
                self.0.run_task(cx, batch, others)
            }

            #[inline]
            fn pull_inputs(
                &mut self,
                cx: &$crate::element::Context,
                output: usize,
                max: usize,
                batch: &mut $crate::batch::Batch,
                inputs: &mut dyn $crate::element::Inputs,
            ) {
                self.0.pull_inputs(cx, output, max, batch, inputs)
            }

            fn pull_route(&self, output: usize) -> $crate::element::PullRoute {
                self.0.pull_route(output)
            }

            fn empty_signal(&self) -> Option<bool> {
                self.0.empty_signal()
            }

            fn route_signal(&mut self, pulled: Option<bool>, input_active: bool) {
                self.0.route_signal(pulled, input_active)
            }

            fn has_task(&self) -> bool {
                self.0.has_task()
            }

            fn next_event(&self) -> Option<u64> {
                self.0.next_event()
            }

            fn full(&self) -> Option<bool> {
                self.0.full()
            }

            fn waits_for_room(&self) -> bool {
                self.0.waits_for_room()
            }

            fn set_ports(&mut self, ninputs: usize, noutputs: usize) {
                self.0.set_ports(ninputs, noutputs)
            }

            fn take_call(&mut self) -> Option<($crate::__String, $crate::__String)> {
                self.0.take_call()
            }

            fn shared(&self) -> Option<$crate::element::Shared> {
                self.0.shared()
            }

            fn link(
                &mut self,
                lent: &[(&str, $crate::element::Shared)],
            ) -> Result<(), $crate::__String> {
                self.0.link(lent)
            }

            fn read_handler(
                &self,
                name: &str,
            ) -> Result<$crate::__String, $crate::element::HandlerError> {
                self.0.read_handler(name)
            }

            fn read_handler_with(
                &mut self,
                name: &str,
                param: &str,
            ) -> Result<$crate::__String, $crate::element::HandlerError> {
                self.0.read_handler_with(name, param)
            }

            fn write_handler(
                &mut self,
                name: &str,
                value: &str,
            ) -> Result<(), $crate::element::HandlerError> {
                self.0.write_handler(name, value)
            }
        }
    };
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
            let mut outs = [batch, Batch::new()];
            let [zero, one] = &mut outs;
            EvenOdd.push(&Context::at(pool, 0), 0, zero, core::slice::from_mut(one));
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
    fn link_all_hands_every_element_what_the_others_lend() {
        /// Lends a number; `Borrower` wants the one lent by `from`.
        struct Lender(u32);
        impl Element for Lender {
            fn shared(&self) -> Option<Shared> {
                Some(alloc::rc::Rc::new(self.0))
            }
        }
        struct Borrower {
            from: &'static str,
            got: Option<u32>,
        }
        impl Element for Borrower {
            fn link(&mut self, lent: &[(&str, Shared)]) -> Result<(), String> {
                let (_, s) = lent
                    .iter()
                    .find(|(n, _)| *n == self.from)
                    .ok_or_else(|| alloc::format!("no element named {}", self.from))?;
                self.got = Some(*s.downcast_ref::<u32>().ok_or("not a number")?);
                Ok(())
            }
        }
        let (mut a, mut b) = (Lender(7), Lender(9));
        let mut c = Borrower {
            from: "b",
            got: None,
        };
        let mut d = Borrower {
            from: "zz",
            got: None,
        };
        {
            let mut all: [(&str, &mut dyn Element); 3] =
                [("a", &mut a), ("c", &mut c), ("b", &mut b)];
            link_all(&mut all).unwrap();
        }
        assert_eq!(c.got, Some(9), "linked whatever the order");
        let mut all: [(&str, &mut dyn Element); 2] = [("a", &mut a), ("d", &mut d)];
        assert_eq!(
            link_all(&mut all),
            Err(alloc::vec!["d: no element named zz".into()])
        );
    }

    #[test]
    fn packets_for_missing_outputs_are_freed() {
        let pool = PacketPool::new(2);
        let mut batch = Batch::new();
        batch.push(pool.alloc_with(&[1]).unwrap()).unwrap();
        EvenOdd.push(&Context::at(pool, 0), 0, &mut batch, &mut []);
        assert!(batch.is_empty());
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
        NotTwo.push(&Context::at(pool, 0), 0, &mut batch, &mut []);
        assert_eq!(batch.len(), 3);
        assert_eq!(pool.available(), 1);
    }
}
