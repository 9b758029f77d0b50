//! Route tables, shared by RadixIPLookup, StaticIPLookup, DirectIPLookup and
//! LinearIPLookup: one route per argument, `ADDR/MASK [GATEWAY] OUTPUT`.

use alloc::{format, vec::Vec};
use core::net::Ipv4Addr;

use nfc_dataplane::args::{split, split_words, ConfigError, ConfigErrors};
use nfc_dataplane::parse::{self, IpPrefix};

/// One route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Route {
    /// Destination prefix, host bits cleared (Click clears them too).
    pub prefix: IpPrefix,
    /// Next hop written into the destination address annotation, if any
    /// (a gateway of 0.0.0.0 counts as none).
    pub gateway: Option<Ipv4Addr>,
    /// Output port.
    pub output: u32,
}

const ROUTE_HINT: &str = "a route looks like 10.0.0.0/8 1, or 0.0.0.0/0 10.0.0.1 2 with a gateway";

/// Parses one route (`text` starts at byte `base` of the config string).
pub fn parse_route(text: &str, base: usize) -> Result<Route, ConfigError> {
    let words = split_words(text);
    let at = |r: &core::ops::Range<usize>| Some(base + r.start..base + r.end);
    let whole = Some(base..base + text.len());
    let (pw, gw, ow) = match words.as_slice() {
        [p, o] => (p, None, o),
        [p, g, o] => (p, Some(g), o),
        _ => {
            return Err(ConfigError::new(
                whole,
                format!(
                    "expected 'ADDR/MASK [GATEWAY] OUTPUT', found {} words",
                    words.len()
                ),
            )
            .with_hint(ROUTE_HINT))
        }
    };
    let mut prefix = parse::ip_prefix(&pw.0).map_err(|e| ConfigError {
        span: at(&pw.1),
        message: e.message,
        hint: e.hint,
    })?;
    prefix.addr = prefix.network();
    let gateway = match gw {
        None => None,
        Some((g, r)) => {
            let a = parse::ipv4(g).map_err(|e| ConfigError {
                span: at(r),
                message: format!("bad gateway: {}", e.message),
                hint: e.hint,
            })?;
            (!a.is_unspecified()).then_some(a)
        }
    };
    let output = parse::unsigned::<u32>(&ow.0).map_err(|e| ConfigError {
        span: at(&ow.1),
        message: format!("bad output port: {}", e.message),
        hint: Some("the last word of a route is its output port number".into()),
    })?;
    Ok(Route {
        prefix,
        gateway,
        output,
    })
}

/// Parses a whole route-table configuration, reporting every bad route.
pub fn parse_routes(config: &str) -> Result<Vec<Route>, ConfigErrors> {
    let mut routes = Vec::new();
    let mut errors = Vec::new();
    for arg in split(config) {
        let text = config.get(arg.span.clone()).unwrap_or(&arg.text);
        match parse_route(text, arg.span.start) {
            Ok(r) => routes.push(r),
            Err(e) => errors.push(e),
        }
    }
    if errors.is_empty() {
        Ok(routes)
    } else {
        Err(ConfigErrors(errors))
    }
}

/// The smallest number of outputs the routes need.
pub fn min_noutputs(routes: &[Route]) -> usize {
    routes
        .iter()
        .map(|r| r.output as usize + 1)
        .max()
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes() {
        let cfg =
            "18.26.4.24/32 0, 18.26.4.255 0, 18.26.4.0/255.255.255.0 1, 0.0.0.0/0 18.26.4.1 2";
        let r = parse_routes(cfg).unwrap();
        assert_eq!(r.len(), 4);
        assert_eq!(r[1].prefix.len, 32);
        assert_eq!(r[2].prefix.len, 24);
        assert_eq!(r[3].gateway, Some(Ipv4Addr::new(18, 26, 4, 1)));
        assert_eq!(r[3].output, 2);
        assert_eq!(min_noutputs(&r), 3);
        let r = parse_routes("10.1.2.3/8 0.0.0.0 1").unwrap();
        assert_eq!(r[0].prefix.addr, Ipv4Addr::new(10, 0, 0, 0));
        assert_eq!(r[0].gateway, None);
    }

    #[test]
    fn bad_routes() {
        let cfg = "10.0.0.0/33 0, 1.2.3.0/24 x, 0/0, 1.0.0.0/8 gw 1, 2.0.0.0/8 /* c */ 3";
        let e = parse_routes(cfg).unwrap_err().0;
        assert_eq!(e.len(), 4);
        assert_eq!(&cfg[e[0].span.clone().unwrap()], "10.0.0.0/33");
        assert_eq!(&cfg[e[1].span.clone().unwrap()], "x");
        assert!(e[1].message.starts_with("bad output port"));
        assert_eq!(&cfg[e[2].span.clone().unwrap()], "0/0");
        assert_eq!(&cfg[e[3].span.clone().unwrap()], "gw");
    }
}
