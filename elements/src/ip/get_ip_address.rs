//! # GetIPAddress — sets destination IP address annotation from packet data
//!
//! ```click
//! GetIPAddress(OFFSET [, ANNO])
//! GetIPAddress(IP src|dst [, ANNO])
//! ```
//!
//! Ports: 1 input, 1 output (`1/1`). Processing: agnostic (`a/a`).
//!
//! Copies four bytes of the packet, taken OFFSET bytes into the packet or
//! from the IP header's source or destination field (`IP src`, `IP dst`),
//! into the destination IP address annotation (or the annotation named by
//! ANNO). Exactly one of OFFSET and IP must be given.
//!
//! ## Keywords
//! - `OFFSET` *N* — byte offset of the address.
//! - `IP` *src|dst* — take the address from the IP header instead.
//! - `ANNO` *ANNO* — annotation to set. Default the destination IP
//!   annotation.
//!
//! ## Handlers
//! None.
//!
//! ## Examples
//! ```click
//! GetIPAddress(16)
//! GetIPAddress(IP dst)
//! ```
//!
//! ## Differences from Click
//! None.

use alloc::string::String;

use nfc_dataplane::args::{Args, ConfigError, ConfigErrors};
use nfc_dataplane::parse::{self, ParseError};

use super::arg_types::anno;

use crate::{ElementSpec, Ports};

/// Where GetIPAddress reads the address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AddressSource {
    /// A byte offset into the packet data.
    Offset(u32),
    /// The IP header's source address.
    IpSrc,
    /// The IP header's destination address.
    IpDst,
}

/// GetIPAddress's configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GetIPAddress {
    /// Where the address comes from.
    pub source: AddressSource,
    /// The annotation set, if not the destination IP annotation.
    pub anno: Option<String>,
}

fn src_or_dst(s: &str) -> Result<AddressSource, ParseError> {
    match s {
        "src" => Ok(AddressSource::IpSrc),
        "dst" => Ok(AddressSource::IpDst),
        _ => Err(ParseError::expected("'src' or 'dst'", s)),
    }
}

impl GetIPAddress {
    /// Parses GetIPAddress's configuration.
    pub fn configure(config: &str) -> Result<Self, ConfigErrors> {
        let mut args = Args::new(config);
        let offset = args.read_p("OFFSET", parse::unsigned::<u32>);
        let anno = args.read_p("ANNO", anno);
        let ip = args.read("IP", src_or_dst);
        let source = match (offset, ip) {
            (Some(o), None) => Some(AddressSource::Offset(o)),
            (None, Some(s)) => Some(s),
            (o, i) => {
                if args.ok() {
                    let span = if o.is_some() {
                        args.span_of("IP")
                    } else {
                        None
                    };
                    args.error(
                        ConfigError::new(span, "give exactly one of OFFSET and IP")
                            .with_hint("e.g. GetIPAddress(16) or GetIPAddress(IP dst)"),
                    );
                }
                let _ = i;
                None
            }
        };
        args.complete()?;
        Ok(GetIPAddress {
            source: source.unwrap_or(AddressSource::IpDst),
            anno,
        })
    }
}

/// GetIPAddress's spec.
pub const SPEC: ElementSpec = ElementSpec {
    class: "GetIPAddress",
    port_count: "1/1",
    processing: "a/a",
    flow_code: "x/x",
    keywords: &["OFFSET", "ANNO", "IP"],
    handlers: &[],
    summary: "sets destination IP address annotation from packet data",
    source: include_str!("get_ip_address.rs"),
    check: |c| GetIPAddress::configure(c).map(|_| Ports::DECLARED),
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn configure() {
        assert_eq!(
            GetIPAddress::configure("16").unwrap().source,
            AddressSource::Offset(16)
        );
        assert_eq!(
            GetIPAddress::configure("IP dst").unwrap().source,
            AddressSource::IpDst
        );
        let c = GetIPAddress::configure("IP src, ANNO 4").unwrap();
        assert_eq!(
            (c.source, c.anno.as_deref()),
            (AddressSource::IpSrc, Some("4"))
        );
        let cfg = "16, IP dst";
        let e = GetIPAddress::configure(cfg).unwrap_err().0;
        assert_eq!(e[0].message, "give exactly one of OFFSET and IP");
        assert_eq!(&cfg[e[0].span.clone().unwrap()], "dst");
        assert!(GetIPAddress::configure("").is_err());
        let e = GetIPAddress::configure("IP both").unwrap_err().0;
        assert_eq!(e.len(), 1);
    }
}
