//! The test's end of a NIC: a [`Wire`] sends frames into the image and
//! takes the frames it sends out. QEMU's NICs are reached through a
//! [`Link`] (a UDP socket on 127.0.0.1); a Xen domain's vifs through an
//! AF_PACKET socket on the backend interface in dom0 (`xen-probe`).
//!
//! What works on any wire lives here: numbered test frames;
//! [`crosses`], which checks that frames sent into one NIC leave by
//! another unchanged and in order; and [`exchange`], a frame into one of
//! a VNF's two NICs and what leaves both, its ARP requests answered.

use std::fmt::Display;
use std::time::{Duration, Instant};

use crate::frames::Side;
use crate::vm::Link;

/// The test's end of one NIC.
pub trait Wire {
    /// Sends `frame` into the NIC; panics if it cannot be sent.
    fn send(&self, frame: &[u8]);

    /// The next frame the NIC sent, waiting at most `timeout`.
    fn recv(&self, timeout: Duration) -> Option<Vec<u8>>;

    /// Every frame the NIC sends until it is quiet for `quiet`.
    fn drain(&self, quiet: Duration) -> Vec<Vec<u8>> {
        std::iter::from_fn(|| self.recv(quiet)).collect()
    }
}

impl Wire for Link {
    fn send(&self, frame: &[u8]) {
        Link::send(self, frame).unwrap_or_else(|e| panic!("a frame to QEMU: {e}"));
    }

    fn recv(&self, timeout: Duration) -> Option<Vec<u8>> {
        Link::recv(self, timeout)
    }
}

/// A frame of `len` bytes (at least 16) from `02:00:00:00:00:<src>` to
/// `02:00:00:00:00:aa`, of the local experimental EtherType 0x88b5 (no
/// host stack answers it), numbered `n` in its payload.
pub fn numbered(src: u8, n: u16, len: usize) -> Vec<u8> {
    let mut f = vec![0u8; len];
    f[..6].copy_from_slice(&[0x02, 0, 0, 0, 0, 0xaa]);
    f[6..12].copy_from_slice(&[0x02, 0, 0, 0, 0, src]);
    f[12..14].copy_from_slice(&[0x88, 0xb5]);
    f[14..16].copy_from_slice(&n.to_be_bytes());
    for (i, b) in f[16..].iter_mut().enumerate() {
        *b = (i as u8) ^ (n as u8);
    }
    f
}

/// Sends `count` [`numbered`] frames from `src`, of sizes 60 to 1514,
/// into `from` and checks that they all leave `to`, unchanged and in
/// order; `what` names the machine in messages.
pub fn crosses(from: &impl Wire, to: &impl Wire, src: u8, count: u16, what: &dyn Display) {
    let sizes = [60usize, 64, 128, 333, 1000, 1514];
    let sent: Vec<Vec<u8>> = (0..count)
        .map(|n| numbered(src, n, sizes[usize::from(n) % sizes.len()]))
        .collect();
    // In chunks, each collected before the next is sent, so that the
    // test's socket buffer never overflows.
    let mut got = Vec::new();
    for (i, chunk) in sent.chunks(50).enumerate() {
        for f in chunk {
            from.send(f);
        }
        let want = (i * 50 + chunk.len()).min(sent.len());
        while got.len() < want {
            match to.recv(Duration::from_secs(3)) {
                Some(f) => got.push(f),
                None => break,
            }
        }
    }
    got.extend(to.drain(Duration::from_millis(300)));
    assert_eq!(
        got.len(),
        sent.len(),
        "{what}: {} of {} frames came out",
        got.len(),
        sent.len()
    );
    for (i, (g, s)) in got.iter().zip(&sent).enumerate() {
        assert!(g == s, "{what}: frame {i} changed on the way");
    }
}

/// How the hosts around a VNF answer a frame it sends on a side (its ARP
/// requests): the reply, or `None` for a frame the test takes.
pub type Answer = fn(Side, &[u8]) -> Option<Vec<u8>>;

/// Sends `frames` into the NICs of `wires` (eth0 inside, eth1 outside),
/// each by its side, one after the other, and returns what leaves each
/// side until both have been quiet for `quiet`. A frame for which
/// `answer` gives a reply (an ARP request the VNF sends) is answered on
/// its side instead of returned.
pub fn exchange(
    wires: &[impl Wire; 2],
    frames: &[(Side, &[u8])],
    quiet: Duration,
    answer: Answer,
) -> [Vec<Vec<u8>>; 2] {
    for &(side, frame) in frames {
        wires[side as usize].send(frame);
    }
    let mut out = [Vec::new(), Vec::new()];
    let mut quiet_since = Instant::now();
    while quiet_since.elapsed() < quiet {
        for s in [Side::Inside, Side::Outside] {
            let Some(f) = wires[s as usize].recv(Duration::from_millis(20)) else {
                continue;
            };
            quiet_since = Instant::now();
            match answer(s, &f) {
                Some(reply) => wires[s as usize].send(&reply),
                None => out[s as usize].push(f),
            }
        }
    }
    out
}
