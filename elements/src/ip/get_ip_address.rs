//! # GetIPAddress — sets destination IP address annotation from packet data
//!
//! ```click
//! GetIPAddress(OFFSET [, ANNO])
//! GetIPAddress(IP src|dst [, ANNO])
//! ```
//!
//! Ports: 1 input, 1 output (`1/1`). Processing: agnostic (`a/a`).
//!
//! Copies four bytes of the packet, taken OFFSET bytes into the packet or
//! from the IP header's source or destination field (`IP src`, `IP dst`),
//! into the destination IP address annotation (or the annotation named by
//! ANNO). Exactly one of OFFSET and IP must be given. With `IP src|dst`
//! the IP header annotation must be set.
//!
//! ## Keywords
//! - `OFFSET` *N* — byte offset of the address.
//! - `IP` *src|dst* — take the address from the IP header instead.
//! - `ANNO` *ANNO* — annotation to set: a 4-byte annotation name
//!   (`DST_IP`, `MISC_IP`, `AGGREGATE`, `EXTRA_LENGTH`, `PACKET_NUMBER`,
//!   each also accepted with an `_ANNO` suffix) or a byte offset 0–44.
//!   Default the destination IP annotation.
//!
//! ## Handlers
//! None.
//!
//! ## Examples
//! ```click
//! GetIPAddress(16)
//! GetIPAddress(IP dst)
//! ```
//!
//! ## Differences from Click
//! - A packet too short to hold the address (OFFSET + 4 bytes, or an IP
//!   header for `IP src|dst`) is dropped and counted instead of read past
//!   its end.

use alloc::string::String;

use nfc_dataplane::args::{Args, ConfigError, ConfigErrors};
use nfc_dataplane::element::{Context, Element, Out};
use nfc_dataplane::packet::{Packet, ANNO_SIZE, DST_IP_ANNO};
use nfc_dataplane::parse::{self, ParseError};

use super::arg_types::anno;

use crate::{ElementSpec, Ports};

/// Where GetIPAddress reads the address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AddressSource {
    /// A byte offset into the packet data.
    Offset(u32),
    /// The IP header's source address.
    IpSrc,
    /// The IP header's destination address.
    IpDst,
}

/// GetIPAddress's configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GetIPAddress {
    /// Where the address comes from.
    pub source: AddressSource,
    /// The annotation set, if not the destination IP annotation.
    pub anno: Option<String>,
    /// Byte offset of that annotation.
    anno_offset: usize,
    /// Packets too short to hold the address.
    drops: u64,
}

/// Click's 4-byte annotations that hold an address or a 32-bit value, by
/// name, with their byte offsets in the annotation area.
const WORD_ANNOS: &[(&str, usize)] = &[
    ("DST_IP", DST_IP_ANNO),
    ("MISC_IP", 20),
    ("AGGREGATE", 20),
    ("EXTRA_LENGTH", 28),
    ("PACKET_NUMBER", 32),
];

/// The byte offset of the 4-byte annotation `name` (Click's `AnnoArg(4)`):
/// a name of [`WORD_ANNOS`], with or without an `_ANNO` suffix, or a byte
/// offset whose four bytes fit in the annotation area.
pub(crate) fn word_anno_offset(name: &str) -> Result<usize, ParseError> {
    let bare = name.strip_suffix("_ANNO").unwrap_or(name);
    if let Some(&(_, off)) = WORD_ANNOS.iter().find(|(n, _)| *n == bare) {
        return Ok(off);
    }
    match parse::unsigned::<usize>(name) {
        Ok(off) if off + 4 <= ANNO_SIZE => Ok(off),
        Ok(off) => Err(ParseError::new(alloc::format!(
            "annotation offset {off} leaves no room for 4 bytes"
        ))
        .with_hint("a 4-byte annotation starts at offset 0 to 44")),
        Err(_) => Err(
            ParseError::new(alloc::format!("{name} is not a 4-byte annotation")).with_hint(
                "use DST_IP, MISC_IP, AGGREGATE, EXTRA_LENGTH, PACKET_NUMBER or an offset",
            ),
        ),
    }
}

/// Reads the optional annotation argument `name` the way GetIPAddress and
/// SetIPAddress take it: the name as written, and its offset (the
/// destination IP annotation when absent).
pub(crate) fn read_anno(
    args: &mut Args,
    name: &'static str,
    positional: bool,
) -> (Option<String>, usize) {
    let written = if positional {
        args.read_p(name, anno)
    } else {
        args.read(name, anno)
    };
    let offset = match written.as_deref().map(word_anno_offset) {
        None => DST_IP_ANNO,
        Some(Ok(off)) => off,
        Some(Err(e)) => {
            let mut err =
                ConfigError::new(args.span_of(name), alloc::format!("{name}: {}", e.message));
            err.hint = e.hint;
            args.error(err);
            DST_IP_ANNO
        }
    };
    (written, offset)
}

fn src_or_dst(s: &str) -> Result<AddressSource, ParseError> {
    match s {
        "src" => Ok(AddressSource::IpSrc),
        "dst" => Ok(AddressSource::IpDst),
        _ => Err(ParseError::expected("'src' or 'dst'", s)),
    }
}

impl GetIPAddress {
    /// Parses GetIPAddress's configuration.
    pub fn configure(config: &str) -> Result<Self, ConfigErrors> {
        let mut args = Args::new(config);
        let offset = args.read_p("OFFSET", parse::unsigned::<u32>);
        let (anno, anno_offset) = read_anno(&mut args, "ANNO", true);
        let ip = args.read("IP", src_or_dst);
        let source = match (offset, ip) {
            (Some(o), None) => Some(AddressSource::Offset(o)),
            (None, Some(s)) => Some(s),
            (o, i) => {
                if args.ok() {
                    let span = if o.is_some() {
                        args.span_of("IP")
                    } else {
                        None
                    };
                    args.error(
                        ConfigError::new(span, "give exactly one of OFFSET and IP")
                            .with_hint("e.g. GetIPAddress(16) or GetIPAddress(IP dst)"),
                    );
                }
                let _ = i;
                None
            }
        };
        args.complete()?;
        Ok(GetIPAddress {
            source: source.unwrap_or(AddressSource::IpDst),
            anno,
            anno_offset,
            drops: 0,
        })
    }

    /// Packets dropped because they were too short to hold the address.
    pub fn drops(&self) -> u64 {
        self.drops
    }
}

impl Element for GetIPAddress {
    #[inline]
    fn process(&mut self, _cx: &Context, _input: usize, p: &mut Packet) -> Out {
        let found = match self.source {
            AddressSource::Offset(o) => {
                let o = o as usize;
                p.data().get(o..o.saturating_add(4))
            }
            AddressSource::IpSrc => p.network().and_then(|ip| ip.get(12..16)),
            AddressSource::IpDst => p.network().and_then(|ip| ip.get(16..20)),
        };
        let Some(&[a, b, c, d]) = found else {
            self.drops += 1;
            return Out::Drop;
        };
        let at = self.anno_offset;
        p.anno_mut()[at..at + 4].copy_from_slice(&[a, b, c, d]);
        Out::Port(0)
    }
}

/// GetIPAddress's spec.
pub const SPEC: ElementSpec = ElementSpec {
    class: "GetIPAddress",
    port_count: "1/1",
    processing: "a/a",
    flow_code: "x/x",
    keywords: &["OFFSET", "ANNO", "IP"],
    handlers: &[],
    summary: "sets destination IP address annotation from packet data",
    source: include_str!("get_ip_address.rs"),
    check: |c| GetIPAddress::configure(c).map(|_| Ports::DECLARED),
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn configure() {
        assert_eq!(
            GetIPAddress::configure("16").unwrap().source,
            AddressSource::Offset(16)
        );
        assert_eq!(
            GetIPAddress::configure("IP dst").unwrap().source,
            AddressSource::IpDst
        );
        let c = GetIPAddress::configure("IP src, ANNO 4").unwrap();
        assert_eq!(
            (c.source, c.anno.as_deref()),
            (AddressSource::IpSrc, Some("4"))
        );
        let cfg = "16, IP dst";
        let e = GetIPAddress::configure(cfg).unwrap_err().0;
        assert_eq!(e[0].message, "give exactly one of OFFSET and IP");
        assert_eq!(&cfg[e[0].span.clone().unwrap()], "dst");
        assert!(GetIPAddress::configure("").is_err());
        let e = GetIPAddress::configure("IP both").unwrap_err().0;
        assert_eq!(e.len(), 1);
    }

    #[test]
    fn annotation_names() {
        assert_eq!(word_anno_offset("DST_IP"), Ok(0));
        assert_eq!(word_anno_offset("DST_IP_ANNO"), Ok(0));
        assert_eq!(word_anno_offset("MISC_IP"), Ok(20));
        assert_eq!(word_anno_offset("44"), Ok(44));
        assert!(word_anno_offset("45").is_err());
        assert!(word_anno_offset("PAINTX").is_err());
        let cfg = "16, NOPE";
        let e = GetIPAddress::configure(cfg).unwrap_err().0;
        assert_eq!(&cfg[e[0].span.clone().unwrap()], "NOPE");
        assert!(e[0].message.starts_with("ANNO:"), "{:?}", e[0]);
    }

    use crate::harness::{self, check_batch_path, on_port, run_push};
    use crate::ip::ip_header::testing::{marked, udp};
    use core::net::Ipv4Addr;

    /// UDP packets behind a 2-byte link header, every fifth cut short.
    fn packet(i: usize, pool: &'static nfc_dataplane::packet::PacketPool) -> Packet {
        let mut f = alloc::vec![0xee, i as u8];
        f.extend(udp([10, 0, 0, i as u8], [10, 1, 0, i as u8], 1, 2, &[0; 4]));
        if i % 5 == 3 {
            f.truncate(2 + 14);
        }
        let mut p = marked(pool, &f, 2);
        p.set_paint(i as u8);
        p
    }

    #[test]
    fn copies_addresses_into_annotations() {
        let pool = harness::pool();
        let cx = harness::cx(pool);
        let mut g = GetIPAddress::configure("IP src").unwrap();
        let sent = run_push(
            &mut g,
            &cx,
            0,
            (0..10).map(|i| packet(i, pool)).collect(),
            1,
        );
        assert_eq!(on_port(&sent, 0).len(), 8);
        assert_eq!(g.drops(), 2);
        for s in &sent {
            assert_eq!(s.dst_ip, Ipv4Addr::new(10, 0, 0, s.data[1]));
        }
        let mut g = GetIPAddress::configure("OFFSET 18").unwrap();
        let mut p = packet(4, pool);
        assert_eq!(g.process(&cx, 0, &mut p), Out::Port(0));
        assert_eq!(p.dst_ip(), Ipv4Addr::new(10, 1, 0, 4));
        let mut g = GetIPAddress::configure("IP dst, ANNO MISC_IP").unwrap();
        let mut p = packet(5, pool);
        g.process(&cx, 0, &mut p);
        assert_eq!(p.anno()[20..24], [10, 1, 0, 5]);
        assert_eq!(p.dst_ip(), Ipv4Addr::UNSPECIFIED);
        let mut short = pool.alloc_with(&[1, 2, 3]).unwrap();
        assert_eq!(g.process(&cx, 0, &mut short), Out::Drop, "no IP header");
    }

    #[test]
    fn batch_path_equals_packet_path() {
        for cfg in ["IP src", "IP dst", "18", "20, 4"] {
            let g = GetIPAddress::configure(cfg).unwrap();
            check_batch_path(&g, 0, 1, packet);
        }
    }
}
