//! The console: an ARM PL011 UART, found in the device tree, polled.
//!
//! Until [`init`] knows where the UART is, what is written is dropped
//! (nothing can be printed before the device tree is read).

use core::sync::atomic::{AtomicUsize, Ordering};

/// The UART's register base, 0 until [`init`].
static BASE: AtomicUsize = AtomicUsize::new(0);

/// Data register.
const DR: usize = 0x00;
/// Flag register.
const FR: usize = 0x18;
/// Line control register.
const LCR_H: usize = 0x2c;
/// Control register.
const CR: usize = 0x30;
/// Interrupt mask register.
const IMSC: usize = 0x38;
/// FR: the receive FIFO is empty.
const RXFE: u32 = 1 << 4;
/// FR: the transmit FIFO is full.
const TXFF: u32 = 1 << 5;

fn read(base: usize, reg: usize) -> u32 {
    // SAFETY: `base` is the UART's register block (from the device tree),
    // mapped as device memory; reading FR or DR has no effect but taking
    // a received byte.
    unsafe { core::ptr::read_volatile((base + reg) as *const u32) }
}

fn write(base: usize, reg: usize, v: u32) {
    // SAFETY: as in `read`; the image is the UART's only user.
    unsafe { core::ptr::write_volatile((base + reg) as *mut u32, v) }
}

/// Takes the UART at `base`: interrupts masked, FIFOs on, 8 bits, UART,
/// transmitter and receiver enabled. The baud rate is left as the
/// firmware set it (QEMU's ignores it).
pub fn init(base: u64) {
    let base = base as usize;
    write(base, IMSC, 0);
    write(base, LCR_H, 0x70);
    write(base, CR, 0x301);
    BASE.store(base, Ordering::Relaxed);
}

/// Sends one byte, waiting (boundedly) for room.
pub fn write_byte(b: u8) {
    let base = BASE.load(Ordering::Relaxed);
    if base == 0 {
        return;
    }
    let mut spins = 0u32;
    while read(base, FR) & TXFF != 0 && spins < 1_000_000 {
        spins += 1;
    }
    write(base, DR, u32::from(b));
}

/// Sends `bytes` as they are.
pub fn write_bytes(bytes: &[u8]) {
    for &b in bytes {
        write_byte(b);
    }
}

/// A byte that arrived, if any (never waits).
pub fn read_byte() -> Option<u8> {
    let base = BASE.load(Ordering::Relaxed);
    (base != 0 && read(base, FR) & RXFE == 0).then(|| read(base, DR) as u8)
}

/// `core::fmt` onto the console.
pub struct Writer;

impl core::fmt::Write for Writer {
    fn write_str(&mut self, s: &str) -> core::fmt::Result {
        write_bytes(s.as_bytes());
        Ok(())
    }
}
