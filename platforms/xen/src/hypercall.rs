//! Hypercalls, and the Xen operations nfc makes with them.
//!
//! An HVM or PVH guest asks Xen for a hypercall page: CPUID leaf base + 2
//! names the MSR, and writing a page's physical address to it makes Xen
//! fill the page with one 32-byte stub per hypercall (`vmcall` or
//! `vmmcall`, whichever the CPU has). Arguments go in `rdi`, `rsi`, `rdx`,
//! `r10`, `r8`; the result comes back in `rax`, negative for an errno.
//! Numbers, commands and structure layouts are those of Xen's public
//! headers (`xen.h`, `sched.h`, `event_channel.h`, `grant_table.h`,
//! `memory.h`, `hvm/hvm_op.h`, `hvm/params.h`), x86_64 ABI.

use core::arch::asm;

use nfc_arch_x86_64::cpu;

/// `__HYPERVISOR_memory_op`.
const MEMORY_OP: usize = 12;
/// `__HYPERVISOR_grant_table_op`.
const GRANT_TABLE_OP: usize = 20;
/// `__HYPERVISOR_sched_op`.
const SCHED_OP: usize = 29;
/// `__HYPERVISOR_event_channel_op`.
const EVENT_CHANNEL_OP: usize = 32;
/// `__HYPERVISOR_hvm_op`.
const HVM_OP: usize = 34;

/// `DOMID_SELF`: the calling domain.
pub const DOMID_SELF: u16 = 0x7FF0;

/// The page Xen writes the stubs into (in `.bss`: the image maps it
/// writable and executable).
#[repr(C, align(4096))]
struct HypercallPage([u8; 4096]);

static mut HYPERCALL_PAGE: HypercallPage = HypercallPage([0; 4096]);

/// Installs the hypercall page; `Err` when the machine is not a Xen guest.
pub fn init() -> Result<(), &'static str> {
    let base = cpu::xen_leaves().ok_or("not a Xen guest (no Xen CPUID leaves)")?;
    let [pages, msr, _, _] = cpu::cpuid(base + 2, 0);
    if pages == 0 {
        return Err("Xen offers no hypercall page");
    }
    let page = core::ptr::addr_of!(HYPERCALL_PAGE) as u64;
    // SAFETY: the MSR CPUID names takes the physical (= virtual, identity
    // mapped) address of a page of ours, which Xen then fills; nothing
    // else uses that page.
    unsafe {
        asm!("wrmsr", in("ecx") msr, in("eax") page as u32, in("edx") (page >> 32) as u32,
             options(nostack, preserves_flags));
    }
    Ok(())
}

/// Hypercall `op` with three arguments.
///
/// # Safety
///
/// The arguments are what hypercall `op` expects: pointers among them
/// point at live structures of the layout its header gives.
unsafe fn call(op: usize, a1: u64, a2: u64, a3: u64) -> i64 {
    let stub = core::ptr::addr_of!(HYPERCALL_PAGE) as usize + op * 32;
    let ret: i64;
    // SAFETY: the stub is Xen's for hypercall `op` (the page was installed
    // by `init` before any call); it clobbers only what is listed.
    unsafe {
        asm!(
            "call {stub}",
            stub = in(reg) stub,
            inlateout("rdi") a1 => _,
            inlateout("rsi") a2 => _,
            inlateout("rdx") a3 => _,
            lateout("rax") ret,
            lateout("rcx") _,
            lateout("r8") _,
            lateout("r10") _,
            lateout("r11") _,
        );
    }
    ret
}

/// A hypercall's result: `Ok` for 0 and up, `Err(errno)` for a negative.
fn check(ret: i64) -> Result<u64, i64> {
    if ret < 0 {
        Err(-ret)
    } else {
        Ok(ret as u64)
    }
}

// ---- scheduling -------------------------------------------------------

/// `SCHEDOP_yield`.
const SCHEDOP_YIELD: u64 = 0;
/// `SCHEDOP_shutdown`.
const SCHEDOP_SHUTDOWN: u64 = 2;
/// `SCHEDOP_poll`.
const SCHEDOP_POLL: u64 = 3;

/// Why a domain shuts down (`SHUTDOWN_*`): what `xl` logs as the reason
/// code, and what its `on_poweroff` / `on_reboot` / `on_crash` act on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u32)]
pub enum ShutdownReason {
    /// An orderly stop.
    Poweroff = 0,
    /// Stop and start again.
    Reboot = 1,
    /// Something went wrong.
    Crash = 3,
}

/// Shuts this domain down for `reason`; never returns.
pub fn shutdown(reason: ShutdownReason) -> ! {
    let arg = reason as u32;
    loop {
        // SAFETY: sched_shutdown is one unsigned int.
        unsafe { call(SCHED_OP, SCHEDOP_SHUTDOWN, &arg as *const u32 as u64, 0) };
    }
}

/// Gives the CPU to another domain's vCPU that wants it.
pub fn yield_cpu() {
    // SAFETY: SCHEDOP_yield takes no argument.
    unsafe { call(SCHED_OP, SCHEDOP_YIELD, 0, 0) };
}

/// `struct sched_poll`.
#[repr(C)]
struct SchedPoll {
    ports: u64,
    nr_ports: u32,
    _pad: u32,
    timeout: u64,
}

/// Blocks until one of `ports` is pending or Xen's system time reaches
/// `deadline` (ns; 0: no deadline).
pub fn poll(ports: &[u32], deadline: u64) {
    let arg = SchedPoll {
        ports: ports.as_ptr() as u64,
        nr_ports: ports.len() as u32,
        _pad: 0,
        timeout: deadline,
    };
    // SAFETY: the structure and the port array live across the call.
    unsafe { call(SCHED_OP, SCHEDOP_POLL, &arg as *const SchedPoll as u64, 0) };
}

// ---- event channels ---------------------------------------------------

/// `EVTCHNOP_send`.
const EVTCHNOP_SEND: u64 = 4;
/// `EVTCHNOP_alloc_unbound`.
const EVTCHNOP_ALLOC_UNBOUND: u64 = 6;
/// `EVTCHNOP_unmask`.
const EVTCHNOP_UNMASK: u64 = 9;

/// `struct evtchn_alloc_unbound`.
#[repr(C)]
struct AllocUnbound {
    dom: u16,
    remote_dom: u16,
    port: u32,
}

/// A new event channel port that domain `remote` may bind to.
pub fn evtchn_alloc_unbound(remote: u16) -> Result<u32, i64> {
    let mut arg = AllocUnbound {
        dom: DOMID_SELF,
        remote_dom: remote,
        port: 0,
    };
    // SAFETY: the structure lives across the call, which fills `port`.
    check(unsafe {
        call(
            EVENT_CHANNEL_OP,
            EVTCHNOP_ALLOC_UNBOUND,
            &mut arg as *mut AllocUnbound as u64,
            0,
        )
    })?;
    Ok(arg.port)
}

/// Notifies the other end of `port`.
pub fn evtchn_send(port: u32) {
    // SAFETY: evtchn_send is one port number.
    unsafe {
        call(
            EVENT_CHANNEL_OP,
            EVTCHNOP_SEND,
            &port as *const u32 as u64,
            0,
        )
    };
}

/// Unmasks `port`.
pub fn evtchn_unmask(port: u32) {
    // SAFETY: evtchn_unmask is one port number.
    unsafe {
        call(
            EVENT_CHANNEL_OP,
            EVTCHNOP_UNMASK,
            &port as *const u32 as u64,
            0,
        )
    };
}

// ---- memory and grant tables ------------------------------------------

/// `XENMEM_add_to_physmap`.
const XENMEM_ADD_TO_PHYSMAP: u64 = 7;
/// `XENMAPSPACE_shared_info`.
pub const MAPSPACE_SHARED_INFO: u32 = 0;
/// `XENMAPSPACE_grant_table`.
pub const MAPSPACE_GRANT_TABLE: u32 = 1;

/// `struct xen_add_to_physmap`.
#[repr(C)]
struct AddToPhysmap {
    domid: u16,
    size: u16,
    space: u32,
    idx: u64,
    gpfn: u64,
}

/// Maps frame `idx` of `space` (the shared info page, a grant table
/// frame) at the guest page `gpfn`.
pub fn add_to_physmap(space: u32, idx: u64, gpfn: u64) -> Result<(), i64> {
    let arg = AddToPhysmap {
        domid: DOMID_SELF,
        size: 0,
        space,
        idx,
        gpfn,
    };
    // SAFETY: the structure lives across the call.
    check(unsafe {
        call(
            MEMORY_OP,
            XENMEM_ADD_TO_PHYSMAP,
            &arg as *const AddToPhysmap as u64,
            0,
        )
    })
    .map(drop)
}

/// `GNTTABOP_query_size`.
const GNTTABOP_QUERY_SIZE: u64 = 6;

/// `struct gnttab_query_size`.
#[repr(C)]
struct QuerySize {
    dom: u16,
    _pad: u16,
    nr_frames: u32,
    max_nr_frames: u32,
    status: i16,
}

/// How many grant table frames this domain may have.
pub fn grant_table_max_frames() -> Result<u32, i64> {
    let mut arg = QuerySize {
        dom: DOMID_SELF,
        _pad: 0,
        nr_frames: 0,
        max_nr_frames: 0,
        status: 0,
    };
    // SAFETY: one structure, living across the call.
    check(unsafe {
        call(
            GRANT_TABLE_OP,
            GNTTABOP_QUERY_SIZE,
            &mut arg as *mut QuerySize as u64,
            1,
        )
    })?;
    if arg.status != 0 {
        return Err(i64::from(-arg.status));
    }
    Ok(arg.max_nr_frames)
}

// ---- HVM parameters ---------------------------------------------------

/// `HVMOP_get_param`.
const HVMOP_GET_PARAM: u64 = 1;
/// `HVM_PARAM_STORE_PFN`: the xenstore ring's page.
pub const PARAM_STORE_PFN: u32 = 1;
/// `HVM_PARAM_STORE_EVTCHN`: its event channel.
pub const PARAM_STORE_EVTCHN: u32 = 2;
/// `HVM_PARAM_CONSOLE_PFN`: the PV console ring's page.
pub const PARAM_CONSOLE_PFN: u32 = 17;
/// `HVM_PARAM_CONSOLE_EVTCHN`: its event channel.
pub const PARAM_CONSOLE_EVTCHN: u32 = 18;

/// `struct xen_hvm_param`.
#[repr(C)]
struct HvmParam {
    domid: u16,
    _pad: u16,
    index: u32,
    value: u64,
}

/// HVM parameter `index` of this domain.
pub fn hvm_param(index: u32) -> Result<u64, i64> {
    let mut arg = HvmParam {
        domid: DOMID_SELF,
        _pad: 0,
        index,
        value: 0,
    };
    // SAFETY: the structure lives across the call, which fills `value`.
    check(unsafe { call(HVM_OP, HVMOP_GET_PARAM, &mut arg as *mut HvmParam as u64, 0) })?;
    Ok(arg.value)
}
