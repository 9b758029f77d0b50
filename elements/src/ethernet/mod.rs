//! Elements of the `ethernet` group: Ethernet headers and ARP.
//!
//! [`headers`] reads and writes the Ethernet and ARP headers the elements
//! share; ARPQuerier keeps its table in a private `arp_table` module.

use nfc_dataplane::element::HandlerError;
use nfc_dataplane::parse::ParseError;

use crate::ElementSpec;

pub mod arp_print;
pub mod arp_querier;
pub mod arp_responder;
mod arp_table;
pub mod ether_encap;
pub mod ether_mirror;
pub mod ether_rewrite;
pub mod headers;
pub mod host_ether_filter;
pub mod set_vlan_anno;
pub mod vlan_decap;
pub mod vlan_encap;

/// The specs of this group's elements.
pub const SPECS: &[&ElementSpec] = &[
    &ether_encap::SPEC,
    &ether_rewrite::SPEC,
    &ether_mirror::SPEC,
    &host_ether_filter::SPEC,
    &arp_responder::SPEC,
    &arp_querier::SPEC,
    &arp_print::SPEC,
    &vlan_decap::SPEC,
    &vlan_encap::SPEC,
    &set_vlan_anno::SPEC,
];

/// Parses a write handler's value with `parse`, trimmed, turning a parse
/// error into a handler error.
pub(crate) fn handler_value<T>(
    value: &str,
    parse: fn(&str) -> Result<T, ParseError>,
) -> Result<T, HandlerError> {
    parse(value.trim()).map_err(|e| HandlerError::Invalid(e.message))
}
