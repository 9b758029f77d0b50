//! virtio devices on PCI: configuration space through ECAM or port I/O,
//! the buses behind bridges, and a transport for every virtio-net device.
//!
//! The firmware (SeaBIOS on QEMU's pc and q35) has assigned the BARs and
//! numbered the buses before the image runs; this module only enables
//! memory decoding and bus mastering on the devices it takes.

use alloc::string::String;
use alloc::vec::Vec;
use core::marker::PhantomData;

use virtio_drivers::transport::pci::bus::{
    BarInfo, Cam, Command, ConfigurationAccess, DeviceFunction, HeaderType, MmioCam, PciRoot,
};
use virtio_drivers::transport::pci::{virtio_device_type, PciTransport};
use virtio_drivers::transport::{DeviceType, SomeTransport};

use crate::hal::IdentityHal;

/// 32-bit port I/O, as the platform does it (`in`/`out` on x86_64).
pub trait PortIo {
    /// Reads a 32-bit port.
    fn read32(port: u16) -> u32;
    /// Writes a 32-bit port.
    fn write32(port: u16, value: u32);
}

/// PCI configuration mechanism #1: an address written to port 0xCF8, the
/// data at port 0xCFC. It reaches the first 256 bytes of each function's
/// configuration space, which is all virtio needs.
#[derive(Debug)]
pub struct PortCam<P>(PhantomData<P>);

impl<P: PortIo> PortCam<P> {
    /// The port-I/O mechanism of this machine.
    pub fn new() -> PortCam<P> {
        PortCam(PhantomData)
    }

    fn select(df: DeviceFunction, offset: u8) {
        let address = 0x8000_0000
            | u32::from(df.bus) << 16
            | u32::from(df.device) << 11
            | u32::from(df.function) << 8
            | u32::from(offset & 0xfc);
        P::write32(0xcf8, address);
    }
}

impl<P: PortIo> Default for PortCam<P> {
    fn default() -> Self {
        PortCam::new()
    }
}

impl<P: PortIo> ConfigurationAccess for PortCam<P> {
    fn read_word(&self, df: DeviceFunction, offset: u8) -> u32 {
        Self::select(df, offset);
        P::read32(0xcfc)
    }

    fn write_word(&mut self, df: DeviceFunction, offset: u8, data: u32) {
        Self::select(df, offset);
        P::write32(0xcfc, data);
    }

    unsafe fn unsafe_clone(&self) -> Self {
        PortCam::new()
    }
}

/// The PCI segment-0 ECAM window an ACPI MCFG table describes: its base
/// address and first and last bus.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Ecam {
    /// Where bus 0's configuration space starts (as if the window began at
    /// bus 0).
    pub base: u64,
    /// The first bus the window covers.
    pub first_bus: u8,
    /// The last bus the window covers.
    pub last_bus: u8,
}

impl Ecam {
    /// The segment-0 window of an MCFG table (the whole table, its 36-byte
    /// ACPI header first); `None` when there is none.
    pub fn from_mcfg(table: &[u8]) -> Option<Ecam> {
        // Header (36 bytes), 8 reserved, then 16-byte allocations: base
        // address (8), segment group (2), start bus, end bus, reserved (4).
        if table.get(..4)? != b"MCFG" {
            return None;
        }
        table.get(44..)?.chunks_exact(16).find_map(|e| {
            let segment = u16::from_le_bytes([e[8], e[9]]);
            (segment == 0).then(|| Ecam {
                base: u64::from_le_bytes(e[..8].try_into().expect("8 bytes")),
                first_bus: e[10],
                last_bus: e[11],
            })
        })
    }
}

/// Where memory BARs go when no firmware placed them (QEMU's arm64 `virt`
/// booted with `-kernel`): the host bridge's memory windows (a device
/// tree's `ranges`), handed out upwards, each BAR aligned to its size.
/// Only windows whose PCI and CPU addresses are the same can be used (the
/// driver reads a BAR's address as the CPU's).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct BarSpace {
    /// Free space per window: next free address and end (exclusive).
    windows: Vec<(u64, u64)>,
}

impl BarSpace {
    /// No window: BARs the firmware left unplaced make an error.
    pub fn none() -> BarSpace {
        BarSpace::default()
    }

    /// Adds a memory window of `size` bytes at PCI address `pci`, CPU
    /// address `cpu`; `Err` when they differ.
    pub fn add_window(&mut self, pci: u64, cpu: u64, size: u64) -> Result<(), String> {
        if pci != cpu {
            return Err(alloc::format!(
                "PCI memory window at {pci:#x} seen by the CPU at {cpu:#x}: only windows mapped one to one are used"
            ));
        }
        self.windows.push((pci, pci.saturating_add(size)));
        Ok(())
    }

    /// A place for `size` bytes aligned to `size`, below 4 GiB when
    /// `below_4g`.
    fn take(&mut self, size: u64, below_4g: bool) -> Option<u64> {
        self.windows.iter_mut().find_map(|(next, end)| {
            let at = next.checked_next_multiple_of(size)?;
            let top = at.checked_add(size)?;
            if top > *end || (below_4g && top > 1 << 32) {
                return None;
            }
            *next = top;
            Some(at)
        })
    }
}

/// Places every unplaced memory BAR of `df` in `space`.
fn place_bars<C: ConfigurationAccess>(
    root: &mut PciRoot<C>,
    df: DeviceFunction,
    space: &mut BarSpace,
) -> Result<(), String> {
    let mut bar = 0;
    while bar < 6 {
        let info = root
            .bar_info(df, bar)
            .map_err(|e| alloc::format!("PCI {df} BAR {bar}: {e}"))?;
        let wide = info.as_ref().is_some_and(BarInfo::takes_two_entries);
        if let Some(BarInfo::Memory {
            address: 0, size, ..
        }) = info
        {
            let at = space.take(size, !wide).ok_or_else(|| {
                alloc::format!(
                    "PCI {df} BAR {bar}: no room for {size} bytes in the bridge's windows"
                )
            })?;
            if wide {
                root.set_bar_64(df, bar, at);
            } else {
                root.set_bar_32(df, bar, at as u32);
            }
        }
        bar += if wide { 2 } else { 1 };
    }
    Ok(())
}

/// Every virtio-net device on the PCI buses `cam` reaches, in bus, slot
/// and function order (buses behind bridges after the bridge's own bus),
/// each as a transport with memory decoding and bus mastering enabled and
/// its interrupt disabled, its memory BARs placed in `space` when the
/// firmware left them unplaced;
/// `Err` names a device that cannot be used.
pub fn net_devices<C: ConfigurationAccess>(
    cam: C,
    space: &mut BarSpace,
) -> Result<Vec<(DeviceFunction, SomeTransport<'static>)>, String> {
    // SAFETY: the clone only reads bridges' bus numbers, which nothing
    // here writes.
    let reader = unsafe { cam.unsafe_clone() };
    let mut root = PciRoot::new(cam);
    let mut found = Vec::new();
    let mut buses = Vec::from([0u8]);
    let mut next = 0;
    while let Some(&bus) = buses.get(next) {
        next += 1;
        let devices: Vec<_> = root.enumerate_bus(bus).collect();
        for (df, info) in devices {
            if info.header_type == HeaderType::PciPciBridge {
                // Secondary bus number: byte 1 of the dword at 0x18.
                let secondary = (reader.read_word(df, 0x18) >> 8) as u8;
                if secondary != 0 && !buses.contains(&secondary) {
                    buses.push(secondary);
                }
                continue;
            }
            if virtio_device_type(&info) != Some(DeviceType::Network) {
                continue;
            }
            place_bars(&mut root, df, space)?;
            let (_, command) = root.get_status_command(df);
            root.set_command(
                df,
                // Polled: its interrupt line stays quiet.
                command | Command::MEMORY_SPACE | Command::BUS_MASTER | Command::INTERRUPT_DISABLE,
            );
            let transport = PciTransport::new::<IdentityHal, C>(&mut root, df)
                .map_err(|e| alloc::format!("virtio-net at PCI {df}: {e}"))?;
            found.push((df, SomeTransport::from(transport)));
        }
    }
    Ok(found)
}

/// [`net_devices`] through the ECAM window `ecam`.
///
/// # Safety
/// `ecam` describes this machine's ECAM window, mapped one to one, and
/// nothing else uses it while the transports live.
pub unsafe fn net_devices_ecam(
    ecam: Ecam,
    space: &mut BarSpace,
) -> Result<Vec<(DeviceFunction, SomeTransport<'static>)>, String> {
    // SAFETY: the caller promises the window is this machine's ECAM,
    // identity-mapped and 256 MiB long from bus 0 (MCFG's base is bus 0's
    // even when the first bus is higher).
    let cam = unsafe { MmioCam::new(ecam.base as *mut u8, Cam::Ecam) };
    net_devices(cam, space)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_mcfg_table_gives_segment_zero_window() {
        let mut table = vec![0u8; 44];
        table[..4].copy_from_slice(b"MCFG");
        let mut entry = |base: u64, segment: u16, first: u8, last: u8| {
            table.extend_from_slice(&base.to_le_bytes());
            table.extend_from_slice(&segment.to_le_bytes());
            table.extend_from_slice(&[first, last, 0, 0, 0, 0]);
        };
        entry(0xc000_0000, 1, 0, 0x3f);
        entry(0xb000_0000, 0, 0, 0xff);
        assert_eq!(
            Ecam::from_mcfg(&table),
            Some(Ecam {
                base: 0xb000_0000,
                first_bus: 0,
                last_bus: 0xff
            })
        );
        assert_eq!(Ecam::from_mcfg(&table[..60]), None, "only segment 1 whole");
        assert_eq!(Ecam::from_mcfg(b"FACP"), None);
    }

    #[test]
    fn bars_are_placed_aligned_in_windows_mapped_one_to_one() {
        let mut space = BarSpace::none();
        assert!(space.add_window(0x1000_0000, 0x3f00_0000, 0x100).is_err());
        space
            .add_window(0x1000_0100, 0x1000_0100, 0x2_0000)
            .unwrap();
        space
            .add_window(0x80_0000_0000, 0x80_0000_0000, 1 << 30)
            .unwrap();
        assert_eq!(
            space.take(0x1000, true),
            Some(0x1000_1000),
            "aligned to its size"
        );
        assert_eq!(space.take(0x4000, true), Some(0x1000_4000));
        assert_eq!(space.take(0x4000, true), Some(0x1000_8000));
        // Too big for the first window: the 64-bit one, unless it must
        // stay below 4 GiB.
        assert_eq!(space.take(0x10_0000, true), None);
        assert_eq!(space.take(0x10_0000, false), Some(0x80_0000_0000));
    }

    /// Port I/O recorded, to check the address mechanism #1 selects.
    struct Recorded;
    thread_local! {
        static WRITES: core::cell::RefCell<Vec<(u16, u32)>> = const { core::cell::RefCell::new(Vec::new()) };
    }
    impl PortIo for Recorded {
        fn read32(_port: u16) -> u32 {
            0xffff_ffff
        }
        fn write32(port: u16, value: u32) {
            WRITES.with(|w| w.borrow_mut().push((port, value)));
        }
    }

    #[test]
    fn port_io_selects_bus_device_function_and_register() {
        let cam = PortCam::<Recorded>::new();
        let df = DeviceFunction {
            bus: 1,
            device: 3,
            function: 2,
        };
        assert_eq!(cam.read_word(df, 0x13), 0xffff_ffff);
        WRITES.with(|w| {
            assert_eq!(
                w.borrow().as_slice(),
                &[(0xcf8, 0x8000_0000 | 1 << 16 | 3 << 11 | 2 << 8 | 0x10)]
            )
        });
        assert!(
            net_devices(cam, &mut BarSpace::none()).unwrap().is_empty(),
            "an empty bus has no devices"
        );
    }
}
