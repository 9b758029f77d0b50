//! # IPGWOptions — processes router-relevant IP options
//!
//! ```click
//! IPGWOptions(MYADDR [, OTHERADDRS])
//! ```
//!
//! Ports: 1 input, 1 or 2 outputs (`1/1-2`). Processing: agnostic, output 1 push (`a/ah`).
//!
//! Processes the IP options every router must act on, not only the
//! destination: Record Route and Timestamp (not the source-route options).
//! Record Route gets MYADDR appended while there is room. Timestamp gets
//! the time (milliseconds since midnight UT), MYADDR and the time, or — in
//! the prespecified mode — the time when the next address is one of this
//! router's (MYADDR or OTHERADDRS); a full Timestamp option has its
//! overflow count raised. The header checksum is recomputed when an option
//! changed. Packets with malformed options go to output 1 if it exists (with
//! the ICMP parameter-problem pointer annotation set to the bad byte's
//! offset in the IP header) and are dropped otherwise. Packets without
//! options pass untouched. The IP header annotation must be set.
//!
//! ## Keywords
//! - `MYADDR` *ADDR* — the address to record. Mandatory.
//! - `OTHERADDRS` *ADDRS* — space-separated other addresses of this router.
//!
//! ## Handlers
//! - `drops` (read) — packets with malformed options, plus packets
//!   without a whole IP header.
//!
//! ## Examples
//! ```click
//! ... -> IPGWOptions(10.0.0.1) -> ...
//! ```
//!
//! ## Differences from Click
//! - A packet with a malformed option leaves unchanged: options before the
//!   bad one are not updated (Click may have updated them already).
//! - Options whose length is too short to hold their pointer (and, for
//!   Timestamp, the flags byte) are malformed, with the pointer at the
//!   length byte; Click reads past such options.
//! - A packet without a whole IP header is dropped and counted.

use alloc::string::{String, ToString};
use alloc::vec::Vec;
use core::net::Ipv4Addr;

use nfc_dataplane::args::{Args, ConfigErrors};
use nfc_dataplane::element::{Context, Element, HandlerError, Out};
use nfc_dataplane::packet::{Packet, ICMP_PARAMPROB_ANNO};
use nfc_dataplane::parse;

use super::arg_types::ipv4_list;
use super::ip_header::{self, get_addr, next_option, MIN_LEN, OPT_RR, OPT_TS};

use crate::{ElementSpec, Ports};

/// IPGWOptions's configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IPGWOptions {
    /// Address recorded in options.
    pub my_addr: Ipv4Addr,
    /// All of this router's addresses (OTHERADDRS plus MYADDR).
    pub my_addrs: Vec<Ipv4Addr>,
    /// Packets with bad options or no IP header.
    drops: u64,
}

/// Where packets with malformed options go.
const BAD_OPTION: usize = 1;

const NS_PER_MS: u64 = 1_000_000;
const MS_PER_DAY: u64 = 86_400_000;

impl IPGWOptions {
    /// Parses `IPGWOptions(MYADDR [, OTHERADDRS])`.
    pub fn configure(config: &str) -> Result<Self, ConfigErrors> {
        let mut args = Args::new(config);
        let my_addr = args.read_mp("MYADDR", parse::ipv4);
        let mut my_addrs = args.read_p("OTHERADDRS", ipv4_list).unwrap_or_default();
        args.complete()?;
        let my_addr = my_addr.unwrap_or(Ipv4Addr::UNSPECIFIED);
        my_addrs.push(my_addr);
        Ok(IPGWOptions {
            my_addr,
            my_addrs,
            drops: 0,
        })
    }

    /// Processes the options of the `hlen`-byte header `ip`, writing only
    /// when `write` is true: `Ok(true)` when an option changed, `Err` with
    /// the parameter-problem pointer when one is malformed.
    fn options(&self, ip: &mut [u8], hlen: usize, ms: [u8; 4], write: bool) -> Result<bool, usize> {
        let me = self.my_addr.octets();
        let mut changed = false;
        let mut at = MIN_LEN;
        while let Some((oi, kind, xlen)) = next_option(ip, hlen, at)? {
            at = oi + xlen;
            if kind != OPT_RR && kind != OPT_TS {
                continue;
            }
            // The pointer (and the Timestamp flags) must lie inside.
            if xlen < if kind == OPT_RR { 3 } else { 4 } {
                return Err(oi + 1);
            }
            // Pointer, 1-origin in the option, made 0-origin.
            let pointer = ip[oi + 2];
            let ptr = usize::from(pointer).wrapping_sub(1);
            let mut put = |ip: &mut [u8], pos: usize, bytes: &[u8]| {
                if write {
                    ip[oi + pos..oi + pos + bytes.len()].copy_from_slice(bytes);
                }
                changed = true;
            };
            if kind == OPT_RR {
                if (3..usize::MAX).contains(&ptr) && ptr + 4 <= xlen {
                    put(ip, ptr, &me);
                    put(ip, 2, &[pointer + 4]);
                } else if ptr != xlen {
                    return Err(oi + 2);
                }
                continue;
            }
            let (oflw, flg) = (ip[oi + 3] >> 4, ip[oi + 3] & 0x0f);
            if !(4..usize::MAX).contains(&ptr) {
                return Err(oi + 2);
            }
            let overflowed = match flg {
                0 if ptr + 4 <= xlen => {
                    put(ip, ptr, &ms);
                    put(ip, 2, &[pointer + 4]);
                    false
                }
                1 if ptr + 8 <= xlen => {
                    put(ip, ptr, &me);
                    put(ip, ptr + 4, &ms);
                    put(ip, 2, &[pointer + 8]);
                    false
                }
                0 | 1 => true,
                3 if ptr + 8 <= xlen => {
                    let addr = Ipv4Addr::from(get_addr(ip, oi + ptr));
                    if self.my_addrs.contains(&addr) {
                        put(ip, ptr + 4, &ms);
                        put(ip, 2, &[pointer + 8]);
                    }
                    false
                }
                _ => return Err(oi + 3),
            };
            if overflowed {
                if oflw >= 15 {
                    return Err(oi + 3);
                }
                put(ip, 3, &[((oflw + 1) << 4) | flg]);
            }
        }
        Ok(changed)
    }
}

impl Element for IPGWOptions {
    fn process(&mut self, cx: &Context, _input: usize, p: &mut Packet) -> Out {
        let Some((ip, hlen)) = ip_header::ip_mut(p) else {
            self.drops += 1;
            return Out::Drop;
        };
        if hlen <= MIN_LEN {
            return Out::Port(0);
        }
        let ms = ((cx.wall / NS_PER_MS % MS_PER_DAY) as u32).to_be_bytes();
        let checked = self.options(ip, hlen, ms, false);
        match checked {
            Ok(false) => Out::Port(0),
            Ok(true) => {
                let _ = self.options(ip, hlen, ms, true);
                ip_header::set_checksum(ip, hlen);
                Out::Port(0)
            }
            Err(pointer) => {
                self.drops += 1;
                p.anno_mut()[ICMP_PARAMPROB_ANNO] = pointer as u8;
                Out::Port(BAD_OPTION)
            }
        }
    }

    fn read_handler(&self, name: &str) -> Result<String, HandlerError> {
        match name {
            "drops" => Ok(self.drops.to_string()),
            _ => Err(HandlerError::NoSuchHandler),
        }
    }
}

/// IPGWOptions's spec.
pub const SPEC: ElementSpec = ElementSpec {
    class: "IPGWOptions",
    port_count: "1/1-2",
    processing: "a/ah",
    flow_code: "x/x",
    keywords: &["MYADDR", "OTHERADDRS"],
    handlers: &["drops (read)"],
    summary: "processes router-relevant IP options",
    source: include_str!("ip_gw_options.rs"),
    check: |c| IPGWOptions::configure(c).map(|_| Ports::DECLARED),
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn configure() {
        let c = IPGWOptions::configure("10.0.0.1, 10.0.1.1 10.0.2.1").unwrap();
        assert_eq!(c.my_addr, Ipv4Addr::new(10, 0, 0, 1));
        assert_eq!(c.my_addrs.len(), 3);
        let e = IPGWOptions::configure("").unwrap_err().0;
        assert_eq!(e[0].message, "MYADDR: missing mandatory argument");
        let cfg = "10.0.0.1, 10.0.1.1 nope";
        let e = IPGWOptions::configure(cfg).unwrap_err().0;
        assert_eq!(&cfg[e[0].span.clone().unwrap()], "10.0.1.1 nope");
    }

    use crate::harness::{self, check_batch_path, ip_checksum};
    use crate::ip::ip_header::testing::{ipv4, marked};
    use crate::ip::ip_header::{OPT_NOP, PROTO_UDP};
    use nfc_dataplane::packet::PacketPool;

    fn with_options(opts: &[u8]) -> alloc::vec::Vec<u8> {
        ipv4(PROTO_UDP, [10, 0, 0, 1], [10, 0, 0, 2], opts, &[1, 2, 3, 4])
    }

    /// Runs one packet with options `opts` at 12:00:01.5 UT.
    fn run(g: &mut IPGWOptions, opts: &[u8]) -> (Out, alloc::vec::Vec<u8>, u8) {
        let pool = harness::pool();
        let cx = Context::at(pool, (43_201_500 + 86_400_000 * 3) * NS_PER_MS);
        let mut p = marked(pool, &with_options(opts), 0);
        let out = g.process(&cx, 0, &mut p);
        (out, p.data().to_vec(), p.anno()[ICMP_PARAMPROB_ANNO])
    }

    #[test]
    fn record_route() {
        let mut g = IPGWOptions::configure("10.9.9.9").unwrap();
        let (out, d, _) = run(&mut g, &[OPT_NOP, OPT_RR, 11, 4, 0, 0, 0, 0, 0, 0, 0, 0]);
        assert_eq!(out, Out::Port(0));
        assert_eq!(d[21..32], [OPT_RR, 11, 8, 10, 9, 9, 9, 0, 0, 0, 0]);
        assert_eq!(ip_checksum(&d[..32]), 0, "checksum recomputed");
        // Full: unchanged.
        let full = [OPT_RR, 7, 8, 1, 2, 3, 4, 0];
        let (out, d, _) = run(&mut g, &full);
        assert_eq!((out, &d[20..28]), (Out::Port(0), &full[..]));
        // Pointer inside the header part: parameter problem at the pointer.
        let (out, d, pp) = run(&mut g, &[OPT_RR, 7, 2, 0, 0, 0, 0, 0]);
        assert_eq!((out, pp), (Out::Port(BAD_OPTION), 22));
        assert_eq!(d[22], 2, "unchanged");
        assert_eq!(g.read_handler("drops"), Ok("1".into()));
    }

    #[test]
    fn timestamps() {
        let mut g = IPGWOptions::configure("10.9.9.9, 10.8.8.8").unwrap();
        let ms = 43_201_500u32.to_be_bytes();
        // Timestamps only.
        let (_, d, _) = run(&mut g, &[OPT_TS, 12, 5, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
        assert_eq!(d[22], 9);
        assert_eq!(d[24..28], ms);
        // Address and timestamp.
        let (_, d, _) = run(&mut g, &[OPT_TS, 12, 5, 1, 0, 0, 0, 0, 0, 0, 0, 0]);
        assert_eq!(
            (d[22], &d[24..28], &d[28..32]),
            (13, &[10, 9, 9, 9][..], &ms[..])
        );
        // Prespecified: only for our addresses.
        let (_, d, _) = run(&mut g, &[OPT_TS, 12, 5, 3, 10, 8, 8, 8, 0, 0, 0, 0]);
        assert_eq!((d[22], &d[28..32]), (13, &ms[..]));
        let (_, d, _) = run(&mut g, &[OPT_TS, 12, 5, 3, 10, 7, 7, 7, 0, 0, 0, 0]);
        assert_eq!((d[22], &d[28..32]), (5, &[0, 0, 0, 0][..]));
        // Full: overflow counted, then a parameter problem at 15.
        let (out, d, _) = run(&mut g, &[OPT_TS, 8, 9, 0x20, 0, 0, 0, 0]);
        assert_eq!((out, d[23]), (Out::Port(0), 0x30));
        let (out, _, pp) = run(&mut g, &[OPT_TS, 8, 9, 0xf0, 0, 0, 0, 0]);
        assert_eq!((out, pp), (Out::Port(BAD_OPTION), 23));
        // Bad flags; too short; bad length.
        let (_, _, pp) = run(&mut g, &[OPT_TS, 8, 5, 2, 0, 0, 0, 0]);
        assert_eq!(pp, 23);
        let (_, _, pp) = run(&mut g, &[OPT_TS, 3, 5, OPT_NOP]);
        assert_eq!(pp, 21);
        let (_, _, pp) = run(&mut g, &[OPT_NOP, OPT_TS, 9, 5]);
        assert_eq!(pp, 22);
    }

    #[test]
    fn packets_without_options_or_header() {
        let mut g = IPGWOptions::configure("10.9.9.9").unwrap();
        let (out, d, _) = run(&mut g, &[]);
        assert_eq!((out, d), (Out::Port(0), with_options(&[])));
        let pool = harness::pool();
        let mut p = pool.alloc_with(&with_options(&[])).unwrap();
        assert_eq!(g.process(&harness::cx(pool), 0, &mut p), Out::Drop);
    }

    /// Packets with assorted options, good and bad.
    fn packet(i: usize, pool: &'static PacketPool) -> Packet {
        let opts: [&[u8]; 6] = [
            &[],
            &[OPT_RR, 7, 4, 0, 0, 0, 0, 0],
            &[OPT_RR, 7, 2, 0, 0, 0, 0, 0],
            &[OPT_TS, 8, 5, 0, 0, 0, 0, 0],
            &[OPT_TS, 8, 9, 0xf1, 0, 0, 0, 0],
            &[OPT_NOP, 200, 9, 0],
        ];
        let mut p = marked(pool, &with_options(opts[i % 6]), 0);
        p.set_paint(i as u8);
        p
    }

    #[test]
    fn batch_path_equals_packet_path() {
        let g = IPGWOptions::configure("10.9.9.9").unwrap();
        check_batch_path(&g, 0, 2, packet);
        check_batch_path(&g, 0, 1, packet);
    }
}
