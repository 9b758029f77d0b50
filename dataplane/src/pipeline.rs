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

    /// Calls read handler `element.handler` with parameter `param`, as
    /// Click's handlers that take one (a script's `run ARGS`, `add 1 2`);
    /// a call may change state, hence `&mut`. The default reads `element.handler`
    /// and refuses a parameter.
    fn call_read(
        &mut self,
        element: &str,
        handler: &str,
        param: &str,
    ) -> Result<String, HandlerError> {
        if param.trim().is_empty() {
            self.read(element, handler)
        } else {
            Err(HandlerError::Invalid(alloc::format!(
                "read handler '{element}.{handler}' does not take parameters"
            )))
        }
    }

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

    /// The earliest [`Element::next_event`](crate::element::Element::next_event)
    /// of the configuration's elements. The default knows none: a
    /// generated pipeline runs on real time only, and simulated time is the
    /// generic runner's.
    fn next_event(&self) -> Option<u64> {
        None
    }
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
    /// do nothing (images poll without pause). `next_event` is the
    /// earliest time an element or a script waits for, when one does: a
    /// simulated clock jumps there.
    fn idle(&mut self, next_event: Option<u64>) {
        let _ = next_event;
    }
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

    /// When the script's timed wait ends (monotonic nanoseconds), if it is
    /// in one. The default never waits for a time.
    fn next_event(&self) -> Option<u64> {
        None
    }

    /// The element name whose handlers the driver answers (`s` for
    /// `s.run`); the default answers none.
    fn name(&self) -> &str {
        ""
    }

    /// Calls the driver's read handler `handler` with `param` (Script's
    /// `run ARGS`, its functions, its exported variables), with the rest
    /// of the configuration in `pipeline`. The default has none.
    fn read_handler(
        &mut self,
        handler: &str,
        param: &str,
        pipeline: &mut dyn Pipeline,
        cx: &Context,
    ) -> Result<String, HandlerError> {
        let _ = (handler, param, pipeline, cx);
        Err(HandlerError::NoSuchHandler)
    }

    /// Calls the driver's write handler `handler` with `value` (Script's
    /// `step`, `goto`, `run`, `set`). The default has none.
    fn write_handler(
        &mut self,
        handler: &str,
        value: &str,
        pipeline: &mut dyn Pipeline,
        cx: &Context,
    ) -> Result<(), HandlerError> {
        let _ = (handler, value, pipeline, cx);
        Err(HandlerError::NoSuchHandler)
    }
}

/// What stands in the driver list for a driver while it runs: it answers
/// nothing, so a script cannot re-enter itself through the pipeline.
struct Running;

impl Driver for Running {
    fn is_driver(&self) -> bool {
        false
    }

    fn step(&mut self, _: &mut dyn Pipeline, _: &Context, _: DriverEvent) -> DriverStep {
        DriverStep::Wait
    }
}

/// A configuration's pipeline together with its driver scripts, as one
/// [`Pipeline`]: handler calls on a driver's name (`s.run`, `s.count`,
/// `s.step`) go to that driver, which runs with this view of the rest;
/// every other call goes to the pipeline. [`run`] hands this to the
/// drivers, to the calls elements ask for, and to the platform's control
/// traffic, so scripts, packet scripts and control sockets all reach the
/// drivers' handlers.
///
/// A driver that runs is taken out of the list for the time (a
/// placeholder answering nothing stands in), so it can call the others
/// and they can call back into anything but it.
pub struct Scripted<'a> {
    /// The elements.
    pub pipeline: &'a mut dyn Pipeline,
    /// The driver scripts.
    pub drivers: &'a mut [alloc::boxed::Box<dyn Driver>],
    /// The context driver handlers run in (the current round's).
    pub cx: Context,
}

impl Scripted<'_> {
    /// Runs `f` on driver `i`, taken out of the list, with the rest as
    /// its pipeline.
    fn with_driver<R>(
        &mut self,
        i: usize,
        f: impl FnOnce(&mut dyn Driver, &mut dyn Pipeline, &Context) -> R,
    ) -> R {
        let mut driver = core::mem::replace(&mut self.drivers[i], alloc::boxed::Box::new(Running));
        let cx = self.cx;
        let r = f(driver.as_mut(), self, &cx);
        self.drivers[i] = driver;
        r
    }

    fn driver(&self, element: &str) -> Option<usize> {
        if element.is_empty() {
            return None;
        }
        self.drivers.iter().position(|d| d.name() == element)
    }

    /// Steps driver `i` for `event`.
    pub fn step(&mut self, i: usize, event: DriverEvent) -> DriverStep {
        self.with_driver(i, |d, p, cx| d.step(p, cx, event))
    }
}

impl Pipeline for Scripted<'_> {
    fn run_tasks(&mut self, cx: &Context) -> TaskResult {
        self.pipeline.run_tasks(cx)
    }

    fn read(&self, element: &str, handler: &str) -> Result<String, HandlerError> {
        self.pipeline.read(element, handler)
    }

    fn write(&mut self, element: &str, handler: &str, value: &str) -> Result<(), HandlerError> {
        match self.driver(element) {
            Some(i) => self.with_driver(i, |d, p, cx| d.write_handler(handler, value, p, cx)),
            None => self.pipeline.write(element, handler, value),
        }
    }

    fn call_read(
        &mut self,
        element: &str,
        handler: &str,
        param: &str,
    ) -> Result<String, HandlerError> {
        match self.driver(element) {
            Some(i) => self.with_driver(i, |d, p, cx| d.read_handler(handler, param, p, cx)),
            None => self.pipeline.call_read(element, handler, param),
        }
    }

    fn take_calls(&mut self, calls: &mut Vec<(String, String)>) {
        self.pipeline.take_calls(calls);
    }

    /// The pipeline's elements, then the drivers it does not hold (a
    /// generated pipeline keeps its scripts out), as Scripts.
    fn elements(&self) -> Vec<(&str, &str)> {
        let mut all = self.pipeline.elements();
        for d in self.drivers.iter() {
            if !d.name().is_empty() && !all.iter().any(|(n, _)| *n == d.name()) {
                all.push((d.name(), "Script"));
            }
        }
        all
    }

    fn class_handlers(&self, class: &str) -> Option<&'static [&'static str]> {
        self.pipeline.class_handlers(class)
    }

    fn classes(&self) -> Vec<&'static str> {
        self.pipeline.classes()
    }

    fn next_event(&self) -> Option<u64> {
        self.pipeline.next_event()
    }
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
/// time, runs the scripts in `drivers`, runs every task (several times
/// while they find work) making the handler calls elements asked for after
/// each run, and lets the platform handle control traffic. Drivers, calls
/// and control traffic see the pipeline and the drivers together
/// ([`Scripted`]), so they reach the scripts' handlers too.
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
        {
            let mut scripted = Scripted {
                pipeline: &mut *pipeline,
                drivers: &mut *drivers,
                cx,
            };
            for (i, alive) in live.iter_mut().enumerate() {
                if !*alive
                    || (event == DriverEvent::StopRequest && !scripted.drivers[i].is_driver())
                {
                    continue;
                }
                match scripted.step(i, event) {
                    DriverStep::Wait => {}
                    // A driver script's end is final; any other script
                    // may be started again by its `run` handler.
                    DriverStep::Ended => *alive = !scripted.drivers[i].is_driver(),
                    DriverStep::Stop => stop = true,
                }
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
        // round's fixed costs (clock reads, control) are shared, as Click's
        // scheduler runs many tasks between timer checks. The calls
        // elements ask for are made after each run, so that a packet
        // script's `write` takes effect before the next packets come.
        let mut result = TaskResult::Idle;
        let mut stop_request = false;
        for _ in 0..TASK_RUNS_PER_ROUND {
            let r = pipeline.run_tasks(&cx);
            result = result.merge(r);
            pipeline.take_calls(&mut calls);
            let mut scripted = Scripted {
                pipeline: &mut *pipeline,
                drivers: &mut *drivers,
                cx,
            };
            for (handler, value) in calls.drain(..) {
                if global_write(&handler) {
                    stop_request = true;
                    continue;
                }
                let (element, name) = handler.rsplit_once('.').unwrap_or(("", &handler));
                if let Err(e) = scripted.write(element, name, &value) {
                    console.line(&alloc::format!("nfc: call {handler} {value}: {e:?}"));
                }
            }
            if r != TaskResult::Busy || stop_request {
                break;
            }
        }
        stop_request |= result == TaskResult::Stop;
        if stop_request {
            if !has_driver {
                return Stopped::Elements;
            }
            event = DriverEvent::StopRequest;
        }
        let polled = platform.poll_control(&mut Scripted {
            pipeline: &mut *pipeline,
            drivers: &mut *drivers,
            cx,
        });
        if let Some(reason) = polled {
            return Stopped::Platform(reason);
        }
        if result == TaskResult::Idle {
            let scripts = drivers
                .iter()
                .zip(&live)
                .filter(|(_, alive)| **alive)
                .filter_map(|(d, _)| d.next_event());
            let next = scripts.chain(pipeline.next_event()).min();
            platform.idle(next);
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
