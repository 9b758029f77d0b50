//! Control of a running image: Click's ControlSocket protocol over the
//! serial console, and the ACPI power button.
//!
//! The serial console carries one ControlSocket [`Session`]: what is
//! typed into COM1 feeds it, its replies go out on COM1, nothing is
//! echoed. The session is read-write (the console is the operator's) and
//! greets with its banner at the first poll, so after the ready line. The
//! console also carries the boot lines, element output (Print) and the
//! stop report; these interleave with the replies line by line: a reply
//! whose data does not end in a line end gets a CRLF after it, so that
//! the next console line starts on a line of its own. After `QUIT` a new
//! session starts and greets again. A CR typed alone (a terminal's Enter)
//! ends a command once no byte has followed it for a poll period
//! ([`Session::pause`]). `WRITE stop` stops the configuration (`nfc:
//! stopped control`).
//!
//! The power button is ACPI's fixed feature
//! ([`nfc_arch_x86_64::acpi::PowerButton`]); a press (QEMU's
//! `system_powerdown`) stops the configuration with reason `power
//! button`. Machines without ACPI (microvm with `acpi=off`) have none:
//! there, `WRITE stop` on the console is the orderly way to stop.
//!
//! Every port read is a VM exit, which costs milliseconds under this
//! machine's KVM, so the port and the button are read at most once per
//! [`PERIOD_NS`] of TSC time, not every round of the poll loop.

#![cfg(all(target_arch = "x86_64", target_os = "none"))]

use alloc::format;
use alloc::string::String;

use nfc_arch_x86_64::acpi::{AcpiError, PowerButton};
use nfc_arch_x86_64::{cpu, serial, BootInfo};
use nfc_dataplane::element::Console;
use nfc_dataplane::pipeline::Pipeline;
use nfc_elements::standard::control_protocol::Session;

/// How often the serial port and the power button are read, in ns.
pub const PERIOD_NS: u64 = 1_000_000;

/// Most bytes taken from the serial port per poll: a client that types
/// endlessly cannot hold the poll loop.
const READ_PER_POLL: usize = 256;

/// The serial console's session and the power button.
pub struct Control {
    session: Session,
    button: Option<PowerButton>,
    /// TSC ticks between polls.
    period: u64,
    /// The TSC at which the next poll reads the ports.
    next: u64,
}

impl Control {
    /// Starts the console's session and enables the power button of the
    /// machine's ACPI (from `boot.rsdp`, else searched for). A machine
    /// with ACPI tables whose button cannot be used says why on
    /// `console`; a machine without ACPI has no button and says nothing.
    pub fn new(boot: &BootInfo, console: &dyn Console) -> Control {
        let button = match PowerButton::enable(boot.rsdp, boot.tsc_hz) {
            Ok(button) => Some(button),
            Err(AcpiError::NoRsdp) => None,
            Err(e) => {
                console.line(&format!("nfc: no ACPI power button: {e}"));
                None
            }
        };
        Control {
            session: Session::new(false),
            button,
            period: (u128::from(boot.tsc_hz) * u128::from(PERIOD_NS) / 1_000_000_000) as u64,
            next: 0,
        }
    }

    /// Reads the power button and the serial port if a period has passed
    /// since the last time, answers what was typed and sends the replies;
    /// `Some(reason)` to stop (`power button`, or `control` for a `WRITE
    /// stop`).
    pub fn poll(&mut self, pipeline: &mut dyn Pipeline) -> Option<String> {
        let now = cpu::rdtsc();
        if now < self.next {
            return None;
        }
        self.next = now.saturating_add(self.period);
        if self.button.as_ref().is_some_and(PowerButton::pressed) {
            return Some("power button".into());
        }
        let mut typed = [0u8; READ_PER_POLL];
        let mut n = 0;
        while n < typed.len() {
            match serial::read_byte() {
                Some(b) => {
                    typed[n] = b;
                    n += 1;
                }
                None => break,
            }
        }
        let stop = if n > 0 {
            self.session.feed(&typed[..n], false, pipeline)
        } else {
            self.session.pause(pipeline)
        };
        self.send();
        if self.session.is_done() {
            self.session = Session::new(false);
            self.send();
        }
        stop
    }

    /// Writes the session's output to the console, ending it with a line
    /// end if it has none.
    fn send(&mut self) {
        let out = self.session.output();
        let Some(&last) = out.last() else {
            return;
        };
        for &b in out {
            serial::write_byte(b);
        }
        if last != b'\n' {
            serial::write_str("\n");
        }
        self.session.consume_output(usize::MAX);
    }
}
