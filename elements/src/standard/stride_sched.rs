//! # StrideSched — pulls from stride-scheduled inputs
//!
//! ```click
//! StrideSched(TICKETS0, ..., TICKETSN-1)
//! ```
//!
//! Ports: 1 or more inputs, 1 output (`1-/1`). Processing: pull (`l/l`).
//!
//! Packet-based stride scheduling: input I holds TICKETSI tickets, and over
//! time gives packets in proportion to them. Each input has a stride
//! (65536 divided by its tickets) and a pass, and the inputs wait in pass
//! order. Each time the output is pulled, StrideSched tries the inputs in
//! that order, advancing each one it tries by its stride, until one gives
//! a packet; the inputs it tried go back in pass order (on ties, the lower
//! input first). An input that gave nothing is not tried again for the
//! same packet. An input with 0 tickets is never pulled.
//!
//! ## Keywords
//! None: one positional argument per input, its tickets (0 to 32768; more
//! is reduced to 32768).
//!
//! ## Handlers
//! - `ticketsI` (read/write) — input I's tickets (`tickets0`, `tickets1`…).
//! - `config` (read) — every input's tickets, `4, 2, 1`.
//!
//! ## Examples
//! ```click
//! [q0, q1, q2] => StrideSched(4, 2, 1) -> ToDevice(eth0);
//! ```
//!
//! ## Differences from Click
//! - Pullers poll: StrideSched tries every input in turn rather than
//!   skipping those whose empty notifier says they have nothing.
//! - A pull for several packets makes as many single pulls.
//! - It runs on the generic runner (`nfc click`, `--plat linux`); generated
//!   code does not run elements that pull from their inputs yet.

use alloc::string::{String, ToString};
use alloc::vec::Vec;
use nfc_dataplane::args::{self, ConfigError, ConfigErrors};
use nfc_dataplane::batch::Batch;
use nfc_dataplane::element::{Context, Element, HandlerError, Inputs};
use nfc_dataplane::parse;

use crate::{ElementSpec, Ports};

/// The stride of an input with one ticket.
const STRIDE1: u32 = 1 << 16;
/// The most tickets an input may hold.
pub const MAX_TICKETS: u32 = 1 << 15;

/// One input's share.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Client {
    tickets: u32,
    stride: u32,
    pass: u32,
}

impl Client {
    fn new(tickets: u32) -> Client {
        let stride = STRIDE1.checked_div(tickets).unwrap_or(0);
        Client {
            tickets,
            stride,
            pass: stride,
        }
    }
}

/// StrideSched: the inputs' tickets and passes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StrideSched {
    clients: Vec<Client>,
    /// The inputs with tickets, by pass (earliest first).
    order: Vec<usize>,
}

/// True when pass `a` comes after pass `b` (wrapping, as Click's PASS_GT).
fn after(a: u32, b: u32) -> bool {
    (a.wrapping_sub(b) as i32) > 0
}

/// Parses one tickets value: an integer from 0, reduced to [`MAX_TICKETS`].
fn tickets(text: &str) -> Result<u32, String> {
    let v = parse::integer::<i64>(text.trim()).map_err(|e| e.message)?;
    if v < 0 {
        return Err("number of tickets must be >= 0".into());
    }
    Ok(u32::try_from(v).unwrap_or(u32::MAX).min(MAX_TICKETS))
}

impl StrideSched {
    /// Parses StrideSched's configuration: one tickets value per input.
    pub fn configure(config: &str) -> Result<Self, ConfigErrors> {
        let mut errors = Vec::new();
        let mut clients = Vec::new();
        for (i, arg) in args::split(config).iter().enumerate() {
            match tickets(&arg.text) {
                Ok(t) => clients.push(Client::new(t)),
                Err(message) => errors.push(ConfigError::new(
                    Some(arg.span.clone()),
                    alloc::format!("TICKETS{i}: {message}"),
                )),
            }
        }
        if clients.is_empty() && errors.is_empty() {
            errors.push(ConfigError::new(None, "needs one tickets value per input"));
        }
        if !errors.is_empty() {
            return Err(ConfigErrors(errors));
        }
        let mut s = StrideSched {
            clients,
            order: Vec::new(),
        };
        // Inserted last first, so that on ties the lower input runs first.
        for i in (0..s.clients.len()).rev() {
            if s.clients[i].tickets > 0 {
                s.insert(i);
            }
        }
        Ok(s)
    }

    /// Puts input `i` into the order, before the first input whose pass
    /// is not earlier than its own.
    fn insert(&mut self, i: usize) {
        let pass = self.clients[i].pass;
        let at = self
            .order
            .iter()
            .position(|&x| !after(pass, self.clients[x].pass))
            .unwrap_or(self.order.len());
        self.order.insert(at, i);
    }

    /// Sets input `port`'s tickets, as Click's `set_tickets`.
    fn set_tickets(&mut self, port: usize, tickets: u32) {
        let Some(c) = self.clients.get_mut(port) else {
            return;
        };
        let old = c.tickets;
        c.tickets = tickets;
        c.stride = STRIDE1.checked_div(tickets).unwrap_or(0);
        if tickets == 0 && old != 0 {
            self.order.retain(|&x| x != port);
        } else if tickets != 0 && old == 0 {
            let stride = self.clients[port].stride;
            self.clients[port].pass = match self.order.first() {
                Some(&head) => self.clients[head].pass.wrapping_add(stride),
                None => 0,
            };
            self.insert(port);
        }
    }

    /// One of Click's pulls: at most one packet.
    fn pull_one(&mut self, cx: &Context, batch: &mut Batch, inputs: &mut dyn Inputs) {
        let before = batch.len();
        let mut tried = 0;
        while tried < self.order.len() && batch.len() == before {
            let i = self.order[tried];
            inputs.pull(cx, i, 1, batch);
            let c = &mut self.clients[i];
            c.pass = c.pass.wrapping_add(c.stride);
            tried += 1;
        }
        let stridden: Vec<usize> = self.order.drain(..tried).collect();
        for i in stridden {
            self.insert(i);
        }
    }
}

impl Element for StrideSched {
    fn pull_inputs(
        &mut self,
        cx: &Context,
        _output: usize,
        max: usize,
        batch: &mut Batch,
        inputs: &mut dyn Inputs,
    ) {
        for _ in 0..max {
            let before = batch.len();
            self.pull_one(cx, batch, inputs);
            if batch.len() == before {
                return;
            }
        }
    }

    fn read_handler(&self, name: &str) -> Result<String, HandlerError> {
        if name == "config" {
            let all: Vec<String> = self.clients.iter().map(|c| c.tickets.to_string()).collect();
            return Ok(all.join(", "));
        }
        let port = ticket_port(name).ok_or(HandlerError::NoSuchHandler)?;
        let c = self.clients.get(port).ok_or(HandlerError::NoSuchHandler)?;
        Ok(c.tickets.to_string())
    }

    fn write_handler(&mut self, name: &str, value: &str) -> Result<(), HandlerError> {
        let port = ticket_port(name)
            .filter(|&p| p < self.clients.len())
            .ok_or(HandlerError::NoSuchHandler)?;
        let t = tickets(value).map_err(HandlerError::Invalid)?;
        self.set_tickets(port, t);
        Ok(())
    }
}

/// The input a `ticketsI` handler names.
fn ticket_port(name: &str) -> Option<usize> {
    let digits = name.strip_prefix("tickets")?;
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

/// StrideSched's spec.
pub const SPEC: ElementSpec = ElementSpec {
    class: "StrideSched",
    port_count: "1-/1",
    processing: "l/l",
    flow_code: "x/x",
    keywords: &[],
    handlers: &["ticketsI (read/write)", "config (read)"],
    summary: "pulls from stride-scheduled inputs",
    source: include_str!("stride_sched.rs"),
    check: |c| {
        StrideSched::configure(c).map(|s| {
            let n = s.clients.len() as u32;
            Ports {
                inputs: Some((n, Some(n))),
                reason: "one per tickets argument",
                ..Ports::DECLARED
            }
        })
    },
};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::harness;
    use crate::standard::pull_testing::{firsts, Upstream};
    use crate::standard::testing::errors;

    /// Click's StrideSched-01: tickets 4, 2, 1, ten packets each.
    #[test]
    fn shares_follow_the_tickets() {
        let cx = harness::cx(harness::pool());
        let mut s = StrideSched::configure("4, 2, 1").unwrap();
        let mut up = Upstream::new(&cx, &[&[0x11; 10], &[0x22; 10], &[0x33; 10]]);
        let mut b = Batch::new();
        s.pull_inputs(&cx, 0, 14, &mut b, &mut up);
        let (a, x, c) = (0x11, 0x22, 0x33);
        assert_eq!(firsts(&b), [a, a, x, a, a, x, c, a, a, x, a, a, x, c]);
        let mut rest = Batch::new();
        s.pull_inputs(&cx, 0, 32, &mut rest, &mut up);
        assert_eq!(
            firsts(&rest),
            [a, a, x, x, c, x, x, c, x, x, c, c, c, c, c, c],
            "exhausted inputs give way"
        );
        assert_eq!(s.read_handler("config").unwrap(), "4, 2, 1");
    }

    #[test]
    fn tickets_handlers() {
        let cx = harness::cx(harness::pool());
        let mut s = StrideSched::configure("1, 0").unwrap();
        let mut up = Upstream::new(&cx, &[&[1, 1, 1], &[2, 2, 2]]);
        let mut b = Batch::new();
        s.pull_inputs(&cx, 0, 1, &mut b, &mut up);
        assert_eq!(firsts(&b), [1], "no tickets, no packets");
        s.write_handler("tickets1", "1").unwrap();
        assert_eq!(s.read_handler("tickets1").unwrap(), "1");
        s.pull_inputs(&cx, 0, 4, &mut b, &mut up);
        // Input 1 joins one stride after input 0's pass: on the tie, the
        // input just stridden goes first, as Click's list insert does.
        assert_eq!(firsts(&b), [1, 1, 1, 2, 2]);
        s.write_handler("tickets0", "0").unwrap();
        up.add(&cx, 0, 1);
        s.pull_inputs(&cx, 0, 4, &mut b, &mut up);
        assert_eq!(firsts(&b), [1, 1, 1, 2, 2, 2], "input 0 has no tickets");
        s.write_handler("tickets0", "99999").unwrap();
        assert_eq!(s.read_handler("tickets0").unwrap(), "32768");
        assert!(s.write_handler("tickets0", "-1").is_err());
        assert!(s.write_handler("tickets2", "1").is_err());
        assert!(s.read_handler("tickets").is_err());
    }

    #[test]
    fn bad_tickets() {
        let cfg = "4, -2, x";
        let errs = errors(cfg, StrideSched::configure(cfg));
        assert_eq!(errs.len(), 2, "{errs:?}");
        assert_eq!(errs[0].1, "-2");
        assert!(StrideSched::configure("").is_err());
        let ports = (SPEC.check)("1, 2, 3").unwrap();
        assert_eq!(ports.inputs, Some((3, Some(3))));
    }
}
