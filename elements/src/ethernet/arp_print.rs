//! # ARPPrint — pretty-prints ARP packets a la tcpdump
//!
//! ```click
//! ARPPrint([LABEL, KEYWORDS])
//! ```
//!
//! Ports: 1 input, 1 output (`1/1`). Processing: agnostic (`a/a`).
//!
//! Expects ARP packets with the network header set to the ARP header (as
//! after `Classifier(12/0806) -> MarkMACHeader(0, 14)` or CheckARPHeader).
//! Prints one tcpdump-like line per packet and passes it on unchanged:
//!
//! ```text
//! label: 1700000000.123456: arp who-has 10.0.0.2 tell 10.0.0.1
//! ```
//!
//! Requests print as `arp who-has T [(MAC)] tell S`, replies as
//! `arp reply S is-at MAC`, and the RARP and InARP operations as tcpdump
//! names them. Packets without a network header pass without a line.
//!
//! ## Keywords
//! - `LABEL` *text* — prefix of each line.
//! - `TIMESTAMP` *boolean* — print the timestamp. Default true.
//! - `ETHER` *boolean* — print the Ethernet addresses (`src > dst: `) when
//!   a 14-byte header lies in front of the ARP header. Default false.
//! - `ACTIVE` *boolean* — print at all. Default true.
//! - `OUTFILE` *file* — write the lines to this file instead of the
//!   console.
//!
//! ## Handlers
//! - `active` (read/write) — the ACTIVE setting.
//!
//! ## Examples
//! ```click
//! FromDevice(eth0) -> c :: Classifier(12/0806, -);
//! c[0] -> MarkMACHeader(0, 14) -> ARPPrint(in) -> Discard;
//! ```
//!
//! ## Differences from Click
//! - Click prints nothing for ARP of another protocol or address size
//!   (it builds the `arp-#op for proto #p` line and drops it); nfc prints
//!   that line.
//! - Timestamps print with microseconds.

use alloc::string::{String, ToString};
use core::fmt::Write;
use core::net::Ipv4Addr;

use nfc_dataplane::args::{Args, ConfigErrors};
use nfc_dataplane::element::{Context, Element, HandlerError, Out};
use nfc_dataplane::packet::Packet;
use nfc_dataplane::parse::{self, EtherAddress};

use crate::ip::ip_print::Line;
use crate::standard::discard::bool_value;
use crate::{ElementSpec, Ports};

/// Bytes of the fixed ARP header (hardware/protocol types and sizes, op).
const ARP_HDR: usize = 8;
/// Bytes of an Ethernet/IPv4 ARP packet.
const ETHER_ARP: usize = 28;

/// ARPPrint's configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ARPPrint {
    /// Line prefix.
    pub label: String,
    /// Print the timestamp.
    pub timestamp: bool,
    /// Print the Ethernet addresses.
    pub ether: bool,
    /// Print at all.
    pub active: bool,
    /// Output file, if any.
    pub outfile: Option<String>,
    /// Whether the output file was started (the first line replaces it).
    started: bool,
}

impl ARPPrint {
    /// Parses `ARPPrint([LABEL, KEYWORDS])`.
    pub fn configure(config: &str) -> Result<Self, ConfigErrors> {
        let mut args = Args::new(config);
        let label = args.read_p("LABEL", parse::string).unwrap_or_default();
        let timestamp = args.read("TIMESTAMP", parse::boolean).unwrap_or(true);
        let ether = args.read("ETHER", parse::boolean).unwrap_or(false);
        let active = args.read("ACTIVE", parse::boolean).unwrap_or(true);
        let outfile = args.read("OUTFILE", parse::string);
        args.complete()?;
        Ok(ARPPrint {
            label,
            timestamp,
            ether,
            active,
            outfile,
            started: false,
        })
    }

    /// Writes `p`'s line to `l`.
    fn line(&self, l: &mut Line, p: &Packet, arp: &[u8]) -> core::fmt::Result {
        if !self.label.is_empty() {
            write!(l, "{}: ", self.label)?;
        }
        if self.timestamp {
            let ns = p.timestamp();
            write!(
                l,
                "{}.{:06}: ",
                ns / 1_000_000_000,
                ns % 1_000_000_000 / 1000
            )?;
        }
        if self.ether {
            let net = p.network_offset().unwrap_or(0);
            if net >= 14 {
                let d = p.data();
                let mac = |at: usize| {
                    let mut m = [0; 6];
                    m.copy_from_slice(&d[at..at + 6]);
                    EtherAddress(m)
                };
                write!(l, "{} > {}: ", mac(net - 8), mac(net - 14))?;
            }
        }
        if arp.len() < ETHER_ARP {
            return write!(l, "truncated-arp ({})", arp.len());
        }
        let be16 = |at: usize| u16::from_be_bytes([arp[at], arp[at + 1]]);
        let (hrd, pro, hln, pln, op) = (be16(0), be16(2), arp[4], arp[5], be16(6));
        if (pro != 0x0800 && pro != 0x1000) || pln != 4 || hln == 0 {
            return write!(
                l,
                "arp-#{op} for proto #{pro} ({pln}) hardware #{hrd} ({hln})"
            );
        }
        // Addresses at their places for the sizes given.
        let (h, at) = (usize::from(hln), ARP_HDR);
        let field = |off: usize, n: usize| arp.get(off..off + n);
        let mac = |off: usize| {
            field(off, 6).map_or(EtherAddress::default(), |b| {
                let mut m = [0; 6];
                m.copy_from_slice(b);
                EtherAddress(m)
            })
        };
        let ip = |off: usize| {
            field(off, 4).map_or(Ipv4Addr::UNSPECIFIED, |b| {
                Ipv4Addr::new(b[0], b[1], b[2], b[3])
            })
        };
        let (sha, spa, tha, tpa) = (at, at + h, at + h + 4, at + 2 * h + 4);
        if pro == 0x1000 {
            l.write_str("trailer-")?;
        }
        match op {
            1 => {
                write!(l, "arp who-has {}", ip(tpa))?;
                if field(tha, h).is_some_and(|b| b.iter().any(|&x| x != 0)) {
                    write!(l, " ({})", mac(tha))?;
                }
                write!(l, " tell {}", ip(spa))?;
            }
            2 => write!(l, "arp reply {} is-at {}", ip(spa), mac(sha))?,
            3 => write!(l, "rarp who-is {} tell {}", mac(tha), mac(sha))?,
            4 => write!(l, "rarp reply {} at {}", mac(tha), ip(tpa))?,
            8 => write!(l, "invarp who-is {} tell {}", mac(tha), mac(sha))?,
            9 => write!(l, "invarp reply {} at {}", mac(tha), ip(tpa))?,
            op => write!(l, "arp-#{op}")?,
        }
        if hrd != 1 {
            write!(l, "hardware #{hrd}")?;
        }
        Ok(())
    }
}

impl Element for ARPPrint {
    fn process(&mut self, cx: &Context, _input: usize, p: &mut Packet) -> Out {
        if !self.active {
            return Out::Port(0);
        }
        let Some(arp) = p.network() else {
            return Out::Port(0);
        };
        let mut l = Line::new();
        let _ = self.line(&mut l, p, arp);
        match &self.outfile {
            Some(file) => {
                let text = alloc::format!("{}\n", l.as_str());
                if let Err(e) = cx.console.print(Some(file), self.started, &text) {
                    cx.console.line(&alloc::format!("ARPPrint: {e}"));
                }
                self.started = true;
            }
            None => cx.console.line(l.as_str()),
        }
        Out::Port(0)
    }

    fn read_handler(&self, name: &str) -> Result<String, HandlerError> {
        match name {
            "active" => Ok(self.active.to_string()),
            _ => Err(HandlerError::NoSuchHandler),
        }
    }

    fn write_handler(&mut self, name: &str, value: &str) -> Result<(), HandlerError> {
        match name {
            "active" => self.active = bool_value(value)?,
            _ => return Err(HandlerError::NoSuchHandler),
        }
        Ok(())
    }
}

/// ARPPrint's spec.
pub const SPEC: ElementSpec = ElementSpec {
    class: "ARPPrint",
    port_count: "1/1",
    processing: "a/a",
    flow_code: "x/x",
    keywords: &["LABEL", "TIMESTAMP", "ETHER", "ACTIVE", "OUTFILE"],
    handlers: &["active (read/write)"],
    summary: "pretty-prints ARP packets a la tcpdump",
    source: include_str!("arp_print.rs"),
    check: |c| ARPPrint::configure(c).map(|_| Ports::DECLARED),
};

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec::Vec;
    use nfc_dataplane::element::Captured;

    /// An Ethernet ARP frame: `op`, sender 10.0.0.1 at 00:..:01, target
    /// 10.0.0.2 at `tha`.
    fn frame(op: u16, tha: [u8; 6]) -> Vec<u8> {
        let mut f = Vec::new();
        f.extend_from_slice(&[0xff; 6]);
        f.extend_from_slice(&[0, 0, 0, 0, 0, 1]);
        f.extend_from_slice(&[0x08, 0x06, 0, 1, 0x08, 0, 6, 4]);
        f.extend_from_slice(&op.to_be_bytes());
        f.extend_from_slice(&[0, 0, 0, 0, 0, 1, 10, 0, 0, 1]);
        f.extend_from_slice(&tha);
        f.extend_from_slice(&[10, 0, 0, 2]);
        f
    }

    fn printed(config: &str, bytes: &[u8], net: Option<usize>) -> Vec<String> {
        let pool = crate::harness::pool();
        let out = Captured::leak();
        let cx = Context {
            console: out,
            ..Context::at(pool, 0)
        };
        let mut a = ARPPrint::configure(config).unwrap();
        let mut p = pool.alloc_with(bytes).unwrap();
        p.set_timestamp(1_000_002_500);
        if let Some(n) = net {
            p.set_network_header(n, 28);
        }
        assert_eq!(a.process(&cx, 0, &mut p), Out::Port(0));
        out.take()
    }

    #[test]
    fn configure() {
        let a = ARPPrint::configure("x, ETHER true, TIMESTAMP false").unwrap();
        assert_eq!(
            (a.label.as_str(), a.ether, a.timestamp, a.active),
            ("x", true, false, true)
        );
        assert!(ARPPrint::configure("ETHER 3").is_err());
    }

    #[test]
    fn prints_requests_and_replies_as_tcpdump() {
        let f = frame(1, [0; 6]);
        assert_eq!(
            printed("", &f, Some(14)),
            ["1.000002: arp who-has 10.0.0.2 tell 10.0.0.1"]
        );
        let f = frame(1, [0, 0, 0, 0, 0, 9]);
        assert_eq!(
            printed("in, TIMESTAMP false, ETHER true", &f, Some(14)),
            ["in: 00:00:00:00:00:01 > ff:ff:ff:ff:ff:ff: arp who-has 10.0.0.2 (00:00:00:00:00:09) tell 10.0.0.1"]
        );
        let f = frame(2, [0; 6]);
        assert_eq!(
            printed("TIMESTAMP false", &f, Some(14)),
            ["arp reply 10.0.0.1 is-at 00:00:00:00:00:01"]
        );
        assert_eq!(
            printed("TIMESTAMP false", &f[..30], Some(14)),
            ["truncated-arp (16)"]
        );
        let mut odd = frame(7, [0; 6]);
        odd[16] = 0x86;
        assert_eq!(
            printed("TIMESTAMP false", &odd, Some(14)),
            ["arp-#7 for proto #34304 (4) hardware #1 (6)"]
        );
        assert!(printed("", &f, None).is_empty(), "no network header");
        assert!(printed("ACTIVE false", &f, Some(14)).is_empty());
    }
}
