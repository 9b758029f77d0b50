//! # LinearIPLookup — simple IP routing table
//!
//! ```click
//! LinearIPLookup(ADDR1/MASK1 [GW1] OUT1, ADDR2/MASK2 [GW2] OUT2, ...)
//! ```
//!
//! Ports: 1 input, any number of outputs (`1/-`). Processing: push (`h/h`).
//!
//! Routes IP packets by longest-prefix match on their destination IP address
//! annotation, using a linear list, fine for a handful of routes. Each
//! argument is a route: a prefix (`ADDR/LEN`, `ADDR/MASK` or a bare address
//! for /32), an optional gateway, and an output port. A packet matching a
//! route with a gateway gets the gateway as its new destination address
//! annotation, then leaves on the route's output; a packet matching no route
//! is dropped.
//!
//! ## Handlers
//! - `table` (read) — the routes, one a line: prefix, gateway (`-` for
//!   none), output.
//! - `lookup` (read with parameter ADDR) — the output and gateway for
//!   ADDR (`OUTPUT GATEWAY`, or `OUTPUT` for a route without one), `-1`
//!   when no route matches: `read rt.lookup 10.0.0.1` in a Script,
//!   `READ rt.lookup 10.0.0.1` on a ControlSocket.
//! - `add`, `set` (write) — add a route `ADDR/MASK [GATEWAY] OUTPUT`; `add`
//!   fails if a route for that prefix exists, `set` replaces it.
//! - `remove` (write) — remove the route for `ADDR/MASK [GATEWAY OUTPUT]`
//!   (with GATEWAY and OUTPUT given, only a route that has them).
//! - `ctrl` (write) — several `add`/`set`/`remove` lines, all or nothing.
//! - `flush` (write) — remove every route.
//!
//! ## Examples
//! ```click
//! rt :: LinearIPLookup(10.0.0.1/32 0, 10.0.0.0/24 1, 0.0.0.0/0 10.0.0.254 2);
//! ```
//!
//! ## Differences from Click
//! - Click's LinearIPLookup caches the last lookups; nfc scans every route
//!   each time (same results).
//! - The write handlers cannot check OUTPUT against the element's number of
//!   outputs (an element does not know it); packets routed to a missing
//!   output are dropped.
//! - Packets that match no route are dropped and counted (`drops()`), without
//!   Click's console message; duplicate routes in the configuration replace
//!   earlier ones silently (Click warns).

use alloc::vec::Vec;

use nfc_dataplane::args::ConfigErrors;

use super::ip_route_table::{
    check_routes, configure_table, min_noutputs, route_table_element, Linear, Route, RouteTable,
};

use crate::ElementSpec;

/// LinearIPLookup's configuration (its routes) and its route table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinearIPLookup {
    /// The routes, in configuration order.
    pub routes: Vec<Route>,
    /// The routes in force (changed by the handlers).
    table: RouteTable<Linear>,
}

impl LinearIPLookup {
    /// Parses the route list, reporting every bad route.
    pub fn configure(config: &str) -> Result<Self, ConfigErrors> {
        let (routes, table) = configure_table(config)?;
        Ok(LinearIPLookup { routes, table })
    }

    /// The smallest number of outputs the routes need.
    pub fn min_noutputs(&self) -> usize {
        min_noutputs(&self.routes)
    }

    /// Packets dropped because no route matched.
    pub fn drops(&self) -> u64 {
        self.table.drops()
    }
}

route_table_element!(dynamic LinearIPLookup);

/// LinearIPLookup's spec.
pub const SPEC: ElementSpec = ElementSpec {
    class: "LinearIPLookup",
    port_count: "1/-",
    processing: "h/h",
    flow_code: "x/x",
    keywords: &[],
    handlers: &[
        "table (read)",
        "lookup (read)",
        "add (write)",
        "set (write)",
        "remove (write)",
        "ctrl (write)",
        "flush (write)",
    ],
    summary: "simple IP routing table",
    source: include_str!("linear_ip_lookup.rs"),
    check: check_routes::<Linear>,
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn configure() {
        let c = LinearIPLookup::configure("10.0.0.1/32 0, 10.0.0.0/24 1, 0.0.0.0/0 10.0.0.254 2")
            .unwrap();
        assert_eq!(c.routes.len(), 3);
        assert_eq!(c.min_noutputs(), 3);
        let cfg = "10.0.0.0/24 one, 10.0.0.0/24 1 2 3";
        let e = LinearIPLookup::configure(cfg).unwrap_err().0;
        assert_eq!(e.len(), 2);
        assert_eq!(&cfg[e[0].span.clone().unwrap()], "one");
        assert_eq!(&cfg[e[1].span.clone().unwrap()], "10.0.0.0/24 1 2 3");
    }

    #[test]
    fn routes_packets_and_answers_handlers() {
        crate::ip::ip_route_table::testing::check_element(LinearIPLookup::configure, true);
    }
}
