//! # IPFilter — filters IP packets by contents
//!
//! ```click
//! IPFilter(ACTION_1 PATTERN_1, ..., ACTION_N PATTERN_N)
//! ```
//!
//! Ports: 1 input, any number of outputs (`1/-`). Processing: push (`h/h`).
//!
//! Each argument is a rule: an ACTION followed by a PATTERN in
//! IPClassifier's language (see IPClassifier). Packets are checked against
//! the rules in order; the first matching rule decides. ACTION is `allow`
//! (send to output 0), `drop` or `deny` (drop the packet), or an output
//! number. A rule with no pattern, or with `-`, `any` or `all`, matches
//! every packet; packets that match no rule are dropped. Input packets must
//! have their IP header annotation set (CheckIPHeader or MarkIPHeader).
//!
//! ## Handlers
//! - `program` (read) — the compiled classification program (its verdicts
//!   are rule numbers).
//! - `config` (read/write) — the rules. Writing replaces them while the
//!   element runs: the new rules are checked as at configure time, and a
//!   set with an error, or one that names an output the element does not
//!   have, is refused (the write fails, the old rules stay).
//! - `rules` (read) — one line per rule: its number, the packets it
//!   matched and the rule as written; then the packets no rule matched.
//!   These are the per-rule counters of a firewall.
//! - `reset_counts` (write) — zero those counts.
//!
//! ## Examples
//! ```click
//! IPFilter(allow src 10.0.0.0/8 && tcp && dst port > 1023 && ack,
//!          allow dst port ssh,
//!          1 icmp type echo,
//!          deny all);
//! ```
//!
//! ## Differences from Click
//! - As for IPClassifier: no AddressInfo names or `/etc/services` names.
//! - Click's `deny` warns on elements with several outputs; nfc treats it
//!   as `drop` silently.
//! - Writing `config` works as in Click (IPFilter can live-reconfigure
//!   there too; a bad rule set leaves the old one). It also zeroes the
//!   per-rule counts. The `rules` and `reset_counts` handlers are nfc
//!   additions. In a generated pipeline, whose program is compiled to
//!   Rust, the element runs the interpreter after a write that changes
//!   the program, as fast as the generic runner.

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;
use core::marker::PhantomData;

use nfc_dataplane::args::{split, ConfigErrors};
use nfc_dataplane::batch::Batch;
use nfc_dataplane::element::{Context, Element, HandlerError, Out};
use nfc_dataplane::packet::Packet;

use super::ip_classifier::{invalid, RuleTable};
use super::ip_classifier_eval::Headers;
use super::ip_classifier_expr::{parse_rule, Action, Expr};
use super::ip_classifier_program::{Compiled, Interpreted, Program};
use crate::{ElementSpec, Ports};

/// IPFilter's configuration: its rules, in order, the program compiled
/// from them and what each rule has matched; `C` is the program compiled
/// to Rust by a generated pipeline ([`compiled`](Self::compiled)), if any.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IPFilter<C = Interpreted> {
    rules: Vec<(Action, Expr)>,
    table: RuleTable,
    /// The outputs the element has (at least what the rules name).
    noutputs: usize,
    compiled: PhantomData<C>,
}

impl IPFilter {
    /// Parses `ACTION PATTERN, ...`, reporting every bad rule, and compiles
    /// the rules.
    pub fn configure(config: &str) -> Result<Self, ConfigErrors> {
        let args = split(config);
        let mut rules = Vec::new();
        let mut errors = Vec::new();
        for arg in &args {
            match parse_rule(arg, config) {
                Ok(r) => rules.push(r),
                Err(e) => errors.push(e),
            }
        }
        if !errors.is_empty() {
            return Err(ConfigErrors(errors));
        }
        let outputs = rules
            .iter()
            .map(|(a, _)| match a {
                Action::Output(n) => Some(*n as usize),
                Action::Drop => None,
            })
            .collect();
        let mut f = IPFilter {
            table: RuleTable::new(config, &args, rules.iter().map(|(_, e)| e), outputs),
            rules,
            noutputs: 0,
            compiled: PhantomData,
        };
        f.noutputs = f.min_noutputs();
        Ok(f)
    }
}

impl<C: Compiled> IPFilter<C> {
    /// The same element running `D`, its program compiled to Rust;
    /// refused when `D` was compiled from another program.
    pub fn compiled<D: Compiled>(self) -> Result<IPFilter<D>, ConfigErrors> {
        Ok(IPFilter {
            table: self.table.compiled::<D>()?,
            rules: self.rules,
            noutputs: self.noutputs,
            compiled: PhantomData,
        })
    }

    /// `(action, pattern)` pairs; the first matching pattern wins.
    pub fn rules(&self) -> &[(Action, Expr)] {
        &self.rules
    }

    /// The compiled program (what the `program` handler shows); its
    /// verdicts are rule numbers.
    pub fn program(&self) -> &Program {
        self.table.program()
    }

    /// The output for the packet whose IPv4 header starts `ip` (the rest of
    /// the packet follows it): the action of the first rule that matches,
    /// `None` for `drop`/`deny` or when no rule matches. Patterns on
    /// Ethernet addresses do not match; see
    /// [`classify_ether`](Self::classify_ether).
    #[inline]
    pub fn classify(&self, ip: &[u8]) -> Option<usize> {
        self.table.classify::<C>(&Headers::ip(ip))
    }

    /// As [`classify`](Self::classify), for a packet whose link header is
    /// `ether` (destination and source MAC addresses first).
    #[inline]
    pub fn classify_ether(&self, ether: &[u8], ip: &[u8]) -> Option<usize> {
        self.table.classify::<C>(&Headers::new(ether, ip))
    }

    /// The smallest number of outputs the rules need (largest output
    /// number used plus one).
    pub fn min_noutputs(&self) -> usize {
        self.rules
            .iter()
            .filter_map(|(a, _)| match a {
                Action::Output(n) => Some(*n as usize + 1),
                Action::Drop => None,
            })
            .max()
            .unwrap_or(0)
    }

    /// Packets that rule `n` matched since the element started or its
    /// counts were reset (`n` = the number of rules: packets no rule
    /// matched).
    pub fn matched(&self, n: usize) -> u64 {
        self.table.hits(n)
    }

    /// Replaces the rules with those of `config` while the element runs
    /// (the `config` handler). As in Click, a rule may not name an output
    /// the element does not have. On error nothing changes.
    pub fn reconfigure(&mut self, config: &str) -> Result<(), HandlerError> {
        let new = IPFilter::configure(config).map_err(invalid)?;
        if new.min_noutputs() > self.noutputs {
            return Err(HandlerError::Invalid(format!(
                "a rule sends to output {}, but the element has {} output{}",
                new.min_noutputs() - 1,
                self.noutputs,
                if self.noutputs == 1 { "" } else { "s" }
            )));
        }
        self.rules = new.rules;
        self.table = new.table.replacing::<C>();
        Ok(())
    }
}

impl<C: Compiled> Element for IPFilter<C> {
    #[inline]
    fn process(&mut self, _cx: &Context, _input: usize, p: &mut Packet) -> Out {
        self.table.process::<C>(p)
    }

    #[inline]
    fn push(&mut self, _cx: &Context, _input: usize, batch: &mut Batch, others: &mut [Batch]) {
        self.table.push::<C>(batch, others);
    }

    fn set_ports(&mut self, _ninputs: usize, noutputs: usize) {
        self.noutputs = noutputs;
    }

    fn read_handler(&self, name: &str) -> Result<String, HandlerError> {
        self.table.read_handler(name)
    }

    fn write_handler(&mut self, name: &str, value: &str) -> Result<(), HandlerError> {
        match name {
            "config" => self.reconfigure(value),
            _ => self.table.write_handler(name),
        }
    }
}

/// IPFilter's spec.
pub const SPEC: ElementSpec = ElementSpec {
    class: "IPFilter",
    port_count: "1/-",
    processing: "h/h",
    flow_code: "x/x",
    keywords: &[],
    handlers: &[
        "program (read)",
        "config (read/write)",
        "rules (read)",
        "reset_counts (write)",
    ],
    summary: "filters IP packets by contents",
    source: include_str!("ip_filter.rs"),
    check: |c| {
        IPFilter::configure(c).map(|f| {
            Ports::outputs_at_least(f.min_noutputs(), "up to the highest output a rule names")
        })
    },
};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ip::ip_classifier_eval::packets::Pkt;
    use alloc::{string::ToString, vec::Vec};

    /// A 10-rule firewall after Click's IPFilter example (the interior
    /// router of *Building Internet Firewalls*), with real addresses.
    const FIREWALL: &str = "deny src net 10.0.0.0/8,
        allow src host 192.0.2.10 && dst net 198.51.100.0/24 && tcp && src port www && dst port > 1023 && ack,
        allow dst net 198.51.100.0/24 && tcp && src port 23 && dst port > 1023 && ack,
        allow dst net 198.51.100.0/24 && tcp && src port 22 && ack,
        allow dst net 198.51.100.0/24 && tcp && dst port 22,
        allow dst net 198.51.100.0/24 && tcp && src port > 1023 && dst port > 1023 && ack,
        allow src host 192.0.2.10 && dst host 198.51.100.25 && tcp && dst port 25,
        allow src host 192.0.2.10 && dst host 198.51.100.53 && udp && src port 53 && dst port 53,
        1 icmp type echo,
        deny all";

    /// Packets for [`FIREWALL`], with the output each should get.
    fn firewall_traffic() -> Vec<(Vec<u8>, Option<usize>)> {
        let from = |src: [u8; 4], dst: [u8; 4], mut p: Pkt| {
            (p.src, p.dst) = (src, dst);
            p.bytes()
        };
        let (bastion, inside, web) = ([192, 0, 2, 10], [198, 51, 100, 7], [198, 51, 100, 25]);
        let ack = 0x10;
        [
            (from(bastion, inside, Pkt::tcp(80, 40000, ack)), Some(0)),
            (
                from([203, 0, 113, 5], inside, Pkt::tcp(5000, 22, 0x02)),
                Some(0),
            ),
            (from(bastion, web, Pkt::tcp(5000, 25, ack)), Some(0)),
            (from(bastion, [198, 51, 100, 53], Pkt::udp(53, 53)), Some(0)),
            (from([203, 0, 113, 5], inside, Pkt::icmp(8, 0)), Some(1)),
            (from([10, 1, 2, 3], inside, Pkt::tcp(80, 40000, ack)), None),
            (
                from([203, 0, 113, 5], inside, Pkt::tcp(5000, 80, 0x02)),
                None,
            ),
            (
                from([203, 0, 113, 5], [8, 8, 8, 8], Pkt::udp(5000, 53)),
                None,
            ),
        ]
        .into_iter()
        .collect()
    }

    #[test]
    fn classify_firewall_traffic() {
        let f = IPFilter::configure(FIREWALL).unwrap();
        for (p, want) in firewall_traffic() {
            assert_eq!(f.classify(&p), want, "{p:02x?}");
            let h = Headers::ip(&p);
            let naive = f
                .rules()
                .iter()
                .find(|(_, e)| e.matches(&h))
                .and_then(|(a, _)| match a {
                    Action::Output(n) => Some(*n as usize),
                    Action::Drop => None,
                });
            assert_eq!(naive, want);
        }
        // a later fragment has no ports: SSH's fragments fall through
        let mut frag = Pkt::tcp(5000, 22, 0x02);
        (frag.src, frag.dst) = ([203, 0, 113, 5], [198, 51, 100, 7]);
        frag.frag = 0x0020;
        assert_eq!(f.classify(&frag.bytes()), None);
        frag.frag = 0x2000;
        assert_eq!(f.classify(&frag.bytes()), Some(0));
        // cut short of its ports, the SSH packet matches no allow rule
        assert_eq!(f.classify(&frag.bytes()[..22]), None);
    }

    #[test]
    fn actions_and_defaults() {
        let f = IPFilter::configure("2 udp, drop tcp, allow icmp, 3 -").unwrap();
        assert_eq!(f.classify(&Pkt::udp(1, 2).bytes()), Some(2));
        assert_eq!(f.classify(&Pkt::tcp(1, 2, 0).bytes()), None);
        assert_eq!(f.classify(&Pkt::icmp(8, 0).bytes()), Some(0));
        assert_eq!(f.classify(&Pkt::ip(47, b"gre").bytes()), Some(3));
        // no rule matches: drop
        let f = IPFilter::configure("allow udp").unwrap();
        assert_eq!(f.classify(&Pkt::tcp(1, 2, 0).bytes()), None);
        assert_eq!(f.classify(&[]), None);
        let f = IPFilter::configure("allow ether host 00:00:00:00:00:01, 1 all").unwrap();
        let ether = [0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 2, 8, 0];
        let ip = Pkt::udp(1, 2).bytes();
        assert_eq!(f.classify_ether(&ether, &ip), Some(0));
        assert_eq!(f.classify(&ip), Some(1));
        assert!(f.program().to_string().contains("ether[0:4]"));
    }

    /// Measures `classify` on [`FIREWALL`]: the eight packets of
    /// [`firewall_traffic`] round robin (every path of the program, the
    /// branch predictor defeated), then the first of them alone (one big
    /// flow). Run with `cargo test -p nfc-elements --release -- --ignored
    /// --nocapture ipfilter_ns_per_packet`.
    #[test]
    #[ignore = "measurement, not a test; run with --release --ignored"]
    fn ipfilter_ns_per_packet() {
        extern crate std;
        let f = IPFilter::configure(FIREWALL).unwrap();
        let traffic = firewall_traffic();
        let rounds = 20_000_000u32;
        let time = |pick: &dyn Fn(usize) -> usize| {
            let mut hits = 0usize;
            let t = std::time::Instant::now();
            for i in 0..rounds {
                let (p, _) = core::hint::black_box(&traffic[pick(i as usize)]);
                hits += usize::from(f.classify(p).is_some());
            }
            (t.elapsed().as_secs_f64() * 1e9 / f64::from(rounds), hits)
        };
        let (mixed, hits) = time(&|i| i % traffic.len());
        assert_eq!(hits, rounds as usize / 8 * 5);
        let (one, hits) = time(&|_| 0);
        assert_eq!(hits, rounds as usize);
        let (checked, fast) = f.program().size();
        std::println!(
            "IPFilter, 10 rules ({fast} instructions, {checked} with length checks): \
             {mixed:.1} ns/packet for 8 packets round robin, {one:.1} ns/packet for one flow"
        );
    }

    #[test]
    fn firewall_rules() {
        let cfg = "// Spoof-1:\n deny src 10.0.0.0/8,\n \
                   allow src 1.2.3.4 && dst 10.0.0.0/8 && tcp && src port www && dst port > 1023 && ack,\n \
                   allow dst 10.0.0.0/8 && udp && src port 53 && dst port 53,\n \
                   2 icmp type echo-reply,\n deny all";
        let f = IPFilter::configure(cfg).unwrap();
        assert_eq!(f.rules().len(), 5);
        assert_eq!(f.rules()[0].0, Action::Drop);
        assert_eq!(f.rules()[1].0, Action::Output(0));
        assert_eq!(f.rules()[4], (Action::Drop, Expr::True));
        assert_eq!(f.min_noutputs(), 3);
    }

    #[test]
    fn bad_rules() {
        let cfg = "allow tcp, permit udp, allow src port, drop";
        let e = IPFilter::configure(cfg).unwrap_err().0;
        assert_eq!(e.len(), 2);
        assert_eq!(e[0].message, "unknown action 'permit'");
        assert_eq!(&cfg[e[0].span.clone().unwrap()], "permit");
        assert_eq!(e[1].message, "'port' needs a port number or name");
        assert_eq!(&cfg[e[1].span.clone().unwrap()], "src port");
        let e = IPFilter::configure("allow tcp,,drop").unwrap_err().0;
        assert_eq!(e[0].message, "empty rule");
    }

    #[test]
    fn the_element_filters_by_network_header() {
        use crate::harness::{self, check_batch_path, on_port, run_push, udp_frame};
        let f = IPFilter::configure("allow udp && dst port 53, 1 udp && dst port 67, deny all")
            .unwrap();
        let make = |i: usize, pool: &'static nfc_dataplane::packet::PacketPool| {
            let dport = [53, 67, 80][i % 3];
            let mut p = pool
                .alloc_with(&udp_frame([10, 0, 0, 1], [10, 0, 0, 2], 1000, dport, i % 5))
                .unwrap();
            if i % 7 != 6 {
                p.set_network_header(14, 20);
            }
            p
        };
        check_batch_path(&f, 0, 2, make);
        let mut f = f;
        let pool = harness::pool();
        let sent = run_push(
            &mut f,
            &harness::cx(pool),
            0,
            (0..21).map(|i| make(i, pool)).collect(),
            2,
        );
        // 21 packets: 7 of each port, minus the 3 without a network header.
        let port = |s: &harness::Sent| u16::from_be_bytes([s.data[36], s.data[37]]);
        assert!(on_port(&sent, 0).iter().all(|s| port(s) == 53));
        assert!(on_port(&sent, 1).iter().all(|s| port(s) == 67));
        assert_eq!(sent.len(), 7 + 7 - 2, "{sent:?}");
        assert_eq!(f.read_handler("program"), Ok(f.program().to_string()));
    }

    /// Packets with their network header set, from IP packets `ips`.
    fn marked(pool: &'static nfc_dataplane::packet::PacketPool, ips: &[Vec<u8>]) -> Vec<Packet> {
        ips.iter()
            .map(|ip| {
                let mut p = pool.alloc_with(ip).unwrap();
                p.set_network_header(0, 20);
                p
            })
            .collect()
    }

    /// The count column of each line of a `rules` report.
    fn counts(report: &str) -> Vec<u64> {
        report
            .lines()
            .map(|l| l.split_whitespace().nth(1).unwrap().parse().unwrap())
            .collect()
    }

    #[test]
    fn counts_packets_per_rule() {
        use crate::harness::{self, run_process};
        let cfg = "allow udp dst port 53, // DNS\n 1 tcp, drop icmp, allow udp";
        let mut f = IPFilter::configure(cfg).unwrap();
        f.set_ports(1, 2);
        let pool = harness::pool();
        let cx = harness::cx(pool);
        let ips = [
            Pkt::udp(1000, 53).bytes(),
            Pkt::tcp(1, 80, 0x02).bytes(),
            Pkt::tcp(1, 22, 0x02).bytes(),
            Pkt::icmp(8, 0).bytes(),
            Pkt::udp(1000, 54).bytes(),
            Pkt::ip(47, b"gre").bytes(),
            Pkt::udp(1000, 53).bytes(),
        ];
        let sent = run_process(&mut f, &cx, 0, marked(pool, &ips), 2);
        let ports: Vec<usize> = sent.iter().map(|s| s.port).collect();
        assert_eq!(ports, [0, 1, 1, 0, 0]);
        let report = f.read_handler("rules").unwrap();
        assert_eq!(counts(&report), [2, 2, 1, 1, 1], "{report}");
        let lines: Vec<&str> = report.lines().collect();
        assert!(lines[0].ends_with("  allow udp dst port 53"), "{report}");
        assert!(lines[1].ends_with("  1 tcp"), "{report}");
        assert!(lines[4].ends_with("(no rule matched: dropped)"), "{report}");
        assert_eq!((f.matched(0), f.matched(4), f.matched(9)), (2, 1, 0));
        // the batch path counts the same
        let mut g = IPFilter::configure(cfg).unwrap();
        let _ = harness::run_push(&mut g, &cx, 0, marked(pool, &ips), 2);
        assert_eq!(g.read_handler("rules"), Ok(report));
        f.write_handler("reset_counts", "").unwrap();
        assert_eq!(counts(&f.read_handler("rules").unwrap()), [0; 5]);
        assert_eq!(
            f.write_handler("reset", ""),
            Err(HandlerError::NoSuchHandler)
        );
    }

    #[test]
    fn config_write_replaces_the_rules() {
        let cfg = "allow udp, 1 tcp, deny all";
        let mut f = IPFilter::configure(cfg).unwrap();
        f.set_ports(1, 2);
        let (udp, tcp, icmp) = (
            Pkt::udp(1, 2).bytes(),
            Pkt::tcp(1, 2, 0).bytes(),
            Pkt::icmp(8, 0).bytes(),
        );
        assert_eq!(f.read_handler("config").unwrap(), cfg);
        let before = f.clone();

        // bad rules: refused, nothing changes
        let refusal = |f: &mut IPFilter, rules: &str| match f.write_handler("config", rules) {
            Err(HandlerError::Invalid(msg)) => msg,
            r => panic!("{rules}: {r:?}"),
        };
        let msg = refusal(&mut f, "allow udp, permit tcp");
        assert!(
            msg.starts_with("unknown action 'permit' (at 11..17)"),
            "{msg}"
        );
        let msg = refusal(&mut f, "allow udp, 2 tcp");
        assert!(
            msg.contains("output 2") && msg.contains("2 outputs"),
            "{msg}"
        );
        assert_eq!(f, before);

        // good rules: classification, config and counts follow them
        let pool = harness_pool();
        for ip in [&udp, &tcp] {
            let mut p = pool.alloc_with(ip).unwrap();
            p.set_network_header(0, 20);
            let _ = f.process(&Context::at(pool, 0), 0, &mut p);
        }
        assert_eq!(counts(&f.read_handler("rules").unwrap()), [1, 1, 0, 0]);
        f.write_handler("config", "1 udp, allow icmp").unwrap();
        assert_eq!(f.read_handler("config").unwrap(), "1 udp, allow icmp");
        assert_eq!(
            [f.classify(&udp), f.classify(&tcp), f.classify(&icmp)],
            [Some(1), None, Some(0)]
        );
        assert_eq!(counts(&f.read_handler("rules").unwrap()), [0, 0, 0]);
        assert_eq!(f.rules().len(), 2);
        // back to the first rules
        f.write_handler("config", cfg).unwrap();
        assert_eq!(f.classify(&tcp), Some(1));
        // an element with one output refuses rules for output 1
        let mut one = IPFilter::configure("allow all").unwrap();
        one.set_ports(1, 1);
        assert!(one.write_handler("config", "1 tcp").is_err());
        assert!(one.write_handler("config", "allow tcp, deny all").is_ok());
        assert_eq!(
            one.write_handler("program", ""),
            Err(HandlerError::NoSuchHandler)
        );
    }

    /// Compiled code that answers "rule 0" for every packet: it stands
    /// for a generated pipeline's code, compiled from the rules the
    /// element was configured with.
    #[derive(Debug, Clone, PartialEq, Eq)]
    struct RuleZero;

    impl Compiled for RuleZero {
        const PROGRAM: &'static str = "rule zero";

        fn run(_: &Headers) -> Option<Option<usize>> {
            Some(Some(0))
        }
    }

    #[test]
    fn after_a_config_write_the_stale_compiled_code_never_runs() {
        let f = IPFilter::configure("allow udp, 1 tcp, deny all").unwrap();
        // what `compiled::<RuleZero>()` makes when the listing matches
        let mut f: IPFilter<RuleZero> = IPFilter {
            rules: f.rules,
            table: f.table,
            noutputs: 2,
            compiled: PhantomData,
        };
        let (udp, tcp) = (Pkt::udp(1, 2).bytes(), Pkt::tcp(1, 2, 0).bytes());
        assert_eq!(f.classify(&tcp), Some(0), "the compiled code decides");
        f.write_handler("config", "1 udp, allow tcp").unwrap();
        assert_eq!([f.classify(&udp), f.classify(&tcp)], [Some(1), Some(0)]);
        f.write_handler("config", "allow udp, 1 tcp, deny all")
            .unwrap();
        assert_eq!(
            f.classify(&tcp),
            Some(1),
            "code compiled from another listing stays unused"
        );
        let pool = harness_pool();
        let mut p = pool.alloc_with(&tcp).unwrap();
        p.set_network_header(0, 20);
        assert_eq!(f.process(&Context::at(pool, 0), 0, &mut p), Out::Port(1));
        // the batch path too
        let make = |i: usize, pool: &'static nfc_dataplane::packet::PacketPool| {
            let ip = [&udp, &tcp, &Pkt::icmp(8, 0).bytes()][i % 3].clone();
            let mut p = pool.alloc_with(&ip).unwrap();
            p.set_network_header(0, 20);
            p
        };
        crate::harness::check_batch_path(&f, 0, 2, make);
        let sent = crate::harness::run_push(
            &mut f,
            &Context::at(pool, 0),
            0,
            (0..6).map(|i| make(i, pool)).collect(),
            2,
        );
        let ports: Vec<usize> = sent.iter().map(|s| s.port).collect();
        assert_eq!(ports, [0, 0, 1, 1]);
    }

    fn harness_pool() -> &'static nfc_dataplane::packet::PacketPool {
        crate::harness::pool()
    }
}
