//! A whole configuration at run time, and the poll loop that drives it.
//!
//! Generated pipelines (one struct, elements wired by direct calls) and the
//! generic runner ([`crate::router::Router`]) both implement [`Pipeline`];
//! every platform runs them with [`run`].

use alloc::string::String;
use alloc::vec::Vec;
use core::cell::RefCell;

use alloc::rc::Rc;

use crate::batch::Batch;
use crate::device::{DeviceStats, NetDevice};
use crate::element::{Console, Context, HandlerError, TaskResult};
use crate::packet::PacketPool;

/// One configuration, ready to run.
pub trait Pipeline {
    /// Runs every element task once; `Stop` when an element asks the
    /// configuration to stop.
    fn run_tasks(&mut self, cx: &Context) -> TaskResult;

    /// Reads `element.handler`.
    fn read(&self, element: &str, handler: &str) -> Result<String, HandlerError>;

    /// Writes `value` to `element.handler`.
    fn write(&mut self, element: &str, handler: &str, value: &str) -> Result<(), HandlerError>;

    /// Moves the write-handler calls elements asked for since the last
    /// time (`COUNT_CALL`, `END_CALL`) into `calls`, as `(handler, value)`.
    fn take_calls(&mut self, calls: &mut Vec<(String, String)>);

    /// Every element's name and class, in configuration order.
    fn elements(&self) -> Vec<(&str, &str)>;

    /// The handlers class `class` declares, as its spec lists them
    /// (`count (read)`, `reset_counts (write)`, `config`), for the classes
    /// this configuration knows; `None` for others. A generated pipeline
    /// knows only the classes it uses, so an image carries no other
    /// class's spec.
    fn class_handlers(&self, class: &str) -> Option<&'static [&'static str]>;

    /// The element classes this configuration was built with (Click's
    /// `classes` handler): those it uses in an image, the whole registry
    /// for the generic runner.
    fn classes(&self) -> Vec<&'static str>;
}

/// What the platform gives the poll loop.
pub trait Platform {
    /// Monotonic time, nanoseconds.
    fn now(&self) -> u64;

    /// Wall-clock time, nanoseconds since the Unix epoch.
    fn wall(&self) -> u64;

    /// A random number from the platform's entropy source, never a
    /// constant: [`run`] draws one at start for [`Context::seed`].
    fn entropy(&mut self) -> u64;

    /// Called once per round with the pipeline, for control traffic
    /// (ControlSocket connections, console commands, a stop signal);
    /// returns `Some(reason)` to stop.
    fn poll_control(&mut self, pipeline: &mut dyn Pipeline) -> Option<String>;

    /// Called when a round did no work, to let a host CPU rest (linux) or
    /// do nothing (images poll without pause).
    fn idle(&mut self) {}
}

/// A program that drives a running configuration: Click's Script and
/// DriverManager. It reads and writes handlers through the pipeline, and
/// decides when a driver configuration stops.
pub trait Driver {
    /// True for a driver script (DriverManager, `Script(TYPE DRIVER, …)`):
    /// an element's stop request steps it instead of stopping the
    /// configuration, which stops when such a script ends.
    fn is_driver(&self) -> bool;

    /// Runs the script until it waits or ends. Called before the first
    /// round, on each stop request (for driver scripts), and every round
    /// while it waits for a time. Returns what the configuration should do.
    fn step(&mut self, pipeline: &mut dyn Pipeline, cx: &Context, event: DriverEvent)
        -> DriverStep;
}

/// Why a driver runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DriverEvent {
    /// The configuration starts.
    Start,
    /// An element asked the configuration to stop.
    StopRequest,
    /// A round passed (for timed waits).
    Round,
}

/// What a driver wants after a step.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DriverStep {
    /// Keep running; the script waits.
    Wait,
    /// The script ended (a driver script's end stops the configuration).
    Ended,
    /// Stop the configuration now (`stop`).
    Stop,
}

/// How many times [`run`] runs the tasks in one round while they are busy.
const TASK_RUNS_PER_ROUND: usize = 16;

/// Why [`run`] returned.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Stopped {
    /// An element asked to stop (`STOP true`, `stop` handler).
    Elements,
    /// The platform stopped it (end of input, a signal, the hypervisor).
    Platform(String),
    /// The round limit given to [`run`] was reached.
    Rounds,
}

impl Stopped {
    /// The reason as `nfc: stopped` prints it.
    pub fn reason(&self) -> &str {
        match self {
            Stopped::Elements => "elements",
            Stopped::Platform(reason) => reason,
            Stopped::Rounds => "rounds",
        }
    }
}

/// The read handlers whose values [`report_stop`] prints, for every
/// element that has them.
const COUNTERS: [&str; 3] = ["count", "drops", "byte_count"];

/// What every platform prints when a configuration stops: `nfc: stopped
/// <reason>`, then one `element.handler value` line per counter (every
/// element's `count`, `drops` and `byte_count` read handlers that exist).
pub fn report_stop(pipeline: &dyn Pipeline, stopped: &Stopped, console: &dyn Console) {
    console.line(&alloc::format!("nfc: stopped {}", stopped.reason()));
    for (name, _) in pipeline.elements() {
        for handler in COUNTERS {
            if let Ok(value) = pipeline.read(name, handler) {
                console.line(&alloc::format!("{name}.{handler} {}", value.trim()));
            }
        }
    }
}

/// The global handlers the poll loop answers itself, as Click's: writing
/// `stop` stops the configuration.
fn global_write(handler: &str) -> bool {
    matches!(handler, "stop" | "stop.run")
}

/// Runs `pipeline` until an element or the platform stops it, or for at
/// most `max_rounds` rounds (`None`: no limit). Each round refreshes the
/// time, runs every task, makes the handler calls elements asked for, runs
/// the scripts in `drivers`, and lets the platform handle control traffic.
///
/// Stop requests (an element's `TaskResult::Stop`, a write to `stop`) stop
/// the configuration at once unless a driver script is present; then they
/// step the driver scripts, and the configuration stops when they have all
/// ended, as in Click.
pub fn run(
    pipeline: &mut dyn Pipeline,
    platform: &mut dyn Platform,
    pool: &'static PacketPool,
    console: &'static dyn crate::element::Console,
    drivers: &mut [alloc::boxed::Box<dyn Driver>],
    max_rounds: Option<u64>,
) -> Stopped {
    let mut calls = Vec::new();
    let mut round = 0u64;
    // Scripts still running, and driver scripts still running.
    let mut live = alloc::vec![true; drivers.len()];
    let has_driver = drivers.iter().any(|d| d.is_driver());
    let mut event = DriverEvent::Start;
    let seed = platform.entropy();
    loop {
        let cx = Context {
            now: platform.now(),
            wall: platform.wall(),
            pool,
            console,
            seed,
        };
        let mut stop = false;
        for (d, alive) in drivers.iter_mut().zip(&mut live) {
            if !*alive || (event == DriverEvent::StopRequest && !d.is_driver()) {
                continue;
            }
            match d.step(pipeline, &cx, event) {
                DriverStep::Wait => {}
                DriverStep::Ended => *alive = false,
                DriverStep::Stop => stop = true,
            }
        }
        let drivers_done = has_driver
            && drivers
                .iter()
                .zip(&live)
                .all(|(d, alive)| !d.is_driver() || !alive);
        if stop || drivers_done {
            return Stopped::Elements;
        }
        event = DriverEvent::Round;
        if max_rounds.is_some_and(|m| round >= m) {
            return Stopped::Rounds;
        }
        round += 1;
        // Tasks run several times per round while they find work, so the
        // round's fixed costs (clock reads, calls, control) are shared, as
        // Click's scheduler runs many tasks between timer checks.
        let mut result = TaskResult::Idle;
        for _ in 0..TASK_RUNS_PER_ROUND {
            match pipeline.run_tasks(&cx) {
                TaskResult::Busy => result = TaskResult::Busy,
                TaskResult::Stop => {
                    result = TaskResult::Stop;
                    break;
                }
                TaskResult::Idle => break,
            }
        }
        pipeline.take_calls(&mut calls);
        let mut stop_request = result == TaskResult::Stop;
        for (handler, value) in calls.drain(..) {
            if global_write(&handler) {
                stop_request = true;
                continue;
            }
            let (element, name) = handler.rsplit_once('.').unwrap_or(("", &handler));
            if let Err(e) = pipeline.write(element, name, &value) {
                console.line(&alloc::format!("nfc: call {handler} {value}: {e:?}"));
            }
        }
        if stop_request {
            if !has_driver {
                return Stopped::Elements;
            }
            event = DriverEvent::StopRequest;
        }
        if let Some(reason) = platform.poll_control(pipeline) {
            return Stopped::Platform(reason);
        }
        if result == TaskResult::Idle {
            platform.idle();
        }
    }
}

/// A device shared by the elements that use it (FromDevice and ToDevice
/// on the same interface), on one core.
impl<D: NetDevice> NetDevice for Rc<RefCell<D>> {
    fn rx_burst(&mut self, pool: &'static PacketPool, into: &mut Batch, max: usize) -> usize {
        self.borrow_mut().rx_burst(pool, into, max)
    }

    fn tx_burst(&mut self, batch: &mut Batch) -> usize {
        self.borrow_mut().tx_burst(batch)
    }

    fn tx_room(&self) -> usize {
        self.borrow().tx_room()
    }

    fn mac(&self) -> [u8; 6] {
        self.borrow().mac()
    }

    fn stats(&self) -> DeviceStats {
        self.borrow().stats()
    }
}
