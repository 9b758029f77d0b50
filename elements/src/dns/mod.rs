//! Elements of the `dns` group: DNSServer, nfc's authoritative DNS server,
//! and what it is built from — domain names ([`name`]), the zone-file
//! parser and loaded zones ([`zone`]), and the answer logic that writes a
//! response over its query without allocating ([`answer`]).

use crate::ElementSpec;

pub mod answer;
pub mod dns_server;
pub mod name;
pub mod zone;

/// The specs of this group's elements.
pub const SPECS: &[&ElementSpec] = &[&dns_server::SPEC];
