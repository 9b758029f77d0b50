//! # HashSwitch — classifies packets by hash of contents
//!
//! ```click
//! HashSwitch(OFFSET, LENGTH)
//! ```
//!
//! Ports: 1 input, 1 or more outputs (`1/1-`). Processing: push (`h/h`).
//!
//! Hashes the LENGTH bytes that start OFFSET bytes into each packet and
//! pushes the packet out the output the hash selects, so packets with equal
//! bytes there (one flow, one address) always take the same output. The
//! hash is Click's: the sum of the bytes, folded (`d ^ d >> 4`) when there
//! are 2, 4 or 8 outputs. A packet too short to hold those bytes goes out
//! output 0.
//!
//! ## Keywords
//! - `OFFSET` *unsigned* — where the hashed bytes start; mandatory.
//! - `LENGTH` *unsigned, at least 1* — how many bytes are hashed; mandatory.
//!
//! ## Handlers
//! None.
//!
//! ## Examples
//! ```click
//! hs :: HashSwitch(30, 4);  // Ethernet + IP destination address
//! ```
//!
//! ## Differences from Click
//! - none. (The batch path counts the output batches it is given; the
//!   per-packet path needs `set_ports`.)

use nfc_dataplane::args::{Args, ConfigError, ConfigErrors};
use nfc_dataplane::element::{Context, Element, Out};
use nfc_dataplane::packet::Packet;
use nfc_dataplane::parse;

use crate::{ElementSpec, Ports};

/// HashSwitch's configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HashSwitch {
    /// Byte offset of the hashed bytes.
    pub offset: u32,
    /// Number of bytes hashed (at least 1).
    pub length: u32,
    /// Outputs the per-packet path assumes.
    noutputs: usize,
}

impl HashSwitch {
    /// Parses HashSwitch's configuration string.
    pub fn configure(config: &str) -> Result<Self, ConfigErrors> {
        let mut args = Args::new(config);
        let offset = args.read_mp("OFFSET", parse::unsigned::<u32>);
        let length = args.read_mp("LENGTH", parse::unsigned::<u32>);
        if length == Some(0) {
            let span = args.span_of("LENGTH");
            args.error(ConfigError::new(span, "LENGTH must be at least 1"));
        }
        args.complete()?;
        Ok(HashSwitch {
            offset: offset.unwrap_or_default(),
            length: length.unwrap_or(1),
            noutputs: 1,
        })
    }

    /// The output of `p` among `n` outputs.
    #[inline]
    fn route(&self, p: &Packet, n: usize) -> Out {
        if n == 0 {
            return Out::Drop;
        }
        let start = self.offset as usize;
        let Some(bytes) = p
            .data()
            .get(start..start.saturating_add(self.length as usize))
        else {
            return Out::Port(0);
        };
        let d: usize = bytes.iter().map(|&b| usize::from(b)).sum();
        Out::Port(match n {
            2 | 4 | 8 => (d ^ (d >> 4)) & (n - 1),
            _ => d % n,
        })
    }
}

impl Element for HashSwitch {
    fn set_ports(&mut self, _ninputs: usize, noutputs: usize) {
        self.noutputs = noutputs;
    }

    #[inline]
    fn process(&mut self, _cx: &Context, _input: usize, p: &mut Packet) -> Out {
        self.route(p, self.noutputs)
    }
}

/// HashSwitch's spec.
pub const SPEC: ElementSpec = ElementSpec {
    class: "HashSwitch",
    port_count: "1/1-",
    processing: "h/h",
    flow_code: "x/x",
    keywords: &["OFFSET", "LENGTH"],
    handlers: &[],
    summary: "classifies packets by hash of contents",
    source: include_str!("hash_switch.rs"),
    check: |c| HashSwitch::configure(c).map(|_| Ports::DECLARED),
};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::standard::testing::{errors, has};

    #[test]
    fn values() {
        let h = HashSwitch::configure("30, 4").unwrap();
        assert_eq!((h.offset, h.length), (30, 4));
    }

    #[test]
    fn bad_values() {
        let cfg = "30, 0";
        let errs = errors(cfg, HashSwitch::configure(cfg));
        assert!(has(&errs, "at least 1", "0"), "{errs:?}");
        let cfg = "a, b";
        let errs = errors(cfg, HashSwitch::configure(cfg));
        assert_eq!(errs.len(), 2, "{errs:?}");
    }

    use crate::harness::{self, check_batch_path, on_port, run_push};
    use nfc_dataplane::packet::PacketPool;

    fn packet(i: usize, pool: &'static PacketPool) -> Packet {
        // Short packets (no byte 2) every fifth time.
        let len = if i % 5 == 4 { 2 } else { 4 };
        pool.alloc_with(&[0xaa, 0xbb, i as u8, (i * 7) as u8][..len])
            .unwrap()
    }

    #[test]
    fn same_bytes_same_output() {
        let mut h = HashSwitch::configure("2, 2").unwrap();
        let pool = harness::pool();
        let cx = harness::cx(pool);
        h.set_ports(1, 3);
        let sent = run_push(
            &mut h,
            &cx,
            0,
            (0..30).map(|i| packet(i, pool)).collect(),
            3,
        );
        assert_eq!(sent.len(), 30);
        for s in &sent {
            let want = match s.data.get(2..4) {
                Some(b) => (usize::from(b[0]) + usize::from(b[1])) % 3,
                None => 0,
            };
            assert_eq!(s.port, want, "{s:?}");
        }
        // Four outputs: the folded sum.
        h.set_ports(1, 4);
        let sent = run_push(&mut h, &cx, 0, alloc::vec![packet(1, pool)], 4);
        let d = 1 + 7;
        assert_eq!(sent[0].port, (d ^ (d >> 4)) & 3);
        assert!(!on_port(&sent, sent[0].port).is_empty());
    }

    #[test]
    fn batch_path_equals_packet_path() {
        for n in [1, 2, 3, 4, 8] {
            let mut h = HashSwitch::configure("2, 2").unwrap();
            h.set_ports(1, n);
            check_batch_path(&h, 0, n, packet);
        }
    }
}
