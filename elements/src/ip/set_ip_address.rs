//! # SetIPAddress — sets destination IP address annotations
//!
//! ```click
//! SetIPAddress(IPADDR [, ANNO])
//! ```
//!
//! Ports: 1 input, 1 output (`1/1`). Processing: agnostic (`a/a`).
//!
//! Sets the destination IP address annotation of every packet (or the
//! annotation named by ANNO) to IPADDR, e.g. before ARPQuerier.
//!
//! ## Keywords
//! - `IPADDR` *ADDR* — the address. Mandatory.
//! - `ANNO` *ANNO* — annotation to set: a 4-byte annotation name or a byte
//!   offset, as for GetIPAddress. Default the destination IP annotation.
//!
//! ## Handlers
//! None.
//!
//! ## Examples
//! ```click
//! ... -> SetIPAddress(10.0.0.1) -> arpq :: ARPQuerier(...)
//! ```
//!
//! ## Differences from Click
//! None.

use alloc::string::String;
use core::net::Ipv4Addr;

use nfc_dataplane::args::{Args, ConfigErrors};
use nfc_dataplane::element::{Context, Element, Out};
use nfc_dataplane::packet::Packet;
use nfc_dataplane::parse;

use super::get_ip_address::read_anno;

use crate::{ElementSpec, Ports};

/// SetIPAddress's configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SetIPAddress {
    /// The address stored.
    pub addr: Ipv4Addr,
    /// The annotation set, if not the destination IP annotation.
    pub anno: Option<String>,
    /// Byte offset of that annotation.
    anno_offset: usize,
}

impl SetIPAddress {
    /// Parses `SetIPAddress(IPADDR [, ANNO])`.
    pub fn configure(config: &str) -> Result<Self, ConfigErrors> {
        let mut args = Args::new(config);
        let addr = args.read_mp("IPADDR", parse::ipv4);
        let (anno, anno_offset) = read_anno(&mut args, "ANNO", false);
        args.complete()?;
        Ok(SetIPAddress {
            addr: addr.unwrap_or(Ipv4Addr::UNSPECIFIED),
            anno,
            anno_offset,
        })
    }
}

impl Element for SetIPAddress {
    #[inline]
    fn process(&mut self, _cx: &Context, _input: usize, p: &mut Packet) -> Out {
        let at = self.anno_offset;
        p.anno_mut()[at..at + 4].copy_from_slice(&self.addr.octets());
        Out::Port(0)
    }
}

/// SetIPAddress's spec.
pub const SPEC: ElementSpec = ElementSpec {
    class: "SetIPAddress",
    port_count: "1/1",
    processing: "a/a",
    flow_code: "x/x",
    keywords: &["IPADDR", "ANNO"],
    handlers: &[],
    summary: "sets destination IP address annotations",
    source: include_str!("set_ip_address.rs"),
    check: |c| SetIPAddress::configure(c).map(|_| Ports::DECLARED),
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn configure() {
        assert_eq!(
            SetIPAddress::configure("10.0.0.1").unwrap().addr,
            Ipv4Addr::new(10, 0, 0, 1)
        );
        let cfg = "10.0.0.256, ANNO a b";
        let e = SetIPAddress::configure(cfg).unwrap_err().0;
        assert_eq!(e.len(), 2);
        assert_eq!(&cfg[e[0].span.clone().unwrap()], "10.0.0.256");
        assert_eq!(&cfg[e[1].span.clone().unwrap()], "a b");
        let cfg = "10.0.0.1, ANNO 46";
        let e = SetIPAddress::configure(cfg).unwrap_err().0;
        assert_eq!(&cfg[e[0].span.clone().unwrap()], "46");
    }

    use crate::harness::{self, check_batch_path, run_push};

    #[test]
    fn sets_the_annotation() {
        let pool = harness::pool();
        let cx = harness::cx(pool);
        let mut s = SetIPAddress::configure("10.0.0.9").unwrap();
        let sent = run_push(
            &mut s,
            &cx,
            0,
            (0..5).map(|i| pool.alloc_with(&[i; 3]).unwrap()).collect(),
            1,
        );
        assert!(sent.iter().all(|s| s.dst_ip == Ipv4Addr::new(10, 0, 0, 9)));
        let mut s = SetIPAddress::configure("10.0.0.9, ANNO MISC_IP").unwrap();
        let mut p = pool.alloc().unwrap();
        assert_eq!(s.process(&cx, 0, &mut p), Out::Port(0));
        assert_eq!(p.anno()[20..24], [10, 0, 0, 9]);
        assert_eq!(p.dst_ip(), Ipv4Addr::UNSPECIFIED);
    }

    #[test]
    fn batch_path_equals_packet_path() {
        let s = SetIPAddress::configure("10.0.0.9").unwrap();
        check_batch_path(&s, 0, 1, |i, pool| {
            let mut p = pool.alloc_with(&[0; 40][..i % 40]).unwrap();
            p.set_dst_ip(Ipv4Addr::new(1, 1, 1, i as u8));
            p
        });
    }
}
