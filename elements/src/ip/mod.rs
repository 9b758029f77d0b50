//! Elements of the `ip` group: IPv4 header checks, classification,
//! routing, fragmentation, encapsulation and address rewriting.

use crate::ElementSpec;

pub mod arg_types;
pub mod check_ip_header;
pub mod check_ip_header2;
pub mod check_length;
pub mod dec_ip_ttl;
pub mod direct_ip_lookup;
pub mod fix_ip_src;
pub mod flow_table;
pub mod get_ip_address;
pub mod ip_addr_pair_rewriter;
pub mod ip_addr_rewriter;
pub mod ip_classifier;
pub mod ip_classifier_eval;
pub mod ip_classifier_expr;
pub mod ip_classifier_program;
pub mod ip_encap;
pub mod ip_filter;
pub mod ip_flow_table;
pub mod ip_fragmenter;
pub mod ip_gw_options;
pub mod ip_header;
pub mod ip_print;
pub mod ip_reassembler;
pub mod ip_route_table;
pub mod linear_ip_lookup;
pub mod lookup_ip_route;
pub mod mark_ip_ce;
pub mod mark_ip_header;
pub mod names;
pub mod radix_ip_lookup;
pub mod set_ip_address;
pub mod set_ip_checksum;
pub mod static_ip_lookup;
pub mod store_ip_address;
pub mod strip_ip_header;
pub mod unstrip_ip_header;

/// The specs of this group's elements.
pub const SPECS: &[&ElementSpec] = &[
    &ip_classifier::SPEC,
    &ip_filter::SPEC,
    &ip_flow_table::SPEC,
    &check_ip_header::SPEC,
    &check_ip_header2::SPEC,
    &check_length::SPEC,
    &mark_ip_header::SPEC,
    &dec_ip_ttl::SPEC,
    &ip_gw_options::SPEC,
    &fix_ip_src::SPEC,
    &get_ip_address::SPEC,
    &set_ip_address::SPEC,
    &store_ip_address::SPEC,
    &mark_ip_ce::SPEC,
    &strip_ip_header::SPEC,
    &unstrip_ip_header::SPEC,
    &ip_fragmenter::SPEC,
    &ip_reassembler::SPEC,
    &radix_ip_lookup::SPEC,
    &static_ip_lookup::SPEC,
    &lookup_ip_route::SPEC,
    &direct_ip_lookup::SPEC,
    &linear_ip_lookup::SPEC,
    &set_ip_checksum::SPEC,
    &ip_encap::SPEC,
    &ip_print::SPEC,
    &ip_addr_rewriter::SPEC,
    &ip_addr_pair_rewriter::SPEC,
];

#[cfg(test)]
mod tests {
    use alloc::{string::String, vec::Vec};

    use crate::ElementSpec;

    fn all_specs() -> impl Iterator<Item = &'static &'static ElementSpec> {
        super::SPECS
            .iter()
            .chain(crate::icmp::SPECS)
            .chain(crate::tcpudp::SPECS)
    }

    /// Every configure must return (not panic) on arbitrary input.
    #[test]
    fn configure_never_panics() {
        let pieces = [
            "tcp",
            " ",
            ",",
            "(",
            ")",
            "[",
            "]",
            "&",
            "&&",
            "!",
            "!=",
            ">",
            "?",
            ":",
            "port",
            "src",
            "host",
            "net",
            "1.2.3.4",
            "10.0.0.0/8",
            "65536",
            "0x",
            "-",
            "#",
            "?",
            "pattern",
            "keep",
            "drop",
            "pass",
            "0",
            "1",
            "/*",
            "*/",
            "//",
            "\"",
            "'",
            "\\<",
            "é",
            "ip[",
            "mask",
            "ether",
            "00:11:22:33:44:55",
            "icmp",
            "type",
            "echo",
            "OFFSET",
            "MTU",
            "TIMEOUT",
            "\n",
            "1024-65535",
            "DST_ANNO",
            "unreachable",
            "needfrag",
        ];
        let mut seed: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut next = || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        let mut inputs: Vec<String> = Vec::new();
        for _ in 0..400 {
            let n = (next() % 12) as usize;
            let mut s = String::new();
            for _ in 0..n {
                s.push_str(pieces[(next() % pieces.len() as u64) as usize]);
            }
            inputs.push(s);
        }
        for spec in all_specs() {
            for s in &inputs {
                let _ = (spec.check)(s);
            }
        }
    }

    /// Every manual has the sections the element files promise.
    #[test]
    fn manuals_have_their_sections() {
        for spec in all_specs() {
            let manual: Vec<&str> = spec.manual().collect();
            assert!(
                manual[0].starts_with(&alloc::format!("# {} — ", spec.class)),
                "{}",
                spec.class
            );
            for section in ["```click", "## Examples", "## Differences from Click"] {
                assert!(manual.contains(&section), "{}: {section}", spec.class);
            }
        }
    }
}
