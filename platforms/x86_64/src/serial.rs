//! The console: the 16550 UART at COM1 (I/O port 0x3F8), 115200 8N1,
//! polled.

use crate::cpu::{inb, outb};

const COM1: u16 = 0x3F8;
/// Line status: a byte arrived.
const DATA_READY: u8 = 0x01;
/// Line status: the transmitter can take a byte.
const THR_EMPTY: u8 = 0x20;

/// Programs the UART: no interrupts, 115200 baud, 8N1, FIFOs on.
pub fn init() {
    outb(COM1 + 1, 0x00);
    outb(COM1 + 3, 0x80);
    outb(COM1, 0x01);
    outb(COM1 + 1, 0x00);
    outb(COM1 + 3, 0x03);
    outb(COM1 + 2, 0xC7);
    outb(COM1 + 4, 0x03);
}

/// Sends one byte, waiting (boundedly) for room.
pub fn write_byte(b: u8) {
    let mut spins = 0u32;
    while inb(COM1 + 5) & THR_EMPTY == 0 && spins < 1_000_000 {
        spins += 1;
    }
    outb(COM1, b);
}

/// A byte that arrived, if any (never waits).
pub fn read_byte() -> Option<u8> {
    (inb(COM1 + 5) & DATA_READY != 0).then(|| inb(COM1))
}
