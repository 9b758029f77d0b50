//! Small argument parsers shared by the IP, ICMP and TCP/UDP elements, each a
//! `fn(&str) -> Result<T, ParseError>` like those of `nfc_dataplane::parse`.

use alloc::{format, vec::Vec};
use core::net::Ipv4Addr;

use nfc_dataplane::args::split_words;
use nfc_dataplane::parse::{self, IpPrefix, ParseError};

use super::names;

/// A space-separated list of IPv4 addresses (Click's IP address list);
/// may be empty.
pub fn ipv4_list(s: &str) -> Result<Vec<Ipv4Addr>, ParseError> {
    split_words(s).iter().map(|(w, _)| parse::ipv4(w)).collect()
}

/// A space-separated list of IPv4 prefixes or addresses (CheckIPHeader's
/// INTERFACES).
pub fn prefix_list(s: &str) -> Result<Vec<IpPrefix>, ParseError> {
    split_words(s)
        .iter()
        .map(|(w, _)| parse::ip_prefix(w))
        .collect()
}

/// An IP protocol: a number 0–255 or a name (`tcp`, `udp`, `icmp`, …).
pub fn ip_proto(s: &str) -> Result<u8, ParseError> {
    if let Some(p) = names::lookup(names::IP_PROTOCOLS, s) {
        return Ok(p);
    }
    parse::unsigned::<u8>(s).map_err(|_| {
        ParseError::expected("IP protocol", s).with_hint(format!(
            "give a number 0-255 or one of {}",
            names::names(names::IP_PROTOCOLS)
        ))
    })
}

/// A TCP or UDP port: a number 0–65535 or a well-known name (`www`, `dns`…).
pub fn port(s: &str) -> Result<u16, ParseError> {
    if let Some(p) = names::lookup(names::PORTS, s) {
        return Ok(p);
    }
    parse::unsigned::<u16>(s).map_err(|e| {
        if s.bytes().all(|b| b.is_ascii_digit()) {
            e
        } else {
            ParseError::expected("port", s)
                .with_hint("give a number 0-65535 or a name such as www, https, domain")
        }
    })
}

/// An ICMP type: a number 0–255 or a name (`echo`, `unreachable`, …).
pub fn icmp_type(s: &str) -> Result<u8, ParseError> {
    if let Some(t) = names::lookup(names::ICMP_TYPES, s) {
        return Ok(t);
    }
    parse::unsigned::<u8>(s).map_err(|_| {
        ParseError::expected("ICMP type", s).with_hint(format!(
            "give a number 0-255 or one of {}",
            names::names(names::ICMP_TYPES)
        ))
    })
}

/// An ICMP code for ICMP type `icmp_type`: a number 0–255 or one of that
/// type's code names (`needfrag`, `transit`, …).
pub fn icmp_code(icmp_type: u8, s: &str) -> Result<u8, ParseError> {
    let table = names::icmp_code_table(icmp_type);
    if let Some(c) = names::lookup(table, s) {
        return Ok(c);
    }
    parse::unsigned::<u8>(s).map_err(|_| {
        let e = ParseError::expected(&format!("ICMP code for type {icmp_type}"), s);
        if table.is_empty() {
            e.with_hint("give a number 0-255")
        } else {
            e.with_hint(format!(
                "give a number 0-255 or one of {}",
                names::names(table)
            ))
        }
    })
}

/// An annotation name or byte offset (Click's AnnoArg), kept as written.
pub fn anno(s: &str) -> Result<alloc::string::String, ParseError> {
    let ok = !s.is_empty() && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
    if ok {
        Ok(s.into())
    } else {
        Err(ParseError::expected("annotation name or offset", s)
            .with_hint("e.g. DST_IP_ANNO or a byte offset such as 4"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parsers() {
        assert_eq!(ipv4_list("1.2.3.4  5.6.7.8").unwrap().len(), 2);
        assert_eq!(ipv4_list("").unwrap().len(), 0);
        assert!(ipv4_list("1.2.3.4 x").is_err());
        assert_eq!(prefix_list("10.0.0.1/8 1.2.3.4").unwrap()[0].len, 8);
        assert_eq!(ip_proto("udp"), Ok(17));
        assert_eq!(ip_proto("47"), Ok(47));
        assert!(ip_proto("300").is_err());
        assert_eq!(port("https"), Ok(443));
        assert!(port("70000").unwrap_err().message.contains("out of range"));
        assert_eq!(icmp_type("echo"), Ok(8));
        assert_eq!(icmp_code(3, "needfrag"), Ok(4));
        assert_eq!(icmp_code(11, "transit"), Ok(0));
        assert!(icmp_code(11, "needfrag").is_err());
        assert!(anno("DST_IP_ANNO").is_ok() && anno("a b").is_err());
    }
}
