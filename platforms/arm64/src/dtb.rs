//! What the image reads from the device tree the loader hands it in `x0`:
//! RAM, the PL011 console, PSCI's conduit, the kernel command line, the
//! virtio-mmio transports and the PCI host bridge. Parsing is the `fdt` crate's; this module
//! only picks what the image needs, without allocating (the heap is made
//! from what it finds) and without panicking on a tree that lacks a node.
//!
//! Addresses are taken from `reg` as they stand: the nodes nfc reads sit
//! at the root of QEMU's virt tree, whose bus addresses are CPU addresses
//! (no `ranges` translation is applied).

use fdt::node::FdtNode;
use fdt::Fdt;

/// The device tree blob's magic (big-endian 0xd00dfeed).
pub const MAGIC: u32 = 0xd00d_feed;

/// A range of physical addresses, `start..end`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Range {
    /// First address.
    pub start: u64,
    /// One past the last address.
    pub end: u64,
}

impl Range {
    /// Bytes in the range.
    pub fn len(&self) -> u64 {
        self.end.saturating_sub(self.start)
    }

    /// True for an empty range.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// True when `other` lies wholly inside this range.
    pub fn contains(&self, other: &Range) -> bool {
        self.start <= other.start && other.end <= self.end
    }

    /// True when the two ranges share an address.
    pub fn overlaps(&self, other: &Range) -> bool {
        self.start < other.end && other.start < self.end
    }
}

/// Most RAM ranges kept (QEMU's virt has one per NUMA node).
pub const MAX_RAM: usize = 16;

/// The RAM ranges of a machine, in the tree's order: a fixed array, since
/// the heap does not exist yet when they are read.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Ram {
    ranges: [Range; MAX_RAM],
    len: usize,
}

impl Ram {
    /// The ranges.
    pub fn ranges(&self) -> &[Range] {
        &self.ranges[..self.len]
    }

    /// Adds a range (empty ones and those past [`MAX_RAM`] are dropped).
    pub fn push(&mut self, r: Range) {
        if !r.is_empty() && self.len < MAX_RAM {
            self.ranges[self.len] = r;
            self.len += 1;
        }
    }

    /// The ranges cut inward to multiples of `align` (a power of two):
    /// what a map of `align`-sized blocks can cover as RAM alone.
    pub fn aligned(&self, align: u64) -> Ram {
        let mut out = Ram::default();
        for r in self.ranges() {
            let start = r.start.checked_add(align - 1).map(|s| s & !(align - 1));
            if let Some(start) = start {
                out.push(Range {
                    start,
                    end: (r.end & !(align - 1)).max(start),
                });
            }
        }
        out
    }

    /// True when `r` lies wholly inside one RAM range.
    pub fn holds(&self, r: &Range) -> bool {
        self.ranges().iter().any(|ram| ram.contains(r))
    }

    /// The largest stretch of RAM at or above `floor` that does not
    /// touch `avoid` (what the loader put there and the image still
    /// needs): where the heap goes.
    pub fn largest_free(&self, floor: u64, avoid: Option<Range>) -> Option<Range> {
        let mut best: Option<Range> = None;
        for r in self.ranges() {
            let above = Range {
                start: r.start.max(floor),
                end: r.end,
            };
            // At most two pieces: below and above what is avoided.
            let pieces = match avoid.filter(|a| a.overlaps(&above)) {
                Some(a) => [
                    Range {
                        start: above.start,
                        end: a.start.max(above.start),
                    },
                    Range {
                        start: a.end.min(above.end),
                        end: above.end,
                    },
                ],
                None => [above, Range::default()],
            };
            for p in pieces {
                if p.len() > best.map_or(0, |b| b.len()) {
                    best = Some(p);
                }
            }
        }
        best
    }
}

/// How PSCI calls reach the firmware or hypervisor (`/psci`'s `method`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Conduit {
    /// `hvc #0`: a hypervisor (QEMU's virt at EL1, KVM).
    Hvc,
    /// `smc #0`: secure firmware (QEMU's virt with `virtualization=on`).
    Smc,
}

/// Every `device_type = "memory"` node's `reg` ranges.
pub fn ram(fdt: &Fdt) -> Ram {
    let mut ram = Ram::default();
    for node in fdt.all_nodes() {
        let is_memory = node
            .property("device_type")
            .and_then(|p| p.as_str())
            .is_some_and(|t| t == "memory");
        if !is_memory || !enabled(&node) {
            continue;
        }
        for region in node.reg().into_iter().flatten() {
            let start = region.starting_address as u64;
            let size = region.size.unwrap_or(0) as u64;
            ram.push(Range {
                start,
                end: start.saturating_add(size),
            });
        }
    }
    ram
}

/// False for a node whose `status` says it is not there.
fn enabled(node: &FdtNode) -> bool {
    node.property("status")
        .and_then(|p| p.as_str())
        .is_none_or(|s| s == "okay" || s == "ok")
}

/// The first `reg` address of `node`.
fn base(node: &FdtNode) -> Option<u64> {
    Some(node.reg()?.next()?.starting_address as u64)
}

/// True when `node` says it is compatible with `what`.
fn compatible(node: &FdtNode, what: &str) -> bool {
    node.compatible()
        .is_some_and(|c| c.all().any(|s| s == what))
}

/// The PL011 UART to use as the console: the one `/chosen/stdout-path`
/// names (its options after `:` ignored) when that is a PL011, else the
/// first enabled `arm,pl011` node. Its register base.
pub fn console(fdt: &Fdt) -> Option<u64> {
    let chosen = fdt
        .find_node("/chosen")
        .and_then(|c| c.property("stdout-path"))
        .and_then(|p| p.as_str())
        .map(|path| path.split(':').next().unwrap_or(path))
        .and_then(|path| fdt.find_node(path))
        .filter(|n| compatible(n, "arm,pl011") && enabled(n));
    let node = chosen.or_else(|| {
        fdt.all_nodes()
            .find(|n| compatible(n, "arm,pl011") && enabled(n))
    })?;
    base(&node)
}

/// PSCI's conduit, when the tree has a PSCI 0.2 or later node (the
/// version that defines SYSTEM_OFF).
pub fn psci(fdt: &Fdt) -> Option<Conduit> {
    let node = fdt
        .all_nodes()
        .find(|n| compatible(n, "arm,psci-0.2") || compatible(n, "arm,psci-1.0"))?;
    match node.property("method")?.as_str()? {
        "hvc" => Some(Conduit::Hvc),
        "smc" => Some(Conduit::Smc),
        _ => None,
    }
}

/// The kernel command line (`/chosen/bootargs`), empty if none.
pub fn bootargs<'a>(fdt: &Fdt<'a>) -> &'a str {
    fdt.find_node("/chosen")
        .and_then(|c| c.property("bootargs"))
        .and_then(|p| p.as_str())
        .unwrap_or("")
}

/// Most virtio-mmio transports kept (QEMU's virt has 32).
pub const MAX_MMIO: usize = 64;

/// The register blocks of the enabled `virtio,mmio` nodes, from the
/// highest address down: QEMU's virt gives the first `-device` the highest
/// transport, so this is the command line's order (as on microvm).
pub fn virtio_mmio(fdt: &Fdt) -> ([Range; MAX_MMIO], usize) {
    let mut found = [Range::default(); MAX_MMIO];
    let mut n = 0;
    let nodes = fdt
        .all_nodes()
        .filter(|n| compatible(n, "virtio,mmio") && enabled(n));
    for node in nodes {
        let Some(r) = node.reg().and_then(|mut r| r.next()) else {
            continue;
        };
        let start = r.starting_address as u64;
        let size = r.size.unwrap_or(0) as u64;
        if size > 0 && n < MAX_MMIO {
            found[n] = Range {
                start,
                end: start.saturating_add(size),
            };
            n += 1;
        }
    }
    found[..n].sort_unstable_by_key(|r| core::cmp::Reverse(r.start));
    (found, n)
}

/// A PCI address space, from bits 24–25 of a `ranges` entry's first
/// PCI address cell (the PCI bus binding's `ss`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum PciSpace {
    /// Configuration space (never a window in practice).
    #[default]
    Config,
    /// I/O space.
    Io,
    /// 32-bit memory space.
    Memory32,
    /// 64-bit memory space.
    Memory64,
}

/// One window of a PCI host bridge's `ranges`: PCI addresses
/// `pci..pci + size` seen by the CPU at `cpu`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PciWindow {
    /// The address space.
    pub space: PciSpace,
    /// Prefetchable memory (the `p` bit, 30).
    pub prefetchable: bool,
    /// The window's first PCI address.
    pub pci: u64,
    /// Where the CPU sees it.
    pub cpu: u64,
    /// Its length in bytes.
    pub size: u64,
}

impl PciWindow {
    /// True for a memory window (32- or 64-bit), where BARs may go.
    pub fn is_memory(&self) -> bool {
        matches!(self.space, PciSpace::Memory32 | PciSpace::Memory64)
    }
}

/// Most windows kept from a host bridge's `ranges` (QEMU's virt has 3).
pub const MAX_PCI_WINDOWS: usize = 8;

/// A `pci-host-ecam-generic` host bridge: its configuration window (ECAM,
/// 1 MiB per bus), the buses behind it and its windows.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PciHost {
    /// The ECAM window (`reg`): `first_bus`'s configuration space first.
    pub ecam: Range,
    /// The first bus (`bus-range`, default 0).
    pub first_bus: u8,
    /// The last bus: `bus-range`'s, cut to what the window holds.
    pub last_bus: u8,
    windows: [PciWindow; MAX_PCI_WINDOWS],
    n_windows: usize,
}

impl PciHost {
    /// The windows, in the tree's order.
    pub fn windows(&self) -> &[PciWindow] {
        &self.windows[..self.n_windows]
    }

    /// Where bus 0's configuration space would start (as ACPI's MCFG
    /// gives it): the window's start less 1 MiB per bus before the first.
    pub fn bus0_base(&self) -> u64 {
        self.ecam
            .start
            .wrapping_sub(u64::from(self.first_bus) << ECAM_BUS_SHIFT)
    }
}

/// Bytes of ECAM configuration space per bus: 2^20.
const ECAM_BUS_SHIFT: u32 = 20;

/// The big-endian number in `cells` (one or two 32-bit cells).
fn cells_value(cells: &[u8]) -> Option<u64> {
    match cells.len() {
        4 => Some(u64::from(be32(cells, 0)?)),
        8 => Some(u64::from(be32(cells, 0)?) << 32 | u64::from(be32(cells, 4)?)),
        _ => None,
    }
}

/// The first enabled `pci-host-ecam-generic` node among the root's
/// children (whose addresses are the CPU's), if its `reg` and `ranges`
/// parse: 3 address cells and 2 size cells for PCI, the root's cells for
/// the CPU side. Windows past [`MAX_PCI_WINDOWS`] are dropped.
pub fn pci_host(fdt: &Fdt) -> Option<PciHost> {
    let root = fdt.find_node("/")?;
    let node = root
        .children()
        .find(|n| compatible(n, "pci-host-ecam-generic") && enabled(n))?;
    let reg = node.reg()?.next()?;
    let start = reg.starting_address as u64;
    let size = reg.size? as u64;
    let (first_bus, last_bus) = match node.property("bus-range") {
        Some(p) => (be32(p.value, 0)?, be32(p.value, 4)?),
        None => (0, 0xff),
    };
    let first_bus = u8::try_from(first_bus).ok()?;
    let buses_held = (size >> ECAM_BUS_SHIFT).checked_sub(1)?;
    let last_bus = u64::from(last_bus.min(0xff)).min(u64::from(first_bus) + buses_held) as u8;
    if last_bus < first_bus {
        return None;
    }
    let mut host = PciHost {
        ecam: Range {
            start,
            end: start.checked_add(size)?,
        },
        first_bus,
        last_bus,
        ..PciHost::default()
    };
    let (pci_cells, size_cells) = (3, 2);
    let cpu_cells = root.cell_sizes().address_cells;
    let entry = 4 * (pci_cells + cpu_cells + size_cells);
    let ranges = node.property("ranges").map_or(&[][..], |p| p.value);
    for e in ranges.chunks_exact(entry) {
        let hi = be32(e, 0)?;
        let cpu_end = 4 * (pci_cells + cpu_cells);
        let window = PciWindow {
            space: match (hi >> 24) & 0b11 {
                0 => PciSpace::Config,
                1 => PciSpace::Io,
                2 => PciSpace::Memory32,
                _ => PciSpace::Memory64,
            },
            prefetchable: hi & 1 << 30 != 0,
            pci: cells_value(&e[4..12])?,
            cpu: cells_value(&e[12..cpu_end])?,
            size: cells_value(&e[cpu_end..])?,
        };
        if host.n_windows < MAX_PCI_WINDOWS && window.size > 0 {
            host.windows[host.n_windows] = window;
            host.n_windows += 1;
        }
    }
    Some(host)
}

/// The big-endian word at `at` of `blob`.
fn be32(blob: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_be_bytes(blob.get(at..at + 4)?.try_into().ok()?))
}

/// How many bytes of the blob at the start of `blob` are used (header,
/// reservations, structure and strings), which is often far less than
/// its `totalsize` (QEMU leaves 1 MiB): what a copy needs. `None` if the
/// header is not a device tree's or points past `totalsize`.
pub fn used_len(blob: &[u8]) -> Option<usize> {
    if be32(blob, 0)? != MAGIC {
        return None;
    }
    let total = be32(blob, 4)? as usize;
    let end = |off: usize, size: usize| off.checked_add(size);
    let structs = end(be32(blob, 8)? as usize, be32(blob, 36)? as usize)?;
    let strings = end(be32(blob, 12)? as usize, be32(blob, 32)? as usize)?;
    // The reservation map: 16-byte entries up to an all-zero one.
    let mut rsv = be32(blob, 16)? as usize;
    loop {
        let entry = blob.get(rsv..rsv.checked_add(16)?)?;
        rsv += 16;
        if entry.iter().all(|&b| b == 0) {
            break;
        }
    }
    let used = structs.max(strings).max(rsv).max(40);
    (used <= total).then_some(used.next_multiple_of(8))
}

/// Makes the blob at the start of `blob` say it is `len` bytes long (its
/// `totalsize`), for a copy cut to [`used_len`].
pub fn set_total_len(blob: &mut [u8], len: u32) {
    if let Some(field) = blob.get_mut(4..8) {
        field.copy_from_slice(&len.to_be_bytes());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// QEMU 10.0's virt machine (`-M virt -cpu max -m 32M -append
    /// "nfc.test=1 console=ttyAMA0" -device virtio-rng-device -device
    /// virtio-net-device`, dumped with `-M virt,dumpdtb=FILE`), cut to
    /// its used length.
    const VIRT: &[u8] = include_bytes!("../tests/virt.dtb");

    fn virt() -> Fdt<'static> {
        Fdt::new(VIRT).expect("the test tree parses")
    }

    #[test]
    fn ram_is_the_memory_node() {
        let ram = ram(&virt());
        assert_eq!(
            ram.ranges(),
            [Range {
                start: 0x4000_0000,
                end: 0x4200_0000
            }]
        );
    }

    #[test]
    fn the_console_is_stdout_paths_pl011() {
        assert_eq!(console(&virt()), Some(0x0900_0000));
    }

    #[test]
    fn psci_and_bootargs() {
        assert_eq!(psci(&virt()), Some(Conduit::Hvc));
        assert_eq!(bootargs(&virt()), "nfc.test=1 console=ttyAMA0");
    }

    #[test]
    fn virtio_mmio_transports_from_the_highest_address_down() {
        let (all, n) = virtio_mmio(&virt());
        assert_eq!(n, 32, "QEMU's virt has 32 transports");
        assert!(all[..n].iter().all(|r| r.len() == 0x200));
        assert_eq!(all[0].start, 0x0a00_3e00);
        assert_eq!(all[31].start, 0x0a00_0000);
        assert!(all[..n].windows(2).all(|w| w[0].start > w[1].start));
    }

    #[test]
    fn the_pci_host_bridge_its_ecam_and_windows() {
        let host = pci_host(&virt()).expect("virt has a PCIe host bridge");
        // The high ECAM (QEMU's `highmem`): 256 buses of 1 MiB.
        assert_eq!(
            host.ecam,
            Range {
                start: 0x40_1000_0000,
                end: 0x40_2000_0000
            }
        );
        assert_eq!((host.first_bus, host.last_bus), (0, 0xff));
        assert_eq!(host.bus0_base(), 0x40_1000_0000);
        let w = |space, pci, cpu, size| PciWindow {
            space,
            prefetchable: false,
            pci,
            cpu,
            size,
        };
        assert_eq!(
            host.windows(),
            [
                w(PciSpace::Io, 0, 0x3eff_0000, 0x1_0000),
                w(PciSpace::Memory32, 0x1000_0000, 0x1000_0000, 0x2eff_0000),
                w(
                    PciSpace::Memory64,
                    0x80_0000_0000,
                    0x80_0000_0000,
                    0x80_0000_0000
                ),
            ]
        );
        assert!(!host.windows()[0].is_memory() && host.windows()[1].is_memory());
    }

    /// The test tree with the value of the host bridge's property `name`
    /// replaced by `value` (of the same length).
    fn with_pci_property(name: &str, value: &[u8]) -> Vec<u8> {
        let fdt = virt();
        let node = fdt.find_node("/pcie").unwrap();
        let old = node.property(name).unwrap().value;
        assert_eq!(old.len(), value.len());
        let at = old.as_ptr() as usize - VIRT.as_ptr() as usize;
        let mut blob = VIRT.to_vec();
        blob[at..at + value.len()].copy_from_slice(value);
        blob
    }

    #[test]
    fn a_bus_range_not_from_zero_and_cut_to_the_window() {
        // Buses 0x10..=0x7f, in a window of 64 MiB: 64 buses, 0x10..=0x4f.
        let blob = with_pci_property("bus-range", &[0, 0, 0, 0x10, 0, 0, 0, 0x7f]);
        let blob = {
            let fdt = Fdt::new(&blob).unwrap();
            let reg = fdt
                .find_node("/pcie")
                .unwrap()
                .property("reg")
                .unwrap()
                .value;
            let at = reg.as_ptr() as usize - blob.as_ptr() as usize;
            let mut blob = blob.clone();
            blob[at + 8..at + 16].copy_from_slice(&(64u64 << 20).to_be_bytes());
            blob
        };
        let host = pci_host(&Fdt::new(&blob).unwrap()).unwrap();
        assert_eq!((host.first_bus, host.last_bus), (0x10, 0x4f));
        assert_eq!(host.bus0_base(), 0x40_1000_0000 - (0x10 << 20));
        assert_eq!(host.windows().len(), 3);
    }

    #[test]
    fn prefetchable_windows_and_other_bridges() {
        // The 64-bit window marked prefetchable (0x43000000).
        let fdt = virt();
        let mut ranges = fdt
            .find_node("/pcie")
            .unwrap()
            .property("ranges")
            .unwrap()
            .value
            .to_vec();
        ranges[2 * 28] = 0x43;
        let blob = with_pci_property("ranges", &ranges);
        let host = pci_host(&Fdt::new(&blob).unwrap()).unwrap();
        assert!(host.windows()[2].prefetchable && host.windows()[2].space == PciSpace::Memory64);
        assert!(!host.windows()[1].prefetchable);
        // A host bridge of another kind is not taken for an ECAM one.
        let blob = with_pci_property("compatible", b"pci-host-cam-generic\0\0");
        assert_eq!(pci_host(&Fdt::new(&blob).unwrap()), None);
    }

    #[test]
    fn the_used_length_is_what_a_copy_needs() {
        let used = used_len(VIRT).unwrap();
        assert_eq!(used, VIRT.len(), "the test tree is already cut");
        let mut padded = VIRT.to_vec();
        padded.resize(1 << 20, 0);
        set_total_len(&mut padded, 1 << 20);
        assert_eq!(used_len(&padded), Some(used));
        assert!(Fdt::new(&padded).is_ok());
        // A header pointing past its total size, or no magic: none.
        let mut bad = VIRT.to_vec();
        set_total_len(&mut bad, 64);
        assert_eq!(used_len(&bad), None);
        assert_eq!(used_len(&[0u8; 64]), None);
        assert_eq!(used_len(&VIRT[..20]), None);
    }

    #[test]
    fn the_heap_takes_the_largest_free_stretch() {
        let r = |start, end| Range { start, end };
        let mut ram = Ram::default();
        ram.push(r(0x4000_0000, 0x4200_0000));
        ram.push(r(0x1_0000_0000, 0x1_0080_0000));
        // Above the image, none avoided.
        assert_eq!(
            ram.largest_free(0x4030_0000, None),
            Some(r(0x4030_0000, 0x4200_0000))
        );
        // The device tree in the middle: the larger side wins.
        assert_eq!(
            ram.largest_free(0x4030_0000, Some(r(0x4100_0000, 0x4110_0000))),
            Some(r(0x4110_0000, 0x4200_0000))
        );
        assert_eq!(
            ram.largest_free(0x4030_0000, Some(r(0x4180_0000, 0x4190_0000))),
            Some(r(0x4030_0000, 0x4180_0000))
        );
        // Above the first range: the second.
        assert_eq!(
            ram.largest_free(0x4200_0000, None),
            Some(r(0x1_0000_0000, 0x1_0080_0000))
        );
        assert_eq!(ram.largest_free(0x2_0000_0000, None), None);
    }

    #[test]
    fn ram_cut_to_blocks() {
        let r = |start, end| Range { start, end };
        let mut ram = Ram::default();
        ram.push(r(0x4000_0000, 0x4210_0000));
        ram.push(r(0x8010_0000, 0x8050_0000));
        ram.push(r(0x9000_0000, 0x9010_0000));
        ram.push(r(0xa000_0000, 0xa000_0000));
        assert_eq!(ram.ranges().len(), 3, "the empty range is dropped");
        let cut = ram.aligned(2 << 20);
        assert_eq!(
            cut.ranges(),
            [r(0x4000_0000, 0x4200_0000), r(0x8020_0000, 0x8040_0000)],
            "cut inward; a range smaller than a block is gone"
        );
        assert!(cut.holds(&r(0x4010_0000, 0x4020_0000)));
        assert!(!cut.holds(&r(0x41f0_0000, 0x4210_0000)));
    }
}
