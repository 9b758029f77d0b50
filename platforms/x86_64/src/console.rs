//! The machine layer's own console: where boot errors, fault reports and
//! panics go, and how a fatal stop ends.
//!
//! At boot [`init`] picks the port: the 16550 at COM1 ([`serial`]), or,
//! under Xen, port 0xE9 — a PVH domain has no UART, and Xen prints what a
//! guest writes to 0xE9 on its own console as `(dN) …`. A platform may add
//! a sink of its own ([`add_sink`]: xen's PV console ring) and replace the
//! fatal stop ([`set_fatal_stop`]: xen asks Xen to shut the domain down as
//! crashed, where a halted CPU would look like a poweroff).

use core::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use crate::{cpu, serial};

/// Xen's debug port: a byte written to it appears on Xen's console.
const XEN_DEBUG_PORT: u16 = 0xE9;

/// Whether the console is Xen's debug port (else the serial port).
static DEBUG_PORT: AtomicBool = AtomicBool::new(false);
/// The platform's extra sink, a `fn(&[u8])`, or 0.
static SINK: AtomicUsize = AtomicUsize::new(0);
/// The platform's fatal stop, a `fn() -> !`, or 0.
static FATAL: AtomicUsize = AtomicUsize::new(0);

/// Picks the console: port 0xE9 under Xen, else COM1 (programmed).
pub fn init() {
    if cpu::xen_leaves().is_some() {
        DEBUG_PORT.store(true, Ordering::Relaxed);
    } else {
        serial::init();
    }
}

/// Whether the console is Xen's debug port.
pub fn is_xen_debug_port() -> bool {
    DEBUG_PORT.load(Ordering::Relaxed)
}

/// Adds `sink`: every console write goes to it too.
pub fn add_sink(sink: fn(&[u8])) {
    SINK.store(sink as usize, Ordering::Release);
}

/// Makes `stop` what ends the machine after a fault or a panic.
pub fn set_fatal_stop(stop: fn() -> !) {
    FATAL.store(stop as usize, Ordering::Release);
}

/// Writes `bytes` to the port only (line ends as they are).
pub fn write_port(bytes: &[u8]) {
    if is_xen_debug_port() {
        for &b in bytes {
            cpu::outb(XEN_DEBUG_PORT, b);
        }
    } else {
        for &b in bytes {
            serial::write_byte(b);
        }
    }
}

/// Writes `bytes` to the port and the platform's sink.
pub fn write(bytes: &[u8]) {
    write_port(bytes);
    let sink = SINK.load(Ordering::Acquire);
    if sink != 0 {
        // SAFETY: only `add_sink` stores a non-zero value, and it stores a
        // `fn(&[u8])`; function pointers and usize have the same size.
        let sink: fn(&[u8]) = unsafe { core::mem::transmute::<usize, fn(&[u8])>(sink) };
        sink(bytes);
    }
}

/// Stops the machine after a fault or panic: the platform's fatal stop,
/// else the CPU halted for good.
pub fn fatal_stop() -> ! {
    let stop = FATAL.load(Ordering::Acquire);
    if stop != 0 {
        // SAFETY: only `set_fatal_stop` stores a non-zero value, a
        // `fn() -> !`.
        let stop: fn() -> ! = unsafe { core::mem::transmute::<usize, fn() -> !>(stop) };
        stop()
    }
    cpu::halt_forever()
}

/// `core::fmt` onto the console, `\n` sent as `\r\n` on the serial port.
pub struct Writer;

impl core::fmt::Write for Writer {
    fn write_str(&mut self, s: &str) -> core::fmt::Result {
        for line in s.split_inclusive('\n') {
            match line.strip_suffix('\n') {
                Some(text) if !is_xen_debug_port() => {
                    write(text.as_bytes());
                    write(b"\r\n");
                }
                _ => write(line.as_bytes()),
            }
        }
        Ok(())
    }
}
