//! Elements of the `host` group: a host's TCP/IP stack inside the graph,
//! for application elements that speak TCP and UDP (DNS over TCP, a DNS
//! forwarder's upstream queries, the TLS proxy).
//!
//! # Design
//!
//! 1. **One element runs the stack.** [`TCPIPHost`](tcpip_host::TCPIPHost)
//!    takes Ethernet frames on input 0 and sends frames on output 0; ARP
//!    and ICMP echo for its address come from smoltcp. It knows no
//!    neighbour: a configuration puts it behind a classifier or directly
//!    on a device (`FromDevice(eth0) -> host -> Queue -> ToDevice(eth0)`).
//! 2. **Applications borrow the stack, not the frames.** The element
//!    lends its [`HostStack`] as a [`SharedStack`]
//!    (`Rc<RefCell<HostStack>>`) through `Element::shared`. An application
//!    element names the host in its configuration (`HOST host`), finds it
//!    in `Element::link` with [`find_stack`], and calls the stack from its
//!    own task (`run_task`) and handlers. Its class goes in
//!    `classes::LINKED` next to `TCPIPHost`, so that both runners link it.
//!    Applications never see packets of the host; they see sockets.
//! 3. **Everything is allocated at configure time.** `MAX_TCP` TCP sockets
//!    with `TCP_BUF` bytes each way and `MAX_UDP` UDP sockets with
//!    `UDP_BUF` bytes / `UDP_QUEUE` datagrams each way, once. Sockets are
//!    reused: a listener's connection takes a free socket, and the socket
//!    goes back when the connection's close is done. Nothing is allocated
//!    per packet or per connection.
//! 4. **Back-pressure is the buffers'.** `tcp_send` takes what fits and
//!    returns how much (0 when full); `tcp_recv` returns 0 when nothing is
//!    there. A relay (the TLS proxy) moves bytes only while the other
//!    side has room, so a slow peer closes the window of a fast one.
//!    `udp_send_to` says `Full` when the send buffer is.
//! 5. **Listeners bound their connections.** `tcp_listen(port, backlog,
//!    max)` keeps one socket armed in LISTEN; when a SYN takes it, the
//!    connection joins the listener's pending list and another socket is
//!    armed before the next frame is read. At most `backlog` connections
//!    are pending (handshaking or waiting for `tcp_accept`) and at most
//!    `max` exist for the listener; beyond either, or with no free socket,
//!    no socket is armed and smoltcp answers SYNs with a reset — a clean
//!    refusal, counted in `tcp_refused`.
//! 6. **Time and randomness are the platform's.** smoltcp runs on the
//!    context's `now`; TCPIPHost's `next_event` is smoltcp's next poll
//!    time (or now, when an application queued work), so `--simtime`
//!    jumps to retransmissions. Initial sequence numbers and ephemeral
//!    ports (49152–65535, random) come from generators seeded with the
//!    context's `seed`, so the stack is made on first use (the first
//!    frame, connect or bind), not at configure time.
//! 7. **Handles are checked.** A [`TcpHandle`] or [`UdpHandle`] carries a
//!    generation; after `tcp_close`, `tcp_abort` or `udp_close` it is
//!    refused (`BadHandle`) even when its socket serves another
//!    connection.
//!
//! # The API applications use
//!
//! ```text
//! // link():   self.stack = Some(find_stack(lent, &self.host_name)?);
//! //           self.listener = stack.borrow_mut().tcp_listen(53, 16, 64)?;
//! // run_task(cx):
//! let mut s = stack.borrow_mut();
//! while let Some(c) = s.tcp_accept(listener) { conns.push(c) }
//! for c in conns {
//!     match s.tcp_recv(c, &mut buf) {
//!         Ok(0) => {}                                // nothing yet
//!         Ok(n) => { let sent = s.tcp_send(c, &reply)?; … } // sent ≤ len
//!         Err(TcpError::Eof) => s.tcp_close(c)?,     // peer finished
//!         Err(_) => s.tcp_abort(c)?,                 // reset, timed out
//!     }
//! }
//! // outgoing: s.tcp_connect(cx, backend)? then tcp_state() == Open
//! // half-close: s.tcp_shutdown(c) (FIN after queued data, still reads)
//! // UDP: let u = s.udp_bind(cx, 0)?;  (random ephemeral port)
//! //      s.udp_send_to(u, &query, upstream)?; s.udp_recv_from(u, &mut buf)
//! ```
//!
//! An application's task runs every round; it reads what arrived since
//! and queues what it has, and TCPIPHost's task sends it in the same or
//! the next round. An application that waits for nothing but sockets
//! needs no `next_event` of its own: frames arriving make the round busy.

use alloc::rc::Rc;
use alloc::string::String;
use core::cell::RefCell;

use nfc_dataplane::element::Shared;

use crate::ElementSpec;

mod frames;
pub mod stack;
pub mod tcpip_host;

pub use stack::{
    HostConfig, HostCounters, HostError, HostStack, Listener, TcpError, TcpHandle, TcpState,
    UdpError, UdpHandle,
};

/// The stack a TCPIPHost lends to application elements.
pub type SharedStack = Rc<RefCell<HostStack>>;

/// The stack of the TCPIPHost named `name` among what a configuration's
/// elements lend (`Element::link`'s `lent`); the error says what is
/// wrong, for the application's link error.
pub fn find_stack(lent: &[(&str, Shared)], name: &str) -> Result<SharedStack, String> {
    let (_, shared) = lent
        .iter()
        .find(|(n, _)| *n == name)
        .ok_or_else(|| alloc::format!("HOST: no element named '{name}'"))?;
    shared
        .clone()
        .downcast::<RefCell<HostStack>>()
        .map_err(|_| alloc::format!("HOST: '{name}' is not a TCPIPHost"))
}

/// The specs of this group's elements.
pub const SPECS: &[&ElementSpec] = &[&tcpip_host::SPEC];

#[cfg(test)]
mod tests;
