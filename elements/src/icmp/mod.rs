//! Elements of the `icmp` group: ICMP errors, ping responses and ping NAT.

use crate::ElementSpec;

pub mod check_icmp_header;
pub mod icmp_error;
pub mod icmp_ping_responder;
pub mod icmp_ping_rewriter;

/// The specs of this group's elements.
pub const SPECS: &[&ElementSpec] = &[
    &icmp_error::SPEC,
    &icmp_ping_responder::SPEC,
    &icmp_ping_rewriter::SPEC,
    &check_icmp_header::SPEC,
];
