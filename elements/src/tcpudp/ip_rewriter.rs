//! # IPRewriter — rewrites TCP/UDP packets' addresses and ports
//!
//! ```click
//! IPRewriter(INPUTSPEC1, ..., INPUTSPECn [, KEYWORDS])
//! ```
//!
//! Ports: one or more inputs, one or more outputs (`1-/1-`). Processing: push (`h/h`).
//!
//! Network address and port translation (NAPT) for TCP and UDP. IPRewriter
//! keeps a table of flows. A flow maps packets of one 5-tuple (the
//! *forward* direction) to a rewritten 5-tuple, and packets of the reverse
//! of the rewritten 5-tuple (the *reply* direction) back to the reverse of
//! the original. A packet of a known flow, arriving on any input, is
//! rewritten — addresses, ports, and the IP and TCP/UDP checksums, updated
//! incrementally (RFC 1624; a UDP checksum of 0 stays 0) — and leaves on
//! the flow's output for its direction. The destination IP annotation is
//! set to the new destination.
//!
//! A packet that matches no flow is handled by the input spec of the input
//! it arrived on (one spec per input):
//!
//! - `drop`, `discard` — drop it.
//! - `pass OUTPUT` (also `passthrough`, `nochange`) — emit it unchanged on
//!   OUTPUT (default 0); make no flow.
//! - `keep FOUTPUT ROUTPUT` — make a flow that changes nothing: this
//!   packet's direction leaves on FOUTPUT, replies on ROUTPUT.
//! - `pattern SADDR SPORT DADDR DPORT FOUTPUT ROUTPUT` — make a flow that
//!   rewrites by the pattern. A field `-` is left as it is. SADDR may be
//!   a range `L-H` or a prefix `A/LEN` (its hosts), SPORT a range `L-H`:
//!   the flow gets a source address and port from them whose reply no
//!   other flow uses — the packet's own port first if it is in the range,
//!   then from a random start; a range ending in `#` allocates in order,
//!   one ending in `?` at random. When every candidate is taken (the port
//!   range is exhausted for that destination), the packet is dropped and
//!   counted in `mapping_failures`.
//! - `pattern NAME FOUTPUT ROUTPUT` — a pattern defined by an
//!   IPRewriterPatterns element.
//! - `MAPPER` — the name of a mapper element (RoundRobinIPMapper) that
//!   chooses a pattern per flow.
//!
//! Packets other than TCP and UDP, later fragments, and packets whose TCP
//! (20 bytes) or UDP (8 bytes) header is cut short go out unchanged if
//! their input's spec is `pass`, else are dropped (counted in
//! `malformed`). Packets must have their IP header annotation set
//! (CheckIPHeader); those without, or without a whole IPv4 header, are
//! dropped and counted in `malformed`.
//!
//! ## Timeouts and capacity
//! A flow expires once it has been idle for its timeout: a TCP flow that
//! has seen data both ways TCP_TIMEOUT, one closed both ways (FIN each
//! way, or a RST) TCP_DONE_TIMEOUT, other TCP flows TCP_NODATA_TIMEOUT; a
//! UDP flow that has seen at least 3 packets, both ways,
//! UDP_STREAMING_TIMEOUT, others UDP_TIMEOUT. No packet matches an expired
//! flow. For TCP_GUARANTEE (UDP_GUARANTEE) after each packet a flow is
//! guaranteed: it neither expires nor is evicted.
//!
//! The table holds at most MAPPING_CAPACITY flows, allocated at configure
//! time. A new flow that finds it full takes the place of an expired flow;
//! failing that, of the flow past its guarantee that would expire first
//! (counted in `evicted`); when every flow is guaranteed, the new flow is
//! dropped (counted in `mapping_failures`). So a guarantee of 0 always
//! evicts, and a guarantee as long as the timeouts refuses new flows
//! while the table is full of live ones.
//!
//! ## Keywords
//! - `MAPPING_CAPACITY` *N* (or `CAPACITY`) — most flows held. Default
//!   4096.
//! - `REAP_INTERVAL` *TIME* — how often the room of expired flows is
//!   freed for the `size` handler. Default 15 minutes.
//! - `DST_ANNO` *BOOL* — set the destination IP annotation to the new
//!   destination. Default true.
//! - `REPLY_ANNO` *ANNO* — a one-byte annotation (`PAINT` or an offset):
//!   reply packets get the value the flow's first packet had there.
//! - `TCP_TIMEOUT` *TIME* (or `TIMEOUT`) — timeout of TCP flows with data
//!   both ways. Default 24 hours.
//! - `TCP_NODATA_TIMEOUT` *TIME* — timeout of TCP flows without data both
//!   ways. Default 5 minutes.
//! - `TCP_DONE_TIMEOUT` *TIME* — timeout of closed TCP flows. Default 4
//!   minutes.
//! - `TCP_GUARANTEE` *TIME* (or `GUARANTEE`) — guarantee of TCP flows.
//!   Default 5 seconds.
//! - `UDP_TIMEOUT` *TIME* — timeout of UDP flows. Default 5 minutes.
//! - `UDP_STREAMING_TIMEOUT` *TIME* — timeout of streaming UDP flows.
//!   Default UDP_TIMEOUT.
//! - `UDP_GUARANTEE` *TIME* — guarantee of UDP flows. Default 5 seconds.
//!
//! ## Handlers
//! - `tcp_table`, `udp_table` (read) — the live TCP (UDP) flows, each
//!   direction on a line as Click shows it: `(SADDR, SPORT, DADDR, DPORT)
//!   => (rewritten) [FOUT ROUT] iINPUT expSECONDS`, the line's own output
//!   starred. `tcp_mappings`, `udp_mappings` are Click's older names.
//! - `nmappings` (read) — live flows.
//! - `mapping_failures` (read) — new flows that could not be made (no free
//!   port or address, or a table full of guaranteed flows).
//! - `size` (read) — flows held, counting expired ones not reaped yet.
//! - `capacity` (read/write) — the most flows held (at most
//!   MAPPING_CAPACITY, the room allocated).
//! - `clear` (write) — forget every flow.
//! - `patterns` (read) — each input spec (`<drop>`, `<nochange>`,
//!   `<keep>`, the pattern, `<mapper>`) with its live flows in brackets.
//! - `patternN` (read/write) — input spec N; writing a new spec removes
//!   the flows the old one made.
//! - `evicted` (read) — flows removed before their time to make room.
//! - `malformed` (read) — packets dropped as malformed.
//!
//! ## Examples
//! Source NAT: inside hosts share 192.0.2.1; replies find their way back.
//! ```click
//! rw :: IPRewriter(pattern 192.0.2.1 1024-65535 - - 0 1, drop);
//! from_inside -> [0]rw;  from_outside -> [1]rw;
//! rw[0] -> to_outside;   rw[1] -> to_inside;
//! ```
//!
//! ## Differences from Click
//! - Flows expire exactly when idle for their timeout; Click checks only
//!   every REAP_INTERVAL, so its flows may outlive their timeouts by up to
//!   that much.
//! - MAPPING_CAPACITY must be a number (Click also takes another
//!   rewriter's name, to share its capacity) and is 4096 by default where
//!   Click's is unlimited: the table is allocated at configure time.
//! - A pattern with both an address range and a port range uses every
//!   address/port pair; Click varies only one of them.
//! - A new flow tries at most 4,096 candidates (Click tries the whole
//!   range), so that a range nearly full for one destination does not make
//!   every new flow slow; such a range may refuse a flow before its last
//!   port is taken.
//! - The `tcp_lookup` handler (a read with a parameter) is not there;
//!   `evicted` and `malformed` are nfc's.
//! - A reply output naming another element (`ELEMENT:PORT`) is not
//!   supported.

use core::time::Duration;

use nfc_dataplane::args::{Args, ConfigErrors};
use nfc_dataplane::parse;

use super::rewriter::{Mode, Rewriter, Timeouts};
use super::rewriter_input_spec::{seconds, RewriterBase, TcpTimeouts, IP_REWRITER_HANDLERS};
use crate::ElementSpec;

/// IPRewriter: a [`Rewriter`] of TCP and UDP.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IPRewriter(pub Rewriter);

/// Reads IPRewriter's configuration: its base and its timeouts.
fn settings(config: &str) -> Result<(RewriterBase, Timeouts), ConfigErrors> {
    let mut args = Args::new(config);
    let base = RewriterBase::read(&mut args, TcpTimeouts::DEFAULT);
    let tcp = TcpTimeouts::read(&mut args, &base);
    let udp_timeout = seconds(&mut args, "UDP_TIMEOUT", 300);
    let udp_streaming_timeout = args
        .read("UDP_STREAMING_TIMEOUT", parse::duration)
        .unwrap_or(udp_timeout);
    let udp_guarantee = args
        .read("UDP_GUARANTEE", parse::duration)
        .unwrap_or(Duration::from_secs(5));
    args.complete()?;
    let t = Timeouts::napt(&tcp, udp_timeout, udp_streaming_timeout, udp_guarantee);
    Ok((base, t))
}

impl IPRewriter {
    /// Parses the input specs and keywords, reporting every error, and
    /// allocates the table.
    pub fn configure(config: &str) -> Result<Self, ConfigErrors> {
        let (base, t) = settings(config)?;
        let mode = Mode::Napt {
            tcp: true,
            udp: true,
        };
        Ok(IPRewriter(Rewriter::new(mode, base, &t)))
    }
}

nfc_dataplane::delegate_element!(IPRewriter);

/// IPRewriter's spec.
pub const SPEC: ElementSpec = ElementSpec {
    class: "IPRewriter",
    port_count: "1-/1-",
    processing: "h/h",
    flow_code: "x/x",
    keywords: &[
        "CAPACITY",
        "MAPPING_CAPACITY",
        "REAP_INTERVAL",
        "REAP_TIME",
        "DST_ANNO",
        "TIMEOUT",
        "TCP_TIMEOUT",
        "TCP_NODATA_TIMEOUT",
        "TCP_DONE_TIMEOUT",
        "TCP_GUARANTEE",
        "REPLY_ANNO",
        "UDP_TIMEOUT",
        "UDP_STREAMING_TIMEOUT",
        "UDP_GUARANTEE",
        "GUARANTEE",
    ],
    handlers: IP_REWRITER_HANDLERS,
    summary: "rewrites TCP/UDP packets' addresses and ports",
    source: include_str!("ip_rewriter.rs"),
    check: |c| settings(c).map(|(b, _)| b.ports()),
};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::harness::check_batch_path;
    use crate::tcpudp::rewriter::testing::*;
    use alloc::vec::Vec;
    use nfc_dataplane::element::Element;
    use nfc_dataplane::packet::PacketPool;

    const SYN: u8 = 0x02;
    const ACK: u8 = 0x10;
    const FIN: u8 = 0x01;
    const RST: u8 = 0x04;

    fn bench(config: &str) -> Bench<IPRewriter> {
        Bench::new(IPRewriter::configure(config).unwrap())
    }

    const NAT: &str = "pattern 192.0.2.1 1024-65535 - - 0 1, drop";

    #[test]
    fn configuration() {
        let (base, t) = settings(
            "pattern 10.0.0.1 1024-65535 - - 0 1, drop, UDP_TIMEOUT 30s, TCP_TIMEOUT 1h, \
             MAPPING_CAPACITY 1000, TCP_GUARANTEE 0",
        )
        .unwrap();
        assert_eq!(base.capacity, 1000);
        assert_eq!(t.timeout.map(|d| d.as_secs()), [300, 3600, 240, 30, 30]);
        assert_eq!(t.guarantee.map(|d| d.as_secs()), [0, 0, 0, 5, 5]);
        let cfg = "drop, UDP_TIMEOUT 5s, UDP_GUARANTEE soon";
        let e = IPRewriter::configure(cfg).unwrap_err().0;
        assert_eq!(e.len(), 1, "{e:?}");
        assert_eq!(&cfg[e[0].span.clone().unwrap()], "soon");
        let cfg = "drop, MAPPING_CAPACITY other_rw";
        let e = IPRewriter::configure(cfg).unwrap_err().0;
        assert!(e[0].message.contains("not supported"), "{e:?}");
    }

    #[test]
    fn maps_a_flow_and_its_replies_with_correct_checksums() {
        let mut b = bench(NAT);
        let syn = tcp(HOST, 40000, SERVER, 443, SYN, b"");
        let (port, out) = b.send(1, 0, &syn).unwrap();
        assert_eq!(port, 0);
        verify(&out);
        let (s, sp, d, dp) = ends(&out);
        assert_eq!((s, d, dp), (PUBLIC, SERVER, 443));
        assert_eq!(sp, 40000, "the packet's own port, free, is kept");
        assert_eq!(&out[..10], &syn[..10], "the rest of the header unchanged");
        // the reply is mapped back
        let reply = tcp(SERVER, 443, PUBLIC, sp, SYN | ACK, b"");
        let (port, back) = b.send(1, 1, &reply).unwrap();
        assert_eq!(port, 1);
        verify(&back);
        assert_eq!(ends(&back), (SERVER, 443, HOST, 40000));
        // more packets of the flow, either way, on either input
        let data = tcp(HOST, 40000, SERVER, 443, ACK, b"GET / HTTP/1.0\r\n\r\n");
        let (port, out) = b.send(2, 1, &data).unwrap();
        assert_eq!(
            port, 0,
            "a known flow leaves on its output whatever the input"
        );
        verify(&out);
        assert_eq!(&out[40..], &data[40..], "payload untouched");
        // a reply of no flow is dropped by input 1's `drop`
        assert_eq!(b.send(2, 1, &tcp(SERVER, 443, PUBLIC, 9, ACK, b"")), None);
        assert_eq!(b.num("nmappings"), 1);
        assert_eq!(b.num("mapping_failures"), 0);
        // UDP, with and without a checksum; and the dst annotation
        let mut p = b
            .pool
            .alloc_with(&udp(HOST, 5353, SERVER, 53, b"q", true))
            .unwrap();
        p.set_network_header(0, 20);
        assert_eq!(
            b.e.process(&b.cx(3 * SECOND), 0, &mut p),
            nfc_dataplane::element::Out::Port(0)
        );
        assert_eq!(p.dst_ip(), core::net::Ipv4Addr::from(SERVER));
        verify(p.data());
        let (_, none) = b
            .send(3, 0, &udp(HOST2, 5353, SERVER, 53, b"q", false))
            .unwrap();
        assert_eq!(&none[26..28], &[0, 0], "no checksum stays no checksum");
        let (_, sp2, _, _) = ends(&none);
        assert_ne!(sp2, 5353, "port 5353 to the server is taken: another one");
        verify(&none);
        assert_eq!(b.num("nmappings"), 3);
        let table = b.read("udp_table");
        assert!(
            table.contains("(10.0.0.2, 5353, 198.51.100.7, 53) => (192.0.2.1, 5353, 198.51.100.7, 53) [*0 1] i0 exp300"),
            "{table}"
        );
        assert!(
            table.contains("(198.51.100.7, 53, 192.0.2.1, 5353) => (198.51.100.7, 53, 10.0.0.2, 5353) [0 *1] i0 exp300"),
            "{table}"
        );
        assert_eq!(b.read("tcp_table").lines().count(), 2);
        assert_eq!(b.read("patterns"), "192.0.2.1 1024-65535 - - [3]\n<drop>\n");
        assert_eq!(b.read("pattern1"), "<drop>\n");
        assert!(
            b.e.read_handler("table").is_err(),
            "IPRewriter has tcp_table and udp_table"
        );
    }

    #[test]
    fn every_checksum_survives_random_rewrites() {
        // Many hosts and ports through a random-choice pattern: every
        // packet either way verifies by recomputation.
        let mut b = bench("pattern 192.0.2.1-192.0.2.9 2000-2999? 203.0.113.9 - 0 1, drop");
        let mut x: u32 = 12345;
        for n in 0..300u32 {
            x = x.wrapping_mul(1_103_515_245).wrapping_add(12_345);
            let host = [10, (x >> 8) as u8, (x >> 16) as u8, (x >> 24) as u8];
            let sport = (x >> 3) as u16 | 1;
            let data: Vec<u8> = (0..(n % 7)).map(|i| i as u8 ^ x as u8).collect();
            let pkt = if n % 2 == 0 {
                tcp(host, sport, SERVER, 80, SYN, &data)
            } else {
                udp(host, sport, SERVER, 53, &data, true)
            };
            let (_, out) = b.send(1, 0, &pkt).unwrap();
            verify(&out);
            let (s, sp, d, dp) = ends(&out);
            assert_eq!(d, [203, 0, 113, 9], "destination from the pattern");
            assert!((2000..=2999).contains(&sp));
            assert!(s[..3] == [192, 0, 2] && (1..=9).contains(&s[3]));
            let reply = if n % 2 == 0 {
                tcp(d, dp, s, sp, SYN | ACK, &data)
            } else {
                udp(d, dp, s, sp, &data, true)
            };
            let (port, back) = b.send(1, 1, &reply).unwrap();
            assert_eq!(port, 1);
            verify(&back);
            assert_eq!(
                ends(&back),
                (SERVER, if n % 2 == 0 { 80 } else { 53 }, host, sport)
            );
        }
    }

    #[test]
    fn a_port_range_runs_out_per_destination() {
        let mut b = bench("pattern 192.0.2.1 5000-5002# - - 0 1, drop");
        let ports: Vec<u16> = (0..3)
            .map(|n| {
                ends(
                    &b.send(1, 0, &udp(HOST, 100 + n, SERVER, 53, b"", true))
                        .unwrap()
                        .1,
                )
                .1
            })
            .collect();
        assert_eq!(ports, [5000, 5001, 5002], "`#` allocates in order");
        assert_eq!(
            b.send(1, 0, &udp(HOST, 103, SERVER, 53, b"", true)),
            None,
            "exhausted"
        );
        assert_eq!(b.num("mapping_failures"), 1);
        // another destination has the whole range again
        let other = [198, 51, 100, 8];
        assert!(b
            .send(1, 0, &udp(HOST, 103, other, 53, b"", true))
            .is_some());
        // an expired flow gives its port back
        assert!(b
            .send(400, 0, &udp(HOST, 104, SERVER, 53, b"", true))
            .is_some());
        assert_eq!(b.num("mapping_failures"), 1);
    }

    #[test]
    fn flows_time_out_by_class() {
        let mut b = bench(
            "pattern 192.0.2.1 1024-65535 - - 0 1, drop, TCP_TIMEOUT 100s, \
             TCP_NODATA_TIMEOUT 20s, TCP_DONE_TIMEOUT 5s, UDP_TIMEOUT 10s, \
             UDP_STREAMING_TIMEOUT 50s, GUARANTEE 0, UDP_GUARANTEE 0",
        );
        // UDP: 10 s idle
        let (_, out) = b.send(0, 0, &udp(HOST, 1, SERVER, 53, b"", true)).unwrap();
        let sp = ends(&out).1;
        let back = udp(SERVER, 53, PUBLIC, sp, b"", true);
        assert!(b.send(9, 1, &back).is_some());
        // three packets both ways: streaming, 50 s
        assert!(b.send(18, 1, &back).is_some());
        assert!(b.send(60, 1, &back).is_some(), "streaming lives 50 s");
        assert_eq!(b.send(111, 1, &back), None, "idle for 51 s");
        // TCP without data both ways: 20 s; with data both ways: 100 s
        let (_, out) = b.send(200, 0, &tcp(HOST, 2, SERVER, 80, SYN, b"")).unwrap();
        let sp = ends(&out).1;
        let back = |f: u8, d: &[u8]| tcp(SERVER, 80, PUBLIC, sp, f, d);
        assert!(b.send(219, 1, &back(SYN | ACK, b"")).is_some());
        assert_eq!(b.send(240, 1, &back(ACK, b"")), None, "no data yet: 20 s");
        let (_, out) = b
            .send(300, 0, &tcp(HOST, 3, SERVER, 80, ACK, b"x"))
            .unwrap();
        let sp = ends(&out).1;
        let back = |f: u8, d: &[u8]| tcp(SERVER, 80, PUBLIC, sp, f, d);
        assert!(b.send(301, 1, &back(ACK, b"y")).is_some());
        assert!(
            b.send(399, 1, &back(ACK, b"")).is_some(),
            "data both ways: 100 s"
        );
        // FIN both ways: closed, 5 s
        b.send(400, 0, &tcp(HOST, 3, SERVER, 80, FIN | ACK, b""))
            .unwrap();
        assert!(b.send(401, 1, &back(FIN | ACK, b"")).is_some());
        assert!(b
            .send(405, 0, &tcp(HOST, 3, SERVER, 80, ACK, b""))
            .is_some());
        assert_eq!(b.send(410, 1, &back(ACK, b"")), None, "closed 5 s ago");
        // a RST closes at once
        let (_, out) = b.send(500, 0, &tcp(HOST, 4, SERVER, 80, SYN, b"")).unwrap();
        let sp = ends(&out).1;
        assert!(b
            .send(501, 1, &tcp(SERVER, 80, PUBLIC, sp, RST, b""))
            .is_some());
        assert!(
            b.read("tcp_table").contains("exp5"),
            "{}",
            b.read("tcp_table")
        );
        assert_eq!(b.send(506, 1, &tcp(SERVER, 80, PUBLIC, sp, ACK, b"")), None);
        assert_eq!(b.num("nmappings"), 0);
        // the task reaps: `size` drops to 0
        assert!(b.num("size") > 0);
        b.tick(600);
        assert_eq!(b.num("size"), 0);
    }

    #[test]
    fn a_full_table_evicts_or_refuses() {
        // No guarantee: the flow that would expire first goes.
        let mut b = bench(
            "pattern 192.0.2.1 1024-65535 - - 0 1, drop, MAPPING_CAPACITY 2, \
             GUARANTEE 0, UDP_GUARANTEE 0, UDP_TIMEOUT 60s",
        );
        let send =
            |b: &mut Bench<IPRewriter>, t, n| b.send(t, 0, &udp(HOST, n, SERVER, 53, b"", true));
        let reply_port = |b: &mut Bench<IPRewriter>, t, n| ends(&send(b, t, n).unwrap().1).1;
        let p1 = reply_port(&mut b, 0, 1);
        let p2 = reply_port(&mut b, 1, 2);
        assert!(
            b.send(2, 1, &udp(SERVER, 53, PUBLIC, p1, b"", true))
                .is_some(),
            "flow 1 refreshed"
        );
        assert!(send(&mut b, 3, 3).is_some());
        assert_eq!(b.num("evicted"), 1);
        assert_eq!(
            b.send(4, 1, &udp(SERVER, 53, PUBLIC, p2, b"", true)),
            None,
            "flow 2 evicted"
        );
        assert!(b
            .send(4, 1, &udp(SERVER, 53, PUBLIC, p1, b"", true))
            .is_some());
        assert_eq!(b.num("size"), 2);
        // an expired flow makes room without an eviction
        assert!(send(&mut b, 100, 4).is_some());
        assert_eq!(b.num("evicted"), 1);
        // With a guarantee, a table full of guaranteed flows refuses.
        let mut b = bench(
            "pattern 192.0.2.1 1024-65535 - - 0 1, drop, MAPPING_CAPACITY 2, \
             UDP_GUARANTEE 10s, UDP_TIMEOUT 60s",
        );
        assert!(send(&mut b, 0, 1).is_some());
        assert!(send(&mut b, 5, 2).is_some());
        assert_eq!(send(&mut b, 9, 3), None, "both guaranteed: refused");
        assert_eq!((b.num("mapping_failures"), b.num("evicted")), (1, 0));
        assert!(send(&mut b, 11, 3).is_some(), "flow 1's guarantee is over");
        assert_eq!(b.num("evicted"), 1);
        // the capacity handler shrinks the table
        b.e.write_handler("capacity", "1").unwrap();
        assert_eq!((b.num("capacity"), b.num("size")), (1, 1));
        assert!(
            b.e.write_handler("capacity", "3").is_err(),
            "beyond the allocated room"
        );
        b.e.write_handler("clear", "").unwrap();
        assert_eq!(b.num("size"), 0);
    }

    #[test]
    fn pass_keep_and_other_traffic() {
        let mut b = bench("keep 0 1, pass 2, drop");
        // keep: nothing changes, replies on 1
        let syn = tcp(HOST, 1, SERVER, 80, SYN, b"");
        assert_eq!(b.send(0, 0, &syn), Some((0, syn.clone())));
        let back = tcp(SERVER, 80, HOST, 1, SYN | ACK, b"");
        assert_eq!(b.send(0, 2, &back), Some((1, back.clone())));
        // pass: out unchanged on 2, no flow
        let u = udp(HOST, 7, SERVER, 7, b"", true);
        assert_eq!(b.send(0, 1, &u), Some((2, u.clone())));
        assert_eq!(b.send(0, 2, &udp(SERVER, 7, HOST, 7, b"", true)), None);
        // ICMP and later fragments: pass on a pass input, else dropped
        let ping = echo(HOST, SERVER, true, 9);
        assert_eq!(b.send(0, 1, &ping), Some((2, ping.clone())));
        assert_eq!(b.send(0, 0, &ping), None);
        let mut frag = udp(HOST, 7, SERVER, 7, b"", true);
        frag[6..8].copy_from_slice(&[0, 3]);
        assert_eq!(b.send(0, 0, &frag), None);
        assert_eq!(b.num("malformed"), 2);
        assert_eq!(b.read("patterns"), "<keep> [1]\n<nochange>\n<drop>\n");
    }

    #[test]
    fn malformed_packets_are_dropped_and_counted() {
        let mut b = bench("pass 0");
        let syn = tcp(HOST, 1, SERVER, 80, SYN, b"");
        let mut v6 = syn.clone();
        v6[0] = 0x65;
        let mut short = syn.clone();
        short[2..4].copy_from_slice(&16u16.to_be_bytes());
        for bad in [syn[..12].to_vec(), v6, short] {
            assert_eq!(b.send(0, 0, &bad), None);
        }
        let mut p = b.pool.alloc_with(&syn).unwrap();
        assert_eq!(
            b.e.process(&b.cx(0), 0, &mut p),
            nfc_dataplane::element::Out::Drop,
            "no IP header annotation"
        );
        assert_eq!(b.num("malformed"), 4);
        // a cut TCP header passes a pass input unchanged
        assert_eq!(b.send(0, 0, &syn[..30]), Some((0, syn[..30].to_vec())));
    }

    #[test]
    fn a_pattern_write_replaces_the_spec_and_its_flows() {
        let mut b = bench(NAT);
        assert!(b.send(0, 0, &udp(HOST, 1, SERVER, 53, b"", true)).is_some());
        assert_eq!(b.num("nmappings"), 1);
        b.e.write_handler("pattern0", "pattern 192.0.2.99 - - - 0 1")
            .unwrap();
        assert_eq!(b.num("nmappings"), 0, "the old spec's flows are gone");
        let (_, out) = b.send(1, 0, &udp(HOST, 1, SERVER, 53, b"", true)).unwrap();
        assert_eq!(ends(&out).0, [192, 0, 2, 99]);
        assert_eq!(b.read("pattern0"), "192.0.2.99 - - - [1]\n");
        match b.e.write_handler("pattern0", "pattern bogus 0 1") {
            Err(nfc_dataplane::element::HandlerError::Invalid(m)) => {
                assert!(m.contains("bogus"), "{m}")
            }
            r => panic!("{r:?}"),
        }
        assert!(b.e.write_handler("pattern5", "drop").is_err());
    }

    #[test]
    fn batch_path_equals_packet_path() {
        let rw = IPRewriter::configure(
            "pattern 192.0.2.1 4000-4010 - - 0 1, pattern 192.0.2.2 - - - 1 0, MAPPING_CAPACITY 8, GUARANTEE 0, UDP_GUARANTEE 0",
        )
        .unwrap();
        let make = |i: usize, pool: &'static PacketPool| {
            let n = (i % 13) as u16;
            let bytes = match i % 4 {
                0 => udp(HOST, n, SERVER, 53, b"", true),
                1 => udp(SERVER, 53, PUBLIC, 4000 + n, b"", true),
                2 => tcp(
                    HOST2,
                    n,
                    SERVER,
                    80,
                    if i % 3 == 0 { SYN } else { FIN },
                    b"",
                ),
                _ => tcp(SERVER, 80, [192, 0, 2, 2], n, ACK, b"")
                    [..if i % 7 == 0 { 30 } else { 40 }]
                    .to_vec(),
            };
            let mut p = pool.alloc_with(&bytes).unwrap();
            p.set_network_header(0, 20);
            p
        };
        check_batch_path(&rw, 0, 2, make);
        check_batch_path(&rw, 1, 2, make);
    }

    #[test]
    fn spec_reports_ports_and_handlers() {
        let ports = (SPEC.check)("pattern 1.0.0.1 - - - 0 2, drop").unwrap();
        assert_eq!(ports.outputs, Some((3, None)));
        assert!(SPEC.handlers.contains(&"tcp_table (read)"));
        assert!(!SPEC.handlers.contains(&"table (read)"));
    }
}
