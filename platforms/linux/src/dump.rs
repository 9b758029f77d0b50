//! FromDump and ToDump: pcap files, read and written with `pcap-file`.
//!
//! FromDump streams its file through a window buffer (never the whole file
//! in memory) and emits up to [`BURST`] packets per task run. ToDump
//! writes through a buffer that is flushed when the element is dropped
//! (at the end of [`crate::main`]) and after each batch with UNBUFFERED.

use std::borrow::Cow;
use std::cell::{Cell, RefCell};
use std::collections::hash_map::RandomState;
use std::fs::File;
use std::hash::BuildHasher;
use std::io::{self, BufWriter, Read, Seek, SeekFrom, Write};
use std::rc::Rc;
use std::time::Duration;

use nfc_dataplane::batch::{Batch, BURST};
use nfc_dataplane::element::{Context, Element, HandlerError, Outputs, TaskResult};
use nfc_dataplane::packet::{Packet, BUF_SIZE, HEADROOM};
use nfc_dataplane::parse;
use nfc_elements::devices::from_dump::{self, End, Start};
use nfc_elements::devices::to_dump::{self, EncapSource};
use nfc_elements::devices::{ipv4_header, Encap};
use nfc_elements::standard::truncate::{extra_length, set_extra_length};
use pcap_file::pcap::{PcapHeader, PcapPacket, PcapParser, PcapWriter};
use pcap_file::{DataLink, Endianness, PcapError, TsResolution};

use crate::platform::Linux;

/// The file a writing element (ToDump, ToIPSummaryDump) of class `class`
/// writes: `filename` created, or standard output for `-`.
pub(crate) fn create_output(class: &str, filename: &str) -> Result<Box<dyn Write>, String> {
    if filename == "-" {
        return Ok(Box::new(io::stdout()));
    }
    File::create(filename)
        .map(|f| Box::new(f) as Box<dyn Write>)
        .map_err(|e| format!("{class}: {filename}: {e}"))
}

/// Output 0 of FromDump: the packets (IP packets only, with FORCE_IP).
pub const OUT_PACKETS: usize = 0;
/// Output 1 of FromDump: with FORCE_IP, the packets that are not IP.
pub const OUT_NON_IP: usize = 1;

/// The most data bytes a packet buffer holds; longer records are cut.
const MAX_DATA: usize = BUF_SIZE - HEADROOM;

/// The largest record FromDump accepts before calling the file corrupt.
const MAX_RECORD: usize = 256 * 1024;

/// The read window.
const WINDOW: usize = 64 * 1024;

/// The link type of a pcap file, as nfc handles it.
fn link_encap(link: DataLink) -> Option<Encap> {
    match link {
        DataLink::ETHERNET => Some(Encap::Ether),
        // LINKTYPE_RAW (101), LINKTYPE_IPV4 (228), and DLT_RAW as some
        // systems write it (12, and 14 on OpenBSD).
        DataLink::RAW | DataLink::IPV4 | DataLink::Unknown(12 | 14) => Some(Encap::Ip),
        _ => None,
    }
}

/// The pcap link type nfc writes for `encap`.
fn encap_link(encap: Encap) -> DataLink {
    match encap {
        Encap::Ether => DataLink::ETHERNET,
        Encap::Ip => DataLink::RAW,
    }
}

fn encap_name(encap: Encap) -> &'static str {
    match encap {
        Encap::Ether => "ETHER",
        Encap::Ip => "IP",
    }
}

/// One record, located in the reader's window.
struct Record {
    /// Nanoseconds since the epoch.
    ts: u64,
    /// Where its data lies in the window.
    data: std::ops::Range<usize>,
    /// The packet's length on the wire.
    orig_len: u32,
    /// Bytes the record takes in the file, header included.
    size: usize,
}

/// A pcap file read through a window.
struct Reader {
    file: File,
    parser: PcapParser,
    buf: Vec<u8>,
    /// The unread bytes are `buf[start..end]`.
    start: usize,
    end: usize,
    /// File offset of `buf[start]`.
    pos: u64,
    eof: bool,
}

impl Reader {
    /// Opens `path` and reads its header.
    fn open(path: &str) -> Result<(Reader, u64), String> {
        let mut file = File::open(path).map_err(|e| format!("{path}: {e}"))?;
        let size = file.metadata().map_or(0, |m| m.len());
        let mut head = [0u8; 24];
        file.read_exact(&mut head)
            .map_err(|e| format!("{path}: not a pcap file ({e})"))?;
        let (_, parser) = PcapParser::new(&head).map_err(|e| {
            let hint = if head[..4] == [0x0a, 0x0d, 0x0d, 0x0a] {
                " (a pcapng file: convert it with `tcpdump -r in.pcapng -w out.pcap`)"
            } else {
                ""
            };
            format!("{path}: not a pcap file: {e}{hint}")
        })?;
        let reader = Reader {
            file,
            parser,
            buf: vec![0; WINDOW],
            start: 0,
            end: 0,
            pos: 24,
            eof: false,
        };
        Ok((reader, size))
    }

    /// Moves to file offset `pos` (FILEPOS; a record must start there).
    fn seek(&mut self, pos: u64) -> io::Result<()> {
        self.file.seek(SeekFrom::Start(pos))?;
        self.start = 0;
        self.end = 0;
        self.pos = pos;
        Ok(())
    }

    /// Reads more of the file into the window; false at end of file.
    fn fill(&mut self) -> io::Result<bool> {
        if self.eof {
            return Ok(false);
        }
        self.buf.copy_within(self.start..self.end, 0);
        self.end -= self.start;
        self.start = 0;
        if self.end == self.buf.len() {
            self.buf.resize(self.buf.len() * 2, 0);
        }
        loop {
            match self.file.read(&mut self.buf[self.end..]) {
                Ok(0) => {
                    self.eof = true;
                    return Ok(false);
                }
                Ok(n) => {
                    self.end += n;
                    return Ok(true);
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
    }

    /// The next record, without moving past it; `None` at the end of the
    /// file.
    fn peek(&mut self) -> Result<Option<Record>, String> {
        loop {
            let window = &self.buf[self.start..self.end];
            match self.parser.next_raw_packet(window) {
                Ok((rest, raw)) => {
                    let size = window.len() - rest.len();
                    let header = self.parser.header();
                    let frac = u64::from(raw.ts_frac);
                    let frac = match header.ts_resolution {
                        TsResolution::MicroSecond => frac * 1000,
                        TsResolution::NanoSecond => frac,
                    };
                    let ts = u64::from(raw.ts_sec) * 1_000_000_000 + frac;
                    let data = self.start + 16..self.start + 16 + raw.data.len();
                    let orig_len = raw.orig_len;
                    return Ok(Some(Record {
                        ts,
                        data,
                        orig_len,
                        size,
                    }));
                }
                Err(PcapError::IncompleteBuffer) => {
                    if window.len() >= 16 {
                        let field: [u8; 4] = window[8..12].try_into().unwrap_or_default();
                        let incl = match self.parser.header().endianness {
                            Endianness::Big => u32::from_be_bytes(field),
                            Endianness::Little => u32::from_le_bytes(field),
                        };
                        if incl as usize > MAX_RECORD {
                            return Err(format!(
                                "corrupt record at byte {} ({incl} bytes long)",
                                self.pos
                            ));
                        }
                    }
                    match self.fill() {
                        Ok(true) => {}
                        Ok(false) if self.start == self.end => return Ok(None),
                        Ok(false) => {
                            return Err(format!("file ends inside a record at byte {}", self.pos))
                        }
                        Err(e) => return Err(e.to_string()),
                    }
                }
                Err(e) => return Err(format!("bad record at byte {}: {e}", self.pos)),
            }
        }
    }

    /// Moves past `record`.
    fn advance(&mut self, record: &Record) {
        self.start += record.size;
        self.pos += record.size as u64;
    }
}

/// What reading the next packet gave.
enum Next {
    Packet(Packet),
    /// The end: of the file, or of the END window.
    End,
    /// No buffer is free now; try again later.
    Wait,
}

/// A xorshift64* generator for SAMPLE, seeded from the OS.
#[derive(Debug)]
struct Rng(u64);

impl Rng {
    fn new() -> Rng {
        Rng(RandomState::new().hash_one(0x006e_6663_u64) | 1)
    }

    /// A uniform number in [0, 1).
    fn next_f64(&mut self) -> f64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        let x = self.0.wrapping_mul(0x2545_f491_4f6c_dd1d);
        (x >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// FromDump on linux: emits a pcap file's packets.
///
/// When output 0 is pushed, its task emits up to BURST packets per run;
/// when it is pulled, `pull` hands them out and the poll loop does not run
/// the task (a source whose output is pulled has none). Non-IP packets of
/// FORCE_IP are then dropped: output 1 cannot be pushed from a pull.
pub struct FromDump {
    config: from_dump::FromDump,
    reader: Option<Reader>,
    encap: Encap,
    filesize: u64,
    active: bool,
    count: u64,
    /// Timestamp of the file's first packet.
    first_ts: Option<u64>,
    /// Timestamp of the first packet emitted (INTERVAL).
    first_emitted: Option<u64>,
    /// TIMING: (monotonic time, file time) of the first packet emitted.
    clock: Option<(u64, u64)>,
    /// A packet read whose time has not come (TIMING).
    held: Option<Packet>,
    rng: Rng,
    /// The end was reached.
    ended: bool,
    /// Handler calls waiting for the runtime (END_CALL, a pulled STOP).
    calls: Vec<(String, String)>,
    /// A record longer than a buffer was cut (warned once).
    warned_long: bool,
}

impl std::fmt::Debug for FromDump {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FromDump")
            .field("filename", &self.config.filename)
            .field("count", &self.count)
            .field("ended", &self.ended)
            .finish_non_exhaustive()
    }
}

impl FromDump {
    /// Parses `config` (FromDump's syntax) and opens the file.
    pub fn new(plat: &mut Linux, config: &str) -> Result<Self, String> {
        let _ = plat;
        let config =
            from_dump::FromDump::configure(config).map_err(|e| format!("FromDump: {e}"))?;
        let name = config.filename.clone();
        let (mut reader, filesize) = Reader::open(&name).map_err(|e| format!("FromDump: {e}"))?;
        let link = reader.parser.header().datalink;
        let encap = link_encap(link).ok_or_else(|| {
            format!(
                "FromDump: {name}: link type {} is not supported (nfc reads Ethernet and raw IP)",
                u32::from(link)
            )
        })?;
        if let Some(pos) = config.filepos {
            if pos < 24 {
                return Err(format!("FromDump: FILEPOS {pos} is inside the file header"));
            }
            reader
                .seek(pos)
                .map_err(|e| format!("FromDump: {name}: FILEPOS {pos}: {e}"))?;
        }
        Ok(FromDump {
            active: config.active,
            config,
            reader: Some(reader),
            encap,
            filesize,
            count: 0,
            first_ts: None,
            first_emitted: None,
            clock: None,
            held: None,
            rng: Rng::new(),
            ended: false,
            calls: Vec::new(),
            warned_long: false,
        })
    }

    /// The file's link type.
    pub fn encap(&self) -> Encap {
        self.encap
    }

    /// Packets emitted since the last reset.
    pub fn count(&self) -> u64 {
        self.count
    }

    /// The next packet to emit, read from the file (START and END applied).
    fn read_next(&mut self, cx: &Context) -> Next {
        if let Some(p) = self.held.take() {
            return Next::Packet(p);
        }
        loop {
            let Some(reader) = self.reader.as_mut() else {
                return Next::End;
            };
            let record = match reader.peek() {
                Ok(Some(r)) => r,
                Ok(None) => return Next::End,
                Err(e) => {
                    cx.console
                        .line(&format!("FromDump({}): {e}", self.config.filename));
                    return Next::End;
                }
            };
            let first = *self.first_ts.get_or_insert(record.ts);
            let before_start = match self.config.start {
                Some(Start::At(t)) => record.ts < t.as_nanos() as u64,
                Some(Start::After(d)) => record.ts < first + d.as_nanos() as u64,
                None => false,
            };
            if before_start {
                reader.advance(&record);
                continue;
            }
            let past_end = match self.config.end {
                Some(End::At(t)) => record.ts >= t.as_nanos() as u64,
                Some(End::After(d)) => record.ts >= first + d.as_nanos() as u64,
                Some(End::Interval(d)) => self
                    .first_emitted
                    .is_some_and(|f| record.ts >= f + d.as_nanos() as u64),
                None => false,
            };
            if past_end {
                return Next::End;
            }
            let data = &reader.buf[record.data.clone()];
            let long = data.len() > MAX_DATA;
            let kept = data.len().min(MAX_DATA);
            let Some(mut p) = cx.pool.alloc_with(&data[..kept]) else {
                return Next::Wait;
            };
            // Bytes the capture (or the buffer size) cut off.
            set_extra_length(&mut p, record.orig_len.saturating_sub(kept as u32));
            reader.advance(&record);
            if long && !self.warned_long {
                self.warned_long = true;
                cx.console.line(&format!(
                    "FromDump({}): records longer than {MAX_DATA} bytes are cut",
                    self.config.filename
                ));
            }
            p.set_timestamp(record.ts);
            if self.encap == Encap::Ip {
                match p.data().first().map(|b| b >> 4) {
                    Some(4) => {
                        let len = ipv4_header(p.data(), Encap::Ip).map_or(20, |(_, l)| l);
                        p.set_network_header(0, len);
                    }
                    Some(6) => p.set_network_header(0, 40),
                    _ => {}
                }
            }
            return Next::Packet(p);
        }
    }

    /// Marks the end: closes the file, queues END_CALL, and says whether
    /// the configuration should stop (STOP).
    fn finish(&mut self) -> bool {
        if !self.ended {
            self.ended = true;
            self.reader = None;
            if let Some(call) = &self.config.end_call {
                let call = call.trim();
                let (h, v) = call
                    .split_once(char::is_whitespace)
                    .map_or((call, ""), |(h, v)| (h, v.trim()));
                self.calls.push((h.into(), v.into()));
            }
        }
        self.config.stop
    }

    /// Emits up to `max` packets: `(port, packet)` to `emit`. Returns
    /// whether any left, and whether the end asks to stop.
    fn emit(
        &mut self,
        cx: &Context,
        max: usize,
        mut emit: impl FnMut(usize, Packet),
    ) -> (bool, bool) {
        let mut any = false;
        let mut n = 0;
        while n < max && self.active && !self.ended {
            let mut p = match self.read_next(cx) {
                Next::Packet(p) => p,
                Next::Wait => break,
                Next::End => return (any, self.finish()),
            };
            let ts = p.timestamp();
            if self.config.timing {
                let (t0, f0) = *self.clock.get_or_insert((cx.now, ts));
                if cx.now < t0 + ts.saturating_sub(f0) {
                    self.held = Some(p);
                    break;
                }
            }
            n += 1;
            if self.config.sample < 1.0 && self.rng.next_f64() >= self.config.sample {
                continue;
            }
            self.first_emitted.get_or_insert(ts);
            self.count += 1;
            any = true;
            let port = if !self.config.force_ip {
                OUT_PACKETS
            } else if let Some((off, len)) = ipv4_header(p.data(), self.encap) {
                p.set_network_header(off, len);
                OUT_PACKETS
            } else {
                OUT_NON_IP
            };
            emit(port, p);
        }
        (any, self.ended && self.config.stop)
    }
}

impl Element for FromDump {
    fn has_task(&self) -> bool {
        true
    }

    fn run_task(&mut self, cx: &Context, out: &mut Batch, others: &mut [Batch]) -> TaskResult {
        let mut outs = Outputs::new(out, others);
        // At most BURST packets per run: no output overflows.
        let (any, stop) = self.emit(cx, BURST, |port, p| outs.push(port, p));
        if stop {
            TaskResult::Stop
        } else if any {
            TaskResult::Busy
        } else {
            TaskResult::Idle
        }
    }

    fn pull(&mut self, cx: &Context, output: usize, max: usize, batch: &mut Batch) {
        if output != OUT_PACKETS {
            return;
        }
        let was_ended = self.ended;
        let (_, stop) = self.emit(cx, max.min(BURST - batch.len()), |port, p| {
            if port == OUT_PACKETS {
                let _ = batch.push(p);
            }
        });
        if stop && !was_ended {
            self.calls.push(("stop".into(), String::new()));
        }
    }

    fn take_call(&mut self) -> Option<(String, String)> {
        (!self.calls.is_empty()).then(|| self.calls.remove(0))
    }

    fn read_handler(&self, name: &str) -> Result<String, HandlerError> {
        Ok(match name {
            "count" => self.count.to_string(),
            "active" => self.active.to_string(),
            "encap" => encap_name(self.encap).into(),
            "filesize" => self.filesize.to_string(),
            "filepos" => self
                .reader
                .as_ref()
                .map_or(self.filesize, |r| r.pos)
                .to_string(),
            "sampling_prob" => self.config.sample.to_string(),
            _ => return Err(HandlerError::NoSuchHandler),
        })
    }

    fn write_handler(&mut self, name: &str, value: &str) -> Result<(), HandlerError> {
        match name {
            "reset" => self.count = 0,
            "active" => {
                self.active = parse::boolean(value.trim())
                    .map_err(|e| HandlerError::Invalid(e.to_string()))?;
            }
            "stop" => {
                self.held = None;
                if self.finish() {
                    self.calls.push(("stop".into(), String::new()));
                }
            }
            _ => return Err(HandlerError::NoSuchHandler),
        }
        Ok(())
    }
}

/// Where ToDump writes: a buffered file (or stdout) that both the pcap
/// writer and ToDump hold, so that ToDump can flush it.
#[derive(Clone)]
struct Sink(Rc<RefCell<BufWriter<Box<dyn Write>>>>);

impl Write for Sink {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.borrow_mut().write(buf)
    }

    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        self.0.borrow_mut().write_all(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.0.borrow_mut().flush()
    }
}

/// ToDump's file, before and after its header is written.
enum Output {
    /// Waiting for USE_ENCAP_FROM to be resolved ([`Linux::start`]).
    Pending(Rc<Cell<Option<Encap>>>),
    Ready(PcapWriter<Sink>),
    /// Writing failed; packets are no longer written.
    Failed,
}

/// ToDump on linux: writes every packet it sees to a pcap file.
///
/// Pushed packets are written, then go on out of output 0 when it exists.
/// A ToDump with no output whose input is pulled pulls packets with its
/// task; with an output, it only sees the packets pulled through it (the
/// task pulls nothing), so it learns its output count from `set_ports`.
pub struct ToDump {
    config: to_dump::ToDump,
    sink: Sink,
    output: Output,
    /// Outputs the configuration gave it (`set_ports`).
    noutputs: usize,
    count: u64,
}

impl std::fmt::Debug for ToDump {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ToDump")
            .field("filename", &self.config.filename)
            .field("count", &self.count)
            .finish_non_exhaustive()
    }
}

impl ToDump {
    /// Parses `config` (ToDump's syntax) and creates the file (`-`:
    /// standard output).
    pub fn new(plat: &mut Linux, config: &str) -> Result<Self, String> {
        let config = to_dump::ToDump::configure(config).map_err(|e| format!("ToDump: {e}"))?;
        let target = create_output("ToDump", &config.filename)?;
        let sink = Sink(Rc::new(RefCell::new(BufWriter::with_capacity(
            WINDOW, target,
        ))));
        let output = match &config.encap {
            EncapSource::Fixed(e) => ToDump::header(&config, sink.clone(), *e)
                .map_err(|e| format!("ToDump: {}: {e}", config.filename))?,
            EncapSource::From(names) => Output::Pending(plat.encap_from(names.clone())),
        };
        Ok(ToDump {
            config,
            sink,
            output,
            noutputs: 0,
            count: 0,
        })
    }

    /// Packets written since the last reset.
    pub fn count(&self) -> u64 {
        self.count
    }

    /// Writes the file header.
    fn header(config: &to_dump::ToDump, sink: Sink, encap: Encap) -> Result<Output, PcapError> {
        let header = PcapHeader {
            version_major: 2,
            version_minor: 4,
            ts_correction: 0,
            ts_accuracy: 0,
            snaplen: if config.snaplen == 0 {
                65535
            } else {
                config.snaplen
            },
            datalink: encap_link(encap),
            ts_resolution: if config.nano {
                TsResolution::NanoSecond
            } else {
                TsResolution::MicroSecond
            },
            endianness: Endianness::Little,
        };
        PcapWriter::with_header(sink, header).map(Output::Ready)
    }

    /// The writer, its header written first if it was waiting (an
    /// unresolved USE_ENCAP_FROM writes Ethernet).
    fn writer(&mut self) -> Option<&mut PcapWriter<Sink>> {
        if let Output::Pending(cell) = &self.output {
            let encap = cell.get().unwrap_or_default();
            self.output =
                ToDump::header(&self.config, self.sink.clone(), encap).unwrap_or(Output::Failed);
        }
        match &mut self.output {
            Output::Ready(w) => Some(w),
            _ => None,
        }
    }

    /// Writes the packets of `batch`.
    fn write(&mut self, cx: &Context, batch: &Batch) {
        if batch.is_empty() {
            return;
        }
        let snaplen = self.config.snaplen as usize;
        let with_extra = self.config.extra_length;
        let mut error = None;
        let mut written = 0;
        if let Some(w) = self.writer() {
            for p in batch.iter() {
                let data = p.data();
                let kept = if snaplen == 0 {
                    data.len()
                } else {
                    data.len().min(snaplen)
                };
                let ts = match p.timestamp() {
                    0 => cx.wall,
                    ts => ts,
                };
                let extra = if with_extra { extra_length(p) } else { 0 };
                let record = PcapPacket {
                    timestamp: Duration::from_nanos(ts),
                    orig_len: (data.len() as u32).saturating_add(extra),
                    data: Cow::Borrowed(&data[..kept]),
                };
                match w.write_packet(&record) {
                    Ok(_) => written += 1,
                    Err(e) => {
                        error = Some(e.to_string());
                        break;
                    }
                }
            }
        }
        if error.is_none() && self.config.unbuffered {
            if let Err(e) = self.sink.flush() {
                error = Some(e.to_string());
            }
        }
        self.count += written;
        if let Some(e) = error {
            cx.console.line(&format!(
                "ToDump({}): {e}; no longer writing",
                self.config.filename
            ));
            self.output = Output::Failed;
        }
    }
}

impl Element for ToDump {
    fn push(&mut self, cx: &Context, _input: usize, batch: &mut Batch, _others: &mut [Batch]) {
        // The batch goes on as it is (output 0, when ToDump has it).
        self.write(cx, batch);
    }

    fn has_task(&self) -> bool {
        true
    }

    fn set_ports(&mut self, _ninputs: usize, noutputs: usize) {
        self.noutputs = noutputs;
    }

    /// A full batch when ToDump ends a pull path; nothing when it has an
    /// output (packets are pulled through it) or its input is pushed (then
    /// there is nothing to pull from).
    fn task_wants(&self) -> usize {
        if self.noutputs == 0 {
            BURST
        } else {
            0
        }
    }

    fn run_task(&mut self, cx: &Context, pulled: &mut Batch, _others: &mut [Batch]) -> TaskResult {
        if pulled.is_empty() {
            return TaskResult::Idle;
        }
        self.write(cx, pulled);
        pulled.clear();
        TaskResult::Busy
    }

    fn read_handler(&self, name: &str) -> Result<String, HandlerError> {
        Ok(match name {
            "count" => self.count.to_string(),
            "filename" => self.config.filename.clone(),
            _ => return Err(HandlerError::NoSuchHandler),
        })
    }

    fn write_handler(&mut self, name: &str, _value: &str) -> Result<(), HandlerError> {
        match name {
            "reset_counts" => self.count = 0,
            _ => return Err(HandlerError::NoSuchHandler),
        }
        Ok(())
    }
}

impl Drop for ToDump {
    /// Writes the header if no packet came, and flushes.
    fn drop(&mut self) {
        let _ = self.writer();
        let _ = self.sink.flush();
    }
}
