//! [`HostStack`]: the smoltcp interface, its sockets and the bookkeeping
//! that [`TCPIPHost`](super::tcpip_host::TCPIPHost) runs and lends to
//! application elements (see the [module documentation](super) for the
//! API as applications see it).

use alloc::collections::VecDeque;
use alloc::vec;
use alloc::vec::Vec;
use core::fmt;
use core::net::{Ipv4Addr, SocketAddrV4};

use nfc_dataplane::batch::Batch;
use nfc_dataplane::element::Context;
use smoltcp::iface::{Config, Interface, SocketHandle, SocketSet};
use smoltcp::socket::{tcp, udp};
use smoltcp::time::{Duration, Instant};
use smoltcp::wire::{EthernetAddress, HardwareAddress, IpAddress, IpCidr, IpEndpoint};

use super::frames::{Frames, Out, ETHER_HEADER};
use crate::ip::ip_header::{field, get16, OFFSET_MASK, PROTO_TCP};
use crate::tcpudp::rewriter::next_random;

/// The first port of the dynamic range (RFC 6335) that local ports of
/// connections and unbound UDP sockets are drawn from.
pub const EPHEMERAL_FIRST: u16 = 49152;

/// How long a connection an application closed may take to finish its
/// close (peer's ACK of our FIN) before the stack aborts it and frees its
/// socket, when the application set no timeout of its own.
pub const LINGER: Duration = Duration::from_secs(60);

/// Random ports tried before a bind or connect gives up.
const PORT_TRIES: usize = 64;

/// The settings of a host stack: TCPIPHost's keywords.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HostConfig {
    /// The host's IPv4 address (`ADDR`).
    pub addr: Ipv4Addr,
    /// The length of its subnet's prefix (`ADDR`'s `/len`).
    pub prefix_len: u8,
    /// The default gateway (`GW`), if any.
    pub gateway: Option<Ipv4Addr>,
    /// The host's Ethernet address (`ETH`), unicast.
    pub ether: [u8; 6],
    /// IP MTU, bytes after the Ethernet header (`MTU`).
    pub mtu: usize,
    /// TCP sockets (`MAX_TCP`): connections plus armed listeners.
    pub max_tcp: usize,
    /// Bytes of each TCP socket's receive and of its send buffer (`TCP_BUF`).
    pub tcp_buf: usize,
    /// UDP sockets (`MAX_UDP`).
    pub max_udp: usize,
    /// Payload bytes of each UDP socket's receive and of its send buffer
    /// (`UDP_BUF`).
    pub udp_buf: usize,
    /// Datagrams each UDP buffer holds (`UDP_QUEUE`).
    pub udp_queue: usize,
}

impl fmt::Display for HostConfig {
    /// The configuration as TCPIPHost's keywords, defaults included.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let e = self.ether;
        write!(
            f,
            "ADDR {}/{}, ETH {:02x}:{:02x}:{:02x}:{:02x}:{:02x}:{:02x}",
            self.addr, self.prefix_len, e[0], e[1], e[2], e[3], e[4], e[5]
        )?;
        if let Some(gw) = self.gateway {
            write!(f, ", GW {gw}")?;
        }
        write!(
            f,
            ", MTU {}, MAX_TCP {}, TCP_BUF {}, MAX_UDP {}, UDP_BUF {}, UDP_QUEUE {}",
            self.mtu, self.max_tcp, self.tcp_buf, self.max_udp, self.udp_buf, self.udp_queue
        )
    }
}

/// What a host stack counts (TCPIPHost's read handlers).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct HostCounters {
    /// Frames handed to smoltcp.
    pub frames_in: u64,
    /// Frames smoltcp sent.
    pub frames_out: u64,
    /// Frames lost: received while the element's input queue was full,
    /// or sent while the packet pool was empty.
    pub frames_dropped: u64,
    /// Connections begun: SYNs a listener took, and connects.
    pub tcp_total: u64,
    /// SYNs to the host's address that no socket took (no listener on the
    /// port, or its backlog or connection limit reached): smoltcp answers
    /// them with a reset.
    pub tcp_refused: u64,
    /// UDP datagrams applications received.
    pub udp_in: u64,
    /// UDP datagrams applications sent.
    pub udp_out: u64,
}

/// Why a socket could not be had.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HostError {
    /// Every socket of that kind (`MAX_TCP`, `MAX_UDP`) is in use.
    NoSocket,
    /// The port is taken (another listener, a bound UDP socket).
    PortInUse,
    /// No free port in the dynamic range was found.
    NoPort,
    /// Port 0 to listen on, or an address smoltcp cannot reach.
    Unaddressable,
}

impl fmt::Display for HostError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            HostError::NoSocket => "every socket is in use",
            HostError::PortInUse => "port in use",
            HostError::NoPort => "no free ephemeral port",
            HostError::Unaddressable => "unaddressable endpoint",
        })
    }
}

/// Why a TCP call failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TcpError {
    /// Not a connection the caller holds (closed by it, or never one).
    BadHandle,
    /// The peer finished sending and every byte was read (its FIN).
    Eof,
    /// The connection is gone (reset, timed out) or can no longer send.
    Closed,
}

impl fmt::Display for TcpError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            TcpError::BadHandle => "no such connection",
            TcpError::Eof => "end of stream",
            TcpError::Closed => "connection closed",
        })
    }
}

/// Why a UDP call failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UdpError {
    /// Not a socket the caller holds.
    BadHandle,
    /// The send buffer is full: try again after the host has run.
    Full,
    /// A datagram larger than the buffer given (it is dropped), or than
    /// the socket's buffer.
    TooLarge,
    /// A destination smoltcp cannot send to (port 0, unspecified address).
    Unaddressable,
}

impl fmt::Display for UdpError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            UdpError::BadHandle => "no such socket",
            UdpError::Full => "send buffer full",
            UdpError::TooLarge => "datagram too large",
            UdpError::Unaddressable => "unaddressable destination",
        })
    }
}

/// A TCP connection as its application sees it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TcpState {
    /// The handshake is under way (a connect).
    Connecting,
    /// Both directions open.
    Open,
    /// The peer finished sending (its FIN); the application may still send.
    PeerClosed,
    /// The application shut down its sending side; it may still receive.
    Closing,
    /// Both directions done, or the connection was reset or timed out.
    Closed,
}

/// A listening port ([`HostStack::tcp_listen`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Listener(usize);

/// A TCP connection an application holds, until it closes or aborts it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TcpHandle {
    slot: u32,
    generation: u32,
}

/// A bound UDP socket an application holds, until it closes it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct UdpHandle {
    slot: u32,
    generation: u32,
}

/// What a TCP socket is used for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Use {
    /// In the free list.
    Free,
    /// A listener's armed socket, waiting for a SYN.
    Armed,
    /// A listener's connection not accepted yet.
    Pending,
    /// An application's connection.
    Owned,
    /// Closed by its application, finishing its close.
    Released,
}

/// One preallocated TCP socket.
#[derive(Debug)]
struct TcpSlot {
    socket: SocketHandle,
    /// Bumped when the slot is freed, so old handles stop working.
    generation: u32,
    what: Use,
    /// The listener the connection came from, while it counts against
    /// the listener's limit.
    listener: Option<usize>,
}

/// A listening port's state.
#[derive(Debug)]
struct ListenState {
    port: u16,
    backlog: usize,
    max: usize,
    /// The socket in LISTEN state, if one is armed.
    armed: Option<usize>,
    /// Connections begun and not accepted, oldest first.
    pending: VecDeque<usize>,
    /// Sockets counted against `max`: armed, pending, owned, releasing.
    held: usize,
}

/// One preallocated UDP socket.
#[derive(Debug)]
struct UdpSlot {
    socket: SocketHandle,
    generation: u32,
    bound: bool,
}

/// A host's TCP/IP stack: a smoltcp interface, `MAX_TCP` TCP and
/// `MAX_UDP` UDP sockets with their buffers, allocated once, and the
/// listeners and handles applications hold.
pub struct HostStack {
    config: HostConfig,
    /// Made on first use, when a [`Context`] gives the seed and time.
    iface: Option<Interface>,
    sockets: SocketSet<'static>,
    tcp: Vec<TcpSlot>,
    free_tcp: Vec<usize>,
    released: Vec<usize>,
    listeners: Vec<ListenState>,
    udp: Vec<UdpSlot>,
    /// Port generator state (xorshift, from the context's seed).
    rng: u64,
    /// The time of the last run, nanoseconds.
    now: u64,
    /// When smoltcp next wants to run (nanoseconds), as of the last run.
    poll_at: Option<u64>,
    /// An application call since the last run may have work for smoltcp.
    dirty: bool,
    /// Where a frame goes when the pool has no packet for it.
    scratch: Vec<u8>,
    counters: HostCounters,
}

impl fmt::Debug for HostStack {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HostStack")
            .field("config", &self.config)
            .field("counters", &self.counters)
            .finish_non_exhaustive()
    }
}

/// smoltcp's time for monotonic nanoseconds.
fn instant(ns: u64) -> Instant {
    Instant::from_micros(i64::try_from(ns / 1000).unwrap_or(i64::MAX))
}

/// Monotonic nanoseconds for smoltcp's time.
fn nanos(t: Instant) -> u64 {
    u64::try_from(t.total_micros())
        .unwrap_or(0)
        .saturating_mul(1000)
}

/// The source and the ports of a TCP SYN (no ACK, RST or FIN) to `addr`
/// in Ethernet frame `frame`; `None` for anything else.
fn syn_to(frame: &[u8], addr: Ipv4Addr) -> Option<(Ipv4Addr, u16, u16)> {
    if frame.get(12..14)? != [0x08, 0x00] {
        return None;
    }
    let ip = &frame[ETHER_HEADER..];
    let h = ip.first_chunk::<20>()?;
    let hlen = usize::from(h[field::VER_IHL] & 0x0f) * 4;
    let dst: [u8; 4] = h[field::DST..field::DST + 4].try_into().ok()?;
    let first = get16(h, field::FRAG) & OFFSET_MASK == 0;
    if h[field::VER_IHL] >> 4 != 4 || h[field::PROTO] != PROTO_TCP || !first || dst != addr.octets()
    {
        return None;
    }
    let t = ip.get(hlen..hlen + 14)?;
    if t[13] & 0x17 != 0x02 {
        return None;
    }
    let src: [u8; 4] = h[field::SRC..field::SRC + 4].try_into().ok()?;
    Some((Ipv4Addr::from(src), get16(t, 0), get16(t, 2)))
}

impl HostStack {
    /// A stack with every socket and buffer `config` asks for allocated
    /// now. `config.ether` must be unicast (TCPIPHost checks it).
    pub fn new(config: HostConfig) -> HostStack {
        let mut sockets = SocketSet::new(Vec::with_capacity(config.max_tcp + config.max_udp));
        let tcp = (0..config.max_tcp)
            .map(|_| TcpSlot {
                socket: sockets.add(tcp::Socket::new(
                    tcp::SocketBuffer::new(vec![0; config.tcp_buf]),
                    tcp::SocketBuffer::new(vec![0; config.tcp_buf]),
                )),
                generation: 0,
                what: Use::Free,
                listener: None,
            })
            .collect();
        let udp_buffer = || {
            udp::PacketBuffer::new(
                vec![udp::PacketMetadata::EMPTY; config.udp_queue],
                vec![0; config.udp_buf],
            )
        };
        let udp = (0..config.max_udp)
            .map(|_| UdpSlot {
                socket: sockets.add(udp::Socket::new(udp_buffer(), udp_buffer())),
                generation: 0,
                bound: false,
            })
            .collect();
        HostStack {
            free_tcp: (0..config.max_tcp).rev().collect(),
            released: Vec::with_capacity(config.max_tcp),
            scratch: vec![0; config.mtu + ETHER_HEADER],
            config,
            iface: None,
            sockets,
            tcp,
            listeners: Vec::new(),
            udp,
            rng: 0,
            now: 0,
            poll_at: None,
            dirty: false,
            counters: HostCounters::default(),
        }
    }

    /// The stack's settings.
    pub fn config(&self) -> &HostConfig {
        &self.config
    }

    /// The stack's counters.
    pub fn counters(&self) -> HostCounters {
        self.counters
    }

    /// TCP connections open now: every socket past its handshake's start
    /// and not closed (TIME-WAIT not counted).
    pub fn tcp_active(&self) -> usize {
        self.tcp
            .iter()
            .filter(|s| {
                !matches!(
                    self.sockets.get::<tcp::Socket>(s.socket).state(),
                    tcp::State::Closed | tcp::State::Listen | tcp::State::TimeWait
                )
            })
            .count()
    }

    /// Makes the interface on first use: its random seed (TCP initial
    /// sequence numbers) and the port generator's come from `cx.seed`.
    fn start(&mut self, cx: &Context) -> &mut Interface {
        let config = &self.config;
        let (seed, now) = (cx.seed, instant(cx.now));
        self.now = self.now.max(cx.now);
        if self.rng == 0 {
            // An odd multiplier keeps seeds apart; xorshift needs a
            // state that is not 0.
            self.rng = seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1;
        }
        self.iface.get_or_insert_with(|| {
            let mut iface_config =
                Config::new(HardwareAddress::Ethernet(EthernetAddress(config.ether)));
            iface_config.random_seed = seed;
            let (mut tx, mut scratch) = (Batch::new(), [0u8; 0]);
            let mut device = Frames {
                rx: None,
                out: Out {
                    tx: &mut tx,
                    pool: cx.pool,
                    scratch: &mut scratch,
                    sent: 0,
                    dropped: 0,
                },
                mtu: config.mtu,
            };
            let mut iface = Interface::new(iface_config, &mut device, now);
            iface.update_ip_addrs(|addrs| {
                let _ = addrs.push(IpCidr::new(IpAddress::Ipv4(config.addr), config.prefix_len));
            });
            if let Some(gw) = config.gateway {
                let _ = iface.routes_mut().add_default_ipv4_route(gw);
            }
            iface
        })
    }

    /// Hands smoltcp the frames of `input` (oldest first) and sends what
    /// it has to send into `tx`. Frames left when `tx` fills stay in
    /// `input`, in order. Returns true when a frame was read or sent.
    pub(super) fn run(&mut self, cx: &Context, input: &mut Batch, tx: &mut Batch) -> bool {
        let now = instant(cx.now);
        self.now = cx.now;
        self.start(cx);
        let (Some(mut iface), mut scratch) =
            (self.iface.take(), core::mem::take(&mut self.scratch))
        else {
            return false;
        };
        let mut device = Frames {
            rx: None,
            out: Out {
                tx,
                pool: cx.pool,
                scratch: &mut scratch,
                sent: 0,
                dropped: 0,
            },
            mtu: self.config.mtu,
        };
        // Sockets freed since the last run may arm listeners.
        self.tend_listeners();
        let mut read = false;
        let mut rest = Batch::new();
        for frame in input.drain() {
            if device.out.tx.is_full() {
                let _ = rest.push(frame);
                continue;
            }
            if self.refused(frame.data()) {
                self.counters.tcp_refused += 1;
            }
            self.counters.frames_in += 1;
            read = true;
            device.rx = Some(frame);
            iface.poll_ingress_single(now, &mut device, &mut self.sockets);
            // A SYN took the armed socket: arm another before the next.
            self.tend_listeners();
        }
        *input = rest;
        iface.poll_egress(now, &mut device, &mut self.sockets);
        self.tend_released();
        let (sent, dropped) = (device.out.sent, device.out.dropped);
        self.dirty = device.out.tx.is_full();
        self.poll_at = iface.poll_at(now, &self.sockets).map(nanos);
        self.iface = Some(iface);
        self.scratch = scratch;
        self.counters.frames_out += sent;
        self.counters.frames_dropped += dropped;
        read || sent + dropped > 0
    }

    /// Counts frames the element could not queue.
    pub(super) fn dropped(&mut self, n: u64) {
        self.counters.frames_dropped += n;
    }

    /// Whether smoltcp has work now (an application call, a timer due).
    pub(super) fn due(&self, now: u64) -> bool {
        self.dirty || self.poll_at.is_some_and(|t| t <= now)
    }

    /// When smoltcp next has work to do, as of the last run: now when
    /// `frames_waiting` (the element holds frames for it).
    pub(super) fn next_event(&self, frames_waiting: bool) -> Option<u64> {
        if self.dirty || frames_waiting {
            return Some(self.now);
        }
        self.poll_at
    }

    /// True when `frame` is a SYN to the host that no socket will take:
    /// no armed listener on its port, and no connection it retransmits.
    fn refused(&self, frame: &[u8]) -> bool {
        let Some((src, sport, dport)) = syn_to(frame, self.config.addr) else {
            return false;
        };
        if self
            .listeners
            .iter()
            .any(|l| l.port == dport && l.armed.is_some())
        {
            return false;
        }
        let remote = IpEndpoint::new(IpAddress::Ipv4(src), sport);
        !self.tcp.iter().filter(|s| s.what != Use::Free).any(|s| {
            let sock = self.sockets.get::<tcp::Socket>(s.socket);
            sock.local_endpoint().is_some_and(|e| e.port == dport)
                && sock.remote_endpoint() == Some(remote)
        })
    }

    fn tcp_socket(&mut self, slot: usize) -> &mut tcp::Socket<'static> {
        self.sockets.get_mut::<tcp::Socket>(self.tcp[slot].socket)
    }

    /// Takes a free TCP socket for `what`, counted against `listener`.
    fn take_tcp(&mut self, what: Use, listener: Option<usize>) -> Option<usize> {
        let slot = self.free_tcp.pop()?;
        self.tcp[slot].what = what;
        self.tcp[slot].listener = listener;
        if let Some(l) = listener {
            self.listeners[l].held += 1;
        }
        Some(slot)
    }

    /// Returns a TCP socket to the free list, closed, and ends its handles.
    fn free_tcp(&mut self, slot: usize) {
        let sock = self.tcp_socket(slot);
        if sock.is_open() {
            sock.abort();
        }
        sock.set_timeout(None);
        let s = &mut self.tcp[slot];
        if let Some(l) = s.listener.take() {
            self.listeners[l].held -= 1;
        }
        s.what = Use::Free;
        s.generation = s.generation.wrapping_add(1);
        self.free_tcp.push(slot);
    }

    /// Moves listeners' armed sockets that took a SYN to their pending
    /// lists, frees pending connections that died before being accepted,
    /// and arms a socket on each listener that has room for one.
    fn tend_listeners(&mut self) {
        for l in 0..self.listeners.len() {
            if let Some(slot) = self.listeners[l].armed {
                if self.tcp_socket(slot).state() != tcp::State::Listen {
                    self.tcp[slot].what = Use::Pending;
                    self.listeners[l].armed = None;
                    self.listeners[l].pending.push_back(slot);
                    self.counters.tcp_total += 1;
                }
            }
            let mut k = 0;
            while let Some(&slot) = self.listeners[l].pending.get(k) {
                // A reset in SYN-RECEIVED puts smoltcp's socket back in
                // LISTEN; a reset later closes it.
                if matches!(
                    self.tcp_socket(slot).state(),
                    tcp::State::Listen | tcp::State::Closed | tcp::State::TimeWait
                ) {
                    self.listeners[l].pending.remove(k);
                    self.free_tcp(slot);
                } else {
                    k += 1;
                }
            }
            let ls = &self.listeners[l];
            if ls.armed.is_some() || ls.pending.len() >= ls.backlog || ls.held >= ls.max {
                continue;
            }
            let port = ls.port;
            if let Some(slot) = self.take_tcp(Use::Armed, Some(l)) {
                if self.tcp_socket(slot).listen(port).is_ok() {
                    self.listeners[l].armed = Some(slot);
                } else {
                    self.free_tcp(slot);
                }
            }
        }
    }

    /// Discards what peers still send on connections their applications
    /// closed, and frees those whose close is done.
    fn tend_released(&mut self) {
        let mut k = 0;
        while let Some(&slot) = self.released.get(k) {
            let sock = self.tcp_socket(slot);
            while sock.recv(|b| (b.len(), b.len())).is_ok_and(|n| n > 0) {}
            // Closed with a peer still named: its reset is not sent yet.
            let done = match sock.state() {
                tcp::State::TimeWait => true,
                tcp::State::Closed => sock.remote_endpoint().is_none(),
                _ => false,
            };
            if !done {
                k += 1;
            } else {
                self.released.swap_remove(k);
                self.free_tcp(slot);
            }
        }
    }

    /// A random port of the dynamic range for which `taken` is false.
    fn ephemeral(&mut self, taken: impl Fn(&HostStack, u16) -> bool) -> Result<u16, HostError> {
        let span = u64::from(u16::MAX - EPHEMERAL_FIRST) + 1;
        for _ in 0..PORT_TRIES {
            // The high bits: the generator's multiply mixes into them.
            let port = EPHEMERAL_FIRST + ((next_random(&mut self.rng) >> 32) % span) as u16;
            if !taken(self, port) {
                return Ok(port);
            }
        }
        Err(HostError::NoPort)
    }

    // ----- TCP --------------------------------------------------------

    /// Listens on TCP `port`. Up to `backlog` connections may be in their
    /// handshake or wait for [`HostStack::tcp_accept`]; at most `max`
    /// connections of this listener exist at once (accepted ones count
    /// until their close is done). SYNs beyond either limit, or when every
    /// socket is in use, are refused with a reset and counted. A socket
    /// is armed at once if one is free, else as soon as one is.
    pub fn tcp_listen(
        &mut self,
        port: u16,
        backlog: usize,
        max: usize,
    ) -> Result<Listener, HostError> {
        if port == 0 || backlog == 0 || max == 0 {
            return Err(HostError::Unaddressable);
        }
        if self.listeners.iter().any(|l| l.port == port) {
            return Err(HostError::PortInUse);
        }
        self.listeners.push(ListenState {
            port,
            backlog,
            max,
            armed: None,
            pending: VecDeque::with_capacity(backlog.min(self.config.max_tcp)),
            held: 0,
        });
        self.tend_listeners();
        Ok(Listener(self.listeners.len() - 1))
    }

    /// The oldest connection of `listener` whose handshake is done, now
    /// the caller's; `None` when there is none.
    pub fn tcp_accept(&mut self, listener: Listener) -> Option<TcpHandle> {
        let l = listener.0;
        let k = self.listeners.get(l)?.pending.iter().position(|&slot| {
            !matches!(
                self.sockets
                    .get::<tcp::Socket>(self.tcp[slot].socket)
                    .state(),
                tcp::State::SynReceived
            )
        })?;
        let slot = self.listeners[l].pending.remove(k)?;
        self.tcp[slot].what = Use::Owned;
        // Room in the backlog: arm a socket if none is.
        self.tend_listeners();
        Some(TcpHandle {
            slot: slot as u32,
            generation: self.tcp[slot].generation,
        })
    }

    /// Opens a connection to `to` from a random port of the dynamic range;
    /// [`HostStack::tcp_state`] says when it is open.
    pub fn tcp_connect(&mut self, cx: &Context, to: SocketAddrV4) -> Result<TcpHandle, HostError> {
        self.start(cx);
        let in_use = |s: &HostStack, port: u16| {
            s.listeners.iter().any(|l| l.port == port)
                || s.tcp.iter().filter(|t| t.what != Use::Free).any(|t| {
                    s.sockets
                        .get::<tcp::Socket>(t.socket)
                        .local_endpoint()
                        .is_some_and(|e| e.port == port)
                })
        };
        let port = self.ephemeral(in_use)?;
        let slot = self.take_tcp(Use::Owned, None).ok_or(HostError::NoSocket)?;
        let socket = self.tcp[slot].socket;
        // `start` made the interface.
        let connected = self.iface.as_mut().is_some_and(|iface| {
            self.sockets
                .get_mut::<tcp::Socket>(socket)
                .connect(iface.context(), to, port)
                .is_ok()
        });
        if !connected {
            self.free_tcp(slot);
            return Err(HostError::Unaddressable);
        }
        self.counters.tcp_total += 1;
        self.dirty = true;
        Ok(TcpHandle {
            slot: slot as u32,
            generation: self.tcp[slot].generation,
        })
    }

    /// The socket of a connection the caller holds.
    fn owned(&mut self, h: TcpHandle) -> Result<&mut tcp::Socket<'static>, TcpError> {
        let s = self
            .tcp
            .get(h.slot as usize)
            .filter(|s| s.generation == h.generation && s.what == Use::Owned)
            .ok_or(TcpError::BadHandle)?;
        Ok(self.sockets.get_mut::<tcp::Socket>(s.socket))
    }

    /// Where the connection stands.
    pub fn tcp_state(&mut self, h: TcpHandle) -> Result<TcpState, TcpError> {
        use tcp::State::*;
        Ok(match self.owned(h)?.state() {
            SynSent | SynReceived => TcpState::Connecting,
            Established => TcpState::Open,
            CloseWait => TcpState::PeerClosed,
            FinWait1 | FinWait2 => TcpState::Closing,
            Closed | Listen | LastAck | Closing | TimeWait => TcpState::Closed,
        })
    }

    /// The peer's address and port.
    pub fn tcp_peer(&mut self, h: TcpHandle) -> Result<Option<SocketAddrV4>, TcpError> {
        Ok(self.owned(h)?.remote_endpoint().map(|e| match e.addr {
            IpAddress::Ipv4(a) => SocketAddrV4::new(a, e.port),
        }))
    }

    /// Reads received bytes into `buf`: how many, 0 when none are there
    /// yet (or the handshake is under way); [`TcpError::Eof`] once the
    /// peer finished and all is read; [`TcpError::Closed`] when the
    /// connection is gone.
    pub fn tcp_recv(&mut self, h: TcpHandle, buf: &mut [u8]) -> Result<usize, TcpError> {
        let sock = self.owned(h)?;
        let r = match sock.recv_slice(buf) {
            Ok(n) => Ok(n),
            Err(tcp::RecvError::Finished) => Err(TcpError::Eof),
            Err(tcp::RecvError::InvalidState) => match sock.state() {
                tcp::State::SynSent | tcp::State::SynReceived => Ok(0),
                _ => Err(TcpError::Closed),
            },
        };
        // Room in the window may be worth telling the peer.
        self.dirty |= r.is_ok_and(|n| n > 0);
        r
    }

    /// Bytes waiting to be read.
    pub fn tcp_recv_queue(&mut self, h: TcpHandle) -> Result<usize, TcpError> {
        Ok(self.owned(h)?.recv_queue())
    }

    /// Queues as much of `data` as the send buffer has room for and
    /// returns how much: 0 when it is full (back-pressure: try again
    /// after the host has run), or while the handshake is under way.
    /// [`TcpError::Closed`] when the connection can no longer send.
    pub fn tcp_send(&mut self, h: TcpHandle, data: &[u8]) -> Result<usize, TcpError> {
        let sock = self.owned(h)?;
        let r = match sock.send_slice(data) {
            Ok(n) => Ok(n),
            Err(_) => match sock.state() {
                tcp::State::SynSent | tcp::State::SynReceived => Ok(0),
                _ => Err(TcpError::Closed),
            },
        };
        self.dirty |= r.is_ok_and(|n| n > 0);
        r
    }

    /// Room in the send buffer, bytes.
    pub fn tcp_send_room(&mut self, h: TcpHandle) -> Result<usize, TcpError> {
        let sock = self.owned(h)?;
        Ok(sock.send_capacity() - sock.send_queue())
    }

    /// Bytes queued and not yet acknowledged by the peer.
    pub fn tcp_send_queue(&mut self, h: TcpHandle) -> Result<usize, TcpError> {
        Ok(self.owned(h)?.send_queue())
    }

    /// Half-close: a FIN follows the data queued; the caller keeps the
    /// handle and may still receive.
    pub fn tcp_shutdown(&mut self, h: TcpHandle) -> Result<(), TcpError> {
        self.owned(h)?.close();
        self.dirty = true;
        Ok(())
    }

    /// Aborts the connection unless a segment from the peer comes within
    /// `timeout` while data or a FIN wait for its acknowledgement (smoltcp's
    /// timeout); `None` waits for ever.
    pub fn tcp_set_timeout(
        &mut self,
        h: TcpHandle,
        timeout: Option<core::time::Duration>,
    ) -> Result<(), TcpError> {
        let d = timeout.map(|t| Duration::from_micros(t.as_micros().min(u64::MAX.into()) as u64));
        self.owned(h)?.set_timeout(d);
        Ok(())
    }

    /// Closes the connection and gives up the handle: a FIN follows the
    /// data queued, what the peer still sends is discarded, and the socket
    /// is freed when the close is done (or after [`LINGER`] without an
    /// answer, unless a timeout was set).
    pub fn tcp_close(&mut self, h: TcpHandle) -> Result<(), TcpError> {
        let sock = self.owned(h)?;
        sock.close();
        if sock.timeout().is_none() {
            sock.set_timeout(Some(LINGER));
        }
        self.tcp[h.slot as usize].what = Use::Released;
        self.released.push(h.slot as usize);
        self.dirty = true;
        Ok(())
    }

    /// Resets the connection and gives up the handle; the socket is free
    /// once the reset is sent.
    pub fn tcp_abort(&mut self, h: TcpHandle) -> Result<(), TcpError> {
        self.owned(h)?.abort();
        self.tcp[h.slot as usize].what = Use::Released;
        self.released.push(h.slot as usize);
        self.dirty = true;
        Ok(())
    }

    // ----- UDP --------------------------------------------------------

    /// Binds a UDP socket to `port`, or to a random free port of the
    /// dynamic range when `port` is 0.
    pub fn udp_bind(&mut self, cx: &Context, port: u16) -> Result<UdpHandle, HostError> {
        self.start(cx);
        let bound = |s: &HostStack, port: u16| {
            s.udp
                .iter()
                .filter(|u| u.bound)
                .any(|u| s.sockets.get::<udp::Socket>(u.socket).endpoint().port == port)
        };
        let port = match port {
            0 => self.ephemeral(bound)?,
            p if bound(self, p) => return Err(HostError::PortInUse),
            p => p,
        };
        let slot = self
            .udp
            .iter()
            .position(|u| !u.bound)
            .ok_or(HostError::NoSocket)?;
        let u = &mut self.udp[slot];
        self.sockets
            .get_mut::<udp::Socket>(u.socket)
            .bind(port)
            .map_err(|_| HostError::Unaddressable)?;
        u.bound = true;
        Ok(UdpHandle {
            slot: slot as u32,
            generation: u.generation,
        })
    }

    fn udp_socket(&mut self, h: UdpHandle) -> Result<&mut udp::Socket<'static>, UdpError> {
        let u = self
            .udp
            .get(h.slot as usize)
            .filter(|u| u.generation == h.generation && u.bound)
            .ok_or(UdpError::BadHandle)?;
        Ok(self.sockets.get_mut::<udp::Socket>(u.socket))
    }

    /// The port the socket is bound to.
    pub fn udp_port(&mut self, h: UdpHandle) -> Result<u16, UdpError> {
        Ok(self.udp_socket(h)?.endpoint().port)
    }

    /// Queues one datagram to `to`; [`UdpError::Full`] when the send
    /// buffer has no room for it now.
    pub fn udp_send_to(
        &mut self,
        h: UdpHandle,
        data: &[u8],
        to: SocketAddrV4,
    ) -> Result<(), UdpError> {
        let sock = self.udp_socket(h)?;
        if data.len() > sock.payload_send_capacity() {
            return Err(UdpError::TooLarge);
        }
        sock.send_slice(data, IpEndpoint::from(to))
            .map_err(|e| match e {
                udp::SendError::BufferFull => UdpError::Full,
                udp::SendError::Unaddressable => UdpError::Unaddressable,
            })?;
        self.counters.udp_out += 1;
        self.dirty = true;
        Ok(())
    }

    /// The oldest datagram received, copied into `buf`, with its length
    /// and sender; `None` when none waits. A datagram longer than `buf` is
    /// dropped and [`UdpError::TooLarge`] returned.
    pub fn udp_recv_from(
        &mut self,
        h: UdpHandle,
        buf: &mut [u8],
    ) -> Option<Result<(usize, SocketAddrV4), UdpError>> {
        let sock = match self.udp_socket(h) {
            Ok(s) => s,
            Err(e) => return Some(Err(e)),
        };
        let r = match sock.recv_slice(buf) {
            Ok((n, meta)) => match meta.endpoint.addr {
                IpAddress::Ipv4(a) => Ok((n, SocketAddrV4::new(a, meta.endpoint.port))),
            },
            Err(udp::RecvError::Exhausted) => return None,
            // smoltcp has dequeued (dropped) it.
            Err(udp::RecvError::Truncated) => Err(UdpError::TooLarge),
        };
        self.counters.udp_in += u64::from(r.is_ok());
        Some(r)
    }

    /// Unbinds the socket (what it held is dropped) and gives up the
    /// handle.
    pub fn udp_close(&mut self, h: UdpHandle) -> Result<(), UdpError> {
        self.udp_socket(h)?.close();
        let u = &mut self.udp[h.slot as usize];
        u.bound = false;
        u.generation = u.generation.wrapping_add(1);
        Ok(())
    }
}
