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
use crate::element::{link_all, Context, Element, HandlerError, TaskResult};
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
    /// Where class facts come from (none: no class is known).
    registry: Option<Registry>,
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
        self.forward(cx, to.element, batch, &mut others, None);
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
            return node.element.pull(cx, from.port, max, batch);
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

    fn index(&self, name: &str) -> Option<usize> {
        self.nodes.iter().position(|n| n.name == name)
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
            self.forward(cx, e, &mut batch, &mut others, None);
            result = result.merge(r);
        }
        result
    }

    fn read(&self, element: &str, handler: &str) -> Result<String, HandlerError> {
        let i = self.index(element).ok_or(HandlerError::NoSuchHandler)?;
        self.nodes[i].element.read_handler(handler)
    }

    fn write(&mut self, element: &str, handler: &str, value: &str) -> Result<(), HandlerError> {
        let i = self.index(element).ok_or(HandlerError::NoSuchHandler)?;
        self.nodes[i].element.write_handler(handler, value)
    }

    fn take_calls(&mut self, calls: &mut Vec<(String, String)>) {
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
        fn read_handler(&self, _: &str) -> Result<String, HandlerError> {
            Ok(alloc::format!("{:?}", self.got))
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
}
