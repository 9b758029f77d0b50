//! Click's built-in name tables for IP protocols, well-known ports, TCP flags
//! and ICMP types and codes (the static databases of Click's IPNameInfo and
//! IPFilter). Shared by the IP expression parser and the elements whose
//! arguments accept such names (IPEncap, ICMPError, UDPIPEncap, …).
//!
//! Click at user level also consults `/etc/protocols` and `/etc/services`;
//! nfc configures the same way on the host and in an image, so it only knows
//! these built-in names.

/// IP protocol names that map to a real protocol number.
pub const IP_PROTOCOLS: &[(&str, u8)] = &[
    ("dccp", 33),
    ("gre", 47),
    ("icmp", 1),
    ("igmp", 2),
    ("ipip", 4),
    ("sctp", 132),
    ("tcp", 6),
    ("udp", 17),
];

/// Well-known TCP/UDP port names (the same table serves both protocols).
pub const PORTS: &[(&str, u16)] = &[
    ("auth", 113),
    ("bootpc", 68),
    ("bootps", 67),
    ("chargen", 19),
    ("daytime", 13),
    ("discard", 9),
    ("dns", 53),
    ("domain", 53),
    ("echo", 7),
    ("finger", 79),
    ("ftp", 21),
    ("ftp-data", 20),
    ("https", 443),
    ("imap3", 220),
    ("imaps", 993),
    ("irc", 194),
    ("netbios-dgm", 138),
    ("netbios-ns", 137),
    ("netbios-ssn", 139),
    ("nntp", 119),
    ("ntp", 123),
    ("pop3", 110),
    ("pop3s", 995),
    ("pptp", 1723),
    ("rip", 520),
    ("route", 520),
    ("smtp", 25),
    ("snmp", 161),
    ("snmp-trap", 162),
    ("ssh", 22),
    ("sunrpc", 111),
    ("telnet", 23),
    ("tftp", 69),
    ("www", 80),
];

/// TCP flag names, as `tcp opt NAME` uses them.
pub const TCP_FLAGS: &[(&str, u8)] = &[
    ("fin", 0x01),
    ("syn", 0x02),
    ("rst", 0x04),
    ("psh", 0x08),
    ("ack", 0x10),
    ("urg", 0x20),
];

/// ICMP type names.
pub const ICMP_TYPES: &[(&str, u8)] = &[
    ("echo-reply", 0),
    ("unreachable", 3),
    ("sourcequench", 4),
    ("redirect", 5),
    ("echo", 8),
    ("routeradvert", 9),
    ("routersolicit", 10),
    ("timeexceeded", 11),
    ("parameterproblem", 12),
    ("timestamp", 13),
    ("timestamp-reply", 14),
    ("inforeq", 15),
    ("inforeq-reply", 16),
    ("maskreq", 17),
    ("maskreq-reply", 18),
];

/// ICMP type 3 (destination unreachable) code names.
pub const ICMP_UNREACH_CODES: &[(&str, u8)] = &[
    ("net", 0),
    ("host", 1),
    ("protocol", 2),
    ("port", 3),
    ("needfrag", 4),
    ("srcroutefail", 5),
    ("netunknown", 6),
    ("hostunknown", 7),
    ("isolated", 8),
    ("netprohibited", 9),
    ("hostprohibited", 10),
    ("tosnet", 11),
    ("toshost", 12),
    ("filterprohibited", 13),
    ("hostprecedence", 14),
    ("precedencecutoff", 15),
];

/// ICMP type 5 (redirect) code names.
pub const ICMP_REDIRECT_CODES: &[(&str, u8)] =
    &[("net", 0), ("host", 1), ("tosnet", 2), ("toshost", 3)];

/// ICMP type 11 (time exceeded) code names.
pub const ICMP_TIMXCEED_CODES: &[(&str, u8)] = &[("transit", 0), ("reassembly", 1)];

/// ICMP type 12 (parameter problem) code names.
pub const ICMP_PARAMPROB_CODES: &[(&str, u8)] =
    &[("erroratptr", 0), ("missingopt", 1), ("length", 2)];

/// Looks `name` up in a name table.
pub fn lookup<T: Copy>(table: &[(&str, T)], name: &str) -> Option<T> {
    table.iter().find(|(n, _)| *n == name).map(|&(_, v)| v)
}

/// The code-name table for ICMP type `icmp_type`, if that type has one.
pub fn icmp_code_table(icmp_type: u8) -> &'static [(&'static str, u8)] {
    match icmp_type {
        3 => ICMP_UNREACH_CODES,
        5 => ICMP_REDIRECT_CODES,
        11 => ICMP_TIMXCEED_CODES,
        12 => ICMP_PARAMPROB_CODES,
        _ => &[],
    }
}

/// Comma-separated names of a table, for hints.
pub fn names<T>(table: &[(&str, T)]) -> alloc::string::String {
    let mut s = alloc::string::String::new();
    for (i, (n, _)) in table.iter().enumerate() {
        if i > 0 {
            s.push_str(", ");
        }
        s.push_str(n);
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lookups() {
        assert_eq!(lookup(PORTS, "https"), Some(443));
        assert_eq!(lookup(PORTS, "dns"), Some(53));
        assert_eq!(lookup(IP_PROTOCOLS, "udp"), Some(17));
        assert_eq!(lookup(ICMP_TYPES, "timeexceeded"), Some(11));
        assert_eq!(lookup(icmp_code_table(3), "needfrag"), Some(4));
        assert_eq!(lookup(icmp_code_table(8), "net"), None);
        assert_eq!(lookup(TCP_FLAGS, "nope"), None);
        assert!(names(TCP_FLAGS).starts_with("fin, syn"));
    }
}
