//! # ARPQuerier — encapsulates IP packets in Ethernet headers found via ARP
//!
//! ```click
//! ARPQuerier(IP, ETH [, KEYWORDS])
//! ```
//!
//! Ports: 2 inputs, 1 or 2 outputs (`2/1-2`). Processing: push (`h/h`).
//!
//! Does the sending half of ARP for a host with address IP and Ethernet
//! address ETH. IP packets arrive on input 0 with their destination IP
//! annotation set (by a route lookup). When the annotation's Ethernet
//! address is known, the packet leaves output 0 with an Ethernet header.
//! Otherwise it is held (up to CAPACITY packets overall) and an ARP query
//! is sent — out output 1 when it exists, else out output 0. ARP replies,
//! with Ethernet header, arrive on input 1; they fill the table and release
//! the packets waiting for that address.
//!
//! Packets for 0.0.0.0 are dropped. Packets for 255.255.255.255 or the
//! BROADCAST address go to ff:ff:ff:ff:ff:ff and IP multicast packets to
//! their multicast Ethernet address, without a query. Entries expire after
//! TIMEOUT; an entry in use is refreshed by a new query once it is older
//! than POLL_TIMEOUT. At most 10 queries a second go out for one address.
//!
//! IP may be given as a prefix (`10.0.0.1/24`) to supply the network from
//! which the default BROADCAST address is computed. IP and ETH may also be
//! given together in one argument: `ARPQuerier(10.0.0.1 00:11:22:33:44:55)`.
//!
//! ## Keywords
//! - `IP` *IP address or prefix* — this host's address; mandatory.
//! - `ETH` *Ethernet address* — this host's Ethernet address; mandatory.
//! - `CAPACITY` *unsigned* — packets held waiting for replies; default 2048
//!   (0 = no limit).
//! - `ENTRY_CAPACITY` *unsigned* — ARP entries kept; default 0 (no limit).
//! - `ENTRY_PACKET_CAPACITY` *unsigned* — packets held per entry; default 0
//!   (no limit).
//! - `CAPACITY_SLIM_FACTOR` *unsigned ≥ 1* — when full, drop down to
//!   capacity × (factor−1)/factor; default 2.
//! - `TIMEOUT` *duration* — entry lifetime; default 5min (0 = forever).
//! - `POLL_TIMEOUT` *duration* — re-query entries older than this; default 1min.
//! - `BROADCAST` *IP address* — the local broadcast address; default: IP
//!   with its host bits set, or 255.255.255.255.
//! - `BROADCAST_POLL` *boolean* — send refresh queries to the broadcast
//!   address instead of the known host; default false.
//!
//! ## Handlers
//! - `table` (read) — the ARP table.
//! - `stats` (read) — packets dropped and queries sent.
//! - `count` (read), `length` (read) — entries and held packets.
//! - `queries` (read), `responses` (read), `drops` (read) — counters.
//! - `ipaddr` (read/write), `broadcast` (read/write) — the addresses.
//! - `insert` (write) — add an entry (`IP ETH`); `delete` (write) — remove one.
//! - `clear` (write) — empty the table and zero the counters.
//!
//! ## Examples
//! ```click
//! c :: Classifier(12/0806 20/0002, 12/0800, -);
//! arpq :: ARPQuerier(10.0.0.1/24, 00:11:22:33:44:55);
//! c[0] -> [1] arpq;
//! ... -> GetIPAddress(16) -> [0] arpq;
//! arpq -> Queue -> ToDevice(eth0);
//! ```
//!
//! ## Differences from Click
//! - `ARPQuerier(NAME)` with an AddressInfo name is not supported yet:
//!   give the IP and Ethernet addresses.
//! - `TABLE` (a shared ARPTable element) is not supported: nfc has no
//!   ARPTable, so each ARPQuerier keeps its own table.

use alloc::format;
use core::net::Ipv4Addr;
use core::time::Duration;
use nfc_dataplane::args::{Args, ConfigError, ConfigErrors};
use nfc_dataplane::parse::{self, EtherAddress, IpPrefix};

use crate::standard::words;
use crate::{ElementSpec, Ports};

/// ARPQuerier's configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ARPQuerier {
    /// This host's IP address, with its network (a bare address is /32).
    pub ip: IpPrefix,
    /// This host's Ethernet address.
    pub eth: EtherAddress,
    /// The local broadcast address.
    pub broadcast: Ipv4Addr,
    /// Packets held waiting for replies; 0 = no limit.
    pub capacity: u32,
    /// ARP entries kept; 0 = no limit.
    pub entry_capacity: u32,
    /// Packets held per entry; 0 = no limit.
    pub entry_packet_capacity: u32,
    /// How far a full table is slimmed (at least 1).
    pub capacity_slim_factor: u32,
    /// Entry lifetime; `None` keeps entries forever.
    pub timeout: Option<Duration>,
    /// Age after which an entry in use is re-queried.
    pub poll_timeout: Duration,
    /// Send refresh queries to the broadcast address.
    pub broadcast_poll: bool,
}

const FORM_HINT: &str = "write `ARPQuerier(10.0.0.1, 00:11:22:33:44:55)` or put both in one \
                         argument: `ARPQuerier(10.0.0.1 00:11:22:33:44:55)`";

/// The default broadcast address for `ip`: its host bits set, or the
/// all-ones address when that gives `ip` itself.
fn default_broadcast(ip: IpPrefix) -> Ipv4Addr {
    let b = Ipv4Addr::from(u32::from(ip.addr) | !u32::from(ip.mask()));
    if b == ip.addr {
        Ipv4Addr::BROADCAST
    } else {
        b
    }
}

impl ARPQuerier {
    /// Parses ARPQuerier's configuration string.
    pub fn configure(config: &str) -> Result<Self, ConfigErrors> {
        let mut args = Args::new(config);
        let first = args.read_mp("IP", parse::any);
        let eth = args.read_p("ETH", parse::ether);
        let capacity = args
            .read("CAPACITY", parse::unsigned::<u32>)
            .unwrap_or(2048);
        let entry_capacity = args
            .read("ENTRY_CAPACITY", parse::unsigned::<u32>)
            .unwrap_or(0);
        let entry_packet_capacity = args
            .read("ENTRY_PACKET_CAPACITY", parse::unsigned::<u32>)
            .unwrap_or(0);
        let capacity_slim_factor = args
            .read("CAPACITY_SLIM_FACTOR", parse::unsigned::<u32>)
            .unwrap_or(2);
        let timeout = args.read("TIMEOUT", parse::duration);
        let poll_timeout = args
            .read("POLL_TIMEOUT", parse::duration)
            .unwrap_or(Duration::from_secs(60));
        let broadcast = args.read("BROADCAST", parse::ipv4);
        let broadcast_poll = args.read("BROADCAST_POLL", parse::boolean).unwrap_or(false);
        if args.read("TABLE", parse::any).is_some() {
            let span = args.span_of("TABLE");
            args.error(
                ConfigError::new(span, "TABLE is not supported: nfc has no ARPTable element")
                    .with_hint("remove TABLE; each ARPQuerier keeps its own table"),
            );
        }
        if capacity_slim_factor == 0 {
            let span = args.span_of("CAPACITY_SLIM_FACTOR");
            args.error(ConfigError::new(
                span,
                "CAPACITY_SLIM_FACTOR must be at least 1",
            ));
        }
        let ip_span = args.span_of("IP");
        let mut ip = None;
        let mut eth = eth;
        if let Some(text) = first {
            let w = words(&text);
            let ip_text = match (eth, w.as_slice()) {
                // `IP ETH` in one argument.
                (None, [(_, a), (_, b)]) => {
                    match parse::ether(b) {
                        Ok(e) => eth = Some(e),
                        Err(e) => args.error(ConfigError {
                            span: ip_span.clone(),
                            message: format!("ETH: {}", e.message),
                            hint: e.hint,
                        }),
                    }
                    Some(*a)
                }
                (_, [(_, a)]) => Some(*a),
                _ => {
                    args.error(
                        ConfigError::new(
                            ip_span.clone(),
                            format!("expected IP address, found \"{text}\""),
                        )
                        .with_hint(FORM_HINT),
                    );
                    None
                }
            };
            if let Some(t) = ip_text {
                match parse::ip_prefix(t) {
                    Ok(p) => ip = Some(p),
                    Err(e) => args.error(ConfigError {
                        span: ip_span.clone(),
                        message: format!("IP: {}", e.message),
                        hint: e.hint,
                    }),
                }
            }
            if eth.is_none() && args.span_of("ETH").is_none() && w.len() == 1 {
                args.error(
                    ConfigError::new(ip_span, "ETH: missing mandatory argument")
                        .with_hint(FORM_HINT),
                );
            }
        }
        args.complete()?;
        let ip = ip.unwrap_or(IpPrefix {
            addr: Ipv4Addr::UNSPECIFIED,
            len: 32,
        });
        Ok(ARPQuerier {
            ip,
            eth: eth.unwrap_or_default(),
            broadcast: broadcast.unwrap_or_else(|| default_broadcast(ip)),
            capacity,
            entry_capacity,
            entry_packet_capacity,
            capacity_slim_factor,
            timeout: match timeout {
                Some(Duration::ZERO) => None,
                Some(t) => Some(t),
                None => Some(Duration::from_secs(300)),
            },
            poll_timeout,
            broadcast_poll,
        })
    }
}

/// ARPQuerier's spec.
pub const SPEC: ElementSpec = ElementSpec {
    class: "ARPQuerier",
    port_count: "2/1-2",
    processing: "h/h",
    flow_code: "xy/x",
    keywords: &[
        "IP",
        "ETH",
        "CAPACITY",
        "ENTRY_CAPACITY",
        "ENTRY_PACKET_CAPACITY",
        "CAPACITY_SLIM_FACTOR",
        "TIMEOUT",
        "POLL_TIMEOUT",
        "BROADCAST",
        "BROADCAST_POLL",
    ],
    handlers: &[
        "table (read)",
        "stats (read)",
        "count (read)",
        "length (read)",
        "queries (read)",
        "responses (read)",
        "drops (read)",
        "ipaddr (read/write)",
        "broadcast (read/write)",
        "insert (write)",
        "delete (write)",
        "clear (write)",
    ],
    summary: "encapsulates IP packets in Ethernet headers found via ARP",
    source: include_str!("arp_querier.rs"),
    check: |c| ARPQuerier::configure(c).map(|_| Ports::DECLARED),
};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::standard::testing::{errors, has};

    const MAC: EtherAddress = EtherAddress([0, 0x11, 0x22, 0x33, 0x44, 0x55]);

    #[test]
    fn forms() {
        let a = ARPQuerier::configure("10.0.0.1, 00:11:22:33:44:55").unwrap();
        assert_eq!(a.ip.addr, Ipv4Addr::new(10, 0, 0, 1));
        assert_eq!(a.eth, MAC);
        assert_eq!(a.broadcast, Ipv4Addr::BROADCAST);
        assert_eq!(a.capacity, 2048);
        assert_eq!(a.timeout, Some(Duration::from_secs(300)));
        let b = ARPQuerier::configure("10.0.0.1/24 00:11:22:33:44:55").unwrap();
        assert_eq!(b.eth, MAC);
        assert_eq!(b.ip.len, 24);
        assert_eq!(b.broadcast, Ipv4Addr::new(10, 0, 0, 255));
        let c = ARPQuerier::configure(
            "IP 10.0.0.1, ETH 00:11:22:33:44:55, TIMEOUT 0, POLL_TIMEOUT 10s, \
             BROADCAST 10.255.255.255, CAPACITY 16, BROADCAST_POLL true",
        )
        .unwrap();
        assert_eq!(c.timeout, None);
        assert_eq!(c.poll_timeout, Duration::from_secs(10));
        assert_eq!(c.broadcast, Ipv4Addr::new(10, 255, 255, 255));
        assert_eq!(c.capacity, 16);
        assert!(c.broadcast_poll);
    }

    #[test]
    fn bad_configs() {
        let cfg = "10.0.0.300, 00:11:22:33:44, TIMEOUT soon, TABLE t";
        let errs = errors(cfg, ARPQuerier::configure(cfg));
        assert_eq!(errs.len(), 4, "{errs:?}");
        assert!(has(&errs, "IP:", "10.0.0.300"), "{errs:?}");
        assert!(has(&errs, "ETH:", "00:11:22:33:44"), "{errs:?}");
        assert!(has(&errs, "", "soon"), "{errs:?}");
        assert!(has(&errs, "ARPTable", "t"), "{errs:?}");
        let cfg = "myaddr";
        let errs = errors(cfg, ARPQuerier::configure(cfg));
        assert_eq!(errs.len(), 2, "{errs:?}");
        assert!(has(&errs, "ETH: missing", "myaddr"), "{errs:?}");
        let cfg = "10.0.0.1 zz";
        let errs = errors(cfg, ARPQuerier::configure(cfg));
        assert!(has(&errs, "ETH:", "10.0.0.1 zz"), "{errs:?}");
    }
}
