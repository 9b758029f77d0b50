//! # ControlSocket — opens control sockets for other programs
//!
//! ```click
//! ControlSocket(TYPE, PORT or FILENAME [, KEYWORDS])
//! ```
//!
//! Ports: none (`0/0`). Processing: agnostic (`a/a`).
//!
//! Listens for connections that speak Click's ControlSocket protocol
//! (`READ handler`, `WRITE handler value`, …) so other programs can read and
//! write the router's handlers. TYPE is `TCP` (then the second argument is
//! a port number) or `UNIX` (then it is a socket file name).
//!
//! ## Keywords
//! - `TYPE` — `TCP` or `UNIX` (any case); mandatory.
//! - `PORT` *0–65535* — the TCP port (TCP only). `PORT+` takes the first
//!   free port from PORT up.
//! - `FILENAME` *string* — the socket path (UNIX only).
//! - `READONLY` *boolean* — refuse write handlers; default false.
//! - `PROXY` *element name* — forward handler calls to that element.
//! - `VERBOSE` *boolean* — log connections; default false.
//! - `LOCALHOST` *boolean* — TCP only: accept connections only from
//!   127.0.0.1; default false.
//! - `RETRIES` *integer* — retry a busy port this many times; default 0.
//! - `RETRY_WARNINGS` *boolean* — warn on each retry; default true.
//!
//! ## Handlers
//! - `port` (read) — the TCP port it listens on (TCP only).
//!
//! ## Examples
//! ```click
//! ControlSocket(TCP, 7777, LOCALHOST true);
//! ControlSocket(unix, /tmp/nfc.sock);
//! ```
//!
//! ## Differences from Click
//! - on unikernel platforms the protocol runs over the serial or PV
//!   console and TYPE/PORT only matter on linux.

use alloc::format;
use alloc::string::String;
use nfc_dataplane::args::{Args, ConfigError, ConfigErrors};
use nfc_dataplane::parse::{self, ParseError};

use crate::{ElementSpec, Ports};

/// Where a control socket listens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Endpoint {
    /// A TCP port.
    Tcp(u16),
    /// A Unix-domain socket path.
    Unix(String),
}

/// ControlSocket's configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ControlSocket {
    /// Where it listens.
    pub endpoint: Endpoint,
    /// Refuse write handlers.
    pub read_only: bool,
    /// Element that handler calls are forwarded to.
    pub proxy: Option<String>,
    /// Log connections.
    pub verbose: bool,
    /// Accept TCP connections only from 127.0.0.1.
    pub localhost: bool,
    /// Times to retry a busy port.
    pub retries: u32,
    /// Warn on each retry.
    pub retry_warnings: bool,
    /// `PORT+`: take the first free port from the TCP port up.
    pub scan: bool,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Tcp,
    Unix,
}

fn kind(text: &str) -> Result<Kind, ParseError> {
    match text.to_ascii_uppercase().as_str() {
        "TCP" => Ok(Kind::Tcp),
        "UNIX" => Ok(Kind::Unix),
        _ => Err(ParseError {
            message: format!("expected TCP or UNIX, found \"{text}\""),
            hint: None,
        }),
    }
}

impl ControlSocket {
    /// Parses ControlSocket's configuration string.
    pub fn configure(config: &str) -> Result<Self, ConfigErrors> {
        let mut args = Args::new(config);
        let kind = args.read_mp("TYPE", kind);
        // The second argument's meaning depends on TYPE; read it as text.
        let mut target = args.read_p("PORT", parse::any);
        if let Some(f) = args.read("FILENAME", parse::string) {
            target = Some(f);
        }
        let read_only = args.read("READONLY", parse::boolean).unwrap_or(false);
        let proxy = args.read("PROXY", parse::word);
        let verbose = args.read("VERBOSE", parse::boolean).unwrap_or(false);
        let localhost = args.read("LOCALHOST", parse::boolean).unwrap_or(false);
        let retries = args.read("RETRIES", parse::unsigned::<u32>).unwrap_or(0);
        let retry_warnings = args.read("RETRY_WARNINGS", parse::boolean).unwrap_or(true);
        let target_span = args.span_of("FILENAME").or_else(|| args.span_of("PORT"));
        let mut endpoint = Endpoint::Tcp(0);
        let mut scan = false;
        match (kind, target) {
            (Some(_), None) => {
                let span = args.span_of("TYPE");
                args.error(
                    ConfigError::new(span, "missing PORT (TCP) or FILENAME (UNIX)")
                        .with_hint("for example `ControlSocket(TCP, 7777)`"),
                );
            }
            (Some(Kind::Tcp), Some(t)) => match parse::unsigned::<u16>(t.trim_end_matches('+')) {
                Ok(p) => {
                    endpoint = Endpoint::Tcp(p);
                    scan = t.ends_with('+');
                }
                Err(e) => args.error(ConfigError {
                    span: target_span,
                    message: format!("PORT: {}", e.message),
                    hint: e.hint,
                }),
            },
            (Some(Kind::Unix), Some(t)) => {
                let path = parse::string(&t).unwrap_or(t);
                if path.is_empty() {
                    args.error(ConfigError::new(target_span, "empty socket file name"));
                }
                if localhost {
                    let span = args.span_of("LOCALHOST");
                    args.error(ConfigError::new(
                        span,
                        "LOCALHOST applies to TCP sockets only",
                    ));
                }
                endpoint = Endpoint::Unix(path);
            }
            (None, _) => {}
        }
        args.complete()?;
        Ok(ControlSocket {
            endpoint,
            read_only,
            proxy,
            verbose,
            localhost,
            retries,
            retry_warnings,
            scan,
        })
    }
}

/// ControlSocket's spec.
pub const SPEC: ElementSpec = ElementSpec {
    class: "ControlSocket",
    port_count: "0/0",
    processing: "a/a",
    flow_code: "x/x",
    keywords: &[
        "TYPE",
        "PORT",
        "FILENAME",
        "READONLY",
        "PROXY",
        "VERBOSE",
        "LOCALHOST",
        "RETRIES",
        "RETRY_WARNINGS",
    ],
    handlers: &["port (read)"],
    summary: "opens control sockets for other programs",
    source: include_str!("control_socket.rs"),
    check: |c| ControlSocket::configure(c).map(|_| Ports::DECLARED),
};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::standard::testing::{errors, has};

    #[test]
    fn values() {
        let c = ControlSocket::configure("TCP, 7777, LOCALHOST true").unwrap();
        assert_eq!(c.endpoint, Endpoint::Tcp(7777));
        assert!(c.localhost);
        let c = ControlSocket::configure("unix, /tmp/nfc.sock, READONLY true").unwrap();
        assert_eq!(c.endpoint, Endpoint::Unix("/tmp/nfc.sock".into()));
        assert!(c.read_only);
        assert!(!c.scan);
        let c = ControlSocket::configure("tcp, 41930+").unwrap();
        assert_eq!(c.endpoint, Endpoint::Tcp(41930));
        assert!(c.scan, "PORT+ scans from PORT up");
        let c = ControlSocket::configure("UNIX, FILENAME \"/tmp/a b\"").unwrap();
        assert_eq!(c.endpoint, Endpoint::Unix("/tmp/a b".into()));
    }

    #[test]
    fn bad_values() {
        let cfg = "UDP, 53";
        let errs = errors(cfg, ControlSocket::configure(cfg));
        assert!(has(&errs, "TCP or UNIX", "UDP"), "{errs:?}");
        let cfg = "TCP, 70000, RETRIES x";
        let errs = errors(cfg, ControlSocket::configure(cfg));
        assert_eq!(errs.len(), 2, "{errs:?}");
        assert!(has(&errs, "", "70000"), "{errs:?}");
        let cfg = "TCP";
        let errs = errors(cfg, ControlSocket::configure(cfg));
        assert!(has(&errs, "missing PORT", "TCP"), "{errs:?}");
    }
}
