//! A domain's NIC seen from dom0: netback's interface `vif<domid>.<n>`.
//! Frames sent on an AF_PACKET socket bound to it go to the domain's
//! netfront; frames the domain sends arrive on it (the frames the bridge
//! sends out of it are passed over).

use std::cell::RefCell;
use std::os::fd::OwnedFd;
use std::time::{Duration, Instant};

use nfc_platform_linux as linux;
use nfc_tests::wire::Wire;

/// The shortest frame an AF_PACKET socket sends: an Ethernet header.
pub const SHORTEST: usize = 14;

/// Larger than any frame netback hands over.
const MAX_FRAME: usize = 65536;

/// The test's end of a vif.
pub struct Vif {
    /// The backend interface, `vif<domid>.<n>`.
    pub name: String,
    fd: OwnedFd,
    /// Where frames are received.
    scratch: RefCell<Vec<u8>>,
}

impl Vif {
    /// Binds an AF_PACKET socket to backend interface `name`.
    pub fn open(name: &str) -> Result<Vif, String> {
        let ifindex = linux::if_index(name).map_err(|e| format!("interface {name}: {e}"))?;
        let fd =
            linux::packet_socket(ifindex).map_err(|e| format!("a packet socket on {name}: {e}"))?;
        linux::set_recv_buffer(&fd, 4 << 20)
            .map_err(|e| format!("SO_RCVBUF on {name}'s socket: {e}"))?;
        Ok(Vif {
            name: name.into(),
            fd,
            scratch: RefCell::new(vec![0; MAX_FRAME]),
        })
    }

    /// Sends `frame` if the interface's queue takes it: `Ok(false)` when it
    /// is full.
    pub fn try_send(&self, frame: &[u8]) -> Result<bool, String> {
        linux::send_packet(&self.fd, frame).map_err(|e| {
            format!(
                "sending {} bytes on {}: {e} (has its domain ended?)",
                frame.len(),
                self.name
            )
        })
    }

    /// The next frame waiting, if any.
    pub fn try_recv(&self) -> Option<Vec<u8>> {
        let mut buf = self.scratch.borrow_mut();
        match linux::recv_packet(&self.fd, &mut buf) {
            Ok(Some(n)) => Some(buf[..n.min(MAX_FRAME)].to_vec()),
            Ok(None) => None,
            Err(e) => panic!("receiving on {}: {e} (has its domain ended?)", self.name),
        }
    }
}

impl Wire for Vif {
    /// Waits up to five seconds for room in the interface's queue.
    fn send(&self, frame: &[u8]) {
        let deadline = Instant::now() + Duration::from_secs(5);
        while !self.try_send(frame).unwrap_or_else(|e| panic!("{e}")) {
            assert!(
                Instant::now() < deadline,
                "{}: its queue stays full",
                self.name
            );
            std::thread::sleep(Duration::from_millis(1));
        }
    }

    fn recv(&self, timeout: Duration) -> Option<Vec<u8>> {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(f) = self.try_recv() {
                return Some(f);
            }
            if Instant::now() > deadline {
                return None;
            }
            std::thread::sleep(Duration::from_millis(1));
        }
    }
}
