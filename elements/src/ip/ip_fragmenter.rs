//! # IPFragmenter — fragments large IP packets
//!
//! ```click
//! IPFragmenter(MTU, [KEYWORDS])
//! ```
//!
//! Ports: 1 input, 1 or 2 outputs (`1/1-2`). Processing: push (`h/h`).
//!
//! Fragments IP packets longer than MTU bytes (from the IP header on) into
//! fragments of at most MTU bytes, as Click does: the packet itself becomes
//! the first fragment, and each later fragment gets a copy of the fixed
//! header and of the options marked to be copied. Packets that fit pass
//! unchanged. A packet too long but with the Don't Fragment bit set (or an
//! MTU too small for 8 data bytes after its header) goes to output 1 if it
//! exists (usually toward ICMPError with `needfrag`) and is dropped
//! otherwise; with HONOR_DF false, DF packets are fragmented too, with DF
//! cleared and a fresh random IP ID. The IP header annotation must be set.
//!
//! Fragments other than the first are built in new buffers from the
//! packet's pool, with the packet's annotations. They follow the input
//! batch's packets on output 0; those that do not fit in that batch wait
//! (up to 256 of them) and leave when the element's task next runs.
//!
//! ## Keywords
//! - `MTU` *N* — maximum packet length, at least 8. Mandatory.
//! - `HONOR_DF` *BOOL* — respect the DF bit. Default true.
//! - `VERBOSE` *BOOL* — report every DF drop (the first five are always
//!   reported). Default false.
//! - `HEADROOM` *N* — headroom of each fragment. Accepted; nfc's buffers
//!   always have the pool's headroom.
//!
//! ## Handlers
//! - `fragments` (read) — fragments made, first fragments included.
//! - `drops` (read) — packets sent to output 1, plus packets dropped
//!   (malformed, or more fragments than can wait) and fragments lost for
//!   want of a buffer.
//!
//! ## Examples
//! ```click
//! ... -> frag :: IPFragmenter(1500) -> ...;
//! frag[1] -> ICMPError(10.0.0.1, unreachable, needfrag, PMTU 1500) -> ...;
//! ```
//!
//! ## Differences from Click
//! - Click pushes every fragment at once; nfc sends at most a batch (32
//!   packets) per output per call, so fragments beyond that leave on the
//!   next run of the element's task, and a packet whose fragments would
//!   overflow the 256-fragment backlog is dropped and counted.
//! - HEADROOM is accepted and ignored.
//! - A packet whose IP total length fits the MTU passes unchanged even when
//!   trailing bytes make it longer; a packet whose total length is below its
//!   header length or beyond its data is dropped and counted, as is a
//!   packet without a whole IP header.

use alloc::collections::VecDeque;
use alloc::format;
use alloc::string::{String, ToString};
use core::fmt::{self, Write};

use nfc_dataplane::args::{Args, ConfigError, ConfigErrors};
use nfc_dataplane::batch::Batch;
use nfc_dataplane::element::{Context, Element, HandlerError, Out, TaskResult};
use nfc_dataplane::packet::Packet;
use nfc_dataplane::parse;

use super::ip_header::{self, field, get16, put16, DF, MF, MIN_LEN, OPT_EOL};
use super::ip_print::Line;

use crate::{ElementSpec, Ports};

/// Most fragments that wait for room in an output batch.
const BACKLOG: usize = 256;

/// Where packets that may not be fragmented go.
const TOO_BIG: usize = 1;

/// Fragments waiting for room in an output batch, in order. Its capacity
/// is reserved once, so waiting never allocates.
///
/// A clone starts empty (packets are owned, not shared); two backlogs are
/// equal when they hold the same bytes in the same order.
struct Backlog(VecDeque<Packet>);

impl Backlog {
    fn new() -> Backlog {
        Backlog(VecDeque::with_capacity(BACKLOG))
    }

    fn room(&self) -> usize {
        BACKLOG - self.0.len()
    }
}

impl Clone for Backlog {
    fn clone(&self) -> Backlog {
        Backlog::new()
    }
}

impl PartialEq for Backlog {
    fn eq(&self, other: &Backlog) -> bool {
        self.0.len() == other.0.len()
            && self
                .0
                .iter()
                .zip(&other.0)
                .all(|(a, b)| a.data() == b.data())
    }
}

impl Eq for Backlog {}

impl fmt::Debug for Backlog {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Backlog({} packets)", self.0.len())
    }
}

/// IPFragmenter's configuration and state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IPFragmenter {
    /// Maximum packet length.
    pub mtu: u32,
    /// Respect the Don't Fragment bit.
    pub honor_df: bool,
    /// Report DF drops.
    pub verbose: bool,
    /// Headroom for each fragment, if given.
    pub headroom: Option<u32>,
    /// Fragments made.
    fragments: u64,
    /// Packets and fragments dropped or sent to output 1.
    drops: u64,
    /// xorshift32 state for fresh IP IDs; 0 until first used.
    rng: u32,
    backlog: Backlog,
}

/// The options of the `hlen`-byte header `ip` that fragments after the
/// first carry (copy bit set), written to `out` and padded with EOL to a
/// multiple of 4 bytes; returns their length. Stops, as Click does, at EOL
/// or at the first option whose length is bad.
fn copied_options(ip: &[u8], hlen: usize, out: &mut [u8; 40]) -> usize {
    let mut n = 0;
    let mut at = MIN_LEN;
    while let Ok(Some((oi, kind, xlen))) = ip_header::next_option(ip, hlen, at) {
        if kind & 0x80 != 0 {
            out[n..n + xlen].copy_from_slice(&ip[oi..oi + xlen]);
            n += xlen;
        }
        at = oi + xlen;
    }
    while n % 4 != 0 {
        out[n] = OPT_EOL;
        n += 1;
    }
    n
}

impl IPFragmenter {
    /// Parses `IPFragmenter(MTU, [HONOR_DF, VERBOSE, HEADROOM])`.
    pub fn configure(config: &str) -> Result<Self, ConfigErrors> {
        let mut args = Args::new(config);
        let mtu = args.read_mp("MTU", parse::unsigned::<u32>);
        let honor_df = args.read_p("HONOR_DF", parse::boolean).unwrap_or(true);
        let verbose = args.read_p("VERBOSE", parse::boolean).unwrap_or(false);
        let headroom = args.read("HEADROOM", parse::unsigned::<u32>);
        if let Some(m) = mtu.filter(|&m| m < 8) {
            let span = args.span_of("MTU");
            args.error(ConfigError::new(
                span,
                format!("MTU must be at least 8, not {m}"),
            ));
        }
        args.complete()?;
        Ok(IPFragmenter {
            mtu: mtu.unwrap_or(0),
            honor_df,
            verbose,
            headroom,
            fragments: 0,
            drops: 0,
            rng: 0,
            backlog: Backlog::new(),
        })
    }

    /// A fresh IP ID (xorshift32, seeded from the platform's entropy at
    /// first use).
    fn random_id(&mut self, cx: &Context) -> u16 {
        if self.rng == 0 {
            self.rng = (cx.seed ^ cx.seed >> 32) as u32 | 1;
        }
        self.rng ^= self.rng << 13;
        self.rng ^= self.rng >> 17;
        self.rng ^= self.rng << 5;
        self.rng as u16
    }

    /// Reports a DF drop on the console (Click's message).
    fn report(&self, cx: &Context, ip: &[u8], len: usize) {
        let mut l = Line::new();
        let _ = write!(
            l,
            "IPFragmenter({}) DF {} {} len={len}",
            self.mtu,
            ip_header::src(ip),
            ip_header::dst(ip)
        );
        cx.console.line(l.as_str());
    }

    /// Moves waiting fragments to output 0 while its batch has room;
    /// true when any moved.
    fn flush(&mut self, out: &mut Batch) -> bool {
        let mut moved = false;
        while !out.is_full() {
            let Some(q) = self.backlog.0.pop_front() else {
                break;
            };
            let _ = out.push(q);
            moved = true;
        }
        moved
    }

    /// Turns `p` (whose IP header, `hlen` bytes long, announces `ip_len`
    /// bytes) into its first fragment, `first` data bytes long, and queues
    /// the others.
    fn fragment(
        &mut self,
        cx: &Context,
        p: &mut Packet,
        hlen: usize,
        ip_len: usize,
        first: usize,
    ) -> Out {
        let Some((ip, _)) = ip_header::ip(p) else {
            return Out::Drop;
        };
        let mut opts = [0u8; 40];
        let olen = copied_options(ip, hlen, &mut opts);
        let out_hlen = MIN_LEN + olen;
        let out_dlen = (self.mtu as usize - out_hlen) & !7;
        let in_dlen = ip_len - hlen;
        let later = (in_dlen - first).div_ceil(out_dlen);
        if later > self.backlog.room() {
            self.drops += 1;
            return Out::Drop;
        }
        let orig = get16(ip, field::FRAG);
        let id = if orig & DF != 0 {
            self.random_id(cx)
        } else {
            get16(ip, field::ID)
        };
        let frag = (orig & !DF) | MF;
        let pool = p.pool();
        let mut fixed = [0u8; MIN_LEN];
        fixed.copy_from_slice(&ip[..MIN_LEN]);
        put16(&mut fixed, field::ID, id);
        for k in 0..later {
            let off = first + k * out_dlen;
            let dlen = out_dlen.min(in_dlen - off);
            let Some(mut q) = pool.alloc() else {
                self.drops += 1;
                continue;
            };
            let Some(buf) = q.put(out_hlen + dlen) else {
                self.drops += 1;
                continue;
            };
            buf[..MIN_LEN].copy_from_slice(&fixed);
            buf[MIN_LEN..out_hlen].copy_from_slice(&opts[..olen]);
            buf[field::VER_IHL] = 0x40 | (out_hlen / 4) as u8;
            put16(buf, field::LEN, (out_hlen + dlen) as u16);
            let mut f = frag.wrapping_add((off >> 3) as u16);
            if off + dlen >= in_dlen && orig & MF == 0 {
                f &= !MF;
            }
            put16(buf, field::FRAG, f);
            buf[out_hlen..].copy_from_slice(&ip[hlen + off..hlen + off + dlen]);
            ip_header::set_checksum(buf, out_hlen);
            q.set_network_header(0, out_hlen);
            *q.anno_mut() = *p.anno();
            q.set_timestamp(p.timestamp());
            q.set_packet_type(p.packet_type());
            q.set_device(p.device());
            self.backlog.0.push_back(q);
            self.fragments += 1;
        }
        let net = p.network_offset().unwrap_or(0);
        if let Some((ip, _)) = ip_header::ip_mut(p) {
            put16(ip, field::ID, id);
            put16(ip, field::FRAG, frag);
            put16(ip, field::LEN, (hlen + first) as u16);
            ip_header::set_checksum(ip, hlen);
        }
        p.take(p.len() - (net + hlen + first));
        self.fragments += 1;
        Out::Port(0)
    }
}

impl Element for IPFragmenter {
    fn process(&mut self, cx: &Context, _input: usize, p: &mut Packet) -> Out {
        let mtu = self.mtu as usize;
        let Some((ip, hlen)) = ip_header::ip(p) else {
            self.drops += 1;
            return Out::Drop;
        };
        if ip.len() <= mtu {
            return Out::Port(0);
        }
        let ip_len = ip_header::total_len(ip);
        if ip_len < hlen || ip_len > ip.len() {
            self.drops += 1;
            return Out::Drop;
        }
        if ip_len <= mtu {
            return Out::Port(0);
        }
        let first = mtu.saturating_sub(hlen) & !7;
        if (get16(ip, field::FRAG) & DF != 0 && self.honor_df) || first < 8 {
            if self.verbose || self.drops < 5 {
                self.report(cx, ip, p.len());
            }
            self.drops += 1;
            return Out::Port(TOO_BIG);
        }
        self.fragment(cx, p, hlen, ip_len, first)
    }

    fn push(&mut self, cx: &Context, input: usize, batch: &mut Batch, others: &mut [Batch]) {
        batch.route(others, |p| self.process(cx, input, p));
        self.flush(batch);
    }

    fn has_task(&self) -> bool {
        true
    }

    fn run_task(&mut self, _cx: &Context, out: &mut Batch, _others: &mut [Batch]) -> TaskResult {
        if self.flush(out) {
            TaskResult::Busy
        } else {
            TaskResult::Idle
        }
    }

    fn read_handler(&self, name: &str) -> Result<String, HandlerError> {
        match name {
            "fragments" => Ok(self.fragments.to_string()),
            "drops" => Ok(self.drops.to_string()),
            _ => Err(HandlerError::NoSuchHandler),
        }
    }
}

/// IPFragmenter's spec.
pub const SPEC: ElementSpec = ElementSpec {
    class: "IPFragmenter",
    port_count: "1/1-2",
    processing: "h/h",
    flow_code: "x/x",
    keywords: &["MTU", "HONOR_DF", "VERBOSE", "HEADROOM"],
    handlers: &["fragments (read)", "drops (read)"],
    summary: "fragments large IP packets",
    source: include_str!("ip_fragmenter.rs"),
    check: |c| IPFragmenter::configure(c).map(|_| Ports::DECLARED),
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn configure() {
        let c = IPFragmenter::configure("1500").unwrap();
        assert_eq!(
            (c.mtu, c.honor_df, c.verbose, c.headroom),
            (1500, true, false, None)
        );
        let c = IPFragmenter::configure("576, false, HEADROOM 64").unwrap();
        assert_eq!((c.honor_df, c.headroom), (false, Some(64)));
        let cfg = "4, HONOR_DF perhaps";
        let e = IPFragmenter::configure(cfg).unwrap_err().0;
        assert_eq!(e.len(), 2);
        assert_eq!(&cfg[e[0].span.clone().unwrap()], "perhaps");
        assert_eq!(e[1].message, "MTU must be at least 8, not 4");
        assert_eq!(&cfg[e[1].span.clone().unwrap()], "4");
    }

    use alloc::vec::Vec;
    use nfc_dataplane::element::Captured;
    use nfc_dataplane::packet::PacketPool;

    use crate::harness::{
        self, check_batch_path, ip_checksum, on_port, run_process, run_push, Sent,
    };
    use crate::ip::ip_header::testing::{ipv4, marked, udp};
    use crate::ip::ip_header::{OPT_LSRR, OPT_RR, PROTO_UDP};

    const A: [u8; 4] = [10, 0, 0, 1];
    const B: [u8; 4] = [10, 0, 0, 2];

    /// Checks that `frags` (IP packets) are valid fragments of `orig` no
    /// longer than `mtu`, and that they put it back together.
    fn reassembles(orig: &[u8], frags: &[&[u8]], mtu: usize) {
        let ohl = usize::from(orig[0] & 0x0f) * 4;
        let mut data = alloc::vec![None; orig.len() - ohl];
        let mut last_seen = false;
        for f in frags {
            let hl = usize::from(f[0] & 0x0f) * 4;
            assert!(f.len() <= mtu, "{} > {mtu}", f.len());
            assert_eq!(ip_checksum(&f[..hl]), 0);
            assert_eq!(usize::from(get16(f, field::LEN)), f.len());
            assert_eq!(f[12..20], orig[12..20]);
            assert_eq!(get16(f, field::ID), get16(frags[0], field::ID));
            let fr = get16(f, field::FRAG);
            let off = usize::from(fr & ip_header::OFFSET_MASK) * 8;
            if fr & MF == 0 {
                last_seen = true;
                assert_eq!(off + f.len() - hl, data.len());
            } else {
                assert_eq!((f.len() - hl) % 8, 0);
            }
            for (i, &b) in f[hl..].iter().enumerate() {
                data[off + i] = Some(b);
            }
        }
        assert!(last_seen);
        let data: Vec<u8> = data.into_iter().map(|b| b.expect("no hole")).collect();
        assert_eq!(data, orig[ohl..]);
    }

    fn sent_ip(s: &Sent) -> &[u8] {
        &s.data[s.network.unwrap()..]
    }

    #[test]
    fn fragments_to_the_mtu() {
        let mut f = IPFragmenter::configure("576").unwrap();
        let pool = harness::pool();
        let cx = harness::cx(pool);
        let payload: Vec<u8> = (0..1400).map(|i| i as u8).collect();
        let orig = udp(A, B, 1, 2, &payload);
        let mut framed = alloc::vec![0xee; 14];
        framed.extend_from_slice(&orig);
        let mut p = marked(pool, &framed, 14);
        p.set_paint(9);
        let sent = run_push(&mut f, &cx, 0, alloc::vec![p], 2);
        assert_eq!(sent.len(), 3);
        assert_eq!(
            sent[0].data[..14],
            [0xee; 14],
            "the first fragment keeps the link header"
        );
        assert!(sent.iter().all(|s| s.paint == 9), "annotations copied");
        let frags: Vec<&[u8]> = sent.iter().map(sent_ip).collect();
        reassembles(&orig, &frags, 576);
        assert_eq!(f.read_handler("fragments"), Ok("3".into()));
        assert_eq!(f.read_handler("drops"), Ok("0".into()));
        assert_eq!(pool.available(), pool.capacity(), "nothing leaked");
    }

    #[test]
    fn only_copied_options_follow() {
        let mut f = IPFragmenter::configure("100").unwrap();
        let pool = harness::pool();
        let cx = harness::cx(pool);
        let opts = [OPT_RR, 7, 4, 0, 0, 0, 0, OPT_LSRR, 7, 4, 9, 9, 9, 9];
        let orig = ipv4(PROTO_UDP, A, B, &opts, &[7; 200]);
        let sent = run_push(&mut f, &cx, 0, alloc::vec![marked(pool, &orig, 0)], 1);
        assert_eq!(
            sent[0].data[20..34],
            opts,
            "the first fragment keeps all options"
        );
        for s in &sent[1..] {
            assert_eq!(s.data[0], 0x47);
            assert_eq!(s.data[20..28], [OPT_LSRR, 7, 4, 9, 9, 9, 9, OPT_EOL]);
        }
        let frags: Vec<&[u8]> = sent.iter().map(sent_ip).collect();
        reassembles(&orig, &frags, 100);
    }

    #[test]
    fn fragments_of_fragments_keep_more_fragments() {
        let mut f = IPFragmenter::configure("60").unwrap();
        let pool = harness::pool();
        let mut orig = ipv4(PROTO_UDP, A, B, &[], &[3; 100]);
        put16(&mut orig, field::FRAG, MF | 10);
        ip_header::set_checksum(&mut orig, 20);
        let sent = run_push(
            &mut f,
            &harness::cx(pool),
            0,
            alloc::vec![marked(pool, &orig, 0)],
            1,
        );
        assert_eq!(sent.len(), 3);
        let frs: Vec<u16> = sent.iter().map(|s| get16(&s.data, field::FRAG)).collect();
        assert_eq!(frs, [MF | 10, MF | 15, MF | 20]);
    }

    #[test]
    fn dont_fragment() {
        let pool = harness::pool();
        let out = Captured::leak();
        let cx = Context {
            console: out,
            ..harness::cx(pool)
        };
        let mut df = udp(A, B, 1, 2, &[0; 100]);
        put16(&mut df, field::FRAG, DF);
        ip_header::set_checksum(&mut df, 20);
        let mut f = IPFragmenter::configure("64").unwrap();
        let sent = run_push(
            &mut f,
            &cx,
            0,
            (0..7).map(|_| marked(pool, &df, 0)).collect(),
            2,
        );
        assert_eq!(on_port(&sent, 1).len(), 7);
        assert_eq!(on_port(&sent, 1)[0].data, df, "unchanged");
        let lines = out.take();
        assert_eq!(lines.len(), 5, "the first five are reported");
        assert_eq!(lines[0], "IPFragmenter(64) DF 10.0.0.1 10.0.0.2 len=128");
        // Not honored: fragmented, DF cleared, a fresh ID.
        let mut f = IPFragmenter::configure("64, false").unwrap();
        let sent = run_push(&mut f, &cx, 0, alloc::vec![marked(pool, &df, 0)], 2);
        assert_eq!(sent.len(), 3);
        let frags: Vec<&[u8]> = sent.iter().map(sent_ip).collect();
        reassembles(&df, &frags, 64);
        assert!(sent.iter().all(|s| get16(&s.data, field::FRAG) & DF == 0));
        // An MTU with no room for 8 data bytes.
        let mut f = IPFragmenter::configure("27, false").unwrap();
        let mut p = marked(pool, &df, 0);
        assert_eq!(f.process(&cx, 0, &mut p), Out::Port(TOO_BIG));
    }

    #[test]
    fn malformed_packets_are_dropped() {
        let mut f = IPFragmenter::configure("40").unwrap();
        let pool = harness::pool();
        let cx = harness::cx(pool);
        let mut long = udp(A, B, 1, 2, &[0; 40]);
        put16(&mut long, field::LEN, 200);
        let mut p = marked(pool, &long, 0);
        assert_eq!(f.process(&cx, 0, &mut p), Out::Drop);
        let mut p = pool.alloc_with(&long).unwrap();
        assert_eq!(
            f.process(&cx, 0, &mut p),
            Out::Drop,
            "no IP header annotation"
        );
        let mut trailing = udp(A, B, 1, 2, &[0; 4]);
        trailing.extend_from_slice(&[0; 40]);
        let mut p = marked(pool, &trailing, 0);
        assert_eq!(f.process(&cx, 0, &mut p), Out::Port(0));
        assert_eq!(p.len(), 72, "passed unchanged");
        assert_eq!(f.read_handler("drops"), Ok("2".into()));
    }

    /// Packets of assorted sizes around the MTU, some DF, some broken.
    fn packet(i: usize, pool: &'static PacketPool) -> Packet {
        let mut b = udp(A, B, 1, i as u16, &[i as u8; 200][..(i * 37) % 200]);
        if i % 5 == 1 {
            put16(&mut b, field::FRAG, DF);
            ip_header::set_checksum(&mut b, 20);
        }
        if i % 11 == 7 {
            b.truncate(10);
        }
        let mut p = marked(pool, &b, 0);
        p.set_paint(i as u8);
        p
    }

    #[test]
    fn batches_wait_for_room_and_match_the_packet_path() {
        // Without fragmentation, both paths are the default loop.
        let f = IPFragmenter::configure("2000").unwrap();
        check_batch_path(&f, 0, 2, packet);
        let f = IPFragmenter::configure("68").unwrap();
        // With fragmentation, the packet path leaves later fragments
        // waiting; the batch path sends what fits. Drained by the task,
        // both give the same packets on each output.
        for n in [1usize, 31, 33] {
            let pool = PacketPool::new(16 * 33 + 8);
            let cx = harness::cx(pool);
            let drain = |f: &mut IPFragmenter, sent: &mut Vec<Sent>| loop {
                let mut outs = [Batch::new(), Batch::new()];
                if harness::task(f, &cx, Batch::new(), &mut outs) == TaskResult::Idle {
                    break;
                }
                assert!(outs[0].len() <= 32);
                sent.extend(outs[0].iter().map(|p| (p.data().to_vec(), p.paint())).map(
                    |(data, paint)| Sent {
                        port: 0,
                        data,
                        paint,
                        dst_ip: core::net::Ipv4Addr::UNSPECIFIED,
                        network: Some(0),
                    },
                ));
            };
            let (mut a, mut b) = (f.clone(), f.clone());
            let mut one = run_process(&mut a, &cx, 0, (0..n).map(|i| packet(i, pool)).collect(), 2);
            drain(&mut a, &mut one);
            let mut many = run_push(&mut b, &cx, 0, (0..n).map(|i| packet(i, pool)).collect(), 2);
            drain(&mut b, &mut many);
            let key = |v: &[&Sent]| {
                let mut k: Vec<(Vec<u8>, u8)> =
                    v.iter().map(|s| (s.data.clone(), s.paint)).collect();
                k.sort();
                k
            };
            for port in 0..2 {
                assert_eq!(
                    key(&on_port(&one, port)),
                    key(&on_port(&many, port)),
                    "{n} packets, port {port}"
                );
            }
            assert_eq!(a, b);
            assert_eq!(a.read_handler("fragments"), b.read_handler("fragments"));
            drop((one, many));
            assert_eq!(pool.available(), pool.capacity());
        }
    }

    #[test]
    fn a_full_backlog_drops_whole_packets() {
        let mut f = IPFragmenter::configure("28").unwrap();
        let pool = PacketPool::new(600);
        let cx = harness::cx(pool);
        let big = udp(A, B, 1, 2, &[1; 1200]);
        // 1208 data bytes in 8-byte fragments: 151 each; the second packet
        // does not fit in what is left of the 256-slot backlog.
        let mut p = marked(pool, &big, 0);
        assert_eq!(f.process(&cx, 0, &mut p), Out::Port(0));
        let mut q = marked(pool, &big, 0);
        assert_eq!(f.process(&cx, 0, &mut q), Out::Drop);
        assert_eq!(f.read_handler("drops"), Ok("1".into()));
        assert_eq!(f.backlog.0.len(), 150);
    }
}
