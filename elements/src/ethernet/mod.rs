//! Elements of the `ethernet` group: Ethernet headers and ARP.

use crate::ElementSpec;

pub mod arp_querier;
pub mod arp_responder;
pub mod ether_encap;
pub mod ether_mirror;
pub mod ether_rewrite;
pub mod host_ether_filter;

/// The specs of this group's elements.
pub const SPECS: &[&ElementSpec] = &[
    &ether_encap::SPEC,
    &ether_rewrite::SPEC,
    &ether_mirror::SPEC,
    &host_ether_filter::SPEC,
    &arp_responder::SPEC,
    &arp_querier::SPEC,
];
