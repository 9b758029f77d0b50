//! Elements of the `icmp` group: ICMP errors, ping responses, ping NAT and
//! the translation of ICMP errors through a NAT.

use crate::ElementSpec;

pub mod check_icmp_header;
pub mod icmp_error;
pub mod icmp_ping_responder;
pub mod icmp_ping_rewriter;
pub mod icmp_rewriter;

/// The specs of this group's elements.
pub const SPECS: &[&ElementSpec] = &[
    &icmp_error::SPEC,
    &icmp_ping_responder::SPEC,
    &icmp_ping_rewriter::SPEC,
    &icmp_rewriter::SPEC,
    &check_icmp_header::SPEC,
];
