//! Elements of the `tcpudp` group: TCP/UDP header checks, checksums,
//! encapsulation, and the IPRewriter family of address/port translators.

use crate::ElementSpec;

pub mod check_tcp_header;
pub mod check_udp_header;
pub mod ip_rewriter;
pub mod ip_rewriter_patterns;
pub mod rewriter;
pub mod rewriter_input_spec;
pub mod round_robin_ip_mapper;
pub mod set_tcp_checksum;
pub mod set_udp_checksum;
pub mod tcp_rewriter;
pub mod udp_ip_encap;
pub mod udp_rewriter;

/// The specs of this group's elements.
pub const SPECS: &[&ElementSpec] = &[
    &ip_rewriter::SPEC,
    &tcp_rewriter::SPEC,
    &udp_rewriter::SPEC,
    &ip_rewriter_patterns::SPEC,
    &round_robin_ip_mapper::SPEC,
    &check_udp_header::SPEC,
    &check_tcp_header::SPEC,
    &set_udp_checksum::SPEC,
    &set_tcp_checksum::SPEC,
    &udp_ip_encap::SPEC,
];
