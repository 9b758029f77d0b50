//! `nfc click` run for real: configurations from `-e`, files and standard
//! input, through the generic runner, with handler output compared line by
//! line with what Click's `click` prints.
//!
//! Click's format (userlevel/click.cc, `call_read_handlers`): with one
//! `-h` handler, its value alone, a newline added when it has none; with
//! several, or with a pattern or class name before the dot, each value is
//! preceded by `NAME.HANDLER:` on its own line and followed by an empty
//! line. Errors exit 1.

use std::borrow::Cow;
use std::fs::File;
use std::io::{BufRead, BufReader, Read, Write};
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use pcap_file::pcap::{PcapHeader, PcapPacket, PcapReader, PcapWriter};
use pcap_file::DataLink;

/// The longest any one run may take before the test fails.
const TIMEOUT: Duration = Duration::from_secs(60);

/// Click's InfiniteSource default packet is 69 bytes long.
const DEFAULT_LEN: u64 = 69;

fn nfc() -> Command {
    Command::new(env!("CARGO_BIN_EXE_nfc"))
}

/// A fresh path in the temporary directory.
fn temp(name: &str) -> PathBuf {
    static N: AtomicU32 = AtomicU32::new(0);
    let n = N.fetch_add(1, Ordering::Relaxed);
    std::env::temp_dir().join(format!("nfc-click-{}-{n}-{name}", std::process::id()))
}

/// Waits for `child` at most [`TIMEOUT`], killing it (and failing) after.
fn finish(mut child: Child) -> Output {
    let start = Instant::now();
    while child.try_wait().expect("wait").is_none() {
        if start.elapsed() > TIMEOUT {
            let _ = child.kill();
            panic!("nfc click did not stop within {TIMEOUT:?}");
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    child.wait_with_output().expect("output")
}

/// Runs `nfc click ARGS` with `stdin` as its standard input.
fn click_with(args: &[&str], stdin: &str) -> Output {
    let mut child = nfc()
        .arg("click")
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("nfc runs");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    finish(child)
}

fn click(args: &[&str]) -> Output {
    click_with(args, "")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Asserts the run exited with `code` and printed exactly `lines` on
/// standard output.
#[track_caller]
fn expect(o: &Output, code: i32, lines: &[&str]) {
    let out = stdout(o);
    let got: Vec<&str> = out.split_inclusive('\n').collect();
    let want: Vec<String> = lines.iter().map(|l| format!("{l}\n")).collect();
    assert_eq!(got, want, "stdout; stderr was:\n{}", stderr(o));
    assert_eq!(o.status.code(), Some(code), "stderr:\n{}", stderr(o));
}

const LIMITED: &str = "InfiniteSource(LIMIT 1000, STOP true) -> c :: Counter -> Discard";

#[test]
fn runs_until_the_source_stops_and_prints_the_handler() {
    let o = click(&["-e", LIMITED, "-h", "c.count"]);
    expect(&o, 0, &["1000"]);
    assert_eq!(stderr(&o), "", "click prints nothing else");
}

#[test]
fn several_handlers_are_named_with_an_empty_line_after_each() {
    let o = click(&["-e", LIMITED, "-h", "c.count", "--handler", "c.byte_count"]);
    let bytes = (1000 * DEFAULT_LEN).to_string();
    expect(
        &o,
        0,
        &["c.count:", "1000", "", "c.byte_count:", &bytes, ""],
    );
}

#[test]
fn a_class_or_pattern_names_every_element_it_matches() {
    let config = "InfiniteSource(LIMIT 3, STOP true) -> c1 :: Counter -> t :: Tee(2);
                  t[0] -> c2 :: Counter -> Discard; t[1] -> d :: Counter -> Discard";
    expect(
        &click(&["-e", config, "-h", "Counter.count"]),
        0,
        &[
            "c1.count:",
            "3",
            "",
            "c2.count:",
            "3",
            "",
            "d.count:",
            "3",
            "",
        ],
    );
    expect(
        &click(&["-e", config, "-h", "c*.count"]),
        0,
        &["c1.count:", "3", "", "c2.count:", "3", ""],
    );
}

#[test]
fn quit_initializes_without_running() {
    let o = click(&["-q", "-e", LIMITED, "-h", "c.count"]);
    expect(&o, 0, &["0"]);
    // -q also stops a configuration that would never end by itself.
    let o = click(&["-q", "-e", "Idle -> c :: Counter -> Discard", "-h", "list"]);
    expect(&o, 0, &["3", "Idle@1", "c", "Discard@3"]);
}

#[test]
fn a_script_writes_handlers_and_stops_the_router() {
    let o = click(&[
        "-e",
        "src :: InfiniteSource(LIMIT 10, STOP true) -> c :: Counter -> Discard;
         DriverManager(wait_stop, print c.count, write c.reset,
                       write src.limit 4, write src.reset, wait_stop, stop)",
        "-h",
        "c.count",
        "-h",
        "src.count",
    ]);
    // The script's print goes to standard output, before the handlers.
    expect(&o, 0, &["10", "c.count:", "4", "", "src.count:", "4", ""]);
    assert_eq!(stderr(&o), "");
    // A Script (not a driver) that writes `stop`.
    let o = click(&[
        "-e",
        "Idle -> c :: Counter -> Discard; Script(write c.reset, stop)",
        "-h",
        "c.count",
    ]);
    expect(&o, 0, &["0"]);
}

#[test]
fn configuration_from_standard_input_and_files() {
    let config = "define($N 5); InfiniteSource(LIMIT $N, STOP true) -> c :: Counter -> Discard";
    expect(&click_with(&["-h", "c.count"], config), 0, &["5"]);
    expect(&click_with(&["-h", "c.count", "-"], config), 0, &["5"]);
    expect(
        &click_with(&["-D", "N=7", "-h", "c.count"], config),
        0,
        &["7"],
    );
    let path = temp("file.click");
    std::fs::write(&path, config).unwrap();
    let file = path.to_str().unwrap();
    expect(&click(&[file, "-h", "c.count"]), 0, &["5"]);
    expect(&click(&["-f", file, "-h", "c.count"]), 0, &["5"]);
    let o = click(&[file, "-e", config]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("router configuration specified twice"),
        "{}",
        stderr(&o)
    );
    let _ = std::fs::remove_file(&path);
}

#[test]
fn configuration_errors_show_where_and_exit_1() {
    let o = click(&[
        "-e",
        "InfiniteSource(LIMIT 5, STOP true)\n  -> Countr -> Discard",
        "-h",
        "c.count",
    ]);
    expect(&o, 1, &[]);
    let err = stderr(&o);
    for want in [
        "error: unknown element class `Countr`",
        "<expr>:2:6",
        "2 │   -> Countr -> Discard",
        "  │      ^^^^^^ not a known class",
        "hint: did you mean `Counter`?",
        "<expr>: 1 error found",
    ] {
        assert!(err.contains(want), "missing {want:?} in:\n{err}");
    }
    // A file the configuration names does not exist: found when the
    // element is initialized, reported under it.
    let path = temp("missing.click");
    std::fs::write(
        &path,
        "f :: FromDump(/nonexistent/nfc-in.pcap) -> Discard;\n",
    )
    .unwrap();
    let o = click(&[path.to_str().unwrap()]);
    expect(&o, 1, &[]);
    let err = stderr(&o);
    assert!(err.contains("/nonexistent/nfc-in.pcap"), "{err}");
    assert!(err.contains("while initializing `f`"), "{err}");
    assert!(err.contains(&format!("{}:1:6", path.display())), "{err}");
    let _ = std::fs::remove_file(&path);
    // A missing file to read the configuration from.
    let o = click(&["/nonexistent/config.click"]);
    expect(&o, 1, &[]);
    assert!(stderr(&o).contains("/nonexistent/config.click"));
}

#[test]
fn handler_errors_exit_1_after_printing_the_others() {
    let o = click(&[
        "-e", LIMITED, "-h", "c.count", "-h", "c.nope", "-h", "zz.count", "-h", "c.reset",
    ]);
    expect(&o, 1, &["c.count:", "1000", ""]);
    assert_eq!(
        stderr(&o),
        "no 'c.nope' handler\nno element 'zz'\n'c.reset' is a write handler\n"
    );
}

#[test]
fn exit_handler_sets_the_status() {
    let config = "InfiniteSource(LIMIT 3, STOP true) -> c :: Counter -> Discard";
    expect(&click(&["-e", config, "-x", "c.count"]), 3, &[]);
    expect(&click(&["-e", config, "-q", "-x", "c.count"]), 0, &[]);
    let o = click(&["-e", config, "-x", "list"]);
    expect(&o, 255, &[]);
    assert!(stderr(&o).contains("exit handler value should be integer"));
}

#[test]
fn output_writes_the_flat_configuration() {
    let o = click(&[
        "-q",
        "-e",
        "elementclass Two { input -> Counter -> output }; Idle -> t :: Two -> Discard",
        "-o",
        "-",
    ]);
    let out = stdout(&o);
    assert_eq!(o.status.code(), Some(0));
    assert!(out.contains("t/Counter@1 :: Counter"), "{out}");
}

#[test]
fn empty_configuration_warns_and_exits() {
    let o = click(&["-e", "", "-h", "list"]);
    expect(&o, 0, &["0"]);
    assert_eq!(
        stderr(&o),
        "warning: <expr>: configuration has no elements, exiting\n"
    );
}

fn write_pcap(path: &Path, packets: &[Vec<u8>]) {
    let header = PcapHeader {
        datalink: DataLink::ETHERNET,
        ..PcapHeader::default()
    };
    let mut w = PcapWriter::with_header(File::create(path).unwrap(), header).unwrap();
    for (i, data) in packets.iter().enumerate() {
        w.write_packet(&PcapPacket {
            timestamp: Duration::from_micros(1_700_000_000_000_000 + i as u64),
            orig_len: data.len() as u32,
            data: Cow::Borrowed(data),
        })
        .unwrap();
    }
}

fn read_pcap(path: &Path) -> Vec<(Duration, Vec<u8>)> {
    let mut r = PcapReader::new(File::open(path).unwrap()).unwrap();
    let mut out = Vec::new();
    while let Some(p) = r.next_packet() {
        let p = p.unwrap();
        out.push((p.timestamp, p.data.into_owned()));
    }
    out
}

/// An Ethernet frame carrying IPv4/UDP to 10.0.0.`dst`, of `len` bytes.
fn frame(dst: u8, len: usize) -> Vec<u8> {
    let mut f = vec![0x02, 0, 0, 0, 0, 2, 0x02, 0, 0, 0, 0, 1, 0x08, 0x00];
    let ip_len = len - 14;
    f.extend_from_slice(&[0x45, 0, (ip_len >> 8) as u8, ip_len as u8, 0, 0, 0, 0]);
    f.extend_from_slice(&[64, 17, 0, 0, 10, 0, 0, 1, 10, 0, 0, dst]);
    f.resize(len, 0xab);
    f
}

#[test]
fn from_dump_to_dump_through_a_classifier() {
    let input = temp("in.pcap");
    let even = temp("even.pcap");
    let odd = temp("odd.pcap");
    let packets: Vec<Vec<u8>> = (0..100u8)
        .map(|i| frame(i, 60 + (i as usize * 13) % 1400))
        .collect();
    write_pcap(&input, &packets);
    let config = format!(
        "FromDump({}, STOP true) -> c :: Counter -> cl :: Classifier(33/00%01, -);
         cl[0] -> e :: Counter -> ToDump({});
         cl[1] -> o :: Counter -> ToDump({});",
        input.display(),
        even.display(),
        odd.display()
    );
    let o = click(&[
        "-e", &config, "-h", "c.count", "-h", "e.count", "-h", "o.count",
    ]);
    expect(
        &o,
        0,
        &[
            "c.count:", "100", "", "e.count:", "50", "", "o.count:", "50", "",
        ],
    );
    let (even_out, odd_out) = (read_pcap(&even), read_pcap(&odd));
    assert_eq!(even_out.len(), 50);
    assert_eq!(odd_out.len(), 50);
    for (i, (ts, data)) in even_out.iter().chain(&odd_out).enumerate() {
        // Even destinations first, then odd ones, each in file order.
        let k = if i < 50 { 2 * i } else { 2 * (i - 50) + 1 };
        assert_eq!(data, &packets[k], "packet {k}");
        assert_eq!(
            *ts,
            Duration::from_micros(1_700_000_000_000_000 + k as u64),
            "packet {k} keeps its timestamp"
        );
    }
    for p in [input, even, odd] {
        let _ = std::fs::remove_file(p);
    }
}

/// Starts `nfc click` on a configuration that never stops by itself.
fn spawn_forever(extra: &[&str]) -> Child {
    nfc()
        .args([
            "click",
            "-e",
            "Idle -> c :: Counter -> Discard",
            "-h",
            "c.count",
        ])
        .args(extra)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("nfc runs")
}

/// Waits until `path` exists (a Unix socket the child listens on).
fn wait_for(path: &Path, child: &mut Child) {
    let start = Instant::now();
    while !path.exists() {
        if let Some(status) = child.try_wait().unwrap() {
            panic!("nfc click exited early: {status}");
        }
        assert!(
            start.elapsed() < TIMEOUT,
            "{} never appeared",
            path.display()
        );
        std::thread::sleep(Duration::from_millis(10));
    }
}

#[test]
fn sigint_stops_the_router_and_prints_the_handlers() {
    let socket = temp("sigint.sock");
    let mut child = spawn_forever(&["-u", socket.to_str().unwrap()]);
    wait_for(&socket, &mut child);
    let killed = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .expect("kill (Debian package procps) runs");
    assert!(killed.success());
    let o = finish(child);
    expect(&o, 0, &["0"]);
    assert!(!socket.exists(), "the control socket is removed at exit");
}

/// Reads one reply line, without its CRLF.
fn reply(r: &mut impl BufRead) -> String {
    let mut line = String::new();
    r.read_line(&mut line).unwrap();
    line.trim_end_matches("\r\n").to_string()
}

#[test]
fn control_sockets_serve_handlers_and_stop() {
    let socket = temp("control.sock");
    // A TCP port that was free a moment ago.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut child = spawn_forever(&["-u", socket.to_str().unwrap(), "-p", &port.to_string()]);
    wait_for(&socket, &mut child);
    // TCP: read a handler.
    let tcp = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    tcp.set_read_timeout(Some(TIMEOUT)).unwrap();
    let mut tcp = BufReader::new(tcp);
    assert_eq!(reply(&mut tcp), "Click::ControlSocket/1.3");
    tcp.get_mut().write_all(b"READ c.count\r\n").unwrap();
    assert_eq!(reply(&mut tcp), "200 Read handler 'c.count' OK");
    assert_eq!(reply(&mut tcp), "DATA 1");
    let mut data = [0u8; 1];
    tcp.read_exact(&mut data).unwrap();
    assert_eq!(&data, b"0");
    // Unix: stop the router.
    let unix = UnixStream::connect(&socket).unwrap();
    unix.set_read_timeout(Some(TIMEOUT)).unwrap();
    let mut unix = BufReader::new(unix);
    assert_eq!(reply(&mut unix), "Click::ControlSocket/1.3");
    unix.get_mut().write_all(b"WRITE stop\r\n").unwrap();
    assert_eq!(reply(&mut unix), "200 Write handler 'stop' OK");
    let o = finish(child);
    expect(&o, 0, &["0"]);
}

#[test]
fn name_value_words_set_defines_around_the_file() {
    let path = temp("define.click");
    std::fs::write(
        &path,
        "define($N 1)\nInfiniteSource(LIMIT $N, STOP true) -> c :: Counter -> Discard;\n",
    )
    .unwrap();
    let file = path.to_str().unwrap();
    expect(&click(&[file, "-h", "c.count"]), 0, &["1"]);
    expect(&click(&["N=3", file, "-h", "c.count"]), 0, &["3"]);
    expect(&click(&[file, "N=7", "-h", "c.count"]), 0, &["7"]);
    // With -e, and from standard input.
    let config = std::fs::read_to_string(&path).unwrap();
    expect(&click(&["-e", &config, "N=4", "-h", "c.count"]), 0, &["4"]);
    expect(&click_with(&["N=5", "-h", "c.count"], &config), 0, &["5"]);
    // Two words that are not settings are two configurations.
    let o = click(&[file, file]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("specified twice"), "{}", stderr(&o));
    let _ = std::fs::remove_file(&path);
}

#[test]
fn script_print_goes_to_standard_output_or_a_file() {
    let file = temp("print.out");
    let config = format!(
        "Idle -> c :: Counter -> Discard; Script(print $(add 1 2), read c.count, printn \"a\", print \"b\", \
         print >{f} \"one\", printn >>{f} \"two\", write set v x y, print $(shift v) $(get v), \
         print $(htonl $(ntohl 6)), stop)",
        f = file.display()
    );
    let o = click(&["-e", &config]);
    expect(&o, 0, &["3", "ab", "x y", "6"]);
    // `read` prints to standard error, as Click's does.
    assert_eq!(stderr(&o), "c.count:\n0\n");
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "one\ntwo");
    let _ = std::fs::remove_file(&file);
    // DriverManager's `print` too.
    expect(
        &click(&[
            "-e",
            &format!("{LIMITED}; DriverManager(wait_stop, print c.count)"),
        ]),
        0,
        &["1000"],
    );
}

#[test]
fn too_many_jumps_names_the_script() {
    let o = click(&[
        "-e",
        "s0 :: Script(label a, goto a); Script(wait 10ms, stop)",
    ]);
    expect(&o, 0, &[]);
    assert_eq!(stderr(&o), "s0 :: Script: too many jumps, giving up\n");
}

#[test]
fn config_handlers_give_the_configuration() {
    let text = "i :: Idle -> d :: Discard";
    expect(&click(&["-q", "-e", text, "-h", "config"]), 0, &[text]);
    expect(
        &click(&["-q", "-e", text, "-h", "flatconfig"]),
        0,
        &["i :: Idle;", "d :: Discard;", "", "i -> d;"],
    );
    let compact = format!("require(compact_config); {text}");
    expect(
        &click(&["-q", "-e", &compact, "-h", "config"]),
        0,
        &[
            "require(compact_config);",
            "",
            "i :: Idle;",
            "d :: Discard;",
            "",
            "i -> d;",
        ],
    );
}

#[test]
fn language_errors_are_printed_at_click_landmarks() {
    // What `cpp A | click` reads when A includes B.
    let stdin = "# 1 \"A\"\n\nx :: Idle;\n# 1 \"B\" 1\nx :: Idle;\n# 4 \"A\" 2\nx -> Discard;\n";
    let o = click_with(&[], stdin);
    expect(&o, 1, &[]);
    assert_eq!(
        stderr(&o),
        "B:1: redeclaration of element 'x'\nA:2: element 'x' previously declared here\n"
    );
}

#[test]
fn simtime_runs_timers_as_fast_as_the_work_allows() {
    // A ten-second script and a TimedSource every 100 ms: on simulated
    // time this takes no wall time, and the counts are exact.
    let t = Instant::now();
    let o = click(&[
        "--simtime",
        "-e",
        "s :: TimedSource(0.1s) -> c :: Counter -> Discard;
         Script(wait 10, print $(c.count), write stop);",
    ]);
    expect(&o, 0, &["99"]);
    assert!(t.elapsed() < Duration::from_secs(5), "{:?}", t.elapsed());
    // Simulated time starts at Click's 1,000,000,000 s, or where asked.
    let o = click(&["--simtime=5", "-e", "Script(print $(now), stop);"]);
    assert!(stdout(&o).starts_with("5."), "{}", stdout(&o));
    // A source that waits for room sleeps while its Queue is full, so time
    // can move on: the count stops at the capacity.
    let o = click(&[
        "--simtime",
        "-e",
        "i :: InfiniteSource -> Queue(50) -> Idle;
         DriverManager(wait 1s, print $(i.count), stop);",
    ]);
    expect(&o, 0, &["50"]);
    // Nothing scheduled and nothing to do: the simulation ends.
    let o = click(&["--simtime", "-e", "Idle -> Discard;"]);
    expect(&o, 0, &[]);
}
