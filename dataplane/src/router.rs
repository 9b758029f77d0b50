//! The generic runner: a configuration held as boxed elements and
//! connection tables, walked at run time.
//!
//! Generated pipelines call elements directly; this runner does the same
//! work through `dyn Element` and lookups. It serves `nfc click` and the
//! tests that check generated code against it: both must produce the same
//! packets.

use alloc::boxed::Box;
use alloc::string::String;
use alloc::vec::Vec;

use crate::batch::{Batch, BURST};
use crate::element::{link_all, Context, Element, HandlerError, Inputs, PullRoute, TaskResult};
use crate::pipeline::Pipeline;

/// Where a port leads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PortRef {
    /// Element index, in the order elements were added.
    pub element: usize,
    /// Port number.
    pub port: usize,
}

struct Node {
    name: String,
    class: String,
    element: Box<dyn Element>,
    /// Per output: the input a push output feeds (`None`: unconnected or pull).
    push_to: Vec<Option<PortRef>>,
    /// Per input: the output a pull input pulls from (`None`: push input).
    pull_from: Vec<Option<PortRef>>,
    /// True when the element is pulled through (an agnostic element on a
    /// pull path): pulling its output pulls its input and pushes the batch
    /// through it. False for elements that hand out packets themselves
    /// (queues).
    pull_through: bool,
}

/// The element registry as [`Pipeline::class_handlers`] and
/// [`Pipeline::classes`] need it.
#[derive(Clone, Copy)]
pub struct Registry {
    /// The handlers a class declares, `None` for an unknown class.
    pub handlers: fn(&str) -> Option<&'static [&'static str]>,
    /// Every class.
    pub classes: fn() -> Vec<&'static str>,
}

/// A configuration run by the generic runner.
#[derive(Default)]
pub struct Router {
    nodes: Vec<Node>,
    /// Elements with tasks, in configuration order.
    tasks: Vec<usize>,
    /// Per task, for a source that waits for room: the storage elements
    /// it pushes into (`None`: something downstream always takes
    /// packets). Found at the first run, once the wiring is complete.
    rooms: Option<Vec<Option<Vec<usize>>>>,
    /// Where class facts come from (none: no class is known).
    registry: Option<Registry>,
    /// Handler calls elements asked for that are not made at once (global
    /// handlers such as `stop`, and elements not in the runner), for
    /// [`Pipeline::take_calls`].
    pending: Vec<(String, String)>,
}

impl Router {
    /// An empty configuration.
    pub fn new() -> Router {
        Router::default()
    }

    /// The registry [`Pipeline::class_handlers`] and [`Pipeline::classes`]
    /// answer from.
    pub fn set_registry(&mut self, registry: Registry) {
        self.registry = Some(registry);
    }

    /// Adds an element with `ninputs` inputs and `noutputs` outputs and
    /// returns its index. `pull_through` is true for an agnostic element
    /// whose ports resolved to pull.
    pub fn add(
        &mut self,
        name: &str,
        class: &str,
        element: Box<dyn Element>,
        ninputs: usize,
        noutputs: usize,
        pull_through: bool,
    ) -> usize {
        let i = self.nodes.len();
        let mut element = element;
        element.set_ports(ninputs, noutputs);
        if element.has_task() {
            self.tasks.push(i);
        }
        self.nodes.push(Node {
            name: name.into(),
            class: class.into(),
            element,
            push_to: alloc::vec![None; noutputs],
            pull_from: alloc::vec![None; ninputs],
            pull_through,
        });
        i
    }

    /// Connects `from`'s output to `to`'s input; `pull` says which of the
    /// two the connection is (Click's resolved processing).
    pub fn connect(&mut self, from: PortRef, to: PortRef, pull: bool) {
        if pull {
            self.nodes[to.element].pull_from[to.port] = Some(from);
        } else {
            self.nodes[from.element].push_to[from.port] = Some(to);
        }
    }

    /// Pushes `batch` into `to`; what the element sends on leaves `batch`.
    pub fn push(&mut self, cx: &Context, to: PortRef, batch: &mut Batch) {
        if batch.is_empty() {
            return;
        }
        let node = &mut self.nodes[to.element];
        let mut others = other_outputs(node.push_to.len());
        node.element.push(cx, to.port, batch, &mut others);
        self.make_calls(to.element);
        self.forward(cx, to.element, batch, &mut others, None);
    }

    /// Makes the handler calls element `i` asks for (Counter's
    /// `COUNT_CALL`, a source's `END_CALL`) before its packets go on, as
    /// Click makes them while the packet is in hand: a Switch written by a
    /// Counter upstream already routes the packet that reached the count
    /// (the rest of its batch too). Calls of global handlers and of
    /// elements not in the runner wait for [`Pipeline::take_calls`].
    fn make_calls(&mut self, i: usize) {
        while let Some((handler, value)) = self.nodes[i].element.take_call() {
            let made = handler.rsplit_once('.').is_some_and(|(element, name)| {
                self.index(element)
                    .is_some_and(|e| self.write_element(e, name, &value).is_ok())
            });
            if !made {
                self.pending.push((handler, value));
            }
        }
    }

    /// Sends element `from`'s output batches on (output 0 in `zero`,
    /// output `k` in `others[k - 1]`), except output `keep`, the one being
    /// pulled; packets for unconnected outputs are freed.
    fn forward(
        &mut self,
        cx: &Context,
        from: usize,
        zero: &mut Batch,
        others: &mut [Batch],
        keep: Option<usize>,
    ) {
        let outs = core::iter::once(zero).chain(others.iter_mut());
        for (k, b) in outs.enumerate() {
            if Some(k) == keep {
                continue;
            }
            match self.nodes[from].push_to.get(k).copied().flatten() {
                Some(to) => self.push(cx, to, b),
                None => b.clear(),
            }
        }
    }

    /// Pulls up to `max` packets from `from` into `batch`.
    pub fn pull(&mut self, cx: &Context, from: PortRef, max: usize, batch: &mut Batch) {
        let node = &mut self.nodes[from.element];
        if !node.pull_through {
            match node.element.pull_route(from.port) {
                PullRoute::Element => {}
                PullRoute::Input(k) => {
                    let before = batch.len();
                    if let Some(Some(up)) = node.pull_from.get(k).copied() {
                        self.pull(cx, up, max, batch);
                    }
                    if self.nodes[from.element].element.empty_signal().is_some() {
                        let got = batch.len() > before;
                        let active = got || self.upstream_active(from.element, k);
                        let element = &mut self.nodes[from.element].element;
                        element.route_signal(Some(got), active);
                    }
                    return;
                }
                PullRoute::Nothing => return,
            }
            if node.pull_from.iter().all(Option::is_none) {
                return node.element.pull(cx, from.port, max, batch);
            }
            // An element that pulls from its inputs (a scheduler): it is
            // taken out of its node while it pulls through the runner, and
            // put back (a pull path has no cycle through it).
            let mut element = core::mem::replace(&mut node.element, Box::new(Vacant));
            element.pull_inputs(
                cx,
                from.port,
                max,
                batch,
                &mut Upstream {
                    router: self,
                    element: from.element,
                },
            );
            self.nodes[from.element].element = element;
            return;
        }
        let Some(Some(up)) = node.pull_from.first().copied() else {
            return;
        };
        let mut zero = Batch::new();
        self.pull(cx, up, max, &mut zero);
        if zero.is_empty() {
            return;
        }
        let node = &mut self.nodes[from.element];
        let mut others = other_outputs(node.push_to.len());
        node.element.push(cx, 0, &mut zero, &mut others);
        self.make_calls(from.element);
        self.forward(cx, from.element, &mut zero, &mut others, Some(from.port));
        match from.port {
            0 => batch.append(&mut zero),
            k => batch.append(&mut others[k - 1]),
        }
    }

    /// Links the elements once all are added ([`link_all`]): each gets
    /// what the others lend (a rewriter's table, a mapper's patterns).
    /// Linking again hands out the same state again.
    pub fn link(&mut self) -> Result<(), Vec<String>> {
        let mut all: Vec<(&str, &mut dyn Element)> = self
            .nodes
            .iter_mut()
            .map(|n| -> (&str, &mut dyn Element) { (n.name.as_str(), n.element.as_mut()) })
            .collect();
        link_all(&mut all)
    }

    /// The storage elements (queues) element `from`'s push outputs lead
    /// to, through everything that is not storage; `None` when a path
    /// ends anywhere else (a sink, an unconnected output): Click's
    /// downstream full signal.
    fn storage_downstream(&self, from: usize) -> Option<Vec<usize>> {
        let mut found = Vec::new();
        let mut seen = alloc::vec![false; self.nodes.len()];
        let mut stack = alloc::vec![from];
        while let Some(i) = stack.pop() {
            let outs = &self.nodes[i].push_to;
            if outs.is_empty() || outs.iter().any(Option::is_none) {
                return None;
            }
            for to in outs.iter().flatten() {
                let e = to.element;
                if core::mem::replace(&mut seen[e], true) {
                    continue;
                }
                if self.nodes[e].element.full().is_some() {
                    found.push(e);
                } else {
                    stack.push(e);
                }
            }
        }
        Some(found)
    }

    /// True when task `t`'s element waits for room and every storage
    /// element it pushes into is full.
    fn no_room(&mut self, t: usize) -> bool {
        if self.rooms.is_none() {
            let rooms = self
                .tasks
                .iter()
                .map(|&e| {
                    if self.nodes[e].element.waits_for_room() {
                        self.storage_downstream(e)
                    } else {
                        None
                    }
                })
                .collect();
            self.rooms = Some(rooms);
        }
        let Some(Some(queues)) = self.rooms.as_ref().map(|r| &r[t]) else {
            return false;
        };
        self.all_full(queues)
    }

    /// True when `queues` is not empty and every one of them is full.
    fn all_full(&self, queues: &[usize]) -> bool {
        !queues.is_empty()
            && queues
                .iter()
                .all(|&q| self.nodes[q].element.full() == Some(true))
    }

    /// Click's `scheduled` handler for element `e`, which has a task:
    /// false while the task sleeps because it waits for room and every
    /// storage element downstream is full, or because it pulls and the
    /// empty signal upstream of its input is off; true otherwise (an
    /// inactive or finished source still counts as scheduled: it polls).
    fn scheduled(&self, e: usize) -> bool {
        let node = &self.nodes[e];
        let no_room = node.element.waits_for_room()
            && self
                .storage_downstream(e)
                .is_some_and(|queues| self.all_full(&queues));
        let pulls = matches!(node.pull_from.first(), Some(Some(_)));
        !no_room && (!pulls || self.upstream_active(e, 0))
    }

    /// Click's upstream empty signal of element `e`'s input `input`: the
    /// OR of the empty notifiers ([`Element::empty_signal`]) found by
    /// searching upstream along pull connections, through elements that
    /// are not notifiers (all their inputs), stopping at notifiers. A path
    /// that meets a push input or an element with no inputs (a source
    /// without notifier) is always active, as Click's busy signal.
    fn upstream_active(&self, e: usize, input: usize) -> bool {
        let mut seen = alloc::vec![false; self.nodes.len()];
        let mut stack = alloc::vec![(e, input)];
        while let Some((i, k)) = stack.pop() {
            let Some(up) = self.nodes[i].pull_from.get(k).copied() else {
                continue;
            };
            // A push input: packets arrive whenever pushed.
            let Some(up) = up else { return true };
            let u = up.element;
            if core::mem::replace(&mut seen[u], true) {
                continue;
            }
            match self.nodes[u].element.empty_signal() {
                Some(true) => return true,
                Some(false) => {}
                None if self.nodes[u].pull_from.is_empty() => return true,
                None => stack.extend((0..self.nodes[u].pull_from.len()).map(|j| (u, j))),
            }
        }
        false
    }

    /// Writes handler `name` of element `i`; then, for an element with an
    /// empty notifier whose pulls go to an input ([`PullRoute::Input`]),
    /// reports the signal upstream of that input
    /// ([`Element::route_signal`]): a PullSwitch switched to an input that
    /// has packets turns its notifier on.
    fn write_element(&mut self, i: usize, name: &str, value: &str) -> Result<(), HandlerError> {
        self.nodes[i].element.write_handler(name, value)?;
        let element = &self.nodes[i].element;
        if element.empty_signal().is_some() {
            if let PullRoute::Input(k) = element.pull_route(0) {
                let active = self.upstream_active(i, k);
                self.nodes[i].element.route_signal(None, active);
            }
        }
        Ok(())
    }

    fn index(&self, name: &str) -> Option<usize> {
        self.nodes.iter().position(|n| n.name == name)
    }
}

/// What stands in a node while its element pulls from its inputs.
struct Vacant;

impl Element for Vacant {}

/// The inputs of element `element`, as [`Element::pull_inputs`] pulls
/// them.
struct Upstream<'a> {
    router: &'a mut Router,
    element: usize,
}

impl Inputs for Upstream<'_> {
    fn pull(&mut self, cx: &Context, input: usize, max: usize, batch: &mut Batch) {
        let from = self.router.nodes[self.element].pull_from.get(input);
        if let Some(Some(up)) = from.copied() {
            self.router.pull(cx, up, max, batch);
        }
    }
}

/// Empty batches for outputs 1 and up of an element with `noutputs`.
fn other_outputs(noutputs: usize) -> Vec<Batch> {
    (1..noutputs).map(|_| Batch::new()).collect()
}

impl Pipeline for Router {
    fn run_tasks(&mut self, cx: &Context) -> TaskResult {
        let mut result = TaskResult::Idle;
        for t in 0..self.tasks.len() {
            let e = self.tasks[t];
            let node = &self.nodes[e];
            if node.pull_from.is_empty() && node.push_to.iter().all(Option::is_none) {
                // A source whose outputs are pulled: its packets leave
                // through `pull`.
                continue;
            }
            if self.no_room(t) {
                continue;
            }
            let wants = self.nodes[e].element.task_wants().min(BURST);
            let mut batch = Batch::new();
            if let Some(up) = self.nodes[e].pull_from.first().copied().flatten() {
                if wants > 0 {
                    self.pull(cx, up, wants, &mut batch);
                }
            }
            let node = &mut self.nodes[e];
            let mut others = other_outputs(node.push_to.len());
            let r = node.element.run_task(cx, &mut batch, &mut others);
            self.make_calls(e);
            self.forward(cx, e, &mut batch, &mut others, None);
            result = result.merge(r);
        }
        result
    }

    fn read(&self, element: &str, handler: &str) -> Result<String, HandlerError> {
        let i = self.index(element).ok_or(HandlerError::NoSuchHandler)?;
        match self.nodes[i].element.read_handler(handler) {
            Err(HandlerError::NoSuchHandler)
                if handler == "scheduled" && self.tasks.contains(&i) =>
            {
                Ok(String::from(if self.scheduled(i) {
                    "true"
                } else {
                    "false"
                }))
            }
            read => read,
        }
    }

    fn write(&mut self, element: &str, handler: &str, value: &str) -> Result<(), HandlerError> {
        let i = self.index(element).ok_or(HandlerError::NoSuchHandler)?;
        self.write_element(i, handler, value)
    }

    /// An element's read handler with a parameter
    /// ([`Element::read_handler_with`]); without one, [`Pipeline::read`].
    fn call_read(
        &mut self,
        element: &str,
        handler: &str,
        param: &str,
    ) -> Result<String, HandlerError> {
        if param.trim().is_empty() {
            return self.read(element, handler);
        }
        let i = self.index(element).ok_or(HandlerError::NoSuchHandler)?;
        self.nodes[i].element.read_handler_with(handler, param)
    }

    fn take_calls(&mut self, calls: &mut Vec<(String, String)>) {
        calls.append(&mut self.pending);
        for n in &mut self.nodes {
            while let Some(c) = n.element.take_call() {
                calls.push(c);
            }
        }
    }

    fn elements(&self) -> Vec<(&str, &str)> {
        self.nodes
            .iter()
            .map(|n| (n.name.as_str(), n.class.as_str()))
            .collect()
    }

    fn class_handlers(&self, class: &str) -> Option<&'static [&'static str]> {
        (self.registry?.handlers)(class)
    }

    fn classes(&self) -> Vec<&'static str> {
        self.registry.map(|r| (r.classes)()).unwrap_or_default()
    }

    fn next_event(&self) -> Option<u64> {
        self.nodes
            .iter()
            .filter_map(|n| n.element.next_event())
            .min()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::element::Out;
    use crate::packet::{Packet, PacketPool};
    use alloc::string::ToString;

    /// Emits `n` one-byte packets per run, then asks to stop.
    #[derive(Default)]
    struct Source {
        left: u8,
    }

    impl Element for Source {
        fn has_task(&self) -> bool {
            true
        }
        fn run_task(&mut self, cx: &Context, out: &mut Batch, _: &mut [Batch]) -> TaskResult {
            if self.left == 0 {
                return TaskResult::Stop;
            }
            self.left -= 1;
            let _ = out.push(cx.pool.alloc_with(&[self.left]).unwrap());
            TaskResult::Busy
        }
    }

    /// Sends even bytes to 0 and odd to 1; counts.
    #[derive(Default)]
    struct Split {
        seen: u32,
    }

    impl Element for Split {
        fn process(&mut self, _: &Context, _: usize, p: &mut Packet) -> Out {
            self.seen += 1;
            Out::Port(usize::from(p.data()[0] % 2))
        }
        fn read_handler(&self, name: &str) -> Result<String, HandlerError> {
            match name {
                "seen" => Ok(self.seen.to_string()),
                _ => Err(HandlerError::NoSuchHandler),
            }
        }
    }

    /// A queue: push in, pull out.
    #[derive(Default)]
    struct Fifo {
        q: alloc::collections::VecDeque<Packet>,
    }

    impl Element for Fifo {
        fn push(&mut self, _: &Context, _: usize, b: &mut Batch, _: &mut [Batch]) {
            self.q.extend(b.drain());
        }
        fn pull(&mut self, _: &Context, _: usize, max: usize, b: &mut Batch) {
            for _ in 0..max {
                match self.q.pop_front() {
                    Some(p) => {
                        let _ = b.push(p);
                    }
                    None => break,
                }
            }
        }
    }

    /// A sink task that pulls 2 at a time and keeps the bytes.
    #[derive(Default)]
    struct Sink {
        got: Vec<u8>,
    }

    impl Element for Sink {
        fn has_task(&self) -> bool {
            true
        }
        fn task_wants(&self) -> usize {
            2
        }
        fn run_task(&mut self, _: &Context, pulled: &mut Batch, _: &mut [Batch]) -> TaskResult {
            self.got.extend(pulled.drain().map(|p| p.data()[0]));
            TaskResult::Idle
        }
        fn read_handler(&self, name: &str) -> Result<String, HandlerError> {
            match name {
                "got" => Ok(alloc::format!("{:?}", self.got)),
                _ => Err(HandlerError::NoSuchHandler),
            }
        }
    }

    #[test]
    fn push_pull_and_tasks() {
        // src -> split; split[0] -> fifo -> counter(pull through) -> sink;
        // split[1] -> (unconnected: dropped).
        let pool = PacketPool::new(16);
        let mut r = Router::new();
        let src = r.add("src", "Source", Box::new(Source { left: 6 }), 0, 1, false);
        let split = r.add("split", "Split", Box::<Split>::default(), 1, 2, false);
        let fifo = r.add("q", "Fifo", Box::<Fifo>::default(), 1, 1, false);
        let thru = r.add("c", "Split", Box::<Split>::default(), 1, 2, true);
        let sink = r.add("sink", "Sink", Box::<Sink>::default(), 1, 0, false);
        let p = |element, port| PortRef { element, port };
        r.connect(p(src, 0), p(split, 0), false);
        r.connect(p(split, 0), p(fifo, 0), false);
        r.connect(p(fifo, 0), p(thru, 0), true);
        r.connect(p(thru, 0), p(sink, 0), true);
        let cx = Context::at(pool, 0);
        let mut rounds = 0;
        while r.run_tasks(&cx) != TaskResult::Stop {
            rounds += 1;
        }
        assert_eq!(rounds, 6);
        r.run_tasks(&cx);
        // 5, 3, 1 are odd: dropped at split's unconnected output 1.
        assert_eq!(r.read("sink", "got").unwrap(), "[4, 2, 0]");
        assert_eq!(r.read("split", "seen").unwrap(), "6");
        assert_eq!(r.read("c", "seen").unwrap(), "3");
        assert_eq!(r.read("nope", "x"), Err(HandlerError::NoSuchHandler));
        assert_eq!(pool.available(), 16, "every packet went back to the pool");
    }

    /// Pulls from input 1 first, then input 0: a two-input scheduler.
    #[derive(Default)]
    struct Prefer1;

    impl Element for Prefer1 {
        fn pull_inputs(
            &mut self,
            cx: &Context,
            _output: usize,
            max: usize,
            batch: &mut Batch,
            inputs: &mut dyn Inputs,
        ) {
            inputs.pull(cx, 1, max, batch);
            if batch.is_empty() {
                inputs.pull(cx, 0, max, batch);
            }
        }
    }

    /// A queue that says when it is full (at 3 packets), and when it holds
    /// packets (its empty notifier).
    #[derive(Default)]
    struct Bounded(Fifo);

    impl Element for Bounded {
        fn push(&mut self, cx: &Context, i: usize, b: &mut Batch, o: &mut [Batch]) {
            self.0.push(cx, i, b, o);
        }
        fn pull(&mut self, cx: &Context, o: usize, max: usize, b: &mut Batch) {
            self.0.pull(cx, o, max, b);
        }
        fn full(&self) -> Option<bool> {
            Some(self.0.q.len() >= 3)
        }
        fn empty_signal(&self) -> Option<bool> {
            Some(!self.0.q.is_empty())
        }
    }

    /// A source that waits for room, emitting one packet per run, and
    /// saying it next has work at time 7.
    #[derive(Default)]
    struct Patient {
        sent: u8,
    }

    impl Element for Patient {
        fn has_task(&self) -> bool {
            true
        }
        fn waits_for_room(&self) -> bool {
            true
        }
        fn next_event(&self) -> Option<u64> {
            Some(7)
        }
        fn run_task(&mut self, cx: &Context, out: &mut Batch, _: &mut [Batch]) -> TaskResult {
            self.sent += 1;
            let _ = out.push(cx.pool.alloc_with(&[self.sent]).unwrap());
            TaskResult::Busy
        }
        fn read_handler(&self, _: &str) -> Result<String, HandlerError> {
            Ok(self.sent.to_string())
        }
    }

    #[test]
    fn schedulers_pull_from_their_inputs_through_the_runner() {
        // a -> q0; b -> q1; [q0, q1] => Prefer1 -> sink (2 per run).
        let pool = PacketPool::new(16);
        let mut r = Router::new();
        let a = r.add("a", "Source", Box::new(Source { left: 2 }), 0, 1, false);
        let b = r.add("b", "Source", Box::new(Source { left: 2 }), 0, 1, false);
        let q0 = r.add("q0", "Fifo", Box::<Fifo>::default(), 1, 1, false);
        let q1 = r.add("q1", "Fifo", Box::<Fifo>::default(), 1, 1, false);
        let s = r.add("s", "Prefer1", Box::<Prefer1>::default(), 2, 1, false);
        let sink = r.add("sink", "Sink", Box::<Sink>::default(), 1, 0, false);
        let p = |element, port| PortRef { element, port };
        r.connect(p(a, 0), p(q0, 0), false);
        r.connect(p(b, 0), p(q1, 0), false);
        r.connect(p(q0, 0), p(s, 0), true);
        r.connect(p(q1, 0), p(s, 1), true);
        r.connect(p(s, 0), p(sink, 0), true);
        let cx = Context::at(pool, 0);
        // Both sources fill their queues in the first runs (the sink runs
        // last, so it sees both queues full).
        r.run_tasks(&cx);
        r.run_tasks(&cx);
        for _ in 0..3 {
            r.run_tasks(&cx);
        }
        // Sources count down from 2: q1's packets [1, 0] come first.
        assert_eq!(r.read("sink", "got").unwrap(), "[1, 0, 1, 0]");
        assert_eq!(pool.available(), 16);
        assert_eq!(r.next_event(), None, "nothing waits for a time");
    }

    #[test]
    fn a_source_that_waits_for_room_sleeps_while_its_queues_are_full() {
        let pool = PacketPool::new(16);
        let mut r = Router::new();
        let src = r.add("src", "Patient", Box::<Patient>::default(), 0, 1, false);
        let q = r.add("q", "Bounded", Box::<Bounded>::default(), 1, 1, false);
        let p = |element, port| PortRef { element, port };
        r.connect(p(src, 0), p(q, 0), false);
        let cx = Context::at(pool, 0);
        for _ in 0..10 {
            r.run_tasks(&cx);
        }
        assert_eq!(r.read("src", "").unwrap(), "3", "asleep once q is full");
        let mut one = Batch::new();
        r.pull(&cx, p(q, 0), 1, &mut one);
        for _ in 0..10 {
            r.run_tasks(&cx);
        }
        assert_eq!(
            r.read("src", "").unwrap(),
            "4",
            "one more for the room made"
        );
        drop(one);
        assert_eq!(r.next_event(), Some(7));

        // Click's `scheduled` handler says whether the task sleeps.
        struct Quiet(Patient);
        impl Element for Quiet {
            fn has_task(&self) -> bool {
                true
            }
            fn waits_for_room(&self) -> bool {
                true
            }
            fn run_task(&mut self, cx: &Context, out: &mut Batch, o: &mut [Batch]) -> TaskResult {
                self.0.run_task(cx, out, o)
            }
        }
        let mut quiet = Router::new();
        let src = quiet.add(
            "src",
            "Quiet",
            Box::new(Quiet(Patient::default())),
            0,
            1,
            false,
        );
        let q = quiet.add("q", "Bounded", Box::<Bounded>::default(), 1, 1, false);
        quiet.connect(p(src, 0), p(q, 0), false);
        assert_eq!(quiet.read("src", "scheduled").unwrap(), "true");
        for _ in 0..5 {
            quiet.run_tasks(&cx);
        }
        assert_eq!(
            quiet.read("src", "scheduled").unwrap(),
            "false",
            "q is full"
        );
        assert_eq!(
            quiet.read("q", "scheduled"),
            Err(HandlerError::NoSuchHandler)
        );

        // Into a Discard-like end (no storage), the source never sleeps.
        let mut r = Router::new();
        let src = r.add("src", "Patient", Box::<Patient>::default(), 0, 1, false);
        let end = r.add("end", "Split", Box::<Split>::default(), 1, 0, false);
        r.connect(p(src, 0), p(end, 0), false);
        for _ in 0..5 {
            r.run_tasks(&cx);
        }
        assert_eq!(r.read("src", "").unwrap(), "5");
    }

    /// Routes pulls to input `to` and keeps a notifier, as PullSwitch
    /// does; logs what the runner reports.
    #[derive(Default)]
    struct Route {
        to: usize,
        on: bool,
        log: Vec<(Option<bool>, bool)>,
    }

    impl Element for Route {
        fn pull_route(&self, _: usize) -> PullRoute {
            PullRoute::Input(self.to)
        }
        fn empty_signal(&self) -> Option<bool> {
            Some(self.on)
        }
        fn route_signal(&mut self, pulled: Option<bool>, input_active: bool) {
            self.log.push((pulled, input_active));
            match (pulled, input_active) {
                (Some(true), _) | (None, true) => self.on = true,
                (Some(false), false) => self.on = false,
                _ => {}
            }
        }
        fn read_handler(&self, _: &str) -> Result<String, HandlerError> {
            Ok(alloc::format!("{:?}", self.log))
        }
        fn write_handler(&mut self, _: &str, value: &str) -> Result<(), HandlerError> {
            self.to = value.parse().map_err(|_| HandlerError::NoSuchHandler)?;
            Ok(())
        }
    }

    #[test]
    fn a_puller_is_scheduled_while_its_upstream_empty_signal_is_on() {
        // q -> c (pulled through) -> sink: the signal is q's, seen
        // through c, which is not a notifier.
        let pool = PacketPool::new(8);
        let cx = Context::at(pool, 0);
        let p = |element, port| PortRef { element, port };
        let mut r = Router::new();
        let q = r.add("q", "Bounded", Box::<Bounded>::default(), 1, 1, false);
        let c = r.add("c", "Split", Box::<Split>::default(), 1, 2, true);
        let sink = r.add("sink", "Sink", Box::<Sink>::default(), 1, 0, false);
        r.connect(p(q, 0), p(c, 0), true);
        r.connect(p(c, 0), p(sink, 0), true);
        assert_eq!(r.read("sink", "scheduled").unwrap(), "false", "q empty");
        let mut b = Batch::new();
        b.push(pool.alloc_with(&[2]).unwrap()).unwrap();
        r.push(&cx, p(q, 0), &mut b);
        assert_eq!(r.read("sink", "scheduled").unwrap(), "true", "q holds one");
        r.run_tasks(&cx);
        assert_eq!(r.read("sink", "got").unwrap(), "[2]");
        assert_eq!(r.read("sink", "scheduled").unwrap(), "false");

        // A queue without notifier: packets are pushed into it whenever,
        // so the signal through it is always on (Click's busy signal); so
        // is a source that is not a notifier.
        let mut r = Router::new();
        let q = r.add("q", "Fifo", Box::<Fifo>::default(), 1, 1, false);
        let sink = r.add("sink", "Sink", Box::<Sink>::default(), 1, 0, false);
        r.connect(p(q, 0), p(sink, 0), true);
        assert_eq!(r.read("sink", "scheduled").unwrap(), "true");
        let mut r = Router::new();
        let src = r.add("s", "Split", Box::<Split>::default(), 0, 1, false);
        let sink = r.add("sink", "Sink", Box::<Sink>::default(), 1, 0, false);
        r.connect(p(src, 0), p(sink, 0), true);
        assert_eq!(r.read("sink", "scheduled").unwrap(), "true");
    }

    #[test]
    fn a_routing_notifier_hears_of_its_pulls_and_switches() {
        // [q0, q1] => sw (Route, notifier) -> sink; q2 -> [2]sw.
        let pool = PacketPool::new(8);
        let cx = Context::at(pool, 0);
        let p = |element, port| PortRef { element, port };
        let mut r = Router::new();
        let q0 = r.add("q0", "Bounded", Box::<Bounded>::default(), 1, 1, false);
        let q1 = r.add("q1", "Bounded", Box::<Bounded>::default(), 1, 1, false);
        let sw = r.add("sw", "Route", Box::<Route>::default(), 2, 1, false);
        let sink = r.add("sink", "Sink", Box::<Sink>::default(), 1, 0, false);
        r.connect(p(q0, 0), p(sw, 0), true);
        r.connect(p(q1, 0), p(sw, 1), true);
        r.connect(p(sw, 0), p(sink, 0), true);
        let mut b = Batch::new();
        b.push(pool.alloc_with(&[1]).unwrap()).unwrap();
        r.push(&cx, p(q1, 0), &mut b);
        assert_eq!(
            r.read("sink", "scheduled").unwrap(),
            "false",
            "sw's notifier is off, whatever is upstream of it"
        );
        r.run_tasks(&cx);
        r.write("sw", "to", "1").unwrap();
        assert_eq!(r.read("sink", "scheduled").unwrap(), "true");
        r.run_tasks(&cx);
        r.run_tasks(&cx);
        assert_eq!(r.read("sink", "got").unwrap(), "[1]");
        assert_eq!(
            r.read("sw", "").unwrap(),
            "[(Some(false), false), (None, true), (Some(true), true), (Some(false), false)]"
        );
        assert_eq!(r.read("sink", "scheduled").unwrap(), "false");
    }

    /// Asks for `flip.to 1` at its first packet, and `stop` with it.
    #[derive(Default)]
    struct Trigger {
        fired: bool,
        calls: Vec<(String, String)>,
    }

    impl Element for Trigger {
        fn process(&mut self, _: &Context, _: usize, _: &mut Packet) -> Out {
            if !core::mem::replace(&mut self.fired, true) {
                self.calls.push(("flip.to".into(), "1".into()));
                self.calls.push(("stop".into(), "".into()));
            }
            Out::Port(0)
        }
        fn take_call(&mut self) -> Option<(String, String)> {
            self.calls.pop()
        }
    }

    /// Sends every packet to output `to`.
    #[derive(Default)]
    struct Flip {
        to: usize,
    }

    impl Element for Flip {
        fn process(&mut self, _: &Context, _: usize, _: &mut Packet) -> Out {
            Out::Port(self.to)
        }
        fn write_handler(&mut self, name: &str, value: &str) -> Result<(), HandlerError> {
            match name {
                "to" => self.to = value.parse().map_err(|_| HandlerError::NoSuchHandler)?,
                _ => return Err(HandlerError::NoSuchHandler),
            }
            Ok(())
        }
    }

    #[test]
    fn calls_an_element_asks_for_are_made_before_its_packet_goes_on() {
        let pool = PacketPool::new(4);
        let mut r = Router::new();
        let t = r.add("t", "Trigger", Box::<Trigger>::default(), 1, 1, false);
        let f = r.add("flip", "Flip", Box::<Flip>::default(), 1, 2, false);
        let zero = r.add("zero", "Split", Box::<Split>::default(), 1, 0, false);
        let one = r.add("one", "Split", Box::<Split>::default(), 1, 0, false);
        let p = |element, port| PortRef { element, port };
        r.connect(p(t, 0), p(f, 0), false);
        r.connect(p(f, 0), p(zero, 0), false);
        r.connect(p(f, 1), p(one, 0), false);
        let mut batch = Batch::new();
        batch.push(pool.alloc_with(&[0]).unwrap()).unwrap();
        r.push(&Context::at(pool, 0), p(t, 0), &mut batch);
        assert_eq!(r.read("one", "seen").unwrap(), "1", "switched in time");
        assert_eq!(r.read("zero", "seen").unwrap(), "0");
        let mut calls = Vec::new();
        r.take_calls(&mut calls);
        assert_eq!(
            calls,
            [("stop".to_string(), String::new())],
            "global: later"
        );
    }
}
