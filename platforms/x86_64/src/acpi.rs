//! ACPI, as much as an image needs: the tables, and the fixed-feature
//! power button that a hypervisor presses for an orderly shutdown (QEMU's
//! `system_powerdown`, libvirt's `shutdown --mode acpi`).
//!
//! The tables are found from the RSDP (the PVH start info gives its
//! address; else it is searched for, as the ACPI specification says, in
//! the first KiB of the EBDA and in 0xE0000–0xFFFFF), through the XSDT
//! (or the RSDT when there is no valid XSDT); every table is returned
//! only if its checksum is right. `table` hands out a whole table,
//! header included (MCFG gives q35's PCI ECAM base).
//!
//! The power button is the FADT's fixed feature: its status and enable
//! bits (`PWRBTN_STS`, `PWRBTN_EN`, bit 8) sit in the PM1a (and PM1b)
//! event blocks. `PowerButton::enable` puts the machine in ACPI mode if
//! the firmware left it in legacy mode (writes `ACPI_ENABLE` to `SMI_CMD`
//! and waits for `SCI_EN`), clears a stale press and sets `PWRBTN_EN`.
//! There is no interrupt handler: the platform polls
//! `PowerButton::pressed`, which clears the status bit it finds set.
//!
//! Machines without ACPI have no power button: QEMU's `microvm` with
//! `acpi=off` has no tables at all, and its `system_powerdown` then does
//! nothing (QEMU signals it only through microvm's ACPI Generic Event
//! Device, which exists only with ACPI on). Hardware-reduced ACPI
//! (microvm with ACPI on) has no fixed-feature button either: it signals
//! through the Generic Event Device, which `PowerButton::enable` does
//! not drive; it says so in its error.
//!
//! Parsing is plain code over a [`Memory`], tested on the host on byte
//! arrays; what touches the machine compiles only for `target_os =
//! "none"`.

use core::fmt;

/// The RSDP's signature.
const RSDP_SIGNATURE: &[u8; 8] = b"RSD PTR ";

/// The size of every table's header (`signature` to `creator revision`).
const HEADER: usize = 36;

/// Tables longer than this are taken for garbage.
const MAX_TABLE: u32 = 16 << 20;

/// The BIOS data area's word holding the EBDA's segment.
const EBDA_SEGMENT: u64 = 0x40E;

/// The BIOS area searched for the RSDP.
const BIOS_AREA: core::ops::Range<u64> = 0xE_0000..0x10_0000;

/// The address space of a Generic Address Structure: system I/O.
const SPACE_IO: u8 = 1;

/// FADT flags: the power button is a control-method device.
const FLAG_PWR_BUTTON: u32 = 1 << 4;

/// FADT flags: hardware-reduced ACPI (no fixed-feature hardware).
const FLAG_HW_REDUCED: u32 = 1 << 20;

/// Byte offsets in the FADT (ACPI 6.5, table 5.9).
mod fadt {
    pub const SMI_CMD: usize = 48;
    pub const ACPI_ENABLE: usize = 52;
    pub const PM1A_EVT_BLK: usize = 56;
    pub const PM1B_EVT_BLK: usize = 60;
    pub const PM1A_CNT_BLK: usize = 64;
    pub const PM1B_CNT_BLK: usize = 68;
    pub const PM1_EVT_LEN: usize = 88;
    pub const FLAGS: usize = 112;
    pub const X_PM1A_EVT_BLK: usize = 148;
    pub const X_PM1B_EVT_BLK: usize = 160;
    pub const X_PM1A_CNT_BLK: usize = 172;
    pub const X_PM1B_CNT_BLK: usize = 184;
    /// The end of FLAGS: the shortest FADT read (ACPI 1.0's is 116 bytes).
    pub const MIN_LEN: usize = 116;
}

/// Physical memory as the parser reads it.
pub trait Memory<'m> {
    /// The `len` bytes at physical address `addr`, or `None` where they
    /// cannot be read.
    fn read(&self, addr: u64, len: usize) -> Option<&'m [u8]>;
}

fn u16_at(b: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_le_bytes(b.get(at..at + 2)?.try_into().ok()?))
}

fn u32_at(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(b.get(at..at + 4)?.try_into().ok()?))
}

fn u64_at(b: &[u8], at: usize) -> Option<u64> {
    Some(u64::from_le_bytes(b.get(at..at + 8)?.try_into().ok()?))
}

/// True when `bytes` sum to 0 modulo 256, as every ACPI structure must.
fn checksum_ok(bytes: &[u8]) -> bool {
    bytes.iter().fold(0u8, |sum, b| sum.wrapping_add(*b)) == 0
}

/// Where an RSDP points: the RSDT, and the XSDT for revision 2 and later.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Roots {
    rsdt: u32,
    xsdt: Option<u64>,
}

/// The RSDP at `addr`, if its signature and checksums are right.
fn rsdp_at<'m>(mem: &impl Memory<'m>, addr: u64) -> Option<Roots> {
    let v1 = mem.read(addr, 20)?;
    if &v1[..8] != RSDP_SIGNATURE || !checksum_ok(v1) {
        return None;
    }
    let rsdt = u32_at(v1, 16)?;
    if v1[15] < 2 {
        return Some(Roots { rsdt, xsdt: None });
    }
    let v2 = mem.read(addr, 36)?;
    let len = u32_at(v2, 20)? as usize;
    if !(36..=4096).contains(&len) {
        return None;
    }
    let whole = mem.read(addr, len)?;
    if !checksum_ok(whole) {
        return None;
    }
    let xsdt = u64_at(v2, 24)?;
    Some(Roots {
        rsdt,
        xsdt: (xsdt != 0).then_some(xsdt),
    })
}

/// Looks for the RSDP where the specification puts it: on a 16-byte
/// boundary in the first KiB of the EBDA, then in 0xE0000–0xFFFFF.
pub fn find_rsdp<'m>(mem: &impl Memory<'m>) -> Option<u64> {
    let in_range =
        |range: core::ops::Range<u64>| range.step_by(16).find(|&addr| rsdp_at(mem, addr).is_some());
    let ebda = mem
        .read(EBDA_SEGMENT, 2)
        .and_then(|b| u16_at(b, 0))
        .map(|segment| u64::from(segment) << 4)
        .filter(|&ebda| ebda != 0);
    ebda.and_then(|ebda| in_range(ebda..ebda + 1024))
        .or_else(|| in_range(BIOS_AREA))
}

/// The table at `addr`, whole, if its length is sane and its checksum
/// right.
fn table_at<'m>(mem: &impl Memory<'m>, addr: u64) -> Option<&'m [u8]> {
    let header = mem.read(addr, HEADER)?;
    let len = u32_at(header, 4)?;
    if !(HEADER as u32..=MAX_TABLE).contains(&len) {
        return None;
    }
    let table = mem.read(addr, len as usize)?;
    checksum_ok(table).then_some(table)
}

/// The first table whose signature is `signature`, found from the RSDP at
/// `rsdp` through its XSDT (or its RSDT when the XSDT is absent or
/// broken); `None` when the RSDP, the root table or the table itself is
/// missing or fails its checksum.
pub fn find_table<'m>(mem: &impl Memory<'m>, rsdp: u64, signature: &[u8; 4]) -> Option<&'m [u8]> {
    let roots = rsdp_at(mem, rsdp)?;
    let xsdt = roots
        .xsdt
        .and_then(|addr| table_at(mem, addr))
        .filter(|t| &t[..4] == b"XSDT");
    let (root, width) = match xsdt {
        Some(xsdt) => (xsdt, 8),
        None => (
            table_at(mem, u64::from(roots.rsdt)).filter(|t| &t[..4] == b"RSDT")?,
            4,
        ),
    };
    root[HEADER..]
        .chunks_exact(width)
        .filter_map(|entry| match width {
            8 => u64_at(entry, 0),
            _ => u32_at(entry, 0).map(u64::from),
        })
        .filter(|&addr| {
            mem.read(addr, 4)
                .is_some_and(|sig| sig == signature.as_slice())
        })
        .find_map(|addr| table_at(mem, addr))
}

/// Why the machine offers no power button to poll.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AcpiError {
    /// No RSDP: the machine has no ACPI (microvm with `acpi=off`).
    NoRsdp,
    /// No FADT, or one that fails its checksum.
    NoFadt,
    /// The FADT is shorter than ACPI 1.0's.
    ShortFadt(usize),
    /// Hardware-reduced ACPI: no fixed-feature power button.
    HardwareReduced,
    /// The power button is a control-method device (needs AML).
    ControlMethodButton,
    /// The FADT names no PM1a event or control block.
    NoPm1Block,
    /// A PM1 block that is not in I/O port space, or beyond it.
    NotPortIo(u64),
    /// `PM1_EVT_LEN` is not an even number of at least 4 bytes.
    BadPm1Length(u8),
    /// `SCI_EN` stayed clear after `ACPI_ENABLE` was written to `SMI_CMD`
    /// (or there was no `SMI_CMD` to write): the firmware kept the
    /// button.
    NotInAcpiMode,
}

impl fmt::Display for AcpiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AcpiError::NoRsdp => f.write_str("no ACPI tables (no RSDP)"),
            AcpiError::NoFadt => f.write_str("no valid FADT"),
            AcpiError::ShortFadt(len) => write!(f, "the FADT is {len} bytes, too short"),
            AcpiError::HardwareReduced => {
                f.write_str("hardware-reduced ACPI: no fixed-feature power button")
            }
            AcpiError::ControlMethodButton => {
                f.write_str("the power button is a control-method device")
            }
            AcpiError::NoPm1Block => f.write_str("the FADT names no PM1a block"),
            AcpiError::NotPortIo(addr) => {
                write!(f, "a PM1 block at {addr:#x} is not in I/O port space")
            }
            AcpiError::BadPm1Length(len) => write!(f, "PM1_EVT_LEN is {len}"),
            AcpiError::NotInAcpiMode => f.write_str("the machine did not enter ACPI mode"),
        }
    }
}

/// What the FADT says about the fixed-feature hardware the power button
/// needs. Ports are I/O ports.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Fadt {
    /// The SMI command port; 0 when the machine is always in ACPI mode.
    pub smi_cmd: u16,
    /// What to write to `smi_cmd` to enter ACPI mode.
    pub acpi_enable: u8,
    /// The PM1a event block: status register, then enable register.
    pub pm1a_evt: u16,
    /// The PM1b event block, if the machine has one.
    pub pm1b_evt: Option<u16>,
    /// The length of each PM1 event block: status and enable registers
    /// are half of it each.
    pub pm1_evt_len: u8,
    /// The PM1a control block.
    pub pm1a_cnt: u16,
    /// The PM1b control block, if the machine has one.
    pub pm1b_cnt: Option<u16>,
}

impl Fadt {
    /// Reads a FADT (`table` whole, header included, its checksum already
    /// checked, as [`find_table`] returns it). The extended (`X_`) block
    /// addresses win over the 32-bit ones where the table has them and
    /// they are not zero.
    pub fn parse(table: &[u8]) -> Result<Fadt, AcpiError> {
        if table.len() < fadt::MIN_LEN {
            return Err(AcpiError::ShortFadt(table.len()));
        }
        let at32 = |at| u32_at(table, at).unwrap_or(0);
        let flags = at32(fadt::FLAGS);
        if flags & FLAG_HW_REDUCED != 0 {
            return Err(AcpiError::HardwareReduced);
        }
        if flags & FLAG_PWR_BUTTON != 0 {
            return Err(AcpiError::ControlMethodButton);
        }
        let block = |legacy: usize, extended: usize| -> Result<Option<u16>, AcpiError> {
            let (space, addr) = match table.get(extended..extended + 12) {
                Some(gas) if u64_at(gas, 4) != Some(0) => (gas[0], u64_at(gas, 4).unwrap_or(0)),
                _ => (SPACE_IO, u64::from(at32(legacy))),
            };
            if addr == 0 {
                return Ok(None);
            }
            match u16::try_from(addr) {
                Ok(port) if space == SPACE_IO => Ok(Some(port)),
                _ => Err(AcpiError::NotPortIo(addr)),
            }
        };
        let pm1a_evt = block(fadt::PM1A_EVT_BLK, fadt::X_PM1A_EVT_BLK)?;
        let pm1a_cnt = block(fadt::PM1A_CNT_BLK, fadt::X_PM1A_CNT_BLK)?;
        let (Some(pm1a_evt), Some(pm1a_cnt)) = (pm1a_evt, pm1a_cnt) else {
            return Err(AcpiError::NoPm1Block);
        };
        let pm1_evt_len = table[fadt::PM1_EVT_LEN];
        if pm1_evt_len < 4 || pm1_evt_len % 2 != 0 {
            return Err(AcpiError::BadPm1Length(pm1_evt_len));
        }
        let smi_cmd = at32(fadt::SMI_CMD);
        Ok(Fadt {
            smi_cmd: u16::try_from(smi_cmd).map_err(|_| AcpiError::NotPortIo(smi_cmd.into()))?,
            acpi_enable: table[fadt::ACPI_ENABLE],
            pm1a_evt,
            pm1b_evt: block(fadt::PM1B_EVT_BLK, fadt::X_PM1B_EVT_BLK)?,
            pm1_evt_len,
            pm1a_cnt,
            pm1b_cnt: block(fadt::PM1B_CNT_BLK, fadt::X_PM1B_CNT_BLK)?,
        })
    }

    /// The PM1 status registers: PM1a's, then PM1b's if there is one.
    pub fn status_ports(&self) -> impl Iterator<Item = u16> {
        [Some(self.pm1a_evt), self.pm1b_evt].into_iter().flatten()
    }

    /// The PM1 enable registers, in the same order.
    pub fn enable_ports(&self) -> impl Iterator<Item = u16> + '_ {
        self.status_ports()
            .map(|port| port + u16::from(self.pm1_evt_len / 2))
    }
}

#[cfg(all(target_arch = "x86_64", target_os = "none"))]
pub use machine::{table, PowerButton};

/// What reads the machine's memory and ports.
#[cfg(all(target_arch = "x86_64", target_os = "none"))]
mod machine {
    use super::{find_rsdp, find_table, AcpiError, Fadt, Memory};
    use crate::cpu::{inw, outb, outw, rdtsc};

    /// `PWRBTN_STS` in PM1 status, `PWRBTN_EN` in PM1 enable.
    const PWRBTN: u16 = 1 << 8;

    /// `SCI_EN` in PM1 control: the machine is in ACPI mode.
    const SCI_EN: u16 = 1 << 0;

    /// The end of what the boot code identity-maps.
    const MAPPED: u64 = 1 << 32;

    /// Physical memory through the boot code's identity map.
    struct Physical;

    impl Memory<'static> for Physical {
        fn read(&self, addr: u64, len: usize) -> Option<&'static [u8]> {
            let end = addr.checked_add(len as u64)?;
            if addr == 0 || end > MAPPED {
                return None;
            }
            // SAFETY: the boot code identity-maps the first 4 GiB, so the
            // range is mapped and `addr` is not null; nfc never writes
            // firmware memory (the heap is RAM that the memory map lists
            // as usable, the ACPI tables and BIOS areas are not), so the
            // bytes do not change while the slice lives.
            Some(unsafe { core::slice::from_raw_parts(addr as *const u8, len) })
        }
    }

    /// The table named `signature` (`b"MCFG"`, `b"FACP"`, …), whole,
    /// header included, found from the RSDP at physical address `rsdp`;
    /// `None` when it is absent or any table on the way fails its
    /// checksum.
    pub fn table(rsdp: u64, signature: &[u8; 4]) -> Option<&'static [u8]> {
        find_table(&Physical, rsdp, signature)
    }

    /// The fixed-feature power button, enabled and polled.
    #[derive(Debug)]
    pub struct PowerButton {
        fadt: Fadt,
    }

    impl PowerButton {
        /// Finds the FADT from `rsdp` (the PVH start info's; searched
        /// for when `None`), puts the machine in ACPI mode if it is not
        /// (waiting for `SCI_EN` at most a second of the TSC, which ticks
        /// `tsc_hz` times a second), clears a press that happened before
        /// and enables the button's status bit.
        pub fn enable(rsdp: Option<u64>, tsc_hz: u64) -> Result<PowerButton, AcpiError> {
            let rsdp = rsdp
                .or_else(|| find_rsdp(&Physical))
                .ok_or(AcpiError::NoRsdp)?;
            let fadt = Fadt::parse(table(rsdp, b"FACP").ok_or(AcpiError::NoFadt)?)?;
            let acpi_mode = || inw(fadt.pm1a_cnt) & SCI_EN != 0;
            if !acpi_mode() {
                if fadt.smi_cmd == 0 || fadt.acpi_enable == 0 {
                    return Err(AcpiError::NotInAcpiMode);
                }
                outb(fadt.smi_cmd, fadt.acpi_enable);
                let deadline = rdtsc().saturating_add(tsc_hz);
                while !acpi_mode() {
                    if rdtsc() > deadline {
                        return Err(AcpiError::NotInAcpiMode);
                    }
                }
            }
            for (status, enable) in fadt.status_ports().zip(fadt.enable_ports()) {
                outw(status, PWRBTN);
                outw(enable, inw(enable) | PWRBTN);
            }
            Ok(PowerButton { fadt })
        }

        /// True when the button was pressed since the last call; the
        /// press is cleared (`PWRBTN_STS` is cleared by writing 1 to it).
        /// One port read per PM1 block.
        pub fn pressed(&self) -> bool {
            let mut pressed = false;
            for status in self.fadt.status_ports() {
                if inw(status) & PWRBTN != 0 {
                    outw(status, PWRBTN);
                    pressed = true;
                }
            }
            pressed
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;
    use alloc::vec::Vec;

    /// The first MiB of a machine's physical memory, as a byte array.
    struct Low(Vec<u8>);

    impl<'m> Memory<'m> for &'m Low {
        fn read(&self, addr: u64, len: usize) -> Option<&'m [u8]> {
            let start = usize::try_from(addr).ok()?;
            self.0.get(start..start.checked_add(len)?)
        }
    }

    impl Low {
        fn new() -> Low {
            Low(vec![0; 1 << 20])
        }

        /// Puts `bytes` at `addr`.
        fn put(&mut self, addr: usize, bytes: &[u8]) {
            self.0[addr..addr + bytes.len()].copy_from_slice(bytes);
        }
    }

    /// Sets the byte at `at` so that `bytes` sums to 0.
    fn seal(bytes: &mut [u8], at: usize) {
        bytes[at] = 0;
        let sum = bytes.iter().fold(0u8, |s, b| s.wrapping_add(*b));
        bytes[at] = sum.wrapping_neg();
    }

    /// A table with `signature` and `body`, its length and checksum set.
    fn sdt(signature: &[u8; 4], body: &[u8]) -> Vec<u8> {
        let mut t = vec![0u8; HEADER];
        t[..4].copy_from_slice(signature);
        t[10..16].copy_from_slice(b"NFCTST");
        t.extend_from_slice(body);
        let len = t.len() as u32;
        t[4..8].copy_from_slice(&len.to_le_bytes());
        seal(&mut t, 9);
        t
    }

    /// An RSDP: revision 0 with an RSDT only, or revision 2 with both.
    fn rsdp(rsdt: u32, xsdt: Option<u64>) -> Vec<u8> {
        let mut r = vec![0u8; if xsdt.is_some() { 36 } else { 20 }];
        r[..8].copy_from_slice(RSDP_SIGNATURE);
        r[9..15].copy_from_slice(b"NFCTST");
        r[16..20].copy_from_slice(&rsdt.to_le_bytes());
        if let Some(xsdt) = xsdt {
            r[15] = 2;
            r[20..24].copy_from_slice(&36u32.to_le_bytes());
            r[24..32].copy_from_slice(&xsdt.to_le_bytes());
        }
        // The first 20 bytes first: the extended checksum covers them.
        seal(&mut r[..20], 8);
        if xsdt.is_some() {
            seal(&mut r, 32);
        }
        r
    }

    /// QEMU's FADT for `pc` (revision 3 layout, 244 bytes), with the
    /// extended blocks left zero as QEMU leaves them for I/O ports.
    fn qemu_fadt() -> Vec<u8> {
        let mut body = vec![0u8; 244 - HEADER];
        let mut put32 = |at: usize, v: u32| {
            body[at - HEADER..at - HEADER + 4].copy_from_slice(&v.to_le_bytes())
        };
        put32(fadt::SMI_CMD, 0xB2);
        put32(fadt::PM1A_EVT_BLK, 0x600);
        put32(fadt::PM1A_CNT_BLK, 0x604);
        body[fadt::ACPI_ENABLE - HEADER] = 0xF1;
        body[fadt::PM1_EVT_LEN - HEADER] = 4;
        // WBINVD, PROC_C1, SLP_BUTTON, RTC_S4, USE_PLATFORM_CLOCK
        body[fadt::FLAGS - HEADER..fadt::FLAGS - HEADER + 4].copy_from_slice(
            &((1u32 << 0) | (1 << 2) | (1 << 5) | (1 << 7) | (1 << 15)).to_le_bytes(),
        );
        sdt(b"FACP", &body)
    }

    /// A machine whose RSDP (at 0xF0000) leads to an RSDT with an APIC
    /// table and a FADT, and, when `with_xsdt`, an XSDT listing an MCFG
    /// too.
    fn machine(with_xsdt: bool) -> Low {
        let mut m = Low::new();
        let apic = sdt(b"APIC", &[1, 2, 3, 4]);
        let facp = qemu_fadt();
        let mcfg = sdt(b"MCFG", &[0; 8 + 16]);
        m.put(0x8_0000, &apic);
        m.put(0x8_1000, &facp);
        m.put(0x8_2000, &mcfg);
        let rsdt_body: Vec<u8> = [0x8_0000u32, 0x8_1000]
            .iter()
            .flat_map(|a| a.to_le_bytes())
            .collect();
        m.put(0x8_3000, &sdt(b"RSDT", &rsdt_body));
        let xsdt = with_xsdt.then(|| {
            let body: Vec<u8> = [0x8_0000u64, 0x8_1000, 0x8_2000]
                .iter()
                .flat_map(|a| a.to_le_bytes())
                .collect();
            m.put(0x8_4000, &sdt(b"XSDT", &body));
            0x8_4000
        });
        m.put(0xF_0000, &rsdp(0x8_3000, xsdt));
        m
    }

    #[test]
    fn tables_come_through_the_rsdt_or_the_xsdt() {
        let m = machine(false);
        let mem = &m;
        assert_eq!(find_rsdp(&mem), Some(0xF_0000));
        let apic = find_table(&mem, 0xF_0000, b"APIC").unwrap();
        assert_eq!((&apic[..4], apic.len()), (&b"APIC"[..], HEADER + 4));
        assert_eq!(
            &apic[HEADER..],
            [1, 2, 3, 4],
            "the whole table, header included"
        );
        assert!(find_table(&mem, 0xF_0000, b"FACP").is_some());
        assert_eq!(
            find_table(&mem, 0xF_0000, b"MCFG"),
            None,
            "the RSDT does not list it"
        );
        assert_eq!(find_table(&mem, 0xF_0010, b"APIC"), None, "no RSDP there");

        let m = machine(true);
        let mem = &m;
        let mcfg = find_table(&mem, 0xF_0000, b"MCFG").unwrap();
        assert_eq!(mcfg.len(), HEADER + 24);
        assert!(find_table(&mem, 0xF_0000, b"FACP").is_some());
        assert_eq!(find_table(&mem, 0xF_0000, b"HPET"), None);
    }

    #[test]
    fn the_xsdt_wins_and_a_broken_one_falls_back_to_the_rsdt() {
        let mut m = machine(true);
        // The XSDT alone lists the MCFG: found through it.
        assert!(find_table(&&m, 0xF_0000, b"MCFG").is_some());
        // A broken XSDT checksum: the RSDT is used, which has no MCFG.
        m.0[0x8_4000 + HEADER] ^= 0xFF;
        assert_eq!(find_table(&&m, 0xF_0000, b"MCFG"), None);
        assert!(find_table(&&m, 0xF_0000, b"APIC").is_some());
    }

    #[test]
    fn checksums_are_verified() {
        // A table with a bad checksum is not returned.
        let mut m = machine(false);
        m.0[0x8_0000 + HEADER] ^= 1;
        assert_eq!(find_table(&&m, 0xF_0000, b"APIC"), None);
        assert!(find_table(&&m, 0xF_0000, b"FACP").is_some());
        // A root table with a bad checksum: nothing.
        let mut m = machine(false);
        m.0[0x8_3000 + 20] ^= 1;
        assert_eq!(find_table(&&m, 0xF_0000, b"FACP"), None);
        // An RSDP with a bad checksum is neither found nor used.
        let mut m = machine(false);
        m.0[0xF_0000 + 9] ^= 1;
        assert_eq!(find_rsdp(&&m), None);
        assert_eq!(find_table(&&m, 0xF_0000, b"FACP"), None);
        // A revision-2 RSDP whose extended checksum is wrong.
        let mut m = machine(true);
        m.0[0xF_0000 + 33] ^= 1;
        assert_eq!(find_rsdp(&&m), None);
        // A length past the end of memory.
        let mut m = machine(false);
        m.0[0x8_0000 + 4..0x8_0000 + 8].copy_from_slice(&u32::MAX.to_le_bytes());
        assert_eq!(find_table(&&m, 0xF_0000, b"APIC"), None);
    }

    #[test]
    fn the_rsdp_is_searched_in_the_ebda_first() {
        let mut m = machine(false);
        let r = rsdp(0x8_3000, None);
        // The EBDA at segment 0x9FC0: 0x9FC00.
        m.put(EBDA_SEGMENT as usize, &0x9FC0u16.to_le_bytes());
        m.put(0x9_FC40, &r);
        assert_eq!(find_rsdp(&&m), Some(0x9FC40));
        // Not on a 16-byte boundary: not found there.
        let mut m = Low::new();
        m.put(0xE_0008, &r);
        assert_eq!(find_rsdp(&&m), None);
        m.put(0xF_FFF0, &r[..16]);
        assert_eq!(find_rsdp(&&m), None, "cut at the end of the area");
    }

    #[test]
    fn qemus_fadt_has_pm1a_only() {
        let m = machine(false);
        let fadt = Fadt::parse(find_table(&&m, 0xF_0000, b"FACP").unwrap()).unwrap();
        assert_eq!(
            fadt,
            Fadt {
                smi_cmd: 0xB2,
                acpi_enable: 0xF1,
                pm1a_evt: 0x600,
                pm1b_evt: None,
                pm1_evt_len: 4,
                pm1a_cnt: 0x604,
                pm1b_cnt: None,
            }
        );
        assert_eq!(fadt.status_ports().collect::<Vec<_>>(), [0x600]);
        assert_eq!(fadt.enable_ports().collect::<Vec<_>>(), [0x602]);
    }

    /// [`qemu_fadt`] changed by `edit`, resealed.
    fn fadt_with(edit: impl FnOnce(&mut [u8])) -> Vec<u8> {
        let mut t = qemu_fadt();
        edit(&mut t);
        seal(&mut t, 9);
        t
    }

    #[test]
    fn pm1b_and_extended_blocks() {
        let t = fadt_with(|t| {
            t[fadt::PM1B_EVT_BLK..][..4].copy_from_slice(&0x700u32.to_le_bytes());
            t[fadt::PM1B_CNT_BLK..][..4].copy_from_slice(&0x704u32.to_le_bytes());
            t[fadt::PM1_EVT_LEN] = 8;
            // X_PM1A_EVT_BLK: I/O space, 32 bits, at 0x800; wins.
            let gas = &mut t[fadt::X_PM1A_EVT_BLK..][..12];
            gas[0] = SPACE_IO;
            gas[1] = 32;
            gas[4..12].copy_from_slice(&0x800u64.to_le_bytes());
        });
        let fadt = Fadt::parse(&t).unwrap();
        assert_eq!((fadt.pm1a_evt, fadt.pm1b_evt), (0x800, Some(0x700)));
        assert_eq!(fadt.pm1b_cnt, Some(0x704));
        assert_eq!(fadt.status_ports().collect::<Vec<_>>(), [0x800, 0x700]);
        assert_eq!(fadt.enable_ports().collect::<Vec<_>>(), [0x804, 0x704]);
    }

    #[test]
    fn fadts_without_a_fixed_power_button_say_why() {
        assert_eq!(
            Fadt::parse(&qemu_fadt()[..100]),
            Err(AcpiError::ShortFadt(100))
        );
        let reduced = fadt_with(|t| t[fadt::FLAGS + 2] |= 1 << 4);
        assert_eq!(Fadt::parse(&reduced), Err(AcpiError::HardwareReduced));
        let method = fadt_with(|t| t[fadt::FLAGS] |= FLAG_PWR_BUTTON as u8);
        assert_eq!(Fadt::parse(&method), Err(AcpiError::ControlMethodButton));
        let none = fadt_with(|t| t[fadt::PM1A_EVT_BLK..][..4].fill(0));
        assert_eq!(Fadt::parse(&none), Err(AcpiError::NoPm1Block));
        let memory = fadt_with(|t| {
            let gas = &mut t[fadt::X_PM1A_CNT_BLK..][..12];
            gas[0] = 0; // system memory
            gas[4..12].copy_from_slice(&0xFED0_0000u64.to_le_bytes());
        });
        assert_eq!(Fadt::parse(&memory), Err(AcpiError::NotPortIo(0xFED0_0000)));
        let odd = fadt_with(|t| t[fadt::PM1_EVT_LEN] = 3);
        assert_eq!(Fadt::parse(&odd), Err(AcpiError::BadPm1Length(3)));
        assert_eq!(
            AcpiError::HardwareReduced.to_string(),
            "hardware-reduced ACPI: no fixed-feature power button"
        );
    }
}
