//! # FromDump — reads packets from a pcap file
//!
//! ```click
//! FromDump(FILENAME [, TIMING, KEYWORDS])
//! ```
//!
//! Ports: no inputs, 1 or 2 outputs (`0/1-2`). Processing: agnostic output
//! 0, push output 1 (`a/ah`).
//!
//! Reads the packets of a pcap file (written by `tcpdump -w`, ToDump or
//! Wireshark; micro- or nanosecond timestamps, either byte order) and emits
//! them in order, up to 32 each time its task runs, with their timestamp
//! annotations set and any bytes the capture cut off recorded as extra
//! length; raw IP packets also get their network header annotation. With TIMING it keeps the file's pacing; with STOP it asks
//! the router to stop at the end of the file, after calling END_CALL. With
//! FORCE_IP only IP packets leave output 0 and the others go out output 1
//! (or are dropped). When output 0 is pulled, each pull reads packets from
//! the file and there is no task.
//!
//! ## Keywords
//! - `FILENAME` *string* — the pcap file; mandatory.
//! - `TIMING` *boolean* — replay with the file's timing; default false.
//! - `STOP` *boolean* — stop the router at the end of the file; default false.
//! - `ACTIVE` *boolean* — emit packets; default true.
//! - `SAMPLE` *0–1* — emit each packet with this probability; default 1.
//! - `FORCE_IP` *boolean* — emit only IP packets on output 0; default false.
//! - `START` *time* — skip packets before this absolute time.
//! - `START_AFTER` *duration* — skip the file's first *duration*.
//! - `END` *time* — stop at the first packet at or after this absolute time.
//! - `END_AFTER` *duration* — stop *duration* after the file's first packet.
//! - `INTERVAL` *duration* — stop *duration* after the first packet emitted.
//! - `END_CALL` *handler [value]* — write handler called at the end.
//! - `FILEPOS` *unsigned* — start reading at this byte offset.
//! - `MMAP` *boolean* — map the file into memory; accepted and ignored.
//!
//! At most one of START and START_AFTER, and at most one of END, END_AFTER
//! and INTERVAL, may be given.
//!
//! ## Handlers
//! - `count` (read) — packets emitted.
//! - `reset` (write) — zero `count`.
//! - `active` (read/write) — the ACTIVE setting.
//! - `encap` (read) — the file's link type.
//! - `filesize` (read), `filepos` (read) — file length and read position.
//! - `sampling_prob` (read) — the sampling probability in effect.
//! - `stop` (write) — stop emitting, as at the end of the file.
//!
//! ## Examples
//! ```click
//! FromDump(in.pcap, STOP true) -> Counter -> ToDump(out.pcap);
//! ```
//!
//! ## Differences from Click
//! - linux platform only; compressed (gzip, bzip2) and pcapng files are
//!   not read; link types are Ethernet and raw IP only.
//! - a record longer than a packet buffer (1920 bytes) is cut, with a
//!   warning; the bytes cut count as extra length.
//! - `MMAP` is checked and ignored: the file is read through a window.

use alloc::string::String;
use core::time::Duration;
use nfc_dataplane::args::{Args, ConfigError, ConfigErrors};
use nfc_dataplane::parse::{self, ParseError};

use crate::{ElementSpec, Ports};

/// Where FromDump starts emitting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Start {
    /// At an absolute time (since the epoch).
    At(Duration),
    /// This long after the file's first packet.
    After(Duration),
}

/// Where FromDump stops emitting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum End {
    /// At an absolute time (since the epoch).
    At(Duration),
    /// This long after the file's first packet.
    After(Duration),
    /// This long after the first packet emitted.
    Interval(Duration),
}

/// FromDump's configuration.
#[derive(Debug, Clone, PartialEq)]
pub struct FromDump {
    /// The pcap file.
    pub filename: String,
    /// Replay with the file's timing.
    pub timing: bool,
    /// Stop the router at the end of the file.
    pub stop: bool,
    /// Emit packets.
    pub active: bool,
    /// Probability of emitting each packet (0–1).
    pub sample: f64,
    /// Emit only IP packets on output 0.
    pub force_ip: bool,
    /// Where emission starts, if limited.
    pub start: Option<Start>,
    /// Where emission ends, if limited.
    pub end: Option<End>,
    /// Write handler called at the end.
    pub end_call: Option<String>,
    /// Byte offset to start reading at.
    pub filepos: Option<u64>,
}

/// Parses a probability: a decimal number from 0 to 1.
pub fn probability(text: &str) -> Result<f64, ParseError> {
    let hint = "a probability is a number from 0 to 1, like 0.25";
    let valid = !text.is_empty()
        && text.bytes().all(|c| c.is_ascii_digit() || c == b'.')
        && text.bytes().filter(|&c| c == b'.').count() <= 1
        && text.bytes().any(|c| c.is_ascii_digit());
    match text.parse::<f64>() {
        Ok(p) if valid && (0.0..=1.0).contains(&p) => Ok(p),
        Ok(_) if valid => {
            Err(ParseError::new(alloc::format!("{text} is not between 0 and 1")).with_hint(hint))
        }
        _ => Err(ParseError::expected("probability", text).with_hint(hint)),
    }
}

impl FromDump {
    /// Parses FromDump's configuration string.
    pub fn configure(config: &str) -> Result<Self, ConfigErrors> {
        let mut args = Args::new(config);
        let filename = args.read_mp("FILENAME", parse::string);
        let timing = args.read_p("TIMING", parse::boolean).unwrap_or(false);
        let stop = args.read("STOP", parse::boolean).unwrap_or(false);
        let active = args.read("ACTIVE", parse::boolean).unwrap_or(true);
        let sample = args.read("SAMPLE", probability).unwrap_or(1.0);
        let force_ip = args.read("FORCE_IP", parse::boolean).unwrap_or(false);
        let start_at = args.read("START", parse::duration);
        let start_after = args.read("START_AFTER", parse::duration);
        let end_at = args.read("END", parse::duration);
        let end_after = args.read("END_AFTER", parse::duration);
        let interval = args.read("INTERVAL", parse::duration);
        let end_call = args.read("END_CALL", parse::any);
        let filepos = args.read("FILEPOS", parse::unsigned::<u64>);
        let _mmap = args.read("MMAP", parse::boolean);
        if filename.as_deref() == Some("") {
            let span = args.span_of("FILENAME");
            args.error(ConfigError::new(span, "FILENAME is empty"));
        }
        let start = match (start_at, start_after) {
            (Some(_), Some(_)) => {
                let span = args.span_of("START_AFTER");
                args.error(ConfigError::new(
                    span,
                    "give START or START_AFTER, not both",
                ));
                None
            }
            (Some(t), None) => Some(Start::At(t)),
            (None, Some(t)) => Some(Start::After(t)),
            (None, None) => None,
        };
        let ends = [
            end_at.map(End::At),
            end_after.map(End::After),
            interval.map(End::Interval),
        ];
        let mut end = None;
        for (e, name) in ends.into_iter().zip(["END", "END_AFTER", "INTERVAL"]) {
            if let Some(e) = e {
                if end.is_some() {
                    let span = args.span_of(name);
                    args.error(ConfigError::new(
                        span,
                        "give at most one of END, END_AFTER and INTERVAL",
                    ));
                }
                end = Some(e);
            }
        }
        args.complete()?;
        Ok(FromDump {
            filename: filename.unwrap_or_default(),
            timing,
            stop,
            active,
            sample,
            force_ip,
            start,
            end,
            end_call,
            filepos,
        })
    }
}

/// FromDump's spec.
pub const SPEC: ElementSpec = ElementSpec {
    class: "FromDump",
    port_count: "0/1-2",
    processing: "a/ah",
    flow_code: "x/x",
    keywords: &[
        "FILENAME",
        "TIMING",
        "STOP",
        "ACTIVE",
        "SAMPLE",
        "FORCE_IP",
        "START",
        "START_AFTER",
        "END",
        "END_AFTER",
        "INTERVAL",
        "END_CALL",
        "FILEPOS",
        "MMAP",
    ],
    handlers: &[
        "count (read)",
        "reset (write)",
        "active (read/write)",
        "encap (read)",
        "filesize (read)",
        "filepos (read)",
        "sampling_prob (read)",
        "stop (write)",
    ],
    summary: "reads packets from a pcap file",
    source: include_str!("from_dump.rs"),
    check: |c| FromDump::configure(c).map(|_| Ports::DECLARED),
};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::standard::testing::{errors, has};

    #[test]
    fn values() {
        let d = FromDump::configure("in.pcap").unwrap();
        assert_eq!(d.filename, "in.pcap");
        assert!(!d.timing && !d.stop && d.active);
        assert_eq!(d.sample, 1.0);
        let d = FromDump::configure(
            "\"my trace.pcap\", true, STOP true, SAMPLE 0.5, START_AFTER 2s, INTERVAL 1min",
        )
        .unwrap();
        assert_eq!(d.filename, "my trace.pcap");
        assert!(d.timing && d.stop);
        assert_eq!(d.sample, 0.5);
        assert_eq!(d.start, Some(Start::After(Duration::from_secs(2))));
        assert_eq!(d.end, Some(End::Interval(Duration::from_secs(60))));
    }

    #[test]
    fn bad_values() {
        let cfg = "in.pcap, STOP maybe, SAMPLE 1.5, START 1, START_AFTER 2, END 5, END_AFTER 3";
        let errs = errors(cfg, FromDump::configure(cfg));
        assert_eq!(errs.len(), 4, "{errs:?}");
        assert!(has(&errs, "", "maybe"), "{errs:?}");
        assert!(has(&errs, "not between 0 and 1", "1.5"), "{errs:?}");
        assert!(has(&errs, "not both", "2"), "{errs:?}");
        assert!(has(&errs, "at most one", "3"), "{errs:?}");
        let errs = errors("STOP true", FromDump::configure("STOP true"));
        // A mandatory positional takes the first argument, as in Click.
        assert!(has(&errs, "FILENAME", "STOP true"), "{errs:?}");
        assert!(probability("-0.1").is_err() && probability(".").is_err());
    }
}
