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
//! - `table` (read) — the routes.
//! - `lookup` (read with parameter ADDR) — the output and gateway for ADDR.
//! - `add`, `set`, `remove` (write) — change one route, `ADDR/MASK [GATEWAY]
//!   OUTPUT`.
//! - `ctrl` (write) — several `add`/`remove` lines at once.
//! - `flush` (write) — remove every route.
//!
//! ## Examples
//! ```click
//! rt :: LinearIPLookup(10.0.0.1/32 0, 10.0.0.0/24 1, 0.0.0.0/0 10.0.0.254 2);
//! ```
//!
//! ## Differences from Click
//! - None known.

use alloc::vec::Vec;

use nfc_dataplane::args::ConfigErrors;

use super::ip_route_table::{min_noutputs, parse_routes, Route};

use crate::{ElementSpec, Ports};

/// LinearIPLookup's configuration: its routes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinearIPLookup {
    /// The routes, in configuration order.
    pub routes: Vec<Route>,
}

impl LinearIPLookup {
    /// Parses the route list, reporting every bad route.
    pub fn configure(config: &str) -> Result<Self, ConfigErrors> {
        Ok(LinearIPLookup {
            routes: parse_routes(config)?,
        })
    }

    /// The smallest number of outputs the routes need.
    pub fn min_noutputs(&self) -> usize {
        min_noutputs(&self.routes)
    }
}

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
    check: |c| {
        LinearIPLookup::configure(c)
            .map(|t| Ports::outputs_at_least(t.min_noutputs(), "up to the highest output a route names"))
    },
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
}
