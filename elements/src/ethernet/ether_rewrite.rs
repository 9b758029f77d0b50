//! # EtherRewrite — rewrites Ethernet packet addresses
//!
//! ```click
//! EtherRewrite(SRC, DST)
//! ```
//!
//! Ports: 1 input, 1 output (`1/1`). Processing: agnostic (`a/a`).
//!
//! Overwrites the source and destination addresses of every packet's
//! Ethernet header with SRC and DST, leaving the type and payload alone.
//! Packets shorter than an Ethernet header are dropped.
//!
//! ## Keywords
//! - `SRC` *Ethernet address* — the new source address; mandatory.
//! - `DST` *Ethernet address* — the new destination address; mandatory.
//!
//! ## Handlers
//! - `src` (read/write), `dst` (read/write) — the addresses.
//! - `drops` (read) — packets dropped for being too short.
//!
//! ## Examples
//! ```click
//! FromDevice(eth0) -> EtherRewrite(00:11:22:33:44:55, 66:77:88:99:aa:bb) -> Queue -> ToDevice(eth1);
//! ```
//!
//! ## Differences from Click
//! - AddressInfo names are not looked up yet.
//! - Click does not check the length; nfc drops frames shorter than 14
//!   bytes and counts them in `drops`, a handler Click does not have.

use alloc::string::{String, ToString};
use nfc_dataplane::args::{Args, ConfigErrors};
use nfc_dataplane::element::{Context, Element, HandlerError, Out};
use nfc_dataplane::packet::Packet;
use nfc_dataplane::parse::{self, EtherAddress};

use super::handler_value;
use super::headers::set_addresses;
use crate::{ElementSpec, Ports};

/// EtherRewrite: its configuration and its drop count.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EtherRewrite {
    /// The new source address.
    pub src: EtherAddress,
    /// The new destination address.
    pub dst: EtherAddress,
    /// Frames dropped for being shorter than an Ethernet header.
    drops: u64,
}

impl EtherRewrite {
    /// Parses EtherRewrite's configuration string.
    pub fn configure(config: &str) -> Result<Self, ConfigErrors> {
        let mut args = Args::new(config);
        let src = args.read_mp("SRC", parse::ether);
        let dst = args.read_mp("DST", parse::ether);
        args.complete()?;
        Ok(EtherRewrite {
            src: src.unwrap_or_default(),
            dst: dst.unwrap_or_default(),
            drops: 0,
        })
    }

    #[inline]
    fn rewrite(&mut self, p: &mut Packet) -> bool {
        let ok = set_addresses(p.data_mut(), self.src, self.dst);
        self.drops += u64::from(!ok);
        ok
    }
}

impl Element for EtherRewrite {
    #[inline]
    fn process(&mut self, _cx: &Context, _input: usize, p: &mut Packet) -> Out {
        if self.rewrite(p) {
            Out::Port(0)
        } else {
            Out::Drop
        }
    }

    fn read_handler(&self, name: &str) -> Result<String, HandlerError> {
        Ok(match name {
            "src" => self.src.to_string(),
            "dst" => self.dst.to_string(),
            "drops" => self.drops.to_string(),
            _ => return Err(HandlerError::NoSuchHandler),
        })
    }

    fn write_handler(&mut self, name: &str, value: &str) -> Result<(), HandlerError> {
        match name {
            "src" => self.src = handler_value(value, parse::ether)?,
            "dst" => self.dst = handler_value(value, parse::ether)?,
            _ => return Err(HandlerError::NoSuchHandler),
        }
        Ok(())
    }
}

/// EtherRewrite's spec.
pub const SPEC: ElementSpec = ElementSpec {
    class: "EtherRewrite",
    port_count: "1/1",
    processing: "a/a",
    flow_code: "x/x",
    keywords: &["SRC", "DST"],
    handlers: &["src (read/write)", "dst (read/write)", "drops (read)"],
    summary: "rewrites Ethernet packet addresses",
    source: include_str!("ether_rewrite.rs"),
    check: |c| EtherRewrite::configure(c).map(|_| Ports::DECLARED),
};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::harness::{self, check_batch_path, run_push};
    use crate::standard::testing::{errors, has};

    #[test]
    fn values() {
        let e = EtherRewrite::configure("SRC 0:0:0:0:0:1, DST 0-0-0-0-0-2").unwrap();
        assert_eq!(e.src, EtherAddress([0, 0, 0, 0, 0, 1]));
        assert_eq!(e.dst, EtherAddress([0, 0, 0, 0, 0, 2]));
    }

    #[test]
    fn bad_values() {
        let cfg = "0:0:0:0:0:1, zz:0:0:0:0:2, extra";
        let errs = errors(cfg, EtherRewrite::configure(cfg));
        assert_eq!(errs.len(), 2, "{errs:?}");
        assert!(has(&errs, "", "zz:0:0:0:0:2"), "{errs:?}");
        assert!(has(&errs, "too many", "extra"), "{errs:?}");
    }

    #[test]
    fn rewrites_addresses_and_drops_short_frames() {
        let mut e = EtherRewrite::configure("1:1:1:1:1:1, 2:2:2:2:2:2").unwrap();
        let pool = harness::pool();
        let frame: alloc::vec::Vec<u8> = (0..20).collect();
        let sent = run_push(
            &mut e,
            &harness::cx(pool),
            0,
            alloc::vec![
                pool.alloc_with(&frame[..12]).unwrap(),
                pool.alloc_with(&frame).unwrap(),
            ],
            1,
        );
        assert_eq!(sent.len(), 1);
        assert_eq!(&sent[0].data[..12], &[2, 2, 2, 2, 2, 2, 1, 1, 1, 1, 1, 1]);
        assert_eq!(&sent[0].data[12..], &frame[12..]);
        assert_eq!(e.read_handler("drops"), Ok("1".into()));
        e.write_handler("src", "0:0:0:0:0:9").unwrap();
        assert_eq!(e.read_handler("src"), Ok("00:00:00:00:00:09".into()));
        assert_eq!(e.read_handler("dst"), Ok("02:02:02:02:02:02".into()));
        assert!(e.write_handler("dst", "1.2.3.4").is_err());
        assert_eq!(e.write_handler("x", ""), Err(HandlerError::NoSuchHandler));
    }

    #[test]
    fn batch_path_equals_packet_path() {
        let e = EtherRewrite::configure("1:1:1:1:1:1, 2:2:2:2:2:2").unwrap();
        check_batch_path(&e, 0, 1, |i, pool| {
            let mut p = pool.alloc_with(&alloc::vec![i as u8; i]).unwrap();
            p.set_paint(i as u8);
            p
        });
    }
}
