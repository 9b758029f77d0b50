//! # UDPIPEncap — encapsulates packets in static UDP/IP headers
//!
//! ```click
//! UDPIPEncap(SRC, SPORT, DST, DPORT [, CHECKSUM])
//! ```
//!
//! Ports: 1 input, 1 output (`1/1`). Processing: agnostic (`a/a`).
//!
//! Prepends a UDP header and an IPv4 header (TTL 250, fresh IP ID) to each
//! packet, with source SRC:SPORT and destination DST:DPORT, and sets the IP
//! header annotation. DST may be `DST_ANNO` to use the packet's destination
//! IP annotation.
//!
//! ## Keywords
//! - `SRC` *ADDR*, `SPORT` *PORT*, `DST` *ADDR|DST_ANNO*, `DPORT` *PORT* —
//!   the addresses and ports (numbers or well-known names). Mandatory.
//! - `CHECKSUM` *BOOL* — compute the UDP checksum. Default true.
//!
//! ## Handlers
//! None.
//!
//! ## Examples
//! ```click
//! InfiniteSource(LIMIT 5) -> UDPIPEncap(10.0.0.1, 1234, 10.0.0.2, 53) -> ...
//! ```
//!
//! ## Differences from Click
//! None.

use core::net::Ipv4Addr;

use nfc_dataplane::args::{Args, ConfigErrors};
use nfc_dataplane::parse::{self, ParseError};

use crate::ip::arg_types::port;

use crate::{ElementSpec, Ports};

/// UDPIPEncap's configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UDPIPEncap {
    /// Source address.
    pub src: Ipv4Addr,
    /// Source port.
    pub sport: u16,
    /// Destination address; `None` means the destination IP annotation.
    pub dst: Option<Ipv4Addr>,
    /// Destination port.
    pub dport: u16,
    /// Compute the UDP checksum.
    pub checksum: bool,
}

fn dst(s: &str) -> Result<Option<Ipv4Addr>, ParseError> {
    if s == "DST_ANNO" {
        Ok(None)
    } else {
        parse::ipv4(s)
            .map(Some)
            .map_err(|e| e.with_hint("DST is an IP address or DST_ANNO"))
    }
}

impl UDPIPEncap {
    /// Parses `UDPIPEncap(SRC, SPORT, DST, DPORT [, CHECKSUM])`.
    pub fn configure(config: &str) -> Result<Self, ConfigErrors> {
        let mut args = Args::new(config);
        let src = args.read_mp("SRC", parse::ipv4);
        let sport = args.read_mp("SPORT", port);
        let dst = args.read_mp("DST", dst);
        let dport = args.read_mp("DPORT", port);
        let checksum = args.read_p("CHECKSUM", parse::boolean).unwrap_or(true);
        args.complete()?;
        Ok(UDPIPEncap {
            src: src.unwrap_or(Ipv4Addr::UNSPECIFIED),
            sport: sport.unwrap_or(0),
            dst: dst.flatten(),
            dport: dport.unwrap_or(0),
            checksum,
        })
    }
}

/// UDPIPEncap's spec.
pub const SPEC: ElementSpec = ElementSpec {
    class: "UDPIPEncap",
    port_count: "1/1",
    processing: "a/a",
    flow_code: "x/x",
    keywords: &["SRC", "SPORT", "DST", "DPORT", "CHECKSUM"],
    handlers: &[],
    summary: "encapsulates packets in static UDP/IP headers",
    source: include_str!("udp_ip_encap.rs"),
    check: |c| UDPIPEncap::configure(c).map(|_| Ports::DECLARED),
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn configure() {
        let c = UDPIPEncap::configure("10.0.0.1, 1234, 10.0.0.2, domain").unwrap();
        assert_eq!((c.sport, c.dport, c.checksum), (1234, 53, true));
        assert_eq!(c.dst, Some(Ipv4Addr::new(10, 0, 0, 2)));
        let c = UDPIPEncap::configure("10.0.0.1, 1, DST_ANNO, 2, false").unwrap();
        assert_eq!((c.dst, c.checksum), (None, false));
        let cfg = "10.0.0.1, 70000, 10.0.0.2";
        let e = UDPIPEncap::configure(cfg).unwrap_err().0;
        assert_eq!(e.len(), 2);
        assert_eq!(&cfg[e[0].span.clone().unwrap()], "70000");
        assert_eq!(e[1].message, "DPORT: missing mandatory argument");
    }
}
