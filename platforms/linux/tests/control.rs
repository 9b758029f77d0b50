//! Click's ControlSocket protocol against a running Router, over a real
//! TCP socket on 127.0.0.1 and a Unix socket.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::os::unix::net::UnixStream;
use std::thread;
use std::time::Duration;

use nfc_dataplane::element::Captured;
use nfc_dataplane::packet::PacketPool;
use nfc_dataplane::pipeline::{self, Stopped};
use nfc_dataplane::router::Router;
use nfc_elements::standard::counter::Counter;
use nfc_platform_linux::{ControlSocket, Linux};

/// A client that reads replies the way Click's protocol frames them.
struct Client<S: Read + Write> {
    reader: BufReader<S>,
}

impl<S: Read + Write> Client<S> {
    fn new(stream: S) -> Client<S> {
        let mut c = Client {
            reader: BufReader::new(stream),
        };
        assert_eq!(c.line(), "Click::ControlSocket/1.3");
        c
    }

    fn line(&mut self) -> String {
        let mut line = String::new();
        self.reader.read_line(&mut line).expect("a reply line");
        line.strip_suffix("\r\n")
            .unwrap_or_else(|| panic!("line not ended by CRLF: {line:?}"))
            .to_string()
    }

    /// Sends `command` and returns the reply's lines, and its data for a
    /// successful read.
    fn ask(&mut self, command: &str) -> (Vec<String>, Option<String>) {
        let stream = self.reader.get_mut();
        stream.write_all(command.as_bytes()).unwrap();
        stream.write_all(b"\r\n").unwrap();
        let mut lines = vec![self.line()];
        while lines.last().unwrap().as_bytes()[3] == b'-' {
            lines.push(self.line());
        }
        let last = lines.last().unwrap();
        let data = if last.starts_with("200 Read handler") {
            let len: usize = self
                .line()
                .strip_prefix("DATA ")
                .expect("a DATA line")
                .parse()
                .unwrap();
            let mut buf = vec![0; len];
            self.reader.read_exact(&mut buf).unwrap();
            Some(String::from_utf8(buf).unwrap())
        } else {
            None
        };
        (lines, data)
    }

    /// True once the server closed the connection.
    fn closed(&mut self) -> bool {
        let mut rest = Vec::new();
        self.reader.read_to_end(&mut rest).is_ok() && rest.is_empty()
    }
}

/// A router with a counter `c` and a ControlSocket opened by `config`.
fn router(plat: &mut Linux, config: &str) -> Router {
    let mut r = Router::new();
    r.set_registry(nfc_elements::REGISTRY);
    r.add(
        "c",
        "Counter",
        Box::new(Counter::configure("").unwrap()),
        1,
        1,
        false,
    );
    let cs = ControlSocket::new(plat, config).unwrap();
    r.add("cs", "ControlSocket", Box::new(cs), 0, 0, false);
    r
}

/// Runs `r` until a client stops it; the client runs `talk` in a thread
/// and, whatever happens to it, writes `stop` at the end so the loop ends.
fn serve<F>(
    mut r: Router,
    mut plat: Linux,
    connect: impl Fn() -> Box<dyn ReadWrite> + Send + 'static,
    talk: F,
) -> Stopped
where
    F: FnOnce(Client<Box<dyn ReadWrite>>) + Send + 'static,
{
    let client = thread::spawn(move || {
        struct StopAtEnd<C: Fn() -> Box<dyn ReadWrite>>(C);
        impl<C: Fn() -> Box<dyn ReadWrite>> Drop for StopAtEnd<C> {
            fn drop(&mut self) {
                let mut c = Client::new((self.0)());
                let _ = c.ask("WRITE stop");
            }
        }
        let guard = StopAtEnd(connect);
        talk(Client::new((guard.0)()));
    });
    let pool = plat.pool();
    let stopped = pipeline::run(
        &mut r,
        &mut plat,
        pool,
        Captured::leak(),
        &mut [],
        Some(20_000_000),
    );
    client.join().expect("the client's checks");
    stopped
}

/// A stream the client can use.
trait ReadWrite: Read + Write + Send {}
impl<T: Read + Write + Send> ReadWrite for T {}

fn tcp(addr: String) -> impl Fn() -> Box<dyn ReadWrite> + Send + 'static {
    move || {
        let s = TcpStream::connect(&addr).expect("connect to the control socket");
        s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        Box::new(s) as Box<dyn ReadWrite>
    }
}

#[test]
fn tcp_read_write_errors_and_quit() {
    let mut plat = Linux::new(PacketPool::new(8));
    let r = router(&mut plat, "TCP, 0");
    let addr = plat.control_addresses()[0].clone();
    let addr = addr.strip_prefix("tcp:").unwrap().to_string();
    assert!(addr.starts_with("127.0.0.1:"), "{addr}");
    let stopped = serve(r, plat, tcp(addr), |mut c| {
        let (lines, data) = c.ask("READ c.count");
        assert_eq!(lines, ["200 Read handler 'c.count' OK"]);
        assert_eq!(data.as_deref(), Some("0"));
        assert_eq!(c.ask("WRITE c.reset").0, ["200 Write handler 'c.reset' OK"]);
        assert_eq!(c.ask("READ c.nope").0, ["511 No handler named 'c.nope'"]);
        assert_eq!(
            c.ask("READ nobody.count").0,
            ["510 No element named 'nobody'"]
        );
        assert_eq!(
            c.ask("WRITE c.count 1").0,
            ["530 Handler 'c.count' read-only"]
        );
        let (lines, _) = c.ask("WRITE c.count_call x");
        assert_eq!(lines.len(), 2, "{lines:?}");
        assert_eq!(lines[0], "520-Write handler 'c.count_call' error:");
        assert!(
            lines[1].starts_with("520 ") && lines[1].contains("\"x\""),
            "{lines:?}"
        );
        assert!(c.ask("LLRPC c#8004").0[0].starts_with("501 "));
        let (_, list) = c.ask("READ list");
        assert_eq!(list.as_deref(), Some("2\nc\ncs\n"));
        assert_eq!(c.ask("QUIT").0, ["200 Goodbye!"]);
        assert!(c.closed(), "the server closes after QUIT");
    });
    assert_eq!(stopped, Stopped::Platform("control".into()));
}

#[test]
fn unix_socket_and_read_only() {
    let path = std::env::temp_dir().join(format!("nfc-control-{}.sock", std::process::id()));
    let mut plat = Linux::new(PacketPool::new(8));
    let r = router(
        &mut plat,
        &format!("UNIX, {}, READONLY true", path.display()),
    );
    assert_eq!(
        plat.control_addresses(),
        [format!("unix:{}", path.display())]
    );
    // A second, writable socket for the test's final `stop`.
    let mut r = r;
    let cs = ControlSocket::new(&mut plat, "TCP, 0").unwrap();
    r.add("cs2", "ControlSocket", Box::new(cs), 0, 0, false);
    let addr = plat.control_addresses()[1]
        .strip_prefix("tcp:")
        .unwrap()
        .to_string();
    let unix_path = path.clone();
    let stopped = serve(r, plat, tcp(addr), move |_| {
        let s = UnixStream::connect(&unix_path).expect("connect to the Unix socket");
        s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        let mut c = Client::new(s);
        assert_eq!(c.ask("READ c.count").1.as_deref(), Some("0"));
        assert_eq!(
            c.ask("WRITE c.reset").0,
            ["530 Permission denied for 'c.reset'"]
        );
        assert_eq!(c.ask("WRITE stop").0, ["530 Permission denied for 'stop'"]);
    });
    assert_eq!(stopped, Stopped::Platform("control".into()));
    assert!(!path.exists(), "the socket file is removed");
}
