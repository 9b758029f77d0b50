//! Host network devices: TAP devices and AF_PACKET sockets, as
//! [`NetDevice`]s.
//!
//! Which one a name opens (see [`HostDevice::open`]):
//!
//! 1. If an interface with that name exists and its driver is not `tun`
//!    (a veth, a bridge port, a real NIC), nfc binds an AF_PACKET socket to
//!    it and shares it with the host: frames the host sends out of the
//!    interface reach FromDevice, frames ToDevice sends leave by it.
//! 2. Otherwise the name is a TAP device: nfc attaches to it when it
//!    exists (a persistent TAP made by `ip tuntap add`) or creates it (then
//!    the device lasts as long as the process), and brings it up. The host
//!    kernel sits at the other end of the wire.
//!
//! A TAP device's [`NetDevice::mac`] is not the host side's address but
//! nfc's own end of the wire: [`tap_mac`] of the name, a locally
//! administered address. An AF_PACKET device's is the interface's.

use std::fs::File;
use std::io::{self, Read, Write};
use std::os::fd::OwnedFd;

use nfc_dataplane::batch::Batch;
use nfc_dataplane::device::{DeviceStats, NetDevice};
use nfc_dataplane::packet::PacketPool;

use crate::sys;

/// The receive buffer: larger than any frame a TAP device or a packet
/// socket hands over, so that too-long frames are seen whole and dropped.
const SCRATCH: usize = 65536;

/// How frames move.
#[derive(Debug)]
enum Link {
    /// A TAP device's file.
    Tap(File),
    /// An AF_PACKET socket bound to an interface.
    Packet {
        /// The socket.
        fd: OwnedFd,
        /// The interface's index.
        ifindex: i32,
    },
    /// No device (ToDevice's ALLOW_NONEXISTENT): nothing arrives, and
    /// every frame sent is dropped.
    Absent,
}

/// A host network device: a TAP device, an AF_PACKET socket, or a missing
/// device that drops everything.
pub struct HostDevice {
    /// The host interface's name.
    name: String,
    link: Link,
    mac: [u8; 6],
    stats: DeviceStats,
    scratch: Box<[u8]>,
}

/// The Ethernet address of nfc's end of TAP device `name`: `02:6e:66`
/// (locally administered, "nf") followed by 24 bits of an FNV-1a hash of
/// the name, so it is stable from one run to the next.
pub fn tap_mac(name: &str) -> [u8; 6] {
    let h = name.bytes().fold(0x811c_9dc5u32, |h, b| {
        (h ^ u32::from(b)).wrapping_mul(0x0100_0193)
    });
    let [_, a, b, c] = h.to_be_bytes();
    [0x02, 0x6e, 0x66, a, b, c]
}

impl HostDevice {
    /// Opens host interface `name` by the rule in the module's doc.
    pub fn open(name: &str) -> Result<HostDevice, String> {
        match sys::if_index(name) {
            Ok(ifindex) if !is_tun(name) => HostDevice::packet(name, ifindex),
            Ok(_) => HostDevice::tap(name),
            Err(e) if e.raw_os_error() == Some(libc::ENODEV) => HostDevice::tap(name),
            Err(e) => Err(format!("interface {name}: {e}")),
        }
    }

    /// A device that does not exist: receives nothing, drops what is sent.
    pub fn absent(name: &str) -> HostDevice {
        HostDevice::new(name, Link::Absent, [0; 6])
    }

    fn new(name: &str, link: Link, mac: [u8; 6]) -> HostDevice {
        HostDevice {
            name: name.into(),
            link,
            mac,
            stats: DeviceStats::default(),
            scratch: vec![0; SCRATCH].into_boxed_slice(),
        }
    }

    /// Attaches to or creates TAP device `name` and brings it up.
    fn tap(name: &str) -> Result<HostDevice, String> {
        let file = sys::tap_open(name).map_err(|e| {
            let hint = match e.raw_os_error() {
                Some(libc::EPERM | libc::EACCES) => {
                    "; creating or attaching to a TAP device needs root or CAP_NET_ADMIN"
                }
                Some(libc::EBUSY) => "; another process holds it",
                Some(libc::EINVAL) => "; it exists but is not a TAP device (a TUN device?)",
                Some(libc::ENOENT) => "; /dev/net/tun is missing (modprobe tun)",
                _ => "",
            };
            format!("cannot open TAP device {name}: {e}{hint}")
        })?;
        // Bringing the device up needs CAP_NET_ADMIN too; a persistent TAP
        // handed to an unprivileged user is brought up by its owner.
        let _ = sys::if_up(name);
        Ok(HostDevice::new(name, Link::Tap(file), tap_mac(name)))
    }

    /// Binds an AF_PACKET socket to interface `name`.
    fn packet(name: &str, ifindex: i32) -> Result<HostDevice, String> {
        let fd = sys::packet_socket(ifindex).map_err(|e| {
            let hint = match e.raw_os_error() {
                Some(libc::EPERM | libc::EACCES) => "; raw sockets need root or CAP_NET_RAW",
                _ => "",
            };
            format!("cannot open a packet socket on {name}: {e}{hint}")
        })?;
        let mac = sys::if_hwaddr(name).map_err(|e| format!("interface {name}: {e}"))?;
        Ok(HostDevice::new(name, Link::Packet { fd, ifindex }, mac))
    }

    /// The host interface's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// A short word for the kind of device: `tap`, `packet` or `absent`.
    pub fn kind(&self) -> &'static str {
        match self.link {
            Link::Tap(_) => "tap",
            Link::Packet { .. } => "packet",
            Link::Absent => "absent",
        }
    }

    /// Receives frames for any address (PROMISC). A TAP device already
    /// hands over everything the host sends it.
    pub fn set_promisc(&mut self) -> Result<(), String> {
        match &self.link {
            Link::Packet { fd, ifindex } => sys::packet_promisc(fd, *ifindex)
                .map_err(|e| format!("{}: promiscuous mode: {e}", self.name)),
            Link::Tap(_) | Link::Absent => Ok(()),
        }
    }

    /// Receives one frame into the scratch buffer: its full length, or
    /// `None` when nothing is waiting.
    fn recv(&mut self) -> io::Result<Option<usize>> {
        match &mut self.link {
            Link::Tap(file) => match file.read(&mut self.scratch) {
                Ok(n) => Ok(Some(n)),
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => Ok(None),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => Ok(None),
                Err(e) => Err(e),
            },
            Link::Packet { fd, .. } => sys::recv_packet(fd, &mut self.scratch),
            Link::Absent => Ok(None),
        }
    }

    /// Sends one frame: `Ok(true)` sent, `Ok(false)` the queue is full.
    fn send(&mut self, frame: &[u8]) -> io::Result<bool> {
        match &mut self.link {
            Link::Tap(file) => match file.write(frame) {
                Ok(_) => Ok(true),
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => Ok(false),
                Err(e) => Err(e),
            },
            Link::Packet { fd, .. } => sys::send_packet(fd, frame),
            Link::Absent => Err(io::Error::from_raw_os_error(libc::ENODEV)),
        }
    }
}

impl std::fmt::Debug for HostDevice {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HostDevice")
            .field("name", &self.name)
            .field("link", &self.link)
            .field("mac", &self.mac)
            .field("stats", &self.stats)
            .finish_non_exhaustive()
    }
}

/// True when interface `name` is a TUN/TAP device.
fn is_tun(name: &str) -> bool {
    sys::if_driver(name).is_ok_and(|d| d == "tun")
}

impl NetDevice for HostDevice {
    fn rx_burst(&mut self, pool: &'static PacketPool, into: &mut Batch, max: usize) -> usize {
        let mut n = 0;
        // Each frame looked at counts against `max`, dropped or not, so a
        // flood of frames that cannot be kept never holds the loop.
        for _ in 0..max {
            if into.is_full() {
                break;
            }
            let len = match self.recv() {
                Ok(Some(len)) => len,
                Ok(None) => break,
                Err(_) => {
                    self.stats.rx_dropped += 1;
                    break;
                }
            };
            let frame = self.scratch.get(..len);
            match frame.and_then(|f| pool.alloc_with(f)) {
                Some(p) => {
                    let _ = into.push(p);
                    n += 1;
                }
                None => self.stats.rx_dropped += 1,
            }
        }
        self.stats.rx += n as u64;
        n
    }

    fn tx_burst(&mut self, batch: &mut Batch) -> usize {
        let mut sent = 0;
        let mut rest = Batch::new();
        let mut full = false;
        for p in batch.drain() {
            if full {
                let _ = rest.push(p);
                continue;
            }
            match self.send(p.data()) {
                Ok(true) => sent += 1,
                Ok(false) => {
                    full = true;
                    let _ = rest.push(p);
                }
                // The frame cannot go (too long, the device is down or
                // gone): it is dropped here, the rest still go.
                Err(_) => self.stats.tx_dropped += 1,
            }
        }
        *batch = rest;
        self.stats.tx += sent as u64;
        sent
    }

    fn tx_room(&self) -> usize {
        nfc_dataplane::batch::BURST
    }

    fn mac(&self) -> [u8; 6] {
        self.mac
    }

    fn stats(&self) -> DeviceStats {
        self.stats
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tap_addresses_are_local_unicast_and_stable() {
        let a = tap_mac("tap0");
        assert_eq!(a[0] & 0x03, 0x02, "locally administered, unicast");
        assert_eq!(a, tap_mac("tap0"));
        assert_ne!(a, tap_mac("tap1"));
    }

    #[test]
    fn an_absent_device_drops_what_is_sent() {
        let pool = PacketPool::new(4);
        let mut d = HostDevice::absent("nowhere0");
        let mut b = Batch::new();
        assert_eq!(d.rx_burst(pool, &mut b, 32), 0);
        b.push(pool.alloc_with(&[1; 60]).unwrap()).unwrap();
        b.push(pool.alloc_with(&[2; 60]).unwrap()).unwrap();
        assert_eq!(d.tx_burst(&mut b), 0);
        assert!(b.is_empty());
        assert_eq!(d.stats().tx_dropped, 2);
        assert_eq!(pool.available(), 4);
        assert_eq!(d.kind(), "absent");
    }

    #[test]
    fn bad_names_are_refused() {
        assert!(HostDevice::open("a-name-that-is-too-long").is_err());
    }
}
