//! Click's ControlSocket protocol over TCP on 127.0.0.1 or a Unix socket.
//!
//! The protocol itself is [`Session`] (nfc-elements'
//! [`control_protocol`](nfc_elements::standard::control_protocol)): bytes
//! in, bytes out, handler calls on a pipeline, no transport. [`Control`]
//! holds the listening sockets and their connections, one [`Session`]
//! each, all non-blocking, and is polled once per round (at most every
//! millisecond while the loop is busy). [`ControlSocket`] is the element
//! that opens one.

use std::io::{self, Read, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::os::unix::fs::FileTypeExt;
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::PathBuf;

use nfc_dataplane::element::{Console, Element, HandlerError};
use nfc_dataplane::pipeline::Pipeline;
use nfc_elements::standard::control_protocol::Session;
use nfc_elements::standard::control_socket::{ControlSocket as Config, Endpoint};

use crate::platform::Linux;

/// A listening socket.
#[derive(Debug)]
enum Listener {
    Tcp(TcpListener),
    /// The socket and its path, removed when the listener goes.
    Unix(UnixListener, PathBuf),
}

impl Drop for Listener {
    fn drop(&mut self) {
        if let Listener::Unix(_, path) = self {
            let _ = std::fs::remove_file(path);
        }
    }
}

/// A client connection.
#[derive(Debug)]
enum Stream {
    Tcp(TcpStream),
    Unix(UnixStream),
}

impl Stream {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            Stream::Tcp(s) => s.read(buf),
            Stream::Unix(s) => s.read(buf),
        }
    }

    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Stream::Tcp(s) => s.write(buf),
            Stream::Unix(s) => s.write(buf),
        }
    }
}

#[derive(Debug)]
struct Connection {
    stream: Stream,
    session: Session,
    /// The client closed its side.
    eof: bool,
}

/// One open control socket and its clients.
#[derive(Debug)]
struct Socket {
    listener: Listener,
    read_only: bool,
    /// Log connections opened and closed (VERBOSE).
    verbose: bool,
    connections: Vec<Connection>,
}

/// Every control socket of the platform.
#[derive(Debug, Default)]
pub struct Control {
    sockets: Vec<Socket>,
}

/// Most connections accepted per poll, and most bytes read from one
/// connection per poll: a busy client cannot hold the poll loop.
const ACCEPTS_PER_POLL: usize = 8;
const READ_PER_POLL: usize = 4096;

impl Control {
    /// True when no control socket is open.
    pub fn is_empty(&self) -> bool {
        self.sockets.is_empty()
    }

    /// Opens a control socket at `endpoint`; `verbose` logs connections.
    pub fn listen(
        &mut self,
        endpoint: &Endpoint,
        read_only: bool,
        verbose: bool,
    ) -> Result<(), String> {
        let listener = match endpoint {
            Endpoint::Tcp(port) => {
                let l = TcpListener::bind((Ipv4Addr::LOCALHOST, *port))
                    .map_err(|e| format!("ControlSocket: TCP port {port}: {e}"))?;
                l.set_nonblocking(true)
                    .map_err(|e| format!("ControlSocket: {e}"))?;
                Listener::Tcp(l)
            }
            Endpoint::Unix(path) => {
                // A socket left behind by an earlier run is replaced; any
                // other file is not touched.
                if std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_socket()) {
                    let _ = std::fs::remove_file(path);
                }
                let l =
                    UnixListener::bind(path).map_err(|e| format!("ControlSocket: {path}: {e}"))?;
                l.set_nonblocking(true)
                    .map_err(|e| format!("ControlSocket: {e}"))?;
                Listener::Unix(l, path.into())
            }
        };
        self.sockets.push(Socket {
            listener,
            read_only,
            verbose,
            connections: Vec::new(),
        });
        Ok(())
    }

    /// Where the sockets listen (`tcp:127.0.0.1:PORT`, `unix:PATH`).
    pub fn addresses(&self) -> Vec<String> {
        self.sockets
            .iter()
            .map(|s| match &s.listener {
                Listener::Tcp(l) => match l.local_addr() {
                    Ok(SocketAddr::V4(a)) => format!("tcp:{a}"),
                    Ok(a) => format!("tcp:{a}"),
                    Err(_) => "tcp:?".into(),
                },
                Listener::Unix(_, p) => format!("unix:{}", p.display()),
            })
            .collect()
    }

    /// Accepts new clients, answers their commands and sends what is
    /// pending, without blocking; `Some(reason)` when a client asked the
    /// configuration to stop.
    pub fn poll(&mut self, pipeline: &mut dyn Pipeline, console: &dyn Console) -> Option<String> {
        let mut stop = None;
        for socket in &mut self.sockets {
            for _ in 0..ACCEPTS_PER_POLL {
                let accepted = match &socket.listener {
                    Listener::Tcp(l) => l.accept().and_then(|(s, _)| {
                        s.set_nonblocking(true)?;
                        let _ = s.set_nodelay(true);
                        Ok(Stream::Tcp(s))
                    }),
                    Listener::Unix(l, _) => l.accept().and_then(|(s, _)| {
                        s.set_nonblocking(true)?;
                        Ok(Stream::Unix(s))
                    }),
                };
                match accepted {
                    Ok(stream) => {
                        if socket.verbose {
                            console.line("nfc: ControlSocket: connection opened");
                        }
                        socket.connections.push(Connection {
                            stream,
                            session: Session::new(socket.read_only),
                            eof: false,
                        });
                    }
                    Err(e) if e.kind() == io::ErrorKind::WouldBlock => break,
                    Err(e) => {
                        console.line(&format!("nfc: ControlSocket: accept: {e}"));
                        break;
                    }
                }
            }
            socket.connections.retain_mut(|c| {
                let keep = c.serve(pipeline, &mut stop);
                if !keep && socket.verbose {
                    console.line("nfc: ControlSocket: connection closed");
                }
                keep
            });
        }
        stop
    }
}

impl Connection {
    /// Reads, answers and writes once; false when the connection is over.
    fn serve(&mut self, pipeline: &mut dyn Pipeline, stop: &mut Option<String>) -> bool {
        let mut buf = [0u8; READ_PER_POLL];
        if !self.eof && !self.session.is_done() {
            match self.stream.read(&mut buf) {
                Ok(0) => {
                    self.eof = true;
                    if let Some(s) = self.session.feed(&[], true, pipeline) {
                        *stop = Some(s);
                    }
                }
                Ok(n) => {
                    if let Some(s) = self.session.feed(&buf[..n], false, pipeline) {
                        *stop = Some(s);
                    }
                }
                Err(e)
                    if matches!(
                        e.kind(),
                        io::ErrorKind::WouldBlock | io::ErrorKind::Interrupted
                    ) => {}
                Err(_) => return false,
            }
        }
        while !self.session.output().is_empty() {
            match self.stream.write(self.session.output()) {
                Ok(0) => return false,
                Ok(n) => self.session.consume_output(n),
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => break,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(_) => return false,
            }
        }
        let finished = self.session.is_done() || self.eof;
        !(finished && self.session.output().is_empty())
    }
}

/// ControlSocket on linux: opens a control socket when built and does
/// nothing at run time; the platform serves the socket. Its `port`
/// handler says which TCP port it took (`PORT+` takes the first free one).
#[derive(Debug)]
pub struct ControlSocket {
    config: Config,
    /// The TCP port listened on (none for a Unix socket).
    port: Option<u16>,
}

impl ControlSocket {
    /// Parses `config` (ControlSocket's syntax) and opens the socket on
    /// `plat`: a TCP port on 127.0.0.1, or a Unix socket path.
    pub fn new(plat: &mut Linux, config: &str) -> Result<Self, String> {
        let config = Config::configure(config).map_err(|e| format!("ControlSocket: {e}"))?;
        if let Some(proxy) = &config.proxy {
            return Err(format!(
                "ControlSocket: PROXY {proxy}: nfc has no handler proxies"
            ));
        }
        let mut endpoint = config.endpoint.clone();
        if let (Endpoint::Tcp(from), true) = (&endpoint, config.scan) {
            let free = (*from..=u16::MAX)
                .find(|&p| TcpListener::bind((Ipv4Addr::LOCALHOST, p)).is_ok())
                .ok_or_else(|| format!("ControlSocket: no free TCP port from {from}"))?;
            endpoint = Endpoint::Tcp(free);
        }
        plat.listen_verbose(&endpoint, config.read_only, config.verbose)?;
        let port = match endpoint {
            Endpoint::Tcp(_) => plat
                .control_addresses()
                .pop()
                .and_then(|a| a.rsplit(':').next()?.parse().ok()),
            Endpoint::Unix(_) => None,
        };
        Ok(ControlSocket { config, port })
    }

    /// The configuration.
    pub fn config(&self) -> &Config {
        &self.config
    }
}

impl Element for ControlSocket {
    fn read_handler(&self, name: &str) -> Result<String, HandlerError> {
        match (name, self.port) {
            ("port", Some(port)) => Ok(port.to_string()),
            _ => Err(HandlerError::NoSuchHandler),
        }
    }
}
