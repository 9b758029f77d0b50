//! # LookupIPRoute — simple static IP routing table
//!
//! ```click
//! LookupIPRoute(ADDR1/MASK1 [GW1] OUT1, ADDR2/MASK2 [GW2] OUT2, ...)
//! ```
//!
//! Ports: 1 input, any number of outputs (`1/-`). Processing: push (`h/h`).
//!
//! Click's old name for StaticIPLookup, kept for old configurations: the
//! same element under another class name. Routes IP packets by
//! longest-prefix match on their destination IP address annotation; each
//! argument is a route `ADDR/MASK [GATEWAY] OUTPUT`. A packet matching a
//! route with a gateway gets the gateway as its new destination address
//! annotation, then leaves on the route's output; a packet matching no
//! route is dropped.
//!
//! ## Handlers
//! - `table` (read) — the routes, one a line: prefix, gateway (`-` for
//!   none), output.
//! - `lookup` (read with parameter ADDR) — the output and gateway for
//!   ADDR (`OUTPUT GATEWAY`, or `OUTPUT` for a route without one), `-1`
//!   when no route matches: `read rt.lookup 10.0.0.1` in a Script.
//!
//! ## Examples
//! ```click
//! rt :: LookupIPRoute(10.0.0.0/24 0, 0.0.0.0/0 10.0.0.254 1);
//! ```
//!
//! ## Differences from Click
//! - As for StaticIPLookup.

use super::ip_route_table::{check_routes, Linear};
use super::static_ip_lookup::StaticIPLookup;

use crate::ElementSpec;

/// LookupIPRoute is StaticIPLookup under its old name.
pub type LookupIPRoute = StaticIPLookup;

/// LookupIPRoute's spec: StaticIPLookup's, under the old class name.
pub const SPEC: ElementSpec = ElementSpec {
    class: "LookupIPRoute",
    port_count: "1/-",
    processing: "h/h",
    flow_code: "x/x",
    keywords: &[],
    handlers: &["table (read)", "lookup (read)"],
    summary: "simple static IP routing table",
    source: include_str!("lookup_ip_route.rs"),
    check: check_routes::<Linear>,
};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::harness::{self, run_push};
    use core::net::Ipv4Addr;
    use nfc_dataplane::element::{Element, HandlerError};

    #[test]
    fn is_static_ip_lookup() {
        let mut r = LookupIPRoute::configure("10.0.0.0/24 0, 0.0.0.0/0 10.0.0.254 1").unwrap();
        assert_eq!(r.min_noutputs(), 2);
        assert_eq!((SPEC.check)("10.0.0.0/24 x").unwrap_err().0.len(), 1);
        let pool = harness::pool();
        let mut p = pool.alloc().unwrap();
        p.set_dst_ip(Ipv4Addr::new(1, 2, 3, 4));
        let sent = run_push(&mut r, &harness::cx(pool), 0, alloc::vec![p], 2);
        assert_eq!(
            (sent[0].port, sent[0].dst_ip),
            (1, Ipv4Addr::new(10, 0, 0, 254))
        );
        assert_eq!(r.read_handler_with("lookup", "10.0.0.7"), Ok("0".into()));
        assert_eq!(
            r.write_handler("add", "1.0.0.0/8 0"),
            Err(HandlerError::NoSuchHandler)
        );
    }
}
