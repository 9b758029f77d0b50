//! The grant table (v1): how nfc lets a back end (netback in dom0) reach
//! pages of its own — the rings and the packet buffers.
//!
//! The table lives in frames Xen owns; a PVH guest maps them over pages of
//! its own (`XENMEM_add_to_physmap`, `XENMAPSPACE_grant_table`, which also
//! grows the table). Granting page `frame` to domain `domid` fills an
//! 8-byte entry: the domain and frame first, then (after a barrier) the
//! flags that make it valid. nfc grants at start-up and keeps its grants
//! for the domain's life: buffers are recycled, never re-granted, so the
//! data path makes no grant operations at all.

use alloc::alloc::{alloc_zeroed, Layout};

use crate::hypercall::{self, MAPSPACE_GRANT_TABLE};

/// `GTF_permit_access`: the entry is valid.
const PERMIT_ACCESS: u16 = 1;
/// `GTF_readonly`: the grantee may only read.
const READONLY: u16 = 1 << 2;
/// Entries per 4 KiB frame (8 bytes each).
const PER_FRAME: u32 = 512;
/// Refs below this are the toolstack's (`GNTTAB_NR_RESERVED_ENTRIES`).
const RESERVED: u32 = 8;
/// Most frames nfc maps: 2,048 entries, room for several vifs.
const MAX_FRAMES: u32 = 4;

/// A grant reference: what a back end is told to map.
pub type GrantRef = u32;

/// The grant table, mapped.
#[derive(Debug)]
pub struct GrantTable {
    entries: *mut u8,
    count: u32,
    next: u32,
}

impl GrantTable {
    /// Maps up to [`MAX_FRAMES`] frames (as many as Xen allows) over
    /// freshly allocated pages.
    pub fn map() -> Result<GrantTable, alloc::string::String> {
        let frames = hypercall::grant_table_max_frames()
            .map_err(|e| alloc::format!("grant table size: error {e}"))?
            .clamp(1, MAX_FRAMES);
        let layout = Layout::from_size_align(frames as usize * 4096, 4096)
            .map_err(|_| alloc::string::String::from("grant table layout"))?;
        // SAFETY: a non-zero size; the pages are kept for the program.
        let entries = unsafe { alloc_zeroed(layout) };
        if entries.is_null() {
            return Err("no memory for the grant table".into());
        }
        for i in 0..frames {
            let gpfn = (entries as u64 >> 12) + u64::from(i);
            hypercall::add_to_physmap(MAPSPACE_GRANT_TABLE, u64::from(i), gpfn)
                .map_err(|e| alloc::format!("mapping grant frame {i}: error {e}"))?;
        }
        Ok(GrantTable {
            entries,
            count: frames * PER_FRAME,
            next: RESERVED,
        })
    }

    /// Grants domain `domid` access to the page at physical address
    /// `page` (read-only if `readonly`).
    pub fn grant(
        &mut self,
        domid: u16,
        page: u64,
        readonly: bool,
    ) -> Result<GrantRef, &'static str> {
        if self.next >= self.count {
            return Err("the grant table is full");
        }
        let r = self.next;
        self.next += 1;
        // SAFETY: entry `r` lies in the mapped frames (r < count); no one
        // else writes it (it was never granted).
        unsafe {
            let e = self.entries.add(r as usize * 8);
            (e.add(2) as *mut u16).write_volatile(domid);
            (e.add(4) as *mut u32).write_volatile((page >> 12) as u32);
            core::sync::atomic::fence(core::sync::atomic::Ordering::Release);
            let flags = PERMIT_ACCESS | if readonly { READONLY } else { 0 };
            (e as *mut u16).write_volatile(flags);
        }
        Ok(r)
    }
}
