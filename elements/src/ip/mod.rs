//! Elements of the `ip` group: IPv4 header checks, classification,
//! routing, fragmentation, encapsulation and address rewriting.

use crate::ElementSpec;

pub mod arg_types;
pub mod check_ip_header;
pub mod check_ip_header2;
pub mod dec_ip_ttl;
pub mod direct_ip_lookup;
pub mod fix_ip_src;
pub mod get_ip_address;
pub mod ip_classifier;
pub mod ip_classifier_expr;
pub mod ip_encap;
pub mod ip_filter;
pub mod ip_fragmenter;
pub mod ip_gw_options;
pub mod ip_print;
pub mod ip_reassembler;
pub mod ip_route_table;
pub mod linear_ip_lookup;
pub mod mark_ip_header;
pub mod names;
pub mod radix_ip_lookup;
pub mod set_ip_address;
pub mod set_ip_checksum;
pub mod static_ip_lookup;

/// The specs of this group's elements.
pub const SPECS: &[&ElementSpec] = &[
    &ip_classifier::SPEC,
    &ip_filter::SPEC,
    &check_ip_header::SPEC,
    &check_ip_header2::SPEC,
    &mark_ip_header::SPEC,
    &dec_ip_ttl::SPEC,
    &ip_gw_options::SPEC,
    &fix_ip_src::SPEC,
    &get_ip_address::SPEC,
    &set_ip_address::SPEC,
    &ip_fragmenter::SPEC,
    &ip_reassembler::SPEC,
    &radix_ip_lookup::SPEC,
    &static_ip_lookup::SPEC,
    &direct_ip_lookup::SPEC,
    &linear_ip_lookup::SPEC,
    &set_ip_checksum::SPEC,
    &ip_encap::SPEC,
    &ip_print::SPEC,
];
