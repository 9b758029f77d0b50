//! A shipped configuration with its devices unplugged, driven frame by
//! frame on dataplane's generic runner: what `tests/tests/firewall.rs` and
//! `tests/tests/nat.rs` drive. The two lines of the configuration's `Nic`
//! compound that name devices (`FromDevice($dev)`, `ToDevice($dev)`)
//! become `Idle`; the test pushes frames into the element that took what
//! FromDevice gave, and pulls what each side's Queue holds for ToDevice.
//! The clock is the test's, so that flows can be made to time out.

use nfc::cli::{self, Input};
use nfc::generic::{self, Generic, POOL_SIZE};
use nfc_dataplane::batch::{Batch, BURST};
use nfc_dataplane::element::Context;
use nfc_dataplane::packet::PacketPool;
use nfc_dataplane::pipeline::Pipeline;
use nfc_dataplane::router::PortRef;
use nfc_graph::Source;
use nfc_platform_linux::Linux;

/// One second, in the clock's nanoseconds.
pub const SECOND: u64 = 1_000_000_000;

/// A configuration built with its devices idle, and the test's clock.
pub struct Unplugged {
    /// The built configuration.
    pub g: Generic,
    /// The pool its packets come from.
    pub pool: &'static PacketPool,
    /// The time the next frame arrives at, ns (starts at one second).
    pub now: u64,
}

impl Unplugged {
    /// `configs/<stem>.click` as it ships, its devices idle, built for the
    /// generic runner on `--plat linux` and linked.
    pub fn config(stem: &str) -> Unplugged {
        let path = format!("{}/../configs/{stem}.click", env!("CARGO_MANIFEST_DIR"));
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
        let mut idle = text.clone();
        for device in ["FromDevice($dev)", "ToDevice($dev)"] {
            assert_eq!(
                text.matches(device).count(),
                1,
                "{stem}.click's Nic compound names its devices as `{device}`"
            );
            idle = idle.replace(device, "Idle");
        }
        let input = Input {
            source: Source::new(&path, idle),
            stem: stem.into(),
        };
        let outcome = cli::load(&input, &[], false);
        assert!(
            outcome.ok(),
            "{}",
            cli::failure(&input, &outcome.diagnostics, false)
        );
        let pool = PacketPool::new(POOL_SIZE);
        let mut plat = Linux::new(pool);
        let mut g = generic::build(
            outcome.graph.as_ref().unwrap(),
            outcome.ports.as_deref().unwrap(),
            &mut plat,
        )
        .unwrap_or_else(|e| panic!("{e:?}"));
        g.router
            .link()
            .unwrap_or_else(|e| panic!("{stem}.click's elements link: {e:?}"));
        Unplugged {
            g,
            pool,
            now: SECOND,
        }
    }

    /// The index of the first element whose name starts with `prefix` and
    /// whose class is `class`.
    pub fn find(&self, prefix: &str, class: &str) -> usize {
        self.g
            .router
            .elements()
            .iter()
            .position(|&(n, c)| n.starts_with(prefix) && c == class)
            .unwrap_or_else(|| panic!("no {class} named {prefix}…"))
    }

    /// A context at the test's time.
    pub fn cx(&self) -> Context {
        Context::at(self.pool, self.now)
    }

    /// Pushes `frame` into input 0 of element `element`.
    pub fn push(&mut self, element: usize, frame: &[u8]) {
        let mut batch = Batch::new();
        let _ = batch.push(self.pool.alloc_with(frame).expect("a free buffer"));
        let cx = self.cx();
        self.g
            .router
            .push(&cx, PortRef { element, port: 0 }, &mut batch);
    }

    /// Every frame element `element` (a Queue) holds, in order.
    pub fn drain(&mut self, element: usize) -> Vec<Vec<u8>> {
        let cx = self.cx();
        let mut out = Vec::new();
        loop {
            let mut batch = Batch::new();
            self.g
                .router
                .pull(&cx, PortRef { element, port: 0 }, BURST, &mut batch);
            if batch.is_empty() {
                return out;
            }
            out.extend(batch.iter().map(|p| p.data().to_vec()));
        }
    }

    /// Pushes `frame` in by side `side` of `sides` (per side: the element
    /// frames come in by, the Queue they leave from) and returns what
    /// leaves each side, once the configuration's ARP requests are
    /// answered: `answer(side, frame)` gives the reply to a frame that
    /// needs one (asked again up to three times).
    pub fn exchange(
        &mut self,
        sides: &[(usize, usize); 2],
        side: usize,
        frame: &[u8],
        answer: impl Fn(usize, &[u8]) -> Option<Vec<u8>>,
    ) -> [Vec<Vec<u8>>; 2] {
        self.push(sides[side].0, frame);
        let mut out = [Vec::new(), Vec::new()];
        for _ in 0..3 {
            let mut answered = false;
            for (s, &(input, queue)) in sides.iter().enumerate() {
                for f in self.drain(queue) {
                    match answer(s, &f) {
                        Some(reply) => {
                            self.push(input, &reply);
                            answered = true;
                        }
                        None => out[s].push(f),
                    }
                }
            }
            if !answered {
                break;
            }
        }
        out
    }

    /// Reads `element.handler`.
    pub fn read(&self, element: &str, handler: &str) -> String {
        self.g
            .router
            .read(element, handler)
            .unwrap_or_else(|e| panic!("{element}.{handler}: {e:?}"))
    }

    /// Reads a number from `element.handler`.
    pub fn num(&self, element: &str, handler: &str) -> u64 {
        self.read(element, handler).trim().parse().unwrap()
    }
}
