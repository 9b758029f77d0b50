//! # TCPIPHost — a host's TCP/IP stack (smoltcp) for application elements
//!
//! ```click
//! TCPIPHost(ADDR ADDR/LEN, ETH ETH [, GW GW, KEYWORDS])
//! ```
//!
//! Ports: one input, one output (`1/1`). Processing: push (`h/h`).
//!
//! Runs a TCP/IP host on the Ethernet frames that arrive on its input and
//! sends the frames it makes on its output: the host answers ARP for ADDR,
//! resolves its neighbours with ARP, answers ICMP echo requests to ADDR,
//! and runs the TCP connections and UDP sockets that application elements
//! (DNSServer's TCP side, the TLS proxy) open on it. Applications name the
//! host in their configuration and get its sockets when the configuration
//! is linked (see the `host` module's documentation for the API).
//!
//! The stack is smoltcp's, on the element's time (`now`) and with its
//! random numbers (TCP initial sequence numbers, ephemeral ports) seeded
//! from the platform's entropy. Every socket and buffer is allocated when
//! the element is configured: MAX_TCP TCP sockets with TCP_BUF bytes each
//! way, MAX_UDP UDP sockets with UDP_BUF bytes and UDP_QUEUE datagrams
//! each way. The element has a task that sends what applications queued
//! and what smoltcp's timers (retransmission, delayed ACK, ARP retries)
//! call for; it tells the poll loop when smoltcp next needs to run, so
//! `nfc click --simtime` jumps there.
//!
//! Frames not for the host (another MAC, another IP address), and frames
//! smoltcp cannot parse, are dropped by smoltcp (counted in `frames_in`
//! only). SYNs no socket takes are answered with a reset and counted in
//! `tcp_refused`.
//!
//! ## Keywords
//! - `ADDR` *IP prefix* — the host's address and its subnet
//!   (`10.0.0.2/24`). Mandatory.
//! - `ETH` *Ethernet address* — the host's MAC, unicast. Mandatory.
//! - `GW` *IP address* — the default gateway, inside ADDR's subnet.
//!   Default: none (only the subnet is reachable).
//! - `MTU` *unsigned* — IP MTU, 576 to 1906. Default 1500.
//! - `MAX_TCP` *unsigned* — TCP sockets: connections, plus one armed
//!   socket per listening port. Default 64.
//! - `TCP_BUF` *size* — bytes of each TCP socket's receive buffer and of
//!   its send buffer (the receive window). Default 16k.
//! - `MAX_UDP` *unsigned* — UDP sockets. Default 8.
//! - `UDP_BUF` *size* — payload bytes of each UDP socket's receive
//!   buffer and of its send buffer. Default 16k.
//! - `UDP_QUEUE` *unsigned* — datagrams each of those buffers holds.
//!   Default 32.
//!
//! ## Handlers
//! - `frames_in`, `frames_out` (read) — frames handed to the stack and
//!   frames it sent.
//! - `drops` (read) — frames lost: arrived while a batch of earlier frames
//!   still waited, or to send while the packet pool was empty.
//! - `tcp_active` (read) — TCP connections open now.
//! - `tcp_total` (read) — TCP connections begun (SYNs listeners took,
//!   connects).
//! - `tcp_refused` (read) — SYNs refused (no listener on the port, or its
//!   limits reached).
//! - `udp_in`, `udp_out` (read) — UDP datagrams applications received and
//!   sent.
//! - `config` (read) — the configuration, with defaults.
//!
//! ## Examples
//! ```click
//! host :: TCPIPHost(ADDR 10.0.0.2/24, GW 10.0.0.1, ETH 52:54:00:12:34:56);
//! FromDevice(eth0) -> host -> Queue -> ToDevice(eth0);
//! ```
//!
//! ## Differences from Click
//! - Click has no such element (its hosts are the kernel's or
//!   userlevel's own stacks, reached through KernelTun or ToHost); this is
//!   nfc's, for unikernels that have no other stack.

use alloc::rc::Rc;
use alloc::string::{String, ToString};
use core::cell::RefCell;

use nfc_dataplane::args::{Args, ConfigError, ConfigErrors};
use nfc_dataplane::batch::Batch;
use nfc_dataplane::element::{Context, Element, HandlerError, Shared, TaskResult};
use nfc_dataplane::packet::{BUF_SIZE, HEADROOM};
use nfc_dataplane::parse;

use super::frames::ETHER_HEADER;
use super::stack::{HostConfig, HostStack};
use super::SharedStack;
use crate::{ElementSpec, Ports};

/// The smallest MTU: IPv4's minimum datagram every host takes.
const MIN_MTU: usize = 576;
/// The largest MTU: a frame that fits a packet buffer.
const MAX_MTU: usize = BUF_SIZE - HEADROOM - ETHER_HEADER;
/// Bounds of a buffer size keyword.
const MIN_BUF: u64 = 1024;
const MAX_BUF: u64 = 1 << 30;

/// TCPIPHost: the stack it lends, and the frames waiting for it.
pub struct TCPIPHost {
    stack: SharedStack,
    /// Frames not yet handed to smoltcp (it stops when the output fills).
    held: Batch,
}

impl core::fmt::Debug for TCPIPHost {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("TCPIPHost")
            .field("stack", &self.stack)
            .finish_non_exhaustive()
    }
}

/// Parses TCPIPHost's configuration, reporting every error.
pub fn settings(config: &str) -> Result<HostConfig, ConfigErrors> {
    let mut args = Args::new(config);
    let addr = args.read_m("ADDR", parse::ip_prefix);
    let ether = args.read_m("ETH", parse::ether);
    let gateway = args.read("GW", parse::ipv4);
    let mtu = args.read("MTU", parse::unsigned::<usize>).unwrap_or(1500);
    let max_tcp = args.read("MAX_TCP", parse::unsigned::<usize>).unwrap_or(64);
    let tcp_buf = args.read("TCP_BUF", parse::size).unwrap_or(16 << 10);
    let max_udp = args.read("MAX_UDP", parse::unsigned::<usize>).unwrap_or(8);
    let udp_buf = args.read("UDP_BUF", parse::size).unwrap_or(16 << 10);
    let udp_queue = args
        .read("UDP_QUEUE", parse::unsigned::<usize>)
        .unwrap_or(32);
    let bad = |args: &mut Args, key: &str, message: String, hint: &str| {
        let span = args.span_of(key);
        args.error(ConfigError::new(span, message).with_hint(hint));
    };
    if let Some(e) = ether.filter(|e| e.0[0] & 1 == 1) {
        bad(
            &mut args,
            "ETH",
            alloc::format!("{e} is not a unicast address"),
            "a host's MAC has the low bit of its first byte clear, like 52:54:00:12:34:56",
        );
    }
    if let (Some(gw), Some(a)) = (gateway, addr) {
        if !a.contains(gw) || gw == a.addr {
            bad(
                &mut args,
                "GW",
                alloc::format!("gateway {gw} is not another address of {a}"),
                "the gateway is a neighbour on the host's subnet",
            );
        }
    }
    if !(MIN_MTU..=MAX_MTU).contains(&mtu) {
        bad(
            &mut args,
            "MTU",
            alloc::format!("MTU {mtu} is out of range"),
            "an MTU is 576 to 1906 bytes",
        );
    }
    for (key, n) in [("TCP_BUF", tcp_buf), ("UDP_BUF", udp_buf)] {
        if !(MIN_BUF..=MAX_BUF).contains(&n) {
            bad(
                &mut args,
                key,
                alloc::format!("{key} {n} is out of range"),
                "a buffer is 1k to 1G bytes",
            );
        }
    }
    for (key, n) in [
        ("MAX_TCP", max_tcp),
        ("MAX_UDP", max_udp),
        ("UDP_QUEUE", udp_queue),
    ] {
        if !(1..=65536).contains(&n) {
            bad(
                &mut args,
                key,
                alloc::format!("{key} {n} is out of range"),
                "give 1 to 65536",
            );
        }
    }
    args.complete()?;
    // complete() has reported a missing ADDR or ETH.
    let (Some(addr), Some(ether)) = (addr, ether) else {
        return Err(ConfigErrors(alloc::vec![ConfigError::new(
            None,
            "ADDR and ETH are required"
        )]));
    };
    Ok(HostConfig {
        addr: addr.addr,
        prefix_len: addr.len,
        gateway,
        ether: ether.0,
        mtu,
        max_tcp,
        tcp_buf: tcp_buf as usize,
        max_udp,
        udp_buf: udp_buf as usize,
        udp_queue,
    })
}

impl TCPIPHost {
    /// Parses the configuration and allocates the stack's sockets.
    pub fn configure(config: &str) -> Result<Self, ConfigErrors> {
        Ok(TCPIPHost {
            stack: Rc::new(RefCell::new(HostStack::new(settings(config)?))),
            held: Batch::new(),
        })
    }

    /// The stack applications use.
    pub fn stack(&self) -> &SharedStack {
        &self.stack
    }
}

impl Element for TCPIPHost {
    /// Hands the frames to smoltcp; what it sends in answer leaves on
    /// output 0 at once.
    fn push(&mut self, cx: &Context, _input: usize, batch: &mut Batch, _others: &mut [Batch]) {
        let mut input = core::mem::take(batch);
        self.held.append(&mut input);
        let mut stack = self.stack.borrow_mut();
        stack.dropped(input.len() as u64);
        drop(input);
        stack.run(cx, &mut self.held, batch);
    }

    fn has_task(&self) -> bool {
        true
    }

    /// Runs smoltcp when it has work: frames still waiting, data or a
    /// close an application queued, a timer due.
    fn run_task(&mut self, cx: &Context, out: &mut Batch, _others: &mut [Batch]) -> TaskResult {
        let mut stack = self.stack.borrow_mut();
        if self.held.is_empty() && !stack.due(cx.now) {
            return TaskResult::Idle;
        }
        if stack.run(cx, &mut self.held, out) {
            TaskResult::Busy
        } else {
            TaskResult::Idle
        }
    }

    fn next_event(&self) -> Option<u64> {
        self.stack.borrow().next_event(!self.held.is_empty())
    }

    fn shared(&self) -> Option<Shared> {
        Some(self.stack.clone())
    }

    fn read_handler(&self, name: &str) -> Result<String, HandlerError> {
        let stack = self.stack.borrow();
        let c = stack.counters();
        Ok(match name {
            "frames_in" => c.frames_in.to_string(),
            "frames_out" => c.frames_out.to_string(),
            "drops" => c.frames_dropped.to_string(),
            "tcp_active" => stack.tcp_active().to_string(),
            "tcp_total" => c.tcp_total.to_string(),
            "tcp_refused" => c.tcp_refused.to_string(),
            "udp_in" => c.udp_in.to_string(),
            "udp_out" => c.udp_out.to_string(),
            "config" => stack.config().to_string(),
            _ => return Err(HandlerError::NoSuchHandler),
        })
    }
}

/// TCPIPHost's spec.
pub const SPEC: ElementSpec = ElementSpec {
    class: "TCPIPHost",
    port_count: "1/1",
    processing: "h/h",
    flow_code: "x/x",
    keywords: &[
        "ADDR",
        "ETH",
        "GW",
        "MTU",
        "MAX_TCP",
        "TCP_BUF",
        "MAX_UDP",
        "UDP_BUF",
        "UDP_QUEUE",
    ],
    handlers: &[
        "frames_in (read)",
        "frames_out (read)",
        "drops (read)",
        "tcp_active (read)",
        "tcp_total (read)",
        "tcp_refused (read)",
        "udp_in (read)",
        "udp_out (read)",
        "config (read)",
    ],
    summary: "a host's TCP/IP stack (smoltcp) for application elements",
    source: include_str!("tcpip_host.rs"),
    // Parses only: the sockets are allocated when the element is built.
    check: |c| settings(c).map(|_| Ports::DECLARED),
};
