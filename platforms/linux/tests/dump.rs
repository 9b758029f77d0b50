//! FromDump → ToDump through the generic runner: pcap files in, pcap files
//! out, for Ethernet and raw IP, and `run` (what `main` does) around it.

use std::borrow::Cow;
use std::fs::File;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use nfc_dataplane::element::{Captured, Context, Element};
use nfc_dataplane::pipeline::{self, Driver, DriverEvent, DriverStep, Pipeline, Stopped};
use nfc_dataplane::router::{PortRef, Router};
use nfc_elements::standard::counter::Counter;
use nfc_platform_linux::{run, Drivers, FromDump, Linux, Options, ToDump};
use pcap_file::pcap::{PcapHeader, PcapPacket, PcapReader, PcapWriter};
use pcap_file::{DataLink, TsResolution};

/// A fresh path in the temporary directory.
/// Runs `e`'s task once with output 0 in `outs[0]` and the others after it.
fn run_task(
    e: &mut impl nfc_dataplane::element::Element,
    cx: &nfc_dataplane::element::Context,
    outs: &mut [nfc_dataplane::batch::Batch],
) -> nfc_dataplane::element::TaskResult {
    let (zero, others) = outs.split_first_mut().expect("output 0");
    e.run_task(cx, zero, others)
}

fn temp(name: &str) -> PathBuf {
    static N: AtomicU32 = AtomicU32::new(0);
    let n = N.fetch_add(1, Ordering::Relaxed);
    std::env::temp_dir().join(format!("nfc-dump-{}-{n}-{name}", std::process::id()))
}

/// One record: timestamp (ns since the epoch) and bytes.
type Record = (u64, Vec<u8>);

fn write_pcap(path: &PathBuf, link: DataLink, nano: bool, records: &[Record]) {
    let header = PcapHeader {
        datalink: link,
        ts_resolution: if nano {
            TsResolution::NanoSecond
        } else {
            TsResolution::MicroSecond
        },
        ..PcapHeader::default()
    };
    let mut w = PcapWriter::with_header(File::create(path).unwrap(), header).unwrap();
    for (ts, data) in records {
        w.write_packet(&PcapPacket {
            timestamp: Duration::from_nanos(*ts),
            orig_len: data.len() as u32,
            data: Cow::Borrowed(data),
        })
        .unwrap();
    }
}

/// The file's link type and records (with their original lengths). Raw
/// records: pcap-file's checked ones refuse an original length above the
/// snap length, which is what a snap length is for.
fn read_pcap(path: &PathBuf) -> (DataLink, Vec<(u64, u32, Vec<u8>)>) {
    let mut r = PcapReader::new(File::open(path).unwrap()).unwrap();
    let header = r.header();
    let scale = match header.ts_resolution {
        TsResolution::MicroSecond => 1000,
        TsResolution::NanoSecond => 1,
    };
    let mut out = Vec::new();
    while let Some(p) = r.next_raw_packet() {
        let p = p.unwrap();
        let ts = u64::from(p.ts_sec) * 1_000_000_000 + u64::from(p.ts_frac) * scale;
        assert_eq!(p.incl_len as usize, p.data.len());
        out.push((ts, p.orig_len, p.data.into_owned()));
    }
    (header.datalink, out)
}

/// An IPv4/UDP packet whose last payload byte is `tag`, `extra` bytes of
/// payload.
fn ip_packet(tag: u8, extra: usize) -> Vec<u8> {
    let total = 28 + extra + 1;
    let mut p = vec![
        0x45,
        0,
        (total >> 8) as u8,
        total as u8,
        0,
        0,
        0,
        0,
        64,
        17,
        0,
        0,
    ];
    p.extend_from_slice(&[10, 0, 0, 1, 10, 0, 0, tag]);
    p.extend_from_slice(&[0x30, 0x39, 0x00, 0x35, 0, (8 + extra + 1) as u8, 0, 0]);
    p.extend(std::iter::repeat_n(0xab, extra));
    p.push(tag);
    p
}

fn ether_frame(tag: u8, extra: usize, ethertype: u16) -> Vec<u8> {
    let mut f = vec![0x02, 0, 0, 0, 0, 2, 0x02, 0, 0, 0, 0, 1];
    f.extend_from_slice(&ethertype.to_be_bytes());
    f.extend(ip_packet(tag, extra));
    f
}

/// Records of every size class, 1 µs apart (so that micro- and
/// nanosecond files agree).
fn records(n: usize, make: impl Fn(u8, usize) -> Vec<u8>) -> Vec<Record> {
    (0..n)
        .map(|i| {
            let ts = 1_700_000_000_000_000_000 + i as u64 * 1000;
            (ts, make(i as u8, (i * 37) % 1400))
        })
        .collect()
}

/// `FromDump(in, STOP true) -> c :: Counter -> ToDump(out, …)`.
fn pipeline(plat: &mut Linux, from: &str, to: &str) -> Router {
    let mut r = Router::new();
    let src = FromDump::new(plat, from).unwrap();
    let src = r.add("src", "FromDump", Box::new(src), 0, 1, false);
    let c = r.add(
        "c",
        "Counter",
        Box::new(Counter::configure("").unwrap()),
        1,
        1,
        false,
    );
    let dst = ToDump::new(plat, to).unwrap();
    let dst = r.add("dst", "ToDump", Box::new(dst), 1, 0, false);
    let p = |element, port| PortRef { element, port };
    r.connect(p(src, 0), p(c, 0), false);
    r.connect(p(c, 0), p(dst, 0), false);
    r
}

/// Runs `r` on `plat` until it stops (at most `rounds` rounds).
fn run_to_end(r: &mut Router, plat: &mut Linux, rounds: u64) -> Stopped {
    plat.start(r).unwrap();
    let pool = plat.pool();
    let console = Captured::leak();
    pipeline::run(r, plat, pool, console, &mut [], Some(rounds))
}

fn round_trip(link: DataLink, nano: bool, to_config: &str, recs: &[Record]) {
    let (input, output) = (temp("in.pcap"), temp("out.pcap"));
    write_pcap(&input, link, nano, recs);
    let mut plat = Linux::new(nfc_dataplane::packet::PacketPool::new(256));
    let from = format!("{}, STOP true", input.display());
    let to = format!("{}, {to_config}", output.display());
    let mut r = pipeline(&mut plat, &from, &to);
    assert_eq!(run_to_end(&mut r, &mut plat, 1000), Stopped::Elements);
    assert_eq!(r.read("src", "count").unwrap(), recs.len().to_string());
    assert_eq!(r.read("c", "count").unwrap(), recs.len().to_string());
    assert_eq!(r.read("dst", "count").unwrap(), recs.len().to_string());
    let size = std::fs::metadata(&input).unwrap().len().to_string();
    assert_eq!(r.read("src", "filesize").unwrap(), size);
    assert_eq!(r.read("src", "filepos").unwrap(), size);
    drop(r);
    let (out_link, got) = read_pcap(&output);
    assert_eq!(out_link, link);
    assert_eq!(got.len(), recs.len());
    for ((ts, orig, data), (want_ts, want)) in got.iter().zip(recs) {
        assert_eq!((ts, *orig as usize, data), (want_ts, want.len(), want));
    }
    assert_eq!(plat.pool().available(), plat.pool().capacity());
    let _ = std::fs::remove_file(input);
    let _ = std::fs::remove_file(output);
}

#[test]
fn ethernet_round_trip() {
    for n in [0, 1, 31, 32, 33, 100] {
        round_trip(
            DataLink::ETHERNET,
            false,
            "ENCAP ETHER",
            &records(n, |t, e| ether_frame(t, e, 0x0800)),
        );
    }
}

#[test]
fn raw_ip_round_trip_with_nanoseconds() {
    round_trip(
        DataLink::RAW,
        true,
        "ENCAP IP, NANO true",
        &records(40, ip_packet),
    );
}

#[test]
fn raw_ip_sets_the_network_header() {
    let input = temp("raw.pcap");
    write_pcap(&input, DataLink::RAW, false, &records(3, ip_packet));
    let mut plat = Linux::new(nfc_dataplane::packet::PacketPool::new(8));
    let mut src = FromDump::new(&mut plat, &input.display().to_string()).unwrap();
    assert_eq!(src.read_handler("encap").unwrap(), "IP");
    let cx = Context::at(plat.pool(), 1);
    let mut outs = [nfc_dataplane::batch::Batch::new()];
    run_task(&mut src, &cx, &mut outs);
    assert_eq!(outs[0].len(), 3);
    for p in outs[0].iter() {
        assert_eq!(
            (p.network_offset(), p.network_header_len()),
            (Some(0), Some(20))
        );
        assert_eq!(p.transport().unwrap()[..2], [0x30, 0x39]);
    }
    let _ = std::fs::remove_file(input);
}

#[test]
fn snaplen_and_missing_timestamps() {
    let (input, output) = (temp("in.pcap"), temp("out.pcap"));
    // A zero timestamp in the file means "unset": ToDump writes the time
    // of the round instead.
    let recs = vec![(0u64, ether_frame(1, 200, 0x0800))];
    write_pcap(&input, DataLink::ETHERNET, false, &recs);
    let mut plat = Linux::new(nfc_dataplane::packet::PacketPool::new(8));
    let mut r = pipeline(
        &mut plat,
        &format!("{}, STOP true", input.display()),
        &format!("{}, SNAPLEN 64", output.display()),
    );
    assert_eq!(run_to_end(&mut r, &mut plat, 100), Stopped::Elements);
    drop(r);
    let (_, got) = read_pcap(&output);
    assert_eq!(got.len(), 1);
    let (ts, orig, data) = &got[0];
    assert_eq!(
        (*orig as usize, data.as_slice()),
        (recs[0].1.len(), &recs[0].1[..64])
    );
    assert!(*ts > 1_600_000_000_000_000_000, "the wall clock: {ts}");
    let _ = std::fs::remove_file(input);
    let _ = std::fs::remove_file(output);
}

#[test]
fn force_ip_sends_the_rest_out_output_1() {
    let input = temp("mixed.pcap");
    let recs: Vec<Record> = (0..10)
        .map(|i| {
            (
                1_000_000_000 + i,
                ether_frame(i as u8, 0, if i % 2 == 0 { 0x0800 } else { 0x0806 }),
            )
        })
        .collect();
    write_pcap(&input, DataLink::ETHERNET, true, &recs);
    let mut plat = Linux::new(nfc_dataplane::packet::PacketPool::new(32));
    let mut src = FromDump::new(&mut plat, &format!("{}, FORCE_IP true", input.display())).unwrap();
    let cx = Context::at(plat.pool(), 1);
    let mut outs = [
        nfc_dataplane::batch::Batch::new(),
        nfc_dataplane::batch::Batch::new(),
    ];
    run_task(&mut src, &cx, &mut outs);
    let last = |b: &nfc_dataplane::batch::Batch| {
        b.iter().map(|p| p.data()[p.len() - 1]).collect::<Vec<_>>()
    };
    assert_eq!(last(&outs[0]), [0, 2, 4, 6, 8]);
    assert_eq!(last(&outs[1]), [1, 3, 5, 7, 9]);
    assert!(outs[0].iter().all(|p| p.network_offset() == Some(14)));
    assert_eq!(outs[0].iter().next().unwrap().timestamp(), 1_000_000_000);
    let _ = std::fs::remove_file(input);
}

#[test]
fn pulled_source_and_pulling_sinks() {
    // src -> mid :: ToDump(…) -> dst :: ToDump(…), all pull: dst's task
    // pulls through mid, which writes what passes and pulls nothing itself.
    let (input, mid_out, output) = (temp("in.pcap"), temp("mid.pcap"), temp("out.pcap"));
    let recs = records(70, |t, e| ether_frame(t, e, 0x0800));
    write_pcap(&input, DataLink::ETHERNET, false, &recs);
    let mut plat = Linux::new(nfc_dataplane::packet::PacketPool::new(64));
    let mut r = Router::new();
    let src = FromDump::new(&mut plat, &format!("{}, STOP true", input.display())).unwrap();
    let src = r.add("src", "FromDump", Box::new(src), 0, 1, false);
    let mid = ToDump::new(&mut plat, &mid_out.display().to_string()).unwrap();
    let mid = r.add("mid", "ToDump", Box::new(mid), 1, 1, true);
    let dst = ToDump::new(&mut plat, &output.display().to_string()).unwrap();
    let dst = r.add("dst", "ToDump", Box::new(dst), 1, 0, false);
    let p = |element, port| PortRef { element, port };
    r.connect(p(src, 0), p(mid, 0), true);
    r.connect(p(mid, 0), p(dst, 0), true);
    // The end of the file, pulled, asks the runtime to write `stop`.
    assert_eq!(run_to_end(&mut r, &mut plat, 100), Stopped::Elements);
    assert_eq!(r.read("mid", "count").unwrap(), "70");
    assert_eq!(r.read("dst", "count").unwrap(), "70");
    drop(r);
    assert_eq!(read_pcap(&mid_out).1.len(), 70);
    assert_eq!(read_pcap(&output).1.len(), 70);
    for f in [input, mid_out, output] {
        let _ = std::fs::remove_file(f);
    }
}

#[test]
fn use_encap_from_follows_the_source() {
    let (input, output) = (temp("in.pcap"), temp("out.pcap"));
    write_pcap(&input, DataLink::RAW, false, &records(5, ip_packet));
    let mut plat = Linux::new(nfc_dataplane::packet::PacketPool::new(16));
    let mut r = pipeline(
        &mut plat,
        &format!("{}, STOP true", input.display()),
        &format!("{}, USE_ENCAP_FROM src", output.display()),
    );
    assert_eq!(run_to_end(&mut r, &mut plat, 100), Stopped::Elements);
    drop(r);
    assert_eq!(read_pcap(&output).0, DataLink::RAW);
    let mut r = pipeline(
        &mut plat,
        &input.display().to_string(),
        &format!("{}, USE_ENCAP_FROM nobody", output.display()),
    );
    assert!(plat.start(&r).unwrap_err().contains("nobody"));
    r.write("src", "stop", "").unwrap();
    let _ = std::fs::remove_file(input);
    let _ = std::fs::remove_file(output);
}

#[test]
fn handlers_end_call_and_activity() {
    let input = temp("in.pcap");
    write_pcap(
        &input,
        DataLink::ETHERNET,
        false,
        &records(40, |t, e| ether_frame(t, e, 0x0800)),
    );
    let mut plat = Linux::new(nfc_dataplane::packet::PacketPool::new(64));
    let config = format!("{}, ACTIVE false, END_CALL c.reset now", input.display());
    let mut src = FromDump::new(&mut plat, &config).unwrap();
    let cx = Context::at(plat.pool(), 1);
    let mut outs = [nfc_dataplane::batch::Batch::new()];
    run_task(&mut src, &cx, &mut outs);
    assert!(outs[0].is_empty(), "inactive");
    assert_eq!(src.read_handler("active").unwrap(), "false");
    src.write_handler("active", "true").unwrap();
    assert!(src.write_handler("active", "maybe").is_err());
    run_task(&mut src, &cx, &mut outs);
    assert_eq!(outs[0].len(), 32);
    assert!(src.read_handler("filepos").unwrap().parse::<u64>().unwrap() > 24);
    src.write_handler("reset", "").unwrap();
    assert_eq!(src.read_handler("count").unwrap(), "0");
    assert_eq!(src.take_call(), None);
    src.write_handler("stop", "").unwrap();
    assert_eq!(src.take_call(), Some(("c.reset".into(), "now".into())));
    assert_eq!(src.take_call(), None);
    assert_eq!(src.read_handler("sampling_prob").unwrap(), "1");
    // SAMPLE 0 emits nothing but still reaches the end.
    let mut none = FromDump::new(
        &mut plat,
        &format!("{}, SAMPLE 0, STOP true", input.display()),
    )
    .unwrap();
    let mut result = nfc_dataplane::element::TaskResult::Idle;
    for _ in 0..3 {
        let mut outs = [nfc_dataplane::batch::Batch::new()];
        result = run_task(&mut none, &cx, &mut outs);
        assert!(outs[0].is_empty());
    }
    assert_eq!(result, nfc_dataplane::element::TaskResult::Stop);
    let _ = std::fs::remove_file(input);
}

#[test]
fn timing_keeps_the_files_pace() {
    let input = temp("timed.pcap");
    // Two packets 30 ms apart.
    let recs = vec![
        (5_000_000_000, ether_frame(0, 0, 0x0800)),
        (5_030_000_000, ether_frame(1, 0, 0x0800)),
    ];
    write_pcap(&input, DataLink::ETHERNET, false, &recs);
    let mut plat = Linux::new(nfc_dataplane::packet::PacketPool::new(8));
    let mut src = FromDump::new(&mut plat, &format!("{}, TIMING true", input.display())).unwrap();
    let mut emit = |now: u64| {
        let mut outs = [nfc_dataplane::batch::Batch::new()];
        run_task(&mut src, &Context::at(plat.pool(), now), &mut outs);
        outs[0].len()
    };
    assert_eq!(emit(1_000), 1);
    assert_eq!(emit(1_000 + 29_000_000), 0, "too early");
    assert_eq!(emit(1_000 + 30_000_000), 1);
    let _ = std::fs::remove_file(input);
}

#[test]
fn bad_files_are_build_errors() {
    let mut plat = Linux::new(nfc_dataplane::packet::PacketPool::new(1));
    let missing = temp("missing.pcap");
    let e = FromDump::new(&mut plat, &missing.display().to_string()).unwrap_err();
    assert!(e.contains("FromDump") && e.contains("missing.pcap"), "{e}");
    let junk = temp("junk.pcap");
    std::fs::write(&junk, b"this is not a capture file at all").unwrap();
    let e = FromDump::new(&mut plat, &junk.display().to_string()).unwrap_err();
    assert!(e.contains("not a pcap file"), "{e}");
    let wifi = temp("wifi.pcap");
    write_pcap(&wifi, DataLink::IEEE802_11, false, &[]);
    let e = FromDump::new(&mut plat, &wifi.display().to_string()).unwrap_err();
    assert!(e.contains("link type 105"), "{e}");
    let e = ToDump::new(&mut plat, "/nonexistent-dir/x.pcap").unwrap_err();
    assert!(e.contains("ToDump"), "{e}");
    assert!(FromDump::new(&mut plat, "x.pcap, STOP maybe")
        .unwrap_err()
        .contains("STOP"));
    // A file cut inside a record ends the stream with a message.
    let cut = temp("cut.pcap");
    write_pcap(
        &cut,
        DataLink::ETHERNET,
        false,
        &records(2, |t, e| ether_frame(t, e, 0x0800)),
    );
    let bytes = std::fs::read(&cut).unwrap();
    std::fs::write(&cut, &bytes[..bytes.len() - 5]).unwrap();
    let mut src = FromDump::new(&mut plat, &format!("{}, STOP true", cut.display())).unwrap();
    let console = Captured::leak();
    let cx = Context {
        console,
        ..Context::at(plat.pool(), 1)
    };
    let mut outs = [nfc_dataplane::batch::Batch::new()];
    let r = run_task(&mut src, &cx, &mut outs);
    drop(outs);
    assert_eq!(r, nfc_dataplane::element::TaskResult::Stop);
    assert!(console
        .take()
        .iter()
        .any(|l| l.contains("ends inside a record")));
    for f in [junk, wifi, cut] {
        let _ = std::fs::remove_file(f);
    }
}

#[test]
fn run_prints_ready_stopped_and_counters() {
    let (input, output) = (temp("in.pcap"), temp("out.pcap"));
    write_pcap(
        &input,
        DataLink::ETHERNET,
        false,
        &records(7, |t, e| ether_frame(t, e, 0x0800)),
    );
    let console = Captured::leak();
    let from = format!("{}, STOP true", input.display());
    let to = output.display().to_string();
    let code = run(
        "roundtrip",
        64,
        &Options::default(),
        console,
        |plat| Ok(pipeline(plat, &from, &to)),
        no_drivers,
    );
    assert_eq!(code, ExitCode::SUCCESS);
    let lines = console.take();
    assert_eq!(
        lines,
        [
            "nfc: ready roundtrip 0 nics",
            "nfc: stopped elements",
            "src.count 7",
            "c.count 7",
            "c.byte_count",
            "dst.count 7",
        ]
        .iter()
        .map(|l| {
            if *l == "c.byte_count" {
                let bytes: usize = records(7, |t, e| ether_frame(t, e, 0x0800))
                    .iter()
                    .map(|r| r.1.len())
                    .sum();
                format!("c.byte_count {bytes}")
            } else {
                l.to_string()
            }
        })
        .collect::<Vec<_>>()
    );
    assert_eq!(read_pcap(&output).1.len(), 7, "ToDump was flushed");
    // A build error.
    let code = run(
        "broken",
        8,
        &Options::default(),
        console,
        |plat| FromDump::new(plat, "/nonexistent.pcap").map(|_| Router::new()),
        no_drivers,
    );
    assert_eq!(code, ExitCode::from(1));
    let lines = console.take();
    assert_eq!(lines.len(), 1);
    assert!(
        lines[0].starts_with("nfc: FromDump: /nonexistent.pcap"),
        "{lines:?}"
    );
    // A round limit.
    let options = Options {
        max_rounds: Some(3),
        ..Options::default()
    };
    let code = run(
        "idle",
        8,
        &options,
        console,
        |_| Ok(Router::new()),
        no_drivers,
    );
    assert_eq!(code, ExitCode::SUCCESS);
    assert_eq!(
        console.take(),
        ["nfc: ready idle 0 nics", "nfc: stopped rounds"]
    );
    let _ = std::fs::remove_file(input);
    let _ = std::fs::remove_file(output);
}

fn no_drivers() -> Result<Drivers, String> {
    Ok(Vec::new())
}

/// A script that stops the configuration as soon as it starts.
struct StopAtOnce;

impl Driver for StopAtOnce {
    fn is_driver(&self) -> bool {
        true
    }

    fn step(&mut self, _: &mut dyn Pipeline, _: &Context, _: DriverEvent) -> DriverStep {
        DriverStep::Stop
    }
}

#[test]
fn run_hands_the_scripts_to_the_poll_loop() {
    let console = Captured::leak();
    let code = run(
        "scripted",
        8,
        &Options::default(),
        console,
        |_| Ok(Router::new()),
        || Ok(vec![Box::new(StopAtOnce) as Box<dyn Driver>]),
    );
    assert_eq!(code, ExitCode::SUCCESS);
    assert_eq!(
        console.take(),
        ["nfc: ready scripted 0 nics", "nfc: stopped elements"]
    );
    let code = run(
        "badscript",
        8,
        &Options::default(),
        console,
        |_| Ok(Router::new()),
        || Err("s: bad script".to_string()),
    );
    assert_eq!(code, ExitCode::from(1));
    assert_eq!(console.take(), ["nfc: s: bad script"]);
}

#[test]
fn bytes_the_capture_cut_are_extra_length() {
    let input = temp("cut.pcap");
    let data = ether_frame(1, 50, 0x0800);
    let mut w = PcapWriter::new(File::create(&input).unwrap()).unwrap();
    w.write_packet(&PcapPacket {
        timestamp: Duration::from_secs(1),
        orig_len: data.len() as u32 + 100,
        data: Cow::Borrowed(&data),
    })
    .unwrap();
    drop(w);
    for (extra, want) in [("true", data.len() + 100), ("false", data.len())] {
        let output = temp("out.pcap");
        let mut plat = Linux::new(nfc_dataplane::packet::PacketPool::new(8));
        let to = format!("{}, EXTRA_LENGTH {extra}", output.display());
        let mut r = pipeline(&mut plat, &format!("{}, STOP true", input.display()), &to);
        assert_eq!(run_to_end(&mut r, &mut plat, 100), Stopped::Elements);
        drop(r);
        let (_, got) = read_pcap(&output);
        assert_eq!(
            (got[0].1 as usize, &got[0].2),
            (want, &data),
            "EXTRA_LENGTH {extra}"
        );
        let _ = std::fs::remove_file(output);
    }
    let _ = std::fs::remove_file(input);
}
