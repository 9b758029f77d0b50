//! # IPClassifier — classifies IP packets by contents
//!
//! ```click
//! IPClassifier(PATTERN_1, ..., PATTERN_N)
//! ```
//!
//! Ports: 1 input, N outputs (`1/-`), one per pattern. Processing: push (`h/h`).
//!
//! Sends each packet to the output of the first pattern it matches; packets
//! matching no pattern are dropped. Input packets must have their IP header
//! annotation set (CheckIPHeader or MarkIPHeader do that).
//!
//! Patterns use a tcpdump-like language built from primitives:
//!
//! - `[src|dst|src or dst|src and dst] host ADDR`, `… net ADDR/LEN` (or
//!   `net ADDR mask MASK`), `… [tcp|udp] port PORT` (a number or a
//!   well-known name such as `www`, `https`, `ssh`, `domain`/`dns`, `smtp`,
//!   `ntp`, `snmp`, `tftp` …); with no `src`/`dst`, either matches.
//! - `ip proto PROTO` (`tcp`, `udp`, `icmp`, `igmp`, `ipip`, `gre`, `sctp`,
//!   `dccp` or a number), `tcp opt FLAG` (`syn fin ack rst psh urg`),
//!   `tcp win N`, `icmp type TYPE` (a number or `echo`, `echo-reply`,
//!   `unreachable`, `timeexceeded`, `redirect`, …).
//! - `ip vers`, `ip hl`, `ip tos`, `ip dscp`, `ip ttl`, `ip len`, `ip id`
//!   followed by a value; `ip frag`, `ip unfrag`, `ip ect`, `ip ce`;
//!   `ip[POS:LEN] VALUE` and `tcp[POS:LEN]`, `udp[…]`, `transp[…]` for raw
//!   header bytes (LEN 1–4, within one aligned 4-byte word);
//!   `ether host ETH`; `true`, `false`.
//! - Values may be preceded by a relation `==`/`=`, `!=`, and for numbers
//!   `<`, `>`, `<=`, `>=`, and by a mask `& MASK` (`src tcp port & 10 == 8`).
//!   `tcp port != 80` matches only TCP packets, unlike `not tcp port 80`.
//!   Port, TCP flag, ICMP type and transport-byte tests match only first
//!   fragments.
//!
//! Primitives combine with `and`/`&&`, `or`/`||`, `not`/`!`, parentheses and
//! `COND ? A : B` (the colon surrounded by spaces); juxtaposed primitives
//! are ANDed. Shorthands: `tcp` for `ip proto tcp`, `www` for `port www`,
//! `syn` for `tcp opt syn`, `10.0.0.0/8` for `net 10.0.0.0/8`, `unfrag` for
//! `ip unfrag`; a bare value repeats the previous primitive
//! (`src port 80 or 443`). A pattern `-`, `any`, `all` (or an empty one)
//! matches every packet.
//!
//! ## Handlers
//! - `program` (read) — the compiled classification program.
//! - `patternN` (read/write) — pattern N; writing it reconfigures the element.
//!
//! ## Examples
//! ```click
//! IPClassifier(10.0.0.0/24 and syn, 10.0.0.0/24 and fin ack, 10.0.0.0/24 and tcp, -);
//! IPClassifier(dst tcp port 8000 or 8080, dst tcp port > 1023, tcp);
//! ```
//!
//! ## Differences from Click
//! - Names registered with AddressInfo, and protocol or service names from
//!   `/etc/protocols` and `/etc/services`, are not accepted; only Click's
//!   built-in names are.
//! - Click warns about (and ignores) `src`/`dst` on primitives that have no
//!   direction, and about relations that are always true or false; nfc
//!   accepts them silently. An operator with no value after it is an error.
//! - Parsing stops at the first error of each pattern.
//! - A primitive that needs bytes past the end of the packet does not match
//!   (its negation does), byte for byte as in Click; nfc decides this per
//!   primitive, so `port 80` on a transport header cut after the source
//!   port fails even when the source port is 80. Click skips the length
//!   check of `ip[…]` tests when the packet has bytes past its IP header
//!   (and may read past the packet); nfc checks every test.
//! - `ip proto != tcpudp` (and `transp`, `payload`) negate the protocol set;
//!   Click compares the protocol byte with a truncated constant.
//! - `payload[…]` reads the transport header, like `transp[…]`, as Click's
//!   IPFilter does.
//!
//! The patterns compile at configure time into a decision program (see the
//! `program` handler): `classify` runs it without allocating, and it agrees
//! with the reference interpreter `Expr::matches` and, through the filter
//! oracle test, with libpcap.

use alloc::vec::Vec;

use nfc_dataplane::args::{split, ConfigErrors};

use alloc::string::{String, ToString};
use nfc_dataplane::element::{Context, Element, HandlerError, Out};
use nfc_dataplane::packet::Packet;

use super::ip_classifier_eval::Headers;
use super::ip_classifier_expr::{parse_pattern, Expr};
use super::ip_classifier_program::Program;
use crate::{ElementSpec, Ports};

/// IPClassifier's configuration: one pattern per output, and the program
/// compiled from them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IPClassifier {
    patterns: Vec<Expr>,
    program: Program,
}

impl IPClassifier {
    /// Parses `PATTERN_1, ..., PATTERN_N`, reporting every bad pattern, and
    /// compiles the patterns.
    pub fn configure(config: &str) -> Result<Self, ConfigErrors> {
        let mut patterns = Vec::new();
        let mut errors = Vec::new();
        for arg in split(config) {
            match parse_pattern(&arg, config) {
                Ok(e) => patterns.push(e),
                Err(e) => errors.push(e),
            }
        }
        if errors.is_empty() {
            let program = Program::compile(patterns.iter().enumerate().map(|(i, e)| (e, Some(i))));
            Ok(IPClassifier { patterns, program })
        } else {
            Err(ConfigErrors(errors))
        }
    }

    /// The patterns, in output order.
    pub fn patterns(&self) -> &[Expr] {
        &self.patterns
    }

    /// The compiled program (what the `program` handler shows).
    pub fn program(&self) -> &Program {
        &self.program
    }

    /// The number of outputs this configuration needs.
    pub fn noutputs(&self) -> usize {
        self.patterns.len()
    }

    /// The output for the packet whose IPv4 header starts `ip` (the rest of
    /// the packet follows it), or `None` to drop it. Patterns on Ethernet
    /// addresses do not match; see [`classify_ether`](Self::classify_ether).
    #[inline]
    pub fn classify(&self, ip: &[u8]) -> Option<usize> {
        self.program.run(&Headers::ip(ip))
    }

    /// As [`classify`](Self::classify), for a packet whose link header is
    /// `ether` (destination and source MAC addresses first).
    #[inline]
    pub fn classify_ether(&self, ether: &[u8], ip: &[u8]) -> Option<usize> {
        self.program.run(&Headers::new(ether, ip))
    }
}

/// Runs `program` on `p`'s network header (set by CheckIPHeader or
/// MarkIPHeader; without one the packet is dropped, as in Click). The
/// Ethernet header, for `ether host`, is the 14 bytes before the network
/// header when they are still in the packet.
#[inline]
pub(crate) fn run_on(program: &Program, p: &Packet) -> Out {
    let (Some(ip), Some(offset)) = (p.network(), p.network_offset()) else {
        return Out::Drop;
    };
    let headers = match offset.checked_sub(14) {
        Some(start) => Headers::new(&p.data()[start..offset], ip),
        None => Headers::ip(ip),
    };
    match program.run(&headers) {
        Some(k) => Out::Port(k),
        None => Out::Drop,
    }
}

impl Element for IPClassifier {
    #[inline]
    fn process(&mut self, _cx: &Context, _input: usize, p: &mut Packet) -> Out {
        run_on(&self.program, p)
    }

    fn read_handler(&self, name: &str) -> Result<String, HandlerError> {
        match name {
            "program" => Ok(self.program.to_string()),
            _ => Err(HandlerError::NoSuchHandler),
        }
    }
}

/// IPClassifier's spec.
pub const SPEC: ElementSpec = ElementSpec {
    class: "IPClassifier",
    port_count: "1/-",
    processing: "h/h",
    flow_code: "x/x",
    keywords: &[],
    handlers: &["program (read)", "patternN (read/write)"],
    summary: "classifies IP packets by contents",
    source: include_str!("ip_classifier.rs"),
    check: |c| IPClassifier::configure(c).map(|k| Ports::outputs(k.noutputs(), "one per pattern")),
};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ip::ip_classifier_eval::packets::Pkt;
    use crate::ip::ip_classifier_expr::{Test, TCP};
    use alloc::string::ToString;

    #[test]
    fn good() {
        let c = IPClassifier::configure(
            "10.0.0.0/24 and syn, 10.0.0.0/24 and fin ack, 10.0.0.0/24 and tcp, -",
        )
        .unwrap();
        assert_eq!(c.noutputs(), 4);
        assert_eq!(c.patterns()[3], Expr::True);
        let c = IPClassifier::configure("dst tcp port 8000 or 8080,\n dst tcp port > 1023, tcp")
            .unwrap();
        assert_eq!(c.noutputs(), 3);
        let Expr::Test(p) = &c.patterns()[2] else {
            panic!()
        };
        assert_eq!(
            p.test,
            Test::Proto {
                proto: TCP,
                mask: 0xFF
            }
        );
        assert_eq!(p.span, 49..52);
    }

    #[test]
    fn several_bad_patterns() {
        let cfg = "tcp, src host 1.2.3.999, udp port 99999, -";
        let e = IPClassifier::configure(cfg).unwrap_err().0;
        assert_eq!(e.len(), 2);
        assert_eq!(&cfg[e[0].span.clone().unwrap()], "1.2.3.999");
        assert!(
            e[0].message.contains("expected IP address"),
            "{}",
            e[0].message
        );
        assert_eq!(&cfg[e[1].span.clone().unwrap()], "udp port 99999");
        assert_eq!(
            e[1].message,
            "99999 is out of range for 'port' (at most 65535)"
        );
    }

    #[test]
    fn spans_skip_comments() {
        let cfg = "// web\n tcp port www, /* rest */ frob";
        let e = IPClassifier::configure(cfg).unwrap_err().0;
        assert_eq!(&cfg[e[0].span.clone().unwrap()], "frob");
    }

    /// The manual's examples, packet by packet.
    #[test]
    fn classify_the_manual_examples() {
        let c = IPClassifier::configure(
            "10.0.0.0/24 and syn, 10.0.0.0/24 and fin ack, 10.0.0.0/24 and tcp, -",
        )
        .unwrap();
        let from_net = |p: Pkt| {
            Pkt {
                src: [10, 0, 0, 9],
                ..p
            }
            .bytes()
        };
        let outside = |p: Pkt| {
            Pkt {
                src: [10, 0, 1, 9],
                dst: [8, 8, 8, 8],
                ..p
            }
            .bytes()
        };
        assert_eq!(c.classify(&from_net(Pkt::tcp(1, 80, 0x02))), Some(0));
        assert_eq!(c.classify(&from_net(Pkt::tcp(1, 80, 0x11))), Some(1));
        assert_eq!(c.classify(&from_net(Pkt::tcp(1, 80, 0x01))), Some(2));
        assert_eq!(c.classify(&from_net(Pkt::udp(1, 53))), Some(3));
        assert_eq!(c.classify(&outside(Pkt::tcp(1, 80, 0x02))), Some(3));
        assert_eq!(c.classify(&[]), Some(3), "- matches even an empty packet");

        let c =
            IPClassifier::configure("dst tcp port 8000 or 8080, dst tcp port > 1023, tcp").unwrap();
        assert_eq!(c.classify(&Pkt::tcp(5000, 8080, 0).bytes()), Some(0));
        assert_eq!(c.classify(&Pkt::tcp(5000, 8000, 0).bytes()), Some(0));
        assert_eq!(c.classify(&Pkt::tcp(5000, 1024, 0).bytes()), Some(1));
        assert_eq!(c.classify(&Pkt::tcp(5000, 1023, 0).bytes()), Some(2));
        assert_eq!(c.classify(&Pkt::udp(5000, 8080).bytes()), None);
        let later = Pkt {
            frag: 0x0010,
            ..Pkt::tcp(5000, 8080, 0)
        };
        assert_eq!(
            c.classify(&later.bytes()),
            Some(2),
            "no ports in later fragments"
        );
        assert!(c.program().to_string().contains("transp[0:4]"));
    }
}
